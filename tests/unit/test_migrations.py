"""The migrations build exactly the schema the models describe, and a store made at an
earlier revision is upgraded to it, its data kept (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from seom_desktop.stack.holders import requeue_orphans
from seom_desktop.store import migrate
from seom_desktop.store.engine import make_engine, open_store
from seom_desktop.store.models import Base, StackHolder, StackRow, utcnow


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
        assert migrate.current_revision(store.engine) == migrate.head_revision() == "0009"
        names = {ix["name"] for ix in inspect(store.engine).get_indexes("web_fields")}
        assert "ix_web_fields_cart_sku" in names
    finally:
        store.close()


def _store_at(url: str, revision: str):
    engine = make_engine(url)
    cfg = migrate.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return engine


def test_a_0002_store_with_rows_being_sent_gets_the_holders_table(store_url):
    """Rows claimed under 0002 name a claimer that never registered as a holder: after
    the upgrade they keep their state, and only their claim running out requeues them."""
    engine = _store_at(store_url, "0002")
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO carts (id, name, kind, url, credential_ref, location, "
                          "sync, max_items, orders_cursor, created_at) VALUES (1, 'Woo', "
                          "'woocommerce', 'http://x', '', '', true, 50, '', :t)"), {"t": now})
        conn.execute(text("INSERT INTO products (id, sku, name, qoh, created_at, updated_at) "
                          "VALUES (1, 'A', 'a', 5, :t, :t)"), {"t": now})
        for row_id, until in ((1, now - timedelta(seconds=5)), (2, now + timedelta(hours=1))):
            conn.execute(text(
                "INSERT INTO web_stack (id, cart_id, product_id, change, origin_workstation, "
                "state, attempts, next_attempt_at, last_response, claimed_by, claimed_until, "
                "created_at, updated_at) VALUES (:id, 1, 1, 1, 'WS1', 'sending', 0, :t, '', "
                "'WS1:old', :until, :t, :t)"), {"id": row_id, "t": now, "until": until})
    engine.dispose()
    store = open_store(store_url)
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        cols = {c["name"] for c in inspect(store.engine).get_columns("stack_holders")}
        assert {"claimer", "workstation", "host", "pid", "process_start",
                "heartbeat_at"} <= cols
        with store.read() as s:
            assert s.query(StackHolder).count() == 0
            assert [(r.id, r.state, r.claimed_by) for r in s.query(StackRow).order_by(
                StackRow.id)] == [(1, "sending", "WS1:old"), (2, "sending", "WS1:old")]
        assert requeue_orphans(store, claimer="WS1:new", workstation="WS1") == 1
        with store.read() as s:
            assert [(r.id, r.state) for r in s.query(StackRow).order_by(StackRow.id)] == [
                (1, "pending"), (2, "sending")]
    finally:
        store.close()


def test_a_0003_store_keeps_its_rows_and_accepts_the_waiting_state(store_url):
    """0004 widens the state check: rows of every old state survive the upgrade and a
    row can then be `waiting`; a state outside the list is still refused."""
    engine = _store_at(store_url, "0003")
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO carts (id, name, kind, url, credential_ref, location, "
                          "sync, max_items, orders_cursor, created_at) VALUES (1, 'Woo', "
                          "'woocommerce', 'http://x', '', '', true, 50, '', :t)"), {"t": now})
        conn.execute(text("INSERT INTO products (id, sku, name, qoh, created_at, updated_at) "
                          "VALUES (1, 'A', 'a', 5, :t, :t)"), {"t": now})
        for row_id, state in enumerate(("pending", "sent", "failed", "bypassed"), start=1):
            conn.execute(text(
                "INSERT INTO web_stack (id, cart_id, product_id, change, origin_workstation, "
                "state, attempts, next_attempt_at, last_response, claimed_by, "
                "created_at, updated_at) VALUES (:id, 1, 1, 1, 'WS1', :state, 0, :t, 'r', "
                "'', :t, :t)"), {"id": row_id, "state": state, "t": now})
    engine.dispose()
    store = open_store(store_url)
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        with store.write() as s:
            got = s.execute(text("SELECT id, state, last_response FROM web_stack ORDER BY id")).all()
            assert [tuple(r) for r in got] == [(1, "pending", "r"), (2, "sent", "r"),
                                              (3, "failed", "r"), (4, "bypassed", "r")]
            s.execute(text("UPDATE web_stack SET state = 'waiting' WHERE id = 3"))
        with pytest.raises(IntegrityError), store.write() as s:
            s.execute(text("UPDATE web_stack SET state = 'lost' WHERE id = 1"))
    finally:
        store.close()
