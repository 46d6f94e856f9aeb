"""The claim walks the claimable rows in id order (ix_web_stack_claimable, migration 0007)
and stops at its limit, instead of finding every due row by (state, next_attempt_at) and
sorting them all by id each pass: with 1,000,000 rows waiting that sort made the claim
quadratic in the backlog (bench/README.md, issue 23). Its rows: the oldest due ones,
rows not due yet and rows of a cart not synced left out. And a claim is extended only
for a claimer not registered as a holder (a registered one's rows go back only when it
dies): extending it rewrote every claimed row every 10 s of a pass."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select, text, update
from stack_kit import adjust

from seom_desktop.stack import holders
from seom_desktop.stack.claim import claim_due, extend_claim
from seom_desktop.store.models import Cart, StackRow, utcnow


def _claim_seen(store, **kw):
    """Claim, and hand back the claim's statement and parameters with the rows."""
    seen = []

    def grab(_conn, _cur, statement, params, _ctx, _many):
        if statement.startswith("UPDATE web_stack") and "RETURNING" in statement:
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        rows = claim_due(store, claimer="test", workstation=None, **kw)
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)
    assert len(seen) == 1
    return rows, seen[0]


def test_the_claim_takes_the_oldest_due_rows_by_the_claimable_index(any_shop):
    shop = any_shop
    for i in range(6):
        adjust(shop, f"SKU-{i:04d}", 1)
    with shop.store.write() as s:
        ids = list(s.scalars(text("SELECT id FROM web_stack ORDER BY id")))
        later = utcnow() + timedelta(hours=1)
        s.execute(update(StackRow).where(StackRow.id == ids[0])
                  .values(state="failed", next_attempt_at=later))  # not due yet
        s.execute(update(StackRow).where(StackRow.id == ids[1]).values(state="waiting"))
        s.execute(update(StackRow).where(StackRow.id == ids[2]).values(state="sent"))
    rows, (statement, params) = _claim_seen(shop.store, limit=4)
    assert [r.id for r in rows] == [ids[1], *ids[3:6]]
    if shop.store.engine.dialect.name == "sqlite":
        with shop.store.engine.connect() as conn:
            plan = " | ".join(r[-1] for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, params))
        assert "USING INDEX ix_web_stack_claimable" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # no sort of the due rows
    with shop.store.write() as s:  # a cart not synced: its rows stay
        s.execute(update(Cart).values(sync=False))
    assert _claim_seen(shop.store, limit=10)[0] == []


def _until(store, ids):
    with store.read() as s:
        return dict(s.execute(select(StackRow.id, StackRow.claimed_until)
                              .where(StackRow.id.in_(ids))).all())


def test_a_claim_is_extended_only_for_a_claimer_not_registered(any_shop):
    shop = any_shop
    for i in range(4):
        adjust(shop, f"SKU-{i:04d}", 1)
    store = shop.store
    holders.beat(store, "WS:registered", "test-ws")
    try:
        mine = [r.id for r in claim_due(store, claimer="WS:registered", workstation=None,
                                        limit=4, ttl=5)]
        old = [r.id for r in claim_due(store, claimer="WS:unregistered", workstation=None,
                                       limit=10, ttl=5)]
        assert len(mine) == 4 and len(old) == 4
        before = _until(store, mine + old)
        writes = []

        def grab(_conn, _cur, statement, *_a):
            if statement.startswith("UPDATE web_stack"):
                writes.append(statement)

        event.listen(store.engine, "before_cursor_execute", grab)
        try:
            extend_claim(store, "WS:registered", mine, ttl=600)
            assert writes == []  # its heartbeat keeps its rows: nothing rewritten
            extend_claim(store, "WS:unregistered", old, ttl=600)
        finally:
            event.remove(store.engine, "before_cursor_execute", grab)
        after = _until(store, mine + old)
        assert all(after[i] == before[i] for i in mine)
        assert all(after[i] > before[i] + timedelta(seconds=500) for i in old)
    finally:
        holders.forget(store, "WS:registered")
