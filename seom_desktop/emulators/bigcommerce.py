"""A BigCommerce store on loopback: the v3 Inventory API and the v2 Orders API.

Documented behaviour reproduced (developer.bigcommerce.com, and the OpenAPI file
`reference/inventory.v3.yml` of github.com/bigcommerce/docs):

- Base path `/stores/{store_hash}/v3` and `/stores/{store_hash}/v2`; the access token in
  the `X-Auth-Token` header (a missing or wrong token: 401).
- `PUT /v3/inventory/adjustments/absolute` and `POST /v3/inventory/adjustments/relative`
  with `{"reason", "items": [{"location_id", "sku" | "variant_id" | "product_id",
  "quantity"}]}`; "Limit of 2000 items for payload length"; answer 200
  `{"transaction_id": ...}`. A refused adjustment is refused whole (nothing applied)
  with 422 `application/problem+json` `{status, title, type, errors}`; documented
  titles reproduced: "Location not found, identities: [3,2]", "[Item with variant_id
  106 is tracked by product, please update stock by product id]", "Items with identity:
  [product_id 113] requires absolute adjustment before relative", "Payload contains
  invalid fields" with `errors` keyed by field. Relative adjustments below zero are
  refused ("insufficient stock"); absolute ones never are.
- `GET /v3/inventory/locations` (`page`, `limit`, `location_id:in`, `is_active`),
  answering `{data: [LocationResponse], meta}` with every field of the LocationResponse
  schema of `reference/locations.v3.yml` (id, code, label, description,
  managed_by_external_source, type_id, enabled, operating_hours, time_zone, created_at,
  updated_at, address, storefront_visibility, special_hours); location 1 is the
  store's default ("By default, all BigCommerce stores have at least one location
  (`id` = `1`)"). `add_location` makes more; an absolute adjustment naming one the store
  lacks is refused whole with the documented "Location not found, identities: [..]".
- `GET /v3/inventory/locations/{location_id}/items` with `page`, `limit` (max 1000) and
  `sku:in`, answering `{data: [{identity: {sku, variant_id, product_id},
  available_to_sell, total_inventory_onhand, settings}], meta: {pagination: {total,
  count, per_page, current_page, total_pages, links: {previous, current, next}}}}`;
  an unknown location: 404 problem+json.
- Rate limits: every answer carries X-Rate-Limit-Requests-Left, X-Rate-Limit-Requests-
  Quota, X-Rate-Limit-Time-Window-Ms and X-Rate-Limit-Time-Reset-Ms; past the quota of
  the window: 429 with the same headers (no Retry-After), as the "API rate limits" page
  shows.
- `GET /v2/orders?min_date_created=&sort=date_created:asc&page=&limit=` (limit max 250;
  dates RFC 2822 or ISO 8601; an empty page is 204 No Content) and
  `GET /v2/orders/{id}/products` (`sku`, `quantity`, `name`, `product_id`, `variant_id`).
  Orders decrement stock when placed (BigCommerce's default "when order is placed").

Modelled, not found in the documentation: the exact title for SKUs the store does not
have (written like the documented location error: "Inventory items not found,
identities: [sku A, sku B]") and the answer past 2,000 items (422 "Payload contains
invalid fields" with `errors: {"items": ...}`).
"""

from __future__ import annotations

import math
import time
import uuid
from typing import Any

from seom_desktop.emulators.base import Emulator, Request, Response
from seom_desktop.emulators.bigcommerce_orders import OrdersApi

PROBLEM = "application/problem+json"
STATUS_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
MAX_ADJUST_ITEMS = 2000
MAX_ITEMS_PAGE = 1000


def problem(status: int, title: str, errors: dict | None = None,
            headers: dict[str, str] | None = None) -> Response:
    body = {"status": status, "title": title, "type": STATUS_TYPE, "errors": errors or {}}
    return Response.json(body, status, headers, content_type=PROBLEM)


