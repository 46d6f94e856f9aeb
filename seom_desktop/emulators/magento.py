"""A Magento 2 / Adobe Commerce store with Multi-Source Inventory on loopback (REST).

Documented behaviour reproduced (developer.adobe.com/commerce/webapi, the
magento/inventory and magento/magento2 issue trackers):

- `/rest/<store_code>/V1/...` and `/rest/V1/...` (default store view); bearer tokens:
  an integration access token that does not expire, or an admin token from
  `POST /rest/V1/integration/admin/token {"username","password"}` (the answer is the
  token as a JSON string) that expires after `admin_token_lifetime` seconds (Magento's
  "Admin Token Lifetime (hours)", 4 by default). Wrong credentials: 401 "The account
  sign-in was incorrect or your account is disabled temporarily..."; a missing, wrong
  or expired token: 401 "The consumer isn't authorized to access %resources.".
  Two defaults of a real store are options here (both off by default, as the existing
  tests' stores are configured): since 2.4.4 an integration's access token is a bearer
  token only when "Allow OAuth Access Tokens to be used as standalone Bearer tokens" is
  Yes (AdobeDocs/commerce-webapi src/pages/get-started/authentication/
  gs-authentication-token.md), `integration_as_bearer=False` refuses it like any
  unknown token; with Magento_TwoFactorAuth enabled (the 2.4 default) the admin token
  route answers good credentials with 401 "Please use the 2fa provider-specific
  endpoints to obtain a token." and `parameters: {active_providers: [...]}`
  (magento/security-package TwoFactorAuth/Model/AdminAccessTokenService.php and its
  Test/Api/AdminIntegrationTokenTest.php), `two_factor_auth=True`.
- Errors are `{"message": "... %1 / %name ...", "parameters": [...] or {...}}`,
  validation failures `{"message": "Validation Failed", "errors": [{message,
  parameters}]}` (MSI's `"%field" can not be empty.`).
- `POST /V1/inventory/source-items {"sourceItems": [{sku, source_code, quantity,
  status}]}` answers `[]`; it is all-or-nothing. Refusals as magento/inventory's own
  API test InventoryApi/Test/Api/SourceItemsSave/ValidationTest.php has them: no items
  400 "Input data is empty"; an empty sku or source_code `"%field" can not be empty.`,
  a source code with a space `"%field" can not contain whitespaces.`, a missing
  quantity or status `"%field" should be numeric.`, an unknown status `"%field" should
  a known status.` (sic); a source code the store does not have is no validation
  error: 400 `{"message": "Could not save Source Item"}`. With the Web API input limits on
  (Magento 2.4.3+), more than `input_list_limit` (default 20) items answer 400
  `Maximum items of type "%type" is %max` with named parameters (magento2#34154).
- `GET /V1/inventory/sources` (searchCriteria as below) answering `{items: [source],
  search_criteria, total_count}` with the fields of the "Search for sources" example of
  magento/devdocs src/guides/v2.4/rest/modules/inventory/manage-sources.md (the default
  source: "Default Source", enabled, postcode "00000"). `add_source` makes more; a
  source item may be saved for any product at any known source (manage-source-items.md:
  one product at `central` and `east` in one call).
- `GET /V1/inventory/source-items?searchCriteria[filter_groups][G][filters][F][field|
  value|condition_type]=..&searchCriteria[pageSize]=..&searchCriteria[currentPage]=..`
  answering `{items, search_criteria, total_count}`. Like Magento, a `currentPage`
  past the last page answers the last page again: clients must count with total_count.
- A source item for a product that does not exist: older versions accept it and create
  an orphan (magento2#30274, #38154), 2.4.6 answers 400 "Could not save Source Item"
  (inventory#889), the fix in review (inventory PR #3448) answers a validation error
  "Product with SKU ... does not exist.". `unknown_sku` picks one: "validation"
  (default), "could-not-save" or "accept".
- Orders: `GET /V1/orders` with searchCriteria (created_at gteq), sortOrders, answering
  `{items: [{entity_id, increment_id, created_at "YYYY-MM-DD HH:MM:SS" UTC, state,
  status, items: [{item_id, order_id, sku, qty_ordered, name, product_type,
  parent_item_id?}]}], total_count}` (the order of Adobe's REST tutorial,
  AdobeDocs/commerce-webapi src/pages/rest/tutorials/orders/order-create-order.md;
  only simple products are emulated, not a bundle's parent and child lines).
- With MSI, placing an order only makes a reservation (the salable quantity drops); the
  source quantity drops at shipment. `place_order` does that; `ship_order` (or
  `auto_ship=True`) deducts the source quantity.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from seom_desktop.emulators.base import Emulator, Request, Response

SOURCE_ITEM_TYPE = "\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface"
NOT_AUTHORIZED = {"message": "The consumer isn't authorized to access %resources.",
                  "parameters": {"resources": "Magento_InventoryApi::source"}}
SIGN_IN_FAILED = ("The account sign-in was incorrect or your account is disabled temporarily. "
                  "Please wait and try again later.")
_CRITERIA = re.compile(r"searchCriteria\[filter_groups\]\[(\d+)\]\[filters\]\[(\d+)\]\[(\w+)\]")


def error(message: str, status: int = 400, parameters: Any = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"message": message}
    if parameters is not None:
        body["parameters"] = parameters
    body.update(extra)
    return Response.json(body, status)


def validation_failed(errors: list[tuple[str, dict]]) -> Response:
    return error("Validation Failed", 400,
                 errors=[{"message": m, "parameters": p} for m, p in errors])


class MagentoEmulator(Emulator):
    kind = "magento"

    def __init__(self, *, faults: str = "", seed: int | None = None,
                 integration_token: str = "magento-integration-token",
                 admin_user: str = "admin", admin_password: str = "admin-password-123",
                 admin_token_lifetime: float = 4 * 3600, input_list_limit: int | None = 20,
                 unknown_sku: str = "validation", sources: tuple[str, ...] = ("default",),
                 auto_ship: bool = False, integration_as_bearer: bool = True,
                 two_factor_auth: bool = False):
        super().__init__(faults=faults, seed=seed)
        self.integration_token = integration_token
        self.admin_user = admin_user
        self.admin_password = admin_password
        self.admin_token_lifetime = admin_token_lifetime
        self.input_list_limit = input_list_limit
        self.unknown_sku = unknown_sku
        self.sources: dict[str, dict[str, Any]] = {}  # source code -> SourceInterface
        for code in sources:
            self.add_source(code)
        self.auto_ship = auto_ship
        self.integration_as_bearer = integration_as_bearer
        self.two_factor_auth = two_factor_auth
        self.admin_tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.products: dict[str, str] = {}  # sku -> name
        self.source_items: dict[tuple[str, str], dict[str, Any]] = {}  # (sku, source)
        self.reservations: dict[str, int] = {}
        self.orders: list[dict[str, Any]] = []
        self._next_order = 0

    # --- the rules every emulator keeps ----------------------------------------------
    def add_item(self, sku: str, qoh: int, name: str = "", tracked: bool = True,
                 source_code: str = "default", **_: Any) -> str:
        with self.lock:
            self.products[sku] = name or sku
            if source_code not in self.sources:
                self.add_source(source_code)
            if tracked:
                self.source_items[(sku, source_code)] = {
                    "sku": sku, "source_code": source_code, "quantity": float(qoh),
                    "status": 1 if qoh > 0 else 0}
            return sku

    def add_source(self, source_code: str, name: str = "", enabled: bool = True) -> str:
        """A new MSI source; its fields as `GET /V1/inventory/sources` lists them (the
        default source as the manage-sources page shows it: "Default Source", 00000)."""
        with self.lock:
            if source_code == "default":
                row = {"source_code": "default", "name": name or "Default Source",
                       "enabled": True, "description": "Default Source", "latitude": 0,
                       "longitude": 0, "country_id": "US", "postcode": "00000"}
            else:
                row = {"source_code": source_code, "name": name or f"Source {source_code}",
                       "email": "", "contact_name": "", "enabled": enabled,
                       "description": "", "latitude": 0, "longitude": 0, "country_id": "US",
                       "region_id": 0, "city": "", "street": "", "postcode": "00000",
                       "phone": ""}
            self.sources[source_code] = {**row, "use_default_carrier_config": True,
                                         "carrier_links": []}
            return source_code

    def add_location(self, name: str) -> str:
        """A new source named `name`, its code made of it (letters, digits, underscores)."""
        code = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "source"
        return self.add_source(code, name)

    def set_quantity(self, sku: str, qoh: int, source_code: str = "default") -> None:
        """Stock changed in the admin (behind the connector's back)."""
        with self.lock:
            self.source_items[(sku, source_code)] = {
                "sku": sku, "source_code": source_code, "quantity": float(qoh),
                "status": 1 if qoh > 0 else 0}

    def quantity(self, sku: str, source_code: str = "default") -> int | None:
        with self.lock:
            si = self.source_items.get((sku, source_code))
            return None if si is None else int(si["quantity"])

    def salable_quantity(self, sku: str, source_code: str = "default") -> int | None:
        q = self.quantity(sku, source_code)
        return None if q is None else q - self.reservations.get(sku, 0)

    def place_order(self, lines: list[tuple[str, int]], source_code: str = "default") -> str:
        with self.lock:
            for sku, qty in lines:
                if sku not in self.products:
                    raise ValueError(f"no product with SKU {sku!r}")
                salable = self.salable_quantity(sku, source_code)
                if salable is not None and salable < qty:
                    raise ValueError(f"only {salable} of {sku!r} salable")
            for sku, qty in lines:
                self.reservations[sku] = self.reservations.get(sku, 0) + qty
            self._next_order += 1
            order = {"entity_id": self._next_order, "increment_id": f"{100000000 + self._next_order}",
                     "created": datetime.now(UTC).replace(microsecond=0), "status": "pending",
                     "lines": list(lines), "source": source_code, "shipped": False}
            self.orders.append(order)
            if self.auto_ship:
                self.ship_order(str(order["entity_id"]))
            return str(order["entity_id"])

    def ship_order(self, order_id: str) -> None:
        with self.lock:
            order = next(o for o in self.orders if str(o["entity_id"]) == order_id)
            if order["shipped"]:
                return
            for sku, qty in order["lines"]:
                si = self.source_items.get((sku, order["source"]))
                if si is not None:
                    si["quantity"] -= qty
                    si["status"] = 1 if si["quantity"] > 0 else 0
                self.reservations[sku] = self.reservations.get(sku, 0) - qty
            order["shipped"], order["status"] = True, "complete"

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"items": {sku: int(si["quantity"]) for (sku, src), si in self.source_items.items()
                              if src == "default"},
                    "reservations": dict(self.reservations),
                    "orders": [o["entity_id"] for o in self.orders]}

    def credentials(self) -> dict[str, str]:
        return {"url": self.url, "token": self.integration_token}

    def expire_admin_tokens(self) -> None:
        with self.lock:
            self.admin_tokens = {t: 0.0 for t in self.admin_tokens}

    # --- HTTP -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        with self.lock:
            m = re.fullmatch(r"/rest(?:/([A-Za-z0-9_]+))?/V1/(.+)", req.path)
            if m is None:
                return Response.html(404, "Not Found")
            store, route = m.group(1) or "default", m.group(2)
            if store not in ("default", "all"):
                return error("The store that was requested wasn't found. Verify the store and try again.")
            if route == "integration/admin/token" and req.method == "POST":
                return self._admin_token(req)
            if not self._authorized(req):
                return error(NOT_AUTHORIZED["message"], 401, NOT_AUTHORIZED["parameters"])
            if route == "inventory/source-items":
                if req.method == "POST":
                    return self._save_source_items(req)
                if req.method == "GET":
                    return self._list_source_items(req)
            if route == "inventory/sources" and req.method == "GET":
                return self._paged(req, [dict(src) for src in self.sources.values()])
            if route == "orders" and req.method == "GET":
                return self._list_orders(req)
            return error("Request does not match any route.", 404)

    def _authorized(self, req: Request) -> bool:
        auth = req.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return False
        token = auth[len("Bearer "):].strip()
        if token == self.integration_token:
            return self.integration_as_bearer
        expiry = self.admin_tokens.get(token)
        return expiry is not None and time.monotonic() < expiry

    def _admin_token(self, req: Request) -> Response:
        try:
            body = req.json() or {}
        except ValueError:
            return error("Decoding error: \nSyntax error", 400)
        if body.get("username") != self.admin_user or body.get("password") != self.admin_password:
            return error(SIGN_IN_FAILED, 401)
        if self.two_factor_auth:
            return error("Please use the 2fa provider-specific endpoints to obtain a token.", 401,
                         {"active_providers": ["google"]})
        token = secrets.token_hex(16)
        self.admin_tokens[token] = time.monotonic() + self.admin_token_lifetime
        return Response.json(token)

    def _save_source_items(self, req: Request) -> Response:
        try:
            body = req.json()
        except ValueError:
            return error("Decoding error: \nSyntax error", 400)
        items = body.get("sourceItems") if isinstance(body, dict) else None
        if not isinstance(items, list):
            return error('"%fieldName" is required. Enter and try again.', 400, {"fieldName": "sourceItems"})
        if self.input_list_limit is not None and len(items) > self.input_list_limit:
            return error('Maximum items of type "%type" is %max', 400,
                         {"type": SOURCE_ITEM_TYPE, "max": self.input_list_limit})
        if not items:
            return error("Input data is empty", 400)
        problems: list[tuple[str, dict]] = []
        unknown: list[str] = []
        no_source = False
        for entry in items:
            for field in ("sku", "source_code"):
                if not isinstance(entry, dict) or not str(entry.get(field) or "").strip():
                    problems.append(('"%field" can not be empty.', {"field": field}))
            if problems:
                continue
            if re.search(r"\s", str(entry["source_code"])):
                problems.append(('"%field" can not contain whitespaces.', {"field": "source_code"}))
            quantity, status = entry.get("quantity"), entry.get("status")
            if not isinstance(quantity, int | float) or isinstance(quantity, bool):
                problems.append(('"%field" should be numeric.', {"field": "quantity"}))
            if not isinstance(status, int) or isinstance(status, bool):
                problems.append(('"%field" should be numeric.', {"field": "status"}))
            elif status not in (0, 1):
                problems.append(('"%field" should a known status.', {"field": "status"}))
            no_source = no_source or entry["source_code"] not in self.sources
            if entry["sku"] not in self.products:
                unknown.append(entry["sku"])
        if problems:
            return validation_failed(problems)
        if unknown and self.unknown_sku == "validation":
            return validation_failed([('Product with SKU "%sku" does not exist.', {"sku": s})
                                      for s in unknown])
        if no_source or (unknown and self.unknown_sku == "could-not-save"):
            # an unknown source code is no validation error: the save fails on the
            # table's foreign key (magento/inventory ValidationTest, not_exists_source_code)
            return error("Could not save Source Item", 400)
        for entry in items:
            key = (entry["sku"], entry["source_code"])
            before = (self.source_items.get(key) or {}).get("quantity")
            self.source_items[key] = {"sku": entry["sku"], "source_code": entry["source_code"],
                                      "quantity": float(entry["quantity"]), "status": int(entry["status"])}
            self.applied[entry["sku"]] += 1
            self.log_write(entry["sku"], float(entry["quantity"]), before)
        return Response.json([])

    # --- searchCriteria ---------------------------------------------------------------
    @staticmethod
    def _criteria(req: Request) -> tuple[list[list[dict[str, str]]], int, int]:
        groups: dict[int, dict[int, dict[str, str]]] = {}
        for name, values in req.query.items():
            m = _CRITERIA.fullmatch(name)
            if m:
                g, f, key = int(m.group(1)), int(m.group(2)), m.group(3)
                groups.setdefault(g, {}).setdefault(f, {})[key] = values[-1]
        page_size = int(req.arg("searchCriteria[pageSize]", "0") or 0)
        current = int(req.arg("searchCriteria[currentPage]", "1") or 1)
        return ([list(fs[k] for k in sorted(fs)) for _, fs in sorted(groups.items())],
                page_size, current)

    @staticmethod
    def _matches(row: dict[str, Any], groups: list[list[dict[str, str]]]) -> bool:
        for filters in groups:  # groups AND, filters within a group OR
            ok = False
            for f in filters:
                have, want = str(row.get(f.get("field", ""), "")), f.get("value", "")
                cond = f.get("condition_type", "eq")
                if cond == "eq":
                    ok = have == want
                elif cond == "in":
                    ok = have in want.split(",")
                elif cond == "gteq":
                    ok = have >= want
                elif cond == "lteq":
                    ok = have <= want
                elif cond == "like":
                    ok = re.fullmatch(re.escape(want).replace("%", ".*"), have) is not None
                if ok:
                    break
            if not ok:
                return False
        return True

    def _paged(self, req: Request, rows: list[dict[str, Any]]) -> Response:
        try:
            groups, size, current = self._criteria(req)
        except ValueError:
            return error('"%fieldName" is not valid.', 400, {"fieldName": "searchCriteria"})
        rows = [r for r in rows if self._matches(r, groups)]
        total = len(rows)
        if size > 0:
            last = max(1, -(-total // size))
            current = min(max(1, current), last)  # Magento answers the last page again
            page = rows[(current - 1) * size: current * size]
        else:
            page = rows
        criteria = {"filter_groups": [{"filters": fs} for fs in groups],
                    "page_size": size or None, "current_page": current}
        return Response.json({"items": page, "search_criteria": criteria, "total_count": total})

    def _list_source_items(self, req: Request) -> Response:
        rows = [dict(si) for si in self.source_items.values()]
        return self._paged(req, rows)

    def _list_orders(self, req: Request) -> Response:
        rows = [{
            "entity_id": o["entity_id"], "increment_id": o["increment_id"],
            "created_at": o["created"].strftime("%Y-%m-%d %H:%M:%S"), "status": o["status"],
            "state": "complete" if o["shipped"] else "new",
            "items": [{"item_id": o["entity_id"] * 100 + n, "order_id": o["entity_id"],
                       "sku": sku, "qty_ordered": float(q),
                       "name": self.products.get(sku, sku), "product_type": "simple"}
                      for n, (sku, q) in enumerate(o["lines"])],
        } for o in self.orders]
        direction = req.arg("searchCriteria[sortOrders][0][direction]", "ASC")
        rows.sort(key=lambda r: (r["created_at"], r["entity_id"]), reverse=direction.upper() == "DESC")
        return self._paged(req, rows)
