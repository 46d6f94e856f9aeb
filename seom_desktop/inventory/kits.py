"""Kits (bundles): a product made of components, each with a quantity per kit.

A kit's QOH is derived from its components (stack/kit_qoh.py holds that rule); here are
the rules for saving a kit (no kit of itself, no cycle through other kits, quantities of
at least 1), what a sale of a kit takes from each stocked component, and which kits a
component's change touches (every kit that contains it, through other kits too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.validation import MAX_QOH, check_sku, parse_quantity
from seom_desktop.stack.kit_qoh import Graph, derived_many, derived_qoh, limiting

__all__ = ["Graph", "KitError", "check_components", "containing", "derived_many",
           "derived_qoh", "find_cycle", "limiting", "parse_component", "takes"]


class KitError(InventoryError):
    """A kit that cannot be saved or used as asked."""


def parse_component(text: str) -> tuple[str, int]:
    """'SKU:QTY' as typed on the command line (the SKU may hold colons; the quantity is
    after the last one)."""
    if not isinstance(text, str) or ":" not in text:
        raise KitError(f"component {text!r} is not SKU:QTY (e.g. CUP:2)")
    sku, _, qty = text.rpartition(":")
    if not sku:
        raise KitError(f"component {text!r} has no SKU before the ':' (SKU:QTY, e.g. CUP:2)")
    try:
        check_sku(sku)
    except InventoryError as e:
        raise KitError(f"component {text!r}: {e}") from None
    return sku, parse_component_qty(qty, sku)


def parse_component_qty(value: object, sku: str) -> int:
    try:
        return parse_quantity(value, f"quantity of {sku!r} per kit", minimum=1,
                              maximum=MAX_QOH)
    except InventoryError as e:
        raise KitError(str(e)) from None


def check_components(kit, components: Sequence[tuple[object, int]]) -> list[tuple[object, int]]:
    """A kit's new component list, checked: not empty, no component twice, not the kit
    itself, each quantity a whole number of at least 1."""
    if not components:
        raise KitError(f"kit {kit!r} needs at least one component")
    seen: set = set()
    out = []
    for comp, qty in components:
        if comp == kit:
            raise KitError(f"kit {kit!r} cannot contain itself")
        if comp in seen:
            raise KitError(f"component {comp!r} is given twice for kit {kit!r} "
                           "(give it once with the total quantity per kit)")
        seen.add(comp)
        out.append((comp, parse_component_qty(qty, str(comp))))
    return out


def find_cycle(kit, components: Iterable[tuple[object, int]], graph: Graph) -> list | None:
    """If `kit` with these components would contain itself through other kits, the path
    [kit, c1, ..., kit]; else None. `graph` is the kits as saved (`kit`'s own entry in
    it is ignored: `components` replace it)."""
    parent: dict = {}
    todo = []
    for comp, _qty in components:
        if comp == kit:
            return [kit, kit]
        if comp not in parent:
            parent[comp] = kit
            todo.append(comp)
    while todo:
        node = todo.pop(0)
        for comp, _qty in graph.get(node, ()):
            if comp == kit:
                path = [node]
                while parent[path[-1]] != kit:
                    path.append(parent[path[-1]])
                return [kit, *reversed(path), kit]
            if comp not in parent:
                parent[comp] = node
                todo.append(comp)
    return None


def takes(kit, quantity: int, graph: Graph) -> dict:
    """What selling `quantity` of `kit` takes from each stocked (non-kit) component:
    {component: units}, components of inner kits multiplied through, in first-seen
    order."""
    out: dict = {}
    todo = [(kit, quantity)]
    while todo:
        node, n = todo.pop(0)
        for comp, qty in graph.get(node, ()):
            if comp in graph:
                todo.append((comp, n * qty))
            else:
                out[comp] = out.get(comp, 0) + n * qty
    return out


def containing(products: Iterable, graph: Graph) -> set:
    """Every kit that contains any of `products`, directly or through other kits."""
    used_in: dict = {}
    for k, comps in graph.items():
        for comp, _qty in comps:
            used_in.setdefault(comp, []).append(k)
    out: set = set()
    todo = list(products)
    while todo:
        node = todo.pop()
        for k in used_in.get(node, ()):
            if k not in out:
                out.add(k)
                todo.append(k)
    return out


def graph_with(graph: Graph, kit, components: Sequence[tuple[object, int]] | None) -> dict:
    """A copy of `graph` with `kit`'s components replaced (None: the kit removed)."""
    g: dict = {k: list(v) for k, v in graph.items() if k != kit}
    if components is not None:
        g[kit] = list(components)
    return g

