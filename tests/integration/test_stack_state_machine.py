"""A hypothesis state machine over adjustments, POS sales, PO receipts, shoppers buying
on the carts, order imports, faults, controller restarts (crashes included) and Shopify
writes that change nothing (a write in doubt that never landed, then the store's QOH back
at what Shopify shows: it is written again, and Shopify answers a batch that changes
nothing with a null adjustment group). However the steps interleave, once faults stop,
orders are imported and the stack drains, every cart shows the store's QOH shaped by the
web fields. Every row is born in states.INITIAL and every move of its state, recorded by
triggers in the store itself, is a pair of stack/states.py's TRANSITIONS.

Warehouses and rules: the store has Main (the default) and East; changes name either,
transfers move stock between them (one more than the warehouse holds is refused and
changes nothing), WooCommerce's warehouses, order warehouse and rules change, items'
overrides change, and Shopify either has one location or two mapped to Main and East.
What each cart (each mapped location) should show is worked out from the test's own model
of every warehouse's stock and every rule, with the pure rule (stack/shaping.should_show),
not by the sender's code.

Kits: SET (2 x SKU-0002 + 1 x SKU-0003) and BOX (2 x SET + 1 x SKU-0004) are on both
carts; they are sold at the till (from a warehouse) and by shoppers on the carts, and
their components change with every other step. What a cart shows for a kit is its
derived QOH from the warehouses it sells from (or the mapped location's), worked out
from the same model, then the rules."""

from __future__ import annotations

import itertools
import time

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import text
from stack_kit import assert_nothing_applied_twice, short_timeout_connect
from stack_machine_model import (
    ACTOR,
    CARTS,
    ITEMS,
    KITS,
    SKUS,
    WAREHOUSES,
    N,
    StoreModel,
    ThenImport,
    percents,
    rule_values,
)

from seom_desktop.emulators.base import FAULT_KINDS
from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.kits import set_kit, touch
from seom_desktop.inventory.products import set_web_fields
from seom_desktop.inventory.rules import set_cart, set_item_rules, set_order_warehouse
from seom_desktop.inventory.warehouses import add_warehouse, transfer
from seom_desktop.stack import location_sender
from seom_desktop.stack.claim import claim_due
from seom_desktop.stack.controller import StackController
from seom_desktop.stack.rows import count_by_state, list_rows
from seom_desktop.stack.shaping import RULE_NAMES, Rules
from seom_desktop.stack.states import INITIAL, TRANSITIONS
from seom_desktop.stack.targets import record_sent
from seom_desktop.store.params import set_param
from seom_desktop.sync.orders import import_orders

_counter = itertools.count()
SHORT = short_timeout_connect(0.3)  # a connector that waits 0.3 s for an answer


