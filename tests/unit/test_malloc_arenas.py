"""The window's process keeps at most memory.ARENAS malloc arenas on glibc, however many
threads allocate (glibc's own limit is eight a core); a MALLOC_ARENA_MAX of the
environment wins. Each case runs in a fresh interpreter, which starts eight threads that
stay alive and then counts the arenas malloc_info(3) reports."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from seom_desktop.memory import _glibc

pytestmark = pytest.mark.skipif(_glibc() is None, reason="glibc's malloc only")

COUNT_ARENAS = textwrap.dedent("""
    import ctypes, sys, tempfile, threading
    {setup}
    go, stop = threading.Barrier(9), threading.Event()
    def work():
        keep = [bytearray(64 * 1024) for _ in range(4)]  # from this thread's arena
        go.wait()
        stop.wait()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    go.wait()
    libc = ctypes.CDLL(None)
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.fclose.argtypes = (ctypes.c_void_p,)
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        fp = libc.fopen(f.name.encode(), b"w")
        libc.malloc_info(0, fp)
        libc.fclose(fp)
        print(open(f.name).read().count("<heap nr="))
    stop.set()
    for t in threads:
        t.join()
""")

WINDOW = """
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from seom_desktop.ui.app import make_app
app = make_app()
"""


def arenas(setup: str, **env: str) -> int:
    environ = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    out = subprocess.run([sys.executable, "-c", COUNT_ARENAS.format(setup=setup)],
                         capture_output=True, text=True, env=environ, timeout=120, check=True)
    return int(out.stdout.split()[-1])


def test_threads_get_arenas_of_their_own_unless_limited():
    assert arenas("") > 2  # what glibc does by itself: the check below can tell
    assert arenas("from seom_desktop.memory import limit_malloc_arenas\n"
                  "assert limit_malloc_arenas()") <= 2


def test_the_window_process_limits_its_arenas():
    assert arenas(WINDOW) <= 2


def test_an_arena_limit_of_the_environment_is_left_as_it_is():
    assert arenas("from seom_desktop.memory import limit_malloc_arenas\n"
                  "assert not limit_malloc_arenas()", MALLOC_ARENA_MAX="6") > 2
