"""Sending a cart with mapped locations (cart_locations): each location is sent its own
warehouse's quantity, shaped by the cart's rules (stack/allocation.shown_at_locations).

Per batch of products: one read-back of every mapped location (`get_items(skus,
locations=...)`), then one write of the (item, location) pairs that need it, each an
absolute quantity with `expected` = what the read-back showed (Shopify compares it,
`changeFromQuantity`, under an `@idempotent` key that covers the location). The same
rules as stack/sender.py keep a change from landing twice or overwriting a sale: a
value about to be written is stored as in doubt first (web_field_locations.attempted_qoh);
a location showing neither what we last saw there nor a value in doubt has sold since,
and the row waits for an order import. A row is sent when every location is."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from seom_desktop.carts.base import (
    CartError,
    Connector,
    PermanentError,
    QohUpdate,
    RateLimitedError,
)
from seom_desktop.stack import allocation
from seom_desktop.stack.claim import ClaimedRow
from seom_desktop.stack.outcome import Settings, Tally, mark_failed, mark_sent, release
from seom_desktop.stack.plan import (
    CartWork,
    Work,
    by_product,
    coalesce,
    fresh_first,
    next_slice,
    plan,
    take,
)
from seom_desktop.stack.targets import MAX_IN_DOUBT, in_doubt
from seom_desktop.store.engine import Store
from seom_desktop.store.models import WebField, WebFieldLocation, utcnow

log = logging.getLogger(__name__)


def has_locations(session: Session, cart_id: int) -> bool:
    return bool(allocation.cart_locations(session, cart_id))


def send_locations(store: Store, cart, rows: Sequence[ClaimedRow], connector: Connector,
                   settings: Settings, *, stop=None, on_request=None, rng=None,
                   pacing=None, fresh: Callable[[], Sequence[ClaimedRow]] | None = None) -> Tally:
    """sender.send_cart for a cart with mapped locations (`cart`: a sender.CartInfo): the
    rows planned a few requests ahead, and the cart's rows claimed since (`fresh`, asked
    before each batch) planned at once and sent first, as sender.send_cart does."""
    tally = Tally()
    with store.read() as s:
        locs = list(allocation.cart_locations(s, cart.id))
    size = max(1, min(connector.batch_limit, cart.max_items) // max(1, len(locs)))
    unplanned = by_product(rows)
    total = len(unplanned)
    queue: list[Work] = []
    while queue or unplanned:
        if stop is not None and stop.is_set():
            break
        new = fresh() if fresh is not None else ()
        if new:
            with store.read() as s:
                planned = coalesce(s, cart.id, new)
            # (whether a location needs a write is judged per location, by its read-back)
            queue = fresh_first(queue, planned, max(1, size // 2), unplanned, judged=False)
            _not_synced(store, planned, tally)
        while len(queue) < size and unplanned:
            some = take(unplanned, next_slice(size, total - len(unplanned)))
            with store.read() as s:
                planned = plan(s, cart.id, some)
            queue += planned.items
            _not_synced(store, planned, tally)
        chunk, queue = queue[:size], queue[size:]
        if not chunk:
            continue
        with store.read() as s:  # what each location should show, read just before
            shown = allocation.shown_at_locations(s, cart.id, [w.product_id for w in chunk])
        try:
            _send_chunk(store, cart, chunk, locs, shown, connector, settings, tally,
                        on_request, rng)
        except CartError as e:
            log.warning("%s: sending %d item(s) failed: %s", cart.name, len(chunk), e)
            tally.errors.append(str(e))
            wait = pacing.limited(e.delay) if pacing and isinstance(e, RateLimitedError) else 0.0
            with store.write() as s:
                mark_failed(s, [i for w in chunk for i in w.row_ids], str(e), settings, tally,
                            count_attempt=not isinstance(e, RateLimitedError), wait=wait,
                            rng=rng)
            if isinstance(e, RateLimitedError) or (isinstance(e, PermanentError)
                                                   and e.status in (401, 403)):
                _release(store, queue, unplanned, tally, wait)
                return tally
        else:
            if pacing:
                pacing.passed()
    _release(store, queue, unplanned, tally, 0.0)
    return tally


def _not_synced(store: Store, work: CartWork, tally: Tally) -> None:
    if work.unsynced:
        with store.write() as s:
            mark_failed(s, [i for w in work.unsynced for i in w.row_ids],
                        "the item's web field for this cart is set not to synchronize",
                        Settings(max_attempts=1), tally)


def _release(store: Store, queue: list[Work], unplanned: dict[int, list[int]], tally: Tally,
             wait: float) -> None:
    """Rows not tried in this pass (a stop, a rate limit, refused credentials) go back."""
    left = [i for w in queue for i in w.row_ids] + [i for ids in unplanned.values() for i in ids]
    if left:
        with store.write() as s:
            release(s, left, tally, wait=wait)


def _send_chunk(store: Store, cart, chunk: list[Work], locs: list[str], shown: dict,
                connector: Connector, settings: Settings, tally: Tally, on_request,
                rng) -> None:
    with store.read() as s:
        state = states(s, cart.id, [w.product_id for w in chunk])
    tally.requests += 1
    if on_request:
        on_request()
    found = connector.get_items([w.target.cart_sku for w in chunk], locations=tuple(locs))
    problems: dict[int, list[str]] = {}  # product -> why a location was not written
    stale: set[int] = set()
    writes: list[tuple[Work, str, int, int]] = []  # (work, location, value, seen)
    seen_at: dict[tuple[int, str], int] = {}
    for w in chunk:
        item = found.get(w.target.cart_sku)
        for loc in locs:
            target = shown[w.product_id][loc].qty
            if item is None:
                problems.setdefault(w.product_id, []).append(
                    f"the cart has no item with SKU {w.target.cart_sku!r}")
                break
            seen = item.locations.get(loc)
            if seen is None:
                problems.setdefault(w.product_id, []).append(
                    f"{w.target.cart_sku!r} is not stocked at location {loc}")
                continue
            seen_at[(w.product_id, loc)] = seen
            believed, attempted = state.get((w.product_id, loc), (None, ()))
            explained = believed is None or seen == believed or seen in attempted
            if not explained:
                stale.add(w.product_id)
                problems.setdefault(w.product_id, []).append(
                    f"location {loc} shows {seen} for {w.target.cart_sku!r}, expected "
                    f"{believed}: import its orders (or it was changed on the cart), then it "
                    "is sent")
            elif seen != target:
                writes.append((w, loc, target, seen))
    writes = [x for x in writes if x[0].product_id not in stale]
    with store.write() as s:
        for (pid, loc), seen in seen_at.items():  # what each location was seen showing
            if pid not in stale and not any(x[0].product_id == pid and x[1] == loc
                                            for x in writes):
                record(s, cart.id, pid, loc, sent=seen)
        for w, loc, value, _seen in writes:
            record_attempt(s, cart.id, w.product_id, loc, value)
    results = {}
    if writes:
        tally.requests += 1
        tally.writes += 1
        if on_request:
            on_request()
        updates = [QohUpdate(sku=w.target.cart_sku, qoh=value, item_id=w.target.item_id,
                             expected=seen, location=loc,
                             key=_key(cart.id, w, loc, value, seen))
                   for w, loc, value, seen in writes]
        results = {(r.sku, r.location): r for r in connector.set_qoh(updates)}
    with store.write() as s:
        for w, loc, value, _seen in writes:
            r = results.get((w.target.cart_sku, loc))
            if r is not None and r.ok:
                record(s, cart.id, w.product_id, loc, sent=value)
                tally.items_written += 1
            else:
                msg = str(r.error) if r is not None and r.error else (
                    "the cart did not answer for this item")
                problems.setdefault(w.product_id, []).append(f"location {loc}: {msg}")
        for w in chunk:
            why = problems.get(w.product_id)
            if not why:
                done = ", ".join(f"{loc}={shown[w.product_id][loc].qty}" for loc in locs)
                mark_sent(s, w.row_ids, f"sent {done}", tally)
            elif w.product_id in stale:
                mark_failed(s, w.row_ids, "; ".join(why), settings, tally,
                            count_attempt=False, rng=rng, waiting=True)
            else:
                mark_failed(s, w.row_ids, "; ".join(why), settings, tally, rng=rng)


def _key(cart_id: int, w: Work, location: str, value: int, expected: int | None) -> str:
    """As plan.idempotency_key, per location."""
    raw = f"seom:{cart_id}:{w.product_id}:{min(w.row_ids)}:{location}:{value}:{expected}"
    return "seom-" + hashlib.sha256(raw.encode()).hexdigest()[:32]


# --- delivery state per (web field, location) -------------------------------------------
def states(session: Session, cart_id: int, product_ids: Sequence[int]) -> dict:
    """{(product id, location): (what it was last seen showing, values in doubt)}."""
    out = {}
    for part in allocation.chunks(product_ids):
        for pid, loc, last, attempted in session.execute(
                select(WebField.product_id, WebFieldLocation.location,
                       WebFieldLocation.last_cart_qoh, WebFieldLocation.attempted_qoh)
                .join(WebField, WebField.id == WebFieldLocation.web_field_id)
                .where(WebField.cart_id == cart_id, WebField.product_id.in_(part))):
            out[(pid, loc)] = (last, in_doubt(attempted))
    return out


def _row(session: Session, cart_id: int, product_id: int, location: str) -> WebFieldLocation:
    wf = session.scalar(select(WebField).where(WebField.cart_id == cart_id,
                                               WebField.product_id == product_id))
    if wf is None:
        wf = WebField(cart_id=cart_id, product_id=product_id, sync=True, reserve=0,
                      attempted_qoh="")
        session.add(wf)
        session.flush()
    row = session.scalar(select(WebFieldLocation).where(
        WebFieldLocation.web_field_id == wf.id, WebFieldLocation.location == location))
    if row is None:
        row = WebFieldLocation(web_field_id=wf.id, location=location, attempted_qoh="")
        session.add(row)
    return row


def record_attempt(session: Session, cart_id: int, product_id: int, location: str,
                   qoh: int) -> None:
    """About to write `qoh` there: a read-back showing it later means it landed."""
    row = _row(session, cart_id, product_id, location)
    kept = [v for v in in_doubt(row.attempted_qoh) if v != qoh][-(MAX_IN_DOUBT - 1):]
    row.attempted_qoh = ",".join(str(v) for v in (*kept, qoh))
    session.flush()


def record(session: Session, cart_id: int, product_id: int, location: str, *,
           sent: int) -> None:
    """The location shows `sent` (it accepted it, or a read-back showed it)."""
    row = _row(session, cart_id, product_id, location)
    now = utcnow()
    row.last_sent_qoh = row.last_cart_qoh = sent
    row.last_sent_at = row.last_cart_seen_at = now
    row.attempted_qoh = ""
    session.flush()


def record_seen(session: Session, cart_id: int, product_id: int, location: str,
                qoh: int | None) -> None:
    """A read of the cart (Get QOH) showed `qoh` at the location."""
    row = _row(session, cart_id, product_id, location)
    row.last_cart_qoh = qoh
    row.last_cart_seen_at = utcnow()
    session.flush()


def off_target(session: Session, cart_id: int, product_id: int) -> bool | None:
    """Whether a location of the cart may show other than what its rules make of its
    warehouse's stock: what it is believed to show, or a value in doubt there, differs (a
    location whose value is unknown is not judged); None for a cart without mapped
    locations."""
    locs = allocation.cart_locations(session, cart_id)
    if not locs:
        return None
    want = allocation.shown_at_locations(session, cart_id, [product_id])[product_id]
    known = states(session, cart_id, [product_id])
    return any(v != want[loc].qty
               for (_pid, loc), (last, attempted) in known.items()
               if loc in want and last is not None
               for v in (last, *attempted))


def believe_own_change(session: Session, cart_id: int, product_id: int, believe) -> None:
    """The cart changed its own quantity (an order of its own, imported): at the location
    mapped to the warehouse its orders ship from, what we believe it shows becomes
    `believe(what we believed)`, and so does each value in doubt there. Nothing for a cart without mapped locations, or when
    that warehouse has no location of the cart."""
    from seom_desktop.store.models import Cart

    locs = allocation.cart_locations(session, cart_id)
    if not locs:
        return
    wid = session.get(Cart, cart_id).order_warehouse_id or allocation.default_warehouse_id(session)
    loc = next((loc for loc, w in locs.items() if w == wid), None)
    if loc is None:
        return
    row = _row(session, cart_id, product_id, loc)
    if row.last_cart_qoh is not None:
        row.last_cart_qoh = believe(row.last_cart_qoh)
        row.last_cart_seen_at = utcnow()
    # A write in doubt that landed has been moved by the same sale since.
    row.attempted_qoh = ",".join(str(believe(v)) for v in in_doubt(row.attempted_qoh))
    session.flush()
