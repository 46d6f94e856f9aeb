"""Get QOH From Website: the store takes each item's quantity from one cart, in chunks
of committed transactions, the cart read a few chunks ahead on a thread
(`sync.pull_reader`). Each chunk is mapped, judged and written by `sync.pull_apply` (the
rules are there), the same on SQLite and PostgreSQL; here the chunks are driven and the
report worded."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from seom_desktop.carts.base import PULL, CartError, CartItem
from seom_desktop.inventory.actor import Actor
from seom_desktop.stack.allocation import cart_locations
from seom_desktop.store.engine import Store
from seom_desktop.sync.get_qoh_changes import Changes
from seom_desktop.sync.get_qoh_locations import get_qoh_locations
from seom_desktop.sync.progress import (
    CartRef,
    NullProgress,
    Progress,
    cart_for,
    map_cart_rows,
    open_connector,
)
from seom_desktop.sync.pull_apply import (
    DUPLICATE,
    KIT,
    OUT_OF_RANGE,
    UNKNOWN,
    UNTRACKED,
    ChunkOutcome,
    apply_chunk,
)
from seom_desktop.sync.pull_reader import PullReader

CHUNK = 5000
log = logging.getLogger(__name__)


@dataclass
class GetReport:
    cart: str
    read: int = 0  # items read from the cart
    changed: Changes = field(default_factory=Changes)  # {"sku","cart_sku","store_qoh","cart_qoh"}
    created: list[dict] = field(default_factory=list)  # {"sku","cart_qoh"}
    unknown: list[dict] = field(default_factory=list)  # {"sku","cart_qoh","note"}
    untracked: list[dict] = field(default_factory=list)  # {"sku","cart_sku","note"}
    not_synced: list[dict] = field(default_factory=list)  # {"sku","cart_sku","cart_qoh"}
    managed: list[dict] = field(default_factory=list)  # {"sku","cart_sku","note"}
    kits: list[dict] = field(default_factory=list)  # {"sku","cart_sku","cart_qoh","note"}
    unchanged: int = 0
    dry_run: bool = False
    cancelled: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    def as_json(self) -> dict:
        return {"cart": self.cart, "read": self.read, "unchanged": self.unchanged,
                "changed": list(self.changed), "created": self.created, "unknown": self.unknown,
                "untracked": self.untracked, "not_synced": self.not_synced,
                "managed": self.managed, "kits": self.kits, "dry_run": self.dry_run,
                "cancelled": self.cancelled,
                "error": self.error}


def get_qoh(store: Store, cart_name: str, *, create_new: bool = False, dry_run: bool = False,
            progress: Progress | None = None, actor: Actor | None = None,
            chunk_size: int = CHUNK) -> GetReport:
    """Get QOH From Website. Bad input (unknown cart, no PULL) raises before anything
    is read; a cart failure is reported in `GetReport.error`.

    Every item of the cart is read and, chunk by chunk, mapped, judged and written by
    `sync.pull_apply.apply_chunk` (the rules are there; `dry_run`: judged only). Items go
    in transactions of `chunk_size` (5,000), so a 100,000-item pull is not one huge
    transaction; a cancel is heard between them, and a cart failure stops the pull with
    the chunks before it committed. The cart is read on a background thread
    (`sync.pull_reader`) a few chunks ahead, and that reading stops when the pull ends,
    however it ends. An item whose quantity the cart sets itself (`CartItem.managed`, a
    Shopify bundle parent) is listed in `managed` with the cart's words (`_managed`),
    never pulled, never created; a kit of the store is listed in `kits`."""
    progress = progress or NullProgress()
    actor = actor or Actor.current()
    with store.read() as s:
        cart = cart_for(s, cart_name, PULL)
        mapped = bool(cart_locations(s, cart.id))
    report = GetReport(cart.name, dry_run=dry_run)
    if mapped:  # each mapped location's quantity becomes its warehouse's QOH
        report = get_qoh_locations(store, cart, report, dry_run=dry_run, progress=progress,
                                   actor=actor)
        _log(report, actor)
        return report
    try:
        conn = open_connector(cart, progress)
    except CartError as e:
        report.error = str(e)
        return report
    try:
        with PullReader(conn, progress, chunk_size) as reader:
            for chunk in reader.chunks():
                _apply(store, cart, chunk, report, create_new=create_new, actor=actor)
                progress.update(report.read, None, f"read {report.read} items of {cart.name}")
                if progress.cancelled:
                    report.cancelled = True
                    return report
            if reader.cancelled:
                report.cancelled = True
                return report
        progress.update(report.read, report.read, f"read {report.read} items of {cart.name}")
    except CartError as e:
        report.error = str(e)
    finally:
        conn.close()  # the reader has stopped: nothing else uses the connector
        _log(report, actor)
    return report


LOG_AT_MOST = 20  # changes named in the summary line (each one: at the debug level)


def _log(report: GetReport, actor: Actor) -> None:
    """One line for the run (100,000 lines would cost seconds and rotate the log away),
    naming the first changes; every change at the debug level."""
    shown = ", ".join(f"{c['sku']} {c['store_qoh']} -> {c['cart_qoh']}"
                      for c in report.changed[:LOG_AT_MOST])
    more = len(report.changed) - LOG_AT_MOST
    log.info("Get QOH From Website%s from %s by %s on %s: %d read, %d QOH changed%s, %d new "
             "products, %d unknown, %d not synchronized%s%s", " (preview)" if report.dry_run
             else "", report.cart, actor.user, actor.workstation, report.read,
             len(report.changed), f" ({shown}{f' and {more} more' if more > 0 else ''})"
             if shown else "", len(report.created), len(report.unknown),
             len(report.not_synced), "; cancelled" if report.cancelled else "",
             f"; failed: {report.error}" if report.error else "")
    if log.isEnabledFor(logging.DEBUG):
        for c in report.changed:
            log.debug("Get QOH from %s: QOH %s %s -> %s", report.cart, c["sku"],
                      c["store_qoh"], c["cart_qoh"])


KIT_NOTE = "kit: derived from its components"


def _apply(store: Store, cart: CartRef, items: list[CartItem], report: GetReport, *,
           create_new: bool, actor: Actor) -> None:
    write = not report.dry_run
    with (store.write() if write else store.read()) as s:
        if any(i.managed for i in items):
            _managed(s, cart, [i for i in items if i.managed], report)
            items = [i for i in items if not i.managed]
        done = apply_chunk(s, cart_id=cart.id, items=items, actor=actor,
                           create_new=create_new, write=write)
        _word(done, items, report)


def _managed(s: Session, cart: CartRef, items: list[CartItem], report: GetReport) -> None:
    """Items the cart sets itself: listed, left out of the pull."""
    report.read += len(items)
    mapped = map_cart_rows(s, cart.id, [i.sku for i in items])
    for item in items:
        m = mapped.get(item.sku)
        report.managed.append({"sku": m[1] if m is not None else item.sku,
                               "cart_sku": item.sku, "note": item.managed})


def _word(done: ChunkOutcome, items: list[CartItem], report: GetReport) -> None:
    """A chunk's outcome, in the report: each item in one list, in the cart's order (a
    created item in `created`, and in `untracked` too when the cart does not track it)."""
    report.read += len(items)
    changed, created = report.changed.add, done.created
    if created:
        report.created.extend({"sku": items[n].sku, "cart_qoh": items[n].qoh
                               if items[n].tracked else None}
                              for n, why in sorted(created.items()) if why is None)
    for n, store_qoh, sku in done.taken:
        item = items[n]
        if n in created:
            continue
        changed(sku or item.sku, item.sku, store_qoh, item.qoh)
    report.unchanged += done.unchanged
    for n, verdict, sku in done.others:
        item = items[n]
        shown = item.qoh if item.tracked else None
        if n in created:
            if created[n] is not None:
                report.unknown.append({"sku": item.sku, "cart_qoh": shown,
                                       "note": f"not created: {created[n]}"})
                continue
            if item.tracked and shown is not None:
                continue
            verdict, sku = UNTRACKED, item.sku
        if verdict == UNKNOWN:
            report.unknown.append({"sku": item.sku, "cart_qoh": shown, "note": "not in the store"})
        elif verdict == UNTRACKED:
            report.untracked.append({"sku": sku, "cart_sku": item.sku,
                                     "note": "not tracked on the cart"})
        elif verdict == KIT:
            report.kits.append({"sku": sku, "cart_sku": item.sku, "cart_qoh": shown,
                                "note": KIT_NOTE})
        elif verdict == OUT_OF_RANGE:
            report.unknown.append({"sku": item.sku, "cart_qoh": shown,
                                   "note": f"quantity out of range for {sku!r}"})
        elif verdict == DUPLICATE:
            report.unknown.append({"sku": item.sku, "cart_qoh": shown,
                                   "note": f"{sku!r} again: a later item of the cart is the "
                                           "same product, and its quantity is taken"})
        else:
            report.not_synced.append({"sku": sku, "cart_sku": item.sku, "cart_qoh": shown})
