"""A WooCommerce REST API v3 (`/wp-json/wc/v3`) emulator: products, variations, batches
and listings here; how objects are shown in woocommerce_shape.py, authentication in
woocommerce_auth.py, orders in woocommerce_orders.py.

Reproduced from WooCommerce's Version3 controllers (woocommerce/woocommerce,
plugins/woocommerce/includes/rest-api/Controllers/Version3/), WordPress REST core, the REST
API docs (woocommerce.github.io/woocommerce-rest-api-docs) and what a WooCommerce 10.0.2
store was seen to answer:
- Errors are WP_Error bodies {code, message, data:{status}}. An anonymous request (see
  woocommerce_auth.py: over plain http only OAuth 1.0a authenticates) is refused by the
  route's permission check: 401 `woocommerce_rest_cannot_view` "Sorry, you cannot list
  resources." (`woocommerce_rest_cannot_batch` for batches).
- Routes answer under `/wp-json/wc/v3/...` and as `/?rest_route=/wc/v3/...` (WordPress's
  plain-permalink form), where keys never authenticate.
- Collections (WC_REST_CRUD_Controller::get_items): `page`, `offset`, `per_page` 1..100
  (else 400 `rest_invalid_param` "Invalid parameter(s): per_page" + data.params),
  `X-WP-Total`, `X-WP-TotalPages`, `Link` rel next/prev; a page past the end is `[]`.
  WordPress's global `_fields` parameter (comma list or `_fields[]=`) keeps only the named
  fields. `orderby=date` (the default) sorts by creation time to the second and nothing
  else: items created in the same second come in an order that changes from one request
  to the next (MySQL's ORDER BY post_date with LIMIT), so paging through them skips some
  and repeats others, products and orders alike; `orderby=id` pages reliably. (Modelled:
  within a second, the order is rotated by an amount that depends on the page.)
- `GET /products?sku=a,b` matches every listed SKU exactly, products and variations (v3
  widens the post type when `sku` is given); a variation shows `type` "variation" and
  `parent_id`. A listing without `sku` holds no variations.
- Stock: `stock_quantity` sent to a product that does not manage stock is silently
  ignored (the answer shows `stock_quantity: null`, no error). A variation's
  `manage_stock` reads "parent" when only its parent manages stock; it then shows the
  parent's quantity, and a quantity written on it is stored out of sight.
- Batches (WC_REST_Controller::batch_items): more than 100 objects: 413
  `woocommerce_rest_request_entity_too_large` "Unable to accept more than 100 items for this
  request."; each item is handled alone inside an HTTP 200, a failed one answers {id,
  error:{code, message, data:{status}}} and the others land. Unknown id:
  `woocommerce_rest_product_invalid_id` (`..._product_variation_invalid_id`) "Invalid ID."
  400; a variation id on /products/batch: `woocommerce_rest_invalid_product_id` 404 "To
  manipulate product variations you should use the
  /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint." (class-wc-rest-products-controller.php).
Deviations: a batch item with a non-integer stock_quantity is refused with
`rest_invalid_param` (WooCommerce would intval it to 0). A variation id sent to another
parent's batch is an invalid id (WooCommerce would re-parent it). Batch create/delete are
refused per item. `applied[sku]` counts stock writes; a write on a variable parent counts
under the parent's SKU (or "#<id>").
"""

from __future__ import annotations

import math
import re
import ssl
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from seom_desktop.emulators.base import Emulator, Request, Response
from seom_desktop.emulators.woocommerce_auth import WooAuth
from seom_desktop.emulators.woocommerce_orders import WooOrders
from seom_desktop.emulators.woocommerce_shape import API, WooObjects
from seom_desktop.emulators.wp_rest import as_int as _as_int
from seom_desktop.emulators.wp_rest import fail as _fail
from seom_desktop.emulators.wp_rest import fields_of as _fields
from seom_desktop.emulators.wp_rest import invalid_param as _invalid_param
from seom_desktop.emulators.wp_rest import only as _only
from seom_desktop.emulators.wp_rest import wp_error

