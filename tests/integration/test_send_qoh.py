"""Send QOH To Website against emulated carts on loopback sockets, through
seom_desktop.sync and through the command line (and a round trip with order import and
Get QOH on every cart kind)."""

from __future__ import annotations

import json

import pytest
from qoh_kit import (  # noqa: F401 - the *_fixture are fixtures
    WOO_BATCH,
    Canceller,
    add_shopify,
    add_woo,
    bc_fixture,
    cli_fixture,
    dump,
    qohs,
    seed,
    shopify_fixture,
    store_fixture,
    web_fields,
    woo_fixture,
    woo_items,
)
from sqlalchemy import func, select

from seom_desktop.carts.base import ORDERS, PULL, PUSH
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.inventory.products import set_web_fields
from seom_desktop.stack.targets import cart_targets
from seom_desktop.store.models import Cart, LedgerEntry, StackRow
from seom_desktop.sync.send_qoh import send_qoh

# --- Send QOH To Website ----------------------------------------------------------------


def test_push_250_items_at_maximum_50_is_5_write_requests(woo, cli, store):
    add_woo(cli, woo)  # Maximum number of items to send: 50 (the default)
    products = {f"P-{i:03d}": (i * 7) % 31 + 1 for i in range(250)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 0))
    code, out, err = cli("send-qoh", "woo", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["sent"], doc["requests"], doc["refused"], doc["batch_size"]) == (250, 5, [], 50)
    assert woo.requests[WOO_BATCH] == 5
    assert {sku: woo.quantity(sku) for sku in products} == products
    wf = web_fields(store, "woo")
    assert {sku: v[0] for sku, v in wf.items()} == products  # what the cart now shows
    assert all(v[1] == products[sku] and v[2] for sku, v in wf.items())
    with store.read() as s:  # no QOH change: no ledger row beyond the new products, no stack row
        assert s.scalar(select(func.count()).select_from(StackRow)) == 0
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 250


def test_100_at_50_is_two_requests_and_max_items_overrides(woo, cli, store):
    add_woo(cli, woo)
    products = {f"Q-{i:03d}": i + 1 for i in range(100)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 0))
    code, out, _ = cli("send-qoh", "woo")
    assert code == 0 and woo.requests[WOO_BATCH] == 2
    assert "sent 100 of 100 items in 2 request(s) of at most 50" in out
    for flag, expected in (("25", 4), ("100", 1), ("5000", 1)):  # WooCommerce takes 100 at most
        woo.requests.clear()
        code, out, _ = cli("send-qoh", "woo", "--max-items", flag, "--json")
        assert code == 0
        assert json.loads(out)["requests"] == expected == woo.requests[WOO_BATCH]
    woo.requests.clear()
    assert cli("cart", "set", "woo", "--max-items", "20")[0] == 0
    assert cli("send-qoh", "woo")[0] == 0 and woo.requests[WOO_BATCH] == 5
    assert {sku: woo.quantity(sku) for sku in products} == products


