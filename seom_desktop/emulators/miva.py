"""A Miva store's JSON API on loopback, answering as Miva's own source does, with stock
held in shoppers' baskets.

Source: Miva's Limited Source Kit, github.com/mivaecommerce/miva-merchant-lsk (tag
10.13.04), `mmlsk-json.mv`, functions JSON_API, JSON_API_Operation, JSON_API_Iteration,
JSON_API_Function and the JSON_Response_* helpers; the catalog and order functions are in
miva_store.py (json/products.mv, json/orders.mv, features/inv/mmlsk-inv_db.mv).

- One endpoint, `POST /mm5/json.mvc` with `Content-Type: application/json`. Every
  refusal of JSON_API is HTTP 200 with `{"success": 0, "error_code": "access_denied",
  "error_message": ...}`: "Invalid request method", "Invalid request content type",
  "Access denied" (unknown token), "Token is disabled", "Missing required timestamp",
  "Timestamp outside configured window", "Timestamp requires request signature" (a
  plain `MIVA token` header on a token that requires signatures: Miva's own wording),
  "Invalid request signature", "Unrecognized authorization type".
- `X-Miva-API-Authorization: MIVA <token>`, `MIVA-HMAC-SHA1` or `MIVA-HMAC-SHA256
  <token>:<base64 HMAC of the exact body>` keyed with the base64 signing key Miva shows.
  Checked in Miva's order: token, enabled, timestamp (when the token requires one:
  `Miva_Request_Timestamp` of the body against the token's window), signature (when the
  token requires one; a token that does not accepts any of the three header types).
- `Operations: [...]` answers a list, one result per operation; the time-out check runs
  between operations only, after at least one has run, and then answers 206 with
  `Content-Range: <done>/<total>` and the results of the operations that ran
  (`max_operations` says how many fit in the time). An operation (or the request
  itself) with `Iterations: [...]` answers a list, one result per iteration, each
  succeeding or failing on its own, with no time-out check between them.
- Missing Function: MER-JSN-00024; unknown Function: `invalid_function`; missing
  Store_Code: MER-JSN-00017 (JSON_Store_Open).
- Miva takes stock when an item goes into a basket and gives it back when the basket
  is emptied or expires (hence the reference page: empty all baskets before turning
  sync on). `add_to_basket` / `empty_baskets` model that; `place_order` checks out.

A request without the X-Miva-API-Authorization header goes, on Miva, to the session
JSON handler (not modelled): the emulator answers access_denied "Access denied". The
`Range: Operations=a-b` header and `X-Miva-API-Timeout` are not modelled either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from seom_desktop.emulators.base import Emulator, Request, Response
from seom_desktop.emulators.miva_store import Catalog, fail

ENDPOINT = "/mm5/json.mvc"
DENIED = "access_denied"
NO_STORE = "MER-EMU-STR-00001"  # the emulator's own: Admin_Open_Store's code is not in the kit
DIGESTS = {"MIVA-HMAC-SHA1": hashlib.sha1, "MIVA-HMAC-SHA256": hashlib.sha256}


def denied(message: str) -> Response:
    return Response.json(fail(DENIED, message))


class MivaEmulator(Emulator):
    kind = "miva"

    def __init__(self, *, faults: str = "", seed: int | None = None,
                 store_code: str = "default", token: str = "miva-emulator-token",
                 signing_key: str = "", require_timestamps: bool = True,
                 timestamp_window: int = 60, max_operations: int | None = None,
                 token_enabled: bool = True):
        super().__init__(faults=faults, seed=seed)
        self.store_code = store_code
        self.token = token
        self.token_enabled = token_enabled
        self.signing_key = signing_key  # base64, as Miva shows it; "" = no signature required
        self.require_timestamps = require_timestamps
        self.timestamp_window = timestamp_window
        self.max_operations = max_operations
        self.catalog = Catalog()
        self.baskets: dict[str, dict[str, int]] = {}
        self._next_order = 1000

    @property
    def orders(self) -> list[dict[str, Any]]:
        return self.catalog.orders

    # --- the rules every emulator keeps ----------------------------------------------
    def add_item(self, sku: str, qoh: int | None, name: str = "", tracked: bool = True,
                 product_sku: str = "", **_: Any) -> str:
        """A product with code `sku` (the connector's item SKU is Miva's product code);
        `product_sku` is Miva's separate SKU field. Untracked: no inventory rows."""
        with self.lock:
            return str(self.catalog.add(sku, qoh, name, tracked, product_sku).id)

    def stop_tracking(self, sku: str) -> None:
        """Inventory tracking turned off in the admin: the count row stays, hidden."""
        with self.lock:
            self.catalog.products[sku].tracking = False

    def hidden_count(self, sku: str) -> int | None:
        with self.lock:
            return self.catalog.products[sku].count

    def quantity(self, sku: str) -> int | None:
        with self.lock:
            p = self.catalog.products.get(sku)
            return None if p is None or not p.tracked else p.count

    def add_to_basket(self, sku: str, qty: int, basket: str = "shopper-1") -> None:
        """A shopper puts items in a basket: Miva takes them out of stock at once."""
        with self.lock:
            p = self.catalog.products[sku]
            if p.tracked and p.count is not None:
                if p.count < qty:
                    raise ValueError(f"only {p.count} of {sku!r} available")
                p.count -= qty
            held = self.baskets.setdefault(basket, {})
            held[sku] = held.get(sku, 0) + qty

    def empty_baskets(self) -> None:
        """Baskets emptied or expired: their stock comes back."""
        with self.lock:
            for held in self.baskets.values():
                for sku, qty in held.items():
                    p = self.catalog.products.get(sku)
                    if p is not None and p.tracked and p.count is not None:
                        p.count += qty
            self.baskets.clear()

    def place_order(self, lines: list[tuple[str, int]], basket: str | None = None) -> str:
        """Checks out `basket` or, without one, a fresh basket filled with `lines`
        (product codes and quantities)."""
        with self.lock:
            if basket is None:
                basket = f"checkout-{self._next_order + 1}"
                for sku, _qty in lines:
                    if sku not in self.catalog.products:
                        raise ValueError(f"no product with code {sku!r}")
                for sku, qty in lines:
                    self.add_to_basket(sku, qty, basket)
            held = self.baskets.pop(basket)
            self._next_order += 1
            self.catalog.orders.append({"id": self._next_order, "orderdate": int(time.time()),
                                        "status": 0,
                                        "lines": [[c, q, 0] for c, q in held.items()]})
            return str(self._next_order)

    def cancel_items(self, order_id: str, codes: list[str] | None = None) -> None:
        """Items of an order cancelled in the admin (item status 300); with all of them
        the order is cancelled (300) too (lib/dbeng/orders.mv Order_Update_Status).
        Stock is left as it is (not modelled)."""
        with self.lock:
            order = next(o for o in self.catalog.orders if str(o["id"]) == str(order_id))
            for line in order["lines"]:
                if codes is None or line[0] in codes:
                    line[2] = 300
            if all(line[2] == 300 for line in order["lines"]):
                order["status"] = 300

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"items": {s: self.quantity(s) for s in self.catalog.products},
                    "baskets": {b: dict(h) for b, h in self.baskets.items()},
                    "orders": [o["id"] for o in self.catalog.orders]}

    def credentials(self) -> dict[str, str]:
        return {"url": f"{self.url}{ENDPOINT}", "token": self.token, "secret": self.signing_key,
                "location": self.store_code}

    # --- HTTP -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path != ENDPOINT:
            return Response.html(404, "Not Found")
        with self.lock:
            if req.method != "POST":
                return denied("Invalid request method")
            if not req.headers.get("content-type", "").startswith("application/json"):
                return denied("Invalid request content type")
            try:
                body = req.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):  # (not in the kit: the body is parsed before)
                return Response.json(fail("MER-EMU-JSN-00001", "Invalid JSON request body"))
            refusal = self._authenticate(req, body)
            if refusal:
                return denied(refusal)
            ops = body.get("Operations")
            if not isinstance(ops, list):
                return Response.json(self._operation(body, body))
            return self._operations(ops, body)

    def _authenticate(self, req: Request, body: dict) -> str:
        """JSON_API's checks, in its order; the refusal's message, or ""."""
        header = req.headers.get("x-miva-api-authorization", "")
        if not header:
            return "Access denied"
        kind, _, rest = header.partition(" ")
        kind = kind.upper()
        if kind not in ("MIVA", *DIGESTS):
            return "Unrecognized authorization type"
        token, _, signature = rest.partition(":")
        if token != self.token:
            return "Access denied"
        if not self.token_enabled:
            return "Token is disabled"
        if self.require_timestamps:
            ts = body.get("Miva_Request_Timestamp")
            if ts is None or ts == "":
                return "Missing required timestamp"
            try:
                off = abs(float(ts) - time.time())
            except (TypeError, ValueError):
                off = float("inf")
            if off > self.timestamp_window:
                return "Timestamp outside configured window"
        if self.signing_key:
            if kind == "MIVA":
                return "Timestamp requires request signature"  # sic, mmlsk-json.mv
            key = base64.b64decode(self.signing_key + "=" * (-len(self.signing_key) % 4))
            want = hmac.new(key, req.body, DIGESTS[kind]).digest()
            try:
                got = base64.b64decode(signature, validate=True)
            except ValueError:
                got = b""
            if not hmac.compare_digest(want, got):
                return "Invalid request signature"
        return ""

    def _operations(self, ops: list, top: dict) -> Response:
        results: list[Any] = []
        fits = self.max_operations
        for op in ops:
            if results and fits is not None and len(results) >= fits:
                return Response.json(results, 206, {"Content-Range": f"{len(results)}/{len(ops)}"})
            results.append(self._operation(op if isinstance(op, dict) else {}, top))
        return Response.json(results)

    def _operation(self, op: dict, top: dict) -> Any:
        """JSON_API_Operation: Iterations answer one result each, else one result."""
        base = {k: v for k, v in top.items() if k not in ("Operations", "Iterations")}
        params = {**base, **{k: v for k, v in op.items() if k != "Iterations"}}
        iterations = op.get("Iterations")
        if not isinstance(iterations, list):
            return self._run(params)
        return [self._run({**params, **(it if isinstance(it, dict) else {})}) for it in iterations]

    def _run(self, params: dict) -> dict[str, Any]:
        """JSON_API_Function."""
        store = params.get("Store_Code")
        if store not in (None, "") and store != self.store_code:
            return fail(NO_STORE, f"Store '{store}' not found")
        function = params.get("Function")
        if function in (None, ""):
            return fail("MER-JSN-00024", "Missing required parameter Function")
        fn = {"ProductList_Load_Query": self._product_list, "Product_Update": self._product_update,
              "ProductList_Adjust_Inventory": self._adjust, "OrderList_Load_Query": self._order_list,
              }.get(function)
        if fn is None:
            return fail("invalid_function", "Invalid function")
        if store in (None, ""):
            return fail("MER-JSN-00017", "Missing required parameter Store_Code")
        return fn(params)

    def _product_list(self, params: dict) -> dict[str, Any]:
        return self.catalog.product_list(params)

    def _product_update(self, params: dict) -> dict[str, Any]:
        before = {p.code: p.count for p in self.catalog.products.values()}
        answer, changed = self.catalog.product_update(params)
        if changed is not None:
            self.applied[changed.code] += 1
            self.log_write(changed.code, changed.count, before.get(changed.code))
        return answer

    def _adjust(self, params: dict) -> dict[str, Any]:
        before = {p.code: p.count for p in self.catalog.products.values()}
        answer, changed = self.catalog.adjust(params)
        for p in changed:
            self.applied[p.code] += 1
            self.log_write(p.code, p.count, before.get(p.code))
        return answer

    def _order_list(self, params: dict) -> dict[str, Any]:
        return self.catalog.order_list(params)
