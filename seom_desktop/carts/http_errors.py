"""A failed exchange with a cart in the clerk's words: urllib3's exceptions (retries off,
so each arrives as it happened) mapped to the classes of `base`. Nothing sent (refused,
no such host, connect timeout, a proxy not reached) can be tried again; a connection lost
or a read timed out after a change went out is ambiguous; a certificate refused is
permanent, with the hint a private CA needs."""

from __future__ import annotations

from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

from seom_desktop.carts.base import AmbiguousError, CartError, PermanentError, RetryableError


def _cause(e: BaseException) -> BaseException:
    """What a wrapper exception carries (MaxRetryError's reason, ProxyError's error)."""
    for _ in range(5):
        inner = getattr(e, "reason", None) or getattr(e, "original_error", None)
        if not isinstance(inner, BaseException) or inner is e:
            break
        e = inner
    return e


def clerk_error(e: BaseException, *, write: bool, name: str, where: str,
                timeout: tuple[float, float], has_ca_bundle: bool) -> CartError:
    """The CartError for exception `e` of a request to cart `name` at `where`; `write`:
    the request changes the cart."""
    unreachable = f"Can't reach {name} at {where}: check the URL and that the store is up"
    if isinstance(e, ProxyError):
        return RetryableError(f"Can't reach {name} at {where} through the proxy of this "
                              "computer's settings (HTTPS_PROXY / HTTP_PROXY): check that "
                              "the proxy is up")
    cause = _cause(e)
    if isinstance(cause, SSLError) or isinstance(e, SSLError):
        hint = ("" if has_ca_bundle else "; if the cart's certificate is issued by a private "
                "CA, give that CA's certificate as the cart's CA bundle (--ca-bundle)")
        return PermanentError(f"{name}: TLS certificate check failed: {where} did not show "
                              f"a certificate this computer trusts{hint}")
    if isinstance(cause, NewConnectionError):  # (before ConnectTimeoutError: its subclass)
        return RetryableError(unreachable)  # refused, no such host, no route: nothing sent
    if isinstance(cause, ConnectTimeoutError):
        return RetryableError(f"{unreachable} (no answer in {timeout[0]:g} s)")
    if isinstance(cause, ReadTimeoutError):
        text = f"{name} at {where}: no answer in {timeout[1]:g} s"
        return (AmbiguousError(text + " after the change was sent") if write
                else RetryableError(text + "; check that the store is up"))
    if not isinstance(cause, (ProtocolError, DecodeError, OSError)):
        return RetryableError(unreachable)  # (an address urllib3 cannot use: nothing sent)
    # A reset, a connection closed mid-answer, a broken body: the request may have been
    # read and applied.
    if not write:
        return RetryableError(f"{name} at {where}: the connection was lost; check that the "
                              "store is up (it is tried again)")
    return AmbiguousError(f"{name} at {where}: the connection was lost after the change "
                          "was sent")


__all__ = ["clerk_error"]
