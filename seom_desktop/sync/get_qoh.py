"""Get QOH From Website: the store takes each item's quantity from one cart, in chunks
of committed transactions, the cart read a few chunks ahead on a thread. The rules for
each item are at `_judge`; on SQLite a chunk is judged in SQL by `inventory.pull_chunk`,
which gives the same rows and report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from seom_desktop.carts.base import PULL, CartError, CartItem
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.bulk_pull import pulled_qoh_many
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.kits import touch
from seom_desktop.inventory.operations import pulled_qoh
from seom_desktop.inventory.products import MAX_NAME, add_product
from seom_desktop.inventory.pull_chunk import UNKNOWN, UNTRACKED, ChunkOutcome, pull_chunk
from seom_desktop.inventory.validation import MAX_QOH, check_sku
from seom_desktop.stack.kit_qoh import kits_containing
from seom_desktop.stack.outbox import enqueue_for_cart
from seom_desktop.stack.shaping import shaped_qoh
from seom_desktop.stack.targets import record_seen, record_seen_many
from seom_desktop.store.engine import Store
from seom_desktop.store.models import Product, WebField
from seom_desktop.sync.progress import (
    CartRef,
    NullProgress,
    Progress,
    cart_for,
    map_cart_rows,
    open_connector,
)
from seom_desktop.sync.pull_reader import PullReader

CHUNK = 5000
log = logging.getLogger(__name__)


@dataclass
class GetReport:
    cart: str
    read: int = 0  # items read from the cart
    changed: list[dict] = field(default_factory=list)  # {"sku","cart_sku","store_qoh","cart_qoh"}
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
                "changed": self.changed, "created": self.created, "unknown": self.unknown,
                "untracked": self.untracked, "not_synced": self.not_synced,
                "managed": self.managed, "kits": self.kits, "dry_run": self.dry_run,
                "cancelled": self.cancelled,
                "error": self.error}


def get_qoh(store: Store, cart_name: str, *, create_new: bool = False, dry_run: bool = False,
            progress: Progress | None = None, actor: Actor | None = None,
            chunk_size: int = CHUNK) -> GetReport:
    """Get QOH From Website. Bad input (unknown cart, no PULL) raises before anything
    is read; a cart failure is reported in `GetReport.error`.

    Every item of the cart is read and mapped to a store product through its cart SKU
    alias for that cart, else the same SKU. What the cart showed is remembered for every
    known item (`record_seen_many`). An item with no product is created (QOH 0, then the
    pulled QOH) only with `create_new`; otherwise it is listed. Items go in transactions
    of `chunk_size` (5,000), so a 100,000-item pull is not one huge transaction; a cancel
    is heard between them, and a cart failure stops the pull with the chunks before it
    committed. The cart is read on a background thread (`sync.pull_reader`) a few chunks
    ahead, and that reading stops when the pull ends, however it ends. An item whose
    quantity the cart sets itself (`CartItem.managed`, a Shopify bundle parent) is listed
    in `managed` with the cart's words (`_managed`), never pulled, never created."""
    progress = progress or NullProgress()
    actor = actor or Actor.current()
    with store.read() as s:
        cart = cart_for(s, cart_name, PULL)
    report = GetReport(cart.name, dry_run=dry_run)
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


def _apply(store: Store, cart: CartRef, items: list[CartItem], report: GetReport, *,
           create_new: bool, actor: Actor) -> None:
    write = not report.dry_run
    with (store.write() if write else store.read()) as s:
        if any(i.managed for i in items):
            _managed(s, cart, [i for i in items if i.managed], report)
            items = [i for i in items if not i.managed]
        items = _kits(s, cart, items, report, write=write, actor=actor)
        first_change = len(report.changed)
        done = pull_chunk(s, cart_id=cart.id, actor=actor, create_new=create_new, write=write,
                          rows=[(i.sku, i.qoh if i.tracked else None, i.item_id) for i in items])
        if done is None:
            _judge(s, cart, items, report, create_new=create_new, actor=actor, write=write)
        else:
            _word(done, items, report)
        if write and len(report.changed) > first_change:
            _touch_kits(s, [c["sku"] for c in report.changed[first_change:]], actor)


