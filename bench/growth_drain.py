"""How the drain's cost grows (issue 23): figure 1's shop (5 changes per SKU, each queued
for WooCommerce and Shopify, emulators in child processes) at 10,000, 100,000 and
1,000,000 stack rows (1,000, 10,000 and 100,000 SKUs), on SQLite and on PostgreSQL
(testing/pgserver.py, as the tests start it). For each: the drain's wall time, and per
row the wall time, this process's CPU time (the controller: store, HTTP client, JSON) and
the time spent in SQL statements (the store's work, timed at the cursor); the bench's
own counting of the rows left is left out of both. Per-row cost
should stay within 1.5x from the smallest size to the largest.

Too long for `python -m bench` (the 1,000,000-row shops take minutes to build): run it
as `python -m bench --only growth_drain` or `python -m bench.growth_drain [--sizes ...]
[--only sqlite|pg]`, which prints the table."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from bench.common import Figure, growth_arguments, growth_sizes, machine, temp_dir
from bench.drain import drain, make_shop

SIZES = (10_000, 100_000, 1_000_000)  # stack rows


def _cpu_of(pid: int) -> float:
    """A child process's CPU seconds (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class SqlClock:
    """Seconds spent in SQL statements on this engine, by statement (its first words),
    in every thread but the one that made the clock (the drain's count of rows left)."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.seconds = 0.0
        self.by_statement: dict[str, float] = {}
        self._skip = threading.get_ident()
        self._local = threading.local()
        self._lock = threading.Lock()

        @event.listens_for(engine, "before_cursor_execute")
        def _before(*_a) -> None:
            self._local.t0 = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(_conn, _cur, statement, *_a) -> None:
            if threading.get_ident() == self._skip:
                return
            took = time.perf_counter() - self._local.t0
            key = " ".join(statement.split()[:6])
            with self._lock:
                self.seconds += took
                self.by_statement[key] = self.by_statement.get(key, 0.0) + took


def one(url: str, rows: int) -> dict:
    n_skus = rows // 10  # 5 changes a SKU, 2 carts
    folder = temp_dir()
    t0 = time.perf_counter()
    store, woo, shop, nrows = make_shop(folder, n_skus, url=url)
    setup = time.perf_counter() - t0
    sql = SqlClock(store.engine)
    emu0 = [_cpu_of(e._proc.pid) for e in (woo, shop)]
    cpu0 = time.process_time()
    polling: dict = {}
    seconds, _done, passes = drain(store, polling)
    cpu = time.process_time() - cpu0 - polling["poll_cpu_s"]  # the controller's alone
    emu = [_cpu_of(e._proc.pid) - c for e, c in zip((woo, shop), emu0, strict=True)]
    woo.stop()
    shop.stop()
    store.close()
    return {"rows": nrows, "skus": n_skus, "setup_s": round(setup, 1),
            "wall_s": round(seconds, 2), "cpu_s": round(cpu, 2), "sql_s": round(sql.seconds, 2),
            "emulator_cpu_s": [round(x, 2) for x in emu], "passes": len(passes),
            "wall_us_row": round(seconds / nrows * 1e6, 1),
            "cpu_us_row": round(cpu / nrows * 1e6, 1),
            "sql_us_row": round(sql.seconds / nrows * 1e6, 1),
            "load": os.getloadavg()[0],
            "sql_top": {k: round(v, 2) for k, v in
                        sorted(sql.by_statement.items(), key=lambda kv: -kv[1])[:6]}}


def table(results: dict[str, list[dict]]) -> str:
    lines = ["store      | rows      | SKUs    | drain s | wall us/row | CPU us/row | SQL us/row"
             " | passes | load"]
    tops = []
    for kind, runs in results.items():
        for r in runs:
            lines.append(f"{kind:<10} | {r['rows']:>9,} | {r['skus']:>7,} | {r['wall_s']:>7.2f} | "
                         f"{r['wall_us_row']:>11.1f} | {r['cpu_us_row']:>10.1f} | "
                         f"{r['sql_us_row']:>10.1f} | {r['passes']:>6} | {r['load']:.1f}")
            tops.append(f"{kind} {r['rows']:,}: SQL s by statement: " + "; ".join(
                f"{k} {v}" for k, v in r["sql_top"].items()))
        if len(runs) > 1:
            lo, hi = runs[0], runs[-1]
            lines.append(f"{kind:<10} | growth, {hi['rows']:,} rows over {lo['rows']:,}: "
                         f"wall/row {hi['wall_us_row'] / lo['wall_us_row']:.2f}x, CPU/row "
                         f"{hi['cpu_us_row'] / lo['cpu_us_row']:.2f}x, SQL/row "
                         f"{hi['sql_us_row'] / lo['sql_us_row']:.2f}x")
    return "\n".join(lines + tops)


def run(sizes: tuple[int, ...], only: str | None) -> dict:
    results: dict[str, list[dict]] = {}
    if only != "pg":
        folder = temp_dir()
        results["SQLite"] = [one(f"sqlite:///{folder / f'growth-{n}.sqlite'}", n) for n in sizes]
        print(table(results), flush=True)
    if only != "sqlite":
        from seom_desktop.testing.pgserver import PostgresServer

        server = PostgresServer().start()
        try:
            results["PostgreSQL"] = [one(server.create_database(), n) for n in sizes]
        finally:
            server.stop()
    return results


def figures(results: dict[str, list[dict]]) -> list[Figure]:
    out = []
    for kind, runs in results.items():
        for r in runs:
            out.append(Figure(f"growth: drain of {r['rows']:,} rows, {kind}", r["wall_s"], "s",
                              "(reported)", note=(f"{r['wall_us_row']} us/row wall, "
                                                  f"{r['cpu_us_row']} CPU, {r['sql_us_row']} SQL")))
        if len(runs) > 1:
            g = runs[-1]["wall_us_row"] / runs[0]["wall_us_row"]
            out.append(Figure(f"growth: drain per-row wall cost, {kind}, largest / smallest",
                              round(g, 2), "x", "<= 1.5x", g <= 1.5))
    return out


def main() -> None:
    ap = growth_arguments("python -m bench.growth_drain", "stack row", SIZES)
    ap.add_argument("--only", choices=["sqlite", "pg"], help="one store kind only")
    args = ap.parse_args()
    sizes = growth_sizes(args)
    results = run(sizes, args.only)
    print(table(results), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"figure": "growth_drain", "machine": machine(), "results": results,
             "figures": [f.as_json() for f in figures(results)]}, indent=2, default=str))


if __name__ == "__main__":
    main()
