"""MagentoConnector against MagentoEmulator over real loopback sockets."""

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
from seom_desktop.carts.magento import MagentoConnector, fill
from seom_desktop.carts.registry import connector_class
from seom_desktop.emulators.magento import MagentoEmulator
from seom_desktop.emulators.registry import emulator_class

TOKEN = "integration-SECRET-token-77"
USER, PASSWORD = "shopadmin", "admin-PASSWORD-secret-9"


@pytest.fixture
def emu():
    e = MagentoEmulator(integration_token=TOKEN, admin_user=USER, admin_password=PASSWORD,
                        seed=1).start()
    e.faults.hang_seconds = 1.0
    yield e
    e.stop()


def config(emu, **kw) -> CartConfig:
    base = dict(name="Mage", kind="magento", url=emu.url, token=TOKEN,
                read_timeout=0.5, connect_timeout=0.5)
    base.update(kw)
    return CartConfig(**base)


@pytest.fixture
def conn(emu):
    c = MagentoConnector(config(emu))
    yield c
    c.close()


def test_registries_and_protocol(conn):
    assert connector_class("magento") is MagentoConnector
    assert emulator_class("magento") is MagentoEmulator
    assert isinstance(conn, Connector)
    assert conn.batch_limit == 20 and conn.write_mode == ABSOLUTE


def test_placeholders_filled():
    assert fill("Maximum items of type \"%type\" is %max", {"type": "T", "max": 20}) == \
        'Maximum items of type "T" is 20'
    assert fill("%1 of %2 (%10)", list("abcdefghij")) == "a of b (j)"


def test_store_code_from_url(emu):
    c = MagentoConnector(config(emu, url=f"{emu.url}/rest/all"))
    assert c.store_code == "all" and "'all'" in c.test_connection()
    assert MagentoConnector(config(emu)).store_code == "default"


def test_list_items_pages_through_more_than_three_pages(emu, conn, monkeypatch):
    monkeypatch.setattr("seom_desktop.carts.magento.PAGE_SIZE", 6)
    for n in range(27):
        emu.add_item(f"SKU-{n:02d}", n)
    emu.add_item("OTHER-SOURCE", 5, source_code="warehouse")
    items = list(conn.list_items())
    assert [i.sku for i in items] == [f"SKU-{n:02d}" for n in range(27)]  # no repeated last page
    assert [i.qoh for i in items] == list(range(27))
    assert emu.requests["GET /rest/default/V1/inventory/source-items"] == 5


def test_get_items_and_set_qoh(emu, conn):
    emu.add_item("A", 5)
    emu.add_item("B", 7)
    assert {s: i.qoh for s, i in conn.get_items(["A", "B", "NOPE"]).items()} == {"A": 5, "B": 7}
    res = conn.set_qoh([QohUpdate("A", 11), QohUpdate("B", 0)])
    assert all(r.ok for r in res)
    assert emu.quantity("A") == 11 and emu.quantity("B") == 0
    assert emu.source_items[("B", "default")]["status"] == 0
    assert emu.applied == {"A": 1, "B": 1}


