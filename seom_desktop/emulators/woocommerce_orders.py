"""Orders of the WooCommerce emulator: a shopper's checkout, orders made through the REST API
(`POST /orders`, `PUT /orders/{id}`) and the orders listing, as WooCommerce 10 keeps them.

Stock follows wc_maybe_reduce_stock_levels (woocommerce/woocommerce,
plugins/woocommerce/includes/wc-stock-functions.php): it is hooked on payment and on the
statuses processing, completed and on-hold, and reduces an order's managed stock once (the
order remembers it did). So a paid order (`set_paid: true`, which sets status processing)
reduces stock at once, and nothing checks the stock first: it can go below 0 even with
backorders off (seen on a WooCommerce 10.0.2 store); a pending order reduces nothing until
it is paid or moved to one of those statuses. A shopper's checkout (`place_order`) is
refused beyond the managed stock, as the storefront's cart check does.

Listing (`GET /orders`): `after`/`before` (RFC 3339, exclusive, site-local unless
`dates_are_gmt=true`), `orderby` date|id, `order`, `status`, `offset`; line_items carry
sku and quantity. REST docs: woocommerce.github.io/woocommerce-rest-api-docs/#orders.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from seom_desktop.emulators.base import Request, Response
from seom_desktop.emulators.woocommerce_shape import LINE_FIELDS
from seom_desktop.emulators.wp_rest import as_int, fail, invalid_param, only

REDUCING = frozenset({"processing", "completed", "on-hold"})
STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded",
            "failed", "trash", "checkout-draft")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$")


class WooOrders:
    """Mixed into WooCommerceEmulator (which holds products, _skus, lock and listing)."""

    orders: list[dict[str, Any]]

    def place_order(self, lines: list[tuple[str, int]], *, created: datetime | None = None,
                    status: str = "processing") -> str:
        """A shopper's checkout: refuses unknown SKUs and more than the managed stock;
        a paid status reduces managed stock (a "parent" variation reduces its parent)."""
        with self.lock:
            resolved = []
            for sku, qty in lines:
                obj = self._skus.get(sku)
                if obj is None or qty <= 0:
                    raise ValueError(f"cannot order {qty} of {sku!r}")
                holder = self._holder(obj)
                if holder is not None and (holder["stock_quantity"] or 0) < qty:
                    raise ValueError(f"not enough stock of {sku!r}")
                resolved.append((obj, qty))
            return str(self._new_order(resolved, status, created)["id"])

    def pay_order(self, order_id: str) -> None:
        """The payment of a pending order arrives: processing, stock reduced."""
        with self.lock:
            order = self._order_by_id(int(order_id))
            if order is None:
                raise ValueError(f"no order {order_id}")
            order["status"] = "processing"
            self._maybe_reduce(order)

    # --- model -------------------------------------------------------------------------
    def _new_order(self, resolved: list[tuple[dict[str, Any], int]], status: str,
                   created: datetime | None) -> dict[str, Any]:
        order_id, self._next_id = self._next_id, self._next_id + 1
        items = []
        for obj, qty in resolved:
            var = "parent_id" in obj
            items.append({"id": self._line_id, "name": obj["name"], "quantity": qty,
                          "product_id": obj["parent_id"] if var else obj["id"],
                          "variation_id": obj["id"] if var else 0, "sku": obj["sku"],
                          **LINE_FIELDS})
            self._line_id += 1
        when = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        order = {"id": order_id, "status": status, "created": when, "line_items": items,
                 "stock_reduced": False}
        self.orders.append(order)
        self._maybe_reduce(order)
        return order

    def _maybe_reduce(self, order: dict[str, Any]) -> None:
        """wc_maybe_reduce_stock_levels: once, on a stock-reducing status; no floor at 0."""
        if order["stock_reduced"] or order["status"] not in REDUCING:
            return
        order["stock_reduced"] = True
        for li in order["line_items"]:
            obj = self.variations.get(li["variation_id"]) or self.products.get(li["product_id"])
            holder = self._holder(obj) if obj is not None else None
            if holder is not None:
                holder["stock_quantity"] = (holder["stock_quantity"] or 0) - li["quantity"]

    def _order_by_id(self, order_id: int | None) -> dict[str, Any] | None:
        return next((o for o in self.orders if o["id"] == order_id), None)

    def _order_json(self, o: dict[str, Any], keep: frozenset[str] | None = None) -> dict[str, Any]:
        return only({
            "id": o["id"], "parent_id": 0, "number": str(o["id"]), "status": o["status"],
            "currency": "USD", "date_created": self._local(o["created"]),
            "date_created_gmt": self._gmt(o["created"]),
            "date_paid": self._local(o["created"]) if o["stock_reduced"] else None,
            "line_items": [{**li, "taxes": [], "meta_data": []} for li in o["line_items"]]},
            None if keep is None else list(keep))

    # --- HTTP --------------------------------------------------------------------------
    def _create_order(self, req: Request) -> Response:
        """POST /orders: line_items by product_id (+ variation_id) or sku; `status`
        (default pending); `set_paid: true` makes it processing and reduces stock."""
        body = self._body(req)
        if isinstance(body, Response):
            return body
        status = body.get("status", "pending")
        if status not in STATUSES:
            return invalid_param("status", f"status is not one of {', '.join(STATUSES)}.")
        resolved = []
        for li in body.get("line_items") or []:
            li = li if isinstance(li, dict) else {}
            ident = as_int(li.get("variation_id")) or as_int(li.get("product_id"))
            obj = (self.variations.get(ident) or self.products.get(ident) if ident
                   else self._skus.get(str(li.get("sku") or "")))
            qty = as_int(li.get("quantity"))
            if obj is None:  # (these two codes were not checked against the source)
                return fail("woocommerce_rest_invalid_product_id",
                            "Product ID provided is not associated with order.", 400)
            if qty is None or qty <= 0:
                return fail("woocommerce_rest_invalid_item_quantity",
                            "Product quantity must be a positive float.", 400)
            resolved.append((obj, qty))
        if body.get("set_paid") in (True, "true", 1, "1"):
            status = "processing"
        return Response.json(self._order_json(self._new_order(resolved, status, None)), 201)

    def _update_order(self, req: Request, order_id: int) -> Response:
        order = self._order_by_id(order_id)
        if order is None:
            return fail("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 400)
        body = self._body(req)
        if isinstance(body, Response):
            return body
        if "status" in body:
            if body["status"] not in STATUSES:
                return invalid_param("status", f"status is not one of {', '.join(STATUSES)}.")
            order["status"] = body["status"]
        if body.get("set_paid") in (True, "true", 1, "1"):
            order["status"] = "processing"
        self._maybe_reduce(order)
        return Response.json(self._order_json(order))

    def _parse_date(self, req: Request, name: str) -> datetime | Response | None:
        raw = (req.arg(name) or "").strip()
        if not raw:
            return None
        if not _RFC3339.match(raw):
            return invalid_param(name, "Invalid date.")
        when = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
        if when.tzinfo is not None:  # WordPress reads a zoned time into the site's zone
            when = when.astimezone(self.site_tz)
        return when.replace(tzinfo=None)

    def _list_orders(self, req: Request) -> Response:
        gmt = (req.arg("dates_are_gmt", "") or "").lower() in ("1", "true", "yes")
        after, before = self._parse_date(req, "after"), self._parse_date(req, "before")
        for bound in (after, before):
            if isinstance(bound, Response):
                return bound
        status = req.arg("status", "any") or "any"
        found = []
        for o in self.orders:  # WP_Date_Query bounds are exclusive
            when = o["created"].astimezone(UTC if gmt else self.site_tz).replace(tzinfo=None)
            if (after is None or when > after) and (before is None or when < before) and (
                    (status == "any" and o["status"] != "trash")
                    or o["status"] in status.split(",")):
                found.append(o)
        return self._collection(req, found, self._order_json)
