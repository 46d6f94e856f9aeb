"""The store is copied before a migration upgrades it, and only then."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command

from seom_desktop.store import migrate
from seom_desktop.store.backup import backup_path
from seom_desktop.store.engine import make_engine, open_store

NEXT_REVISION = '''"""a later schema (test only)"""
import sqlalchemy as sa
from alembic import op

revision = "9999_test"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("test_later", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("test_later")
'''


@pytest.fixture
def later_schema(tmp_path, monkeypatch) -> tuple[str, str]:
    """The package's migrations plus one more revision on top: a store at today's head is
    then an old store. Returns (old head, new head)."""
    old_head = migrate.head_revision()
    folder = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9999_test.py").write_text(NEXT_REVISION.format(head=old_head))
    monkeypatch.setattr(migrate, "MIGRATIONS", folder)
    monkeypatch.setattr(migrate, "HEAD_REVISION", "9999_test")  # the line a new migration changes
    assert migrate.head_revision() == "9999_test"
    return old_head, "9999_test"


def make_old_store(path: Path, revision: str) -> None:
    """A store made with alembic at `revision`, holding one product."""
    engine = make_engine(f"sqlite:///{path}")
    cfg = migrate.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO products (sku, name, qoh, created_at, updated_at) "
                             "VALUES ('OLD-1', 'kept', 7, '2026-01-01', '2026-01-01')")
    engine.dispose()


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("store.sqlite.backup-*.sqlite"))


def test_an_old_store_is_copied_before_it_is_upgraded(tmp_path, later_schema):
    old, new = later_schema
    db = tmp_path / "store.sqlite"
    make_old_store(db, old)

    store = open_store(f"sqlite:///{db}")
    try:
        assert migrate.current_revision(store.engine) == new
    finally:
        store.close()

    [copy] = backups(tmp_path)
    assert copy.name.startswith(f"store.sqlite.backup-{old}-")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (old,)
        assert conn.execute("SELECT sku, qoh FROM products").fetchall() == [("OLD-1", 7)]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "test_later" not in tables  # the copy is the store as it was


def test_no_copy_when_nothing_to_migrate(tmp_path, later_schema):
    _old, new = later_schema
    db = tmp_path / "store.sqlite"
    make_old_store(db, new)
    open_store(f"sqlite:///{db}").close()
    open_store(f"sqlite:///{db}").close()
    assert backups(tmp_path) == []


def test_no_copy_of_a_new_store(tmp_path):
    open_store(f"sqlite:///{tmp_path / 'store.sqlite'}").close()
    assert backups(tmp_path) == []


def test_a_second_copy_in_the_same_second_gets_its_own_name(tmp_path):
    from datetime import UTC, datetime

    db = tmp_path / "store.sqlite"
    when = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
    first = backup_path(db, "0001", when)
    assert first.name == "store.sqlite.backup-0001-20261127T100000Z.sqlite"
    first.write_bytes(b"")
    second = backup_path(db, "0001", when)
    assert second != first and second.parent == tmp_path


def test_a_postgresql_upgrade_recommends_pg_dump(monkeypatch, capsys, caplog):
    from seom_desktop.store import backup

    class FakeEngine:
        class dialect:  # noqa: N801 - mimics engine.dialect.name
            name = "postgresql"

        class url:  # noqa: N801
            @staticmethod
            def render_as_string(hide_password=True):
                return "postgresql+psycopg://clerk:***@db/shop"

    monkeypatch.setattr(backup, "current_revision", lambda e: "0001")
    monkeypatch.setattr(backup, "head_revision", lambda: "0002")
    assert backup.backup_before_upgrade(FakeEngine()) is None
    err = capsys.readouterr().err
    assert "pg_dump" in err and "0001" in err and "0002" in err
    assert any("pg_dump" in r.getMessage() for r in caplog.records)
