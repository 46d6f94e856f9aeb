"""Reading a whole Shopify catalog through a bulk query operation (Admin API 2026-04).

A catalog read page by page costs about 3 points a variant (100,000 variants: about
300,000 points, 50 minutes at a Standard plan's 100 a second). A bulk operation costs one
mutation and a 1-point poll now and then, and Shopify reads the catalog on its side:

1. `bulkOperationRunQuery(query:, groupObjects: false)` with the variant fields of the paged
   query (`shopify_queries.VARIANTS`, the location written into the document: a bulk query
   takes no variables). One connection, one level: within Shopify's five connections, two
   levels. A user error OPERATION_IN_PROGRESS or LIMIT_REACHED (another bulk query of this
   app runs on the shop) is waited out and the run asked again; any other is a failure.
2. `bulkOperation(id:)` (the query 2026-01 added; `currentBulkOperation` is deprecated and
   names only the latest one) is polled as Shopify's own CLI does: every second for the
   first ten polls, then every 5 s (Shopify/cli#6695), until the status leaves CREATED,
   RUNNING and CANCELING.
3. COMPLETED: the JSONL at `url` (null when nothing matched) is read line by line; each
   line is a node, a node of a nested connection carries `__parentId`. FAILED: what
   `partialDataUrl` holds is read, then the failure is raised (ACCESS_DENIED an AuthError,
   TIMEOUT or INTERNAL_SERVER_ERROR retryable); CANCELED and EXPIRED are retryable
   failures. A cancel by the clerk cancels the operation on Shopify and ends the reading.

The file is a signed storage URL: fetched through the connector's HttpClient (https
unless loopback, the cart's timeouts and CA bundle) without the access token, and named in
messages without its query string (the signature).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from seom_desktop.carts.base import (
    AuthError,
    BadResponseError,
    CartError,
    PermanentError,
    RetryableError,
)
from seom_desktop.carts.shopify_queries import Shape, variants_at
from seom_desktop.carts.urls import check_url

RUN = """
mutation SeomBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
"""

POLL = """
query SeomBulkPoll($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode objectCount rootObjectCount fileSize url partialDataUrl
  }
}
"""

CANCEL = """
mutation SeomBulkCancel($id: ID!) {
  bulkOperationCancel(id: $id) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""

# What each asks of the cost bucket (a mutation 10, an object 1).
COSTS = {RUN: 12.0, POLL: 1.0, CANCEL: 12.0}
POLLS = (1.0,) * 10 + (5.0,)  # seconds between polls: the last one repeats
BUSY_WAIT = 5.0  # seconds between asking again while another bulk query runs
RUNNING = ("CREATED", "RUNNING", "CANCELING")
BUSY_CODES = ("OPERATION_IN_PROGRESS", "LIMIT_REACHED")


def node_fields(document: str) -> str:
    """The selection inside `nodes { ... }` of a paged connection query."""
    start = document.index("nodes {") + len("nodes {")
    depth = 1
    for i in range(start, len(document)):
        depth += {"{": 1, "}": -1}.get(document[i], 0)
        if depth == 0:
            return document[start:i]
    raise ValueError("unbalanced braces in the paged query")


def variant_query(location: str, at: Sequence[str] = ()) -> str:
    """The bulk query: every variant with the fields the paged variant query selects
    (and its level at each location of `at`, aliased at0.., as `variants_at` reads them;
    a bulk query takes no variables, so the ids are written into the document)."""
    fields = node_fields(variants_at(len(at))).replace("$locationId", json.dumps(location))
    fields = re.sub(r"\$at(\d+)\b", lambda m: json.dumps(at[int(m.group(1))]), fields)
    return "{\n  productVariants {\n    edges {\n      node {" + fields + "}\n    }\n  }\n}\n"


class BulkRead:
    """One bulk read through a ShopifyConnector (its `_post`, `http` and pacer)."""

    def __init__(self, conn, *, polls: tuple[float, ...] = POLLS, busy_wait: float = BUSY_WAIT,
                 sleep=time.sleep):
        self.conn = conn
        self.name = conn.config.name
        self.polls, self.busy_wait = polls, busy_wait
        self.sleep = sleep
        self.gid = ""
        self.objects = 0  # objects Shopify reported processed

    @property
    def pacer(self):
        return self.conn.pacer

    def _say(self, message: str) -> None:
        if self.pacer.say is not None:
            self.pacer.say(message)

    def _pause(self, seconds: float) -> bool:
        """Sleep in short steps; False when cancelled."""
        end = time.monotonic() + seconds
        while not self.pacer.cancelled():
            left = end - time.monotonic()
            if left <= 0:
                return True
            self.sleep(min(left, 0.25))
        return False

    def rows(self, query: str) -> Iterator[dict]:
        """Every JSONL line of the operation as a dict; nothing more after a cancel."""
        if not self._start(query):
            return
        op = self._finish()
        if op is None:  # cancelled
            return
        status = op.get("status")
        url, partial = op.get("url"), op.get("partialDataUrl")
        if status == "COMPLETED":
            if url is not None:
                yield from self._lines(url)
            return
        code = str(op.get("errorCode") or "")
        if status == "FAILED":
            if partial:
                yield from self._lines(partial)
            why = code or "no error code"
            what = (f"{self.name}: Shopify's bulk operation {self.gid} failed ({why}) after "
                    f"{self.objects} objects"
                    + ("; the items of its partial data were read" if partial else ""))
            if code == "ACCESS_DENIED":
                raise AuthError(what + ": the access token lacks a scope the read needs "
                                "(read_products, read_inventory)", code=code)
            raise RetryableError(what + "; run it again", code=code or "FAILED")
        if status == "CANCELED":
            raise RetryableError(f"{self.name}: Shopify's bulk operation {self.gid} was canceled "
                                 "(in the Shopify admin or by another program); run it again",
                                 code="CANCELED")
        if status == "EXPIRED":
            raise RetryableError(f"{self.name}: Shopify's bulk operation {self.gid} expired "
                                 "before its result was read; run it again", code="EXPIRED")
        raise BadResponseError(f"{self.name}: Shopify answered bulk operation status "
                               f"{str(status)[:40]!r}")

    def _start(self, query: str) -> bool:
        shape = Shape(self.name, False)
        while True:
            data = self.conn._post(RUN, {"query": query}, cost=COSTS[RUN])
            payload = shape.obj(data.get("bulkOperationRunQuery"), "a bulkOperationRunQuery payload")
            errors = shape.list(payload.get("userErrors"), "userErrors")
            if errors:
                # (a recorded refusal lists an empty error before the one that says why)
                said = [shape.obj(e, "a user error") for e in errors]
                first = next((e for e in said if e.get("message")), said[0])
                message, code = str(first.get("message") or "")[:300], str(first.get("code") or "")
                if code in BUSY_CODES or "already in progress" in message:
                    self._say("waiting for a bulk operation already running on Shopify to "
                              f"finish ({message})")
                    if not self._pause(self.busy_wait):
                        return False
                    continue
                raise PermanentError(f"{self.name}: Shopify refused the bulk query: {message}"
                                     + (f" ({code})" if code else ""), code=code or None)
            op = shape.obj(payload.get("bulkOperation"), "the bulk operation it started")
            self.gid = shape.text(op.get("id"), "the bulk operation's id")
            self._say("Shopify is preparing the catalog (bulk operation started)")
            return True

    def _finish(self) -> dict | None:
        shape = Shape(self.name, False)
        polls = 0
        while True:
            wait = self.polls[min(polls, len(self.polls) - 1)]
            if not self._pause(wait):
                self._cancel()
                return None
            polls += 1
            data = self.conn._post(POLL, {"id": self.gid}, cost=COSTS[POLL])
            op = shape.obj(data.get("bulkOperation"), f"bulk operation {self.gid}")
            count = op.get("objectCount")
            if isinstance(count, str) and count.isdigit() or isinstance(count, int):
                self.objects = int(count)
            if op.get("status") not in RUNNING:
                return op
            self._say(f"Shopify is preparing the catalog: {self.objects} objects so far")

    def _cancel(self) -> None:
        """Best effort: an operation left running would hold up the next read."""
        try:
            self.conn._post(CANCEL, {"id": self.gid}, cost=COSTS[CANCEL])
        except CartError:
            pass

    def _lines(self, url: str) -> Iterator[dict]:
        parts = urlsplit(str(url))
        shown = f"{parts.scheme}://{parts.netloc}{parts.path}"  # no signature in messages
        try:
            check_url(str(url))
        except ValueError as e:
            raise BadResponseError(f"{self.name}: Shopify's bulk result URL {shown} is refused: "
                                   f"{e}") from None
        redact = self.conn.http.redact
        redact.secrets.append(parts.query)  # the signature stays out of messages and logs
        try:
            resp = self.conn.http.request("GET", str(url), stream=True)
        except CartError as e:
            e.message = f"{e.message} (reading Shopify's bulk result {shown})"
            redact.secrets.remove(parts.query)
            raise
        try:
            for n, raw in enumerate(resp.iter_lines(chunk_size=1 << 16), 1):
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw)
                except (ValueError, RecursionError):
                    raise BadResponseError(f"{self.name}: line {n} of Shopify's bulk result "
                                           f"{shown} is not JSON") from None
                if not isinstance(row, dict):
                    raise BadResponseError(f"{self.name}: line {n} of Shopify's bulk result "
                                           f"{shown} is not an object")
                yield row
        except OSError as e:  # the connection broke while the file was read
            raise RetryableError(f"{self.name}: reading Shopify's bulk result {shown} failed "
                                 f"({type(e).__name__})") from None
        finally:
            resp.close()
            redact.secrets.remove(parts.query)


__all__ = ["BulkRead", "variant_query", "node_fields", "RUN", "POLL", "CANCEL", "POLLS"]
