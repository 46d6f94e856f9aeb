"""Miva's answers as its own source prints them, replayed through the connector (what it
concludes), and the same requests sent to our emulator (it must answer in the same shape).

No capture of a live Miva store was found in public; these answers are written out
field by field from the code that prints them, in Miva's Limited Source Kit
(github.com/mivaecommerce/miva-merchant-lsk, tag 10.13.04), each naming its function,
with the values of an example store. The on-demand column `product_inventory` is also
documented at docs.miva.com/json-api/functions/productlist_load_query ("Includes 2 new
fields for inventory counts as well as if inventory is active").
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from replay import Recording, ReplayCart, assert_covers

from seom_desktop.carts.base import AuthError, CartConfig, PermanentError, QohUpdate
from seom_desktop.carts.miva import MivaConnector
from seom_desktop.emulators.miva import MivaEmulator

LSK = "github.com/mivaecommerce/miva-merchant-lsk@10.13.04"
PATH = r"/mm5/json\.mvc"
TOKEN = "miva-contract-token"


def _product(pid: int, code: str, sku: str, name: str, active: bool, count: int) -> dict:
    """JSON_Product_OnDemandColumns with the on-demand column product_inventory."""
    return {"id": pid, "disp_order": pid, "code": code, "sku": sku, "name": name,
            "thumbnail": "", "image": "graphics/00000001/mug.jpg", "price": 12.5,
            "formatted_price": "$12.50", "cost": 4.0, "formatted_cost": "$4.00",
            "page_code": "", "page_id": 0,
            "product_inventory_active": active, "product_inventory": count,
            "weight": 1.0, "taxable": True, "active": True, "page_title": "",
            "dt_created": 1733300000, "dt_updated": 1733300000}


PRODUCTS = Recording(
    "POST", PATH, body_has='"ProductList_Load_Query"',
    source=f"{LSK} json/products.mv JSON_ProductList_Load_Query, JSON_Product_OnDemandColumns; "
           "mmlsk-json.mv JSON_Response_Start (an untracked product: the LEFT JOIN of "
           "InventoryProductSettings/Counts prints active false and 0)",
    body={"success": 1, "data": {"total_count": 3, "start_offset": 0, "data": [
        _product(1, "MUG", "0001-MUG", "Mug", True, 12),
        _product(2, "GIFT", "", "Gift card", False, 0),
        _product(3, "PLATE", "", "Plate", True, 0)]}})

UPDATES = Recording(
    "POST", PATH, body_has='"Product_Update"',
    source=f"{LSK} mmlsk-json.mv JSON_API_Operation (Iterations: a list, one result each); "
           "json/products.mv JSON_Product_Update (JSON_Response_Success; JSON_Product_Load: "
           "MER-JSN-PRD-00014 'Product not found')",
    body=[{"success": 1}, {"success": 0, "error_code": "MER-JSN-PRD-00014",
                           "error_message": "Product not found"}])


def _order_item(order_id: int, n: int, product_id: int, code: str, sku: str, qty: int) -> dict:
    """JSON_OrderItem_OnDemandColumns (an item with no return, shipment or discount)."""
    return {"order_id": order_id, "line_id": 200 + n, "group_id": 200 + n, "status": 0,
            "subscrp_id": 0, "subterm_id": 0, "shpmnt_id": 0, "rma_id": 0,
            "product_id": product_id, "dt_instock": 0, "code": code, "name": code.title(),
            "sku": sku, "retail": 12.5, "base_price": 12.5, "price": 12.5, "weight": 1.0,
            "taxable": True, "tax": 0.0, "formatted_tax": "$0.00", "upsold": False,
            "quantity": qty}


ORDERS = Recording(
    "POST", PATH, body_has='"OrderList_Load_Query"',
    source=f"{LSK} json/orders.mv JSON_Order_OnDemandColumns (fields every list prints) "
           "and JSON_OrderItem_OnDemandColumns (on-demand column items)",
    body={"success": 1, "data": {"total_count": 1, "start_offset": 0, "data": [{
        "id": 1001, "pay_id": 0, "batch_id": 0, "status": 0, "pay_status": 0, "stk_status": 0,
        "dt_instock": 0, "orderdate": 1733300400, "cust_id": 0, "ship_res": False,
        "ship_fname": "Ann", "ship_lname": "Lee", "ship_email": "ann@example.com",
        "ship_id": 0, "ship_data": "", "source": "", "source_id": 0, "total": 37.5,
        "formatted_total": "$37.50", "pend_count": 0, "bord_count": 0, "note_count": 0,
        "dt_updated": 1733300400,
        "items": [_order_item(1001, 1, 1, "MUG", "0001-MUG", 2),
                  _order_item(1001, 2, 3, "PLATE", "", 1)]}]}})

DENIED = [Recording(
    "POST", PATH,
    source=f"{LSK} mmlsk-json.mv JSON_API (token-based authentication: {why}) and "
           "JSON_Response_Error: HTTP 200",
    body={"success": 0, "error_code": "access_denied", "error_message": words})
    for why, words in (("signature check", "Invalid request signature"),
                       ("token enabled check", "Token is disabled"))]


def _connector(url: str) -> MivaConnector:
    return MivaConnector(CartConfig(name="Miva", kind="miva", url=url, token=TOKEN,
                                    location="PS", read_timeout=5, connect_timeout=5))


def _bodies(cart: ReplayCart) -> list[dict]:
    return [json.loads(r.body) for r in cart.received]


# --- replayed through the connector ------------------------------------------------------


def test_catalog_read_as_miva_prints_it():
    with ReplayCart([PRODUCTS]) as cart:
        conn = _connector(cart.url)
        items = {i.sku: i for i in conn.list_items()}
        conn.close()
    assert cart.unanswered == []
    [asked] = _bodies(cart)
    assert {"name": "ondemandcolumns", "value": ["product_inventory"]} in asked["Filter"]
    assert (items["MUG"].qoh, items["MUG"].tracked, items["MUG"].item_id) == (12, True, "1")
    assert (items["GIFT"].qoh, items["GIFT"].tracked) == (None, False)
    assert (items["PLATE"].qoh, items["PLATE"].tracked) == (0, True)


def test_send_writes_tracked_products_only():
    with ReplayCart([PRODUCTS, UPDATES]) as cart:
        conn = _connector(cart.url)
        res = {r.sku: r for r in conn.set_qoh([QohUpdate("MUG", 5), QohUpdate("GIFT", 5),
                                               QohUpdate("PLATE", 2)])}
        conn.close()
    read, write = _bodies(cart)
    assert read["Function"] == "ProductList_Load_Query"
    assert write["Iterations"] == [{"Product_Code": "MUG", "Product_Inventory": 5},
                                   {"Product_Code": "PLATE", "Product_Inventory": 2}]
    assert res["MUG"].ok and res["MUG"].qoh == 5
    assert isinstance(res["GIFT"].error, PermanentError) and res["GIFT"].error.code == "UNTRACKED"
    assert not res["PLATE"].ok and res["PLATE"].error.code == "MER-JSN-PRD-00014"


def test_order_lines_are_read_by_product_code():
    with ReplayCart([ORDERS]) as cart:
        conn = _connector(cart.url)
        [order] = conn.list_orders("2024-12-04T00:00:00Z")
        conn.close()
    [asked] = _bodies(cart)
    assert {"name": "ondemandcolumns", "value": ["items"]} in asked["Filter"]
    assert order.order_id == "1001" and order.created == "2024-12-04T08:20:00Z"
    assert [(ln.sku, ln.quantity) for ln in order.lines] == [("MUG", 2), ("PLATE", 1)]


@pytest.mark.parametrize("recording", DENIED, ids=["signature", "disabled"])
def test_access_denied_is_an_auth_error(recording):
    with ReplayCart([recording]) as cart:
        conn = _connector(cart.url)
        with pytest.raises(AuthError) as e:
            conn.test_connection()
        conn.close()
    assert recording.body["error_message"] in str(e.value) and e.value.code == "access_denied"


# --- the same requests to the emulator: answers of the same shape -------------------------


@pytest.fixture(name="emu")
def emu_fixture():
    e = MivaEmulator(token=TOKEN, store_code="PS").start()
    e.add_item("MUG", 12, name="Mug", product_sku="0001-MUG")
    e.add_item("GIFT", None, name="Gift card", tracked=False)
    e.add_item("PLATE", 1, name="Plate")
    yield e
    e.stop()


def _ask(emu, body: dict, token: str = TOKEN) -> requests.Response:
    data = json.dumps({"Store_Code": "PS", "Miva_Request_Timestamp": int(time.time()), **body})
    return requests.post(f"{emu.url}/mm5/json.mvc", data=data, timeout=5,
                         headers={"Content-Type": "application/json",
                                  "X-Miva-API-Authorization": f"MIVA {token}"})


def test_emulator_lists_products_in_the_recorded_shape(emu):
    resp = _ask(emu, {"Function": "ProductList_Load_Query", "Count": 100, "Offset": 0,
                      "Filter": [{"name": "ondemandcolumns", "value": ["product_inventory"]}]})
    assert resp.status_code == 200
    assert_covers(PRODUCTS.body, resp.json(), PRODUCTS.source)
    rows = {r["code"]: r for r in resp.json()["data"]["data"]}
    assert (rows["GIFT"]["product_inventory_active"], rows["GIFT"]["product_inventory"]) == (False, 0)


def test_emulator_answers_updates_in_the_recorded_shape(emu):
    resp = _ask(emu, {"Function": "Product_Update",
                      "Iterations": [{"Product_Code": "MUG", "Product_Inventory": 5},
                                     {"Product_Code": "GONE", "Product_Inventory": 2}]})
    assert_covers(UPDATES.body, resp.json(), UPDATES.source)
    assert resp.json() == UPDATES.body


def test_emulator_lists_orders_in_the_recorded_shape(emu):
    emu.place_order([("MUG", 2), ("PLATE", 1)])
    resp = _ask(emu, {"Function": "OrderList_Load_Query", "Count": 100,
                      "Filter": [{"name": "ondemandcolumns", "value": ["items"]}]})
    assert_covers(ORDERS.body, resp.json(), ORDERS.source)
    items = resp.json()["data"]["data"][0]["items"]
    assert [(i["code"], i["sku"]) for i in items] == [("MUG", "0001-MUG"), ("PLATE", "")]


@pytest.mark.parametrize("recording", DENIED, ids=["signature", "disabled"])
def test_emulator_refuses_in_the_recorded_shape(recording):
    disabled = recording.body["error_message"] == "Token is disabled"
    with MivaEmulator(token=TOKEN, store_code="PS", signing_key="c2lnbmluZy1rZXk=",
                      token_enabled=not disabled) as emu:
        body = json.dumps({"Store_Code": "PS", "Function": "ProductList_Load_Query",
                           "Miva_Request_Timestamp": int(time.time())})
        resp = requests.post(f"{emu.url}/mm5/json.mvc", data=body, timeout=5, headers={
            "Content-Type": "application/json",
            "X-Miva-API-Authorization": f"MIVA-HMAC-SHA256 {TOKEN}:c2lnbmF0dXJl"})
    assert resp.status_code == 200
    assert_covers(recording.body, resp.json(), recording.source)
    assert resp.json() == recording.body
