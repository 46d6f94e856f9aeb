"""The subset of the Shopify Admin GraphQL schema (API version 2026-04) that the Shopify
emulator executes, with the Shopify behaviour that sits around execution: the calculated
query cost and its leaky bucket, the shape of validation errors, cursor pagination and
the search syntax of the `query:` argument.

Names, nullability and arguments follow the 2026-04 reference on shopify.dev
(QueryRoot, Mutation, ProductVariant, InventoryItem, InventoryLevel, InventoryQuantity,
Location, Order, LineItem, InventoryAdjustQuantitiesInput / InventoryChangeInput,
InventorySetQuantitiesInput / InventoryQuantityInput, the user-error code enums).
`changeFromQuantity` is a nullable Int in the schema: Shopify makes it mandatory at run
time ("must include the following argument"), which the emulator checks itself; the
`@idempotent(key:)` directive is likewise declared optional and required at run time.

Cost (shopify.dev "GraphQL Admin API rate limits"): scalars and enums cost 0, an object
1, a connection 2 plus `first` (or `last`) times the cost of one node, a mutation 10.
Lists that are not connections cost nothing themselves (a captured 2026-04
inventorySetQuantities response reports requestedQueryCost 13 for a group, an item and a
location under a mutation). The actual cost counts the nodes really returned.
"""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    get_named_type,
    is_leaf_type,
)
from graphql.language import Visitor, visit

