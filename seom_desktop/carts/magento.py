"""Magento 2 / Adobe Commerce with Multi-Source Inventory, over REST.

The cart's rules as this connector follows them: `MagentoConnector`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from urllib3 import PoolManager

from seom_desktop.carts.base import (
    ABSOLUTE,
    LOCATIONS,
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
    CartLocation,
    CartOrder,
    ItemResult,
    OrderLine,
    PermanentError,
    QohUpdate,
    UnknownItemError,
)
from seom_desktop.carts.http import HttpClient, PageGuard, Response
from seom_desktop.carts.parse import quantity as _quantity

PAGE_SIZE = 200  # under the 300 "Maximum Page Size" of stores with input limits on
# Magento 2.4.4+ refuses an integration's access token as a bearer token unless the store
# allows it (AdobeDocs/commerce-webapi get-started/authentication/gs-authentication-token.md)
BEARER_HINT = ("the token is refused, or lacks this resource: Magento 2.4.4 and later take an "
               "integration's access token as a bearer token only when Stores > Configuration > "
               "Services > OAuth > Consumer Settings > 'Allow OAuth Access Tokens to be used as "
               "standalone Bearer tokens' is Yes, and only to the resources the integration "
               "is given")


def fill(message: str, parameters: Any) -> str:
    """Magento's placeholders: `%1`.. for a list, `%name` for a dict."""
    message = str(message)
    if isinstance(parameters, list):
        for n in range(len(parameters), 0, -1):  # %10 before %1
            message = message.replace(f"%{n}", str(parameters[n - 1]))
    elif isinstance(parameters, dict):
        for k in sorted(parameters, key=len, reverse=True):
            message = message.replace(f"%{k}", str(parameters[k]))
    return message


