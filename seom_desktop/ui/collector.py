"""Keeping Python's cycle collector from stalling the window.

A full (generation 2) collection walks every tracked object the process holds and stops
every thread while it does: with the window, SQLAlchemy's mappers and a Get QOH or a drain
running, that was 55-80 ms at a time on a 2-core machine, the longest pauses the window
had. Two measures, taken once when the first main window is built:

- `gc.freeze()`: what exists by then (modules, Qt bindings, mappers, the window) lives as
  long as the process; it is moved out of the collector's sight, so a full collection
  walks only what was made since.
- a higher first threshold: fewer young collections while a worker thread builds many
  small objects (each of which would also stop the window's thread).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 5000  # Python's default is 700
_done = False


def quiet_collector() -> bool:
    """Freeze what exists now and raise the young threshold; once per process. True
    when this call did it."""
    global _done
    if _done:
        return False
    _done = True
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    return True
