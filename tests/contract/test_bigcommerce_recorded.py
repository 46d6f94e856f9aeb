"""BigCommerce as it really answers: answers published by BigCommerce (its API reference
and guides) replayed through the connector, and the same requests sent to our emulator,
whose answers must have the recordings' shape.

Sources (each recording names its own):
- GUIDE: github.com/bigcommerce/dev-docs docs/api-docs/bopis/end-to-end-api-guide.md
  (§2.4.1 absolute adjustment answer, §2.6 "Get inventory at a location" answer).
- SPEC: github.com/bigcommerce/docs reference/inventory.v3.yml (the 422 "tracked by
  product" example, the `Meta` pagination example, the `ErrorResponse` schema).
- LIMITS: github.com/bigcommerce/dev-docs docs/api-docs/getting-started/best-practices.md
  ("Example of 429 status code", and the X-Rate-Limit-* headers every answer carries).
- ORDERS: BigCommerce's v2 API reference "GET orders.json" example (order 100, dates
  "Wed, 14 Nov 2012 19:26:23 +0000"), the same date form as a live store's answer
  dumped in gist.github.com/projoomexperts/64b26d279d46e5cd8117ec65dfbd74a4.
"""

from __future__ import annotations

import copy

import pytest
import requests
from replay import Recording, ReplayCart, assert_covers

from seom_desktop.carts.base import (
    AuthError,
    BadResponseError,
    CartConfig,
    PermanentError,
    QohUpdate,
    RateLimitedError,
)
from seom_desktop.carts.bigcommerce import BigCommerceConnector
from seom_desktop.emulators.bigcommerce import BigCommerceEmulator

GUIDE = "github.com/bigcommerce/dev-docs docs/api-docs/bopis/end-to-end-api-guide.md"
SPEC = "github.com/bigcommerce/docs reference/inventory.v3.yml"
LIMITS = "github.com/bigcommerce/dev-docs docs/api-docs/getting-started/best-practices.md"
ORDERS = ("BigCommerce v2 API reference, GET orders.json example; live date form: "
          "gist.github.com/projoomexperts/64b26d279d46e5cd8117ec65dfbd74a4")
HASH = "abc123"
ITEMS = rf"/stores/{HASH}/v3/inventory/locations/1/items"
ABSOLUTE = rf"/stores/{HASH}/v3/inventory/adjustments/absolute"

# GUIDE §2.6, verbatim except the third row's "available_to_sell": , (not JSON in the
# guide) given 5, its total_inventory_onhand less its safety stock of 0.
LOCATION_ITEMS = {
    "data": [
        {"identity": {"sku": "SM13", "variant_id": 74, "product_id": 111},
         "available_to_sell": 8, "total_inventory_onhand": 10,
         "settings": {"safety_stock": 2, "is_in_stock": True, "warning_level": 5}},
        {"identity": {"sku": "SM14-SM", "variant_id": 78, "product_id": 112},
         "available_to_sell": 5, "total_inventory_onhand": 5,
         "settings": {"safety_stock": 0, "is_in_stock": True, "warning_level": 0}},
        {"identity": {"sku": "SM14-ME", "variant_id": 79, "product_id": 112},
         "available_to_sell": 5, "total_inventory_onhand": 5,
         "settings": {"safety_stock": 0, "is_in_stock": True, "warning_level": 0}},
    ],
    "meta": {},
}


def _paged(rows: list, page: int, pages: int, per_page: int, total: int = 3) -> dict:
    """GUIDE's rows under SPEC's `Meta` (its pagination example's keys and link form)."""
    links = {"current": f"?limit={per_page}&page={page}"}
    if page > 1:
        links["previous"] = f"?limit={per_page}&page={page - 1}"
    if page < pages:
        links["next"] = f"?limit={per_page}&page={page + 1}"
    return {"data": rows, "meta": {"pagination": {
        "total": total, "count": len(rows), "per_page": per_page, "current_page": page,
        "total_pages": pages, "links": links}}}


ADJUSTED = {"transaction_id": "6e172496-b0bb-46d5-adf5-855ba901cae7"}  # GUIDE §2.4.1
TRACKED_BY_PRODUCT = {  # SPEC, PUT /inventory/adjustments/absolute, 422 example
    "status": 422,
    "title": "[Item with variant_id 106 is tracked by product, please update stock by product id]",
    "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
    "errors": {},
}
# SPEC's ErrorResponse schema; BigCommerce documents 401 ("credentials were invalid",
# api-status-codes.md) but publishes no 401 body: the body is that schema's.
UNAUTHORIZED = {"status": 401, "title": "Unauthorized",
                "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
                "errors": {}}
