"""The clerk's QOH changes: Adjust Inventory, Receive Purchase Order (several lines, all
or none), POS Sale and the CSV import. Each is one transaction that writes the ledger,
the QOH and the web stack rows (inventory/operations.py); bad input raises an
InventoryError naming it and changes nothing. The result is plain: the new QOH."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.operations import adjust, pos_sale, receive_po
from seom_desktop.store.params import get_param


@dataclass(frozen=True)
class Changed:
    sku: str
    qoh_before: int
    qoh_after: int


@dataclass(frozen=True)
class AdjustRules:
    """The parameters Adjust Inventory follows."""

    reason_required: bool  # TrackInventoryAdjustments
    negative_allowed: bool  # AllowNegativeQOH


class LineError(InventoryError):
    """A line of a purchase order was refused (nothing was received)."""

    def __init__(self, line: int, sku: str, error: InventoryError):
        super().__init__(f"Line {line} ({sku}): {error}")
        self.line, self.sku, self.error = line, sku, error


def adjust_rules(store: StoreHandle) -> AdjustRules:
    with store.read() as s:
        return AdjustRules(bool(get_param(s, "TrackInventoryAdjustments")),
                           bool(get_param(s, "AllowNegativeQOH")))


def _changed(r) -> Changed:
    return Changed(r.sku, r.qoh_after - r.delta, r.qoh_after)


def adjust_qoh(store: StoreHandle, *, sku: str, workstation: str, set_to: int | None = None,
               delta: int | None = None, reason: str = "", send: bool = True) -> Changed:
    """Adjust Inventory: a new QOH (`set_to`) or a change (`delta`); `send` is "Send QOH
    changes to Web sites"."""
    with store.write() as s:
        return _changed(adjust(s, sku=sku, actor=Actor.current(workstation), set_to=set_to,
                               delta=delta, reason=reason, send=send))


def sell_at_pos(store: StoreHandle, *, sku: str, quantity: int, workstation: str,
                reference: str = "") -> Changed:
    with store.write() as s:
        return _changed(pos_sale(s, sku=sku, quantity=quantity, reference=reference,
                                 actor=Actor.current(workstation)))


def receive_purchase_order(store: StoreHandle, *, lines: Sequence[tuple[str, int]],
                           workstation: str, reference: str = "") -> list[Changed]:
    """Every (sku, quantity) line in one transaction, or none (LineError names it)."""
    actor = Actor.current(workstation)
    out = []
    with store.write() as s:
        for n, (sku, qty) in enumerate(lines, 1):
            try:
                out.append(_changed(receive_po(s, sku=sku, quantity=qty, actor=actor,
                                               po=reference)))
            except InventoryError as e:
                raise LineError(n, sku, e) from e
    return out


def check_qoh_file(store: StoreHandle, *, path: str):
    """Read and check a CSV file of sku,qoh (a QohFile: good rows, problems by line)."""
    from seom_desktop.sync.csv_qoh import check_qoh_file as check

    return check(store, path)


def import_qoh_rows(store: StoreHandle, *, rows: Sequence, workstation: str) -> list:
    """Set each checked row's QOH through Adjust Inventory in one transaction."""
    from seom_desktop.sync.csv_qoh import apply_qoh_rows

    return apply_qoh_rows(store, rows, actor=Actor.current(workstation))