SDL = r'''
schema { query: QueryRoot mutation: Mutation }

"Makes a mutation safe to retry: the same key is applied once."
directive @idempotent(key: String!) on FIELD

scalar DateTime

type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }

type Shop { id: ID! name: String! myshopifyDomain: String! currencyCode: String! }

type Location { id: ID! name: String! isActive: Boolean! }
type LocationEdge { cursor: String! node: Location! }
type LocationConnection { edges: [LocationEdge!]! nodes: [Location!]! pageInfo: PageInfo! }
enum LocationSortKeys { ID NAME RELEVANCE }

type Product { id: ID! title: String! }

type ProductVariant {
  id: ID!
  sku: String
  title: String!
  displayName: String!
  inventoryQuantity: Int
  product: Product!
  inventoryItem: InventoryItem!
}
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariantConnection { edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo! }
enum ProductVariantSortKeys { ID SKU TITLE NAME INVENTORY_QUANTITY POSITION RELEVANCE }

type InventoryQuantity { id: ID! name: String! quantity: Int! updatedAt: DateTime }
type InventoryLevel {
  id: ID!
  location: Location!
  item: InventoryItem!
  quantities(names: [String!]!): [InventoryQuantity!]!
}
type InventoryItem {
  id: ID!
  sku: String
  tracked: Boolean!
  variant: ProductVariant!
  inventoryLevel(locationId: ID!): InventoryLevel
}
type InventoryItemEdge { cursor: String! node: InventoryItem! }
type InventoryItemConnection { edges: [InventoryItemEdge!]! nodes: [InventoryItem!]! pageInfo: PageInfo! }

enum OrderDisplayFinancialStatus {
  PENDING AUTHORIZED PARTIALLY_PAID PARTIALLY_REFUNDED VOIDED PAID REFUNDED EXPIRED
}
enum OrderSortKeys { CREATED_AT ID NUMBER PROCESSED_AT UPDATED_AT RELEVANCE }
type LineItem { id: ID! sku: String name: String! title: String! quantity: Int! }
type LineItemEdge { cursor: String! node: LineItem! }
type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }
type Order {
  id: ID!
  name: String!
  createdAt: DateTime!
  cancelledAt: DateTime
  displayFinancialStatus: OrderDisplayFinancialStatus
  lineItems(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): LineItemConnection!
}
type OrderEdge { cursor: String! node: Order! }
type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }

type QueryRoot {
  shop: Shop!
  location(id: ID): Location
  locations(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
            sortKey: LocationSortKeys = NAME, query: String, includeLegacy: Boolean = false,
            includeInactive: Boolean = false): LocationConnection!
  productVariant(id: ID!): ProductVariant
  productVariants(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
                  sortKey: ProductVariantSortKeys = ID, query: String): ProductVariantConnection!
  inventoryItem(id: ID!): InventoryItem
  inventoryItems(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
                 query: String): InventoryItemConnection!
  order(id: ID!): Order
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
         sortKey: OrderSortKeys = PROCESSED_AT, query: String): OrderConnection!
}

input InventoryChangeInput {
  delta: Int!
  changeFromQuantity: Int
  inventoryItemId: ID!
  locationId: ID!
  ledgerDocumentUri: String
}
input InventoryAdjustQuantitiesInput {
  reason: String!
  name: String!
  referenceDocumentUri: String
  changes: [InventoryChangeInput!]!
}
input InventoryQuantityInput { inventoryItemId: ID! locationId: ID! quantity: Int! changeFromQuantity: Int }
input InventorySetQuantitiesInput {
  reason: String!
  name: String!
  referenceDocumentUri: String
  quantities: [InventoryQuantityInput!]!
}

type InventoryChange {
  name: String!
  delta: Int!
  quantityAfterChange: Int
  ledgerDocumentUri: String
  item: InventoryItem
  location: Location
}
type InventoryAdjustmentGroup {
  id: ID!
  createdAt: DateTime!
  reason: String!
  referenceDocumentUri: String
  changes(inventoryItemIds: [ID!], locationIds: [ID!], quantityNames: [String!]): [InventoryChange!]!
}

enum InventoryAdjustQuantitiesUserErrorCode {
  ADJUST_QUANTITIES_FAILED CHANGE_FROM_QUANTITY_STALE IDEMPOTENCY_CONCURRENT_REQUEST
  IDEMPOTENCY_KEY_PARAMETER_MISMATCH INTERNAL_LEDGER_DOCUMENT INVALID_AVAILABLE_DOCUMENT
  INVALID_INVENTORY_ITEM INVALID_LEDGER_DOCUMENT INVALID_LOCATION INVALID_QUANTITY_DOCUMENT
  INVALID_QUANTITY_NAME INVALID_QUANTITY_TOO_HIGH INVALID_QUANTITY_TOO_LOW INVALID_REASON
  INVALID_REFERENCE_DOCUMENT ITEM_NOT_STOCKED_AT_LOCATION MAX_ONE_LEDGER_DOCUMENT
  NON_MUTABLE_INVENTORY_ITEM SERVICE_UNAVAILABLE
}
type InventoryAdjustQuantitiesUserError {
  code: InventoryAdjustQuantitiesUserErrorCode
  field: [String!]
  message: String!
}
type InventoryAdjustQuantitiesPayload {
  inventoryAdjustmentGroup: InventoryAdjustmentGroup
  userErrors: [InventoryAdjustQuantitiesUserError!]!
}

enum InventorySetQuantitiesUserErrorCode {
  CHANGE_FROM_QUANTITY_STALE IDEMPOTENCY_CONCURRENT_REQUEST IDEMPOTENCY_KEY_PARAMETER_MISMATCH
  INVALID_INVENTORY_ITEM INVALID_LOCATION INVALID_NAME INVALID_QUANTITY_NEGATIVE
  INVALID_QUANTITY_TOO_HIGH INVALID_QUANTITY_TOO_LOW INVALID_REASON INVALID_REFERENCE_DOCUMENT
  ITEM_NOT_STOCKED_AT_LOCATION NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR
  NON_MUTABLE_INVENTORY_ITEM
}
type InventorySetQuantitiesUserError {
  code: InventorySetQuantitiesUserErrorCode
  field: [String!]
  message: String!
}
type InventorySetQuantitiesPayload {
  inventoryAdjustmentGroup: InventoryAdjustmentGroup
  userErrors: [InventorySetQuantitiesUserError!]!
}

type Mutation {
  inventoryAdjustQuantities(input: InventoryAdjustQuantitiesInput!): InventoryAdjustQuantitiesPayload
  inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
}
'''

SCHEMA = build_schema(SDL)
IDEMPOTENT = SCHEMA.get_directive("idempotent")
MUTATION_COST = 10
MAX_QUERY_COST = 1000


