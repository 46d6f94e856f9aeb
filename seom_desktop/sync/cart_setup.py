"""Defining carts: kind and URL checked against the connectors, credentials to the OS
keyring, Synchronize Inventory only for carts that can take real-time changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from seom_desktop import credentials
from seom_desktop.carts.base import REALTIME
from seom_desktop.carts.http import check_url
from seom_desktop.carts.registry import KINDS, UnknownKindError, capabilities
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


def define_cart(session: Session, *, name: str, kind: str, url: str, key: str = "",
                secret: str = "", token: str = "", location: str = "", sync: bool = False,
                max_items: int = 50) -> CartView:
    """Add a cart. Everything is checked before anything is written; the credentials
    go to the keyring only once the store accepted the cart."""
    check_cart_name(name)
    kind = check_kind(kind)
    try:
        url = check_url(url)
    except ValueError as e:
        raise CartDefinitionError(str(e)) from None
    _check_sync(kind, sync)
    ref = credentials.reference_for(name)
    cart = add_cart(session, name=name, kind=kind, url=url, credential_ref=ref,
                    location=location.strip(), sync=sync, max_items=check_max_items(max_items))
    credentials.save(ref, {"key": key, "secret": secret, "token": token})
    return view(cart)


def update_cart(session: Session, name: str, *, sync: bool | None = None,
                max_items: int | None = None, url: str | None = None,
                location: str | None = None, creds: dict[str, str] | None = None) -> CartView:
    cart = cart_by_name(session, name)
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
    if creds is not None:
        credentials.save(cart.credential_ref or credentials.reference_for(name), creds)
    return view(cart)


def all_carts(session: Session) -> list[CartView]:
    return [view(c) for c in list_carts(session)]
