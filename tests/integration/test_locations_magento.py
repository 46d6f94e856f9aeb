"""Magento 2 MSI sources through the connector's location API, against the Magento
emulator with several sources over real loopback sockets.

The emulator's answers: `GET /V1/inventory/sources` and source items at several sources
as magento/devdocs src/guides/v2.4/rest/modules/inventory/manage-sources.md and
manage-source-items.md show them (see tests/contract/test_locations_recorded.py); a
source the store lacks fails the save whole with 400 "Could not save Source Item"
(magento/inventory InventoryApi/Test/Api/SourceItemsSave/ValidationTest.php).
"""

from __future__ import annotations

import pytest

from seom_desktop.carts.base import LOCATIONS, CartConfig, CartLocation, PermanentError, QohUpdate
from seom_desktop.carts.magento import MagentoConnector
from seom_desktop.emulators.magento import MagentoEmulator

SAVE = "POST /rest/default/V1/inventory/source-items"


@pytest.fixture
def emu():
    e = MagentoEmulator().start()
    e.add_source("central", "Central Shipping Center")
    e.add_source("east", "Eastern Shipping Center", enabled=False)
    for sku, qty in (("A", 5), ("B", 8)):
        e.add_item(sku, qty)
        e.set_quantity(sku, qty + 1, "central")
    yield e
    e.stop()


@pytest.fixture
def conn(emu):
    c = MagentoConnector(CartConfig(name="M2", kind="magento", url=emu.url,
                                    token=emu.integration_token))
    yield c
    c.close()


def test_list_locations(emu, conn):
    assert LOCATIONS in conn.capabilities
    assert conn.list_locations() == [CartLocation("default", "Default Source", True),
                                     CartLocation("central", "Central Shipping Center", True),
                                     CartLocation("east", "Eastern Shipping Center", False)]


def test_two_sources_written_in_one_save_and_read_back_per_source(emu, conn):
    res = conn.set_qoh([QohUpdate("A", 20, location="central"),
                        QohUpdate("A", 30, location="east"), QohUpdate("B", 0)])
    assert [(r.sku, r.ok, r.qoh, r.location) for r in res] == [
        ("A", True, 20, "central"), ("A", True, 30, "east"), ("B", True, 0, "")]
    assert emu.requests[SAVE] == 1
    assert [emu.quantity("A", s) for s in ("default", "central", "east")] == [5, 20, 30]
    found = conn.get_items(["A", "B"], locations=("central", "east"))
    assert (found["A"].qoh, dict(found["A"].locations)) == (5, {"central": 20, "east": 30})
    assert (found["B"].qoh, dict(found["B"].locations)) == (0, {"central": 9})
    listed = {i.sku: (i.qoh, dict(i.locations)) for i in conn.list_items(locations=("east",))}
    assert listed == {"A": (5, {"east": 30}), "B": (0, {})}
    assert conn.get_items(["A"])["A"].locations == {}  # today's call: no source read


def test_an_item_only_at_a_named_source_has_no_quantity_at_the_configured_one(emu, conn):
    emu.add_item("ONLY-CENTRAL", 4, source_code="central")
    found = conn.get_items(["ONLY-CENTRAL"], locations=("central",))
    assert (found["ONLY-CENTRAL"].qoh, dict(found["ONLY-CENTRAL"].locations)) == (None, {"central": 4})


def test_an_unknown_source_is_a_refused_item_and_the_rest_is_written(emu, conn):
    res = conn.set_qoh([QohUpdate("A", 11, location="nowhere"),
                        QohUpdate("B", 12, location="central")])
    assert not res[0].ok and res[0].location == "nowhere"
    assert type(res[0].error) is PermanentError and res[0].error.status == 400
    assert "Could not save Source Item" in str(res[0].error)  # the cart's words
    assert res[1].ok and emu.quantity("B", "central") == 12
    assert emu.quantity("A", "nowhere") is None
    assert emu.requests[SAVE] == 3  # refused whole, bisected: each alone