class StackMachine(StoreModel, RuleBasedStateMachine):
    shop_factory = None
    folder = None

    @initialize(reserve=st.integers(0, 3), cap=st.sampled_from([None, 8, 30]),
                mapped=st.booleans())
    def setup(self, reserve, cap, mapped):
        url = f"sqlite:///{self.folder / f'sm-{next(_counter)}.sqlite'}"
        self.shop = self.shop_factory(url, n=N, qoh=10)
        # The test's own model of the store's QOH per warehouse: every change the steps
        # make, and each cart's orders counted once imported (checked against the store
        # at the end); and of every rule, each cart's warehouses and order warehouse.
        self.stock = {sku: {"Main": 10, "East": 0} for sku in SKUS}
        self.orders: dict[str, dict[str, list[tuple[str, int]]]] = {"woo": {}, "shop": {}}
        self.cart_rules = {c: Rules() for c in CARTS}
        self.item_rules = {(c, sku): Rules() for c in CARTS for sku in ITEMS}
        self.item_rules[("woo", SKUS[0])] = Rules(reserve=reserve or None)
        self.item_rules[("shop", SKUS[1])] = Rules(max_qty=cap)
        self.sells_from = {c: WAREHOUSES for c in CARTS}
        self.order_warehouse = {c: "Main" for c in CARTS}
        self.locations: dict[str, str] = {}  # Shopify's mapped locations: warehouse -> id
        with self.shop.store.write() as s:
            set_param(s, "AllowNegativeQOH", True)
            set_web_fields(s, sku=SKUS[0], cart="woo", reserve=reserve)
            set_web_fields(s, sku=SKUS[1], cart="shop", max_qty=cap)
            add_warehouse(s, "East")
        if mapped:
            east = self.shop.shop.add_location("East")
            for sku in SKUS:
                self.shop.shop.set_quantity(sku, 0, east)
            self.locations = {"Main": self.shop.shop.location_id, "East": east}
            cid = self.shop.cart_id("shop")
            with self.shop.store.write() as s:
                set_cart(s, "shop", locations=list(self.locations.items()), actor=ACTOR)
                # As after an initial Send QOH: the store knows what each location shows
                # (else the first write overwrites a sale not imported yet, and its import
                # then counts it a second time in what we believe the location shows).
                for pid, sku in s.execute(text("SELECT id, sku FROM products")).all():
                    for wh, loc in self.locations.items():
                        location_sender.record(s, cid, pid, loc, sent=self.stock[sku][wh])
        for kit in KITS:  # on both carts (every location), their quantity not known yet
            self.shop.woo.add_item(kit, 0)
            self.shop.shop.add_item(kit, 0)
            for loc in self.locations.values():
                self.shop.shop.set_quantity(kit, 0, loc)
        carts = {c: self.shop.cart_id(c) for c in CARTS}
        with self.shop.store.write() as s:
            for kit, components in KITS.items():
                touch(s, set_kit(s, sku=kit, components=components, actor=ACTOR).touched,
                      actor=ACTOR)
            # The store knows the carts show 0 for the kits (as after an initial Send QOH),
            # so their first write carries a compare: under the rules a kit's first target
            # may be 0, and a write of 0 without a compare to an item showing 0 is what the
            # write logs take for a write applied twice.
            for (pid,) in s.execute(text("SELECT id FROM products WHERE is_kit")).all():
                for cid in carts.values():
                    record_sent(s, cid, pid, 0)
                for loc in self.locations.values():
                    location_sender.record(s, carts["shop"], pid, loc, sent=0)
        for emu in self.shop.emulators().values():
            emu.faults.hang_seconds = 0.4
            emu.faults.retry_after = 0
        with self.shop.store.write() as s:
            for sql in _WATCH_MOVES:
                s.execute(text(sql))
        self.moves_seen: set[tuple[str | None, str]] = set()
        self.ctl = self._new_controller()

    def _new_controller(self):
        return StackController(self.shop.store, workstation="test-ws", connect=SHORT)

    @rule(sku=st.sampled_from(SKUS), delta=st.integers(-5, 8).filter(bool),
          wh=st.sampled_from((None, *WAREHOUSES)))
    def adjust(self, sku, delta, wh):
        with self.shop.store.write() as s:
            ops.adjust(s, sku=sku, delta=delta, actor=ACTOR, warehouse=wh)
        self.stock[sku][wh or "Main"] += delta

    @rule(sku=st.sampled_from(SKUS), qty=st.integers(1, 3),
          wh=st.sampled_from((None, *WAREHOUSES)))
    def pos_sale(self, sku, qty, wh):
        with self.shop.store.write() as s:
            ops.pos_sale(s, sku=sku, quantity=qty, actor=ACTOR, warehouse=wh)
        self.stock[sku][wh or "Main"] -= qty

    @rule(kit=st.sampled_from(list(KITS)), qty=st.integers(1, 2),
          wh=st.sampled_from((None, *WAREHOUSES)))
    def kit_pos_sale(self, kit, qty, wh):
        with self.shop.store.write() as s:
            ops.pos_sale(s, sku=kit, quantity=qty, actor=ACTOR, warehouse=wh)
        self._take_kit(kit, qty, wh or "Main")

    @rule(sku=st.sampled_from(SKUS), qty=st.integers(1, 20),
          wh=st.sampled_from((None, *WAREHOUSES)))
    def receive(self, sku, qty, wh):
        with self.shop.store.write() as s:
            ops.receive_po(s, sku=sku, quantity=qty, actor=ACTOR, warehouse=wh)
        self.stock[sku][wh or "Main"] += qty

    @rule(sku=st.sampled_from(SKUS), qty=st.integers(1, 12), src=st.sampled_from(WAREHOUSES))
    def transfer(self, sku, qty, src):
        dst = "East" if src == "Main" else "Main"
        if self.stock[sku][src] < qty:  # more than it holds: refused, nothing changed
            try:
                with self.shop.store.write() as s:
                    transfer(s, sku=sku, qty=qty, source=src, target=dst, actor=ACTOR)
            except InventoryError as e:
                assert "less than" in str(e)
            else:
                raise AssertionError("a transfer of more than the warehouse holds went through")
            return
        with self.shop.store.write() as s:
            transfer(s, sku=sku, qty=qty, source=src, target=dst, actor=ACTOR)
        self.stock[sku][src] -= qty
        self.stock[sku][dst] += qty

    @rule(cart=st.sampled_from(CARTS), rules=st.builds(
        Rules, reserve=rule_values, max_qty=rule_values, percent=percents, min_qty=rule_values,
        safety=rule_values))
    def cart_rules_change(self, cart, rules):
        with self.shop.store.write() as s:
            set_cart(s, cart, rules={r: getattr(rules, r) for r in RULE_NAMES}, actor=ACTOR)
        self.cart_rules[cart] = rules

    @rule(cart=st.sampled_from(CARTS), sku=st.sampled_from(SKUS),
          percent=percents, min_qty=rule_values, safety=rule_values)
    def item_rules_change(self, cart, sku, percent, min_qty, safety):
        with self.shop.store.write() as s:
            set_item_rules(s, sku=sku, cart=cart, actor=ACTOR,
                           rules={"percent": percent, "min_qty": min_qty, "safety": safety})
        old = self.item_rules[(cart, sku)]
        self.item_rules[(cart, sku)] = Rules(old.reserve, old.max_qty, percent, min_qty, safety)

    @rule(wh=st.sampled_from([WAREHOUSES, ("Main",), ("East",)]),
          ships=st.sampled_from(WAREHOUSES))
    def woo_warehouses_change(self, wh, ships):
        with self.shop.store.write() as s:
            set_cart(s, "woo", warehouses=[] if wh == WAREHOUSES else list(wh), actor=ACTOR)
            set_order_warehouse(s, "woo", ships)
        self.sells_from["woo"] = wh
        self.order_warehouse["woo"] = ships

    @rule(cart=st.sampled_from(["woo", "shop"]), sku=st.sampled_from(ITEMS))
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
        self.stock[sku]["Main"] += delta
        self.ctl.run_once()
        self.ctl.run_once()

    @rule(cart=st.sampled_from(CARTS))
    def order_import_while_accepted_rows_unrecorded(self, cart):
        """A pass in which a shopper buys one of an item just after the cart accepted our
        write of it, and that order's import commits before the pass records the rows
        the cart accepted (recorded together since stack/accepted.Accepted): the import
        moved what we believe the cart shows (and the value in doubt) by the sale; the
        recording must not overwrite that with the value sent, or the next write to the
        item finds the cart showing one less than believed and waits for an import that
        already happened."""
        bought: list[str] = []

        def after_write(results) -> None:
            if bought:
                return
            emu = self.shop.emulators()[cart]
            for r in results:
                if r.ok and not r.location and (emu.quantity(r.sku) or 0) >= 1:
                    self.orders[cart][emu.place_order([(r.sku, 1)])] = [(r.sku, 1)]
                    bought.append(r.sku)
                    self._import(cart)
                    return

        def connect(c):
            conn = SHORT(c)
            return ThenImport(conn, after_write) if c.name == cart else conn

        ctl = StackController(self.shop.store, workstation="test-ws", connect=connect)
        try:
            ctl.run_once()
        finally:
            ctl.close()

    @rule(cart=st.sampled_from(["woo", "shop"]))
    def import_orders(self, cart):
        self._import(cart)

    def _import(self, cart):
        result = import_orders(self.shop.store, cart, actor=ACTOR)
        for order in result.imported:
            for sku, qty in self.orders[cart].pop(order):
                if sku in KITS:
                    self._take_kit(sku, qty, self.order_warehouse[cart])
                else:
                    self.stock[sku][self.order_warehouse[cart]] -= qty

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
            assert self.actual() == self.expected()
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
