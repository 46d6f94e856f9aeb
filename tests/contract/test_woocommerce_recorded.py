"""WooCommerce answers recorded from the real API, replayed through the connector (what it
concludes from them), and the same requests sent to our emulator (an answer of the same
shape; where they disagree, the recording wins).

Sources, named on each recording:
- DOCS_PRODUCTS: woocommerce/woocommerce-rest-api-docs, source/includes/wp-api-v3/_products.md
  ("Create a product" answer, product 794), as WordPress's `_fields` reduces it.
- DOCS_ORDERS: woocommerce/woocommerce-rest-api-docs, source/includes/wp-api-v3/_orders.md
  ("List all orders" answer: orders 727 and 723), reduced by `_fields`; here in id order,
  as a listing asked with orderby=id&order=asc answers.
- SOURCE_*: error bodies built by WooCommerce's own code (woocommerce/woocommerce,
  plugins/woocommerce/includes/rest-api/Controllers/Version3/class-wc-rest-products-controller.php,
  class-wc-rest-crud-controller.php and includes/class-wc-rest-authentication.php), with the
  status and per-item placement a WooCommerce 10.0.2 store answered with.
- STORE_10_0_2: what a WooCommerce 10.0.2 store answered to `GET /products?sku=A,B` (a
  variation listed with type "variation" and its parent_id; a product that does not manage
  stock with stock_quantity null), field values otherwise those of DOCS_PRODUCTS.
"""

from __future__ import annotations

import copy

import pytest
import requests
from replay import Recording, ReplayCart, assert_covers

from seom_desktop.carts.base import (
    AuthError,
    CartConfig,
    PermanentError,
    QohUpdate,
    UnknownItemError,
)
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.carts.woocommerce_oauth import sign
from seom_desktop.carts.woocommerce_query import ITEM_FIELDS, ORDER_FIELDS
from seom_desktop.emulators.woocommerce import API, WooCommerceEmulator

DOCS_PRODUCTS = "woocommerce-rest-api-docs wp-api-v3/_products.md (product 794)"
DOCS_ORDERS = "woocommerce-rest-api-docs wp-api-v3/_orders.md (List all orders: 727, 723)"
SOURCE_PRODUCTS = ("woocommerce/woocommerce Version3/class-wc-rest-products-controller.php "
                   "and class-wc-rest-crud-controller.php; placement seen on WooCommerce 10.0.2")
SOURCE_AUTH = "woocommerce/woocommerce includes/class-wc-rest-authentication.php"
STORE_10_0_2 = "a WooCommerce 10.0.2 store (issue 16), values of the docs' product 794"
KEY, SECRET = "ck_recorded", "cs_recorded"

PRODUCT_794_WHOLE = {  # DOCS_PRODUCTS: the whole answer (a batch answers whole objects)
    "id": 794, "name": "Premium Quality", "slug": "premium-quality-19",
    "permalink": "https://example.com/product/premium-quality-19/",
    "date_created": "2017-03-23T17:01:14", "date_created_gmt": "2017-03-23T20:01:14",
    "date_modified": "2017-03-23T17:01:14", "date_modified_gmt": "2017-03-23T20:01:14",
    "type": "simple", "status": "publish", "featured": False, "catalog_visibility": "visible",
    "description": "<p>Pellentesque habitant morbi tristique senectus et netus et malesuada "
                   "fames ac turpis egestas.</p>\n",
    "short_description": "<p>Pellentesque habitant morbi tristique senectus et netus et "
                         "malesuada fames ac turpis egestas.</p>\n",
    "sku": "", "price": "21.99", "regular_price": "21.99", "sale_price": "",
    "date_on_sale_from": None, "date_on_sale_from_gmt": None, "date_on_sale_to": None,
    "date_on_sale_to_gmt": None,
    "price_html": "<span class=\"woocommerce-Price-amount amount\"><span class=\"woocommerce-"
                  "Price-currencySymbol\">&#36;</span>21.99</span>",
    "on_sale": False, "purchasable": True, "total_sales": 0, "virtual": False,
    "downloadable": False, "downloads": [], "download_limit": -1, "download_expiry": -1,
    "external_url": "", "button_text": "", "tax_status": "taxable", "tax_class": "",
    "manage_stock": False, "stock_quantity": None, "stock_status": "instock",
    "backorders": "no", "backorders_allowed": False, "backordered": False,
    "sold_individually": False, "weight": "",
    "dimensions": {"length": "", "width": "", "height": ""}, "shipping_required": True,
    "shipping_taxable": True, "shipping_class": "", "shipping_class_id": 0,
    "reviews_allowed": True, "average_rating": "0.00", "rating_count": 0,
    "related_ids": [53, 40, 56, 479, 99], "upsell_ids": [], "cross_sell_ids": [],
    "parent_id": 0, "purchase_note": "",
    "categories": [{"id": 9, "name": "Clothing", "slug": "clothing"},
                   {"id": 14, "name": "T-shirts", "slug": "t-shirts"}],
    "tags": [],
    "images": [{"id": 42, "date_created": "2017-03-22T14:01:13",
                "date_created_gmt": "2017-03-22T20:01:13",
                "date_modified": "2017-03-22T14:01:13",
                "date_modified_gmt": "2017-03-22T20:01:13",
                "src": "https://example.com/wp-content/uploads/2017/03/T_2_front-4.jpg",
                "name": "", "alt": ""}],
    "attributes": [], "default_attributes": [], "variations": [], "grouped_products": [],
    "menu_order": 0, "meta_data": [],
    "_links": {"self": [{"href": "https://example.com/wp-json/wc/v3/products/794"}],
               "collection": [{"href": "https://example.com/wp-json/wc/v3/products"}]}}
