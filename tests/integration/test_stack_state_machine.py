"""A hypothesis state machine over adjustments, POS sales, PO receipts, shoppers buying
on the carts, order imports, faults, controller restarts (crashes included) and Shopify
writes that change nothing (a write in doubt that never landed, then the store's QOH back
at what Shopify shows: it is written again, and Shopify answers a batch that changes
nothing with a null adjustment group). However the steps interleave, once faults stop,
orders are imported and the stack drains, every cart shows the store's QOH shaped by the
web fields. Every row is born in states.INITIAL and every move of its state, recorded by
triggers in the store itself, is a pair of stack/states.py's TRANSITIONS."""

from __future__ import annotations

import itertools
import time

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import text
from stack_kit import assert_nothing_applied_twice

from seom_desktop.emulators.base import FAULT_KINDS
from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import set_web_fields
from seom_desktop.stack.claim import claim_due
from seom_desktop.stack.controller import StackController
from seom_desktop.stack.rows import count_by_state, list_rows
from seom_desktop.stack.states import INITIAL, TRANSITIONS
from seom_desktop.store.params import set_param
from seom_desktop.sync.orders import import_orders

ACTOR = Actor("clerk", "test-ws")
N = 6
SKUS = [f"SKU-{i:04d}" for i in range(N)]
_counter = itertools.count()


def _short(cart):
    from seom_desktop.connect import connect
    return connect(cart, read_timeout=0.3)


