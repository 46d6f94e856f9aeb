"""BigCommerce: stock through the v3 Inventory API, orders through the v2 Orders API.

The cart's rules as this connector follows them: `BigCommerceConnector`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, ClassVar

from urllib3 import PoolManager

from seom_desktop.carts.base import (
    ABSOLUTE,
    LOCATIONS,
    ORDERS,
    PULL,
    PUSH,
    REALTIME,
    AmbiguousError,
    BadResponseError,
    CartConfig,
    CartError,
    CartItem,
    CartLocation,
    CartOrder,
    ItemResult,
    OrderLine,
    PermanentError,
    QohUpdate,
    RateLimitedError,
    UnknownItemError,
)
from seom_desktop.carts.http import HttpClient, PageGuard, Response, clamp_delay

PAGE_LIMIT = 250  # inventory items per page (the API allows up to 1000)
ORDER_LIMIT = 250  # the v2 maximum
_IDENTITY = re.compile(r"\bsku ([^,\]]+)")
_INDEX = re.compile(r"\bitems\.(\d+)")
_NUMBERS = re.compile(r"\d+")


def _problem_words(resp: Response) -> str:
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

    Locations (LOCATIONS): `list_locations` reads `GET /v3/inventory/locations`; a read
    naming locations reads `GET /v3/inventory/locations/{id}/items?sku:in=` once per
    location; an update's `location` is its item's `location_id` in the same absolute
    adjustment. A 422 "Location not found, identities: [..]" naming only locations other
    than the configured one fails those updates and sends the rest again.

    Writes use `PUT /v3/inventory/adjustments/absolute` (BigCommerce recommends absolute
    adjustments; re-sending one after a lost answer is harmless), at most 2,000 items a
    request. BigCommerce refuses an adjustment whole: a 422 naming the refused identities
    (e.g. unknown SKUs) applies nothing. The connector then marks the named SKUs failed and
    sends the rest again once; a 422 that names nothing it can match is bisected so one bad
    item still does not hold back the others. On 429 the delay is
    `X-Rate-Limit-Time-Reset-Ms` (the documented header) when present, else `Retry-After`.
    """

    kind: ClassVar[str] = "bigcommerce"
    capabilities: ClassVar[frozenset[str]] = frozenset({PUSH, PULL, REALTIME, ORDERS, LOCATIONS})
    batch_limit: ClassVar[int] = 2000
    write_mode: ClassVar[str] = ABSOLUTE

    def __init__(self, config: CartConfig, *, pool_class: type[PoolManager] = PoolManager):
        self.config = config
        self.http = HttpClient(config, pool_class=pool_class)
        self.http.headers.update({"X-Auth-Token": config.token,
                                          "Accept": "application/json"})
        try:
            self.location_id = int(config.location or "1")
        except ValueError:
            raise ValueError(f"BigCommerce location {config.location!r} is not a number") from None

    # --- plumbing ---------------------------------------------------------------------
    def _call(self, method: str, path: str, *, write: bool = False, **kw: Any) -> Response:
        seen: dict[str, Any] = {}

        def words(resp: Response) -> str:
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

    def _page(self, page: int, skus: Sequence[str] = (),
              location: int | None = None) -> tuple[list[CartItem], int]:
        params: dict[str, Any] = {"page": page, "limit": PAGE_LIMIT}
        if skus:
            params["sku:in"] = ",".join(skus)
        where = self.location_id if location is None else location
        resp = self._call("GET", f"/v3/inventory/locations/{where}/items", params=params)
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

    def _read(self, skus: Sequence[str] = (), location: int | None = None) -> Iterator[CartItem]:
        """Every page of one location's items (those named, when `skus` is given)."""
        page, pages = 1, 1
        guard = PageGuard(self.config.name, "the inventory items")
        while page <= pages:
            items, pages = self._page(page, skus, location)
            guard.check(items)
            yield from items
            page += 1

    def _location_ids(self, locations: Sequence[str]) -> list[int]:
        try:
            return [int(loc) for loc in dict.fromkeys(locations)]
        except ValueError:
            raise ValueError(f"BigCommerce location ids are numbers, got {list(locations)!r}") from None

    def _with_levels(self, items: dict[str, CartItem], locations: Sequence[str],
                     skus: Sequence[str] = ()) -> dict[str, CartItem]:
        """`items` with each one's quantity at every location of `locations`."""
        levels: dict[str, dict[str, int]] = {sku: {} for sku in items}
        for loc in self._location_ids(locations):
            for start in range(0, max(len(skus), 1), 50):
                chunk = skus[start:start + 50]
                for item in self._read(chunk, loc):
                    if item.sku in levels and item.qoh is not None:
                        levels[item.sku][str(loc)] = item.qoh
                if not skus:
                    break
        return {sku: replace(item, locations=levels[sku]) for sku, item in items.items()}

    # --- the protocol -----------------------------------------------------------------
    def test_connection(self) -> str:
        items, _pages = self._page(1)
        return (f"BigCommerce store {self.config.url.rstrip('/').rsplit('/', 1)[-1]}, "
                f"location {self.location_id} reached")

    def list_locations(self) -> list[CartLocation]:
        """`GET /v3/inventory/locations`, every page: id, label, enabled."""
        out: list[CartLocation] = []
        page, pages = 1, 1
        guard = PageGuard(self.config.name, "the inventory locations")
        while page <= pages:
            body = self.http.json(self._call("GET", "/v3/inventory/locations",
                                             params={"page": page, "limit": PAGE_LIMIT}))
            try:
                rows = body["data"]
                pagination = (body.get("meta") or {}).get("pagination")
                pages = int(pagination["total_pages"]) if pagination else page
                guard.check(rows)
                out.extend(CartLocation(id=str(int(r["id"])), name=str(r.get("label") or ""),
                                        active=r.get("enabled", True) is not False) for r in rows)
            except (KeyError, TypeError, ValueError, AttributeError):
                raise BadResponseError(f"{self.config.name}: locations page {page} is not "
                                       "in the Locations API's shape") from None
            page += 1
        return out

    def list_items(self, locations: Sequence[str] = ()) -> Iterator[CartItem]:
        if not locations:
            yield from self._read()
            return
        items = {i.sku: i for i in self._read()}
        yield from self._with_levels(items, locations).values()

    def get_items(self, skus: Sequence[str],
                  locations: Sequence[str] = ()) -> dict[str, CartItem]:
        out: dict[str, CartItem] = {}
        wanted = list(dict.fromkeys(skus))
        for start in range(0, len(wanted), 50):  # keep the query string short
            chunk = wanted[start:start + 50]
            out.update({i.sku: i for i in self._read(chunk) if i.sku in chunk})
        return self._with_levels(out, locations, list(out)) if locations and out else out

    def set_qoh(self, updates: Sequence[QohUpdate]) -> list[ItemResult]:
        if len(updates) > self.batch_limit:
            raise ValueError(f"at most {self.batch_limit} updates per request, got {len(updates)}")
        results: dict[int, ItemResult] = {}
        todo: list[tuple[int, QohUpdate, int]] = []
        for i, u in enumerate(updates):
            try:
                todo.append((i, u, int(u.location) if u.location else self.location_id))
            except ValueError:
                results[i] = self._failed(u, PermanentError(
                    f"{self.config.name}: {u.location!r} is not a BigCommerce location id "
                    "(a number)", code="BAD_LOCATION"))
        self._send(todo, results, named_retry=True)
        return [replace(results[i], location=u.location) for i, u in enumerate(updates)]

    @staticmethod
    def _failed(u: QohUpdate, error: CartError) -> ItemResult:
        return ItemResult(sku=u.sku, ok=False, item_id=u.item_id, error=error)

    def _send(self, todo: list[tuple[int, QohUpdate, int]], results: dict[int, ItemResult],
              *, named_retry: bool) -> None:
        if not todo:
            return
        body = {"reason": "seom-desktop: quantity on hand",
                "items": [{"location_id": loc, "sku": u.sku, "quantity": int(u.qoh)}
                          for _i, u, loc in todo]}
        try:
            resp = self._call("PUT", "/v3/inventory/adjustments/absolute", write=True, json=body)
        except PermanentError as e:
            if e.status != 422 or isinstance(e, UnknownItemError):
                raise
            self._refused(todo, results, e, named_retry=named_retry)
            return
        data = self.http.json(resp, write=True)
        if not isinstance(data, dict) or "transaction_id" not in data:
            raise AmbiguousError(f"{self.config.name}: adjustment answered without a transaction_id",
                                 status=resp.status_code)
        for i, u, _loc in todo:
            results[i] = ItemResult(sku=u.sku, ok=True, qoh=int(u.qoh), item_id=u.item_id)

    def _refused(self, todo: list[tuple[int, QohUpdate, int]], results: dict[int, ItemResult],
                 error: CartError, *, named_retry: bool) -> None:
        """A 422 refused the whole request (nothing applied): blame the items it names
        (by identity, by index, or by location), resend the rest; if it names none of
        ours, bisect down to single items."""
        words = error.message.lower()
        if "location not found" in words:
            named_locs = {int(n) for n in _NUMBERS.findall(error.message.rsplit("[", 1)[-1])}
            if self.location_id in named_locs or not named_locs:
                raise error  # the configured location is wrong: every item would be refused
            ours = [t for t in todo if t[2] in named_locs]
        else:
            named = {m.strip() for m in _IDENTITY.findall(error.message)}
            at = {int(n) for n in _INDEX.findall(error.message) if int(n) < len(todo)}
            ours = [t for n, t in enumerate(todo) if t[1].sku in named or n in at]
        if ours and named_retry:
            cls = UnknownItemError if "not found" in words else PermanentError
            for i, u, _loc in ours:
                results[i] = self._failed(u, cls(error.message, status=422))
            blamed = {t[0] for t in ours}
            self._send([t for t in todo if t[0] not in blamed], results, named_retry=True)
            return
        if len(todo) == 1:
            results[todo[0][0]] = self._failed(todo[0][1], error)
            return
        mid = len(todo) // 2
        self._send(todo[:mid], results, named_retry=named_retry)
        self._send(todo[mid:], results, named_retry=named_retry)

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
