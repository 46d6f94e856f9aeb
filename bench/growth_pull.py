"""How Get QOH From Website grows (issue 23): a store of 10,000, 100,000 and 1,000,000
products on one WooCommerce cart (the emulator in a child process, bench/remote.py), every
item different on the cart, then 1 % different, through sync/get_qoh as bench/ui.py's
scale figure calls it; SQLite, or PostgreSQL with `--only pg` (testing/pgserver.py). Each
pull runs in a fresh process (`--child`), as the command line's would, so its peak RSS
(VmHWM) is the pull's alone and not the store builder's. Per item: wall, the pull
process's CPU (reader threads, JSON, the store's driver), the store's side (each chunk's
mapping, judging and writing) and the emulator's CPU. Per-item cost should stay within
1.5x from the smallest size to the largest, and the RSS flat.

Minutes at 1,000,000 items: `python -m bench --only growth_pull`, or
`python -m bench.growth_pull [--sizes ...] [--only sqlite|pg]`, which prints the table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

SIZES = (10_000, 100_000, 1_000_000)


def _status_mb(field: str) -> float:
    """VmHWM / VmRSS of this process, MB (Linux /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(url: str, cart: str) -> None:
    """One Get QOH, timed, in this fresh process; prints one JSON line."""
    from seom_desktop.store.engine import open_store
    from seom_desktop.sync import get_qoh as module

    # The store's side: each chunk's mapping, judging and writing (sync/get_qoh._apply,
    # called with the same arguments; only its time is taken). (Its statements go through
    # the DBAPI cursor, store/raw.py, which SQLAlchemy's cursor events do not see.)
    apply = module._apply
    store_s = {"wall": 0.0, "cpu": 0.0}

    def timed_apply(*a, **kw):
        w, c = time.perf_counter(), time.thread_time()
        try:
            return apply(*a, **kw)
        finally:
            store_s["wall"] += time.perf_counter() - w
            store_s["cpu"] += time.thread_time() - c

    module._apply = timed_apply

    # ... and each of its statements, by their first words (store/raw.Raw's methods, called
    # as they are; only their time is taken).
    from seom_desktop.store import raw as raw_module

    by_statement: dict[str, float] = {}

    def timed(method):
        def call(self, text, *a, **kw):
            w = time.perf_counter()
            try:
                return method(self, text, *a, **kw)
            finally:
                key = " ".join(str(text).split()[:7])
                by_statement[key] = by_statement.get(key, 0.0) + time.perf_counter() - w
        return call

    for name in ("run", "one", "named", "select"):
        setattr(raw_module.Raw, name, timed(getattr(raw_module.Raw, name)))

    store = open_store(url)
    rss0 = _status_mb("VmRSS")
    w0, c0 = time.perf_counter(), time.process_time()
    rep = module.get_qoh(store, cart)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "store_s": store_s["wall"],
                      "store_cpu_s": store_s["cpu"],
                      "store_top": {k: round(v, 3) for k, v in sorted(
                          by_statement.items(), key=lambda kv: -kv[1])[:6]}, "read": rep.read,
                      "changed": len(rep.changed), "error": rep.error, "rss_before_mb": rss0,
                      "peak_rss_mb": _status_mb("VmHWM")}))
    store.close()


