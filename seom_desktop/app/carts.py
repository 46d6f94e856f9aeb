"""The shopping carts as the window sees them: the list (CartView, plain), one cart's
stored credentials, adding and changing a cart (credentials to the OS keyring, kept for
fields left empty), turning Synchronize Inventory on, Maximum number of items to send,
the cart's allocation (its rules, the warehouses it sells from, the one its orders ship
from, the location per warehouse: through inventory/rules.set_cart, as `cart set` does),
and [Test connection] (it reaches the cart: run it off the UI thread). The kind's
capabilities and basket rule come from its connector class (carts/registry.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from seom_desktop import credentials
from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.carts.base import LOCATIONS, ORDERS, PULL, PUSH, REALTIME, CartConfig
from seom_desktop.carts.redact import Redactor
from seom_desktop.carts.registry import (
    UnknownKindError,
    available_kinds,
    connector_class,
    make_connector,
)
from seom_desktop.carts.urls import check_url
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.rules import (
    CartAllocation,
    parse_location_for,
    parse_rule,
    set_cart,
    set_order_warehouse,
    view,
)
from seom_desktop.stack.allocation import default_warehouse_id, warehouse_names
from seom_desktop.stack.shaping import RULE_NAMES
from seom_desktop.store.carts import (
    MAX_ITEMS_LIMIT,
    cart_by_name,
    check_cart_name,
    check_max_items,
)
from seom_desktop.store.params import get_param
from seom_desktop.sync.cart_setup import (
    CartView,
    all_carts,
    define_cart,
    kind_capabilities,
    update_cart,
)

__all__ = ["LOCATIONS", "MAX_ITEMS_LIMIT", "ORDERS", "PULL", "PUSH", "REALTIME", "RULE_NAMES",
           "CartAllocation", "CartRules", "CartRulesForm", "CartView", "available_kinds",
           "cart_rules", "carts_and_synch", "check_cart_name", "check_max_items", "parse_location_for",
           "parse_rule",
           "check_url", "holds_stock_in_baskets", "kind_capabilities", "list_carts",
           "save_cart", "set_max_items", "stored_credentials", "synch_qoh",
           "try_connection", "turn_on_sync"]


def list_carts(store: StoreHandle) -> list[CartView]:
    with store.read() as s:
        return all_carts(s)


def synch_qoh(store: StoreHandle) -> bool:
    """System parameter SynchQOH (nothing is sent to any cart while it is FALSE)."""
    with store.read() as s:
        return bool(get_param(s, "SynchQOH"))


def carts_and_synch(store: StoreHandle) -> tuple[list[CartView], bool]:
    """The carts and SynchQOH, read together (Advanced Cart Functions)."""
    with store.read() as s:
        return all_carts(s), bool(get_param(s, "SynchQOH"))


def holds_stock_in_baskets(kind: str) -> bool:
    """The cart keeps stock in shoppers' baskets (its baskets must be emptied first)."""
    try:
        return bool(getattr(connector_class(kind), "holds_stock_in_baskets", False))
    except UnknownKindError:
        return False


def stored_credentials(store: StoreHandle, *, name: str) -> dict[str, str]:
    """The cart's secrets from the OS keyring (CredentialError: the keyring refused)."""
    with store.read() as s:
        ref = cart_by_name(s, name).credential_ref
    return credentials.load(ref or credentials.reference_for(name))


@dataclass(frozen=True)
class CartRulesForm:
    """What the form's Rules and warehouses tab offers and shows for one cart."""

    warehouses: tuple[str, ...]  # every warehouse of the store, by name
    default_warehouse: str  # where orders ship from when the cart names none
    allocation: CartAllocation | None  # the cart's (None: a cart not saved yet)
    order_warehouse: str = "none"  # the one the cart names ("none": the default's)


