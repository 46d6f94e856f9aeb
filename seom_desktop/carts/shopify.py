"""Shopify through the Admin GraphQL API, version 2026-04.

Reads: product variants by SKU search (`sku:"A" OR sku:"B"`, cursor pages) with their
inventory item (`tracked`) and the `available` quantity at one location (the configured
location gid, else the shop's first active location). Orders: `orders(query:
"created_at:>='...'", sortKey: CREATED_AT)` with their line items.

Writes: a delta goes through `inventoryAdjustQuantities`, an absolute quantity through
`inventorySetQuantities`, each carrying `changeFromQuantity` (the quantity the store
believes the cart holds; null opts out of the check) and the `@idempotent(key:)`
directive that 2026-04 requires. The key is stable for a given batch, so a re-send after
an ambiguous failure is applied once. Shopify applies such a mutation whole or not at
all: when some changes are refused (a stale `changeFromQuantity`, an item not stocked at
the location) the connector reports those items and re-sends the others under a key
derived from the first, so every item of the batch gets its own true outcome.

Rate limits: every answer carries `extensions.cost.throttleStatus`; a `THROTTLED` answer
(HTTP 200) becomes RateLimitedError with the time the bucket needs to refill the deficit.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime

from seom_desktop.carts import shopify_queries as q
from seom_desktop.carts.base import (
    IDEMPOTENT_DELTA,
    ORDERS,
    PULL,
    PUSH,
    REALTIME,
    AmbiguousError,
    AuthError,
    CartConfig,
    CartError,
    CartItem,
    CartOrder,
    ItemResult,
    OrderLine,
    PermanentError,
    QohUpdate,
    RateLimitedError,
    RetryableError,
    StaleQuantityError,
    UnknownItemError,
)
from seom_desktop.carts.http import HttpClient
from seom_desktop.carts.shopify_queries import (
    Shape,
    change_index,
    error_words,
    throttle_delay,
)

STALE_CODES = {"CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"}
RETRY_CODES = {"IDEMPOTENCY_CONCURRENT_REQUEST", "ADJUST_QUANTITIES_FAILED", "SERVICE_UNAVAILABLE"}
MISMATCH = "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"




class _Entry:
    """One update of a batch on its way to Shopify."""

    def __init__(self, index: int, update: QohUpdate, item: CartItem):
        self.index, self.update, self.item = index, update, item


class ShopifyConnector:
    kind = "shopify"
    capabilities = frozenset({PUSH, PULL, REALTIME, ORDERS})
    batch_limit = 250  # changes per inventoryAdjustQuantities / inventorySetQuantities
    write_mode = IDEMPOTENT_DELTA
    page_size = q.VARIANT_PAGE
    sku_chunk = 50  # SKUs per search query
    reason = "correction"
    max_rounds = 4  # re-sends of the accepted rest of a batch after per-item refusals

    def __init__(self, config: CartConfig, *, session=None):
        self.config = config
        self.http = HttpClient(config, session=session)
        self._location = config.location.strip()
        self._location_name = ""

    def close(self) -> None:
        self.http.close()

    # --- transport -----------------------------------------------------------------------
    def _post(self, query: str, variables: dict, *, write: bool = False) -> dict:
        name = self.config.name
        if not self.config.token:
            raise AuthError(f"{name}: no Shopify Admin API access token is set")
        resp = self.http.request(
            "POST", f"/admin/api/{q.API_VERSION}/graphql.json", write=write,
            error_message=error_words, json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": self.config.token, "Accept": "application/json"},
        )
        body = self.http.json(resp, write=write)
        shape = Shape(name, write)
        body = shape.obj(body, "a JSON object")
        if body.get("errors"):
            raise self._top_level_error(body, write)
        return shape.obj(body.get("data"), "data")

    def _top_level_error(self, body: dict, write: bool) -> CartError:
        name, errors = self.config.name, body["errors"]
        first = errors[0] if isinstance(errors, list) and errors else errors
        first = first if isinstance(first, dict) else {"message": str(first)}
        message = str(first.get("message") or "error")[:300]
        ext = first.get("extensions") if isinstance(first.get("extensions"), dict) else {}
        code = str(ext.get("code") or "")
        if code == "THROTTLED" or message == "Throttled":
            delay, why = throttle_delay(body)
            return RateLimitedError(self.http.redact(f"{name}: Shopify throttled the request "
                                                     f"({why}); retry in {delay:.1f} s"),
                                    delay=delay, status=200, code="THROTTLED")
        text = self.http.redact(f"{name}: Shopify: {message}" + (f" ({code})" if code else ""))
        if code == "ACCESS_DENIED":
            return AuthError(text, status=200, code=code)
        if code in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"):
            return (AmbiguousError if write else RetryableError)(text, status=200, code=code)
        return PermanentError(text, status=200, code=code)

    # --- reads ---------------------------------------------------------------------------
    def test_connection(self) -> str:
        shape = Shape(self.config.name, False)
        shop = shape.obj(self._post(q.SHOP, {}).get("shop"), "the shop")
        location = self._location_id()
        where = self._location_name or location
        return (f"Shopify shop {shop.get('name', '?')} ({shop.get('myshopifyDomain', '?')}), "
                f"Admin API {q.API_VERSION}, location {where}")

    def _location_id(self) -> str:
        shape = Shape(self.config.name, False)
        if self._location:
            if not self._location_name:
                loc = self._post(q.LOCATION, {"id": self._location}).get("location")
                if not isinstance(loc, dict):
                    raise PermanentError(f"{self.config.name}: Shopify has no location {self._location}")
                self._location_name = str(loc.get("name") or "")
            return self._location
        after, cursors = None, set()
        while True:
            conn = shape.obj(self._post(q.LOCATIONS, {"after": after}).get("locations"), "locations")
            for node in shape.list(conn.get("nodes"), "location nodes"):
                if isinstance(node, dict) and node.get("isActive") is True:
                    self._location = shape.text(node.get("id"), "a location id")
                    self._location_name = str(node.get("name") or "")
                    return self._location
            after = self._next_page(conn, shape, cursors)
            if after is None:
                raise PermanentError(f"{self.config.name}: the Shopify shop has no active location")

    @staticmethod
    def _next_page(conn: dict, shape: Shape, seen: set[str]) -> str | None:
        """The cursor of the next page; a cursor given before would page forever."""
        page = shape.obj(conn.get("pageInfo"), "pageInfo")
        if page.get("hasNextPage") is not True:
            return None
        cursor = shape.text(page.get("endCursor"), "an endCursor for the next page")
        if cursor in seen:
            raise shape.fail("a new endCursor (it gave one it gave before: the pages would "
                             "never end)")
        seen.add(cursor)
        return cursor

    def _variants(self, query: str | None) -> Iterator[CartItem]:
        shape = Shape(self.config.name, False)
        location = self._location_id()
        after, cursors = None, set()
        while True:
            data = self._post(q.VARIANTS, {"first": self.page_size, "after": after,
                                           "query": query, "locationId": location})
            conn = shape.obj(data.get("productVariants"), "productVariants")
            for node in shape.list(conn.get("nodes"), "variant nodes"):
                item = self._cart_item(shape.obj(node, "a variant"), shape)
                if item is not None:
                    yield item
            after = self._next_page(conn, shape, cursors)
            if after is None:
                return

    @staticmethod
    def _cart_item(node: dict, shape: Shape) -> CartItem | None:
        sku = node.get("sku")
        if not isinstance(sku, str) or not sku:
            return None
        inv = shape.obj(node.get("inventoryItem"), "an inventory item")
        tracked = inv.get("tracked")
        if not isinstance(tracked, bool):
            raise shape.fail("inventoryItem.tracked")
        qoh = None
        level = inv.get("inventoryLevel")
        if tracked and level is not None:
            for quantity in shape.list(shape.obj(level, "an inventory level").get("quantities"),
                                       "quantities"):
                value = shape.obj(quantity, "a quantity").get("quantity")
                if quantity.get("name") == "available":
                    if not isinstance(value, int) or isinstance(value, bool):
                        raise shape.fail("an integer available quantity")
                    qoh = value
        return CartItem(sku=sku, qoh=qoh, item_id=shape.text(inv.get("id"), "an inventory item id"),
                        name=str(node.get("displayName") or ""), tracked=tracked)

    def list_items(self) -> Iterator[CartItem]:
        yield from self._variants(None)

    def get_items(self, skus: Sequence[str]) -> dict[str, CartItem]:
        wanted = list(dict.fromkeys(s for s in skus if s))
        found: dict[str, CartItem] = {}
        for start in range(0, len(wanted), self.sku_chunk):
            chunk = wanted[start:start + self.sku_chunk]
            names = set(chunk)
            for item in self._variants(q.sku_query(chunk)):
                if item.sku in names and item.sku not in found:
                    found[item.sku] = item
        return found

    # --- writes --------------------------------------------------------------------------
    def set_qoh(self, updates: Sequence[QohUpdate]) -> list[ItemResult]:
        name = self.config.name
        if not updates:
            return []
        if len(updates) > self.batch_limit:
            raise PermanentError(f"{name}: {len(updates)} updates in one request; Shopify "
                                 f"takes at most {self.batch_limit}")
        location = self._location_id()
        items = self.get_items([u.sku for u in updates])
        results: dict[int, ItemResult] = {}
        groups: dict[str, list[_Entry]] = {"adjust": [], "set": []}
        seen: set[str] = set()
        for i, u in enumerate(updates):
            item = items.get(u.sku)
            if item is None:
                results[i] = ItemResult(u.sku, False, error=UnknownItemError(
                    f"{name}: Shopify has no variant with SKU {u.sku!r}", code="UNKNOWN_SKU"))
            elif not item.tracked:
                results[i] = ItemResult(u.sku, False, item_id=item.item_id, error=PermanentError(
                    f"{name}: Shopify does not track inventory for SKU {u.sku!r}",
                    code="UNTRACKED"))
            elif u.sku in seen:
                results[i] = ItemResult(u.sku, False, item_id=item.item_id, error=PermanentError(
                    f"{name}: SKU {u.sku!r} appears twice in one request", code="DUPLICATE"))
            else:
                seen.add(u.sku)
                groups["adjust" if u.delta is not None else "set"].append(_Entry(i, u, item))
        for kind, entries in groups.items():
            if entries:
                self._write(kind, entries, location, results)
        self._fill_actual(results)
        return [results[i] for i in range(len(updates))]

    def _write(self, kind: str, entries: list[_Entry], location: str,
               results: dict[int, ItemResult]) -> None:
        name = self.config.name
        remaining, base = entries, ""
        for _ in range(self.max_rounds):
            key = self._batch_key(kind, remaining, base)
            payload = self._mutate(kind, remaining, location, key)
            errors, group = payload["userErrors"], payload["inventoryAdjustmentGroup"]
            after = self._after_change(group)
            if not errors:
                for e in remaining:
                    results[e.index] = self._ok(e, after)
                return
            per_item: dict[int, dict] = {}
            general: list[dict] = []
            for err in errors:
                index = change_index(err.get("field"))
                if index is not None and index < len(remaining):
                    per_item.setdefault(index, err)
                else:
                    general.append(err)
            if general:
                codes = {str(g.get("code") or "") for g in general}
                words = "; ".join(str(g.get("message") or g.get("code")) for g in general)
                if codes == {MISMATCH} and not base:
                    base = key + "|mismatch"  # the key was used for other input: derive anew
                    continue
                cls = RetryableError if codes & RETRY_CODES else PermanentError
                raise cls(self.http.redact(f"{name}: Shopify refused the change: {words}"),
                          status=200, code=",".join(sorted(codes)))
            rest = []
            for j, e in enumerate(remaining):
                if e.item.item_id in after:  # applied despite the errors
                    results[e.index] = self._ok(e, after)
                elif j in per_item:
                    results[e.index] = self._refused(e, per_item[j])
                else:
                    rest.append(e)
            remaining, base = rest, key
            if not remaining:
                return
        for e in remaining:
            results[e.index] = ItemResult(e.update.sku, False, item_id=e.item.item_id,
                                          error=RetryableError(
                f"{name}: not applied; Shopify kept refusing other changes of the same request"))

    def _mutate(self, kind: str, entries: list[_Entry], location: str, key: str) -> dict:
        if kind == "adjust":
            query, root, rows = q.ADJUST, "inventoryAdjustQuantities", "changes"
            lines = [{"inventoryItemId": e.item.item_id, "locationId": location,
                      "delta": e.update.delta, "changeFromQuantity": e.update.expected}
                     for e in entries]
        else:
            query, root, rows = q.SET, "inventorySetQuantities", "quantities"
            lines = [{"inventoryItemId": e.item.item_id, "locationId": location,
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
        elif not errors:
            raise shape.fail("an adjustment group or user errors")
        return {"userErrors": errors, "inventoryAdjustmentGroup": group}

    @staticmethod
    def _after_change(group: dict | None) -> dict[str, int | None]:
        """inventory item id -> available after the change, for changes applied."""
        out: dict[str, int | None] = {}
        for change in (group or {}).get("changes") or ():
            item = change.get("item") if isinstance(change, dict) else None
            if isinstance(item, dict) and change.get("name") == "available":
                after = change.get("quantityAfterChange")
                out[str(item.get("id"))] = after if isinstance(after, int) else None
        return out

    @staticmethod
    def _ok(e: _Entry, after: dict[str, int | None]) -> ItemResult:
        u = e.update
        qoh = after.get(e.item.item_id)
        if qoh is None:
            if u.delta is None:
                qoh = u.qoh
            elif u.expected is not None:
                qoh = u.expected + u.delta
        return ItemResult(u.sku, True, qoh=qoh, item_id=e.item.item_id)

    def _refused(self, e: _Entry, err: dict) -> ItemResult:
        code = str(err.get("code") or "")
        text = self.http.redact(f"{self.config.name}: Shopify refused SKU {e.update.sku!r}: "
                                f"{err.get('message') or code}" + (f" ({code})" if code else ""))
        if code in STALE_CODES:
            error: CartError = StaleQuantityError(text, status=200, code=code)
        elif code == "INVALID_INVENTORY_ITEM":
            error = UnknownItemError(text, status=200, code=code)
        else:
            error = PermanentError(text, status=200, code=code)
        return ItemResult(e.update.sku, False, item_id=e.item.item_id, error=error)

    def _fill_actual(self, results: dict[int, ItemResult]) -> None:
        """Tell a stale compare what the cart holds now, when a read can say."""
        stale = {i: r for i, r in results.items() if isinstance(r.error, StaleQuantityError)}
        if not stale:
            return
        try:
            now = self.get_items([r.sku for r in stale.values()])
        except CartError:
            return
        for r in stale.values():
            item = now.get(r.sku)
            if item is not None and r.error is not None:
                r.error.actual = item.qoh

    @staticmethod
    def _batch_key(kind: str, entries: list[_Entry], base: str) -> str:
        """The idempotency key: a lone update's own key, else one derived from every
        update of the batch (so the same batch re-sent gets the same key)."""
        if not base and len(entries) == 1 and entries[0].update.key:
            return entries[0].update.key
        material = json.dumps([kind, base, sorted(
            [e.update.sku, e.update.key, e.update.qoh, e.update.delta, e.update.expected,
             e.item.item_id] for e in entries)])
        digest = hashlib.sha256(material.encode("utf-8")).digest()
        return str(uuid.UUID(bytes=digest[:16], version=5))

    # --- orders --------------------------------------------------------------------------
    def list_orders(self, since: str | None) -> list[CartOrder]:
        query = None
        if since:
            datetime.fromisoformat(since.replace("Z", "+00:00"))  # ValueError if not a time
            query = f"created_at:>='{since}'"
        shape = Shape(self.config.name, False)
        out: list[CartOrder] = []
        after, cursors = None, set()
        while True:
            data = self._post(q.ORDERS, {"first": q.ORDER_PAGE, "after": after, "query": query,
                                         "lines": q.ORDER_LINES})
            conn = shape.obj(data.get("orders"), "orders")
            for node in shape.list(conn.get("nodes"), "order nodes"):
                out.append(self._order(shape.obj(node, "an order"), shape))
            after = self._next_page(conn, shape, cursors)
            if after is None:
                break
        out.sort(key=lambda o: o.created)
        return out

    def _order(self, node: dict, shape: Shape) -> CartOrder:
        order_id = shape.text(node.get("id"), "an order id")
        lines_conn = shape.obj(node.get("lineItems"), "line items")
        nodes = list(shape.list(lines_conn.get("nodes"), "line item nodes"))
        cursors: set[str] = set()
        after = self._next_page(lines_conn, shape, cursors)
        while after is not None:
            more = self._post(q.ORDER_LINES_PAGE, {"id": order_id, "first": q.LINE_PAGE,
                                                   "after": after}).get("order")
            conn = shape.obj(shape.obj(more, "the order").get("lineItems"), "line items")
            nodes.extend(shape.list(conn.get("nodes"), "line item nodes"))
            after = self._next_page(conn, shape, cursors)
        lines = []
        for line in nodes:
            line = shape.obj(line, "a line item")
            qty = line.get("quantity")
            if not isinstance(qty, int) or isinstance(qty, bool):
                raise shape.fail("a line item quantity")
            lines.append(OrderLine(sku=str(line.get("sku") or ""), quantity=qty,
                                   name=str(line.get("name") or "")))
        status = "cancelled" if node.get("cancelledAt") else str(
            node.get("displayFinancialStatus") or "").lower()
        return CartOrder(order_id=order_id, created=shape.text(node.get("createdAt"), "createdAt"),
                         status=status, lines=tuple(lines))


__all__ = ["ShopifyConnector"]
