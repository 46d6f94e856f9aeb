"""Alembic, run from the package: upgrade a store to the newest schema on open.

Opening a store costs one query when it is already at the newest schema: the revision in
its alembic_version table is compared with HEAD_REVISION, kept here (a unit test checks it
against the migrations directory). Only when they differ is Alembic imported, its
migration context built and the store upgraded; Alembic costs about as much to import as
the rest of a command, so a store command that does not upgrade never imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")

# The newest revision of migrations/versions (tests/unit/test_startup_imports.py checks it
# against Alembic's own answer): a new migration changes this line too.
HEAD_REVISION = "0009"


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def head_revision() -> str | None:
    """The head of the migrations directory, as Alembic reads it (the scripts)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The store's revision, as Alembic reads it (None: no schema yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def stored_revision(engine: Engine) -> str | None:
    """The store's revision in one query, without Alembic: None when there is no
    alembic_version table (a new store) or it holds no single row. Anything that is not
    HEAD_REVISION goes on to Alembic (upgrade_to_head), which judges it."""
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except DBAPIError:  # no such table: a new store (Alembic creates it)
        return None
    return rows[0][0] if len(rows) == 1 else None


def at_head(engine: Engine) -> bool:
    """True when the store is at the newest schema (one query)."""
    return stored_revision(engine) == HEAD_REVISION


def upgrade_to_head(engine: Engine) -> bool:
    """Upgrade when behind; True when a migration ran."""
    from alembic import command

    if current_revision(engine) == head_revision():
        return False
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
