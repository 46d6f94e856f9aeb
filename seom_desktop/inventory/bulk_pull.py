"""Get QOH From Website for many items of one cart at once: what calling
`operations.pulled_qoh` for each item in turn does, in a few set-based statements (plain
SQL through `store.raw`, the products locked first). The rules: `pulled_qoh_many`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import UnknownSKUError
from seom_desktop.inventory.operations import PULLED, ChangeResult
from seom_desktop.inventory.validation import MAX_QOH, parse_quantity
from seom_desktop.stack import outbox
from seom_desktop.stack.shaping import shaped_qoh
from seom_desktop.store.models import Cart, LedgerEntry, Product, WebField, utcnow
from seom_desktop.store.params import get_param
from seom_desktop.store.raw import Raw, Rows, insert_rows, update_rows

REASON = "Get QOH From Website"

_P, _L, _W = Product.__table__, LedgerEntry.__table__, WebField.__table__


def pulled_qoh_many(session: Session, *, cart_id: int, items: Sequence[tuple[int, str, int]],
                    actor: Actor, seen_recorded: bool = False,
                    known_qoh: Mapping[int, int] | None = None,
                    known_fields: Mapping[int, tuple] | None = None) -> list[ChangeResult]:
    """`pulled_qoh` for each (product id, store SKU, cart QOH) of `items`, in order, from
    cart `cart_id`; one ChangeResult per item. Bad input (a quantity out of range, a
    product that does not exist) raises InventoryError before anything is written.

    For each item, in order: the product's QOH becomes the cart's number (a ledger row
    "pulled from cart" with delta = new - old, even when 0); when the QOH changed and
    SynchQOH is on, a web stack row for every other synced cart whose web field for the
    product syncs (or that has none); the origin cart's web field (created when missing:
    sync on, no reserve) remembers the cart's number, its failed rows for the product are
    tried again now, and it gets a correction row when its web fields say it should show
    something else. A product given twice is handled twice, in order. The products are
    locked first (SELECT ... FOR UPDATE in id order on PostgreSQL, so a concurrent
    adjustment waits and is not lost; on SQLite the write transaction holds the lock);
    each read and write is one statement for all the items (one JSON array on SQLite,
    column arrays on PostgreSQL).

    `seen_recorded`: the caller has just recorded in this transaction, with
    `record_seen_many`, that the cart shows each item's QOH; the web fields that hold it
    are then not written a second time.

    `known_qoh` (product id -> QOH) and `known_fields` (product id -> (web field id or
    None, sync, reserve, max shown) of the origin cart): what the caller read in this
    transaction for every product of `items`, so it is not read again. On PostgreSQL
    the QOH is read again anyway, under the row lock."""
    if not all(type(q) is int and -MAX_QOH <= q <= MAX_QOH for _p, _s, q in items):
        items = [(pid, sku, parse_quantity(q, "new QOH")) for pid, sku, q in items]
    if not items:
        return []
    session.flush()  # what the session holds goes first (the statements below are plain SQL)
    raw = Raw(session)
    pids = sorted({pid for pid, _s, _q in items})
    if known_qoh is not None and not raw.postgres and all(pid in known_qoh for pid in pids):
        qoh = dict(known_qoh)  # the write transaction holds the database lock
    else:
        qoh = _lock(raw, pids)
    for pid, sku, _q in items:
        if pid not in qoh:
            raise UnknownSKUError(f"unknown SKU {sku!r}")
    synch = bool(get_param(session, "SynchQOH"))
    cart_sync = bool((raw.one("SELECT sync FROM carts WHERE id = ?", (cart_id,)) or (0,))[0])
    others, off = _other_carts(raw, cart_id, pids) if synch else ([], set())
    # pid -> (web field id or None, sync, reserve, max shown)
    origin = (known_fields if known_fields is not None and all(pid in known_fields for pid in pids)
              else _origin_fields(raw, cart_id, pids))

    # Every item in turn, in memory: ledger rows, then the stack rows that point at them.
    ledger: list[tuple[int, int, int]] = []  # (product id, delta, qoh after)
    stack: list[tuple[int, int, int, int]] = []  # (index of the ledger row, cart, product, delta)
    seen: dict[int, int] = {}  # pid -> what the origin cart shows now
    correct = synch and cart_sync  # the origin cart may need a correction
    for i, (pid, _sku, new) in enumerate(items):
        delta, qoh[pid] = new - qoh[pid], new
        ledger.append((pid, delta, new))
        seen[pid] = new
        if not (delta and synch):
            continue
        if others:
            stack.extend((i, cid, pid, delta) for cid in others if (pid, cid) not in off)
        wf = origin.get(pid) or _NO_FIELD
        # shaped == new unless a reserve, a max shown or a negative QOH shapes it
        if (correct and wf[1] and (wf[2] or wf[3] is not None or new < 0)
                and shaped_qoh(new, wf[2] or 0, wf[3]) != new):
            stack.append((i, cart_id, pid, delta))

    now = utcnow()
    at = raw.value(_P.c.updated_at, now)
    led = {"source": PULLED, "reason": REASON, "reference": "", "origin_cart_id": cart_id,
           "user": actor.user, "workstation": actor.workstation, "created_at": at}
    if len(pids) == len(items):  # each product once: one set of rows for every statement
        rows = Rows(raw, [(pid, new, delta, (origin.get(pid) or _NO_FIELD)[0])
                          for pid, delta, new in ledger], ("INTEGER", "BIGINT", "BIGINT", "INTEGER"))
        update_rows(raw, _P, ("qoh",), rows, {"updated_at": at}, pick=(0, 1))
        ledger_ids = insert_rows(raw, _L, ("product_id", "delta", "qoh_after"), rows, led,
                                 pick=(0, 2, 1))
        if not seen_recorded:  # the origin cart's web fields that exist; the others below
            update_rows(raw, _W, ("last_cart_qoh",), rows, {"last_cart_seen_at": at},
                        pick=(3, 1))
            _remember(raw, cart_id, origin, seen, at, update=False)
    else:
        update_rows(raw, _P, ("qoh",), [(pid, qoh[pid]) for pid in pids], {"updated_at": at})
        ledger_ids = insert_rows(raw, _L, ("product_id", "delta", "qoh_after"), ledger, led)
        if not seen_recorded:
            _remember(raw, cart_id, origin, seen, at)
    stack_ids = outbox.enqueue_many(
        session, [(cid, pid, delta, ledger_ids[i]) for i, cid, pid, delta in stack],
        workstation=actor.workstation, at=now)
    outbox.wake(session, cart_id=cart_id, product_ids=pids)

    rows_of: dict[int, list[int]] = {}
    for (i, *_r), sid in zip(stack, stack_ids, strict=True):
        rows_of.setdefault(i, []).append(sid)
    return [ChangeResult(sku, led[1], led[2], lid, tuple(rows_of.get(i, ())))
            for i, ((_pid, sku, _q), led, lid) in enumerate(zip(items, ledger, ledger_ids,
                                                                strict=True))]


_NO_FIELD = (None, True, 0, None)  # an item with no web field for the cart


def _lock(raw: Raw, pids: list[int]) -> dict[int, int]:
    """product id -> QOH, the rows locked in id order (on SQLite the write transaction
    already holds the database lock)."""
    cond, params = raw.in_values("id", pids)
    lock = " FOR UPDATE" if raw.postgres else ""
    return {pid: q for pid, q in raw.select(
        "id, qoh", f"FROM products WHERE {cond} ORDER BY id{lock}", params)}


def _other_carts(raw: Raw, cart_id: int,
                 pids: list[int]) -> tuple[list[int], set[tuple[int, int]]]:
    """The synced carts other than the origin (id order), and the (product, cart) pairs
    among them whose web field says no sync."""
    others = [cid for (cid,) in raw.select(
        "id", "FROM carts WHERE sync = ? AND id != ? ORDER BY id",
        (raw.value(Cart.__table__.c.sync, True), cart_id))]
    if not others:
        return others, set()
    cond, params = raw.in_values("product_id", pids)
    return others, {(pid, cid) for pid, cid in raw.select(
        "product_id, cart_id", f"FROM web_fields WHERE sync = ? AND {cond} "
        f"AND cart_id IN ({','.join('?' * len(others))})",
        (raw.value(_W.c.sync, False), *params, *others))}


def _origin_fields(raw: Raw, cart_id: int, pids: list[int]) -> dict[int, tuple]:
    cond, params = raw.in_values("product_id", pids)
    return {pid: (wid, bool(sync), reserve or 0, max_qty)
            for wid, pid, sync, reserve, max_qty in raw.select(
                "id, product_id, sync, reserve, max_qty",
                f"FROM web_fields WHERE cart_id = ? AND {cond}", (cart_id, *params))}


def _remember(raw: Raw, cart_id: int, origin: Mapping[int, tuple], seen: dict[int, int],
              at, *, update: bool = True) -> None:
    """The origin cart shows what it was read to show (`update`: the web fields that
    exist are written here); a missing web field is made, unless one was made in this
    transaction since `origin` was read (by `record_seen_many`)."""
    have = {pid: (origin.get(pid) or _NO_FIELD)[0] for pid in seen}
    if update:
        update_rows(raw, _W, ("last_cart_qoh",),
                    [(have[pid], q) for pid, q in seen.items() if have[pid] is not None],
                    {"last_cart_seen_at": at})
    missing = [pid for pid in seen if have[pid] is None]
    if missing:
        cond, params = raw.in_values("product_id", missing)
        made = {pid: wid for wid, pid in raw.select(
            "id, product_id", f"FROM web_fields WHERE cart_id = ? AND {cond}", (cart_id, *params))}
        update_rows(raw, _W, ("last_cart_qoh",), [(wid, seen[pid]) for pid, wid in made.items()],
                    {"last_cart_seen_at": at})
        missing = [pid for pid in missing if pid not in made]
    insert_rows(raw, _W, ("product_id", "last_cart_qoh"), [(pid, seen[pid]) for pid in missing],
                {"cart_id": cart_id, "sync": raw.value(_W.c.sync, True), "reserve": 0,
                 "attempted_qoh": "", "last_cart_seen_at": at})