def test_batch_limit_enforced_by_connector_and_by_cart(emu, conn):
    with pytest.raises(ValueError):
        conn.set_qoh([QohUpdate(f"S{n}", 1) for n in range(21)])
    body = {"sourceItems": [{"sku": f"S{n}", "source_code": "default", "quantity": 1, "status": 1}
                            for n in range(21)]}
    resp = requests.post(f"{emu.url}/rest/default/V1/inventory/source-items", json=body,
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert resp.status_code == 400
    assert resp.json()["parameters"]["max"] == 20


@pytest.mark.parametrize("mode", ["validation", "could-not-save"])
def test_unknown_sku_does_not_stop_the_others(emu, conn, mode):
    emu.unknown_sku = mode
    for s in ("A", "B", "C", "D"):
        emu.add_item(s, 1)
    res = conn.set_qoh([QohUpdate("A", 4), QohUpdate("GHOST", 3), QohUpdate("C", 9), QohUpdate("D", 2)])
    by = {r.sku: r for r in res}
    assert by["A"].ok and by["C"].ok and by["D"].ok
    assert not by["GHOST"].ok and by["GHOST"].error.status == 400
    if mode == "validation":
        assert isinstance(by["GHOST"].error, UnknownItemError)
        assert 'Product with SKU "GHOST" does not exist.' in str(by["GHOST"].error)
    assert (emu.quantity("A"), emu.quantity("C"), emu.quantity("D")) == (4, 9, 2)
    assert emu.applied == {"A": 1, "C": 1, "D": 1}
    assert ("GHOST", "default") not in emu.source_items


def test_unknown_source_is_refused_with_filled_message(emu):
    emu.add_item("A", 1)
    c = MagentoConnector(config(emu, location="nowhere"))
    res = c.set_qoh([QohUpdate("A", 2)])
    # Magento's words (magento/inventory ValidationTest: not_exists_source_code)
    assert not res[0].ok and "Could not save Source Item" in str(res[0].error)


@pytest.mark.parametrize("fault,cls", [
    ("500", RetryableError), ("503", RetryableError), ("html", RetryableError),
    ("reset", AmbiguousError), ("timeout-after", AmbiguousError), ("malformed", AmbiguousError),
])
def test_write_faults_map_to_error_classes(emu, conn, fault, cls):
    emu.add_item("A", 1)
    emu.faults.queue(fault, path="/source-items")
    with pytest.raises(cls) as e:
        conn.set_qoh([QohUpdate("A", 3)])
    if cls is RetryableError:
        assert not isinstance(e.value, AmbiguousError)
    assert emu.applied["A"] == (1 if fault in ("timeout-after", "malformed") else 0)
    assert conn.set_qoh([QohUpdate("A", 3)])[0].ok and emu.quantity("A") == 3


@pytest.mark.parametrize("fault,cls", [
    ("500", RetryableError), ("reset", RetryableError), ("html", RetryableError),
    ("timeout-after", RetryableError), ("malformed", BadResponseError),
])
def test_read_faults_map_to_error_classes(emu, conn, fault, cls):
    emu.add_item("A", 1)
    emu.faults.queue(fault, path="/source-items")
    with pytest.raises(cls) as e:
        list(conn.list_items())
    assert not isinstance(e.value, AmbiguousError)


def test_rate_limit_429_retry_after(emu, conn):
    emu.faults.retry_after = 7
    emu.faults.queue("429")
    with pytest.raises(RateLimitedError) as e:
        conn.get_items(["A"])
    assert e.value.delay == pytest.approx(7)


def test_wrong_token_is_auth_error_without_the_secret(emu):
    c = MagentoConnector(config(emu, token="not-the-token-SECRET"))
    with pytest.raises(AuthError) as e:
        c.test_connection()
    assert e.value.status == 401 and "isn't authorized to access Magento_InventoryApi" in str(e.value)
    assert "not-the-token-SECRET" not in str(e.value)


def test_wrong_admin_password_is_auth_error_without_the_secret(emu):
    c = MagentoConnector(config(emu, token="", key=USER, secret="wrong-PASSWORD-x"))
    with pytest.raises(AuthError) as e:
        c.test_connection()
    assert "sign-in was incorrect" in str(e.value)
    assert "wrong-PASSWORD-x" not in str(e.value) and USER not in str(e.value)


def test_admin_token_is_renewed_when_it_expires(emu):
    emu.add_item("A", 1)
    c = MagentoConnector(config(emu, token="", key=USER, secret=PASSWORD))
    assert c.set_qoh([QohUpdate("A", 2)])[0].ok
    first = c._bearer
    emu.expire_admin_tokens()
    assert c.set_qoh([QohUpdate("A", 3)])[0].ok  # 401, new token, same request again
    assert c._bearer != first and emu.quantity("A") == 3
    assert emu.requests["POST /rest/V1/integration/admin/token"] == 2
    assert emu.applied["A"] == 2


def test_admin_token_lifetime_is_enforced(emu):
    emu.admin_token_lifetime = 0.0
    c = MagentoConnector(config(emu, token="", key=USER, secret=PASSWORD))
    with pytest.raises(AuthError):  # every fresh token is already expired: one renewal only
        c.test_connection()
    assert emu.requests["POST /rest/V1/integration/admin/token"] == 2


def test_secrets_never_in_error_messages(emu):
    emu.add_item("A", 1)
    c = MagentoConnector(config(emu, token="", key=USER, secret=PASSWORD))
    c.test_connection()
    for fault in ("500", "html", "reset", "timeout-after", "malformed", "429"):
        emu.faults.queue(fault)
        with pytest.raises(Exception) as e:
            c.set_qoh([QohUpdate("A", 2)])
        text = str(e.value) + repr(e.value)
        assert PASSWORD not in text and c._bearer not in text


def test_orders_since_a_time_and_msi_reservations(emu, conn):
    emu.add_item("A", 10)
    emu.add_item("B", 10)
    old = emu.place_order([("A", 1)])
    emu.orders[-1]["created"] = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    first = emu.place_order([("A", 2), ("B", 1)])
    second = emu.place_order([("B", 3)])
    assert emu.quantity("B") == 10 and emu.salable_quantity("B") == 6  # reserved, not deducted
    emu.ship_order(second)
    assert emu.quantity("B") == 7 and emu.salable_quantity("B") == 6
    since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    orders = conn.list_orders(since)
    assert [o.order_id for o in orders] == [first, second]
    assert [(ln.sku, ln.quantity) for ln in orders[0].lines] == [("A", 2), ("B", 1)]
    assert [o.order_id for o in conn.list_orders(None)] == [old, first, second]


def test_missing_credentials_refused():
    with pytest.raises(ValueError):
        MagentoConnector(CartConfig(name="m", kind="magento", url="http://127.0.0.1:1"))


def test_refused_batch_applies_nothing(emu, conn):
    emu.add_item("A", 1)
    c = MagentoConnector(config(emu, location="nowhere"))
    with pytest.raises(PermanentError):
        raise c.set_qoh([QohUpdate("A", 5)])[0].error
    assert emu.applied["A"] == 0
