"""A WooCommerce REST API v3 (`/wp-json/wc/v3`) emulator.

Reproduced from WooCommerce's Version3 controllers, WordPress REST core and the REST API docs
(woocommerce.github.io/woocommerce-rest-api-docs):
- Auth (WC_REST_Authentication): consumer key/secret as HTTP Basic or `consumer_key`/
  `consumer_secret` query parameters. Known key, wrong secret: 401
  `woocommerce_rest_authentication_error` "Consumer secret is invalid."; no or unknown key:
  the request is anonymous and the route's permission check answers 401
  (`woocommerce_rest_cannot_view` "Sorry, you cannot list resources.",
  `woocommerce_rest_cannot_batch`). A read-only key writing: 401 "The API key provided does
  not have write permissions.". Errors are WP_Error bodies {code, message, data:{status}}.
- Collections (WC_REST_CRUD_Controller::get_items): `page`, `per_page` 1..100 (else 400
  `rest_invalid_param` "Invalid parameter(s): per_page" + data.params), `X-WP-Total`,
  `X-WP-TotalPages`, `Link` rel next/prev; a page past the end is `[]`. WordPress's
  global `_fields` parameter (comma list or `_fields[]=`) keeps only the named fields.
- `GET /products?sku=a,b` matches exact SKUs of products and variations (v3 widens the post
  type when `sku` is given); a variation shows `type` "variation" and `parent_id`.
- Stock: a product that does not manage stock silently stores no `stock_quantity`. A
  variation's `manage_stock` reads "parent" when only its parent manages stock; it then
  shows the parent's quantity, and a quantity written on it is stored out of sight.
- Batches (WC_REST_Controller::batch_items): more than 100 objects: 413
  `woocommerce_rest_request_entity_too_large` "Unable to accept more than 100 items for this
  request."; each item is handled alone, a failed one answers {id, error:{code, message,
  data:{status}}} and the others land. Unknown id: `woocommerce_rest_product_invalid_id`
  (`..._product_variation_invalid_id`) "Invalid ID." 400; a variation id on /products/batch:
  `woocommerce_rest_invalid_product_id` 404.
- Orders: `after`/`before` (RFC 3339, exclusive, site-local unless `dates_are_gmt=true`),
  `orderby` date|id, `order`, `status`; line_items carry sku and quantity. An order reduces
  managed stock (a "parent" variation reduces its parent), as wc_reduce_stock_levels does.
Deviations: Basic auth is taken over plain http (the emulator only listens on loopback;
WooCommerce wants https or OAuth 1.0a). A batch item with a non-integer stock_quantity is
refused with `rest_invalid_param` (WooCommerce would intval it to 0). A variation id sent to
another parent's batch is an invalid id (WooCommerce would re-parent it). Batch create/delete
are refused per item. `applied[sku]` counts stock writes; a write on a variable parent counts
under the parent's SKU (or "#<id>").
"""

from __future__ import annotations

import base64
import hmac
import math
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from seom_desktop.emulators.base import Emulator, Request, Response
from seom_desktop.emulators.wp_rest import as_int as _as_int
from seom_desktop.emulators.wp_rest import fail as _fail
from seom_desktop.emulators.wp_rest import fields_of as _fields
from seom_desktop.emulators.wp_rest import invalid_param as _invalid_param
from seom_desktop.emulators.wp_rest import only as _only
from seom_desktop.emulators.wp_rest import wp_error

API = "/wp-json/wc/v3"
BATCH_LIMIT = 100
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$")


