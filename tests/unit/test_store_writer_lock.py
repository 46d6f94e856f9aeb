"""Writers of one process queue on the store's own lock before BEGIN on SQLite, so a
writer is woken when the last one ends instead of polling through SQLite's busy handler
(which polls every 100 ms and, in step with a writer committing every 25 ms, missed the
free lock for 3-4 s: bench/README.md). Shown with SQLite's busy timeout set to 0: a
second writer that met the database lock would fail at once with "database is locked"."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, select, text

from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Param


@pytest.fixture
def no_busy_wait_store(sqlite_url):
    """A SQLite store whose connections give up at once on a held lock."""
    store = open_store(sqlite_url)
    store.engine.dispose()

    def no_wait(dbapi_conn, _record):  # noqa: ANN001 - DBAPI objects
        dbapi_conn.execute("PRAGMA busy_timeout = 0")

    event.listen(store.engine, "connect", no_wait)
    yield store
    store.close()


def _hold_while(store, started: threading.Event, hold: float, key: str) -> None:
    with store.write() as s:
        s.add(Param(name=key, value="1"))
        s.flush()
        started.set()
        time.sleep(hold)  # the other writer arrives while this transaction is open


def test_a_second_writer_waits_for_the_first_instead_of_meeting_the_lock(no_busy_wait_store):
    store = no_busy_wait_store
    with store.engine.connect() as c:  # the recipe is really off: busy timeout 0
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 0
    started = threading.Event()
    t = threading.Thread(target=_hold_while, args=(store, started, 0.3, "first"))
    t.start()
    assert started.wait(10)
    errors = []
    try:
        with store.write() as s:
            s.add(Param(name="second", value="2"))
    except Exception as e:  # noqa: BLE001 - what a writer meeting the lock gets
        errors.append(e)
    t.join(10)
    assert errors == []
    with store.read() as s:
        assert sorted(s.scalars(select(Param.name).where(Param.name.in_(["first", "second"])))) \
            == ["first", "second"]


def test_two_stores_on_one_file_share_the_writers_lock(sqlite_url):
    a, b = open_store(sqlite_url), open_store(sqlite_url)
    try:
        assert a.writer_lock is not None and a.writer_lock is b.writer_lock
        with a.write() as s:  # the lock is let go after each transaction
            s.execute(text("SELECT 1"))
        assert a.writer_lock.acquire(blocking=False)
        a.writer_lock.release()
    finally:
        a.close()
        b.close()


def test_a_failed_transaction_lets_the_lock_go(sqlite_url):
    store = open_store(sqlite_url)
    try:
        with pytest.raises(RuntimeError), store.write():
            raise RuntimeError("refused")
        got = []

        def take() -> None:  # another thread: an RLock held here would let this one in
            got.append(store.writer_lock.acquire(timeout=5))
            if got[-1]:
                store.writer_lock.release()

        t = threading.Thread(target=take)
        t.start()
        t.join(10)
        assert got == [True]
    finally:
        store.close()
