"""Shopify's calculated query cost and its leaky bucket, as the emulator charges them.

shopify.dev, "GraphQL Admin API rate limits" (docs/apps/build/apis/graphql-admin/
rate-limits), cost calculation: a field returning a scalar or an enum costs 0, an object
1, a connection 2 plus `first` (or `last`) times the cost of one node, and a mutation 10.
The mutation's 10 does not grow with its input: 250 changes in one
inventorySetQuantities cost what one does (Shopify's changelog lists the few mutations
that moved to "dynamic complexity", metafieldsSet, productCreate and productUpdate; the
inventory mutations are not among them). What the mutation's payload selects is added as
for a query. Lists that are not connections cost nothing themselves (a captured 2026-04
inventorySetQuantities answer reports requestedQueryCost 13 for a group, an item and a
location under a mutation). The actual cost counts the nodes really returned; a query is
admitted against its requested cost and charged its actual cost.

The bucket of each plan (`PLANS`): the restore rates are shopify.dev's table ("GraphQL
Admin API rate limits", docs/apps/build/apis/graphql-admin/rate-limits: Standard 100
points/s, Advanced 200, Plus 1000, Commerce Components 2000). The page names no bucket
size; recorded answers hold 20 seconds of restore: Standard maximumAvailable 2000 with
restoreRate 100 (the issue's live store), Advanced 4000 / 200 (answers quoted in
Shopify/shopify-api-ruby's documentation), Plus 20000 / 1000 (microsoft/BCApps, Shopify
connector test "Shpfy Customer API Test"); Commerce Components is taken as 40000 / 2000
by the same ratio (no recording found). `throttleStatus` reports maximumAvailable,
currentlyAvailable and restoreRate.
"""

from __future__ import annotations

import time
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    is_leaf_type,
)

MUTATION_COST = 10
MAX_QUERY_COST = 1000
# plan -> (bucket size, restore rate per second)
PLANS = {"standard": (2000.0, 100.0), "advanced": (4000.0, 200.0), "plus": (20000.0, 1000.0),
         "enterprise": (40000.0, 2000.0)}


def _arg(node: FieldNode, name: str, variables: dict[str, Any]) -> Any:
    for a in node.arguments or ():
        if a.name.value == name:
            v = a.value
            if v.kind == "variable":
                return variables.get(v.name.value)
            return getattr(v, "value", None)
    return None


def _fields(selection_set, fragments) -> list[FieldNode]:
    out: list[FieldNode] = []
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            out.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            out.extend(_fields(sel.selection_set, fragments))
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            out.extend(_fields(fragments[sel.name.value].selection_set, fragments))
    return out


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


class _Cost:
    def __init__(self, fragments, variables):
        self.fragments = fragments
        self.variables = variables or {}

    def selection(self, selection_set, parent: GraphQLObjectType, data: Any, actual: bool) -> int:
        total = 0
        for node in _fields(selection_set, self.fragments):
            fdef = parent.fields.get(node.name.value)
            if fdef is None:
                continue
            key = node.alias.value if node.alias else node.name.value
            value = data.get(key) if isinstance(data, dict) else None
            if actual and value is None:
                continue
            total += self.field(node, fdef.type, value, actual)
        return total

    def field(self, node: FieldNode, gtype, value: Any, actual: bool) -> int:
        named = get_named_type(gtype)
        if is_leaf_type(named):
            return 0
        inner = gtype.of_type if isinstance(gtype, GraphQLNonNull) else gtype
        if named.name.endswith("Connection"):
            return self.connection(node, named, value, actual)
        if isinstance(inner, GraphQLList):
            item = value[0] if actual and value else None
            if actual and not value:
                return 0
            return self.selection(node.selection_set, named, item, actual)
        return 1 + self.selection(node.selection_set, named, value, actual)

    def connection(self, node: FieldNode, conn: GraphQLObjectType, value: Any, actual: bool) -> int:
        node_type = get_named_type(conn.fields["nodes"].type)
        per_node = 0
        returned = 0
        for sub in _fields(node.selection_set, self.fragments):
            key = sub.alias.value if sub.alias else sub.name.value
            if sub.name.value == "nodes":
                items = value.get(key) if isinstance(value, dict) else None
                sample = items[0] if actual and items else None
                per_node = max(per_node, 1 + self.selection(sub.selection_set, node_type, sample, actual))
                returned = max(returned, len(items or ()))
            elif sub.name.value == "edges":
                edges = value.get(key) if isinstance(value, dict) else None
                for esub in _fields(sub.selection_set, self.fragments):
                    if esub.name.value != "node":
                        continue
                    ekey = esub.alias.value if esub.alias else "node"
                    sample = edges[0].get(ekey) if actual and edges else None
                    per_node = max(per_node,
                                   1 + self.selection(esub.selection_set, node_type, sample, actual))
                returned = max(returned, len(edges or ()))
        size = returned if actual else _int(_arg(node, "first", self.variables)
                                            or _arg(node, "last", self.variables))
        return 2 + size * per_node


def query_cost(schema: GraphQLSchema, document, operation: OperationDefinitionNode,
               variables: dict | None, data: Any = None, *, actual: bool = False) -> int:
    """The requested cost of `operation` (before running it), or with `actual=True` the
    cost of what `data` really holds."""
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    calc = _Cost(fragments, variables)
    if operation.operation == OperationType.MUTATION:
        total = 0
        for node in _fields(operation.selection_set, fragments):
            fdef = schema.mutation_type.fields.get(node.name.value)
            if fdef is None:
                continue
            key = node.alias.value if node.alias else node.name.value
            value = data.get(key) if isinstance(data, dict) else None
            total += MUTATION_COST
            if actual and value is None:
                continue
            total += calc.selection(node.selection_set, get_named_type(fdef.type), value, actual)
        return total
    return calc.selection(operation.selection_set, schema.query_type, data, actual)


class Bucket:
    """Shopify's leaky bucket of query-cost points."""

    def __init__(self, maximum: float = 2000.0, restore_rate: float = 100.0):
        if maximum <= 0 or restore_rate <= 0:
            raise ValueError("a cost bucket needs a positive size and restore rate")
        self.maximum = maximum
        self.restore_rate = restore_rate
        self._level = maximum
        self._at = time.monotonic()

    @classmethod
    def for_plan(cls, plan: str) -> Bucket:
        try:
            maximum, rate = PLANS[plan.strip().lower()]
        except KeyError:
            raise ValueError(f"unknown Shopify plan {plan!r} (plans: {', '.join(PLANS)})") from None
        return cls(maximum, rate)

    def available(self) -> float:
        t = time.monotonic()
        self._level = min(self.maximum, self._level + (t - self._at) * self.restore_rate)
        self._at = t
        return self._level

    def set_available(self, points: float) -> None:
        self.available()
        self._level = max(0.0, min(self.maximum, points))

    def spend(self, points: float) -> None:
        self._level = max(0.0, self.available() - points)

    def status(self) -> dict:
        def num(x: float) -> float | int:
            return int(x) if float(x).is_integer() else x

        return {"maximumAvailable": num(self.maximum), "currentlyAvailable": int(self.available()),
                "restoreRate": num(self.restore_rate)}



__all__ = ["MUTATION_COST", "MAX_QUERY_COST", "PLANS", "query_cost", "Bucket"]
