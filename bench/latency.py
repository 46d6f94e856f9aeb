"""Figure 2, latency from an adjustment's commit to the cart applying its new value, for
1,000 adjustments spaced out: SQLite with the controller on a thread of the same process
(woken by the commit), and PostgreSQL with the controller in another process (the CLI's
`controller`, woken by LISTEN/NOTIFY). "Cart receives" is taken at the emulators: the time
each SKU's value is applied there."""

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


def _one(kind: str, n: int) -> dict:
    folder = temp_dir()
    woo, shop = _emulators()
    server = proc = None
    try:
        if kind == "sqlite":
            url = f"sqlite:///{folder / 'latency.sqlite'}"
        else:
            from seom_desktop.testing.pgserver import PostgresServer

            server = PostgresServer().start()
            url = server.create_database()
        store = build_store(url, n, carts={"woo": (woo, 100), "shop": (shop, 250)},
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
        done = _adjust_all(store, n, SPACING)
        out = {}
        for name, emu in (("woo", woo), ("shop", shop)):
            lat = _latencies(done, emu)
            out[name] = {"n": len(lat), "missing": len(done) - len(lat),
                         "p50_ms": round(pct(lat, 50) * 1000, 1),
                         "p99_ms": round(pct(lat, 99) * 1000, 1),
                         "max_ms": round(max(lat) * 1000, 1) if lat else None}
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
    res = {"sqlite": _one("sqlite", n)}
    try:
        res["postgresql"] = _one("postgresql", n)
    except Exception as e:  # noqa: BLE001 - no server binaries here: said in the table
        res["postgresql"] = {"error": f"{type(e).__name__}: {e}"}
    figs = []
    for backend, label in (("sqlite", "SQLite, controller thread"),
                           ("postgresql", "PostgreSQL, controller process")):
        r = res[backend]
        if "error" in r:
            figs.append(Figure(f"latency {label}", "n/a", note=r["error"]))
            continue
        for cart, cname in (("woo", "WooCommerce"), ("shop", "Shopify")):
            c = r[cart]
            figs.append(Figure(f"latency {label} -> {cname}: p50 / p99",
                               f"{c['p50_ms']:.0f} / {c['p99_ms']:.0f}", "ms", "p99 < 1000 ms",
                               c["missing"] == 0 and c["p99_ms"] < 1000,
                               note=f"{c['n']} adjustments {SPACING * 1000:.0f} ms apart; "
                                    f"max {c['max_ms']} ms"
                                    + (f"; {c['missing']} never arrived" if c["missing"] else "")))
    return {"figure": "latency", "machine": machine(), "results": res,
            "figures": [f.as_json() for f in figs]}


if __name__ == "__main__":
    figure_main(run)
