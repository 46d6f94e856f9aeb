"""Reading a cart's items for Get QOH From Website in a background thread, so that the
next pages are read while the store writes the chunk before them.

The reader hands out chunks of `chunk_size` items in the cart's order, at most `ahead`
chunks before the one being applied; a cancel (the clerk's, or `stop()`) ends the reading
at once, and what was read after it is not handed out. A cart failure reaches the caller after every
chunk read before it (so those can still be applied); any other exception is raised too,
never swallowed. `stop()` ends the reading (it waits for a request in flight, which the
connector's timeouts bound) and is safe to call at any time, more than once.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from seom_desktop.carts.base import CartItem, RateLimitedError
from seom_desktop.sync.progress import Progress, note, wait_for_limit, watch

AHEAD = 8  # chunks read before the one being applied


def items(conn, progress: Progress, seen: set[str]) -> Iterator[CartItem]:
    """Every item once, by cart SKU; a rate limit restarts the listing after a wait (as
    often as it comes: a manual transfer never gives up on one) and skips what was already
    handed out (the order of pages is the cart's own). A cancel during a wait ends it."""
    while True:
        try:
            for item in conn.list_items():
                if item.sku in seen:
                    continue
                seen.add(item.sku)
                yield item
            return
        except RateLimitedError as e:
            if progress.cancelled:
                return
            wait_for_limit(e, progress, time.sleep)
            if progress.cancelled:
                return


class _Stoppable:
    """What the listing sees as its progress: cancelled by the clerk or by stop()."""

    def __init__(self, progress: Progress, stop: threading.Event):
        self._progress, self._stop = progress, stop

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set() or bool(self._progress.cancelled)

    def update(self, done: int, total: int | None, message: str) -> None:
        pass  # progress is reported by the thread that applies the chunks

    def note(self, message: str) -> None:
        note(self._progress, message)  # a wait is said at once, whoever waits


_CHUNK, _DONE, _CANCELLED, _ERROR = "chunk", "done", "cancelled", "error"


class PullReader:
    def __init__(self, conn, progress: Progress, chunk_size: int, *, ahead: int = AHEAD):
        self._conn = conn
        self._size = max(1, int(chunk_size))
        self._stop = threading.Event()
        self._view = _Stoppable(progress, self._stop)
        watch(conn, self._view)  # a wait for the cart's rate limit ends at stop() too
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, ahead))
        self._thread = threading.Thread(target=self._run, name="get-qoh-reader", daemon=True)
        self.seen: set[str] = set()
        self.cancelled = False

    def __enter__(self) -> PullReader:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def chunks(self) -> Iterator[list[CartItem]]:
        """The chunks in the cart's order; then the reader's failure, if any, raised.
        When the reading stopped on a cancel, `cancelled` is True at the end."""
        while True:
            kind, payload = self._queue.get()
            if kind == _CHUNK:
                yield payload
            elif kind == _DONE:
                return
            elif kind == _CANCELLED:
                self.cancelled = True
                return
            else:
                raise payload

    def stop(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            self._drain()  # a reader waiting for room sees the stop at once
            self._thread.join(0.05)
        self._drain()

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    def _put(self, message: tuple) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(message, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        listing = items(self._conn, self._view, self.seen)
        try:
            chunk: list[CartItem] = []
            for item in listing:
                if self._view.cancelled:
                    break
                chunk.append(item)
                if len(chunk) >= self._size:
                    if not self._put((_CHUNK, chunk)):
                        return
                    chunk = []
            if self._view.cancelled:  # what was read after the cancel is not handed out
                self._put((_CANCELLED, None))
                return
            if chunk and not self._put((_CHUNK, chunk)):
                return
            self._put((_DONE, None))
        except BaseException as e:  # noqa: BLE001 - handed to the applying thread, raised there
            self._put((_ERROR, e))
        finally:
            listing.close()
