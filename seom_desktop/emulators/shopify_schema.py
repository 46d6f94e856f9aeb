"""The Shopify Admin GraphQL schema subset (SDL in `shopify_sdl`) built for
graphql-core, and the Shopify behaviour around execution other than cost (in
`shopify_cost`): the shape of validation errors, cursor pagination and the search syntax
of the `query:` argument.
"""

from __future__ import annotations

import base64
import contextvars
import json
import re
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError, build_schema
from graphql.language import Visitor, visit

from seom_desktop.emulators.shopify_cost import MAX_QUERY_COST, Bucket, query_cost
from seom_desktop.emulators.shopify_sdl import SDL

GID = "gid://shopify/{}/{}"
SCHEMA = build_schema(SDL)
IDEMPOTENT = SCHEMA.get_directive("idempotent")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


# --- pagination, search ---------------------------------------------------------------

MAX_PAGE = 250
# Set while a bulk operation runs its query: a connection without first/last gives every
# row (bulk queries page themselves; `shopify_bulk`).
UNBOUNDED: contextvars.ContextVar[bool] = contextvars.ContextVar("unbounded", default=False)


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
    if first is None and last is None and UNBOUNDED.get():
        first = len(rows)
    elif first is None and last is None:
        raise GraphQLError("you must provide one of first or last",
                           extensions={"code": "BAD_REQUEST"})
    for n in (first, last):
        if n is not None and not 0 <= n <= MAX_PAGE and not UNBOUNDED.get():
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


__all__ = ["GID", "now_iso", "SCHEMA", "SDL", "IDEMPOTENT", "MAX_QUERY_COST", "UNBOUNDED", "query_cost", "parse_error",
           "validation_errors", "variable_errors", "Bucket", "connection", "search_terms"]

