"""The main window's stack controller: which one this workstation runs (none, local or
shared, from SharedStackController), restarted when that changes, its passes shown in
the status bar, stopped without waiting on the UI thread. Mixed into MainWindow.

The thread is made at once but started only once the inventory list's first page has
arrived (or failed to): its start imports the cart connectors, the HTTP client and the
keyring and reads the store, all in the window's one interpreter, and the clerk sees the
list first. Nothing is sent later than before by more than the first page's read."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from seom_desktop.ui.controller_thread import ControllerMode, ControllerThread, controller_mode


class WindowController:
    """Uses MainWindow's store, workstation, status, controller_kw, refresh_visible."""

    controller: ControllerThread | None = None
    mode: ControllerMode | None = None
    _list_shown = False  # the first page of the inventory list has arrived
    _unstarted: ControllerThread | None = None  # made before it, started after it

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
            self._unstarted = t
            if self._list_shown:  # on the next turn, after what is waiting to be painted
                QTimer.singleShot(0, self._start_made_controller)
        self.status.set_running(mode.run)
        self.status.controller_label.setToolTip(mode.describe(self.workstation))

    def list_shown(self) -> None:
        """The first page of the list arrived (called by MainList): start the controller
        made before it, on the next turn of the event loop (after the page is painted)."""
        if not self._list_shown:
            self._list_shown = True
            QTimer.singleShot(0, self._start_made_controller)

    def _start_made_controller(self) -> None:
        t, self._unstarted = self._unstarted, None
        # Not once stopped (the window closed) or replaced (the mode changed) meanwhile.
        if t is not None and t is self.controller and not t.stop_event.is_set():
            t.start()

    def _controller_passed(self, counts: dict) -> None:
        self.status.on_pass(counts)
        if counts.get("claimed"):
            self.status.refresh()
            self.refresh_visible()

    def wake_controller(self) -> None:
        if self.controller is not None:
            self.controller.wake()

    def stop_controller(self, timeout_ms: int = 60_000) -> None:
        for t in [self.controller, *self._retired]:
            if t is not None:
                t.stop(timeout_ms)
        self.controller = None
        self._retired.clear()
