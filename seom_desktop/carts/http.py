"""The one place connectors make HTTP requests: HttpClient, one cart's urllib3 pool with
timeouts, TLS verification, a user agent, the connector's credentials, the environment's
proxy, cookies and redirects as requests had them (tested with urllib3 2.0.7 and 2.8.0),
and errors mapped to the classes of `base` with every secret redacted from their messages.
(requests' per-request work cost about 0.4 s of CPU a 1,000-page read: bench/README.md.)"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar
from json import dumps as _dumps
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
from urllib3 import HTTPHeaderDict, PoolManager, ProxyManager, Timeout
from urllib3.exceptions import HTTPError
from urllib3.util import make_headers

from seom_desktop import __version__
from seom_desktop.carts.base import (
    AmbiguousError,
    AuthError,
    BadResponseError,
    CartConfig,
    CartError,
    PermanentError,
    RateLimitedError,
    RetryableError,
)
from seom_desktop.carts.http_errors import clerk_error
from seom_desktop.carts.http_json import MAX_DEPTH, decode, too_deep
from seom_desktop.carts.http_proxy import ProxySettings, proxy_headers
from seom_desktop.carts.http_response import (
    ConnectionLostError,
    CookieAnswer,
    Response,
    cookie_request,
    encode_query,
)
from seom_desktop.carts.http_rules import basic_auth, leaves_origin, method_after
from seom_desktop.carts.redact import Redactor
from seom_desktop.carts.urls import check_url, is_loopback

USER_AGENT = f"seom-desktop/{__version__}"
MAX_MESSAGE = 300
LOG_DETAIL = 4000  # characters of an exception's own words kept in the log
POOL_SIZE = 10  # connections kept per host (more than the requests a listing has in flight)
MAX_REDIRECTS = 30  # requests' limit
REDIRECTS = (301, 302, 303, 307, 308)
# What requests sent with every request (requests.utils.default_headers)
DEFAULT_HEADERS = {"User-Agent": USER_AGENT,
                   "Accept-Encoding": make_headers(accept_encoding=True)["accept-encoding"],
                   "Accept": "*/*", "Connection": "keep-alive"}
# The headers a redirect to another host keeps: none of the connector's credentials
KEPT_ACROSS_HOSTS = frozenset(k.lower() for k in DEFAULT_HEADERS) | {"content-type"}

log = logging.getLogger(__name__)


MAX_DELAY = 3600.0  # the longest wait a cart may ask for; more is a broken header


def clamp_delay(seconds: float | None, default: float = 1.0) -> float:
    """A wait a cart asked for, as a number of seconds from 0 to MAX_DELAY (NaN, an
    infinity or nothing: `default`)."""
    if seconds is None or not math.isfinite(seconds):
        return default
    return min(max(0.0, seconds), MAX_DELAY)


def retry_after_seconds(value: str | None, default: float = 1.0) -> float:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return default
    try:
        return clamp_delay(float(value), default)
    except ValueError:
        pass
    try:
        from datetime import datetime

        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return clamp_delay((when - datetime.now(UTC)).total_seconds(), default)
    except (TypeError, ValueError, IndexError, OverflowError):
        return default


class PageGuard:
    """Keeps a listing from running forever on a cart that answers the same page again
    (a cursor or offset it ignores, a page count that never ends): `repeated(page)` says
    whether a page equals the one before; more than `limit` pages raises. A page is its
    parsed objects, or the raw bytes of its answer (cheaper: no re-encoding)."""

    def __init__(self, name: str, what: str, limit: int = 100_000):
        self.name, self.what, self.limit = name, what, limit
        self.pages = 0
        self._last: str | bytes | None = None

    def repeated(self, page: Any) -> bool:
        self.pages += 1
        if self.pages > self.limit:
            raise BadResponseError(f"{self.name}: {self.what} never ends "
                                   f"(more than {self.limit:,} pages)")
        # A raw answer body is compared as it is (an identical page is identical bytes);
        # a parsed page by its canonical JSON.
        mark = page if isinstance(page, bytes) else json.dumps(page, sort_keys=True, default=str)
        same, self._last = mark == self._last, mark
        return same

    def check(self, page: Any) -> None:
        """Raise BadResponseError when the page equals the one before."""
        if self.repeated(page):
            raise BadResponseError(f"{self.name}: {self.what}: the cart answered the same "
                                   f"page again (page {self.pages}); the listing would never end")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html") or "<body" in head


class HttpClient:
    """One cart's HTTP, with error mapping and redaction. `headers` (sent with every
    request, e.g. a token header) and `auth` (HTTP Basic user and password) are the
    connector's; both may also be set later (`client.headers[...]`, `client.auth`).
    `pool_class` is the urllib3 PoolManager class the requests go through (a test may
    give a subclass that watches them); it gets the TLS settings and the pool size."""

    def __init__(self, config: CartConfig, *, headers: dict[str, str] | None = None,
                 auth: tuple[str, str] | None = None,
                 pool_class: type[PoolManager] = PoolManager):
        self.config = config
        self.base_url = check_url(config.url)
        self.redact = Redactor(config.secrets())
        try:
            self.ca_bundle = check_ca_bundle(config.ca_bundle)
        except ValueError as e:
            raise PermanentError(f"{config.name}: {e}") from None
        self.timeout = (config.connect_timeout, config.read_timeout)
        self._timeout = Timeout(connect=config.connect_timeout, read=config.read_timeout)
        # Certificates are always checked: against the cart's CA bundle, else certifi's
        # (the bundle requests used), whatever the environment says.
        self._tls = {"cert_reqs": "CERT_REQUIRED", "ca_certs": self.ca_bundle or certifi.where()}
        self.pool = pool_class(num_pools=POOL_SIZE, maxsize=POOL_SIZE, **self._tls)
        self.headers = HTTPHeaderDict(DEFAULT_HEADERS)
        self.headers.update(headers or {})
        self.auth = auth
        self.cookies = CookieJar()  # what the cart sets (a load balancer's, a session's)
        # The environment's proxies, read once for this cart instead of on every request.
        self.proxies = ProxySettings()
        self._proxy = self.proxies.for_url(self.base_url)
        self._proxied: dict[str, ProxyManager] = {}
        self._lock = threading.Lock()

    @property
    def auth(self) -> tuple[str, str] | None:
        return self._auth

    @auth.setter
    def auth(self, value: tuple[str, str] | None) -> None:
        self._auth = tuple(value) if value else None  # type: ignore[assignment]
        if self._auth:
            self.headers["Authorization"] = basic_auth(*self._auth)
        else:
            self.headers.pop("Authorization", None)

    def close(self) -> None:
        self.pool.clear()
        for manager in self._proxied.values():
            manager.clear()

    def request(self, method: str, path: str, *, write: bool = False,
                error_message: Callable[[Response], str] | None = None, params: Any = None,
                json: Any = None, data: bytes | None = None,
                headers: dict[str, str] | None = None, stream: bool = False,
                timeout: Timeout | None = None) -> Response:
        """Send a request; return the response when its status is 2xx, else raise the
        matching CartError. `write` marks requests that change the cart: a lost answer
        to one is ambiguous. `error_message(response)` extracts the cart's own words.
        `params` is the query (encoded as requests encoded it), `json` or `data` the
        body; `stream`: the body is read by the caller (iter_lines, then close)."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        query = encode_query(params)
        if query:
            url += query if url.endswith("?") else ("&" if "?" in url else "?") + query
        sent = self.headers.copy()
        if headers:
            sent.update(headers)
        body = data
        if json is not None and not data:
            try:
                body = _dumps(json, allow_nan=False).encode("utf-8")
            except (TypeError, ValueError) as e:
                raise PermanentError(f"{self.config.name}: the request could not be written "
                                     f"as JSON ({e})") from None
            sent.setdefault("Content-Type", "application/json")
        for _ in range(MAX_REDIRECTS + 1):
            resp = self._send(method, url, body, sent, write, stream, timeout or self._timeout)
            location = resp.headers.get("Location") if resp.status_code in REDIRECTS else None
            if not location:
                break
            try:
                resp.content  # noqa: B018 - read out, so the connection goes back to the pool
            except ConnectionLostError:
                pass
            resp.close()
            method, url, body = self._redirected(resp, method, url, body, sent, location)
        else:
            raise RetryableError(f"{self.config.name} at {self.base_url}: more than "
                                 f"{MAX_REDIRECTS} redirects")
        if 200 <= resp.status_code < 300:
            return resp
        raise self.error_for(resp, error_message)

    def _send(self, method: str, url: str, body: bytes | None, headers: HTTPHeaderDict,
              write: bool, stream: bool, timeout: Timeout) -> Response:
        if self.cookies:
            asked = cookie_request(url)
            self.cookies.add_cookie_header(asked)
            cookie = asked.get_header("Cookie")
            if cookie:
                headers["Cookie"] = cookie
        on_base = url.startswith(self.base_url) and url[len(self.base_url):][:1] in ("", "/", "?")
        proxy = self._proxy if on_base else self.proxies.for_url(url)
        try:
            raw = self._manager(proxy).urlopen(
                method, url, body=body, headers=headers, redirect=False, retries=False,
                timeout=timeout, preload_content=not stream)
        except (HTTPError, OSError, ValueError) as e:
            # The clerk reads what happened and what to do; the details go to the log.
            log.warning("%s: %s %s failed: %s", self.config.name, method, self.redact(url),
                        self.redact(f"{type(e).__name__}: {e}"[:LOG_DETAIL]))
            if isinstance(e, ValueError) and not isinstance(e, HTTPError):
                raise PermanentError(f"{self.config.name}: the request to {self.base_url} "
                                     f"could not be sent ({type(e).__name__}: a header or "
                                     "the address is not valid)") from None
            raise clerk_error(e, write=write, name=self.config.name, where=self.base_url,
                              timeout=self.timeout, has_ca_bundle=bool(self.ca_bundle)) from None
        if "Set-Cookie" in raw.headers:
            self.cookies.extract_cookies(CookieAnswer(raw.headers), cookie_request(url))
        return Response(raw, url, content=None if stream else raw.data)

    def _manager(self, proxy: str) -> PoolManager:
        if not proxy:
            return self.pool
        with self._lock:
            manager = self._proxied.get(proxy)
            if manager is None:
                if urlsplit(proxy).scheme.lower() not in ("http", "https"):
                    raise PermanentError(f"{self.config.name}: the proxy of this computer's "
                                         "settings is not an http(s) proxy (SOCKS proxies "
                                         "are not supported)")
                manager = self._proxied[proxy] = ProxyManager(
                    proxy, num_pools=POOL_SIZE, maxsize=POOL_SIZE,
                    proxy_headers=proxy_headers(proxy), **self._tls)
        return manager

    def _redirected(self, resp: Response, method: str, url: str, body: bytes | None,
                    headers: HTTPHeaderDict, location: str) -> tuple[str, str, bytes | None]:
        """The next request after a redirect, as requests made it (Session.resolve_
        redirects: 301 POST, 302 and 303 become GET without their body); `headers` are
        changed in place. A move to another host, port or scheme (but http to https)
        takes none of the connector's credentials, and a body is never sent there."""
        try:
            location = location.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
        if location.startswith("//"):
            location = f"{urlsplit(url).scheme}:{location}"
        target = urljoin(url, location)
        name = self.config.name
        try:
            check_url(target)
        except ValueError as e:
            raise PermanentError(self.redact(f"{name}: the cart redirected a request to an "
                                             f"address that is refused: {e}")) from None
        method = method_after(resp.status_code, method)
        if resp.status_code not in (307, 308):
            body = None
            for gone in ("Content-Length", "Content-Type", "Transfer-Encoding"):
                headers.pop(gone, None)
        headers.pop("Cookie", None)
        if leaves_origin(url, target):
            if body is not None:
                raise PermanentError(self.redact(
                    f"{name}: the cart redirected a {method} with its body to another "
                    f"address ({urlsplit(target).netloc}); it is not sent there"))
            for header in list(headers):
                if header.lower() not in KEPT_ACROSS_HOSTS:
                    headers.pop(header, None)
        return method, target, body

    def json(self, resp: Response, *, write: bool = False) -> Any:
        """The response body as JSON; an HTML page or malformed JSON raises."""
        text = resp.text
        try:
            if too_deep(text):
                raise ValueError("nested too deeply")
            return decode(text)
        except (ValueError, RecursionError):
            what = "an HTML page" if looks_like_html(text) else "malformed JSON"
            msg = f"{self.config.name}: HTTP {resp.status_code} answered with {what}"
            if write:
                raise AmbiguousError(msg, status=resp.status_code) from None
            raise BadResponseError(msg, status=resp.status_code) from None

    def error_for(self, resp: Response, error_message=None) -> CartError:
        status = resp.status_code
        words = ""
        try:
            text = resp.text or ""
        except ConnectionLostError:
            text = ""
        if error_message is not None and not too_deep(text):
            try:
                words = error_message(resp) or ""
            except Exception:  # noqa: BLE001 - a malformed error body still gets a message
                words = ""
        if not words:
            words = "an HTML error page" if looks_like_html(text) else _short(text) or resp.reason
        msg = self.redact(f"{self.config.name}: HTTP {status}: {_short(str(words))}")
        log.info("%s: HTTP %s from %s: %s", self.config.name, status, self.redact(resp.url),
                 self.redact(_short(text)))
        if status == 429:
            delay = retry_after_seconds(resp.headers.get("Retry-After"))
            return RateLimitedError(msg, delay=delay, status=status)
        if status in (401, 403):
            return AuthError(msg, status=status)
        if status >= 500 or status in (408, 425):
            return RetryableError(msg, status=status)
        return PermanentError(msg, status=status)


