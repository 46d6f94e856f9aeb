"""WooCommerce authentication, stock and listing facts, emulator and connector over real
loopback sockets. Sources: WC_REST_Authentication (woocommerce/woocommerce,
plugins/woocommerce/includes/class-wc-rest-authentication.php), the REST API docs'
"Authentication over HTTP" (woocommerce.github.io/woocommerce-rest-api-docs), RFC 5849
section 1.2 (the worked HMAC-SHA1 example), wc_maybe_reduce_stock_levels
(plugins/woocommerce/includes/wc-stock-functions.php) and a WooCommerce 10.0.2 store."""

from __future__ import annotations

import requests
from woo_kit import OAuth, woo_fixtures

from seom_desktop.carts.base import AuthError, CartConfig
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.carts.woocommerce_oauth import base_string, sign, signature
from seom_desktop.emulators.woocommerce import API, WooCommerceEmulator

KEY, SECRET = "ck_auth_0123456789", "cs_auth_9876543210"
CANNOT = {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.",
          "data": {"status": 401}}

server, emu = woo_fixtures(KEY, SECRET)


def get(emu, auth=None, path="/products", **params):
    return requests.get(emu.url + API + path, params=params, auth=auth, timeout=5)


def connect(url: str) -> WooCommerceConnector:
    return WooCommerceConnector(CartConfig(name="woo", kind="woocommerce", url=url, key=KEY,
                                           secret=SECRET, connect_timeout=2.0, read_timeout=5.0))


# --- the signature ------------------------------------------------------------------------

def test_signature_matches_the_rfc_5849_worked_example():
    # RFC 5849 section 1.2: a request without a token, keyed by "client secret&"
    params = {"oauth_consumer_key": "dpf43f3p2l4k3l03", "oauth_signature_method": "HMAC-SHA1",
              "oauth_timestamp": "137131200", "oauth_nonce": "wIjqoS",
              "oauth_callback": "http://printer.example.com/ready"}
    assert signature("POST", "https://photos.example.net/initiate", params,
                     "kd94hf93k423kf44", "HMAC-SHA1") == "74KNZJeDHnMBp0EMJ9ZHt/XKycU="


def test_base_string_matches_the_woocommerce_docs_example():
    assert base_string("GET", "http://www.example.com/wp-json/wc/v3/orders",
                       {"oauth_consumer_key": "abc123", "oauth_signature_method": "HMAC-SHA1"}) == (
        "GET&http%3A%2F%2Fwww.example.com%2Fwp-json%2Fwc%2Fv3%2Forders"
        "&oauth_consumer_key%3Dabc123%26oauth_signature_method%3DHMAC-SHA1")


# --- keys over plain http -------------------------------------------------------------------

def test_keys_are_not_read_over_plain_http_only_oauth(emu):
    emu.add_item("A", 4)
    basic = get(emu, auth=(KEY, SECRET))
    assert basic.status_code == 401 and basic.json() == CANNOT
    query = get(emu, consumer_key=KEY, consumer_secret=SECRET)
    assert query.status_code == 401 and query.json() == CANNOT
    signed = get(emu, auth=OAuth(KEY, SECRET))
    assert signed.status_code == 200 and [p["sku"] for p in signed.json()] == ["A"]
    sha1 = sign("GET", emu.url + API + "/products", {}, KEY, SECRET, signature_method="HMAC-SHA1")
    assert get(emu, **sha1).status_code == 200


def test_rest_route_is_never_authenticated(emu):
    url = emu.url + "/"
    params = sign("GET", url, {"rest_route": "/wc/v3/products"}, KEY, SECRET)
    r = requests.get(url, params=params, timeout=5)
    assert r.status_code == 401 and r.json() == CANNOT
    r = requests.get(url, params={"rest_route": "/wc/v3/nothing"}, timeout=5)
    assert r.status_code == 404 and r.json()["code"] == "rest_no_route"


