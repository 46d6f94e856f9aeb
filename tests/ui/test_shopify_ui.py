"""Advanced Cart Functions on a Shopify cart: Get QOH with the cost bucket empty (the
progress dialog says it waits for Shopify's rate limit and for how long, and the pull
finishes); Send QOH and Get QOH with a bundle parent (an item Shopify sets from its
components and refuses to have set: microsoft/BCApps#8396), which the clerk is told is
managed by Shopify bundles and was not sent / left alone, while the others go through."""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from sqlalchemy import select

from seom_desktop.emulators.shopify import ShopifyEmulator
from seom_desktop.store.models import Product
from seom_desktop.sync.cart_setup import define_cart
from seom_desktop.ui.dialogs.advanced_cart_functions import AdvancedCartFunctionsDialog


def shopify_dialog(qtbot, store, emu):
    """The dialog on a cart "Shop" of the emulator, previews confirmed."""
    with store.write() as s:
        define_cart(s, name="Shop", kind="shopify", url=emu.url, token=emu.token)
    dlg = AdvancedCartFunctionsDialog(store, workstation="test-ws")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.cart_box.count() > 0)
    dlg.cart_box.setCurrentIndex(dlg.cart_box.findData("Shop"))

    async def yes(_preview):
        return True

    dlg.confirm = yes
    return dlg


def test_the_progress_dialog_says_it_waits_for_shopify(qtbot, qasync_loop, sqlite_store, helpers):
    emu = ShopifyEmulator().start()
    try:
        helpers.bulk_products(sqlite_store, 30, qoh=lambda i: 0)
        for i in range(30):
            emu.add_item(f"P-{i:06d}", i + 1)
        emu.bucket.restore_rate = 20.0
        emu.bucket.set_available(0)  # another app of the shop spent it all
        dlg = shopify_dialog(qtbot, sqlite_store, emu)
        labels: list[str] = []

        def look():
            p = dlg.current_progress
            if p is not None and (not labels or labels[-1] != p.labelText()):
                labels.append(p.labelText())

        timer = QTimer()
        timer.timeout.connect(look)
        timer.start(5)
        dlg.get_button.click()
        qtbot.waitUntil(lambda: dlg.last_report is not None, timeout=30_000)
        timer.stop()
    finally:
        emu.stop()
    assert any(re.match(r"waiting [0-9]+ s for Shopify's rate limit", t) for t in labels), labels
    assert dlg.last_report.ok and len(dlg.last_report.changed) == 30
    with sqlite_store.read() as s:
        assert s.scalar(select(Product.qoh).where(Product.sku == "P-000007")) == 8


def _results(dlg):
    m = dlg.results
    return [tuple(m.index(r, c).data() for c in range(m.columnCount()))
            for r in range(m.rowCount())]


def _qoh(store, sku):
    with store.read() as s:
        return s.scalar(select(Product.qoh).where(Product.sku == sku))


def test_send_and_get_say_a_bundle_parent_is_set_by_shopify(qtbot, qasync_loop, sqlite_store,
                                                             helpers):
    emu = ShopifyEmulator().start()
    try:
        helpers.bulk_products(sqlite_store, 2, qoh=lambda i: 5)  # P-000000, P-000001
        emu.add_item("P-000000", 1)
        emu.add_item("P-000001", 2, bundle=True)
        dlg = shopify_dialog(qtbot, sqlite_store, emu)

        dlg.send_button.click()
        qtbot.waitUntil(lambda: dlg.last_report is not None, timeout=20_000)
        said = dlg.message.text()
        assert "1 item is set by the cart itself (managed by Shopify bundles): not sent" in said
        rows = _results(dlg)
        assert [r[0] for r in rows] == ["P-000001"]
        assert "managed by Shopify bundles" in rows[0][2]
        assert (emu.quantity("P-000000"), emu.quantity("P-000001")) == (5, 2)

        dlg.last_report = None
        emu.set_quantity("P-000000", 9)
        dlg.get_button.click()
        qtbot.waitUntil(lambda: dlg.last_report is not None, timeout=20_000)
        said = dlg.message.text()
        assert "1 item is set by the cart itself (managed by Shopify bundles): left alone" in said
        rows = {r[0]: r for r in _results(dlg)}
        assert rows["P-000000"][1:3] == ("5", "9")
        assert rows["P-000001"][3] == "managed by Shopify bundles"
    finally:
        emu.stop()
    assert (_qoh(sqlite_store, "P-000000"), _qoh(sqlite_store, "P-000001")) == (9, 5)
