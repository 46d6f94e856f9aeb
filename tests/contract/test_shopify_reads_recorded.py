"""Shopify's catalog reads as Shopify really answers them: recorded answers replayed
through the connector (a bulk operation started, polled in each status, its JSONL read; a
THROTTLED answer), and the same requests sent to our emulator, whose answers must have the
recordings' shape.

Sources (each recording names its own):
- SHOPIFY_API: github.com/Shopify/shopify_api README.md, "Bulk Operations": the
  currentBulkOperation answer of a COMPLETED operation (objectCount "57", fileSize "358",
  a storage.googleapis.com url) and the JSONL example (products, and variants with
  `__parentId`).
- AIRBYTE: github.com/airbytehq/airbyte airbyte-integrations/connectors/source-shopify
  unit_tests/conftest.py: `bulk_successful_response` (bulkOperationRunQuery CREATED with
  extensions.cost), `bulk_error_with_concurrent_job` (the "already in progress" refusal, an
  empty user error before it, no code), `bulk_job_running_with_object_count_no_url_response`,
  `bulk_job_failed_with_partial_url_response`,
  `bulk_job_canceled_with_object_count_no_url_response` (each a BulkOperation as
  `node(id:)` answers it; served here under `bulkOperation`, the root field the connector
  asks, which 2026-01 added and which returns the same BulkOperation object).
- COMMUNITY: community.shopify.com/t/throttled/254776, a THROTTLED answer with its
  extensions.cost (requestedQueryCost 752, actualQueryCost null).
No recording of an EXPIRED operation was found: that status is held to shopify.dev's enum
only (tests/integration/test_shopify_bulk.py). Signed URLs in the recordings point at
Google Cloud Storage; here the same path is served
on the replay socket (the connector must not leave the machine in a test).
"""

from __future__ import annotations

import copy
import json
import time

import pytest
import requests
from replay import Recording, ReplayCart, assert_covers

from seom_desktop.carts.base import CartConfig, RateLimitedError, RetryableError
from seom_desktop.carts.shopify import ShopifyConnector
from seom_desktop.carts.shopify_bulk import POLL, RUN, BulkRead
from seom_desktop.emulators.shopify import API_VERSION, ShopifyEmulator

SHOPIFY_API = "github.com/Shopify/shopify_api README.md (Bulk Operations)"
AIRBYTE = ("github.com/airbytehq/airbyte airbyte-integrations/connectors/source-shopify/"
           "unit_tests/conftest.py")
COMMUNITY = "community.shopify.com/t/throttled/254776"
GRAPHQL = rf"/admin/api/{API_VERSION}/graphql\.json"
FILE = "/shopify/dyfkl3g72empyyoenvmtidlm9o4g"

COST_10 = {"cost": {"requestedQueryCost": 10, "actualQueryCost": 10, "throttleStatus": {
    "maximumAvailable": 1000.0, "currentlyAvailable": 990, "restoreRate": 50.0}}}
COST_1 = {"cost": {"requestedQueryCost": 1, "actualQueryCost": 1, "throttleStatus": {
    "maximumAvailable": 1000.0, "currentlyAvailable": 999, "restoreRate": 50.0}}}

RUN_CREATED = {  # AIRBYTE bulk_successful_response
    "data": {"bulkOperationRunQuery": {
        "bulkOperation": {"id": "gid://shopify/BulkOperation/4046733967549", "status": "CREATED"},
        "userErrors": []}},
    "extensions": COST_10}
RUN_BUSY = {  # AIRBYTE bulk_error_with_concurrent_job
    "data": {"bulkOperationRunQuery": {"bulkOperation": None, "userErrors": [
        {"field": None, "message": ""},
        {"field": None, "message": "A bulk query operation for this app and shop is already in "
                                   "progress: gid://shopify/BulkOperation/4046676525245."}]}},
    "extensions": COST_10}
RUNNING = {  # AIRBYTE bulk_job_running_with_object_count_no_url_response
    "id": "gid://shopify/BulkOperation/4047052112061", "status": "RUNNING", "errorCode": None,
    "objectCount": "4", "fileSize": None, "url": None, "partialDataUrl": None}
