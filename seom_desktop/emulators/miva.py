"""A Miva store's JSON API on loopback, with stock held in shoppers' baskets.

Documented behaviour reproduced (docs.miva.com "JSON API Getting Started" and "Multiple
Function Calls in a Single API Request"; Miva's api-sdk-python and pdeans/miva-api):

- One endpoint, `POST /mm5/json.mvc`, JSON body with `Store_Code`, `Function` and
  `Miva_Request_Timestamp` (unix seconds; checked against a window when the token
  requires timestamps).
- `X-Miva-API-Authorization: MIVA <token>`, or with a signing key
  `MIVA-HMAC-SHA256 <token>:<base64 HMAC-SHA256 of the body>` (SHA1 too), the key being
  the base64 private key Miva shows, decoded before use.
- Answers are `{"success": 1, ...}` or `{"success": 0, "error_code", "error_message"}`
  (validation errors add `validation_error`, `error_field`), in HTTP 200.
- Multicall: `{"Function": F, "Iterations": [...]}` and `{"Operations": [...]}` answer a
  list, one result per iteration/operation, each succeeding or failing on its own; a
  request that runs out of time answers 206 with `Content-Range: done/total` and the
  results of the operations that ran (`max_operations` models that).
- `ProductList_Load_Query` (Count/Offset/Sort/Filter with `search` and
  `ondemandcolumns`, answering `data: {total_count, start_offset, data: [...]}`),
  `Product_Update` (`Product_Code`, `Product_Inventory`), `ProductList_Adjust_Inventory`
  (`Inventory_Adjustments: [{product_code, adjustment}]`) and `OrderList_Load_Query`
  (orders with `orderdate` in unix seconds, on-demand column `items`).
- Miva takes stock when an item goes into a basket and gives it back when the basket is
  emptied or expires (hence the reference page: empty all baskets before turning sync
  on). `add_to_basket` / `empty_baskets` model that; `place_order` checks a basket out.

The error codes are the emulator's own (no list of Miva's codes was found); their
wording follows Miva's ("Access denied", "Product not found").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any

from seom_desktop.emulators.base import Emulator, Request, Response

ENDPOINT = "/mm5/json.mvc"
AUTH_FAILED = "MER-JSN-AUTH-00001"
BAD_SIGNATURE = "MER-JSN-AUTH-00002"
BAD_TIMESTAMP = "MER-JSN-AUTH-00003"
NO_STORE = "MER-JSN-STR-00001"
NO_FUNCTION = "MER-JSN-FNC-00001"
NO_PRODUCT = "MER-JSN-PRD-00001"
INVALID = "MER-JSN-VAL-00001"


def fail(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"success": 0, "error_code": code, "error_message": message, **extra}


class MivaEmulator(Emulator):
    kind = "miva"

    def __init__(self, *, faults: str = "", seed: int | None = None,
                 store_code: str = "default", token: str = "miva-emulator-token",
                 signing_key: str = "", require_timestamps: bool = True,
                 timestamp_window: int = 60, max_operations: int | None = None):
        super().__init__(faults=faults, seed=seed)
        self.store_code = store_code
        self.token = token
        self.signing_key = signing_key  # base64, as Miva shows it; "" = no HMAC required
        self.require_timestamps = require_timestamps
        self.timestamp_window = timestamp_window
        self.max_operations = max_operations
        self.products: dict[str, dict[str, Any]] = {}
        self.baskets: dict[str, dict[str, int]] = {}
        self.orders: list[dict[str, Any]] = []
        self._next_id = 0
        self._next_order = 1000

    # --- the rules every emulator keeps ----------------------------------------------
    def add_item(self, sku: str, qoh: int, name: str = "", tracked: bool = True, **_: Any) -> str:
        with self.lock:
            self._next_id += 1
            self.products[sku] = {"id": self._next_id, "code": sku, "name": name or sku,
                                  "inventory": int(qoh), "tracked": tracked}
            return str(self._next_id)

    def quantity(self, sku: str) -> int | None:
        with self.lock:
            p = self.products.get(sku)
            return None if p is None or not p["tracked"] else p["inventory"]

    def add_to_basket(self, sku: str, qty: int, basket: str = "shopper-1") -> None:
        """A shopper puts items in a basket: Miva takes them out of stock at once."""
        with self.lock:
            p = self.products[sku]
            if p["tracked"]:
                if p["inventory"] < qty:
                    raise ValueError(f"only {p['inventory']} of {sku!r} available")
                p["inventory"] -= qty
            held = self.baskets.setdefault(basket, {})
            held[sku] = held.get(sku, 0) + qty

    def empty_baskets(self) -> None:
        """Baskets emptied or expired: their stock comes back."""
        with self.lock:
            for held in self.baskets.values():
                for sku, qty in held.items():
                    if sku in self.products and self.products[sku]["tracked"]:
                        self.products[sku]["inventory"] += qty
            self.baskets.clear()

    def place_order(self, lines: list[tuple[str, int]], basket: str | None = None) -> str:
        """Checks out `basket` or, without one, a fresh basket filled with `lines`."""
        with self.lock:
            if basket is None:
                basket = f"checkout-{self._next_order + 1}"
                for sku, _qty in lines:
                    if sku not in self.products:
                        raise ValueError(f"no product with code {sku!r}")
                for sku, qty in lines:
                    self.add_to_basket(sku, qty, basket)
            held = self.baskets.pop(basket)
            self._next_order += 1
            self.orders.append({"id": self._next_order, "orderdate": int(time.time()),
                                "status": 0, "lines": list(held.items())})
            return str(self._next_order)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"items": {s: self.quantity(s) for s in self.products},
                    "baskets": {b: dict(h) for b, h in self.baskets.items()},
                    "orders": [o["id"] for o in self.orders]}

    def credentials(self) -> dict[str, str]:
        return {"url": f"{self.url}{ENDPOINT}", "token": self.token, "secret": self.signing_key,
                "location": self.store_code}

    # --- HTTP -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path != ENDPOINT:
            return Response.html(404, "Not Found")
        if req.method != "POST":
            return Response.html(405, "Method Not Allowed")
        with self.lock:
            denied = self._authenticate(req)
            if denied:
                return Response.json(denied)
            try:
                body = req.json()
            except ValueError:
                return Response.json(fail(INVALID, "Invalid JSON request body"))
            if not isinstance(body, dict):
                return Response.json(fail(INVALID, "Invalid JSON request body"))
            if self.require_timestamps:
                ts = body.get("Miva_Request_Timestamp")
                if not isinstance(ts, int | float) or abs(time.time() - ts) > self.timestamp_window:
                    return Response.json(fail(BAD_TIMESTAMP, "Access denied: request timestamp "
                                                             "missing or outside the allowed window"))
            if "Operations" in body:
                ops = body["Operations"]
                if not isinstance(ops, list):
                    return Response.json(fail(INVALID, "Operations must be a list"))
                return self._multi([(op, None) for op in ops], body, nested=True)
            if "Iterations" in body:
                its = body["Iterations"]
                if not isinstance(its, list):
                    return Response.json(fail(INVALID, "Iterations must be a list"))
                return self._multi([(body, it) for it in its], body, nested=False)
            return Response.json(self._run(body, body))

    def _authenticate(self, req: Request) -> dict[str, Any] | None:
        header = req.headers.get("x-miva-api-authorization", "")
        kind, _, rest = header.partition(" ")
        token, _, sig = rest.partition(":")
        if token != self.token:
            return fail(AUTH_FAILED, "Access denied")
        if kind == "MIVA" and not self.signing_key:
            return None
        algo = {"MIVA-HMAC-SHA256": hashlib.sha256, "MIVA-HMAC-SHA1": hashlib.sha1}.get(kind)
        if algo is None or not self.signing_key:
            return fail(AUTH_FAILED, "Access denied: this token requires an HMAC signature")
        key = base64.b64decode(self.signing_key + "=" * (-len(self.signing_key) % 4))
        want = base64.b64encode(hmac.new(key, req.body, algo).digest()).decode()
        if not hmac.compare_digest(want, sig):
            return fail(BAD_SIGNATURE, "Access denied: signature mismatch")
        return None

    def _multi(self, calls: list[tuple[dict, dict | None]], top: dict, *, nested: bool) -> Response:
        results: list[Any] = []
        limit = self.max_operations if self.max_operations is not None else len(calls)
        for op, iteration in calls[:limit]:
            if nested and isinstance(op, dict) and isinstance(op.get("Iterations"), list):
                results.append([self._run({**op, **it}, top) for it in op["Iterations"]])
            else:
                params = {**op, **iteration} if iteration is not None else op
                results.append(self._run(params, top))
        if limit < len(calls):
            return Response.json(results, 206, {"Content-Range": f"{limit}/{len(calls)}"})
        return Response.json(results)

    def _run(self, params: Any, top: dict) -> dict[str, Any]:
        if not isinstance(params, dict):
            return fail(INVALID, "Each operation must be an object")
        if (params.get("Store_Code") or top.get("Store_Code")) != self.store_code:
            return fail(NO_STORE, "Store not found")
        fn = {"ProductList_Load_Query": self._product_list, "Product_Update": self._product_update,
              "ProductList_Adjust_Inventory": self._adjust, "OrderList_Load_Query": self._order_list,
              }.get(params.get("Function", top.get("Function")))
        if fn is None:
            return fail(NO_FUNCTION, f"Function not found: {params.get('Function')}")
        return fn(params)

    # --- functions --------------------------------------------------------------------
    @staticmethod
    def _search(params: dict) -> list[dict[str, Any]]:
        out = []
        for f in params.get("Filter") or []:
            if isinstance(f, dict) and f.get("name") == "search":
                out.extend(v for v in f.get("value") or [] if isinstance(v, dict))
        return out

    @staticmethod
    def _keep(row: dict[str, Any], search: list[dict[str, Any]]) -> bool:
        for s in search:
            have, op, want = row.get(s.get("field")), str(s.get("operator", "EQ")).upper(), s.get("value")
            if op == "EQ" and str(have) != str(want):
                return False
            if op == "IN" and str(have) not in str(want).split(","):
                return False
            if op == "GE" and not (have is not None and float(have) >= float(want)):
                return False
            if op == "LT" and not (have is not None and float(have) < float(want)):
                return False
        return True

    def _page(self, rows: list[dict[str, Any]], params: dict) -> dict[str, Any]:
        try:
            count, offset = int(params.get("Count", 0) or 0), int(params.get("Offset", 0) or 0)
        except (TypeError, ValueError):
            return fail(INVALID, "Count and Offset must be numbers", validation_error=1,
                        error_field="Count")
        rows = [r for r in rows if self._keep(r, self._search(params))]
        sort = str(params.get("Sort") or "id")
        field = sort.lstrip("-")
        rows.sort(key=lambda r: (r.get(field) is None, r.get(field), r["id"]), reverse=sort.startswith("-"))
        chunk = rows[offset: offset + count] if count > 0 else rows[offset:]
        return {"success": 1, "data": {"total_count": len(rows), "start_offset": offset, "data": chunk}}

    def _product_list(self, params: dict) -> dict[str, Any]:
        rows = [{"id": p["id"], "code": p["code"], "sku": p["code"], "name": p["name"],
                 "active": True, "product_inventory_active": p["tracked"],
                 "product_inventory": p["inventory"] if p["tracked"] else 0}
                for p in self.products.values()]
        return self._page(rows, params)

    def _product_update(self, params: dict) -> dict[str, Any]:
        code = params.get("Product_Code") or params.get("Edit_Product")
        p = self.products.get(str(code)) if code is not None else None
        if p is None:
            return fail(NO_PRODUCT, "Product not found")
        if "Product_Inventory" in params:
            qty = params["Product_Inventory"]
            if not isinstance(qty, int) or isinstance(qty, bool):
                return fail(INVALID, "Product_Inventory must be a whole number",
                            validation_error=1, error_field="Product_Inventory")
            p["inventory"] = qty
            self.applied[p["code"]] += 1
        return {"success": 1}

    def _adjust(self, params: dict) -> dict[str, Any]:
        adjustments = params.get("Inventory_Adjustments")
        if not isinstance(adjustments, list):
            return fail(INVALID, "Inventory_Adjustments is required", validation_error=1,
                        error_field="Inventory_Adjustments")
        plan = []
        for a in adjustments:
            code = a.get("product_code") if isinstance(a, dict) else None
            p = self.products.get(str(code)) if code is not None else None
            if p is None:
                return fail(NO_PRODUCT, "Product not found")
            plan.append((p, int(a.get("adjustment", 0))))
        for p, delta in plan:
            p["inventory"] += delta
            self.applied[p["code"]] += 1
        return {"success": 1, "processed": len(plan)}

    def _order_list(self, params: dict) -> dict[str, Any]:
        want_items = any(isinstance(f, dict) and f.get("name") == "ondemandcolumns"
                         and "items" in (f.get("value") or []) for f in params.get("Filter") or [])
        rows = []
        for o in self.orders:
            row: dict[str, Any] = {"id": o["id"], "orderdate": o["orderdate"], "status": o["status"]}
            if want_items:
                row["items"] = [{"line_id": o["id"] * 100 + n, "code": sku, "sku": sku,
                                 "name": self.products.get(sku, {}).get("name", sku), "quantity": q}
                                for n, (sku, q) in enumerate(o["lines"])]
            rows.append(row)
        return self._page(rows, params)

    @staticmethod
    def iso(ts: int) -> str:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