class WooCommerceEmulator(Emulator):
    kind = "woocommerce"

    def __init__(self, *, key: str = "ck_emulator", secret: str = "cs_emulator",
                 permissions: str = "read_write", utc_offset_minutes: int = 0,
                 faults: str = "", seed: int | None = None):
        super().__init__(faults=faults, seed=seed)
        self.key, self.secret, self.permissions = key, secret, permissions
        self.site_tz = timezone(timedelta(minutes=utc_offset_minutes))
        self.reset()

    def reset(self) -> None:
        """Forget every item, order, count and queued fault (tests reuse one server)."""
        with self.lock:
            self.products: dict[int, dict[str, Any]] = {}
            self.variations: dict[int, dict[str, Any]] = {}
            self.orders: list[dict[str, Any]] = []
            self._skus: dict[str, dict[str, Any]] = {}
            self._next_id, self._line_id = 100, 1
            self._ordered: dict[tuple, list[dict[str, Any]]] = {}  # listing orders, cached
            self.applied.clear()
            self.requests.clear()
            self.faults.clear()
            self.faults.injected.clear()

    # --- the rules every emulator follows ----------------------------------------------
    def add_item(self, sku: str, qoh: int | None, name: str = "", tracked: bool = True,
                 **kind_specific: Any) -> str:
        """A simple product; `type="variable"` makes a variable parent (tracked: it manages
        stock at product level); `parent=<id>` makes a variation of that parent, with
        `manage_stock="parent"` to leave its stock to the parent."""
        with self.lock:
            if sku and sku in self._skus:
                raise ValueError(f"SKU {sku!r} already exists")  # WooCommerce keeps SKUs unique
            new_id, self._next_id = self._next_id, self._next_id + 1
            self._ordered.clear()
            obj = {"id": new_id, "sku": sku, "name": name or sku, "date_created": datetime.now(UTC)}
            parent = kind_specific.get("parent")
            if parent is not None:
                pid = int(str(parent))
                if self.products.get(pid, {}).get("type") != "variable":
                    raise ValueError(f"product {pid} is not a variable product")
                own = tracked and kind_specific.get("manage_stock") != "parent"
                obj.update(parent_id=pid, manage_stock=own, stock_quantity=qoh if own else None)
                self.variations[new_id] = obj
                self.products[pid]["variations"].append(new_id)
                item_id = f"{pid}/{new_id}"
            else:
                obj.update(type=kind_specific.get("type", "simple"), manage_stock=bool(tracked),
                           stock_quantity=qoh if tracked else None, variations=[])
                self.products[new_id] = obj
                item_id = str(new_id)
            if sku:
                self._skus[sku] = obj
            return item_id

    def remove_item(self, sku: str) -> None:
        with self.lock:
            obj = self._skus.pop(sku)
            self._ordered.clear()
            if "parent_id" in obj:
                self.products[obj["parent_id"]]["variations"].remove(obj["id"])
                del self.variations[obj["id"]]
                return
            for vid in obj["variations"]:
                self._skus.pop(self.variations.pop(vid)["sku"], None)
            del self.products[obj["id"]]

    def quantity(self, sku: str) -> int | None:
        with self.lock:
            return self._stock(self._skus[sku])[1]

    def manage_stock(self, sku: str) -> bool | str:
        with self.lock:
            return self._stock(self._skus[sku])[0]

    def place_order(self, lines: list[tuple[str, int]], *, created: datetime | None = None,
                    status: str = "processing") -> str:
        """A shopper's checkout: refuses unknown SKUs and more than the managed stock,
        then reduces managed stock (a "parent" variation reduces its parent)."""
        with self.lock:
            resolved = []
            for sku, qty in lines:
                obj = self._skus.get(sku)
                if obj is None or qty <= 0:
                    raise ValueError(f"cannot order {qty} of {sku!r}")
                holder = self._holder(obj)
                if holder is not None and (holder["stock_quantity"] or 0) < qty:
                    raise ValueError(f"not enough stock of {sku!r}")
                resolved.append((obj, holder, qty))
            order_id, self._next_id = self._next_id, self._next_id + 1
            items = []
            for obj, holder, qty in resolved:
                if holder is not None:
                    holder["stock_quantity"] = (holder["stock_quantity"] or 0) - qty
                var = "parent_id" in obj
                items.append({"id": self._line_id, "name": obj["name"], "quantity": qty,
                              "product_id": obj["parent_id"] if var else obj["id"],
                              "variation_id": obj["id"] if var else 0, "sku": obj["sku"]})
                self._line_id += 1
            when = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
            self.orders.append({"id": order_id, "status": status, "created": when,
                                "line_items": items})
            return str(order_id)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"items": {sku: self._stock(o)[1] for sku, o in self._skus.items()},
                    "orders": len(self.orders)}

    # --- model helpers -----------------------------------------------------------------
    def _stock(self, obj: dict[str, Any]) -> tuple[bool | str, int | None]:
        """manage_stock and stock_quantity as WooCommerce shows them."""
        if obj["manage_stock"] or "parent_id" not in obj:
            return obj["manage_stock"], obj["stock_quantity"]
        parent = self.products[obj["parent_id"]]
        return ("parent", parent["stock_quantity"]) if parent["manage_stock"] else (False, None)

    def _holder(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        """The object whose stock an order reduces, or None when stock is not managed."""
        manage = self._stock(obj)[0]
        return obj if manage is True else self.products[obj["parent_id"]] if manage else None

    def _local(self, when: datetime) -> str:
        return when.astimezone(self.site_tz).strftime("%Y-%m-%dT%H:%M:%S")

    @staticmethod
    def _gmt(when: datetime) -> str:
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    def _json(self, obj: dict[str, Any], *, as_product: bool = True,
              fields: frozenset[str] | None = None) -> dict[str, Any]:
        """A product, or a variation (as /products shows it, or as /variations does).
        With `fields` (WordPress's `_fields`), only those are built, in the same order."""
        manage, qty = self._stock(obj)
        if fields is None or "date_created" in fields or "date_created_gmt" in fields:
            created = obj["date_created"]
            local, gmt = self._local(created), self._gmt(created)
        else:
            local = gmt = ""  # not asked for: dropped below, not formatted (two strftimes)
        data = {"id": obj["id"], "name": obj["name"], "sku": obj["sku"], "status": "publish",
                "date_created": local, "date_created_gmt": gmt,
                "manage_stock": manage, "stock_quantity": qty, "backorders": "no",
                "stock_status": "instock" if not manage or (qty or 0) > 0 else "outofstock"}
        if "parent_id" not in obj:
            data["type"], data["parent_id"] = obj["type"], 0
            data["variations"] = list(obj["variations"])
        elif as_product:
            data["type"], data["parent_id"] = "variation", obj["parent_id"]
        return data if fields is None else {k: v for k, v in data.items() if k in fields}

    def _product(self, obj: dict[str, Any], fields: frozenset[str] | None) -> dict[str, Any]:
        return self._json(obj, fields=fields)

    # --- HTTP --------------------------------------------------------------------------
    ROUTES = [
        (r"/products", "GET", "_list_products", "list"),
        (r"/products/batch", "POST|PUT|PATCH", "_batch", "batch"),
        (r"/products/(\d+)", "GET", "_get_product", "view"),
        (r"/products/(\d+)/variations", "GET", "_list_variations", "list"),
        (r"/products/(\d+)/variations/batch", "POST|PUT|PATCH", "_batch", "batch"),
        (r"/orders", "GET", "_list_orders", "list"),
    ]
    CANNOT = {
        "batch": ("woocommerce_rest_cannot_batch",
                  "Sorry, you are not allowed to batch manipulate this resource."),
        "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
        "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    }

    def handle(self, req: Request) -> Response:
        path = req.path[len(API):].rstrip("/") if req.path.startswith(API) else None
        with self.lock:
            authed = self._authenticate(req, req.method in ("POST", "PUT", "PATCH", "DELETE"))
            if isinstance(authed, Response):
                return authed
            for pattern, methods, handler, what in self.ROUTES if path is not None else []:
                m = re.fullmatch(pattern, path)
                if m and req.method in methods.split("|"):
                    if not authed:  # anonymous: the route's permission check refuses
                        return _fail(*self.CANNOT[what], 401)
                    return getattr(self, handler)(req, *(int(g) for g in m.groups()))
        return _fail("rest_no_route", "No route was found matching the URL and request method.", 404)

    def _authenticate(self, req: Request, write: bool) -> Response | bool:
        key = secret = ""
        auth = req.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                key, _, secret = base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                key = secret = ""
        if not key:
            key, secret = req.arg("consumer_key", "") or "", req.arg("consumer_secret", "") or ""
        if not key or not secret or not hmac.compare_digest(key.encode(), self.key.encode()):
            return False  # anonymous
        if not hmac.compare_digest(secret.encode(), self.secret.encode()):
            return _fail("woocommerce_rest_authentication_error", "Consumer secret is invalid.", 401)
        if write and self.permissions == "read":
            return _fail("woocommerce_rest_authentication_error",
                         "The API key provided does not have write permissions.", 401)
        return True

    def _collection(self, req: Request, objs, render, cache_key: tuple | None = None) -> Response:
        """One page of a listing. `objs` is the list, or a callable giving it; with a
        `cache_key` the sorted listing is kept between pages until an item is added or
        removed (a real store reads it off an index; re-sorting 100,000 objects for every
        page would make the emulator the bottleneck)."""
        page, per_page = _as_int(req.arg("page", "1")), _as_int(req.arg("per_page", "10"))
        if page is None or page < 1:
            return _invalid_param("page", "page must be greater than or equal to 1")
        if per_page is None or not 1 <= per_page <= 100:
            return _invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)")
        order, orderby = req.arg("order", "desc"), req.arg("orderby", "date")
        if order not in ("asc", "desc"):
            return _invalid_param("order", "order is not one of asc and desc.")
        key = (*cache_key, orderby == "id", order) if cache_key is not None else None
        ordered = self._ordered.get(key) if key is not None else None
        if ordered is None:
            ordered = self._sort(objs() if callable(objs) else objs, orderby == "id", order)
            if key is not None:
                self._ordered[key] = ordered
        pages = math.ceil(len(ordered) / per_page)
        headers = {"X-WP-Total": str(len(ordered)), "X-WP-TotalPages": str(pages)}
        query = {k: v[-1] for k, v in req.query.items()
                 if k not in ("page", "consumer_key", "consumer_secret")}
        base = f"{req.path}?{urlencode(query)}&" if query else f"{req.path}?"  # then page=n
        links = [f'<{base}page={n}>; rel="{rel}"'
                 for rel, n, show in (("prev", min(page - 1, max(pages, 1)), page > 1),
                                      ("next", page + 1, pages > page)) if show]
        if links:
            headers["Link"] = ", ".join(links)
        fields = _fields(req)
        keep = frozenset(fields) if fields is not None else None
        rows = [render(o, keep) for o in ordered[(page - 1) * per_page: page * per_page]]
        return Response.json(rows, headers=headers)

    @staticmethod
    def _sort(objs: list[dict[str, Any]], by_id: bool, order: str) -> list[dict[str, Any]]:
        if by_id:
            out = sorted(objs, key=lambda o: o["id"])
        else:
            out = sorted(objs, key=lambda o: (o.get("date_created") or o["created"], o["id"]))
        if order == "desc":
            out.reverse()
        return out

    def _list_products(self, req: Request) -> Response:
        sku = req.arg("sku", "")
        if sku:  # exact SKUs, products and variations alike
            wanted = set(sku.split(",")) | ({sku} if "," in sku else set())
            found = [self._skus[s] for s in wanted if s in self._skus]
            return self._collection(req, found, self._product)
        kind = req.arg("type") or ""
        return self._collection(req, lambda: [p for p in self.products.values()
                                              if not kind or p["type"] == kind],
                                self._product, ("products", kind))

    def _get_product(self, req: Request, pid: int) -> Response:
        obj = self.products.get(pid) or self.variations.get(pid)
        if obj is None:
            return _fail("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        return Response.json(_only(self._json(obj), _fields(req)))

    def _list_variations(self, req: Request, pid: int) -> Response:
        if pid not in self.products:
            return _fail("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        found = [self.variations[v] for v in self.products[pid]["variations"]
                 if not req.arg("sku") or self.variations[v]["sku"] == req.arg("sku")]
        return self._collection(req, found, lambda v, keep: self._json(v, as_product=False,
                                                                       fields=keep))

    def _batch(self, req: Request, pid: int | None = None) -> Response:
        try:
            body = req.json()
        except ValueError:
            return _fail("rest_invalid_json", "Invalid JSON body passed.", 400)
        body = body if isinstance(body, dict) else {}
        for op in ("create", "update", "delete"):
            if body.get(op) is not None and not isinstance(body[op], list):
                return _invalid_param(op, f"{op} is not of type array.")
        if sum(len(body.get(op) or []) for op in ("create", "update", "delete")) > BATCH_LIMIT:
            return _fail("woocommerce_rest_request_entity_too_large",
                         f"Unable to accept more than {BATCH_LIMIT} items for this request.", 413)
        out: dict[str, list[Any]] = {}
        for op in ("create", "delete"):
            for item in body.get(op) or []:
                out.setdefault(op, []).append({"id": item.get("id", 0) if isinstance(item, dict) else item,
                                               "error": wp_error("rest_not_implemented",
                                                                 f"The emulator does not {op} items.", 501)})
        for item in body.get("update") or []:
            out.setdefault("update", []).append(self._update(item if isinstance(item, dict) else {}, pid))
        return Response.json(out)

    def _update(self, item: dict[str, Any], pid: int | None) -> dict[str, Any]:
        """One batch update; `pid` is the parent for /products/{pid}/variations/batch."""
        ident = _as_int(item.get("id"))
        obj = (self.products if pid is None else self.variations).get(ident)
        if pid is None and obj is None and ident in self.variations:
            return {"id": item.get("id"), "error": wp_error(
                "woocommerce_rest_invalid_product_id", "To manipulate product variations you should "
                "use the /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.", 404)}
        if obj is None or (pid is not None and obj["parent_id"] != pid):
            code = "product" if pid is None else "product_variation"
            return {"id": item.get("id"), "error": wp_error(
                f"woocommerce_rest_{code}_invalid_id", "Invalid ID.", 400)}
        qty = _as_int(item.get("stock_quantity"))
        if item.get("stock_quantity") is not None and qty is None:
            return {"id": item.get("id"), "error": wp_error(
                "rest_invalid_param", "Invalid parameter(s): stock_quantity", 400,
                params={"stock_quantity": "stock_quantity is not of type integer."})}
        if "manage_stock" in item:
            obj["manage_stock"] = item["manage_stock"] in (True, "yes", "true", 1, "1")
        manage = self._stock(obj)[0]
        if not manage:
            obj["stock_quantity"] = None  # "Don't manage stock": nothing is stored
        elif qty is not None:
            obj["stock_quantity"] = qty  # under "parent" this own value is never shown
            if manage is True:
                self.applied[obj["sku"] or f"#{obj['id']}"] += 1
        return self._json(obj, as_product=pid is None)

    def _parse_date(self, req: Request, name: str, gmt: bool) -> datetime | Response | None:
        raw = (req.arg(name) or "").strip()
        if not raw:
            return None
        if not _RFC3339.match(raw):
            return _invalid_param(name, "Invalid date.")
        when = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
        if when.tzinfo is not None:  # WordPress reads a zoned time into the site's zone
            when = when.astimezone(self.site_tz)
        return when.replace(tzinfo=None)

    def _list_orders(self, req: Request) -> Response:
        gmt = (req.arg("dates_are_gmt", "") or "").lower() in ("1", "true", "yes")
        after, before = self._parse_date(req, "after", gmt), self._parse_date(req, "before", gmt)
        for bound in (after, before):
            if isinstance(bound, Response):
                return bound
        status = req.arg("status", "any") or "any"
        found = []
        for o in self.orders:  # WP_Date_Query bounds are exclusive
            when = o["created"].astimezone(UTC if gmt else self.site_tz).replace(tzinfo=None)
            if (after is None or when > after) and (before is None or when < before) and (
                    status == "any" or o["status"] in status.split(",")):
                found.append(o)
        return self._collection(req, found, lambda o, keep: _only({
            "id": o["id"], "parent_id": 0, "number": str(o["id"]), "status": o["status"],
            "currency": "USD", "date_created": self._local(o["created"]),
            "date_created_gmt": self._gmt(o["created"]),
            "line_items": [dict(li) for li in o["line_items"]]}, keep))
