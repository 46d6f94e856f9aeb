"""The status bar's figures: the Web Stack's rows by state, who holds the shared
stack controller's lease (LeaseInfo, a frozen dataclass of stack/lease.py), and how many
products are at or below their reorder point."""

from __future__ import annotations

from dataclasses import dataclass

from seom_desktop.app.low_stock import count_low_stock
from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.stack.lease import LeaseInfo, lease_info
from seom_desktop.stack.rows import count_by_state


@dataclass(frozen=True)
class StatusSnapshot:
    counts: dict[str, int]  # Web Stack rows by state
    lease: LeaseInfo
    low_stock: int = 0  # products at or below their reorder point


def status_snapshot(store: StoreHandle) -> StatusSnapshot:
    with store.read() as s:
        return StatusSnapshot(count_by_state(s), lease_info(s), count_low_stock(s))
