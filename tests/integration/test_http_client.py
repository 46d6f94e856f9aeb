"""HttpClient (carts/http.py) over real loopback sockets: every request goes through one
urllib3 pool of kept-alive connections; the URL is the one requests prepares (compared with
requests itself, a test dependency), with the user agent and the credentials; the
certificate is checked against the cart's own CA bundle; 429 with Retry-After, 5xx, an HTML
page, a refused connection, a reset, a read timeout, gzip bodies, redirects as requests
followed them (credentials kept on the same host; none of the connector's headers, and no
body, to another; no address a cart URL could not be), cookies, the environment's proxy
(with credentials, a network in NO_PROXY, SOCKS refused; read once: see
test_woocommerce_paging.py)."""

from __future__ import annotations

import base64
import gzip
import importlib.util
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from woo_kit import woo_fixtures

from seom_desktop.carts.base import (
    AuthError,
    BadResponseError,
    CartConfig,
    PermanentError,
    RateLimitedError,
    RetryableError,
)
from seom_desktop.carts.http import POOL_SIZE, HttpClient
from seom_desktop.carts.paging import WORKERS
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.emulators.base import Response
from seom_desktop.emulators.woocommerce import API, WooCommerceEmulator

KEY, SECRET = "ck_httpclient", "cs_httpclient"
LIST = f"GET {API}/products"
BASIC = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()


server, emu = woo_fixtures(KEY, SECRET)


def config(url: str, **kw) -> CartConfig:
    return CartConfig(name="woo", kind="woocommerce", url=url, key=KEY, secret=SECRET,
                      connect_timeout=2.0, read_timeout=5.0, **kw)


def fill(emu, n: int) -> list[str]:
    skus = [f"F-{i:04d}" for i in range(n)]
    for i, sku in enumerate(skus):
        emu.add_item(sku, i % 7)
    return skus


def on_list(emu, monkeypatch, change):
    """Answers of GET /products passed through change(request, response)."""
    real = emu.handle

    def handle(req):
        resp = real(req)
        if req.path == API + "/products" and req.method == "GET":
            return change(req, resp)
        return resp

    monkeypatch.setattr(emu, "handle", handle)


def test_a_listing_goes_through_the_pool_and_gets_every_item(emu):
    skus = fill(emu, 250)
    conn = WooCommerceConnector(config(emu.url))
    items = list(conn.list_items())
    pool = conn.http.pool.connection_from_url(emu.url)
    conn.close()
    assert [i.sku for i in items] == skus
    assert [i.qoh for i in items] == [i % 7 for i in range(250)]
    assert emu.requests[LIST] == 3
    assert pool.num_requests == 3  # every page through the one pool


@pytest.mark.parametrize("params", [
    {"orderby": "id", "page": 3, "per_page": 100, "_fields": "id,sku,name"},
    {"sku": "a b,c&d=é/ü", "n": -4, "flag": True, "x": 1.5, "gone": None, "many": ["p", "q"]},
    {"q": "a~b*c!d'e(f)[g]%h+i", "t": ("x", None, "y"), "empty": "", "b": b"raw bytes"},
    [("page", 1), ("page", 2), ("z", "last")],
    {},
])
def test_the_url_sent_is_the_one_requests_prepares(tls_emu, monkeypatch, params):
    emu, base, tls = tls_emu  # (WooCommerce takes Basic credentials over https only)
    http = HttpClient(config(base, ca_bundle=str(tls.ca)), auth=(KEY, SECRET))
    seen = []
    on_list(emu, monkeypatch, lambda req, resp: seen.append(req) or resp)
    try:
        resp = http.request("GET", API + "/products", params=params)
    finally:
        http.close()
    want = requests.Request("GET", base + API + "/products", params=params).prepare()
    assert resp.url == want.url
    assert resp.status_code == 200 and isinstance(http.json(resp), list)
    (req,) = seen
    assert req.query == parse_qs(urlsplit(want.url).query, keep_blank_values=True)
    assert req.headers["user-agent"].startswith("seom-desktop/")
    assert req.headers["authorization"] == BASIC


def test_429_with_retry_after_is_rate_limited(emu):
    fill(emu, 3)
    emu.faults.retry_after = 7
    emu.faults.queue("429", 1, API + "/products")
    conn = WooCommerceConnector(config(emu.url))
    with pytest.raises(RateLimitedError) as err:
        list(conn.list_items())
    assert err.value.delay == 7 and err.value.status == 429
    assert [i.sku for i in conn.list_items()] == ["F-0000", "F-0001", "F-0002"]
    conn.close()


