"""Writing quantities to Shopify: inventorySetQuantities / inventoryAdjustQuantities by
inventory item id.

An update that carries the inventory item id the store recorded (`QohUpdate.item_id`, a
`gid://shopify/InventoryItem/<n>`) goes straight into the mutation: `changeFromQuantity`
makes Shopify refuse a change whose quantity moved (CHANGE_FROM_QUANTITY_STALE), so no
read is needed to be safe. Only updates without an id are looked up by SKU first.

Shopify applies a mutation whole or not at all: when some changes are refused, those
items are reported and the others re-sent under a key derived from the first. A change
refused because its stored id is wrong or gone (INVALID_INVENTORY_ITEM: "The specified
inventory item could not be found."; ITEM_NOT_STOCKED_AT_LOCATION: "The specified
inventory item is not stocked at the location." -- shopify.dev,
InventorySetQuantitiesUserErrorCode / InventoryAdjustQuantitiesUserErrorCode) is looked
up once by SKU: a different id found is written in the same call under a derived key;
no variant is UnknownItemError; an untracked one PermanentError. The reference names no
user error for an untracked item, so the payload asks `item { tracked }` of every change
and an untracked item written by a stored id is reported PermanentError (the write is
harmless: Shopify does not count stock it does not track). Results carry the id used.

A write that changes nothing is a success: Shopify 2026-04 answers a mutation whose every
quantity is already the one asked for with `"inventoryAdjustmentGroup": null` and no user
error, and leaves an item that did not move out of a group's `changes` (recorded live:
airhorns/shopify-draft-proxy, fixtures/conformance/harry-test-heelo.myshopify.com/2026-04/
products/inventory-adjust-zero-delta-noop.json). Such items are at the value asked for.

A bundle parent (a variant that `requiresComponents`) has an inventory item Shopify sets
from the bundle's components and refuses to let anyone set (NON_MUTABLE_INVENTORY_ITEM,
refusing the whole batch with it: microsoft/BCApps#8396). It is reported at once as
ManagedByCartError ("managed by Shopify bundles"), never sent when the read said so, and
remembered (by inventory item id) when Shopify said so, so later batches leave it out.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import replace

from seom_desktop.carts import shopify_queries as q
from seom_desktop.carts.base import (
    CartError,
    CartItem,
    ItemResult,
    ManagedByCartError,
    PermanentError,
    QohUpdate,
    RetryableError,
    StaleQuantityError,
    UnknownItemError,
)
from seom_desktop.carts.shopify_queries import Shape, change_index

STALE_CODES = {"CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"}
RETRY_CODES = {"IDEMPOTENCY_CONCURRENT_REQUEST", "ADJUST_QUANTITIES_FAILED", "SERVICE_UNAVAILABLE"}
MISMATCH = "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
STORED_ID_REFUSALS = {"INVALID_INVENTORY_ITEM", "ITEM_NOT_STOCKED_AT_LOCATION"}
ITEM_GID = re.compile(r"gid://shopify/InventoryItem/[0-9]+")
RELOOKUP = "relookup"  # the base of the key a re-looked-up item is written under
NON_MUTABLE = "NON_MUTABLE_INVENTORY_ITEM"
BUNDLE = "managed by Shopify bundles"  # CartItem.managed of a bundle parent
BUNDLE_NOTE = BUNDLE + ": Shopify sets its quantity from its components; not sent"


class _Entry:
    """One update of a batch on its way to Shopify; `stored`: its id came from the store
    (not from a look-up in this call); `location`: the Location gid it is written at."""

    def __init__(self, index: int, update: QohUpdate, item: CartItem, location: str,
                 stored: bool = False):
        self.index, self.update, self.item, self.stored = index, update, item, stored
        self.location = location


class _Outcome:
    """What a mutation said of the items it applied: available after (per item and
    location; a change that names no location counts for any), tracked."""

    def __init__(self, group: dict | None):
        self.after: dict[tuple[str, str], int | None] = {}
        self.tracked: dict[str, bool] = {}
        for change in (group or {}).get("changes") or ():
            item = change.get("item") if isinstance(change, dict) else None
            if not isinstance(item, dict):
                continue
            gid = str(item.get("id"))
            where = change.get("location")
            loc = str(where.get("id") or "") if isinstance(where, dict) else ""
            if isinstance(item.get("tracked"), bool):
                self.tracked[gid] = item["tracked"]
            if change.get("name") == "available":
                after = change.get("quantityAfterChange")
                self.after[(gid, loc)] = after if isinstance(after, int) and not isinstance(after, bool) else None

    def has(self, gid: str, location: str) -> bool:
        return (gid, location) in self.after or (gid, "") in self.after

    def after_at(self, gid: str, location: str) -> int | None:
        found = self.after.get((gid, location))
        return self.after.get((gid, "")) if found is None else found


def _at(item: CartItem | None, location: str, default: str) -> int | None:
    """An item's quantity at `location` (the connector's own: `qoh`), from a read."""
    if item is None:
        return None
    return item.qoh if location == default else item.locations.get(location)


class ShopifyWrites:
    """set_qoh and its helpers; mixed into ShopifyConnector (which gives config, http,
    _post, _location_id and get_items)."""

    batch_limit = 250  # changes per inventoryAdjustQuantities / inventorySetQuantities
    reason = "correction"
    max_rounds = 4  # re-sends of the accepted rest of a batch after per-item refusals

    def set_qoh(self, updates: Sequence[QohUpdate]) -> list[ItemResult]:
        name = self.config.name
        if not updates:
            return []
        if len(updates) > self.batch_limit:
            raise PermanentError(f"{name}: {len(updates)} updates in one request; Shopify "
                                 f"takes at most {self.batch_limit}")
        location = self._location_id()
        where = [u.location or location for u in updates]
        stored: dict[int, str] = {}
        for i, u in enumerate(updates):
            gid = (u.item_id or "").strip()
            if ITEM_GID.fullmatch(gid) and (gid, where[i]) not in \
                    {(g, where[j]) for j, g in stored.items()}:
                stored[i] = gid  # a second update naming the same id and place is looked up
        wanted = [u.sku for i, u in enumerate(updates) if i not in stored]
        items = self.get_items(wanted) if wanted else {}
        results: dict[int, ItemResult] = {}
        groups: dict[str, list[_Entry]] = {"adjust": [], "set": []}
        skus: set[str] = set()
        ids: set[str] = set()
        bundles = self._bundle_parents()
        for i, u in enumerate(updates):
            item = CartItem(u.sku, None, item_id=stored[i]) if i in stored else items.get(u.sku)
            if item is None:
                results[i] = ItemResult(u.sku, False, error=self._unknown(u.sku))
            elif item.managed or item.item_id in bundles:
                bundles.add(item.item_id)
                results[i] = self._managed(u.sku, item.item_id)
            elif not item.tracked:
                results[i] = ItemResult(u.sku, False, item_id=item.item_id,
                                        error=self._untracked(u.sku))
            elif (u.sku, where[i]) in skus or (item.item_id, where[i]) in ids:
                results[i] = ItemResult(u.sku, False, item_id=item.item_id, error=PermanentError(
                    f"{name}: SKU {u.sku!r} appears twice in one request" +
                    (f" for location {u.location}" if u.location else ""), code="DUPLICATE"))
            else:
                skus.add((u.sku, where[i]))
                ids.add((item.item_id, where[i]))
                groups["adjust" if u.delta is not None else "set"].append(
                    _Entry(i, u, item, where[i], stored=i in stored))
        for kind, entries in groups.items():
            if entries:
                suspects = self._write(kind, entries, location, results)
                if suspects:
                    self._relookup(kind, suspects, location, results)
        self._fill_actual(results, where)
        return [replace(results[i], location=u.location) for i, u in enumerate(updates)]

    def _unknown(self, sku: str) -> CartError:
        return UnknownItemError(f"{self.config.name}: Shopify has no variant with SKU {sku!r}",
                                code="UNKNOWN_SKU")

    def _bundle_parents(self) -> set[str]:
        """The inventory item ids of bundle parents this connector has learned."""
        found = self.__dict__.get("_bundle_gids")
        if found is None:
            found = self.__dict__.setdefault("_bundle_gids", set())
        return found

    def _managed(self, sku: str, gid: str) -> ItemResult:
        error = ManagedByCartError(f"{self.config.name}: SKU {sku!r} is {BUNDLE_NOTE}",
                                   note=BUNDLE_NOTE, status=200, code=NON_MUTABLE)
        return ItemResult(sku, False, item_id=gid, error=error)

    def _untracked(self, sku: str) -> CartError:
        return PermanentError(f"{self.config.name}: Shopify does not track inventory for SKU "
                              f"{sku!r}", code="UNTRACKED")

    def _relookup(self, kind: str, suspects: list[tuple[_Entry, dict]], location: str,
                  results: dict[int, ItemResult]) -> None:
        """Stored ids Shopify refused: look their SKUs up once and write those found
        under another id, in this same call."""
        try:
            found = self.get_items([e.update.sku for e, _err in suspects])
        except CartError as exc:  # the rest of the batch is written: report these
            for e, _err in suspects:
                results[e.index] = ItemResult(e.update.sku, False, item_id=e.item.item_id,
                                              error=exc)
            return
        retry = []
        for e, err in suspects:
            item = found.get(e.update.sku)
            if item is None:
                results[e.index] = ItemResult(e.update.sku, False, error=self._unknown(e.update.sku))
            elif not item.tracked:
                results[e.index] = ItemResult(e.update.sku, False, item_id=item.item_id,
                                              error=self._untracked(e.update.sku))
            elif item.managed or item.item_id in self._bundle_parents():
                self._bundle_parents().add(item.item_id)
                results[e.index] = self._managed(e.update.sku, item.item_id)
            elif item.item_id == e.item.item_id:
                results[e.index] = self._refused(e, err)
            else:
                retry.append(_Entry(e.index, e.update, item, e.location))
        if retry:
            self._write(kind, retry, location, results, base=RELOOKUP)

    def _write(self, kind: str, entries: list[_Entry], location: str,
               results: dict[int, ItemResult], base: str = "") -> list[tuple[_Entry, dict]]:
        """Write `entries`, filling `results`; returns the entries whose stored id was
        refused (not in `results`), with their user error."""
        name = self.config.name
        remaining, suspects = entries, []
        for _ in range(self.max_rounds):
            key = self._batch_key(kind, remaining, base)
            payload = self._mutate(kind, remaining, location, key)
            errors = payload["userErrors"]
            outcome = _Outcome(payload["inventoryAdjustmentGroup"])
            if not errors:
                for e in remaining:
                    results[e.index] = self._ok(e, outcome)
                return suspects
            per_item: dict[int, dict] = {}
            general: list[dict] = []
            for err in errors:
                index = change_index(err.get("field"))
                if index is not None and index < len(remaining):
                    # an unknown location outranks the item's own error: a look-up of
                    # the item by SKU cannot help it (live answers give both at once)
                    if err.get("code") == "INVALID_LOCATION":
                        per_item[index] = err
                    per_item.setdefault(index, err)
                else:
                    general.append(err)
            if general:
                codes = {str(g.get("code") or "") for g in general}
                words = "; ".join(str(g.get("message") or g.get("code")) for g in general)
                stale = self._stale_of(remaining) if codes <= STALE_CODES and not per_item else []
                if stale:
                    # a stale compare named with `field: null` (as a live 2026-07 answer
                    # quoted in a public client's tests has it): which items, a read says
                    per_item, general = dict.fromkeys(stale, general[0]), []
            if general:
                if codes == {MISMATCH} and base in ("", RELOOKUP):
                    base = key + "|mismatch"  # the key was used for other input: derive anew
                    continue
                cls = RetryableError if codes & RETRY_CODES else PermanentError
                raise cls(self.http.redact(f"{name}: Shopify refused the change: {words}"),
                          status=200, code=",".join(sorted(codes)))
            rest = []
            for j, e in enumerate(remaining):
                if outcome.has(e.item.item_id, e.location):  # applied despite the errors
                    results[e.index] = self._ok(e, outcome)
                elif j in per_item and per_item[j].get("code") == NON_MUTABLE:
                    self._bundle_parents().add(e.item.item_id)  # left out from now on
                    results[e.index] = self._managed(e.update.sku, e.item.item_id)
                elif j in per_item and e.stored and \
                        per_item[j].get("code") in STORED_ID_REFUSALS:
                    suspects.append((e, per_item[j]))
                elif j in per_item:
                    results[e.index] = self._refused(e, per_item[j])
                else:
                    rest.append(e)
            remaining, base = rest, key
            if not remaining:
                return suspects
        for e in remaining:
            results[e.index] = ItemResult(e.update.sku, False, item_id=e.item.item_id,
                                          error=RetryableError(
                f"{name}: not applied; Shopify kept refusing other changes of the same request"))
        return suspects

    def _stale_of(self, entries: list[_Entry]) -> list[int]:
        """The places in `entries` whose compare failed, when Shopify did not say which:
        those whose quantity now is not the one expected (all that compared, if no read
        can tell)."""
        compared = [j for j, e in enumerate(entries) if e.update.expected is not None]
        if len(compared) <= 1:
            return compared
        try:
            now = self._read_at([entries[j].update.sku for j in compared],
                                {entries[j].location for j in compared})
        except CartError:
            return compared
        default = self._location_id()
        moved = [j for j in compared if _at(now.get(entries[j].update.sku), entries[j].location,
                                            default) != entries[j].update.expected]
        return moved or compared

    def _mutate(self, kind: str, entries: list[_Entry], location: str, key: str) -> dict:
        if kind == "adjust":
            query, root, rows = q.ADJUST, "inventoryAdjustQuantities", "changes"
            lines = [{"inventoryItemId": e.item.item_id, "locationId": e.location,
                      "delta": e.update.delta, "changeFromQuantity": e.update.expected}
                     for e in entries]
        else:
            query, root, rows = q.SET, "inventorySetQuantities", "quantities"
            lines = [{"inventoryItemId": e.item.item_id, "locationId": e.location,
                      "quantity": e.update.qoh, "changeFromQuantity": e.update.expected}
                     for e in entries]
        variables = {"input": {"reason": self.reason, "name": "available", rows: lines}, "key": key}
        data = self._post(query, variables, write=True)
        shape = Shape(self.config.name, True)
        payload = shape.obj(data.get(root), f"a {root} payload")
        errors = [shape.obj(e, "a user error") for e in shape.list(payload.get("userErrors"),
                                                                     "userErrors")]
        group = payload.get("inventoryAdjustmentGroup")
        if group is not None:
            shape.list(shape.obj(group, "an adjustment group").get("changes"), "changes")
        # null with no user error: nothing needed changing (every quantity was already the
        # one asked for), which is a success
        return {"userErrors": errors, "inventoryAdjustmentGroup": group}

    def _ok(self, e: _Entry, outcome: _Outcome) -> ItemResult:
        u, gid = e.update, e.item.item_id
        if outcome.tracked.get(gid) is False:
            return ItemResult(u.sku, False, item_id=gid, error=self._untracked(u.sku))
        qoh = outcome.after_at(gid, e.location)
        if qoh is None:
            if u.delta is None:
                qoh = u.qoh
            elif u.expected is not None:
                qoh = u.expected + u.delta
        return ItemResult(u.sku, True, qoh=qoh, item_id=gid)

    def _refused(self, e: _Entry, err: dict) -> ItemResult:
        code = str(err.get("code") or "")
        at = f" at location {e.update.location}" if e.update.location else ""
        text = self.http.redact(f"{self.config.name}: Shopify refused SKU {e.update.sku!r}{at}: "
                                f"{err.get('message') or code}" + (f" ({code})" if code else ""))
        if code in STALE_CODES:
            error: CartError = StaleQuantityError(text, status=200, code=code)
        elif code == "INVALID_INVENTORY_ITEM":
            error = UnknownItemError(text, status=200, code=code)
        else:
            error = PermanentError(text, status=200, code=code)
        return ItemResult(e.update.sku, False, item_id=e.item.item_id, error=error)

    def _fill_actual(self, results: dict[int, ItemResult], where: list[str]) -> None:
        """Tell a stale compare what the cart holds now (at its location), when a read
        can say."""
        stale = {i: r for i, r in results.items() if isinstance(r.error, StaleQuantityError)}
        if not stale:
            return
        try:
            now = self._read_at([r.sku for r in stale.values()], {where[i] for i in stale})
        except CartError:
            return
        default = self._location_id()
        for i, r in stale.items():
            item = now.get(r.sku)
            if item is not None and r.error is not None:
                r.error.actual = _at(item, where[i], default)

    def _read_at(self, skus: list[str], locations: set[str]) -> dict[str, CartItem]:
        """The items, with their quantities at `locations` besides the connector's own."""
        default = self._location_id()
        return self.get_items(skus, locations=sorted(locations - {default}))

    @staticmethod
    def _batch_key(kind: str, entries: list[_Entry], base: str) -> str:
        """The idempotency key: a lone update's own key (with its named location after
        it), else one derived from every update of the batch and the location each is
        written at (so the same batch re-sent gets the same key, and the same change at
        another location another key)."""
        if not base and len(entries) == 1 and entries[0].update.key:
            u = entries[0].update
            return f"{u.key}@{u.location}" if u.location else u.key
        material = json.dumps([kind, base, sorted(
            [e.update.sku, e.update.key, e.update.qoh, e.update.delta, e.update.expected,
             e.item.item_id] + ([e.location] if e.update.location else []) for e in entries)])
        digest = hashlib.sha256(material.encode("utf-8")).digest()
        return str(uuid.UUID(bytes=digest[:16], version=5))


__all__ = ["BUNDLE", "BUNDLE_NOTE", "ShopifyWrites", "STALE_CODES", "STORED_ID_REFUSALS"]
