"""How the WooCommerce emulator authenticates a request, as WooCommerce's
WC_REST_Authentication does (woocommerce/woocommerce,
plugins/woocommerce/includes/class-wc-rest-authentication.php; the REST API docs'
"Authentication over HTTP": woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http).

- Only a request whose URI holds `wp-json/wc/` is authenticated (is_request_to_rest_api):
  the same route reached as `?rest_route=/wc/v3/...` is anonymous.
- Over https (is_ssl) the key and secret may come as `consumer_key`/`consumer_secret` query
  parameters or HTTP Basic; a known key with the wrong secret: 401 "Consumer secret is
  invalid."; an unknown key: anonymous. Over plain http neither is read at all: the request
  is anonymous and the route's own permission check refuses it (401
  `woocommerce_rest_cannot_view` "Sorry, you cannot list resources." and the like).
- Otherwise OAuth 1.0a one-legged (RFC 5849 without a token): `oauth_consumer_key`,
  `oauth_timestamp`, `oauth_nonce`, `oauth_signature`, `oauth_signature_method` from the query
  (or an `Authorization: OAuth ...` header); some but not all: 401
  `woocommerce_rest_authentication_missing_parameter`. Unknown key: "Consumer key is
  invalid.". The signature is HMAC-SHA1 or HMAC-SHA256 keyed by `secret + "&"` over
  METHOD & enc(home URL + request path, scheme http or https as the request came) &
  enc(every query parameter but the signature, sorted by name, `name=value` joined by &);
  the body is not signed. The timestamp must be within 15 minutes of the server's clock
  ("Invalid timestamp."); a nonce already seen is refused ("Invalid nonce - nonce has
  already been used."). WooCommerce keeps used nonces keyed by their timestamp (one per
  second: a later nonce of the same second replaces the earlier one) and drops those older
  than the window; so does this emulator.
- Then the key's permissions: a read-only key writing, a write-only key reading: 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from seom_desktop.emulators.base import Request, Response
from seom_desktop.emulators.wp_rest import fail

WINDOW = 15 * 60  # check_oauth_timestamp_and_nonce: $valid_window
OAUTH_NAMES = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature",
               "oauth_signature_method")
_ERR = "woocommerce_rest_authentication_error"
_HEADER = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')  # parse_header's own pattern


def _enc(value: str) -> str:
    """wc_rest_urlencode_rfc3986: PHP's rawurlencode."""
    return quote(value, safe="-._~")


def php_query(query: dict[str, list[str]]) -> dict[str, Any]:
    """$_GET as PHP builds it: the last value of a name wins; `name[]` makes a list."""
    out: dict[str, Any] = {}
    for name, values in query.items():
        if name.endswith("[]"):
            out[name[:-2]] = list(values)
        else:
            out[name] = values[-1]
    return out


def _joined(params: dict[str, Any], prefix: str = "") -> list[str]:
    """join_with_equals_sign: `name=value` pairs, each encoded; lists as name%5Bi%5D."""
    pairs: list[str] = []
    for name, value in params.items():
        key = f"{prefix}%5B{name}%5D" if prefix else name
        if isinstance(value, dict):
            pairs += _joined(value, key)
        else:
            pairs.append(_enc(f"{key}={value}"))
    return pairs


def _normalized(value: Any) -> Any:
    if isinstance(value, list):
        return {str(i): _enc(v) for i, v in enumerate(value)}
    return _enc(value)


def string_to_sign(method: str, base_uri: str, params: dict[str, Any]) -> str:
    """check_oauth_signature's string: parameters sorted by name (strcmp), normalized."""
    ordered = {_enc(k): _normalized(params[k]) for k in sorted(params, key=lambda k: k.encode())}
    return f"{method.upper()}&{_enc(base_uri)}&{'%26'.join(_joined(ordered))}"