# --- cost -----------------------------------------------------------------------------


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


def query_cost(document, operation: OperationDefinitionNode, variables: dict | None,
               data: Any = None, *, actual: bool = False) -> int:
    """The requested cost of `operation` (before running it), or with `actual=True` the
    cost of what `data` really holds."""
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    calc = _Cost(fragments, variables)
    if operation.operation == OperationType.MUTATION:
        total = 0
        for node in _fields(operation.selection_set, fragments):
            fdef = SCHEMA.mutation_type.fields.get(node.name.value)
            if fdef is None:
                continue
            key = node.alias.value if node.alias else node.name.value
            value = data.get(key) if isinstance(data, dict) else None
            total += MUTATION_COST
            if actual and value is None:
                continue
            total += calc.selection(node.selection_set, get_named_type(fdef.type), value, actual)
        return total
    return calc.selection(operation.selection_set, SCHEMA.query_type, data, actual)


# --- Shopify-shaped errors ------------------------------------------------------------


def parse_error(err: GraphQLError) -> dict:
    """graphql-core's syntax error in Shopify's words ("syntax error, ... at [l, c]")."""
    loc = err.locations[0] if err.locations else None
    desc = (err.message or "").removeprefix("Syntax Error: ").rstrip(".")
    desc = desc.replace("<EOF>", "end of file")
    where = f" at [{loc.line}, {loc.column}]" if loc else ""
    out: dict[str, Any] = {"message": f"syntax error, {desc[:1].lower()}{desc[1:]}{where}"}
    if loc:
        out["locations"] = [{"line": loc.line, "column": loc.column}]
    out["extensions"] = {"code": "PARSE_ERROR"}
    return out


