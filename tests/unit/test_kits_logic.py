"""A kit's derived QOH, cycles, what a kit sale takes and which kits a component touches:
the pure rules of inventory/kits.py (and stack/kit_qoh.py under it), by example and by
hypothesis properties over random kits of kits."""

from __future__ import annotations

import graphlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seom_desktop.inventory.kits import (
    KitError,
    check_components,
    containing,
    derived_many,
    derived_qoh,
    find_cycle,
    graph_with,
    limiting,
    parse_component,
    takes,
)

# --- examples ---------------------------------------------------------------------------


def test_least_of_floor_of_component_over_quantity():
    graph = {"SET": [("CUP", 2), ("SAUCER", 1)]}
    assert derived_qoh("SET", graph, {"CUP": 5, "SAUCER": 10}) == 2
    assert derived_qoh("SET", graph, {"CUP": 9, "SAUCER": 3}) == 3
    assert limiting("SET", graph, {"CUP": 5, "SAUCER": 10}) == "CUP"
    assert limiting("SET", graph, {"CUP": 9, "SAUCER": 3}) == "SAUCER"


def test_a_component_at_or_below_zero_makes_the_kit_zero():
    graph = {"SET": [("CUP", 1), ("SAUCER", 1)]}
    assert derived_qoh("SET", graph, {"CUP": -3, "SAUCER": 10}) == 0
    assert derived_qoh("SET", graph, {"CUP": 0, "SAUCER": 10}) == 0
    assert derived_qoh("SET", graph, {"SAUCER": 10}) == 0  # unknown QOH counts as 0


def test_kits_of_kits_derive_through_the_inner_kit():
    graph = {"BOX": [("SET", 3), ("SPOON", 1)], "SET": [("CUP", 2), ("SAUCER", 1)]}
    qoh = {"CUP": 20, "SAUCER": 7, "SPOON": 100}
    assert derived_many(["BOX"], graph, qoh) == {"BOX": 2}  # SET: min(10, 7) = 7; 7 // 3
    assert limiting("BOX", graph, qoh) == "SET"
    assert takes("BOX", 2, graph) == {"SPOON": 2, "CUP": 12, "SAUCER": 6}


def test_a_deep_chain_of_kits_does_not_hit_the_recursion_limit():
    graph = {f"K{i}": [(f"K{i + 1}", 1)] for i in range(5000)}
    graph["K5000"] = [("LEAF", 1)]
    assert derived_qoh("K0", graph, {"LEAF": 4}) == 4
    assert containing(["LEAF"], graph) == {f"K{i}" for i in range(5001)}


def test_a_cycle_is_found_with_its_path():
    graph = {"A": [("B", 1)], "B": [("C", 2)], "C": [("X", 1)]}
    assert find_cycle("C", [("A", 1)], graph) == ["C", "A", "B", "C"]
    assert find_cycle("C", [("X", 1), ("Y", 1)], graph) is None
    assert find_cycle("A", [("A", 1)], graph) == ["A", "A"]
    with pytest.raises(ValueError, match="contains itself"):
        derived_qoh("C", graph_with(graph, "C", [("A", 1)]), {})


def test_bad_component_lists_are_refused():
    with pytest.raises(KitError, match="cannot contain itself"):
        check_components("SET", [("SET", 1)])
    with pytest.raises(KitError, match="given twice"):
        check_components("SET", [("CUP", 1), ("CUP", 2)])
    with pytest.raises(KitError, match="at least 1"):
        check_components("SET", [("CUP", 0)])
    with pytest.raises(KitError, match="at least one component"):
        check_components("SET", [])


@pytest.mark.parametrize("text, message", [
    ("CUP", "is not SKU:QTY"), (":2", "no SKU"), ("CUP:", "whole number"),
    ("CUP:x", "whole number"), ("CUP:0", "at least 1"), ("CUP:-2", "at least 1"),
    ("CUP:1.5", "whole number"), (" CUP:1", "spaces"),
])
def test_malformed_sku_qty_is_refused_naming_the_problem(text, message):
    with pytest.raises(KitError, match=message):
        parse_component(text)


def test_sku_with_colons_takes_the_quantity_after_the_last():
    assert parse_component("A:B:3") == ("A:B", 3)


# --- properties -------------------------------------------------------------------------


