"""The selected item, cart by cart: what the cart should show (the store's QOH shaped
by the item's Web Fields), what was last sent, what the cart was last seen showing, and
(in the demo) what the emulated cart shows right now, and what became of the item's
last QOH change on each cart ("not sent" when it was saved with "Send QOH changes to
Web sites" cleared, or the cart does not synchronize)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlalchemy import select

from seom_desktop.stack.targets import cart_targets
from seom_desktop.store.models import Cart, LedgerEntry, StackRow

CartProbe = Callable[[str, str], "int | None"]  # (cart name, cart SKU) -> QOH on the cart


@dataclass(frozen=True)
class ItemCartRow:
    cart: str
    synchronized: bool  # the cart's Synchronize Inventory and the item's web field
    should_show: int
    last_sent: int | None
    last_seen: int | None
    live: int | None = None
    last_change: str = ""  # "not sent", "waiting", "sent", "bypassed", "from this cart"


def last_change_by_cart(session, product_id: int) -> dict[int, str] | None:
    """cart id -> what became of the item's last QOH change there (None: no change)."""
    last = session.execute(select(LedgerEntry.id, LedgerEntry.delta, LedgerEntry.origin_cart_id)
                           .where(LedgerEntry.product_id == product_id, LedgerEntry.delta != 0)
                           .order_by(LedgerEntry.id.desc()).limit(1)).first()
    if last is None:
        return None
    lid, _delta, origin = last
    out: dict[int, str] = {}
    for cid, state in session.execute(select(StackRow.cart_id, StackRow.state)
                                      .where(StackRow.ledger_id == lid)):
        state = {"pending": "waiting", "sending": "waiting", "failed": "waiting"}.get(state,
                                                                                       state)
        out[cid] = state if out.get(cid, state) == state else "waiting"
    if origin is not None and origin not in out:
        out[origin] = "from this cart"
    return out


def item_cart_rows(store, product_id: int, probe: CartProbe | None = None) -> list[ItemCartRow]:
    with store.read() as s:
        carts = s.execute(select(Cart.id, Cart.name, Cart.sync).order_by(Cart.name)).all()
        changes = last_change_by_cart(s, product_id)
        rows = []
        for cid, name, sync in carts:
            targets = cart_targets(s, cid, [product_id], synced_only=False)
            if not targets:
                continue
            t = targets[0]
            last = "" if changes is None else changes.get(cid, "not sent")
            rows.append((name, bool(sync) and t.sync, t.shaped, t.last_sent, t.last_cart_qoh,
                         t.cart_sku, last))
    out = []
    for name, synced, shaped, sent, seen, cart_sku, last in rows:
        live = None
        if probe is not None:
            try:
                live = probe(name, cart_sku)
            except Exception:  # noqa: BLE001 - a probe is a nicety
                live = None
        out.append(ItemCartRow(name, synced, shaped, sent, seen, live, last))
    return out


def _n(v: int | None) -> str:
    return "—" if v is None else f"{v:,}"


class ItemCartsModel(QAbstractTableModel):
    def __init__(self, parent=None, *, live: bool = False):
        super().__init__(parent)
        self.live = live
        self.rows: list[ItemCartRow] = []

    @property
    def headers(self) -> tuple[str, ...]:
        base = ("Cart", "Sync", "Should show", "Sent", "Seen", "Last change")
        return (*base, "Live") if self.live else base

    def set_rows(self, rows: list[ItemCartRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (r.cart, "Yes" if r.synchronized else "No", _n(r.should_show),
                      _n(r.last_sent), _n(r.last_seen), r.last_change or "—", _n(r.live))
            return values[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and (2 <= col <= 4 or col == 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 5 and r.last_change == "not sent":
            return QBrush(QColor("#b3261e"))
        if role == Qt.ItemDataRole.ToolTipRole and col == 5 and r.last_change == "not sent":
            return "The item's last QOH change was not sent to this cart"
        if role == Qt.ItemDataRole.ForegroundRole and col == 6 and r.live is not None:
            ok = r.live == r.should_show
            return QBrush(QColor("#2e7d32" if ok else "#b3261e"))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None
