"""The web stack's state indexes hold only the rows not sent (migration 0009): a row
marked sent leaves them instead of moving inside them (bench/README.md, issue 23). Each
query that looks rows up by state, or by cart and product, still uses one of them, on
SQLite (EXPLAIN QUERY PLAN names the index) and on PostgreSQL (EXPLAIN with sequential
scans switched off finds an index on web_stack: the planner proved the index's
condition); the sent rows are counted and found without them. And a transaction's rows
are marked sent in table order."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select, text, update
from stack_kit import adjust

from seom_desktop.app import health
from seom_desktop.inventory import kits
from seom_desktop.stack import health_samples, holders, rows
from seom_desktop.stack.claim import claim_due
from seom_desktop.stack.outcome import Tally, mark_sent_many
from seom_desktop.store.models import STATES, Product, StackRow, utcnow
from seom_desktop.sync.reconcile_schedule import stack_busy
from seom_desktop.testing.shop import ACTOR

UNSENT = ("ix_web_stack_unsent_due", "ix_web_stack_unsent_cart_product")


def _statements(store, call):
    """Run `call`; the single statements it sent that read or change web_stack."""
    seen = []

    def grab(_conn, _cur, statement, params, _ctx, many):
        words = statement.lstrip().split(None, 1)[0].upper()
        if "web_stack" in statement and not many and words in ("SELECT", "UPDATE", "DELETE"):
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        call()
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)
    return seen


def _plan(store, statement, params) -> str:
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            return " | ".join(r[-1] for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, params))
        conn.exec_driver_sql("SET enable_seqscan = off")
        try:
            return " | ".join(r[0].strip() for r in conn.exec_driver_sql(
                "EXPLAIN " + statement, params))
        finally:
            conn.exec_driver_sql("RESET enable_seqscan")


def _stack_in_every_state(shop):
    for i in range(6):
        adjust(shop, f"SKU-{i:04d}", 1)
    with shop.store.write() as s:
        ids = list(s.scalars(text("SELECT id FROM web_stack ORDER BY id")))
        for row_id, state in zip(ids, ("sent", "failed", "bypassed", "waiting", "sending"),
                                 strict=False):
            s.execute(update(StackRow).where(StackRow.id == row_id).values(
                state=state, attempts=1, claimed_by="WS:gone" if state == "sending" else "",
                sent_at=utcnow() if state == "sent" else None))
    return ids


def _read(store, f):
    def run():
        with store.read() as s:
            return f(s)
    return run


def _write(store, f):
    def run():
        with store.write() as s:
            return f(s)
    return run


def test_each_query_by_state_keeps_an_index_while_sent_rows_are_in_none(any_shop):
    shop = any_shop
    store = shop.store
    _stack_in_every_state(shop)
    with store.read() as s:
        pids = list(s.scalars(select(Product.id)))
    by_state = {  # each query looks up rows not sent, by state or by cart and product
        "requeue_orphans": lambda: holders.requeue_orphans(store, claimer="WS:me",
                                                           workstation="test-ws"),
        "forget_silent": lambda: holders.forget_silent(store),
        "count_by_state": _read(store, rows.count_by_state),
        "health_report": lambda: health.health_report(store),
        "counts_by_cart": _read(store, health_samples.counts_by_cart),
        "stack_busy": lambda: stack_busy(store),
        "kits.touch": _write(store, lambda s: kits.touch(s, pids, actor=ACTOR)),
        **{f"list_rows {st}": _read(store, lambda s, st=st: rows.list_rows(
            s, state=st, limit=2000, newest_first=True)) for st in STATES if st != "sent"},
    }
    pg = store.engine.dialect.name == "postgresql"
    for name, call in by_state.items():
        seen = _statements(store, call)
        by_index = [(st, p) for st, p in seen if "'sent'" in st]
        assert by_index, f"{name}: no query names the rows not sent: {seen}"
        for statement, params in by_index:
            plan = _plan(store, statement, params)
            if pg:
                assert "Seq Scan on web_stack" not in plan, (name, statement, plan)
            else:
                assert any(ix in plan for ix in UNSENT), (name, statement, plan)
    # The sent rows: health's latency and the prune by sent_at, counted as the rest.
    for name, call in {"health_report": lambda: health.health_report(store),
                       "prune": _write(store, lambda s: health_samples.prune(
                           s, utcnow() - timedelta(days=30)))}.items():
        sent_q = [(st, p) for st, p in _statements(store, call)
                  if "sent_at >=" in st or "sent_at <" in st]
        assert sent_q, name
        for statement, params in sent_q:
            plan = _plan(store, statement, params)
            assert "ix_web_stack_sent_at" in plan, (name, statement, plan)
    with store.read() as s:
        counts = rows.count_by_state(s)
        truth = dict(s.execute(text("SELECT state, count(*) FROM web_stack GROUP BY state")).all())
    assert counts == {st: truth.get(st, 0) for st in STATES}
    assert counts["sent"] == 1


def test_a_sent_row_leaves_the_state_indexes(shop):
    for i in range(3):
        adjust(shop, f"SKU-{i:04d}", 1)

    def in_index(name):  # SQLite's INDEXED BY counts the entries of that index alone
        with shop.store.engine.connect() as conn:
            return conn.exec_driver_sql(f"SELECT count(*) FROM web_stack INDEXED BY {name} "
                                        "WHERE state <> 'sent'").scalar()

    all_rows = in_index("ix_web_stack_unsent_due")
    assert all_rows > 0 and in_index("ix_web_stack_unsent_cart_product") == all_rows
    claimed = claim_due(shop.store, claimer="test", workstation=None, limit=2)
    with shop.store.write() as s:
        mark_sent_many(s, [([r.id for r in claimed], "set")], Tally())
    assert in_index("ix_web_stack_unsent_due") == all_rows - 2
    assert in_index("ix_web_stack_unsent_cart_product") == all_rows - 2
    with shop.store.engine.connect() as conn:  # each index holds what its table says
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_a_transactions_rows_are_marked_sent_in_table_order(any_shop):
    shop = any_shop
    store = shop.store
    for i in range(4):
        adjust(shop, f"SKU-{i:04d}", 1)
    for i in range(4):
        adjust(shop, f"SKU-{i:04d}", 1)
    claimed = sorted(r.id for r in claim_due(store, claimer="test", workstation=None, limit=100))
    ids = claimed[1:]  # not the lowest id: a bound 1 (attempts + 1) is no row's id here
    assert len(ids) >= 12 and min(ids) > 1
    # Three responses whose rows interleave in the table, and rows of their own.
    groups = [(ids[0::4], "cart shows 5"), (ids[1::4], "cart shows 6"),
              *[([i], f"cart shows {i}") for i in ids[2::4] + ids[3::4]]]
    chunk = 4
    tally = Tally()

    def mark():
        with store.write() as s:
            mark_sent_many(s, groups, tally, chunk=chunk)

    seen = []

    def grab(_conn, _cur, statement, params, _ctx, many):
        if statement.startswith("UPDATE web_stack") and "sent_at" in statement:
            flat = [v for p in (params if many else [params])
                    for v in (p.values() if isinstance(p, dict) else p)]
            seen.append({v for v in flat if isinstance(v, int) and v in ids})

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        mark()
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)
    block = {row_id: n // chunk for n, row_id in enumerate(ids)}
    blocks = [{block[i] for i in touched} for touched in seen]
    assert set().union(*blocks) == set(block.values())  # every chunk seen (none missed)
    assert all(len(b) == 1 for b in blocks), blocks  # a statement stays in its chunk
    order = [b.pop() for b in blocks]
    assert order == sorted(order), order  # chunks in table order
    assert tally.sent == len(ids)
    with store.read() as s:
        got = dict(s.execute(select(StackRow.id, StackRow.last_response)
                             .where(StackRow.id.in_(ids), StackRow.state == "sent")).all())
    assert got == {i: resp for members, resp in groups for i in members}


def test_a_0008_store_with_sent_rows_gets_the_partial_indexes(shop):
    from alembic import command

    from seom_desktop.store import migrate

    for i in range(3):
        adjust(shop, f"SKU-{i:04d}", 1)
    engine = shop.store.engine
    cfg = migrate.alembic_config(engine)

    def alembic(step, revision):
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, revision)

    alembic(command.downgrade, "0008")  # the whole indexes of 0008 back
    with shop.store.write() as s:
        first = s.scalar(select(StackRow.id).order_by(StackRow.id).limit(1))
        s.execute(update(StackRow).where(StackRow.id == first)
                  .values(state="sent", sent_at=utcnow()))
    alembic(command.upgrade, "head")
    with engine.connect() as conn:
        names = {r[0]: r[1] for r in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'web_stack' AND type = 'index'")}
        unsent = conn.exec_driver_sql(
            "SELECT count(*) FROM web_stack WHERE state <> 'sent'").scalar()
        for ix in UNSENT:
            assert "WHERE state <> 'sent'" in names[ix], names[ix]
            assert conn.exec_driver_sql(f"SELECT count(*) FROM web_stack INDEXED BY {ix} "
                                        "WHERE state <> 'sent'").scalar() == unsent
    assert "ix_web_stack_due" not in names and "ix_web_stack_cart_product" not in names
    assert migrate.at_head(engine) and unsent > 0