class WooAuth:
    """The keys of one store and the nonces it has seen."""

    def __init__(self, key: str, secret: str, permissions: str):
        self.key, self.secret, self.permissions = key, secret, permissions
        self.nonces: dict[int, str] = {}
        self.clock = time.time  # tests may move the store's clock

    def reset(self) -> None:
        self.nonces.clear()

    def authenticate(self, req: Request, *, ssl: bool, home_url: str) -> Response | bool:
        """True (the key's user), False (anonymous) or the error answer."""
        uri = req.path + "?" + "&".join(req.query)
        if "wp-json/wc/" not in uri and "wp-json/wc-" not in uri:
            return False
        error: Response | None = None
        user = False
        if ssl:
            user, error = self._basic(req)
        if not user:
            params = self._oauth_parameters(req)
            if isinstance(params, Response):
                return params
            if params:
                user, oauth_error = self._oauth(req, params, ssl=ssl, home_url=home_url)
                error = oauth_error or error
        if error is not None:
            return error
        if user:
            return self._permitted(req.method)
        return False

    def _basic(self, req: Request) -> tuple[bool, Response | None]:
        key, secret = req.arg("consumer_key", "") or "", req.arg("consumer_secret", "") or ""
        if not (key and secret):
            key = secret = ""
            auth = req.headers.get("authorization", "")
            if auth.lower().startswith("basic "):
                try:
                    raw = base64.b64decode(auth[6:].strip()).decode("utf-8")
                    key, _, secret = raw.partition(":")
                except (ValueError, UnicodeDecodeError):
                    key = secret = ""
        if not key or not secret or not hmac.compare_digest(key.encode(), self.key.encode()):
            return False, None
        if not hmac.compare_digest(secret.encode(), self.secret.encode()):
            return False, fail(_ERR, "Consumer secret is invalid.", 401)
        return True, None

    @staticmethod
    def _oauth_parameters(req: Request) -> dict[str, Any] | Response:
        params = php_query(req.query)
        header = req.headers.get("authorization", "").strip()
        if header.startswith("OAuth "):
            for m in _HEADER.finditer(header):
                params[m.group(1)] = unquote((m.group(3) or m.group(4) or "").replace("+", " "))
        missing = [n for n in OAUTH_NAMES if not params.get(n)]
        if len(missing) == len(OAUTH_NAMES):
            return {}  # not trying OAuth at all
        if missing:
            word = "parameter" if len(missing) == 1 else "parameters"
            return fail("woocommerce_rest_authentication_missing_parameter",
                        f"Missing OAuth {word} {', '.join(missing)}", 401)
        return params

    def _oauth(self, req: Request, params: dict[str, Any], *, ssl: bool,
               home_url: str) -> tuple[bool, Response | None]:
        if not hmac.compare_digest(str(params["oauth_consumer_key"]).encode(), self.key.encode()):
            return False, fail(_ERR, "Consumer key is invalid.", 401)
        home = urlsplit(home_url)
        base_path = home.path.rstrip("/") + "/"
        path = req.path[len(base_path):] if req.path.startswith(base_path) else req.path
        base_uri = f"{'https' if ssl else 'http'}://{home.netloc}{base_path}{path.lstrip('/')}"
        given = unquote(str(params.pop("oauth_signature")).replace(" ", "+"))
        text = string_to_sign(req.method, base_uri, params)
        method = params["oauth_signature_method"]
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            return False, fail(_ERR, "Invalid signature - signature method is invalid.", 401)
        digest = hashlib.sha1 if method == "HMAC-SHA1" else hashlib.sha256
        mac = hmac.new((self.secret + "&").encode(), text.encode(), digest).digest()
        if not hmac.compare_digest(base64.b64encode(mac).decode(), given):
            return False, fail(_ERR, "Invalid signature - provided signature does not match.", 401)
        now = int(self.clock())
        try:
            stamp = int(str(params["oauth_timestamp"]))
        except ValueError:
            stamp = -WINDOW * 2
        if stamp < now - WINDOW or stamp > now + WINDOW:
            return False, fail(_ERR, "Invalid timestamp.", 401)
        nonce = str(params["oauth_nonce"])
        if nonce in self.nonces.values():
            return False, fail(_ERR, "Invalid nonce - nonce has already been used.", 401)
        self.nonces[stamp] = nonce
        for seen in [t for t in self.nonces if t < now - WINDOW]:
            del self.nonces[seen]
        return True, None

    def _permitted(self, method: str) -> Response | bool:
        """check_permissions: what the key may do with this method."""
        if method in ("GET", "HEAD") and self.permissions not in ("read", "read_write"):
            return fail(_ERR, "The API key provided does not have read permissions.", 401)
        if method in ("POST", "PUT", "PATCH", "DELETE") and self.permissions not in (
                "write", "read_write"):
            return fail(_ERR, "The API key provided does not have write permissions.", 401)
        return True
