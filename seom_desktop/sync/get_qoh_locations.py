"""Get QOH From Website for a cart with mapped locations (cart set --location-for): each
mapped location's quantity is read back and becomes its warehouse's QOH; the other
warehouses are left as they are. Item by item, one transaction per chunk of items, each
change through inventory.operations.change_qoh (ledger row naming the warehouse, the other
carts queued); the cart itself gets a correction where its rules make a location show
something else than the number taken. A kit, an item not synchronized, an unknown SKU
and an item not stocked at a mapped location are reported, never taken."""

from __future__ import annotations

from seom_desktop.carts.base import CartError
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.operations import PULLED, change_qoh
from seom_desktop.stack import allocation, location_sender, outbox
from seom_desktop.store.engine import Store
from seom_desktop.store.models import Product
from seom_desktop.sync.progress import CartRef, Progress, map_cart_rows, open_connector

CHUNK = 500
KIT_NOTE = "kit: derived from its components"


def get_qoh_locations(store: Store, cart: CartRef, report, *, dry_run: bool,
                      progress: Progress, actor: Actor, chunk_size: int = CHUNK):
    """Fill `report` (a get_qoh.GetReport): `changed` entries carry the "warehouse" and
    "location" too."""
    with store.read() as s:
        locs = allocation.cart_locations(s, cart.id)
        names = allocation.warehouse_names(s)
    try:
        conn = open_connector(cart, progress)
    except CartError as e:
        report.error = str(e)
        return report
    try:
        items = list(conn.list_items(locations=tuple(locs)))
    except CartError as e:
        report.error = str(e)
        return report
    finally:
        conn.close()
    for i in range(0, len(items), chunk_size):
        if progress.cancelled:
            report.cancelled = True
            break
        chunk = items[i:i + chunk_size]
        with (store.read() if dry_run else store.write()) as s:
            _apply(s, cart, chunk, locs, names, report, dry_run=dry_run, actor=actor)
        progress.update(report.read, len(items), f"read {report.read} items of {cart.name}")
    return report


def _apply(s, cart: CartRef, items, locs: dict[str, int], names: dict[int, str], report, *,
           dry_run: bool, actor: Actor) -> None:
    mapped = map_cart_rows(s, cart.id, [i.sku for i in items])
    report.read += len(items)
    kits = {pid for pid, kit in s.query(Product.id, Product.is_kit).filter(
        Product.id.in_([m[0] for m in mapped.values()] or [0])) if kit}
    for item in items:
        m = mapped.get(item.sku)
        if m is None:
            report.unknown.append({"sku": item.sku, "cart_qoh": item.qoh,
                                   "note": "not in the store"})
            continue
        pid, sku, sync = m[0], m[1], bool(m[3])
        if pid in kits:
            report.kits.append({"sku": sku, "cart_sku": item.sku, "cart_qoh": item.qoh,
                                "note": KIT_NOTE})
            continue
        if not sync:
            report.not_synced.append({"sku": sku, "cart_sku": item.sku, "cart_qoh": item.qoh})
            continue
        have = allocation.stock_by_warehouse(s, [pid])[pid]
        took = False
        for loc, wid in locs.items():
            q = item.locations.get(loc)
            if q is None:
                report.untracked.append({"sku": sku, "cart_sku": item.sku,
                                         "note": f"not stocked at location {loc}"})
                continue
            if q == have[wid]:
                if not dry_run:
                    location_sender.record_seen(s, cart.id, pid, loc, q)
                continue
            took = True
            report.changed.add(sku, item.sku, have[wid], q, warehouse=names[wid], location=loc)
            if not dry_run:
                change_qoh(s, sku=sku, actor=actor, source=PULLED, set_to=q,
                           warehouse=names[wid], reason="Get QOH From Website",
                           origin_cart_id=cart.id, allow_negative=True)
                location_sender.record_seen(s, cart.id, pid, loc, q)
        if not took:
            report.unchanged += 1
        elif not dry_run:
            outbox.wake(s, cart_id=cart.id, product_ids=[pid])
            shown = allocation.shown_at_locations(s, cart.id, [pid])[pid]
            if any(shown[loc].qty != item.locations.get(loc, shown[loc].qty) for loc in locs):
                outbox.enqueue_for_cart(s, cart_id=cart.id, product_id=pid,
                                        workstation=actor.workstation)
