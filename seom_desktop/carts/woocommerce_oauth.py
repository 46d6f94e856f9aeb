"""OAuth 1.0a "one-legged" signing of WooCommerce requests over plain http.

WooCommerce reads a consumer key and secret (HTTP Basic or `consumer_key` parameters) only
over https; over plain http it takes nothing but an OAuth 1.0a signature (RFC 5849 without a
token), made over the store's own home URL (WC_REST_Authentication::check_oauth_signature in
woocommerce/woocommerce, plugins/woocommerce/includes/class-wc-rest-authentication.php;
woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http):

    METHOD & enc(URL without its query) & enc(name=value pairs of every query parameter and
    oauth_* parameter but the signature, each name and value percent-encoded (RFC 3986),
    sorted by name, joined by &)

signed with HMAC-SHA256 keyed by `secret + "&"` (WooCommerce appends the empty token secret
to the consumer secret as it is, not percent-encoded). The request body is not signed. The
parameters go in the query string: `oauth_consumer_key`, `oauth_timestamp` (within 15
minutes of the store's clock), `oauth_nonce` (never used before), `oauth_signature_method`,
`oauth_signature`.

The nonce need only never repeat (the signature, keyed by the secret, is what cannot be
forged): a random prefix drawn once per process (again in a forked child) and a counter.
Drawing random bytes for each request let go of the interpreter lock for a system call
every request, and the page reader then waited for the store's thread to give it back.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import itertools
import os
import secrets
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

METHODS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
_nonces = (secrets.token_hex(8), itertools.count())


def _draw_prefix() -> None:
    global _nonces
    _nonces = (secrets.token_hex(8), itertools.count())


os.register_at_fork(after_in_child=_draw_prefix)


def fresh_nonce() -> str:
    """A nonce this process has not used: its random prefix and the next count."""
    prefix, counter = _nonces
    return f"{prefix}{next(counter):x}"


@functools.lru_cache(maxsize=1024)  # names and most values repeat from request to request
def encode(text: str) -> str:
    """RFC 3986 percent-encoding: everything but ALPHA, DIGIT, '-', '.', '_', '~'."""
    return quote(text, safe="-._~")


@functools.lru_cache(maxsize=64)  # a connector signs a few paths, over and over
def signed_url(url: str) -> str:
    """The URL as signed: scheme and host in lower case, no default port, no query."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is not None and (parts.scheme.lower(), port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return f"{parts.scheme.lower()}://{host}{parts.path or '/'}"


def base_string(method: str, url: str, params: Mapping[str, str]) -> str:
    pairs = sorted((encode(k), encode(v)) for k, v in params.items())
    joined = "&".join(f"{k}={v}" for k, v in pairs)
    # enc(joined): its names and values are encoded already (unreserved characters and
    # %XX only), so only '%', '&' and '=' are left to encode
    joined = joined.replace("%", "%25").replace("&", "%26").replace("=", "%3D")
    return f"{method.upper()}&{encode(signed_url(url))}&{joined}"


def signature(method: str, url: str, params: Mapping[str, str], secret: str,
              signature_method: str = "HMAC-SHA256") -> str:
    text = base_string(method, url, params)
    mac = hmac.new((secret + "&").encode(), text.encode(), METHODS[signature_method])
    return base64.b64encode(mac.digest()).decode()


def sign(method: str, url: str, params: Mapping[str, Any], key: str, secret: str, *,
         timestamp: int | None = None, nonce: str | None = None,
         signature_method: str = "HMAC-SHA256") -> dict[str, str]:
    """`params` (the query to send) with the oauth_* parameters and the signature added.
    Values are sent as requests sends them: None left out, anything else as str()."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, dict)):
            raise TypeError(f"query parameter {name!r}: only single values can be signed")
        out[name] = value if isinstance(value, str) else str(value)
    out.update(oauth_consumer_key=key, oauth_signature_method=signature_method,
               oauth_timestamp=str(int(time.time()) if timestamp is None else timestamp),
               oauth_nonce=nonce or fresh_nonce())
    out["oauth_signature"] = signature(method, url, out, secret, signature_method)
    return out


def signed_query(method: str, url: str, params: Mapping[str, Any], key: str,
                 secret: str) -> str:
    """The query string of a signed request: `sign`'s parameters, each name and value
    percent-encoded as they were signed (RFC 3986, which a query string accepts)."""
    return "&".join(f"{encode(k)}={encode(v)}"
                    for k, v in sign(method, url, params, key, secret).items())
