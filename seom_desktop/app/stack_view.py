"""The Web Stack as the Stack Controller window shows it: its rows (newest first, by
state and workstation; a row held by a dead controller says so), the counts by state,
who holds the shared controller's lease, and the clerk's actions on rows (retry,
bypass, delete: each applies to the rows whose state allows it, and says how many)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.stack.lease import LeaseInfo, lease_info
from seom_desktop.stack.rows import (
    STATES,
    StackInputError,
    StackRowView,
    bypass_rows,
    count_by_state,
    delete_rows,
    list_rows,
    retry_rows,
)

__all__ = ["ACTIONS", "STATES", "StackInputError", "StackRowView", "StackView", "act_on_rows",
           "read_stack"]

SHOW_AT_MOST = 2000
ACTIONS = {"retry": retry_rows, "bypass": bypass_rows, "delete": delete_rows}


@dataclass(frozen=True)
class StackView:
    rows: list[StackRowView]
    counts: dict[str, int]
    lease: LeaseInfo


def read_stack(store: StoreHandle, *, state: str | None, workstation: str | None,
               limit: int = SHOW_AT_MOST, viewer: str | None = None) -> StackView:
    """The rows (of one state, of one workstation's changes: None for all), newest
    first; `viewer` is the workstation asking (it knows its own dead controllers)."""
    with store.read() as s:
        return StackView(list_rows(s, state=state, workstation=workstation, limit=limit,
                                   newest_first=True, viewer=viewer),
                         count_by_state(s), lease_info(s))


def act_on_rows(store: StoreHandle, *, action: str, ids: Sequence[int]) -> int:
    """Retry, bypass or delete the rows `ids`; how many were changed (a row whose state
    changed meanwhile is left as it is)."""
    if action not in ACTIONS:
        raise StackInputError(f"unknown action {action!r} (actions: {', '.join(ACTIONS)})")
    with store.write() as s:
        return ACTIONS[action](s, list(ids))
