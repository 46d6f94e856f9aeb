"""Shopify's inventory writes as Shopify really answers them: recorded answers replayed
through the connector (a group with changes, a null group for a mutation that changes
nothing, a group holding only the item that moved, a bundle parent refused, a stale
compare, THROTTLED), and the same requests sent to our emulator, whose answers must have
the recordings' shape.

Sources (each recording names its own):
- DRAFT_NOOP: github.com/airhorns/shopify-draft-proxy fixtures/conformance/
  harry-test-heelo.myshopify.com/2026-04/products/inventory-adjust-zero-delta-noop.json,
  captured from a live 2026-04 store: inventoryAdjustQuantities with every delta 0 answers
  `"inventoryAdjustmentGroup": null, "userErrors": []`; a delta 0 next to a delta 3
  answers a group holding only the item that moved.
- DRAFT_CONTRACTS: the same repository, .../2026-04/products/
  inventory-quantity-contracts-2026-04.json: inventorySetQuantities 0 -> 5 and
  inventoryAdjustQuantities +2, each answered with a group of `available` and `on_hand`.
- BCAPPS: github.com/microsoft/BCApps issue 8396, the live answer to a batch holding a
  bundle parent (inventorySetOnHandQuantities there: list `setQuantities`, index 71, no
  `code` asked). Replayed here as inventorySetQuantities answers it: the list named
  `quantities`, and the code shopify.dev's InventorySetQuantitiesUserErrorCode gives those
  words (NON_MUTABLE_INVENTORY_ITEM), which our documents ask for.
- STALE_LIVE: a public client's test quoting Shopify 2026-07's answer to a wrong
  changeFromQuantity on a development shop (the VestiFlow project's
  shopify-graphql.client spec; the search index does not name its repository): `field`
  null and "The changeFromQuantity argument no longer matches the persisted quantity.",
  with the code of shopify.dev's enum for those words, which our documents ask for.
  Our emulator names the item (["input", "quantities", "<i>", "changeFromQuantity"]);
  null matches any path in the shape comparison, and the connector reads either.
- COMMUNITY: community.shopify.com/t/throttled/254776, a THROTTLED answer.
Answers marked "ours" are the connector's look-ups around the write (the location, a
read-back), in the emulator's shape; they are not under test.
"""

from __future__ import annotations

import copy
import json

import pytest
import requests
from replay import Recording, ReplayCart, assert_covers

from seom_desktop.carts.base import (
    CartConfig,
    ManagedByCartError,
    QohUpdate,
    RateLimitedError,
    StaleQuantityError,
)
from seom_desktop.carts.shopify import ShopifyConnector
from seom_desktop.carts.shopify_writes import BUNDLE_NOTE
from seom_desktop.emulators.shopify import API_VERSION, ShopifyEmulator

DRAFT = "github.com/airhorns/shopify-draft-proxy fixtures/conformance/harry-test-heelo.myshopify.com/2026-04/products/"
DRAFT_NOOP = DRAFT + "inventory-adjust-zero-delta-noop.json"
DRAFT_CONTRACTS = DRAFT + "inventory-quantity-contracts-2026-04.json"
BCAPPS = "github.com/microsoft/BCApps/issues/8396"
STALE_LIVE = "VestiFlow shopify-graphql.client spec (Shopify 2026-07, quoted)"
COMMUNITY = "community.shopify.com/t/throttled/254776"
GRAPHQL = rf"/admin/api/{API_VERSION}/graphql\.json"

LOC = "gid://shopify/Location/106318430514"
ZERO = "gid://shopify/InventoryItem/53489877745970"  # DRAFT_NOOP's two items
MOVED = "gid://shopify/InventoryItem/53489877778738"
SET_ITEM = "gid://shopify/InventoryItem/53208220533042"  # DRAFT_CONTRACTS' item


def cost(requested, actual, available):
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                     "throttleStatus": {"maximumAvailable": 2000, "currentlyAvailable": available,
                                        "restoreRate": 100}}}


def change(name, delta, item, location):
    return {"name": name, "delta": delta, "quantityAfterChange": None, "item": {"id": item},
            "location": location}


NOOP = {  # DRAFT_NOOP "allZero"
    "data": {"inventoryAdjustQuantities": {"inventoryAdjustmentGroup": None, "userErrors": []}},
    "extensions": cost(13, 10, 1990)}
