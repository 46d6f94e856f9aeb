"""The stack controller against emulated carts over real sockets."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from stack_kit import ACTOR, adjust, count_by_state_of, drain, rows_of, short_timeout_connect

from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.products import set_web_fields
from seom_desktop.stack.claim import claim_due
from seom_desktop.stack.controller import StackController
from seom_desktop.stack.rows import list_rows
from seom_desktop.store.models import StackRow
from seom_desktop.store.params import set_param
from seom_desktop.sync.orders import import_orders


def test_adjustment_reaches_both_carts(any_shop):
    shop = any_shop
    adjust(shop, "SKU-0001", +5)
    adjust(shop, "SKU-0002", -3)
    counts = drain(shop)
    assert counts["sent"] == 4 and counts["pending"] == 0
    assert shop.woo.quantity("SKU-0001") == 15 and shop.shop.quantity("SKU-0001") == 15
    assert shop.woo.quantity("SKU-0002") == 7 and shop.shop.quantity("SKU-0002") == 7
    assert shop.actual() == shop.expected()


def test_rows_of_one_product_coalesce_into_one_update(shop):
    for _ in range(10):
        adjust(shop, "SKU-0003", +1)
    before = dict(shop.woo.applied), dict(shop.shop.applied)
    drain(shop)
    assert shop.woo.applied["SKU-0003"] - before[0].get("SKU-0003", 0) == 1
    assert shop.shop.applied["SKU-0003"] - before[1].get("SKU-0003", 0) == 1
    assert shop.woo.quantity("SKU-0003") == 20
    with shop.store.read() as s:
        assert all(r.state == "sent" for r in list_rows(s))


def test_web_fields_shape_what_each_cart_receives(shop):
    with shop.store.write() as s:
        set_web_fields(s, sku="SKU-0004", cart="woo", reserve=3)
        set_web_fields(s, sku="SKU-0004", cart="shop", max_qty=12)
        set_web_fields(s, sku="SKU-0005", cart="shop", sync=False)
    adjust(shop, "SKU-0004", +10)  # store 20: woo 17, shop capped at 12
    adjust(shop, "SKU-0005", +1)
    drain(shop)
    assert shop.woo.quantity("SKU-0004") == 17
    assert shop.shop.quantity("SKU-0004") == 12
    assert shop.woo.quantity("SKU-0005") == 11
    assert shop.shop.quantity("SKU-0005") == 10  # no sync for this item on Shopify
    adjust(shop, "SKU-0004", -19)  # store 1: woo max(0, 1-3) = 0
    drain(shop)
    assert shop.woo.quantity("SKU-0004") == 0 and shop.shop.quantity("SKU-0004") == 1


def test_requests_respect_maximum_number_of_items_to_send(shop):
    # 20 products changed, Maximum 7 for woo: ceil(20/7) = 3 batch writes.
    with shop.store.write() as s:
        from seom_desktop.sync.cart_setup import update_cart
        update_cart(s, "woo", max_items=7)
    for sku in shop.skus:
        adjust(shop, sku, +2)
    shop.woo.requests.clear()
    drain(shop)
    writes = sum(n for k, n in shop.woo.requests.items() if k.endswith("/batch"))
    assert writes == 3
    assert all(shop.woo.quantity(sku) == 12 for sku in shop.skus)


def test_permanent_failure_bypassed_after_exactly_max_attempts(shop):
    with shop.store.write() as s:
        set_param(s, "StackMaxAttempts", 4)
    shop.woo.remove_item("SKU-0006")  # the cart no longer has it
    adjust(shop, "SKU-0006", +1)
    adjust(shop, "SKU-0007", +1)
    ctl = StackController(shop.store, workstation="test-ws")
    attempts_seen = []
    for _ in range(10):
        ctl.run_once()
        with shop.store.read() as s:
            row = next(r for r in list_rows(s) if r.sku == "SKU-0006" and r.cart == "woo")
        attempts_seen.append((row.state, row.attempts))
        if row.state == "bypassed":
            break
    ctl.close()
    assert attempts_seen == [("failed", 1), ("failed", 2), ("failed", 3), ("bypassed", 4)]
    assert "SKU-0006" in row.last_response and "no item" in row.last_response
    # the others were not held up
    assert shop.woo.quantity("SKU-0007") == 11 and shop.shop.quantity("SKU-0006") == 11


def test_rate_limit_waits_without_spending_attempts(shop):
    shop.woo.faults.retry_after = 7
    shop.woo.faults.queue("429", count=1)
    adjust(shop, "SKU-0008", +1)
    ctl = StackController(shop.store, workstation="test-ws")
    ctl.run_once()
    with shop.store.read() as s:
        row = next(r for r in list_rows(s) if r.cart == "woo")
    assert row.state == "failed" and row.attempts == 0
    assert "429" in row.last_response
    with shop.store.read() as s:  # both stamped in the same statement: no clock read here
        stored = s.get(StackRow, row.id)
        wait = (stored.next_attempt_at - stored.updated_at).total_seconds()
    assert wait == 7  # the cart's Retry-After, not a back-off (attempts untouched)
    ctl.close()


def test_ambiguous_write_is_not_applied_twice_woocommerce(shop):
    shop.woo.faults.hang_seconds = 1.0
    shop.woo.faults.queue("timeout-after", count=1, path="/batch")
    adjust(shop, "SKU-0009", +4)
    base = shop.woo.applied["SKU-0009"]
    ctl = StackController(shop.store, workstation="test-ws",
                          connect=short_timeout_connect(0.5))
    ctl.run_once()
    with shop.store.read() as s:
        row = next(r for r in list_rows(s) if r.cart == "woo")
    assert row.state == "failed" and "may have been applied" in row.last_response
    assert shop.woo.quantity("SKU-0009") == 14 and shop.woo.applied["SKU-0009"] == base + 1
    ctl.run_once()  # the read-back shows 14: recorded as sent, not written again
    assert shop.woo.applied["SKU-0009"] == base + 1
    with shop.store.read() as s:
        assert next(r for r in list_rows(s) if r.cart == "woo").state == "sent"
    ctl.close()


def test_ambiguous_write_is_not_applied_twice_shopify(shop):
    shop.shop.faults.hang_seconds = 1.0
    shop.shop.faults.queue("timeout-after", count=1)
    adjust(shop, "SKU-0010", +4)
    base = shop.shop.applied["SKU-0010"]
    ctl = StackController(shop.store, workstation="test-ws",
                          connect=short_timeout_connect(0.5))
    for _ in range(5):
        ctl.run_once()
    ctl.close()
    assert shop.shop.quantity("SKU-0010") == 14
    # one write, whatever the retries (the same idempotency key, or a compare that fails)
    assert shop.shop.applied["SKU-0010"] == base + 1
    assert count_by_state_of(shop)["sent"] == 2


def test_retried_shopify_batch_carries_the_same_idempotency_key(shop):
    """A write whose answer was lost is sent again under the key of the first try, and
    Shopify answers the retry from that key (it is not applied a second time)."""
    ctl = StackController(shop.store, workstation="test-ws",
                          connect=short_timeout_connect(0.5))
    adjust(shop, "SKU-0013", +1)
    ctl.run_once()  # its connector knows the item's id now: the next request is the write
    shop.shop.faults.hang_seconds = 1.0
    shop.shop.faults.queue("timeout-after", count=1)
    adjust(shop, "SKU-0013", +4)  # 15
    ctl.run_once()  # applied, answer lost
    ctl.run_once()  # the retry
    ctl.close()
    first, retry = shop.shop.writes["SKU-0013"][-2:]
    assert (first.value, first.applied) == (15, True)
    assert retry.request == first.request and retry.key == first.key
    assert not retry.applied  # answered from the key
    assert shop.shop.quantity("SKU-0013") == 15 and rows_of(shop, "shop", "SKU-0013")[-1].state == "sent"


def test_order_from_a_cart_already_sent_the_item_is_not_echoed_back(shop):
    """The cart an order came from already took the sale off: it was sent the item
    before (the store knows what it shows), so it gets no row, only the other cart."""
    adjust(shop, "SKU-0012", +4)
    drain(shop)  # both carts were sent 14
    order = shop.woo.place_order([("SKU-0012", 3)])  # the woo cart shows 11
    woo_rows, woo_writes = len(rows_of(shop, "woo", "SKU-0012")), len(shop.woo.writes["SKU-0012"])
    result = import_orders(shop.store, "woo", actor=ACTOR)
    assert result.ok and result.imported == [order]
    assert len(rows_of(shop, "woo", "SKU-0012")) == woo_rows  # nothing queued for the origin
    assert [r.change for r in rows_of(shop, "shop", "SKU-0012")][-1] == -3
    drain(shop)
    assert shop.woo.quantity("SKU-0012") == shop.shop.quantity("SKU-0012") == shop.qoh("SKU-0012") == 11
    assert len(shop.woo.writes["SKU-0012"]) == woo_writes


def test_unimported_cart_sale_is_not_overwritten(shop):
    shop.woo.place_order([("SKU-0011", 2)])  # the cart sold 2; not imported yet
    adjust(shop, "SKU-0011", +5)  # store 15
    ctl = StackController(shop.store, workstation="test-ws")
    ctl.run_once()
    with shop.store.read() as s:
        woo_row = next(r for r in list_rows(s) if r.cart == "woo")
    assert woo_row.state == "waiting" and "import its orders" in woo_row.last_response
    assert shop.woo.quantity("SKU-0011") == 8  # the sale was kept
    assert shop.shop.quantity("SKU-0011") == 15
    with shop.store.write() as s:  # the order is imported
        ops.order_line(s, sku="SKU-0011", quantity=2, actor=ACTOR,
                       origin_cart_id=shop.cart_id("woo"), order_id="1")
    with shop.store.read() as s:  # the import woke the waiting row: pending, due now
        assert next(r for r in list_rows(s) if r.id == woo_row.id).state == "pending"
    drain(shop, ctl)
    assert shop.qoh("SKU-0011") == 13
    assert shop.woo.quantity("SKU-0011") == 13 and shop.shop.quantity("SKU-0011") == 13


def test_two_controllers_never_claim_the_same_row(store_url, shop_factory):
    shop = shop_factory(store_url, n=50)
    try:
        for _ in range(6):
            for sku in shop.skus:
                adjust(shop, sku, +1)
        claimed: list[list[int]] = [[], []]
        barrier = threading.Barrier(2)

        def claimer(i):
            from seom_desktop.store.engine import open_store
            st = open_store(store_url)
            barrier.wait()
            while len(claimed[i]) <= 600:  # more than 600 claims: a row claimed twice
                rows = claim_due(st, claimer=f"c{i}", workstation=None, limit=7)
                if not rows:
                    break
                claimed[i].extend(r.id for r in rows)
                time.sleep(0.002)  # let the other claimer in between
            st.close()

        threads = [threading.Thread(target=claimer, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with shop.store.read() as s:
            total = s.scalar(select(StackRow.id).order_by(StackRow.id.desc()).limit(1))
            n = len(s.scalars(select(StackRow.id)).all())
        assert n == 600 and total
        assert not set(claimed[0]) & set(claimed[1])
        assert sorted(claimed[0] + claimed[1]) == sorted(set(claimed[0]) | set(claimed[1]))
        assert len(claimed[0]) + len(claimed[1]) == 600
        assert claimed[0] and claimed[1]
    finally:
        shop.woo.stop()
        shop.shop.stop()
        shop.store.close()


def test_local_controller_sends_only_its_workstation_rows(shop):
    with shop.store.write() as s:
        ops.adjust(s, sku="SKU-0012", delta=1, actor=ACTOR)
        from seom_desktop.inventory.actor import Actor
        ops.adjust(s, sku="SKU-0013", delta=1, actor=Actor("other", "WS2"))
    StackController(shop.store, workstation="test-ws").run_once()
    with shop.store.read() as s:
        states = {(r.sku, r.origin_workstation): r.state for r in list_rows(s)}
    assert states[("SKU-0012", "test-ws")] == "sent"
    assert states[("SKU-0013", "WS2")] == "pending"
    # the shared controller sends everyone's rows
    with shop.store.write() as s:
        set_param(s, "SharedStackController", "WS9")
    local = StackController(shop.store, workstation="test-ws").run_once()
    assert "shared stack controller WS9" in local.note and local.claimed == 0
    shared = StackController(shop.store, workstation="WS9", shared=True)
    shared.run_once()
    shared.close()
    assert shop.woo.quantity("SKU-0013") == 11


def test_second_shared_controller_is_refused_while_lease_alive(shop):
    import pytest

    from seom_desktop.stack.lease import LeaseRefused, lease_info
    with shop.store.write() as s:
        set_param(s, "SharedStackController", "WS9")
    first = StackController(shop.store, workstation="WS9", shared=True)
    first.run_once()
    second = StackController(shop.store, workstation="WS9", shared=True)
    with pytest.raises(LeaseRefused, match="held by WS9"):
        second.run_once()
    with shop.store.read() as s:
        info = lease_info(s)
    assert info.holder == "WS9" and info.held and not info.stale
    assert "WS9 since" in info.describe()
    first.close()  # releases the lease
    second.run_once()
    second.close()


def test_commit_in_process_wakes_the_controller(shop):
    ctl = StackController(shop.store, workstation="test-ws", poll_seconds=60)
    stop = threading.Event()
    t = threading.Thread(target=ctl.run, args=(stop,))
    t.start()
    try:
        adjust(shop, "SKU-0014", +3)
        for _ in range(100):  # the poll is a minute away: only the wake-up can send it
            if shop.woo.quantity("SKU-0014") == 13 and shop.shop.quantity("SKU-0014") == 13:
                break
            stop.wait(0.05)
        assert shop.woo.quantity("SKU-0014") == 13 and shop.shop.quantity("SKU-0014") == 13
    finally:
        stop.set()
        t.join(10)
    assert not t.is_alive()


def test_stack_status_shows_counts_and_the_controller(shop, capsys):
    import json

    from seom_desktop.cli import main
    with shop.store.write() as s:
        set_param(s, "SharedStackController", "WS9")
        set_param(s, "StackLeaseSeconds", 5)
    adjust(shop, "SKU-0015", +1)
    ctl = StackController(shop.store, workstation="WS9", shared=True)
    ctl.run_once()
    assert main(["--store", shop.url, "stack", "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["sent"] == 2 and data["holder"] == "WS9" and not data["stale"]
    # the controller dies without releasing its lease: every workstation is warned
    from datetime import timedelta

    from sqlalchemy import update

    from seom_desktop.store.models import ControllerLease, utcnow
    with shop.store.write() as s:
        s.execute(update(ControllerLease).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert main(["--store", shop.url, "stack", "status"]) == 0
    out = capsys.readouterr().out
    assert "WARNING" in out and "STALE" in out and "WS9" in out


def test_cart_showing_the_target_by_coincidence_is_not_taken_as_sent(shop):
    """Each cart sells one; only WooCommerce's order is imported so far. Shopify now
    shows 9, which is the store's new QOH too, but only because of its own unimported
    sale: it must still be told of WooCommerce's sale once its own order is imported."""
    from seom_desktop.sync.orders import import_orders
    shop.woo.place_order([("SKU-0016", 1)])
    shop.shop.place_order([("SKU-0016", 1)])
    import_orders(shop.store, "woo", actor=ACTOR)
    ctl = StackController(shop.store, workstation="test-ws")
    ctl.run_once()
    with shop.store.read() as s:
        row = next(r for r in list_rows(s) if r.cart == "shop" and r.sku == "SKU-0016")
    assert row.state == "waiting" and "import its orders" in row.last_response
    import_orders(shop.store, "shop", actor=ACTOR)
    drain(shop, ctl)
    assert shop.qoh("SKU-0016") == 8
    assert shop.woo.quantity("SKU-0016") == 8 and shop.shop.quantity("SKU-0016") == 8


