"""Figure 2, latency from an adjustment's commit to the cart applying its new value, for
1,000 adjustments spaced out: SQLite with the controller on a thread of the same process
(woken by the commit), and PostgreSQL with the controller in another process (the CLI's
`controller`, woken by LISTEN/NOTIFY). "Cart receives" is taken at the emulators: the time
each SKU's value is applied there.

Each store is measured twice: unloaded, and under a drain (DRAIN_SKUS products changed
once each, 2 rows a product: 10,000 web stack rows queued in bulk just before the
adjustments begin, the adjusted products among them). Under the drain the figure also
gives the p99 of the adjustments committed before the drain's last row was sent."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter

from bench.common import (
    WORKSTATION,
    Figure,
    build_store,
    figure_main,
    machine,
    pct,
    sku_of,
    temp_dir,
)

SPACING = 0.025  # seconds between adjustments
DRAIN_SKUS = 5000  # products of the backlog queued just before the adjustments (x 2 carts)


class StampedCounter(Counter):
    """The emulators' `applied` counter, noting when each SKU took which value."""

    def __init__(self, emu):
        super().__init__()
        self.emu = emu
        self.stamps: dict[tuple[str, int], float] = {}

    def __setitem__(self, sku, n):
        super().__setitem__(sku, n)
        try:
            q = self.emu.quantity(sku)
        except Exception:  # noqa: BLE001 - not an item the emulator can show
            q = None
        self.stamps.setdefault((sku, q), time.perf_counter())


def _emulators():
    from seom_desktop.emulators.shopify import ShopifyEmulator
    from seom_desktop.emulators.woocommerce import WooCommerceEmulator

    woo, shop = WooCommerceEmulator().start(), ShopifyEmulator().start()
    for emu in (woo, shop):
        emu.applied = StampedCounter(emu)
    return woo, shop


def _adjust_all(store, n: int, spacing: float) -> list[tuple[str, int, float]]:
    from seom_desktop.inventory.actor import Actor
    from seom_desktop.inventory.operations import adjust

    actor = Actor("clerk", WORKSTATION)
    done = []
    next_at = time.perf_counter()
    for i in range(n):
        with store.write() as s:
            r = adjust(s, sku=sku_of(i), delta=1, actor=actor)
        done.append((sku_of(i), r.qoh_after, time.perf_counter()))
        next_at += spacing
        time.sleep(max(0.0, next_at - time.perf_counter()))
    return done


def _latencies(done, emu, wait: float = 30.0) -> list[float]:
    deadline = time.perf_counter() + wait
    while time.perf_counter() < deadline:
        if all((sku, q) in emu.applied.stamps for sku, q, _t in done):
            break
        time.sleep(0.05)
    return [emu.applied.stamps[(sku, q)] - t for sku, q, t in done
            if (sku, q) in emu.applied.stamps]


def _queue_backlog(store, skus: int) -> int:
    """The backlog: one change of each of `skus` products, a row per cart, committed in
    bulk (as a Get QOH or an import would), with the wake-up a commit of rows gives.
    Returns the id of its last row."""
    from sqlalchemy import func, select

    from bench.common import bulk_changes
    from seom_desktop.store.models import StackRow
    from seom_desktop.store.notify import notify_stack

    bulk_changes(store, [(i, 1) for i in range(skus)], ["woo", "shop"])
    with store.write() as s:  # in-process: the commit wakes; PostgreSQL: NOTIFY
        s.info["stack_rows_added"] = True
        notify_stack(s)
        return s.scalar(select(func.max(StackRow.id)))


def _drained_at(store, last_id: int, wait: float = 60.0) -> float | None:
    """perf_counter when every backlog row (id <= last_id) is sent (polled every 10 ms)."""
    from sqlalchemy import func, select

    from seom_desktop.store.models import StackRow

    deadline = time.perf_counter() + wait
    while time.perf_counter() < deadline:
        with store.read() as s:
            left = s.scalar(select(func.count(StackRow.id)).where(
                StackRow.id <= last_id, StackRow.state != "sent"))
        if not left:
            return time.perf_counter()
        time.sleep(0.01)
    return None


