"""The status bar: the Web Stack (pending, failed, bypassed) and the Stack Controller
(local or shared, who holds the lease, its last heartbeat, a warning when stale).
A QTimer asks app/status.py for a count by state and the lease row on a pool thread;
the UI thread never waits for them."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from seom_desktop.app.status import StatusSnapshot, status_snapshot
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.models.stack import local_time

REFRESH_MS = 2000
log = logging.getLogger(__name__)


def _time(dt: datetime | None) -> str:
    """A stored UTC time as the clerk's local time of day."""
    return local_time(dt, "%H:%M:%S") if dt else "?"


def controller_text(lease, workstation: str, running_here: bool,
                    last_pass: str = "") -> tuple[str, bool]:
    """(text, warning) for the Stack Controller part of the status bar."""
    if not lease.designated:
        text = "Stack Controller: local"
        text += " (running here)" if running_here else " (not running here)"
        if last_pass:
            text += f" — last pass {last_pass}"
        return text, not running_here
    who = lease.holder or lease.designated
    if lease.stale:
        return (f"⚠ Stack Controller: shared, {who} — last heartbeat "
                f"{_time(lease.heartbeat_at)}: STALE, nothing is being sent", True)
    if not lease.holder:
        where = "this workstation" if lease.designated == workstation else lease.designated
        return f"⚠ Stack Controller: shared, {where} — not running", True
    here = " (this workstation)" if lease.holder == workstation else ""
    text = (f"Stack Controller: shared, {lease.holder}{here} since "
            f"{_time(lease.acquired_at)}, last heartbeat {_time(lease.heartbeat_at)}")
    if last_pass and here:
        text += f" — last pass {last_pass}"
    return text, False


class StatusPanel(QObject):
    """Owns the status bar's permanent labels and the refresh timer."""

    refreshed = Signal(object)  # StatusSnapshot

    def __init__(self, store, bar: QStatusBar, *, workstation: str,
                 interval_ms: int = REFRESH_MS):
        super().__init__(bar)
        self.store = store
        self.bar = bar
        self.workstation = workstation
        self.running_here = False
        self.last_pass = ""
        self.snapshot: StatusSnapshot | None = None
        self._busy = False
        self._unreachable = False
        self.stack_label = QLabel("Web Stack: …")
        self.stack_label.setObjectName("webStackStatus")
        self.stack_label.setAccessibleName("Web Stack counts")
        self.controller_label = QLabel("Stack Controller: …")
        self.controller_label.setObjectName("controllerStatus")
        self.controller_label.setAccessibleName("Stack Controller status")
        self.low_stock_label = QLabel("")
        self.low_stock_label.setObjectName("lowStockStatus")
        self.low_stock_label.setAccessibleName("Products at or below their reorder point")
        for label in (self.stack_label, self.controller_label, self.low_stock_label):
            label.setContentsMargins(8, 0, 8, 0)
        bar.addPermanentWidget(self.low_stock_label)
        bar.addPermanentWidget(self.controller_label)
        bar.addPermanentWidget(self.stack_label)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        if self._busy:
            return  # the last query has not answered yet: never pile them up
        self._busy = True
        store = self.store
        run_in_thread(lambda: status_snapshot(store), owner=self,
                      on_done=self._show, on_error=self._error)

    def set_running(self, running: bool) -> None:
        self.running_here = running
        if self.snapshot is not None:
            self._show(self.snapshot)

    def on_pass(self, counts: dict) -> None:
        when = datetime.now().strftime("%H:%M:%S")
        if counts.get("claimed"):
            self.last_pass = (f"{when}: {counts['sent']} sent, {counts['failed']} failed"
                              + (f", {counts['bypassed']} bypassed" if counts["bypassed"] else ""))
        elif not self.last_pass:
            self.last_pass = f"{when}: nothing due"

    def controller_failed(self, detail: str) -> None:
        """The stack controller thread stopped with an error: what it means, in words."""
        log.error("the stack controller stopped: %s", detail)
        self.bar.showMessage(
            "The Stack Controller stopped: changes are not sent to the carts until "
            "seom-desktop is started again. The details are in the log (Help > Open Log "
            "Folder).")

    def _show(self, snap: StatusSnapshot) -> None:
        self._busy = False
        self._unreachable = False
        self.stack_label.setToolTip("")
        self.snapshot = snap
        self.low_stock_label.setText(f"Low stock: {snap.low_stock:,}")
        self.low_stock_label.setStyleSheet("color: #b3261e;" if snap.low_stock else "")
        c = snap.counts
        self.stack_label.setText(
            f"Web Stack: {c.get('pending', 0) + c.get('sending', 0):,} pending · "
            f"{c.get('failed', 0):,} failed · {c.get('bypassed', 0):,} bypassed")
        failing = c.get("failed", 0) or c.get("bypassed", 0)
        self.stack_label.setStyleSheet("color: #b3261e;" if failing else "")
        text, warn = controller_text(snap.lease, self.workstation, self.running_here,
                                     self.last_pass)
        self.controller_label.setText(text)
        self.controller_label.setStyleSheet("color: #b3261e; font-weight: bold;" if warn else "")
        self.refreshed.emit(snap)

    def _error(self, e: BaseException) -> None:
        self._busy = False
        self.stack_label.setText("Web Stack: store not reachable")
        self.stack_label.setToolTip("The store did not answer; it is asked again every few "
                                    "seconds. The details are in the log.")
        if not self._unreachable:  # once per outage, not every two seconds
            log.warning("the status bar could not read the store: %s: %s",
                        type(e).__name__, e)
        self._unreachable = True
