"""Get QOH (with --create-new), Send QOH, the web stack and order import against an
emulated Miva store that answers as Miva's own source does (github.com/mivaecommerce/
miva-merchant-lsk, tag 10.13.04): stock only through the on-demand column
`product_inventory` (json/products.mv; unknown column names are ignored), untracked
products that Product_Update answers "success" for and does not change, and order lines
that carry the product `code` and a `sku` that may differ (json/orders.mv). Through the
command line, the sync functions and the stack controller, over loopback sockets."""

from __future__ import annotations

import base64
import json

import pytest
from qoh_kit import cli_fixture, qohs, seed, store_fixture  # noqa: F401 - fixtures
from stack_kit import ACTOR, adjust, drain, rows_of

from seom_desktop.emulators.miva import MivaEmulator
from seom_desktop.inventory.products import add_product
from seom_desktop.store.params import set_param
from seom_desktop.sync.cart_setup import define_cart
from seom_desktop.sync.get_qoh import get_qoh
from seom_desktop.sync.orders import import_orders

TOKEN = "miva-sync-token"
KEY = base64.b64encode(b"miva-sync-signing-key").decode()


@pytest.fixture(name="miva")
def miva_fixture():
    e = MivaEmulator(token=TOKEN, store_code="PS", signing_key=KEY).start()
    yield e
    e.stop()


def add_miva(cli, emu, *extra: str) -> None:
    code, _, err = cli("cart", "add", "miva", "--kind", "miva", "--url", emu.url, "--token",
                       TOKEN, "--secret", KEY, "--location", "PS", *extra)
    assert code == 0, err


