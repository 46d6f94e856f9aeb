"""Get QOH From Website for many items of one cart at once: what calling
`operations.pulled_qoh` for each item in turn does, in a few set-based statements.

For each (product, cart QOH), in the order given: the product's QOH becomes the cart's
number (a ledger row "pulled from cart" with delta = new - old, even when 0); when the
QOH changed and SynchQOH is on, a web stack row for every other synced cart whose web
field for the product syncs (or that has none); the origin cart's web field (created when
missing: sync on, no reserve) remembers the cart's number, its failed rows for the
product are tried again now, and it gets a correction row when its web fields say it
should show something else. A product given twice is handled twice, in order.

The products are locked first (SELECT ... FOR UPDATE in id order on PostgreSQL, so a
concurrent adjustment waits and is not lost; on SQLite the write transaction already
holds the lock). Everything goes as plain SQL to the driver (`store.raw`): the reads as
IN lists, the writes as executemany UPDATEs and INSERTs, except the INSERTs on
PostgreSQL, one `unnest` of column arrays a slice (see `_insert`, `_insert_unnest`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import UnknownSKUError
from seom_desktop.inventory.operations import PULLED, ChangeResult, _mark_enqueued
from seom_desktop.inventory.shaping import shaped_qoh
from seom_desktop.inventory.validation import MAX_QOH, parse_quantity
from seom_desktop.store.models import (
    FAILED,
    PENDING,
    Cart,
    LedgerEntry,
    Product,
    StackRow,
    WebField,
    utcnow,
)
from seom_desktop.store.params import get_param
from seom_desktop.store.raw import Raw

SLICE = 1000  # rows per statement (ids in an IN list, rows of a multi-row INSERT)
REASON = "Get QOH From Website"

_P, _L, _S, _W = (Product.__table__, LedgerEntry.__table__, StackRow.__table__,
                  WebField.__table__)


def _slices(seq: Sequence, size: int = SLICE) -> Iterator[Sequence]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def pulled_qoh_many(session: Session, *, cart_id: int, items: Sequence[tuple[int, str, int]],
                    actor: Actor, seen_recorded: bool = False,
                    known: Mapping[int, tuple] | None = None) -> list[ChangeResult]:
    """`pulled_qoh` for each (product id, store SKU, cart QOH) of `items`, in order, from
    cart `cart_id`; one ChangeResult per item. Bad input (a quantity out of range, a
    product that does not exist) raises InventoryError before anything is written.

    `seen_recorded`: the caller has just recorded in this transaction, with
    `record_seen_many`, that the cart shows each item's QOH; the web fields that hold it
    are then not written a second time.

    `known`: product id -> (QOH, web field id or None, sync, reserve, max shown) for
    every product of `items`, as read in this transaction, so they are not read again.
    On PostgreSQL the QOH is read again anyway, under the row lock."""
    if not all(type(q) is int and -MAX_QOH <= q <= MAX_QOH for _p, _s, q in items):
        items = [(pid, sku, parse_quantity(q, "new QOH")) for pid, sku, q in items]
    if not items:
        return []
    session.flush()  # what the session holds goes first (the statements below are plain SQL)
    raw = Raw(session)
    pids = sorted({pid for pid, _s, _q in items})
    if known is not None and not all(pid in known for pid in pids):
        known = None
    if known is not None and not raw.postgres:
        qoh = {pid: known[pid][0] for pid in pids}  # the write transaction holds the lock
    else:
        qoh = _lock(raw, pids)
    for pid, sku, _q in items:
        if pid not in qoh:
            raise UnknownSKUError(f"unknown SKU {sku!r}")
    now = utcnow()
    synch = bool(get_param(session, "SynchQOH"))
    cart_sync = bool((raw.all("SELECT sync FROM carts WHERE id = ?", (cart_id,)) or [(0,)])[0][0])
    others, off = _other_carts(raw, cart_id, pids) if synch else ([], set())
    # pid -> (web field id or None, sync, reserve, max shown)
    origin = ({pid: known[pid][1:] for pid in pids} if known is not None
              else _origin_fields(raw, cart_id, pids))

    # Every item in turn, in memory: ledger rows, then the stack rows that point at them.
    at = raw.value(_P.c.updated_at, now)
    ledger: list[tuple] = []  # the rows as the driver takes them (_LEDGER_COLUMNS)
    stack: list[tuple[int, int, int, int]] = []  # (index of the ledger row, cart, product, delta)
    seen: dict[int, int] = {}  # pid -> what the origin cart shows now
    correct = synch and cart_sync  # the origin cart may need a correction
    user, ws = actor.user, actor.workstation
    for i, (pid, _sku, new) in enumerate(items):
        delta, qoh[pid] = new - qoh[pid], new
        ledger.append((pid, delta, new, PULLED, REASON, "", cart_id, user, ws, at))
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

    raw.many("UPDATE products SET qoh = ?, updated_at = ? WHERE id = ?",
             [(qoh[pid], at, pid) for pid in pids])
    ledger_ids = _insert(session, _L, _LEDGER_COLUMNS, ledger)
    stack_ids = _insert(session, _S, _STACK_COLUMNS, [
        (cid, pid, delta, ledger_ids[i], ws, PENDING, 0, at, "", "", None, at, at, None)
        for i, cid, pid, delta in stack])
    _remember(raw, cart_id, origin, seen, at, update=not seen_recorded)
    _wake_failed(raw, cart_id, pids, at)
    if stack:
        _mark_enqueued(session)

    rows_of: dict[int, list[int]] = {}
    for (i, *_r), sid in zip(stack, stack_ids, strict=True):
        rows_of.setdefault(i, []).append(sid)
    return [ChangeResult(sku, led[1], led[2], lid, tuple(rows_of.get(i, ())))
            for i, ((_pid, sku, _q), led, lid) in enumerate(zip(items, ledger, ledger_ids,
                                                                strict=True))]


_NO_FIELD = (None, True, 0, None)  # an item with no web field for the cart
_LEDGER_COLUMNS = ("product_id", "delta", "qoh_after", "source", "reason", "reference",
                   "origin_cart_id", "user", "workstation", "created_at")
# Every column given (the defaults a new StackRow gets): no default runs per row.
_STACK_COLUMNS = ("cart_id", "product_id", "change", "ledger_id", "origin_workstation", "state",
                  "attempts", "next_attempt_at", "last_response", "claimed_by", "claimed_until",
                  "created_at", "updated_at", "sent_at")


def _lock(raw: Raw, pids: list[int]) -> dict[int, int]:
    """product id -> QOH, the rows locked in id order (on SQLite the write transaction
    already holds the database lock)."""
    lock = " FOR UPDATE" if raw.postgres else ""
    out: dict[int, int] = {}
    for cond, params in raw.where_in("id", pids):
        out.update(raw.all(f"SELECT id, qoh FROM products WHERE {cond} ORDER BY id{lock}",
                           params))
    return out


def _other_carts(raw: Raw, cart_id: int,
                 pids: list[int]) -> tuple[list[int], set[tuple[int, int]]]:
    """The synced carts other than the origin (id order), and the (product, cart) pairs
    among them whose web field says no sync."""
    others = [cid for (cid,) in raw.all("SELECT id FROM carts WHERE sync = ? AND id != ? "
                                        "ORDER BY id", (raw.value(Cart.__table__.c.sync, True),
                                                        cart_id))]
    off: set[tuple[int, int]] = set()
    if others:
        no = raw.value(_W.c.sync, False)
        for cond, params in raw.where_in("product_id", pids):
            off.update(raw.all(
                f"SELECT product_id, cart_id FROM web_fields WHERE sync = ? AND {cond} "
                f"AND cart_id IN ({','.join('?' * len(others))})", (no, *params, *others)))
    return others, off


def _origin_fields(raw: Raw, cart_id: int, pids: list[int]) -> dict[int, list]:
    out: dict[int, list] = {}
    for cond, params in raw.where_in("product_id", pids):
        for wid, pid, sync, reserve, max_qty in raw.all(
                "SELECT id, product_id, sync, reserve, max_qty FROM web_fields "
                f"WHERE cart_id = ? AND {cond}", (cart_id, *params)):
            out[pid] = (wid, bool(sync), reserve or 0, max_qty)
    return out


def _wake_failed(raw: Raw, cart_id: int, pids: list[int], at) -> None:
    """The origin cart's failed rows for these products are due now."""
    failed = sorted({pid for (pid,) in raw.all(
        "SELECT product_id FROM web_stack WHERE state = ? AND cart_id = ?", (FAILED, cart_id))}
        .intersection(pids))
    for cond, params in raw.where_in("product_id", failed):
        raw.run(f"UPDATE web_stack SET next_attempt_at = ?, updated_at = ? "
                f"WHERE cart_id = ? AND state = ? AND {cond}", (at, at, cart_id, FAILED, *params))


