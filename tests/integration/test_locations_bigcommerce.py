"""BigCommerce inventory locations through the connector's location API, against the
BigCommerce emulator with several locations over real loopback sockets.

The emulator's answers: `GET /v3/inventory/locations` as github.com/bigcommerce/docs
reference/locations.v3.yml has it (see tests/contract/test_locations_recorded.py);
per-location items and absolute adjustments carrying `location_id` per item, and the
whole-request refusal "Location not found, identities: [..]", as reference/
inventory.v3.yml and the emulator's docstring say.
"""

from __future__ import annotations

import pytest

from seom_desktop.carts.base import (
    LOCATIONS,
    CartConfig,
    CartLocation,
    PermanentError,
    QohUpdate,
    UnknownItemError,
)
from seom_desktop.carts.bigcommerce import BigCommerceConnector
from seom_desktop.emulators.bigcommerce import BigCommerceEmulator

ADJUST = "PUT /stores/abc123/v3/inventory/adjustments/absolute"


@pytest.fixture
def emu():
    e = BigCommerceEmulator().start()
    e.add_location("Warehouse East")  # 2
    e.add_location("Closed shop", enabled=False)  # 3
    for sku, qty in (("A", 5), ("B", 8)):
        e.add_item(sku, qty)
        e.set_quantity(sku, qty + 1, 2)
    yield e
    e.stop()


@pytest.fixture
def conn(emu):
    c = BigCommerceConnector(CartConfig(name="BC", kind="bigcommerce", token=emu.token,
                                        url=f"{emu.url}/stores/{emu.store_hash}"))
    yield c
    c.close()


def test_list_locations(emu, conn):
    assert LOCATIONS in conn.capabilities
    assert conn.list_locations() == [CartLocation("1", "Default location", True),
                                     CartLocation("2", "Warehouse East", True),
                                     CartLocation("3", "Closed shop", False)]


def test_two_locations_written_in_one_adjustment_and_read_back_per_location(emu, conn):
    res = conn.set_qoh([QohUpdate("A", 20, location="2"), QohUpdate("A", 30, location="3"),
                        QohUpdate("B", 40)])
    assert [(r.sku, r.ok, r.qoh, r.location) for r in res] == [
        ("A", True, 20, "2"), ("A", True, 30, "3"), ("B", True, 40, "")]
    assert emu.requests[ADJUST] == 1  # one request for the three
    assert [emu.quantity("A", n) for n in (1, 2, 3)] == [5, 20, 30]
    found = conn.get_items(["A", "B"], locations=("2", "3"))
    assert (found["A"].qoh, dict(found["A"].locations)) == (5, {"2": 20, "3": 30})
    assert (found["B"].qoh, dict(found["B"].locations)) == (40, {"2": 9, "3": 0})
    listed = {i.sku: (i.qoh, dict(i.locations)) for i in conn.list_items(locations=("2",))}
    assert listed == {"A": (5, {"2": 20}), "B": (40, {"2": 9})}
    assert conn.get_items(["A"])["A"].locations == {}  # today's call: no location read


def test_an_unknown_location_is_a_refused_item_and_the_rest_is_written(emu, conn):
    res = conn.set_qoh([QohUpdate("A", 11, location="77"), QohUpdate("B", 12, location="2")])
    assert not res[0].ok and res[0].location == "77"
    assert isinstance(res[0].error, UnknownItemError)
    assert "Location not found, identities: [77]" in str(res[0].error)  # the cart's words
    assert res[1].ok and emu.quantity("B", 2) == 12 and emu.quantity("A", 2) == 6
    assert emu.requests[ADJUST] == 2  # refused whole, then the rest alone


def test_a_location_that_is_no_number_is_refused_without_sending(emu, conn):
    res = conn.set_qoh([QohUpdate("A", 11, location="east"), QohUpdate("B", 12, location="2")])
    assert not res[0].ok and type(res[0].error) is PermanentError
    assert "'east' is not a BigCommerce location id" in str(res[0].error)
    assert res[1].ok and emu.requests[ADJUST] == 1


def test_a_wrong_configured_location_still_fails_the_whole_request(emu):
    c = BigCommerceConnector(CartConfig(name="BC", kind="bigcommerce", token=emu.token,
                                        url=f"{emu.url}/stores/{emu.store_hash}", location="9"))
    try:
        with pytest.raises(PermanentError, match=r"Location not found, identities: \[9\]"):
            c.set_qoh([QohUpdate("A", 1), QohUpdate("B", 2, location="2")])
    finally:
        c.close()
    assert emu.quantity("B", 2) == 9  # nothing applied