class StackMachine(RuleBasedStateMachine):
    shop_factory = None
    folder = None

    @initialize(reserve=st.integers(0, 3), cap=st.sampled_from([None, 8, 30]))
    def setup(self, reserve, cap):
        url = f"sqlite:///{self.folder / f'sm-{next(_counter)}.sqlite'}"
        self.shop = self.shop_factory(url, n=N, qoh=10)
        # The test's own model of the store's QOH: every change the steps make, and each
        # cart's orders counted once imported (checked against the store at the end).
        self.model = dict.fromkeys(SKUS, 10)
        self.orders: dict[str, dict[str, list[tuple[str, int]]]] = {"woo": {}, "shop": {}}
        with self.shop.store.write() as s:
            set_param(s, "AllowNegativeQOH", True)
            set_web_fields(s, sku=SKUS[0], cart="woo", reserve=reserve)
            set_web_fields(s, sku=SKUS[1], cart="shop", max_qty=cap)
        for emu in self.shop.emulators().values():
            emu.faults.hang_seconds = 0.4
            emu.faults.retry_after = 0
        with self.shop.store.write() as s:
            for sql in _WATCH_MOVES:
                s.execute(text(sql))
        self.moves_seen: set[tuple[str | None, str]] = set()
        self.ctl = self._new_controller()

    def _new_controller(self):
        return StackController(self.shop.store, workstation="test-ws", connect=_short)

    @rule(sku=st.sampled_from(SKUS), delta=st.integers(-5, 8).filter(bool))
    def adjust(self, sku, delta):
        with self.shop.store.write() as s:
            ops.adjust(s, sku=sku, delta=delta, actor=ACTOR)
        self.model[sku] += delta

    @rule(sku=st.sampled_from(SKUS), qty=st.integers(1, 3))
    def pos_sale(self, sku, qty):
        with self.shop.store.write() as s:
            ops.pos_sale(s, sku=sku, quantity=qty, actor=ACTOR)
        self.model[sku] -= qty

    @rule(sku=st.sampled_from(SKUS), qty=st.integers(1, 20))
    def receive(self, sku, qty):
        with self.shop.store.write() as s:
            ops.receive_po(s, sku=sku, quantity=qty, actor=ACTOR)
        self.model[sku] += qty

    @rule(cart=st.sampled_from(["woo", "shop"]), sku=st.sampled_from(SKUS))
    def shopper_buys_one(self, cart, sku):
        emu = self.shop.emulators()[cart]
        if (emu.quantity(sku) or 0) >= 1:
            self.orders[cart][emu.place_order([(sku, 1)])] = [(sku, 1)]

    @rule(sku=st.sampled_from(SKUS))
    def shopify_write_that_changes_nothing(self, sku):
        """Rows whose value is what Shopify may already show, written again (a write in
        doubt that never landed: a number no write could give), and a pass: with no
        fault planned on Shopify, none of them may be left waiting on an answer Shopify
        did not give (a null adjustment group is an answer)."""
        faults = self.shop.shop.faults
        quiet = not (faults.rates or faults._queue)
        if quiet:
            self.ctl.run_once()  # what is due now goes first: these rows go alone
        with self.shop.store.read() as s:
            newest = max((r.id for r in list_rows(s)), default=0)
        self.shop.doubt_write("shop", sku, 1_000_000 + next(_counter))
        with self.shop.store.write() as s:
            ops.adjust(s, sku=sku, delta=1, actor=ACTOR)
        with self.shop.store.write() as s:
            ops.adjust(s, sku=sku, delta=-1, actor=ACTOR)
        if not quiet:
            return
        self.ctl.run_once()
        with self.shop.store.read() as s:
            mine = [r for r in list_rows(s) if r.id > newest and r.cart == "shop"]
        assert not [r for r in mine if r.state == "failed"
                    and "may have been applied" in r.last_response], mine

    @rule(cart=st.sampled_from(["woo", "shop"]), sku=st.sampled_from(SKUS),
          delta=st.integers(1, 4))
    def write_lands_answer_lost_then_retried(self, cart, sku, delta):
        """A change whose write lands with its answer lost, then the retry's pass: the
        read-back (WooCommerce) or the same idempotency key (Shopify) must show it landed,
        not write it again (checked from the write logs at the end)."""
        self.shop.emulators()[cart].faults.queue("timeout-after",
                                                  path="/batch" if cart == "woo" else "")
        with self.shop.store.write() as s:
            ops.adjust(s, sku=sku, delta=delta, actor=ACTOR)
        self.model[sku] += delta
        self.ctl.run_once()
        self.ctl.run_once()

    @rule(cart=st.sampled_from(["woo", "shop"]))
    def import_orders(self, cart):
        self._import(cart)

    def _import(self, cart):
        result = import_orders(self.shop.store, cart, actor=ACTOR)
        for order in result.imported:
            for sku, qty in self.orders[cart].pop(order):
                self.model[sku] -= qty

    @rule(cart=st.sampled_from(["woo", "shop"]), kind=st.sampled_from(FAULT_KINDS))
    def fault(self, cart, kind):
        self.shop.emulators()[cart].faults.queue(kind)

    @rule(rate=st.sampled_from(["", "all:0.1", "all:0.3"]))
    def fault_rate(self, rate):
        for emu in self.shop.emulators().values():
            emu.faults.set_spec(rate)

    @rule()
    def controller_pass(self):
        self.ctl.run_once()

    @rule()
    def controller_restart(self):
        self.ctl.close()
        self.ctl = self._new_controller()

    @rule()
    def controller_crash_after_claim(self):
        """A controller claims rows and dies before sending: they are requeued."""
        claim_due(self.shop.store, claimer="dead", workstation=None, limit=3, ttl=0)

    @invariant()
    def every_move_is_in_the_table(self):
        """What the triggers saw since the last step: births in INITIAL, moves in the
        table (each UPDATE that set a different state)."""
        if not hasattr(self, "shop"):
            return
        with self.shop.store.write() as s:
            seen = [tuple(r) for r in s.execute(text("SELECT before, after FROM state_moves"))]
            s.execute(text("DELETE FROM state_moves"))
        for before, after in seen:
            if before is None:
                assert after == INITIAL, f"a row born {after!r}"
            else:
                assert (before, after) in TRANSITIONS, f"a row moved {before!r} -> {after!r}"
        self.moves_seen.update(seen)

    @invariant()
    def stack_states_are_known(self):
        if hasattr(self, "shop"):
            with self.shop.store.read() as s:
                assert count_by_state(s)["bypassed"] == 0

    def teardown(self):
        if not hasattr(self, "shop"):
            return
        try:
            for emu in self.shop.emulators().values():
                emu.faults.clear()
            for cart in ("woo", "shop"):
                self._import(cart)
            assert self.orders == {"woo": {}, "shop": {}}  # every order imported once
            assert {sku: self.shop.qoh(sku) for sku in SKUS} == self.model
            # Passes until the stack is empty, as a running controller would make them:
            # rows a rate limit put off (the doubling pacing) are due a little later.
            deadline = time.monotonic() + 60
            while True:
                result = self.ctl.run_once()
                with self.shop.store.read() as s:
                    c = count_by_state(s)
                    rows = [r for r in list_rows(s) if r.state != "sent"]
                if c["pending"] == c["failed"] == c["sending"] == c["waiting"] == 0:
                    break
                if time.monotonic() > deadline:
                    break
                if not result.claimed:
                    time.sleep(0.05)
            assert (c["pending"] == c["failed"] == c["sending"] == c["bypassed"]
                    == c["waiting"] == 0), (c, rows)
            self.every_move_is_in_the_table()
            if (None, INITIAL) in self.moves_seen:  # rows born in the run were sent
                assert {("pending", "sending"), ("sending", "sent")} <= self.moves_seen
            assert self.shop.actual() == self.shop.expected()
            assert_nothing_applied_twice(self.shop.emulators())
        finally:
            self.ctl.close()
            self.shop.woo.stop()
            self.shop.shop.stop()
            self.shop.store.close()


# Triggers in the test's store that record each row's birth state and each change of it.
_WATCH_MOVES = (
    "CREATE TABLE state_moves (before TEXT, after TEXT NOT NULL)",
    "CREATE TRIGGER state_born AFTER INSERT ON web_stack BEGIN "
    "INSERT INTO state_moves VALUES (NULL, NEW.state); END",
    "CREATE TRIGGER state_moved AFTER UPDATE OF state ON web_stack "
    "WHEN OLD.state IS NOT NEW.state BEGIN "
    "INSERT INTO state_moves VALUES (OLD.state, NEW.state); END",
)


def test_stack_state_machine(shop_factory, tmp_path):
    StackMachine.shop_factory = staticmethod(shop_factory)
    StackMachine.folder = tmp_path
    run = StackMachine.TestCase
    run.settings = settings(max_examples=15, stateful_step_count=25, deadline=None,
                            suppress_health_check=list(HealthCheck))
    run().runTest()
