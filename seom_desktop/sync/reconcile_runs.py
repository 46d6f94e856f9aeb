"""The record of each reconcile (reconcile_runs): started, then finished with what it
found, or the error that stopped it in plain words; and the newest run of a cart as
plain data for the Drift Report."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from seom_desktop.store.carts import cart_by_name
from seom_desktop.store.engine import Store
from seom_desktop.store.models import ReconcileRun, utcnow

log = logging.getLogger(__name__)


def start_run(store: Store, cart_id: int, workstation: str) -> int:
    with store.write() as s:
        run = ReconcileRun(cart_id=cart_id, workstation=workstation[:255], started_at=utcnow())
        s.add(run)
        s.flush()
        return run.id


def finish_run(store: Store, result) -> None:
    """Record how the run of `result` (a ReconcileResult) ended."""
    error = result.error
    if not error and result.cancelled:
        error = "cancelled before it finished"
    if not error and result.orders_error:
        error = (f"the orders could not be imported ({result.orders_error}); differences "
                 "they may explain were left alone")
    try:
        with store.write() as s:
            run = s.get(ReconcileRun, result.run_id)
            if run is None:  # the cart was deleted meanwhile
                return
            run.finished_at = utcnow()
            run.checked = result.checked
            run.different = len(result.different)
            run.fixed = result.fixed
            run.error = error
    except Exception:  # noqa: BLE001 - the store went away: the result still says it
        log.exception("recording the reconcile of %s failed", result.cart)


@dataclass(frozen=True)
class RunView:
    """One recorded reconcile of a cart, as plain data."""

    cart: str
    workstation: str
    started_at: datetime
    finished_at: datetime | None
    checked: int
    different: int
    fixed: int
    error: str

    def describe(self) -> str:
        when = f"{self.started_at:%Y-%m-%d %H:%M} UTC on {self.workstation or '?'}"
        if self.finished_at is None:
            return f"Last reconcile: started {when}, not finished."
        if self.error:
            return (f"Last reconcile: {when}: {self.checked:,} checked, {self.different:,} "
                    f"different, {self.fixed:,} corrections queued; {self.error}.")
        return (f"Last reconcile: {when}: {self.checked:,} checked, {self.different:,} "
                f"different, {self.fixed:,} corrections queued.")


def latest_run(store: Store, cart_name: str) -> RunView | None:
    """The newest recorded reconcile of the cart (None: never reconciled); raises
    CartDefinitionError for an unknown cart."""
    with store.read() as s:
        cart = cart_by_name(s, cart_name)
        run = s.scalar(select(ReconcileRun).where(ReconcileRun.cart_id == cart.id)
                       .order_by(ReconcileRun.started_at.desc(), ReconcileRun.id.desc())
                       .limit(1))
        if run is None:
            return None
        return RunView(cart.name, run.workstation, run.started_at, run.finished_at,
                       run.checked, run.different, run.fixed, run.error)
