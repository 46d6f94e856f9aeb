"""Secrets out of every text: the Redactor the HTTP client, the log and the window's
messages share. It needs nothing of the HTTP library, so a command that only logs a
change does not import one."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "***"


class Redactor:
    """Replaces every known secret (and common credential-bearing fragments) in text.

    A secret can come back from a cart in another spelling than it was given: a server
    that echoes the request shows the HTTP Basic header (base64 of "key:secret"), a
    query string (percent-encoded) or a JSON body (escaped). Each secret is redacted in
    all those spellings."""

    _PATTERNS = [
        re.compile(r"(?i)(consumer_key|consumer_secret|access_token|token|password|secret)=[^&\s\"']+"),
        re.compile(r"(?i)(authorization|x-shopify-access-token|x-auth-token|session-id"
                   r"|x-miva-api-authorization)(\"?\s*[:=]\s*\"?)"
                   r"(?:(?:basic|bearer|token|miva[-\w]*)\s+)?[^\s\",}]+"),
    ]

    def __init__(self, secrets: Iterable[str] = ()):
        self.secrets = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)
        self._cache: tuple[tuple[str, ...], list[str]] = ((), [])

    def _spellings(self) -> list[str]:
        key = tuple(self.secrets)
        if self._cache[0] == key:
            return self._cache[1]
        out: set[str] = set()
        for s in key:
            out.update({s, quote(s, safe=""), quote_plus(s), json.dumps(s)[1:-1],
                        json.dumps(s, ensure_ascii=False)[1:-1]})
        for a in key:  # HTTP Basic: base64 of "user:password", in either order
            for b in key:
                raw = f"{a}:{b}".encode()
                for enc in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
                    text = enc.decode()
                    out.update({text, text.rstrip("=")})
        spellings = sorted((x for x in out if len(x) >= 3), key=len, reverse=True)
        self._cache = (key, spellings)
        return spellings

    def __call__(self, text: object) -> str:
        out = str(text)
        for s in self._spellings():
            out = out.replace(s, REDACTED)
        out = self._PATTERNS[0].sub(lambda m: f"{m.group(1)}={REDACTED}", out)
        out = self._PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", out)
        return out
