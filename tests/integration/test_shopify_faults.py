"""Shopify connector against the Shopify emulator, over real loopback sockets: rate limits
(the cost bucket's THROTTLED, HTTP 429), server errors, timeouts, malformed and HTML
answers, a wrong token, and the token kept out of every error."""

from __future__ import annotations

import pytest
from shopify_kit import FaultOnMutation, config, gql, shopify_fixtures

from seom_desktop.carts.base import (
    AmbiguousError,
    AuthError,
    BadResponseError,
    CartError,
    QohUpdate,
    RateLimitedError,
    RetryableError,
)
from seom_desktop.carts.shopify import ShopifyConnector

emu, conn = shopify_fixtures()


def test_throttling_surfaces_as_rate_limited_error_with_delay(emu, conn):
    emu.add_item("A", 5)
    conn.test_connection()
    emu.bucket.restore_rate = 2.0
    emu.bucket.set_available(0)
    with pytest.raises(RateLimitedError) as e:
        conn.get_items([f"S{n}" for n in range(50)])
    # a page of 50 variants asks 152 points; the bucket refills 2 a second. However long
    # the request took, the bucket holds now at least what it held when it answered, so
    # the wait it gave lies between what 152 points need now and from empty.
    held_now = emu.bucket.available()
    assert (152 - held_now) / 2 - 0.5 <= e.value.delay <= 76.5 and e.value.code == "THROTTLED"
    with pytest.raises(RateLimitedError):
        conn.set_qoh([QohUpdate("A", 6, expected=5)])
    assert emu.quantity("A") == 5
    resp = gql(emu, "{ shop { name } }")
    body = resp.json()
    assert resp.status_code == 200 and body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert set(body["extensions"]["cost"]["throttleStatus"]) == {
        "maximumAvailable", "currentlyAvailable", "restoreRate"}


def test_cost_is_reported_on_every_answer(emu):
    body = gql(emu, "{ shop { name } }").json()
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1
    assert body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 2000


def test_http_429_is_rate_limited(emu, conn):
    emu.add_item("A", 5)
    emu.faults.retry_after = 3
    emu.faults.queue("429")
    with pytest.raises(RateLimitedError) as e:
        conn.get_items(["A"])
    assert e.value.delay == 3.0
    writer = ShopifyConnector(config(emu), pool_class=FaultOnMutation(emu, "429"))
    with pytest.raises(RateLimitedError):
        writer.set_qoh([QohUpdate("A", 6, expected=5)])
    assert emu.quantity("A") == 5


@pytest.mark.parametrize("status", ["500", "503"])
def test_server_errors_are_retryable_and_apply_nothing(emu, conn, status):
    emu.add_item("A", 5)
    emu.faults.queue(status)
    with pytest.raises(RetryableError) as e:
        conn.get_items(["A"])
    assert e.value.status == int(status)
    writer = ShopifyConnector(config(emu), pool_class=FaultOnMutation(emu, status))
    with pytest.raises(RetryableError) as e:
        writer.set_qoh([QohUpdate("A", 6, expected=5)])
    assert not isinstance(e.value, AmbiguousError)
    assert emu.quantity("A") == 5 and not emu.applied


def test_timeout_after_a_write_is_ambiguous_and_resending_applies_once(emu):
    emu.add_item("A", 5)
    update = QohUpdate("A", 9, delta=4, expected=None, key="row-3")
    writer = ShopifyConnector(config(emu), pool_class=FaultOnMutation(emu, "timeout-after"))
    with pytest.raises(AmbiguousError):
        writer.set_qoh([update])
    assert emu.applied["A"] == 1  # it did land
    again = ShopifyConnector(config(emu)).set_qoh([update])
    assert again[0].ok
    assert emu.quantity("A") == 9 and emu.applied["A"] == 1


def test_malformed_and_html_answers_are_mapped(emu, conn):
    emu.add_item("A", 5)
    emu.add_item("B", 5)
    emu.faults.queue("malformed")
    with pytest.raises(BadResponseError):
        conn.get_items(["A"])
    emu.faults.queue("html")
    with pytest.raises(RetryableError) as e:
        conn.get_items(["A"])
    assert "HTML" in str(e.value) and e.value.status == 502
    writer = ShopifyConnector(config(emu), pool_class=FaultOnMutation(emu, "html"))
    with pytest.raises(RetryableError) as e:
        writer.set_qoh([QohUpdate("A", 6, expected=5)])
    assert not isinstance(e.value, AmbiguousError) and emu.quantity("A") == 5
    batch = [QohUpdate("A", 8, delta=3, expected=5), QohUpdate("B", 1, expected=5)]
    writer = ShopifyConnector(config(emu), pool_class=FaultOnMutation(emu, "malformed"))
    with pytest.raises(AmbiguousError):
        writer.set_qoh(batch)
    assert emu.applied["A"] == 1
    res = ShopifyConnector(config(emu)).set_qoh(batch)  # the same batch: the same keys
    assert all(r.ok for r in res)
    assert emu.snapshot()["items"] == {"A": 8, "B": 1} and emu.applied == {"A": 1, "B": 1}


def test_wrong_or_missing_token_is_an_auth_error(emu):
    wrong = ShopifyConnector(config(emu, token="shpat_not_the_right_one_123"))
    with pytest.raises(AuthError) as e:
        wrong.test_connection()
    assert e.value.status == 401 and "Invalid API key or access token" in str(e.value)
    assert "shpat_not_the_right_one_123" not in str(e.value)
    assert gql(emu, "{ shop { name } }", token="nope").json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    with pytest.raises(AuthError):
        ShopifyConnector(config(emu, token="")).list_orders(None)


def test_the_token_never_appears_in_an_error(emu):
    emu.add_item("A", 5)
    errors: list[CartError] = []

    def collect(fn):
        try:
            fn()
        except CartError as e:
            errors.append(e)

    for kind in ("429", "500", "503", "reset", "html", "malformed", "timeout-after"):
        emu.faults.queue(kind)
        collect(lambda: ShopifyConnector(config(emu)).get_items(["A"]))
        writer = ShopifyConnector(config(emu), pool_class=FaultOnMutation(emu, kind))
        collect(lambda w=writer, k=kind: w.set_qoh([QohUpdate("A", 6, key=f"t-{k}")]))
    collect(lambda: ShopifyConnector(config(emu))._post("{ shop { nope } }", {}))
    res = ShopifyConnector(config(emu)).set_qoh([QohUpdate("A", 1, expected=99), QohUpdate("Z", 1)])
    errors.extend(r.error for r in res if r.error)
    emu.bucket.set_available(0)
    collect(lambda: ShopifyConnector(config(emu)).get_items(["A"]))
    assert len(errors) >= 16
    for e in errors:
        assert emu.token not in str(e) and emu.token not in repr(e.args)
