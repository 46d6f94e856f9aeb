"""The one place connectors make HTTP requests: a requests.Session with timeouts, TLS
verification, a user agent, and errors mapped to the classes of `base` with every
secret redacted from their messages."""

from __future__ import annotations

import json
import logging
import math
import re
from datetime import UTC
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

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
from seom_desktop.carts.redact import Redactor
from seom_desktop.carts.urls import check_url, is_loopback

USER_AGENT = f"seom-desktop/{__version__}"
MAX_MESSAGE = 300
LOG_DETAIL = 4000  # characters of an exception's own words kept in the log
POOL_SIZE = 10  # connections kept per host (more than the requests a listing has in flight)

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
    """A requests.Session bound to one cart, with error mapping and redaction."""

    def __init__(self, config: CartConfig, *, session: requests.Session | None = None):
        self.config = config
        self.base_url = check_url(config.url)
        self.redact = Redactor(config.secrets())
        own = session is None
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        try:
            self.session.verify = check_ca_bundle(config.ca_bundle) or True
        except ValueError as e:
            raise PermanentError(f"{config.name}: {e}") from None
        self.timeout = (config.connect_timeout, config.read_timeout)
        # The environment's proxies (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, with NO_PROXY
        # honoured) are read once, for this cart's URL, instead of on every request (with
        # trust_env on, requests re-reads the environment and ~/.netrc each time, which
        # costs more than the rest of a request to a nearby cart).
        self._env = self.session.trust_env
        self.proxies = get_environ_proxies(self.base_url) if self._env else {}
        self.session.trust_env = False
        if own:  # listings read a few pages at once (carts/paging.py): keep a connection each
            adapter = HTTPAdapter(pool_connections=POOL_SIZE, pool_maxsize=POOL_SIZE)
            self.session.mount("https://", adapter)
            self.session.mount("http://", adapter)

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        write: bool = False,
        error_message=None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request; return the response when its status is 2xx, else raise the
        matching CartError. `write` marks requests that change the cart: a lost answer
        to one is ambiguous. `error_message(response)` extracts the cart's own words."""
        url = path if path.startswith("http") else self.base_url + path
        kwargs.setdefault("timeout", self.timeout)
        # Given per request, so that no environment variable (REQUESTS_CA_BUNDLE,
        # CURL_CA_BUNDLE) replaces the cart's own CA bundle; never False.
        kwargs["verify"] = self.session.verify or True
        if self._env and "proxies" not in kwargs:
            # (a URL off the cart's own base, rare, is judged on its own against NO_PROXY)
            proxies = (self.proxies if url.startswith(self.base_url + "/")
                       or url == self.base_url else get_environ_proxies(url))
            if proxies:  # (an empty dict would only cost requests a merge)
                kwargs["proxies"] = proxies
        name = self.config.name
        try:
            resp = self.session.request(method, url, **kwargs)
        except requests.exceptions.RequestException as e:
            # The clerk reads what happened and what to do; the details go to the log.
            log.warning("%s: %s %s failed: %s", name, method, self.redact(url),
                        self.redact(f"{type(e).__name__}: {e}"[:LOG_DETAIL]))
            raise self._clerk_error(e, write) from None
        if 200 <= resp.status_code < 300:
            return resp
        raise self.error_for(resp, error_message)

    def json(self, resp: requests.Response, *, write: bool = False) -> Any:
        """The response body as JSON; an HTML page or malformed JSON raises."""
        text = _text(resp)
        try:
            if too_deep(text):
                raise ValueError("nested too deeply")
            return _DECODER.decode(text)
        except (ValueError, RecursionError):
            what = "an HTML page" if looks_like_html(text) else "malformed JSON"
            msg = f"{self.config.name}: HTTP {resp.status_code} answered with {what}"
            if write:
                raise AmbiguousError(msg, status=resp.status_code) from None
            raise BadResponseError(msg, status=resp.status_code) from None

    def error_for(self, resp: requests.Response, error_message=None) -> CartError:
        status = resp.status_code
        words = ""
        text = resp.text or ""
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

    def _clerk_error(self, e: requests.exceptions.RequestException, write: bool) -> CartError:
        """A failed exchange in the clerk's words: what happened, at which cart and
        address, and what to do. (Which exception it was is in the log.)"""
        name, where = self.config.name, self.base_url
        unreachable = f"Can't reach {name} at {where}: check the URL and that the store is up"
        if isinstance(e, requests.exceptions.ConnectTimeout):
            return RetryableError(f"{unreachable} (no answer in {self.timeout[0]:g} s)")
        if isinstance(e, requests.exceptions.SSLError):
            hint = ("" if self.config.ca_bundle else "; if the cart's certificate is issued by "
                    "a private CA, give that CA's certificate as the cart's CA bundle (--ca-bundle)")
            return PermanentError(f"{name}: TLS certificate check failed: {where} did not show "
                                  f"a certificate this computer trusts{hint}")
        if isinstance(e, requests.exceptions.ConnectionError):
            # A refused connection never reached the cart; a reset or a read timeout
            # after the request went out may have been applied.
            if _refused(e):
                return RetryableError(unreachable)
            if not write:
                return RetryableError(f"{name} at {where}: the connection was lost; check "
                                      "that the store is up (it is tried again)")
            return AmbiguousError(f"{name} at {where}: the connection was lost after the "
                                  "change was sent")
        if isinstance(e, requests.exceptions.Timeout):
            text = f"{name} at {where}: no answer in {self.timeout[1]:g} s"
            return (AmbiguousError(text + " after the change was sent") if write
                    else RetryableError(text + "; check that the store is up"))
        return RetryableError(unreachable)


