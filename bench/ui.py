"""Figures 3 and 4, the window (offscreen Qt, qasync loop):

3. responsiveness: the longest gap of a 10 ms QTimer heartbeat on the UI thread while the
   stack controller (its QThread) drains figure 1's WooCommerce rows (50,000 rows over
   10,000 SKUs), and while Get QOH From Website reads 50,000 items through the Advanced
   Cart Functions dialog (preview, then the pull; qasync + executor);
4. scale: 100,000 products: time from creating the main window to its first page of the
   inventory list on screen; Get QOH From Website of 100,000 items (WooCommerce, 100 a
   page, the API's maximum), once with every item different on the cart (the worst
   case: 100,000 QOH changes, ledger rows and web fields written) and once with 1 %
   different (the usual pull); this process's peak RSS."""

from __future__ import annotations

import asyncio
import random
import time

from bench.common import (
    WORKSTATION,
    Figure,
    build_store,
    bulk_changes,
    figure_main,
    machine,
    peak_rss_mb,
    sku_of,
    stack_left,
    temp_dir,
)
from bench.remote import RemoteEmulator

FRAME_MS = 16.0  # one frame at 60 Hz: the target for the longest gap


class Heart:
    def __init__(self):
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._beat)

    def _beat(self):
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def start(self):
        self.gaps.clear()
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return max(self.gaps) * 1000 if self.gaps else float("nan")

    def late(self, ms: float = FRAME_MS) -> int:
        """How many gaps were longer than `ms` (a frame at 60 Hz by default)."""
        return sum(1 for g in self.gaps if g * 1000 > ms)


async def until(cond, timeout: float, step: float = 0.005) -> float:
    t0 = time.perf_counter()
    while not cond():
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError("condition not met")
        await asyncio.sleep(step)
    return time.perf_counter() - t0


async def scenario(quick: bool) -> dict:
    from PySide6.QtCore import QSettings

    from seom_desktop.sync.get_qoh import get_qoh
    from seom_desktop.ui.dialogs.advanced_cart_functions import AdvancedCartFunctionsDialog
    from seom_desktop.ui.main_window import MainWindow

    folder = temp_dir()
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    out: dict = {}
    k = 10 if quick else 1

    # --- 4: 100,000 products, the window's first page -------------------------------------
    n_big = 100_000 // k
    big_emu = RemoteEmulator("woocommerce")
    big = build_store(f"sqlite:///{folder / 'scale.sqlite'}", n_big,
                      carts={"Woo": (big_emu, 100)}, qoh=lambda i: i % 97)
    t0 = time.perf_counter()
    w = MainWindow(big, workstation=WORKSTATION, start_controller=False, settings=settings)
    w.resize(1180, 720)
    w.show()
    await until(lambda: w.model.rowCount() > 0, 30)
    out["window_first_page_s"] = time.perf_counter() - t0
    await asyncio.sleep(0.5)
    # The baseline: the heartbeat with the window up and nothing else running.
    heart = Heart()
    heart.start()
    await asyncio.sleep(3)
    out["idle_max_gap_ms"] = heart.stop()
    out["idle_beats"] = len(heart.gaps)
    out["idle_late"] = heart.late()
    async def pull(name: str, cart: dict[str, int]) -> None:
        """Get QOH From Website after the cart was set to show `cart`, timed."""
        big_emu.set_quantities(cart)
        big_emu.clear_counts()
        t0 = time.perf_counter()
        rep = await asyncio.get_running_loop().run_in_executor(None, lambda: get_qoh(big, "Woo"))
        out[f"{name}_s"] = time.perf_counter() - t0
        out[name] = {"read": rep.read, "changed": len(rep.changed), "error": rep.error,
                     "requests": sum(big_emu.requests.values())}

    # Every item differs on the cart by one: Get QOH takes all of them.
    await pull("get_qoh_big", {sku_of(i): (i % 97) + 1 for i in range(n_big)})
    # The usual pull: the cart and the store agree but for 1 % of the items.
    await pull("get_qoh_few", {sku_of(i): (i % 97) + 3 for i in range(0, n_big, 100)})
    w.close()
    w.deleteLater()
    big_emu.stop()
    big.close()

    # --- 3a: heartbeat while the controller thread drains figure 1's WooCommerce rows -----
    n_skus = 10_000 // k
    emu = RemoteEmulator("woocommerce")
    store = build_store(f"sqlite:///{folder / 'ui.sqlite'}", n_skus,
                        carts={"Woo": (emu, 100)}, qoh=lambda i: 50)
    rng = random.Random(8)
    changes = []
    for _ in range(5):
        order = list(range(n_skus))
        rng.shuffle(order)
        changes += [(i, rng.choice((-1, 1, 2))) for i in order]
    rows = bulk_changes(store, changes, ["Woo"])
    w = MainWindow(store, workstation=WORKSTATION, start_controller=False, settings=settings)
    w.show()
    await until(lambda: w.model.rowCount() > 0, 30)
    heart.start()
    t0 = time.perf_counter()
    w.start_controller()
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, stack_left, store):  # polled off the UI thread
        await asyncio.sleep(0.05)
    out["drain_rows"] = rows
    out["drain_s"] = time.perf_counter() - t0
    out["drain_max_gap_ms"] = heart.stop()
    out["drain_beats"] = len(heart.gaps)
    out["drain_late"] = heart.late()
    w.stop_controller()

    # --- 3b: heartbeat during Get QOH From Website of 50,000 items (the dialog's path) ----
    n_get = 50_000 // k
    emu2 = RemoteEmulator("woocommerce")
    store2 = build_store(f"sqlite:///{folder / 'get.sqlite'}", n_get,
                         carts={"Woo2": (emu2, 100)}, qoh=lambda i: 50)
    emu2.set_quantities({sku_of(i): 49 for i in range(n_get)})
    dlg = AdvancedCartFunctionsDialog(store2, workstation=WORKSTATION)
    dlg.show()
    await until(lambda: dlg.cart_box.count() > 0, 30)
    dlg.cart_box.setCurrentIndex(dlg.cart_box.findData("Woo2"))

    async def yes(_preview_dialog):
        return True

    dlg.confirm = yes
    heart.start()
    t0 = time.perf_counter()
    dlg.get_button.click()
    await until(lambda: dlg.last_report is not None, 600, 0.02)
    out["get_ui_s"] = time.perf_counter() - t0
    out["get_ui_max_gap_ms"] = heart.stop()
    out["get_ui_beats"] = len(heart.gaps)
    out["get_ui_late"] = heart.late()
    out["get_ui_read"] = dlg.last_report.read
    out["get_ui_changed"] = len(dlg.last_report.changed)
    dlg.close()
    for e in (emu, emu2):
        e.stop()
    return out


