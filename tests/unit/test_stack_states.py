"""stack/states.py: each pair of states outside the transition table raises
IllegalTransition and writes nothing; each pair in it moves a row (SQLite)."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.stack import states
from seom_desktop.stack.states import STATES, TRANSITIONS, IllegalTransition, move
from seom_desktop.store.carts import add_cart
from seom_desktop.store.models import StackRow
from seom_desktop.store.params import set_param

ACTOR = Actor("clerk", "WS1")
PAIRS = list(itertools.product(STATES, STATES))


@pytest.fixture
def one_row(sqlite_store):
    with sqlite_store.write() as s:
        set_param(s, "SynchQOH", True)
        add_cart(s, name="A", kind="woocommerce", url="http://127.0.0.1:1", sync=True)
        add_product(s, sku="P1", name="x", qoh=0, actor=ACTOR)
        (row_id,) = ops.adjust(s, sku="P1", delta=1, actor=ACTOR).stack_row_ids
    return sqlite_store, row_id


def _put(store, row_id, state):
    """The row in `state` (set through the ORM: a test's set-up, not a move)."""
    with store.write() as s:
        s.get(StackRow, row_id).state = state


def _state(store, row_id):
    with store.read() as s:
        return s.scalar(select(StackRow.state).where(StackRow.id == row_id))


def test_a_new_row_is_born_in_the_initial_state(one_row):
    store, row_id = one_row
    assert states.INITIAL == "pending" and _state(store, row_id) == states.INITIAL


@pytest.mark.parametrize("before,after", [p for p in PAIRS if p not in TRANSITIONS])
def test_an_illegal_move_raises_and_changes_nothing(one_row, before, after):
    store, row_id = one_row
    _put(store, row_id, before)
    with pytest.raises(IllegalTransition, match=f"from {before} to '{after}'"):
        with store.write() as s:
            move(s, before, after, StackRow.id == row_id)
    assert _state(store, row_id) == before


@pytest.mark.parametrize("before,after", sorted(TRANSITIONS))
def test_a_legal_move_moves_the_row(one_row, before, after):
    store, row_id = one_row
    _put(store, row_id, before)
    with store.write() as s:
        assert move(s, before, after, StackRow.id == row_id).rowcount == 1
    assert _state(store, row_id) == after


def test_one_illegal_pair_among_legal_ones_stops_the_whole_move(one_row):
    store, row_id = one_row
    _put(store, row_id, "failed")
    with pytest.raises(IllegalTransition, match="from sent to 'pending'"):
        with store.write() as s:
            move(s, ("failed", "sent"), "pending", StackRow.id == row_id)
    assert _state(store, row_id) == "failed"


def test_a_move_names_a_state_to_move_from_and_only_known_states():
    with pytest.raises(IllegalTransition, match="names no state"):
        states.check((), "pending")
    with pytest.raises(IllegalTransition, match="'lost' \\(not a state\\)"):
        states.check("lost", "pending")


def test_every_state_can_be_reached_and_left_but_sent():
    """The table joins up: every state is reached from the initial one, and only `sent`
    is final."""
    reached, todo = {states.INITIAL}, [states.INITIAL]
    while todo:
        here = todo.pop()
        for f, t in TRANSITIONS:
            if f == here and t not in reached:
                reached.add(t)
                todo.append(t)
    assert reached == set(STATES)
    assert {f for f, _t in TRANSITIONS} == set(STATES) - {"sent"}


def test_waiting_rows_are_listed_and_counted_by_their_state(one_row):
    """What `stack list --state waiting` and `stack status` read."""
    from seom_desktop.stack.rows import count_by_state, list_rows

    store, row_id = one_row
    _put(store, row_id, "waiting")
    with store.read() as s:
        assert [r.id for r in list_rows(s, state="waiting")] == [row_id]
        assert count_by_state(s)["waiting"] == 1 and count_by_state(s)["pending"] == 0
