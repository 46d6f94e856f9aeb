"""carts/paging.ordered_pages: pages in order, an error in its turn, bounded reading ahead,
nothing read after the consumer stops, a sequential listing when the page count is unknown."""

from __future__ import annotations

import threading

import pytest

from seom_desktop.carts.paging import AHEAD, ordered_pages


class Listing:
    """Pages 1..total, each [n]; records which pages were fetched and how far ahead of
    the consumer each fetch was."""

    def __init__(self, total: int, fail_on: int = 0, known: bool = True):
        self.total, self.fail_on, self.known = total, fail_on, known
        self.lock = threading.Lock()
        self.fetched: list[int] = []
        self.consumed = 0
        self.most_ahead = 0

    def fetch(self, n: int) -> list[int]:
        with self.lock:
            self.fetched.append(n)
            self.most_ahead = max(self.most_ahead, n - self.consumed)
        if n == self.fail_on:
            raise RuntimeError(f"page {n} failed")
        return [n] if n <= self.total else []

    def follow(self, n: int, page: list[int]) -> int:
        if not page:
            return 0
        if not self.known:
            return n + 1
        return 0 if n >= self.total else self.total

    def read(self, **kw):
        for page in ordered_pages(self.fetch, self.follow, name="test-pages", **kw):
            with self.lock:
                self.consumed += 1
            yield page


def _page_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("test-pages")]


def test_pages_come_in_order_each_read_once():
    listing = Listing(40)
    assert [p for page in listing.read() for p in page] == list(range(1, 41))
    assert sorted(listing.fetched) == list(range(1, 41))
    assert listing.most_ahead <= AHEAD + 1  # (the consumer counts a page once it has it)
    assert not _page_threads()


def test_an_error_reaches_the_consumer_after_the_pages_before_it():
    listing = Listing(40, fail_on=7)
    got = []
    with pytest.raises(RuntimeError, match="page 7 failed"):
        for page in listing.read():
            got += page
    assert got == [1, 2, 3, 4, 5, 6]
    assert max(listing.fetched) <= 7 + AHEAD
    assert not _page_threads()  # nothing keeps reading after the error


def test_a_consumer_that_stops_stops_the_reading():
    listing = Listing(100)
    pages = listing.read()
    got = [next(pages) for _ in range(5)]
    pages.close()
    assert got == [[1], [2], [3], [4], [5]]
    fetched = len(listing.fetched)
    assert fetched <= 5 + AHEAD < 100
    assert not _page_threads()  # in-flight pages were waited for: no request outlives it
    assert len(listing.fetched) == fetched


def test_the_first_pages_are_read_one_at_a_time():
    listing = Listing(100)
    pages = listing.read()
    next(pages)
    pages.close()
    assert sorted(listing.fetched) == [1, 2]  # a reader that leaves at once costs a page


def test_an_unknown_page_count_reads_one_page_after_another():
    listing = Listing(12, known=False)
    assert [p for page in listing.read() for p in page] == list(range(1, 13))
    assert listing.fetched == list(range(1, 14))  # until the empty page 13, in order
    assert listing.most_ahead <= 1
    assert not _page_threads()


def test_a_single_page_listing_starts_no_thread():
    listing = Listing(1)
    assert list(listing.read()) == [[1]]
    assert listing.fetched == [1] and not _page_threads()
