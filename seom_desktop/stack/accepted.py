"""Recording what a cart accepted (or already showed) as sent, together: one transaction
per many rows or per second, not one per request (stack/sender.py's writes)."""

from __future__ import annotations

import time

from seom_desktop.stack.outcome import Tally, mark_sent_many
from seom_desktop.stack.plan import Work
from seom_desktop.stack.targets import Before, record_sent_many
from seom_desktop.store.engine import Store


class Accepted:
    """The items a cart accepted (or already showed), recorded as sent together, in one
    transaction per `max_rows` rows or `max_seconds` (and at the end of the cart's pass),
    not one per request. A request's rows are spread over the whole stack (one product's
    changes come hours apart), so each transaction that marks them rewrites pages all
    over the table: 92 of them cost 3.7 s of a 100,000-row drain (bench/README.md, issue
    23). Until it is written a row stays `sending`, claimed: if the process dies
    meanwhile, its write is in doubt (record_attempts ran before the request) and the
    next pass finds it landed, as after any lost answer. Each item carries its web field
    as it stood when the write was sent (or the read-back made): a field an order import
    changed meanwhile keeps the import's belief (targets.record_sent_many)."""

    def __init__(self, store: Store, cart_id: int, tally: Tally, *, max_rows: int = 10_000,
                 max_seconds: float = 1.0):
        self.store, self.cart_id, self.tally = store, cart_id, tally
        self.max_rows, self.max_seconds = max_rows, max_seconds
        self._items: list[tuple[Work, str, str, Before]] = []  # (work, response, item id, before)
        self._rows = 0
        self._since = 0.0

    def add(self, w: Work, response: str, before: Before, item_id: str = "") -> None:
        if not self._items:
            self._since = time.monotonic()
        self._items.append((w, response, item_id, before))
        self._rows += len(w.row_ids)
        if (self._rows >= self.max_rows
                or time.monotonic() - self._since >= self.max_seconds):
            self.flush()

    def flush(self) -> None:
        if not self._items:
            return
        items, self._items, self._rows = self._items, [], 0
        with self.store.write() as s:
            record_sent_many(s, self.cart_id, [(w.product_id, w.qoh, i, b)
                                               for w, _r, i, b in items])
            mark_sent_many(s, [(w.row_ids, r) for w, r, _i, _b in items], self.tally)