# ORDERS, the first order of the list (fields the connector and import read, and the
# rest as published).
ORDER_100 = {
    "id": 100, "customer_id": 10, "date_created": "Wed, 14 Nov 2012 19:26:23 +0000",
    "date_modified": "Wed, 14 Nov 2012 19:26:23 +0000", "date_shipped": "",
    "status_id": 11, "status": "Awaiting Fulfillment", "subtotal_ex_tax": "79.0000",
    "subtotal_inc_tax": "79.0000", "total_ex_tax": "79.0000", "total_inc_tax": "79.0000",
    "items_total": 1, "items_shipped": 0, "payment_method": "cash",
    "payment_provider_id": None, "payment_status": "", "currency_code": "USD",
    "is_deleted": False,
    "products": {"url": "https://store-bwvr466.mybigcommerce.com/api/v2/orders/100/products.json",
                 "resource": "/orders/100/products"},
    "shipping_addresses": {
        "url": "https://store-bwvr466.mybigcommerce.com/api/v2/orders/100/shippingaddresses.json",
        "resource": "/orders/100/shippingaddresses"},
}
# The products of an order: no verbatim example was found; these are the fields of
# the orderProduct schema of github.com/bigcommerce/docs reference/orders.v2.oas2.yml
# that the connector reads (id, order_id, product_id, variant_id, name, sku, quantity).
ORDER_100_PRODUCTS = [{"id": 1, "order_id": 100, "product_id": 111, "variant_id": 74,
                       "name": "Small mug", "sku": "SM13", "quantity": 1}]


def _config(url: str) -> CartConfig:
    return CartConfig(name="bc", kind="bigcommerce", url=f"{url}/stores/{HASH}",
                      token="recorded-token", read_timeout=5, connect_timeout=5)


@pytest.fixture
def emu():
    e = BigCommerceEmulator(store_hash=HASH, token="recorded-token").start()
    for row in LOCATION_ITEMS["data"]:
        e.add_item(row["identity"]["sku"], row["total_inventory_onhand"])
    yield e
    e.stop()


def _emulated(emu, method: str, path: str, **kw) -> requests.Response:
    headers = {"X-Auth-Token": "recorded-token", "Accept": "application/json"}
    return requests.request(method, f"{emu.url}/stores/{HASH}{path}", headers=headers,
                            timeout=5, **kw)


# --- listing --------------------------------------------------------------------------
def test_a_page_without_pagination_meta_is_read_as_the_whole_list(emu):
    """GUIDE §2.6 answers `"meta": {}`: the connector must not refuse it (it did: "not
    in the Inventory API's shape"); fewer rows than asked for is the last page."""
    with ReplayCart([Recording("GET", ITEMS, LOCATION_ITEMS, GUIDE)]) as cart:
        conn = BigCommerceConnector(_config(cart.url))
        items = list(conn.list_items())
        conn.close()
        assert cart.unanswered == []
    assert [(i.sku, i.qoh, i.item_id) for i in items] == [
        ("SM13", 10, "74"), ("SM14-SM", 5, "78"), ("SM14-ME", 5, "79")]
    emulated = _emulated(emu, "GET", "/v3/inventory/locations/1/items").json()
    assert_covers(LOCATION_ITEMS, emulated, GUIDE)


def test_paged_listing_follows_total_pages(emu):
    rows = LOCATION_ITEMS["data"]
    recs = [Recording("GET", ITEMS, _paged(rows[:2], 1, 2, 2), f"{GUIDE} + {SPEC} Meta",
                      query={"page": "1"}),
            Recording("GET", ITEMS, _paged(rows[2:], 2, 2, 2), f"{GUIDE} + {SPEC} Meta",
                      query={"page": "2"})]
    with ReplayCart(recs) as cart:
        conn = BigCommerceConnector(_config(cart.url))
        skus = [i.sku for i in conn.list_items()]
        conn.close()
        assert [r.arg("page") for r in cart.received] == ["1", "2"]
    assert skus == ["SM13", "SM14-SM", "SM14-ME"]
    emulated = _emulated(emu, "GET", "/v3/inventory/locations/1/items",
                         params={"limit": 2, "page": 1}).json()
    assert_covers(recs[0].body, emulated, SPEC)
    assert emulated["meta"]["pagination"]["total_pages"] == 2


