"""Fewer malloc arenas for the window's process on glibc (Linux): at most ARENAS instead
of eight a core.

glibc gives each thread that allocates its own arena, up to eight per core; freed memory
stays in the arena of the thread that freed it, so the threads of a transfer, of the
controller and of SQLite each keep their own high-water mark. The window's peak RSS in
`python -m bench --only ui` was about 30 MB higher for that (bench/README.md, "Peak RSS
is back"). Elsewhere (Windows, macOS, musl) this does nothing. A MALLOC_ARENA_MAX set in
the environment is left as it is."""

from __future__ import annotations

import ctypes
import os
import sys

ARENAS = 2
M_ARENA_MAX = -8  # <malloc.h>


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)  # the C library this process already uses
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
        return libc
    except (OSError, AttributeError):
        return None


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Limit this process's malloc arenas; True when the limit was set."""
    libc = _glibc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = libc.mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt(M_ARENA_MAX, arenas) == 1
