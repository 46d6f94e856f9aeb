"""Figure 1, drain: 100,000 web stack rows over 10,000 SKUs and two emulated carts
(WooCommerce, Shopify), drained by the stack controller; beside it, in the same run, a
naive sender (one request per row, no coalescing) over a sample of the same rows.

The rows arrive as a day's changes would: five rounds over the SKUs, in a shuffled order
each round, each change queued for both carts (so 5 rows per SKU per cart). Each cart's
"Maximum number of items to send" is the API's batch limit (WooCommerce 100, Shopify 250),
so the physical floor is ceil(SKUs whose QOH moved / batch limit) write requests per cart
(a SKU whose changes cancel out needs no write)."""

from __future__ import annotations

import math
import random
import threading
import time

from sqlalchemy import select

from bench.common import (
    WORKSTATION,
    Figure,
    Timer,
    build_store,
    bulk_changes,
    figure_main,
    machine,
    shopify_requests,
    sku_of,
    stack_left,
    temp_dir,
    woo_requests,
)
from bench.remote import RemoteEmulator

ROUNDS = 5
NAIVE_SAMPLE = 300  # rows per cart the naive sender sends (then extrapolated)


def make_shop(folder, n_skus: int, seed: int = 8, url: str = ""):
    woo = RemoteEmulator("woocommerce")
    shop = RemoteEmulator("shopify")
    store = build_store(url or f"sqlite:///{folder / 'drain.sqlite'}", n_skus,
                        carts={"woo": (woo, 100), "shop": (shop, 250)}, qoh=lambda i: 50)
    rng = random.Random(seed)
    changes = []
    for _ in range(ROUNDS):
        order = list(range(n_skus))
        rng.shuffle(order)
        changes += [(i, rng.choice((-1, 1, 2))) for i in order]
    rows = bulk_changes(store, changes, ["woo", "shop"])
    return store, woo, shop, rows


def drain(store, stats: dict | None = None, **kw) -> tuple[float, dict[int, float], list]:
    """Run the controller loop on a thread until the stack is empty: wall seconds, and
    the seconds at which each cart's last row was sent. The rows left are counted every
    20 ms, or every 4 counts' time when counting takes longer (a count walks the rows not
    sent yet: ~0.1 s at 1,000,000, which every 20 ms would take a core from the drain).
    `stats` gets the CPU seconds of that counting (this thread's)."""
    from seom_desktop.stack.controller import StackController

    ctl = StackController(store, workstation=WORKSTATION, poll_seconds=0.05, **kw)
    stop = threading.Event()
    passes = []
    ctl.on_pass = passes.append
    t = threading.Thread(target=ctl.run, args=(stop,), daemon=True)
    cart_ids = list(stack_left(store))
    done_at: dict[int, float] = {}
    cpu0 = time.thread_time()
    t0 = time.perf_counter()
    t.start()
    while True:
        before = time.perf_counter()
        left = stack_left(store)
        now = time.perf_counter() - t0
        for cid in cart_ids:
            if cid not in done_at and not left.get(cid):
                done_at[cid] = now
        if not left:
            break
        time.sleep(max(0.02, 4 * (time.perf_counter() - before)))
    seconds = time.perf_counter() - t0
    if stats is not None:
        stats["poll_cpu_s"] = time.thread_time() - cpu0
    stop.set()
    t.join(30)
    return seconds, done_at, passes


def naive(store, carts: dict[str, object], sample: int) -> dict[str, dict]:
    """One request per row, in row order, no coalescing and no read-back: each row's
    new value (what the cart showed plus the row's change) is sent alone, by the cart's
    item id, and the row is marked sent in its own transaction, as a simple
    one-at-a-time queue would. A rate limit is waited out as the cart asks."""
    from seom_desktop.carts.base import QohUpdate, RateLimitedError
    from seom_desktop.connect import connect
    from seom_desktop.stack.outcome import Tally, mark_sent
    from seom_desktop.store.models import SENDING, Cart, Product, StackRow, WebField

    out = {}
    for cname, emu in carts.items():
        with store.read() as s:
            cart = s.scalar(select(Cart).where(Cart.name == cname))
            rows = s.execute(select(StackRow.id, StackRow.change, Product.sku,
                                    WebField.cart_item_id)
                             .join(Product, Product.id == StackRow.product_id)
                             .join(WebField, (WebField.product_id == Product.id)
                                   & (WebField.cart_id == cart.id))
                             .where(StackRow.cart_id == cart.id, StackRow.state == "pending")
                             .order_by(StackRow.id).limit(sample)).all()
            conn = connect(cart)
        shown = emu.quantities(sorted({r.sku for r in rows}))
        emu.clear_counts()
        waited = 0.0
        with Timer() as tm:
            for row_id, change, sku, item_id in rows:
                value = shown[sku] + change
                shown[sku] = value
                while True:
                    try:
                        res = conn.set_qoh([QohUpdate(sku=sku, qoh=value, item_id=item_id,
                                                      key=f"naive-{row_id}")])
                        break
                    except RateLimitedError as e:
                        waited += e.delay
                        time.sleep(e.delay)
                assert res[0].ok, res[0].error
                with store.write() as s:
                    s.execute(StackRow.__table__.update().where(StackRow.id == row_id)
                              .values(state=SENDING))
                    mark_sent(s, [row_id], f"sent {value}", Tally())
        conn.close()
        out[cname] = {"rows": len(rows), "seconds": tm.seconds, "rate_waits_s": waited,
                      "http_requests": sum(emu.requests.values()),
                      "per_row_ms": tm.seconds / max(len(rows), 1) * 1000}
        if emu.kind == "shopify":
            out[cname].update(emu.bucket())
    return out


