"""Defining carts: kind and URL checked against the connectors, credentials to the OS
keyring, Synchronize Inventory only for carts that can take real-time changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from seom_desktop import credentials
from seom_desktop.carts import http
from seom_desktop.carts.base import REALTIME
from seom_desktop.carts.registry import KINDS, UnknownKindError, capabilities
from seom_desktop.carts.urls import check_url
from seom_desktop.store.carts import (
    CartDefinitionError,
    add_cart,
    cart_by_name,
    check_cart_name,
    check_max_items,
    list_carts,
)
from seom_desktop.store.models import Cart


@dataclass(frozen=True)
class CartView:
    id: int
    name: str
    kind: str
    url: str
    sync: bool
    max_items: int
    location: str
    capabilities: tuple[str, ...]

    def as_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "url": self.url, "sync": self.sync,
                "max_items": self.max_items, "location": self.location,
                "capabilities": list(self.capabilities)}


def kind_capabilities(kind: str) -> tuple[str, ...]:
    try:
        return tuple(sorted(capabilities(kind)))
    except UnknownKindError:
        return ()


def view(cart: Cart) -> CartView:
    return CartView(cart.id, cart.name, cart.kind, cart.url, cart.sync, cart.max_items,
                    cart.location, kind_capabilities(cart.kind))


def check_kind(kind: str) -> str:
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise CartDefinitionError(f"unknown cart kind {kind!r} (kinds: {', '.join(KINDS)})")
    try:
        capabilities(kind)
    except UnknownKindError as e:
        raise CartDefinitionError(str(e)) from None
    return kind


def _check_sync(kind: str, sync: bool) -> None:
    if sync and REALTIME not in kind_capabilities(kind):
        raise CartDefinitionError(f"carts of kind {kind!r} cannot Synchronize Inventory")


def check_ca_bundle(path: str | None) -> str:
    """carts/http.py's check_ca_bundle (a readable PEM file with a certificate), its
    refusal as a CartDefinitionError. Returns the absolute path ("" for none)."""
    try:
        return http.check_ca_bundle(path)
    except ValueError as e:
        raise CartDefinitionError(str(e)) from None


def define_cart(session: Session, *, name: str, kind: str, url: str, key: str = "",
                secret: str = "", token: str = "", location: str = "", sync: bool = False,
                max_items: int = 50, ca_bundle: str = "") -> CartView:
    """Add a cart. Everything is checked before anything is written; the credentials
    (and the CA bundle, a path on this workstation) go to the keyring only once the
    store accepted the cart."""
    check_cart_name(name)
    kind = check_kind(kind)
    try:
        url = check_url(url)
    except ValueError as e:
        raise CartDefinitionError(str(e)) from None
    _check_sync(kind, sync)
    ca_bundle = check_ca_bundle(ca_bundle)
    ref = credentials.reference_for(name)
    cart = add_cart(session, name=name, kind=kind, url=url, credential_ref=ref,
                    location=location.strip(), sync=sync, max_items=check_max_items(max_items))
    credentials.save(ref, {"key": key, "secret": secret, "token": token, "ca_bundle": ca_bundle})
    return view(cart)


def update_cart(session: Session, name: str, *, sync: bool | None = None,
                max_items: int | None = None, url: str | None = None,
                location: str | None = None, creds: dict[str, str] | None = None,
                ca_bundle: str | None = None) -> CartView:
    """Change a cart; None leaves a field as it is. `ca_bundle` "" removes the CA
    bundle; `creds` replaces the stored secrets."""
    cart = cart_by_name(session, name)
    if ca_bundle is not None:
        ca_bundle = check_ca_bundle(ca_bundle)
    if sync is not None:
        _check_sync(cart.kind, sync)
    if max_items is not None:
        max_items = check_max_items(max_items)
    if url is not None:
        try:
            url = check_url(url)
        except ValueError as e:
            raise CartDefinitionError(str(e)) from None
    if sync is not None:
        cart.sync = sync
    if max_items is not None:
        cart.max_items = max_items
    if url is not None:
        cart.url = url
    if location is not None:
        cart.location = location.strip()
    session.flush()
    ref = cart.credential_ref or credentials.reference_for(name)
    if creds is not None:
        credentials.save(ref, creds)
    if ca_bundle is not None:
        credentials.set_option(ref, "ca_bundle", ca_bundle)
    return view(cart)


def all_carts(session: Session) -> list[CartView]:
    return [view(c) for c in list_carts(session)]
