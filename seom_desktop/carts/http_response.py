"""A cart's answer as the connectors read it (status_code, reason, case-insensitive
headers, url, content, text, encoding, json(), iter_lines() for a streamed body), over a
urllib3 response; the query string as requests encoded it (WooCommerce's OAuth signature
covers it); and the stdlib cookie jar's view of a urllib3 exchange."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from urllib3.exceptions import HTTPError


class ConnectionLostError(ConnectionError):
    """The connection broke while a streamed body was read (an OSError, as requests'
    errors were, so a reader's `except OSError` still holds)."""


def encode_query(params: Any) -> str:
    """The query string requests made of `params` (PreparedRequest.prepare_url, as
    of 2.31-2.34): a mapping or a list of pairs; a list or tuple value is repeated keys;
    None is left out; anything else goes through str(); urlencode with quote_plus."""
    if params is None:
        return ""
    if isinstance(params, (str, bytes)):
        return params.decode() if isinstance(params, bytes) else params
    pairs = []
    for key, values in (params.items() if isinstance(params, Mapping) else params):
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = (values,)
        for value in values:
            if value is not None:
                pairs.append((key, value))
    return urlencode(pairs, doseq=True)


def _charset(content_type: str) -> str | None:
    """The encoding requests gave a body (requests.utils.get_encoding_from_headers): the
    charset parameter; else ISO-8859-1 for text/*, UTF-8 for application/json."""
    kind, *params = content_type.split(";")
    for param in params:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset":
            return value.strip(" '\"") or None
    kind = kind.strip().lower()
    if kind.startswith("text"):
        return "ISO-8859-1"
    if "application/json" in kind:
        return "utf-8"
    return None


class Response:
    """One answer: read whole (`content`), or, when sent with stream=True, read as it
    comes through `iter_lines` and released by `close`."""

    def __init__(self, raw: Any, url: str, *, content: bytes | None = None):
        self.raw = raw  # the urllib3 response
        self.url = url
        self.status_code: int = raw.status
        self.reason: str = raw.reason or ""
        self.headers = raw.headers  # urllib3's HTTPHeaderDict: case-insensitive
        self._content = content

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"

    @property
    def encoding(self) -> str | None:
        return _charset(self.headers.get("Content-Type", ""))

    @property
    def content(self) -> bytes:
        if self._content is None:
            try:
                self._content = self.raw.read()
            except (HTTPError, OSError) as e:
                raise ConnectionLostError(f"the answer broke off: {type(e).__name__}") from e
        return self._content

    @property
    def text(self) -> str:
        content = self.content
        encoding = self.encoding or "utf-8"
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            return content.decode(encoding, "replace")
        except LookupError:  # a charset Python does not know
            return content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not); without a declared charset, as
        json.loads finds it (UTF-8, -16 or -32)."""
        return json.loads(self.text if self.encoding else self.content)

    def iter_lines(self, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        """The body's lines as they arrive (the line ends taken off)."""
        if self._content is not None:
            yield from self._content.splitlines()
            return
        pending = b""
        try:
            for chunk in self.raw.stream(chunk_size, decode_content=True):
                lines = (pending + chunk).splitlines(keepends=True)
                pending = lines.pop() if lines and not lines[-1].endswith((b"\n", b"\r")) else b""
                for line in lines:
                    yield line.rstrip(b"\r\n")
        except (HTTPError, OSError) as e:
            raise ConnectionLostError(f"the answer broke off: {type(e).__name__}") from e
        self._content = b""  # read through
        if pending:
            yield pending

    def close(self) -> None:
        """Give the connection back; a body not read to its end closes it instead."""
        if self._content is None:
            self.raw.close()
        self.raw.release_conn()


# --- cookies: http.cookiejar reads a urllib.request.Request and a response's info() ----


class _Info:
    def __init__(self, headers: Any):
        self.headers = headers

    def get_all(self, name: str, default: Any = None) -> Any:
        return self.headers.getlist(name) or default


class CookieAnswer:
    """A urllib3 answer as http.cookiejar.CookieJar.extract_cookies reads it."""

    def __init__(self, headers: Any):
        self._info = _Info(headers)

    def info(self) -> _Info:
        return self._info


def cookie_request(url: str) -> urllib.request.Request:
    """The request as http.cookiejar reads it (its URL decides which cookies it gets)."""
    return urllib.request.Request(url)


__all__ = ["ConnectionLostError", "CookieAnswer", "Response", "cookie_request", "encode_query"]
