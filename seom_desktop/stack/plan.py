"""Turning claimed rows into the updates one cart needs: coalesce every row of a
(cart, product) into one update whose value is the store's QOH shaped for that cart,
and decide, from what the cart is believed to show and what a read-back shows, whether
each update must be written, is already there, or is stale."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy.orm import Session

from seom_desktop.carts.base import CartItem, QohUpdate
from seom_desktop.stack.claim import ClaimedRow
from seom_desktop.stack.targets import Target, cart_targets

WRITE = "write"
ALREADY = "already"
STALE = "stale"
MISSING = "missing"
UNTRACKED = "untracked"


@dataclass
class Work:
    """One (cart, product): its rows, and what to write."""

    product_id: int
    row_ids: list[int]
    target: Target | None  # None: the product's web field no longer syncs to this cart
    decision: str = WRITE
    seen: int | None = None  # what the read-back showed
    note: str = ""

    @property
    def qoh(self) -> int:
        assert self.target is not None
        return self.target.shaped

    @property
    def believed(self) -> int | None:
        return self.target.last_cart_qoh if self.target else None

    @property
    def attempted(self) -> tuple[int, ...]:
        return self.target.attempted if self.target else ()


@dataclass
class CartWork:
    items: list[Work] = field(default_factory=list)
    unsynced: list[Work] = field(default_factory=list)


def coalesce(session: Session, cart_id: int, rows: Sequence[ClaimedRow]) -> CartWork:
    return plan(session, cart_id, by_product(rows))


def by_product(rows: Sequence[ClaimedRow]) -> dict[int, list[int]]:
    """Each product's row ids, the products in the order of their first row (the oldest
    change first, when `rows` are in id order)."""
    out: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        out[r.product_id].append(r.id)
    return dict(out)


def plan(session: Session, cart_id: int, rows: dict[int, list[int]]) -> CartWork:
    """The updates of the products of `rows` (product id -> its row ids), in cart SKU
    order: one Work a product, with its target read now."""
    targets = {t.product_id: t for t in
               cart_targets(session, cart_id, list(rows), synced_only=False)}
    out = CartWork()
    for pid, ids in rows.items():
        t = targets.get(pid)
        if t is None or not t.sync:
            out.unsynced.append(Work(pid, ids, None))
        else:
            out.items.append(Work(pid, ids, t))
    out.items.sort(key=lambda w: w.target.cart_sku)
    return out


PLAN_AHEAD = 2000  # the most products planned at a time


def next_slice(size: int, planned: int) -> int:
    """How many products to plan next, `planned` being planned already: one request's
    worth first (the first request waits for no more), then as many again as were planned
    (a read of a few hundred targets costs half as much again per target as one of a
    few thousand), up to PLAN_AHEAD."""
    return max(size, min(PLAN_AHEAD, planned))


def take(unplanned: dict[int, list[int]], n: int) -> dict[int, list[int]]:
    """The first `n` products of `unplanned` (and their rows), taken out of it."""
    return {pid: unplanned.pop(pid) for pid in list(islice(unplanned, n))}


def needs_nothing(w: Work) -> bool:
    """The cart is believed to show the target and no write is in doubt."""
    return not w.attempted and w.believed is not None and w.believed == w.qoh


def judge_read_back(w: Work, item: CartItem | None) -> None:
    """Decide from a read-back (carts without server-side compare-and-set)."""
    if item is None:
        w.decision, w.note = MISSING, f"the cart has no item with SKU {w.target.cart_sku!r}"
        return
    if not item.tracked or item.qoh is None:
        w.decision, w.note = UNTRACKED, (f"{w.target.cart_sku!r} does not track stock on the "
                                         "cart; turn stock tracking on there")
        return
    w.seen = item.qoh
    explained = w.believed is None or item.qoh == w.believed or item.qoh in w.attempted
    if item.qoh == w.qoh and explained:
        # It shows the target, and we know why (a write of ours landed). A target shown
        # for no known reason is a coincidence of unimported sales: stale, below.
        w.decision = ALREADY
    elif explained:
        w.decision = WRITE
    else:
        w.decision = STALE
        w.note = stale_note(w, item.qoh)


def stale_note(w: Work, seen: int) -> str:
    return (f"cart shows {seen} for {w.target.cart_sku!r}, expected {w.believed}: "
            "import its orders (or it was changed on the cart), then it is sent")


def idempotency_key(cart_id: int, w: Work, expected: int | None) -> str:
    """The same for a retry of this write (its rows, value and expected value), another
    for a later write of the same value over the same expected one (a correction after
    an order import): a cart that replays a known key's answer would not apply that one.
    The oldest row stays in the work however many newer ones join it."""
    raw = f"seom:{cart_id}:{w.product_id}:{min(w.row_ids)}:{w.qoh}:{expected}"
    return "seom-" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def update_for(cart_id: int, w: Work, *, expected: int | None) -> QohUpdate:
    t = w.target
    return QohUpdate(sku=t.cart_sku, qoh=t.shaped, item_id=t.item_id, expected=expected,
                     delta=None, key=idempotency_key(cart_id, w, expected))


def fresh_first(queue: Sequence[Work], fresh: CartWork, room: int,
                unplanned: dict[int, list[int]] | None = None, *,
                judged: bool = True) -> list[Work]:
    """The queue of a cart's pass once rows claimed during it (`fresh`, planned now) join
    it: a product already queued (planned earlier: its value may be older) or not planned
    yet (in `unplanned`, taken out of it) hands its rows to the fresh update, so each
    product is written once, with its latest value, never an older one after a newer. Up
    to `room` fresh updates go first (a change made during a drain rides the next
    request); the others go last, so the queued ones move by at least a batch less `room`
    a request: none waits for ever. `judged`: an update the cart is believed to show
    already leaves the queue (a cart with mapped locations is judged per location, later)."""
    merged = {w.product_id for w in (*fresh.items, *fresh.unsynced)}
    queued = {w.product_id: w for w in queue if w.product_id in merged}
    for w in (*fresh.items, *fresh.unsynced):
        old = queued.get(w.product_id)
        if old is not None:
            w.row_ids = [*old.row_ids, *w.row_ids]
        if unplanned and w.product_id in unplanned:
            w.row_ids = [*unplanned.pop(w.product_id), *w.row_ids]
    rest = [w for w in queue if w.product_id not in merged]
    items = [w for w in fresh.items if not (judged and needs_nothing(w))]
    return [*items[:room], *rest, *items[room:]]
