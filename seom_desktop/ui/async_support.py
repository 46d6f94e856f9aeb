"""Running work off the UI thread: one way, a QThreadPool thread, the result delivered
on the UI thread.

- `run_in_thread(fn, owner=..., on_done=..., on_error=...)`: every store query and write
  of the window (the list's pages, the status bar's counts, a dialog's save). If `owner`
  is destroyed first the result is dropped.
- `await run_blocking(fn)`: the same, awaited by a qasync coroutine (`asyncSlot`) that
  shows a progress dialog meanwhile (Send QOH, Get QOH, order import, drift report).

The pool has at least POOL_THREADS threads, so that a transfer lasting minutes leaves
threads for the window's short queries on a two-core machine. The stack controller is
the one thing not run here: it is a loop on its own QThread (ui/controller_thread.py).
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


POOL_THREADS = 8


def pool() -> QThreadPool:
    p = QThreadPool.globalInstance()
    if p.maxThreadCount() < POOL_THREADS:
        p.setMaxThreadCount(POOL_THREADS)
    return p


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
    """Await `fn(*args)` run by run_in_thread (the answer arrives on the UI thread, where
    the qasync loop runs, so the future is set there)."""
    fut = asyncio.get_running_loop().create_future()

    def done(result: Any) -> None:
        if not fut.done():  # the awaiting task may have been cancelled meanwhile
            fut.set_result(result)

    def failed(error: BaseException) -> None:
        if not fut.done():
            fut.set_exception(error)

    run_in_thread(lambda: fn(*args), on_done=done, on_error=failed)
    return await fut


def make_loop(app):
    """The qasync event loop the window runs on (set as the current loop)."""
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop
