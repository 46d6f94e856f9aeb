"""The main window: the menus and toolbar (ui/actions.py), the inventory list and the
selected item cart by cart (ui/main_list.py), the screens it opens (ui/window_dialogs.py),
the status bar (ui/status.py) and this workstation's stack controller thread
(ui/window_controller.py). It holds the store only as a handle for app/ functions."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox

from seom_desktop import __version__
from seom_desktop.app.item_carts import CartProbe
from seom_desktop.app.store_handle import StoreHandle, display_url
from seom_desktop.ui import window_rules
from seom_desktop.ui.actions import Actions, build_menus, build_toolbar
from seom_desktop.ui.collector import quiet_collector
from seom_desktop.ui.controller_thread import ControllerThread
from seom_desktop.ui.main_list import MainList
from seom_desktop.ui.status import StatusPanel
from seom_desktop.ui.tray import HealthTray
from seom_desktop.ui.window_controller import WindowController
from seom_desktop.ui.window_dialogs import DIALOGS, Screen, WindowDialogs

__all__ = ["DIALOGS", "MainWindow", "Screen"]

QOH_REFRESH_MS = 3000


class MainWindow(MainList, WindowDialogs, WindowController, QMainWindow):
    def __init__(self, store: StoreHandle, *, workstation: str, start_controller: bool = True,
                 cart_probe: CartProbe | None = None, banner: str = "",
                 settings: QSettings | None = None, controller_kw: dict | None = None):
        super().__init__()
        self.store = store
        self.workstation = workstation
        self.cart_probe = cart_probe
        self.settings = settings or QSettings()
        self.controller_kw = dict(controller_kw or {})
        self.dialogs: dict[str, QDialog] = {}
        self.controller = None
        self.mode = None
        self._retired: list[ControllerThread] = []
        self.last_notice = ""
        self.setObjectName("mainWindow")
        # The system adds the program's name (its display name) after the title.
        self.setWindowTitle(f"Inventory — {workstation}")

        self.actions_ = Actions(self)
        build_menus(self, self.actions_)
        build_toolbar(self, self.actions_)
        self._build_central(banner)
        self._closed = False
        self.model.reload()  # the first page is asked first: the status bar's reads follow
        self.status = StatusPanel(store, self.statusBar(), workstation=workstation)
        self.status.refreshed.connect(self._check_controller_mode)
        self.tray = HealthTray(store, parent=self)  # Sync Health line and notifications
        self.tray.open_health.connect(self.open_sync_health)  # started after the first page

        self._qoh_timer = QTimer(self)
        self._qoh_timer.setInterval(QOH_REFRESH_MS)
        self._qoh_timer.timeout.connect(self.refresh_visible)
        self._qoh_timer.start()
        self._restore_geometry()
        window_rules.watch(self)  # named (and fitted when make_app said so)
        if start_controller:
            self.start_controller()

    def list_shown(self) -> None:
        """The list's first page arrived (MainList). Once it is painted: freeze the
        start-up objects out of the cycle collector, start the tray's Sync Health reads, then
        the controller thread (WindowController)."""
        if not self._list_shown:
            QTimer.singleShot(0, self._after_first_page)
        super().list_shown()

    def _after_first_page(self) -> None:
        quiet_collector()
        if not self._closed:
            self.tray.start()

    def on_store_changed(self) -> None:
        """A dialog wrote to the store: show it now rather than at the next tick."""
        self.refresh_visible()
        self.status.refresh()
        self.wake_controller()

    def refresh(self) -> None:
        self.model.reload()
        self.status.refresh()

    def ready(self) -> bool:
        """The first page, its count and the status bar have arrived (for screenshots)."""
        counted = self.model.total is not None or bool(self.model.error)
        return not self.model.loading and counted and self.status.snapshot is not None

    def show_about(self) -> None:
        QMessageBox.about(self, "About seom-desktop",
                          f"<b>seom-desktop {__version__}</b><br>"
                          "Keeps the quantity on hand in step between the store and every "
                          "shopping cart.<br><br>"
                          f"Store: {display_url(self.store)}<br>"
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
        self._closed = True
        self.settings.setValue("mainWindow/geometry", self.saveGeometry())
        self.settings.setValue("mainWindow/splitter", self.splitter.saveState())
        self.settings.sync()
        for dlg in list(self.dialogs.values()):
            dlg.close()
        self.status.timer.stop()
        self.tray.stop()
        self._qoh_timer.stop()
        self.stop_controller()
        super().closeEvent(event)
