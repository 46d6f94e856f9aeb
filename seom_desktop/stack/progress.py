"""A test-only report of where a controller is in its pass, so that a test can kill it
with SIGKILL at a known point and say where the kill landed.

Off unless the environment names a file in SEOM_STACK_PROGRESS. Then the controller
appends one line per stage to it: `claimed <pid> <rows>` (rows claimed, nothing sent
yet), `request <pid> <items>` (a write request is about to go to the cart), `answered
<pid> <items>` (the cart answered the write; nothing of it recorded yet). With
SEOM_STACK_PROGRESS_HOLD=<stage> the controller waits (up to HOLD_SECONDS) right after
reporting that stage, so the kill lands exactly there."""

from __future__ import annotations

import os
import time

ENV_FILE = "SEOM_STACK_PROGRESS"
ENV_HOLD = "SEOM_STACK_PROGRESS_HOLD"
CLAIMED, REQUEST, ANSWERED = "claimed", "request", "answered"
STAGES = (CLAIMED, REQUEST, ANSWERED)
HOLD_SECONDS = 60.0


class Progress:
    def __init__(self, path: str, hold: str = ""):
        if hold and hold not in STAGES:
            raise ValueError(f"{ENV_HOLD}={hold!r} is not a stage ({', '.join(STAGES)})")
        self.path = path
        self.hold = hold

    @classmethod
    def from_env(cls) -> Progress | None:
        path = os.environ.get(ENV_FILE, "")
        return cls(path, os.environ.get(ENV_HOLD, "")) if path else None

    def report(self, stage: str, count: int) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(f"{stage} {os.getpid()} {count}\n")
        if stage == self.hold:
            time.sleep(HOLD_SECONDS)

    def wrap(self, connector):
        return _Reporting(connector, self)


class _Reporting:
    """The cart's connector, reporting before and after each write request."""

    def __init__(self, inner, progress: Progress):
        self._inner = inner
        self._progress = progress

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def set_qoh(self, updates):
        self._progress.report(REQUEST, len(updates))
        results = self._inner.set_qoh(updates)
        self._progress.report(ANSWERED, len(updates))
        return results
