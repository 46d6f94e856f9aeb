"""How the window's start grows (issue 23): `seom-desktop gui`, whole process, to the
first page of the inventory list painted (as bench/window_start.py measures it) on stores
of 10,000, 100,000 and 1,000,000 products, with the window process's RSS at that first
paint; then the list paged to its end as a clerk would (Ctrl+End in the table, again each
time a page has arrived: the model's keyset pages, app/inventory_list.fetch_page) and the
RSS there. The start should stay under 1 s at any size, and the RSS flat in the number of
products past the first page.

Each run is a new process (`--child URL START`); the clock runs from just before the
parent starts it. Minutes at 1,000,000 products: `python -m bench --only growth_window`,
or `python -m bench.growth_window [--sizes ...] [--runs N]`, which prints the table."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIZES = (10_000, 100_000, 1_000_000)
RUNS = 3
TARGET_S = 1.0


def _rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process, MB."""
    got = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            got[line.split(":")[0]] = int(line.split()[1]) / 1024
    return got.get("VmRSS", float("nan")), got.get("VmHWM", float("nan"))


def child(url: str, start: float, page_to_end: bool) -> None:
    from PySide6.QtCore import QEvent, QObject, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication(sys.argv[:1])
    out: dict = {}

    def table_of(app) -> QTableView | None:
        for w in app.topLevelWidgets():
            t = w.findChild(QTableView, "inventoryTable")
            if t is not None:
                return t
        return None

    def close() -> None:
        for w in app.topLevelWidgets():
            w.close()

    def page() -> None:
        """Ctrl+End in the table whenever the last page asked for has arrived."""
        table = table_of(app)
        model = table.model()
        if model.exhausted:
            out["end_s"] = time.time() - out["first_abs"]
            out["rows"] = model.rowCount()
            out["end_rss_mb"], out["end_hwm_mb"] = _rss_mb()
            close()
            return
        if not model.loading:
            QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        QTimer.singleShot(1, page)

    class FirstPage(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt name
            if "first_s" not in out and event.type() == QEvent.Type.Paint:
                table = obj.parent()
                if (isinstance(table, QTableView) and table.objectName() == "inventoryTable"
                        and obj is table.viewport() and table.model().rowCount() > 0):
                    now = time.time()
                    out["first_s"], out["first_abs"] = now - start, now
                    out["first_rss_mb"], out["first_hwm_mb"] = _rss_mb()
                    QTimer.singleShot(0, page if page_to_end else close)
            return False

    watcher = FirstPage()
    app.installEventFilter(watcher)
    from seom_desktop.cli import main

    out["code"] = main(["--store", url, "gui"])
    out.pop("first_abs", None)
    print(json.dumps(out))


def one_run(url: str, env: dict, page_to_end: bool) -> dict:
    start = time.time()
    proc = subprocess.run([sys.executable, "-m", "bench.growth_window", "--child", url,
                           repr(start), "1" if page_to_end else "0"], env=env,
                          capture_output=True, text=True, timeout=3600,
                          cwd=Path(__file__).parent.parent)
    lines = proc.stdout.strip().splitlines()
    doc = json.loads(lines[-1]) if lines else {}
    if proc.returncode != 0 or doc.get("first_s") is None:
        raise RuntimeError(f"the window did not paint its first page: {proc.stderr[-2000:]}")
    return doc


def one(folder: Path, n: int, runs: int, env: dict) -> dict:
    from bench.common import build_store

    url = f"sqlite:///{folder / f'window-{n}.sqlite'}"
    t0 = time.perf_counter()
    build_store(url, n).close()
    setup = time.perf_counter() - t0
    one_run(url, env, False)  # not counted: writes the bytecode, the OS caches the files
    starts = [one_run(url, env, False) for _ in range(runs)]
    paged = one_run(url, env, True)
    firsts = [r["first_s"] for r in starts]
    return {"products": n, "setup_s": round(setup, 1), "runs": runs,
            "first_median_s": round(statistics.median(firsts), 3),
            "first_min_s": round(min(firsts), 3), "first_max_s": round(max(firsts), 3),
            "first_rss_mb": round(statistics.median(r["first_rss_mb"] for r in starts), 1),
            "paged_rows": paged["rows"], "paging_s": round(paged["end_s"], 1),
            "end_rss_mb": round(paged["end_rss_mb"], 1), "end_hwm_mb": round(paged["end_hwm_mb"], 1),
            "load": os.getloadavg()[0]}


def table(runs: list[dict]) -> str:
    lines = ["products  | first page s: median (min-max) | RSS at first paint MB | "
             "paged to the end: rows, s | RSS there / peak MB | load"]
    for r in runs:
        lines.append(f"{r['products']:>9,} | {r['first_median_s']:>6.2f} ({r['first_min_s']:.2f}-"
                     f"{r['first_max_s']:.2f}){'':>12} | {r['first_rss_mb']:>21.0f} | "
                     f"{r['paged_rows']:>9,}, {r['paging_s']:>6.1f}      | "
                     f"{r['end_rss_mb']:>5.0f} / {r['end_hwm_mb']:>5.0f}       | {r['load']:.1f}")
    return "\n".join(lines)


def figures(runs: list[dict]) -> list:
    from bench.common import Figure

    out = []
    for r in runs:
        out.append(Figure(f"growth: gui start to first page, {r['products']:,} products",
                          r["first_median_s"], "s", f"< {TARGET_S:g} s",
                          r["first_median_s"] < TARGET_S,
                          note=(f"median of {r['runs']}; RSS {r['first_rss_mb']:.0f} MB at the "
                                f"first paint, {r['end_rss_mb']:.0f} MB paged to the end")))
    if len(runs) > 1:
        lo, hi = runs[0], runs[-1]
        out.append(Figure("growth: gui RSS paged to the end, largest / smallest store",
                          round(hi["end_rss_mb"] / lo["end_rss_mb"], 2), "x", "flat (<= 1.5x)",
                          hi["end_rss_mb"] / lo["end_rss_mb"] <= 1.5))
    return out


def main() -> None:
    from bench.common import growth_arguments, growth_sizes, machine, temp_dir

    ap = growth_arguments("python -m bench.growth_window", "product", SIZES)
    ap.add_argument("--runs", type=int, default=RUNS, help="starts timed at each size")
    args = ap.parse_args()
    sizes = growth_sizes(args)
    folder = temp_dir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(folder / "config"),
               SEOM_LOG_DIR=str(folder / "logs"), SEOM_WORKSTATION="bench-ws")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed program runs from bytecode
    runs = []
    for n in sizes:
        runs.append(one(folder, n, args.runs, env))
        print(table(runs), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"figure": "growth_window", "machine": machine(), "results": runs,
             "figures": [f.as_json() for f in figures(runs)]}, indent=2, default=str))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1")
    else:
        main()