def test_a_new_cart_sku_alias_is_written_by_its_own_item_not_the_old_id(shop):
    drain(shop)
    adjust(shop, "SKU-0006", +1)  # written by SKU-0006's inventory item id, now recorded
    drain(shop)
    assert shop.shop.quantity("SKU-0006") == 11
    shop.shop.add_item("SKU-0006-WEB", 4)
    shop.woo.add_item("SKU-0006-WEB", 4)
    with shop.store.write() as s:
        set_web_fields(s, sku="SKU-0006", cart="shop", cart_sku="SKU-0006-WEB")
        set_web_fields(s, sku="SKU-0006", cart="woo", cart_sku="SKU-0006-WEB")
    adjust(shop, "SKU-0006", +2)
    drain(shop)
    assert shop.shop.quantity("SKU-0006-WEB") == 13 and shop.woo.quantity("SKU-0006-WEB") == 13
    assert shop.shop.quantity("SKU-0006") == 11 and shop.woo.quantity("SKU-0006") == 11


def test_a_slow_cart_does_not_hold_up_the_others(shop):
    drain(shop)
    adjust(shop, "SKU-0007", +3)
    seen_on_shopify_while_woo_waited = []
    real = shop.woo.handle

    def slow_handle(req):  # WooCommerce answers only once Shopify has the change
        deadline = time.monotonic() + 10
        while shop.shop.applied["SKU-0007"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_on_shopify_while_woo_waited.append(shop.shop.applied["SKU-0007"] > 0)
        return real(req)

    shop.woo.handle = slow_handle
    try:
        ctl = StackController(shop.store, workstation="test-ws")
        ctl.run_once()
        ctl.close()
    finally:
        shop.woo.handle = real
    assert seen_on_shopify_while_woo_waited and all(seen_on_shopify_while_woo_waited)
    assert shop.woo.quantity("SKU-0007") == 13 and shop.shop.quantity("SKU-0007") == 13