def test_dry_run_lists_cart_now_and_would_send_and_changes_nothing(woo, cli, store):
    add_woo(cli, woo)
    seed(store, {"A": 5, "B": 7, "C": 9, "D": 1})
    woo.add_item("A", 2)
    woo.add_item("B", 7)
    woo.add_item("D", None, tracked=False)  # C is not on the cart at all
    with store.write() as s:
        set_web_fields(s, sku="B", cart="woo", reserve=3)
    before = dump(store)
    code, out, err = cli("send-qoh", "woo", "--dry-run", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["sent"] == 0 and doc["requests"] == 0
    assert doc["dry_run"] == [
        {"sku": "A", "cart_sku": "A", "cart_qoh": 2, "would_send": 5, "note": ""},
        {"sku": "B", "cart_sku": "B", "cart_qoh": 7, "would_send": 4, "note": ""},
        {"sku": "C", "cart_sku": "C", "cart_qoh": None, "would_send": 9, "note": "not on the cart"},
        {"sku": "D", "cart_sku": "D", "cart_qoh": None, "would_send": 1,
         "note": "not tracked on the cart"},
    ]
    assert woo.requests[WOO_BATCH] == 0 and not woo.applied
    assert (woo.quantity("A"), woo.quantity("B")) == (2, 7)
    assert dump(store) == before
    code, out, _ = cli("send-qoh", "woo", "--dry-run")
    assert code == 0 and "A\t2\t5" in out and "nothing sent" in out


def test_shaping_reserve_max_qty_alias_no_sync_is_what_shopify_receives(shopify, cli, store):
    add_shopify(cli, shopify, "shop", "--max-items", "50")
    products = {f"S-{i:03d}": 20 for i in range(120)}
    seed(store, products)
    for sku in products:
        shopify.add_item(sku, 0)
    seed(store, {"RES": 10, "CAP": 100, "ALIAS": 6, "OFF": 9})
    shopify.add_item("RES", 0)
    shopify.add_item("CAP", 0)
    shopify.add_item("ALIAS-WEB", 0)
    shopify.add_item("OFF", 1)
    with store.write() as s:
        set_web_fields(s, sku="RES", cart="shop", reserve=3)
        set_web_fields(s, sku="CAP", cart="shop", max_qty=25)
        set_web_fields(s, sku="ALIAS", cart="shop", cart_sku="ALIAS-WEB", reserve=10)
        set_web_fields(s, sku="OFF", cart="shop", sync=False)
    r = send_qoh(store, "shop")
    assert r.ok and r.refused == [] and r.sent == 123 and r.requests == 3
    assert shopify.root_fields["inventorySetQuantities"] == 3  # 123 at Maximum 50
    assert not shopify.root_fields["inventoryAdjustQuantities"]
    assert (shopify.quantity("RES"), shopify.quantity("CAP"), shopify.quantity("ALIAS-WEB")) == (7, 25, 0)
    assert shopify.quantity("OFF") == 1  # no-sync: not sent
    assert all(shopify.quantity(sku) == 20 for sku in products)
    wf = web_fields(store, "shop")
    assert wf["RES"][0] == 7 and wf["CAP"][0] == 25 and wf["ALIAS"][0] == 0
    assert wf["ALIAS"][2].startswith("gid://shopify/InventoryItem/")
    assert qohs(store)["RES"] == 10  # the store's QOH is untouched


def test_refused_items_are_reported_and_the_rest_land(woo, cli, store):
    add_woo(cli, woo, "woo", "--max-items", "2")
    seed(store, {"A": 4, "B": 5, "C": 6, "D": 7, "E": 8})
    woo.add_item("A", 0)
    woo.add_item("B", None, tracked=False)
    woo.add_item("D", 0)
    woo.add_item("E", 0)  # C is not on the cart
    code, out, err = cli("send-qoh", "woo", "--json")
    assert code == 1, err  # shared/CLI.md: send-qoh exits 1 when any item was refused
    assert err == "error: woo refused 2 items (listed above); the others were sent\n"
    doc = json.loads(out)
    assert doc["sent"] == 3 and doc["requests"] == 3
    refused = {r["sku"]: r["message"] for r in doc["refused"]}
    assert set(refused) == {"B", "C"}
    assert "does not track stock" in refused["B"] and "no product or variation has SKU 'C'" in refused["C"]
    assert (woo.quantity("A"), woo.quantity("D"), woo.quantity("E")) == (4, 7, 8)
    assert woo.manage_stock("B") is False  # never switched on
    wf = web_fields(store, "woo")
    assert "C" not in wf and wf.get("B", (None,))[0] is None and wf["E"][0] == 8
    code, out, _ = cli("send-qoh", "woo")
    assert code == 1 and "refused B: " in out and "refused C: " in out
    code, out, _ = cli("send-qoh", "woo", "--dry-run")
    assert code == 0  # a preview refuses nothing


def test_whole_request_failure_stops_and_keeps_what_was_sent(woo, cli, store):
    add_woo(cli, woo)
    products = {f"F-{i:03d}": 3 for i in range(150)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 0))

    def fail_next_batch(done, total):
        if done == 50:
            woo.faults.queue("500", 1, "/products/batch")

    r = send_qoh(store, "woo", progress=Canceller(hook=fail_next_batch))
    assert not r.ok and r.sent == 50 and r.requests == 1 and "HTTP 500" in r.error
    skus = sorted(products)
    assert all(woo.quantity(s) == 3 for s in skus[:50])
    assert all(woo.quantity(s) == 0 for s in skus[50:])
    wf = web_fields(store, "woo")
    assert sorted(k for k, v in wf.items() if v[0] is not None) == skus[:50]
    # The command line: exit 1, the cart's message, no secret anywhere.
    woo.faults.queue("500", 1, "/products/batch")
    code, out, err = cli("send-qoh", "woo", "--json")
    assert code == 1 and json.loads(out)["sent"] == 0
    assert err.startswith("error: woo: HTTP 500") and len(err.strip().splitlines()) == 1
    assert woo.secret not in out + err and woo.key not in out + err