def _pull(url: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.growth_pull", "--child", url, "Woo"],
                          capture_output=True, text=True, timeout=3600,
                          cwd=Path(__file__).parent.parent)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the pull failed: {proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def one(folder: Path, n: int, url: str | None = None) -> dict:
    from bench.common import build_store, sku_of
    from bench.growth_drain import _cpu_of
    from bench.remote import RemoteEmulator

    emu = RemoteEmulator("woocommerce")
    url = url or f"sqlite:///{folder / f'pull-{n}.sqlite'}"
    t0 = time.perf_counter()
    build_store(url, n, carts={"Woo": (emu, 100)}, qoh=lambda i: i % 97).close()
    out: dict = {"items": n, "setup_s": round(time.perf_counter() - t0, 1)}
    for name, step, plus in (("all", 1, 1), ("few", 100, 3)):
        for k in range(0, n, 100_000):  # the cart's new quantities, sent in slices
            emu.set_quantities({sku_of(i): (i % 97) + plus
                                for i in range(k, min(n, k + 100_000), step)})
        e0 = _cpu_of(emu._proc.pid)
        r = _pull(url)
        r["emulator_cpu_s"] = _cpu_of(emu._proc.pid) - e0
        r["load"] = os.getloadavg()[0]
        for key in ("wall", "cpu", "store", "store_cpu", "emulator_cpu"):
            r[f"{key}_us_item"] = round(r[f"{key}_s"] / n * 1e6, 1)
        out[name] = r
    emu.stop()
    return out


def table(runs: list[dict], kind: str = "SQLite") -> str:
    lines = [f"{kind}:","items     | pull      | changed   | wall s | wall us/item | CPU us/item | "
             "store us/item (CPU) | emulator CPU us/item | "
             "RSS before / peak MB | load"]
    for r in runs:
        for name in ("all", "few"):
            x = r[name]
            lines.append(f"{r['items']:>9,} | {'all diff' if name == 'all' else '1 % diff':<9} | "
                         f"{x['changed']:>9,} | {x['wall_s']:>6.2f} | {x['wall_us_item']:>12.1f}"
                         f" | {x['cpu_us_item']:>11.1f} | {x['store_us_item']:>8.1f} ({x['store_cpu_us_item']:>6.1f})"
                         f"       | "
                         f"{x['emulator_cpu_us_item']:>20.1f} | {x['rss_before_mb']:>6.0f} / "
                         f"{x['peak_rss_mb']:>4.0f}     | {x['load']:.1f}")
    for r in runs:
        for name in ("all", "few"):
            lines.append(f"{r['items']:,} {name}: store s by statement: " + "; ".join(
                f"{k} {v}" for k, v in r[name].get("store_top", {}).items()))
    if len(runs) > 1:
        lo, hi = runs[0], runs[-1]
        for name in ("all", "few"):
            lines.append(f"growth {hi['items']:,} over {lo['items']:,}, {name}: " + ", ".join(
                f"{k} {hi[name][f'{k}_us_item'] / lo[name][f'{k}_us_item']:.2f}x"
                for k in ("wall", "cpu", "store")) + f"; peak RSS {hi[name]['peak_rss_mb']:.0f}"
                f" / {lo[name]['peak_rss_mb']:.0f} MB")
    return "\n".join(lines)


def figures(runs: list[dict], kind: str = "SQLite") -> list:
    from bench.common import Figure

    out = []
    for r in runs:
        for name, words in (("all", "all different"), ("few", "1 % different")):
            x = r[name]
            out.append(Figure(f"growth: Get QOH of {r['items']:,} items, {words}, {kind}",
                              round(x["wall_s"], 2), "s", "(reported)",
                              note=(f"{x['wall_us_item']} us/item wall, {x['cpu_us_item']} CPU, "
                                    f"{x['store_us_item']} store; peak RSS {x['peak_rss_mb']:.0f} MB")))
    if len(runs) > 1:
        for name, words in (("all", "all different"), ("few", "1 % different")):
            g = runs[-1][name]["wall_us_item"] / runs[0][name]["wall_us_item"]
            out.append(Figure(f"growth: Get QOH per-item wall cost, {words}, {kind}, largest / smallest",
                              round(g, 2), "x", "<= 1.5x", g <= 1.5))
        peak = max(r[n]["peak_rss_mb"] for r in runs for n in ("all", "few"))
        out.append(Figure(f"growth: Get QOH process peak RSS, largest size, {kind}", round(peak), "MB",
                          "< 250 MB", peak < 250))
    return out


def main() -> None:
    from bench.common import growth_arguments, growth_sizes, machine, temp_dir

    ap = growth_arguments("python -m bench.growth_pull", "item", SIZES)
    ap.add_argument("--only", choices=["sqlite", "pg"], default="sqlite",
                    help="the store: SQLite (the default) or PostgreSQL (testing/pgserver.py)")
    args = ap.parse_args()
    sizes = growth_sizes(args)
    folder = temp_dir()
    runs = []
    kind = "PostgreSQL" if args.only == "pg" else "SQLite"
    server = None
    if args.only == "pg":
        from seom_desktop.testing.pgserver import PostgresServer

        server = PostgresServer().start()
    try:
        for n in sizes:
            runs.append(one(folder, n, server.create_database() if server else None))
            print(table(runs, kind), flush=True)
    finally:
        if server is not None:
            server.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"figure": "growth_pull", "machine": machine(), "store": kind, "results": runs,
             "figures": [f.as_json() for f in figures(runs, kind)]}, indent=2, default=str))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.path.insert(0, str(Path(__file__).parent.parent))
        child(sys.argv[2], sys.argv[3])
    else:
        main()
