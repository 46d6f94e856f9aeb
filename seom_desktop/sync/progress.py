"""What Send QOH, Get QOH and order import share: the cancellable-progress protocol,
the cart a transfer works on (checked for the capability it needs), and the mapping of
cart SKUs to store products.

Progress: the caller passes an object with a `cancelled` attribute (read between
batches, never in the middle of one) and `update(done, total, message)` (`total` is
None when not known yet, e.g. while a cart is still being paged through). Cancelling
stops the work at the next batch boundary; every batch finished before that is
committed whole, nothing after it is touched.

Rate limits: a manual transfer never gives up on one. A cart's "wait N s" is waited out
(in short steps, so a cancel is heard) as often as it comes, and a connector that paces
itself (Shopify's cost bucket) is told to wait however long (`watch`). Each wait is said
through the progress (`note`): the window's dialog shows it in place of the count, the
command line prints it.
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

MAX_RATE_WAIT_SECONDS = 60.0  # longest single wait before asking the cart again

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

    def __init__(self, on_update: Callable[[int, int | None, str], None] | None = None,
                 on_note: Callable[[str], None] | None = None):
        self._event = threading.Event()
        self._on_update = on_update
        self._on_note = on_note
        self.last: tuple[int, int | None, str] = (0, None, "")

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()

    def update(self, done: int, total: int | None, message: str) -> None:
        self.last = (done, total, message)
        if self._on_update is not None:
            self._on_update(done, total, message)

    def note(self, message: str) -> None:
        """A word on the side of the count (a wait for a rate limit)."""
        if self._on_note is not None:
            self._on_note(message)


def note(progress: Progress, message: str) -> None:
    """Say `message` (a wait) through the progress: as an update at the count last
    reported, and to its `note` when it has one."""
    last = getattr(progress, "last", None)
    done, total = (last[0], last[1]) if isinstance(last, tuple) and len(last) >= 2 else (0, None)
    progress.update(done, total, message)
    say = getattr(progress, "note", None)
    if callable(say):
        say(message)


def watch(conn, progress: Progress) -> None:
    """A connector that paces itself by its cart's rate limit (Shopify) waits however
    long, saying each wait through the progress, until the progress is cancelled."""
    hook = getattr(conn, "watch", None)
    if callable(hook):
        hook(lambda message: note(progress, message), lambda: bool(progress.cancelled))


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


def open_connector(cart: CartRef, progress: Progress | None = None):
    """A connector for the cart, credentials read from the OS keyring. What keeps it
    from being made (credentials missing or refused by the keyring, a CA bundle gone, a
    location that is not a number) is a CartError naming the cart: the transfer reports
    it like any other cart failure. With `progress` (a manual transfer) the connector
    waits out its cart's rate limit however long, saying so (`watch`)."""
    from seom_desktop.connect import connect
    from seom_desktop.credentials import CredentialError

    try:
        conn = connect(cart)
    except CartError:
        raise
    except (ValueError, CredentialError) as e:
        raise PermanentError(f"{cart.name}: cannot connect: {e}") from None
    if progress is not None:
        watch(conn, progress)
    return conn


def with_rate_limit(call: Callable[[], T], progress: Progress, *,
                    sleep: Callable[[float], None] = time.sleep) -> T:
    """Run `call`; when the cart says "too many requests, wait N s", say so, wait (in
    short steps, so a cancel is heard) and try again, as often as it comes."""
    while True:
        try:
            return call()
        except RateLimitedError as e:
            if progress.cancelled:
                raise
            wait_for_limit(e, progress, sleep)


def wait_for_limit(e: RateLimitedError, progress: Progress,
                   sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait out a cart's "too many requests, wait N s", said through the progress."""
    seconds = min(max(e.delay, 0.05), MAX_RATE_WAIT_SECONDS)
    if seconds >= 1:
        note(progress, f"waiting {seconds:.0f} s for the cart's rate limit ({e})")
    wait_out(seconds, progress, sleep)


def wait_out(seconds: float, progress: Progress, sleep: Callable[[float], None]) -> None:
    end = time.monotonic() + seconds
    while not progress.cancelled:
        left = end - time.monotonic()
        if left <= 0:
            return
        sleep(min(left, 0.25))
