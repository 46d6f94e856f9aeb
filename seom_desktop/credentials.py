"""Cart credentials in the OS keyring. The store keeps only the reference.

One keyring entry per cart (service "seom-desktop", user "cart:<name>") holds a JSON
object: the secrets (FIELDS: key, secret, token) and this workstation's connection
options (OPTIONS: ca_bundle, the file of a private CA that issued the cart's
certificate). The CA bundle is a path on this workstation, so it lives where the
credentials live: in this workstation user's keyring, never in the shared store.
"""

from __future__ import annotations

import json

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "seom-desktop"
FIELDS = ("key", "secret", "token")  # secrets
OPTIONS = ("ca_bundle",)  # not secret; per workstation, kept with the secrets


class CredentialError(RuntimeError):
    pass


def reference_for(cart_name: str) -> str:
    return f"cart:{cart_name}"


def _read(ref: str) -> dict[str, str]:
    try:
        raw = keyring.get_password(SERVICE, ref)
    except KeyringError as e:
        raise CredentialError(f"the OS keyring could not be read ({type(e).__name__})") from None
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(v) for k, v in data.items() if k in FIELDS + OPTIONS and v}


def save(ref: str, values: dict[str, str]) -> None:
    """Store the secrets of `values` (replacing the stored ones). Options (ca_bundle)
    are replaced when `values` names them, else kept as they are."""
    kept = {k: v for k, v in _read(ref).items() if k in OPTIONS and k not in values} if ref else {}
    data = {**kept, **{k: str(v) for k, v in values.items() if k in FIELDS + OPTIONS and v}}
    _register(data)
    try:
        if data:
            keyring.set_password(SERVICE, ref, json.dumps(data))
        else:
            delete(ref)
    except KeyringError as e:
        raise CredentialError(f"the OS keyring refused to store credentials ({type(e).__name__})") from None


def load(ref: str) -> dict[str, str]:
    """The secrets and options stored for `ref` ({} when none). The secrets are
    registered with the log so that no log record shows them."""
    if not ref:
        return {}
    data = _read(ref)
    _register(data)
    return data


def _register(data: dict[str, str]) -> None:
    try:
        from seom_desktop import logs
    except ImportError:  # pragma: no cover - a build without the log module
        return
    logs.register_secrets(v for k, v in data.items() if k in FIELDS)


def set_option(ref: str, name: str, value: str) -> None:
    """Set (or with "" clear) one option, keeping the secrets."""
    if name not in OPTIONS:
        raise ValueError(f"unknown cart option {name!r}")
    current = load(ref)
    save(ref, {**{k: v for k, v in current.items() if k in FIELDS}, name: value})


def delete(ref: str) -> None:
    try:
        keyring.delete_password(SERVICE, ref)
    except PasswordDeleteError:
        pass
    except KeyringError as e:
        raise CredentialError(f"the OS keyring refused to delete credentials ({type(e).__name__})") from None