FAILED_PARTIAL = {  # AIRBYTE bulk_job_failed_with_partial_url_response
    "id": "gid://shopify/BulkOperation/123", "status": "FAILED",
    "errorCode": "INTERNAL_SERVER_ERROR", "objectCount": "432", "fileSize": None, "url": None,
    "partialDataUrl": "https://some_url?response-content-disposition=attachment;+filename="
                      "\"bulk-123456789.jsonl\";+filename*=UTF-8bulk-123456789.jsonl"
                      "&response-content-type=application/jsonl"}
CANCELED = {  # AIRBYTE bulk_job_canceled_with_object_count_no_url_response
    "id": "gid://shopify/BulkOperation/4047052112061", "status": "CANCELED", "errorCode": None,
    "objectCount": "4", "fileSize": None, "url": None, "partialDataUrl": None}
COMPLETED = {  # SHOPIFY_API, currentBulkOperation of a completed operation
    "id": "gid://shopify/BulkOperation/720918", "status": "COMPLETED", "errorCode": None,
    "createdAt": "2019-08-29T17:16:35Z", "completedAt": "2019-08-29T17:23:25Z",
    "objectCount": "57", "fileSize": "358",
    "url": f"https://storage.googleapis.com{FILE}?<params>", "partialDataUrl": None}
