"""BigCommerceConnector against BigCommerceEmulator over real loopback sockets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from seom_desktop.carts.base import (
    ABSOLUTE,
    AmbiguousError,
    AuthError,
    BadResponseError,
    CartConfig,
    Connector,
    PermanentError,
    QohUpdate,
    RateLimitedError,
    RetryableError,
    UnknownItemError,
)
from seom_desktop.carts.bigcommerce import BigCommerceConnector
from seom_desktop.carts.registry import connector_class
from seom_desktop.emulators.bigcommerce import BigCommerceEmulator
from seom_desktop.emulators.registry import emulator_class

TOKEN = "bc-secret-token-XYZ"


@pytest.fixture
def emu():
    e = BigCommerceEmulator(token=TOKEN, seed=1).start()
    e.faults.hang_seconds = 1.0
    yield e
    e.stop()


def config(emu, **kw) -> CartConfig:
    base = dict(name="BC", kind="bigcommerce", url=f"{emu.url}/stores/{emu.store_hash}",
                token=TOKEN, read_timeout=0.5, connect_timeout=0.5)
    base.update(kw)
    return CartConfig(**base)


@pytest.fixture
def conn(emu):
    c = BigCommerceConnector(config(emu))
    yield c
    c.close()


def test_registries_and_protocol(conn):
    assert connector_class("bigcommerce") is BigCommerceConnector
    assert emulator_class("bigcommerce") is BigCommerceEmulator
    assert isinstance(conn, Connector)
    assert conn.batch_limit == 2000 and conn.write_mode == ABSOLUTE


def test_list_items_pages_through_more_than_three_pages(emu, conn, monkeypatch):
    monkeypatch.setattr("seom_desktop.carts.bigcommerce.PAGE_LIMIT", 7)
    for n in range(30):
        emu.add_item(f"SKU-{n:02d}", n)
    items = list(conn.list_items())
    assert [i.sku for i in items] == [f"SKU-{n:02d}" for n in range(30)]
    assert [i.qoh for i in items] == list(range(30))
    pages = emu.requests[f"GET /stores/{emu.store_hash}/v3/inventory/locations/1/items"]
    assert pages == 5  # ceil(30 / 7)
    assert "abc123" in conn.test_connection()


def test_get_items_and_set_qoh(emu, conn):
    emu.add_item("A", 5)
    emu.add_item("B", 7)
    got = conn.get_items(["A", "B", "NOPE"])
    assert {s: i.qoh for s, i in got.items()} == {"A": 5, "B": 7}
    res = conn.set_qoh([QohUpdate("A", 11), QohUpdate("B", 0)])
    assert all(r.ok for r in res)
    assert emu.quantity("A") == 11 and emu.quantity("B") == 0
    assert emu.applied == {"A": 1, "B": 1}


def test_batch_limit_enforced_by_connector_and_by_cart(emu, conn):
    with pytest.raises(ValueError):
        conn.set_qoh([QohUpdate(f"S{n}", 1) for n in range(2001)])
    body = {"reason": "x", "items": [{"location_id": 1, "sku": f"S{n}", "quantity": 1}
                                     for n in range(2001)]}
    resp = requests.put(f"{emu.url}/stores/{emu.store_hash}/v3/inventory/adjustments/absolute",
                        json=body, headers={"X-Auth-Token": TOKEN}, timeout=5)
    assert resp.status_code == 422
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert set(resp.json()) == {"status", "title", "type", "errors"}


def test_unknown_sku_does_not_stop_the_others(emu, conn):
    for s in ("A", "B", "C"):
        emu.add_item(s, 1)
    res = conn.set_qoh([QohUpdate("A", 4), QohUpdate("GHOST", 3), QohUpdate("C", 9)])
    by = {r.sku: r for r in res}
    assert by["A"].ok and by["C"].ok
    assert not by["GHOST"].ok and isinstance(by["GHOST"].error, UnknownItemError)
    assert emu.quantity("A") == 4 and emu.quantity("C") == 9
    assert emu.applied == {"A": 1, "C": 1}  # the refused request applied nothing


def test_field_error_blames_only_its_item(emu, conn):
    for s in ("A", "B", "C", "D"):
        emu.add_item(s, 1)
    res = conn.set_qoh([QohUpdate("A", 2), QohUpdate("B", -5), QohUpdate("C", 2), QohUpdate("D", 2)])
    by = {r.sku: r for r in res}
    assert [s for s, r in by.items() if not r.ok] == ["B"]
    assert isinstance(by["B"].error, PermanentError) and by["B"].error.status == 422
    assert emu.quantity("D") == 2 and emu.quantity("B") == 1


def test_wrong_location_is_a_whole_request_failure(emu):
    emu.add_item("A", 1)
    c = BigCommerceConnector(config(emu, location="9"))
    with pytest.raises(PermanentError) as e:
        c.set_qoh([QohUpdate("A", 2)])
    assert "Location not found" in str(e.value)
    assert emu.requests[f"PUT /stores/{emu.store_hash}/v3/inventory/adjustments/absolute"] == 1


@pytest.mark.parametrize("fault,cls", [
    ("500", RetryableError), ("503", RetryableError), ("html", RetryableError),
    ("reset", AmbiguousError), ("timeout-after", AmbiguousError), ("malformed", AmbiguousError),
])
def test_write_faults_map_to_error_classes(emu, conn, fault, cls):
    emu.add_item("A", 1)
    emu.faults.queue(fault, path="/adjustments/")
    with pytest.raises(cls) as e:
        conn.set_qoh([QohUpdate("A", 3)])
    if cls is RetryableError:
        assert not isinstance(e.value, AmbiguousError)
        assert emu.applied["A"] == 0
    elif fault == "reset":  # the client cannot tell a reset before from one after applying
        assert emu.applied["A"] == 0
    else:
        assert emu.applied["A"] == 1  # applied, answer lost: ambiguous, absolute re-send is safe
        assert conn.set_qoh([QohUpdate("A", 3)])[0].ok and emu.quantity("A") == 3


@pytest.mark.parametrize("fault,cls", [
    ("500", RetryableError), ("reset", RetryableError), ("html", RetryableError),
    ("timeout-after", RetryableError), ("malformed", BadResponseError),
])
def test_read_faults_map_to_error_classes(emu, conn, fault, cls):
    emu.add_item("A", 1)
    emu.faults.queue(fault, path="/items")
    with pytest.raises(cls) as e:
        list(conn.list_items())
    assert not isinstance(e.value, AmbiguousError)


def test_rate_limit_uses_reset_header(emu, conn):
    emu.add_item("A", 1)
    emu.faults.retry_after = 2.5
    emu.faults.queue("429")
    with pytest.raises(RateLimitedError) as e:
        conn.get_items(["A"])
    assert e.value.delay == pytest.approx(2.5)


def test_quota_exhaustion_answers_429_with_window_reset(emu, conn):
    emu.add_item("A", 1)
    emu.rate_quota = 2
    conn.get_items(["A"])
    conn.get_items(["A"])
    with pytest.raises(RateLimitedError) as e:
        conn.get_items(["A"])
    assert 0 < e.value.delay <= emu.rate_window_ms / 1000


def test_wrong_token_is_auth_error_without_the_secret(emu):
    wrong = "wrong-token-SECRET-123"
    c = BigCommerceConnector(config(emu, token=wrong))
    with pytest.raises(AuthError) as e:
        c.test_connection()
    assert e.value.status == 401
    assert wrong not in str(e.value) and TOKEN not in str(e.value)


def test_secrets_never_in_error_messages(emu, conn):
    emu.add_item("A", 1)
    for fault in ("500", "html", "reset", "timeout-after", "malformed", "429"):
        emu.faults.queue(fault)
        with pytest.raises(Exception) as e:
            conn.set_qoh([QohUpdate("A", 2)])
        assert TOKEN not in str(e.value) and TOKEN not in repr(e.value)


def test_orders_since_a_time_oldest_first(emu, conn):
    emu.add_item("A", 10)
    emu.add_item("B", 10)
    old = emu.place_order([("A", 1)])
    emu.orders[-1]["created"] = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    first = emu.place_order([("A", 2), ("B", 1)])
    second = emu.place_order([("B", 3)])
    assert emu.quantity("A") == 7 and emu.quantity("B") == 6  # placing an order decrements
    since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    orders = conn.list_orders(since)
    assert [o.order_id for o in orders] == [first, second]
    assert [(ln.sku, ln.quantity) for ln in orders[0].lines] == [("A", 2), ("B", 1)]
    assert orders[0].created.endswith("Z")
    assert [o.order_id for o in conn.list_orders(None)] == [old, first, second]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert conn.list_orders(future) == []  # the API answers 204 No Content


def test_http_refused_for_non_loopback_plain_http():
    with pytest.raises(ValueError):
        BigCommerceConnector(CartConfig(name="x", kind="bigcommerce",
                                        url="http://api.bigcommerce.com/stores/x", token="t"))
