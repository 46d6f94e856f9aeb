"""The inventory mutations of the Shopify emulator (Admin GraphQL API 2026-04):
inventoryAdjustQuantities and inventorySetQuantities.

Documented behaviours reproduced (shopify.dev mutation references and the
InventoryAdjustQuantitiesUserErrorCode / InventorySetQuantitiesUserErrorCode enums):

- more than 250 changes is refused (MAX_INPUT_SIZE_EXCEEDED, "The input array size of N
  is greater than the maximum allowed of 250.");
- every change must include changeFromQuantity ("InventoryChangeInput must include the
  following argument: changeFromQuantity.", INVALID_FIELD_ARGUMENTS; null opts out);
- the @idempotent(key:) directive is required ("The @idempotent directive is required for
  this mutation but was not provided.", BAD_REQUEST); the same key with the same input
  returns the first result without applying again, with other input
  IDEMPOTENCY_KEY_PARAMETER_MISMATCH ("The same idempotency key cannot be used with
  different operation parameters.");
- user errors, each with `field` ["input", "changes"|"quantities", "<i>", "<name>"]:
  INVALID_INVENTORY_ITEM "The specified inventory item could not be found." (an id that
  never existed, or whose variant was deleted); INVALID_LOCATION "The specified location
  could not be found." (at [.., "<i>", "locationId"]; a change naming an unknown item at
  an unknown location gets both errors, item first, as a live 2026-04 answer has it:
  airhorns/shopify-draft-proxy fixtures/conformance/harry-test-heelo.myshopify.com/
  2026-04/products/inventory-existence-validation.json); ITEM_NOT_STOCKED_AT_LOCATION ("The specified inventory item is not
  stocked at the location." for inventorySetQuantities, "The inventory item is not
  stocked at the location." for inventoryAdjustQuantities); CHANGE_FROM_QUANTITY_STALE
  "The changeFromQuantity argument no longer matches the persisted quantity.";
  INVALID_REASON, INVALID_NAME / INVALID_QUANTITY_NAME, INVALID_QUANTITY_TOO_HIGH/_LOW;
- NON_MUTABLE_INVENTORY_ITEM "The specified inventory item is not allowed to be adjusted
  via API. Example: if the inventory item is a parent bundle." for the inventory item of a
  bundle (`requiresComponents`), at ["input", "<list>", "<i>", "inventoryItemId"]: the
  words and the path of a live answer quoted in microsoft/BCApps#8396 (there for
  inventorySetOnHandQuantities, whose list is `setQuantities`), where one bundle parent
  made Shopify refuse the whole batch;
- a mutation with any user error applies none of its changes (inventoryAdjustmentGroup
  null);
- a change that leaves a quantity as it was is not in the group's `changes`, and a
  mutation that changes nothing answers `"inventoryAdjustmentGroup": null` with
  `"userErrors": []`. Recorded from a live 2026-04 store for inventoryAdjustQuantities
  (airhorns/shopify-draft-proxy, fixtures/conformance/harry-test-heelo.myshopify.com/
  2026-04/products/inventory-adjust-zero-delta-noop.json: all deltas 0 -> null group;
  one 0 and one 3 -> a group holding only the item that moved, as `available` and
  `on_hand`). No public recording of inventorySetQuantities to the value already held
  was found; it is answered the same way, as the issue filed against this project
  reports of live 2026-04 answers.

An untracked inventory item: neither enum names a user error for it, so its quantity is
set like any other (the change is recorded; the item's `tracked` stays false and the
payload's `item { tracked }` says so).
"""

from __future__ import annotations

import json

from graphql import GraphQLError
from graphql.execution.values import get_directive_values

from seom_desktop.emulators.shopify_schema import GID, IDEMPOTENT, now_iso

MAX_CHANGES = 250
REASONS = {"correction", "cycle_count_available", "damaged", "movement_created",
           "movement_updated", "movement_received", "movement_canceled", "other",
           "promotion", "quality_control", "received", "reservation_created",
           "reservation_deleted", "reservation_updated", "restock", "safety_stock",
           "shrinkage"}
STALE = "The changeFromQuantity argument no longer matches the persisted quantity."
NOT_FOUND = "The specified inventory item could not be found."
NO_LOCATION = "The specified location could not be found."
NOT_STOCKED_SET = "The specified inventory item is not stocked at the location."
NOT_STOCKED_ADJUST = "The inventory item is not stocked at the location."
NON_MUTABLE = ("The specified inventory item is not allowed to be adjusted via API. Example: "
               "if the inventory item is a parent bundle.")


