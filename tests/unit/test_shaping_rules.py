"""The allocation rules (stack/shaping.py): what a cart should show and which rule
decided it, by example and by hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seom_desktop.stack.shaping import Rules, Shown, shaped_qoh, should_show


@pytest.mark.parametrize("available, rules, shown", [
    (7, Rules(), Shown(7, "store QOH")),
    (-4, Rules(), Shown(0, "store QOH")),
    (5, Rules(safety=5), Shown(0, "safety 5")),
    (6, Rules(safety=5), Shown(6, "store QOH")),
    (10, Rules(reserve=3), Shown(7, "reserve 3")),
    (2, Rules(reserve=3), Shown(0, "reserve 3")),
    (10, Rules(percent=75), Shown(7, "75 %")),  # 7.5 rounds down
    (10, Rules(percent=100), Shown(10, "store QOH")),
    (10, Rules(percent=0), Shown(0, "0 %")),
    (10, Rules(reserve=2, percent=50), Shown(4, "50 %")),  # (10 - 2) * 50 / 100
    (50, Rules(max_qty=10), Shown(10, "maximum 10")),
    (9, Rules(max_qty=10), Shown(9, "store QOH")),
    (1, Rules(min_qty=2), Shown(2, "minimum 2")),
    (0, Rules(min_qty=2), Shown(2, "minimum 2")),
    (3, Rules(min_qty=2, safety=3), Shown(0, "safety 3")),
    (100, Rules(reserve=10, percent=50, max_qty=40, min_qty=2, safety=5), Shown(40, "maximum 40")),
    (20, Rules(reserve=10, percent=50, max_qty=40, min_qty=2, safety=5), Shown(5, "50 %")),
    (11, Rules(reserve=10, percent=50, max_qty=40, min_qty=2, safety=5), Shown(2, "minimum 2")),
    (12, Rules(max_qty=1, min_qty=3), Shown(3, "minimum 3")),  # capped, then raised
])
def test_should_show(available, rules, shown):
    assert should_show(available, rules) == shown


def test_an_item_overrides_the_cart_rule_by_rule():
    cart = Rules(reserve=3, max_qty=10, percent=50, min_qty=1, safety=2)
    item = Rules(reserve=0, max_qty=None, percent=80, min_qty=None, safety=0)
    assert item.over(cart) == Rules(reserve=3, max_qty=10, percent=80, min_qty=1, safety=0)
    assert Rules(reserve=5).over(cart).reserve == 5
    assert Rules().over(Rules()) == Rules()


def test_shaped_qoh_keeps_the_reserve_and_maximum_meaning():
    assert shaped_qoh(10, 3, 5) == 5
    assert shaped_qoh(10, 3) == 7
    assert shaped_qoh(-2) == 0


counts = st.integers(min_value=-1_000, max_value=1_000_000)
opt = st.one_of(st.none(), st.integers(min_value=0, max_value=10_000))
rules = st.builds(Rules, reserve=opt, max_qty=opt,
                  percent=st.one_of(st.none(), st.integers(min_value=0, max_value=100)),
                  min_qty=opt, safety=opt)


@given(counts, counts, rules)
def test_monotone_in_available(a, b, r):
    lo, hi = sorted((a, b))
    assert should_show(lo, r).qty <= should_show(hi, r).qty


@given(counts, rules)
def test_never_below_zero_and_never_above_what_is_available_past_the_rules(a, r):
    shown = should_show(a, r)
    assert shown.qty >= 0
    if r.min_qty is None or r.min_qty == 0:
        assert shown.qty <= max(0, a)  # only a minimum shows more than there is
    if r.safety is not None and a <= r.safety:
        assert shown == Shown(0, f"safety {r.safety}")


@given(counts, rules)
def test_cap_and_floor(a, r):
    shown = should_show(a, r)
    if r.safety is not None and a <= r.safety:
        return
    if r.min_qty is not None:
        assert shown.qty >= r.min_qty
    if r.max_qty is not None and (r.min_qty is None or r.min_qty <= r.max_qty):
        assert shown.qty <= r.max_qty


@given(counts)
def test_unset_rules_do_nothing(a):
    assert should_show(a, Rules()) == Shown(max(0, a), "store QOH")
    assert should_show(a, Rules(percent=100, reserve=0)).qty == max(0, a)


@given(counts, rules)
def test_the_named_rule_alone_gives_the_same_quantity_when_it_is_a_cap_or_floor(a, r):
    shown = should_show(a, r)
    if shown.rule.startswith("maximum"):
        assert shown.qty == r.max_qty
    elif shown.rule.startswith("minimum"):
        assert shown.qty == r.min_qty
    elif shown.rule == "store QOH":
        assert shown.qty == max(0, a)
