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
holds the lock). The writes are executemany UPDATEs and INSERTs: on PostgreSQL multi-row
INSERTs with RETURNING ("insertmanyvalues", ids in parameter order) in slices of SLICE
rows; on SQLite an executemany INSERT whose ids are read back (see `_insert`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import UnknownSKUError
from seom_desktop.inventory.operations import PULLED, ChangeResult, _mark_enqueued
from seom_desktop.inventory.shaping import shaped_qoh
from seom_desktop.inventory.validation import parse_quantity
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

SLICE = 1000  # rows per statement (ids in an IN list, rows of a multi-row INSERT)
REASON = "Get QOH From Website"

_P, _L, _S, _W = (Product.__table__, LedgerEntry.__table__, StackRow.__table__,
                  WebField.__table__)


def _slices(seq: Sequence, size: int = SLICE) -> Iterator[Sequence]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def pulled_qoh_many(session: Session, *, cart_id: int, items: Sequence[tuple[int, str, int]],
                    actor: Actor, seen_recorded: bool = False) -> list[ChangeResult]:
    """`pulled_qoh` for each (product id, store SKU, cart QOH) of `items`, in order, from
    cart `cart_id`; one ChangeResult per item. Bad input (a quantity out of range, a
    product that does not exist) raises InventoryError before anything is written.

    `seen_recorded`: the caller has just recorded in this transaction, with
    `record_seen_many`, that the cart shows each item's QOH; the web fields that hold it
    are then not written a second time."""
    items = [(pid, sku, parse_quantity(qoh, "new QOH")) for pid, sku, qoh in items]
    if not items:
        return []
    session.flush()  # what the session holds goes first (the statements below are Core)
    pids = sorted({pid for pid, _s, _q in items})
    qoh = _lock(session, pids)
    for pid, sku, _q in items:
        if pid not in qoh:
            raise UnknownSKUError(f"unknown SKU {sku!r}")
    now = utcnow()
    synch = bool(get_param(session, "SynchQOH"))
    cart = session.get(Cart, cart_id)
    cart_sync = cart is not None and bool(cart.sync)
    others, off = _other_carts(session, cart_id, pids) if synch else ([], set())
    origin = _origin_fields(session, cart_id, pids)  # pid -> [id or None, sync, reserve, max]

    # Every item in turn, in memory: ledger rows, then the stack rows that point at them.
    ledger: list[dict] = []
    stack: list[tuple[int, dict]] = []  # (index of the ledger row, row)
    seen: dict[int, int] = {}  # pid -> what the origin cart shows now
    for i, (pid, _sku, new) in enumerate(items):
        delta, qoh[pid] = new - qoh[pid], new
        ledger.append({"product_id": pid, "delta": delta, "qoh_after": new, "source": PULLED,
                       "reason": REASON, "reference": "", "origin_cart_id": cart_id,
                       "user": actor.user, "workstation": actor.workstation,
                       "created_at": now})
        if delta and synch:
            stack.extend((i, _row(cid, pid, delta, actor, now)) for cid in others
                         if (pid, cid) not in off)
        wf = origin.setdefault(pid, [None, True, 0, None])
        seen[pid] = new
        if (delta and synch and cart_sync and wf[1]
                and shaped_qoh(new, wf[2] or 0, wf[3]) != new):
            stack.append((i, _row(cart_id, pid, delta, actor, now)))

    set_qoh = (_P.update().where(_P.c.id == bindparam("b_id"))
               .values(qoh=bindparam("b_qoh"), updated_at=now))
    executemany(session, set_qoh, [{"b_id": pid, "b_qoh": qoh[pid]} for pid in pids])
    ledger_ids = _insert(session, _L, ledger)
    for i, row in stack:
        row["ledger_id"] = ledger_ids[i]
    stack_ids = _insert(session, _S, [row for _i, row in stack])
    _remember(session, cart_id, origin, seen, now, update=not seen_recorded)
    for chunk in _slices(pids):
        session.execute(update(StackRow)
                        .where(StackRow.cart_id == cart_id, StackRow.product_id.in_(chunk),
                               StackRow.state == FAILED)
                        .values(next_attempt_at=now, updated_at=now)
                        .execution_options(synchronize_session=False))
    if stack:
        _mark_enqueued(session)

    rows_of: list[list[int]] = [[] for _ in items]
    for (i, _r), sid in zip(stack, stack_ids, strict=True):
        rows_of[i].append(sid)
    return [ChangeResult(sku, led["delta"], led["qoh_after"], lid, tuple(rows))
            for (_pid, sku, _q), led, lid, rows in zip(items, ledger, ledger_ids, rows_of,
                                                       strict=True)]


def _lock(session: Session, pids: list[int]) -> dict[int, int]:
    """product id -> QOH, the rows locked in id order (FOR UPDATE is a no-op on SQLite)."""
    out: dict[int, int] = {}
    for chunk in _slices(pids):
        out.update(session.execute(select(_P.c.id, _P.c.qoh).where(_P.c.id.in_(chunk))
                                   .order_by(_P.c.id).with_for_update()).all())
    return out


def _other_carts(session: Session, cart_id: int,
                 pids: list[int]) -> tuple[list[int], set[tuple[int, int]]]:
    """The synced carts other than the origin (id order), and the (product, cart) pairs
    among them whose web field says no sync."""
    others = list(session.scalars(select(Cart.id).where(Cart.sync.is_(True), Cart.id != cart_id)
                                  .order_by(Cart.id)))
    off: set[tuple[int, int]] = set()
    if others:
        for chunk in _slices(pids):
            off.update(session.execute(
                select(_W.c.product_id, _W.c.cart_id)
                .where(_W.c.cart_id.in_(others), _W.c.product_id.in_(chunk),
                       _W.c.sync.is_(False))).all())
    return others, off


def _origin_fields(session: Session, cart_id: int, pids: list[int]) -> dict[int, list]:
    out: dict[int, list] = {}
    for chunk in _slices(pids):
        for wid, pid, sync, reserve, max_qty in session.execute(
                select(_W.c.id, _W.c.product_id, _W.c.sync, _W.c.reserve, _W.c.max_qty)
                .where(_W.c.cart_id == cart_id, _W.c.product_id.in_(chunk))):
            out[pid] = [wid, bool(sync), reserve or 0, max_qty]
    return out


def _row(cart_id: int, pid: int, delta: int, actor: Actor, now) -> dict:
    # Every column given (the defaults a new StackRow gets): no default runs per row.
    return {"cart_id": cart_id, "product_id": pid, "change": delta, "ledger_id": None,
            "origin_workstation": actor.workstation, "state": PENDING, "attempts": 0,
            "next_attempt_at": now, "last_response": "", "claimed_by": "",
            "claimed_until": None, "created_at": now, "updated_at": now, "sent_at": None}


def _insert(session: Session, table, rows: list[dict]) -> list[int]:
    """Multi-row INSERTs; the new ids in the order of `rows`."""
    if not rows:
        return []
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        return _insert_unnest(session, table, rows)
    if dialect.name != "sqlite":
        ids: list[int] = []
        stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        for chunk in _slices(rows):
            ids.extend(session.execute(stmt, chunk).scalars())
        return ids
    # SQLite does not promise the order of RETURNING rows, so SQLAlchemy would send one
    # row a statement. The write transaction holds the database lock and a new rowid is
    # above every rowid there is: rows inserted now get increasing ids, in their order.
    before = session.scalar(select(func.max(table.c.id))) or 0
    executemany(session, table.insert(), rows)
    ids = list(session.scalars(select(table.c.id).where(table.c.id > before)
                               .order_by(table.c.id)))
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


def _remember(session: Session, cart_id: int, origin: dict[int, list], seen: dict[int, int],
              now, *, update: bool) -> None:
    """The origin cart shows what it was read to show; a missing web field is made."""
    have = [{"b_id": origin[pid][0], "b_qoh": q} for pid, q in seen.items()
            if update and origin[pid][0] is not None]
    new = [{"cart_id": cart_id, "product_id": pid, "sync": True, "reserve": 0,
            "attempted_qoh": "", "last_cart_qoh": q, "last_cart_seen_at": now}
           for pid, q in seen.items() if origin[pid][0] is None]
    executemany(session, _W.update().where(_W.c.id == bindparam("b_id"))
                .values(last_cart_qoh=bindparam("b_qoh"), last_cart_seen_at=now), have)
    executemany(session, _W.insert(), new)


def executemany(session: Session, stmt, rows: list[dict]) -> None:
    """Run a Core INSERT or UPDATE once per row (dicts keyed by the statement's parameter
    names, every column with a Python-side default given). On SQLite the rows go straight
    to the driver's executemany, each value through its type's bind processor: the
    per-row work SQLAlchemy does otherwise costs more than the statement. Elsewhere (or
    when a default would have to run per row) it is SQLAlchemy's executemany."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name == "sqlite" and dialect.paramstyle == "qmark":
        compiled = stmt.compile(dialect=dialect, column_keys=list(rows[0]))
        if not (compiled.insert_prefetch or compiled.update_prefetch):
            getters = [_getter(compiled.binds[name], dialect) for name in compiled.positiontup]
            conn.exec_driver_sql(compiled.string,
                                 [tuple(get(row) for get in getters) for row in rows])
            return
    for chunk in _slices(rows):
        session.execute(stmt, chunk)


def _getter(bind, dialect):
    """row -> the driver's value for `bind`: the row's, else the statement's own."""
    proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
    key, own = bind.key, bind.effective_value
    if proc is None:
        return lambda row: row.get(key, own)
    last = [object(), None]  # the same value (e.g. "now") is processed once

    def get(row):
        v = row.get(key, own)
        if v is not last[0]:
            last[0], last[1] = v, (proc(v) if v is not None else None)
        return last[1]
    return get