MIXED = {  # DRAFT_NOOP "mixedZeroAndNonzero"
    "data": {"inventoryAdjustQuantities": {"inventoryAdjustmentGroup": {
        "reason": "correction",
        "referenceDocumentUri": "logistics://inventory-adjust-zero-delta/mixed/1782705210086",
        "changes": [change("available", 3, MOVED, {"id": LOC}),
                    change("on_hand", 3, MOVED, {"id": LOC})]},
        "userErrors": []}},
    "extensions": cost(13, 13, 1987)}
SHOP_LOCATION = {"id": LOC, "name": "Shop location"}
SET_5 = {  # DRAFT_CONTRACTS "inventorySetQuantities"
    "data": {"inventorySetQuantities": {"inventoryAdjustmentGroup": {
        "id": "gid://shopify/InventoryAdjustmentGroup/53834338828594",
        "createdAt": "2026-04-28T03:34:16Z", "reason": "correction",
        "referenceDocumentUri": "logistics://har-408/set/1777347255873",
        "changes": [change("available", 5, SET_ITEM, SHOP_LOCATION),
                    change("on_hand", 5, SET_ITEM, SHOP_LOCATION)]},
        "userErrors": []}},
    "extensions": cost(13, 13, 1987)}
NON_MUTABLE = {  # BCAPPS, as inventorySetQuantities names the list (see above)
    "data": {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": [{
        "field": ["input", "quantities", "1", "inventoryItemId"],
        "message": "The specified inventory item is not allowed to be adjusted via API. "
                   "Example: if the inventory item is a parent bundle.",
        "code": "NON_MUTABLE_INVENTORY_ITEM"}]}},
    "extensions": cost(13, 10, 1990)}
STALE = {  # STALE_LIVE
    "data": {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": [{
        "field": None,
        "message": "The changeFromQuantity argument no longer matches the persisted quantity.",
        "code": "CHANGE_FROM_QUANTITY_STALE"}]}},
    "extensions": cost(13, 10, 1990)}
