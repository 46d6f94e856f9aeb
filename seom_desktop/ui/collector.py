"""Keeping Python's cycle collector from stalling the window.

A full (generation 2) collection walks every tracked object the process holds and stops
every thread while it does: with the window, SQLAlchemy's mappers and a Get QOH or a drain
running, that was 55-80 ms at a time on a 2-core machine, the longest pauses the window
had. Two measures, taken once when the first main window is built:

- `gc.freeze()`: what exists by then (modules, Qt bindings, mappers, the window) lives as
  long as the process; it is moved out of the collector's sight, so a full collection
  walks only what was made since. Only the young and middle generations are collected
  first: a full collection there found no garbage and held the first page back by a
  collection's length (bench/README.md, "The fourth set").
- thresholds (700, 10, 1,000): Python's young threshold (a young or middle collection
  walks at most ten batches of 700 new objects: about 2 ms), and a full collection only
  after 1,000 middle ones instead of 10 (one walks everything alive in a Get QOH or a
  drain: 33-37 ms of CPU, every thread stopped). Measured by CPU per collection in
  bench/README.md ("Issue 23: the UI heartbeat"); peak RSS of the ui figure unchanged.
"""

from __future__ import annotations

import gc

THRESHOLDS = (700, 10, 1000)
_done = False


def quiet_collector() -> bool:
    """Freeze what exists now and set THRESHOLDS; once per process. True when this call
    did it."""
    global _done
    if _done:
        return False
    _done = True
    gc.collect(1)  # the garbage made lately is not frozen with the rest
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    return True
