"""Cart credentials in the OS keyring. The store keeps only the reference."""

from __future__ import annotations

import json

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "seom-desktop"
FIELDS = ("key", "secret", "token")


class CredentialError(RuntimeError):
    pass


def reference_for(cart_name: str) -> str:
    return f"cart:{cart_name}"


def save(ref: str, values: dict[str, str]) -> None:
    data = {k: v for k, v in values.items() if k in FIELDS and v}
    try:
        if data:
            keyring.set_password(SERVICE, ref, json.dumps(data))
        else:
            delete(ref)
    except KeyringError as e:
        raise CredentialError(f"the OS keyring refused to store credentials ({type(e).__name__})") from None


def load(ref: str) -> dict[str, str]:
    if not ref:
        return {}
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
    return {k: str(v) for k, v in data.items() if k in FIELDS}


def delete(ref: str) -> None:
    try:
        keyring.delete_password(SERVICE, ref)
    except PasswordDeleteError:
        pass
