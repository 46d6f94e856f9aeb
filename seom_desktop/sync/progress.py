"""What Send QOH, Get QOH and order import share: the cancellable-progress protocol,
the cart a transfer works on (checked for the capability it needs), and the mapping of
cart SKUs to store products.

Progress: the caller passes an object with a `cancelled` attribute (read between
batches, never in the middle of one) and `update(done, total, message)` (`total` is
None when not known yet, e.g. while a cart is still being paged through). Cancelling
stops the work at the next batch boundary; every batch finished before that is
committed whole, nothing after it is touched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, TypeVar, runtime_checkable

from sqlalchemy.orm import Session

from seom_desktop.carts.base import PULL, PUSH, CartError, PermanentError, RateLimitedError
from seom_desktop.carts.registry import capabilities
from seom_desktop.store.carts import CartDefinitionError, cart_by_name
from seom_desktop.store.raw import Raw

# In the clerk's words, for messages.
ACTION_NAMES = {PUSH: "Send QOH To Website", PULL: "Get QOH From Website",
                "orders": "import orders"}

MAX_RATE_WAITS = 5  # times one transfer waits out a cart's rate limit before giving up
MAX_RATE_WAIT_SECONDS = 60.0

T = TypeVar("T")


@runtime_checkable
class Progress(Protocol):
    cancelled: bool

    def update(self, done: int, total: int | None, message: str) -> None: ...


class NullProgress:
    """No one is watching and no one cancels."""

    cancelled = False

    def update(self, done: int, total: int | None, message: str) -> None:
        pass


class CancelFlag:
    """A progress that can be cancelled from another thread (a dialog's Cancel button,
    Ctrl-C) and forwards updates to `on_update`."""

    def __init__(self, on_update: Callable[[int, int | None, str], None] | None = None):
        self._event = threading.Event()
        self._on_update = on_update

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()

    def update(self, done: int, total: int | None, message: str) -> None:
        if self._on_update is not None:
            self._on_update(done, total, message)


class CapabilityError(CartDefinitionError):
    """The cart cannot do what was asked (bad input: nothing is changed)."""


@dataclass(frozen=True)
class CartRef:
    """A cart as the transfer needs it, detached from any session (connect() takes it)."""

    id: int
    name: str
    kind: str
    url: str
    location: str
    credential_ref: str
    max_items: int
    orders_cursor: str


def cart_for(session: Session, name: str, capability: str) -> CartRef:
    """The named cart, if its kind can do `capability`; raises CartDefinitionError
    (unknown cart) or CapabilityError."""
    cart = cart_by_name(session, name)
    caps = capabilities(cart.kind)  # UnknownKindError (bad input) when no connector
    if capability not in caps:
        what = ACTION_NAMES.get(capability, capability)
        raise CapabilityError(f"cart {cart.name!r} ({cart.kind}) cannot {what}")
    return CartRef(cart.id, cart.name, cart.kind, cart.url, cart.location or "",
                   cart.credential_ref or "", cart.max_items, cart.orders_cursor or "")


class Mapped(NamedTuple):
    product_id: int
    sku: str  # the store's SKU
    qoh: int  # the store's QOH when read
    sync: bool  # the item's web field "sync" for this cart (1/0 on SQLite)
    reserve: int
    max_qty: int | None
    web_field_id: int | None  # the item's web field for this cart, when it has one
    last_cart_qoh: int | None  # what the cart was last seen showing
    cart_item_id: str  # the cart's own id, when known
    seen: int  # 1: the cart was ever seen showing the item


def _columns(raw: Raw) -> str:
    """The columns of a Mapped, in order, with its defaults for a product that has no
    web field for the cart."""
    yes = "TRUE" if raw.postgres else "1"
    return (f"p.id, p.sku, p.qoh, COALESCE(w.sync, {yes}), COALESCE(w.reserve, 0), w.max_qty, "
            "w.id, w.last_cart_qoh, COALESCE(w.cart_item_id, ''), "
            "CASE WHEN w.last_cart_seen_at IS NULL THEN 0 ELSE 1 END")


def map_cart_skus(session: Session, cart_id: int, cart_skus: Iterable[str]) -> dict[str, Mapped]:
    """Cart SKU -> store product: through the item's cart SKU alias for this cart
    first, then a store SKU equal to the cart SKU (unless that product is aliased to
    another cart SKU on this cart). Cart SKUs with no product are absent. Each product
    comes with its web field for the cart as read in this transaction."""
    make = Mapped._make
    return {sku: make(row) for sku, row in map_cart_rows(session, cart_id, cart_skus).items()}


def map_cart_rows(session: Session, cart_id: int, cart_skus: Iterable[str]) -> dict[str, Sequence]:
    """`map_cart_skus` with each product as a plain row, its values in the order of
    Mapped's fields (a Get QOH maps 100,000 SKUs: plain SQL to the driver, no object
    made per row)."""
    wanted = sorted({s for s in cart_skus if s})
    out: dict[str, Sequence] = {}
    if not wanted:
        return out
    session.flush()
    raw = Raw(session)
    columns = _columns(raw)
    cond, params = raw.in_values("w.cart_sku", wanted)
    for row in raw.select(
            f"{columns}, w.cart_sku", "FROM web_fields w JOIN products p ON p.id = w.product_id "
            f"WHERE w.cart_id = ? AND {cond}", (cart_id, *params)):
        out[row[-1]] = row[:-1]
    cond, params = raw.in_values("p.sku", wanted)
    for row in raw.select(
            columns, "FROM products p "
            "LEFT JOIN web_fields w ON w.product_id = p.id AND w.cart_id = ? "
            f"WHERE {cond} AND (w.cart_sku IS NULL OR w.cart_sku = '' "
            "OR w.cart_sku = p.sku)", (cart_id, *params)):
        if row[1] not in out:
            out[row[1]] = row
    return out


def open_connector(cart: CartRef):
    """A connector for the cart, credentials read from the OS keyring. What keeps it
    from being made (credentials missing or refused by the keyring, a CA bundle gone, a
    location that is not a number) is a CartError naming the cart: the transfer reports
    it like any other cart failure."""
    from seom_desktop.connect import connect
    from seom_desktop.credentials import CredentialError

    try:
        return connect(cart)
    except CartError:
        raise
    except (ValueError, CredentialError) as e:
        raise PermanentError(f"{cart.name}: cannot connect: {e}") from None


def with_rate_limit(call: Callable[[], T], progress: Progress, *,
                    sleep: Callable[[float], None] = time.sleep) -> T:
    """Run `call`; when the cart says "too many requests, wait N s", wait (in short
    steps, so a cancel is heard) and try again, a few times at most."""
    waits = 0
    while True:
        try:
            return call()
        except RateLimitedError as e:
            waits += 1
            if waits > MAX_RATE_WAITS or progress.cancelled:
                raise
            wait_out(min(max(e.delay, 0.05), MAX_RATE_WAIT_SECONDS), progress, sleep)


def wait_out(seconds: float, progress: Progress, sleep: Callable[[float], None]) -> None:
    end = time.monotonic() + seconds
    while not progress.cancelled:
        left = end - time.monotonic()
        if left <= 0:
            return
        sleep(min(left, 0.25))
