"""The tray icon: its tooltip is the Sync Health line ("3 carts: 2 healthy, 1 failing
(Shopify) - 12 pending"), and it shows a notification when a cart starts failing, a row
is bypassed, the shared controller goes stale, or a reconcile finds differences (the
rule, at most one per cause per 10 minutes, is app/health_alerts.py). The report is read
by app/health.py on a pool thread every 30 s. Where the desktop has no tray
(QSystemTrayIcon.isSystemTrayAvailable() is False) nothing is drawn, but the tooltip and
the notifications are still worked out and kept (`tooltip`, `shown`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon

from seom_desktop.app.health import HealthReport, health_report
from seom_desktop.app.health_alerts import PERIOD_SECONDS, HealthWatcher, Notice
from seom_desktop.ui.async_support import run_in_thread

log = logging.getLogger(__name__)
REFRESH_MS = 30_000
MESSAGE_MS = 10_000


class HealthTray(QObject):
    """`updated` after each report is taken in; `open_health` when the clerk asks for the
    Sync Health window (the icon or a notification clicked, or its menu)."""

    updated = Signal()
    open_health = Signal()

    def __init__(self, store, *, parent: QObject | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 period: float = PERIOD_SECONDS, interval_ms: int = REFRESH_MS,
                 icon: QIcon | None = None):
        super().__init__(parent)
        self.store = store
        self.watcher = HealthWatcher(clock=clock, period=period)
        self.tooltip = ""
        self.shown: list[Notice] = []  # every notification shown (or due, with no tray)
        self.report: HealthReport | None = None
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.icon: QSystemTrayIcon | None = None
        if self.available:
            self.icon = QSystemTrayIcon(icon or _default_icon(), self)
            self.icon.setToolTip("Sync Health: reading…")
            menu = QMenu()
            action = QAction("Sync Health…", menu)
            action.triggered.connect(self.open_health)
            menu.addAction(action)
            self._menu = menu  # the icon does not own its menu
            self.icon.setContextMenu(menu)
            self.icon.activated.connect(self._activated)
            self.icon.messageClicked.connect(self.open_health)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        if self.icon is not None:
            self.icon.show()
        self.refresh()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self.icon is not None:
            self.icon.hide()

    def refresh(self) -> None:
        store = self.store
        run_in_thread(lambda: health_report(store, charts=False), owner=self, on_done=self.take,
                      on_error=lambda e: log.warning("sync health could not be read: %s", e))

    def take(self, report: HealthReport) -> None:
        """A new report: the tooltip, and the notifications it calls for."""
        self.report = report
        self.tooltip = f"seom-desktop - {report.summary()}"
        notices = self.watcher.update(report)
        if self.icon is not None:
            self.icon.setToolTip(self.tooltip)
        for n in notices:
            self.shown.append(n)
            log.info("notification: %s: %s", n.title, n.message)
            if self.icon is not None and QSystemTrayIcon.supportsMessages():
                self.icon.showMessage(n.title, n.message,
                                      QSystemTrayIcon.MessageIcon.Warning, MESSAGE_MS)
        self.updated.emit()

    def _activated(self, reason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_health.emit()


def _default_icon() -> QIcon:
    app = QApplication.instance()
    icon = app.windowIcon() if app is not None else QIcon()
    if icon.isNull() and app is not None:
        icon = app.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
    return icon
