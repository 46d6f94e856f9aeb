"""Shopify catalog reads through bulk operations, and manual transfers that wait out the
cost bucket: the connector against the emulator over real loopback sockets, and the
command line against a real SQLite store."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
from qoh_kit import add_shopify, cli_fixture, qohs, seed, store_fixture  # noqa: F401
from sqlalchemy import delete, select

from seom_desktop.carts.base import (
    AuthError,
    CartConfig,
    RateLimitedError,
    RetryableError,
)
from seom_desktop.carts.shopify import ShopifyConnector
from seom_desktop.emulators.shopify import API_VERSION, ShopifyEmulator
from seom_desktop.store.models import Product, WebField
from seom_desktop.sync.drift import drift_rows


@pytest.fixture
def emu():
    e = ShopifyEmulator().start()
    yield e
    e.stop()


def connector(emu: ShopifyEmulator, **kw) -> ShopifyConnector:
    return ShopifyConnector(CartConfig(name="Test Shopify", kind="shopify", url=emu.url,
                                       token=emu.token, read_timeout=5.0, **kw))


def gql(emu, query: str, variables: dict | None = None) -> dict:
    return requests.post(f"{emu.url}/admin/api/{API_VERSION}/graphql.json",
                         json={"query": query, "variables": variables or {}},
                         headers={"X-Shopify-Access-Token": emu.token}, timeout=5).json()


def stock(emu, n: int) -> None:
    for i in range(n):
        emu.add_item(f"B-{i:04d}", i)


def read(conn, said=None, cancelled=lambda: False):
    conn.watch((said if said is not None else []).append, cancelled)
    items = []
    try:
        for item in conn.list_items():
            items.append(item)
    except Exception as e:  # noqa: BLE001 - returned for the test to judge
        return items, e
    return items, None


# --- the command line, a Standard plan's bucket -------------------------------------------


def test_get_qoh_create_new_reads_5000_variants_under_a_standard_plan(emu, cli, store):
    assert emu.bucket.status() == {"maximumAvailable": 2000, "currentlyAvailable": 2000,
                                   "restoreRate": 100}
    stock(emu, 5000)
    seed(store, {"B-0000": 7})  # one known product, the rest created
    add_shopify(cli, emu, "shop", "--sync")
    code, out, err = cli("get-qoh", "shop", "--create-new")
    assert code == 0, err
    assert "Shopify is preparing the catalog" in err
    assert qohs(store) == {f"B-{i:04d}": i for i in range(5000)}
    # one bulk operation, no page of variants, and never a THROTTLED answer
    assert emu.bulk.runs == 1 and emu.root_fields["productVariants"] == 0
    assert emu.throttled == 0


def drained_at_first_query(bucket) -> None:
    """Empty the emulator's cost bucket as the first query is judged, not at the test's
    set-up: on a loaded machine the command took 2.7 s to ask, the bucket refilled 54
    points meanwhile and no wait was long enough to be said."""
    available = bucket.available
    first = [True]

    def drained() -> float:
        if first:
            first.clear()
            bucket.set_available(0)
        return available()

    bucket.available = drained


def test_get_qoh_waits_for_a_drained_bucket_and_says_so(emu, cli, store):
    stock(emu, 20)
    add_shopify(cli, emu, "shop", "--sync")
    emu.bucket.restore_rate = 20.0
    drained_at_first_query(emu.bucket)  # another app of the shop spent it all
    code, _, err = cli("get-qoh", "shop", "--create-new")
    assert code == 0, err
    assert re.search(r"waiting [0-9]+ s for Shopify's rate limit", err)
    assert len(qohs(store)) == 20 and emu.throttled >= 1


def test_send_qoh_waits_for_a_drained_bucket_and_says_so(emu, cli, store):
    stock(emu, 20)
    seed(store, {f"B-{i:04d}": 100 + i for i in range(20)})
    add_shopify(cli, emu, "shop", "--sync")
    emu.bucket.restore_rate = 20.0
    drained_at_first_query(emu.bucket)
    code, out, err = cli("send-qoh", "shop", "--json")
    assert code == 0, err
    assert re.search(r"waiting [0-9]+ s for Shopify's rate limit", err)
    assert json.loads(out)["sent"] == 20
    assert all(emu.quantity(f"B-{i:04d}") == 100 + i for i in range(20))


def test_the_drift_report_reads_a_big_catalog_in_bulk_and_asks_few_skus(emu, cli, store):
    seed(store, {f"B-{i:04d}": 5 for i in range(1000)})
    for i in range(1000):
        emu.add_item(f"B-{i:04d}", 7 if i in (3, 500, 999) else 5)
    add_shopify(cli, emu, "shop", "--sync")
    rows = drift_rows(store, "shop", only_drifted=True)
    assert [(r.sku, r.should_show, r.cart_shows) for r in rows] == [
        ("B-0003", 5, 7), ("B-0500", 5, 7), ("B-0999", 5, 7)]
    assert emu.bulk.runs == 1 and emu.root_fields["productVariants"] == 0
    with store.write() as s:  # 990 products leave the store: few SKUs are asked by SKU
        gone = select(Product.id).where(Product.sku >= "B-0010")
        s.execute(delete(WebField).where(WebField.product_id.in_(gone)))
        s.execute(delete(Product).where(Product.id.in_(gone)))
    rows = drift_rows(store, "shop")
    assert len(rows) == 10 and {r.cart_shows for r in rows} == {5, 7}
    assert emu.bulk.runs == 1 and emu.root_fields["productVariants"] == 1


# --- waiting out the bucket (a manual transfer) against pausing (the stack) ---------------


def test_a_long_wait_is_waited_out_and_said_only_when_watched(emu):
    stock(emu, 60)
    skus = [f"B-{i:04d}" for i in range(50)]
    stack = connector(emu)
    assert len(stack.get_items(skus[:1])) == 1
    emu.bucket.restore_rate = 50.0
    emu.bucket.set_available(1)
    stack.test_connection()  # the pacer learns: empty, 50 a second
    with pytest.raises(RateLimitedError) as e:  # the stack's connector pauses the cart
        stack.get_items(skus)  # a page of 50 asks 152 points: a 3 s wait
    assert e.value.code == "COST_BUDGET"
    manual = connector(emu)
    said: list[str] = []
    manual.watch(said.append, lambda: False)
    emu.bucket.set_available(0)
    found = manual.get_items(skus)
    assert sorted(found) == skus and said and said[0].startswith("waiting ")
    assert "for Shopify's rate limit (its cost bucket holds about" in said[0]
    assert manual.pacer.waited > 0  # how long depends on how fast the request went


def test_a_throttled_answer_is_sent_again_when_watched(emu):
    stock(emu, 3)
    conn = connector(emu)
    conn.watch([].append, lambda: False)
    emu.bucket.restore_rate = 50.0
    emu.bucket.set_available(0)  # the pacer has seen no answer yet: the request goes out
    assert sorted(conn.get_items(["B-0000", "B-0002"])) == ["B-0000", "B-0002"]
    assert emu.throttled >= 1


def test_a_cancel_ends_a_wait_without_sending(emu):
    stock(emu, 60)
    conn = connector(emu)
    conn.test_connection()
    emu.bucket.restore_rate = 10.0
    emu.bucket.set_available(1)
    conn.test_connection()
    said: list[str] = []
    conn.watch(said.append, lambda: bool(said))  # cancelled once the wait is said
    before = sum(emu.requests.values())
    with pytest.raises(RateLimitedError, match="cancelled while waiting"):
        conn.get_items([f"B-{i:04d}" for i in range(50)])
    assert sum(emu.requests.values()) == before


# --- bulk operations: every status --------------------------------------------------------


def test_few_skus_stay_on_ordinary_queries(emu):
    stock(emu, 5)
    conn = connector(emu)
    assert sorted(conn.get_items(["B-0001", "B-0003"])) == ["B-0001", "B-0003"]
    assert emu.root_fields["productVariants"] == 1 and emu.bulk.runs == 0


def test_an_empty_catalog_completes_without_a_file(emu):
    items, error = read(connector(emu))
    assert items == [] and error is None
    op = gql(emu, "{ currentBulkOperation { status url objectCount } }")["data"]
    assert op["currentBulkOperation"] == {"status": "COMPLETED", "url": None, "objectCount": "0"}


def test_failed_with_partial_data_gives_what_was_read_then_fails(emu):
    stock(emu, 400)
    emu.bulk.script("FAILED", error_code="TIMEOUT", partial=True, after=0.5)
    items, error = read(connector(emu))
    assert len(items) == 200 and [i.sku for i in items] == [f"B-{i:04d}" for i in range(200)]
    assert isinstance(error, RetryableError) and error.code == "TIMEOUT"
    assert "partial data" in str(error)


def test_failed_without_data_and_access_denied(emu):
    stock(emu, 10)
    emu.bulk.script("FAILED", error_code="INTERNAL_SERVER_ERROR", partial=False)
    items, error = read(connector(emu))
    assert items == [] and isinstance(error, RetryableError)
    assert error.code == "INTERNAL_SERVER_ERROR"
    emu.bulk.script("FAILED", error_code="ACCESS_DENIED", partial=False)
    items, error = read(connector(emu))
    assert items == [] and isinstance(error, AuthError) and "read_products" in str(error)


@pytest.mark.parametrize("status", ["CANCELED", "EXPIRED"])
def test_canceled_and_expired_operations_fail_retryably(emu, status):
    stock(emu, 10)
    emu.bulk.script(status)
    items, error = read(connector(emu))
    assert items == [] and isinstance(error, RetryableError) and error.code == status
    assert status.lower() in str(error)


def test_an_operation_already_running_is_waited_for(emu):
    stock(emu, 3000)  # 3 s at the emulator's rate
    body = gql(emu, 'mutation { bulkOperationRunQuery(query: "{ productVariants { edges { node '
                    '{ id } } } }") { bulkOperation { id status } userErrors { code } } }')
    assert body["data"]["bulkOperationRunQuery"]["bulkOperation"]["status"] == "CREATED"
    said: list[str] = []
    conn = connector(emu)
    conn.bulk_busy_wait = 0.5  # (5 s on a real shop)
    items, error = read(conn, said)
    assert error is None and len(items) == 3000
    assert any("already running" in s and "already in progress" in s for s in said)
    assert emu.bulk.runs == 2


def test_a_cancel_while_shopify_prepares_cancels_the_operation(emu):
    stock(emu, 5000)
    said: list[str] = []
    items, error = read(connector(emu), said, cancelled=lambda: len(said) >= 2)
    assert items == [] and error is None
    op = gql(emu, "{ currentBulkOperation { status } }")["data"]["currentBulkOperation"]
    assert op["status"] == "CANCELED" and emu.root_fields["bulkOperationCancel"] == 1


def test_a_broken_download_is_retryable_and_hides_the_signature(emu, caplog):
    stock(emu, 10)
    emu.faults.queue("reset", path="/bulk-results/")
    items, error = read(connector(emu))
    assert items == [] and isinstance(error, RetryableError)
    assert "/bulk-results/" in str(error)
    signature = emu.bulk._sign(emu.bulk.ops[max(emu.bulk.ops)], False)
    assert signature not in str(error) and signature not in caplog.text


# --- the emulator's bulk rules ------------------------------------------------------------

RUN = ("mutation R($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } "
       "userErrors { field message code } } }")


def test_emulator_refuses_bulk_queries_out_of_shopify_s_limits(emu):
    def errors(query):
        return gql(emu, RUN, {"q": query})["data"]["bulkOperationRunQuery"]["userErrors"]

    assert errors("{ shop { name } }")[0]["code"] == "INVALID"  # no connection
    lines = " ".join(f"l{n}: lineItems {{ edges {{ node {{ sku }} }} }}" for n in range(5))
    six = errors(f"{{ orders {{ edges {{ node {{ id {lines} }} }} }} }}")
    assert six[0]["code"] == "INVALID" and "more than 5 connections" in six[0]["message"]
    three = ("{ orders { edges { node { id lineItems { edges { node { id } } } } } } }")
    assert errors(three) == []  # two levels: accepted (and now running)
    busy = errors("{ orders { edges { node { id } } } }")[0]
    assert busy["code"] == "OPERATION_IN_PROGRESS" and busy["field"] is None
    assert busy["message"].startswith("A bulk query operation for this app and shop is "
                                      "already in progress: gid://shopify/BulkOperation/")


def test_emulator_jsonl_links_nested_nodes_by_parent_id_behind_a_signed_url(emu):
    emu.add_item("A", 5)
    emu.add_item("B", 5)
    order = emu.place_order([("A", 1), ("B", 2)])
    body = gql(emu, RUN, {"q": "{ orders { edges { node { id name lineItems { edges { node "
                                "{ sku quantity } } } } } } }"})
    gid = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
    poll = "query P($id: ID!) { bulkOperation(id: $id) { status url fileSize objectCount " \
           "rootObjectCount } }"
    for _ in range(50):
        op = gql(emu, poll, {"id": gid})["data"]["bulkOperation"]
        if op["status"] == "COMPLETED":
            break
        time.sleep(0.1)
    assert op["objectCount"] == "3" and op["rootObjectCount"] == "1"
    lines = requests.get(op["url"], timeout=5).text.splitlines()
    assert int(op["fileSize"]) == sum(len(x) + 1 for x in lines)
    rows = [json.loads(x) for x in lines]
    assert rows[0]["id"] == order and "lineItems" not in rows[0]
    assert [(r["sku"], r["quantity"], r["__parentId"]) for r in rows[1:]] == [
        ("A", 1, order), ("B", 2, order)]
    assert requests.get(op["url"].split("?")[0], timeout=5).status_code == 403


def test_stopping_the_get_qoh_reader_cancels_the_operation_on_shopify(emu):
    from seom_desktop.sync.progress import NullProgress
    from seom_desktop.sync.pull_reader import PullReader

    stock(emu, 5000)  # 5 s to prepare
    conn = connector(emu)
    with PullReader(conn, NullProgress(), 100):
        while not emu.bulk.runs:  # the reader thread has started the operation
            time.sleep(0.01)
    # the reader stopped while Shopify was preparing: the operation is not left running
    op = gql(emu, "{ currentBulkOperation { status } }")["data"]["currentBulkOperation"]
    assert op["status"] == "CANCELED" and emu.root_fields["bulkOperationCancel"] == 1
    conn.close()
