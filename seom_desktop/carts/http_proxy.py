"""The proxy a cart's requests go through, as requests chose it (requests.utils
get_environ_proxies and select_proxy, 2.31-2.34), read once when a cart's client is made:
the stdlib's getproxies() (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY; on Windows and macOS the
system settings when none is set) with NO_PROXY honoured (host names and suffixes through
the stdlib's proxy_bypass_environment, IPv4 networks in CIDR form as requests did)."""

from __future__ import annotations

import ipaddress
import urllib.request
from urllib.parse import unquote, urlsplit

from urllib3.util import make_headers


class ProxySettings:
    """The environment's proxies at one moment; `for_url(url)` is the proxy URL a
    request to `url` goes through, or "" to go direct."""

    def __init__(self) -> None:
        self._env = urllib.request.getproxies_environment()
        # (where the environment names none, Windows and macOS have their own settings)
        self.proxies = self._env or urllib.request.getproxies()

    def for_url(self, url: str) -> str:
        if not self.proxies:
            return ""
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
        if not host or self._bypassed(host, parts.port):
            return ""
        proxy = self.proxies.get(scheme) or self.proxies.get("all") or ""
        if proxy and "://" not in proxy:
            proxy = "http://" + proxy  # requests' prepend_scheme_if_needed
        return proxy

    def _bypassed(self, host: str, port: int | None) -> bool:
        no_proxy = self._env.get("no", "")
        if no_proxy:
            try:
                address = ipaddress.IPv4Address(host)
            except ValueError:
                address = None
            for entry in no_proxy.replace(" ", "").split(","):
                if address is not None and "/" in entry:
                    try:
                        if address in ipaddress.IPv4Network(entry, strict=False):
                            return True
                    except ValueError:
                        continue
            where = f"{host}:{port}" if port else host
            return urllib.request.proxy_bypass_environment(where, self._env)
        try:
            return bool(urllib.request.proxy_bypass(host))  # the system's exceptions
        except OSError:
            return False


def proxy_headers(proxy: str) -> dict[str, str]:
    """Proxy-Authorization from credentials in the proxy's URL (requests' proxy_headers)."""
    parts = urlsplit(proxy)
    if not parts.username:
        return {}
    user, password = unquote(parts.username), unquote(parts.password or "")
    return make_headers(proxy_basic_auth=f"{user}:{password}")


__all__ = ["ProxySettings", "proxy_headers"]