REST_ROUTE = "/wc/v3"  # the same routes as /?rest_route=/wc/v3/...
BATCH_LIMIT = 100


class WooCommerceEmulator(WooObjects, WooOrders, Emulator):
    kind = "woocommerce"

    def __init__(self, *, key: str = "ck_emulator", secret: str = "cs_emulator",
                 permissions: str = "read_write", utc_offset_minutes: int = 0,
                 home_url: str | None = None, faults: str = "", seed: int | None = None):
        """`home_url`: the store's configured home URL (WordPress Settings > General),
        which OAuth signatures are made over; by default the address it listens on."""
        super().__init__(faults=faults, seed=seed)
        self.auth = WooAuth(key, secret, permissions)
        self.home_url = home_url
        self.site_tz = timezone(timedelta(minutes=utc_offset_minutes))
        self.reset()

    key = property(lambda self: self.auth.key)
    secret = property(lambda self: self.auth.secret)

    @property
    def is_ssl(self) -> bool:
        """WordPress's is_ssl(): whether requests reach it over TLS."""
        server = self._server
        return server is not None and isinstance(server.socket, ssl.SSLSocket)

    def home(self) -> str:
        if self.home_url:
            return self.home_url.rstrip("/")
        return f"{'https' if self.is_ssl else 'http'}://127.0.0.1:{self.port}"

    def reset(self) -> None:
        """Forget every item, order, count and queued fault (tests reuse one server)."""
        with self.lock:
            self.products: dict[int, dict[str, Any]] = {}
            self.variations: dict[int, dict[str, Any]] = {}
            self.orders: list[dict[str, Any]] = []
            self._skus: dict[str, dict[str, Any]] = {}
            self._next_id, self._line_id = 100, 1
            self._ordered: dict[tuple, list[dict[str, Any]]] = {}  # listing orders, cached
            self.auth.reset()
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

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"items": {sku: self._stock(o)[1] for sku, o in self._skus.items()},
                    "orders": len(self.orders)}

    # --- HTTP --------------------------------------------------------------------------
    ROUTES = [
        (r"/products", "GET", "_list_products", "list"),
        (r"/products/batch", "POST|PUT|PATCH", "_batch", "batch"),
        (r"/products/(\d+)", "GET", "_get_product", "view"),
        (r"/products/(\d+)/variations", "GET", "_list_variations", "list"),
        (r"/products/(\d+)/variations/batch", "POST|PUT|PATCH", "_batch", "batch"),
        (r"/orders", "GET", "_list_orders", "list"),
        (r"/orders", "POST", "_create_order", "create"),
        (r"/orders/(\d+)", "PUT|PATCH|POST", "_update_order", "edit"),
    ]
    CANNOT = {
        "batch": ("woocommerce_rest_cannot_batch",
                  "Sorry, you are not allowed to batch manipulate this resource."),
        "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
        "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
        "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
        "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    }

    def handle(self, req: Request) -> Response:
        path = req.path[len(API):].rstrip("/") if req.path.startswith(API) else None
        route = req.arg("rest_route") or ""
        if path is None and req.path in ("/", "/index.php") and route.startswith(REST_ROUTE):
            path = route[len(REST_ROUTE):].rstrip("/")  # (keys never authenticate here)
        with self.lock:
            authed = self.auth.authenticate(req, ssl=self.is_ssl, home_url=self.home())
            if isinstance(authed, Response):
                return authed
            for pattern, methods, handler, what in self.ROUTES if path is not None else []:
                m = re.fullmatch(pattern, path)
                if m and req.method in methods.split("|"):
                    if not authed:  # anonymous: the route's permission check refuses
                        return _fail(*self.CANNOT[what], 401)
                    return getattr(self, handler)(req, *(int(g) for g in m.groups()))
        return _fail("rest_no_route", "No route was found matching the URL and request method.", 404)

    @staticmethod
    def _body(req: Request) -> dict[str, Any] | Response:
        try:
            body = req.json()
        except ValueError:
            return _fail("rest_invalid_json", "Invalid JSON body passed.", 400)
        return body if isinstance(body, dict) else {}

    def _collection(self, req: Request, objs, render, cache_key: tuple | None = None) -> Response:
        """One page of a listing. `objs` is the list, or a callable giving it; with a
        `cache_key` the sorted listing is kept between pages until an item is added or
        removed (a real store reads it off an index; re-sorting 100,000 objects for every
        page would make the emulator the bottleneck)."""
        page, per_page = _as_int(req.arg("page", "1")), _as_int(req.arg("per_page", "10"))
        offset = _as_int(req.arg("offset", "0"))
        if page is None or page < 1:
            return _invalid_param("page", "page must be greater than or equal to 1")
        if per_page is None or not 1 <= per_page <= 100:
            return _invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)")
        if offset is None or offset < 0:
            return _invalid_param("offset", "offset is not of type integer.")
        order, orderby = req.arg("order", "desc"), req.arg("orderby", "date")
        if order not in ("asc", "desc"):
            return _invalid_param("order", "order is not one of asc and desc.")
        by_id = orderby == "id"
        key = (*cache_key, by_id, order) if cache_key is not None else None
        ordered = self._ordered.get(key) if key is not None else None
        if ordered is None:
            ordered = self._sort(objs() if callable(objs) else objs, by_id, order)
            if key is not None:
                self._ordered[key] = ordered
        pages = math.ceil(len(ordered) / per_page)
        headers = {"X-WP-Total": str(len(ordered)), "X-WP-TotalPages": str(pages)}
        query = {k: v[-1] for k, v in req.query.items()
                 if k != "page" and k not in ("consumer_key", "consumer_secret")
                 and not k.startswith("oauth_")}
        base = f"{req.path}?{urlencode(query)}&" if query else f"{req.path}?"  # then page=n
        links = [f'<{base}page={n}>; rel="{rel}"'
                 for rel, n, show in (("prev", min(page - 1, max(pages, 1)), page > 1),
                                      ("next", page + 1, pages > page)) if show]
        if links:
            headers["Link"] = ", ".join(links)
        fields = _fields(req)
        keep = frozenset(fields) if fields is not None else None
        start = offset if req.arg("offset") else (page - 1) * per_page
        window = range(start, min(start + per_page, len(ordered)))
        turn = 0 if by_id else start // per_page + start % per_page
        if turn:  # one creation second: no fixed order (see the module docstring)
            window = [_tied(ordered, i, turn) for i in window]
        return Response.json([render(ordered[i], keep) for i in window], headers=headers)

    @staticmethod
    def _sort(objs: list[dict[str, Any]], by_id: bool, order: str) -> list[dict[str, Any]]:
        if by_id:
            out = sorted(objs, key=lambda o: o["id"])
        else:
            out = sorted(objs, key=lambda o: (_second(o), o["id"]))
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
            before = obj["stock_quantity"]
            obj["stock_quantity"] = qty  # under "parent" this own value is never shown
            if manage is True:
                self.applied[obj["sku"] or f"#{obj['id']}"] += 1
                self.log_write(obj["sku"] or f"#{obj['id']}", qty, before)
        return self._json(obj, as_product=pid is None)


def _second(obj: dict[str, Any]) -> datetime:
    when = obj.get("date_created") or obj["created"]
    return when.replace(microsecond=0)


def _tied(ordered: list[dict[str, Any]], i: int, turn: int) -> int:
    """The position whose item shows at position i of a date-ordered listing, in the
    request that turns ties by `turn`: the items of one creation second come rotated,
    so two requests for neighbouring pages may show one of them twice and another never
    (as MySQL returns rows tied on ORDER BY post_date in no fixed order)."""
    second = _second(ordered[i])
    lo = hi = i
    while lo > 0 and _second(ordered[lo - 1]) == second:
        lo -= 1
    while hi + 1 < len(ordered) and _second(ordered[hi + 1]) == second:
        hi += 1
    return lo + (i - lo + turn) % (hi - lo + 1)
