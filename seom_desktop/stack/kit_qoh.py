"""A kit's QOH, derived from its components: the rule, and its reads from the store.

A kit (bundle) holds no stock of its own. Its QOH is the least, over its components, of
floor(component QOH / quantity per kit), and 0 when a component is at or below 0; a
component that is itself a kit counts with its own derived QOH. It lives in stack/
beside shaping.py because what a cart should show starts from it, and the stack may not
import inventory/ (inventory/kits.py builds on it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from sqlalchemy import select

from seom_desktop.store.models import KitComponent, Product

K = TypeVar("K", bound=Hashable)

# kit -> its components as (component, quantity per kit); a product that is no key is
# a plain product (stock of its own).
Graph = Mapping[K, Sequence[tuple[K, int]]]


def _qoh_of(qoh: Mapping[K, int] | Callable[[K], int]) -> Callable[[K], int]:
    if callable(qoh):
        return qoh
    return lambda k: qoh.get(k, 0)


def derived_many(kits, graph: Graph, qoh: Mapping[K, int] | Callable[[K], int]) -> dict:
    """{kit: derived QOH} for each of `kits` (and, on the way, the kits inside them).

    `qoh` gives a plain product's QOH (a mapping, missing = 0, or a function). A kit
    without components shows 0 (nothing to sell). The graph must hold no cycle (they are
    refused when a kit is saved); a cycle met here raises ValueError rather than loop."""
    plain = _qoh_of(qoh)
    done: dict = {}
    for top in kits:
        if top in done:
            continue
        # Iterative post-order walk: kits may nest deeper than Python's recursion limit.
        stack: list = [(top, False)]
        on_path: set = set()
        while stack:
            kit, expanded = stack.pop()
            if kit in done:
                continue
            if expanded:
                on_path.discard(kit)
                done[kit] = _one(graph.get(kit, ()), done, plain, graph)
                continue
            if kit in on_path:
                raise ValueError(f"kit {kit!r} contains itself")
            on_path.add(kit)
            stack.append((kit, True))
            for comp, _qty in graph.get(kit, ()):
                if comp in graph and comp not in done:
                    if comp in on_path:
                        raise ValueError(f"kit {comp!r} contains itself")
                    stack.append((comp, False))
    return {k: done[k] for k in kits}


def _one(components, done: dict, plain: Callable, graph: Graph) -> int:
    if not components:
        return 0
    best = None
    for comp, qty in components:
        have = done[comp] if comp in graph else plain(comp)
        n = 0 if have <= 0 else have // qty
        best = n if best is None else min(best, n)
    return best


def derived_qoh(kit, graph: Graph, qoh: Mapping[K, int] | Callable[[K], int]) -> int:
    """One kit's derived QOH (see derived_many)."""
    return derived_many([kit], graph, qoh)[kit]


def limiting(kit, graph: Graph, qoh: Mapping[K, int] | Callable[[K], int]):
    """The component that limits the kit (the first one, in the kit's order, whose
    floor(QOH / quantity) is the kit's QOH); None for a kit without components."""
    components = graph.get(kit, ())
    if not components:
        return None
    plain = _qoh_of(qoh)
    inner = derived_many([c for c, _q in components if c in graph], graph, plain)
    best, who = None, None
    for comp, qty in components:
        have = inner[comp] if comp in graph else plain(comp)
        n = 0 if have <= 0 else have // qty
        if best is None or n < best:
            best, who = n, comp
    return who


# --- from the store ---------------------------------------------------------------------
def load_graph(session, kit_ids=None) -> dict[int, list[tuple[int, int]]]:
    """{kit id: [(component id, qty per kit)]} for `kit_ids` and every kit inside them
    (None: every kit), components in SKU order."""
    q = (select(KitComponent.kit_id, KitComponent.component_id, KitComponent.qty)
         .join(Product, Product.id == KitComponent.component_id)
         .order_by(KitComponent.kit_id, Product.sku))
    graph: dict[int, list[tuple[int, int]]] = {}
    if kit_ids is None:
        for kit, comp, qty in session.execute(q):
            graph.setdefault(kit, []).append((comp, qty))
        return graph
    todo = list(dict.fromkeys(kit_ids))
    seen = set(todo)
    while todo:
        chunk, todo = todo[:900], todo[900:]
        for kit, comp, qty in session.execute(q.where(KitComponent.kit_id.in_(chunk))):
            graph.setdefault(kit, []).append((comp, qty))
            if comp not in seen:
                seen.add(comp)
                todo.append(comp)  # perhaps a kit: its components are looked up too
    return graph


def kits_containing(session, product_ids) -> set[int]:
    """Every kit that contains any of `product_ids`, directly or through other kits."""
    out: set[int] = set()
    todo = list(dict.fromkeys(product_ids))
    while todo:
        chunk, todo = todo[:900], todo[900:]
        for (kit,) in session.execute(select(KitComponent.kit_id).distinct()
                                      .where(KitComponent.component_id.in_(chunk))):
            if kit not in out:
                out.add(kit)
                todo.append(kit)
    return out


def kit_qoh(session, kit_ids, available=None) -> dict[int, int]:
    """{kit id: derived QOH} for `kit_ids`. `available(product ids) -> {id: qoh}` gives
    the stocked components' quantities (a cart's warehouses, say); by default the
    store's QOH (every warehouse)."""
    kit_ids = list(kit_ids)
    if not kit_ids:
        return {}
    graph = load_graph(session, kit_ids)
    stocked = sorted({c for comps in graph.values() for c, _q in comps if c not in graph})
    if available is None:
        have: dict[int, int] = {}
        for i in range(0, len(stocked), 900):
            have.update((pid, qoh) for pid, qoh in session.execute(
                select(Product.id, Product.qoh).where(Product.id.in_(stocked[i:i + 900]))))
    else:
        have = dict(available(stocked)) if stocked else {}
    return derived_many(kit_ids, graph, have)
