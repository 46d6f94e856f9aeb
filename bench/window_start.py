"""Figure: `seom-desktop gui`, whole process, from its start to the first page of the
inventory list painted, on a store of 1 product and one of 100,000 (bulk-inserted).

Each run is a new process (`python -m bench.window_start --child URL START`): it makes
the QApplication, watches every paint event through an application event filter (Qt's
public API; nothing of the program is replaced), then runs the command line's own
`gui` command. The first paint of the inventory table's viewport with rows in its model
is "the first page painted"; the clock runs from just before the parent starts the child
(time.time(), the same clock in both processes) and the child exits at once after it.
The QApplication is made before the command runs only to install the filter: the
command's make_app takes that instance, so the same work is done, in another order.
Settings (QSettings) and logs go to a scratch folder, never the user's. The child
imports nothing of bench/ (bench.common imports SQLAlchemy at its top).
"""

from __future__ import annotations

import json
import os
import sys
import time

TARGET_S = 1.0


def child(url: str, start: float) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication(sys.argv[:1])
    painted: list[float] = []

    class FirstPage(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt name
            if not painted and event.type() == QEvent.Type.Paint:
                table = obj.parent()
                if (isinstance(table, QTableView) and table.objectName() == "inventoryTable"
                        and obj is table.viewport() and table.model().rowCount() > 0):
                    painted.append(time.time())
                    QTimer.singleShot(0, lambda: [w.close() for w in app.topLevelWidgets()])
            return False

    watcher = FirstPage()
    app.installEventFilter(watcher)
    from seom_desktop.cli import main

    code = main(["--store", url, "gui"])
    print(json.dumps({"code": code, "first_page_s": painted[0] - start if painted else None}))


def one_run(url: str, env: dict) -> float:
    import subprocess

    start = time.time()
    proc = subprocess.run([sys.executable, "-m", "bench.window_start", "--child", url,
                           repr(start)], env=env, capture_output=True, text=True, timeout=120)
    lines = proc.stdout.strip().splitlines()
    doc = json.loads(lines[-1]) if lines else {}
    if proc.returncode != 0 or doc.get("first_page_s") is None:
        raise RuntimeError(f"the window did not paint its first page: {proc.stderr[-2000:]}")
    return doc["first_page_s"]


def run(quick: bool) -> dict:
    import statistics

    from bench.common import Figure, build_store, machine, temp_dir

    folder = temp_dir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(folder / "config"),
               SEOM_LOG_DIR=str(folder / "logs"), SEOM_WORKSTATION="bench-ws")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed program runs from bytecode
    sizes = (1, 10_000 if quick else 100_000)
    runs = 3 if quick else 10
    out: dict = {"runs": runs}
    for n in sizes:
        url = f"sqlite:///{folder / f'store-{n}.sqlite'}"
        build_store(url, n).close()
        one_run(url, env)  # not counted: writes the bytecode, the OS caches the files
        times = [one_run(url, env) for _ in range(runs)]
        out[str(n)] = {"median_s": statistics.median(times), "min_s": min(times),
                       "max_s": max(times), "load_1min": os.getloadavg()[0]}
    figs = []
    for n in sizes:
        r = out[str(n)]
        figs.append(Figure(f"gui: process start to first page painted, {n:,} product"
                           + ("s" if n > 1 else ""), round(r["median_s"], 2), "s",
                           f"< {TARGET_S:g} s", r["median_s"] < TARGET_S,
                           note=f"median of {runs} processes (min {r['min_s']:.2f}, max "
                                f"{r['max_s']:.2f}); load {r['load_1min']:.1f} on "
                                f"{os.cpu_count()} cores"))
    return {"figure": "window_start", "machine": machine(), "results": out,
            "figures": [f.as_json() for f in figs]}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], float(sys.argv[3]))
    else:
        from bench.common import figure_main

        figure_main(run)
