"""The main window's screens: a table of them (title, whether it opens on the selected
item, and a function that imports its dialog class: each dialog module is imported when
its screen first opens, not before the window shows, and the import graph still shows
which screens the window opens), one open_* method per menu action, one window per
screen (asking again raises it), and Export QOH to CSV (a file chosen here, written on a
pool thread). Mixed into MainWindow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from seom_desktop.app.inventory_list import export_qoh_csv
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.words import plural


@dataclass(frozen=True)
class Screen:
    load: Callable[[], type[QDialog]]  # imports the module, returns the dialog class
    title: str
    for_selected_item: bool = False  # opened on the item selected in the list

    @property
    def dialog(self) -> type[QDialog]:
        """The class, called as dialog(store, workstation=, parent=, **kw)."""
        return self.load()


def _system_parameters():
    from seom_desktop.ui.dialogs.system_parameters import SystemParametersDialog

    return SystemParametersDialog


def _shopping_carts():
    from seom_desktop.ui.dialogs.shopping_carts import ShoppingCartsDialog

    return ShoppingCartsDialog


def _adjust_inventory():
    from seom_desktop.ui.dialogs.adjust_inventory import AdjustInventoryDialog

    return AdjustInventoryDialog


def _receive_po():
    from seom_desktop.ui.dialogs.receive_po import ReceivePurchaseOrderDialog

    return ReceivePurchaseOrderDialog


def _pos_sale():
    from seom_desktop.ui.dialogs.pos_sale import POSSaleDialog

    return POSSaleDialog


def _view_inventory():
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog

    return ViewInventoryDialog


def _ledger():
    from seom_desktop.ui.dialogs.ledger import LedgerDialog

    return LedgerDialog


def _import_csv():
    from seom_desktop.ui.dialogs.csv_transfer import CsvImportDialog

    return CsvImportDialog


def _advanced_cart_functions():
    from seom_desktop.ui.dialogs.advanced_cart_functions import AdvancedCartFunctionsDialog

    return AdvancedCartFunctionsDialog


def _stack_controller():
    from seom_desktop.ui.dialogs.stack_controller import StackControllerDialog

    return StackControllerDialog


def _sync_health():
    from seom_desktop.ui.dialogs.sync_health import SyncHealthDialog

    return SyncHealthDialog


DIALOGS: dict[str, Screen] = {
    "system_parameters": Screen(_system_parameters, "Set System Parameters"),
    "shopping_carts": Screen(_shopping_carts, "Shopping Carts"),
    "adjust_inventory": Screen(_adjust_inventory, "Adjust Inventory", True),
    "receive_po": Screen(_receive_po, "Receive Purchase Order", True),
    "pos_sale": Screen(_pos_sale, "POS Sale", True),
    "view_inventory": Screen(_view_inventory, "View Inventory", True),
    "ledger": Screen(_ledger, "QOH Ledger", True),
    "import_csv": Screen(_import_csv, "Import QOH from CSV"),
    "advanced_cart_functions": Screen(_advanced_cart_functions, "Advanced Cart Functions"),
    "stack_controller": Screen(_stack_controller, "Stack Controller"),
    "sync_health": Screen(_sync_health, "Sync Health"),
}


class WindowDialogs:
    """The dialogs of MainWindow (uses its store, workstation, dialogs, selected_sku,
    on_store_changed, wake_controller)."""

    def open_dialog(self, key: str, **kw) -> QDialog:
        screen = DIALOGS[key]
        old = self.dialogs.get(key)
        if old is not None and old.isVisible() and not kw:
            old.raise_()
            old.activateWindow()
            return old
        if key == "stack_controller":
            kw.setdefault("wake", self.wake_controller)
        dlg = screen.dialog(self.store, workstation=self.workstation, parent=self, **kw)
        changed = getattr(dlg, "changed", None)
        if changed is not None:
            changed.connect(self.on_store_changed)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dlg.destroyed.connect(lambda *_, k=key, d=dlg: self._forget(k, d))
        self.dialogs[key] = dlg
        dlg.show()
        return dlg

    def _forget(self, key: str, dlg) -> None:
        if self.dialogs.get(key) is dlg:
            del self.dialogs[key]

    def _open_screen(self, key: str) -> QDialog:
        if DIALOGS[key].for_selected_item:
            return self.open_dialog(key, sku=self.selected_sku())
        return self.open_dialog(key)

    def notice(self, title: str, text: str) -> QMessageBox:
        """A message box that does not block (no nested event loop)."""
        box = QMessageBox(QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()
        self.last_notice = text
        return box

    def open_system_parameters(self):
        return self._open_screen("system_parameters")

    def open_shopping_carts(self):
        return self._open_screen("shopping_carts")

    def open_adjust_inventory(self):
        return self._open_screen("adjust_inventory")

    def open_receive_po(self):
        return self._open_screen("receive_po")

    def open_pos_sale(self):
        return self._open_screen("pos_sale")

    def open_view_inventory(self):
        return self._open_screen("view_inventory")

    def open_ledger(self):
        return self._open_screen("ledger")

    def open_import_csv(self):
        return self._open_screen("import_csv")

    def open_advanced_cart_functions(self):
        return self._open_screen("advanced_cart_functions")

    def open_stack_controller(self):
        return self._open_screen("stack_controller")

    def open_sync_health(self):
        return self._open_screen("sync_health")

    def open_export_csv(self, path: str | None = None):
        """Export QOH to CSV: the file is chosen here, written on a pool thread."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export QOH to CSV", "qoh.csv",
                                                  "CSV files (*.csv);;All files (*)")
            if not path:
                return None
        store = self.store
        self.statusBar().showMessage(f"Exporting QOH to {path}…")

        def done(n) -> None:
            self.statusBar().showMessage(f"{plural(n, 'product')} exported to {path}", 15000)
            self.last_notice = f"{plural(n, 'product')} exported to {path}"

        run_in_thread(lambda: export_qoh_csv(store, path=path), owner=self, on_done=done,
                      on_error=lambda e: self.notice("Export QOH to CSV",
                                                     f"The file was not written: {e}"))
        return path