def _touch_kits(s: Session, skus: list[str], actor: Actor) -> None:
    """Components whose QOH was pulled: every kit holding them is queued (its QOH moved)."""
    if not s.execute(select(Product.id).where(Product.is_kit.is_(True)).limit(1)).first():
        return  # no kits in the store: nothing to look up
    pids: list[int] = []
    for i in range(0, len(skus), 900):
        pids.extend(s.scalars(select(Product.id).where(Product.sku.in_(skus[i:i + 900]))))
    touch(s, kits_containing(s, pids), actor=actor)


def _managed(s: Session, cart: CartRef, items: list[CartItem], report: GetReport) -> None:
    """Items the cart sets itself: listed, left out of the pull."""
    report.read += len(items)
    mapped = map_cart_rows(s, cart.id, [i.sku for i in items])
    for item in items:
        m = mapped.get(item.sku)
        report.managed.append({"sku": m[1] if m is not None else item.sku,
                               "cart_sku": item.sku, "note": item.managed})


KIT_NOTE = "kit: derived from its components"


def _kits(s: Session, cart: CartRef, items: list[CartItem], report: GetReport, *,
          write: bool, actor: Actor) -> list[CartItem]:
    """Items that are kits in the store: listed ("kit: derived from its components"),
    never pulled (a kit's QOH is derived). What the cart shows is remembered, and the kit
    is queued for this cart, so a cart showing another number is brought back to it.
    The other items, to pull."""
    kit_skus = {cart_sku or sku: (pid, sku) for pid, sku, cart_sku in s.execute(
        select(Product.id, Product.sku, WebField.cart_sku)
        .outerjoin(WebField, and_(WebField.product_id == Product.id,
                                  WebField.cart_id == cart.id))
        .where(Product.is_kit.is_(True)))}
    if not kit_skus or not any(i.sku in kit_skus for i in items):
        return items
    rest, seen = [], []
    for item in items:
        kit = kit_skus.get(item.sku)
        if kit is None:
            rest.append(item)
            continue
        report.read += 1
        shown = item.qoh if item.tracked else None
        report.kits.append({"sku": kit[1], "cart_sku": item.sku, "cart_qoh": shown,
                            "note": KIT_NOTE})
        seen.append((kit[0], shown, item.item_id or ""))
    if write:
        record_seen_many(s, cart.id, seen)
        for pid, _shown, _item in seen:
            enqueue_for_cart(s, cart_id=cart.id, product_id=pid,
                             workstation=actor.workstation)
    return rest


def _word(done: ChunkOutcome, items: list[CartItem], report: GetReport) -> None:
    """A chunk judged and pulled by `pull_chunk`, in the report."""
    report.read += len(items)
    changed = report.changed.append
    for n, store_qoh, sku in done.taken:
        item = items[n]
        changed({"sku": sku or item.sku, "cart_sku": item.sku, "store_qoh": store_qoh,
                 "cart_qoh": item.qoh})
    report.unchanged += done.unchanged
    for n, verdict, sku in done.others:
        item = items[n]
        shown = item.qoh if item.tracked else None
        if verdict == UNKNOWN:
            report.unknown.append({"sku": item.sku, "cart_qoh": shown, "note": "not in the store"})
        elif verdict == UNTRACKED:
            report.untracked.append({"sku": sku, "cart_sku": item.sku,
                                     "note": "not tracked on the cart"})
        else:
            report.not_synced.append({"sku": sku, "cart_sku": item.sku, "cart_qoh": shown})


