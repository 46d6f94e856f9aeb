"""The Drift Report of Advanced Cart Functions against an emulated WooCommerce cart:
it shows the cart's last reconcile (when, checked, different, fixed, error), and
[Reconcile now] queues one correction per difference once the clerk confirms in the
real confirm dialog (clicked, not replaced); Cancel there changes nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.stack.controller import StackController
from seom_desktop.stack.targets import record_sent
from seom_desktop.store.models import Cart, Product, ReconcileRun, StackRow
from seom_desktop.store.params import set_param
from seom_desktop.ui.dialogs.advanced_cart_functions import AdvancedCartFunctionsDialog
from seom_desktop.ui.dialogs.transfer_preview import PreviewDialog

ACTOR = Actor("clerk", "test-ws")


@pytest.fixture
def woo5(sqlite_store, helpers):
    """Five products at 10, synchronized to an emulated WooCommerce cart showing 10;
    then P-2 is set to 30 in the cart's admin (drift)."""
    emu = WooCommerceEmulator().start()
    helpers.woo_cart(sqlite_store, emu, sync=True)
    with sqlite_store.write() as s:
        set_param(s, "StackRetrySeconds", 0)
        for i in range(1, 6):
            add_product(s, sku=f"P-{i}", name=f"Widget {i}", qoh=10, actor=ACTOR)
            emu.add_item(f"P-{i}", 30 if i == 2 else 10)
        cid = s.scalar(select(Cart.id))
        for p in s.scalars(select(Product)):
            record_sent(s, cid, p.id, 10)
        set_param(s, "SynchQOH", True)
    yield emu
    emu.stop()


def _open(qtbot, store) -> AdvancedCartFunctionsDialog:
    dlg = AdvancedCartFunctionsDialog(store, workstation="test-ws")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.cart_box.count() > 0)
    return dlg


def _drift(qtbot, dlg) -> None:
    qtbot.mouseClick(dlg.drift_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "synced products differ" in dlg.message.text(), timeout=20_000)


def _confirm_dialog(qtbot, dlg) -> PreviewDialog:
    found: list[PreviewDialog] = []

    def shown() -> bool:
        found[:] = [d for d in dlg.findChildren(PreviewDialog)
                    if d.isVisible() and d.windowTitle() == "Reconcile now"]
        return bool(found)

    qtbot.waitUntil(shown, timeout=10_000)
    return found[0]


def _runs(store) -> list[tuple[int, int, int, str]]:
    with store.read() as s:
        return [tuple(r) for r in s.execute(select(
            ReconcileRun.checked, ReconcileRun.different, ReconcileRun.fixed, ReconcileRun.error))]


def test_drift_report_shows_the_last_run_and_reconciles_after_confirming(
        qtbot, qasync_loop, sqlite_store, woo5):
    dlg = _open(qtbot, sqlite_store)
    _drift(qtbot, dlg)
    assert dlg.message.text() == "1 of 5 synced products differ on Woo."
    panel = dlg.reconcile_panel
    assert panel.isVisible() and panel.last_label.text() == "Woo has never been reconciled."

    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    confirm = _confirm_dialog(qtbot, dlg)
    assert confirm.model.rows == [("P-2", "Widget 2", 10, 30)]
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.message.text().startswith("Reconciled"), timeout=20_000)

    assert dlg.message.text() == "Reconciled Woo: 5 checked, 1 different, 1 corrections queued."
    assert dlg.results.rows == [("P-2", 30, 10, "correction queued")]
    assert _runs(sqlite_store) == [(5, 1, 1, "")]
    text = panel.last_label.text()
    assert text.startswith("Last reconcile: ") and " on test-ws: " in text
    assert text.endswith("5 checked, 1 different, 1 corrections queued.")
    with sqlite_store.read() as s:
        assert s.scalars(select(Product.sku).join(StackRow, StackRow.product_id == Product.id)
                         ).all() == ["P-2"]
    ctl = StackController(sqlite_store, workstation="test-ws")
    ctl.run_once()
    ctl.close()
    assert woo5.quantity("P-2") == 10

    _drift(qtbot, dlg)  # the next drift report finds it in line, and shows that run
    assert dlg.message.text() == "0 of 5 synced products differ on Woo."
    assert panel.last_label.text() == text


def test_reconcile_now_cancelled_changes_nothing(qtbot, qasync_loop, sqlite_store, woo5):
    dlg = _open(qtbot, sqlite_store)
    _drift(qtbot, dlg)
    qtbot.mouseClick(dlg.reconcile_panel.button, Qt.MouseButton.LeftButton)
    confirm = _confirm_dialog(qtbot, dlg)
    qtbot.mouseClick(confirm.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.message.text() == "Nothing was reconciled.", timeout=10_000)
    assert _runs(sqlite_store) == []
    with sqlite_store.read() as s:
        assert s.scalar(select(StackRow.id)) is None
    assert woo5.quantity("P-2") == 30


def test_a_failed_run_is_shown_with_its_error(qtbot, qasync_loop, sqlite_store, woo5):
    from seom_desktop.sync.reconcile import reconcile

    woo5.faults.queue("500", count=3, path="/products")  # the read fails: a failed run
    failed = reconcile(sqlite_store, "Woo", actor=ACTOR)
    assert failed.error
    woo5.faults.clear()
    dlg = _open(qtbot, sqlite_store)
    _drift(qtbot, dlg)
    text = dlg.reconcile_panel.last_label.text()
    assert text.startswith("Last reconcile: ") and failed.error in text
