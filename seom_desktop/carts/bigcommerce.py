"""BigCommerce: stock through the v3 Inventory API, orders through the v2 Orders API.

The cart's rules as this connector follows them: `BigCommerceConnector`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, ClassVar

import requests

from seom_desktop.carts.base import (
    ABSOLUTE,
    ORDERS,
    PULL,
    PUSH,
    REALTIME,
    AmbiguousError,
    BadResponseError,
    CartConfig,
    CartError,
    CartItem,
    CartOrder,
    ItemResult,
    OrderLine,
    PermanentError,
    QohUpdate,
    RateLimitedError,
    UnknownItemError,
)
from seom_desktop.carts.http import HttpClient, PageGuard, clamp_delay

PAGE_LIMIT = 250  # inventory items per page (the API allows up to 1000)
ORDER_LIMIT = 250  # the v2 maximum
_IDENTITY = re.compile(r"\bsku ([^,\]]+)")
_INDEX = re.compile(r"\bitems\.(\d+)")


def _problem_words(resp: requests.Response) -> str:
    """The cart's own words from a problem+json body (title, then field errors)."""
    data = resp.json()
    if isinstance(data, list) and data and isinstance(data[0], dict):  # v2 error shape
        return str(data[0].get("message", ""))
    if not isinstance(data, dict):
        return ""
    words = str(data.get("title") or data.get("message") or "")
    errors = data.get("errors")
    if isinstance(errors, dict) and errors:
        words += " (" + "; ".join(f"{k}: {v}" for k, v in errors.items()) + ")"
    return words


