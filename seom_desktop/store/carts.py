"""Cart definitions in the store (Settings > System Functions > Shopping Carts).
Credentials are not here: `credential_ref` names where the OS keyring holds them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seom_desktop.store.models import Cart

MAX_ITEMS_LIMIT = 10_000


class CartDefinitionError(ValueError):
    pass


def check_cart_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise CartDefinitionError("cart name is empty")
    if name != name.strip() or len(name) > 100 or any(ord(c) < 32 for c in name):
        raise CartDefinitionError(
            f"cart name {name!r} must be at most 100 characters, without control "
            "characters or surrounding spaces")
    return name


def check_max_items(value: object) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise CartDefinitionError(
            f"Maximum number of items to send must be a whole number, not {value!r}") from None
    if not 1 <= n <= MAX_ITEMS_LIMIT:
        raise CartDefinitionError(
            f"Maximum number of items to send must be between 1 and {MAX_ITEMS_LIMIT}, not {n}")
    return n


def cart_by_name(session: Session, name: str) -> Cart:
    cart = session.scalar(select(Cart).where(Cart.name == name))
    if cart is None:
        raise CartDefinitionError(f"unknown cart {name!r}")
    return cart


def list_carts(session: Session) -> list[Cart]:
    return list(session.scalars(select(Cart).order_by(Cart.name)))


def add_cart(session: Session, *, name: str, kind: str, url: str, credential_ref: str = "",
             location: str = "", sync: bool = False, max_items: int = 50) -> Cart:
    check_cart_name(name)
    if session.scalar(select(Cart.id).where(Cart.name == name)) is not None:
        raise CartDefinitionError(f"cart {name!r} already exists")
    cart = Cart(name=name, kind=kind, url=url, credential_ref=credential_ref,
                location=location, sync=sync, max_items=check_max_items(max_items))
    session.add(cart)
    session.flush()
    return cart
