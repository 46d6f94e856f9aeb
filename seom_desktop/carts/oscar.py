"""django-oscar connector, through django-oscar-api's admin API (`/api/admin/`, open when
the shop sets OSCARAPI_BLOCK_ADMIN_API_ACCESS = False, for staff users holding the model
permissions). Checked against django-oscar 4.2.1 with django-oscar-api 3.3.0.

The cart's rules as this connector follows them: `OscarConnector`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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
    CartItem,
    ItemResult,
    PermanentError,
    QohUpdate,
    UnknownItemError,
)
from seom_desktop.carts.http import HttpClient, Response
from seom_desktop.carts.oscar_orders import MAX_PAGES, OscarOrders, id_in
from seom_desktop.carts.parse import as_int as _int

DIRECT_READS = 20  # up to this many known records are read one by one, else listed
NOT_TRACKED = "does not track stock on the shop (num_in_stock empty or track_stock off)"


def error_words(resp: Response) -> str:
    """DRF's words: {"detail": ...}, or {field: [messages]}, or [messages]."""
    body = resp.json()
    if isinstance(body, dict):
        if isinstance(body.get("detail"), str):
            return body["detail"]
        return "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                         for k, v in body.items())
    if isinstance(body, list):
        return "; ".join(map(str, body))
    return ""






@dataclass(frozen=True)
class _Record:
    """One stock record as last read."""

    id: int
    sku: str
    product_id: int
    num_in_stock: int | None
    num_allocated: int
    class_tracks: bool
    partner_id: int | None
    name: str = ""
    upc: str = ""  # the product's UPC: the SKU when partner_sku is empty

    @property
    def tracked(self) -> bool:
        return self.class_tracks and self.num_in_stock is not None

    def item(self) -> CartItem:
        qoh = self.num_in_stock - self.num_allocated if self.tracked else None
        return CartItem(sku=self.sku, qoh=qoh, item_id=str(self.id), name=self.name,
                        tracked=self.tracked)


