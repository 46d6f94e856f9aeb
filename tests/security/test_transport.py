"""Transport: plain http only on loopback (through `cart add`, `cart set` and the
Shopping Carts dialog's Edit Cart), certificates always checked (a real TLS server on
loopback: refused without the CA, accepted with --ca-bundle), and no way in the source
to turn verification off."""

from __future__ import annotations

import json
import re
from pathlib import Path

import certifi
import pytest
from seckit import KINDS, cart_args, cli, dump, make_emulator, start_tls

import seom_desktop
from seom_desktop import credentials

NOT_LOOPBACK = [
    "http://shop.example.com",
    "http://127.0.0.1.nip.io:8080",
    "http://evil.localhost",
    "http://localhost.evil.com",
    "http://127.0.0.1@evil.com",
    "http://evil.com#@127.0.0.1",
    "http://0x7f000001",
    "http://10.0.0.1",
    "ftp://127.0.0.1",
    "https://shop.example.com\n.evil",
    "https://user:pw@shop.example.com",
    "javascript:alert(1)",
    "",
]


@pytest.mark.parametrize("url", NOT_LOOPBACK)
def test_cart_add_refuses_plain_http_off_loopback(store_url, url):
    before = dump(store_url)
    r = cli(store_url, "cart", "add", "Web", "--kind", "woocommerce", "--url", url,
            "--key", "k", "--secret", "s")
    assert r.rc == 2, r
    assert r.err.startswith("error: ") and r.err.count("\n") == 1, r.err
    assert "URL" in r.err
    assert dump(store_url) == before
    assert credentials.load(credentials.reference_for("Web")) == {}


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:8080",
                                 "http://[::1]:8080", "https://shop.example.com"])
def test_cart_add_takes_https_and_loopback(store_url, url):
    r = cli(store_url, "cart", "add", "Web", "--kind", "woocommerce", "--url", url)
    assert r.rc == 0, r


@pytest.mark.parametrize("url", NOT_LOOPBACK[:4])
def test_cart_set_refuses_plain_http_off_loopback(store_url, url):
    assert cli(store_url, "cart", "add", "Web", "--kind", "woocommerce",
               "--url", "https://shop.example.com").rc == 0
    before = dump(store_url)
    r = cli(store_url, "cart", "set", "Web", "--url", url)
    assert r.rc == 2 and r.err.startswith("error: cart URL"), r
    assert dump(store_url) == before


def test_edit_cart_dialog_refuses_plain_http(store_url, qtbot):
    from PySide6.QtCore import QThreadPool

    from seom_desktop.store.engine import open_store
    from seom_desktop.ui.dialogs.shopping_carts import ShoppingCartsDialog

    assert cli(store_url, "cart", "add", "Web", "--kind", "woocommerce",
               "--url", "https://shop.example.com", "--key", "k1", "--secret", "s1").rc == 0
    store = open_store(store_url)
    try:
        before = dump(store_url)
        d = ShoppingCartsDialog(store, workstation="test-ws")
        qtbot.addWidget(d)
        d.show()
        qtbot.waitUntil(lambda: bool(d.carts), timeout=5000)  # read on a pool thread
        d.edit_cart("Web")
        QThreadPool.globalInstance().waitForDone(10_000)  # the keyring read of the cart
        qtbot.wait(50)
        d.url.editor.setText("http://shop.example.com")
        d.save()  # refused before anything is written
        qtbot.waitUntil(lambda: "https" in d.url.error.text(), timeout=5000)
        assert d.url.error.isVisible()
        assert dump(store_url) == before
        d.url.editor.setText("https://other.example.com")
        with qtbot.waitSignal(d.save_finished, timeout=5000):  # written on a pool thread
            d.save()
        assert d.url.error.text() == ""
        assert json.loads(cli(store_url, "cart", "list", "--json").out)[0]["url"] == \
            "https://other.example.com"
        # the credentials were kept (the fields were left empty)
        assert credentials.load("cart:Web") == {"key": "k1", "secret": "s1"}
    finally:
        store.close()


# --- TLS for real ---------------------------------------------------------------------


@pytest.fixture
def https_cart(request, tls):
    kind = request.param
    emu = make_emulator(kind)
    base = start_tls(emu, tls)
    for i in range(3):
        emu.add_item(f"TLS-{i}", 5 + i, name=f"TLS item {i}")
    yield kind, emu, base
    emu.stop()


@pytest.mark.parametrize("https_cart", KINDS, indirect=True)
def test_private_ca_refused_without_bundle_accepted_with_it(store_url, https_cart, tls):
    kind, emu, base = https_cart
    assert cli(store_url, "cart", "add", "Web", *cart_args(kind, base)).rc == 0
    before = dump(store_url)

    r = cli(store_url, "get-qoh", "Web", "--create-new")
    assert r.rc == 1, r
    assert r.err.startswith("error: Web: TLS certificate check failed"), r.err
    assert "--ca-bundle" in r.err and r.err.count("\n") == 1
    assert dump(store_url) == before
    assert emu.requests.total() == 0  # nothing reached the cart's API

    # a CA that did not issue the certificate does not help either
    assert cli(store_url, "cart", "set", "Web", "--ca-bundle", str(tls.other_ca)).rc == 0
    r = cli(store_url, "get-qoh", "Web", "--create-new")
    assert r.rc == 1 and "TLS certificate check failed" in r.err, r
    assert dump(store_url) == before

    assert cli(store_url, "cart", "set", "Web", "--ca-bundle", str(tls.ca)).rc == 0
    r = cli(store_url, "get-qoh", "Web", "--create-new", "--json")
    assert r.rc == 0, r
    assert {c["sku"] for c in json.loads(r.out)["created"]} == {"TLS-0", "TLS-1", "TLS-2"}
    assert cli(store_url, "adjust", "TLS-1", "--delta", "4").rc == 0
    r = cli(store_url, "send-qoh", "Web", "--json")
    assert r.rc == 0 and json.loads(r.out)["sent"] == 3, r
    assert emu.quantity("TLS-1") == 10