def _one(kind: str, n: int, drain: int = 0) -> dict:
    folder = temp_dir()
    woo, shop = _emulators()
    server = proc = None
    try:
        if kind == "sqlite":
            url = f"sqlite:///{folder / f'latency{drain}.sqlite'}"
        else:
            from seom_desktop.testing.pgserver import PostgresServer

            server = PostgresServer().start()
            url = server.create_database()
        store = build_store(url, max(n, drain), carts={"woo": (woo, 100), "shop": (shop, 250)},
                            qoh=lambda i: 50)
        stop = threading.Event()
        if kind == "sqlite":
            from seom_desktop.stack.controller import StackController

            ctl = StackController(store, workstation=WORKSTATION, poll_seconds=1.0)
            t = threading.Thread(target=ctl.run, args=(stop,), daemon=True)
            t.start()
        else:
            proc = subprocess.Popen(
                [sys.executable, "-m", "seom_desktop", "--store", url, "--workstation",
                 WORKSTATION, "controller", "--poll", "1"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
        time.sleep(2.0)  # the controller is up and listening
        drained: list[float | None] = []
        if drain:
            last_id = _queue_backlog(store, drain)
            started = time.perf_counter()
            watch = threading.Thread(target=lambda: drained.append(_drained_at(store, last_id)),
                                     daemon=True)
            watch.start()
        done = _adjust_all(store, n, SPACING)
        out = {}
        if drain:
            watch.join()
            out["drain_s"] = round(drained[0] - started, 2) if drained[0] else None
        for name, emu in (("woo", woo), ("shop", shop)):
            lat = _latencies(done, emu)
            out[name] = {"n": len(lat), "missing": len(done) - len(lat),
                         "p50_ms": round(pct(lat, 50) * 1000, 1),
                         "p99_ms": round(pct(lat, 99) * 1000, 1),
                         "max_ms": round(max(lat) * 1000, 1) if lat else None}
            if drain and drained[0]:
                during = _latencies([d for d in done if d[2] < drained[0]], emu)
                out[name]["during_n"] = len(during)
                out[name]["during_p99_ms"] = round(pct(during, 99) * 1000, 1)
        stop.set()
        store.close()
        return out
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
        if server is not None:
            server.stop()
        woo.stop()
        shop.stop()


def run(quick: bool) -> dict:
    n = 100 if quick else 1000
    drain = DRAIN_SKUS // 10 if quick else DRAIN_SKUS
    res = {}
    for backend in ("sqlite", "postgresql"):
        for load, size in (("", 0), ("_drain", drain)):
            try:
                res[backend + load] = _one(backend, n, size)
            except Exception as e:  # noqa: BLE001 - no server binaries here: said in the table
                res[backend + load] = {"error": f"{type(e).__name__}: {e}"}
    figs = []
    for backend, label in (("sqlite", "SQLite, controller thread"),
                           ("postgresql", "PostgreSQL, controller process")):
        for load, words in (("", ""), ("_drain", f", {2 * drain:,}-row drain")):
            figs += _figures(res[backend + load], label + words, load)
    return {"figure": "latency", "machine": machine(), "results": res,
            "figures": [f.as_json() for f in figs]}


def _figures(r: dict, label: str, load: str) -> list[Figure]:
    if "error" in r:
        return [Figure(f"latency {label}", "n/a", note=r["error"])]
    figs = []
    target, limit = ("p99 < 100 ms", 100) if load else ("p99 < 1000 ms", 1000)
    for cart, cname in (("woo", "WooCommerce"), ("shop", "Shopify")):
        c = r[cart]
        during = (f"; committed during the drain ({r.get('drain_s')} s): {c['during_n']}, "
                  f"p99 {c['during_p99_ms']} ms" if "during_n" in c else "")
        figs.append(Figure(f"latency {label} -> {cname}: p50 / p99",
                           f"{c['p50_ms']:.0f} / {c['p99_ms']:.0f}", "ms", target,
                           c["missing"] == 0 and c["p99_ms"] < limit,
                           note=f"{c['n']} adjustments {SPACING * 1000:.0f} ms apart; "
                                f"max {c['max_ms']} ms" + during
                                + (f"; {c['missing']} never arrived" if c["missing"] else "")))
    return figs


if __name__ == "__main__":
    figure_main(run)