def test_sku_lookup_names_only_what_the_cart_has(emu):
    rows = [LOCATION_ITEMS["data"][1]]
    rec = Recording("GET", ITEMS, _paged(rows, 1, 1, 250, total=1), f"{GUIDE} + {SPEC} Meta")
    with ReplayCart([rec]) as cart:
        conn = BigCommerceConnector(_config(cart.url))
        found = conn.get_items(["SM14-SM", "NO-SUCH-SKU"])
        conn.close()
        assert cart.received[0].arg("sku:in") == "SM14-SM,NO-SUCH-SKU"
    assert {s: i.qoh for s, i in found.items()} == {"SM14-SM": 5}
    emulated = _emulated(emu, "GET", "/v3/inventory/locations/1/items",
                         params={"sku:in": "SM14-SM,NO-SUCH-SKU"}).json()
    assert_covers(rec.body, emulated, SPEC)
    assert [r["identity"]["sku"] for r in emulated["data"]] == ["SM14-SM"]


# --- writing --------------------------------------------------------------------------
def test_a_batch_written_is_confirmed_by_its_transaction_id(emu):
    with ReplayCart([Recording("PUT", ABSOLUTE, ADJUSTED, GUIDE)]) as cart:
        conn = BigCommerceConnector(_config(cart.url))
        results = conn.set_qoh([QohUpdate("SM13", 7), QohUpdate("SM14-SM", 0)])
        conn.close()
        sent = cart.received[0].json()
    assert [(r.sku, r.ok, r.qoh) for r in results] == [("SM13", True, 7), ("SM14-SM", True, 0)]
    assert sent["items"] == [{"location_id": 1, "sku": "SM13", "quantity": 7},
                             {"location_id": 1, "sku": "SM14-SM", "quantity": 0}]
    emulated = _emulated(emu, "PUT", "/v3/inventory/adjustments/absolute", json=sent)
    assert emulated.status_code == 200
    assert_covers(ADJUSTED, emulated.json(), GUIDE)


def test_a_refusal_naming_someone_else_is_narrowed_to_the_refused_item():
    """SPEC's 422 names `variant_id 106`, none of the SKUs sent: BigCommerce refused the
    whole request, so the connector splits it and only the item refused alone fails."""
    refused = [Recording("PUT", ABSOLUTE, TRACKED_BY_PRODUCT, SPEC, status=422,
                         body_has='"SM14-SM"',
                         headers={"Content-Type": "application/problem+json"})] * 2
    recs = refused + [Recording("PUT", ABSOLUTE, ADJUSTED, GUIDE, body_has='"SM13"')]
    with ReplayCart(recs) as cart:
        conn = BigCommerceConnector(_config(cart.url))
        results = conn.set_qoh([QohUpdate("SM13", 3), QohUpdate("SM14-SM", 4)])
        conn.close()
        assert cart.unanswered == []
        assert len(cart.received) == 3
    ok, bad = results
    assert (ok.sku, ok.ok, ok.qoh) == ("SM13", True, 3)
    assert bad.sku == "SM14-SM" and not bad.ok
    assert isinstance(bad.error, PermanentError) and bad.error.status == 422
    assert "tracked by product" in bad.error.message


def test_emulated_refusal_has_the_documented_problem_shape(emu):
    emulated = _emulated(emu, "PUT", "/v3/inventory/adjustments/absolute", json={
        "items": [{"location_id": 1, "sku": "NO-SUCH-SKU", "quantity": 1}]})
    assert emulated.status_code == 422
    assert emulated.headers["Content-Type"].startswith("application/problem+json")
    assert_covers(TRACKED_BY_PRODUCT, emulated.json(), SPEC)


