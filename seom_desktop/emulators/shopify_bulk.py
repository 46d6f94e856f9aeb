"""Bulk query operations of the Shopify emulator (Admin API 2026-04).

What is reproduced, and where it comes from:

- `bulkOperationRunQuery(query:, groupObjects:)` answers the new operation with status
  CREATED; the query must be valid against the schema, hold at least one connection, at
  most five, nested at most two levels (shopify.dev, mutations/bulkOperationRunQuery).
- One bulk query operation runs at a time per shop: another one is refused with the user
  error Shopify answers, `{"field": null, "message": "A bulk query operation for this app
  and shop is already in progress: gid://shopify/BulkOperation/N.", "code":
  "OPERATION_IN_PROGRESS"}` (recorded in airbytehq/airbyte, source-shopify
  shopify_graphql/bulk/job.py). (Mechanic's documentation says 2026-01 allows five at
  once; shopify.dev's own 2026-07 pages still say one: the emulator keeps the stricter.)
- Status CREATED -> RUNNING -> COMPLETED, `objectCount` / `rootObjectCount` counting up
  while it runs, then `url` (a JSONL file served by this same loopback server, at a path
  carrying a signature and no access token) and `fileSize` in bytes; UnsignedInt64 values
  are strings (`"objectCount": "57"` in Shopify/shopify_api's README). With
  `groupObjects: false` each node is one line, and a node of a nested connection carries
  `__parentId` (the parent's id) and is not kept next to its parent (shopify.dev changelog
  "Bulk operations group objects default changed to false", 2026-01).
- FAILED (with `errorCode` ACCESS_DENIED, INTERNAL_SERVER_ERROR or TIMEOUT and, when some
  data was read, `partialDataUrl`), CANCELED (`bulkOperationCancel`, or the shop's admin)
  and EXPIRED (a result no longer downloadable) happen on demand (`script`, `cancel_all`).

The processing rate: RATE objects a second after START_DELAY seconds in CREATED. No
published throughput figure was found. What is published spans "around 6 minutes" for a
handful of products, queueing included (PostHog/posthog.com#9754) to 2-3 hours for 10,000+
products with grouped output (Shopify/shopify-api-ruby#876); Shopify's own CLI polls every
second for the first ten polls and then every 5 s (Shopify/cli#6695), i.e. it expects
small operations to finish within seconds; Shopify/shopify_api's README example shows 57
objects created 17:16:35 and completed 17:23:25 (queueing, not throughput). RATE = 1,000
objects/s (100,000 variants in 100 s) and START_DELAY = 0.3 s are stated assumptions, not
measurements; bench/README.md gives the figures at them and what they would have to be
for the bulk read to lose its 20-fold lead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLError,
    IntValueNode,
    NameNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    execute,
    get_named_type,
    get_operation_ast,
    parse,
    validate,
)

from seom_desktop.emulators.base import Response
from seom_desktop.emulators.shopify_schema import GID, SCHEMA, UNBOUNDED

RATE = 1000.0  # objects a second
START_DELAY = 0.3  # seconds in CREATED
PAGE = 250  # nodes the emulator reads from its own store at a time, under its lock
MAX_CONNECTIONS = 5
MAX_DEPTH = 2
PATH = "/bulk-results/"
_PAGE_INFO = "seomBulkPageInfo"


@dataclass
class Operation:
    num: int
    query: str
    started: float  # monotonic
    created: datetime
    lines: list[bytes] = field(default_factory=list)
    roots: list[int] = field(default_factory=list)  # running count of root lines per line
    built: bool = False
    build_error: str = ""
    cancelled_at: float | None = None
    fail: str = ""  # a scripted FAILED errorCode
    fail_after: float = 0.5  # the share of objects read before a scripted failure
    partial: bool = True
    expired: bool = False

    @property
    def gid(self) -> str:
        return GID.format("BulkOperation", self.num)


def _iso(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


class BulkOperations:
    """The bulk query operations of one emulated shop."""

    def __init__(self, emulator, *, rate: float = RATE, start_delay: float = START_DELAY):
        self.emu = emulator
        self.rate, self.start_delay = rate, start_delay
        self.ops: dict[int, Operation] = {}
        self.runs = 0  # bulkOperationRunQuery calls that started an operation
        self._key = secrets.token_bytes(16)
        self._script: dict[str, Any] | None = None

    # --- test controls ---------------------------------------------------------------
    def script(self, status: str, *, error_code: str = "TIMEOUT", partial: bool = True,
               after: float = 0.5) -> None:
        """The next operation ends FAILED (with `error_code`, partial data after `after`
        of its objects when `partial`), CANCELED or EXPIRED."""
        if status not in ("FAILED", "CANCELED", "EXPIRED"):
            raise ValueError(f"cannot script status {status!r}")
        self._script = {"status": status, "error_code": error_code, "partial": partial,
                        "after": after}

    def cancel_all(self) -> None:
        """The shop's admin (or another process of the app) cancels what is running."""
        with self.emu.lock:
            for op in self.ops.values():
                if self._status(op)[0] in ("CREATED", "RUNNING"):
                    op.cancelled_at = time.monotonic()

    # --- the API ---------------------------------------------------------------------
    def running(self) -> Operation | None:
        return next((op for op in self.ops.values()
                     if self._status(op)[0] in ("CREATED", "RUNNING", "CANCELING")), None)

    def run_query(self, query: str, group_objects: bool = False) -> dict:
        busy = self.running()
        if busy is not None:
            return self._refused(f"A bulk query operation for this app and shop is already in "
                                 f"progress: {busy.gid}.", "OPERATION_IN_PROGRESS", None)
        problem = self._check(query)
        if problem:  # (Shopify's wording for these was not found; the code is INVALID)
            return self._refused(problem, "INVALID", ["query"])
        op = Operation(self.emu._next(), query, time.monotonic(), datetime.now(UTC))
        script, self._script = self._script, None
        if script and script["status"] == "FAILED":
            op.fail, op.partial, op.fail_after = (script["error_code"], script["partial"],
                                                  script["after"])
        elif script and script["status"] == "CANCELED":
            op.cancelled_at = op.started + self.start_delay
        elif script:
            op.expired = True
        self.ops[op.num] = op
        self.runs += 1
        threading.Thread(target=self._build, args=(op,), name="shopify-bulk", daemon=True).start()
        return {"bulkOperation": self.view(op), "userErrors": []}

    @staticmethod
    def _refused(message: str, code: str, where: list[str] | None) -> dict:
        return {"bulkOperation": None,
                "userErrors": [{"field": where, "message": message, "code": code}]}

    def cancel(self, gid: str) -> dict:
        op = self._find(gid)
        if op is None:
            return {"bulkOperation": None,
                    "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}]}
        if self._status(op)[0] not in ("CREATED", "RUNNING"):
            return {"bulkOperation": self.view(op), "userErrors": [{
                "field": None, "message": f"A bulk operation cannot be canceled when it is "
                                          f"{self._status(op)[0].lower()}"}]}
        op.cancelled_at = time.monotonic()
        view = self.view(op)
        view["status"] = "CANCELING"
        return {"bulkOperation": view, "userErrors": []}

    def get(self, gid: str) -> dict | None:
        op = self._find(gid)
        return None if op is None else self.view(op)

    def current(self, kind: str = "QUERY") -> dict | None:
        if kind != "QUERY" or not self.ops:
            return None
        return self.view(self.ops[max(self.ops)])

    def view(self, op: Operation) -> dict:
        status, count = self._status(op)
        roots = op.roots[count - 1] if count else 0
        out: dict[str, Any] = {
            "id": op.gid, "type": "QUERY", "query": op.query, "createdAt": _iso(op.created),
            "status": status, "errorCode": None, "completedAt": None,
            "objectCount": str(count), "rootObjectCount": str(roots), "fileSize": None,
            "url": None, "partialDataUrl": None}
        if status == "COMPLETED" and op.lines:
            out["url"] = self._url(op, "")
            out["fileSize"] = str(sum(len(x) for x in op.lines))
        if status == "COMPLETED":
            out["completedAt"] = _iso(op.created + timedelta(seconds=self._duration(op)))
        if status == "FAILED":
            out["errorCode"] = op.fail or "INTERNAL_SERVER_ERROR"
            if op.partial and count and not op.build_error:
                out["partialDataUrl"] = self._url(op, "-partial")
        return out

    # --- the JSONL files ---------------------------------------------------------------
    def serve(self, path: str, sig: str | None) -> Response:
        name = path[len(PATH):]
        partial = name.endswith("-partial.jsonl")
        num_text = name.removesuffix(".jsonl").removesuffix("-partial")
        op = self.ops.get(int(num_text)) if num_text.isdigit() else None
        if op is None or not sig or not hmac.compare_digest(sig, self._sign(op, partial)):
            return Response(403, b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>"
                                 b"AccessDenied</Code><Message>Access denied.</Message></Error>",
                            {"Content-Type": "application/xml; charset=UTF-8"})
        status, count = self._status(op)
        if (status, partial) not in (("COMPLETED", False), ("FAILED", True)):
            return Response(404, b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>"
                                 b"NoSuchKey</Code></Error>", {"Content-Type": "application/xml"})
        return Response(200, b"".join(op.lines[:count]),
                        {"Content-Type": "application/jsonl"})

    def _url(self, op: Operation, suffix: str) -> str:
        sig = self._sign(op, bool(suffix))
        server = self.emu._server  # the file is served where the API is, TLS or not
        scheme = "https" if isinstance(getattr(server, "socket", None), ssl.SSLSocket) else "http"
        base = f"{scheme}://127.0.0.1:{server.server_address[1]}" if server else self.emu.url
        return (f"{base}{PATH}{op.num}{suffix}.jsonl?X-Goog-Algorithm=GOOG4-RSA-SHA256"
                f"&X-Goog-Signature={sig}")

    def _sign(self, op: Operation, partial: bool) -> str:
        return hmac.new(self._key, f"{op.num}:{partial}".encode(), hashlib.sha256).hexdigest()

    # --- status by the clock -----------------------------------------------------------
    def _find(self, gid: str) -> Operation | None:
        tail = str(gid).rsplit("/", 1)[-1]
        return self.ops.get(int(tail)) if tail.isdigit() and gid == GID.format(
            "BulkOperation", tail) else None

    def _duration(self, op: Operation) -> float:
        return self.start_delay + len(op.lines) / self.rate

    def _status(self, op: Operation) -> tuple[str, int]:
        """(status, objects processed) now."""
        now = time.monotonic()
        elapsed = now - op.started
        if op.cancelled_at is not None and now >= op.cancelled_at:
            done = int(max(0.0, op.cancelled_at - op.started - self.start_delay) * self.rate)
            return "CANCELED", min(done, len(op.lines))
        if elapsed < self.start_delay:
            return "CREATED", 0
        done = min(len(op.lines), int((elapsed - self.start_delay) * self.rate))
        if op.build_error:
            return "FAILED", 0
        if op.fail:
            limit = int(len(op.lines) * op.fail_after) if op.built else None
            if limit is not None and done >= limit:
                return "FAILED", limit
            return "RUNNING", done
        if not op.built or done < len(op.lines):
            return "RUNNING", done
        return ("EXPIRED", done) if op.expired else ("COMPLETED", done)

    # --- running the query ---------------------------------------------------------------
    def _check(self, query: str) -> str:
        try:
            document = parse(query)
        except GraphQLError as e:
            return f"Invalid bulk query: {e.message}"
        errors = validate(SCHEMA, document)
        if errors:
            return f"Invalid bulk query: {errors[0].message}"
        op = get_operation_ast(document)
        if op is None or op.operation != OperationType.QUERY:
            return "Invalid bulk query: a bulk query must be a single query operation"
        tops = [s for s in op.selection_set.selections if isinstance(s, FieldNode)]
        if len(tops) != 1:
            return "Invalid bulk query: a bulk query must select one top-level field"
        counts: list[int] = []
        deepest = _connections(tops[0], SCHEMA.query_type, 0, counts)
        if not counts:
            return "Bulk queries must contain at least one connection."
        if len(counts) > MAX_CONNECTIONS:
            return f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
        if deepest > MAX_DEPTH:
            return f"Bulk queries cannot contain connections nested more than {MAX_DEPTH} levels."
        if not get_named_type(SCHEMA.query_type.fields[tops[0].name.value].type).name.endswith(
                "Connection"):
            return "Invalid bulk query: the top-level field must be a connection"
        return ""

    def _build(self, op: Operation) -> None:
        """Reads the shop a page at a time (each page under the emulator's lock, so API
        requests go on in between) into JSONL lines."""
        document = parse(op.query)
        top = next(s for s in get_operation_ast(document).selection_set.selections
                   if isinstance(s, FieldNode))
        base_args = [a for a in top.arguments or () if a.name.value not in
                     ("first", "after", "last", "before")]
        selections = list(top.selection_set.selections) + [FieldNode(
            alias=NameNode(value=_PAGE_INFO), name=NameNode(value="pageInfo"),
            arguments=(), directives=(), selection_set=SelectionSetNode(selections=(
                FieldNode(name=NameNode(value="hasNextPage"), arguments=(), directives=()),
                FieldNode(name=NameNode(value="endCursor"), arguments=(), directives=()))))]
        top.selection_set = SelectionSetNode(selections=tuple(selections))
        key = top.alias.value if top.alias else top.name.value
        after: str | None = None
        roots = 0
        token = UNBOUNDED.set(True)
        try:
            while True:
                args = [*base_args, ArgumentNode(name=NameNode(value="first"),
                                                 value=IntValueNode(value=str(PAGE)))]
                if after:
                    args.append(ArgumentNode(name=NameNode(value="after"),
                                             value=StringValueNode(value=after)))
                top.arguments = tuple(args)
                with self.emu.lock:
                    if op.cancelled_at is not None:
                        return
                    result = execute(SCHEMA, document, root_value=self.emu._root(counted=False))
                if result.errors:
                    op.build_error = result.errors[0].message
                    return
                conn = (result.data or {}).get(key) or {}
                for node in _nodes(conn):
                    roots += 1
                    for line in _flatten(node, None):
                        op.lines.append(line)
                        op.roots.append(roots)
                page = conn.get(_PAGE_INFO) or {}
                if not page.get("hasNextPage"):
                    return
                after = page.get("endCursor")
        finally:
            UNBOUNDED.reset(token)
            op.built = True


def _connections(node: FieldNode, parent, depth: int, counts: list[int]) -> int:
    """Counts the connections under `node` into `counts`; returns the deepest nesting."""
    fdef = parent.fields.get(node.name.value) if hasattr(parent, "fields") else None
    if fdef is None:
        return depth
    named = get_named_type(fdef.type)
    level = depth
    if named.name.endswith("Connection"):
        level = depth + 1
        counts.append(level)
    deepest = level
    for sel in node.selection_set.selections if node.selection_set else ():
        if isinstance(sel, FieldNode):
            deepest = max(deepest, _connections(sel, named, level, counts))
    return deepest


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and ("edges" in value or "nodes" in value) and all(
        isinstance(value.get(k), list) for k in ("edges", "nodes") if k in value)


def _nodes(conn: dict) -> list[dict]:
    if isinstance(conn.get("nodes"), list):
        return conn["nodes"]
    return [e.get("node") for e in conn.get("edges") or () if isinstance(e, dict)]


def _flatten(node: dict, parent_id: str | None) -> list[bytes]:
    """One node's line (nested connections taken out), then its children's lines, each
    child with `__parentId`."""
    own: dict[str, Any] = {}
    children: list[dict] = []
    for k, v in node.items():
        if _is_connection(v):
            children.extend(_nodes(v))
        else:
            own[k] = v
    if parent_id is not None:
        own["__parentId"] = parent_id
    out = [json.dumps(own, separators=(",", ":")).encode() + b"\n"]
    for child in children:
        out.extend(_flatten(child, str(node.get("id") or "")))
    return out


__all__ = ["BulkOperations", "Operation", "RATE", "START_DELAY", "PATH"]