class InventoryMutations:
    """Resolvers of the two inventory mutations; mixed into ShopifyEmulator (which holds
    items, locations, idempotency, mutations, applied, item_of, _item and _next)."""

    def _adjust(self, info, input):  # noqa: A002 - the API's argument name
        return self._mutate(info, input, "inventoryAdjustQuantities", "changes",
                            "InventoryChangeInput")

    def _set(self, info, input):  # noqa: A002 - the API's argument name
        return self._mutate(info, input, "inventorySetQuantities", "quantities",
                            "InventoryQuantityInput")

    def _mutate(self, info, data: dict, root: str, list_name: str, input_type: str) -> dict:
        rows = data[list_name]
        if len(rows) > MAX_CHANGES:
            raise GraphQLError(
                f"The input array size of {len(rows)} is greater than the maximum allowed of {MAX_CHANGES}.",
                info.field_nodes, path=[root, "input", list_name],
                extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"})
        if any("changeFromQuantity" not in row for row in rows):
            raise GraphQLError(
                f"{input_type} must include the following argument: changeFromQuantity.",
                info.field_nodes, extensions={"code": "INVALID_FIELD_ARGUMENTS"})
        directive = get_directive_values(IDEMPOTENT, info.field_nodes[0], info.variable_values)
        if not directive or not directive.get("key"):
            raise GraphQLError(
                "The @idempotent directive is required for this mutation but was not provided.",
                info.field_nodes, extensions={"code": "BAD_REQUEST"})
        key = directive["key"]
        params = json.dumps(data, sort_keys=True)
        stored = self.idempotency.get((root, key))
        before = self._levels_before(rows)
        if stored is not None:
            if stored[0] == params:
                self._log_rows(rows, before, key, params, applied=False)
                return stored[1]
            return {"inventoryAdjustmentGroup": None, "userErrors": [{
                "code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", "field": None,
                "message": "The same idempotency key cannot be used with different operation parameters."}]}
        payload = self._apply(data, rows, list_name, absolute=list_name == "quantities")
        self.idempotency[(root, key)] = (params, payload)
        self._log_rows(rows, before, key, params, applied=not payload["userErrors"])
        group = payload["inventoryAdjustmentGroup"]
        self.mutations.append({"root": root, "key": key, "applied": not payload["userErrors"],
                               "changes": len(group["changes"]) if group else 0,
                               "items": [row["inventoryItemId"] for row in rows]})
        return payload

    def _levels_before(self, rows: list[dict]) -> list[tuple[str, int | None]]:
        """(SKU, quantity at the row's location) of each row, before the mutation."""
        out = []
        for row in rows:
            item = self.item_of(row.get("inventoryItemId"))
            out.append((item.sku, item.levels.get(row.get("locationId"))) if item
                       else ("", None))
        return out

    def _log_rows(self, rows: list[dict], before: list, key: str, params: str, *,
                  applied: bool) -> None:
        for row, (sku, was) in zip(rows, before, strict=True):
            if sku:
                value = row["quantity"] if "quantity" in row else (
                    None if was is None else was + row["delta"])
                self.log_write(sku, value, was, key=key, request=params, applied=applied,
                               compared=row["changeFromQuantity"] is not None)

    def _apply(self, data: dict, rows: list[dict], list_name: str, absolute: bool) -> dict:
        locations = {loc["id"] for loc in self.locations}
        errors: list[dict] = []

        def err(i, name, code, message):
            path = ["input", list_name, str(i), name] if i is not None else ["input", name]
            errors.append({"field": path, "message": message, "code": code})

        not_stocked = NOT_STOCKED_SET if absolute else NOT_STOCKED_ADJUST
        if data["reason"] not in REASONS:
            err(None, "reason", "INVALID_REASON", "The specified reason is invalid.")
        if data["name"] != "available":
            err(None, "name", "INVALID_NAME" if absolute else "INVALID_QUANTITY_NAME",
                "The quantity name must be either 'available' or 'on_hand'." if absolute
                else "The specified quantity name is invalid.")
        plan = []
        for i, row in enumerate(rows):
            item = self.item_of(row["inventoryItemId"])
            if item is None:
                err(i, "inventoryItemId", "INVALID_INVENTORY_ITEM", NOT_FOUND)
            if row["locationId"] not in locations:  # said as well as an unknown item
                err(i, "locationId", "INVALID_LOCATION", NO_LOCATION)
            if item is None or row["locationId"] not in locations:
                continue
            if item.bundle:
                err(i, "inventoryItemId", "NON_MUTABLE_INVENTORY_ITEM", NON_MUTABLE)
                continue
            if row["locationId"] not in item.levels:
                err(i, "locationId", "ITEM_NOT_STOCKED_AT_LOCATION", not_stocked)
                continue
            current = item.levels[row["locationId"]]
            expected = row["changeFromQuantity"]
            if expected is not None and expected != current:
                err(i, "changeFromQuantity", "CHANGE_FROM_QUANTITY_STALE", STALE)
                continue
            target = row["quantity"] if absolute else current + row["delta"]
            if target > 1_000_000_000:
                err(i, "quantity" if absolute else "delta", "INVALID_QUANTITY_TOO_HIGH",
                    "The quantity can't be higher than 1,000,000,000.")
            elif target < -1_000_000_000:
                err(i, "quantity" if absolute else "delta", "INVALID_QUANTITY_TOO_LOW",
                    "The quantity can't be lower than -1,000,000,000.")
            else:
                plan.append((item, row["locationId"], current, target))
        if errors:  # Shopify applies a mutation whole or not at all
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        changes = []
        for item, loc, current, target in plan:
            if target == current:  # nothing moves: not a change of the group
                continue
            item.levels[loc] = target
            self.applied[item.sku] += 1
            location = next(dict(x) for x in self.locations if x["id"] == loc)
            for name in ("available", "on_hand"):
                changes.append({"name": name, "delta": target - current, "quantityAfterChange": None,
                                "ledgerDocumentUri": None, "item": self._item(item),
                                "location": location})
        if not changes:
            return {"inventoryAdjustmentGroup": None, "userErrors": []}
        group = {"id": GID.format("InventoryAdjustmentGroup", self._next()), "createdAt": now_iso(),
                 "reason": data["reason"], "referenceDocumentUri": data.get("referenceDocumentUri"),
                 "changes": changes}
        return {"inventoryAdjustmentGroup": group, "userErrors": []}


__all__ = ["InventoryMutations", "MAX_CHANGES", "NON_MUTABLE", "STALE"]
