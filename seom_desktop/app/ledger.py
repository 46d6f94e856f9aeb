"""One item's QOH ledger: every change (when, who, where, why, the QOH after it) and
what became of it on the Web sites, per entry ("not sent", "sent", "waiting",
"bypassed") and per cart. The QOH Ledger window, View Inventory's General tab and the
main window's item panel all read it here. Days are the clerk's local days; the store
keeps naive UTC."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.store.models import Cart, LedgerEntry, Product, StackRow

MAX_ROWS = 5000
IN_CHUNK = 500
NOT_SENT, SENT, WAITING, BYPASSED = "not sent", "sent", "waiting", "bypassed"


@dataclass(frozen=True)
class LedgerRow:
    id: int
    when: datetime | None  # naive UTC
    who: str
    workstation: str
    source: str  # "order (Web One)" when it came from a cart
    change: int
    qoh_after: int
    reason: str
    reference: str
    web: str = ""  # what the Web sites were told: "" for a change of 0


def web_note(states: Iterable[str]) -> str:
    """What the stack rows of one change (on one cart, or on all) say became of it."""
    got = set(states)
    if not got:
        return NOT_SENT
    if got == {"sent"}:
        return SENT
    if got <= {"sent", "bypassed"}:
        return BYPASSED
    return WAITING


def _stack_states(session: Session, ledger_ids: list[int]) -> dict[int, dict[int, set[str]]]:
    """ledger id -> cart id -> the states of the stack rows made for that change."""
    out: dict[int, dict[int, set[str]]] = {}
    for k in range(0, len(ledger_ids), IN_CHUNK):
        for lid, cid, state in session.execute(
                select(StackRow.ledger_id, StackRow.cart_id, StackRow.state)
                .where(StackRow.ledger_id.in_(ledger_ids[k:k + IN_CHUNK])).distinct()):
            out.setdefault(lid, {}).setdefault(cid, set()).add(state)
    return out


def _utc_midnight(day: date) -> datetime:
    """The start of a local day as the store's naive UTC time."""
    return datetime.combine(day, time.min).astimezone().astimezone(UTC).replace(tzinfo=None)


def ledger_sources(store: StoreHandle, *, sku: str) -> list[str]:
    """The sources found in the item's ledger (for the source filter)."""
    with store.read() as s:
        return sorted(s.scalars(select(LedgerEntry.source)
                                .join(Product, Product.id == LedgerEntry.product_id)
                                .where(Product.sku == sku).distinct()))


def ledger_rows(store: StoreHandle, *, sku: str, since: date | None = None,
                until: date | None = None, source: str | None = None,
                limit: int = MAX_ROWS) -> list[LedgerRow] | None:
    """The item's ledger, newest first (None: no such SKU). `since`/`until` are local
    days, both included."""
    with store.read() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == sku))
        if pid is None:
            return None
        rows = _entries(s, pid, since=since, until=until, source=source, limit=limit)
        states = _stack_states(s, [r[0] for r in rows if r[5]])
    return [LedgerRow(lid, when, who or "", ws or "", f"{src} ({cart})" if cart else src,
                      delta, after, reason or "", ref or "",
                      web_note(set().union(*states.get(lid, {}).values())) if delta else "")
            for lid, when, who, ws, src, delta, after, reason, ref, cart, _origin in rows]


def _entries(s: Session, pid: int, *, since=None, until=None, source=None, limit=MAX_ROWS,
             changes_only: bool = False) -> list[tuple]:
    q = (select(LedgerEntry.id, LedgerEntry.created_at, LedgerEntry.user,
                LedgerEntry.workstation, LedgerEntry.source, LedgerEntry.delta,
                LedgerEntry.qoh_after, LedgerEntry.reason, LedgerEntry.reference, Cart.name,
                LedgerEntry.origin_cart_id)
         .outerjoin(Cart, Cart.id == LedgerEntry.origin_cart_id)
         .where(LedgerEntry.product_id == pid))
    if since is not None:
        q = q.where(LedgerEntry.created_at >= _utc_midnight(since))
    if until is not None:
        q = q.where(LedgerEntry.created_at < _utc_midnight(until + timedelta(days=1)))
    if source:
        q = q.where(LedgerEntry.source == source)
    if changes_only:
        q = q.where(LedgerEntry.delta != 0)
    return list(s.execute(q.order_by(LedgerEntry.id.desc()).limit(limit)).all())


def last_change_by_cart(session: Session, product_id: int) -> dict[int, str] | None:
    """cart id -> what became of the item's last QOH change there ("sent", "waiting",
    "bypassed", "from this cart"; a cart missing was not sent it). None: no change yet."""
    last = _entries(session, product_id, limit=1, changes_only=True)
    if not last:
        return None
    lid, origin = last[0][0], last[0][10]
    out = {cid: web_note(states) for cid, states
           in _stack_states(session, [lid]).get(lid, {}).items()}
    if origin is not None and origin not in out:
        out[origin] = "from this cart"
    return out