def run(quick: bool) -> dict:
    import qasync

    from seom_desktop.ui.app import make_app

    app = make_app()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        r = loop.run_until_complete(scenario(quick))
    rss = peak_rss_mb()
    k = "" if not quick else " (quick: a tenth)"
    figs = [
        Figure("UI: longest heartbeat gap, idle (baseline)", round(r["idle_max_gap_ms"]), "ms",
               "(baseline)", note=f"the window up, nothing running; {r['idle_beats']} beats, "
                                  f"{r['idle_late']} over {FRAME_MS:.0f} ms"),
        Figure("UI: longest heartbeat gap, controller draining", round(r["drain_max_gap_ms"]),
               "ms", f"< {FRAME_MS:.0f} ms", r["drain_max_gap_ms"] < FRAME_MS,
               note=f"{r['drain_rows']:,} WooCommerce rows drained in {r['drain_s']:.1f} s; "
                    f"{r['drain_beats']} beats, {r['drain_late']} over {FRAME_MS:.0f} ms{k}"),
        Figure("UI: longest heartbeat gap, Get QOH (dialog)", round(r["get_ui_max_gap_ms"]),
               "ms", f"< {FRAME_MS:.0f} ms", r["get_ui_max_gap_ms"] < FRAME_MS,
               note=f"preview + pull of {r['get_ui_read']:,} items in {r['get_ui_s']:.1f} s; "
                    f"{r['get_ui_beats']} beats, {r['get_ui_late']} over {FRAME_MS:.0f} ms{k}"),
        Figure("scale: window to first page", round(r["window_first_page_s"], 2), "s", "< 2 s",
               r["window_first_page_s"] < 2, note=f"{100_000 // (10 if quick else 1):,} products"),
        Figure("scale: Get QOH of all items", round(r["get_qoh_big_s"], 1), "s", "< 2 s",
               r["get_qoh_big_s"] < 2,
               note=(f"{r['get_qoh_big']['read']:,} items read, "
                     f"{r['get_qoh_big']['changed']:,} taken, "
                     f"{r['get_qoh_big']['requests']:,} HTTP requests (100 a page)")),
        Figure("scale: Get QOH, 1 % of items different", round(r["get_qoh_few_s"], 1), "s",
               "< 2 s", r["get_qoh_few_s"] < 2,
               note=(f"{r['get_qoh_few']['read']:,} items read, "
                     f"{r['get_qoh_few']['changed']:,} taken")),
        Figure("scale: peak RSS", round(rss), "MB", "< 400 MB", rss < 400),
    ]
    return {"figure": "ui", "machine": machine(), "results": r,
            "figures": [f.as_json() for f in figs]}


if __name__ == "__main__":
    figure_main(run)