def test_get_qoh_create_new_reads_the_whole_store(miva, cli, store):
    miva.add_item("M-1", 7, name="Mug")
    miva.add_item("M-2", 0, name="Plate")
    miva.add_item("GIFT", 0, name="Gift card", tracked=False)
    miva.add_item("OFF", 4, name="Retired")
    miva.stop_tracking("OFF")
    seed(store, {"M-2": 3})
    add_miva(cli, miva)
    code, out, err = cli("get-qoh", "miva", "--create-new", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["read"] == 4 and doc["error"] is None
    assert {c["sku"]: c["cart_qoh"] for c in doc["created"]} == {"M-1": 7, "GIFT": None,
                                                                  "OFF": None}
    assert [(c["sku"], c["cart_qoh"]) for c in doc["changed"]] == [("M-2", 0)]
    assert qohs(store) == {"M-1": 7, "M-2": 0, "GIFT": 0, "OFF": 0}


def test_get_qoh_reports_untracked_products(miva, cli, store):
    miva.add_item("T", 5)
    miva.add_item("U", 9, tracked=False)
    seed(store, {"T": 1, "U": 2})
    add_miva(cli, miva)
    report = get_qoh(store, "miva", actor=ACTOR)
    assert report.error is None
    assert [(c["sku"], c["cart_qoh"]) for c in report.changed] == [("T", 5)]
    assert [u["sku"] for u in report.untracked] == ["U"]
    assert qohs(store) == {"T": 5, "U": 2}


def test_send_qoh_writes_tracked_products_and_reports_untracked_ones(miva, cli, store):
    for sku in ("S-1", "S-2"):
        miva.add_item(sku, 0)
    miva.add_item("S-3", 0, tracked=False)
    miva.add_item("S-4", 1)
    miva.stop_tracking("S-4")
    seed(store, {"S-1": 4, "S-2": 6, "S-3": 8, "S-4": 10})
    add_miva(cli, miva)
    code, out, err = cli("send-qoh", "miva", "--json")
    assert code != 2, err  # (CLI.md: 1 once refusals make send-qoh fail; 0 before)
    doc = json.loads(out)
    assert doc["sent"] == 2 and doc["error"] is None
    refused = {r["sku"]: r["message"] for r in doc["refused"]}
    assert set(refused) == {"S-3", "S-4"}
    assert all("does not track inventory on Miva" in m for m in refused.values())
    assert miva.quantity("S-1") == 4 and miva.quantity("S-2") == 6
    assert miva.catalog.writes == ["S-1", "S-2"]  # never an untracked product
    assert miva.hidden_count("S-3") is None and miva.hidden_count("S-4") == 1


@pytest.fixture(name="synced")
def synced_fixture(miva, store):
    """A store synchronized to the Miva cart, products already sent (as after Send QOH)."""
    miva.add_item("R-1", 10)
    miva.add_item("R-2", 10, tracked=False)
    with store.write() as s:
        set_param(s, "StackRetrySeconds", 0)
        define_cart(s, name="miva", kind="miva", url=miva.url, token=TOKEN, secret=KEY,
                    location="PS", sync=True, max_items=50)
        add_product(s, sku="R-1", name="Tracked", qoh=10, actor=ACTOR)
        add_product(s, sku="R-2", name="Untracked", qoh=10, actor=ACTOR)
        set_param(s, "SynchQOH", True)
    return store


class _Shop:
    def __init__(self, store):
        self.store = store


def test_stack_sends_tracked_rows_and_fails_untracked_ones(miva, synced):
    shop = _Shop(synced)
    adjust(shop, "R-1", -3)
    adjust(shop, "R-2", -4)
    drain(shop, passes=3)
    [tracked] = rows_of(shop, "miva", "R-1")
    assert tracked.state == "sent" and miva.quantity("R-1") == 7
    [untracked] = rows_of(shop, "miva", "R-2")
    assert untracked.state in ("failed", "bypassed")
    assert "does not track stock" in untracked.last_response
    assert miva.catalog.writes == ["R-1"] and miva.hidden_count("R-2") is None


def test_order_lines_whose_sku_differs_from_the_code_lower_the_store(miva, cli, store):
    miva.add_item("WIDGET", 10, product_sku="0001-RED")
    miva.add_item("GADGET", 10, product_sku="GADGET")
    seed(store, {"WIDGET": 10, "GADGET": 10})
    add_miva(cli, miva)
    miva.place_order([("WIDGET", 3), ("GADGET", 1)])
    report = import_orders(store, "miva", actor=ACTOR)
    assert report.error is None and len(report.imported) == 1
    assert report.unknown_skus == [] and report.lines_applied == 2
    assert qohs(store) == {"WIDGET": 7, "GADGET": 9}
    code, out, err = cli("orders", "import", "miva", "--json")  # the same order: once
    assert code == 0, err
    assert json.loads(out)["skipped"] == report.imported
    assert qohs(store) == {"WIDGET": 7, "GADGET": 9}


def test_a_refused_token_stops_the_cart_pass_after_one_request(miva, synced):
    # Miva refuses in an HTTP 200 (mmlsk-json.mv JSON_API: access_denied); the stack
    # must stop the cart's pass as for a 401/403, not try every batch.
    from seom_desktop.stack.controller import StackController
    from seom_desktop.sync.cart_setup import update_cart

    with synced.write() as s:
        update_cart(s, "miva", max_items=1)
    miva.token = "revoked"
    shop = _Shop(synced)
    adjust(shop, "R-1", -1)
    adjust(shop, "R-2", -1)
    before = miva.requests["POST /mm5/json.mvc"]
    ctl = StackController(synced, workstation="test-ws")
    ctl.run_once()
    ctl.close()
    assert miva.requests["POST /mm5/json.mvc"] == before + 1
    rows = rows_of(shop, "miva", "R-1") + rows_of(shop, "miva", "R-2")
    assert sorted(r.attempts for r in rows) == [0, 1]
    assert any("Access denied" in r.last_response for r in rows)


def test_cancelled_orders_and_items_are_not_applied(miva, cli, store):
    # docs.miva.com/miva10/reference-guide/order-order-item-statuses: 300 is Cancelled,
    # for an order and for an item.
    for code in ("C-1", "C-2"):
        miva.add_item(code, 10)
    seed(store, {"C-1": 10, "C-2": 10})
    add_miva(cli, miva)
    whole = miva.place_order([("C-1", 4)])
    part = miva.place_order([("C-1", 1), ("C-2", 2)])
    miva.cancel_items(whole)
    miva.cancel_items(part, ["C-2"])
    report = import_orders(store, "miva", actor=ACTOR)
    assert report.error is None and sorted(report.imported) == sorted([whole, part])
    assert report.not_applied == [{"order_id": whole, "status": "cancelled"}]
    assert report.lines_applied == 1 and qohs(store) == {"C-1": 9, "C-2": 10}
