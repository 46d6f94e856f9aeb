"""Opening a store: the URL, the engine with the SQLite recipe (WAL, busy timeout,
foreign keys, BEGIN IMMEDIATE), sessions, and the upgrade to the newest schema."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that writes: committed at the end, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

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
