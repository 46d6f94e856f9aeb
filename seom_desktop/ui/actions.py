"""The main window's QActions (shortcut, accessible name, status tip) and its menus,
named in the reference page's words."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar


@dataclass(frozen=True)
class ActionSpec:
    key: str  # attribute name and the window method "open_<key>" / "<key>"
    text: str
    shortcut: str
    tip: str
    handler: str


SPECS = (
    ActionSpec("system_parameters", "Set System &Parameters…", "Ctrl+Shift+Y",
               "Quick Clicks > Set System Parameters (SynchQOH, the stack settings)",
               "open_system_parameters"),
    ActionSpec("shopping_carts", "Shopping &Carts…", "Ctrl+Shift+C",
               "Settings > System Functions > Shopping Carts: define carts, Synchronize "
               "Inventory", "open_shopping_carts"),
    ActionSpec("adjust_inventory", "&Adjust Inventory…", "Ctrl+Shift+A",
               "Change the QOH of the selected item", "open_adjust_inventory"),
    ActionSpec("receive_po", "&Receive Purchase Order…", "Ctrl+Shift+R",
               "Receive merchandise into inventory", "open_receive_po"),
    ActionSpec("pos_sale", "P&OS Sale…", "Ctrl+Shift+O", "Ring up a point-of-sale sale",
               "open_pos_sale"),
    ActionSpec("view_inventory", "&View Inventory…", "Ctrl+I",
               "The selected item, with its Web Fields", "open_view_inventory"),
    ActionSpec("ledger", "QOH &Ledger…", "Ctrl+Shift+L",
               "Every QOH change of the selected item: when, who, where, why",
               "open_ledger"),
    ActionSpec("import_csv", "&Import QOH from CSV…", "Ctrl+Shift+I",
               "Set QOH from a CSV file", "open_import_csv"),
    ActionSpec("export_csv", "&Export QOH to CSV…", "Ctrl+Shift+E",
               "Save SKU and QOH of every product to a CSV file", "open_export_csv"),
    ActionSpec("advanced_cart_functions", "Advanced Cart &Functions…", "Ctrl+Shift+F",
               "Send QOH To Website, Get QOH from Website, Import Orders, drift report",
               "open_advanced_cart_functions"),
    ActionSpec("stack_controller", "&Stack Controller…", "Ctrl+Shift+S",
               "The Web Stack: what waits to be sent to the carts, and why it failed",
               "open_stack_controller"),
    ActionSpec("sync_health", "Sync &Health…", "Ctrl+Shift+H",
               "How synchronization goes: pending rows, change-to-cart time, failures, "
               "reconciles, each cart's state", "open_sync_health"),
    ActionSpec("find", "&Find Item", "Ctrl+F", "Search the inventory by SKU or name",
               "focus_search"),
    ActionSpec("refresh", "&Refresh", "F5", "Read the inventory list again", "refresh"),
    ActionSpec("quit", "E&xit", "Ctrl+Q", "Close the program", "close"),
    ActionSpec("help", "seom-desktop &Help", "F1",
               "What each screen is for, its keys, and where the log is", "open_help"),
    ActionSpec("about", "&About seom-desktop", "Ctrl+F1", "Version and where the store is",
               "show_about"),
    ActionSpec("open_log_folder", "Open &Log Folder", "Ctrl+Alt+L",
               "Open the folder of the log files", "open_log_folder"),
)


def open_log_folder() -> bool:
    """Help > Open Log Folder: the log folder in the file manager."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    from seom_desktop.logs import log_dir

    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def open_help(window: QMainWindow):
    """Help > seom-desktop Help (F1, as in Windows programs): the Help window."""
    from seom_desktop.ui.help import open_help as open_for

    return open_for(window)


# Handlers that are not the window's own methods.
MODULE_HANDLERS = {"open_log_folder": open_log_folder}
WINDOW_HANDLERS = {"open_help": open_help}  # these take the window


class Actions:
    """One QAction per spec, as attributes (`actions.stack_controller`)."""

    def __init__(self, window: QMainWindow):
        self.all: dict[str, QAction] = {}
        for spec in SPECS:
            act = QAction(spec.text, window)
            act.setObjectName(f"action_{spec.key}")
            act.setShortcut(QKeySequence(spec.shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            plain = spec.text.replace("&", "").rstrip("…")
            act.setToolTip(f"{plain} ({spec.shortcut})" if spec.shortcut else plain)
            act.setStatusTip(spec.tip)
            # Screen readers: the accessible name travels with the action's widgets.
            act.setIconText(plain)
            act.setProperty("accessibleName", plain)
            handler = getattr(window, spec.handler, None)
            if handler is None and spec.handler in WINDOW_HANDLERS:
                handler = (lambda fn: lambda *_: fn(window))(WINDOW_HANDLERS[spec.handler])
            handler = handler or MODULE_HANDLERS[spec.handler]
            act.triggered.connect(handler)
            window.addAction(act)  # shortcuts work even with the menu bar hidden
            self.all[spec.key] = act
            setattr(self, spec.key, act)

    def accessible_name(self, key: str) -> str:
        return self.all[key].property("accessibleName")


def build_menus(window: QMainWindow, a: Actions) -> None:
    bar = window.menuBar()
    bar.setAccessibleName("Main Menu")
    quick = bar.addMenu("&Quick Clicks")
    quick.addAction(a.system_parameters)
    quick.addSeparator()
    quick.addAction(a.find)
    quick.addAction(a.refresh)
    quick.addSeparator()
    quick.addAction(a.quit)

    settings = bar.addMenu("&Settings")
    system = settings.addMenu("System &Functions")
    system.addAction(a.shopping_carts)
    system.addAction(a.advanced_cart_functions)

    inventory = bar.addMenu("&Inventory")
    for act in (a.adjust_inventory, a.receive_po, a.pos_sale, a.view_inventory, a.ledger):
        inventory.addAction(act)
    inventory.addSeparator()
    inventory.addAction(a.import_csv)
    inventory.addAction(a.export_csv)

    web = bar.addMenu("&Web Store")
    web.addAction(a.advanced_cart_functions)
    web.addAction(a.stack_controller)
    web.addAction(a.sync_health)

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.help)
    help_menu.addAction(a.open_log_folder)
    help_menu.addSeparator()
    help_menu.addAction(a.about)
    for menu in (quick, settings, system, inventory, web, help_menu):
        menu.setAccessibleName(menu.title().replace("&", ""))


def build_toolbar(window: QMainWindow, a: Actions) -> QToolBar:
    tb = QToolBar("Main toolbar", window)
    tb.setObjectName("mainToolbar")
    tb.setAccessibleName("Main toolbar")
    tb.setMovable(False)
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for act in (a.adjust_inventory, a.receive_po, a.pos_sale, a.view_inventory):
        tb.addAction(act)
    tb.addSeparator()
    tb.addAction(a.advanced_cart_functions)
    tb.addAction(a.stack_controller)
    for act in tb.actions():
        w = tb.widgetForAction(act)
        if w is not None and act.property("accessibleName"):
            w.setAccessibleName(act.property("accessibleName"))
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
    return tb
