"""Opening a store: the URL, the engine with the SQLite recipe (WAL, busy timeout,
foreign keys, BEGIN IMMEDIATE), sessions, and the upgrade to the newest schema.

On SQLite the writers of one process queue on a lock per database file before BEGIN:
SQLite's own busy handler polls (every 100 ms after the first few tries), and a writer
polling in step with another that commits every few tens of ms can miss the free lock
for seconds (a change then reached the cart 3-4 s late: bench/README.md, latency). The
lock wakes the next writer as soon as the last one ends; other processes still meet the
busy timeout."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

APP_NAME = "seom-desktop"
BUSY_TIMEOUT_MS = 30_000


class StoreURLError(ValueError):
    pass


_WRITER_LOCKS: dict[str, threading.RLock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(engine: Engine) -> threading.RLock | None:
    """The lock the writers of this process take for the SQLite file of `engine` (None on
    other databases, which queue writers themselves)."""
    if engine.dialect.name != "sqlite":
        return None
    db = engine.url.database or ""
    if db and db != ":memory:" and not db.startswith("file:"):
        key = str(Path(db).expanduser().resolve())
    else:
        key = f"engine:{id(engine)}"
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(key, threading.RLock())


def default_store_url() -> str:
    env = os.environ.get("SEOM_STORE", "").strip()
    if env:
        return env
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return f"sqlite:///{folder / 'store.sqlite'}"


def _sqlite_listeners(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - DBAPI objects
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # Writers take the lock at BEGIN, so two writers never deadlock upgrading a read
        # lock; read-only sessions ask for a deferred BEGIN.
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreURLError(f"store URL {url!r} is not a SQLAlchemy URL") from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database or ""
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None,
                          "check_same_thread": False},
        )
        _sqlite_listeners(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    return create_engine(parsed)


@dataclass
class Store:
    """An open store: its engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    writer_lock: threading.RLock | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.writer_lock is None:
            self.writer_lock = _writer_lock(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that writes: committed at the end, rolled back on error."""
        lock = self.writer_lock
        # Bounded like SQLite's own wait: past it, BEGIN meets the busy timeout as before.
        held = lock is not None and lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            with self.sessions() as session, session.begin():
                yield session
        finally:
            if held:
                lock.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (a deferred BEGIN on SQLite: it never blocks writers)."""
        with self.sessions() as session:
            session.connection(execution_options={"sqlite_begin": "DEFERRED"})
            try:
                yield session
            finally:
                session.rollback()

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, *, upgrade: bool = True) -> Store:
    """Open (creating or upgrading) the store at `url` (default: SEOM_STORE, else the
    SQLite file in the user data folder)."""
    from seom_desktop.store.migrate import at_head

    url = url or default_store_url()
    engine = make_engine(url)
    if upgrade and not at_head(engine):  # one query; Alembic only when it differs
        from seom_desktop.store.backup import backup_before_upgrade
        from seom_desktop.store.migrate import upgrade_to_head

        backup_before_upgrade(engine)  # a copy of an existing store before a migration
        upgrade_to_head(engine)
    return Store(url, engine, sessionmaker(engine, expire_on_commit=False))
