"""Cart locations as the carts really answer: recorded answers (tests/contract/recordings/
*-locations*.json, *-msi-sources*.json; each entry names its source) replayed through the
connectors' location API, and the same requests sent to our emulators, whose answers must
have the recordings' shape.

- Shopify: recordings/shopify-locations-2026-04.json, from airhorns/shopify-draft-proxy's
  captures of a live 2026-04 store with two locations (inventorySetQuantities at one of
  them, each change naming its location; an adjustment naming an unknown item at an
  unknown location, refused with INVALID_INVENTORY_ITEM and INVALID_LOCATION).
- BigCommerce: recordings/bigcommerce-locations-v3.json, `GET /v3/inventory/locations`
  built from the LocationResponse examples of github.com/bigcommerce/docs
  reference/locations.v3.yml (it has no whole-answer example).
- Magento: recordings/magento-msi-sources-2.4.json, the "Search for sources" and "Search
  for source items" answers of magento/devdocs src/guides/v2.4/rest/modules/inventory/
  manage-sources.md and manage-source-items.md (one SKU at `central` and `east`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from replay import Recording, ReplayCart, assert_covers

from seom_desktop.carts.base import CartConfig, CartLocation, PermanentError, QohUpdate
from seom_desktop.carts.bigcommerce import BigCommerceConnector
from seom_desktop.carts.magento import MagentoConnector
from seom_desktop.carts.shopify import ShopifyConnector
from seom_desktop.emulators.bigcommerce import BigCommerceEmulator
from seom_desktop.emulators.magento import MagentoEmulator
from seom_desktop.emulators.shopify import API_VERSION, ShopifyEmulator

HERE = Path(__file__).with_name("recordings")
SHOPIFY = json.loads((HERE / "shopify-locations-2026-04.json").read_text())
MAGENTO = json.loads((HERE / "magento-msi-sources-2.4.json").read_text())
BIGCOMMERCE = json.loads((HERE / "bigcommerce-locations-v3.json").read_text())
GRAPHQL = rf"/admin/api/{API_VERSION}/graphql\.json"
SOURCE_A = "gid://shopify/Location/113884234034"  # the live store's two locations
SOURCE_B = "gid://shopify/Location/113884266802"
LIVE_ITEM = "gid://shopify/InventoryItem/53564958638386"
TOKEN = "magento-recorded-token"


def _entry(book: dict, name: str) -> tuple[dict, str]:
    return book[name]["body"], book[name]["source"]


# --- Shopify ------------------------------------------------------------------------------
def _shopify(cart) -> ShopifyConnector:
    return ShopifyConnector(CartConfig(name="Recorded Shopify", kind="shopify", url=cart.url,
                                       token="shpat_recorded", location=SOURCE_B,
                                       read_timeout=5.0))


def _ours_location() -> Recording:  # the connector's check of its configured location
    return Recording("POST", GRAPHQL, {"data": {"location": {
        "id": SOURCE_B, "name": "Inventory Item Levels Destination", "isActive": True}}},
        "ours", body_has="SeomLocation(")


def test_shopify_recorded_set_at_a_named_location_is_that_locations_result():
    body, source = _entry(SHOPIFY, "inventorySetQuantities at one of two locations")
    cart = ReplayCart([_ours_location(), Recording("POST", GRAPHQL, body, source,
                                                   body_has="SeomSet")]).start()
    conn = _shopify(cart)
    try:
        res = conn.set_qoh([QohUpdate("LIVE", 4, item_id=LIVE_ITEM, expected=0, key="k",
                                      location=SOURCE_A)])
    finally:
        conn.close()
        cart.stop()
    assert [(r.ok, r.qoh, r.location) for r in res] == [(True, 4, SOURCE_A)]
    sent = [json.loads(r.body)["variables"] for r in cart.received if b"SeomSet" in r.body]
    # the named location, not the configured one; a key that says which location
    assert sent[0]["input"]["quantities"][0]["locationId"] == SOURCE_A
    assert sent[0]["key"] == f"k@{SOURCE_A}"
    assert not cart.unanswered


def test_shopify_emulator_answers_a_set_at_a_second_location_like_the_live_store():
    body, source = _entry(SHOPIFY, "inventorySetQuantities at one of two locations")
    emu = ShopifyEmulator().start()
    try:
        second = emu.add_location("Inventory Item Levels Source")
        gid = emu.add_item("LIVE", 0, location=second)
        answer = requests.post(f"{emu.url}/admin/api/{API_VERSION}/graphql.json", json={
            "query": "mutation S($input: InventorySetQuantitiesInput!, $k: String!) {"
                     " inventorySetQuantities(input: $input) @idempotent(key: $k) {"
                     " inventoryAdjustmentGroup { reason referenceDocumentUri changes {"
                     " name delta quantityAfterChange item { id } location { id name } } }"
                     " userErrors { field message } } }",
            "variables": {"k": "live-set", "input": {
                "name": "available", "reason": "correction",
                "referenceDocumentUri": "logistics://inventory-item-levels/set/1",
                "quantities": [{"inventoryItemId": gid, "locationId": second, "quantity": 4,
                                "changeFromQuantity": 0}]}}},
            headers={"X-Shopify-Access-Token": emu.token}, timeout=5).json()
        assert emu.quantity("LIVE", second) == 4 and emu.quantity("LIVE") is None
    finally:
        emu.stop()
    assert_covers(body["data"], answer["data"], source)
    changes = answer["data"]["inventorySetQuantities"]["inventoryAdjustmentGroup"]["changes"]
    assert {c["location"]["id"] for c in changes} == {second}


def test_shopify_unknown_location_is_refused_in_the_live_words_by_the_emulator():
    entry = SHOPIFY["inventoryAdjustQuantities at an unknown location"]
    emu = ShopifyEmulator().start()
    try:
        answer = requests.post(f"{emu.url}/admin/api/{API_VERSION}/graphql.json", json={
            "query": "mutation A($input: InventoryAdjustQuantitiesInput!, $k: String!) {"
                     " inventoryAdjustQuantities(input: $input) @idempotent(key: $k) {"
                     " inventoryAdjustmentGroup { id } userErrors { field message code } } }",
            "variables": {"k": "unknown-both", "input": {
                "name": "available", "reason": "correction", "changes": [entry["request"]]}}},
            headers={"X-Shopify-Access-Token": emu.token}, timeout=5).json()
    finally:
        emu.stop()
    assert_covers(entry["body"]["data"], answer["data"], entry["source"])
    assert answer["data"] == entry["body"]["data"]  # both errors, in the live order


def test_shopify_recorded_unknown_location_is_a_refused_item_naming_it():
    """The live answer, verbatim: an unknown item at an unknown location. The location's
    error decides (a look-up of the item by SKU cannot help it): nothing is looked up."""
    entry = SHOPIFY["inventoryAdjustQuantities at an unknown location"]
    cart = ReplayCart([_ours_location(), Recording("POST", GRAPHQL, entry["body"],
                                                   entry["source"], body_has="SeomAdjust")]).start()
    conn = _shopify(cart)
    row = entry["request"]
    try:
        res = conn.set_qoh([QohUpdate("GONE", 1, item_id=row["inventoryItemId"], delta=1,
                                      expected=0, key="a", location=row["locationId"])])
    finally:
        conn.close()
        cart.stop()
    assert not res[0].ok and res[0].location == row["locationId"]
    assert type(res[0].error) is PermanentError and res[0].error.code == "INVALID_LOCATION"
    assert "The specified location could not be found." in str(res[0].error)
    assert row["locationId"] in str(res[0].error)
    assert not cart.unanswered and len(cart.received) == 2  # no look-up, no second send


# --- BigCommerce ----------------------------------------------------------------------------
def test_bigcommerce_recorded_locations_are_listed():
    body, source = _entry(BIGCOMMERCE, "GET /v3/inventory/locations")
    rec = Recording("GET", r"/stores/abc123/v3/inventory/locations", body, source)
    with ReplayCart([rec]) as cart:
        conn = BigCommerceConnector(CartConfig(name="bc", kind="bigcommerce",
                                               url=f"{cart.url}/stores/abc123", token="t"))
        found = conn.list_locations()
        conn.close()
        assert not cart.unanswered
    assert found == [CartLocation("2", "Central store", True)]
    emu = BigCommerceEmulator().start()
    try:
        emu.add_location("Central store")
        emulated = requests.get(f"{emu.url}/stores/abc123/v3/inventory/locations",
                                headers={"X-Auth-Token": emu.token}, timeout=5).json()
    finally:
        emu.stop()
    assert_covers(body, emulated, source)
    assert [r["id"] for r in emulated["data"]] == [1, 2]


# --- Magento ----------------------------------------------------------------------------------
@pytest.fixture
def magento():
    e = MagentoEmulator(integration_token=TOKEN, sources=("default",)).start()
    e.add_source("central", "Central Shipping Center")
    e.add_source("east", "Eastern Shipping Center")
    e.add_item("new_product2", 500, source_code="central")
    e.set_quantity("new_product2", 250, "east")
    yield e
    e.stop()


def _magento(cart) -> MagentoConnector:
    return MagentoConnector(CartConfig(name="magento", kind="magento", url=cart.url,
                                       token=TOKEN, location="central", read_timeout=5))


def _magento_get(emu, path: str, params) -> dict:
    return requests.get(f"{emu.url}/rest/default/V1/{path}", params=params, timeout=5,
                        headers={"Authorization": f"Bearer {TOKEN}"}).json()


def test_magento_recorded_sources_are_listed(magento):
    body, source = _entry(MAGENTO, "GET /V1/inventory/sources")
    with ReplayCart([Recording("GET", r"/rest/default/V1/inventory/sources", body, source)]) as cart:
        conn = _magento(cart)
        found = conn.list_locations()
        conn.close()
        asked = cart.received[0].query
    assert [(s.id, s.name, s.active) for s in found] == [
        ("central", "Central Shipping Center", True), ("default", "Default Source", True),
        ("east", "Eastern Shipping Center", True)]
    emulated = _magento_get(magento, "inventory/sources", asked)
    assert_covers(body, emulated, source)
    assert [s["source_code"] for s in emulated["items"]] == ["default", "central", "east"]


def test_magento_recorded_source_items_are_read_per_source(magento):
    body, source = _entry(MAGENTO, "GET /V1/inventory/source-items")
    with ReplayCart([Recording("GET", r"/rest/default/V1/inventory/source-items", body,
                               source)]) as cart:
        conn = _magento(cart)
        found = conn.get_items(["new_product2"], locations=("central", "east"))
        conn.close()
        asked = cart.received[0]
    item = found["new_product2"]
    assert (item.qoh, dict(item.locations)) == (500, {"central": 500, "east": 250})
    assert asked.arg("searchCriteria[filter_groups][0][filters][0][value]") == "central,east"
    assert asked.arg("searchCriteria[filter_groups][0][filters][0][condition_type]") == "in"
    emulated = _magento_get(magento, "inventory/source-items", asked.query)
    assert_covers(body, emulated, source)
    assert sorted((r["source_code"], r["quantity"]) for r in emulated["items"]) == [
        ("central", 500), ("east", 250)]
