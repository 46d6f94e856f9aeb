"""`python -m bench [--quick] [--only drain,latency,ui,shopify_read,recovery,cli_start,window_start,kits]`:
runs each figure in its own process, prints one table (each figure beside its target) and writes bench/results.json.
Figures not in the default list because they take minutes: `--only reconcile` (figure 7),
`--only growth_drain` (the drain at 10,000 / 100,000 / 1,000,000 rows), `--only growth_pull`
(Get QOH at 10,000 / 100,000 / 1,000,000 items) and `--only growth_window` (the window's
start and its memory paged to the end, at 10,000 / 100,000 / 1,000,000 products)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine

FIGURES = ("drain", "latency", "ui", "shopify_read", "recovery", "cli_start", "window_start",
           "kits")
HERE = Path(__file__).parent


def table(rows: list[dict]) -> str:
    head = ("Figure", "Value", "Target", "Met", "Note")
    body = [(r["name"], f"{r['value']} {r['unit']}".strip(), r["target"],
             {True: "yes", False: "NO", None: ""}[r["met"]], r["note"]) for r in rows]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(4)]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(head[:4], widths, strict=True)) + " | Note"]
    lines.append("-+-".join("-" * w for w in widths) + "-+-----")
    lines += [" | ".join(str(c).ljust(w) for c, w in zip(r[:4], widths, strict=True)) + " | " + r[4]
              for r in body]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    ap.add_argument("--only", default=",".join(FIGURES))
    args = ap.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHON_KEYRING_BACKEND="seom_desktop.testing.keyring_backend.TestKeyring")
    results: dict = {"machine": machine(), "quick": args.quick,
                     "command": "python -m bench" + (" --quick" if args.quick else ""),
                     "started": time.strftime("%Y-%m-%d %H:%M:%S"), "figures": {}}
    rows: list[dict] = []
    for name in args.only.split(","):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            out = Path(f.name)
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", f"bench.{name}", "--json", str(out)]
        proc = subprocess.run(cmd + (["--quick"] if args.quick else []), env=env,
                              cwd=HERE.parent, capture_output=True, text=True)
        took = time.perf_counter() - t0
        if proc.returncode != 0 or not out.read_text():
            err = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
            rows.append({"name": name, "value": "failed", "unit": "", "target": "",
                         "met": False, "note": err[0]})
            results["figures"][name] = {"error": proc.stderr[-4000:]}
            continue
        doc = json.loads(out.read_text())
        out.unlink()
        doc["seconds"] = round(took, 1)
        results["figures"][name] = doc
        rows += doc["figures"]
    m = results["machine"]
    print(f"seom-desktop benchmarks ({results['command']}) on {m['cores']} cores, {m['cpu']}, "
          f"Python {m['python']}, {m['system']}")
    print(table(rows))
    results["table"] = rows
    (HERE / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"written: {HERE / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