def test_oauth_refusals_name_the_problem(emu):
    url = emu.url + API + "/products"
    fresh = sign("GET", url, {}, KEY, SECRET)
    assert get(emu, **fresh).status_code == 200
    again = get(emu, **fresh)  # the same nonce
    assert again.status_code == 401
    assert again.json()["message"] == "Invalid nonce - nonce has already been used."
    old = sign("GET", url, {}, KEY, SECRET, timestamp=int(emu.auth.clock()) - 16 * 60)
    assert get(emu, **old).json()["message"] == "Invalid timestamp."
    within = sign("GET", url, {}, KEY, SECRET, timestamp=int(emu.auth.clock()) - 14 * 60)
    assert get(emu, **within).status_code == 200
    plain = dict(fresh, oauth_signature_method="PLAINTEXT", oauth_nonce="n-plain")
    assert get(emu, **plain).json()["message"] == "Invalid signature - signature method is invalid."
    tampered = dict(sign("GET", url, {"per_page": 5}, KEY, SECRET), per_page="6")
    assert get(emu, **tampered).json()["message"] == (
        "Invalid signature - provided signature does not match.")
    partial = {"oauth_consumer_key": KEY, "oauth_nonce": "x"}
    r = get(emu, **partial)
    assert r.status_code == 401 and r.json() == {
        "code": "woocommerce_rest_authentication_missing_parameter",
        "message": "Missing OAuth parameters oauth_timestamp, oauth_signature, "
                   "oauth_signature_method", "data": {"status": 401}}
    assert get(emu, **sign("GET", url, {}, "ck_other", SECRET)).json()["message"] == (
        "Consumer key is invalid.")


def test_the_connector_signs_over_http_and_the_home_url_must_match():
    e = WooCommerceEmulator(key=KEY, secret=SECRET).start()
    other = WooCommerceEmulator(key=KEY, secret=SECRET, home_url="http://shop.example.com").start()
    try:
        e.add_item("A", 4)
        seen = []
        real = e.handle
        e.handle = lambda req: seen.append(req) or real(req)
        conn = connect(e.url)
        assert [(i.sku, i.qoh) for i in conn.list_items()] == [("A", 4)]
        conn.close()
        assert "authorization" not in seen[0].headers
        assert seen[0].arg("oauth_signature_method") == "HMAC-SHA256"
        conn = connect(other.url)  # the store's home URL is not the address given
        try:
            conn.test_connection()
            raise AssertionError("a signature over another URL was taken")
        except AuthError as err:
            assert "provided signature does not match" in str(err)
            assert "home URL" in str(err) and SECRET not in str(err)
        conn.close()
    finally:
        e.stop()
        other.stop()


def test_over_https_the_connector_sends_basic_and_the_store_takes_it(tmp_path):
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "security" / "seckit.py"
    spec = importlib.util.spec_from_file_location("seckit_for_woo_auth", path)
    kit = sys.modules.get(spec.name)
    if kit is None:
        kit = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(kit)
    tls = kit.make_tls(tmp_path)
    e = WooCommerceEmulator(key=KEY, secret=SECRET)
    base = kit.start_tls(e, tls)
    try:
        e.add_item("T", 2)
        seen = []
        real = e.handle
        e.handle = lambda req: seen.append(req) or real(req)
        conn = WooCommerceConnector(CartConfig(name="woo", kind="woocommerce", url=base, key=KEY,
                                               secret=SECRET, ca_bundle=str(tls.ca)))
        assert [(i.sku, i.qoh) for i in conn.list_items()] == [("T", 2)]
        conn.close()
        assert seen[0].headers["authorization"].startswith("Basic ")
        assert seen[0].arg("oauth_signature") is None
        r = requests.get(base + API + "/products", auth=(KEY, "cs_wrong"), verify=str(tls.ca),
                         timeout=5)
        assert r.status_code == 401 and r.json()["message"] == "Consumer secret is invalid."
    finally:
        e.stop()


def test_key_permissions_are_checked(emu):
    e = WooCommerceEmulator(key=KEY, secret=SECRET, permissions="write").start()
    try:
        r = get(e, auth=OAuth(KEY, SECRET))
        assert r.status_code == 401
        assert r.json()["message"] == "The API key provided does not have read permissions."
    finally:
        e.stop()


# --- stock and listings as a WooCommerce 10.0.2 store answers ------------------------------

