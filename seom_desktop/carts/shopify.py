"""Shopify through the Admin GraphQL API, version 2026-04.

Reads: a few SKUs by SKU search (`sku:"A" OR sku:"B"`, cursor pages) with their
inventory item (`tracked`) and the `available` quantity at one location (the configured
location gid, else the shop's first active location); the whole catalog (`list_items`:
Get QOH, Create Records, the drift report) through a bulk query operation with the same
fields (shopify_bulk), which costs a few points where pages cost 3 a variant. Orders: `orders(query:
"created_at:>='...'", sortKey: CREATED_AT)` with their line items.

Writes (shopify_writes): a delta goes through `inventoryAdjustQuantities`, an absolute
quantity through `inventorySetQuantities`, each carrying `changeFromQuantity` (the quantity
the store believes the cart holds; null opts out of the check) and the `@idempotent(key:)`
directive that 2026-04 requires, addressed by the inventory item id the store recorded
(looked up by SKU only when there is none, or when Shopify refuses the recorded one). The
key is stable for a given batch, so a re-send after an ambiguous failure is applied once.

Locations (LOCATIONS): `list_locations` pages `locations(includeInactive: true)`; a read
naming locations asks each inventory item for `inventoryLevel(locationId:)` once more
per location, under the aliases at0, at1.. (in the bulk query too, the ids written into
the document); an update's `location` is its change's `locationId` in the same
`inventorySetQuantities` / `inventoryAdjustQuantities`, whose key then covers the
location too (see shopify_writes).

Rate limits (shopify_pacing): every answer carries `extensions.cost.throttleStatus`; the
connector estimates what the bucket holds before each request and waits briefly or raises
RateLimitedError without sending when the request would not fit. A `THROTTLED` answer
(HTTP 200) still becomes RateLimitedError with the time the bucket needs to refill. A
manual transfer calls `watch(say, cancelled)`: then every wait is waited out, however
long, and said (a THROTTLED or 429 answer ran nothing, so it is sent again after it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from urllib3 import PoolManager

from seom_desktop.carts import shopify_bulk
from seom_desktop.carts import shopify_queries as q
from seom_desktop.carts.base import (
    IDEMPOTENT_DELTA,
    LOCATIONS,
    ORDERS,
    PULL,
    PUSH,
    REALTIME,
    AmbiguousError,
    AuthError,
    CartConfig,
    CartError,
    CartItem,
    CartLocation,
    CartOrder,
    OrderLine,
    PermanentError,
    RateLimitedError,
    RetryableError,
)
from seom_desktop.carts.http import HttpClient
from seom_desktop.carts.shopify_bulk import BulkRead, variant_query
from seom_desktop.carts.shopify_pacing import CostPacer
from seom_desktop.carts.shopify_queries import Shape, error_words, throttle_delay
from seom_desktop.carts.shopify_writes import BUNDLE, ShopifyWrites


class ShopifyConnector(ShopifyWrites):
    kind = "shopify"
    capabilities = frozenset({PUSH, PULL, REALTIME, ORDERS, LOCATIONS})
    batch_limit = 250  # changes per inventoryAdjustQuantities / inventorySetQuantities
    write_mode = IDEMPOTENT_DELTA
    page_size = q.VARIANT_PAGE
    sku_chunk = 50  # SKUs per search query
    bulk_polls = shopify_bulk.POLLS  # seconds between polls of a bulk operation
    bulk_busy_wait = shopify_bulk.BUSY_WAIT  # between asks while another bulk query runs

    def __init__(self, config: CartConfig, *, pool_class: type[PoolManager] = PoolManager):
        self.config = config
        self.http = HttpClient(config, pool_class=pool_class)
        self._location = config.location.strip()
        self._location_name = ""
        self.pacer = CostPacer(config.name)

    def close(self) -> None:
        self.http.close()

    def watch(self, say: Callable[[str], None], cancelled: Callable[[], bool]) -> None:
        """A manual transfer: wait out Shopify's rate limit however long (never give up
        on it), saying each long wait through `say`, until `cancelled()`."""
        self.pacer.watch(say, cancelled)

    # --- transport -----------------------------------------------------------------------
    def _post(self, query: str, variables: dict, *, write: bool = False,
              cost: float | None = None) -> dict:
        while True:
            try:
                return self._post_once(query, variables, write=write, cost=cost)
            except RateLimitedError as e:  # THROTTLED or 429: nothing ran
                if not self.pacer.patient or e.code == "COST_BUDGET":
                    raise
                self.pacer.wait(e.delay, "Shopify answered that the request was throttled")

    def _post_once(self, query: str, variables: dict, *, write: bool,
                   cost: float | None) -> dict:
        name = self.config.name
        if not self.config.token:
            raise AuthError(f"{name}: no Shopify Admin API access token is set")
        kind = (query, variables.get("first"))
        self.pacer.before(kind, q.expected_cost(query, variables) if cost is None else cost)
        resp = self.http.request(
            "POST", f"/admin/api/{q.API_VERSION}/graphql.json", write=write,
            error_message=error_words, json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": self.config.token, "Accept": "application/json"},
        )
        body = self.http.json(resp, write=write)
        shape = Shape(name, write)
        body = shape.obj(body, "a JSON object")
        self.pacer.seen(body, kind)
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

    def list_locations(self) -> list[CartLocation]:
        """Every location of the shop, inactive ones too (`includeInactive: true`)."""
        shape = Shape(self.config.name, False)
        out: list[CartLocation] = []
        after, cursors = None, set()
        while True:
            conn = shape.obj(self._post(q.ALL_LOCATIONS, {"after": after}).get("locations"),
                             "locations")
            for node in shape.list(conn.get("nodes"), "location nodes"):
                node = shape.obj(node, "a location")
                out.append(CartLocation(id=shape.text(node.get("id"), "a location id"),
                                        name=str(node.get("name") or ""),
                                        active=node.get("isActive") is True))
            after = self._next_page(conn, shape, cursors)
            if after is None:
                return out

    def _variants(self, query: str | None, first: int | None = None,
                  at: Sequence[str] = ()) -> Iterator[CartItem]:
        shape = Shape(self.config.name, False)
        location = self._location_id()
        after, cursors = None, set()
        levels = {f"at{i}": loc for i, loc in enumerate(at)}
        # a page asks the bucket for 3 + len(at) points a variant: keep it under 1000
        first = min(first or self.page_size, 990 // (3 + len(at)))
        while True:
            data = self._post(q.variants_at(len(at)), {
                "first": first, "after": after, "query": query, "locationId": location,
                **levels})
            conn = shape.obj(data.get("productVariants"), "productVariants")
            for node in shape.list(conn.get("nodes"), "variant nodes"):
                item = self._cart_item(shape.obj(node, "a variant"), shape, at)
                if item is not None:
                    yield item
            after = self._next_page(conn, shape, cursors)
            if after is None:
                return

    @staticmethod
    def _available(level: Any, shape: Shape) -> int | None:
        """The `available` quantity of an inventory level (None: not stocked there)."""
        qoh = None
        if level is not None:
            for quantity in shape.list(shape.obj(level, "an inventory level").get("quantities"),
                                       "quantities"):
                value = shape.obj(quantity, "a quantity").get("quantity")
                if quantity.get("name") == "available":
                    if not isinstance(value, int) or isinstance(value, bool):
                        raise shape.fail("an integer available quantity")
                    qoh = value
        return qoh

    @classmethod
    def _cart_item(cls, node: dict, shape: Shape, at: Sequence[str] = ()) -> CartItem | None:
        sku = node.get("sku")
        if not isinstance(sku, str) or not sku:
            return None
        inv = shape.obj(node.get("inventoryItem"), "an inventory item")
        tracked = inv.get("tracked")
        if not isinstance(tracked, bool):
            raise shape.fail("inventoryItem.tracked")
        qoh = cls._available(inv.get("inventoryLevel"), shape) if tracked else None
        levels: dict[str, int] = {}
        for i, loc in enumerate(at if tracked else ()):
            value = cls._available(inv.get(f"at{i}"), shape)
            if value is not None:
                levels[loc] = value
        return CartItem(sku=sku, qoh=qoh, item_id=shape.text(inv.get("id"), "an inventory item id"),
                        name=str(node.get("displayName") or ""), tracked=tracked,
                        managed=BUNDLE if node.get("requiresComponents") is True else "",
                        locations=levels)

    def list_items(self, locations: Sequence[str] = ()) -> Iterator[CartItem]:
        """Every variant with a SKU, read through a bulk operation (see shopify_bulk);
        with `locations`, its `available` at each of them too."""
        shape = Shape(self.config.name, False)
        at = list(dict.fromkeys(locations))
        read = BulkRead(self, polls=self.bulk_polls, busy_wait=self.bulk_busy_wait)
        for row in read.rows(variant_query(self._location_id(), at)):
            if "__parentId" in row:  # a node of a nested connection: none is asked for
                continue
            item = self._cart_item(row, shape, at)
            if item is not None:
                yield item

    def get_items(self, skus: Sequence[str],
                  locations: Sequence[str] = ()) -> dict[str, CartItem]:
        wanted = list(dict.fromkeys(s for s in skus if s))
        at = list(dict.fromkeys(locations))
        found: dict[str, CartItem] = {}
        for start in range(0, len(wanted), self.sku_chunk):
            chunk = wanted[start:start + self.sku_chunk]
            names = set(chunk)
            # a page the size of the chunk asks the bucket for what it will really cost
            for item in self._variants(q.sku_query(chunk), min(len(chunk), self.page_size), at):
                if item.sku in names and item.sku not in found:
                    found[item.sku] = item
        return found

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