@pytest.mark.parametrize("fault,status", [("503", 503), ("500", 500), ("html", 502)])
def test_5xx_is_retryable(emu, fault, status):
    fill(emu, 2)
    emu.faults.queue(fault, 1, API + "/products")
    conn = WooCommerceConnector(config(emu.url))
    with pytest.raises(RetryableError) as err:
        list(conn.list_items())
    conn.close()
    assert err.value.status == status and f"HTTP {status}" in str(err.value)


def test_a_reset_connection_is_retryable_for_a_read(emu):
    fill(emu, 2)
    emu.faults.queue("reset", 1, API + "/products")
    conn = WooCommerceConnector(config(emu.url))
    with pytest.raises(RetryableError, match="was lost"):
        list(conn.list_items())
    conn.close()


def test_a_refused_connection_is_retryable():
    e = WooCommerceEmulator(key=KEY, secret=SECRET).start()
    url = e.url
    e.stop()  # nothing listens there any more
    conn = WooCommerceConnector(config(url))
    with pytest.raises(RetryableError, match="Can't reach"):
        list(conn.list_items())
    conn.close()


def test_an_html_page_with_200_is_a_bad_response(emu, monkeypatch):
    fill(emu, 2)
    on_list(emu, monkeypatch, lambda req, resp: Response(
        200, b"<!DOCTYPE html><html><body>Maintenance</body></html>",
        {"Content-Type": "text/html"}))
    conn = WooCommerceConnector(config(emu.url))
    with pytest.raises(BadResponseError, match="HTML page"):
        list(conn.list_items())
    conn.close()


def test_a_gzip_body_is_decoded(emu, monkeypatch):
    skus = fill(emu, 120)
    zipped = []

    def gz(req, resp):
        assert "gzip" in req.headers.get("accept-encoding", "")
        zipped.append(req.arg("page"))
        return Response(resp.status, gzip.compress(resp.body),
                        {**resp.headers, "Content-Encoding": "gzip"})

    on_list(emu, monkeypatch, gz)
    conn = WooCommerceConnector(config(emu.url))
    assert [i.sku for i in conn.list_items()] == skus
    conn.close()
    assert zipped == ["1", "2"]


def test_a_redirect_is_followed_with_the_credentials_on_the_same_host(tls_emu,
                                                                      monkeypatch):
    emu, base, tls = tls_emu  # (over https the connector sends Basic credentials)
    skus = fill(emu, 150)
    moved = []

    def redirect(req, resp):
        if req.arg("page") == "2" and req.arg("moved") is None:
            query = urlencode({k: v[-1] for k, v in req.query.items()} | {"moved": "1"})
            return Response(301, b"", {"Location": f"{API}/products?{query}"})
        if req.arg("moved"):
            moved.append(req.headers.get("authorization"))
        return resp

    on_list(emu, monkeypatch, redirect)
    conn = WooCommerceConnector(config(base, ca_bundle=str(tls.ca)))
    assert [i.sku for i in conn.list_items()] == skus
    conn.close()
    assert moved == [BASIC]
    assert emu.requests[LIST] == 3  # page 1, page 2 (moved), page 2 again


def test_a_redirect_to_another_host_goes_without_the_credentials(tls_emu, monkeypatch):
    emu, base, tls = tls_emu  # https://127.0.0.1:port; the certificate also names localhost
    fill(emu, 150)
    other = base.replace("127.0.0.1", "localhost")
    moved = []

    def redirect(req, resp):
        if req.arg("page") == "2" and req.arg("moved") is None:
            query = urlencode({k: v[-1] for k, v in req.query.items()} | {"moved": "1"})
            return Response(302, b"", {"Location": f"{other}{API}/products?{query}"})
        if req.arg("moved"):
            moved.append((req.headers.get("host"), req.headers.get("authorization")))
        return resp

    on_list(emu, monkeypatch, redirect)
    conn = WooCommerceConnector(config(base, ca_bundle=str(tls.ca)))
    with pytest.raises(AuthError):  # the emulator refuses the request without credentials
        list(conn.list_items())
    conn.close()
    assert moved == [(other.split("//")[1], None)]


