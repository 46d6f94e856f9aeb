"""Shopify locations through the connector's location API, against the Shopify emulator
with several locations over real loopback sockets.

What the emulator answers for locations is taken from live 2026-04 answers (see
tests/contract/test_locations_recorded.py and recordings/shopify-locations-2026-04.json:
airhorns/shopify-draft-proxy captures of a store with two locations; INVALID_LOCATION
"The specified location could not be found.").
"""

from __future__ import annotations

import pytest

from seom_desktop.carts.base import LOCATIONS, AmbiguousError, CartConfig, CartLocation, QohUpdate
from seom_desktop.carts.shopify import ShopifyConnector
from seom_desktop.emulators.shopify import ShopifyEmulator

UNKNOWN = "gid://shopify/Location/999999999999"


@pytest.fixture
def emu():
    e = ShopifyEmulator(bulk_rate=100_000).start()
    e.faults.hang_seconds = 1.5
    yield e
    e.stop()


@pytest.fixture
def shop(emu):
    """Three locations (the shop's own, "Warehouse East", "Warehouse West"; the
    connector's own is the first active one by name, as `locations` sorts) and two items
    stocked at all three."""
    east, west = emu.add_location("Warehouse East"), emu.add_location("Warehouse West")
    ids = {}
    for sku, qty in (("A", 5), ("B", 8)):
        ids[sku] = emu.add_item(sku, qty)
        emu.set_quantity(sku, qty + 1, east)
        emu.set_quantity(sku, qty + 2, west)
    return east, west, ids


@pytest.fixture
def conn(emu):
    c = ShopifyConnector(CartConfig(name="Shopify", kind="shopify", url=emu.url,
                                    token=emu.token, read_timeout=0.5, connect_timeout=2.0))
    c.bulk_polls = (0.05,)
    c.test_connection()
    emu.root_fields.clear()
    yield c
    c.close()


def test_list_locations_names_every_location_inactive_ones_too(emu, conn):
    closed = emu.add_location("Closed store", active=False)
    found = conn.list_locations()
    assert LOCATIONS in conn.capabilities
    # in the cart's order: `locations` sorts by NAME unless told otherwise
    assert found == [CartLocation(closed, "Closed store", False),
                     CartLocation(emu.location_id, "Shop location", True)]
    assert emu.root_fields == {"locations": 1}


def test_two_locations_written_in_one_mutation_and_read_back_per_location(emu, shop, conn):
    east, west, ids = shop
    res = conn.set_qoh([
        QohUpdate("A", 20, item_id=ids["A"], expected=6, key="a-east", location=east),
        QohUpdate("A", 30, item_id=ids["A"], expected=7, key="a-west", location=west),
        QohUpdate("B", 40, item_id=ids["B"], expected=8, key="b-own"),
    ])
    assert [(r.sku, r.ok, r.qoh, r.location) for r in res] == [

        ("A", True, 20, east), ("A", True, 30, west), ("B", True, 40, "")]
    assert emu.mutations[-1]["root"] == "inventorySetQuantities"
    assert emu.root_fields == {"inventorySetQuantities": 1}  # one request, three changes
    assert (emu.quantity("A"), emu.quantity("A", east), emu.quantity("A", west)) == (5, 20, 30)
    assert emu.quantity("B") == 40

    found = conn.get_items(["A", "B"], locations=(east, west))
    assert (found["A"].qoh, dict(found["A"].locations)) == (5, {east: 20, west: 30})
    assert (found["B"].qoh, dict(found["B"].locations)) == (40, {east: 9, west: 10})
    listed = {i.sku: i for i in conn.list_items(locations=(east, west))}  # a bulk read
    assert {s: (i.qoh, dict(i.locations)) for s, i in listed.items()} == {
        "A": (5, {east: 20, west: 30}), "B": (40, {east: 9, west: 10})}
    # today's calls are unchanged: no location asked, none read
    assert conn.get_items(["A"])["A"].locations == {} and conn.get_items(["A"])["A"].qoh == 5


def test_a_location_where_the_item_is_not_stocked_is_absent_from_its_levels(emu, conn):
    east = emu.add_location("Warehouse East")
    emu.add_item("ONLY-HERE", 3)
    found = conn.get_items(["ONLY-HERE"], locations=(east,))
    assert found["ONLY-HERE"].qoh == 3 and found["ONLY-HERE"].locations == {}


def test_an_unknown_location_is_a_refused_item_and_the_rest_is_written(emu, shop, conn):
    east, _west, ids = shop
    res = conn.set_qoh([QohUpdate("A", 11, item_id=ids["A"], expected=None, key="x",
                                  location=UNKNOWN),
                        QohUpdate("B", 12, item_id=ids["B"], expected=None, key="y",
                                  location=east)])
    assert not res[0].ok and res[0].location == UNKNOWN
    assert res[0].error.code == "INVALID_LOCATION"
    assert "The specified location could not be found." in str(res[0].error)
    assert res[1].ok and emu.quantity("B", east) == 12
    assert emu.quantity("A") == 5  # nothing written for A anywhere
    # refused whole with the unknown location, then B alone; no look-up of A
    assert emu.root_fields == {"inventorySetQuantities": 2}


def test_a_retry_after_a_lost_answer_applies_each_location_once(emu, shop, conn):
    east, west, ids = shop
    batch = [QohUpdate("A", 2, item_id=ids["A"], delta=-4, expected=6, key="a", location=east),
             QohUpdate("A", 3, item_id=ids["A"], delta=-4, expected=7, key="a", location=west)]
    emu.faults.queue("timeout-after")  # applied, then the answer never comes
    with pytest.raises(AmbiguousError):
        conn.set_qoh(batch)
    assert (emu.quantity("A", east), emu.quantity("A", west)) == (2, 3)
    again = conn.set_qoh(batch)  # the stack re-sends the same rows
    assert [(r.ok, r.location) for r in again] == [(True, east), (True, west)]
    assert (emu.quantity("A", east), emu.quantity("A", west)) == (2, 3)  # not 0 and -1
    assert emu.applied["A"] == 2
    assert [m["applied"] for m in emu.mutations] == [True]  # the re-send was not applied


def test_the_same_key_at_another_location_is_another_change(emu, shop, conn):
    east, west, ids = shop
    one = conn.set_qoh([QohUpdate("A", 1, item_id=ids["A"], delta=-5, expected=6, key="k",
                                  location=east)])
    two = conn.set_qoh([QohUpdate("A", 2, item_id=ids["A"], delta=-5, expected=7, key="k",
                                  location=west)])
    assert one[0].ok and two[0].ok
    assert (emu.quantity("A", east), emu.quantity("A", west)) == (1, 2)
    assert [m["key"] for m in emu.mutations] == [f"k@{east}", f"k@{west}"]
