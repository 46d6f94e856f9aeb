"""The migrations build exactly the schema the models describe, and a store made at the
first revision is upgraded to it (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from seom_desktop.store import migrate
from seom_desktop.store.engine import make_engine, open_store
from seom_desktop.store.models import Base


def test_migrated_schema_matches_the_models(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_a_first_revision_store_gets_the_cart_sku_index(tmp_path):
    db = tmp_path / "store.sqlite"
    engine = make_engine(f"sqlite:///{db}")
    cfg = migrate.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    store = open_store(f"sqlite:///{db}")
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision() == "0002"
        names = {ix["name"] for ix in inspect(store.engine).get_indexes("web_fields")}
        assert "ix_web_fields_cart_sku" in names
    finally:
        store.close()
