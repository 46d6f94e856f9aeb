"""Send QOH To Website: write every synced product's QOH, shaped by its web fields, to
one cart, as absolute quantities (the manual initialization of the reference page's
"Manual Inventory Updates").

How, step by step: `send_qoh`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from seom_desktop.carts.base import (
    PUSH,
    AmbiguousError,
    CartError,
    CartItem,
    ItemResult,
    ManagedByCartError,
    QohUpdate,
)
from seom_desktop.stack.targets import (
    Target,
    cart_targets,
    record_attempt,
    record_seen,
    record_sent,
)
from seom_desktop.store.carts import check_max_items
from seom_desktop.store.engine import Store
from seom_desktop.sync.progress import (
    CartRef,
    NullProgress,
    Progress,
    cart_for,
    open_connector,
    with_rate_limit,
)

log = logging.getLogger(__name__)
DRY_RUN_LIST_ALL_FROM = 1000  # a preview of this many items or more reads the whole cart


@dataclass(frozen=True)
class SendPlan:
    cart: CartRef
    max_items: int  # the cart's "Maximum number of items to send"
    targets: tuple[Target, ...]  # what will be sent, in SKU order
    conflicts: tuple[tuple[Target, str], ...] = ()  # not sent, and why


@dataclass(frozen=True)
class Refused:
    sku: str
    cart_sku: str
    message: str

    def as_json(self) -> dict:
        return {"sku": self.sku, "cart_sku": self.cart_sku, "message": self.message}


@dataclass(frozen=True)
class Preview:
    sku: str
    cart_sku: str
    cart_qoh: int | None  # what the cart shows now (None: not on the cart / not tracked)
    would_send: int
    note: str = ""

    def as_json(self) -> dict:
        return {"sku": self.sku, "cart_sku": self.cart_sku, "cart_qoh": self.cart_qoh,
                "would_send": self.would_send, "note": self.note}


@dataclass
class SendReport:
    cart: str
    total: int = 0  # items to send
    batch_size: int = 0
    sent: int = 0  # items the cart accepted
    requests: int = 0  # batches sent
    refused: list[Refused] = field(default_factory=list)
    managed: list[Refused] = field(default_factory=list)  # the cart sets these itself
    dry_run: list[Preview] | None = None
    cancelled: bool = False
    error: str | None = None  # a whole request failed: the run stopped there

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    def as_json(self) -> dict:
        return {"cart": self.cart, "total": self.total, "batch_size": self.batch_size,
                "sent": self.sent, "requests": self.requests,
                "refused": [r.as_json() for r in self.refused],
                "managed": [r.as_json() for r in self.managed],
                "dry_run": None if self.dry_run is None else [p.as_json() for p in self.dry_run],
                "cancelled": self.cancelled, "error": self.error}


def plan_send(session: Session, cart_name: str) -> SendPlan:
    """What Send QOH would write to the cart. Raises CartDefinitionError (unknown cart)
    or CapabilityError (the cart cannot take QOH)."""
    cart = cart_for(session, cart_name, PUSH)
    targets = cart_targets(session, cart.id)
    uses = Counter(t.cart_sku for t in targets)
    conflicts = tuple(
        (t, f"cart SKU {t.cart_sku!r} is used by {uses[t.cart_sku]} products; "
            "give each a cart SKU of its own")
        for t in targets if uses[t.cart_sku] > 1)
    keep = tuple(t for t in targets if uses[t.cart_sku] == 1)
    return SendPlan(cart, cart.max_items, keep, conflicts)


def send_qoh(store: Store, cart_name: str, *, max_items: int | str | None = None,
             dry_run: bool = False, progress: Progress | None = None) -> SendReport:
    """Send QOH To Website. `max_items` overrides the cart's Maximum number of items to
    send for this run. Bad input (unknown cart, no PUSH, bad max_items) raises before
    anything is read from or written to the cart.

    Batches hold at most min(the cart's "Maximum number of items to send", the API's own
    batch limit) updates: 100 updates at Maximum 50 go as two requests. Each batch's
    outcome is recorded in one store transaction (what the cart now shows, the cart's item
    id), so a cancel or a failure between batches leaves the store consistent: the batches
    sent are recorded, nothing else is touched (a batch whose answer was lost only has its
    quantities marked as attempted, so a later read-back can tell they landed). A refused
    item (unknown on the cart, stock not tracked there, ...) is reported with the cart's
    words and does not stop the rest; an item the cart sets itself (a Shopify bundle
    parent) is listed in `managed` ("managed by Shopify bundles"), not as refused; a failure
    of a whole request stops the run and is reported with what was sent before it. A cart's
    "wait N seconds" (rate limit) is waited out a few times before it counts as a failure.

    No ledger row and no web stack row is written: the store's QOH does not change."""
    progress = progress or NullProgress()
    override = check_max_items(max_items) if max_items is not None else None
    with store.read() as s:
        plan = plan_send(s, cart_name)
    report = SendReport(plan.cart.name, total=len(plan.targets))
    report.refused.extend(Refused(t.sku, t.cart_sku, why) for t, why in plan.conflicts)
    try:
        conn = open_connector(plan.cart, progress)
    except CartError as e:
        report.error = str(e)
        return report
    try:
        report.batch_size = max(1, min(override or plan.max_items, int(conn.batch_limit)))
        if dry_run:
            _preview(conn, plan, report, progress)
        else:
            _send(store, conn, plan, report, progress)
    finally:
        conn.close()
    return report


