"""Sending one cart's claimed rows: coalesce, read back where the cart has no
compare-and-set, write in requests of at most min(batch limit, Maximum number of items
to send), and record each row's outcome.

How a retry after an ambiguous failure (sent, no answer) is kept from applying a change
twice (DESIGN.md invariant 2), for every cart:
- the value written is always absolute: the store's QOH shaped for the cart, so writing
  it again changes nothing;
- before a write, the value is added to `attempted_qoh` in the store (the values in
  doubt); after a crash or a lost answer, a read-back that shows one of them proves
  that write landed;
- Shopify (write mode idempotent-delta) gets a compare-and-set instead of the read-back:
  `inventorySetQuantities` with `changeFromQuantity` = what we believe it shows and an
  `@idempotent` key derived from (cart, product, value, expected): the same retry carries
  the same key, and Shopify applies it once;
- a cart that shows neither what we believe nor what we attempted has sold (or was
  changed) since: the row waits (state `waiting`, for an order import), with a Last
  Response saying so, instead of overwriting
  a sale that is not imported yet (never oversell)."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from seom_desktop.carts.base import (
    IDEMPOTENT_DELTA,
    AmbiguousError,
    CartError,
    Connector,
    ManagedByCartError,
    PermanentError,
    RateLimitedError,
    StaleQuantityError,
)
from seom_desktop.stack.accepted import Accepted
from seom_desktop.stack.claim import ClaimedRow
from seom_desktop.stack.in_doubt import sales_not_imported
from seom_desktop.stack.location_sender import has_locations, send_locations
from seom_desktop.stack.outcome import (
    Settings,
    Tally,
    mark_failed,
    mark_managed,
    mark_sent,
    mark_sent_many,
    release,
)
from seom_desktop.stack.plan import (
    ALREADY,
    PLAN_AHEAD,
    STALE,
    WRITE,
    CartWork,
    Work,
    by_product,
    coalesce,
    fresh_first,
    judge_read_back,
    needs_nothing,
    next_slice,
    plan,
    stale_note,
    take,
    update_for,
)
from seom_desktop.stack.targets import (
    forget_attempt,
    record_attempts,
    record_sent,
)
from seom_desktop.store.engine import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CartInfo:
    id: int
    name: str
    max_items: int


class CartStopped(Exception):
    """The cart refused in a way that stops this pass for it (auth, rate limit)."""

    def __init__(self, wait: float = 0.0):
        super().__init__()
        self.wait = wait  # seconds its rows should wait (a rate limit), else 0


@dataclass
class Pacing:
    """One cart's rate-limit memory across passes. A cart that says "wait N s" is left
    alone N s (all its rows, not only the refused batch: retrying the rest at once
    spends the cart's budget again). A request that costs more than one refill (a batch
    whose look-ups each spend points) would otherwise be retried each time just enough
    had come back for its first part, and never complete: so each rate limit in a row
    doubles the wait, and a batch that gets through halves the streak's effect again."""

    streak: int = 0
    max_wait: float = 60.0  # the cap: past a full refill of a cost bucket (Shopify: 20 s)

    def limited(self, delay: float) -> float:
        self.streak += 1
        delay = max(delay, 0.05)
        return max(delay, min(self.max_wait, delay * 2 ** (self.streak - 1)))

    def passed(self) -> None:
        self.streak = max(0, self.streak - 1)