def test_ca_bundle_is_kept_in_the_keyring_not_in_the_store(store_url, tls):
    from seckit import store_bytes

    r = cli(store_url, "cart", "add", "Web", "--kind", "shopify", "--url",
            "https://shop.example.com", "--token", "t0k3n-abc", "--ca-bundle", str(tls.ca))
    assert r.rc == 0, r
    assert credentials.load("cart:Web") == {"token": "t0k3n-abc", "ca_bundle": str(tls.ca)}
    assert str(tls.ca).encode() not in store_bytes(store_url)
    # changing the credentials elsewhere keeps the bundle; '' removes it
    credentials.save("cart:Web", {"token": "new-t0k3n"})
    assert credentials.load("cart:Web")["ca_bundle"] == str(tls.ca)
    assert cli(store_url, "cart", "set", "Web", "--ca-bundle", "").rc == 0
    assert credentials.load("cart:Web") == {"token": "new-t0k3n"}


def test_environment_cannot_replace_the_carts_bundle(store_url, tls, monkeypatch):
    emu = make_emulator("shopify")
    base = start_tls(emu, tls)
    try:
        emu.add_item("ENV-1", 3)
        assert cli(store_url, "cart", "add", "Web", *cart_args("shopify", base),
                   "--ca-bundle", str(tls.ca)).rc == 0
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.other_ca))
        monkeypatch.setenv("CURL_CA_BUNDLE", "")
        r = cli(store_url, "get-qoh", "Web", "--create-new")
        assert r.rc == 0, r
        # and without a bundle of its own, an empty CURL_CA_BUNDLE does not turn checks off
        assert cli(store_url, "cart", "set", "Web", "--ca-bundle", "").rc == 0
        monkeypatch.delenv("REQUESTS_CA_BUNDLE")
        r = cli(store_url, "get-qoh", "Web")
        assert r.rc == 1 and "TLS certificate check failed" in r.err, r
    finally:
        emu.stop()


@pytest.mark.parametrize("content", [None, b"not a certificate\n", b""])
def test_bad_ca_bundle_is_bad_input(store_url, tmp_path, content):
    path = tmp_path / "bundle.pem"
    if content is not None:
        path.write_bytes(content)
    before = dump(store_url)
    r = cli(store_url, "cart", "add", "Web", "--kind", "shopify", "--url",
            "https://shop.example.com", "--token", "t", "--ca-bundle", str(path))
    assert r.rc == 2, r
    assert r.err.startswith("error: CA bundle") and r.err.count("\n") == 1, r.err
    assert dump(store_url) == before
    assert credentials.load("cart:Web") == {}


def test_ca_bundle_gone_later_is_a_clear_cart_error(store_url, tls, tmp_path):
    bundle = tmp_path / "ca-copy.pem"
    bundle.write_bytes(tls.ca.read_bytes())
    assert cli(store_url, "cart", "add", "Web", "--kind", "shopify", "--url",
               "https://127.0.0.1:9", "--token", "t", "--ca-bundle", str(bundle)).rc == 0
    bundle.unlink()
    r = cli(store_url, "get-qoh", "Web")
    assert r.rc == 1, r
    assert "CA bundle" in r.err and "Traceback" not in r.err and r.err.count("\n") == 1, r.err


# --- no way to turn verification off ------------------------------------------------

FORBIDDEN = [
    r"verify\s*=\s*False",
    r"\.verify\s*=\s*(False|0|None|\"\")",
    r"CERT_NONE",
    r"check_hostname\s*=\s*False",
    r"_create_unverified_context",
    r"disable_warnings",
    r"InsecureRequestWarning",
]


def test_no_code_turns_certificate_checks_off():
    root = Path(seom_desktop.__file__).parent
    hits = []
    for path in sorted(root.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern in FORBIDDEN:
                if re.search(pattern, line):
                    hits.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_every_connector_checks_certificates():
    from seom_desktop.carts.base import CartConfig
    from seom_desktop.carts.registry import KINDS as ALL
    from seom_desktop.carts.registry import make_connector

    for kind in ALL:
        cfg = CartConfig(name="c", kind=kind, url="https://shop.example.com", key="k",
                         secret="c2VjcmV0", token="t")
        conn = make_connector(cfg)
        try:
            # the pool its requests to the cart go through: certificates required, checked
            # against certifi's bundle (the one requests used) when the cart names none
            pool = conn.http.pool.connection_from_url(cfg.url)
            assert (pool.cert_reqs, pool.ca_certs) == ("CERT_REQUIRED", certifi.where()), kind
        finally:
            conn.close()
