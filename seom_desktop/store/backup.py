"""A copy of the store before its schema is upgraded.

The app upgrades a store when it opens it (store/migrate.py). Before a migration runs on
an existing SQLite store, the file is copied with SQLite's online backup API (consistent
even while another workstation process has it open in WAL mode) to
`<store>.backup-<revision>-<timestamp>.sqlite` beside it, where <revision> is the schema
the copy holds. A PostgreSQL store is not copied by the app: a note recommends pg_dump.
A new store (no schema yet) and a store already at the newest schema are left alone.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect

from seom_desktop.store.migrate import current_revision, head_revision

log = logging.getLogger(__name__)

PG_NOTE = ("the PostgreSQL store {db} is about to be upgraded from schema {old} to {new}; "
           "the program does not copy a PostgreSQL database: back it up with pg_dump "
           "(pg_dump -Fc -f store-{old}.dump {db}) before upgrading when in doubt")


class BackupError(RuntimeError):
    """The copy could not be made: the upgrade does not run."""


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite store (None for an in-memory or URI database)."""
    if engine.dialect.name != "sqlite":
        return None
    db = engine.url.database or ""
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).expanduser()


def backup_path(store_file: Path, revision: str | None, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    base = f"{store_file.name}.backup-{revision or 'base'}-{stamp}"
    path = store_file.with_name(f"{base}.sqlite")
    n = 1
    while path.exists():  # two upgrades in one second: never overwrite a copy
        n += 1
        path = store_file.with_name(f"{base}-{n}.sqlite")
    return path


def copy_sqlite(engine: Engine, dest: Path) -> None:
    """Copy the store through the engine's own connection with the backup API."""
    with engine.connect() as conn, closing(sqlite3.connect(str(dest))) as target:
        conn.connection.driver_connection.backup(target)


def backup_before_upgrade(engine: Engine) -> Path | None:
    """Make the copy when an upgrade is about to run on an existing store; returns the
    copy (None when nothing is copied). Raises BackupError when the copy fails."""
    old = current_revision(engine)
    new = head_revision()
    if old == new:
        return None
    if old is None and not inspect(engine).get_table_names():
        return None  # a new store: nothing to keep
    if engine.dialect.name == "postgresql":
        db = engine.url.render_as_string(hide_password=True)
        note = PG_NOTE.format(db=db, old=old or "base", new=new)
        log.warning(note)
        print(f"note: {note}", file=sys.stderr)
        return None
    src = sqlite_file(engine)
    if src is None or not src.exists():
        return None
    dest = backup_path(src, old)
    try:
        copy_sqlite(engine, dest)
    except (sqlite3.Error, OSError) as e:
        dest.unlink(missing_ok=True)
        raise BackupError(f"could not copy the store to {dest} before upgrading it ({e}); "
                          "the store was not upgraded") from None
    log.info("store %s is at schema %s, upgrading to %s; a copy was saved to %s",
             src, old or "base", new, dest)
    return dest