def test_cancel_between_batches_leaves_a_consistent_store(woo, store, cli):
    add_woo(cli, woo)
    products = {f"K-{i:03d}": 9 for i in range(200)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 1))
    progress = Canceller(after=2)
    r = send_qoh(store, "woo", progress=progress)
    assert r.cancelled and r.sent == 100 and r.requests == 2 and r.error is None
    skus = sorted(products)
    assert woo.requests[WOO_BATCH] == 2
    assert [woo.quantity(s) for s in skus] == [9] * 100 + [1] * 100
    wf = web_fields(store, "woo")
    assert sorted(k for k, v in wf.items() if v[0] == 9) == skus[:100]
    assert all(wf.get(k, (None,))[0] is None for k in skus[100:])


def test_wrong_credentials_exit_1_without_the_secret(woo, cli, store):
    add_woo(cli, woo, "woo", secret="cs_wrong_secret_value")
    seed(store, {"A": 1})
    before = dump(store)
    for args in (("send-qoh", "woo"), ("get-qoh", "woo"), ("orders", "import", "woo")):
        code, out, err = cli(*args)
        assert code == 1 and err.startswith("error: woo: HTTP 401")
        assert "cs_wrong_secret_value" not in out + err
    assert dump(store) == before


BAD = [
    (("send-qoh", "nocart"), "unknown cart 'nocart'"),
    (("get-qoh", "nocart"), "unknown cart 'nocart'"),
    (("orders", "import", "nocart"), "unknown cart 'nocart'"),
    (("send-qoh", "woo", "--max-items", "abc"), "must be a whole number"),
    (("send-qoh", "woo", "--max-items", "0"), "between 1 and"),
    (("send-qoh", "woo", "--max-items", "-5"), "between 1 and"),
    (("send-qoh", "woo", "--max-items", "2.5"), "must be a whole number"),
    (("send-qoh",), "required: cart"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2_and_changes_nothing(woo, cli, store, args, message):
    add_woo(cli, woo)
    seed(store, {"A": 3})
    woo.add_item("A", 1)
    before = dump(store)
    code, out, err = cli(*args)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert out == "" and dump(store) == before
    assert sum(woo.requests.values()) == 0 and woo.quantity("A") == 1


@pytest.mark.parametrize("args,missing,words", [
    (("send-qoh", "woo"), PUSH, "cannot Send QOH To Website"),
    (("get-qoh", "woo"), PULL, "cannot Get QOH From Website"),
    (("orders", "import", "woo"), ORDERS, "cannot import orders"),
])
def test_cart_without_the_capability_exits_2(woo, cli, store, monkeypatch, args, missing, words):
    add_woo(cli, woo)
    seed(store, {"A": 3})
    woo.add_item("A", 1)
    monkeypatch.setattr(WooCommerceConnector, "capabilities",
                        WooCommerceConnector.capabilities - {missing})
    before = dump(store)
    code, out, err = cli(*args)
    assert code == 2 and err == f"error: cart 'woo' (woocommerce) {words}\n" and out == ""
    assert dump(store) == before and sum(woo.requests.values()) == 0


def test_lost_answer_marks_the_batch_attempted_not_sent(woo, cli, store):
    add_woo(cli, woo)
    seed(store, {"M-1": 6, "M-2": 8})
    woo_items(woo, {"M-1": 0, "M-2": 0})
    woo.faults.queue("malformed", 1, "/products/batch")  # applied, answer truncated
    r = send_qoh(store, "woo")
    assert r.error and "malformed JSON" in r.error and r.sent == 0 and r.requests == 0
    assert (woo.quantity("M-1"), woo.quantity("M-2")) == (6, 8)  # it did land
    with store.read() as s:
        cart_id = s.scalar(select(Cart.id).where(Cart.name == "woo"))
        targets = {t.sku: t for t in cart_targets(s, cart_id)}
    assert targets["M-1"].last_sent is None and targets["M-1"].attempted in (6, (6,))
    assert targets["M-2"].attempted in (8, (8,))
    assert send_qoh(store, "woo").sent == 2  # re-sending absolute values is harmless
    assert web_fields(store, "woo")["M-1"][0] == 6


def _emulator(kind):
    from seom_desktop.emulators.registry import emulator_class

    try:
        cls = emulator_class(kind)
    except ValueError as e:
        pytest.skip(str(e))
    emu = cls(auto_ship=True) if kind == "magento" else cls()
    emu.start()
    url = {"bigcommerce": f"{emu.url}/stores/{getattr(emu, 'store_hash', '')}"}.get(kind, emu.url)
    creds = {"woocommerce": ["--key", getattr(emu, "key", ""), "--secret", getattr(emu, "secret", "")],
             "magento": ["--token", getattr(emu, "integration_token", "")],
             "miva": ["--token", getattr(emu, "token", ""), "--location", getattr(emu, "store_code", "")],
             }.get(kind, ["--token", getattr(emu, "token", "")])
    return emu, ["--url", url, *creds]


@pytest.mark.parametrize("kind", ["woocommerce", "shopify", "bigcommerce", "magento", "miva"])
def test_send_order_import_get_round_trip_on_every_cart(kind, cli, store):
    emu, args = _emulator(kind)
    try:
        assert cli("cart", "add", "c", "--kind", kind, *args, "--max-items", "2")[0] == 0
        seed(store, {"RA": 5, "RB": 7, "RC": 9})
        for sku in ("RA", "RB", "RC"):
            emu.add_item(sku, 0)
        code, out, err = cli("send-qoh", "c", "--json")
        assert code == 0, err
        assert json.loads(out)["sent"] == 3 and json.loads(out)["requests"] == 2
        assert [emu.quantity(s) for s in ("RA", "RB", "RC")] == [5, 7, 9]
        emu.place_order([("RB", 3)])
        code, out, err = cli("orders", "import", "c", "--json")
        assert code == 0, err
        assert len(json.loads(out)["imported"]) == 1 and qohs(store)["RB"] == 4
        code, out, err = cli("get-qoh", "c", "--json")
        assert code == 0, err
        doc = json.loads(out)
        assert doc["changed"] == [] and doc["unchanged"] == 3 and qohs(store)["RB"] == 4
    finally:
        emu.stop()


def test_rate_limit_is_waited_out_on_send(woo, cli, store):
    add_woo(cli, woo)
    products = {f"L-{i:03d}": 4 for i in range(250)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 1))
    woo.faults.retry_after = 0
    woo.faults.queue("429", 1, "/products/batch")
    r = send_qoh(store, "woo", max_items=100)
    assert r.ok and r.sent == 250 and r.requests == 3
    assert woo.requests[WOO_BATCH] == 4 and woo.faults.injected["429"] == 1


def test_ctrl_c_cancels_after_the_batch_in_flight(woo, cli, store, monkeypatch):
    import os
    import signal

    add_woo(cli, woo)
    products = {f"Z-{i:03d}": 3 for i in range(150)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 0))
    real = WooCommerceConnector.set_qoh

    def set_qoh_then_ctrl_c(self, updates):
        out = real(self, updates)
        os.kill(os.getpid(), signal.SIGINT)  # the clerk presses Ctrl-C once, mid-run
        return out

    monkeypatch.setattr(WooCommerceConnector, "set_qoh", set_qoh_then_ctrl_c)
    before = signal.getsignal(signal.SIGINT)  # whatever the run started with
    code, out, err = cli("send-qoh", "woo", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["cancelled"] is True and doc["sent"] == 50 and doc["requests"] == 1
    assert err.splitlines()[-1] == "error: cancelled; what was done is kept"
    assert woo.requests[WOO_BATCH] == 1
    assert sum(1 for v in web_fields(store, "woo").values() if v[0] == 3) == 50
    assert signal.getsignal(signal.SIGINT) is before  # put back
