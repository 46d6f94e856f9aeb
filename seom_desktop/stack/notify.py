"""PostgreSQL LISTEN/NOTIFY: a change committed on any workstation wakes the stack
controllers of every other at once. The inventory operations send `NOTIFY seom_stack`
inside their transaction (delivered at commit, and only if it commits)."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from seom_desktop.stack.wakeup import Wakeup
from seom_desktop.store.notify import CHANNEL

log = logging.getLogger(__name__)


class PgListener:
    """A thread holding one connection that LISTENs and fires `wakeup` on each notice."""

    def __init__(self, engine: Engine, wakeup: Wakeup):
        self.engine = engine
        self.wakeup = wakeup
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="seom-listen", daemon=True)
        self.ready = threading.Event()

    def start(self) -> PgListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        import psycopg

        url = self.engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.wakeup.set()
            except Exception:  # noqa: BLE001 - the server may restart: listen again
                log.warning("LISTEN connection lost; reconnecting", exc_info=True)
                self._stop.wait(1.0)


def listen(engine: Engine, wakeup: Wakeup) -> PgListener | None:
    if engine.dialect.name != "postgresql":
        return None
    return PgListener(engine, wakeup).start()