PRODUCT_794 = {  # the docs' answer, every field the connector asks for (_fields=ITEM_FIELDS)
    "id": 794, "name": "Premium Quality", "type": "simple", "sku": "", "manage_stock": False,
    "stock_quantity": None, "parent_id": 0}
SKU_ANSWER = [  # STORE_10_0_2: GET /products?sku=PQ-1,SHIP-BLACK-M
    {**PRODUCT_794, "sku": "PQ-1"},
    {"id": 23, "name": "Ship Your Idea - Black, M", "type": "variation", "sku": "SHIP-BLACK-M",
     "manage_stock": True, "stock_quantity": 6, "parent_id": 22}]
VARIATION_REFUSED = {"id": 23, "error": {  # SOURCE_PRODUCTS: get_object on a variation
    "code": "woocommerce_rest_invalid_product_id",
    "message": "To manipulate product variations you should use the "
               "/products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.",
    "data": {"status": 404}}}
UNKNOWN_REFUSED = {"id": 999, "error": {  # SOURCE_PRODUCTS: an id that is no product
    "code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.",
    "data": {"status": 400}}}
ORDER_LINE = {"id": 316, "name": "Ship Your Idea &ndash; Color: Black, Size: M Test",
              "product_id": 22, "variation_id": 23, "quantity": 1, "tax_class": "",
              "subtotal": "12.00", "subtotal_tax": "0.90", "total": "12.00", "total_tax": "0.90",
              "taxes": [{"id": 75, "total": "0.9", "subtotal": "0.9"}],
              "meta_data": [{"id": 2095, "key": "pa_color", "value": "black"}],
              "sku": "Bar3", "price": 12}
ORDERS = [  # DOCS_ORDERS, reduced by _fields=ORDER_FIELDS, in id order
    {"id": 723, "status": "completed", "date_created_gmt": "2017-03-21T19:16:00",
     "line_items": [{**ORDER_LINE, "id": 311, "name": "Woo Album #2", "product_id": 87,
                     "variation_id": 0, "sku": "", "taxes": [], "meta_data": [], "price": 9}]},
    {"id": 727, "status": "processing", "date_created_gmt": "2017-03-22T19:28:02",
     "line_items": [{**ORDER_LINE, "id": 315, "name": "Woo Single #1", "product_id": 93,
                     "variation_id": 0, "quantity": 2, "sku": "", "meta_data": [],
                     "price": 3}, ORDER_LINE]}]
CANNOT_VIEW = {"code": "woocommerce_rest_cannot_view",  # SOURCE_PRODUCTS, anonymous request
               "message": "Sorry, you cannot list resources.", "data": {"status": 401}}
BAD_SIGNATURE = {"code": "woocommerce_rest_authentication_error",  # SOURCE_AUTH
                 "message": "Invalid signature - provided signature does not match.",
                 "data": {"status": 401}}
LIST = API + "/products"


def connect(url: str) -> WooCommerceConnector:
    return WooCommerceConnector(CartConfig(name="woo", kind="woocommerce", url=url, key=KEY,
                                           secret=SECRET, connect_timeout=2.0, read_timeout=5.0))


@pytest.fixture
def emu():
    e = WooCommerceEmulator(key=KEY, secret=SECRET).start()
    yield e
    e.stop()


def emulated(emu, method: str, path: str, params=None, json=None) -> requests.Response:
    url = emu.url + path
    return requests.request(method, url, params=sign(method, url, params or {}, KEY, SECRET),
                            json=json, timeout=5)


def test_a_listing_of_the_docs_product_without_sku_gives_no_item(emu):
    rec = Recording("GET", LIST, [PRODUCT_794], DOCS_PRODUCTS, query={"orderby": "id"},
                    headers={"X-WP-Total": "1", "X-WP-TotalPages": "1"})
    with ReplayCart([rec]) as cart:
        conn = connect(cart.url)
        assert list(conn.list_items()) == []  # (an item without a SKU is left out)
        conn.close()
        assert cart.unanswered == []
        assert cart.received[0].arg("_fields") == ITEM_FIELDS
    emu.add_item("", None, name="Premium Quality", tracked=False)
    mine = emulated(emu, "GET", LIST, {"orderby": "id", "order": "asc", "_fields": ITEM_FIELDS})
    assert_covers(rec.body, mine.json(), rec.source)


def test_sku_look_up_gives_the_variation_and_the_untracked_product(emu):
    rec = Recording("GET", LIST, SKU_ANSWER, STORE_10_0_2,
                    headers={"X-WP-Total": "2", "X-WP-TotalPages": "1"})
    with ReplayCart([rec]) as cart:
        conn = connect(cart.url)
        found = conn.get_items(["PQ-1", "SHIP-BLACK-M"])
        conn.close()
        assert cart.received[0].arg("sku") == "PQ-1,SHIP-BLACK-M"
    assert (found["SHIP-BLACK-M"].item_id, found["SHIP-BLACK-M"].qoh) == ("22/23", 6)
    assert found["PQ-1"].tracked is False and found["PQ-1"].qoh is None
    emu.add_item("PQ-1", None, tracked=False)
    parent = emu.add_item("SHIP", None, type="variable", tracked=False)
    emu.add_item("SHIP-BLACK-M", 6, parent=parent)
    mine = emulated(emu, "GET", LIST, {"sku": "PQ-1,SHIP-BLACK-M", "_fields": ITEM_FIELDS})
    assert_covers(rec.body, mine.json(), rec.source)
    assert {p["type"] for p in mine.json()} == {"simple", "variation"}


def test_batch_refusals_inside_a_200_are_unknown_items_and_untracked_is_reported(emu):
    untracked = copy.deepcopy(PRODUCT_794_WHOLE)
    rec = Recording("POST", LIST + "/batch",
                    {"update": [VARIATION_REFUSED, UNKNOWN_REFUSED, untracked]},
                    SOURCE_PRODUCTS)
    with ReplayCart([rec]) as cart:
        conn = connect(cart.url)
        results = conn.set_qoh([QohUpdate("SHIP-BLACK-M", 4, item_id="23"),
                                QohUpdate("GONE", 4, item_id="999"),
                                QohUpdate("PQ-1", 4, item_id="794")])
        conn.close()
    assert [r.ok for r in results] == [False, False, False]
    assert isinstance(results[0].error, UnknownItemError)
    assert "variations" in str(results[0].error) and "&lt;" not in str(results[0].error)
    assert isinstance(results[1].error, UnknownItemError) and "Invalid ID." in str(results[1].error)
    assert isinstance(results[2].error, PermanentError)
    assert "does not track stock" in str(results[2].error)
    pid = emu.add_item("P", 3, type="variable")
    vid = emu.add_item("V", 1, parent=pid).split("/")[1]
    off = emu.add_item("PQ-1", None, tracked=False)
    mine = emulated(emu, "POST", LIST + "/batch", json={"update": [
        {"id": int(vid), "stock_quantity": 4}, {"id": 999, "stock_quantity": 4},
        {"id": int(off), "stock_quantity": 4}]})
    assert mine.status_code == 200
    assert_covers(rec.body, mine.json(), rec.source)
    assert [r.get("error", {}).get("data") for r in mine.json()["update"]] == [
        {"status": 404}, {"status": 400}, None]
    assert mine.json()["update"][0]["error"] == VARIATION_REFUSED["error"]
    assert mine.json()["update"][1]["error"] == UNKNOWN_REFUSED["error"]


def test_the_docs_orders_are_imported_by_id_with_their_lines(emu):
    rec = Recording("GET", API + "/orders", ORDERS, DOCS_ORDERS,
                    query={"orderby": "id", "order": "asc"},
                    headers={"X-WP-Total": "2", "X-WP-TotalPages": "1"})
    with ReplayCart([rec]) as cart:
        conn = connect(cart.url)
        orders = conn.list_orders(None)
        conn.close()
        assert cart.received[0].arg("_fields") == ORDER_FIELDS
    assert [(o.order_id, o.status, o.created) for o in orders] == [
        ("723", "completed", "2017-03-21T19:16:00Z"), ("727", "processing", "2017-03-22T19:28:02Z")]
    assert [(ln.sku, ln.quantity) for ln in orders[1].lines] == [("", 2), ("Bar3", 1)]
    emu.add_item("Bar3", 5)
    emu.place_order([("Bar3", 1)])
    mine = emulated(emu, "GET", API + "/orders",
                    {"orderby": "id", "order": "asc", "_fields": ORDER_FIELDS})
    assert_covers(rec.body, mine.json(), rec.source)


@pytest.mark.parametrize("body, words", [
    (CANNOT_VIEW, "Sorry, you cannot list resources."),
    (BAD_SIGNATURE, "home URL"),
])
def test_refusals_are_auth_errors_in_the_carts_words(emu, body, words):
    rec = Recording("GET", LIST, body, SOURCE_AUTH, status=401)
    with ReplayCart([rec]) as cart:
        conn = connect(cart.url)
        with pytest.raises(AuthError) as caught:
            conn.test_connection()
        conn.close()
    assert words in str(caught.value) and body["code"] in str(caught.value)
    if body is CANNOT_VIEW:  # the emulator's answer to Basic credentials over plain http
        mine = requests.get(emu.url + LIST, auth=(KEY, SECRET), timeout=5)
    else:  # ... and to a signature made with another secret
        mine = requests.get(emu.url + LIST, timeout=5,
                            params=sign("GET", emu.url + LIST, {}, KEY, "cs_other"))
    assert mine.status_code == 401 and mine.json() == body