@st.composite
def kit_graphs(draw, max_nodes=9):
    """Random kits of kits with no cycle: node i may only contain nodes after it. Every
    kit has at least one component (an empty kit cannot be saved)."""
    n = draw(st.integers(2, max_nodes))
    kits = draw(st.sets(st.integers(0, n - 2), min_size=1))
    graph = {}
    for k in sorted(kits):
        comps = draw(st.lists(st.integers(k + 1, n - 1), min_size=1, max_size=4, unique=True))
        graph[k] = [(c, draw(st.integers(1, 5))) for c in comps]
    qoh = {i: draw(st.integers(-5, 60)) for i in range(n) if i not in graph}
    return graph, qoh


def _paths(kit, graph, mult=1):
    for comp, qty in graph[kit]:
        if comp in graph:
            yield from _paths(comp, graph, mult * qty)
        else:
            yield comp, mult * qty


@settings(max_examples=300, deadline=None)
@given(kit_graphs())
def test_derived_equals_the_least_stocked_component_over_its_path_quantity(g):
    # floor(floor(x / a) / b) == floor(x / (a * b)): a kit of kits is the least, over
    # every path down to a stocked component, of that component over the path's product.
    graph, qoh = g
    got = derived_many(list(graph), graph, qoh)
    for k in graph:
        assert got[k] == max(0, min(qoh[leaf] // m for leaf, m in _paths(k, graph)))
        assert got[k] >= 0


@settings(max_examples=300, deadline=None)
@given(kit_graphs())
def test_one_more_kit_than_derived_always_oversells_a_component(g):
    graph, qoh = g
    for k in graph:
        d = derived_qoh(k, graph, qoh)
        need = takes(k, d + 1, graph)
        assert any(need[c] > qoh[c] for c in need)


@settings(max_examples=300, deadline=None)
@given(kit_graphs())
def test_the_derived_quantity_can_be_sold_when_no_component_is_shared(g):
    graph, qoh = g
    for k in graph:
        leaves = [leaf for leaf, _m in _paths(k, graph)]
        if len(leaves) != len(set(leaves)):
            continue  # a component reached twice: the rule counts each path on its own
        d = derived_qoh(k, graph, qoh)
        assert all(n <= max(qoh[c], 0) or d == 0 for c, n in takes(k, d, graph).items())


@settings(max_examples=300, deadline=None)
@given(kit_graphs(), st.data())
def test_more_of_a_component_never_lowers_a_kit(g, data):
    graph, qoh = g
    leaf = data.draw(st.sampled_from(sorted(qoh)))
    more = qoh | {leaf: qoh[leaf] + data.draw(st.integers(1, 30))}
    before, after = derived_many(list(graph), graph, qoh), derived_many(list(graph), graph, more)
    assert all(after[k] >= before[k] for k in graph)


@settings(max_examples=300, deadline=None)
@given(kit_graphs())
def test_the_limiting_component_gives_the_kit_its_quantity(g):
    graph, qoh = g
    for k in graph:
        c = limiting(k, graph, qoh)
        qty = dict(graph[k])[c]
        have = derived_qoh(c, graph, qoh) if c in graph else qoh[c]
        assert max(0, have) // qty == derived_qoh(k, graph, qoh)


@settings(max_examples=300, deadline=None)
@given(kit_graphs(), st.data())
def test_containing_is_every_kit_a_component_is_reached_from(g, data):
    graph, qoh = g
    node = data.draw(st.sampled_from(sorted(set(graph) | set(qoh))))

    def reaches(k):
        return any(c == node or (c in graph and reaches(c)) for c, _q in graph[k])

    assert containing([node], graph) == {k for k in graph if reaches(k)}


@settings(max_examples=400, deadline=None)
@given(kit_graphs(), st.data())
def test_find_cycle_refuses_exactly_the_edits_that_make_a_cycle(g, data):
    graph, qoh = g
    nodes = sorted(set(graph) | set(qoh))
    kit = data.draw(st.sampled_from(nodes))
    comps = [(c, 1) for c in data.draw(st.lists(st.sampled_from(nodes), min_size=1,
                                                max_size=4, unique=True))]
    new = graph_with(graph, kit, comps)
    try:
        graphlib.TopologicalSorter({k: [c for c, _q in v] for k, v in new.items()}).prepare()
        acyclic = True
    except graphlib.CycleError:
        acyclic = False
    path = find_cycle(kit, comps, graph)
    assert (path is None) == acyclic
    if path is not None:
        assert path[0] == path[-1] == kit
        for a, b in zip(path, path[1:], strict=False):
            assert b in [c for c, _q in new[a]]
