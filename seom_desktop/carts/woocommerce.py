"""WooCommerce REST API v3 (`/wp-json/wc/v3`) connector.

The cart's rules as this connector follows them: `WooCommerceConnector`.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import Any

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
    ItemResult,
    PermanentError,
    QohUpdate,
    RetryableError,
    UnknownItemError,
)
from seom_desktop.carts.http import HttpClient, PageGuard, Response
from seom_desktop.carts.paging import ordered_pages
from seom_desktop.carts.parse import as_int as _int
from seom_desktop.carts.woocommerce_oauth import signed_query
from seom_desktop.carts.woocommerce_orders import WooCommerceOrders
from seom_desktop.carts.woocommerce_query import (
    ITEM_FIELDS,
    MAX_PAGES,
    PER_PAGE,
    sku_queries,
)
from seom_desktop.carts.woocommerce_rows import (
    _MANAGE,
    _NOT_SIMPLE,
    _TRACKED,
    NOT_TRACKED,
    _cart_item,
    _new_where,
    _Page,
    _Where,
    _where_from_id,
    error_words,
)


class WooCommerceConnector(WooCommerceOrders):
    """Stock is written absolutely (`stock_quantity`) through the batch endpoints, at most 100
    objects a request: simple products (and variable parents) on POST /products/batch,
    variations on POST /products/{parent}/variations/batch. A variation whose `manage_stock`
    reads "parent" keeps its stock on the parent, so it is written there. An item that does
    not manage stock is refused here and never switched on (WooCommerce would silently store
    nothing). Credentials go as HTTP Basic (consumer key/secret) over https; over plain http
    (loopback only) WooCommerce reads no key at all, so each request is signed with OAuth 1.0a
    over the cart URL (woocommerce_oauth.py), which must then be the store's own home URL.
    They never appear in a message.

    Item ids: "123" is product 123, "123/456" variation 456 of product 123. The connector keeps
    what it learns of each SKU (id, stock management) from list/get and batch answers; a SKU
    it does not know, without an item id, is looked up with GET /products?sku=... (which in v3
    finds variations too).

    Listings page by id (`orderby=id`): by date (the default) WooCommerce skips and repeats
    items created in the same second. Orders are read by offset, each page overlapping the one
    before by an order, so that orders removed meanwhile cannot make the listing skip one.

    Failures: a whole request that fails raises (HttpClient maps it); a refused item comes back
    as ItemResult(ok=False). A connection reset after a write was sent is AmbiguousError: the
    cart may have read and applied the body before the reset, and the client cannot tell.
    Since writes are absolute, re-sending after an ambiguous failure is harmless.
    """

    kind = "woocommerce"
    capabilities = frozenset({PUSH, PULL, REALTIME, ORDERS})
    batch_limit = 100
    write_mode = ABSOLUTE

    def __init__(self, config: CartConfig, *, pool_class: type[PoolManager] = PoolManager):
        self.config = config
        self.http = HttpClient(config, pool_class=pool_class)
        base = self.http.base_url
        self._oauth = base.lower().startswith("http://") and bool(config.key)
        if (config.key or config.secret) and not self._oauth:
            self.http.auth = (config.key, config.secret)
        self.api = ("" if base.endswith("/wp-json/wc/v3")
                    else "/wc/v3" if base.endswith("/wp-json") else "/wp-json/wc/v3")
        self._where: dict[str, _Where] = {}

    # --- reading -----------------------------------------------------------------------
    def _signed(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any] | str:
        """The query to send: over plain http, signed (OAuth 1.0a) for this request."""
        if not self._oauth:
            return params
        return signed_query(method, self.http.base_url + self.api + path, params,
                            self.config.key, self.config.secret)

    def _get(self, path: str, params: dict[str, Any]) -> tuple[Any, Response]:
        resp = self.http.request("GET", self.api + path, params=self._signed("GET", path, params),
                                 error_message=error_words)
        return self.http.json(resp), resp

    def _bad(self, what: str) -> BadResponseError:
        return BadResponseError(self.http.redact(f"{self.config.name}: {what}"))

    def _page(self, path: str, params: dict[str, Any], page: int) -> _Page:
        """One page of a listing: its objects, its X-WP-TotalPages and its raw body."""
        data, resp = self._get(path, {**params, "page": page, "per_page": PER_PAGE})
        if not isinstance(data, list) or not all(map(isinstance, data, repeat(dict))):
            raise self._bad(f"{path} page {page} is not a list of objects")
        return _Page(data, _int(resp.headers.get("X-WP-TotalPages", "")), resp.content)

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every object of a listing, page by page in order."""
        for rows in self._page_rows(path, params):
            yield from rows

    def _page_rows(self, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """The objects of each page of a listing, in page order. Once a page says how many
        pages there are, the next ones are read a few at a time (carts/paging.py)."""
        guard = PageGuard(self.config.name, path, MAX_PAGES)

        def follow(n: int, page: _Page) -> int:
            if not page.rows:
                return 0
            if page.total is None:  # no page count: a short page is the last
                return 0 if len(page.rows) < PER_PAGE else n + 1
            return 0 if n >= page.total else page.total

        for page in ordered_pages(lambda n: self._page(path, params, n), follow,
                                  name=f"woo-{path.strip('/').split('/')[0]}"):
            if page.rows:
                guard.check(page.body)
                yield page.rows

    def _item(self, row: dict[str, Any], parent_id: int = 0, remember: bool = True) -> CartItem:
        """A CartItem from a product or variation object; remembers where its stock lives
        (`remember` False, a whole listing: only a variation whose stock is its parent's,
        which its item id does not say; every other item's id says it, and a listing of
        1,000,000 items would keep 150 MB of it for writes that may never come).
        (Run once per item listed: the common case, an item managing its own stock with
        every field of its plain JSON type, is read here; the rest by _any_item.)"""
        get = row.get
        ident, sku, name, qty = get("id"), get("sku"), get("name"), get("stock_quantity")
        if (type(ident) is int and type(sku) is str and type(name) is str and type(qty) is int
                and get("manage_stock") is True and (parent_id or get("type") != "variation")):
            item_id = f"{parent_id}/{ident}" if parent_id else str(ident)
            if sku and remember:
                self._where[sku] = _new_where(_Where, (item_id, True, parent_id))
            return _cart_item(sku, qty, item_id, name, True)
        return self._any_item(row, parent_id, remember)

    def _any_item(self, row: dict[str, Any], parent_id: int = 0,
                  remember: bool = True) -> CartItem:
        """_item for any object: fields of other types, or missing, are parsed or refused."""
        get = row.get
        ident = get("id")
        if type(ident) is not int:
            ident = _int(ident)
        sku, name, manage = get("sku") or "", get("name") or "", get("manage_stock")
        if ident is None or not isinstance(sku, str) or not isinstance(name, str):
            raise self._bad("an item has no integer id or a non-text sku/name")
        if manage not in _MANAGE:
            raise self._bad(f"item {ident} has manage_stock {manage!r}")
        if not parent_id and get("type") == "variation":
            parent_id = _int(get("parent_id")) or 0
            if not parent_id:
                raise self._bad(f"variation {ident} has no parent_id")
        qty = raw_qty = get("stock_quantity")
        if raw_qty is not None and type(raw_qty) is not int:
            qty = _int(raw_qty)
            if qty is None:
                raise self._bad(f"item {ident} has stock_quantity {raw_qty!r}")
        tracked = manage in _TRACKED
        item_id = f"{parent_id}/{ident}" if parent_id else str(ident)
        if sku and (remember or manage == "parent"):
            self._where[sku] = _Where(item_id, manage, parent_id)
        return CartItem(sku=sku, qoh=(qty or 0) if tracked else None, item_id=item_id,
                        name=name, tracked=tracked)

    def test_connection(self) -> str:
        data, resp = self._get("/products", {"per_page": 1})
        if not isinstance(data, list):
            raise self._bad("/products did not answer with a list")
        total = _int(resp.headers.get("X-WP-Total", ""))
        count = f"{total} products" if total is not None else "products readable"
        return f"WooCommerce REST API v3 at {self.http.base_url}: {count}"

    def list_items(self) -> Iterator[CartItem]:
        """Simple products, every variation, and variable parents that manage stock
        themselves (their stock is what "parent" variations show). Items without a SKU,
        grouped and external products (which hold no stock) are left out."""
        item_of = functools.partial(self._item, remember=False)
        for rows in self._page_rows("/products", {"orderby": "id", "order": "asc",
                                                  "_fields": ITEM_FIELDS}):
            for row in rows:
                kind = row.get("type")
                if kind == "simple" or kind not in _NOT_SIMPLE:
                    item = item_of(row)
                    if item.sku:
                        yield item
                elif kind == "variable":
                    yield from self._variable(row, item_of(row))
                # (grouped and external products hold no stock)

    def _variable(self, row: dict[str, Any], item: CartItem) -> Iterator[CartItem]:
        """A variable product (when it manages stock itself) and its variations."""
        if item.sku and row.get("manage_stock") is True:
            yield item
        pid = _int(row.get("id"))
        for vrow in self._pages(f"/products/{pid}/variations",
                               {"orderby": "id", "order": "asc", "_fields": ITEM_FIELDS}):
            vitem = self._item(vrow, parent_id=pid, remember=False)
            if vitem.sku:
                yield vitem

    def get_items(self, skus: Sequence[str]) -> dict[str, CartItem]:
        wanted = {s for s in skus if s}
        queries = sku_queries(sorted(s for s in wanted if "," not in s))
        queries += sorted(s for s in wanted if "," in s)  # a SKU with a comma goes alone
        out: dict[str, CartItem] = {}
        for query in queries:
            for row in self._pages("/products", {"sku": query, "_fields": ITEM_FIELDS}):
                item = self._item(row)
                if item.sku in wanted:
                    out[item.sku] = item
        return out

    # --- writing -----------------------------------------------------------------------
    def _item_error(self, sku: str, err: Any) -> CartError:
        if not isinstance(err, dict):
            return AmbiguousError(f"{self.config.name}: {sku}: the cart gave a malformed item error")
        code, msg = str(err.get("code") or ""), str(err.get("message") or "refused")
        msg = html.unescape(re.sub(r"<[^>]+>", "", msg))
        data = err.get("data") if isinstance(err.get("data"), dict) else {}
        status = _int(data.get("status"))
        text = self.http.redact(f"{self.config.name}: {sku}: {msg} [{code}]")
        if code.endswith("_invalid_id") or code == "woocommerce_rest_invalid_product_id":
            self._where.pop(sku, None)
            return UnknownItemError(text, status=status, code=code)
        if status in (401, 403):
            return AuthError(text, status=status, code=code)
        if status is not None and status >= 500:
            return RetryableError(text, status=status, code=code)
        return PermanentError(text, status=status, code=code)

    def _send(self, path: str, writes: dict[int, int]) -> dict[int, dict[str, Any]]:
        """POST one batch of {id: quantity}; the answer's objects by id."""
        payload = {"update": [{"id": i, "stock_quantity": q} for i, q in writes.items()]}
        resp = self.http.request("POST", self.api + path, json=payload, write=True,
                                 params=self._signed("POST", path, {}), error_message=error_words)
        data = self.http.json(resp, write=True)
        rows = data.get("update") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise AmbiguousError(f"{self.config.name}: {path} answered without an 'update' list",
                                 status=resp.status_code)
        out = {}
        for row in rows:
            ident = _int(row.get("id")) if isinstance(row, dict) else None
            if ident is not None:
                out[ident] = row
        return out

    def set_qoh(self, updates: Sequence[QohUpdate]) -> list[ItemResult]:
        updates = list(updates)
        if len(updates) > self.batch_limit:
            raise ValueError(f"{len(updates)} updates exceed WooCommerce's batch limit of "
                             f"{self.batch_limit}; split them first")
        results: dict[int, ItemResult] = {}
        where: dict[int, _Where] = {}
        lookup: list[int] = []
        for i, u in enumerate(updates):
            known = self._where.get(u.sku)
            if known is not None and known.manage in (True, "parent"):
                where[i] = known
            elif known is None and _where_from_id(u.item_id) is not None:
                where[i] = _where_from_id(u.item_id)  # checked against the batch answer
            else:
                lookup.append(i)  # unknown, or known untracked: ask the cart afresh
        if lookup:
            found = self.get_items([updates[i].sku for i in lookup])
            for i in lookup:
                sku = updates[i].sku
                if sku not in found:
                    results[i] = ItemResult(sku, False, error=UnknownItemError(
                        self.http.redact(f"{self.config.name}: no product or variation has SKU {sku!r}")))
                elif not found[sku].tracked:
                    results[i] = self._untracked(sku, found[sku].item_id)
                else:
                    where[i] = self._where[sku]
        self._write(updates, where, results)
        return [results[i] for i in range(len(updates))]

    def _untracked(self, sku: str, item_id: str) -> ItemResult:
        return ItemResult(sku, False, item_id=item_id, error=PermanentError(
            self.http.redact(f"{self.config.name}: {sku} {NOT_TRACKED}")))

    def _write(self, updates: list[QohUpdate], where: dict[int, _Where],
               results: dict[int, ItemResult]) -> None:
        groups: dict[str, dict[int, list[int]]] = {}
        for i, w in sorted(where.items()):
            path, target = w.target()
            groups.setdefault(path, {}).setdefault(target, []).append(i)
        order = sorted(groups, key=lambda p: (p != "/products/batch", p))
        follow_up: dict[int, list[int]] = {}  # parent id -> updates found to be "parent"
        for path in order:
            self._write_group(path, groups[path], updates, where, results, follow_up)
        if follow_up:
            for idxs in follow_up.values():
                for i in idxs:
                    where[i] = self._where.get(updates[i].sku, where[i])
            self._write_group("/products/batch", follow_up, updates, where, results, {})

    def _write_group(self, path: str, targets: dict[int, list[int]], updates: list[QohUpdate],
                     where: dict[int, _Where], results: dict[int, ItemResult],
                     follow_up: dict[int, list[int]]) -> None:
        writes = {t: updates[idxs[-1]].qoh for t, idxs in targets.items()}  # last one wins
        answers = self._send(path, writes)
        is_variation = "/variations/" in path
        for target, idxs in targets.items():
            row = answers.get(target)
            for i in idxs:
                sku, w = updates[i].sku, where[i]
                if row is None:
                    results[i] = ItemResult(sku, False, item_id=w.item_id, error=AmbiguousError(
                        f"{self.config.name}: {sku}: the batch answer has no result for id {target}"))
                elif "error" in row:
                    results[i] = ItemResult(sku, False, item_id=w.item_id,
                                            error=self._item_error(sku, row["error"]))
                else:
                    self._judge(i, row, writes[target], is_variation, w, updates, results, follow_up)

    def _judge(self, i: int, row: dict[str, Any], sent: int, is_variation: bool, w: _Where,
               updates: list[QohUpdate], results: dict[int, ItemResult],
               follow_up: dict[int, list[int]]) -> None:
        sku = updates[i].sku
        manage, qty = row.get("manage_stock"), _int(row.get("stock_quantity"))
        if is_variation and manage == "parent":  # stock lives on the parent: write it there
            self._where[sku] = _Where(w.item_id, "parent", w.parent_id)
            follow_up.setdefault(w.parent_id, []).append(i)
            return
        if manage is False:  # (for a "parent" SKU: the parent stopped managing stock)
            self._where[sku] = _Where(w.item_id, False, w.parent_id)  # re-asked next time
            results[i] = self._untracked(sku, w.item_id)
            return
        if manage not in (True, "parent") or qty is None:
            results[i] = ItemResult(sku, False, item_id=w.item_id, error=AmbiguousError(
                f"{self.config.name}: {sku}: the batch answer has manage_stock {manage!r} "
                f"and stock_quantity {row.get('stock_quantity')!r}"))
            return
        if w.manage is None:
            self._where[sku] = _Where(w.item_id, True, w.parent_id)
        if qty != sent:
            results[i] = ItemResult(sku, False, qoh=qty, item_id=w.item_id, error=PermanentError(
                f"{self.config.name}: {sku}: the cart shows {qty} after being set to {sent}"))
            return
        results[i] = ItemResult(sku, True, qoh=qty, item_id=w.item_id)

    def close(self) -> None:
        self.http.close()