THROTTLED = {  # COMMUNITY
    "errors": [{"message": "Throttled", "extensions": {
        "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
    "extensions": {"cost": {"requestedQueryCost": 752, "actualQueryCost": None, "throttleStatus": {
        "maximumAvailable": 1000.0, "currentlyAvailable": 666, "restoreRate": 50.0}}}}
LOCATION = {"data": {"location": {"id": LOC, "name": "Shop location", "isActive": True}},
            "extensions": cost(1, 1, 1999)}  # ours


def variants(rows: list[tuple[str, str, int]]) -> dict:
    """Ours: the read-back of (sku, inventory item, available), in the emulator's shape."""
    return {"data": {"productVariants": {
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "nodes": [{"sku": sku, "displayName": f"{sku} - Default Title", "requiresComponents": False,
                   "inventoryItem": {"id": gid, "tracked": True, "inventoryLevel": {
                       "quantities": [{"name": "available", "quantity": qty}]}}}
                  for sku, gid, qty in rows]}},
        "extensions": cost(5, 5, 1995)}


def graphql(body: dict, source: str, has: str) -> Recording:
    return Recording("POST", GRAPHQL, body, source, body_has=has)


def replay(*recordings: Recording) -> ReplayCart:
    return ReplayCart([graphql(LOCATION, "ours", "SeomLocation("), *recordings]).start()


def connector(cart) -> ShopifyConnector:
    return ShopifyConnector(CartConfig(name="Recorded Shopify", kind="shopify", url=cart.url,
                                       token="shpat_recorded", location=LOC, read_timeout=5.0))


def mutations(cart) -> list[dict]:
    """The variables of each inventory mutation the connector sent."""
    return [json.loads(r.body)["variables"] for r in cart.received
            if b"inventory" in r.body and b"mutation" in r.body]


def written(cart) -> list[list[str]]:
    return [[row["inventoryItemId"] for row in v["input"].get("quantities") or v["input"]["changes"]]
            for v in mutations(cart)]


# --- replayed through the connector -------------------------------------------------------


def test_a_recorded_null_group_is_every_item_at_the_value_asked():
    cart = replay(graphql(NOOP, DRAFT_NOOP, "SeomAdjust"))
    conn = connector(cart)
    try:
        res = conn.set_qoh([QohUpdate("ZERO", 0, item_id=ZERO, delta=0, expected=0, key="z")])
    finally:
        conn.close()
        cart.stop()
    assert [(r.ok, r.qoh, r.item_id, r.error) for r in res] == [(True, 0, ZERO, None)]
    assert not cart.unanswered and written(cart) == [[ZERO]]


def test_an_item_absent_from_the_recorded_changes_is_at_the_value_asked():
    cart = replay(graphql(MIXED, DRAFT_NOOP, "SeomAdjust"))
    conn = connector(cart)
    try:
        res = conn.set_qoh([QohUpdate("ZERO", 0, item_id=ZERO, delta=0, expected=0, key="z"),
                            QohUpdate("MOVED", 3, item_id=MOVED, delta=3, expected=0, key="m")])
    finally:
        conn.close()
        cart.stop()
    assert [(r.sku, r.ok, r.qoh) for r in res] == [("ZERO", True, 0), ("MOVED", True, 3)]
    assert not cart.unanswered and len(mutations(cart)) == 1


def test_a_recorded_set_is_applied():
    cart = replay(graphql(SET_5, DRAFT_CONTRACTS, "SeomSet"))
    conn = connector(cart)
    try:
        res = conn.set_qoh([QohUpdate("S", 5, item_id=SET_ITEM, expected=0, key="s")])
    finally:
        conn.close()
        cart.stop()
    assert [(r.ok, r.qoh, r.item_id) for r in res] == [(True, 5, SET_ITEM)]
    sent = mutations(cart)[0]["input"]["quantities"]
    assert sent == [{"inventoryItemId": SET_ITEM, "locationId": LOC, "quantity": 5,
                     "changeFromQuantity": 0}]


def test_a_recorded_bundle_refusal_settles_the_bundle_and_sends_the_rest_once():
    kit = "gid://shopify/InventoryItem/900071"
    cart = replay(graphql(NON_MUTABLE, BCAPPS, "SeomSet"),
                  graphql(SET_5, DRAFT_CONTRACTS, "SeomSet"),
                  graphql(SET_5, DRAFT_CONTRACTS, "SeomSet"))
    conn = connector(cart)
    try:
        first = conn.set_qoh([QohUpdate("S", 5, item_id=SET_ITEM, expected=0, key="s1"),
                              QohUpdate("KIT", 4, item_id=kit, expected=1, key="k1")])
        later = conn.set_qoh([QohUpdate("KIT", 3, item_id=kit, expected=1, key="k2"),
                              QohUpdate("S", 5, item_id=SET_ITEM, expected=0, key="s2")])
    finally:
        conn.close()
        cart.stop()
    assert [(r.sku, r.ok) for r in first] == [("S", True), ("KIT", False)]
    assert isinstance(first[1].error, ManagedByCartError)
    assert first[1].error.note == BUNDLE_NOTE and first[1].item_id == kit
    assert isinstance(later[0].error, ManagedByCartError) and later[1].ok
    # refused whole with the bundle; the rest alone; later batches leave the bundle out
    assert written(cart) == [[SET_ITEM, kit], [SET_ITEM], [SET_ITEM]]
    assert not cart.unanswered


def test_a_recorded_stale_compare_without_a_field_is_found_by_a_read():
    cart = replay(graphql(STALE, STALE_LIVE, "SeomSet"),
                  graphql(variants([("A", "gid://shopify/InventoryItem/1", 4),
                                    ("S", SET_ITEM, 0)]), "ours", "SeomVariants"),
                  graphql(SET_5, DRAFT_CONTRACTS, "SeomSet"),
                  graphql(variants([("A", "gid://shopify/InventoryItem/1", 4)]), "ours",
                          "SeomVariants"))
    conn = connector(cart)
    try:
        res = conn.set_qoh([QohUpdate("A", 9, item_id="gid://shopify/InventoryItem/1",
                                      expected=2, key="a"),
                            QohUpdate("S", 5, item_id=SET_ITEM, expected=0, key="s")])
    finally:
        conn.close()
        cart.stop()
    assert isinstance(res[0].error, StaleQuantityError) and res[0].error.actual == 4
    assert "no longer matches the persisted quantity" in str(res[0].error)
    assert res[1].ok and res[1].qoh == 5
    assert written(cart) == [["gid://shopify/InventoryItem/1", SET_ITEM], [SET_ITEM]]
    assert not cart.unanswered


def test_a_recorded_throttled_write_is_a_rate_limit_and_nothing_is_concluded():
    cart = replay(graphql(THROTTLED, COMMUNITY, "SeomSet"))
    conn = connector(cart)
    try:
        with pytest.raises(RateLimitedError) as e:
            conn.set_qoh([QohUpdate("S", 5, item_id=SET_ITEM, expected=0, key="s")])
    finally:
        conn.close()
        cart.stop()
    assert e.value.delay > 0 and len(mutations(cart)) == 1


# --- the same requests to our emulator ----------------------------------------------------

# The recorded documents' selections (DRAFT_NOOP, DRAFT_CONTRACTS), with the @idempotent
# key 2026-04 requires.
ADJUST_AS_RECORDED = """
mutation Recorded($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup {
      reason referenceDocumentUri
      changes { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { field message code }
  }
}
"""
SET_AS_RECORDED = """
mutation Recorded($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup {
      id createdAt reason referenceDocumentUri
      changes { name delta quantityAfterChange item { id } location { id name } }
    }
    userErrors { field message code }
  }
}
"""


@pytest.fixture
def emu():
    e = ShopifyEmulator().start()
    yield e
    e.stop()


def ask(emu, query: str, variables: dict) -> dict:
    return requests.post(f"{emu.url}/admin/api/{API_VERSION}/graphql.json",
                         json={"query": query, "variables": variables},
                         headers={"X-Shopify-Access-Token": emu.token}, timeout=5).json()


def adjust_input(rows, location, uri):
    return {"name": "available", "reason": "correction", "referenceDocumentUri": uri,
            "changes": [{"inventoryItemId": gid, "locationId": location, "delta": d,
                         "changeFromQuantity": c} for gid, d, c in rows]}


def set_input(rows, location, uri="logistics://har-408/set/1777347255873"):
    return {"name": "available", "reason": "correction", "referenceDocumentUri": uri,
            "quantities": [{"inventoryItemId": gid, "locationId": location, "quantity": q,
                            "changeFromQuantity": c} for gid, q, c in rows]}


def test_the_emulator_answers_a_mutation_that_changes_nothing_as_recorded(emu):
    zero = emu.add_item("ZERO", 0)
    out = ask(emu, ADJUST_AS_RECORDED, {"key": "noop", "input": adjust_input(
        [(zero, 0, 0)], emu.location_id, "logistics://inventory-adjust-zero-delta/noop/1")})
    assert_covers(NOOP, out, DRAFT_NOOP)
    assert out["data"] == NOOP["data"]


def test_the_emulator_lists_only_the_item_that_moved_as_recorded(emu):
    zero, moved = emu.add_item("ZERO", 0), emu.add_item("MOVED", 0)
    uri = "logistics://inventory-adjust-zero-delta/mixed/1782705210086"
    out = ask(emu, ADJUST_AS_RECORDED, {"key": "mixed", "input": adjust_input(
        [(zero, 0, 0), (moved, 3, 0)], emu.location_id, uri)})
    assert_covers(MIXED, out, DRAFT_NOOP)
    group = out["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    assert [(c["name"], c["delta"], c["item"]["id"]) for c in group["changes"]] == [
        ("available", 3, moved), ("on_hand", 3, moved)]


def test_the_emulator_answers_a_set_as_recorded(emu):
    item = emu.add_item("S", 0)
    out = ask(emu, SET_AS_RECORDED, {"key": "set", "input": set_input([(item, 5, 0)],
                                                                       emu.location_id)})
    assert_covers(SET_5, out, DRAFT_CONTRACTS)


def test_the_emulator_refuses_a_bundle_parent_as_recorded(emu):
    item, kit = emu.add_item("S", 0), emu.add_item("KIT", 1, bundle=True)
    out = ask(emu, SET_AS_RECORDED, {"key": "kit", "input": set_input(
        [(item, 5, 0), (kit, 4, 1)], emu.location_id)})
    assert_covers(NON_MUTABLE, out, BCAPPS)
    assert out["data"] == NON_MUTABLE["data"]


def test_the_emulator_refuses_a_stale_compare_with_the_recorded_words(emu):
    item = emu.add_item("S", 3)
    out = ask(emu, SET_AS_RECORDED, {"key": "stale", "input": set_input([(item, 5, 0)],
                                                                         emu.location_id)})
    assert_covers(STALE, out, STALE_LIVE)
    [err] = out["data"]["inventorySetQuantities"]["userErrors"]
    assert (err["code"], err["message"]) == ("CHANGE_FROM_QUANTITY_STALE",
                                             STALE["data"]["inventorySetQuantities"]
                                             ["userErrors"][0]["message"])


def test_the_emulator_throttles_a_write_as_recorded(emu):
    item = emu.add_item("S", 0)
    emu.bucket.set_available(0)
    out = ask(emu, SET_AS_RECORDED, {"key": "t", "input": set_input([(item, 5, 0)],
                                                                     emu.location_id)})
    recorded = copy.deepcopy(THROTTLED)
    assert_covers(recorded, out, COMMUNITY)
    assert emu.quantity("S") == 0  # nothing ran