def send_cart(store: Store, cart: CartInfo, rows: Sequence[ClaimedRow], connector: Connector,
              settings: Settings, *, stop: threading.Event | None = None,
              on_request: Callable[[], None] | None = None,
              rng: random.Random | None = None, pacing: Pacing | None = None,
              fresh: Callable[[], Sequence[ClaimedRow]] | None = None) -> Tally:
    """The claimed rows are planned a few requests ahead (plan.next_slice, the oldest
    changes first), not all at once: the first request of a long drain does not wait for
    every target to be read, nor do the rows `fresh` hands in. `fresh`, asked before each
    request, hands the cart's rows claimed since: they are planned at once and go first, a
    product already queued or not planned yet taking its rows along (plan.fresh_first).
    Its answer is written before they are planned (the accepted)."""
    tally = Tally()
    pacing = pacing or Pacing()
    with store.read() as s:
        located = has_locations(s, cart.id)
    if located:  # each mapped location is sent its own warehouse
        return send_locations(store, cart, rows, connector, settings, stop=stop,
                              on_request=on_request, rng=rng, pacing=pacing, fresh=fresh)
    unplanned = by_product(rows)
    done = [0]  # products planned so far
    size = max(1, min(connector.batch_limit, cart.max_items))
    queue: list[Work] = []
    untried: list[Work] = []
    wait = 0.0
    accepted = Accepted(store, cart.id, tally)
    try:
        while queue or unplanned:
            if stop is not None and stop.is_set():
                untried = queue
                break
            new = fresh() if fresh is not None else ()
            if new:
                accepted.flush()
                with store.read() as s:
                    planned = coalesce(s, cart.id, new)
                queue = fresh_first(queue, planned, max(1, size // 2), unplanned)
                _settle_planned(store, planned, tally)
            queue = _plan_ahead(store, cart.id, queue, unplanned, size, tally, done)
            if not queue:
                continue
            chunk, queue = queue[:size], queue[size:]
            try:
                _send_chunk(store, cart, chunk, connector, settings, tally, on_request, rng,
                            pacing, accepted)
            except CartStopped as e:
                # The cart refused in a way that holds for its other batches too: they
                # wait for the next pass (after the cart's wait, for a rate limit), untried.
                untried = queue
                wait = e.wait
                break
    finally:
        accepted.flush()
    left = [i for w in untried for i in w.row_ids]
    if untried or unplanned:
        left += [i for ids in unplanned.values() for i in ids]
        with store.write() as s:
            release(s, left, tally, wait=wait)
    return tally


def _plan_ahead(store: Store, cart_id: int, queue: list[Work],
                unplanned: dict[int, list[int]], size: int, tally: Tally,
                done: list[int]) -> list[Work]:
    """The queue with at least a request's worth of updates planned, while products are
    left to plan; rows that need no request are settled together. `done`: the count of
    products planned so far in this pass, kept up to date."""
    settled = CartWork()
    n = 0
    while len(queue) < size and unplanned and n < 2 * PLAN_AHEAD:
        some = take(unplanned, next_slice(size, done[0]))
        n += len(some)
        done[0] += len(some)
        with store.read() as s:
            work = plan(s, cart_id, some)
        settled.unsynced += work.unsynced
        settled.items += [w for w in work.items if needs_nothing(w)]
        queue += [w for w in work.items if not needs_nothing(w)]
    _settle_planned(store, settled, tally)
    return queue


def _settle_planned(store: Store, work: CartWork, tally: Tally) -> None:
    """Rows decided without the cart: not synced any more, or believed shown already."""
    done = [w for w in work.items if needs_nothing(w)]
    if not work.unsynced and not done:
        return
    with store.write() as s:
        if work.unsynced:
            mark_failed(s, [i for w in work.unsynced for i in w.row_ids],
                        "the item's web field for this cart is set not to synchronize",
                        Settings(max_attempts=1), tally)
        mark_sent_many(s, [(w.row_ids, f"cart already shows {w.qoh}") for w in done], tally)


def _send_chunk(store: Store, cart: CartInfo, chunk: list[Work], connector: Connector,
                settings: Settings, tally: Tally, on_request, rng, pacing: Pacing,
                accepted: Accepted) -> None:
    cas = connector.write_mode == IDEMPOTENT_DELTA
    try:
        if not cas:
            _read_back(chunk, connector, tally, on_request)
            _doubt_sales(store, cart, [w for w in chunk if _landed_unseen(w)], connector)
        _settle_judged(store, cart, chunk, settings, tally, rng, accepted)
        to_write = [w for w in chunk if w.decision == WRITE]
        if to_write:
            _write(store, cart, to_write, connector, settings, tally, on_request, rng, cas,
                   accepted)
    except CartError as e:
        log.warning("%s: sending %d item(s) failed: %s", cart.name, len(chunk), e)
        wait = pacing.limited(e.delay) if isinstance(e, RateLimitedError) else 0.0
        _whole_request_failed(store, [w for w in chunk if w.decision == WRITE], e, settings,
                              tally, rng, wait)
        if isinstance(e, RateLimitedError) or (isinstance(e, PermanentError)
                                               and e.status in (401, 403)):
            raise CartStopped(wait) from e
    else:
        pacing.passed()


def _read_back(chunk: list[Work], connector: Connector, tally: Tally, on_request) -> None:
    tally.requests += 1
    if on_request:
        on_request()
    found = connector.get_items([w.target.cart_sku for w in chunk])
    for w in chunk:
        judge_read_back(w, found.get(w.target.cart_sku))


def _settle_judged(store: Store, cart: CartInfo, chunk: list[Work], settings: Settings,
                   tally: Tally, rng, accepted: Accepted) -> None:
    """Record rows decided without a write: already there, stale, missing, untracked."""
    settled = [w for w in chunk if w.decision != WRITE]
    for w in settled:
        if w.decision == ALREADY:
            accepted.add(w, f"cart already shows {w.qoh}",
                         (w.believed, ",".join(str(v) for v in w.attempted)))
    held = [f"{w.target.cart_sku}: {w.note}" for w in settled if w.decision != ALREADY]
    if not held:
        return
    log.info("%s: %d item(s) not written (%s)", cart.name, len(held), "; ".join(held[:5]))
    with store.write() as s:
        for w in settled:
            if w.decision == ALREADY:
                continue
            elif w.decision == STALE:
                # Nothing was transmitted: not an attempt. It waits for the order import
                # (which wakes it) or for a clerk, without ever being bypassed.
                mark_failed(s, w.row_ids, w.note, settings, tally, count_attempt=False, rng=rng,
                            waiting=True)
            else:  # missing or untracked: the same request will be refused again
                mark_failed(s, w.row_ids, w.note, settings, tally, rng=rng)


def _write(store: Store, cart: CartInfo, items: list[Work], connector: Connector,
           settings: Settings, tally: Tally, on_request, rng, cas: bool,
           accepted: Accepted) -> None:
    with store.write() as s:  # before the request: a lost answer is then recognisable
        before = record_attempts(s, cart.id, {w.product_id: w.qoh for w in items})
    expected = {w.product_id: (w.seen if w.seen is not None else w.believed) for w in items}
    results = _set(connector, cart, items, expected, tally, on_request)
    by_sku = {r.sku: r for r in results}
    retry: list[Work] = []
    maybe_sold: set[str] = set()
    if cas:  # a refused compare showing a value in doubt: our write landed, or a sale?
        shown = {w.target.cart_sku for w in items if _stale_shows_attempt(w, by_sku)}
        maybe_sold = sales_not_imported(store, cart.id, connector, shown) if shown else set()
    ok = [(w, by_sku[w.target.cart_sku]) for w in items
          if w.target.cart_sku in by_sku and by_sku[w.target.cart_sku].ok]
    for w, r in ok:
        accepted.add(w, f"sent {w.qoh}", before[w.product_id], r.item_id or "")
    tally.items_written += len(ok)
    refused = [w for w in items if w.target.cart_sku not in by_sku
               or not by_sku[w.target.cart_sku].ok]
    with store.write() if refused else nullcontext() as s:
        for w in refused:
            r = by_sku.get(w.target.cart_sku)
            if r is not None and r.ok:
                continue
            elif r is not None and isinstance(r.error, ManagedByCartError):
                # The cart sets this item itself (a bundle parent): nothing landed, and
                # nothing will; said once, never retried, never counted as an attempt.
                if w.qoh not in w.attempted:
                    forget_attempt(s, cart.id, w.product_id, w.qoh)
                mark_managed(s, w.row_ids, r.error.note, tally)
            elif r is not None and isinstance(r.error, StaleQuantityError) and cas:
                actual = r.error.actual
                if w.qoh not in w.attempted:
                    # The compare failed, so this write of w.qoh did not land: it is no
                    # longer in doubt (else the cart showing w.qoh later, for a sale of
                    # its own, would pass for this write having landed).
                    forget_attempt(s, cart.id, w.product_id, w.qoh)
                in_doubt = (actual is not None and actual in w.attempted
                            and w.target.cart_sku not in maybe_sold)
                if in_doubt and actual == w.qoh:
                    record_sent(s, cart.id, w.product_id, w.qoh)
                    mark_sent(s, w.row_ids, f"cart already shows {w.qoh}", tally)
                elif in_doubt:
                    w.seen = actual  # an earlier write landed unseen: write on top of it
                    retry.append(w)
                else:
                    shown = actual if actual is not None else "another number"
                    mark_failed(s, w.row_ids, stale_note(w, shown), settings, tally,
                                count_attempt=False, rng=rng, waiting=True)
            else:
                msg = str(r.error) if r is not None and r.error else "the cart did not answer for this item"
                mark_failed(s, w.row_ids, msg, settings, tally, rng=rng)
    refused = [f"{w.target.cart_sku}: {by_sku[w.target.cart_sku].error}" for w in items
               if w.target.cart_sku in by_sku and not by_sku[w.target.cart_sku].ok]
    log.info("%s: sent %d item(s): %d accepted, %d not%s", cart.name, len(items), len(ok),
             len(items) - len(ok), f" ({'; '.join(refused[:5])})" if refused else "")
    if retry:
        _write(store, cart, retry, connector, settings, tally, on_request, rng, cas, accepted)


def _stale_shows_attempt(w: Work, by_sku: dict) -> bool:
    r = by_sku.get(w.target.cart_sku)
    return (r is not None and isinstance(r.error, StaleQuantityError)
            and r.error.actual is not None and r.error.actual in w.attempted)


def _landed_unseen(w: Work) -> bool:
    """A read-back judged ALREADY only because the value shown is one in doubt."""
    return w.decision == ALREADY and w.believed is not None and w.seen != w.believed


def _doubt_sales(store: Store, cart: CartInfo, items: list[Work], connector) -> None:
    """Items whose shown value has a sale not imported yet as the other explanation wait
    for that import (see stack/in_doubt.py)."""
    if not items:
        return
    sold = sales_not_imported(store, cart.id, connector, [w.target.cart_sku for w in items])
    for w in items:
        if w.target.cart_sku in sold:
            w.decision, w.note = STALE, stale_note(w, w.seen)


def _set(connector: Connector, cart: CartInfo, items: list[Work], expected: dict,
         tally: Tally, on_request):
    tally.requests += 1
    tally.writes += 1
    if on_request:
        on_request()
    updates = [update_for(cart.id, w, expected=expected[w.product_id]) for w in items]
    return connector.set_qoh(updates)


def _whole_request_failed(store: Store, items: list[Work], e: CartError, settings: Settings,
                          tally: Tally, rng, wait: float = 0.0) -> None:
    if not items:
        return
    tally.errors.append(str(e))
    ids = [i for w in items for i in w.row_ids]
    msg = str(e)
    if isinstance(e, AmbiguousError):
        msg += " (it may have been applied: it is checked before the next try)"
    with store.write() as s:
        if isinstance(e, RateLimitedError):
            mark_failed(s, ids, msg, settings, tally, count_attempt=False, wait=wait, rng=rng)
        else:
            mark_failed(s, ids, msg, settings, tally, rng=rng)
