"""Kits (bundles): a product made of components, each with a quantity per kit.

A kit's QOH is derived from its components (stack/kit_qoh.py holds that rule); here are
the rules for saving a kit (no kit of itself, no cycle through other kits, quantities of
at least 1), what a sale of a kit takes from each stocked component, and which kits a
component's change touches (every kit that contains it, through other kits too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from seom_desktop.inventory.errors import InventoryError, UnknownSKUError
from seom_desktop.inventory.validation import MAX_QOH, check_sku, parse_quantity
from seom_desktop.stack.kit_qoh import (
    Graph,
    derived_many,
    derived_qoh,
    kit_qoh,
    kits_containing,
    limiting,
    load_graph,
)
from seom_desktop.stack.outbox import enqueue_many
from seom_desktop.stack.states import PENDING
from seom_desktop.store.models import NOT_SENT, Cart, KitComponent, Product, StackRow, WebField
from seom_desktop.store.params import get_param

__all__ = ["Graph", "KitError", "check_components", "containing", "derived_many",
           "derived_qoh", "find_cycle", "kit_qoh", "kits_containing", "limiting",
           "parse_component", "takes"]


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



# --- kits in the store ------------------------------------------------------------------
@dataclass(frozen=True)
class ComponentView:
    sku: str
    qty: int  # per kit
    qoh: int  # its QOH (a kit: derived)
    kit: bool
    limits: bool  # this component decides the kit's QOH


@dataclass(frozen=True)
class KitView:
    sku: str
    name: str
    qoh: int
    components: tuple[ComponentView, ...]

    def as_json(self) -> dict:
        return {"sku": self.sku, "qoh": self.qoh,
                "components": [{"sku": c.sku, "qty": c.qty, "qoh": c.qoh}
                               for c in self.components]}


def _product(session: Session, sku: str, what: str = "SKU") -> tuple[int, bool]:
    check_sku(sku)
    row = session.execute(select(Product.id, Product.is_kit).where(Product.sku == sku)).first()
    if row is None:
        raise UnknownSKUError(f"unknown {what} {sku!r}")
    return row[0], bool(row[1])


def is_kit(session: Session, product_id: int) -> bool:
    return bool(session.scalar(select(Product.is_kit).where(Product.id == product_id)))


def kit_view(session: Session, sku: str) -> KitView:
    """A kit, its components (quantity per kit, QOH, which one limits it) and its QOH."""
    kit_id, kit = _product(session, sku)
    if not kit:
        raise KitError(f"{sku!r} is not a kit (kit set {sku} --component SKU:QTY makes it one)")
    graph = load_graph(session, [kit_id])
    nodes = {kit_id} | {c for comps in graph.values() for c, _q in comps}
    info = {}
    for pid, psku, qoh, pname in session.execute(
            select(Product.id, Product.sku, Product.qoh, Product.name)
            .where(Product.id.in_(nodes))):
        info[pid] = (psku, qoh, pname)
    have = {pid: qoh for pid, (_s, qoh, _n) in info.items() if pid not in graph}
    derived = derived_many([k for k in graph if k in nodes] + [kit_id], graph, have)
    lim = limiting(kit_id, graph, have)
    return KitView(sku, info[kit_id][2], derived[kit_id], tuple(
        ComponentView(info[c][0], q, derived[c] if c in graph else info[c][1], c in graph,
                      c == lim)
        for c, q in graph.get(kit_id, [])))


@dataclass(frozen=True)
class KitSaved:
    view: KitView
    created: bool  # the kit product did not exist: it was added
    touched: tuple[int, ...]  # the kit and every kit containing it (what carts show moved)


def set_kit(session: Session, *, sku: str, components: Sequence[tuple[str, object]],
            actor, name: str | None = None) -> KitSaved:
    """Make `sku` a kit of exactly these components (SKU, quantity per kit), replacing
    the ones it had. A SKU not in the store yet is added as a new product (named `name`,
    else its SKU); a product with stock of its own cannot become a kit (its QOH would
    vanish). Refused, with nothing changed: a kit of itself, a cycle through other kits,
    an unknown component, a quantity below 1."""
    check_sku(sku)
    comps = check_components(sku, [(c, q) for c, q in components])
    ids = {c: _product(session, c, "component SKU")[0] for c, _q in comps}
    row = session.execute(select(Product.id, Product.is_kit, Product.qoh)
                          .where(Product.sku == sku).with_for_update()).first()
    graph = load_graph(session)
    new = [(ids[c], q) for c, q in comps]
    if row is not None:
        cycle = find_cycle(row[0], new, graph)
        if cycle:
            skus = {pid: psku for pid, psku in session.execute(
                select(Product.id, Product.sku).where(Product.id.in_(set(cycle))))}
            raise KitError(f"kit {sku!r} would contain itself: "
                           + " > ".join(skus[p] for p in cycle))
        if not row[1] and row[2] != 0:
            raise KitError(f"{sku!r} has QOH {row[2]} of its own; a kit holds no stock (its QOH "
                           "comes from its components): adjust it to 0 first, or give the "
                           "kit another SKU")
    created = row is None
    if created:
        from seom_desktop.inventory.products import add_product  # products imports operations

        kit_id = add_product(session, sku=sku, name=sku if name is None else name, actor=actor)
    else:
        kit_id = row[0]
    session.execute(delete(KitComponent).where(KitComponent.kit_id == kit_id))
    session.execute(insert(KitComponent), [{"kit_id": kit_id, "component_id": c, "qty": q}
                                           for c, q in new])
    session.execute(update(Product).where(Product.id == kit_id).values(is_kit=True))
    session.flush()
    touched = (kit_id, *sorted(kits_containing(session, [kit_id])))
    return KitSaved(kit_view(session, sku), created, touched)


def remove_kit(session: Session, *, sku: str) -> tuple[int, ...]:
    """`sku` is no kit any more: its components are dropped and it is a product with no
    stock (QOH 0, as a kit always has). Refused while another kit contains it."""
    kit_id, kit = _product(session, sku)
    if not kit:
        raise KitError(f"{sku!r} is not a kit")
    users = session.scalars(select(Product.sku).join(KitComponent, KitComponent.kit_id == Product.id)
                            .where(KitComponent.component_id == kit_id)
                            .order_by(Product.sku)).all()
    if users:
        raise KitError(f"kit {sku!r} is a component of kit(s) {', '.join(map(repr, users))}: "
                       "remove it from them first")
    session.execute(delete(KitComponent).where(KitComponent.kit_id == kit_id))
    session.execute(update(Product).where(Product.id == kit_id).values(is_kit=False))
    session.flush()
    return (kit_id,)


def touch(session: Session, kit_ids: Iterable[int], *, actor) -> tuple[int, ...]:
    """What these kits should show may have moved (a component changed, or the kit's
    components): queue a row (change 0) for each synced cart that syncs the kit, except
    where one is already pending for that (cart, kit): that row is sent with the kit's
    QOH as it is when sent, so a component in 1,000 kits changed 1,000 times leaves at
    most one pending row per kit per cart. How many rows were added.

    The pending rows are locked first (FOR UPDATE on PostgreSQL; SQLite's write lock is
    held already): a controller claiming one of them at this moment either waits for
    this transaction (and then reads the new QOH) or has claimed it already (then it is
    no longer pending and a new row is added)."""
    kits = sorted(set(kit_ids))
    if not kits or not get_param(session, "SynchQOH"):
        return ()
    rows = []
    for i in range(0, len(kits), 900):
        part = kits[i:i + 900]
        session.execute(select(StackRow.id).where(StackRow.product_id.in_(part),
                                                  StackRow.state == PENDING, NOT_SENT)
                        .with_for_update())
        pending = (select(StackRow.id)
                   .where(StackRow.cart_id == Cart.id, StackRow.product_id == Product.id,
                          StackRow.state == PENDING, NOT_SENT))
        q = (select(Cart.id, Product.id).join(Product, Product.id.in_(part))
             .outerjoin(WebField, and_(WebField.cart_id == Cart.id,
                                       WebField.product_id == Product.id))
             .where(Cart.sync.is_(True), or_(WebField.id.is_(None), WebField.sync.is_(True)),
                    ~pending.exists())
             .order_by(Cart.id, Product.id))
        rows.extend((c, p, 0, None) for c, p in session.execute(q))
    return tuple(enqueue_many(session, rows, workstation=actor.workstation))


def kit_id_of(session: Session, sku: str) -> int | None:
    """The product's id when `sku` is a kit, else None."""
    return session.scalar(select(Product.id).where(Product.sku == sku, Product.is_kit.is_(True)))


def refuse_stock_change(sku: str) -> KitError:
    """The error for a change of a kit's own QOH (Adjust Inventory, Receive PO, a pull)."""
    return KitError(f"{sku!r} is a kit: its QOH comes from its components; change theirs "
                    f"instead (kit show {sku} lists them)")


def sale_parts(session: Session, kit_id: int, quantity: int) -> list[tuple[int, str, int]]:
    """What selling `quantity` of a kit takes: [(component id, SKU, units)], stocked
    components only (inner kits multiplied through), in id order (one lock order for
    every sale, so two sales of kits sharing parts cannot deadlock)."""
    parts = takes(kit_id, quantity, load_graph(session, [kit_id]))
    if not parts:
        sku = session.scalar(select(Product.sku).where(Product.id == kit_id))
        raise KitError(f"kit {sku!r} has no components to sell")
    skus = {pid: sku for pid, sku in session.execute(
        select(Product.id, Product.sku).where(Product.id.in_(list(parts))))}
    return [(pid, skus[pid], parts[pid]) for pid in sorted(parts)]
