"""Migration 0006 (warehouses, allocation rules, cart locations, kits): a store made at
schema 0002 with data is upgraded with nothing lost (products, QOH, ledger, web fields,
stack rows of every state) and everything it had in the default warehouse "Main"; a new
store has that one default warehouse (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from seom_desktop.store import migrate
from seom_desktop.store.engine import make_engine, open_store
from seom_desktop.store.models import utcnow
from tests.unit.test_migrations import _store_at

_STATES = ("pending", "sending", "sent", "failed", "bypassed")
_STACK = "SELECT id, cart_id, product_id, change, ledger_id, state, attempts, last_response, " \
         "claimed_by FROM web_stack ORDER BY id"
_WEB = "SELECT id, product_id, cart_id, sync, cart_sku, reserve, max_qty, cart_item_id, " \
       "last_sent_qoh, last_cart_qoh, attempted_qoh FROM web_fields ORDER BY id"
_LEDGER = "SELECT id, product_id, delta, qoh_after, source, reason, origin_cart_id " \
          "FROM ledger ORDER BY id"


def _fill_0002(engine) -> None:
    now = utcnow()
    with engine.begin() as conn:
        for cid, name in ((1, "Woo"), (2, "Shop")):
            conn.execute(text(
                "INSERT INTO carts (id, name, kind, url, credential_ref, location, sync, "
                "max_items, orders_cursor, created_at) VALUES (:id, :n, 'woocommerce', "
                "'http://x', '', 'loc', true, 50, 'c9', :t)"), {"id": cid, "n": name, "t": now})
        for pid, qoh in ((1, 5), (2, -3), (3, 0), (4, 120)):
            conn.execute(text(
                "INSERT INTO products (id, sku, name, qoh, created_at, updated_at) "
                "VALUES (:id, :sku, 'n', :q, :t, :t)"), {"id": pid, "sku": f"S{pid}", "q": qoh,
                                                        "t": now})
            conn.execute(text(
                "INSERT INTO ledger (id, product_id, delta, qoh_after, source, reason, "
                "reference, origin_cart_id, \"user\", workstation, created_at) VALUES "
                "(:id, :pid, :q, :q, 'adjust', 'count', '', :cart, 'u', 'WS1', :t)"),
                {"id": pid, "pid": pid, "q": qoh, "cart": 1 if pid % 2 else None, "t": now})
            conn.execute(text(
                "INSERT INTO web_fields (id, product_id, cart_id, sync, cart_sku, reserve, "
                "max_qty, cart_item_id, last_sent_qoh, last_cart_qoh, attempted_qoh) VALUES "
                "(:id, :pid, 1, true, :alias, :res, :mx, :item, 4, 3, '7,8')"),
                {"id": pid, "pid": pid, "alias": f"W{pid}", "res": pid - 1,
                 "mx": 10 if pid == 4 else None, "item": f"i{pid}"})
        for rid, state in enumerate(_STATES * 2, start=1):
            conn.execute(text(
                "INSERT INTO web_stack (id, cart_id, product_id, change, ledger_id, "
                "origin_workstation, state, attempts, next_attempt_at, last_response, "
                "claimed_by, created_at, updated_at) VALUES (:id, :cart, :pid, :ch, :lid, "
                "'WS1', :st, :att, :t, :resp, :cl, :t, :t)"),
                {"id": rid, "cart": 1 + rid % 2, "pid": 1 + rid % 4, "ch": rid - 5,
                 "lid": 1 + rid % 4, "st": state, "att": rid, "resp": f"r{rid}",
                 "cl": "WS1:x" if state == "sending" else "", "t": now})


def _snapshot(conn) -> dict:
    return {q: [tuple(r) for r in conn.execute(text(q)).all()] for q in (
        _STACK, _WEB, _LEDGER, "SELECT id, sku, qoh FROM products ORDER BY id",
        "SELECT id, name, location, orders_cursor FROM carts ORDER BY id")}


def test_a_0002_store_with_data_keeps_everything_in_the_main_warehouse(store_url):
    engine = _store_at(store_url, "0002")
    _fill_0002(engine)
    with engine.connect() as conn:
        before = _snapshot(conn)
    engine.dispose()
    store = open_store(store_url)
    try:
        assert migrate.current_revision(store.engine) == migrate.HEAD_REVISION
        with store.engine.connect() as conn:
            assert _snapshot(conn) == before  # nothing lost, same QOH, same stack
            assert [tuple(r) for r in conn.execute(text(
                "SELECT name, is_default FROM warehouses"))] == [("Main", True)]
            main = conn.execute(text("SELECT id FROM warehouses")).scalar_one()
            stock = conn.execute(text(
                "SELECT product_id, warehouse_id, qoh FROM warehouse_stock ORDER BY product_id"
            )).all()
            assert [tuple(r) for r in stock] == [(1, main, 5), (2, main, -3), (3, main, 0),
                                                 (4, main, 120)]
            assert {r[0] for r in conn.execute(text("SELECT warehouse_id FROM ledger"))} == {main}
            assert conn.execute(text(
                "SELECT count(*) FROM products WHERE is_kit")).scalar_one() == 0
            rules = conn.execute(text(
                "SELECT order_warehouse_id, reserve, max_qty, percent, min_qty, safety "
                "FROM carts")).all()
            assert {tuple(r) for r in rules} == {(None,) * 6}
            assert conn.execute(text(
                "SELECT count(*) FROM web_fields WHERE percent IS NOT NULL OR min_qty IS NOT "
                "NULL OR safety IS NOT NULL")).scalar_one() == 0
    finally:
        store.close()


def test_a_new_store_has_one_default_warehouse_and_refuses_a_second_default(store_url):
    store = open_store(store_url)
    try:
        with store.engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(text(
                "SELECT name, is_default FROM warehouses"))] == [("Main", True)]
        with pytest.raises(IntegrityError), store.write() as s:
            s.execute(text("INSERT INTO warehouses (name, is_default, created_at) "
                           "VALUES ('East', :y, :t)"), {"y": True, "t": utcnow()})
        with store.write() as s:  # a second, non-default warehouse is fine
            s.execute(text("INSERT INTO warehouses (name, is_default, created_at) "
                           "VALUES ('East', :n, :t)"), {"n": False, "t": utcnow()})
    finally:
        store.close()


@pytest.mark.parametrize("table, column, value", [
    ("carts", "percent", 101), ("carts", "safety", -1), ("web_fields", "percent", -5),
    ("web_fields", "min_qty", -2), ("carts", "reserve", -1), ("carts", "max_qty", -1)])
def test_rules_out_of_range_are_refused_by_the_store(store_url, table, column, value):
    store = open_store(store_url)
    try:
        now = utcnow()
        with store.write() as s:
            s.execute(text("INSERT INTO carts (id, name, kind, url, credential_ref, location, "
                           "sync, max_items, orders_cursor, created_at) VALUES (1, 'Woo', "
                           "'woocommerce', 'http://x', '', '', true, 50, '', :t)"), {"t": now})
            s.execute(text("INSERT INTO products (id, sku, name, qoh, created_at, updated_at) "
                           "VALUES (1, 'A', 'a', 5, :t, :t)"), {"t": now})
            s.execute(text("INSERT INTO web_fields (id, product_id, cart_id, sync, reserve, "
                           "attempted_qoh) VALUES (1, 1, 1, true, 0, '')"))
        with pytest.raises(IntegrityError), store.write() as s:
            s.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = 1"), {"v": value})
    finally:
        store.close()


def test_a_kit_cannot_contain_itself_or_take_less_than_one(store_url):
    store = open_store(store_url)
    try:
        now = utcnow()
        with store.write() as s:
            for pid in (1, 2):
                s.execute(text("INSERT INTO products (id, sku, name, qoh, created_at, "
                               "updated_at) VALUES (:id, :sku, '', 0, :t, :t)"),
                          {"id": pid, "sku": f"K{pid}", "t": now})
            s.execute(text("INSERT INTO kit_components (kit_id, component_id, qty) "
                           "VALUES (1, 2, 3)"))
        for kit, part, qty in ((1, 1, 1), (2, 1, 0)):
            with pytest.raises(IntegrityError), store.write() as s:
                s.execute(text("INSERT INTO kit_components (kit_id, component_id, qty) "
                               "VALUES (:k, :c, :q)"), {"k": kit, "c": part, "q": qty})
    finally:
        store.close()


def test_undoing_0006_on_sqlite_is_refused_and_keeps_the_store(tmp_path):
    """Undoing 0006 would recreate products and carts, whose dropped tables cascade to
    the web stack: refused, the store left at 0006 with its rows."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = _store_at(url, "0002")
    _fill_0002(engine)
    engine.dispose()
    open_store(url).close()
    engine = make_engine(url)
    cfg = migrate.alembic_config(engine)
    with pytest.raises(RuntimeError, match="restore the backup"):
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM web_stack")).scalar_one() == 10
    assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    engine.dispose()
