"""django-oscar-api as it really answers, replayed through the connector.

The answers (recordings/oscar-api-3.3.0.json) were recorded from a real django-oscar
4.2.1 shop with django-oscar-api 3.3.0, the shop of tests/e2e/oscar_server.py, once, as
its admin (that shop is not started here). Their shapes are those of django-oscar-api's
serializers: github.com/django-oscar/django-oscar-api oscarapi/serializers/admin/product.py
(AdminProductSerializer: stock records nested in each product), oscarapi/settings.py
(the default ORDER_FIELDS and ORDERLINE_FIELDS: an order's `lines` is a URL, a line
names its stock record by URL and carries no SKU). There is no Oscar emulator
(seom_desktop/emulators/registry.py): the real shop is the tests' Oscar.
Oscar and Oscar API have no request rate limit of their own (DRF throttling is off
unless a shop turns it on), so there is no 429 to record.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from replay import Recording, ReplayCart

from seom_desktop.carts.base import AuthError, CartConfig, QohUpdate, UnknownItemError
from seom_desktop.carts.oscar import OscarConnector

FILE = Path(__file__).with_name("recordings") / "oscar-api-3.3.0.json"
RECORDED = json.loads(FILE.read_text())
SOURCE = f"tests/contract/recordings/{FILE.name}: " + RECORDED["_source"]


def rec(key: str, method: str, path: str, **kw) -> Recording:
    answer = RECORDED[key]
    return Recording(method, path, answer["body"], f"{SOURCE} [{key}]",
                     status=answer["status"], **kw)


def listing() -> list[Recording]:
    """The shop's catalogue: two pages of products (pages of 4, `next` followed) and
    its product classes (gift-cards does not track stock)."""
    return [rec("GET /api/admin/products/?page=2", "GET", "/api/admin/products/",
                query={"page": "2"}),
            rec("GET /api/admin/products/", "GET", "/api/admin/products/"),
            rec("GET /api/admin/productclasses/", "GET", "/api/admin/productclasses/")]


def _conn(url: str) -> OscarConnector:
    return OscarConnector(CartConfig(name="oscar", kind="oscar", url=url, key="seom-admin",
                                     secret="recorded-pass", read_timeout=5, connect_timeout=5))


def test_recordings_answered_the_requests_they_are_keyed_by():
    products = RECORDED["GET /api/admin/products/"]["body"]
    assert products["count"] == 5 and products["next"].endswith("/api/admin/products/?page=2")
    record = products["results"][0]["stockrecords"][0]
    assert set(record) >= {"url", "product", "partner_sku", "num_in_stock", "num_allocated",
                           "partner"}
    assert RECORDED["PATCH /api/admin/stockrecords/1/ {\"num_in_stock\": 9}"]["body"][
        "num_in_stock"] == 9


def test_listing_follows_next_and_tells_tracked_from_untracked():
    with ReplayCart(listing()) as cart:
        conn = _conn(cart.url)
        items = list(conn.list_items())
        conn.close()
        assert cart.unanswered == []
        assert [r.arg("page") for r in cart.received if r.path == "/api/admin/products/"] == [
            None, "2"]
    assert [(i.sku, i.qoh, i.tracked, i.item_id) for i in items] == [
        ("REC-E", 30, True, "5"),
        ("UPC-REC-D", 6, True, "4"),   # partner_sku "": the product's UPC
        ("REC-C", None, False, "3"),   # its class (gift-cards) has track_stock false
        ("REC-B", None, False, "2"),   # num_in_stock null
        ("REC-A", 12, True, "1"),
    ]


def test_a_known_sku_is_read_alone_and_an_unknown_one_by_listing():
    recs = listing() + [rec("GET /api/admin/stockrecords/1/", "GET", "/api/admin/stockrecords/1/")]
    with ReplayCart(recs + listing()) as cart:
        conn = _conn(cart.url)
        list(conn.list_items())
        seen = len(cart.received)
        known = conn.get_items(["REC-A"])
        assert [r.path for r in cart.received[seen:]] == ["/api/admin/stockrecords/1/"]
        unknown = conn.get_items(["NO-SUCH-SKU", "REC-E"])
        conn.close()
    assert {s: i.qoh for s, i in known.items()} == {"REC-A": 12}
    assert {s: i.qoh for s, i in unknown.items()} == {"REC-E": 30}


def test_a_write_reads_the_record_then_patches_num_in_stock():
    recs = [rec("GET /api/admin/stockrecords/1/", "GET", "/api/admin/stockrecords/1/"),
            rec('PATCH /api/admin/stockrecords/1/ {"num_in_stock": 9}', "PATCH",
                "/api/admin/stockrecords/1/", body_has='"num_in_stock": 9')]
    with ReplayCart(recs) as cart:
        conn = _conn(cart.url)
        [result] = conn.set_qoh([QohUpdate("REC-A", 9, item_id="1")])
        conn.close()
        assert cart.unanswered == []
        assert cart.received[-1].json() == {"num_in_stock": 9}
    assert (result.sku, result.ok, result.qoh, result.item_id) == ("REC-A", True, 9, "1")


def test_a_negative_quantity_is_never_sent():
    """Oscar refuses it (the recording: 400 {"num_in_stock": ["Ensure this value is
    greater than or equal to 0."]}); the connector says so itself and sends no PATCH."""
    refusal = RECORDED['PATCH /api/admin/stockrecords/1/ {"num_in_stock": -3}']
    assert refusal["status"] == 400 and "greater than or equal to 0" in refusal["body"][
        "num_in_stock"][0]
    with ReplayCart([rec("GET /api/admin/stockrecords/1/", "GET",
                         "/api/admin/stockrecords/1/")]) as cart:
        conn = _conn(cart.url)
        [result] = conn.set_qoh([QohUpdate("REC-A", -3, item_id="1")])
        conn.close()
        assert [r.method for r in cart.received] == ["GET"]
    assert not result.ok and "no negative stock" in result.error.message


def test_a_record_gone_before_the_patch_is_an_unknown_item():
    """DRF answers a missing object with 404 {"detail": "No StockRecord matches the given
    query."} whatever the method (the view's get_object): recorded for a GET."""
    recs = [rec("GET /api/admin/stockrecords/1/", "GET", "/api/admin/stockrecords/1/"),
            rec("GET /api/admin/stockrecords/99999/", "PATCH", "/api/admin/stockrecords/1/")]
    with ReplayCart(recs) as cart:
        conn = _conn(cart.url)
        [result] = conn.set_qoh([QohUpdate("REC-A", 5, item_id="1")])
        conn.close()
    assert not result.ok and isinstance(result.error, UnknownItemError)
    assert result.error.status == 404 and "No StockRecord matches" in result.error.message


@pytest.mark.parametrize("key,words", [
    ("GET /api/admin/products/ (wrong password)", "Invalid username/password."),
    ("GET /api/admin/products/ (no credentials)", "Authentication credentials were not provided."),
])
def test_a_refused_login_is_an_auth_error(key, words):
    """Oscar API answers a refused login 403, not 401 (recorded)."""
    with ReplayCart([rec(key, "GET", "/api/admin/products/")]) as cart:
        conn = _conn(cart.url)
        with pytest.raises(AuthError) as err:
            conn.test_connection()
        conn.close()
    assert err.value.status == 403 and words in err.value.message


def test_order_import_finds_the_sku_through_the_lines_stock_record():
    recs = [rec("GET /api/admin/orders/", "GET", "/api/admin/orders/"),
            rec("GET /api/admin/orders/1/lines/", "GET", "/api/admin/orders/1/lines/"),
            rec("GET /api/admin/stockrecords/1/ (after order 100001 of 2)", "GET",
                "/api/admin/stockrecords/1/")]
    with ReplayCart(recs, reuse=True) as cart:
        conn = _conn(cart.url)
        orders = conn.list_orders("2026-12-01T00:00:00Z")
        after = conn.get_items(["REC-A"])
        conn.close()
        assert cart.unanswered == []
    assert [(o.order_id, o.created, o.status) for o in orders] == [
        ("100001", "2026-12-04T05:26:42.297571Z", "new")]
    assert [(ln.sku, ln.quantity) for ln in orders[0].lines] == [("REC-A", 2)]
    # num_in_stock 9, num_allocated 2: a shopper can buy 7
    assert after["REC-A"].qoh == 7


def test_a_child_product_tracks_stock_as_its_parents_class_says():
    """Oscar API lists a child product with "product_class": null and its parent's id
    (recorded; so does django-oscar-api's own fixture oscarapi/tests/unit/testdata/
    child-product.json): a child has its parent's class (Oscar's
    Product.get_product_class), here gift-cards, which does not track stock. The
    connector took the null class for one that tracks and called the child tracked."""
    recs = [rec("GET /api/admin/products/ (a parent of class gift-cards and its child)", "GET",
                "/api/admin/products/"),
            rec("GET /api/admin/productclasses/ (with gift-cards)", "GET",
                "/api/admin/productclasses/"),
            rec("GET /api/admin/products/2/ (that parent)", "GET", "/api/admin/products/2/")]
    with ReplayCart(recs) as cart:
        conn = _conn(cart.url)
        items = list(conn.list_items())
        conn.close()
        assert cart.unanswered == []
    assert [(i.sku, i.qoh, i.tracked) for i in items] == [
        ("GIFT-10", None, False), ("REC-A", 12, True)]
