"""A QOH change, its ledger row and its stack rows commit together or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.stack import outbox
from seom_desktop.store.carts import add_cart
from seom_desktop.store.models import LedgerEntry, Product, StackRow
from seom_desktop.store.params import set_param

ACTOR = Actor("clerk", "WS1")


class Boom(RuntimeError):
    pass


def _state(store):
    with store.read() as s:
        return (s.scalar(select(Product.qoh).where(Product.sku == "P1")),
                s.scalar(select(func.count()).select_from(LedgerEntry)),
                s.scalar(select(func.count()).select_from(StackRow)))


@pytest.fixture
def world(store):
    with store.write() as s:
        set_param(s, "SynchQOH", True)
        add_cart(s, name="A", kind="woocommerce", url="http://127.0.0.1:1", sync=True)
        add_cart(s, name="B", kind="shopify", url="http://127.0.0.1:2", sync=True)
        add_product(s, sku="P1", name="Widget", qoh=10, actor=ACTOR)
    return store


@pytest.mark.parametrize("where", ["after-qoh-update", "after-ledger", "after-enqueue"])
def test_error_before_commit_changes_nothing(world, monkeypatch, where):
    before = _state(world)
    assert before[2] == 2  # the new product's initial QOH was queued for A and B

    real_apply, real_enqueue = ops._apply_delta, outbox.enqueue
    if where == "after-qoh-update":
        def apply(*a, **kw):
            real_apply(*a, **kw)
            raise Boom("after the QOH update")
        monkeypatch.setattr(ops, "_apply_delta", apply)
    elif where == "after-ledger":
        def enqueue(*a, **kw):
            raise Boom("after the ledger row, before the stack rows")
        monkeypatch.setattr(outbox, "enqueue", enqueue)
    else:
        def enqueue(*a, **kw):
            real_enqueue(*a, **kw)
            raise Boom("after the stack rows, before commit")
        monkeypatch.setattr(outbox, "enqueue", enqueue)

    with pytest.raises(Boom):
        with world.write() as s:
            ops.adjust(s, sku="P1", delta=5, actor=ACTOR)
    assert _state(world) == before

    monkeypatch.undo()
    with world.write() as s:
        ops.adjust(s, sku="P1", delta=5, actor=ACTOR)
    assert _state(world) == (15, before[1] + 1, before[2] + 2)