def test_a_listing_keeps_its_connections_in_one_pool(emu):
    fill(emu, 1000)
    conn = WooCommerceConnector(config(emu.url))
    assert len(list(conn.list_items())) == 1000
    assert len(conn.http.pool.pools) == 1  # one pool for the cart's host
    pool = conn.http.pool.connection_from_url(emu.url)
    conn.close()
    assert emu.requests[LIST] == 10 and pool.num_requests == 10
    assert 1 <= pool.num_connections <= min(WORKERS, POOL_SIZE)  # kept alive, reused


def test_a_cookie_set_by_the_cart_is_kept_and_sent_back(emu, monkeypatch):
    fill(emu, 250)
    cookies = []

    def cookie(req, resp):
        cookies.append(req.headers.get("cookie"))
        if req.arg("page") == "1":
            return Response(resp.status, resp.body, {**resp.headers, "Set-Cookie": "lb=node7"})
        return resp

    on_list(emu, monkeypatch, cookie)
    conn = WooCommerceConnector(config(emu.url))
    assert len(list(conn.list_items())) == 250
    conn.close()
    assert cookies == [None, "lb=node7", "lb=node7"]


# --- TLS ------------------------------------------------------------------------------


def _seckit():
    path = Path(__file__).resolve().parents[1] / "security" / "seckit.py"
    spec = importlib.util.spec_from_file_location("seckit_for_http_client", path)
    module = sys.modules.get(spec.name)
    if module is None:
        module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


@pytest.fixture
def tls_emu(tmp_path_factory):
    """A fresh WooCommerce emulator served over https (seckit's test-only TLS)."""
    kit = _seckit()
    tls = kit.make_tls(tmp_path_factory.mktemp("tls"))
    e = WooCommerceEmulator(key=KEY, secret=SECRET)
    base = kit.start_tls(e, tls)
    yield e, base, tls
    e.stop()


@pytest.fixture(scope="module")
def tls_cart(tmp_path_factory):
    kit = _seckit()
    tls = kit.make_tls(tmp_path_factory.mktemp("tls"))
    e = WooCommerceEmulator(key=KEY, secret=SECRET)
    base = kit.start_tls(e, tls)
    e.add_item("TLS-1", 4)
    yield e, base, tls
    e.stop()


def test_tls_is_checked_against_the_carts_own_bundle(tls_cart, monkeypatch):
    emu, base, tls = tls_cart
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.ca))  # never replaces the cart's own
    for bundle in ("", str(tls.other_ca)):
        conn = WooCommerceConnector(config(base, ca_bundle=bundle))
        with pytest.raises(PermanentError, match="TLS certificate check failed"):
            list(conn.list_items())
        conn.close()
    assert emu.requests[LIST] == 0
    conn = WooCommerceConnector(config(base, ca_bundle=str(tls.ca)))
    assert [(i.sku, i.qoh) for i in conn.list_items()] == [("TLS-1", 4)]
    conn.close()
    assert emu.requests[LIST] == 1


@pytest.mark.parametrize("kind,problem", [
    ("text", "holds no PEM certificate"), ("empty", "holds no PEM certificate"),
    ("folder", "is not a file"), ("missing", "is not a file"),
])
def test_a_bad_ca_bundle_is_refused_by_the_rule_a_cart_definition_uses(tmp_path, kind,
                                                                       problem):
    from seom_desktop.store.carts import CartDefinitionError
    from seom_desktop.sync.cart_setup import check_ca_bundle

    path = tmp_path / "bundle.pem"
    if kind == "text":
        path.write_text("not a certificate\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    with pytest.raises(PermanentError, match=f"^woo: CA bundle .* {problem}"):
        HttpClient(config("https://shop.example.com", ca_bundle=str(path)))
    with pytest.raises(CartDefinitionError, match=f"^CA bundle .* {problem}"):
        check_ca_bundle(str(path))


def test_a_pem_ca_bundle_is_taken_by_its_absolute_path(tls_cart, monkeypatch):
    emu, base, tls = tls_cart
    monkeypatch.chdir(tls.ca.parent)
    http = HttpClient(config(base, ca_bundle=tls.ca.name), auth=(KEY, SECRET))
    try:
        assert http.ca_bundle == str(tls.ca.resolve())
        assert http.pool.connection_from_url(base).ca_certs == str(tls.ca.resolve())
        assert http.json(http.request("GET", API + "/products")) != []
    finally:
        http.close()
