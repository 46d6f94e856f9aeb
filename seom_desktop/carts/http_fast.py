"""HttpClient's plain GETs without requests' per-request machinery.

A listing sends the same GET a thousand times with only the page number changed, and
requests does all of its work again each time: a Request prepared from nothing (URL
parsed, IDNA-checked and re-quoted, headers merged, auth encoded, cookies merged),
environment settings merged, hooks dispatched, the adapter's pool looked up and its
certificate settings applied, the body read in 10 KB chunks. On a nearby cart that costs
more CPU than the exchange itself. `FastGet` sends the same bytes on the same urllib3
connection pool as requests' HTTPAdapter.send would (same pool key: same TLS context, CA
bundle and hostname check; same retries, timeouts, headers, user agent and auth) and
hands back a requests.Response built the way HTTPAdapter.build_response builds it, with
the body read and decoded (gzip, deflate) at once. What does not change between pages is
worked out once: the URL before its query (through requests' own prepare_url), each
`key=value` of the query, the headers (through the session's own prepare_request), the
connection pool and the timeout object.

Errors are translated exactly as requests translates them (HTTPAdapter.send and
Response.iter_content), so HttpClient maps them to the same CartErrors. A 3xx answer with
a Location is followed by the session's own resolve_redirects, as Session.send does.

`usable(...)` sends everything else the ordinary way: another method, a body or any
keyword beyond params/headers/timeout/verify, a proxy, a Session subclass or an adapter
other than requests' own HTTPAdapter, response hooks, cookies in the session's jar,
session params or a client certificate, auth other than a (user, password) pair, the
environment trusted (netrc), a URL with a fragment or credentials.
"""

from __future__ import annotations

from datetime import timedelta
from time import perf_counter
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.exceptions import (
    ChunkedEncodingError,
    ConnectTimeout,
    ContentDecodingError,
    InvalidHeader,
    InvalidURL,
    ProxyError,
    ReadTimeout,
    RetryError,
)
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import SSLError as RequestsSSLError
from requests.models import PreparedRequest, RequestEncodingMixin
from requests.structures import CaseInsensitiveDict
from requests.utils import get_auth_from_url, get_encoding_from_headers
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    DecodeError,
    LocationValueError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.exceptions import InvalidHeader as _InvalidHeader
from urllib3.exceptions import ProxyError as _ProxyError
from urllib3.exceptions import SSLError as _SSLError
from urllib3.util import Timeout

_KWARGS = frozenset({"params", "headers", "timeout", "verify"})
_CACHE = 4096  # entries kept per cache (URLs, query pairs); cleared when full
_Session = requests.Session


class _Target:
    """What a URL without its query gives once: the prepared URL, its path (what is sent
    to a cart reached without a proxy) and the separator before a query."""

    __slots__ = ("url", "path", "sep")

    def __init__(self, url: str, path: str):
        self.url, self.path = url, path
        self.sep = "&" if "?" in url else "?"


