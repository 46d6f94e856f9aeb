"""The main window: the inventory list (paged from the store), a search box, the selected
item cart by cart, the menus, the status bar, and the stack controller thread."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from seom_desktop import __version__
from seom_desktop.ui import window_rules
from seom_desktop.ui.actions import Actions, build_menus, build_toolbar
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.collector import quiet_collector
from seom_desktop.ui.controller_thread import ControllerMode, ControllerThread, controller_mode
from seom_desktop.ui.models.inventory import InventoryModel
from seom_desktop.ui.models.item_carts import CartProbe, ItemCartsModel, item_cart_rows
from seom_desktop.ui.status import StatusPanel
from seom_desktop.ui.words import plural

SEARCH_DELAY_MS = 250
QOH_REFRESH_MS = 3000

# key -> (module in ui/dialogs, class names to try, the screen's name)
DIALOGS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "system_parameters": ("system_parameters", ("SystemParametersDialog",), "Set System Parameters"),
    "shopping_carts": ("shopping_carts", ("ShoppingCartsDialog",), "Shopping Carts"),
    "adjust_inventory": ("adjust_inventory", ("AdjustInventoryDialog",), "Adjust Inventory"),
    "receive_po": ("receive_po", ("ReceivePurchaseOrderDialog",), "Receive Purchase Order"),
    "pos_sale": ("pos_sale", ("POSSaleDialog",), "POS Sale"),
    "view_inventory": ("view_inventory", ("ViewInventoryDialog",), "View Inventory"),
    "import_csv": ("csv_transfer", ("ImportQohDialog", "ImportQOHDialog", "CsvImportDialog",
                                    "ImportCsvDialog"), "Import QOH from CSV"),
    "export_csv": ("csv_transfer", ("ExportQohDialog", "ExportQOHDialog", "CsvExportDialog",
                                    "ExportCsvDialog"), "Export QOH to CSV"),
    "advanced_cart_functions": ("advanced_cart_functions", ("AdvancedCartFunctionsDialog",),
                                "Advanced Cart Functions"),
    "stack_controller": ("stack_controller", ("StackControllerDialog",), "Stack Controller"),
}


class MainWindow(QMainWindow):
    def __init__(self, store, *, workstation: str, start_controller: bool = True,
                 cart_probe: CartProbe | None = None, banner: str = "",
                 settings: QSettings | None = None, controller_kw: dict | None = None):
        super().__init__()
        self.store = store
        self.workstation = workstation
        self.cart_probe = cart_probe
        self.settings = settings or QSettings()
        self.controller_kw = dict(controller_kw or {})
        self.dialogs: dict[str, QDialog] = {}
        self.controller: ControllerThread | None = None
        self.mode: ControllerMode | None = None
        self._retired: list[ControllerThread] = []
        self.last_notice = ""
        self.setObjectName("mainWindow")
        # The system adds the program's name (its display name) after the title.
        self.setWindowTitle(f"Inventory — {workstation}")

        self.actions_ = Actions(self)
        build_menus(self, self.actions_)
        build_toolbar(self, self.actions_)
        self._build_central(banner)
        self.status = StatusPanel(store, self.statusBar(), workstation=workstation)
        self.status.refreshed.connect(self._check_controller_mode)

        self.model.reload()
        self._qoh_timer = QTimer(self)
        self._qoh_timer.setInterval(QOH_REFRESH_MS)
        self._qoh_timer.timeout.connect(self.refresh_visible)
        self._qoh_timer.start()
        self._restore_geometry()
        quiet_collector()
        window_rules.install(QApplication.instance())  # names (make_app: fits too)
        if start_controller:
            self.start_controller()

    # --- layout --------------------------------------------------------------------
    def _build_central(self, banner: str) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 4)
        if banner:
            b = QLabel(banner)
            b.setObjectName("banner")
            b.setWordWrap(True)
            b.setStyleSheet("background: #eef4fb; border: 1px solid #b6cbe6; padding: 6px;")
            outer.addWidget(b)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search by SKU or name  (Ctrl+F)")
        self.search.setAccessibleName("Search inventory by SKU or name")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel("")
        self.count_label.setObjectName("productCount")
        top.addWidget(QLabel("Find:"))
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        outer.addLayout(top)

        self.model = InventoryModel(self.store, self)
        self.model.total_changed.connect(self._show_total)
        self.model.loaded.connect(self._first_page)
        self.table = QTableView()
        self.table.setObjectName("inventoryTable")
        self.table.setAccessibleName("Inventory list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 160)
        self.table.setColumnWidth(2, 90)
        self.table.doubleClicked.connect(lambda idx: self.open_view_inventory())
        self.table.activated.connect(lambda idx: self.open_view_inventory())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())

        side = QWidget()
        sv = QVBoxLayout(side)
        sv.setContentsMargins(0, 0, 0, 0)
        self.item_title = QLabel("Select an item to see it cart by cart.")
        self.item_title.setObjectName("itemTitle")
        self.item_title.setWordWrap(True)
        self.item_title.setStyleSheet("font-weight: bold;")
        self.carts_model = ItemCartsModel(self, live=self.cart_probe is not None)
        self.carts_table = QTableView()
        self.carts_table.setObjectName("itemCartsTable")
        self.carts_table.setAccessibleName("Selected item on each cart")
        self.carts_table.setModel(self.carts_model)
        self.carts_table.verticalHeader().setVisible(False)
        ch = self.carts_table.horizontalHeader()
        ch.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        ch.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.carts_table.verticalHeader().setDefaultSectionSize(22)
        self.carts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        hint = QLabel("Should show: the store's QOH shaped by the item's Web Fields. "
                      "Sent: the last quantity the cart accepted. Seen: the last quantity "
                      "read from the cart."
                      + (" Live: what the emulated cart shows now." if self.cart_probe else ""))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        sv.addWidget(self.item_title)
        sv.addWidget(self.carts_table, 1)
        sv.addWidget(hint)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("mainSplitter")
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 520])
        self.splitter = split
        outer.addWidget(split, 1)
        self.setCentralWidget(central)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)

    def _first_page(self) -> None:
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        elif not self.model.rowCount():
            self._selection_changed()  # Find matched nothing: the item panel says so

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.model.set_search(self.search.text())

    def _show_total(self, n: int) -> None:
        self.count_label.setText(plural(n, "product") + (" found" if self.model.search else ""))

    # --- selection and refresh -------------------------------------------------------
    def selected_sku(self) -> str | None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        return row.sku if row else None

    def _selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        if row is None:
            none = self.model.search and not self.model.rowCount()
            self.item_title.setText(f"No product matches \u201c{self.model.search}\u201d."
                                    if none else "Select an item to see it cart by cart.")
            self.carts_model.set_rows([])
            return
        self.item_title.setText(f"{row.sku} — {row.name}   (QOH {row.qoh:,})")
        self._load_item_carts(row.id)

    def _load_item_carts(self, product_id: int) -> None:
        store, probe = self.store, self.cart_probe
        run_in_thread(lambda: item_cart_rows(store, product_id, probe), owner=self,
                      on_done=self._got_item_carts)

    def _got_item_carts(self, rows) -> None:
        self.carts_model.set_rows(rows)

    def visible_rows(self) -> tuple[int, int]:
        vp = self.table.viewport()
        first = self.table.rowAt(0)
        last = self.table.rowAt(vp.height() - 1)
        if first < 0:
            return 0, -1
        return first, (last if last >= 0 else self.model.rowCount() - 1)

    def refresh_visible(self) -> None:
        first, last = self.visible_rows()
        if last >= first:
            self.model.refresh_qoh(first, last)
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        if row is not None:
            self.item_title.setText(f"{row.sku} — {row.name}   (QOH {row.qoh:,})")
            self._load_item_carts(row.id)

    def on_store_changed(self) -> None:
        """A dialog wrote to the store: show it now rather than at the next tick."""
        self.refresh_visible()
        self.status.refresh()
        if self.controller is not None:
            self.controller.wake()

    def refresh(self) -> None:
        self.model.reload()
        self.status.refresh()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def ready(self) -> bool:
        """The first page and the status bar have arrived (for screenshots)."""
        return not self.model.loading and self.status.snapshot is not None

    # --- the stack controller --------------------------------------------------------
    def start_controller(self) -> None:
        self._apply_mode(controller_mode(self.store, self.workstation))

    def _check_controller_mode(self, snap) -> None:
        if self.mode is None:
            return
        designated = snap.lease.designated or ""
        if designated != self.mode.designated:
            self._apply_mode(controller_mode(self.store, self.workstation))

    def _apply_mode(self, mode: ControllerMode) -> None:
        self.mode = mode
        old = self.controller
        self.controller = None
        if old is not None and old.isRunning():
            # Never wait on the UI thread: the old loop finishes its request, then exits.
            old.stop_event.set()
            old.wake()
            self._retired.append(old)
            old.finished.connect(lambda o=old: self._retired.remove(o) if o in self._retired else None)
        if mode.run:
            t = ControllerThread(self.store, workstation=self.workstation, shared=mode.shared,
                                 parent=self, **self.controller_kw)
            t.passed.connect(self._controller_passed)
            t.failed.connect(self.status.controller_failed)
            self.controller = t
            t.start()
        self.status.set_running(mode.run)
        self.status.controller_label.setToolTip(mode.describe(self.workstation))

    def _controller_passed(self, counts: dict) -> None:
        self.status.on_pass(counts)
        if counts.get("claimed"):
            self.status.refresh()
            self.refresh_visible()

    def stop_controller(self, timeout_ms: int = 60_000) -> None:
        for t in [self.controller, *self._retired]:
            if t is not None:
                t.stop(timeout_ms)
        self.controller = None
        self._retired.clear()

    # --- dialogs ---------------------------------------------------------------------
    def open_dialog(self, key: str, **kw) -> QDialog | None:
        module_name, class_names, title = DIALOGS[key]
        cls = _dialog_class(module_name, class_names)
        if cls is None:
            self.notice(title, f"The {title} screen is not available in this version.")
            return None
        old = self.dialogs.get(key)
        if old is not None and old.isVisible() and not kw:
            old.raise_()
            old.activateWindow()
            return old
        if key == "stack_controller":
            kw.setdefault("wake", self._wake_controller)
        dlg = cls(self.store, workstation=self.workstation, parent=self, **kw)
        changed = getattr(dlg, "changed", None)
        if changed is not None:
            changed.connect(self.on_store_changed)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dlg.destroyed.connect(lambda *_, k=key, d=dlg: self._forget(k, d))
        self.dialogs[key] = dlg
        dlg.show()
        return dlg

    def notice(self, title: str, text: str) -> QMessageBox:
        """A message box that does not block (no nested event loop)."""
        box = QMessageBox(QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()
        self.last_notice = text
        return box

    def _forget(self, key: str, dlg) -> None:
        if self.dialogs.get(key) is dlg:
            del self.dialogs[key]

    def _wake_controller(self) -> None:
        if self.controller is not None:
            self.controller.wake()

    def open_system_parameters(self):
        return self.open_dialog("system_parameters")

    def open_shopping_carts(self):
        return self.open_dialog("shopping_carts")

    def open_adjust_inventory(self):
        return self.open_dialog("adjust_inventory", sku=self.selected_sku())

    def open_receive_po(self):
        return self.open_dialog("receive_po", sku=self.selected_sku())

    def open_pos_sale(self):
        return self.open_dialog("pos_sale", sku=self.selected_sku())

    def open_view_inventory(self):
        return self.open_dialog("view_inventory", sku=self.selected_sku())

    def open_import_csv(self):
        return self.open_dialog("import_csv")

    def open_export_csv(self, path: str | None = None):
        """Export QOH to CSV: the file is chosen here, written on a pool thread."""
        try:
            from seom_desktop.sync.csv_qoh import write_qoh_csv
        except ImportError:
            return self.open_dialog("export_csv")
        if not path:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getSaveFileName(self, "Export QOH to CSV", "qoh.csv",
                                                  "CSV files (*.csv);;All files (*)")
            if not path:
                return None
        store = self.store
        self.statusBar().showMessage(f"Exporting QOH to {path}…")

        def done(n) -> None:
            self.statusBar().showMessage(f"{plural(n, 'product')} exported to {path}", 15000)
            self.last_notice = f"{plural(n, 'product')} exported to {path}"

        run_in_thread(lambda: write_qoh_csv(store, path), owner=self, on_done=done,
                      on_error=lambda e: self.notice("Export QOH to CSV",
                                                     f"The file was not written: {e}"))
        return path

    def open_advanced_cart_functions(self):
        return self.open_dialog("advanced_cart_functions")

    def open_stack_controller(self):
        return self.open_dialog("stack_controller")

    def show_about(self) -> None:
        QMessageBox.about(self, "About seom-desktop",
                          f"<b>seom-desktop {__version__}</b><br>"
                          "Keeps the quantity on hand in step between the store and every "
                          "shopping cart.<br><br>"
                          f"Store: {_safe_url(self.store.url)}<br>"
                          f"Workstation: {self.workstation}")

    # --- geometry and closing --------------------------------------------------------
    def _restore_geometry(self) -> None:
        geo = self.settings.value("mainWindow/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            self.resize(1100, 680)
        state = self.settings.value("mainWindow/splitter")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.splitter.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.settings.setValue("mainWindow/geometry", self.saveGeometry())
        self.settings.setValue("mainWindow/splitter", self.splitter.saveState())
        self.settings.sync()
        for dlg in list(self.dialogs.values()):
            dlg.close()
        self.status.timer.stop()
        self._qoh_timer.stop()
        self.stop_controller()
        super().closeEvent(event)


def _dialog_class(module_name: str, class_names: tuple[str, ...]) -> Callable | None:
    full = f"seom_desktop.ui.dialogs.{module_name}"
    try:
        module = importlib.import_module(full)
    except ModuleNotFoundError as e:
        if e.name == full:
            return None
        raise
    for name in class_names:
        cls = getattr(module, name, None)
        if cls is not None:
            return cls
    return None


def _safe_url(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "(not shown)"
