"""Miva: the store's JSON API (`/mm5/json.mvc`).

The cart's rules as this connector follows them: `MivaConnector`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from urllib3 import PoolManager

from seom_desktop.carts.base import (
    ABSOLUTE,
    ORDERS,
    PULL,
    PUSH,
    REALTIME,
    AmbiguousError,
    AuthError,
    BadResponseError,
    CartConfig,
    CartError,
    CartItem,
    CartOrder,
    ItemResult,
    OrderLine,
    PermanentError,
    QohUpdate,
    UnknownItemError,
)
from seom_desktop.carts.http import HttpClient, PageGuard, Response

PAGE_SIZE = 100
# docs.miva.com/miva10/reference-guide/order-order-item-statuses and miva-merchant-lsk
# lib/dbeng/orders.mv Order_Update_Status: the order's status codes in words (300
# "cancelled" is what sync/orders.py leaves unapplied); an item cancelled (300) or an
# adjustment line (999) is left out of the lines.
ORDER_STATUS = {0: "pending", 100: "processing", 200: "shipped", 201: "partially shipped",
                300: "cancelled", 400: "backordered", 500: "rma issued", 600: "returned"}
NO_STOCK = frozenset({300, 999})
NOT_TRACKED = ("does not track inventory on Miva (product_inventory_active is false; "
               "Product_Update would answer success and change nothing): turn tracking on there")
INVENTORY = "product_inventory"  # the on-demand column (json/products.mv)
DENIED = "access_denied"  # every refusal of JSON_API (mmlsk-json.mv)


class MivaConnector:
    """`CartConfig.url` is the JSON API endpoint (`https://shop.example.com/mm5/json.mvc`); a
    URL not ending in `.mvc` gets `/mm5/json.mvc` added. `CartConfig.token` is the API
    access token; `CartConfig.secret`, when given, is the token's signing key (base64, as
    Miva shows it): requests are then signed `MIVA-HMAC-SHA256 token:signature` over the
    exact body, else sent as `MIVA token`. `CartConfig.location` is the Store_Code (default
    "default"). Every body carries `Miva_Request_Timestamp`. Miva refuses every
    authentication failure in an HTTP 200 with `error_code` "access_denied" (mmlsk-json.mv,
    JSON_API): that is an AuthError.

    An item's SKU is the product `code` (Miva's key: Product_Update and order lines name it),
    for the catalog and for order lines alike; Miva's separate `sku` field is not used.
    Order statuses are Miva's numbers in words (Miva takes stock when an item goes into a
    basket, so a pending order has taken it); cancelled items are left out of the lines.
    Stock is read with the on-demand column `product_inventory`, which adds
    `product_inventory_active` (tracking on) and `product_inventory` to each product
    (json/products.mv); Miva ignores on-demand names it does not know, so a misspelt one
    would read every product without stock.

    Writes use `Product_Update` with `Product_Inventory` (an absolute quantity), many
    products in one request through the multicall `Iterations` form; each iteration
    succeeds or fails on its own. Product_Update on a product whose inventory is not
    tracked answers success and changes nothing (or changes a hidden count), so the
    products of a batch are read first (unless get_items just read them: each read serves
    one write) and an untracked one is reported, never written.
    `ProductList_Adjust_Inventory` is not used: it turns tracking on for the products it
    touches, and a relative adjustment re-sent after a lost answer would apply twice; the
    absolute value is harmless to re-send. `batch_limit` is 100: Miva documents no limit but
    asks for "manageable chunks". (Iterations are not timed out one by one: Miva's 206
    `Content-Range` time-out is checked between `Operations` only.)

    Miva takes stock when an item goes into a basket (`holds_stock_in_baskets`): a quantity
    sent while baskets are open overwrites stock that an abandoned basket will later give
    back, so baskets must be emptied before sync is turned on.
    """

    kind: ClassVar[str] = "miva"
    capabilities: ClassVar[frozenset[str]] = frozenset({PUSH, PULL, REALTIME, ORDERS})
    batch_limit: ClassVar[int] = 100
    write_mode: ClassVar[str] = ABSOLUTE
    holds_stock_in_baskets: ClassVar[bool] = True

    def __init__(self, config: CartConfig, *, pool_class: type[PoolManager] = PoolManager):
        url = config.url.strip().rstrip("/")
        if not url.lower().endswith(".mvc"):
            url += "/mm5/json.mvc"
        self.config = config
        self.http = HttpClient(replace(config, url=url), pool_class=pool_class)
        self.store_code = config.location or "default"
        # What get_items just read, by code: one set_qoh may write those it shows
        # tracked without reading them again (the stack reads back right before writing).
        self._read: dict[str, CartItem] = {}
        if not config.token:
            raise ValueError("Miva needs an API access token")
        self._key = b""
        if config.secret:
            try:
                self._key = base64.b64decode(config.secret + "=" * (-len(config.secret) % 4),
                                             validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("the Miva signing key is not base64") from None

    # --- plumbing ---------------------------------------------------------------------
    def _post(self, payload: dict[str, Any], *, write: bool = False) -> tuple[Any, Response]:
        body = json.dumps({"Store_Code": self.store_code,
                           "Miva_Request_Timestamp": int(time.time()), **payload}).encode()
        if self._key:
            sig = base64.b64encode(hmac.new(self._key, body, hashlib.sha256).digest()).decode()
            auth = f"MIVA-HMAC-SHA256 {self.config.token}:{sig}"
        else:
            auth = f"MIVA {self.config.token}"
        resp = self.http.request("POST", "", write=write, data=body,
                                 headers={"Content-Type": "application/json",
                                          "X-Miva-API-Authorization": auth},
                                 error_message=self._words)
        data = self.http.json(resp, write=write)
        if isinstance(data, dict) and not data.get("success"):
            raise self._error(data)
        return data, resp

    @staticmethod
    def _words(resp: Response) -> str:
        data = resp.json()
        return str(data.get("error_message", "")) if isinstance(data, dict) else ""

    def _error(self, data: dict[str, Any]) -> CartError:
        code, words = str(data.get("error_code", "")), str(data.get("error_message", ""))
        if "success" not in data:
            return BadResponseError(f"{self.config.name}: the answer has no success flag")
        if data.get("error_field"):
            words += f" ({data['error_field']})"
        msg = self.http.redact(f"{self.config.name}: {words or 'request failed'} [{code}]")
        if code == DENIED:  # HTTP 200 on Miva; what it means is a 403 (the stack then
            return AuthError(msg, code=code, status=403)  # stops this cart's pass)
        if "not found" in words.lower() and "product" in words.lower():
            return UnknownItemError(msg, code=code)
        return PermanentError(msg, code=code)

    def _query(self, function: str, *, search: list[dict] | None = None,
               columns: list[str] | None = None, sort: str = "id") -> Iterator[dict[str, Any]]:
        offset = 0
        guard = PageGuard(self.config.name, function)
        while True:
            filters: list[dict[str, Any]] = []
            if search:
                filters.append({"name": "search", "value": search})
            if columns:
                filters.append({"name": "ondemandcolumns", "value": columns})
            data, _ = self._post({"Function": function, "Count": PAGE_SIZE, "Offset": offset,
                                  "Sort": sort, "Filter": filters})
            try:
                page = data["data"]
                rows, total = page["data"], int(page["total_count"])
                if not isinstance(rows, list):
                    raise TypeError
            except (KeyError, TypeError, ValueError):
                raise BadResponseError(f"{self.config.name}: {function} answered in an "
                                       "unexpected shape") from None
            if rows:
                guard.check(rows)
            yield from rows
            offset += len(rows)
            if not rows or offset >= total:
                return

    def _item(self, row: Any) -> CartItem:
        if not isinstance(row, dict) or not isinstance(row.get("code"), str):
            raise BadResponseError(f"{self.config.name}: a product of ProductList_Load_Query "
                                   "has no code")
        active, count = row.get("product_inventory_active"), row.get("product_inventory")
        if not isinstance(active, bool) or not isinstance(count, int) or isinstance(count, bool):
            raise BadResponseError(
                f"{self.config.name}: product {row['code']!r} came without "
                f"product_inventory_active/product_inventory (on-demand column {INVENTORY!r})")
        return CartItem(sku=row["code"], qoh=count if active else None,
                        item_id=str(row.get("id", "")), name=str(row.get("name", "")),
                        tracked=active)

    # --- the protocol -----------------------------------------------------------------
    def test_connection(self) -> str:
        data, _ = self._post({"Function": "ProductList_Load_Query", "Count": 1, "Offset": 0})
        page = data.get("data") if isinstance(data, dict) else None
        total = page.get("total_count") if isinstance(page, dict) else None
        if total is None:
            raise BadResponseError(f"{self.config.name}: ProductList_Load_Query answered in an "
                                   "unexpected shape")
        return f"Miva store {self.store_code!r}: {total} products"

    def list_items(self) -> Iterator[CartItem]:
        for row in self._query("ProductList_Load_Query", columns=[INVENTORY]):
            yield self._item(row)

    def get_items(self, skus: Sequence[str]) -> dict[str, CartItem]:
        out: dict[str, CartItem] = {}
        wanted = list(dict.fromkeys(skus))
        for start in range(0, len(wanted), PAGE_SIZE):
            chunk = wanted[start:start + PAGE_SIZE]
            search = [{"field": "code", "operator": "IN", "value": ",".join(chunk)}]
            for row in self._query("ProductList_Load_Query", search=search, columns=[INVENTORY]):
                item = self._item(row)
                if item.sku in chunk:
                    out[item.sku] = item
        self._read.update(out)
        return out

    def set_qoh(self, updates: Sequence[QohUpdate]) -> list[ItemResult]:
        if len(updates) > self.batch_limit:
            raise ValueError(f"at most {self.batch_limit} updates per request, got {len(updates)}")
        if not updates:
            return []
        fresh = {u.sku: self._read.pop(u.sku) for u in updates if u.sku in self._read}
        unread = [u.sku for u in updates if u.sku not in fresh]
        found = {**fresh, **(self.get_items(unread) if unread else {})}
        for u in updates:
            self._read.pop(u.sku, None)
        results: dict[int, ItemResult] = {}
        write: list[int] = []
        for n, u in enumerate(updates):
            item = found.get(u.sku)
            if item is None:
                results[n] = ItemResult(u.sku, False, error=UnknownItemError(self.http.redact(
                    f"{self.config.name}: Miva has no product with code {u.sku!r}")))
            elif not item.tracked:
                results[n] = ItemResult(u.sku, False, item_id=item.item_id, error=PermanentError(
                    self.http.redact(f"{self.config.name}: {u.sku} {NOT_TRACKED}"),
                    code="UNTRACKED"))
            else:
                write.append(n)
        if write:
            self._write([updates[n] for n in write], write, results)
        return [results[n] for n in range(len(updates))]

    def _write(self, updates: list[QohUpdate], places: list[int],
               results: dict[int, ItemResult]) -> None:
        payload = {"Function": "Product_Update",
                   "Iterations": [{"Product_Code": u.sku, "Product_Inventory": int(u.qoh)}
                                  for u in updates]}
        data, resp = self._post(payload, write=True)
        if not isinstance(data, list) or len(data) != len(updates):
            got = f"{len(data)} results" if isinstance(data, list) else "no result list"
            raise AmbiguousError(f"{self.config.name}: Product_Update answered {got} for "
                                 f"{len(updates)} updates", status=resp.status_code)
        for n, u, r in zip(places, updates, data, strict=True):
            if isinstance(r, dict) and r.get("success"):
                results[n] = ItemResult(u.sku, True, qoh=int(u.qoh), item_id=u.item_id)
            elif isinstance(r, dict):
                results[n] = ItemResult(u.sku, False, item_id=u.item_id, error=self._error(r))
            else:
                err = AmbiguousError(f"{self.config.name}: no usable result for {u.sku}")
                results[n] = ItemResult(u.sku, False, item_id=u.item_id, error=err)

    def list_orders(self, since: str | None) -> list[CartOrder]:
        search = None
        if since:
            when = datetime.fromisoformat(since.replace("Z", "+00:00"))
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            search = [{"field": "orderdate", "operator": "GE", "value": int(when.timestamp())}]
        orders = []
        for row in self._query("OrderList_Load_Query", search=search, columns=["items"],
                               sort="orderdate"):
            try:
                created = datetime.fromtimestamp(int(row["orderdate"]), UTC)
                lines = tuple(OrderLine(sku=str(i["code"]), quantity=int(i["quantity"]),
                                        name=str(i.get("name", "")))
                              for i in row.get("items") or [] if i.get("status") not in NO_STOCK)
                status = row.get("status", "")
                orders.append(CartOrder(order_id=str(row["id"]),
                                        created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                        status=ORDER_STATUS.get(status, str(status)), lines=lines))
            except (KeyError, TypeError, ValueError, AttributeError):
                raise BadResponseError(f"{self.config.name}: an order is not in the "
                                       "OrderList_Load_Query shape") from None
        orders.sort(key=lambda o: (o.created, int(o.order_id) if o.order_id.isdigit() else 0))
        return orders

    def close(self) -> None:
        self.http.close()
