"""MivaConnector against MivaEmulator over real loopback sockets.

What the emulator answers comes from Miva's own source (github.com/mivaecommerce/
miva-merchant-lsk, tag 10.13.04): mmlsk-json.mv (JSON_API: authentication, Operations,
Iterations), json/products.mv (ProductList_Load_Query, Product_Update,
ProductList_Adjust_Inventory) and json/orders.mv (OrderList_Load_Query items)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from seom_desktop.carts.base import (
    ABSOLUTE,
    AmbiguousError,
    AuthError,
    BadResponseError,
    CartConfig,
    Connector,
    PermanentError,
    QohUpdate,
    RateLimitedError,
    RetryableError,
    UnknownItemError,
)
from seom_desktop.carts.miva import MivaConnector
from seom_desktop.carts.registry import connector_class
from seom_desktop.emulators.miva import MivaEmulator
from seom_desktop.emulators.registry import emulator_class

TOKEN = "miva-SECRET-access-token-42"
KEY = base64.b64encode(b"miva-signing-key-SECRET-bytes").decode()


@pytest.fixture(params=["plain", "hmac"])
def emu(request):
    e = MivaEmulator(token=TOKEN, store_code="PS",
                     signing_key=KEY if request.param == "hmac" else "", seed=1).start()
    e.faults.hang_seconds = 1.0
    yield e
    e.stop()


def config(emu, **kw) -> CartConfig:
    base = dict(name="Miva", kind="miva", url=emu.url, token=TOKEN, location="PS",
                secret=emu.signing_key, read_timeout=0.5, connect_timeout=0.5)
    base.update(kw)
    return CartConfig(**base)


@pytest.fixture
def conn(emu):
    c = MivaConnector(config(emu))
    yield c
    c.close()


def test_registries_and_protocol(conn):
    assert connector_class("miva") is MivaConnector
    assert emulator_class("miva") is MivaEmulator
    assert isinstance(conn, Connector)
    assert conn.write_mode == ABSOLUTE and MivaConnector.holds_stock_in_baskets is True
    assert "'PS'" in conn.test_connection()


def test_list_items_pages_through_more_than_three_pages(emu, conn, monkeypatch):
    monkeypatch.setattr("seom_desktop.carts.miva.PAGE_SIZE", 8)
    for n in range(35):
        emu.add_item(f"SKU-{n:02d}", n)
    emu.add_item("GIFT", 0, tracked=False)
    items = list(conn.list_items())
    assert [i.sku for i in items] == [f"SKU-{n:02d}" for n in range(35)] + ["GIFT"]
    assert [i.qoh for i in items[:35]] == list(range(35))
    assert items[-1].qoh is None and not items[-1].tracked
    assert emu.requests["POST /mm5/json.mvc"] == 5


def test_get_items_and_set_qoh_in_one_multicall(emu, conn):
    emu.add_item("A", 5)
    emu.add_item("B", 7)
    assert {s: i.qoh for s, i in conn.get_items(["A", "B", "NOPE"]).items()} == {"A": 5, "B": 7}
    before = emu.requests["POST /mm5/json.mvc"]
    res = conn.set_qoh([QohUpdate("A", 11), QohUpdate("B", 0)])  # just read: no re-read
    assert all(r.ok for r in res)
    assert emu.requests["POST /mm5/json.mvc"] == before + 1
    assert emu.quantity("A") == 11 and emu.quantity("B") == 0
    assert emu.applied == {"A": 1, "B": 1}
    res = conn.set_qoh([QohUpdate("A", 12), QohUpdate("B", 1)])  # each read served one write
    assert all(r.ok for r in res) and emu.requests["POST /mm5/json.mvc"] == before + 3


def test_untracked_products_are_reported_and_never_written(emu, conn):
    # json/products.mv JSON_Product_Update: Product_Inventory runs
    # InventoryProductCount_Update (an UPDATE of the count row) and answers success, so
    # a write to an untracked product would pass for done.
    emu.add_item("T", 4)
    emu.add_item("NEVER", 0, tracked=False)  # no inventory rows at all
    emu.add_item("OFF", 6)
    emu.stop_tracking("OFF")  # tracking turned off: its count row stays, hidden
    res = {r.sku: r for r in conn.set_qoh([QohUpdate("T", 9), QohUpdate("NEVER", 5),
                                           QohUpdate("OFF", 5)])}
    assert res["T"].ok and emu.quantity("T") == 9
    for sku in ("NEVER", "OFF"):
        assert not res[sku].ok and isinstance(res[sku].error, PermanentError)
        assert "does not track inventory" in str(res[sku].error)
        assert res[sku].error.code == "UNTRACKED" and res[sku].item_id
    assert emu.catalog.writes == ["T"]  # nothing written to an untracked product
    assert emu.hidden_count("OFF") == 6 and emu.quantity("OFF") is None


def test_product_update_on_untracked_answers_success_and_changes_nothing(emu):
    # The emulator as the source has it (json/products.mv, features/inv/mmlsk-inv_db.mv).
    emu.add_item("NEVER", 0, tracked=False)
    emu.add_item("OFF", 6)
    emu.stop_tracking("OFF")
    out = _post(emu, {"Store_Code": "PS", "Function": "Product_Update",
                      "Iterations": [{"Product_Code": "NEVER", "Product_Inventory": 5},
                                     {"Product_Code": "OFF", "Product_Inventory": 5}]})
    assert out == [{"success": 1}, {"success": 1}]
    assert emu.quantity("NEVER") is None and emu.hidden_count("NEVER") is None
    assert emu.quantity("OFF") is None and emu.hidden_count("OFF") == 5  # hidden count moved
    assert emu.applied == {}
    # ProductList_Adjust_Inventory turns tracking on (JSON_ProductList_Adjust_Inventory).
    out = _post(emu, {"Store_Code": "PS", "Function": "ProductList_Adjust_Inventory",
                      "Inventory_Adjustments": [{"product_code": "NEVER", "adjustment": 3},
                                                {"product_code": "OFF", "adjustment": 1}]})
    assert out == {"success": 1}
    assert emu.quantity("NEVER") == 3 and emu.quantity("OFF") == 6
    out = _post(emu, {"Store_Code": "PS", "Function": "ProductList_Adjust_Inventory",
                      "Inventory_Adjustments": [{"product_code": "NEVER", "adjustment": 1},
                                                {"product_code": "GHOST", "adjustment": 1}]})
    assert out["success"] == 0 and out["error_code"] == "MER-JSN-00023"
    assert emu.quantity("NEVER") == 3  # one bad element: nothing applied


def test_unknown_ondemand_columns_are_ignored(emu):
    # json/products.mv JSON_ProductList_Load_Query_Filter: every name becomes a flag,
    # and only the flags JSON_Product_OnDemandColumns knows are read.
    emu.add_item("A", 5)
    plain = _post(emu, {"Store_Code": "PS", "Function": "ProductList_Load_Query",
                        "Filter": [{"name": "ondemandcolumns", "value": ["productinventory"]}]})
    row = plain["data"]["data"][0]
    assert plain["success"] == 1 and "product_inventory" not in row and row["code"] == "A"
    real = _post(emu, {"Store_Code": "PS", "Function": "ProductList_Load_Query",
                       "Filter": [{"name": "ondemandcolumns", "value": ["product_inventory"]}]})
    row = real["data"]["data"][0]
    assert row["product_inventory_active"] is True and row["product_inventory"] == 5
    assert list(real["data"]) == ["total_count", "start_offset", "data"]


def test_batch_limit_enforced(conn):
    with pytest.raises(ValueError):
        conn.set_qoh([QohUpdate(f"S{n}", 1) for n in range(conn.batch_limit + 1)])


def test_one_bad_item_does_not_stop_the_others(emu, conn):
    for s in ("A", "C"):
        emu.add_item(s, 1)
    res = conn.set_qoh([QohUpdate("A", 4), QohUpdate("GHOST", 3), QohUpdate("C", 9)])
    by = {r.sku: r for r in res}
    assert by["A"].ok and by["C"].ok
    assert isinstance(by["GHOST"].error, UnknownItemError) and "GHOST" in str(by["GHOST"].error)
    assert emu.quantity("A") == 4 and emu.quantity("C") == 9


def test_a_product_deleted_between_read_and_write_fails_alone(emu, conn):
    for s in ("A", "B"):
        emu.add_item(s, 1)
    conn.get_items(["A", "B"])
    del emu.catalog.products["B"]  # deleted on the cart after the read
    res = conn.set_qoh([QohUpdate("A", 4), QohUpdate("B", 3)])
    assert res[0].ok and emu.quantity("A") == 4
    assert isinstance(res[1].error, UnknownItemError) and "Product not found" in str(res[1].error)
    assert res[1].error.code == "MER-JSN-PRD-00014"


def test_iterations_are_never_cut_by_the_operations_time_out(emu, conn):
    # mmlsk-json.mv JSON_API: the 206 time-out is checked between Operations only.
    for s in ("A", "B", "C"):
        emu.add_item(s, 1)
    emu.max_operations = 1
    res = conn.set_qoh([QohUpdate("A", 5), QohUpdate("B", 5), QohUpdate("C", 5)])
    assert all(r.ok for r in res) and [emu.quantity(s) for s in "ABC"] == [5, 5, 5]


def test_operations_time_out_between_operations_only(emu):
    for s in ("A", "B", "C"):
        emu.add_item(s, 1)
    emu.max_operations = 0  # out of time from the start: still one operation runs
    ops = [{"Function": "Product_Update", "Iterations": [{"Product_Code": "A", "Product_Inventory": 7},
                                                         {"Product_Code": "B", "Product_Inventory": 7}]},
           {"Function": "Product_Update", "Product_Code": "C", "Product_Inventory": 7}]
    resp = _post(emu, {"Store_Code": "PS", "Operations": ops}, raw=True)
    assert resp.status_code == 206 and resp.headers["Content-Range"] == "1/2"
    assert resp.json() == [[{"success": 1}, {"success": 1}]]
    assert [emu.quantity(s) for s in "ABC"] == [7, 7, 1]


@pytest.mark.parametrize("fault,cls", [
    ("500", RetryableError), ("503", RetryableError), ("html", RetryableError),
    ("reset", AmbiguousError), ("timeout-after", AmbiguousError), ("malformed", AmbiguousError),
])
def test_write_faults_map_to_error_classes(emu, conn, fault, cls):
    emu.add_item("A", 1)
    conn.get_items(["A"])  # the write then goes without a read first
    emu.faults.queue(fault)
    with pytest.raises(cls) as e:
        conn.set_qoh([QohUpdate("A", 3)])
    if cls is RetryableError:
        assert not isinstance(e.value, AmbiguousError)
    assert emu.applied["A"] == (1 if fault in ("timeout-after", "malformed") else 0)
    assert conn.set_qoh([QohUpdate("A", 3)])[0].ok and emu.quantity("A") == 3  # absolute: safe


@pytest.mark.parametrize("fault,cls", [
    ("500", RetryableError), ("reset", RetryableError), ("html", RetryableError),
    ("timeout-after", RetryableError), ("malformed", BadResponseError),
])
def test_read_faults_map_to_error_classes(emu, conn, fault, cls):
    emu.add_item("A", 1)
    emu.faults.queue(fault)
    with pytest.raises(cls) as e:
        list(conn.list_items())
    assert not isinstance(e.value, AmbiguousError)


def test_rate_limit_429(emu, conn):
    emu.faults.retry_after = 4
    emu.faults.queue("429")
    with pytest.raises(RateLimitedError) as e:
        conn.get_items(["A"])
    assert e.value.delay == pytest.approx(4)


def test_wrong_token_is_auth_error_without_the_secret(emu):
    c = MivaConnector(config(emu, token="wrong-SECRET-token"))
    with pytest.raises(AuthError) as e:
        c.test_connection()
    assert "Access denied" in str(e.value) and "wrong-SECRET-token" not in str(e.value)
    assert e.value.code == "access_denied"


def test_signature_checked(emu):
    # mmlsk-json.mv JSON_API: the signature is checked only when the token requires one.
    if not emu.signing_key:
        c = MivaConnector(config(emu, secret=KEY))  # a signed request to a plain token
        assert "'PS'" in c.test_connection()
        return
    other = base64.b64encode(b"some-other-key").decode()
    with pytest.raises(AuthError) as e:
        MivaConnector(config(emu, secret=other)).test_connection()
    assert "Invalid request signature" in str(e.value)
    assert other not in str(e.value) and KEY not in str(e.value)
    with pytest.raises(AuthError) as e:  # a signing token refuses an unsigned request
        MivaConnector(config(emu, secret="")).test_connection()
    assert "requires request signature" in str(e.value)


def test_every_refusal_is_http_200_access_denied(emu):
    def call(headers: dict, body: bytes, method: str = "POST"):
        return requests.request(method, f"{emu.url}/mm5/json.mvc", data=body, headers=headers,
                                timeout=5)

    body = json.dumps({"Store_Code": "PS", "Function": "ProductList_Load_Query",
                       "Miva_Request_Timestamp": int(time.time())}).encode()
    good = _auth(emu, body)
    cases = [
        (call({**good, "Content-Type": "text/plain"}, body), "Invalid request content type"),
        (call(good, body, "PUT"), "Invalid request method"),
        (call({**good, "X-Miva-API-Authorization": f"BEARER {TOKEN}"}, body),
         "Unrecognized authorization type"),
        (call({**good, "X-Miva-API-Authorization": "MIVA nope"}, body), "Access denied"),
        (call(_auth(emu, json.dumps({"Store_Code": "PS", "Function": "X"}).encode()),
              json.dumps({"Store_Code": "PS", "Function": "X"}).encode()),
         "Missing required timestamp"),
    ]
    for resp, words in cases:
        assert resp.status_code == 200
        assert resp.json() == {"success": 0, "error_code": "access_denied", "error_message": words}
    emu.token_enabled = False
    assert call(good, body).json()["error_message"] == "Token is disabled"


def test_stale_timestamp_refused(emu, conn, monkeypatch):
    class Clock:  # the connector's clock is off by far more than the allowed window
        @staticmethod
        def time() -> float:
            return 1_000_000.0

    monkeypatch.setattr("seom_desktop.carts.miva.time", Clock)
    with pytest.raises(AuthError) as e:
        conn.test_connection()
    assert "Timestamp outside configured window" in str(e.value)


def test_secrets_never_in_error_messages(emu, conn):
    emu.add_item("A", 1)
    for fault in ("500", "html", "reset", "timeout-after", "malformed", "429"):
        emu.faults.queue(fault)
        with pytest.raises(Exception) as e:
            conn.set_qoh([QohUpdate("A", 2)])
        text = str(e.value) + repr(e.value)
        assert TOKEN not in text and KEY not in text


def test_order_lines_name_the_product_code_as_the_catalog_does(emu, conn):
    # json/orders.mv JSON_OrderItem_OnDemandColumns: each item carries the product
    # `code` and its `sku`; the catalog is read by code, so lines are too.
    emu.add_item("WIDGET", 10, product_sku="0001-RED")
    emu.place_order([("WIDGET", 2)])
    [order] = conn.list_orders(None)
    assert [(ln.sku, ln.quantity) for ln in order.lines] == [("WIDGET", 2)]
    assert set(conn.get_items(["WIDGET"])) == {"WIDGET"}


def test_orders_since_a_time(emu, conn):
    emu.add_item("A", 10)
    emu.add_item("B", 10)
    old = emu.place_order([("A", 1)])
    emu.orders[-1]["orderdate"] = int(time.time()) - 2 * 86400
    first = emu.place_order([("A", 2), ("B", 1)])
    second = emu.place_order([("B", 3)])
    assert emu.quantity("A") == 7 and emu.quantity("B") == 6
    since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    orders = conn.list_orders(since)
    assert [o.order_id for o in orders] == [first, second]
    assert [(ln.sku, ln.quantity) for ln in orders[0].lines] == [("A", 2), ("B", 1)]
    assert [o.order_id for o in conn.list_orders(None)] == [old, first, second]


def test_baskets_hold_stock(emu, conn):
    emu.add_item("A", 10)
    emu.add_to_basket("A", 3)
    assert conn.get_items(["A"])["A"].qoh == 7  # taken out of stock at once
    conn.set_qoh([QohUpdate("A", 10)])  # a sync with a basket open...
    emu.empty_baskets()
    assert emu.quantity("A") == 13  # ...overcounts when the basket gives its stock back
    emu.add_to_basket("A", 2, basket="b2")
    oid = emu.place_order([], basket="b2")
    assert emu.quantity("A") == 11 and [o.lines for o in conn.list_orders(None) if o.order_id == oid]


def test_multicall_operations_form(emu):
    emu.add_item("A", 1)
    ops = [{"Function": "Product_Update", "Product_Code": "A", "Product_Inventory": 6},
           {"Function": "ProductList_Load_Query", "Count": 1,
            "Filter": [{"name": "ondemandcolumns", "value": ["product_inventory"]}]}]
    out = _post(emu, {"Store_Code": "PS", "Operations": ops})
    assert out[0] == {"success": 1} and out[1]["data"]["data"][0]["product_inventory"] == 6


def _auth(emu, raw: bytes) -> dict:
    auth = f"MIVA {TOKEN}"
    if emu.signing_key:
        sig = hmac.new(base64.b64decode(KEY), raw, hashlib.sha256).digest()
        auth = f"MIVA-HMAC-SHA256 {TOKEN}:{base64.b64encode(sig).decode()}"
    return {"X-Miva-API-Authorization": auth, "Content-Type": "application/json"}


def _post(emu, body: dict, *, raw: bool = False):
    data = json.dumps({"Miva_Request_Timestamp": int(time.time()), **body}).encode()
    resp = requests.post(f"{emu.url}/mm5/json.mvc", data=data, headers=_auth(emu, data), timeout=5)
    return resp if raw else resp.json()
