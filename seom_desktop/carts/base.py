"""The connector protocol every cart module implements, its plain data types and the
error classes the web stack acts on.

Connectors know nothing of the store: they take and return the frozen dataclasses
below. Quantities are what the cart should show (already shaped by the item's web
fields); SKUs are the cart's SKUs (already mapped through the cart SKU alias).

Locations (carts with the LOCATIONS capability: Shopify locations, BigCommerce inventory
locations, Magento 2 MSI sources). `list_locations()` names them (`CartLocation`, ids as
the cart spells them: a Shopify Location gid, a BigCommerce location id, a Magento source
code). A write goes to one location: `QohUpdate.location` ("" = the configured location,
else the cart's default, as before locations existed); a batch may hold the same SKU for
several locations, and each `ItemResult.location` says which one its result is for.
Reads per location: `get_items(skus, locations=("L1", "L2"))` and
`list_items(locations=(...))` fill `CartItem.locations` (location id -> quantity; a
location where the item is not stocked is absent); `qoh` stays the configured location's.
Calls without `locations` are unchanged, and connectors without LOCATIONS take no such
argument.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

# Capabilities, in the clerk's words of the reference page.
PUSH = "push"  # Send QOH To Website
PULL = "pull"  # Get QOH From Website
REALTIME = "realtime"  # Synchronize Inventory (the web stack may send to it)
ORDERS = "orders"  # orders can be imported
LOCATIONS = "locations"  # the cart keeps stock per location; each can be written and read

# How a connector writes a quantity, and so how a retry after an ambiguous failure is
# kept from applying a change twice (DESIGN.md invariant 2).
ABSOLUTE = "absolute"  # the cart takes the new quantity; re-sending it is harmless
IDEMPOTENT_DELTA = "idempotent-delta"  # deltas carry a key the cart remembers


@dataclass(frozen=True)
class CartConfig:
    """Everything a connector needs to reach one cart. Secrets are plain here and
    nowhere else: the caller reads them from the OS keyring."""

    name: str
    kind: str
    url: str
    key: str = ""
    secret: str = ""
    token: str = ""
    location: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    ca_bundle: str = ""  # a custom CA bundle file; certificates are always checked

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.key, self.secret, self.token) if s)

    def __repr__(self) -> str:  # never show a secret, even in a traceback
        return f"CartConfig(name={self.name!r}, kind={self.kind!r}, url={self.url!r})"


@dataclass(frozen=True)
class CartItem:
    """One item as the cart has it."""

    sku: str
    qoh: int | None  # None: the cart does not track this item's stock
    item_id: str = ""  # the cart's own id (e.g. "12" or "12/34" for a variation)
    name: str = ""
    tracked: bool = True
    # Who sets this item's quantity instead of us, in a clerk's words ("managed by Shopify
    # bundles": a bundle parent, whose quantity the cart derives from its components);
    # "" for an item we may write. Such an item is never written and never pulled.
    managed: str = ""
    # location id -> quantity there, filled only when a read names `locations`
    locations: Mapping[str, int] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class CartLocation:
    """One stock location of a cart (see the module docstring)."""

    id: str
    name: str
    active: bool = True


@dataclass(frozen=True)
class QohUpdate:
    """One quantity to write.

    `qoh` is the absolute quantity the cart should show. `delta` and `expected` are
    given to carts that adjust (the change, and the quantity the cart is believed to
    hold now); `key` is a stable idempotency key: the same update re-sent after an
    ambiguous failure carries the same key.
    """

    sku: str
    qoh: int
    item_id: str = ""
    delta: int | None = None
    expected: int | None = None
    key: str = ""
    location: str = ""  # a CartLocation.id; "" = the configured location / the default


@dataclass(frozen=True)
class ItemResult:
    """What became of one update of a batch."""

    sku: str
    ok: bool
    qoh: int | None = None  # the cart's quantity afterwards, when it says
    item_id: str = ""
    error: CartError | None = None
    location: str = ""  # the QohUpdate.location this result answers


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    name: str = ""


@dataclass(frozen=True)
class CartOrder:
    order_id: str
    created: str  # ISO 8601, UTC
    status: str
    lines: tuple[OrderLine, ...] = field(default_factory=tuple)


# --- errors ---------------------------------------------------------------------------


class CartError(Exception):
    """A cart could not do what was asked. `message` is for a clerk: the status, the
    cart's own words, never a secret."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, status: int | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return self.message


class RetryableError(CartError):
    """Nothing was applied (5xx, connect timeout, reset before sending): try again."""

    retryable = True


class RateLimitedError(RetryableError):
    """The cart asked us to wait `delay` seconds (429 + Retry-After, or its own headers)."""

    def __init__(self, message: str, *, delay: float, status: int | None = 429, code: str = ""):
        super().__init__(message, status=status, code=code)
        self.delay = delay


class AmbiguousError(RetryableError):
    """The request was sent and no usable answer came back: it may have been applied."""


class PermanentError(CartError):
    """The cart refused (4xx): the same request will be refused again."""


class AuthError(PermanentError):
    """Credentials refused (401/403)."""


class UnknownItemError(PermanentError):
    """The cart has no item with that SKU."""


class ManagedByCartError(PermanentError):
    """The cart sets this item's quantity itself (a Shopify bundle parent, from its
    components) and will not let anyone set it: nothing was sent for it and re-sending
    never helps. `note` says so in a clerk's words, without the cart's name."""

    def __init__(self, message: str, *, note: str, **kw):
        super().__init__(message, **kw)
        self.note = note


class StaleQuantityError(PermanentError):
    """A compare-and-set failed: the cart's quantity was not the expected one."""

    def __init__(self, message: str, *, actual: int | None = None, **kw):
        super().__init__(message, **kw)
        self.actual = actual


class BadResponseError(CartError):
    """The cart answered with something that is not its API's shape (an HTML error
    page, malformed JSON) to a read: nothing was changed, try again later."""

    retryable = True


# --- the protocol ---------------------------------------------------------------------


@runtime_checkable
class Connector(Protocol):
    kind: ClassVar[str]
    capabilities: ClassVar[frozenset[str]]
    batch_limit: ClassVar[int]  # the API's own maximum of updates in one request
    write_mode: ClassVar[str]  # ABSOLUTE or IDEMPOTENT_DELTA

    def test_connection(self) -> str:
        """A short description of the cart reached; raises CartError."""

    def list_items(self) -> Iterator[CartItem]:
        """Every item of the cart, page by page."""

    def get_items(self, skus: Sequence[str]) -> dict[str, CartItem]:
        """The named items (cart SKUs); SKUs the cart lacks are absent."""

    def set_qoh(self, updates: Sequence[QohUpdate]) -> list[ItemResult]:
        """Write at most `batch_limit` updates in one request. A failure of the whole
        request raises CartError; a refused item comes back as a failed ItemResult."""

    def list_orders(self, since: str | None) -> list[CartOrder]:
        """Orders created after `since` (an opaque cursor or ISO time), oldest first."""

    def close(self) -> None: ...


@runtime_checkable
class LocationConnector(Connector, Protocol):
    """A connector with the LOCATIONS capability (see the module docstring)."""

    def list_locations(self) -> list[CartLocation]:
        """Every stock location of the cart, active or not, in the cart's order."""

    def list_items(self, locations: Sequence[str] = ()) -> Iterator[CartItem]:
        """As Connector.list_items; with `locations`, each item's quantity there too."""

    def get_items(self, skus: Sequence[str],
                  locations: Sequence[str] = ()) -> dict[str, CartItem]:
        """As Connector.get_items; with `locations`, each item's quantity there too."""
