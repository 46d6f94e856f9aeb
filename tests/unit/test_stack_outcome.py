"""Recording what became of claimed rows, in bulk (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select, update

from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.stack.outcome import Tally, mark_sent_many
from seom_desktop.store.carts import add_cart
from seom_desktop.store.models import SENDING, StackRow
from seom_desktop.store.params import set_param

ACTOR = Actor("clerk", "WS1")


def test_mark_sent_many_groups_rows_by_response_and_touches_only_sending_rows(store):
    with store.write() as s:
        set_param(s, "SynchQOH", True)
        add_cart(s, name="A", kind="woocommerce", url="http://127.0.0.1:1", sync=True)
        for i in range(1200):
            add_product(s, sku=f"P{i}", name="x", qoh=0, actor=ACTOR)
            ops.adjust(s, sku=f"P{i}", delta=1, actor=ACTOR)
    with store.write() as s:
        ids = list(s.scalars(select(StackRow.id).order_by(StackRow.id)))
        s.execute(update(StackRow).where(StackRow.id.in_(ids[:1199]))
                  .values(state=SENDING, claimed_by="me"))
    shared = ids[:1000]  # one response for 1,000 rows: more than one IN (...) statement
    groups = [(shared[:600], "cart already shows 1"), (shared[600:], "cart already shows 1"),
              ([ids[1000]], "sent 7"), (ids[1001:1199], "sent 1"), ([ids[1199]], "sent 9")]
    tally = Tally()
    with store.write() as s:
        mark_sent_many(s, groups, tally)
    with store.read() as s:
        got = {r.id: (r.state, r.last_response, r.attempts, r.claimed_by)
               for r in s.scalars(select(StackRow))}
    assert tally.sent == 1199  # the rows actually marked sent: ids[1199] stayed pending
    assert all(got[i] == ("sent", "cart already shows 1", 1, "") for i in shared)
    assert got[ids[1000]] == ("sent", "sent 7", 1, "")
    assert all(got[i] == ("sent", "sent 1", 1, "") for i in ids[1001:1199])
    assert got[ids[1199]][:3] == ("pending", "", 0)  # was not being sent: left alone
