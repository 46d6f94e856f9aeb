"""A Shopify Admin GraphQL API (version 2026-04) on a loopback socket.

Documented behaviours reproduced (shopify.dev, and Shopify's own answers captured from a
live 2026-04 store in public conformance fixtures):

- POST {shop}/admin/api/2026-04/graphql.json with the X-Shopify-Access-Token header; a
  missing or wrong token answers 401 {"errors": "[API] Invalid API key or access token
  (unrecognized login or wrong password)"}; a body without a query answers 400
  {"errors": {"query": "Required parameter missing or invalid"}}.
- The request is parsed, validated and executed with graphql-core against the schema
  subset of `shopify_sdl`: a field or argument the real API lacks fails validation
  with 200 and Shopify's words ("Field 'x' doesn't exist on type 'Shop'",
  extensions.code "undefinedField", "argumentNotAccepted", ...).
- Calculated query cost (`shopify_cost`: a mutation costs 10 whatever its input) and the
  leaky bucket of the shop's plan (`plan=`: standard 2000 points restoring 100/s,
  advanced, plus, enterprise; see `shopify_cost.PLANS`): every answer carries extensions.cost {requestedQueryCost,
  actualQueryCost, throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}};
  out of budget it answers 200 {"errors": [{"message": "Throttled", "extensions":
  {"code": "THROTTLED"}}]} with actualQueryCost null and runs nothing; a query over 1000
  points is refused with MAX_COST_EXCEEDED.
- Cursor pagination (first/after, last/before, pageInfo hasNextPage/endCursor, at most
  250 per page); search syntax `sku:X OR sku:"Y"` on productVariants / inventoryItems and
  `created_at:>=...` on orders.
- inventoryAdjustQuantities / inventorySetQuantities as of 2026-04 (mandatory
  changeFromQuantity and @idempotent(key:), the 250-change limit, the user errors and
  their words, whole-or-nothing application): see `shopify_inventory`.
- Several locations (`add_location`; a new shop has one, "Shop location"): `locations`
  lists the active ones unless `includeInactive: true`; each inventory item has a level
  (an `available` quantity) at the locations it is stocked at (`add_item(location=)`,
  `set_quantity(sku, qoh, location)`), and `inventoryLevel(locationId:)` is null
  elsewhere; a query may ask for it several times under aliases (standard GraphQL,
  validated like any other). A change at a location the shop lacks is the user error
  INVALID_LOCATION, at one where the item is not stocked ITEM_NOT_STOCKED_AT_LOCATION
  (see `shopify_inventory`).
- A placed order decrements `available` at the shop's first active location.
- Bulk query operations (`bulkOperationRunQuery`, `bulkOperation(id:)`,
  `currentBulkOperation`, `bulkOperationCancel`, the JSONL result served by this server
  under /bulk-results/): see `shopify_bulk`.

Simplifications: one API version; `on_hand` equals `available` (nothing committed);
search supports the few fields above; cursors are opaque base64 JSON.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError, execute, get_operation_ast, parse, validate

from seom_desktop.emulators.base import Emulator, Request, Response
from seom_desktop.emulators.shopify_bulk import PATH as BULK_PATH
from seom_desktop.emulators.shopify_bulk import RATE as BULK_RATE
from seom_desktop.emulators.shopify_bulk import BulkOperations
from seom_desktop.emulators.shopify_cost import MAX_QUERY_COST, Bucket, query_cost
from seom_desktop.emulators.shopify_inventory import InventoryMutations
from seom_desktop.emulators.shopify_schema import (
    GID,
    SCHEMA,
    connection,
    now_iso,
    parse_error,
    search_terms,
    validation_errors,
    variable_errors,
)

API_VERSION = "2026-04"
AUTH_ERROR = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def _when(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip().strip("'\"").replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class Item:
    num: int
    sku: str
    title: str
    tracked: bool
    levels: dict[str, int] = field(default_factory=dict)  # location gid -> available
    bundle: bool = False  # a bundle parent: Shopify sets its quantity from its components


@dataclass
class Order:
    num: int
    name: str
    created: str
    lines: list[tuple[int, str, str, int]]  # (line num, sku, title, quantity)
    status: str = "PAID"


class ShopifyEmulator(InventoryMutations, Emulator):
    kind = "shopify"

    def __init__(self, *, token: str = "shpat_emulator_0123456789abcdef", faults: str = "",
                 seed: int | None = None, shop_name: str = "Emulated Shop",
                 plan: str = "standard", bulk_rate: float = BULK_RATE):
        super().__init__(faults=faults, seed=seed)
        self.token = token
        self.shop_name = shop_name
        self.bucket = Bucket.for_plan(plan)
        self.bulk = BulkOperations(self, rate=bulk_rate)
        self.items: dict[str, Item] = {}  # sku -> item
        self.by_gid: dict[str, Item] = {}  # inventory item and variant gid -> item
        self.orders: list[Order] = []
        self.locations: list[dict] = []
        self.idempotency: dict[tuple[str, str], tuple[str, dict]] = {}
        self.root_fields: Counter[str] = Counter()  # root field name -> times executed
        self.throttled = 0  # THROTTLED answers given
        self.mutations: list[dict] = []  # each executed inventory mutation, in order
        self._seq = 1000
        self._seq_lock = threading.Lock()
        self.add_location("Shop location")

    # --- state helpers (tests, demo) ---------------------------------------------------
    def _next(self) -> int:
        with self._seq_lock:
            self._seq += 1
            return self._seq

    def add_location(self, name: str, active: bool = True) -> str:
        with self.lock:
            gid = GID.format("Location", self._next())
            self.locations.append({"id": gid, "name": name, "isActive": active})
            return gid

    @property
    def location_id(self) -> str:
        """The shop's first active location (where orders take stock from)."""
        return next(loc["id"] for loc in self.locations if loc["isActive"])

    def add_item(self, sku: str, qoh: int, name: str = "", tracked: bool = True,
                 location: str | None = None, bundle: bool = False, **_: Any) -> str:
        """Create a product with one variant; returns its inventory item gid. `bundle`:
        the product is a bundle (`requiresComponents`), whose inventory item the API
        refuses to change (NON_MUTABLE_INVENTORY_ITEM, see `shopify_inventory`); `qoh`
        then stands for what its components make available."""
        with self.lock:
            item = Item(self._next(), sku, name or f"Product {sku}", tracked, bundle=bundle)
            item.levels[location or self.location_id] = int(qoh)
            old = self.items.get(sku)
            if old is not None:
                self._forget(old)
            self.items[sku] = item
            for kind in ("InventoryItem", "ProductVariant"):
                self.by_gid[GID.format(kind, item.num)] = item
            return GID.format("InventoryItem", item.num)

    def remove_item(self, sku: str) -> None:
        """Delete the variant (and with it its inventory item) in the Shopify admin: its
        inventory item id is then unknown to the API. add_item of the same SKU afterwards
        creates a new variant with a new inventory item id."""
        with self.lock:
            self._forget(self.items.pop(sku))

    def _forget(self, item: Item) -> None:
        for kind in ("InventoryItem", "ProductVariant"):
            del self.by_gid[GID.format(kind, item.num)]

    def item_of(self, gid: Any, kind: str = "InventoryItem") -> Item | None:
        """The item whose inventory item (or variant) has this gid; None for any other."""
        item = self.by_gid.get(gid) if isinstance(gid, str) else None
        return item if item is not None and gid == GID.format(kind, item.num) else None

    def set_quantity(self, sku: str, qoh: int, location: str | None = None) -> None:
        """Change stock behind the connector's back (a clerk in the Shopify admin)."""
        with self.lock:
            self.items[sku].levels[location or self.location_id] = int(qoh)

    def quantity(self, sku: str, location: str | None = None) -> int | None:
        with self.lock:
            item = self.items.get(sku)
            if item is None or not item.tracked:
                return None
            return item.levels.get(location or self.location_id)

    def place_order(self, lines: list[tuple[str, int]], created_at: str | None = None) -> str:
        with self.lock:
            loc = self.location_id
            out = []
            for sku, qty in lines:
                item = self.items.get(sku)
                if item is None:
                    raise ValueError(f"no item with SKU {sku!r}")
                if item.tracked:
                    item.levels[loc] = item.levels.get(loc, 0) - int(qty)
                out.append((self._next(), sku, item.title, int(qty)))
            order = Order(self._next(), f"#{1001 + len(self.orders)}", created_at or now_iso(), out)
            self.orders.append(order)
            return GID.format("Order", order.num)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"items": {s: self.quantity(s) for s in self.items},
                    "orders": len(self.orders), "location": self.location_id}

    # --- HTTP ----------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path.startswith(BULK_PATH) and req.method == "GET":  # the signed file URL
            with self.lock:
                return self.bulk.serve(req.path, req.arg("X-Goog-Signature"))
        m = re.fullmatch(r"/admin/api/([^/]+)/graphql\.json", req.path)
        if not m or m.group(1) != API_VERSION:
            return Response.json({"errors": "Not Found"}, 404)
        if req.headers.get("x-shopify-access-token") != self.token:
            return Response.json({"errors": AUTH_ERROR}, 401)
        missing = Response.json({"errors": {"query": "Required parameter missing or invalid"}}, 400)
        if req.method != "POST":
            return missing
        if req.headers.get("content-type", "").startswith("application/graphql"):
            body: Any = {"query": req.body.decode("utf-8", "replace")}
        else:
            try:
                body = req.json()
            except ValueError:
                return missing
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return missing
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            variables = {}
        with self.lock:
            result = self.run(body["query"], variables, body.get("operationName"))
        return Response.json(result, headers={"X-Shopify-API-Version": API_VERSION})

    def run(self, query: str, variables: dict, operation_name: str | None = None) -> dict:
        try:
            document = parse(query)
        except GraphQLError as e:
            return {"errors": [parse_error(e)]}
        errors = validate(SCHEMA, document)
        if errors:
            return {"errors": validation_errors(document, errors)}
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return {"errors": [{"message": "An operation name is required",
                                "extensions": {"code": "OPERATION_NAME_REQUIRED"}}]}
        requested = query_cost(SCHEMA, document, operation, variables)
        if requested > MAX_QUERY_COST:
            return {"errors": [{
                "message": (f"Query cost is {requested}, which exceeds the single query max "
                            f"cost limit ({MAX_QUERY_COST})."),
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                               "maxCost": MAX_QUERY_COST}}]}
        if requested > self.bucket.available():
            self.throttled += 1
            return {"errors": [{"message": "Throttled", "extensions": {
                        "code": "THROTTLED",
                        "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                    "extensions": {"cost": {"requestedQueryCost": requested,
                                            "actualQueryCost": None,
                                            "throttleStatus": self.bucket.status()}}}
        result = execute(SCHEMA, document, root_value=self._root(),
                         variable_values=variables, operation_name=operation_name)
        if result.data is None and result.errors:
            return {"errors": variable_errors(result.errors)}
        actual = query_cost(SCHEMA, document, operation, variables, result.data, actual=True)
        self.bucket.spend(actual)
        out: dict[str, Any] = {}
        if result.errors:
            out["errors"] = [self._format(e) for e in result.errors]
        out["data"] = result.data
        out["extensions"] = {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                                      "throttleStatus": self.bucket.status()}}
        return out

    @staticmethod
    def _format(err: GraphQLError) -> dict:
        item = err.formatted
        if not item.get("extensions"):
            item["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
        return item

    # --- resolvers -----------------------------------------------------------------------
    def _root(self, counted: bool = True) -> dict:
        """The root resolvers; `counted=False` for the emulator's own reads (a bulk
        operation reading the shop is not API traffic)."""
        def count(name, fn):
            if not counted:
                return fn

            def resolver(info, **args):
                self.root_fields[name] += 1
                return fn(info, **args)
            return resolver

        roots = {
            "shop": lambda info: {"id": GID.format("Shop", 1), "name": self.shop_name,
                                  "myshopifyDomain": "emulated-shop.myshopify.com",
                                  "currencyCode": "USD"},
            "location": lambda info, **kw: next(
                (dict(loc) for loc in self.locations if kw.get("id") in (None, loc["id"])), None),
            "locations": self._locations,
            "productVariant": lambda info, **kw: (
                None if (i := self.item_of(kw["id"], "ProductVariant")) is None else self._variant(i)),
            "productVariants": self._variants,
            "inventoryItem": lambda info, **kw: (
                None if (i := self.item_of(kw["id"])) is None else self._item(i)),
            "inventoryItems": self._inventory_items,
            "order": lambda info, **kw: next(
                (self._order(o) for o in self.orders if GID.format("Order", o.num) == kw["id"]), None),
            "orders": self._orders,
            "inventoryAdjustQuantities": self._adjust,
            "inventorySetQuantities": self._set,
            "bulkOperationRunQuery": lambda info, query, groupObjects=False: (  # noqa: N803
                self.bulk.run_query(query, groupObjects)),
            "bulkOperationCancel": lambda info, id: self.bulk.cancel(id),  # noqa: A006
            "bulkOperation": lambda info, id: self.bulk.get(id),  # noqa: A006
            "currentBulkOperation": lambda info, type="QUERY": self.bulk.current(type),  # noqa: A006
        }
        return {name: count(name, fn) for name, fn in roots.items()}

    def _locations(self, info, includeInactive=False, query=None, **args) -> dict:  # noqa: N803
        rows = [loc for loc in self.locations if includeInactive or loc["isActive"]]
        num = lambda loc: int(loc["id"].rsplit("/", 1)[1])  # noqa: E731
        key = (lambda loc: (loc["name"], num(loc))) if args.get("sortKey") == "NAME" else (
            lambda loc: (num(loc), num(loc)))
        return connection(rows, key, dict, args)

    def _matching(self, query: str | None) -> list[Item]:
        terms = search_terms(query)
        skus = {v for f, _, v in terms if f == "sku"}
        if skus:
            return [self.items[s] for s in skus if s in self.items]
        return list(self.items.values())

    def _variants(self, info, query=None, sortKey="ID", **args) -> dict:  # noqa: N803
        key = (lambda i: (i.sku, i.num)) if sortKey == "SKU" else (lambda i: (i.num, i.num))
        return connection(self._matching(query), key, self._variant, args)

    def _inventory_items(self, info, query=None, **args) -> dict:
        return connection(self._matching(query), lambda i: (i.num, i.num), self._item, args)

    def _variant(self, item: Item) -> dict:
        return {"id": GID.format("ProductVariant", item.num), "sku": item.sku,
                "title": "Default Title", "displayName": f"{item.title} - Default Title",
                "inventoryQuantity": sum(item.levels.values()),
                "requiresComponents": item.bundle,
                "product": {"id": GID.format("Product", item.num), "title": item.title,
                            "requiresComponents": item.bundle},
                "inventoryItem": lambda info: self._item(item)}

    def _item(self, item: Item) -> dict:
        return {"id": GID.format("InventoryItem", item.num), "sku": item.sku,
                "tracked": item.tracked, "variant": lambda info: self._variant(item),
                "inventoryLevel": lambda info, locationId: self._level(item, locationId)}

    def _level(self, item: Item, location_id: str) -> dict | None:
        if location_id not in item.levels:
            return None
        loc = next((dict(x) for x in self.locations if x["id"] == location_id), None)
        qty = item.levels[location_id]
        level_id = f"gid://shopify/InventoryLevel/{location_id.rsplit('/', 1)[1]}?inventory_item_id={item.num}"
        values = {"available": qty, "on_hand": qty}

        def quantities(info, names):
            return [{"id": f"{level_id}&name={n}", "name": n, "quantity": values.get(n, 0),
                     "updatedAt": None} for n in names]

        return {"id": level_id, "location": loc, "item": lambda info: self._item(item),
                "quantities": quantities}

    def _orders(self, info, query=None, sortKey="PROCESSED_AT", **args) -> dict:  # noqa: N803
        rows = list(self.orders)
        for fld, op, value in search_terms(query):
            if fld != "created_at":
                continue
            try:
                when = _when(value)
            except ValueError:
                raise GraphQLError(f"Invalid date in search query: {value}",
                                   extensions={"code": "BAD_REQUEST"}) from None
            test = {">=": when.__le__, ">": when.__lt__, "<=": when.__ge__, "<": when.__gt__,
                    "": when.__eq__}[op]
            rows = [o for o in rows if test(_when(o.created))]
        key = (lambda o: (o.num, o.num)) if sortKey in ("ID", "NUMBER") else (
            lambda o: (o.created, o.num))
        return connection(rows, key, self._order, args)

    def _order(self, order: Order) -> dict:
        def line_items(info, **args):
            return connection(order.lines, lambda ln: (ln[0], ln[0]), lambda ln: {
                "id": GID.format("LineItem", ln[0]), "sku": ln[1], "name": ln[2],
                "title": ln[2], "quantity": ln[3]}, args)

        return {"id": GID.format("Order", order.num), "name": order.name,
                "createdAt": order.created, "cancelledAt": None,
                "displayFinancialStatus": order.status, "lineItems": line_items}


__all__ = ["ShopifyEmulator", "API_VERSION", "AUTH_ERROR"]