class OscarConnector(OscarOrders):
    """What is read and written (paths of oscarapi/urls.py `admin_urlpatterns`):
    - GET /api/admin/products/: every product (children too) with its stock records nested
      (url, partner_sku, num_in_stock, num_allocated, partner url). The list has no filter by
      SKU, so a lookup by SKU lists the catalogue; stock record ids are then remembered and a
      known record is read alone with GET /api/admin/stockrecords/{id}/. Lists are plain
      JSON lists, or DRF pages {"count", "next", "results"} when the shop sets a paginator:
      `next` is followed (only on the shop's own host: credentials go nowhere else).
    - PATCH /api/admin/stockrecords/{id}/ {"num_in_stock": n}: one record a request. Oscar
      has no batch endpoint (a PATCH of /api/admin/products/ also changes one product), so
      `batch_limit` is 1: one set_qoh call is one item (a GET then a PATCH).
    - GET /api/admin/orders/ (newest first, no date filter) and each order's `lines` URL.

    Oscar's stock model: a checkout raises the record's num_allocated and leaves
    num_in_stock; shipping consumes the allocation (both go down); what a shopper can buy is
    num_in_stock - num_allocated (StockRecord.net_stock_level). This connector keeps that
    buyable number equal to the store's shaped QOH: items report qoh = num_in_stock -
    num_allocated, and set_qoh(qoh=N) reads the record and writes num_in_stock = N +
    num_allocated. An order placed in between (allocated after the read) leaves the shop at
    N minus that order, which is what the store shows once the order is imported, so it is
    not "corrected" (that would sell the same units twice). Re-sending a write is harmless.

    An item's SKU is its stock record's partner_sku (the product's UPC when partner_sku is
    empty); its item id is the stock record's id. CartConfig.location, when set, names the
    partner (id, code or name) whose records are used; otherwise every partner's. A record
    with num_in_stock null, or of a product class with track_stock off (a child product's
    class is its parent's), does not track stock:
    it is reported untracked and never switched on. Credentials: key/secret as HTTP Basic;
    a token is sent as Oscar API's `Session-Id` header (the "SID:AUTH:..." value).

    Orders (oscar_orders): id = the order number, created = date_placed, status as Oscar
    has it.
    """

    kind = "oscar"
    capabilities = frozenset({PUSH, PULL, REALTIME, ORDERS})
    batch_limit = 1  # no batch endpoint: one stock record a PATCH
    write_mode = ABSOLUTE

    def __init__(self, config: CartConfig, *, pool_class: type[PoolManager] = PoolManager):
        self.config = config
        self.http = HttpClient(config, pool_class=pool_class)
        if config.key or config.secret:
            self.http.auth = (config.key, config.secret)
        if config.token:
            self.http.headers["Session-Id"] = config.token
        self.api = "" if self.http.base_url.endswith("/api") else "/api"
        base = urlsplit(self.http.base_url)
        self._origin, self._host = f"{base.scheme}://{base.netloc}", base.hostname
        self._rescanned = False
        self._by_sku: dict[str, _Record] = {}
        self._by_id: dict[int, _Record] = {}
        self._classes: dict[str, bool] | None = None  # product class slug -> track_stock
        self._parent_class: dict[int, Any] = {}  # parent product id -> its class slug
        self._partner: int | None = None
        self._partner_known = not config.location.strip()

    # --- plumbing ----------------------------------------------------------------------
    def _bad(self, what: str) -> BadResponseError:
        return BadResponseError(self.http.redact(f"{self.config.name}: {what}"))

    def _url(self, path_or_url: str) -> str:
        """A path under the API, or a link the shop gave (`next`, an order's `lines`):
        only to the shop's own host, and always with the configured scheme and port (a
        shop behind a TLS proxy may link with http://; credentials never go that way)."""
        if path_or_url.startswith(("http://", "https://")):
            parts = urlsplit(path_or_url)
            if parts.hostname != self._host:
                raise self._bad(f"the shop pointed to another host ({parts.hostname})")
            query = f"?{parts.query}" if parts.query else ""
            return f"{self._origin}{parts.path}{query}"
        return self.api + path_or_url

    def _get(self, path_or_url: str, params: dict[str, Any] | None = None) -> Any:
        resp = self.http.request("GET", self._url(path_or_url), params=params,
                                 error_message=error_words)
        return self.http.json(resp)

    def _pages(self, path: str) -> Iterator[dict[str, Any]]:
        """Every object of a list: a plain JSON list, or DRF pages followed by `next`."""
        url: str | None = path
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            data = self._get(url)
            rows, url = (data, None) if isinstance(data, list) else self._page(data, path)
            if url is not None and url in seen:
                raise self._bad(f"{path}: the shop links to a page it gave before")
            seen.add(url or "")
            if not all(isinstance(r, dict) for r in rows):
                raise self._bad(f"{path} holds something that is not an object")
            yield from rows
            if not url:
                return
        raise self._bad(f"{path} never ends")

    def _page(self, data: Any, path: str) -> tuple[list, str | None]:
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise self._bad(f"{path} is neither a list nor a page of results")
        nxt = data.get("next")
        if nxt is not None and not isinstance(nxt, str):
            raise self._bad(f"{path} has a 'next' that is not a URL")
        return data["results"], nxt

    # --- reading -----------------------------------------------------------------------
    def _track_stock(self) -> dict[str, bool]:
        if self._classes is None:
            classes = {}
            for row in self._pages("/admin/productclasses/"):
                if not isinstance(row.get("slug"), str):
                    raise self._bad("a product class has no slug")
                classes[row["slug"]] = row.get("track_stock") is not False
            self._classes = classes
        return self._classes

    def _partner_id(self) -> int | None:
        """The partner named by CartConfig.location (id, code or name), or None: all."""
        if not self._partner_known:
            want = self.config.location.strip()
            for row in self._pages("/admin/partners/"):
                pid = id_in(row.get("url"), "partners")
                if want in (str(pid), row.get("code"), row.get("name")):
                    self._partner = pid
                    break
            else:
                raise PermanentError(self.http.redact(
                    f"{self.config.name}: the shop has no partner {want!r} (location)"))
            self._partner_known = True
        return self._partner

    def _record(self, row: dict[str, Any], *, upc: str = "", class_tracks: bool = True,
                name: str = "") -> _Record:
        rid, product = id_in(row.get("url"), "stockrecords"), _int(row.get("product"))
        sku, in_stock = row.get("partner_sku") or "", row.get("num_in_stock")
        allocated = row.get("num_allocated")
        if rid is None or product is None or not isinstance(sku, str):
            raise self._bad("a stock record lacks its url, product or partner_sku")
        if (in_stock is not None and _int(in_stock) is None) or (
                allocated is not None and _int(allocated) is None):
            raise self._bad(f"stock record {rid} has num_in_stock {in_stock!r} and "
                            f"num_allocated {allocated!r}")
        return _Record(rid, sku or upc, product, _int(in_stock), _int(allocated) or 0,
                       class_tracks, id_in(row.get("partner"), "partners"), name, upc)

    def _class_of(self, product: dict[str, Any]) -> str:
        """The product's class slug. A child product is listed with product_class null
        and its parent's id: it has its parent's class (Oscar's get_product_class)."""
        pclass, parent = product.get("product_class"), _int(product.get("parent"))
        if product.get("structure") == "parent" and _int(product.get("id")) is not None:
            self._parent_class[_int(product.get("id"))] = pclass
        if pclass is None and parent is not None:
            if parent not in self._parent_class:
                row = self._get(f"/admin/products/{parent}/")
                self._parent_class[parent] = row.get("product_class") if isinstance(row, dict) else None
            pclass = self._parent_class[parent]
        return str(pclass)

    def _remember(self, rec: _Record) -> None:
        old = self._by_id.get(rec.id)
        was_entry = old is not None and self._by_sku.get(old.sku) is old
        if was_entry:
            del self._by_sku[old.sku]
        self._by_id[rec.id] = rec
        if self._partner is not None and rec.partner_id != self._partner:
            return  # another partner's record (read for an order line): not an item here
        if rec.sku and (rec.sku not in self._by_sku or was_entry):
            self._by_sku[rec.sku] = rec  # the first record of a SKU: the one Oscar sells

    def _scan(self) -> Iterator[_Record]:
        """Every stock record of the shop (of the chosen partner), remembered afresh."""
        partner, classes = self._partner_id(), self._track_stock()
        self._by_sku, self._by_id, self._parent_class = {}, {}, {}
        for product in self._pages("/admin/products/"):
            records, upc = product.get("stockrecords"), product.get("upc") or ""
            if not isinstance(records, list) or not isinstance(upc, str):
                raise self._bad(f"product {product.get('id')!r} has malformed stockrecords/upc")
            tracks = classes.get(self._class_of(product), True)
            for row in records:
                if not isinstance(row, dict):
                    raise self._bad(f"product {product.get('id')!r} has a malformed stock record")
                rec = self._record(row, upc=upc, class_tracks=tracks,
                                   name=str(product.get("title") or ""))
                if partner is not None and rec.partner_id != partner:
                    continue
                first = rec.sku not in self._by_sku
                self._remember(rec)
                if rec.sku and first:
                    yield rec

    def _read_one(self, rid: int) -> _Record | None:
        """A stock record read alone (None: gone); keeps what the listing knew of it."""
        try:
            row = self._get(f"/admin/stockrecords/{rid}/")
        except PermanentError as e:
            if e.status == 404:
                return None
            raise
        if not isinstance(row, dict):
            raise self._bad(f"stock record {rid} is not an object")
        known = self._by_id.get(rid)
        upc = known.upc if known is not None and known.product_id == _int(row.get("product")) else ""
        rec = self._record(row, upc=upc, class_tracks=known.class_tracks if known else True,
                           name=known.name if known else "")
        self._remember(rec)
        return rec

    def test_connection(self) -> str:
        try:
            data = self._get("/admin/products/")
        except PermanentError as e:
            if e.status == 404:
                raise PermanentError(self.http.redact(
                    f"{self.config.name}: no admin API at {self.http.base_url}"
                    f"{self.api}/admin/ (the shop must set OSCARAPI_BLOCK_ADMIN_API_ACCESS "
                    "= False)"), status=404) from None
            raise
        count = data.get("count") if isinstance(data, dict) else (
            len(data) if isinstance(data, list) else None)
        if _int(count) is None:
            raise self._bad("/admin/products/ is neither a list nor a page of results")
        return f"django-oscar (Oscar API admin) at {self.http.base_url}: {count} products"

    def list_items(self) -> Iterator[CartItem]:
        for rec in self._scan():
            yield rec.item()

    def get_items(self, skus: Sequence[str]) -> dict[str, CartItem]:
        wanted = {s for s in skus if s}
        known = [self._by_sku[s] for s in wanted if s in self._by_sku]
        if len(known) == len(wanted) and len(known) <= DIRECT_READS:
            out: dict[str, CartItem] = {}
            for rec in known:
                fresh = self._read_one(rec.id)
                if fresh is None or fresh.sku != rec.sku:
                    break  # gone or renamed: list the shop instead
                out[rec.sku] = fresh.item()
            else:
                return out
        return {rec.sku: rec.item() for rec in self._scan() if rec.sku in wanted}

    # --- writing -----------------------------------------------------------------------
    def _locate(self, u: QohUpdate) -> _Record | None:
        """The update's stock record, read now (its num_allocated is current)."""
        partner = self._partner_id()
        rec = self._by_sku.get(u.sku)
        rid = rec.id if rec is not None else _int(u.item_id)
        if rid is not None:
            fresh = self._read_one(rid)
            if fresh is not None and fresh.sku == u.sku and partner in (None, fresh.partner_id):
                return fresh
        for rec in self._scan():  # read just now: its num_allocated is current
            if rec.sku == u.sku:
                return rec
        return None

    def set_qoh(self, updates: Sequence[QohUpdate]) -> list[ItemResult]:
        updates = list(updates)
        if len(updates) > self.batch_limit:
            raise ValueError(f"{len(updates)} updates exceed Oscar's limit of one stock "
                             "record a request; split them first")
        return [self._set_one(u) for u in updates]

    def _set_one(self, u: QohUpdate) -> ItemResult:
        name = self.config.name
        rec = self._locate(u)
        if rec is None:
            return ItemResult(u.sku, False, error=UnknownItemError(self.http.redact(
                f"{name}: no stock record has SKU {u.sku!r}")))
        if not rec.tracked:
            return ItemResult(u.sku, False, item_id=str(rec.id), error=PermanentError(
                self.http.redact(f"{name}: {u.sku} {NOT_TRACKED}")))
        if u.qoh < 0:
            return ItemResult(u.sku, False, item_id=str(rec.id), error=PermanentError(
                f"{name}: {u.sku}: Oscar cannot show {u.qoh} (no negative stock)"))
        target = u.qoh + rec.num_allocated
        try:
            resp = self.http.request("PATCH", self._url(f"/admin/stockrecords/{rec.id}/"),
                                     json={"num_in_stock": target}, write=True,
                                     error_message=error_words)
        except AuthError:
            raise
        except PermanentError as e:  # 400 (refused value) or 404 (deleted meanwhile)
            if e.status == 404:
                self._by_id.pop(rec.id, None)
                self._by_sku.pop(rec.sku, None)
                e = UnknownItemError(e.message, status=404)
            return ItemResult(u.sku, False, item_id=str(rec.id), error=e)
        row = self.http.json(resp, write=True)
        try:
            after = self._record(row, upc=rec.sku, class_tracks=rec.class_tracks, name=rec.name)
        except BadResponseError:
            raise AmbiguousError(f"{name}: {u.sku}: the shop's answer is not a stock record",
                                 status=resp.status_code) from None
        self._remember(after)
        if after.num_in_stock != target:
            return ItemResult(u.sku, False, qoh=after.item().qoh, item_id=str(rec.id),
                              error=PermanentError(f"{name}: {u.sku}: num_in_stock is "
                                                   f"{after.num_in_stock} after being set to {target}"))
        return ItemResult(u.sku, True, qoh=after.item().qoh, item_id=str(rec.id))

    def close(self) -> None:
        self.http.close()