def _insert(session: Session, table, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """INSERTs of `rows` (values in the order of `columns`, as the driver takes them);
    the new ids in the order of `rows`."""
    if not rows:
        return []
    raw = Raw(session)
    if raw.postgres:
        return _insert_unnest(session, table, [dict(zip(columns, r, strict=True)) for r in rows])
    q = raw.dialect.identifier_preparer
    # SQLite does not promise the order of RETURNING rows. The write transaction holds
    # the database lock and a new rowid is above every rowid there is: rows inserted
    # now get increasing ids, in their order.
    before = raw.all(f"SELECT max(id) FROM {q.format_table(table)}")[0][0] or 0
    raw.many(f"INSERT INTO {q.format_table(table)} ({', '.join(q.quote(c) for c in columns)}) "
             f"VALUES ({', '.join('?' * len(columns))})", rows)
    ids = [i for (i,) in raw.all(f"SELECT id FROM {q.format_table(table)} WHERE id > ? "
                                 "ORDER BY id", (before,))]
    if len(ids) != len(rows):
        raise RuntimeError(f"{table.name}: {len(rows)} rows inserted, {len(ids)} new ids found")
    return ids


def _insert_unnest(session: Session, table, rows: list[dict]) -> list[int]:
    """PostgreSQL: one INSERT ... SELECT FROM unnest(one array per column) WITH ORDINALITY
    ORDER BY it, a slice a statement. The rows are inserted in that order, so the
    sequence gives them increasing ids: the returned ids, sorted, are in the order of
    `rows`. (SQLAlchemy's own ordered multi-row INSERT sends one named parameter per value,
    which the driver then spends most of the time parsing.)"""
    dialect = session.get_bind().dialect
    q = dialect.identifier_preparer
    cols = list(rows[0])
    casts = ", ".join(f"CAST(:a{i} AS {table.c[c].type.compile(dialect=dialect)}[])"
                      for i, c in enumerate(cols))
    names = ", ".join(f"c{i}" for i in range(len(cols)))
    stmt = text(f"INSERT INTO {q.format_table(table)} ({', '.join(q.quote(c) for c in cols)}) "
                f"SELECT {names} FROM unnest({casts}) WITH ORDINALITY AS u({names}, n) "
                f"ORDER BY n RETURNING {q.quote('id')}")
    ids: list[int] = []
    for chunk in _slices(rows):
        got = sorted(session.execute(stmt, {f"a{i}": [r[c] for r in chunk]
                                            for i, c in enumerate(cols)}).scalars())
        if len(got) != len(chunk):
            raise RuntimeError(f"{table.name}: {len(chunk)} rows inserted, {len(got)} ids")
        ids.extend(got)
    return ids


def _remember(raw: Raw, cart_id: int, origin: dict[int, tuple], seen: dict[int, int],
              at, *, update: bool) -> None:
    """The origin cart shows what it was read to show; a missing web field is made.
    (`update` False: `record_seen_many` did both already.)"""
    if not update:
        return
    have = {pid: (origin.get(pid) or _NO_FIELD)[0] for pid in seen}
    raw.many("UPDATE web_fields SET last_cart_qoh = ?, last_cart_seen_at = ? WHERE id = ?",
             [(q, at, have[pid]) for pid, q in seen.items() if have[pid] is not None])
    yes = raw.value(_W.c.sync, True)
    raw.many("INSERT INTO web_fields (cart_id, product_id, sync, reserve, attempted_qoh, "
             "last_cart_qoh, last_cart_seen_at) VALUES (?, ?, ?, 0, '', ?, ?)",
             [(cart_id, pid, yes, q, at) for pid, q in seen.items() if have[pid] is None])
