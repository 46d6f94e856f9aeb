"""The WooCommerce connector against its emulator, over real loopback sockets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from woo_kit import OAuth, woo_fixtures

from seom_desktop.carts.base import (
    AmbiguousError,
    AuthError,
    BadResponseError,
    CartConfig,
    CartError,
    PermanentError,
    QohUpdate,
    RateLimitedError,
    RetryableError,
    UnknownItemError,
)
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.emulators.base import Response
from seom_desktop.emulators.woocommerce import API

KEY = "ck_5f0e1d2c3b4a59687766554433221100aabbccdd"
SECRET = "cs_99887766554433221100ffeeddccbbaa12345678"
BATCH = f"POST {API}/products/batch"
LIST = f"GET {API}/products"


# behind UTC: the cart's local dates lag
server, emu = woo_fixtures(KEY, SECRET, hang_seconds=1.0, retry_after=7, utc_offset_minutes=-300)


def connect(emu, key=KEY, secret=SECRET) -> WooCommerceConnector:
    return WooCommerceConnector(CartConfig(
        name="woo", kind="woocommerce", url=emu.url, key=key, secret=secret,
        connect_timeout=2.0, read_timeout=0.5))


@pytest.fixture
def conn(emu):
    c = connect(emu)
    yield c
    c.close()


@pytest.fixture
def shop(emu):
    """Simple products plus two variable products:
    TEE manages stock at parent level (7): TEE-S own stock 3, TEE-M stock "parent";
    MUG does not: MUG-RED own stock 5, MUG-BLUE untracked."""
    ids = {"A": emu.add_item("A", 10), "B": emu.add_item("B", 20),
           "OFF": emu.add_item("OFF", None, tracked=False)}
    ids["TEE"] = emu.add_item("TEE", 7, type="variable")
    ids["TEE-S"] = emu.add_item("TEE-S", 3, parent=ids["TEE"])
    ids["TEE-M"] = emu.add_item("TEE-M", None, parent=ids["TEE"], manage_stock="parent")
    ids["MUG"] = emu.add_item("", None, name="Mug", tracked=False, type="variable")
    ids["MUG-RED"] = emu.add_item("MUG-RED", 5, parent=ids["MUG"])
    ids["MUG-BLUE"] = emu.add_item("MUG-BLUE", None, parent=ids["MUG"], tracked=False)
    return ids


def raw(emu, method, path, auth=OAuth(KEY, SECRET), **kw):
    return requests.request(method, emu.url + API + path, auth=auth, timeout=5, **kw)


def batch_count(emu, path=BATCH) -> int:
    return emu.requests[path]


# --- the emulator keeps WooCommerce's documented rules -----------------------------------

def test_emulator_enforces_auth_page_size_and_batch_limit(emu, shop):
    r = raw(emu, "GET", "/products", auth=None)
    assert r.status_code == 401 and r.json()["code"] == "woocommerce_rest_cannot_view"
    r = raw(emu, "GET", "/products", auth=OAuth(KEY, "cs_wrong"))
    assert r.status_code == 401 and r.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "Invalid signature - provided signature does not match.",
        "data": {"status": 401}}
    r = raw(emu, "GET", "/products", params={"per_page": 101})
    assert r.status_code == 400 and r.json()["code"] == "rest_invalid_param"
    assert "between 1 (inclusive) and 100 (inclusive)" in r.json()["data"]["params"]["per_page"]
    r = raw(emu, "GET", "/products", params={"per_page": 2, "page": 2})
    assert r.headers["X-WP-Total"] == "5" and r.headers["X-WP-TotalPages"] == "3"
    assert 'rel="next"' in r.headers["Link"] and 'rel="prev"' in r.headers["Link"]
    r = raw(emu, "POST", "/products/batch",
            json={"update": [{"id": int(shop["A"]), "stock_quantity": 1}] * 101})
    assert r.status_code == 413 and r.json()["code"] == "woocommerce_rest_request_entity_too_large"
    assert r.json()["message"] == "Unable to accept more than 100 items for this request."
    assert emu.quantity("A") == 10 and emu.applied["A"] == 0


def test_emulator_refuses_bad_items_inside_a_batch_and_lands_the_rest(emu, shop):
    r = raw(emu, "POST", "/products/batch", json={"update": [
        {"id": int(shop["A"]), "stock_quantity": "lots"},
        {"id": 999999, "stock_quantity": 1},
        {"id": int(shop["B"]), "stock_quantity": 21}]})
    assert r.status_code == 200
    bad_qty, bad_id, good = r.json()["update"]
    assert bad_qty["error"]["code"] == "rest_invalid_param"
    assert bad_id["error"] == {"code": "woocommerce_rest_product_invalid_id",
                               "message": "Invalid ID.", "data": {"status": 400}}
    assert good["stock_quantity"] == 21
    assert (emu.quantity("A"), emu.quantity("B")) == (10, 21)
    assert emu.applied == {"B": 1}


# --- reading -----------------------------------------------------------------------------

def test_test_connection_names_the_cart(conn, shop):
    assert "5 products" in conn.test_connection()


def test_list_items_pages_through_more_than_three_pages(emu, conn, shop):
    for n in range(345):
        emu.add_item(f"S{n:03d}", n)
    items = {i.sku: i for i in conn.list_items()}
    assert emu.requests[LIST] == 4  # 350 products at 100 a page
    assert len([s for s in items if s.startswith("S")]) == 345 and items["S344"].qoh == 344
    assert emu.requests[f"GET {API}/products/{shop['TEE']}/variations"] == 1
    assert set(items) - {f"S{n:03d}" for n in range(345)} == {
        "A", "B", "OFF", "TEE", "TEE-S", "TEE-M", "MUG-RED", "MUG-BLUE"}
    assert items["TEE-S"].item_id == shop["TEE-S"] and items["TEE-S"].qoh == 3
    assert items["TEE-M"].tracked and items["TEE-M"].qoh == 7  # the parent's stock
    assert not items["OFF"].tracked and items["OFF"].qoh is None
    assert not items["MUG-BLUE"].tracked and items["MUG-BLUE"].qoh is None


def test_get_items_finds_products_and_variations_by_sku(conn, shop):
    got = conn.get_items(["A", "TEE-M", "MUG-RED", "NOPE"])
    assert set(got) == {"A", "TEE-M", "MUG-RED"}
    assert got["MUG-RED"].item_id == shop["MUG-RED"] and "/" in got["MUG-RED"].item_id
    assert got["TEE-M"].qoh == 7 and got["A"].qoh == 10


# --- writing -----------------------------------------------------------------------------

def test_push_of_250_items_in_batches_of_50_makes_five_requests(emu, shop):
    ids = {f"P{n:03d}": emu.add_item(f"P{n:03d}", 0) for n in range(250)}
    c = connect(emu)
    updates = [QohUpdate(sku, 1000 + n, item_id=ids[sku]) for n, sku in enumerate(sorted(ids))]
    for start in range(0, 250, 50):
        results = c.set_qoh(updates[start:start + 50])
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert batch_count(emu) == 5 and emu.requests[LIST] == 0
    assert all(emu.quantity(f"P{n:03d}") == 1000 + n for n in range(250))
    assert all(emu.applied[sku] == 1 for sku in ids)


def test_unknown_skus_are_looked_up_once_then_cached(emu, conn, shop):
    results = conn.set_qoh([QohUpdate("A", 11), QohUpdate("TEE-S", 4), QohUpdate("GHOST", 1)])
    assert [r.ok for r in results] == [True, True, False]
    assert isinstance(results[2].error, UnknownItemError)
    assert emu.requests[LIST] == 1
    conn.set_qoh([QohUpdate("A", 12), QohUpdate("TEE-S", 5)])
    assert emu.requests[LIST] == 1  # known now
    assert (emu.quantity("A"), emu.quantity("TEE-S")) == (12, 5)


def test_more_than_the_batch_limit_is_refused_before_sending(emu, conn, shop):
    with pytest.raises(ValueError, match="batch limit of 100"):
        conn.set_qoh([QohUpdate(f"X{n}", 1, item_id=str(n)) for n in range(101)])
    assert sum(emu.requests.values()) == 0


def test_variations_go_to_their_parent_batch_and_parent_stock_to_the_parent(emu, conn, shop):
    conn.get_items(["TEE-S", "TEE-M", "MUG-RED"])
    results = conn.set_qoh([QohUpdate("TEE-S", 9), QohUpdate("TEE-M", 30), QohUpdate("MUG-RED", 2)])
    assert all(r.ok for r in results)
    assert results[1].item_id == shop["TEE-M"] and results[1].qoh == 30
    assert (emu.quantity("TEE-S"), emu.quantity("TEE-M"), emu.quantity("TEE")) == (9, 30, 30)
    assert emu.quantity("MUG-RED") == 2
    assert emu.applied == {"TEE-S": 1, "TEE": 1, "MUG-RED": 1}
    assert batch_count(emu) == 1
    assert batch_count(emu, f"POST {API}/products/{shop['TEE']}/variations/batch") == 1
    assert batch_count(emu, f"POST {API}/products/{shop['MUG']}/variations/batch") == 1


def test_parent_managed_variation_known_only_by_id_is_rewritten_on_the_parent(emu, conn, shop):
    results = conn.set_qoh([QohUpdate("TEE-M", 12, item_id=shop["TEE-M"])])
    assert results[0].ok and results[0].qoh == 12
    assert (emu.quantity("TEE"), emu.quantity("TEE-M"), emu.applied["TEE"]) == (12, 12, 1)
    assert batch_count(emu, f"POST {API}/products/{shop['TEE']}/variations/batch") == 1
    assert batch_count(emu) == 1  # the follow-up on the parent
    conn.set_qoh([QohUpdate("TEE-M", 13, item_id=shop["TEE-M"])])
    assert batch_count(emu, f"POST {API}/products/{shop['TEE']}/variations/batch") == 1
    assert emu.quantity("TEE") == 13


@pytest.mark.parametrize("with_ids", [False, True])
def test_items_without_stock_management_are_reported_not_switched_on(emu, conn, shop, with_ids):
    ups = [QohUpdate(s, 4, item_id=shop[s] if with_ids else "") for s in ("OFF", "MUG-BLUE", "B")]
    results = conn.set_qoh(ups)
    assert [r.ok for r in results] == [False, False, True]
    for r in results[:2]:
        assert isinstance(r.error, PermanentError) and not r.error.retryable
        assert "does not track stock (manage_stock is off)" in str(r.error)
    assert emu.manage_stock("OFF") is False and emu.manage_stock("MUG-BLUE") is False
    assert emu.quantity("OFF") is None and emu.quantity("MUG-BLUE") is None
    assert emu.applied == {"B": 1}
    # known untracked after a lookup: not even sent; known only by id: sent, then judged
    mug_batch = f"POST {API}/products/{shop['MUG']}/variations/batch"
    assert batch_count(emu, mug_batch) == (1 if with_ids else 0)


def test_parent_that_stops_managing_stock_is_reported_not_switched_back_on(emu, conn, shop):
    conn.get_items(["TEE-M"])  # known as stock "parent"
    r = raw(emu, "POST", "/products/batch", json={"update": [
        {"id": int(shop["TEE"]), "manage_stock": False}]})  # the shop owner turns it off
    assert r.status_code == 200 and emu.manage_stock("TEE-M") is False
    for _ in range(2):
        (result,) = conn.set_qoh([QohUpdate("TEE-M", 8)])
        assert not result.ok and "manage_stock is off" in str(result.error)
    assert emu.manage_stock("TEE") is False and emu.applied == {}


def test_a_quantity_the_cart_did_not_keep_is_reported(emu, conn, shop, monkeypatch):
    original = emu._update

    def capped(item, pid):  # a store plugin that caps stock at 50
        if isinstance(item.get("stock_quantity"), int):
            item = {**item, "stock_quantity": min(item["stock_quantity"], 50)}
        return original(item, pid)

    monkeypatch.setattr(emu, "_update", capped)
    results = conn.set_qoh([QohUpdate("A", 80, item_id=shop["A"]),
                            QohUpdate("B", 40, item_id=shop["B"])])
    assert [r.ok for r in results] == [False, True]
    assert results[0].qoh == 50 and "shows 50 after being set to 80" in str(results[0].error)


def test_one_bad_item_does_not_stop_the_others(emu, conn, shop):
    emu.remove_item("B")
    results = conn.set_qoh([QohUpdate("A", 1, item_id=shop["A"]),
                            QohUpdate("B", 2, item_id=shop["B"]),
                            QohUpdate("TEE-S", 3, item_id=shop["TEE-S"])])
    assert [r.ok for r in results] == [True, False, True]
    assert isinstance(results[1].error, UnknownItemError)
    assert "Invalid ID." in str(results[1].error)
    assert (emu.quantity("A"), emu.quantity("TEE-S")) == (1, 3)


# --- faults and errors --------------------------------------------------------------------

def _write(conn, shop, qoh=5):
    return conn.set_qoh([QohUpdate("A", qoh, item_id=shop["A"])])


@pytest.mark.parametrize("fault, cls, not_cls, applied", [
    ("429", RateLimitedError, AmbiguousError, 0),
    ("500", RetryableError, AmbiguousError, 0),
    ("503", RetryableError, AmbiguousError, 0),
    ("html", RetryableError, AmbiguousError, 0),
    ("reset", AmbiguousError, None, 0),  # the client cannot tell it was not applied
    ("timeout-after", AmbiguousError, None, 1),
    ("malformed", AmbiguousError, None, 1),
])
def test_write_faults_map_to_the_right_error(emu, conn, shop, fault, cls, not_cls, applied):
    emu.faults.queue(fault, path="/batch")
    with pytest.raises(cls) as caught:
        _write(conn, shop)
    assert not_cls is None or not isinstance(caught.value, not_cls)
    assert caught.value.retryable
    if fault == "429":
        assert caught.value.delay == 7
    assert emu.applied["A"] == applied
    assert all(r.ok for r in _write(conn, shop))  # re-sending the absolute value is harmless
    assert emu.quantity("A") == 5


@pytest.mark.parametrize("fault, cls, not_cls", [
    ("429", RateLimitedError, None),
    ("500", RetryableError, AmbiguousError),
    ("503", RetryableError, AmbiguousError),
    ("html", RetryableError, AmbiguousError),
    ("reset", RetryableError, AmbiguousError),
    ("timeout-after", RetryableError, AmbiguousError),
    ("malformed", BadResponseError, None),
])
def test_read_faults_map_to_the_right_error(emu, conn, shop, fault, cls, not_cls):
    emu.faults.queue(fault, path="/products")
    with pytest.raises(cls) as caught:
        list(conn.list_items())
    assert not_cls is None or not isinstance(caught.value, not_cls)
    assert caught.value.retryable


def test_well_formed_json_of_the_wrong_shape_is_refused_clearly(emu, conn, shop, monkeypatch):
    original = emu.handle

    def wrong_shape(req):
        if req.path.endswith("/batch"):
            original(req)  # applied, but answered in a shape that is not WooCommerce's
            return Response.json({"updated": "yes"})
        if req.path.endswith("/orders"):
            return Response.json([{"id": 1, "date_created_gmt": None, "line_items": []}])
        return Response.json({"products": []})

    monkeypatch.setattr(emu, "handle", wrong_shape)
    with pytest.raises(AmbiguousError, match="without an 'update' list"):
        _write(conn, shop)
    with pytest.raises(BadResponseError, match="not a list of objects"):
        list(conn.list_items())
    with pytest.raises(BadResponseError, match="order lacks"):
        conn.list_orders(None)


@pytest.mark.parametrize("key, secret, words", [
    (KEY, "cs_not_the_right_secret_0000", "Invalid signature - provided signature does not match."),
    ("ck_unknown_key_00000000000", "cs_whatever_000000000", "Consumer key is invalid."),
])
def test_wrong_credentials_raise_auth_error_without_the_secret(emu, shop, key, secret, words):
    c = connect(emu, key=key, secret=secret)
    with pytest.raises(AuthError) as caught:
        c.test_connection()
    assert words in str(caught.value) and caught.value.status == 401
    with pytest.raises(AuthError):
        c.set_qoh([QohUpdate("A", 1, item_id=shop["A"])])
    assert emu.quantity("A") == 10
    assert secret not in str(caught.value) and key not in str(caught.value)


def test_a_planted_secret_never_appears_in_any_error(emu, conn, shop, monkeypatch):
    messages: list[str] = []
    for fault in ("429", "500", "503", "reset", "html", "timeout-after", "malformed"):
        for target in ("/batch", "/products"):
            emu.faults.queue(fault, path=target)
            try:
                _write(conn, shop) if target == "/batch" else list(conn.list_items())
            except CartError as e:
                messages.append(str(e))
    original = emu.handle

    def echoing(req):  # a cart (or proxy) that echoes the credentials back
        if req.path.endswith("/orders"):
            return Response.json({"code": "leak", "message": f"bad key {KEY} / {SECRET}",
                                  "data": {"status": 403}}, 403)
        return original(req)

    monkeypatch.setattr(emu, "handle", echoing)
    with pytest.raises(AuthError) as caught:
        conn.list_orders(None)
    messages.append(str(caught.value))
    assert len(messages) == 15
    assert "***" in messages[-1]
    assert not [m for m in messages if KEY in m or SECRET in m]


# --- orders ------------------------------------------------------------------------------

def test_orders_after_a_time_oldest_first_and_stock_reduced(emu, conn, shop):
    t0 = datetime(2025, 3, 2, 2, 30, tzinfo=UTC)  # the site is at UTC-5: 1 March locally
    first = emu.place_order([("A", 2), ("TEE-M", 1)], created=t0)
    second = emu.place_order([("TEE-S", 1), ("MUG-BLUE", 4)], created=t0 + timedelta(minutes=5))
    third = emu.place_order([("B", 3)], created=t0 + timedelta(hours=3))
    assert (emu.quantity("A"), emu.quantity("TEE"), emu.quantity("TEE-S")) == (8, 6, 2)
    assert emu.quantity("MUG-BLUE") is None and emu.quantity("B") == 17
    assert emu.applied == {}  # shoppers' orders are not API stock writes
    every = conn.list_orders(None)
    assert [o.order_id for o in every] == [first, second, third]
    assert every[0].created == "2025-03-02T02:30:00Z"
    assert [(ln.sku, ln.quantity) for ln in every[0].lines] == [("A", 2), ("TEE-M", 1)]
    since = conn.list_orders("2025-03-02T02:35:00Z")  # at or after
    assert [o.order_id for o in since] == [second, third]
    assert [o.order_id for o in conn.list_orders("2025-03-02T05:30:00Z")] == [third]
    assert conn.list_orders("2025-03-02T05:30:01Z") == []


def test_orders_page_through_more_than_one_page(emu, conn, shop):
    emu.add_item("BULK", 1000)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    ids = [emu.place_order([("BULK", 1)], created=t0 + timedelta(seconds=n)) for n in range(120)]
    orders = conn.list_orders("2025-01-01T00:00:10Z")
    assert [o.order_id for o in orders] == ids[10:]
    assert emu.requests[f"GET {API}/orders"] == 2 and emu.quantity("BULK") == 880
