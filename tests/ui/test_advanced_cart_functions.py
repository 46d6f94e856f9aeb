"""Advanced Cart Functions: buttons shown by capability, the reference page's warnings,
Maximum number of items to send, a Send QOH run cancelled half-way (consistent store and
cart), Get QOH with its preview, the drift report."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from seom_desktop.carts import registry
from seom_desktop.carts.base import ORDERS, PULL, PUSH
from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.store.models import Cart, Product, StackRow, WebField
from seom_desktop.sync.drift import drift_report
from seom_desktop.ui.dialogs.advanced_cart_functions import AdvancedCartFunctionsDialog


class PushOnlyConnector:
    kind = "pushonly"
    capabilities = frozenset({PUSH})
    batch_limit = 10


class PullOnlyConnector:
    kind = "pullonly"
    capabilities = frozenset({PULL, ORDERS})
    batch_limit = 10


class NoQohConnector:
    kind = "noqoh"
    capabilities = frozenset()
    batch_limit = 10


@pytest.fixture
def fake_kinds(monkeypatch):
    for kind, cls in (("pushonly", PushOnlyConnector), ("pullonly", PullOnlyConnector),
                      ("noqoh", NoQohConnector)):
        monkeypatch.setitem(registry.KINDS, kind, f"{__name__}:{cls.__name__}")


def _dialog(qtbot, store, **kw) -> AdvancedCartFunctionsDialog:
    dlg = AdvancedCartFunctionsDialog(store, workstation="test-ws", **kw)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.cart_box.count() > 0)
    return dlg


def _pick(dlg, name: str) -> None:
    dlg.cart_box.setCurrentIndex(dlg.cart_box.findData(name))


def test_buttons_follow_the_carts_capabilities(qtbot, sqlite_store, helpers, fake_kinds):
    for name, kind in (("Push", "pushonly"), ("Pull", "pullonly"), ("None", "noqoh"),
                       ("Woo", "woocommerce")):
        helpers.plain_cart(sqlite_store, name, kind)
    dlg = _dialog(qtbot, sqlite_store)

    def shown(button) -> bool:
        return button.isVisibleTo(dlg)

    _pick(dlg, "Push")
    assert shown(dlg.send_button) and not shown(dlg.get_button)
    assert not shown(dlg.orders_button) and not shown(dlg.create_new_box)
    assert "only transferred in one direction" in dlg.direction_label.text()
    _pick(dlg, "Pull")
    assert not shown(dlg.send_button) and shown(dlg.get_button) and shown(dlg.orders_button)
    assert shown(dlg.create_new_box)
    _pick(dlg, "None")
    assert not shown(dlg.send_button) and not shown(dlg.get_button)
    assert "does not support inventory synchronization" in dlg.direction_label.text()
    _pick(dlg, "Woo")
    assert shown(dlg.send_button) and shown(dlg.get_button) and shown(dlg.orders_button)
    assert dlg.send_button.text() == "Send QOH To Website"
    assert dlg.get_button.text() == "Get QOH from Website"


def test_the_reference_pages_warnings(qtbot, sqlite_store, helpers):
    from seom_desktop.store.params import set_param

    helpers.plain_cart(sqlite_store, "Miva", "miva")
    helpers.plain_cart(sqlite_store, "Woo", "woocommerce", sync=True)
    with sqlite_store.write() as s:
        set_param(s, "SynchQOH", True)
    dlg = _dialog(qtbot, sqlite_store)
    _pick(dlg, "Miva")
    text = dlg.warnings.text()
    assert "outstanding orders" in text and "baskets" in text
    assert "not meant for use once it is on" in text
    _pick(dlg, "Woo")
    text = dlg.warnings.text()
    assert "baskets" not in text and "Synchronize Inventory is ON" in text


def test_maximum_number_of_items_to_send_is_saved(qtbot, sqlite_store, helpers):
    helpers.plain_cart(sqlite_store, "Woo")
    dlg = _dialog(qtbot, sqlite_store)
    assert dlg.max_spin.value() == 50
    dlg.max_spin.setValue(75)
    dlg.save_max_button.click()
    qtbot.waitUntil(lambda: "saved" in dlg.message.text())
    with sqlite_store.read() as s:
        assert s.scalar(select(Cart.max_items).where(Cart.name == "Woo")) == 75


@pytest.fixture
def woo300(sqlite_store, helpers):
    """300 products (QOH 1..300) in the store; the same 300 items at 0 on the cart."""
    emu = WooCommerceEmulator().start()
    helpers.bulk_products(sqlite_store, 300, qoh=lambda i: i + 1)
    for i in range(300):
        emu.add_item(f"P-{i:06d}", 0)
    helpers.woo_cart(sqlite_store, emu, max_items=50)
    yield emu
    emu.stop()


def _slow_writes(emu, seconds: float) -> None:
    handle = emu.handle

    def slow(req):
        if req.method == "POST":
            time.sleep(seconds)
        return handle(req)

    emu.handle = slow


def test_send_qoh_cancelled_half_way_leaves_a_consistent_store(qtbot, qasync_loop, sqlite_store,
                                                               helpers, woo300):
    emu = woo300
    # Web stack rows of another cart, to prove Send QOH leaves the Web Stack alone.
    helpers.plain_cart(sqlite_store, "Other")
    ids = helpers.product_ids(sqlite_store)
    helpers.bulk_stack_rows(sqlite_store, [
        {"cart_id": helpers.cart_id(sqlite_store, "Other"), "product_id": ids["P-000005"],
         "change": 2}])
    with sqlite_store.read() as s:
        stack_before = s.execute(select(StackRow.id, StackRow.state, StackRow.attempts)).all()
    _slow_writes(emu, 0.15)

    dlg = _dialog(qtbot, sqlite_store)
    _pick(dlg, "Woo")
    seen = []

    async def yes(preview_dialog):
        seen.append(preview_dialog.model.rows)
        return True

    dlg.confirm = yes
    clicked = []

    def watch():
        p = dlg.current_progress
        if p is None or "preview" in p.windowTitle() or clicked:
            return
        if p.value() >= 100:  # two batches of 50 are in
            from PySide6.QtWidgets import QPushButton

            cancel = next(b for b in p.findChildren(QPushButton) if b.text() == "Cancel")
            cancel.click()
            clicked.append(p.value())

    from PySide6.QtCore import QTimer

    poll = QTimer()
    poll.timeout.connect(watch)
    poll.start(5)
    dlg.send_button.click()
    qtbot.waitUntil(lambda: dlg.last_report is not None, timeout=30_000)
    poll.stop()

    assert seen and len(seen[0]) == 300  # the preview listed every item before sending
    assert seen[0][0] == ("P-000000", "Item number 0", 0, 1, "")
    report = dlg.last_report
    assert clicked and report.cancelled
    assert 100 <= report.sent < 300 and report.sent % 50 == 0
    assert "Cancelled" in dlg.message.text()
    sent_skus = {f"P-{i:06d}" for i in range(report.sent)}
    with sqlite_store.read() as s:
        recorded = dict(s.execute(select(Product.sku, WebField.last_sent_qoh)
                                  .join(WebField, WebField.product_id == Product.id)
                                  .join(Cart, Cart.id == WebField.cart_id)
                                  .where(Cart.name == "Woo",
                                         WebField.last_sent_qoh.is_not(None))).all())
        stack_after = s.execute(select(StackRow.id, StackRow.state, StackRow.attempts)).all()
    assert set(recorded) == sent_skus
    assert all(recorded[sku] == int(sku[2:]) + 1 for sku in sent_skus)
    assert stack_after == stack_before
    for i in range(300):
        sku = f"P-{i:06d}"
        assert emu.quantity(sku) == (i + 1 if sku in sent_skus else 0), sku
    assert sum(emu.applied.values()) == report.sent  # nothing applied twice


def test_send_qoh_not_confirmed_sends_nothing(qtbot, qasync_loop, sqlite_store, woo300):
    dlg = _dialog(qtbot, sqlite_store)

    async def no(preview_dialog):
        return False

    dlg.confirm = no
    dlg.send_button.click()
    qtbot.waitUntil(lambda: dlg.message.text() == "Nothing was sent.", timeout=20_000)
    assert sum(woo300.applied.values()) == 0
    assert dlg.results.rowCount() == 0  # no preview left looking like a result


def test_get_qoh_with_preview(qtbot, qasync_loop, sqlite_store, woo300):
    woo300.add_item("NEW-1", 9, name="New from the web")
    dlg = _dialog(qtbot, sqlite_store)
    dlg.create_new_box.setChecked(True)
    previews = []

    async def yes(preview_dialog):
        previews.append(list(preview_dialog.model.rows))
        return True

    dlg.confirm = yes
    dlg.get_button.click()
    qtbot.waitUntil(lambda: dlg.last_report is not None, timeout=30_000)
    assert len(previews[0]) == 301
    assert ("NEW-1", "", None, 9, "new product") in previews[0]
    report = dlg.last_report
    assert len(report.changed) == 300 and len(report.created) == 1
    with sqlite_store.read() as s:
        assert s.scalar(select(Product.qoh).where(Product.sku == "P-000007")) == 0
        assert s.scalar(select(Product.qoh).where(Product.sku == "NEW-1")) == 9


def test_get_qoh_lists_a_kit_on_the_cart_as_derived_and_never_pulls_it(qtbot, qasync_loop,
                                                                       sqlite_store, woo300):
    from seom_desktop.inventory.actor import Actor
    from seom_desktop.inventory.kits import set_kit

    with sqlite_store.write() as s:  # P-000001 holds 2: the kit's QOH is 1
        set_kit(s, sku="PAIR", components=[("P-000001", 2)], actor=Actor("t", "ws"),
                name="A pair")
    woo300.add_item("PAIR", 7)
    dlg = _dialog(qtbot, sqlite_store)
    previews = []

    async def yes(preview_dialog):
        previews.append(list(preview_dialog.model.rows))  # Changes only: what will change
        preview_dialog.changes_only.setChecked(False)
        previews.append(list(preview_dialog.model.rows))
        return True

    dlg.confirm = yes
    dlg.get_button.click()
    qtbot.waitUntil(lambda: dlg.last_report is not None, timeout=30_000)
    kit_row = ("PAIR", "A pair", None, 7, "kit: derived from its components")
    assert kit_row not in previews[0] and kit_row in previews[1]
    assert ("PAIR", None, 7, "kit: derived from its components") in dlg.results.rows
    with sqlite_store.read() as s:  # a kit holds no stock of its own: nothing pulled
        assert s.scalar(select(Product.qoh).where(Product.sku == "PAIR")) == 0


def test_drift_report(qtbot, qasync_loop, sqlite_store, woo300):
    woo300.faults.clear()
    rows = drift_report(sqlite_store, "Woo")
    assert len(rows) == 300
    assert rows[0] == ("P-000000", 1, 0)
    # make three agree, one untracked
    for sku, qoh in (("P-000000", 1), ("P-000001", 2), ("P-000002", 3)):
        with woo300.lock:
            woo300._skus[sku]["stock_quantity"] = qoh
    woo300.remove_item("P-000003")
    rows = {sku: (should, shows) for sku, should, shows in drift_report(sqlite_store, "Woo")}
    assert rows["P-000001"] == (2, 2) and rows["P-000003"] == (4, None)

    dlg = _dialog(qtbot, sqlite_store)
    dlg.drift_button.click()
    qtbot.waitUntil(lambda: "synced products differ" in dlg.message.text(), timeout=20_000)
    assert dlg.message.text() == "297 of 300 synced products differ on Woo."
    assert dlg.results.rows[0][0] != "P-000000"  # differences first
