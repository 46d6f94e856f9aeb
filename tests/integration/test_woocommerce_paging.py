"""The WooCommerce listing read a few pages at a time, over real loopback sockets: items in
page order, an error on a middle page after the pages before it, nothing more read once
the reader stops, the sequential reading when X-WP-TotalPages is missing, a repeated page
refused; and the environment's proxy settings taken once, when the connector is made."""

from __future__ import annotations

import threading

import pytest
from woo_kit import woo_fixtures

from seom_desktop.carts.base import BadResponseError, CartConfig, RateLimitedError
from seom_desktop.carts.paging import AHEAD
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.emulators.base import Response
from seom_desktop.emulators.woocommerce import API, WooCommerceEmulator

KEY, SECRET = "ck_paging", "cs_paging"
LIST = f"GET {API}/products"


server, emu = woo_fixtures(KEY, SECRET)


def connect(url: str) -> WooCommerceConnector:
    return WooCommerceConnector(CartConfig(name="woo", kind="woocommerce", url=url, key=KEY,
                                           secret=SECRET, connect_timeout=2.0, read_timeout=5.0))


@pytest.fixture
def conn(emu):
    c = connect(emu.url)
    yield c
    c.close()


def fill(emu, n: int) -> list[str]:
    skus = [f"P-{i:05d}" for i in range(n)]
    for i, sku in enumerate(skus):
        emu.add_item(sku, i % 50)
    return skus


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("woo-products")]


def on_page(emu, monkeypatch, change):
    """Answers of /products passed through change(page, response)."""
    real = emu.handle

    def handle(req):
        resp = real(req)
        if req.path == API + "/products" and req.method == "GET":
            return change(int(req.arg("page", "1")), resp)
        return resp

    monkeypatch.setattr(emu, "handle", handle)


def test_items_come_in_page_order_with_variations_in_place(emu, conn):
    skus = fill(emu, 1030)  # 11 pages
    parent = emu.add_item("V-PARENT", None, type="variable", tracked=False)
    emu.add_item("V-1", 3, parent=parent)
    emu.add_item("V-2", 4, parent=parent)
    skus += ["V-1", "V-2"] + fill_more(emu, 140)
    emu.requests.clear()
    items = list(conn.list_items())
    assert [i.sku for i in items] == skus  # the variations right after their parent
    assert [i.qoh for i in items[:1030]] == [i % 50 for i in range(1030)]
    assert emu.requests[LIST] == 12  # each of the 12 pages once
    assert not _readers()


def fill_more(emu, n: int) -> list[str]:
    skus = [f"Q-{i:05d}" for i in range(n)]
    for sku in skus:
        emu.add_item(sku, 1)
    return skus


def test_an_error_on_a_middle_page_comes_after_the_pages_before_it(emu, conn, monkeypatch):
    skus = fill(emu, 2000)
    on_page(emu, monkeypatch, lambda page, resp: Response.json(
        {"error": "Too Many Requests"}, 429, {"Retry-After": "3"}) if page == 7 else resp)
    got = []
    with pytest.raises(RateLimitedError) as e:
        for item in conn.list_items():
            got.append(item.sku)
    assert e.value.delay == 3
    assert got == skus[:600]  # pages 1..6, whole
    asked = emu.requests[LIST]
    assert 7 <= asked <= 7 + AHEAD < 20
    assert not _readers()  # nothing left reading after the error
    assert emu.requests[LIST] == asked


def test_a_reader_that_stops_early_stops_the_requests(emu, conn):
    fill(emu, 3000)  # 30 pages
    emu.requests.clear()
    items = conn.list_items()
    first = [next(items).sku for _ in range(450)]  # into page 5
    items.close()
    assert first[-1] == "P-00449"
    asked = emu.requests[LIST]
    assert 5 <= asked <= 5 + AHEAD < 30
    assert not _readers()  # the requests in flight were waited for, none started since
    assert emu.requests[LIST] == asked


def test_without_total_pages_a_short_page_ends_the_listing(emu, conn, monkeypatch):
    def no_totals(page, resp):
        resp.headers.pop("X-WP-TotalPages", None)
        return resp

    on_page(emu, monkeypatch, no_totals)
    skus = fill(emu, 250)
    emu.requests.clear()
    assert [i.sku for i in conn.list_items()] == skus
    assert emu.requests[LIST] == 3  # 100, 100, then the short page of 50
    fill_more(emu, 50)  # 300: a full last page, then an empty one
    emu.requests.clear()
    assert len(list(conn.list_items())) == 300 and emu.requests[LIST] == 4


def test_a_cart_answering_the_same_page_again_is_refused(emu, conn, monkeypatch):
    fill(emu, 350)
    first = {}

    def always_page_one(page, resp):
        first.setdefault("resp", resp)
        return Response(200, first["resp"].body, dict(first["resp"].headers))

    on_page(emu, monkeypatch, always_page_one)
    got = []
    with pytest.raises(BadResponseError, match="same page again"):
        for item in conn.list_items():
            got.append(item)
    assert len(got) == 100
    assert not _readers()


@pytest.fixture
def proxy(emu):
    """A second cart that stands as the HTTP proxy: it answers absolute-form requests
    (GET http://host/path) like any other, so a request sent through it is counted there
    (as the store it stands for: OAuth signatures are made over that store's home URL)."""
    p = WooCommerceEmulator(key=KEY, secret=SECRET, home_url=emu.url).start()
    p.add_item("FROM-PROXY", 1)
    yield p
    p.stop()


def _no_proxy_env(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_the_proxy_of_the_environment_at_creation_is_used(emu, proxy, monkeypatch):
    _no_proxy_env(monkeypatch)
    emu.add_item("DIRECT", 1)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    c = connect(emu.url)
    monkeypatch.delenv("HTTP_PROXY")  # read once, when the connector was made
    assert [i.sku for i in c.list_items()] == ["FROM-PROXY"]
    c.close()
    assert proxy.requests[LIST] == 1 and emu.requests[LIST] == 0
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # bypassed for the cart's host
    c = connect(emu.url)
    assert [i.sku for i in c.list_items()] == ["DIRECT"]
    c.close()
    assert proxy.requests[LIST] == 1 and emu.requests[LIST] == 1


def test_no_proxy_in_the_environment_goes_direct(emu, proxy, monkeypatch):
    _no_proxy_env(monkeypatch)
    emu.add_item("DIRECT", 1)
    c = connect(emu.url)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)  # too late: the connector was made without
    assert [i.sku for i in c.list_items()] == ["DIRECT"]
    c.close()
    assert proxy.requests[LIST] == 0