class FastGet:
    """Plain GETs of one session, sent on its HTTPAdapter's pool (see the module)."""

    def __init__(self, session: requests.Session):
        self.session = session
        self._targets: dict[str, _Target | None] = {}
        self._pairs: dict[tuple[str, type, Any], str] = {}
        self._headers: tuple[Any, CaseInsensitiveDict | None] = (None, None)
        self._pools: dict[tuple[HTTPAdapter, str, Any], Any] = {}
        self._timeouts: dict[Any, Timeout] = {}

    def usable(self, method: str, url: str, kwargs: dict[str, Any]) -> bool:
        s = self.session
        if method != "GET" or type(s) is not _Session or not _KWARGS.issuperset(kwargs):
            return False
        if s.trust_env or s.proxies or s.params or s.cert is not None or s.stream:
            return False
        auth = s.auth
        if auth is not None and not (type(auth) is tuple and len(auth) == 2):
            return False
        if any(s.hooks.values()) or len(s.cookies):
            return False
        params = kwargs.get("params")
        if params is not None and type(params) is not dict:
            return False
        headers = kwargs.get("headers")
        if headers is not None and type(headers) is not dict:
            return False
        try:
            if type(s.get_adapter(url)) is not HTTPAdapter:
                return False
        except requests.RequestException:
            return False  # (no adapter for the URL: the ordinary path says so)
        return self._target(url) is not None

    # --- what is worked out once ------------------------------------------------------
    def _target(self, url: str) -> _Target | None:
        try:
            return self._targets[url]
        except KeyError:
            pass
        target = None
        try:
            p = PreparedRequest()
            p.prepare_url(url, None)
            if "#" not in p.url and not any(get_auth_from_url(p.url)):
                target = _Target(p.url, p.path_url)
        except requests.RequestException:
            pass  # the ordinary path raises it
        if len(self._targets) >= _CACHE:
            self._targets.clear()
        self._targets[url] = target
        return target

    def _query(self, params: dict[str, Any] | None) -> str:
        if not params:
            return ""
        pairs = self._pairs
        out = []
        for key, value in params.items():
            kind = type(value)
            if kind is int:  # (a page number: urlencode writes str(value), digits as they are)
                mark = (key, int, None)
                text = pairs.get(mark)
                if text is None:
                    text = pairs[mark] = RequestEncodingMixin._encode_params([(key, 0)])[:-1]
                text += str(value)
            elif kind is str:
                mark = (key, kind, value)
                text = pairs.get(mark)
                if text is None:
                    text = RequestEncodingMixin._encode_params([(key, value)])
                    if len(pairs) >= _CACHE:
                        pairs.clear()
                    pairs[mark] = text
            else:  # None, lists, bytes, floats...: as requests encodes them, each time
                text = RequestEncodingMixin._encode_params([(key, value)])
            if text:
                out.append(text)
        return "&".join(out)

    def _headers_for(self, target: _Target, headers: dict[str, Any] | None) -> CaseInsensitiveDict:
        s = self.session
        mark = (tuple(s.headers.items()), tuple(headers.items()) if headers else (), s.auth)
        known, value = self._headers
        if known == mark and value is not None:
            return value
        # the session's own merging, validation and auth (Basic: one header, any URL)
        value = s.prepare_request(requests.Request("GET", target.url, headers=headers)).headers
        self._headers = (mark, value)
        return value

    def _pool(self, adapter: HTTPAdapter, req: PreparedRequest, verify: Any) -> Any:
        origin = req.url[: req.url.find("/", req.url.find("//") + 2)]
        key = (adapter, origin, verify)
        pool = self._pools.get(key)
        if pool is None or pool.pool is None:  # (a pool closed by session.close() or evicted)
            try:
                pool = adapter.get_connection_with_tls_context(req, verify, proxies={}, cert=None)
            except LocationValueError as e:
                raise InvalidURL(e, request=req) from None
            adapter.cert_verify(pool, req.url, verify, None)
            self._pools[key] = pool
        return pool

    def _timeout(self, timeout: Any) -> Timeout:
        if isinstance(timeout, Timeout):
            return timeout
        found = self._timeouts.get(timeout)
        if found is None:
            if isinstance(timeout, tuple):
                try:
                    connect, read = timeout
                except ValueError:
                    raise ValueError(f"Invalid timeout {timeout}. Pass a (connect, read) "
                                     "timeout tuple, or a single float to set both timeouts "
                                     "to the same value.") from None
                found = Timeout(connect=connect, read=read)
            else:
                found = Timeout(connect=timeout, read=timeout)
            self._timeouts[timeout] = found
        return found

    # --- the exchange -----------------------------------------------------------------
    def get(self, url: str, kwargs: dict[str, Any]) -> requests.Response:
        s = self.session
        target = self._target(url)
        assert target is not None  # (usable() said so)
        query = self._query(kwargs.get("params"))
        req = PreparedRequest()
        req.method = "GET"
        req.url = target.url + target.sep + query if query else target.url
        path = target.path + target.sep + query if query else target.path
        # (one headers object for the requests of a session: nothing changes it; a
        # redirect works on a copy)
        req.headers = self._headers_for(target, kwargs.get("headers"))
        verify = kwargs.get("verify", s.verify)
        timeout = kwargs.get("timeout")
        adapter = s.get_adapter(req.url)
        pool = self._pool(adapter, req, verify)
        start = perf_counter()
        try:
            raw = pool.urlopen(method="GET", url=path, body=None, headers=req.headers,
                               redirect=False, assert_same_host=False, preload_content=False,
                               decode_content=False, retries=adapter.max_retries,
                               timeout=self._timeout(timeout), chunked=False)
        except Exception as e:  # noqa: BLE001 - translated as HTTPAdapter.send does
            raise _adapter_error(e, req) from None
        resp = _response(adapter, req, raw)
        resp.elapsed = timedelta(seconds=perf_counter() - start)
        if "set-cookie" in raw.headers:  # (the next requests then go the ordinary way)
            extract_cookies_to_jar(resp.cookies, req, raw)
            extract_cookies_to_jar(s.cookies, req, raw)
        if resp.is_redirect:
            req._cookies = RequestsCookieJar()  # what prepare_request gave: the jar was empty
            history = list(s.resolve_redirects(resp, req, stream=False, timeout=timeout,
                                               verify=verify, cert=None, proxies={}))
            if history:
                history.insert(0, resp)
                resp = history.pop()
                resp.history = history
                return resp  # (read by resolve_redirects)
        _read(resp)
        return resp


