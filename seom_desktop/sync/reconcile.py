"""Reconcile: find where a cart has drifted from what the store says it should show, and
with `fix` bring it back in line through the web stack (the store is the master).

A reconcile imports the cart's outstanding orders first (a sale the store has not heard
of is not drift), reads the whole cart (drift.py's reader: a bulk read for many SKUs),
and compares every synchronized item. A difference that a sale of the cart's own, still
not imported, explains is reported and never overwritten (stack/in_doubt.py's rule, the
one the stack itself follows). Each run is recorded in `reconcile_runs`, a failed one
with its error in plain words. How, step by step: `reconcile`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from seom_desktop.carts.base import ORDERS, PULL, PUSH, CartError
from seom_desktop.carts.registry import capabilities
from seom_desktop.inventory.actor import Actor
from seom_desktop.stack.in_doubt import sales_not_imported
from seom_desktop.stack.outbox import enqueue_for_cart, wake
from seom_desktop.stack.targets import cart_targets, record_seen
from seom_desktop.store.carts import CartDefinitionError, cart_by_name
from seom_desktop.store.engine import Store
from seom_desktop.store.models import (
    NOT_SENT,
    PENDING,
    SENDING,
    LedgerEntry,
    Product,
    StackRow,
    WebField,
    utcnow,
)
from seom_desktop.store.params import get_param
from seom_desktop.sync.drift import drift_rows
from seom_desktop.sync.orders import import_orders
from seom_desktop.sync.progress import CartRef, NullProgress, Progress, cart_for, open_connector
from seom_desktop.sync.reconcile_locations import (
    Seen,
    location_states,
    mapped_locations,
    read_locations,
    record_seen_at,
    should_show_now,
)
from seom_desktop.sync.reconcile_runs import RunView, finish_run, latest_run, start_run

__all__ = ["ReconcileRefused", "ReconcileResult", "RunView", "latest_run", "reconcile"]

log = logging.getLogger(__name__)

# What became of each difference (the clerk's words).
QUEUED = "correction queued"
WAITING_FOR_ORDERS = "a sale on the cart is not imported yet: left alone"
NOT_FIXED = "not corrected (reconcile without --fix)"
NOT_ON_CART = "not on the cart, or its stock is not tracked there: not corrected"
CHANGED = "sent or read again while the cart was read: left for the next reconcile"
AGREES_NOW = "the store changed since: the cart agrees now"
NOT_SYNCED = "no longer synchronized: not corrected"
FIX_CHUNK = 200  # corrections per transaction: the stack's own writes are never held long
IN_CHUNK = 900


class ReconcileRefused(CartDefinitionError):
    """The cart cannot be reconciled as asked (bad input: nothing is changed)."""


@dataclass
class Difference:
    sku: str  # the store's SKU
    cart_sku: str
    cart_qoh: int | None  # None: not on the cart, or not tracked there
    should_show: int
    since: datetime | None  # the newest of its last ledger row / last send to this cart
    outcome: str = NOT_FIXED
    location: str = ""  # the cart's location (a cart with mapped locations), else ""

    def as_json(self) -> dict:
        return {"sku": self.sku, "cart_sku": self.cart_sku, "location": self.location,
                "cart_qoh": self.cart_qoh,
                "should_show": self.should_show,
                "since": self.since.isoformat(sep=" ", timespec="seconds") if self.since else None,
                "outcome": self.outcome}


@dataclass
class ReconcileResult:
    cart: str
    checked: int = 0  # synchronized items compared (items the cart sets itself excluded)
    different: list[Difference] = field(default_factory=list)
    fixed: int = 0  # corrections queued in the web stack
    on_its_way: int = 0  # differ by a change still in the web stack, or sent since the read
    orders_imported: int = 0
    orders_error: str = ""
    error: str = ""
    cancelled: bool = False
    run_id: int | None = None

    @property
    def waiting_for_orders(self) -> list[str]:
        return [d.sku for d in self.different if d.outcome == WAITING_FOR_ORDERS]

    @property
    def ok(self) -> bool:
        return not self.error and not self.cancelled

    def as_json(self) -> dict:
        return {"cart": self.cart, "checked": self.checked,
                "different": [d.as_json() for d in self.different], "fixed": self.fixed,
                "waiting_for_orders": self.waiting_for_orders, "on_its_way": self.on_its_way,
                "orders_imported": self.orders_imported, "orders_error": self.orders_error or None,
                "error": self.error or None, "cancelled": self.cancelled}

    def summary(self) -> str:
        if self.error:
            return f"{self.cart}: the reconcile stopped: {self.error}"
        text = (f"{self.cart}: {self.checked:,} checked, {len(self.different):,} different, "
                f"{self.fixed:,} corrections queued")
        if self.waiting_for_orders:
            text += f", {len(self.waiting_for_orders):,} waiting for an order import"
        if self.on_its_way:
            text += f", {self.on_its_way:,} still on their way from the web stack"
        if self.cancelled:
            text += " (cancelled)"
        return text


def reconcile(store: Store, cart_name: str, *, fix: bool = False,
              progress: Progress | None = None, actor: Actor | None = None) -> ReconcileResult:
    """Reconcile one cart; the run is recorded in `reconcile_runs`.

    Bad input raises before anything is changed or recorded: an unknown cart
    (CartDefinitionError), a cart that cannot be read and, with `fix`, a cart that
    cannot be sent QOH or that the web stack does not send to (ReconcileRefused).
    Anything else that stops the run (the cart could not be read) is in
    `ReconcileResult.error` and the run's row.

    1. The cart's outstanding orders are imported (a cart that lists orders).
    2. The whole cart is read (`drift.drift_rows`) and every synchronized item compared
       with what it should show. An item whose change is still in the web stack
       (pending or being sent) while the cart shows what was last sent is on its way, not
       a difference.
    3. Differences are checked against the cart's orders not imported yet: an item sold
       there is left alone (it waits for the import, as the stack's rows do).
    4. With `fix`, each other difference gets one correction row (stack/outbox.py), in a
       short transaction with its neighbours: the store first records that the cart was seen
       showing the read value (so the stack writes over it instead of waiting for an
       order import), unless the item was sent to or read from the cart after the read
       began (then that newer word stands and the next reconcile looks again), or the
       store moved to what the cart shows meanwhile."""
    progress = progress or NullProgress()
    actor = actor or Actor.current()
    with store.read() as s:
        cart = cart_by_name(s, cart_name)  # CartDefinitionError: unknown
        if PULL not in capabilities(cart.kind):
            raise ReconcileRefused(f"cart {cart.name!r} ({cart.kind}) cannot be read, so it "
                                   "cannot be reconciled")
        cart = cart_for(s, cart_name, PULL)
        if fix:
            _check_can_fix(s, cart)
    result = ReconcileResult(cart.name)
    result.run_id = start_run(store, cart.id, actor.workstation)
    try:
        _run(store, cart, result, fix=fix, progress=progress, actor=actor)
    except CartError as e:
        result.error = str(e)
    except Exception as e:  # noqa: BLE001 - recorded in plain words, details in the log
        log.exception("reconcile of %s failed", cart.name)
        result.error = f"{type(e).__name__}: {e}"
    finally:
        finish_run(store, result)
    log.info("reconcile %s", result.summary())
    return result


def _check_can_fix(s, cart: CartRef) -> None:
    if PUSH not in capabilities(cart.kind):
        raise ReconcileRefused(f"cart {cart.name!r} ({cart.kind}) cannot be sent QOH, so no "
                               "correction can be queued: reconcile it without --fix")
    if not cart_by_name(s, cart.name).sync:
        raise ReconcileRefused(
            f"cart {cart.name!r} does not synchronize inventory (its Synchronize Inventory "
            f"is off), so no correction can be sent: turn it on (cart set {cart.name} "
            "--sync) or reconcile without --fix")
    if not get_param(s, "SynchQOH"):
        raise ReconcileRefused("SynchQOH is FALSE, so no correction can be sent: set it "
                               "(param set SynchQOH true) or reconcile without --fix")


def _run(store: Store, cart: CartRef, result: ReconcileResult, *, fix: bool,
         progress: Progress, actor: Actor) -> None:
    if ORDERS in capabilities(cart.kind):
        progress.update(0, None, f"importing the orders of {cart.name}")
        report = import_orders(store, cart.name, progress=progress, actor=actor)
        result.orders_imported = len(report.imported)
        result.orders_error = report.error or ""
        if report.cancelled:
            result.cancelled = True
            return
    began = utcnow()
    locations = mapped_locations(store, cart.id)
    rows = (read_locations(store, cart, locations, progress) if locations
            else _whole_cart(store, cart, progress))
    if progress.cancelled:
        result.cancelled = True
        return
    live = [r for r in rows if not r.managed]
    result.checked = len(live)
    drifted = [r for r in live if r.drifted]
    if not drifted:
        return
    facts = _facts(store, cart.id, drifted, progress, bool(locations))
    diffs: list[tuple[Difference, int]] = []  # (difference, product id)
    for r in drifted:
        f = facts[(r.pid, r.location)]
        if f.touched_after(began) or (f.busy and r.cart_shows is not None
                                      and r.cart_shows == f.believed):
            result.on_its_way += 1  # sent (or seen) since the read, or about to be
            continue
        diffs.append((Difference(r.sku, r.cart_sku, r.cart_shows, r.should_show, f.since,
                                 NOT_ON_CART if r.cart_shows is None else NOT_FIXED,
                                 r.location), r.pid))
    sold = _sold(store, cart, [d.cart_sku for d, _ in diffs if d.cart_qoh is not None])
    for d, _pid in diffs:
        if d.cart_qoh is not None and d.cart_sku in sold:
            d.outcome = WAITING_FOR_ORDERS
    result.different = [d for d, _ in diffs]
    if fix:
        todo = [(d, pid) for d, pid in diffs if d.outcome == NOT_FIXED]
        for i in range(0, len(todo), FIX_CHUNK):
            if progress.cancelled:  # the rest stay "not corrected"
                result.cancelled = True
                break
            result.fixed += _queue(store, cart.id, todo[i:i + FIX_CHUNK], began, actor)
        # The store heard from the cart since the read, or moved to what it shows: no
        # difference left to report.
        kept = [d for d in result.different if d.outcome not in (CHANGED, AGREES_NOW)]
        result.on_its_way += len(result.different) - len(kept)
        result.different = kept


def _whole_cart(store: Store, cart: CartRef, progress: Progress) -> list[Seen]:
    """drift.py's read of the whole cart, each row with its product id."""
    rows = drift_rows(store, cart.name, progress=progress)
    skus = [r.sku for r in rows]
    ids: dict[str, int] = {}
    with store.read() as s:
        for i in range(0, len(skus), IN_CHUNK):
            ids.update(s.execute(select(Product.sku, Product.id)
                                 .where(Product.sku.in_(skus[i:i + IN_CHUNK]))).all())
    return [Seen(ids[r.sku], r.sku, r.cart_sku, "", r.should_show, r.cart_shows, r.managed)
            for r in rows if r.sku in ids]


@dataclass(frozen=True)
class _Facts:
    believed: int | None  # what the store believes the cart (the location) shows
    busy: bool  # a change for it is pending or being sent to this cart
    since: datetime | None
    sent_at: datetime | None = None  # last sent to / seen on this cart (the location)
    seen_at: datetime | None = None

    def touched_after(self, when: datetime) -> bool:
        return any(t is not None and t > when for t in (self.sent_at, self.seen_at))


def _facts(store: Store, cart_id: int, rows: list[Seen], progress: Progress,
           located: bool) -> dict[tuple[int, str], _Facts]:
    """{(product id, location): what the store knows of it}."""
    pids = list(dict.fromkeys(r.pid for r in rows))
    wanted = {(r.pid, r.location) for r in rows}
    out: dict[tuple[int, str], _Facts] = {}
    for i in range(0, len(pids), IN_CHUNK):
        _ = progress.cancelled  # between chunks: a scheduled reconcile gives way here
        part = pids[i:i + IN_CHUNK]
        in_part = set(part)
        with store.read() as s:
            if located:
                states = location_states(s, cart_id, part)
            else:
                states = {(pid, ""): (last, sent, seen) for pid, last, sent, seen in s.execute(
                    select(WebField.product_id, WebField.last_cart_qoh, WebField.last_sent_at,
                           WebField.last_cart_seen_at)
                    .where(WebField.cart_id == cart_id, WebField.product_id.in_(part)))}
            busy = set(s.scalars(select(StackRow.product_id).distinct().where(
                StackRow.cart_id == cart_id, StackRow.product_id.in_(part),
                StackRow.state.in_((PENDING, SENDING)), NOT_SENT)))
            ledger = dict(s.execute(
                select(LedgerEntry.product_id, func.max(LedgerEntry.created_at))
                .where(LedgerEntry.product_id.in_(part)).group_by(LedgerEntry.product_id)).all())
        for key in wanted:
            if key[0] not in in_part:
                continue
            last, sent, seen = states.get(key, (None, None, None))
            times = [t for t in (ledger.get(key[0]), sent) if t is not None]
            out[key] = _Facts(last, key[0] in busy, max(times) if times else None, sent, seen)
    return out


def _sold(store: Store, cart: CartRef, cart_skus: list[str]) -> set[str]:
    """The cart SKUs among `cart_skus` sold on the cart in an order not imported yet."""
    if not cart_skus:
        return set()
    try:
        conn = open_connector(cart)
    except CartError:
        return set(cart_skus)  # cannot ask: the safe side, as the stack does
    try:
        return sales_not_imported(store, cart.id, conn, cart_skus)
    finally:
        conn.close()


def _queue(store: Store, cart_id: int, chunk: list[tuple[Difference, int]],
           began: datetime, actor: Actor) -> int:
    queued = 0
    fixed: list[int] = []
    pids = list(dict.fromkeys(pid for _d, pid in chunk))
    with store.write() as s:
        if any(d.location for d, _ in chunk):
            now = should_show_now(s, cart_id, pids)
            states = location_states(s, cart_id, pids)
        else:
            now = {(t.product_id, ""): t.shaped for t in cart_targets(s, cart_id, pids)}
            states = {(pid, ""): (None, sent, seen) for pid, sent, seen in s.execute(
                select(WebField.product_id, WebField.last_sent_at, WebField.last_cart_seen_at)
                .where(WebField.cart_id == cart_id, WebField.product_id.in_(pids)))}
        for d, pid in chunk:
            key = (pid, d.location)
            _last, sent, seen = states.get(key, (None, None, None))
            if key not in now:
                d.outcome = NOT_SYNCED
            elif any(t is not None and t > began for t in (sent, seen)):
                d.outcome = CHANGED
            elif now[key] == d.cart_qoh:
                d.outcome = AGREES_NOW
            else:
                # What the cart was just seen showing becomes what the store believes it
                # shows: the stack then writes over it instead of taking it for a sale.
                if d.location:
                    record_seen_at(s, cart_id, pid, d.location, d.cart_qoh)
                else:
                    record_seen(s, cart_id, pid, d.cart_qoh)
                if pid not in fixed and enqueue_for_cart(
                        s, cart_id=cart_id, product_id=pid,
                        workstation=actor.workstation) is None:
                    d.outcome = NOT_SYNCED
                    continue
                d.outcome = QUEUED
                queued += 1
                if pid not in fixed:
                    fixed.append(pid)
        # Its rows that wait for an order import (the cart showed a number the store could
        # not explain) go with the correction: no sale explains the difference.
        if fixed:
            wake(s, cart_id=cart_id, product_ids=fixed)
    return queued