class BigCommerceEmulator(OrdersApi, Emulator):
    kind = "bigcommerce"

    def __init__(self, *, faults: str = "", seed: int | None = None,
                 store_hash: str = "abc123", token: str = "bc-emulator-token",
                 rate_quota: int = 10_000, rate_window_ms: int = 30_000,
                 locations: tuple[int, ...] = (1,)):
        super().__init__(faults=faults, seed=seed)
        self.store_hash = store_hash
        self.token = token
        self.rate_quota = rate_quota
        self.rate_window_ms = rate_window_ms
        self._window_start = time.monotonic()
        self._window_used = 0
        self.locations: dict[int, dict[str, Any]] = {}  # id -> a LocationResponse
        for loc in locations:
            self.add_location(f"Location {loc}" if loc != 1 else "Default location", loc)
        self.items: dict[str, dict[str, Any]] = {}  # sku -> item
        self.orders: list[dict[str, Any]] = []
        self._next_product = 100
        self._next_order = 1000

    # --- the rules every emulator keeps ----------------------------------------------
    def add_location(self, label: str, location_id: int | None = None,
                     enabled: bool = True) -> str:
        """A new inventory location (the next id unless given); returns its id as text."""
        with self.lock:
            lid = location_id if location_id is not None else max(self.locations, default=0) + 1
            self.locations[lid] = {
                "id": lid, "code": f"BIGC-{lid}", "label": label,
                "description": "", "managed_by_external_source": False,
                "type_id": "PHYSICAL", "enabled": enabled,
                "operating_hours": {day: {"open": False, "opening": "08:00", "closing": "16:00"}
                                    for day in ("sunday", "monday", "tuesday", "wednesday",
                                                "thursday", "friday", "saturday")},
                "time_zone": "Etc/UTC", "created_at": "2022-05-30T12:18:02Z",
                "updated_at": "2022-05-30T12:18:02Z",
                "address": {"address1": "5th Ave", "address2": "", "city": "New York City",
                            "state": "NY", "zip": "12345", "email": "test@example.com",
                            "phone": "800-555-0198",
                            "geo_coordinates": {"latitude": 11, "longitude": 8},
                            "country_code": "US"},
                "storefront_visibility": True, "special_hours": [],
            }
            return str(lid)

    def set_quantity(self, sku: str, qoh: int, location_id: int | str = 1) -> None:
        """Stock changed in the control panel (behind the connector's back)."""
        with self.lock:
            self.items[sku]["stock"][int(location_id)] = int(qoh)

    def add_item(self, sku: str, qoh: int, name: str = "", tracked: bool = True,
                 location_id: int = 1, **_: Any) -> str:
        with self.lock:
            self._next_product += 1
            pid = self._next_product
            self.items[sku] = {"sku": sku, "name": name or sku, "tracked": tracked,
                               "product_id": pid, "variant_id": pid + 5000,
                               "stock": {location_id: int(qoh)}, "safety_stock": 0}
            if location_id not in self.locations:
                self.add_location(f"Location {location_id}", location_id)
            return str(pid + 5000)

    def quantity(self, sku: str, location_id: int = 1) -> int | None:
        with self.lock:
            item = self.items.get(sku)
            if item is None or not item["tracked"]:
                return None
            return item["stock"].get(location_id, 0)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"items": {s: self.quantity(s) for s in self.items},
                    "orders": [o["id"] for o in self.orders]}

    def credentials(self) -> dict[str, str]:
        return {"url": f"{self.url}/stores/{self.store_hash}", "token": self.token}

    # --- HTTP -------------------------------------------------------------------------
    def _rate_headers(self) -> dict[str, str]:
        now = time.monotonic()
        elapsed_ms = (now - self._window_start) * 1000
        if elapsed_ms >= self.rate_window_ms:
            self._window_start, self._window_used, elapsed_ms = now, 0, 0
        left = max(0, self.rate_quota - self._window_used)
        return {
            "X-Rate-Limit-Requests-Left": str(left),
            "X-Rate-Limit-Requests-Quota": str(self.rate_quota),
            "X-Rate-Limit-Time-Window-Ms": str(self.rate_window_ms),
            "X-Rate-Limit-Time-Reset-Ms": str(max(1, int(self.rate_window_ms - elapsed_ms))),
        }

    def fault_response(self, fault: str) -> Response:
        if fault == "429":  # BigCommerce says when with its own headers, not Retry-After
            headers = self._rate_headers()
            headers["X-Rate-Limit-Requests-Left"] = "0"
            headers["X-Rate-Limit-Time-Reset-Ms"] = str(int(self.faults.retry_after * 1000))
            return problem(429, "Too many requests", headers=headers)
        return super().fault_response(fault)

    def handle(self, req: Request) -> Response:
        with self.lock:
            prefix = f"/stores/{self.store_hash}"
            if not req.path.startswith(prefix + "/"):
                return problem(404, "Store not found")
            if req.headers.get("x-auth-token") != self.token:
                return problem(401, "Unauthorized: missing or invalid X-Auth-Token")
            headers = self._rate_headers()
            if self._window_used >= self.rate_quota:
                headers["X-Rate-Limit-Requests-Left"] = "0"
                return problem(429, "Too many requests", headers=headers)
            self._window_used += 1
            headers = self._rate_headers()
            resp = self._route(req, req.path[len(prefix):])
            resp.headers.update(headers)
            return resp

    def _route(self, req: Request, path: str) -> Response:
        parts = [p for p in path.split("/") if p]
        if parts[:4] == ["v3", "inventory", "adjustments", "absolute"] and len(parts) == 4:
            return self._adjust(req, absolute=True) if req.method == "PUT" else self._no_method()
        if parts[:4] == ["v3", "inventory", "adjustments", "relative"] and len(parts) == 4:
            return self._adjust(req, absolute=False) if req.method == "POST" else self._no_method()
        if parts == ["v3", "inventory", "locations"]:
            return self._locations(req) if req.method == "GET" else self._no_method()
        if parts[:3] == ["v3", "inventory", "locations"] and len(parts) == 5 and parts[4] == "items":
            return self._location_items(req, parts[3]) if req.method == "GET" else self._no_method()
        if parts == ["v2", "orders"]:
            return self._orders(req) if req.method == "GET" else self._no_method()
        if len(parts) == 4 and parts[:2] == ["v2", "orders"] and parts[3] == "products":
            return self._order_products(req, parts[2])
        return problem(404, "The requested resource was not found")

    @staticmethod
    def _no_method() -> Response:
        return problem(405, "Method Not Allowed")

    # --- inventory --------------------------------------------------------------------
    def _find(self, entry: dict[str, Any]) -> tuple[str, dict | None]:
        if "sku" in entry:
            return f"sku {entry['sku']}", self.items.get(str(entry["sku"]))
        if "variant_id" in entry:
            vid = entry["variant_id"]
            return f"variant_id {vid}", next(
                (i for i in self.items.values() if i["variant_id"] == vid), None)
        pid = entry.get("product_id")
        return f"product_id {pid}", next(
            (i for i in self.items.values() if i["product_id"] == pid), None)

    def _adjust(self, req: Request, *, absolute: bool) -> Response:
        try:
            body = req.json()
        except ValueError:
            return problem(400, "The request body is not valid JSON")
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            return problem(422, "Payload contains invalid fields",
                           {"items": "items is required and must be a non-empty array"})
        if len(items) > MAX_ADJUST_ITEMS:
            return problem(422, "Payload contains invalid fields",
                           {"items": f"The number of items must not exceed {MAX_ADJUST_ITEMS}"})
        errors: dict[str, str] = {}
        bad_locations: list[str] = []
        missing: list[str] = []
        untracked: list[str] = []
        plan: list[tuple[dict, int, int]] = []
        for n, entry in enumerate(items):
            if not isinstance(entry, dict):
                errors[f"items.{n}"] = "must be an object"
                continue
            keys = [k for k in ("sku", "variant_id", "product_id") if k in entry]
            if len(keys) != 1:
                errors[f"items.{n}"] = "exactly one of sku, variant_id, product_id is required"
                continue
            qty, loc = entry.get("quantity"), entry.get("location_id")
            if not isinstance(qty, int) or isinstance(qty, bool):
                errors[f"items.{n}.quantity"] = "quantity must be an integer"
                continue
            if absolute and qty < 0:
                errors[f"items.{n}.quantity"] = "quantity must be greater than or equal to 0"
                continue
            if not isinstance(loc, int) or isinstance(loc, bool):
                errors[f"items.{n}.location_id"] = "location_id must be an integer"
                continue
            if loc not in self.locations:
                bad_locations.append(str(loc))
                continue
            ident, item = self._find(entry)
            if item is None or not item["tracked"]:
                (missing if item is None else untracked).append(ident)
                continue
            plan.append((item, loc, qty))
        if errors:
            return problem(422, "Payload contains invalid fields", errors)
        if bad_locations:
            return problem(422, f"Location not found, identities: [{','.join(bad_locations)}]")
        if missing:
            return problem(422, f"Inventory items not found, identities: [{', '.join(missing)}]")
        if untracked:
            return problem(422, f"[Items with identity: [{', '.join(untracked)}] "
                                "are not tracked, enable inventory tracking first]")
        if not absolute:
            short = [f"sku {i['sku']}" for i, loc, q in plan
                     if i["stock"].get(loc, 0) + q < i["safety_stock"]]
            if short:
                return problem(422, f"Insufficient stock for items with identity: [{', '.join(short)}]")
        for item, loc, qty in plan:
            before = item["stock"].get(loc)
            item["stock"][loc] = qty if absolute else item["stock"].get(loc, 0) + qty
            self.applied[item["sku"]] += 1
            self.log_write(item["sku"], item["stock"][loc], before)
        return Response.json({"transaction_id": str(uuid.uuid4())})

    def _locations(self, req: Request) -> Response:
        try:
            page = max(1, int(req.arg("page", "1")))
            limit = min(MAX_ITEMS_PAGE, max(1, int(req.arg("limit", "50"))))
        except ValueError:
            return problem(400, "page and limit must be integers")
        rows = [dict(loc) for _lid, loc in sorted(self.locations.items())]
        if req.arg("location_id:in"):
            wanted = set(req.arg("location_id:in").split(","))
            rows = [r for r in rows if str(r["id"]) in wanted]
        if req.arg("is_active") in ("true", "false"):
            rows = [r for r in rows if r["enabled"] is (req.arg("is_active") == "true")]
        return Response.json(self._page_of(rows, page, limit))

    @staticmethod
    def _page_of(rows: list, page: int, limit: int) -> dict[str, Any]:
        """`{data, meta: {pagination}}`, the `Meta` of inventory.v3.yml / locations.v3.yml."""
        total = len(rows)
        pages = max(1, math.ceil(total / limit))
        chunk = rows[(page - 1) * limit: page * limit]
        links = {"current": f"?limit={limit}&page={page}"}
        if page > 1:
            links["previous"] = f"?limit={limit}&page={page - 1}"
        if page < pages:
            links["next"] = f"?limit={limit}&page={page + 1}"
        return {"data": chunk, "meta": {"pagination": {
            "total": total, "count": len(chunk), "per_page": limit, "current_page": page,
            "total_pages": pages, "links": links}}}

    def _location_items(self, req: Request, location: str) -> Response:
        try:
            loc = int(location)
        except ValueError:
            loc = -1
        if loc not in self.locations:
            return problem(404, f"Location not found, identities: [{location}]")
        try:
            page = max(1, int(req.arg("page", "1")))
            limit = min(MAX_ITEMS_PAGE, max(1, int(req.arg("limit", "50"))))
        except ValueError:
            return problem(400, "page and limit must be integers")
        rows = [i for i in self.items.values() if i["tracked"]]
        if req.arg("sku:in"):
            wanted = set(req.arg("sku:in").split(","))
            rows = [i for i in rows if i["sku"] in wanted]
        page_rows = self._page_of(rows, page, limit)  # build only the page asked for
        page_rows["data"] = [{
            "identity": {"sku": i["sku"], "variant_id": i["variant_id"], "product_id": i["product_id"]},
            "available_to_sell": max(0, i["stock"].get(loc, 0) - i["safety_stock"]),
            "total_inventory_onhand": i["stock"].get(loc, 0),
            "settings": {"safety_stock": i["safety_stock"], "is_in_stock": True,
                         "warning_level": 0, "bin_picking_number": ""},
        } for i in page_rows["data"]]
        return Response.json(page_rows)
