"""The v2 Orders API of the BigCommerce emulator, and its shoppers' orders: mixed into
BigCommerceEmulator (which holds items, orders, locations, lock and quantity).

`GET /v2/orders?min_date_created=&sort=date_created:asc&page=&limit=` (limit max 250;
dates RFC 2822 or ISO 8601; an empty page is 204 No Content) and
`GET /v2/orders/{id}/products` (`sku`, `quantity`, `name`, `product_id`, `variant_id`).
Orders decrement stock when placed (BigCommerce's default "when order is placed"), at
the location the order is placed for (location 1, the store's default, unless named).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from seom_desktop.emulators.base import Request, Response

MAX_ORDERS_PAGE = 250


def parse_bc_date(value: str) -> datetime:
    """RFC 2822 or ISO 8601, as the v2 Orders API accepts; naive means UTC."""
    value = value.strip()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        when = parsedate_to_datetime(value)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class OrdersApi:
    """Orders of the BigCommerce emulator (see the module docstring)."""

    def place_order(self, lines: list[tuple[str, int]], location_id: int = 1) -> str:
        with self.lock:
            for sku, qty in lines:
                have = self.quantity(sku, location_id)
                if sku not in self.items:
                    raise ValueError(f"no product with SKU {sku!r}")
                if have is not None and have < qty:
                    raise ValueError(f"only {have} of {sku!r} in stock")
            for sku, qty in lines:
                item = self.items[sku]
                if item["tracked"]:
                    item["stock"][location_id] = item["stock"].get(location_id, 0) - qty
            self._next_order += 1
            oid = self._next_order
            self.orders.append({
                "id": oid, "created": datetime.now(UTC).replace(microsecond=0),
                "status_id": 11, "status": "Awaiting Fulfillment",
                "lines": [(sku, qty) for sku, qty in lines],
            })
            return str(oid)

    def _orders(self, req: Request) -> Response:
        try:
            page = max(1, int(req.arg("page", "1")))
            limit = min(MAX_ORDERS_PAGE, max(1, int(req.arg("limit", "50"))))
            since = parse_bc_date(req.arg("min_date_created")) if req.arg("min_date_created") else None
        except (TypeError, ValueError):
            return Response.json([{"status": 400, "message": "The filter is not valid"}], 400)
        rows = [o for o in self.orders if since is None or o["created"] >= since]
        sort = req.arg("sort", "id")
        key = "created" if sort.startswith("date_created") else "id"
        rows.sort(key=lambda o: (o[key], o["id"]), reverse=sort.endswith(":desc"))
        chunk = rows[(page - 1) * limit: page * limit]
        if not chunk:
            return Response(204, b"", {})
        return Response.json([{
            "id": o["id"], "status_id": o["status_id"], "status": o["status"],
            "date_created": format_datetime(o["created"]),
            "items_total": sum(q for _, q in o["lines"]),
            "products": {"url": f"{self.url}/stores/{self.store_hash}/v2/orders/{o['id']}/products",
                         "resource": f"/orders/{o['id']}/products"},
        } for o in chunk])

    def _order_products(self, req: Request, oid: str) -> Response:
        order = next((o for o in self.orders if str(o["id"]) == oid), None)
        if order is None:
            return Response.json([{"status": 404, "message": "The requested resource was not found."}], 404)
        try:
            page = max(1, int(req.arg("page", "1")))
            limit = min(MAX_ORDERS_PAGE, max(1, int(req.arg("limit", "50"))))
        except ValueError:
            return Response.json([{"status": 400, "message": "The filter is not valid"}], 400)
        rows = []
        for n, (sku, qty) in enumerate(order["lines"], start=1):
            item = self.items.get(sku, {})
            rows.append({"id": n, "order_id": order["id"], "sku": sku, "quantity": qty,
                         "name": item.get("name", sku), "product_id": item.get("product_id", 0),
                         "variant_id": item.get("variant_id", 0)})
        chunk = rows[(page - 1) * limit: page * limit]
        if not chunk:
            return Response(204, b"", {})
        return Response.json(chunk)
