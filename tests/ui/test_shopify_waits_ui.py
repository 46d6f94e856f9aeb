"""Get QOH From Website of a Shopify cart whose cost bucket is empty, through Advanced
Cart Functions: the progress dialog says it waits for Shopify's rate limit and for how
long, and the pull finishes."""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from sqlalchemy import select

from seom_desktop.emulators.shopify import ShopifyEmulator
from seom_desktop.store.models import Product
from seom_desktop.sync.cart_setup import define_cart
from seom_desktop.ui.dialogs.advanced_cart_functions import AdvancedCartFunctionsDialog


def test_the_progress_dialog_says_it_waits_for_shopify(qtbot, qasync_loop, sqlite_store, helpers):
    emu = ShopifyEmulator().start()
    try:
        helpers.bulk_products(sqlite_store, 30, qoh=lambda i: 0)
        for i in range(30):
            emu.add_item(f"P-{i:06d}", i + 1)
        with sqlite_store.write() as s:
            define_cart(s, name="Shop", kind="shopify", url=emu.url, token=emu.token)
        emu.bucket.restore_rate = 20.0
        emu.bucket.set_available(0)  # another app of the shop spent it all
        dlg = AdvancedCartFunctionsDialog(sqlite_store, workstation="test-ws")
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitUntil(lambda: dlg.cart_box.count() > 0)
        dlg.cart_box.setCurrentIndex(dlg.cart_box.findData("Shop"))

        async def yes(_preview):
            return True

        dlg.confirm = yes
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
