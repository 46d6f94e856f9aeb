"""Mutation check: apply each named mutant of scripts/mutants.json to a temporary copy of
the tree, run the tests that should catch it, and print `KILLED name` (the tests failed)
or `SURVIVED name` (they passed), then `N killed of M`. The working tree is never
touched. A mutant whose original text is not found exactly once fails loudly (the code
moved: update the list). Run with `bash scripts/mutants [name ...]`; not part of CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "scripts" / "mutants.json"


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


def copy_tree(dest: Path) -> None:
    for rel in tracked_files():
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def check(tree: Path, mutant: dict) -> None:
    for change in mutant["changes"]:
        n = (tree / change["file"]).read_text().count(change["original"])
        if n != 1:
            raise SystemExit(f"mutant {mutant['name']}: the original text is found {n} times "
                             f"in {change['file']} (expected once): {change['original']!r}")


def apply(tree: Path, mutant: dict) -> None:
    check(tree, mutant)
    for change in mutant["changes"]:
        path = tree / change["file"]
        path.write_text(path.read_text().replace(change["original"], change["replacement"]))


def run_tests(tree: Path, tests: list[str], timeout: float) -> bool:
    """True when the tests pass (the mutant survived)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(tree),
               PYTHONDONTWRITEBYTECODE="1")
    cmd = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-x", "-p",
           "no:cacheprovider", "-o", "addopts=-m 'not slow'", *tests]
    try:
        proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False  # a mutant that hangs the tests is caught
    if proc.returncode not in (0, 1):
        tail = (proc.stdout + proc.stderr).decode(errors="replace")[-1500:]
        raise SystemExit(f"pytest could not run ({proc.returncode}): {' '.join(tests)}\n{tail}")
    return proc.returncode == 0


def main(argv: list[str]) -> int:
    mutants = json.loads(LIST.read_text())
    if argv:
        unknown = set(argv) - {m["name"] for m in mutants}
        if unknown:
            raise SystemExit(f"no such mutant: {', '.join(sorted(unknown))}")
        mutants = [m for m in mutants if m["name"] in argv]
    killed = 0
    with tempfile.TemporaryDirectory(prefix="seom-mutants-") as tmp:
        base = Path(tmp) / "base"
        copy_tree(base)
        for m in mutants:  # every original text must be there before anything runs
            check(base, m)
        for m in mutants:
            tree = Path(tmp) / "tree"
            if tree.exists():
                shutil.rmtree(tree)
            shutil.copytree(base, tree)
            apply(tree, m)
            start = time.monotonic()
            survived = run_tests(tree, m["tests"], m.get("timeout", 600))
            killed += not survived
            print(f"{'SURVIVED' if survived else 'KILLED'} {m['name']} "
                  f"({time.monotonic() - start:.0f} s)", flush=True)
    print(f"{killed} killed of {len(mutants)}")
    return 0 if killed == len(mutants) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
