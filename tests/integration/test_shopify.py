"""Shopify connector against the Shopify emulator, over real loopback sockets: reads,
writes and orders (rate limits and faults: test_shopify_faults.py)."""

from __future__ import annotations

import pytest
from shopify_kit import config, gql, shopify_fixtures

from seom_desktop.carts.base import (
    PermanentError,
    QohUpdate,
    StaleQuantityError,
    UnknownItemError,
)
from seom_desktop.carts.shopify import ShopifyConnector

ADJUST = """mutation A($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}"""
ADJUST_NO_KEY = """mutation A($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}"""


emu, conn = shopify_fixtures()


def change(emu, sku, delta, expected):
    return {"inventoryItemId": emu.add_item(sku, 5) if sku not in emu.items else
            f"gid://shopify/InventoryItem/{emu.items[sku].num}",
            "locationId": emu.location_id, "delta": delta, "changeFromQuantity": expected}


def adjust_input(changes):
    return {"reason": "correction", "name": "available", "changes": changes}


# --- reads ------------------------------------------------------------------------------


def test_connection_uses_first_active_location(emu):
    warehouse = emu.add_location("Warehouse")
    emu.locations[0]["isActive"] = False  # the shop's original location was closed
    emu.add_item("A", 5)
    c = ShopifyConnector(config(emu))
    text = c.test_connection()
    assert "Emulated Shop" in text and "Warehouse" in text
    assert c.set_qoh([QohUpdate("A", 9, expected=5)])[0].ok
    assert emu.quantity("A", warehouse) == 9


def test_configured_location_is_read_and_written(emu):
    back = emu.add_location("Back room")
    emu.add_item("A", 5)
    emu.set_quantity("A", 11, location=back)
    c = ShopifyConnector(config(emu, location=back))
    assert c.get_items(["A"])["A"].qoh == 11
    assert c.set_qoh([QohUpdate("A", 12, delta=1, expected=11)])[0].ok
    assert emu.quantity("A", back) == 12 and emu.quantity("A") == 5
    with pytest.raises(PermanentError):
        ShopifyConnector(config(emu, location="gid://shopify/Location/999")).test_connection()


def test_list_items_reads_the_catalog_through_one_bulk_operation(emu, conn):
    for n in range(350):
        emu.add_item(f"SKU-{n:04d}", n)
    emu.add_item("NOTRACK", 3, tracked=False)
    items = list(conn.list_items())
    assert len(items) == 351
    assert {i.sku: i.qoh for i in items if i.tracked} == {f"SKU-{n:04d}": n for n in range(350)}
    untracked = next(i for i in items if i.sku == "NOTRACK")
    assert untracked.tracked is False and untracked.qoh is None
    assert all(i.item_id.startswith("gid://shopify/InventoryItem/") for i in items)
    # no page of variants: one operation, polled by id
    assert emu.root_fields["productVariants"] == 0
    assert emu.root_fields["bulkOperationRunQuery"] == 1 and emu.root_fields["bulkOperation"] >= 1


def test_get_items_by_sku(emu, conn):
    odd = 'A "quoted" sku: with spaces'
    for sku in ("A", "B", odd, "C", "D", "E", "F"):
        emu.add_item(sku, len(sku))
    conn.sku_chunk = 3
    found = conn.get_items(["A", odd, "missing", "C", "D", "E", "F"])
    assert set(found) == {"A", odd, "C", "D", "E", "F"}
    assert found[odd].qoh == len(odd)
    assert found["A"].item_id.startswith("gid://shopify/InventoryItem/")


# --- writes -----------------------------------------------------------------------------


def test_set_and_adjust_apply_once_each(emu, conn):
    emu.add_item("A", 5)
    emu.add_item("B", 7)
    res = conn.set_qoh([QohUpdate("A", 2, expected=5), QohUpdate("B", 10, delta=3, expected=7)])
    assert [(r.sku, r.ok, r.qoh) for r in res] == [("A", True, 2), ("B", True, 10)]
    assert emu.snapshot()["items"] == {"A": 2, "B": 10}
    assert emu.applied == {"A": 1, "B": 1}


def test_same_idempotency_key_twice_applies_once(emu, conn):
    emu.add_item("A", 5)
    update = QohUpdate("A", 7, delta=2, expected=None, key="row-17")  # no CAS: only the key
    assert conn.set_qoh([update])[0].ok
    assert conn.set_qoh([update])[0].ok
    assert emu.quantity("A") == 7 and emu.applied["A"] == 1
    # the same key with other input is Shopify's IDEMPOTENCY_KEY_PARAMETER_MISMATCH ...
    body = gql(emu, ADJUST, {"key": "row-17", "input": adjust_input(
        [change(emu, "A", 1, None)])}).json()
    assert body["data"]["inventoryAdjustQuantities"]["userErrors"][0]["code"] == \
        "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    # ... which the connector answers by deriving a key of its own for the new input
    assert conn.set_qoh([QohUpdate("A", 8, delta=1, expected=7, key="row-17")])[0].ok
    assert emu.quantity("A") == 8 and emu.applied["A"] == 2


