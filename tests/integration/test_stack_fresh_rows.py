"""A change committed while the stack controller works through a backlog (a drain) is
claimed between two of the backlog's requests and rides the next one, instead of waiting
for the whole backlog (issue 23); a product already queued in the backlog is written
once, with its newest value. Real store, real emulators over loopback sockets; the
clerk's adjustments are made while the cart holds the pass's first write request."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from stack_kit import adjust, count_by_state_of, drain, map_two_locations

from seom_desktop.connect import connect
from seom_desktop.stack.controller import StackController
from seom_desktop.stack.wakeup import Wakeup
from seom_desktop.store.models import Cart


def _recording_connect(shop, during_first_write):
    """The real connector of each cart; each write request's SKUs are noted per cart, and
    `during_first_write` runs once, when the pass's first write request is made."""
    batches: dict[str, list[list[str]]] = {}
    ran = []

    def make(cart):
        conn = connect(cart)
        real = conn.set_qoh
        name = cart.name

        def set_qoh(updates):
            batches.setdefault(name, []).append([u.sku for u in updates])
            if not ran:
                ran.append(True)
                during_first_write()
            return real(updates)

        conn.set_qoh = set_qoh
        return conn

    return make, batches


@pytest.mark.parametrize("cart", ["woo", "shop"])
def test_change_made_during_a_drain_rides_the_next_request(any_shop, cart):
    shop = any_shop
    emu = shop.emulators()[cart]
    with shop.store.write() as s:
        s.execute(update(Cart).values(max_items=4))  # 4 items a request: 3 for the backlog
        # one cart synced: its thread alone runs, so where the new rows go is certain
        s.execute(update(Cart).where(Cart.name != cart).values(sync=False))
    backlog = shop.skus[:10]
    for sku in backlog:
        adjust(shop, sku, +1)  # 11 each
    late, queued = shop.skus[15], backlog[8]  # queued: in the backlog's last request

    def clerk():
        adjust(shop, late, +5)  # 15
        adjust(shop, queued, +5)  # 16: its backlog row is not sent yet

    make, batches = _recording_connect(shop, clerk)
    ctl = StackController(shop.store, workstation="test-ws", connect=make)
    ctl.run_once()  # one pass
    ctl.close()
    counts = count_by_state_of(shop)
    # Sent in the same pass as the backlog (before: pending until the next pass).
    assert counts["sent"] == 12 and counts["pending"] == counts["sending"] == 0
    sent = batches[cart]
    # 11 products, 4 a request: the floor of 3 requests
    assert len(sent) == 3, sent
    # the new changes ride the request after the one in flight, ahead of the backlog
    assert sent[1][:2] == [queued, late], sent
    assert sum(b.count(queued) for b in sent) == 1
    assert emu.quantity(late) == 15 and emu.quantity(queued) == 16
    # the queued product was written once, with its newest value: never 11 after 16
    assert [w.value for w in emu.writes[queued]] == [16]


def test_a_cart_with_mapped_locations_takes_a_change_made_during_a_drain(any_shop):
    """The same for a cart whose locations are each sent their own warehouse: the rows
    committed while the first write is in flight ride the second request."""
    shop = any_shop
    east = map_two_locations(shop)
    drain(shop)  # the locations are told what they hold before the backlog
    with shop.store.write() as s:
        s.execute(update(Cart).values(max_items=8))  # 2 locations: 4 items a request
        s.execute(update(Cart).where(Cart.name != "shop").values(sync=False))
    backlog = shop.skus[:10]
    for sku in backlog:
        adjust(shop, sku, +1)  # Main 11 each
    late, queued = shop.skus[15], backlog[8]

    def clerk():
        adjust(shop, late, +5)  # Main 15
        adjust(shop, queued, +5)  # Main 16: its backlog row is not sent yet

    make, batches = _recording_connect(shop, clerk)
    ctl = StackController(shop.store, workstation="test-ws", connect=make)
    ctl.run_once()
    ctl.close()
    counts = count_by_state_of(shop)
    assert counts["sent"] >= 12 and counts["pending"] == counts["sending"] == 0
    sent = batches["shop"]
    assert len(sent) == 3, sent
    assert sent[1][:2] == [queued, late], sent
    main = shop.shop.location_id
    assert shop.shop.quantity(late, main) == 15 and shop.shop.quantity(queued, main) == 16
    assert shop.shop.quantity(queued, east) == 0
    assert [w.value for w in shop.shop.writes[queued]][-1:] == [16]
    assert sum(b.count(queued) for b in sent) == 1


def test_every_controller_of_the_process_hears_a_commit(shop):
    """Two controllers of one process (the window starts a new one when the clerk
    switches between local and shared) both hear a commit that queued rows; a closed one
    stops listening."""
    a = StackController(shop.store, workstation="test-ws")
    b = StackController(shop.store, workstation="test-ws")
    adjust(shop, shop.skus[0], +1)
    assert a.wakeup.wait(0) and b.wakeup.wait(0)
    a.close()
    adjust(shop, shop.skus[0], +1)
    assert b.wakeup.wait(0) and not a.wakeup.wait(0)
    b.close()
    adjust(shop, shop.skus[0], +1)
    assert not b.wakeup.wait(0)


def test_every_waiter_hears_a_wakeup():
    wakeup = Wakeup()
    wakeup.look_from("a", wakeup.count)
    wakeup.look_from("b", wakeup.count)
    assert not wakeup.wait(0, "a")
    wakeup.set()
    assert wakeup.wait(0, "a")  # the first waiter to look does not take it from the other
    assert wakeup.wait(0, "b")
    assert not wakeup.wait(0, "a") and not wakeup.wait(0, "b")