JSONL = "\n".join([  # SHOPIFY_API, the JSONL example
    '{"id":"gid://shopify/Product/1921569226808"}',
    '{"id":"gid://shopify/ProductVariant/19435458986040","title":"70","__parentId":"gid://shopify/Product/1921569226808"}',  # noqa: E501
    '{"id":"gid://shopify/Product/1921569259576"}',
    '{"id":"gid://shopify/ProductVariant/19435459018808","title":"34","__parentId":"gid://shopify/Product/1921569259576"}',  # noqa: E501
    '{"id":"gid://shopify/Product/1921569292344"}',
    '{"id":"gid://shopify/ProductVariant/19435459051576","title":"Default Title","__parentId":"gid://shopify/Product/1921569292344"}',  # noqa: E501
    '{"id":"gid://shopify/Product/1921569325112"}',
    '{"id":"gid://shopify/ProductVariant/19435459084344","title":"36","__parentId":"gid://shopify/Product/1921569325112"}',  # noqa: E501
    '{"id":"gid://shopify/Product/1921569357880"}',
    '{"id":"gid://shopify/ProductVariant/19435459117112","title":"47","__parentId":"gid://shopify/Product/1921569357880"}',  # noqa: E501
    '{"id":"gid://shopify/ProductVariant/19435458986123","title":"52","__parentId":"gid://shopify/Product/1921569226808"}',  # noqa: E501
]) + "\n"
THROTTLED = {  # COMMUNITY
    "errors": [{"message": "Throttled", "extensions": {
        "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
    "extensions": {"cost": {"requestedQueryCost": 752, "actualQueryCost": None, "throttleStatus": {
        "maximumAvailable": 1000.0, "currentlyAvailable": 666, "restoreRate": 50.0}}}}
LOCATIONS = {"data": {"locations": {"pageInfo": {"hasNextPage": False, "endCursor": None},
                                    "nodes": [{"id": "gid://shopify/Location/1", "name": "Shop",
                                               "isActive": True}]}},
             "extensions": COST_1}  # (ours: the connector's first question, not under test)


def poll(op: dict) -> dict:
    return {"data": {"bulkOperation": op}, "extensions": COST_1}


def on(cart: ReplayCart, op: dict) -> dict:
    """A recorded operation with its signed URLs moved onto the replay socket."""
    op = copy.deepcopy(op)
    for key in ("url", "partialDataUrl"):
        if op.get(key):
            op[key] = cart.url + FILE + "?X-Goog-Signature=recorded"
    return op


def graphql(body: dict, source: str, has: str) -> Recording:
    return Recording("POST", GRAPHQL, body, source, body_has=has)


def replay(recordings: list[Recording]) -> ReplayCart:
    return ReplayCart([graphql(LOCATIONS, "ours", "SeomLocations"), *recordings]).start()


def add(cart: ReplayCart, *recordings: Recording) -> None:
    """Recordings that name the cart's own address (added once it is listening)."""
    cart.recordings.extend(recordings)
    cart.used.extend([False] * len(recordings))


def connector(cart, said: list[str] | None = None) -> ShopifyConnector:
    c = ShopifyConnector(CartConfig(name="Recorded Shopify", kind="shopify", url=cart.url,
                                    token="shpat_recorded", read_timeout=5.0))
    c.watch((said if said is not None else []).append, lambda: False)
    c.bulk_polls, c.bulk_busy_wait = (0.0,), 0.0  # replayed answers need no waiting
    return c


# --- replayed through the connector -------------------------------------------------------


def test_created_running_completed_and_the_jsonl_are_read():
    cart = replay([])
    try:
        add(cart, graphql(RUN_CREATED, AIRBYTE, "SeomBulkRun"),
            graphql(poll(RUNNING), AIRBYTE, "SeomBulkPoll"),
            graphql(poll(on(cart, COMPLETED)), SHOPIFY_API, "SeomBulkPoll"),
            Recording("GET", FILE, JSONL, SHOPIFY_API, headers={"Content-Type": "application/jsonl"}))
        conn = connector(cart)
        # the catalog read: the recorded file holds products and their variants (children),
        # none of them a variant row of our query, so no item, and no failure
        assert list(conn.list_items()) == []
        conn.close()
        assert not cart.unanswered and all(cart.used)  # run, RUNNING, COMPLETED, the file
    finally:
        cart.stop()
    download = next(r for r in cart.received if r.method == "GET")
    assert "x-shopify-access-token" not in download.headers  # the token stays with the API


def test_the_recorded_refusal_of_a_second_operation_is_waited_out():
    cart = replay([graphql(RUN_BUSY, AIRBYTE, "SeomBulkRun"),
                   graphql(RUN_CREATED, AIRBYTE, "SeomBulkRun"),
                   graphql(poll(CANCELED), AIRBYTE, "SeomBulkPoll")])
    said: list[str] = []
    conn = connector(cart, said)
    try:
        with pytest.raises(RetryableError) as e:
            list(conn.list_items())
    finally:
        conn.close()
        cart.stop()
    assert any("already in progress: gid://shopify/BulkOperation/4046676525245" in s for s in said)
    # then the recorded CANCELED: a failure to run again, naming the operation
    assert e.value.code == "CANCELED" and "4046733967549" in str(e.value)


def test_failed_with_partial_data_reads_it_then_fails():
    cart = replay([])
    try:
        add(cart, graphql(RUN_CREATED, AIRBYTE, "SeomBulkRun"),
            graphql(poll(on(cart, FAILED_PARTIAL)), AIRBYTE, "SeomBulkPoll"),
            Recording("GET", FILE, JSONL, SHOPIFY_API))
        conn = connector(cart)
        read = BulkRead(conn, polls=(0.0,))
        rows = []
        with pytest.raises(RetryableError) as e:
            for row in read.rows("{ products { edges { node { id } } } }"):
                rows.append(row)
        conn.close()
    finally:
        cart.stop()
    assert len(rows) == 11  # the partial file, every line, children linked to parents
    children = {r["id"]: r["__parentId"] for r in rows if "__parentId" in r}
    assert children["gid://shopify/ProductVariant/19435458986123"] == \
        "gid://shopify/Product/1921569226808"  # the last line, far from its parent
    assert len(children) == 6
    assert e.value.code == "INTERNAL_SERVER_ERROR" and "after 432 objects" in str(e.value)


def test_a_recorded_throttled_answer_is_waited_out_and_sent_again():
    cart = replay([graphql(THROTTLED, COMMUNITY, "SeomVariants"),
                   graphql({"data": {"productVariants": {
                       "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}},
                       "extensions": COST_1}, "ours", "SeomVariants")])
    conn = connector(cart)
    waits: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:  # the wait is counted on a clock of its own
        waits.append(seconds)
        now[0] += seconds

    conn.pacer.clock, conn.pacer.sleep = (lambda: now[0]), sleep
    try:
        assert conn.get_items(["A"]) == {}
    finally:
        conn.close()
        cart.stop()
    # 752 asked, 666 there, 50 a second back: (752 - 666) / 50 = 1.72 s
    assert sum(waits) == pytest.approx(1.72, abs=0.01)
    unwatched = replay([graphql(THROTTLED, COMMUNITY, "SeomVariants")])
    plain = ShopifyConnector(CartConfig(name="Recorded Shopify", kind="shopify",
                                        url=unwatched.url, token="shpat_recorded"))
    try:
        with pytest.raises(RateLimitedError) as e:
            plain.get_items(["A"])
    finally:
        plain.close()
        unwatched.stop()
    assert e.value.code == "THROTTLED" and e.value.delay == pytest.approx(1.72, abs=0.01)


# --- the emulator answers with the recordings' shape -------------------------------------


def _post(emu, query: str, variables: dict) -> dict:
    return requests.post(f"{emu.url}/admin/api/{API_VERSION}/graphql.json",
                         json={"query": query, "variables": variables},
                         headers={"X-Shopify-Access-Token": emu.token}, timeout=5).json()


def _until(emu, gid: str, leave: tuple[str, ...]) -> dict:
    """Poll the operation until its status is not one of `leave` (30 s at most)."""
    for _ in range(300):
        body = _post(emu, POLL, {"id": gid})
        if body["data"]["bulkOperation"]["status"] not in leave:
            return body
        time.sleep(0.1)
    raise AssertionError(f"bulk operation {gid} stayed {leave}")


def _run(emu, query: str) -> str:
    body = _post(emu, RUN, {"query": query})
    return body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]


def test_the_emulator_answers_bulk_requests_in_the_recordings_shape():
    emu = ShopifyEmulator(bulk_rate=100.0).start()  # 400 objects: RUNNING for 4 s
    try:
        for n in range(400):
            emu.add_item(f"R-{n:03d}", n)
        query = "{ productVariants { edges { node { id sku } } } }"
        created = _post(emu, RUN, {"query": query})
        assert_covers(RUN_CREATED, created, AIRBYTE)
        assert created["data"]["bulkOperationRunQuery"]["bulkOperation"]["status"] == "CREATED"
        busy = _post(emu, RUN, {"query": query})
        assert_covers(RUN_BUSY, busy, AIRBYTE)
        gid = created["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        running = _until(emu, gid, ("CREATED",))
        assert running["data"]["bulkOperation"]["status"] == "RUNNING"
        assert_covers(poll(RUNNING), running, AIRBYTE)
        assert _until(emu, gid, ("RUNNING",))["data"]["bulkOperation"]["status"] == "COMPLETED"
        done = _post(emu, "{ currentBulkOperation { id status errorCode createdAt completedAt "
                          "objectCount fileSize url partialDataUrl } }", {})
        assert_covers({"data": {"currentBulkOperation": COMPLETED}}, done, SHOPIFY_API)
        lines = requests.get(done["data"]["currentBulkOperation"]["url"], timeout=5).text
        for recorded, ours in zip(JSONL.splitlines()[:1], lines.splitlines()[:1], strict=True):
            assert_covers(json.loads(recorded), json.loads(ours), SHOPIFY_API)
        emu.bulk.script("FAILED", error_code="INTERNAL_SERVER_ERROR", partial=True, after=0.1)
        failed = _until(emu, _run(emu, query), ("CREATED", "RUNNING"))
        assert failed["data"]["bulkOperation"]["status"] == "FAILED"
        assert_covers(poll(FAILED_PARTIAL), failed, AIRBYTE)
        emu.bulk.script("CANCELED")
        canceled = _until(emu, _run(emu, query), ("CREATED", "RUNNING"))
        assert canceled["data"]["bulkOperation"]["status"] == "CANCELED"
        assert_covers(poll(CANCELED), canceled, AIRBYTE)
        emu.bucket.set_available(0)
        throttled = _post(emu, "{ productVariants(first: 250) { nodes { id } } }", {})
        assert_covers(THROTTLED, throttled, COMMUNITY)
    finally:
        emu.stop()