class _Paths(Visitor):
    """Shopify names a validation error by its path: "query Name", then field names."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.paths: dict[int, list[str]] = {}

    def enter_operation_definition(self, node, *_):
        op = node.operation.value
        self.stack = [f"{op} {node.name.value}" if node.name else op]

    def enter_field(self, node, *_):
        self.stack.append(node.alias.value if node.alias else node.name.value)
        self.paths[id(node)] = list(self.stack)

    def leave_field(self, *_):
        self.stack.pop()


_RULES = [
    (re.compile(r"Cannot query field '(?P<f>\w+)' on type '(?P<t>\w+)'\."),
     lambda m: (f"Field '{m['f']}' doesn't exist on type '{m['t']}'",
                {"code": "undefinedField", "typeName": m["t"], "fieldName": m["f"]})),
    (re.compile(r"Unknown argument '(?P<a>\w+)' on field '(?P<t>\w+)\.(?P<f>\w+)'\."),
     lambda m: (f"Field '{m['f']}' doesn't accept argument '{m['a']}'",
                {"code": "argumentNotAccepted", "name": m["f"], "typeName": "Field",
                 "argumentName": m["a"]})),
    (re.compile(r"Field '(?P<f>\w+)' of type '(?P<t>[\w!\[\]]+)' must have a selection of subfields"),
     lambda m: (f"Field must have selections (field '{m['f']}' returns {m['t'].strip('[]!')} "
                f"but has no selections. Did you mean '{m['f']} {{ ... }}'?)",
                {"code": "selectionMismatch", "nodeName": f"field '{m['f']}'",
                 "typeName": m["t"].strip("[]!")})),
    (re.compile(r"Field '(?P<f>\w+)' argument '(?P<a>\w+)' of type '.*' is required"),
     lambda m: (f"Field '{m['f']}' is missing required arguments: {m['a']}",
                {"code": "missingRequiredArguments", "className": "Field", "name": m["f"],
                 "arguments": m["a"]})),
    (re.compile(r"Unknown directive '@(?P<d>\w+)'\."),
     lambda m: (f"Directive @{m['d']} is not defined",
                {"code": "undefinedDirective", "directiveName": m["d"]})),
]


def validation_errors(document, errors: list[GraphQLError]) -> list[dict]:
    """graphql-core validation errors reshaped as Shopify answers them (200, `errors`
    only, Shopify's message wording and `extensions.code`)."""
    paths = _Paths()
    visit(document, paths)
    out = []
    for err in errors:
        message, ext = err.message, {"code": "GRAPHQL_VALIDATION_FAILED"}
        for rx, shape in _RULES:
            m = rx.search(err.message)
            if m:
                message, ext = shape(m)
                break
        item: dict[str, Any] = {"message": message}
        if err.locations:
            item["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
        node = err.nodes[0] if err.nodes else None
        if node is not None and id(node) in paths.paths:
            item["path"] = paths.paths[id(node)]
        item["extensions"] = ext
        out.append(item)
    return out


def variable_errors(errors: list[GraphQLError]) -> list[dict]:
    """Variable coercion failures, as Shopify's INVALID_VARIABLE errors."""
    out = []
    for err in errors:
        item: dict[str, Any] = {"message": err.message}
        if err.locations:
            item["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
        item["extensions"] = {"code": "INVALID_VARIABLE"}
        out.append(item)
    return out


# --- pagination, search, rate limit ---------------------------------------------------

MAX_PAGE = 250


class Bucket:
    """Shopify's leaky bucket of query-cost points."""

    def __init__(self, maximum: float = 2000.0, restore_rate: float = 100.0):
        self.maximum = maximum
        self.restore_rate = restore_rate
        self._level = maximum
        self._at = time.monotonic()

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


def _cursor(key: tuple) -> str:
    return base64.b64encode(json.dumps({"last_id": key[-1], "last_value": key[0]}).encode()).decode()


def _uncursor(cursor: str) -> tuple:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return (data["last_value"], data["last_id"])
    except (ValueError, KeyError, TypeError):
        raise GraphQLError("Invalid cursor for current pagination sort.",
                           extensions={"code": "INVALID_CURSOR"}) from None


def connection(rows: list, sort_key, to_node, args: dict) -> dict:
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last",
                           extensions={"code": "BAD_REQUEST"})
    for n in (first, last):
        if n is not None and not 0 <= n <= MAX_PAGE:
            raise GraphQLError(f"The first/last argument must be between 0 and {MAX_PAGE}",
                               extensions={"code": "BAD_REQUEST"})
    keyed = sorted(((sort_key(r), r) for r in rows), key=lambda kr: kr[0],
                   reverse=bool(args.get("reverse")))
    cmp = (lambda a, b: a < b) if args.get("reverse") else (lambda a, b: a > b)
    if args.get("after"):
        after = _uncursor(args["after"])
        keyed = [kr for kr in keyed if cmp(kr[0], after)]
    if args.get("before"):
        before = _uncursor(args["before"])
        keyed = [kr for kr in keyed if cmp(before, kr[0])]
    more_after = more_before = False
    if first is not None and len(keyed) > first:
        keyed, more_after = keyed[:first], True
    if last is not None and len(keyed) > last:
        keyed, more_before = keyed[len(keyed) - last:], True
    edges = [{"cursor": _cursor(k), "node": to_node(r)} for k, r in keyed]
    return {"edges": edges, "nodes": [e["node"] for e in edges],
            "pageInfo": {"hasNextPage": more_after, "hasPreviousPage": more_before,
                         "startCursor": edges[0]["cursor"] if edges else None,
                         "endCursor": edges[-1]["cursor"] if edges else None}}


_TERM = re.compile(r'(\w+):(>=|<=|>|<)?("(?:[^"\\]|\\.)*"|\'[^\']*\'|\S+)')


def search_terms(query: str | None) -> list[tuple[str, str, str]]:
    """`sku:A OR sku:"B C"` -> [("sku", "", "A"), ("sku", "", "B C")]."""
    out = []
    for m in _TERM.finditer(query or ""):
        value = m.group(3)
        if value[:1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif value[:1] == "'":
            value = value[1:-1]
        out.append((m.group(1).lower(), m.group(2) or "", value))
    return out


__all__ = ["SCHEMA", "SDL", "IDEMPOTENT", "MAX_QUERY_COST", "query_cost", "parse_error",
           "validation_errors", "variable_errors", "Bucket", "connection", "search_terms"]
