"""Reading a numbered-page listing with a few requests in flight, the pages yielded
strictly in order and exactly as a sequential reader would choose them (`ordered_pages`);
memory stays bounded and no request outlives the listing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

WORKERS = 4  # requests in flight at once
AHEAD = 8  # pages fetched ahead of the consumer, at most (in flight or waiting)

P = TypeVar("P")


def ordered_pages(fetch: Callable[[int], P], follow: Callable[[int, P], int], *,
                  workers: int = WORKERS, ahead: int = AHEAD,
                  name: str = "page-reader") -> Iterator[P]:
    """Pages 1, 2, ... in order. `fetch(n)` reads page n (called from worker threads for
    pages after the first). `follow(n, page)` says what comes after page n: 0 when the
    listing ends with it, else the last page number known to exist (n + 1 when only the
    next page is known: that page is then read when it is wanted, as a sequential reader
    would).

    The reading ahead starts at one page and grows with the pages consumed (half of them,
    up to `ahead`): a listing its reader leaves early (a cancel, an error) has cost a page
    or two, and the first pages are read one after the other, each request alone. A page
    read ahead that the listing turns out not to reach is dropped.

    An error from a page (fetch raised) reaches the caller when that page's turn comes,
    after every page before it was yielded. When the consumer stops (the generator is
    closed or collected) or an error is raised, pages not started are cancelled; requests
    already in flight are waited for (each bounded by the client's timeouts) and their
    pages discarded."""
    pending: dict[int, Future[P]] = {}
    pool: ThreadPoolExecutor | None = None
    try:
        n, page = 1, fetch(1)
        while True:
            last = follow(n, page)
            if last > n + 1 or pending:
                if pool is None:
                    pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix=name)
                window = min(max(1, ahead), max(1, n // 2))
                for k in range(n + 1, min(last, n + window) + 1):
                    if k not in pending:
                        pending[k] = pool.submit(fetch, k)
            yield page
            if not last:
                return
            n += 1
            future = pending.pop(n, None)
            page = future.result() if future is not None else fetch(n)
    finally:
        for future in pending.values():
            future.cancel()
        if pool is not None:  # requests in flight are waited for: none outlives the listing
            pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["AHEAD", "WORKERS", "ordered_pages"]
