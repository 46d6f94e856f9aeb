"""django-oscar orders, read through django-oscar-api's admin API: mixed into
OscarConnector (which gives _get, _page, _pages, _bad, _read_one, _scan, _by_id).

GET /api/admin/orders/ lists newest first with no date filter, so paging stops at a page
wholly older than `since` while that order holds. Order lines name their stock record by
URL (the default OSCARAPI_ORDERLINE_FIELDS have no SKU): the record's SKU is looked up; a
shop that adds partner_sku/upc to those fields is read directly. A line whose record and
product are gone keeps an empty SKU (reported unknown).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from seom_desktop.carts.base import CartOrder, OrderLine
from seom_desktop.carts.parse import as_int as _int
from seom_desktop.carts.parse import parse_utc

MAX_PAGES = 100_000


def id_in(url: Any, kind: str) -> int | None:
    """The id in an Oscar API URL such as .../stockrecords/12/ (kind "stockrecords")."""
    if not isinstance(url, str):
        return None
    m = re.search(rf"/{kind}/(\d+)/?(?:[?#].*)?$", url)
    return int(m.group(1)) if m else None


class OscarOrders:
    """list_orders and its helpers."""

    def list_orders(self, since: str | None) -> list[CartOrder]:
        """Orders placed at or after `since`, oldest first. Oscar lists newest first:
        paging stops at a page wholly older than `since` while the order held."""
        cutoff = parse_utc(since) if since else None
        self._rescanned = False
        found: list[tuple[datetime, str, str, str]] = []
        newest_first, last = True, None
        url: str | None = "/admin/orders/"
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            data = self._get(url)
            rows, url = (data, None) if isinstance(data, list) else self._page(data, "/admin/orders/")
            if url is not None and url in seen:
                raise self._bad("/admin/orders/: the shop links to a page it gave before")
            seen.add(url or "")
            page_all_old = bool(rows)
            for row in rows:
                when, number, status, lines = self._order_head(row)
                newest_first = newest_first and (last is None or when <= last)
                last = when
                if cutoff is None or when >= cutoff:
                    page_all_old = False
                    found.append((when, number, status, lines))
            if not url or (cutoff is not None and page_all_old and newest_first):
                break
        found.sort(key=lambda f: (f[0], _int(f[1]) or 0, f[1]))
        return [CartOrder(order_id=number, created=when.isoformat().replace("+00:00", "Z"),
                          status=status, lines=tuple(self._order_lines(number, lines)))
                for when, number, status, lines in found]

    def _order_head(self, row: Any) -> tuple[datetime, str, str, str]:
        if not isinstance(row, dict):
            raise self._bad("an order is not an object")
        number, placed, lines = row.get("number"), row.get("date_placed"), row.get("lines")
        if not isinstance(number, str) or not number or not isinstance(placed, str) \
                or not isinstance(lines, str):
            raise self._bad("an order lacks number, date_placed or lines")
        try:
            when = parse_utc(placed)
        except ValueError:
            raise self._bad(f"order {number} has date_placed {placed!r}") from None
        return when, number, str(row.get("status") or ""), lines

    def _order_lines(self, number: str, url: str) -> Iterator[OrderLine]:
        for line in self._pages(url):
            qty = _int(line.get("quantity"))
            if qty is None:
                raise self._bad(f"order {number} has a line without a whole quantity")
            yield OrderLine(sku=self._line_sku(line), quantity=qty,
                            name=str(line.get("title") or ""))

    def _line_sku(self, line: dict[str, Any]) -> str:
        for field in ("partner_sku", "upc"):  # when the shop lists them
            if isinstance(line.get(field), str) and line[field]:
                return line[field]
        rid = id_in(line.get("stockrecord"), "stockrecords")
        if rid is not None:
            rec = self._by_id.get(rid) or self._read_one(rid)
            if rec is not None and rec.sku:
                return rec.sku
        pid = id_in(line.get("product"), "products")  # its stock record is gone
        if pid is not None:
            if not any(r.product_id == pid for r in self._by_id.values()):
                self._rescan_once()
            for rec in self._by_id.values():
                if rec.product_id == pid and rec.sku:
                    return rec.sku
        return ""

    def _rescan_once(self) -> None:
        """List the shop at most once per order import."""
        if not self._rescanned:
            self._rescanned = True
            for _ in self._scan():
                pass