@dataclass(frozen=True)
class CartRules:
    """The cart's allocation as the clerk set it (checked values)."""

    rules: dict[str, int | None]  # every rule; None: unset
    warehouses: tuple[str, ...] = ()  # the warehouses it sells from; (): all
    order_warehouse: str = "none"  # "none": the default warehouse
    locations: tuple[tuple[str, str], ...] = field(default=())  # (warehouse, location id)


def cart_rules(store: StoreHandle, *, name: str | None) -> CartRulesForm:
    """The store's warehouses and the cart `name`'s allocation (None: a new cart)."""
    with store.read() as s:
        names = warehouse_names(s)
        default = names[default_warehouse_id(s)]
        cart = None if name is None else cart_by_name(s, name)
        alloc = None if cart is None else view(s, cart)
        ships = "none" if cart is None or cart.order_warehouse_id is None else \
            names[cart.order_warehouse_id]
    return CartRulesForm(tuple(sorted(names.values())), default, alloc, ships)


def _save_rules(session, name: str, kind: str, rules: CartRules, actor: Actor) -> None:
    """What `cart set NAME --warehouses/--location-for/--order-warehouse/--reserve/...`
    does: the same functions, so the same items are re-queued."""
    set_order_warehouse(session, name, rules.order_warehouse)
    locations = rules.locations if LOCATIONS in kind_capabilities(kind) else ()
    set_cart(session, name, warehouses=list(rules.warehouses), locations=locations,
             rules=rules.rules, actor=actor)


def save_cart(store: StoreHandle, *, name: str, kind: str, url: str, location: str,
              max_items: int, sync: bool, typed: Mapping[str, str], new: bool,
              rules: CartRules | None = None, workstation: str = "") -> CartView:
    """Add the cart (`new`) or change it, and its allocation (`rules`, in the same
    transaction); a credential left empty keeps what is stored. Refusals:
    CartDefinitionError, UnknownKindError, CredentialError, InventoryError (nothing
    saved)."""
    creds = None
    if not new and any(typed.values()):
        creds = {**stored_credentials(store, name=name),
                 **{k: v for k, v in typed.items() if v}}
    with store.write() as s:
        if new:
            v = define_cart(s, name=name, kind=kind, url=url, location=location,
                            max_items=max_items, sync=sync, **dict(typed))
        else:
            v = update_cart(s, name, creds=creds, url=url, location=location,
                            max_items=max_items, sync=sync)
        if rules is not None:
            _save_rules(s, v.name, v.kind, rules, Actor.current(workstation or None))
        return v


def turn_on_sync(store: StoreHandle, *, name: str) -> CartView:
    with store.write() as s:
        return update_cart(s, name, sync=True)


def set_max_items(store: StoreHandle, *, name: str, max_items: int) -> CartView:
    with store.write() as s:
        return update_cart(s, name, max_items=max_items)


def try_connection(store: StoreHandle, *, name: str, kind: str, url: str, location: str,
                    typed: Mapping[str, str], saved: bool) -> tuple[bool, str]:
    """Connect and ask the cart who it is, with the typed credentials over the stored
    ones (of a `saved` cart): (ok, what it said or why it failed), secrets redacted."""
    stored = stored_credentials(store, name=name) if saved else {}
    creds = {**stored, **{k: v for k, v in typed.items() if v}}
    config = CartConfig(name=name or "(new cart)", kind=kind, url=url,
                        location=location.strip(), key=creds.get("key", ""),
                        secret=creds.get("secret", ""), token=creds.get("token", ""),
                        read_timeout=15.0, ca_bundle=creds.get("ca_bundle", ""))
    redact = Redactor(config.secrets())
    try:
        conn = make_connector(config)
        try:
            return True, redact(str(conn.test_connection()))
        finally:
            conn.close()
    except Exception as e:  # noqa: BLE001 - every failure is said, in words
        from seom_desktop.carts.base import CartError

        known = isinstance(e, CartError | UnknownKindError | ValueError)
        return False, redact(str(e) if known else f"{type(e).__name__}: {e}")
