"""The status bar's figures: the Web Stack's rows by state and who holds the shared
stack controller's lease (LeaseInfo, a frozen dataclass of stack/lease.py)."""

from __future__ import annotations

from dataclasses import dataclass

from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.stack.lease import LeaseInfo, lease_info
from seom_desktop.stack.rows import count_by_state


@dataclass(frozen=True)
class StatusSnapshot:
    counts: dict[str, int]  # Web Stack rows by state
    lease: LeaseInfo


def status_snapshot(store: StoreHandle) -> StatusSnapshot:
    with store.read() as s:
        return StatusSnapshot(count_by_state(s), lease_info(s))