# --- refusals ---------------------------------------------------------------------------
def test_a_refused_token_is_an_auth_error(emu):
    rec = Recording("GET", ITEMS, UNAUTHORIZED, "api-status-codes.md 401; body: " + SPEC,
                    status=401)
    with ReplayCart([rec]) as cart:
        conn = BigCommerceConnector(_config(cart.url))
        with pytest.raises(AuthError) as err:
            conn.test_connection()
        conn.close()
    assert err.value.status == 401 and "Unauthorized" in err.value.message
    wrong = requests.get(f"{emu.url}/stores/{HASH}/v3/inventory/locations/1/items",
                         headers={"X-Auth-Token": "not-the-token"}, timeout=5)
    assert wrong.status_code == 401
    assert_covers(UNAUTHORIZED, wrong.json(), SPEC)


def test_429_waits_for_x_rate_limit_time_reset_ms(emu):
    """LIMITS: a 429 with only Date, Content-Type and X-Rate-Limit-Time-Reset-Ms: 15000
    (no body, no Retry-After): the wait is 15 s."""
    rec = Recording("GET", ITEMS, "", LIMITS, status=429,
                    headers={"Content-Type": "application/json",
                             "Date": "Mon, 03 Feb 2017 20:36:00 GMT",
                             "X-Rate-Limit-Time-Reset-Ms": "15000"})
    with ReplayCart([rec]) as cart:
        conn = BigCommerceConnector(_config(cart.url))
        with pytest.raises(RateLimitedError) as err:
            list(conn.list_items())
        conn.close()
    assert err.value.delay == 15.0
    emu.rate_quota = 1
    emu.rate_window_ms = 30_000
    assert _emulated(emu, "GET", "/v3/inventory/locations/1/items").status_code == 200
    limited = _emulated(emu, "GET", "/v3/inventory/locations/1/items")
    assert limited.status_code == 429
    # LIMITS: "Every API response's HTTP headers" carry the four X-Rate-Limit-* headers.
    for name in ("X-Rate-Limit-Requests-Left", "X-Rate-Limit-Requests-Quota",
                 "X-Rate-Limit-Time-Reset-Ms", "X-Rate-Limit-Time-Window-Ms"):
        assert int(limited.headers[name]) >= 0
    assert "Retry-After" not in limited.headers


# --- orders ----------------------------------------------------------------------------
def test_order_listing_for_import(emu):
    recs = [Recording("GET", rf"/stores/{HASH}/v2/orders", [ORDER_100], ORDERS,
                      query={"page": "1"}),
            Recording("GET", rf"/stores/{HASH}/v2/orders/100/products", ORDER_100_PRODUCTS,
                      "fields of orderProduct, github.com/bigcommerce/docs "
                      "reference/orders.v2.oas2.yml")]
    with ReplayCart(recs) as cart:
        conn = BigCommerceConnector(_config(cart.url))
        orders = conn.list_orders("2012-11-01T00:00:00Z")
        conn.close()
        asked = cart.received[0]
    assert asked.arg("min_date_created") == "Thu, 01 Nov 2012 00:00:00 +0000"
    assert asked.arg("sort") == "date_created:asc"
    assert [(o.order_id, o.created, o.status) for o in orders] == [
        ("100", "2012-11-14T19:26:23Z", "Awaiting Fulfillment")]
    assert [(ln.sku, ln.quantity) for ln in orders[0].lines] == [("SM13", 1)]

    emu.place_order([("SM13", 1)])
    listed = _emulated(emu, "GET", "/v2/orders", params={"page": 1, "limit": 250})
    read = {"id", "date_created", "status_id", "status", "items_total", "products"}
    assert_covers([{k: v for k, v in ORDER_100.items() if k in read}], listed.json(), ORDERS)
    oid = listed.json()[0]["id"]
    lines = _emulated(emu, "GET", f"/v2/orders/{oid}/products").json()
    assert_covers(copy.deepcopy(ORDER_100_PRODUCTS), lines, "orderProduct")
    past = _emulated(emu, "GET", "/v2/orders", params={"page": 2, "limit": 250})
    assert past.status_code == 204 and past.content == b""


@pytest.mark.parametrize("meta", [[], "none", None])
def test_a_meta_that_is_no_object_is_refused_as_not_the_inventory_shape(meta):
    body = {"data": LOCATION_ITEMS["data"], "meta": meta}
    with ReplayCart([Recording("GET", ITEMS, body, "made up: GUIDE's rows, meta broken")]) as cart:
        conn = BigCommerceConnector(_config(cart.url))
        with pytest.raises(BadResponseError, match="not in the Inventory API's shape"):
            list(conn.list_items())
        conn.close()
