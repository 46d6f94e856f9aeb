"""The rows a cart accepted are recorded as sent together (stack/accepted.Accepted): one
transaction per cart's pass instead of one per request, written even when the pass ends
on an unexpected error, and nothing is applied twice on the way."""

from __future__ import annotations

from sqlalchemy import event
from stack_kit import adjust, assert_nothing_applied_twice, count_by_state_of, rows_of

from seom_desktop.connect import connect
from seom_desktop.stack.controller import StackController
from seom_desktop.sync.cart_setup import update_cart


def _six_changes(shop, max_items: int) -> list[str]:
    with shop.store.write() as s:
        update_cart(s, "woo", max_items=max_items)
        update_cart(s, "shop", max_items=max_items)
    skus = shop.skus[:6]
    for sku in skus:
        adjust(shop, sku, +3)
    return skus


def test_rows_of_several_requests_are_marked_sent_in_one_transaction(shop):
    skus = _six_changes(shop, max_items=2)  # 3 write requests a cart
    marking: list[int] = []  # per commit: statements that moved rows to 'sent'
    seen = [0]

    def after(_conn, _cur, statement, params, _ctx, _many):
        if statement.startswith("UPDATE web_stack SET state=") and "sent_at" in statement:
            seen[0] += 1

    def commit(_conn):
        if seen[0]:
            marking.append(seen[0])
        seen[0] = 0

    event.listen(shop.store.engine, "after_cursor_execute", after)
    event.listen(shop.store.engine, "commit", commit)
    try:
        shop.woo.requests.clear()
        StackController(shop.store, workstation="test-ws").run_once()
    finally:
        event.remove(shop.store.engine, "after_cursor_execute", after)
        event.remove(shop.store.engine, "commit", commit)
    assert sum(n for k, n in shop.woo.requests.items() if k.endswith("/batch")) == 3
    # one transaction a cart (two carts), not one a request (six)
    assert len(marking) == 2
    assert count_by_state_of(shop)["sent"] == 12
    assert all(shop.woo.quantity(s) == 13 and shop.shop.quantity(s) == 13 for s in skus)
    assert_nothing_applied_twice(shop.emulators())


class _FailsOnSecondWrite:
    """A real connector whose second write raises what no cart error is (a bug, say)."""

    def __init__(self, inner):
        self._inner = inner
        self.writes = 0

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def set_qoh(self, updates):
        self.writes += 1
        if self.writes == 2:
            raise RuntimeError("boom")
        return self._inner.set_qoh(updates)


def test_rows_accepted_before_an_unexpected_error_are_recorded_sent(shop):
    skus = _six_changes(shop, max_items=2)
    with shop.store.write() as s:
        update_cart(s, "shop", sync=False)  # WooCommerce alone

    def conn(cart):
        return _FailsOnSecondWrite(connect(cart))

    StackController(shop.store, workstation="test-ws", connect=conn).run_once()
    first = [rows_of(shop, "woo", sku)[0] for sku in skus[:2]]  # the first request's
    assert [(r.state, r.last_response) for r in first] == [("sent", "sent 13")] * 2
    later = [rows_of(shop, "woo", sku)[0] for sku in skus[2:]]
    assert {r.state for r in later} == {"failed"}
    assert all("boom" in r.last_response for r in later)
    StackController(shop.store, workstation="test-ws").run_once()  # the next pass sends them
    assert all(shop.woo.quantity(s) == 13 for s in skus)
    assert count_by_state_of(shop)["sent"] == 6
    assert_nothing_applied_twice(shop.emulators())