def test_stale_change_from_quantity_is_reported_and_the_rest_lands(emu, conn):
    emu.add_item("A", 5)
    emu.add_item("B", 7)
    emu.set_quantity("A", 4)  # sold in the Shopify admin since the store last looked
    res = conn.set_qoh([QohUpdate("A", 8, delta=3, expected=5), QohUpdate("B", 9, delta=2, expected=7)])
    assert not res[0].ok and isinstance(res[0].error, StaleQuantityError)
    assert res[0].error.actual == 4 and res[0].error.code == "CHANGE_FROM_QUANTITY_STALE"
    assert res[1].ok and res[1].qoh == 9
    assert emu.snapshot()["items"] == {"A": 4, "B": 9}
    assert [m["applied"] for m in emu.mutations] == [False, True]  # whole, then the rest


def test_emulator_refuses_a_mutation_with_one_stale_change_whole(emu):
    emu.add_item("A", 5)
    emu.add_item("B", 7)
    changes = [change(emu, "A", 1, 5), change(emu, "B", 1, 6)]
    body = gql(emu, ADJUST, {"key": "k", "input": adjust_input(changes)}).json()
    payload = body["data"]["inventoryAdjustQuantities"]
    assert payload["inventoryAdjustmentGroup"] is None
    assert payload["userErrors"] == [{
        "field": ["input", "changes", "1", "changeFromQuantity"],
        "message": "The changeFromQuantity argument no longer matches the persisted quantity.",
        "code": "CHANGE_FROM_QUANTITY_STALE"}]
    assert emu.snapshot()["items"] == {"A": 5, "B": 7} and not emu.applied


def test_mutation_without_idempotent_directive_is_refused(emu):
    emu.add_item("A", 5)
    resp = gql(emu, ADJUST_NO_KEY, {"input": adjust_input([change(emu, "A", 1, 5)])})
    body = resp.json()
    assert resp.status_code == 200
    assert body["errors"][0]["message"] == \
        "The @idempotent directive is required for this mutation but was not provided."
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert body["data"] == {"inventoryAdjustQuantities": None}
    assert emu.quantity("A") == 5 and not emu.applied


def test_change_without_change_from_quantity_is_refused(emu):
    emu.add_item("A", 5)
    row = change(emu, "A", 1, 5)
    del row["changeFromQuantity"]
    body = gql(emu, ADJUST, {"key": "k", "input": adjust_input([row])}).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_FIELD_ARGUMENTS"
    assert "must include the following argument: changeFromQuantity" in body["errors"][0]["message"]
    assert emu.quantity("A") == 5


def test_unknown_field_or_argument_fails_validation(emu, conn):
    body = gql(emu, "query Q { shop { name nonsense } }").json()
    assert body == {"errors": [{
        "message": "Field 'nonsense' doesn't exist on type 'Shop'",
        "locations": [{"line": 1, "column": 23}], "path": ["query Q", "shop", "nonsense"],
        "extensions": {"code": "undefinedField", "typeName": "Shop", "fieldName": "nonsense"}}]}
    body = gql(emu, "{ productVariants(first: 1, bogus: 2) { nodes { sku } } }").json()
    assert body["errors"][0]["extensions"]["code"] == "argumentNotAccepted"
    with pytest.raises(PermanentError) as e:
        conn._post("{ shop { inventoryLevels } }", {})
    assert e.value.code == "undefinedField"


def test_more_than_250_changes_are_refused(emu, conn):
    emu.add_item("A", 5)
    changes = [change(emu, "A", 1, None)] * 251
    body = gql(emu, ADJUST, {"key": "big", "input": adjust_input(changes)}).json()
    assert body["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"
    assert body["errors"][0]["message"] == \
        "The input array size of 251 is greater than the maximum allowed of 250."
    assert emu.quantity("A") == 5 and not emu.applied
    before = sum(emu.requests.values())
    with pytest.raises(PermanentError):
        conn.set_qoh([QohUpdate("A", 6)] * 251)
    assert sum(emu.requests.values()) == before


def test_unknown_and_untracked_items_are_refused_per_item(emu, conn):
    emu.add_item("A", 5)
    emu.add_item("U", 1, tracked=False)
    res = conn.set_qoh([QohUpdate("NOPE", 1), QohUpdate("U", 3), QohUpdate("A", 6, expected=5)])
    assert isinstance(res[0].error, UnknownItemError)
    assert isinstance(res[1].error, PermanentError) and "does not track" in str(res[1].error)
    assert res[2].ok and emu.applied == {"A": 1}


# --- orders -----------------------------------------------------------------------------


def test_orders_since_a_time_oldest_first(emu, conn):
    emu.add_item("A", 100)
    emu.add_item("B", 100)
    for n in range(12):
        emu.place_order([("A", 1), ("B", 2)], created_at=f"2026-05-01T10:{n:02d}:00Z")
    big = emu.place_order([("A", 1)] * 60, created_at="2026-05-02T00:00:00Z")
    orders = conn.list_orders("2026-05-01T10:05:00Z")
    assert [o.created for o in orders] == [f"2026-05-01T10:{n:02d}:00Z" for n in range(5, 12)] + [
        "2026-05-02T00:00:00Z"]
    assert orders[0].lines[0].sku == "A" and orders[0].lines[1].quantity == 2
    assert orders[-1].order_id == big and len(orders[-1].lines) == 60  # a second line page
    assert orders[0].status == "paid"
    assert len(conn.list_orders(None)) == 13
    assert emu.quantity("A") == 100 - 12 - 60 and emu.quantity("B") == 100 - 24
