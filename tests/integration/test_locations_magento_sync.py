"""A Magento cart with its MSI sources mapped to store warehouses, against the Magento
emulator over loopback: each source is sent its own warehouse's quantity (absolute
source-item saves, no compare: the location sender reads back first), a save whose answer
is lost known to have landed is not sent again, and a source edited on the cart is not overwritten
before the clerk's orders are imported (the row waits)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from stack_kit import ACTOR, drain

from seom_desktop.emulators.magento import MagentoEmulator
from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.products import add_product
from seom_desktop.inventory.rules import set_cart
from seom_desktop.inventory.warehouses import add_warehouse, transfer
from seom_desktop.stack import location_sender
from seom_desktop.stack.rows import count_by_state
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart, Product
from seom_desktop.store.params import set_param
from seom_desktop.sync.cart_setup import define_cart
from seom_desktop.testing.shop import double_applications

SKUS = ["M-1", "M-2", "M-3"]


class _Shop:  # what stack_kit.drain needs
    def __init__(self, store):
        self.store = store


@pytest.fixture
def m2(sqlite_url):
    emu = MagentoEmulator().start()
    emu.add_source("east", "Eastern Shipping Center")
    store = open_store(sqlite_url)
    with store.write() as s:
        set_param(s, "SynchQOH", False)
        set_param(s, "StackRetrySeconds", 0)
        define_cart(s, name="m2", kind="magento", url=emu.url, token=emu.integration_token,
                    sync=True)
        add_warehouse(s, "East")
        for sku in SKUS:
            add_product(s, sku=sku, name=sku, qoh=10, actor=ACTOR)
            emu.add_item(sku, 10)
            emu.set_quantity(sku, 0, "east")
        set_param(s, "SynchQOH", True)
        set_cart(s, "m2", locations=[("Main", "default"), ("East", "east")], actor=ACTOR)
    yield emu, store
    emu.stop()
    store.close()


def at(emu, sku):
    return {"default": emu.quantity(sku, "default"), "east": emu.quantity(sku, "east")}


def touch_all(store):
    with store.write() as s:
        for sku in SKUS:
            ops.adjust(s, sku=sku, delta=1, actor=ACTOR)
            ops.adjust(s, sku=sku, delta=-1, actor=ACTOR)


def test_each_source_gets_its_warehouse_and_a_save_in_doubt_is_not_sent_twice(m2):
    emu, store = m2
    with store.write() as s:
        transfer(s, sku="M-1", qty=4, source="Main", target="East", actor=ACTOR)
    drain(_Shop(store))
    assert at(emu, "M-1") == {"default": 6, "east": 4}
    with store.write() as s:
        transfer(s, sku="M-2", qty=3, source="Main", target="East", actor=ACTOR)
        # A save of both sources that landed with its answer lost (the emulator's read and
        # save share a path, so a fault cannot pick the save): what the sender stores
        # before a save, and what the cart then shows.
        cid = s.scalar(select(Cart.id).where(Cart.name == "m2"))
        pid = s.scalar(select(Product.id).where(Product.sku == "M-2"))
        location_sender.record_attempt(s, cid, pid, "default", 7)
        location_sender.record_attempt(s, cid, pid, "east", 3)
    emu.set_quantity("M-2", 7, "default")
    emu.set_quantity("M-2", 3, "east")
    saves = len(emu.writes.get("M-2", []))
    drain(_Shop(store))
    assert at(emu, "M-2") == {"default": 7, "east": 3}
    assert len(emu.writes.get("M-2", [])) == saves  # known to have landed: not sent again
    assert double_applications({"m2": emu}) == []
    with store.read() as s:
        c = count_by_state(s)
    assert c["pending"] == c["failed"] == c["waiting"] == 0


def test_a_source_edited_on_the_cart_is_not_overwritten(m2):
    emu, store = m2
    touch_all(store)
    drain(_Shop(store))
    emu.set_quantity("M-3", 2, "east")  # someone sold or counted at the east source
    with store.write() as s:
        ops.adjust(s, sku="M-3", delta=5, actor=ACTOR)
    drain(_Shop(store))
    assert at(emu, "M-3") == {"default": 10, "east": 2}  # not overwritten
    with store.read() as s:
        assert count_by_state(s)["waiting"] == 1
