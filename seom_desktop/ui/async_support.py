"""Running work off the UI thread.

Two tools, both delivering results on the UI thread:

- `run_in_thread(fn, owner=..., on_done=..., on_error=...)`: a short store query or
  write on a QThreadPool thread (the inventory list's pages, the status bar's counts,
  the Stack Controller's rows). If `owner` is destroyed first the result is dropped.
- qasync (`asyncSlot` + `run_blocking`): longer work a dialog awaits (Send QOH, Get QOH,
  order import), run in the loop's executor while the window stays live.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

_pending: set[_Relay] = set()


class _Relay(QObject):
    """Lives on the UI thread; the worker emits, the slots run on the UI thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, on_done, on_error, owner: QObject | None):
        # No parent: a relay deleted with its owner while the pool thread emits on it
        # crashed the process (a dialog closed while its first query ran). It lives until
        # its task has answered; an owner gone by then only drops the answer.
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._orphan = False
        if owner is not None:
            owner.destroyed.connect(self._owner_gone)
        self.done.connect(self._deliver)
        self.failed.connect(self._fail)

    @Slot()
    def _owner_gone(self) -> None:
        self._orphan = True
        self._on_done = self._on_error = None

    def _finish(self) -> None:
        _pending.discard(self)
        self.deleteLater()

    def _take(self) -> tuple:
        """The callbacks, once: the relay then holds nothing of its owner."""
        self._finish()
        done, error, self._on_done, self._on_error = self._on_done, self._on_error, None, None
        return done, error

    @Slot(object)
    def _deliver(self, result: Any) -> None:
        on_done, _ = self._take()
        if on_done is not None:
            on_done(result)

    @Slot(object)
    def _fail(self, error: BaseException) -> None:
        _, on_error = self._take()
        if on_error is not None:
            on_error(error)
        elif not self._orphan:
            log.error("background task failed: %s: %s", type(error).__name__, error)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:  # on a pool thread
        try:
            result = self.fn()
        except Exception as e:  # noqa: BLE001 - handed to the UI thread
            self._emit(self.relay.failed, e)
        else:
            self._emit(self.relay.done, result)

    @staticmethod
    def _emit(signal, value) -> None:
        signal.emit(value)  # the relay outlives the task (see _Relay)


def pool() -> QThreadPool:
    return QThreadPool.globalInstance()


def run_in_thread(fn: Callable[[], Any], *, owner: QObject | None = None,
                  on_done: Callable[[Any], None] | None = None,
                  on_error: Callable[[BaseException], None] | None = None) -> None:
    """Run `fn()` on a pool thread; `on_done(result)` / `on_error(exc)` on the UI thread."""
    relay = _Relay(on_done, on_error, owner)
    _pending.add(relay)
    relay.destroyed.connect(lambda *_: _pending.discard(relay))
    pool().start(_Task(fn, relay))


def wait_for_background(msecs: int = 5000) -> bool:
    """At exit (and in tests): let the pool's tasks finish."""
    return pool().waitForDone(msecs)


async def run_blocking(fn: Callable[..., Any], *args: Any) -> Any:
    """Await `fn(*args)` run in the running (qasync) loop's executor."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, lambda: fn(*args))


def make_loop(app):
    """The qasync event loop the window runs on (set as the current loop)."""
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop
