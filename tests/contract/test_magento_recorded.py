"""Magento 2 (MSI, REST) as it really answers: answers from Adobe's REST documentation
and from Magento's own API tests, replayed through the connector; the same requests
sent to our emulator must get answers of the same shape (and, where Magento's tests
pin the words, the same words).

Sources (each recording names its own):
- ITEMS_DOC: github.com/AdobeDocs/commerce-webapi src/pages/rest/inventory/manage-source-items.md
- VALIDATION: github.com/magento/inventory InventoryApi/Test/Api/SourceItemsSave/ValidationTest.php
  (the REST bodies Magento's functional tests expect, status 400)
- ACL: github.com/magento/magento2 app/code/Magento/Webapi/Controller/Rest/RequestValidator.php
  (401 "The consumer isn't authorized to access %resources." with named parameters)
- ORDER_DOC: github.com/AdobeDocs/commerce-webapi src/pages/rest/tutorials/orders/order-create-order.md
  (an order with a simple, a downloadable and a bundle product)
- TOKEN_DOC: github.com/AdobeDocs/commerce-webapi
  src/pages/get-started/authentication/gs-authentication-token.md (integration tokens
  as bearer tokens are off by default)
- TFA: github.com/magento/security-package TwoFactorAuth/Model/AdminAccessTokenService.php
  and TwoFactorAuth/Test/Api/AdminIntegrationTokenTest.php (the admin token route on a
  store with two-factor authentication: 401, message, parameters.active_providers)
Magento has no request rate limit of its own to record (none in its REST framework).
"""

from __future__ import annotations

import pytest
import requests
from replay import Recording, ReplayCart, assert_covers

from seom_desktop.carts.base import AuthError, CartConfig, PermanentError, QohUpdate
from seom_desktop.carts.magento import MagentoConnector
from seom_desktop.emulators.magento import MagentoEmulator

ITEMS_DOC = "github.com/AdobeDocs/commerce-webapi src/pages/rest/inventory/manage-source-items.md"
VALIDATION = ("github.com/magento/inventory "
              "InventoryApi/Test/Api/SourceItemsSave/ValidationTest.php")
ACL = ("github.com/magento/magento2 "
       "app/code/Magento/Webapi/Controller/Rest/RequestValidator.php")
ORDER_DOC = ("github.com/AdobeDocs/commerce-webapi "
             "src/pages/rest/tutorials/orders/order-create-order.md")
SOURCE_ITEMS = r"/rest/default/V1/inventory/source-items"
TOKEN = "recorded-token"

# ITEMS_DOC "Search for source items": its answer to a sku filter holds the item's rows
# at sources central and east; asked for source central, Magento answers the central row.
SEARCH = {
    "items": [{"sku": "new_product2", "source_code": "central", "quantity": 500, "status": 1}],
    "search_criteria": {"filter_groups": [{"filters": [
        {"field": "sku", "value": "new_product2", "condition_type": "eq"}]}]},
    "total_count": 1,
}
SAVED: list = []  # ITEMS_DOC: "Commerce returns an empty array."
COULD_NOT_SAVE = {"message": "Could not save Source Item"}  # VALIDATION not_exists_source_code
INPUT_EMPTY = {"message": "Input data is empty"}  # VALIDATION testCreateWithEmptyData
EMPTY_SKU = {"message": "Validation Failed", "errors": [  # VALIDATION empty_sku
    {"message": '"%field" can not be empty.', "parameters": {"field": "sku"}}]}
UNKNOWN_STATUS = {"message": "Validation Failed", "errors": [  # VALIDATION unknown_status
    {"message": '"%field" should a known status.', "parameters": {"field": "status"}}]}
SPACED_SOURCE = {"message": "Validation Failed", "errors": [  # VALIDATION with_whitespaces
    {"message": '"%field" can not contain whitespaces.', "parameters": {"field": "source_code"}}]}
TOKEN_DOC = ("github.com/AdobeDocs/commerce-webapi "
             "src/pages/get-started/authentication/gs-authentication-token.md")
TFA = ("github.com/magento/security-package TwoFactorAuth/Model/AdminAccessTokenService.php, "
       "TwoFactorAuth/Test/Api/AdminIntegrationTokenTest.php")
NOT_AUTHORIZED = {"message": "The consumer isn't authorized to access %resources.",
                  "parameters": {"resources": "Magento_InventoryApi::source"}}  # ACL


def _line(item_id, sku, name, product_type, parent=None, **extra):
    """An item of ORDER_DOC's order, its prices and taxes left out."""
    line = {"item_id": item_id, "order_id": 3, "sku": sku, "name": name,
            "product_type": product_type, "qty_ordered": 1, "qty_shipped": 0,
            "created_at": "2017-08-21 22:22:19", **extra}
    if parent is not None:
        line["parent_item_id"] = parent
        line["parent_item"] = {"item_id": parent, "product_type": "bundle", "qty_ordered": 1,
                               "sku": "24-WG080-24-WG084-24-WG088-24-WG082-blue-24-WG086"}
    return line


ORDER_3 = {  # ORDER_DOC "Review the order as an admin", amounts and addresses left out
    "created_at": "2017-08-21 22:22:19", "customer_email": "jdoe@example.com",
    "entity_id": 3, "increment_id": "000000003", "state": "new", "status": "pending",
    "total_item_count": 7, "total_qty_ordered": 4, "updated_at": "2017-08-21 22:22:20",
    "items": [
        _line(3, "WS12-M-Orange", "Radiant Tee-M-Orange", "simple", product_id=1553),
        _line(4, "240-LV08", "Advanced Pilates & Yoga (Strength)", "downloadable", product_id=49),
        _line(5, "24-WG080-24-WG084-24-WG088-24-WG082-blue-24-WG086",
              "Sprite Yoga Companion Kit", "bundle", product_id=51),
        _line(6, "24-WG082-blue", "Sprite Stasis Ball 65 cm", "simple", parent=5, product_id=29),
        _line(7, "24-WG084", "Sprite Foam Yoga Brick", "simple", parent=5, product_id=21),
        _line(8, "24-WG086", "Sprite Yoga Strap 8 foot", "simple", parent=5, product_id=34),
    ],
}


def _config(url: str, **kw) -> CartConfig:
    base = dict(name="magento", kind="magento", url=url, token=TOKEN, location="central",
                read_timeout=5, connect_timeout=5)
    base.update(kw)
    return CartConfig(**base)


@pytest.fixture
def emu():
    e = MagentoEmulator(integration_token=TOKEN, sources=("default", "central", "east")).start()
    e.add_item("new_product2", 500, source_code="central")
    yield e
    e.stop()


def _post(emu, body) -> requests.Response:
    return requests.post(f"{emu.url}/rest/default/V1/inventory/source-items", json=body,
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)


def _row(sku="new_product2", source="central", quantity=7, status=1) -> dict:
    return {"sku": sku, "source_code": source, "quantity": quantity, "status": status}


# --- reading ---------------------------------------------------------------------------
def test_listing_and_lookup_read_the_source_items(emu):
    recs = [Recording("GET", SOURCE_ITEMS, SEARCH, ITEMS_DOC)] * 2
    with ReplayCart(recs) as cart:
        conn = MagentoConnector(_config(cart.url))
        listed = list(conn.list_items())
        found = conn.get_items(["new_product2", "no-such-sku"])
        conn.close()
        asked = cart.received[1]
    assert [(i.sku, i.qoh) for i in listed] == [("new_product2", 500)]
    assert {s: i.qoh for s, i in found.items()} == {"new_product2": 500}
    assert asked.arg("searchCriteria[filter_groups][0][filters][0][value]") == "central"
    assert asked.arg("searchCriteria[filter_groups][1][filters][0][value]") == "new_product2,no-such-sku"
    emulated = requests.get(f"{emu.url}{SOURCE_ITEMS}", params=asked.query,
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).json()
    assert_covers(SEARCH, emulated, ITEMS_DOC)
    assert [(r["sku"], r["quantity"]) for r in emulated["items"]] == [("new_product2", 500)]