def test_sku_look_up_finds_every_sku_and_variations_plain_listing_has_none(emu):
    emu.add_item("S-1", 1)
    parent = emu.add_item("V", 5, type="variable")
    emu.add_item("V-1", 2, parent=parent)
    found = get(emu, auth=OAuth(KEY, SECRET), sku="S-1,V-1").json()
    assert sorted((p["sku"], p["type"], p["parent_id"]) for p in found) == [
        ("S-1", "simple", 0), ("V-1", "variation", int(parent))]
    plain = get(emu, auth=OAuth(KEY, SECRET), per_page=100).json()
    assert sorted(p["sku"] for p in plain) == ["S-1", "V"]


def test_stock_sent_to_an_unmanaged_product_is_silently_ignored(emu):
    pid = emu.add_item("OFF", None, tracked=False)
    r = requests.post(emu.url + API + "/products/batch", auth=OAuth(KEY, SECRET), timeout=5,
                      json={"update": [{"id": int(pid), "stock_quantity": 9}]})
    (row,) = r.json()["update"]
    assert r.status_code == 200 and "error" not in row
    assert row["manage_stock"] is False and row["stock_quantity"] is None
    assert emu.quantity("OFF") is None


def test_a_paid_order_reduces_stock_below_zero_a_pending_one_only_when_paid(emu):
    pid = emu.add_item("P", 2)
    url = emu.url + API + "/orders"
    paid = requests.post(url, auth=OAuth(KEY, SECRET), timeout=5, json={
        "set_paid": True, "line_items": [{"product_id": int(pid), "quantity": 5}]})
    assert paid.status_code == 201 and paid.json()["status"] == "processing"
    assert emu.quantity("P") == -3  # backorders off, and still below 0
    pending = requests.post(url, auth=OAuth(KEY, SECRET), timeout=5, json={
        "line_items": [{"product_id": int(pid), "quantity": 1}]}).json()
    assert pending["status"] == "pending" and emu.quantity("P") == -3
    r = requests.put(f"{url}/{pending['id']}", auth=OAuth(KEY, SECRET), timeout=5,
                     json={"set_paid": True})
    assert r.json()["status"] == "processing" and emu.quantity("P") == -4
    requests.put(f"{url}/{pending['id']}", auth=OAuth(KEY, SECRET), timeout=5,
                 json={"status": "completed"})
    assert emu.quantity("P") == -4  # reduced once


def test_date_order_skips_and_repeats_items_of_one_second_id_order_does_not(emu):
    for n in range(30):
        emu.add_item(f"D-{n:02d}", 1)  # created within a second or two
    pages = {}
    for orderby in ("date", "id"):
        seen = []
        for page in (1, 2, 3):
            rows = get(emu, auth=OAuth(KEY, SECRET), orderby=orderby, per_page=10,
                       page=page).json()
            seen += [p["sku"] for p in rows]
        pages[orderby] = seen
    assert len(pages["date"]) == 30 and len(set(pages["date"])) < 30
    assert pages["id"] == [f"D-{n:02d}" for n in range(30)][::-1]  # (order desc by default)


def test_orders_read_by_id_skip_none_when_earlier_orders_go_away_between_pages(emu):
    from datetime import UTC, datetime, timedelta

    emu.add_item("O", 10_000)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    ids = [emu.place_order([("O", 1)], created=t0 + timedelta(seconds=n // 3))
           for n in range(250)]  # three orders a second: a date listing would skip some
    real = emu.handle
    removed = []

    def handle(req):
        resp = real(req)
        if req.path.endswith("/orders") and req.arg("offset") == "0" and not removed:
            removed.extend(str(o["id"]) for o in emu.orders[:5])
            del emu.orders[:5]  # trashed for good while the reader is between pages
        return resp

    emu.handle = handle
    try:
        conn = connect(emu.url)
        got = [o.order_id for o in conn.list_orders(None)]
        conn.close()
    finally:
        del emu.handle
    assert got[:100] == ids[:100]  # the first page, read before the removal
    assert got[100:] == ids[100:]  # nothing after it skipped, nothing twice