def _preview(conn, plan: SendPlan, report: SendReport, progress: Progress) -> None:
    skus = [t.cart_sku for t in plan.targets]
    progress.update(0, len(skus), f"reading {plan.cart.name}")
    try:
        if len(skus) >= DRY_RUN_LIST_ALL_FROM:
            wanted = set(skus)
            now: dict[str, CartItem] = {}
            for item in conn.list_items():
                if item.sku in wanted:
                    now.setdefault(item.sku, item)
                if progress.cancelled:
                    report.cancelled = True
                    return
        else:
            now = with_rate_limit(lambda: conn.get_items(skus), progress)
    except CartError as e:
        report.error = str(e)
        return
    rows = []
    for t in plan.targets:
        item = now.get(t.cart_sku)
        if item is None:
            rows.append(Preview(t.sku, t.cart_sku, None, t.shaped, "not on the cart"))
        elif item.managed:
            rows.append(Preview(t.sku, t.cart_sku, None, t.shaped, item.managed))
        elif not item.tracked or item.qoh is None:
            rows.append(Preview(t.sku, t.cart_sku, None, t.shaped, "not tracked on the cart"))
        else:
            rows.append(Preview(t.sku, t.cart_sku, item.qoh, t.shaped))
    report.dry_run = rows
    progress.update(len(skus), len(skus), "preview ready")


def _send(store: Store, conn, plan: SendPlan, report: SendReport, progress: Progress) -> None:
    targets, size, total = plan.targets, report.batch_size, len(plan.targets)
    progress.update(0, total, f"sending to {plan.cart.name}")
    for start in range(0, total, size):
        if progress.cancelled:
            report.cancelled = True
            return
        batch = targets[start:start + size]
        updates = [QohUpdate(sku=t.cart_sku, qoh=t.shaped, item_id=t.item_id,
                             delta=None, expected=None) for t in batch]
        try:
            results = with_rate_limit(lambda u=updates: conn.set_qoh(u), progress)
        except CartError as e:
            log.warning("%s: Send QOH To Website: sending %d item(s) failed: %s",
                        plan.cart.name, len(batch), e)
            report.error = str(e)
            if isinstance(e, AmbiguousError):  # it may have landed: say so for a read-back
                with store.write() as s:
                    for t in batch:
                        record_attempt(s, plan.cart.id, t.product_id, t.shaped)
            return
        report.requests += 1
        sent_before, refused_before = report.sent, len(report.refused)
        _record(store, plan.cart.id, batch, updates, list(results), report)
        log.info("%s: Send QOH To Website sent %d item(s): %d accepted, %d refused%s",
                 plan.cart.name, len(batch), report.sent - sent_before,
                 len(report.refused) - refused_before, "".join(
                     f"; {r.sku}: {r.message}" for r in report.refused[refused_before:][:5]))
        done = min(start + size, total)
        progress.update(done, total, f"sent {done} of {total} to {plan.cart.name}")


def _record(store: Store, cart_id: int, batch, updates: list[QohUpdate],
            results: list[ItemResult], report: SendReport) -> None:
    """One transaction per batch: what the cart accepted is what it now shows."""
    with store.write() as s:
        for i, (t, u) in enumerate(zip(batch, updates, strict=True)):
            r = results[i] if i < len(results) else None
            if r is not None and r.sku != u.sku:  # answers out of order: match by SKU
                r = next((x for x in results if x.sku == u.sku), None)
            if r is None:
                report.refused.append(Refused(t.sku, t.cart_sku, "the cart gave no answer for it"))
                continue
            if r.ok:
                record_sent(s, cart_id, t.product_id, u.qoh if r.qoh is None else r.qoh,
                            r.item_id or u.item_id)
                report.sent += 1
                continue
            if isinstance(r.error, ManagedByCartError):
                report.managed.append(Refused(t.sku, t.cart_sku, r.error.note))
                continue
            report.refused.append(Refused(t.sku, t.cart_sku, str(r.error or "refused by the cart")))
            if r.qoh is not None:
                record_seen(s, cart_id, t.product_id, r.qoh, r.item_id)
