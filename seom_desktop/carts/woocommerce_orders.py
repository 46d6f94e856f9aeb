"""WooCommerce orders (`GET /wp-json/wc/v3/orders`), mixed into WooCommerceConnector
(which gives `config`, `_get` and `_bad`): every order created at or after a time, read in
id order by offset with one object of overlap, so an order deleted meanwhile does not
make the reading skip the one that moved into its place."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import repeat
from typing import Any

from seom_desktop.carts.base import CartOrder, OrderLine
from seom_desktop.carts.http import PageGuard
from seom_desktop.carts.parse import as_int as _int
from seom_desktop.carts.parse import parse_utc
from seom_desktop.carts.woocommerce_query import MAX_PAGES, ORDER_FIELDS, PER_PAGE


class WooCommerceOrders:
    def list_orders(self, since: str | None) -> list[CartOrder]:
        """Orders created at or after `since` (UTC ISO time), oldest first, every status
        (the importer decides which statuses reduce stock). WooCommerce's `after` is
        exclusive and to the second, so one second earlier is asked and the rest dropped."""
        params: dict[str, Any] = {"orderby": "id", "order": "asc", "dates_are_gmt": "true",
                                  "_fields": ORDER_FIELDS}
        cutoff = parse_utc(since) if since else None
        if cutoff is not None:
            params["after"] = (cutoff - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
        orders = []
        for row in self._by_id("/orders", params):
            order, created = self._order(row)
            if cutoff is None or created >= cutoff:
                orders.append((created, order))
        orders.sort(key=lambda pair: (pair[0], _int(pair[1].order_id) or 0))
        return [order for _, order in orders]

    def _by_id(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every object of a listing in id order, each once. Pages are read by offset and
        each overlaps the one before by its last object: a page that starts past the last
        id read means objects before it went away meanwhile (the offsets moved), so the
        reading steps back a page instead of skipping what moved in front of it."""
        guard = PageGuard(self.config.name, path, MAX_PAGES)
        offset, last = 0, None
        while True:
            data, _ = self._get(path, {**params, "offset": offset, "per_page": PER_PAGE})
            if not isinstance(data, list) or not all(map(isinstance, data, repeat(dict))):
                raise self._bad(f"{path} at offset {offset} is not a list of objects")
            ids = [_int(row.get("id")) for row in data]
            if None in ids or ids != sorted(ids):
                raise self._bad(f"{path} did not list its objects by id")
            guard.repeated(data)  # (counts the pages: a cart whose listing never ends)
            if last is not None and offset > 0 and ids and ids[0] > last:
                offset = max(0, offset - PER_PAGE)  # objects before went away: step back
                continue
            for ident, row in zip(ids, data, strict=True):
                if last is None or ident > last:
                    last = ident
                    yield row
            if len(data) < PER_PAGE:
                return
            offset += len(data) - 1

    def _order(self, row: dict[str, Any]) -> tuple[CartOrder, datetime]:
        ident = _int(row.get("id"))
        raw_date, items = row.get("date_created_gmt"), row.get("line_items")
        if ident is None or not isinstance(raw_date, str) or not isinstance(items, list):
            raise self._bad("an order lacks id, date_created_gmt or line_items")
        try:
            created = parse_utc(raw_date)
        except ValueError:
            raise self._bad(f"order {ident} has date_created_gmt {raw_date!r}") from None
        lines = []
        for li in items:
            qty = _int(li.get("quantity")) if isinstance(li, dict) else None
            if qty is None or not isinstance(li.get("sku") or "", str):
                raise self._bad(f"order {ident} has a malformed line item")
            lines.append(OrderLine(sku=li.get("sku") or "", quantity=qty,
                                   name=str(li.get("name") or "")))
        order = CartOrder(order_id=str(ident), created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          status=str(row.get("status") or ""), lines=tuple(lines))
        return order, created
