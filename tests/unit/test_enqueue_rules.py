"""Each inventory operation enqueues exactly the web stack rows the rules call for
(SynchQOH, the cart's Synchronize Inventory, the item's web field, "Send QOH changes to
Web sites", and not the cart an order came from) — on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product, set_web_fields
from seom_desktop.store.carts import add_cart
from seom_desktop.store.models import Cart, LedgerEntry, Product, StackRow
from seom_desktop.store.params import set_param

ACTOR = Actor("clerk", "WS1")


def _world(store, *, synch=True, web_no_sync=(), cart_sync=("A", "B", "C")):
    with store.write() as s:
        set_param(s, "SynchQOH", synch)
        for name in ("A", "B", "C", "D"):
            add_cart(s, name=name, kind="woocommerce", url="http://127.0.0.1:1",
                     sync=name in cart_sync)
        add_product(s, sku="P1", name="Widget", qoh=0, actor=ACTOR)
        add_product(s, sku="P2", name="Gadget", qoh=0, actor=ACTOR)
        for cart in web_no_sync:
            set_web_fields(s, sku="P1", cart=cart, sync=False)


def _rows(store):
    with store.read() as s:
        return sorted(
            (c, sku, change, ws)
            for c, sku, change, ws in s.execute(
                select(Cart.name, Product.sku, StackRow.change, StackRow.origin_workstation)
                .join(Cart, Cart.id == StackRow.cart_id)
                .join(Product, Product.id == StackRow.product_id)))


def _cart_id(store, name):
    with store.read() as s:
        return s.scalar(select(Cart.id).where(Cart.name == name))


def _do(store, op, **kw):
    with store.write() as s:
        return op(s, actor=ACTOR, **kw)


CASES = [
    # (id, world kwargs, operation, op kwargs(with origin name), expected carts)
    ("adjust-all-synced", {}, "adjust", {"delta": 5}, ["A", "B", "C"], 5),
    ("adjust-set", {}, "adjust", {"set_to": 7}, ["A", "B", "C"], 7),
    ("adjust-no-send", {}, "adjust", {"delta": 5, "send": False}, [], 5),
    ("synchqoh-off", {"synch": False}, "adjust", {"delta": 5}, [], 5),
    ("cart-sync-off", {"cart_sync": ("A",)}, "adjust", {"delta": 5}, ["A"], 5),
    ("webfield-no-sync", {"web_no_sync": ("B",)}, "adjust", {"delta": 5}, ["A", "C"], 5),
    ("pos-sale", {}, "pos_sale", {"quantity": 2}, ["A", "B", "C"], -2),
    ("po-receipt", {}, "receive_po", {"quantity": 100, "po": "PO-1"}, ["A", "B", "C"], 100),
    ("order-not-echoed", {}, "order_line", {"quantity": 3, "origin": "B"}, ["A", "C"], -3),
    ("order-unsynced-origin", {}, "order_line", {"quantity": 3, "origin": "D"}, ["A", "B", "C"], -3),
]


@pytest.mark.parametrize("world,op,kw,expected,change", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_operation_enqueues_exactly(store, world, op, kw, expected, change):
    _world(store, **world)
    if op == "pos_sale":  # stock to sell first, told to no cart
        _do(store, ops.adjust, sku="P1", delta=10, send=False)
    kw = dict(kw)
    origin = kw.pop("origin", None)
    if origin:
        kw["origin_cart_id"] = _cart_id(store, origin)
    result = _do(store, getattr(ops, op), sku="P1", **kw)
    assert result.delta == change
    assert _rows(store) == [(c, "P1", change, "WS1") for c in expected]
    assert len(result.stack_row_ids) == len(expected)


def test_zero_change_writes_ledger_but_no_stack_rows(store):
    _world(store)
    _do(store, ops.adjust, sku="P1", set_to=0)
    assert _rows(store) == []
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_ledger_row_records_who_where_why(store):
    _world(store)
    r = _do(store, ops.receive_po, sku="P2", quantity=12, po="PO-77")
    with store.read() as s:
        e = s.get(LedgerEntry, r.ledger_id)
        assert (e.delta, e.qoh_after, e.source, e.reference, e.user, e.workstation) == (
            12, 12, ops.PO_RECEIPT, "PO-77", "clerk", "WS1")
        assert e.created_at is not None


def test_negative_qoh_refused_unless_allowed(store):
    _world(store)
    with pytest.raises(ops.QuantityError, match="below zero"):
        _do(store, ops.pos_sale, sku="P1", quantity=1)
    assert _rows(store) == []
    with store.write() as s:
        set_param(s, "AllowNegativeQOH", True)
    assert _do(store, ops.pos_sale, sku="P1", quantity=1).qoh_after == -1


def test_orders_may_take_qoh_below_zero(store):
    _world(store)
    r = _do(store, ops.order_line, sku="P1", quantity=4, origin_cart_id=_cart_id(store, "A"))
    assert r.qoh_after == -4


def test_reason_required_when_tracking_adjustments(store):
    _world(store)
    with store.write() as s:
        set_param(s, "TrackInventoryAdjustments", True)
    with pytest.raises(ops.InventoryError, match="reason is required"):
        _do(store, ops.adjust, sku="P1", delta=1)
    assert _do(store, ops.adjust, sku="P1", delta=1, reason="count").qoh_after == 1


def test_a_window_save_of_web_fields_queues_only_what_moves_what_the_cart_shows(store):
    """The Web Fields save (app/product_detail.save_web_fields, what the window calls):
    a reserve or maximum that leaves what cart A should show where it was queues nothing;
    one that moves it queues one refresh for cart A alone; turning synchronization back
    on and a new cart SKU alias each queue one."""
    from seom_desktop.app.product_detail import WebFieldChange, save_web_fields

    _world(store)
    with store.write() as s:
        ops.adjust(s, sku="P1", actor=ACTOR, set_to=10)
        s.query(StackRow).delete()

    def save(**kw):
        fields = dict(cart="A", sync=True, cart_sku="", reserve=0, max_qty=None) | kw
        save_web_fields(store, sku="P1", changes=[WebFieldChange(**fields)], workstation="WS1")
        rows = _rows(store)
        with store.write() as s:
            s.query(StackRow).delete()
        return rows

    assert save(max_qty=50) == []          # 10 shown either way
    assert save(max_qty=60) == []
    assert save(max_qty=60, reserve=0) == []
    assert save(max_qty=4) == [("A", "P1", 0, "WS1")]  # 10 -> 4
    assert save(max_qty=4, reserve=3) == []  # min(10 - 3, 4): still 4
    assert save(max_qty=None, reserve=3) == [("A", "P1", 0, "WS1")]  # 4 -> 7
    assert save(sync=False, reserve=3) == []
    assert save(sync=True, reserve=3) == [("A", "P1", 0, "WS1")]
    assert save(reserve=3, cart_sku="P1-ON-A") == [("A", "P1", 0, "WS1")]
