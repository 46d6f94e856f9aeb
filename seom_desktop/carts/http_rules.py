"""What requests did with credentials and redirects that a cart relies on (requests
2.31-2.34, kept when the client moved to urllib3): HTTP Basic's encoding, the method a
redirect asks for, and which redirects leave the cart's origin (no credentials go there)."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit


def basic_auth(user: str, password: str) -> str:
    """HTTP Basic as requests wrote it (Latin-1; UTF-8 where Latin-1 cannot say it)."""
    try:
        raw = f"{user}:{password}".encode("latin-1")
    except UnicodeEncodeError:
        raw = f"{user}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def leaves_origin(old: str, new: str) -> bool:
    """Whether a redirect from `old` to `new` must drop the credentials (requests'
    Session.should_strip_auth): another host; another port or scheme, except http to
    https on the default ports."""
    a, b = urlsplit(old), urlsplit(new)
    if a.hostname != b.hostname:
        return True
    if (a.scheme == "http" and a.port in (80, None) and b.scheme == "https"
            and b.port in (443, None)):
        return False
    default = (_DEFAULT_PORTS.get(a.scheme), None)
    if a.scheme == b.scheme and a.port in default and b.port in default:
        return False
    return a.port != b.port or a.scheme != b.scheme


def method_after(status: int, method: str) -> str:
    """The method of the request a redirect asks for (requests' rebuild_method): 302 and
    303 turn anything but HEAD into GET, 301 turns POST into GET; 307 and 308 keep it."""
    if (status in (302, 303) and method != "HEAD") or (status == 301 and method == "POST"):
        return "GET"
    return method


__all__ = ["basic_auth", "leaves_origin", "method_after"]
