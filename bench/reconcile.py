"""Figure 7, reconcile: what a scheduled reconcile costs the real-time rows. 10,000 web
stack rows (5,000 SKUs, one change each, two emulated carts: WooCommerce and Shopify in
child processes) drained by the stack controller alone, and again with the scheduled
reconciles (ReconcileMinutes) started beside it as `seom-desktop controller` starts
them: both carts are due at once, so each is reconciled (orders imported, the whole
catalog read, every item compared, corrections queued) while the rows drain. 1 % more
WooCommerce items, with no change of their own, were edited on the cart beforehand, so the
reconcile has corrections to queue. Rounds alternate (alone, with) on fresh stores and carts; the drain time is from
the controller's start until every one of the 10,000 rows is sent (correction rows the
reconcile adds are not counted). Target: the median with reconcile at most 10 % above
the median alone. `python -m bench.reconcile [--quick]`: prints both drain times."""

from __future__ import annotations

import random
import statistics
import threading
import time

from sqlalchemy import func, select

from bench.common import (
    WORKSTATION,
    Figure,
    build_store,
    bulk_changes,
    figure_main,
    machine,
    sku_of,
    temp_dir,
)
from bench.remote import RemoteEmulator

ROUNDS = 7  # of each kind, alternating
DRIFT = 0.01  # of the WooCommerce items, edited on the cart before the drain


def _shop(folder, n: int, k: int):
    # Named so that WooCommerce, the reconcile that reads the most, comes first.
    woo, shop = RemoteEmulator("woocommerce"), RemoteEmulator("shopify")
    drifted = int(n * DRIFT)  # items with no change of their own, edited on the cart
    store = build_store(f"sqlite:///{folder / f'reconcile-{k}.sqlite'}", n + drifted,
                        carts={"A-woo": (woo, 100), "B-shop": (shop, 250)}, qoh=lambda i: 50)
    rng = random.Random(k)
    order = list(range(n))
    rng.shuffle(order)
    rows = bulk_changes(store, [(i, rng.choice((-1, 1, 2))) for i in order], ["A-woo", "B-shop"])
    woo.set_quantities({sku_of(i): 7 for i in range(n, n + drifted)})
    return store, woo, shop, rows


def _unsent(store, last_id: int) -> int:
    from seom_desktop.store.models import StackRow

    with store.read() as s:
        return s.scalar(select(func.count(StackRow.id)).where(
            StackRow.id <= last_id, StackRow.state != "sent"))


def one_round(folder, n: int, k: int, with_reconcile: bool) -> dict:
    from seom_desktop.stack.controller import StackController
    from seom_desktop.store.models import Cart, ReconcileRun, StackRow
    from seom_desktop.store.params import set_param
    from seom_desktop.sync.reconcile_schedule import ReconcileSchedule, sends_for_this_workstation

    store, woo, shop, rows = _shop(folder, n, k)
    try:
        with store.write() as s:
            set_param(s, "ReconcileMinutes", 60 if with_reconcile else 0)
            last_id = s.scalar(select(func.max(StackRow.id)))
        ctl = StackController(store, workstation=WORKSTATION, poll_seconds=0.05)
        stop = threading.Event()
        loop = threading.Thread(target=ctl.run, args=(stop,), daemon=True)
        schedule = ReconcileSchedule(
            store, workstation=WORKSTATION,
            sends=lambda: sends_for_this_workstation(store, shared=False))
        t0 = time.perf_counter()
        loop.start()
        schedule.start()
        while _unsent(store, last_id):
            time.sleep(0.02)
        seconds = time.perf_counter() - t0
        if with_reconcile:  # both carts reconciled before it stops
            deadline = time.monotonic() + 300
            while schedule.runs < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        schedule.stop()
        stop.set()
        loop.join(60)
        with store.read() as s:
            runs = [dict(cart=c, started=st, finished=fi, checked=ch, different=d, fixed=f,
                         error=e) for c, st, fi, ch, d, f, e in s.execute(
                select(Cart.name, ReconcileRun.started_at, ReconcileRun.finished_at,
                       ReconcileRun.checked, ReconcileRun.different, ReconcileRun.fixed,
                       ReconcileRun.error).join(Cart, Cart.id == ReconcileRun.cart_id)
                .order_by(ReconcileRun.id))]
        store.close()
    finally:
        woo.stop()
        shop.stop()
    for r in runs:
        r["seconds"] = round((r["finished"] - r["started"]).total_seconds(), 2)
        del r["started"], r["finished"]
    return {"rows": rows, "drain_s": round(seconds, 3), "reconcile": with_reconcile,
            "runs": runs}


def run(quick: bool) -> dict:
    folder = temp_dir()
    n = 500 if quick else 5_000
    rounds = []
    for k in range(ROUNDS):
        for with_reconcile in (False, True):
            rounds.append(one_round(folder, n, 2 * k + with_reconcile, with_reconcile))
            r = rounds[-1]
            print(f"round {len(rounds)}: {'with reconcile' if with_reconcile else 'alone'}: "
                  f"{r['rows']:,} rows drained in {r['drain_s']:.2f} s"
                  + "".join(f"; {x['cart']} reconciled in {x['seconds']} s ({x['checked']:,} "
                            f"checked, {x['different']} different, {x['fixed']} fixed"
                            f"{', ' + x['error'] if x['error'] else ''})" for x in r["runs"]),
                  flush=True)
    alone = [r["drain_s"] for r in rounds if not r["reconcile"]]
    beside = [r["drain_s"] for r in rounds if r["reconcile"]]
    m_alone, m_beside = statistics.median(alone), statistics.median(beside)
    added = (m_beside / m_alone - 1) * 100
    figs = [
        Figure("reconcile: drain of 10,000 rows alone (median)" if not quick else
               "reconcile: drain of 1,000 rows alone (median)", round(m_alone, 2), "s",
               note=", ".join(f"{x:.2f}" for x in alone)),
        Figure("reconcile: same drain with both carts reconciled beside it (median)",
               round(m_beside, 2), "s", note=", ".join(f"{x:.2f}" for x in beside)),
        Figure("reconcile: time added to the drain", round(added, 1), "%", "<= 10 %",
               added <= 10),
    ]
    return {"machine": machine(), "figures": [f.as_json() for f in figs], "rounds": rounds}


if __name__ == "__main__":
    figure_main(run)