def magento_words(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    words = fill(body.get("message", ""), body.get("parameters"))
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        words += ": " + "; ".join(fill(e.get("message", ""), e.get("parameters"))
                                  for e in errors if isinstance(e, dict))
    return words


def criteria(filter_groups: list[list[tuple[str, str, str]]], page_size: int = 0,
             page: int = 0, sort: tuple[str, str] | None = None) -> dict[str, str]:
    params: dict[str, str] = {}
    for g, filters in enumerate(filter_groups):
        for f, (field, value, cond) in enumerate(filters):
            pre = f"searchCriteria[filter_groups][{g}][filters][{f}]"
            params[f"{pre}[field]"], params[f"{pre}[value]"] = field, value
            params[f"{pre}[condition_type]"] = cond
    if page_size:
        params["searchCriteria[pageSize]"] = str(page_size)
        params["searchCriteria[currentPage]"] = str(page)
    if sort:
        params["searchCriteria[sortOrders][0][field]"] = sort[0]
        params["searchCriteria[sortOrders][0][direction]"] = sort[1]
    return params


def _stock_lines(items: list[dict]) -> list[dict]:
    """The order items that hold stock. A configurable product's line carries its
    child's SKU and quantity (the child line, with parent_item_id, repeats it); a
    bundle's line carries a SKU made of its parts' and no stock of its own: its
    children (parent_item_id = the bundle's item_id, qty_ordered for the whole line)
    hold the stock. As in the order of Adobe's REST tutorial
    (AdobeDocs/commerce-webapi src/pages/rest/tutorials/orders/order-create-order.md)."""
    bundles = {i.get("item_id") for i in items if i.get("product_type") == "bundle"}
    return [i for i in items
            if (not i.get("parent_item_id") and i.get("product_type") != "bundle")
            or (i.get("parent_item_id") and i.get("parent_item_id") in bundles)]


class MagentoConnector:
    """`CartConfig.url` is the shop's base URL (`https://shop.example.com`); requests go to
    `/rest/default/V1/...`. A URL that already ends in `/rest/<store_code>` picks that store
    code instead (`default` and `all` both work for the global-scope source items).
    `CartConfig.location` is the MSI source code (default "default").

    Credentials: `CartConfig.token` is an integration access token (never expires). Or, with
    no token, `CartConfig.key`/`secret` are an admin user name and password: the connector
    asks `POST /rest/V1/integration/admin/token` for an admin token and asks again when the
    cart answers 401 (admin tokens expire, 4 hours by default), then repeats the request
    once. A 401 to a write applied nothing, so repeating it is safe.

    Writes: `POST /V1/inventory/source-items`, quantity absolute, status 1 when above zero.
    `batch_limit` is 20: the documented default of Magento's "Input List Limit" once Web API
    input limits are enabled (2.4.3+); a larger batch is refused whole on such stores.
    Magento saves a batch all-or-nothing: a 400 naming SKUs ("Product with SKU ... does not
    exist.") marks those failed and the rest is sent again; a 400 naming nothing ("Could
    not save Source Item") is bisected down to single items so one bad item does not hold
    back the others. Error messages have their `%1` / `%name` placeholders filled in.

    Locations (LOCATIONS) are MSI sources: `list_locations` reads `GET /V1/inventory/
    sources`; a read naming sources asks for `source_code in (configured, named...)` in
    the same search; an update's `location` is its source item's `source_code`. A source
    the store lacks fails its save with 400 "Could not save Source Item" (naming nothing),
    so the batch is bisected down to that update, which comes back refused.
    """

    kind: ClassVar[str] = "magento"
    capabilities: ClassVar[frozenset[str]] = frozenset({PUSH, PULL, REALTIME, ORDERS, LOCATIONS})
    batch_limit: ClassVar[int] = 20
    write_mode: ClassVar[str] = ABSOLUTE

    def __init__(self, config: CartConfig, *, pool_class: type[PoolManager] = PoolManager):
        parts = urlsplit(config.url.strip().rstrip("/"))
        path, _, store = parts.path.rpartition("/rest/")
        self.store_code = store if _ and store and "/" not in store else "default"
        base = urlunsplit((parts.scheme, parts.netloc, path if _ else parts.path, "", ""))
        self.config = config
        self.http = HttpClient(replace(config, url=base), pool_class=pool_class)
        self.http.headers["Accept"] = "application/json"
        self.source_code = config.location or "default"
        self._admin = not config.token and bool(config.key and config.secret)
        if not config.token and not self._admin:
            raise ValueError("Magento needs an integration access token, "
                             "or an admin user name and password")
        self._bearer = config.token

    # --- plumbing ---------------------------------------------------------------------
    def _path(self, route: str) -> str:
        return f"/rest/{self.store_code}/V1/{route}"

    def _renew(self) -> None:
        resp = self.http.request("POST", "/rest/V1/integration/admin/token",
                                 json={"username": self.config.key, "password": self.config.secret},
                                 error_message=lambda r: magento_words(r.json()))
        token = self.http.json(resp)
        if not isinstance(token, str) or not token:
            raise BadResponseError(f"{self.config.name}: the admin token answer is not a token")
        self._bearer = token
        self.http.redact.secrets = sorted({*self.http.redact.secrets, token}, key=len, reverse=True)

    def _call(self, method: str, route: str, *, write: bool = False,
              seen: dict[str, Any] | None = None, **kw: Any) -> Response:
        seen = {} if seen is None else seen

        def words(resp: Response) -> str:
            seen["body"] = resp.json()
            return magento_words(seen["body"])

        if self._admin and not self._bearer:
            self._renew()
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._bearer}"}
            try:
                return self.http.request(method, self._path(route), write=write,
                                         error_message=words, headers=headers, **kw)
            except AuthError as e:
                if not self._admin and e.status == 401:
                    raise AuthError(f"{e.message} ({BEARER_HINT})", status=401) from None
                if not self._admin or attempt == 2 or e.status != 401:
                    raise
                self._renew()  # the admin token expired: a 401 applied nothing
        raise AssertionError("unreachable")

    def _pages(self, route: str, groups: list, sort: tuple[str, str] | None = None) -> Iterator[dict]:
        page, seen_rows = 1, 0
        guard = PageGuard(self.config.name, route)
        while True:
            resp = self._call("GET", route, params=criteria(groups, PAGE_SIZE, page, sort))
            body = self.http.json(resp)
            try:
                rows, total = body["items"], int(body["total_count"])
                if not isinstance(rows, list):
                    raise TypeError
            except (KeyError, TypeError, ValueError):
                raise BadResponseError(f"{self.config.name}: {route} page {page} is not a "
                                       "search result") from None
            if rows and guard.repeated(rows):
                return  # Magento answers the last page again past the end
            yield from rows
            seen_rows += len(rows)
            # Magento answers the last page again past the end: count with total_count.
            if not rows or seen_rows >= total:
                return
            page += 1

    def _item(self, row: Any) -> CartItem:
        try:
            return CartItem(sku=str(row["sku"]), qoh=_quantity(row["quantity"]),
                            item_id=str(row["sku"]))
        except (KeyError, TypeError, ValueError, OverflowError):
            raise BadResponseError(f"{self.config.name}: a source item is not in the "
                                   "inventory API's shape") from None

    # --- the protocol -----------------------------------------------------------------
    def test_connection(self) -> str:
        resp = self._call("GET", "inventory/source-items",
                          params=criteria([[("source_code", self.source_code, "eq")]], 1, 1))
        body = self.http.json(resp)
        if not isinstance(body, dict) or "total_count" not in body:
            raise BadResponseError(f"{self.config.name}: source items answer is not a search result")
        return (f"Magento store view {self.store_code!r}, source {self.source_code!r}: "
                f"{body['total_count']} source items")

    def list_locations(self) -> list[CartLocation]:
        """`GET /V1/inventory/sources`: every MSI source (code, name, enabled)."""
        out = []
        for row in self._pages("inventory/sources", []):
            try:
                out.append(CartLocation(id=str(row["source_code"]), name=str(row.get("name") or ""),
                                        active=bool(row.get("enabled", True))))
            except (KeyError, TypeError):
                raise BadResponseError(f"{self.config.name}: a source is not in the inventory "
                                       "API's shape") from None
        return out

    def _read(self, groups: list, locations: Sequence[str]) -> dict[str, CartItem]:
        """Source items matching `groups` at the configured source and at `locations`:
        one item per SKU, its quantity at the configured source (None when it has no
        source item there) and, with `locations`, its quantity at each of them."""
        codes = list(dict.fromkeys([self.source_code, *locations]))
        where = [("source_code", ",".join(codes), "in")] if locations else \
            [("source_code", self.source_code, "eq")]
        found: dict[str, CartItem] = {}
        levels: dict[str, dict[str, int]] = {}
        for row in self._pages("inventory/source-items", [where, *groups]):
            item = self._item(row)
            source = str(row.get("source_code", self.source_code))
            if source == self.source_code:
                found[item.sku] = item
            else:
                found.setdefault(item.sku, replace(item, qoh=None))
            if source in locations:
                levels.setdefault(item.sku, {})[source] = item.qoh or 0
        if locations:
            return {sku: replace(i, locations=levels.get(sku, {})) for sku, i in found.items()}
        return found

    def list_items(self, locations: Sequence[str] = ()) -> Iterator[CartItem]:
        if not locations:
            for row in self._pages("inventory/source-items", [[("source_code", self.source_code, "eq")]]):
                yield self._item(row)
            return
        yield from self._read([], locations).values()

    def get_items(self, skus: Sequence[str],
                  locations: Sequence[str] = ()) -> dict[str, CartItem]:
        out: dict[str, CartItem] = {}
        wanted = list(dict.fromkeys(skus))
        for start in range(0, len(wanted), 100):
            chunk = wanted[start:start + 100]
            found = self._read([[("sku", ",".join(chunk), "in")]], locations)
            out.update({sku: item for sku, item in found.items() if sku in chunk})
        return out

    def set_qoh(self, updates: Sequence[QohUpdate]) -> list[ItemResult]:
        if len(updates) > self.batch_limit:
            raise ValueError(f"at most {self.batch_limit} updates per request, got {len(updates)}")
        results: dict[int, ItemResult] = {}
        self._send(list(enumerate(updates)), results)
        return [replace(results[i], location=u.location) for i, u in enumerate(updates)]

    def _send(self, todo: list[tuple[int, QohUpdate]], results: dict[int, ItemResult]) -> None:
        if not todo:
            return
        body = {"sourceItems": [{"sku": u.sku, "source_code": u.location or self.source_code,
                                 "quantity": int(u.qoh), "status": 1 if u.qoh > 0 else 0}
                                for _i, u in todo]}
        seen: dict[str, Any] = {}
        try:
            resp = self._call("POST", "inventory/source-items", write=True, json=body, seen=seen)
        except PermanentError as e:
            if e.status != 400 or isinstance(e, AuthError):
                raise
            self._refused(todo, results, e, seen.get("body"))
            return
        data = self.http.json(resp, write=True)
        if data not in ([], True, None):
            raise AmbiguousError(f"{self.config.name}: source items saved with an unexpected answer",
                                 status=resp.status_code)
        for i, u in todo:
            results[i] = ItemResult(sku=u.sku, ok=True, qoh=int(u.qoh), item_id=u.sku)

    def _refused(self, todo: list[tuple[int, QohUpdate]], results: dict[int, ItemResult],
                 error: CartError, body: Any) -> None:
        """A 400 refused the whole batch (Magento saves all or nothing)."""
        named: dict[str, str] = {}
        if isinstance(body, dict):
            if str(body.get("message", "")).startswith("Maximum items of type"):
                raise error  # the store's input list limit is below our batch
            errors = body.get("errors")
            for e in errors if isinstance(errors, list) else []:
                params = e.get("parameters") if isinstance(e, dict) else None
                if isinstance(params, dict) and "sku" in params:
                    named[str(params["sku"])] = fill(e.get("message", ""), params)
        ours = [(i, u) for i, u in todo if u.sku in named]
        if ours:
            for i, u in ours:
                words = self.http.redact(f"{self.config.name}: HTTP 400: {named[u.sku]}")
                cls = UnknownItemError if "does not exist" in words else PermanentError
                results[i] = ItemResult(sku=u.sku, ok=False, item_id=u.sku,
                                        error=cls(words, status=400))
            self._send([(i, u) for i, u in todo if u.sku not in named], results)
            return
        if len(todo) == 1:
            i, u = todo[0]
            results[i] = ItemResult(sku=u.sku, ok=False, item_id=u.sku, error=error)
            return
        mid = len(todo) // 2
        self._send(todo[:mid], results)
        self._send(todo[mid:], results)

    def list_orders(self, since: str | None) -> list[CartOrder]:
        groups = []
        if since:
            when = datetime.fromisoformat(since.replace("Z", "+00:00"))
            when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
            groups.append([("created_at", when.strftime("%Y-%m-%d %H:%M:%S"), "gteq")])
        orders = []
        for row in self._pages("orders", groups, sort=("created_at", "ASC")):
            try:
                created = datetime.strptime(row["created_at"], "%Y-%m-%d %H:%M:%S")
                lines = tuple(
                    OrderLine(sku=str(i["sku"]), quantity=_quantity(i["qty_ordered"]),
                              name=str(i.get("name", "")))
                    for i in _stock_lines(row.get("items", [])))
                orders.append(CartOrder(order_id=str(row["entity_id"]),
                                        created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                        status=str(row.get("status", "")), lines=lines))
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
                raise BadResponseError(f"{self.config.name}: an order is not in the "
                                       "orders API's shape") from None
        orders.sort(key=lambda o: (o.created, int(o.order_id) if o.order_id.isdigit() else 0))
        return orders

    def close(self) -> None:
        self.http.close()
