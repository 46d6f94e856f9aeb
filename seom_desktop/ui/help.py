"""Help (F1, as in every Windows program): what each screen is for, its keys, the Web
Stack's states and where the log is, in one window that stays open beside the work.
Written from the actions themselves (ui/actions.py), so a new menu item and its shortcut
appear here without a second list to keep."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMainWindow, QTextBrowser, QVBoxLayout

STATES = (
    ("pending", "waits to be sent (or is being sent)"),
    ("sent", "the cart accepted the quantity"),
    ("failed", "the last try did not get through; it is tried again after a wait, and the "
               "Last Response says why"),
    ("waiting", "waiting for an order import: the cart shows a sale not imported yet; it is "
                "sent once Import Orders brings that sale in (it is looked at again after a "
                "wait meanwhile)"),
    ("bypassed", "tried the most times allowed (StackMaxAttempts) or bypassed by a clerk: "
                 "no longer sent; Retry puts it back"),
)


def help_html(specs) -> str:  # noqa: ANN001 - the ActionSpecs of ui/actions.py
    from seom_desktop.logs import log_dir

    rows = "".join(
        f"<tr><td><b>{escape(s.text.replace('&', ''))}</b></td>"
        f"<td>{escape(s.shortcut) or '&nbsp;'}</td><td>{escape(s.tip)}</td></tr>"
        for s in specs)
    states = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in STATES)
    return (
        "<h2>seom-desktop Help</h2>"
        "<p>seom-desktop keeps the quantity on hand (QOH) of every product the same in the "
        "store and in every shopping cart whose <b>Synchronize Inventory</b> is on. Each "
        "QOH change (Adjust Inventory, Receive Purchase Order, POS Sale, an order from a "
        "cart, Import QOH from CSV) is written to the store and queued on the <b>Web "
        "Stack</b>; the <b>Stack Controller</b> sends it to the carts.</p>"
        "<h3>Screens and keys</h3>"
        f"<table cellspacing='0' cellpadding='4' border='1'>{rows}</table>"
        "<p>In a dialog, Enter saves and Esc cancels; Tab moves from field to field.</p>"
        "<h3>The Web Stack</h3>"
        f"<ul>{states}</ul>"
        "<p>A record whose change reads <i>refresh</i> brings a cart in line after its Web "
        "Fields changed; the QOH did not change.</p>"
        "<h3>When something goes wrong</h3>"
        "<p>The message says what happened and what to do. The details are in the log "
        f"file, in <b>{escape(str(log_dir()))}</b> (Help &gt; Open Log Folder).</p>")


class HelpWindow(QDialog):
    def __init__(self, specs, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setObjectName("helpWindow")
        self.setWindowTitle("Help")
        self.resize(760, 560)
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpText")
        self.browser.setAccessibleName("Help")
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(help_html(specs))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser, 1)
        lay.addWidget(buttons)


def open_help(window: QMainWindow) -> HelpWindow:
    """F1: the Help window (one at a time; F1 again brings it to the front)."""
    from seom_desktop.ui.actions import SPECS

    old = getattr(window, "help_window", None)
    if old is not None and old.isVisible():
        old.raise_()
        old.activateWindow()
        return old
    w = HelpWindow(SPECS, window)
    window.help_window = w
    w.show()
    return w