def _iso(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError("date_created is not text")
    when = parsedate_to_datetime(value)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class BigCommerceConnector:
    """`CartConfig.url` is the store's API base, `https://api.bigcommerce.com/stores/{hash}`;
    `CartConfig.token` is the API account's access token (header `X-Auth-Token`);
    `CartConfig.location` the inventory location id (default "1").

    Writes use `PUT /v3/inventory/adjustments/absolute` (BigCommerce recommends absolute
    adjustments; re-sending one after a lost answer is harmless), at most 2,000 items a
    request. BigCommerce refuses an adjustment whole: a 422 naming the refused identities
    (e.g. unknown SKUs) applies nothing. The connector then marks the named SKUs failed and
    sends the rest again once; a 422 that names nothing it can match is bisected so one bad
    item still does not hold back the others. On 429 the delay is
    `X-Rate-Limit-Time-Reset-Ms` (the documented header) when present, else `Retry-After`.
    """

    kind: ClassVar[str] = "bigcommerce"
    capabilities: ClassVar[frozenset[str]] = frozenset({PUSH, PULL, REALTIME, ORDERS})
    batch_limit: ClassVar[int] = 2000
    write_mode: ClassVar[str] = ABSOLUTE

    def __init__(self, config: CartConfig, *, session: requests.Session | None = None):
        self.config = config
        self.http = HttpClient(config, session=session)
        self.http.session.headers.update({"X-Auth-Token": config.token,
                                          "Accept": "application/json"})
        try:
            self.location_id = int(config.location or "1")
        except ValueError:
            raise ValueError(f"BigCommerce location {config.location!r} is not a number") from None

    # --- plumbing ---------------------------------------------------------------------
    def _call(self, method: str, path: str, *, write: bool = False, **kw: Any) -> requests.Response:
        seen: dict[str, Any] = {}

        def words(resp: requests.Response) -> str:
            seen["headers"] = resp.headers
            return _problem_words(resp)

        try:
            return self.http.request(method, path, write=write, error_message=words, **kw)
        except RateLimitedError as e:
            reset = (seen.get("headers") or {}).get("X-Rate-Limit-Time-Reset-Ms")
            try:
                delay = float(reset) / 1000.0 if reset is not None else None
            except ValueError:
                delay = None
            if delay is None or not math.isfinite(delay):
                raise
            raise RateLimitedError(e.message, delay=clamp_delay(delay), status=e.status) from None

    def _page(self, page: int, skus: Sequence[str] = ()) -> tuple[list[CartItem], int]:
        params: dict[str, Any] = {"page": page, "limit": PAGE_LIMIT}
        if skus:
            params["sku:in"] = ",".join(skus)
        resp = self._call("GET", f"/v3/inventory/locations/{self.location_id}/items", params=params)
        body = self.http.json(resp)
        try:
            rows = body["data"]
            pagination = body["meta"].get("pagination")
            if pagination is None:  # `"meta": {}`, as BigCommerce's own guide shows it:
                # a full page may have a next one; a short one is the last
                pages = page + 1 if len(rows) >= PAGE_LIMIT else page
            else:
                pages = int(pagination["total_pages"])
            items = []
            for row in rows:
                ident = row["identity"]
                qoh = row.get("total_inventory_onhand")
                items.append(CartItem(sku=str(ident["sku"]),
                                      qoh=int(qoh) if qoh is not None else None,
                                      item_id=str(ident.get("variant_id") or ident.get("product_id") or "")))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BadResponseError(f"{self.config.name}: inventory page {page} is not in "
                                   "the Inventory API's shape") from None
        return items, pages

    # --- the protocol -----------------------------------------------------------------
    def test_connection(self) -> str:
        items, _pages = self._page(1)
        return (f"BigCommerce store {self.config.url.rstrip('/').rsplit('/', 1)[-1]}, "
                f"location {self.location_id} reached")

    def list_items(self) -> Iterator[CartItem]:
        page, pages = 1, 1
        guard = PageGuard(self.config.name, "the inventory items")
        while page <= pages:
            items, pages = self._page(page)
            guard.check(items)
            yield from items
            page += 1

    def get_items(self, skus: Sequence[str]) -> dict[str, CartItem]:
        out: dict[str, CartItem] = {}
        wanted = list(dict.fromkeys(skus))
        for start in range(0, len(wanted), 50):  # keep the query string short
            chunk = wanted[start:start + 50]
            page, pages = 1, 1
            guard = PageGuard(self.config.name, "the inventory items")
            while page <= pages:
                items, pages = self._page(page, chunk)
                guard.check(items)
                out.update({i.sku: i for i in items if i.sku in chunk})
                page += 1
        return out

    def set_qoh(self, updates: Sequence[QohUpdate]) -> list[ItemResult]:
        if len(updates) > self.batch_limit:
            raise ValueError(f"at most {self.batch_limit} updates per request, got {len(updates)}")
        results: dict[str, ItemResult] = {}
        self._send(list(updates), results, named_retry=True)
        return [results[u.sku] for u in updates]

    def _send(self, updates: list[QohUpdate], results: dict[str, ItemResult],
              *, named_retry: bool) -> None:
        if not updates:
            return
        body = {"reason": "seom-desktop: quantity on hand",
                "items": [{"location_id": self.location_id, "sku": u.sku, "quantity": int(u.qoh)}
                          for u in updates]}
        try:
            resp = self._call("PUT", "/v3/inventory/adjustments/absolute", write=True, json=body)
        except PermanentError as e:
            if e.status != 422 or isinstance(e, UnknownItemError):
                raise
            self._refused(updates, results, e, named_retry=named_retry)
            return
        data = self.http.json(resp, write=True)
        if not isinstance(data, dict) or "transaction_id" not in data:
            raise AmbiguousError(f"{self.config.name}: adjustment answered without a transaction_id",
                                 status=resp.status_code)
        for u in updates:
            results[u.sku] = ItemResult(sku=u.sku, ok=True, qoh=int(u.qoh), item_id=u.item_id)

    def _refused(self, updates: list[QohUpdate], results: dict[str, ItemResult],
                 error: CartError, *, named_retry: bool) -> None:
        """A 422 refused the whole request (nothing applied): blame the items it names,
        resend the rest; if it names none of ours, bisect down to single items."""
        if "location not found" in error.message.lower():
            raise error  # the configured location is wrong: every item would be refused
        named = {m.strip() for m in _IDENTITY.findall(error.message)}
        for n in _INDEX.findall(error.message):
            if int(n) < len(updates):
                named.add(updates[int(n)].sku)
        ours = [u for u in updates if u.sku in named]
        if ours and named_retry:
            unknown = "not found" in error.message.lower()
            for u in ours:
                cls = UnknownItemError if unknown else PermanentError
                results[u.sku] = ItemResult(sku=u.sku, ok=False, item_id=u.item_id,
                                            error=cls(error.message, status=422))
            self._send([u for u in updates if u.sku not in named], results, named_retry=True)
            return
        if len(updates) == 1:
            u = updates[0]
            results[u.sku] = ItemResult(sku=u.sku, ok=False, item_id=u.item_id, error=error)
            return
        mid = len(updates) // 2
        self._send(updates[:mid], results, named_retry=named_retry)
        self._send(updates[mid:], results, named_retry=named_retry)

    def list_orders(self, since: str | None) -> list[CartOrder]:
        params: dict[str, Any] = {"sort": "date_created:asc", "limit": ORDER_LIMIT}
        if since:
            when = datetime.fromisoformat(since.replace("Z", "+00:00"))
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            params["min_date_created"] = format_datetime(when.astimezone(UTC))
        orders: list[CartOrder] = []
        page = 1
        guard = PageGuard(self.config.name, "the orders")
        while True:
            resp = self._call("GET", "/v2/orders", params={**params, "page": page})
            if resp.status_code == 204 or not resp.content:
                break
            rows = self.http.json(resp)
            if not isinstance(rows, list):
                raise BadResponseError(f"{self.config.name}: orders page {page} is not a list")
            guard.check(rows)
            for row in rows:
                try:
                    oid = str(row["id"])
                    created = _iso(row["date_created"])
                    status = str(row.get("status", ""))
                except (KeyError, TypeError, ValueError, AttributeError, IndexError,
                        OverflowError):
                    raise BadResponseError(f"{self.config.name}: an order on page {page} "
                                           "is not in the Orders API's shape") from None
                orders.append(CartOrder(order_id=oid, created=created, status=status,
                                        lines=tuple(self._order_lines(oid))))
            if len(rows) < ORDER_LIMIT:
                break
            page += 1
        orders.sort(key=lambda o: (o.created, int(o.order_id) if o.order_id.isdigit() else 0))
        return orders

    def _order_lines(self, oid: str) -> list[OrderLine]:
        lines: list[OrderLine] = []
        page = 1
        guard = PageGuard(self.config.name, f"the products of order {oid}")
        while True:
            resp = self._call("GET", f"/v2/orders/{oid}/products",
                              params={"page": page, "limit": ORDER_LIMIT})
            if resp.status_code == 204 or not resp.content:
                break
            rows = self.http.json(resp)
            guard.check(rows)
            try:
                lines.extend(OrderLine(sku=str(r["sku"]), quantity=int(r["quantity"]),
                                       name=str(r.get("name", ""))) for r in rows)
            except (KeyError, TypeError, ValueError, AttributeError):
                raise BadResponseError(f"{self.config.name}: products of order {oid} "
                                       "are not in the Orders API's shape") from None
            if len(rows) < ORDER_LIMIT:
                break
            page += 1
        return lines

    def close(self) -> None:
        self.http.close()