def test_a_refused_token_is_an_auth_error(emu):
    with ReplayCart([Recording("GET", SOURCE_ITEMS, NOT_AUTHORIZED, ACL, status=401)]) as cart:
        conn = MagentoConnector(_config(cart.url))
        with pytest.raises(AuthError) as err:
            conn.test_connection()
        conn.close()
    assert err.value.status == 401
    assert "isn't authorized to access Magento_InventoryApi::source" in err.value.message
    # why a new user's token is refused (TOKEN_DOC): the store's setting is named
    assert "Allow OAuth Access Tokens to be used as standalone Bearer tokens" in err.value.message
    wrong = requests.get(f"{emu.url}{SOURCE_ITEMS}", timeout=5,
                         headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and wrong.json() == NOT_AUTHORIZED


def test_an_integration_token_is_no_bearer_token_on_a_default_store():
    """TOKEN_DOC: since 2.4.4 a store refuses an integration's access token as a bearer
    token unless told otherwise; such a token is then no token (401 as ACL says)."""
    e = MagentoEmulator(integration_token=TOKEN, integration_as_bearer=False).start()
    try:
        resp = requests.get(f"{e.url}{SOURCE_ITEMS}", timeout=5,
                            headers={"Authorization": f"Bearer {TOKEN}"})
        assert resp.status_code == 401 and resp.json() == NOT_AUTHORIZED
        conn = MagentoConnector(_config(e.url))
        with pytest.raises(AuthError) as err:
            conn.test_connection()
        conn.close()
        assert "standalone Bearer tokens" in err.value.message
    finally:
        e.stop()


def test_an_admin_login_on_a_two_factor_store_is_refused_with_magentos_words():
    """TFA: with Magento_TwoFactorAuth on (the 2.4 default) good admin credentials get
    no token from /V1/integration/admin/token."""
    recorded = {"message": "Please use the 2fa provider-specific endpoints to obtain a token.",
                "parameters": {"active_providers": ["google"]}}
    with ReplayCart([Recording("POST", r"/rest/V1/integration/admin/token", recorded, TFA,
                               status=401)]) as cart:
        conn = MagentoConnector(_config(cart.url, token="", key="admin", secret="admin-pass-1"))
        with pytest.raises(AuthError) as err:
            conn.test_connection()
        conn.close()
        assert [r.path for r in cart.received] == ["/rest/V1/integration/admin/token"]
    assert err.value.status == 401 and "2fa provider-specific endpoints" in err.value.message
    e = MagentoEmulator(admin_user="admin", admin_password="admin-pass-1",
                        two_factor_auth=True).start()
    try:
        resp = requests.post(f"{e.url}/rest/V1/integration/admin/token", timeout=5,
                             json={"username": "admin", "password": "admin-pass-1"})
        assert resp.status_code == 401 and resp.json() == recorded
    finally:
        e.stop()


# --- writing ---------------------------------------------------------------------------
def test_a_saved_batch_answers_an_empty_array(emu):
    with ReplayCart([Recording("POST", SOURCE_ITEMS, SAVED, ITEMS_DOC)]) as cart:
        conn = MagentoConnector(_config(cart.url))
        results = conn.set_qoh([QohUpdate("new_product2", 7), QohUpdate("new_product1", 0)])
        conn.close()
        sent = cart.received[0].json()
    assert [(r.sku, r.ok, r.qoh) for r in results] == [("new_product2", True, 7),
                                                       ("new_product1", True, 0)]
    assert sent == {"sourceItems": [_row(quantity=7), _row("new_product1", quantity=0, status=0)]}
    emu.add_item("new_product1", 3, source_code="central")
    resp = _post(emu, sent)
    assert resp.status_code == 200 and resp.json() == SAVED


def test_an_unknown_source_fails_every_item_with_magentos_words(emu):
    """Magento saves a batch whole; "Could not save Source Item" names no item, so the
    connector narrows it down to single items, each refused with Magento's words."""
    recs = [Recording("POST", SOURCE_ITEMS, COULD_NOT_SAVE, VALIDATION, status=400)] * 3
    with ReplayCart(recs) as cart:
        conn = MagentoConnector(_config(cart.url, location="not-existed-source-code"))
        results = conn.set_qoh([QohUpdate("new_product2", 1), QohUpdate("new_product1", 2)])
        conn.close()
        assert len(cart.received) == 3 and cart.unanswered == []
    assert [r.ok for r in results] == [False, False]
    assert all(r.error.status == 400 and "Could not save Source Item" in r.error.message
               for r in results)
    resp = _post(emu, {"sourceItems": [_row(source="not-existed-source-code")]})
    assert resp.status_code == 400 and resp.json() == COULD_NOT_SAVE


@pytest.mark.parametrize("body,recorded", [
    ({"sourceItems": []}, INPUT_EMPTY),
    ({"sourceItems": [_row(sku="")]}, EMPTY_SKU),
    ({"sourceItems": [_row(status=999999)]}, UNKNOWN_STATUS),
    ({"sourceItems": [_row(source="source code")]}, SPACED_SOURCE),
])
def test_emulated_refusals_say_what_magentos_tests_expect(emu, body, recorded):
    resp = _post(emu, body)
    assert resp.status_code == 400
    assert resp.json() == recorded, VALIDATION


# --- orders ----------------------------------------------------------------------------
def test_order_import_takes_the_parts_of_a_bundle_not_the_bundle(emu):
    """ORDER_DOC's order holds a bundle (item 5, a SKU made of its parts') whose parts
    are items 6-8 (parent_item_id 5): stock is the parts'. The connector read the
    bundle's made-up SKU as a line (an unknown SKU) and dropped its parts."""
    listing = {"items": [ORDER_3], "search_criteria": {"filter_groups": []}, "total_count": 1}
    with ReplayCart([Recording("GET", r"/rest/default/V1/orders", listing, ORDER_DOC)]) as cart:
        conn = MagentoConnector(_config(cart.url))
        orders = conn.list_orders("2017-08-21T00:00:00Z")
        conn.close()
        asked = cart.received[0]
    assert asked.arg("searchCriteria[filter_groups][0][filters][0][value]") == "2017-08-21 00:00:00"
    assert [(o.order_id, o.created, o.status) for o in orders] == [
        ("3", "2017-08-21T22:22:19Z", "pending")]
    assert [(ln.sku, ln.quantity) for ln in orders[0].lines] == [
        ("WS12-M-Orange", 1), ("240-LV08", 1), ("24-WG082-blue", 1), ("24-WG084", 1),
        ("24-WG086", 1)]

    emu.add_item("WS12-M-Orange", 5)
    emu.place_order([("WS12-M-Orange", 1)])
    emulated = requests.get(f"{emu.url}/rest/default/V1/orders", params=asked.query,
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).json()
    read = {"entity_id", "increment_id", "created_at", "status", "state", "items"}
    item_keys = {"item_id", "order_id", "sku", "name", "product_type", "qty_ordered"}
    projected = {k: v for k, v in ORDER_3.items() if k in read}
    projected["items"] = [{k: v for k, v in i.items() if k in item_keys} for i in ORDER_3["items"]]
    assert_covers({"items": [projected], "total_count": 1}, emulated, ORDER_DOC)


TOO_MANY = {  # a live store's answer, github.com/magento/magento2/issues/34154 (2.4.3)
    "message": 'Maximum items of type "%type" is %max',
    "parameters": {"type": "\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface", "max": 20},
}


def test_a_batch_over_the_stores_input_list_limit_is_refused_whole(emu):
    """magento2#34154 and magento/inventory#3334 show live 2.4.3+ stores answering this
    to more than 20 source items: the connector says the store's words, placeholders
    filled, and does not narrow the batch down item by item."""
    with ReplayCart([Recording("POST", SOURCE_ITEMS, TOO_MANY,
                               "github.com/magento/magento2/issues/34154", status=400)]) as cart:
        conn = MagentoConnector(_config(cart.url))
        with pytest.raises(PermanentError) as err:
            conn.set_qoh([QohUpdate(f"S{n}", n) for n in range(20)])
        conn.close()
        assert len(cart.received) == 1
    assert err.value.status == 400
    assert ('Maximum items of type "\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface" '
            "is 20") in err.value.message
    resp = _post(emu, {"sourceItems": [_row(sku=f"S{n}") for n in range(21)]})
    assert resp.status_code == 400 and resp.json() == TOO_MANY
