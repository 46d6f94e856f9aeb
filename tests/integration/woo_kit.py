"""The WooCommerce emulator as module-scoped fixtures, shared by the WooCommerce tests:
one server a module (stopping one takes half a second), its state fresh for each test.

    server, emu = woo_fixtures(KEY, SECRET)  # at module level; tests take `emu`

and `OAuth(key, secret)`: requests' auth= for raw requests to it over plain http.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests

from seom_desktop.carts.woocommerce_oauth import sign
from seom_desktop.emulators.woocommerce import WooCommerceEmulator


def woo_fixtures(key: str, secret: str, *, hang_seconds: float | None = None,
                 retry_after: int | None = None, **kwargs):
    @pytest.fixture(scope="module")
    def server():
        e = WooCommerceEmulator(key=key, secret=secret, **kwargs)
        if hang_seconds is not None:
            e.faults.hang_seconds = hang_seconds
        if retry_after is not None:
            e.faults.retry_after = retry_after
        e.start()
        yield e
        e.stop()

    @pytest.fixture
    def emu(server):
        server.reset()
        return server

    return server, emu


class OAuth(requests.auth.AuthBase):
    """Signs a request as a WooCommerce client must over plain http (OAuth 1.0a, the
    connector's own signing): the query as sent, with PHP's `name[]` lists signed as
    name[0], name[1], ... (WC_REST_Authentication::join_with_equals_sign)."""

    def __init__(self, key: str, secret: str, url: str | None = None):
        self.key, self.secret, self.url = key, secret, url

    def __call__(self, req):
        parts = urlsplit(req.url)
        flat: dict[str, str] = {}
        counts: dict[str, int] = {}
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name.endswith("[]"):
                n = counts[name] = counts.get(name, -1) + 1
                name = f"{name[:-2]}[{n}]"
            flat[name] = value
        url = self.url or urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        signed = sign(req.method, url, flat, self.key, self.secret)
        extra = urlencode({k: v for k, v in signed.items() if k.startswith("oauth_")})
        req.url = req.url + ("&" if parts.query else "?") + extra
        return req
