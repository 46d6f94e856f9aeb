"""The rules every window follows, so that no dialog has to repeat them: each top-level
window is fitted into the screen's available area when it is shown or grows
(ui/screen_fit.py), its fields, buttons and tables are named after their visible labels
(ui/accessible.py), its drop-down lists grow with what they list and its number fields
say when a typed number is past their maximum (ui/field_rules.py).

One event filter, installed on the windows (the main window and the store dialogs watch
themselves; a window they open is watched when it is polished) and on the buttons,
labels and number fields inside them, not on the application: an application-wide filter
took every event of the process (each timer tick, each paint) into Python, and each of
those waited for the interpreter lock while a transfer's threads held it (bench/README.md,
"The fourth set"). Made by `ui/app.make_app`."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QSpinBox, QWidget

from seom_desktop.ui.accessible import name_one, name_widgets
from seom_desktop.ui.field_rules import on_key, widen_combos
from seom_desktop.ui.screen_fit import content_limit, fit_window, is_fitted_window, too_big

FIELDS = (QAbstractButton, QLabel, QSpinBox)  # renamed when repainted; keys checked


class WindowRules(QObject):
    def __init__(self, parent: QObject | None = None, *, fit: bool = True):
        super().__init__(parent)
        self.fit = fit

    def watch(self, window: QWidget) -> None:
        """Apply the rules to this window and to every window opened from it."""
        window.installEventFilter(self)  # once: installing again only moves it last

    def _watch_fields(self, window: QWidget) -> None:
        for kind in FIELDS:
            for w in window.findChildren(kind):
                w.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt name
        kind = event.type()
        if kind == QEvent.Type.Show:
            if isinstance(obj, QWidget) and is_fitted_window(obj):
                widen_combos(obj)
                if self.fit:
                    fit_window(obj, showing=True)
                name_widgets(obj)
                self._watch_fields(obj)
        elif kind == QEvent.Type.Paint:
            if isinstance(obj, QAbstractButton | QLabel):
                name_one(obj)  # its words may have changed since the window was shown
        elif kind == QEvent.Type.KeyPress:
            on_key(obj, event)
        elif kind == QEvent.Type.ChildPolished:
            child = event.child()
            if isinstance(child, QWidget) and child.isWindow():
                self.watch(child)  # a dialog, message box or menu opened from here
        elif kind == QEvent.Type.LayoutRequest:
            if isinstance(obj, QWidget) and obj.isWindow() and obj.isVisible():
                self._watch_fields(obj)  # fields added since it was shown
        elif kind == QEvent.Type.Resize and self.fit:
            if (isinstance(obj, QWidget) and obj.isVisible() and is_fitted_window(obj)
                    and too_big(event.size(), content_limit(obj))):
                fit_window(obj)
        return False


_installed: WindowRules | None = None


def install(app: QApplication, *, fit: bool | None = None) -> WindowRules:
    """Make the rules once for the application; `fit` (None: as it is, off at first)
    says whether windows are fitted to the screen, or only named."""
    global _installed
    if _installed is None:
        _installed = WindowRules(app, fit=bool(fit))
    elif fit is not None:
        _installed.fit = fit
    return _installed


def watch(window: QWidget) -> None:
    """Apply the rules to a window made without a parent (and to what it opens); one
    opened from a watched window is watched already."""
    app = QApplication.instance()
    if app is not None:
        install(app).watch(window)


def uninstall(app: QApplication) -> None:
    global _installed
    if _installed is not None:
        _installed.deleteLater()  # Qt takes a deleted filter off every object
        _installed = None