MAX_CA_BUNDLE = 5 * 1024 * 1024  # bytes; a CA bundle is a few hundred KB at most


def check_ca_bundle(path: str | None) -> str:
    """A CA bundle given for a cart must be a readable PEM file holding at least one
    certificate. Returns its absolute path ("" for none); raises ValueError naming the
    problem (the one rule for a cart being defined and for a connector being made)."""
    if path is None or not str(path).strip():
        return ""
    p = Path(str(path).strip()).expanduser()
    try:
        p = p.resolve()
        if not p.is_file():
            raise ValueError(f"CA bundle {str(path)!r} is not a file")
        with p.open("rb") as f:
            head = f.read(MAX_CA_BUNDLE + 1)
    except OSError as e:
        raise ValueError(f"CA bundle {str(path)!r} cannot be read "
                         f"({e.strerror or type(e).__name__})") from None
    if len(head) > MAX_CA_BUNDLE or b"-----BEGIN CERTIFICATE-----" not in head:
        raise ValueError(f"CA bundle {str(path)!r} holds no PEM certificate "
                         "(-----BEGIN CERTIFICATE-----)")
    return str(p)


__all__ = [
    "HttpClient",
    "MAX_DEPTH",
    "Response",
    "too_deep",
    "Redactor",
    "check_ca_bundle",
    "check_url",
    "clamp_delay",
    "PageGuard",
    "is_loopback",
    "retry_after_seconds",
    "looks_like_html",
    "CartError",
]