def _text(resp: requests.Response) -> str:
    """resp.text, without its costs when the body is declared (or JSON, hence) UTF-8 and
    is valid UTF-8: the same string; anything else goes through resp.text as before."""
    encoding = resp.encoding
    if encoding is not None and encoding.lower() in ("utf-8", "utf8"):
        try:
            return resp.content.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return resp.text


MAX_DEPTH = 200  # no cart answer nests deeper; a hostile one may nest 100,000 deep
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string: its brackets do not count
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects more than `limit` deep (brackets
    inside strings do not count). Such a text is refused before it is decoded: decoding
    it recurses a level per bracket, to the interpreter's limit, and anything the cycle
    collector finalizes meanwhile (it runs on allocations, and decoding allocates a list
    a level) fails for lack of stack. Cheap for an ordinary answer: the brackets are
    counted first, and only a text with more than `limit` of them is looked at; then its
    brackets alone (strings and the rest taken out) lose their innermost empty pairs,
    a level a round, in C: an answer 5 deep is gone in 5 rounds. A text with brackets
    left after `limit` rounds, or once a round removes nothing (mismatched brackets), is
    walked token by token."""
    if text.count("[") + text.count("{") <= limit:
        return False
    # Outside strings: between every other quote, unless a quote is escaped somewhere.
    outside = ("".join(text.split('"')[0::2]) if '\\"' not in text
               else _STRING.sub("", text))
    brackets = _NOT_BRACKET.sub("", outside)
    for _ in range(limit):
        peeled = brackets.replace("[]", "").replace("{}", "")
        if not peeled:
            return False
        if peeled == brackets:
            break
        brackets = peeled
    return _walk_deeper(text, limit)


def _walk_deeper(text: str, limit: int) -> bool:
    depth = 0
    for m in _TOKENS.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth > limit:
                return True
        elif c == "]" or c == "}":
            depth -= 1
    return False


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')  # a JSON string, or a bracket


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


# json.loads(text, parse_constant=..., parse_float=...) builds a decoder on every call
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float)


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


def _refused(exc: Exception) -> bool:
    """The connection was never made (refused, no such host, no route): nothing was sent."""
    text = str(exc)
    return any(m in text for m in ("Connection refused", "Errno 111", "NewConnectionError",
                                   "NameResolutionError", "Failed to resolve",
                                   "No route to host", "Network is unreachable"))


__all__ = [
    "HttpClient",
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