def reset_rows(store) -> None:
    """Put the naive sample's rows back to pending and the carts back as they were."""
    from sqlalchemy import update

    from seom_desktop.store.models import StackRow

    with store.write() as s:
        s.execute(update(StackRow).values(state="pending", attempts=0, sent_at=None,
                                          last_response=""))


def naive_seconds(res: dict, rows: int) -> float:
    """The naive sender's time for `rows` rows, from its sample: per-row time, and for a
    cart with a cost bucket, no faster than the bucket lets its points through."""
    t = res["per_row_ms"] / 1000 * rows
    if "restore_rate" in res and res["rows"]:
        per_row_points = res["spent"] / res["rows"]
        t = max(t, (per_row_points * rows - res["maximum"]) / res["restore_rate"])
    return t


def run(quick: bool) -> dict:
    folder = temp_dir()
    n_skus = 1000 if quick else 10_000
    sample = 100 if quick else NAIVE_SAMPLE
    with Timer() as setup:
        store, woo, shop, nrows = make_shop(folder, n_skus)
    initial = {sku_of(i): 50 for i in range(n_skus)}
    shop.count_spend()

    # The naive sender first, on a sample (then the carts are put back as they were).
    naive_res = naive(store, {"woo": woo, "shop": shop}, sample)
    reset_rows(store)
    for emu in (woo, shop):
        emu.set_quantities(initial)
        emu.clear_counts()

    seconds, done_at, passes = drain(store)
    from seom_desktop.store.models import Cart, Product

    with store.read() as s:
        cid = dict(s.execute(select(Cart.name, Cart.id)).all())
        want = dict(s.execute(select(Product.sku, Product.qoh)).all())
    woo_s, shop_s = done_at.get(cid["woo"], seconds), done_at.get(cid["shop"], seconds)
    bucket = shop.bucket()
    floor = max(0.0, (bucket["spent"] - bucket["maximum"]) / bucket["restore_rate"])
    w_writes, w_reads = woo_requests(woo)
    s_writes, s_lookups, s_all = shopify_requests(shop)
    # The floor: every SKU whose QOH moved, in full batches (a SKU whose changes cancel
    # out needs no write: the cart already shows its QOH).
    moved = sum(1 for sku, q in want.items() if q != initial[sku])
    limit_w = math.ceil(moved / 100)
    limit_s = math.ceil(moved / 250)
    # Every cart shows the store's QOH now.
    on_woo, on_shop = woo.quantities(), shop.quantities()
    wrong = sum(1 for sku, q in want.items() if on_woo.get(sku) != q or on_shop.get(sku) != q)

    per_cart_rows = nrows // 2
    woo_naive = naive_seconds(naive_res["woo"], per_cart_rows)
    shop_naive = naive_seconds(naive_res["shop"], per_cart_rows)
    naive_total = woo_naive + shop_naive  # one sender, one cart after the other
    ratio = naive_total / seconds
    woo_ratio = woo_naive / woo_s
    n_w, n_s = naive_res["woo"], naive_res["shop"]
    figs = [
        Figure("drain: rows / SKUs / carts", f"{nrows:,} / {n_skus:,} / 2",
               note=f"{moved:,} SKUs end with a QOH other than the carts show"),
        Figure("drain: WooCommerce write requests", w_writes, "", f"== {limit_w} (limit)",
               w_writes == limit_w),
        Figure("drain: WooCommerce read-back requests", w_reads, "", "(reported)",
               note="read before writing, up to 100 SKUs a read (ABSOLUTE cart)"),
        Figure("drain: Shopify write requests", s_writes, "", f"== {limit_s} (limit)",
               s_writes == limit_s),
        Figure("drain: Shopify SKU look-ups", s_lookups, "", "(reported)",
               note=f"{s_all} HTTP requests in all (location, look-ups, writes)"),
        Figure("drain: wall time, both carts", round(seconds, 2), "s",
               "<= 10 s" if not quick else "(quick)", seconds <= 10 if not quick else None,
               note=f"WooCommerce done at {woo_s:.2f} s, Shopify at {shop_s:.2f} s"),
        Figure("drain: Shopify cost points spent", round(bucket["spent"]), "pts", "(reported)",
               note=(f"bucket {bucket['maximum']:g} pts, restores "
                     f"{bucket['restore_rate']:g}/s: no drain can finish before "
                     f"{floor:.1f} s at this spend")),
        Figure("drain: naive sender (extrapolated)", round(naive_total, 1), "s", "",
               note=(f"one request per row; measured on {n_w['rows']} + {n_s['rows']} rows "
                     f"(WooCommerce {n_w['per_row_ms']:.1f} ms/row; Shopify "
                     f"{n_s['per_row_ms']:.1f} ms/row and "
                     f"{n_s['spent'] / max(n_s['rows'], 1):.0f} pts/row, so bucket-bound: "
                     f"{shop_naive:,.0f} s) x {per_cart_rows:,} rows per cart")),
        Figure("drain: speed-up over naive, both carts", round(ratio, 1), "x", ">= 50x",
               ratio >= 50),
        Figure("drain: speed-up over naive, WooCommerce alone", round(woo_ratio, 1), "x",
               "(reported)", note=f"naive {woo_naive:.0f} s vs {woo_s:.2f} s"),
        Figure("drain: carts wrong after drain", wrong, "", "== 0", wrong == 0),
    ]
    woo.stop()
    shop.stop()
    store.close()
    return {"figure": "drain", "machine": machine(), "setup_seconds": round(setup.seconds, 1),
            "passes": len(passes), "naive": naive_res,
            "figures": [f.as_json() for f in figs]}


if __name__ == "__main__":
    figure_main(run)
