"""Cart addresses: what a cart URL may be (http(s) with a host; plain http only on this
computer), checked before any request is made."""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    host = (host or "").strip("[]").lower()
    if host == "localhost":  # not "*.localhost": a DNS server may answer for those
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


EXAMPLE = "type the store's address, e.g. https://shop.example.com"


def check_url(url: str) -> str:
    """A cart URL must be http(s) with a host; plain http only on loopback. Returns the
    URL without a trailing slash; raises ValueError naming the problem."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ValueError(f"cart URL {url!r} is not a web address: {EXAMPLE}") from None
    if not text:
        raise ValueError(f"cart URL is empty: {EXAMPLE}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"cart URL {url!r} is not an http(s) URL: {EXAMPLE}")
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise ValueError(f"cart URL {url!r} contains spaces or control characters: {EXAMPLE}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(f"cart URL {url!r} must use https (https://{parts.hostname}...); "
                         "plain http is for a store on this computer only")
    if parts.username or parts.password:
        raise ValueError("cart URL must not carry credentials; give them as key/secret/token")
    return url.strip().rstrip("/")
