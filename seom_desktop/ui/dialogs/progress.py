"""A cancellable progress dialog for Send QOH, Get QOH, order import and the drift report.

The sync functions take a progress object with `cancelled` and `update(done, total,
message)` and call it from the executor thread. `ProgressBridge` is that object: `update`
emits a signal (queued to the UI thread, where the QProgressDialog is set), `cancelled`
reads a threading.Event the dialog's Cancel button sets. The work stops at its next
batch boundary; the batch in flight finishes and is recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from seom_desktop.ui.async_support import run_blocking


class ProgressBridge(QObject):
    updated = Signal(int, int, str)  # done, total (-1: not known yet), message

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = threading.Event()
        self.last: tuple[int, int | None, str] = (0, None, "")

    # --- the progress protocol (called from the worker thread) -------------------------
    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def update(self, done: int, total: int | None, message: str) -> None:
        self.last = (done, total, message)
        try:
            self.updated.emit(int(done), -1 if total is None else int(total), str(message))
        except RuntimeError:  # the dialog is gone; keep working quietly
            pass

    # --- the UI side -----------------------------------------------------------------
    @Slot()
    def cancel(self) -> None:
        self._cancel.set()


class ProgressDialog(QProgressDialog):
    """A QProgressDialog fed by a ProgressBridge; Cancel sets the bridge's flag and says
    the run stops after the batch in flight."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(title, "Cancel", 0, 0, parent)
        self.setObjectName("progressDialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        self.bridge = ProgressBridge(self)
        self.bridge.updated.connect(self._on_update)
        self.canceled.connect(self._on_cancel)

    @Slot(int, int, str)
    def _on_update(self, done: int, total: int, message: str) -> None:
        if total < 0:
            self.setMaximum(0)  # busy indicator until the total is known
        else:
            self.setMaximum(max(total, 1))
            self.setValue(min(done, max(total, 1)))
        if not self.bridge.cancelled:
            self.setLabelText(message)

    def _on_cancel(self) -> None:
        self.bridge.cancel()
        self.setLabelText("Cancelling: the batch in flight finishes and is recorded…")
        # QProgressDialog hides itself on cancel; keep it up until the work has stopped.
        self.show()


async def run_with_progress(parent: QWidget | None, title: str,
                            fn: Callable[..., Any], *args: Any,
                            on_dialog: Callable[[ProgressDialog], None] | None = None,
                            **kwargs: Any) -> Any:
    """Run `fn(*args, progress=bridge, **kwargs)` in the executor behind a progress
    dialog; returns its result (exceptions propagate)."""
    dlg = ProgressDialog(title, parent)
    if on_dialog is not None:
        on_dialog(dlg)
    dlg.show()
    try:
        return await run_blocking(lambda: fn(*args, progress=dlg.bridge, **kwargs))
    finally:
        dlg.close()
        dlg.deleteLater()