def _response(adapter: HTTPAdapter, req: PreparedRequest, raw: Any) -> requests.Response:
    """HTTPAdapter.build_response, the cookies aside (taken only when there are some)."""
    resp = requests.Response()
    resp.status_code = raw.status
    resp.headers = CaseInsensitiveDict(raw.headers)
    resp.encoding = get_encoding_from_headers(resp.headers)
    resp.raw = raw
    resp.reason = raw.reason
    resp.url = req.url
    resp.request = req
    resp.connection = adapter
    return resp


def _read(resp: requests.Response) -> None:
    """Response.content in one read, with Response.iter_content's translation of errors."""
    try:
        data = resp.raw.read(decode_content=True)
    except ProtocolError as e:
        raise ChunkedEncodingError(e) from None
    except DecodeError as e:
        raise ContentDecodingError(e) from None
    except ReadTimeoutError as e:
        raise RequestsConnectionError(e) from None
    except _SSLError as e:
        raise RequestsSSLError(e) from None
    resp._content = data or b""
    resp._content_consumed = True


def _adapter_error(err: Exception, req: PreparedRequest) -> Exception:
    """The exception HTTPAdapter.send raises for an error of urlopen."""
    if isinstance(err, (ProtocolError, OSError)):
        return RequestsConnectionError(err, request=req)
    if isinstance(err, MaxRetryError):
        reason = err.reason
        if isinstance(reason, ConnectTimeoutError) and not isinstance(reason, NewConnectionError):
            return ConnectTimeout(err, request=req)
        if isinstance(reason, ResponseError):
            return RetryError(err, request=req)
        if isinstance(reason, _ProxyError):
            return ProxyError(err, request=req)
        if isinstance(reason, _SSLError):
            return RequestsSSLError(err, request=req)
        return RequestsConnectionError(err, request=req)
    if isinstance(err, ClosedPoolError):
        return RequestsConnectionError(err, request=req)
    if isinstance(err, _ProxyError):
        return ProxyError(err)
    if isinstance(err, _SSLError):
        return RequestsSSLError(err, request=req)
    if isinstance(err, ReadTimeoutError):
        return ReadTimeout(err, request=req)
    if isinstance(err, _InvalidHeader):
        return InvalidHeader(err, request=req)
    return err


__all__ = ["FastGet"]
