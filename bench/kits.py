"""Kits: one component held by 1,000 kits (kit i takes i % 7 + 1 of it) is
changed 1,000 times, each change its own Adjust Inventory transaction (a day of the
component's sales and counts), then the stack controller drains against an emulated
WooCommerce (batch 100) and Shopify (batch 250) in child processes.

Every change re-queues every kit that holds the component, for both carts, at most one
pending row per (cart, kit): 1,000 changes leave 1,000 rows per cart, not 1,000,000.
The component itself is not sold on the carts (its web fields say no sync: a part sold
only in kits), so 1,000 items move per cart and the floor is ceil(1,000 / batch) write
requests per cart (10 and 4). Timed: the 1,000 changes (what re-queuing costs the
clerk's transactions) and the drain."""

from __future__ import annotations

import math
import threading
import time

from sqlalchemy import insert, select, update

from bench.common import (
    WORKSTATION,
    Figure,
    Timer,
    build_store,
    figure_main,
    machine,
    shopify_requests,
    sku_of,
    stack_left,
    temp_dir,
    woo_requests,
)
from bench.remote import RemoteEmulator

START = 1_000_000  # the component's QOH before the changes


def per_kit(i: int) -> int:
    return i % 7 + 1


def make_shop(folder, n_kits: int):
    from seom_desktop.store.models import KitComponent, Product, WebField

    woo = RemoteEmulator("woocommerce")
    shop = RemoteEmulator("shopify")
    # Product 0 is the component; products 1..n the kits, on both carts at their QOH.
    store = build_store(f"sqlite:///{folder / 'kits.sqlite'}", n_kits + 1,
                        carts={"woo": (woo, 100), "shop": (shop, 250)},
                        qoh=lambda i: START if i == 0 else START // per_kit(i))
    with store.write() as s:
        ids = dict(s.execute(select(Product.sku, Product.id)).all())
        comp = ids[sku_of(0)]
        kits = [ids[sku_of(i)] for i in range(1, n_kits + 1)]
        s.execute(insert(KitComponent), [{"kit_id": k, "component_id": comp,
                                          "qty": per_kit(i)}
                                         for i, k in enumerate(kits, start=1)])
        s.execute(update(Product).where(Product.id.in_(kits)).values(is_kit=True, qoh=0))
        s.execute(update(WebField).where(WebField.product_id == comp).values(sync=False))
    return store, woo, shop


def drain(store) -> float:
    """The controller loop on a thread until the stack is empty: wall seconds."""
    from seom_desktop.stack.controller import StackController

    ctl = StackController(store, workstation=WORKSTATION, poll_seconds=0.05)
    stop = threading.Event()
    t = threading.Thread(target=ctl.run, args=(stop,), daemon=True)
    t0 = time.perf_counter()
    t.start()
    while stack_left(store):
        time.sleep(0.02)
    seconds = time.perf_counter() - t0
    stop.set()
    t.join(30)
    ctl.close()
    return seconds


def run(quick: bool) -> dict:
    from seom_desktop.inventory.actor import Actor
    from seom_desktop.inventory.operations import adjust
    from seom_desktop.store.models import StackRow

    folder = temp_dir()
    n_kits = 100 if quick else 1000
    n_changes = 100 if quick else 1000
    with Timer() as setup:
        store, woo, shop = make_shop(folder, n_kits)
    actor = Actor("bench", WORKSTATION)
    with Timer() as changing:
        for _ in range(n_changes):
            with store.write() as s:
                adjust(s, sku=sku_of(0), delta=-1, actor=actor, reason="sold")
    with store.read() as s:
        rows = s.query(StackRow).count()
    woo.clear_counts()
    shop.clear_counts()
    seconds = drain(store)
    w_writes, _w_reads = woo_requests(woo)
    s_writes, _lookups, _all = shopify_requests(shop)
    limit_w, limit_s = math.ceil(n_kits / 100), math.ceil(n_kits / 250)
    left = START - n_changes
    want = {sku_of(i): left // per_kit(i) for i in range(1, n_kits + 1)}
    on_woo, on_shop = woo.quantities(list(want)), shop.quantities(list(want))
    wrong = sum(1 for sku, q in want.items() if on_woo.get(sku) != q or on_shop.get(sku) != q)
    figs = [
        Figure("kits: component changes / kits holding it", f"{n_changes:,} / {n_kits:,}",
               note="each change its own Adjust Inventory transaction"),
        Figure("kits: the changes, re-queuing included", round(changing.seconds, 2), "s",
               "(reported)", note=f"{changing.seconds / n_changes * 1000:.1f} ms a change; "
                                  f"{rows:,} rows queued in all (2 carts)"),
        Figure("kits: WooCommerce write requests", w_writes, "", f"<= {limit_w}",
               w_writes <= limit_w),
        Figure("kits: Shopify write requests", s_writes, "", f"<= {limit_s}",
               s_writes <= limit_s),
        Figure("kits: drain wall time, both carts", round(seconds, 2), "s", "(reported)"),
        Figure("kits: carts wrong after drain", wrong, "", "== 0", wrong == 0),
    ]
    woo.stop()
    shop.stop()
    store.close()
    return {"figure": "kits", "machine": machine(), "setup_seconds": round(setup.seconds, 1),
            "figures": [f.as_json() for f in figs]}


if __name__ == "__main__":
    figure_main(run)
