"""Figure: `seom-desktop product show SKU`, whole process, cold (a new process each run),
median of 10, beside a bare `python -c pass` and what the imports it cannot avoid cost
on their own (`python -c "import sqlalchemy.orm"`, the store's models).

Each run is the installed console script on a store of 1,000 products (bulk-inserted).
Bytecode is written and used as an installed program's is (PYTHONDONTWRITEBYTECODE is
dropped for the children); one run of each is made first and not counted. The CPU time
(user + system) of the runs is printed too: on a machine shared with other work it
moves less than the wall time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Figure, build_store, figure_main, machine, sku_of, temp_dir

RUNS = 10
TARGET_MS = 150


def timed(cmd: list[str], env: dict, runs: int) -> dict:
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)  # not counted
    walls, cpus = [], []
    for _ in range(runs):
        before = os.times()
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - t0)
        after = os.times()
        cpus.append(after.children_user - before.children_user
                    + after.children_system - before.children_system)
    return {"median_ms": statistics.median(walls) * 1000, "min_ms": min(walls) * 1000,
            "max_ms": max(walls) * 1000, "cpu_median_ms": statistics.median(cpus) * 1000}


def run(quick: bool) -> dict:
    folder = temp_dir()
    url = f"sqlite:///{folder / 'cli.sqlite'}"
    build_store(url, 1000).close()
    env = dict(os.environ, SEOM_STORE=url, SEOM_LOG_DIR=str(folder / "logs"),
               SEOM_WORKSTATION="bench-ws")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs = 3 if quick else RUNS
    script = Path(sys.executable).with_name("seom-desktop")
    show = [str(script), "product", "show", sku_of(500)]
    py = sys.executable
    load_before = os.getloadavg()[0]
    r = {"product_show": timed(show, env, runs),
         "python_pass": timed([py, "-c", "pass"], env, runs),
         "import_sqlalchemy_orm": timed([py, "-c", "import sqlalchemy.orm"], env, runs),
         "import_store_models": timed([py, "-c", "import seom_desktop.store.models"], env,
                                      runs),
         "runs": runs, "load_1min": [load_before, os.getloadavg()[0]]}
    show_ms, pass_ms = r["product_show"]["median_ms"], r["python_pass"]["median_ms"]
    load = f"load {load_before:.1f}-{r['load_1min'][1]:.1f} on {os.cpu_count()} cores"
    figs = [
        Figure("cli: product show SKU, whole process", round(show_ms), "ms",
               f"< {TARGET_MS} ms", show_ms < TARGET_MS,
               note=f"median of {runs} (min {r['product_show']['min_ms']:.0f}, max "
                    f"{r['product_show']['max_ms']:.0f}); CPU "
                    f"{r['product_show']['cpu_median_ms']:.0f} ms; "
                    f"{show_ms / pass_ms:.1f}x python -c pass; {load}"),
        Figure("cli: python -c pass", round(pass_ms), "ms", "(baseline)",
               note=f"CPU {r['python_pass']['cpu_median_ms']:.0f} ms"),
        Figure("cli: import sqlalchemy.orm alone", round(r["import_sqlalchemy_orm"]["median_ms"]),
               "ms", "(floor of a store command)",
               note=f"CPU {r['import_sqlalchemy_orm']['cpu_median_ms']:.0f} ms; with the "
                    f"store's models: {r['import_store_models']['median_ms']:.0f} ms"),
    ]
    return {"figure": "cli_start", "machine": machine(), "results": r,
            "figures": [f.as_json() for f in figs]}


if __name__ == "__main__":
    figure_main(run)
