"""A figure's scratch folder (its stores: up to 300 MB at a time) is removed when the
process that made it exits, unless SEOM_BENCH_KEEP=1 asks to keep it; a child forked
from that process leaves it alone when the child exits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MAKE = """
import os, sys
from bench.common import temp_dir
path = temp_dir()
(path / "store.sqlite").write_bytes(b"x" * 1000)
pid = os.fork()
if pid == 0:  # a child that exits through the interpreter, as a forked worker may
    sys.exit(0)
os.waitpid(pid, 0)
print(path, path.exists())
"""


def run(**env: str) -> tuple[Path, bool]:
    environ = {k: v for k, v in os.environ.items() if k != "SEOM_BENCH_KEEP"} | env
    out = subprocess.run([sys.executable, "-c", MAKE], cwd=ROOT, env=environ,
                         capture_output=True, text=True, timeout=120, check=True)
    path, seen = out.stdout.split()
    return Path(path), seen == "True"


def test_the_scratch_folder_goes_with_the_process_that_made_it():
    path, existed_after_the_child = run()
    assert existed_after_the_child  # the forked child's exit did not remove it
    assert not path.exists()


def test_seom_bench_keep_keeps_it():
    path, _ = run(SEOM_BENCH_KEEP="1")
    try:
        assert (path / "store.sqlite").stat().st_size == 1000
    finally:
        shutil.rmtree(path, ignore_errors=True)