def _judge(s: Session, cart: CartRef, items: list[CartItem], report: GetReport, *,
           create_new: bool, actor: Actor, write: bool) -> None:
    """The report entries of a chunk, in the cart's order; when writing, what the cart
    showed and the pulled quantities are then applied in bulk (a new product, rare, is
    made on its own as it comes). For a known product:

    - the cart does not track its stock (e.g. WooCommerce `manage_stock` off): "not
      tracked on the cart"; the store is left alone and tracking is never turned on;
    - the product's web field for this cart is "no sync": reported, left alone;
    - the cart shows the store's QOH, or what the store's QOH shaped by the web fields
      (reserve, max shown) would make it show: nothing to change;
    - otherwise the store's QOH becomes the cart's number, as `operations.pulled_qoh`
      would make it (`bulk_pull.pulled_qoh_many` for the chunk): a ledger row, and web
      stack rows for the other synced carts (never an echo to this one; it gets a
      correction only when its web fields say it should show something else)."""
    mapped = map_cart_rows(s, cart.id, [i.sku for i in items])  # rows: Mapped's fields
    seen: list[tuple[int, int | None, str]] = []  # web fields that learn something new
    known: dict[int, tuple] = {}  # their state as the mapping read it
    pulls: list[tuple[int, str, int]] = []
    entries: list[dict] = []  # the report's "changed" entries of `pulls`, in step
    qoh: dict[int, int] = {}  # the pulled products' QOH and web fields as the mapping read them
    fields: dict[int, tuple] = {}
    report.read += len(items)
    changed, get = report.changed.append, mapped.get
    for item in items:
        tracked = item.tracked and item.qoh is not None
        m = get(item.sku)
        if m is None:
            _unknown(s, cart, item, report, tracked=tracked, create_new=create_new,
                     actor=actor, write=write)
            continue
        pid, sku, store_qoh, sync, reserve, max_qty, wid, last, item_id, ever = m
        shown = item.qoh if tracked else None
        new_id = bool(item.item_id) and item.item_id != item_id
        if not tracked:
            report.untracked.append({"sku": sku, "cart_sku": item.sku,
                                     "note": "not tracked on the cart"})
        elif not sync:
            report.not_synced.append({"sku": sku, "cart_sku": item.sku, "cart_qoh": shown})
        elif shown == store_qoh or ((reserve or max_qty is not None or store_qoh < 0)
                                    and shown == shaped_qoh(store_qoh, reserve, max_qty)):
            report.unchanged += 1
        elif abs(shown) > MAX_QOH:
            report.unknown.append({"sku": item.sku, "cart_qoh": shown,
                                   "note": f"quantity out of range for {sku!r}"})
        else:  # taken: the pull records what the cart shows; a new item id is left
            entry = {"sku": sku, "cart_sku": item.sku, "store_qoh": store_qoh,
                     "cart_qoh": shown}
            changed(entry)
            pulls.append((pid, sku, shown))
            entries.append(entry)
            qoh[pid] = store_qoh
            fields[pid] = (wid, sync, reserve, max_qty)
            if new_id:
                seen.append((pid, shown, item.item_id))
                if wid is not None:  # else the pull makes it, and it is looked up again
                    known[pid] = (wid, last, item_id, ever)
            continue
        if last != shown or not ever or wid is None or new_id:  # the web field learns
            seen.append((pid, shown, item.item_id))
            known[pid] = (wid, last, item_id, ever)
    if not write:
        return
    # What the mapping read in this transaction is not read again. The pull goes first:
    # it records what the cart shows for the items it takes.
    done = pulled_qoh_many(s, cart_id=cart.id, items=pulls, actor=actor,
                           known_qoh=qoh, known_fields=fields)
    record_seen_many(s, cart.id, seen, known=known)
    for entry, r in zip(entries, done, strict=True):
        entry["store_qoh"] = r.qoh_after - r.delta  # what the store had, under the lock


def cart_name(name: str) -> str:
    """A product name as a cart gave it, made storable: NUL (which PostgreSQL text
    cannot hold) becomes U+FFFD, and it is cut at MAX_NAME characters."""
    return str(name).replace("\x00", "\ufffd")[:MAX_NAME]


def _unknown(s: Session, cart: CartRef, item: CartItem, report: GetReport, *, tracked: bool,
             create_new: bool, actor: Actor, write: bool) -> None:
    qoh = item.qoh if tracked else None
    if not create_new:
        report.unknown.append({"sku": item.sku, "cart_qoh": qoh, "note": "not in the store"})
        return
    try:
        check_sku(item.sku)
        if qoh is not None and abs(qoh) > MAX_QOH:
            raise InventoryError(f"quantity {qoh} is out of range")
        if write:
            with s.begin_nested():
                pid = add_product(s, sku=item.sku, name=cart_name(item.name or item.sku),
                                  actor=actor)
                if qoh:
                    pulled_qoh(s, sku=item.sku, qoh=qoh, actor=actor, origin_cart_id=cart.id)
                record_seen(s, cart.id, pid, qoh, item.item_id)
    except InventoryError as e:
        report.unknown.append({"sku": item.sku, "cart_qoh": qoh, "note": f"not created: {e}"})
        return
    report.created.append({"sku": item.sku, "cart_qoh": qoh})
    if not tracked:
        report.untracked.append({"sku": item.sku, "cart_sku": item.sku,
                                 "note": "not tracked on the cart"})
