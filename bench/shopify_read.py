"""Figure 5, reading a Shopify catalog under a Standard plan's limits (cost bucket 2,000
points restoring 100 a second), both ways in the same run:

- bulk: Get QOH From Website of 100,000 variants through the application's own path
  (`get_qoh`, a SQLite store with the cart's 100,000 products): one bulk operation, polled,
  its JSONL read. The emulator processes 1,000 objects a second (`emulators/shopify_bulk`
  states why), so this figure is mostly that stated rate;
- paged: the same variant query a page of 100 at a time (`productVariants`, what
  `list_items` was before, about 3 points a variant), waiting out the bucket as a manual
  transfer does. 100,000 variants would take about 50 minutes, so it is MEASURED on a
  smaller catalog (2,000 variants; enough to empty the bucket, so the measured run is
  already bucket-bound) and EXTRAPOLATED: the measured time plus the points the remaining
  variants cost (measured points per variant) at the restore rate. The store side of a
  Get QOH of 100,000 (about 1.5 s, figure 4) is left out of the paged figure: it is under
  0.1 % of it.

The bulk read must be at least 20 times faster than paged and never throttled."""

from __future__ import annotations

import time

from bench.common import Figure, build_store, figure_main, machine, temp_dir
from bench.remote import RemoteEmulator

BULK_N = 100_000
PAGED_N = 2_000


def _bulk(n: int) -> dict:
    from seom_desktop.inventory.actor import Actor
    from seom_desktop.sync.get_qoh import get_qoh

    emu = RemoteEmulator("shopify", plan="standard")
    try:
        store = build_store(f"sqlite:///{temp_dir() / 'shopify-read.sqlite'}", n,
                            carts={"shop": (emu, 250)}, qoh=lambda i: i % 50)
        emu.clear_counts()
        emu.count_spend()
        t0 = time.perf_counter()
        report = get_qoh(store, "shop", actor=Actor("bench", "bench-ws"))
        took = time.perf_counter() - t0
        assert report.ok, report.error
        counts, fields, bucket = emu.shopify_counts(), emu.root_fields, emu.bucket()
        store.close()
        return {"seconds": took, "read": report.read, "throttled": counts["throttled"],
                "bulk_runs": counts["bulk_runs"], "polls": fields.get("bulkOperation", 0),
                "pages": fields.get("productVariants", 0), "points": bucket["spent"],
                "requests": sum(emu.requests.values())}
    finally:
        emu.stop()


def _paged(n: int) -> dict:
    from seom_desktop.carts.base import CartConfig
    from seom_desktop.carts.shopify import ShopifyConnector

    emu = RemoteEmulator("shopify", plan="standard")
    try:
        emu.add_items([(f"P-{i:06d}", i % 50) for i in range(n)])
        emu.clear_counts()
        emu.count_spend()
        conn = ShopifyConnector(CartConfig(name="shop", kind="shopify", url=emu.url,
                                           token=emu.token))
        waits: list[str] = []
        conn.watch(waits.append, lambda: False)  # as a manual transfer: wait, never give up
        t0 = time.perf_counter()
        # the paged listing: the page reader get_items uses, over the whole catalog
        read = sum(1 for _ in conn._variants(None))
        took = time.perf_counter() - t0
        bucket = emu.bucket()
        conn.close()
        return {"seconds": took, "read": read, "points": bucket["spent"],
                "maximum": bucket["maximum"], "rate": bucket["restore_rate"],
                "pages": emu.root_fields.get("productVariants", 0),
                "throttled": emu.shopify_counts()["throttled"], "long_waits": len(waits),
                "waited": conn.pacer.waited}
    finally:
        emu.stop()


def run(quick: bool) -> dict:
    n, m = (BULK_N // 10, PAGED_N // 2) if quick else (BULK_N, PAGED_N)
    bulk = _bulk(n)
    paged = _paged(m)
    per_variant = paged["points"] / paged["read"]
    paged_n = paged["seconds"] + (n - m) * per_variant / paged["rate"]
    speedup = paged_n / bulk["seconds"]
    k = " (quick: a tenth)" if quick else ""
    figs = [
        Figure(f"Shopify Get QOH, bulk operation: {n:,} variants, Standard plan",
               round(bulk["seconds"], 1), "s", "(reported)",
               note=(f"{bulk['read']:,} read; {bulk['bulk_runs']} operation, {bulk['polls']} polls, "
                     f"{bulk['pages']} pages, {bulk['requests']} HTTP requests, "
                     f"{bulk['points']:.0f} points; emulator rate 1,000 objects/s (an "
                     f"assumption: bench/README.md){k}")),
        Figure(f"Shopify Get QOH, paged: {n:,} variants (extrapolated)", round(paged_n), "s",
               "(reported)",
               note=(f"measured {paged['read']:,} variants in {paged['seconds']:.1f} s "
                     f"({paged['pages']} pages, {per_variant:.2f} points a variant, "
                     f"{paged['long_waits']} waits said, {paged['throttled']} THROTTLED), "
                     f"+ {n - m:,} x {per_variant:.2f} points at {paged['rate']:g}/s")),
        Figure("Shopify Get QOH: bulk speed-up over paged", round(speedup, 1), "x", ">= 20x",
               None if quick else speedup >= 20,
               note=("quick: at a tenth the poll schedule (every 5 s after 10 s) weighs more; "
                     "the target is for 100,000" if quick else "")),
        Figure("Shopify Get QOH, bulk: THROTTLED answers", bulk["throttled"], "", "== 0",
               bulk["throttled"] == 0),
    ]
    return {"figure": "shopify_read", "machine": machine(),
            "results": {"bulk": bulk, "paged": paged, "paged_extrapolated_s": paged_n},
            "figures": [f.as_json() for f in figs]}


if __name__ == "__main__":
    figure_main(run)
