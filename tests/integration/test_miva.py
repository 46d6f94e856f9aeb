"""MivaConnector against MivaEmulator over real loopback sockets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
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
    QohUpdate,
    RateLimitedError,
    RetryableError,
    UnknownItemError,
)
from seom_desktop.carts.miva import MivaConnector
from seom_desktop.carts.registry import connector_class
from seom_desktop.emulators.miva import MivaEmulator
from seom_desktop.emulators.registry import emulator_class

TOKEN = "miva-SECRET-access-token-42"
KEY = base64.b64encode(b"miva-signing-key-SECRET-bytes").decode()


@pytest.fixture(params=["plain", "hmac"])
def emu(request):
    e = MivaEmulator(token=TOKEN, store_code="PS",
                     signing_key=KEY if request.param == "hmac" else "", seed=1).start()
    e.faults.hang_seconds = 1.0
    yield e
    e.stop()


def config(emu, **kw) -> CartConfig:
    base = dict(name="Miva", kind="miva", url=emu.url, token=TOKEN, location="PS",
                secret=emu.signing_key, read_timeout=0.5, connect_timeout=0.5)
    base.update(kw)
    return CartConfig(**base)


@pytest.fixture
def conn(emu):
    c = MivaConnector(config(emu))
    yield c
    c.close()


def test_registries_and_protocol(conn):
    assert connector_class("miva") is MivaConnector
    assert emulator_class("miva") is MivaEmulator
    assert isinstance(conn, Connector)
    assert conn.write_mode == ABSOLUTE and MivaConnector.holds_stock_in_baskets is True
    assert "'PS'" in conn.test_connection()


def test_list_items_pages_through_more_than_three_pages(emu, conn, monkeypatch):
    monkeypatch.setattr("seom_desktop.carts.miva.PAGE_SIZE", 8)
    for n in range(35):
        emu.add_item(f"SKU-{n:02d}", n)
    emu.add_item("GIFT", 0, tracked=False)
    items = list(conn.list_items())
    assert [i.sku for i in items] == [f"SKU-{n:02d}" for n in range(35)] + ["GIFT"]
    assert [i.qoh for i in items[:35]] == list(range(35))
    assert items[-1].qoh is None and not items[-1].tracked
    assert emu.requests["POST /mm5/json.mvc"] == 5


def test_get_items_and_set_qoh_in_one_multicall(emu, conn):
    emu.add_item("A", 5)
    emu.add_item("B", 7)
    assert {s: i.qoh for s, i in conn.get_items(["A", "B", "NOPE"]).items()} == {"A": 5, "B": 7}
    before = emu.requests["POST /mm5/json.mvc"]
    res = conn.set_qoh([QohUpdate("A", 11), QohUpdate("B", 0)])
    assert all(r.ok for r in res)
    assert emu.requests["POST /mm5/json.mvc"] == before + 1
    assert emu.quantity("A") == 11 and emu.quantity("B") == 0
    assert emu.applied == {"A": 1, "B": 1}


def test_batch_limit_enforced(conn):
    with pytest.raises(ValueError):
        conn.set_qoh([QohUpdate(f"S{n}", 1) for n in range(conn.batch_limit + 1)])


def test_one_bad_item_does_not_stop_the_others(emu, conn):
    for s in ("A", "C"):
        emu.add_item(s, 1)
    res = conn.set_qoh([QohUpdate("A", 4), QohUpdate("GHOST", 3), QohUpdate("C", 9)])
    by = {r.sku: r for r in res}
    assert by["A"].ok and by["C"].ok
    assert isinstance(by["GHOST"].error, UnknownItemError) and "Product not found" in str(by["GHOST"].error)
    assert emu.quantity("A") == 4 and emu.quantity("C") == 9


def test_partial_multicall_206_leaves_the_rest_retryable(emu, conn):
    for s in ("A", "B", "C"):
        emu.add_item(s, 1)
    emu.max_operations = 2
    res = conn.set_qoh([QohUpdate("A", 5), QohUpdate("B", 5), QohUpdate("C", 5)])
    assert [r.ok for r in res] == [True, True, False]
    assert isinstance(res[2].error, RetryableError) and "2/3" in str(res[2].error)
    assert emu.quantity("C") == 1


@pytest.mark.parametrize("fault,cls", [
    ("500", RetryableError), ("503", RetryableError), ("html", RetryableError),
    ("reset", AmbiguousError), ("timeout-after", AmbiguousError), ("malformed", AmbiguousError),
])
def test_write_faults_map_to_error_classes(emu, conn, fault, cls):
    emu.add_item("A", 1)
    emu.faults.queue(fault)
    with pytest.raises(cls) as e:
        conn.set_qoh([QohUpdate("A", 3)])
    if cls is RetryableError:
        assert not isinstance(e.value, AmbiguousError)
    assert emu.applied["A"] == (1 if fault in ("timeout-after", "malformed") else 0)
    assert conn.set_qoh([QohUpdate("A", 3)])[0].ok and emu.quantity("A") == 3  # absolute: safe


@pytest.mark.parametrize("fault,cls", [
    ("500", RetryableError), ("reset", RetryableError), ("html", RetryableError),
    ("timeout-after", RetryableError), ("malformed", BadResponseError),
])
def test_read_faults_map_to_error_classes(emu, conn, fault, cls):
    emu.add_item("A", 1)
    emu.faults.queue(fault)
    with pytest.raises(cls) as e:
        list(conn.list_items())
    assert not isinstance(e.value, AmbiguousError)


def test_rate_limit_429(emu, conn):
    emu.faults.retry_after = 4
    emu.faults.queue("429")
    with pytest.raises(RateLimitedError) as e:
        conn.get_items(["A"])
    assert e.value.delay == pytest.approx(4)


def test_wrong_token_is_auth_error_without_the_secret(emu):
    c = MivaConnector(config(emu, token="wrong-SECRET-token"))
    with pytest.raises(AuthError) as e:
        c.test_connection()
    assert "Access denied" in str(e.value) and "wrong-SECRET-token" not in str(e.value)


def test_signature_checked(emu):
    if not emu.signing_key:
        c = MivaConnector(config(emu, secret=KEY))  # signs; a plain token accepts no HMAC
        with pytest.raises(AuthError):
            c.test_connection()
        return
    other = base64.b64encode(b"some-other-key").decode()
    with pytest.raises(AuthError) as e:
        MivaConnector(config(emu, secret=other)).test_connection()
    assert "signature" in str(e.value) and other not in str(e.value) and KEY not in str(e.value)
    with pytest.raises(AuthError):  # an HMAC token refuses an unsigned request
        MivaConnector(config(emu, secret="")).test_connection()


def test_stale_timestamp_refused(emu, conn, monkeypatch):
    class Clock:  # the connector's clock is off by far more than the allowed window
        @staticmethod
        def time() -> float:
            return 1_000_000.0

    monkeypatch.setattr("seom_desktop.carts.miva.time", Clock)
    with pytest.raises(AuthError) as e:
        conn.test_connection()
    assert "timestamp" in str(e.value)


def test_secrets_never_in_error_messages(emu, conn):
    emu.add_item("A", 1)
    for fault in ("500", "html", "reset", "timeout-after", "malformed", "429"):
        emu.faults.queue(fault)
        with pytest.raises(Exception) as e:
            conn.set_qoh([QohUpdate("A", 2)])
        text = str(e.value) + repr(e.value)
        assert TOKEN not in text and KEY not in text


def test_orders_since_a_time(emu, conn):
    emu.add_item("A", 10)
    emu.add_item("B", 10)
    old = emu.place_order([("A", 1)])
    emu.orders[-1]["orderdate"] = int(time.time()) - 2 * 86400
    first = emu.place_order([("A", 2), ("B", 1)])
    second = emu.place_order([("B", 3)])
    assert emu.quantity("A") == 7 and emu.quantity("B") == 6
    since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    orders = conn.list_orders(since)
    assert [o.order_id for o in orders] == [first, second]
    assert [(ln.sku, ln.quantity) for ln in orders[0].lines] == [("A", 2), ("B", 1)]
    assert [o.order_id for o in conn.list_orders(None)] == [old, first, second]


def test_baskets_hold_stock(emu, conn):
    emu.add_item("A", 10)
    emu.add_to_basket("A", 3)
    assert conn.get_items(["A"])["A"].qoh == 7  # taken out of stock at once
    conn.set_qoh([QohUpdate("A", 10)])  # a sync with a basket open...
    emu.empty_baskets()
    assert emu.quantity("A") == 13  # ...overcounts when the basket gives its stock back
    emu.add_to_basket("A", 2, basket="b2")
    oid = emu.place_order([], basket="b2")
    assert emu.quantity("A") == 11 and [o.lines for o in conn.list_orders(None) if o.order_id == oid]


def test_multicall_operations_form(emu):
    emu.add_item("A", 1)
    body = {"Store_Code": "PS", "Miva_Request_Timestamp": int(time.time()),
            "Operations": [{"Function": "Product_Update", "Product_Code": "A", "Product_Inventory": 6},
                           {"Function": "ProductList_Load_Query", "Count": 1}]}
    raw = json.dumps(body).encode()
    auth = f"MIVA {TOKEN}"
    if emu.signing_key:
        sig = hmac.new(base64.b64decode(KEY), raw, hashlib.sha256).digest()
        auth = f"MIVA-HMAC-SHA256 {TOKEN}:{base64.b64encode(sig).decode()}"
    resp = requests.post(f"{emu.url}/mm5/json.mvc", data=raw, timeout=5,
                         headers={"X-Miva-API-Authorization": auth, "Content-Type": "application/json"})
    out = resp.json()
    assert out[0] == {"success": 1} and out[1]["data"]["data"][0]["product_inventory"] == 6
