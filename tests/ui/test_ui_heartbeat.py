"""The window's thread does no per-row work for a transfer (bench figure 3, the UI
heartbeat): Get QOH through Advanced Cart Functions, against the WooCommerce emulator,
makes its preview's rows and its results' rows on the transfer's thread, ordered
changes first there; the UI thread only shows them. (Built on the UI thread, a preview
of 50,000 items held it 40-70 ms: bench/README.md, "Issue 23: the UI heartbeat".)"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.ui.dialogs import transfer_rows
from seom_desktop.ui.dialogs.advanced_cart_functions import AdvancedCartFunctionsDialog
from seom_desktop.ui.dialogs.transfer_preview import PreviewDialog
from seom_desktop.ui.models.rows import ReportModel, report_rows

N = 120  # products; the cart shows a different QOH for the even ones


@pytest.fixture
def woo_n(sqlite_store, helpers):
    emu = WooCommerceEmulator().start()
    helpers.bulk_products(sqlite_store, N, qoh=lambda i: 10)
    for i in range(N):
        emu.add_item(f"P-{i:06d}", 7 if i % 2 == 0 else 10)
    helpers.woo_cart(sqlite_store, emu, max_items=50)
    yield emu
    emu.stop()


def test_get_qoh_rows_are_made_off_the_ui_thread(qtbot, qasync_loop, sqlite_store, woo_n,
                                                 monkeypatch):
    made: list[tuple[bool, int]] = []  # (on the UI thread, rows)
    real = transfer_rows.report_rows

    def spy(headers, rows, changes=None):
        table = real(headers, rows, changes)
        made.append((threading.current_thread() is threading.main_thread(), len(table.rows)))
        return table

    monkeypatch.setattr(transfer_rows, "report_rows", spy)
    dlg = AdvancedCartFunctionsDialog(sqlite_store, workstation="test-ws")
    qtbot.addWidget(dlg)
    with qtbot.waitActive(dlg):
        dlg.show()
    qtbot.waitUntil(lambda: dlg.cart_box.count() > 0 and dlg.get_button.isEnabled())
    qtbot.mouseClick(dlg.get_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(p.isVisible() for p in dlg.findChildren(PreviewDialog)),
                    timeout=20_000)
    preview = next(p for p in dlg.findChildren(PreviewDialog) if p.isVisible())
    # The preview: the 60 items that change, with their names, in the cart's order.
    assert [r[0] for r in preview.model.rows] == [f"P-{i:06d}" for i in range(0, N, 2)]
    assert preview.model.rows[0] == ("P-000000", "Item number 0", 10, 7, "will change")
    qtbot.mouseClick(preview.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.last_report is not None, timeout=20_000)
    assert dlg.results.rowCount() == N // 2
    assert dlg.results.rows[0] == ("P-000000", 10, 7, "")
    # Both tables were made once each, on the transfer's thread.
    assert made == [(False, N // 2), (False, N // 2)]


def test_changes_only_is_the_first_rows_and_they_are_red(qapp):
    table = report_rows(("SKU", "Was", "Now"),
                        [("A", 1, 1), ("B", 1, 2), ("C", 3, 3), ("D", 0, 5)],
                        lambda r: r[1] != r[2])
    assert table.rows == (("B", 1, 2), ("D", 0, 5), ("A", 1, 1), ("C", 3, 3))
    assert table.changes == 2
    model = ReportModel()
    model.show(table, changes_only=True)
    assert model.rows == [("B", 1, 2), ("D", 0, 5)]
    model.show(table, changes_only=False)
    assert [r[0] for r in model.rows] == ["B", "D", "A", "C"]
    red = [model.data(model.index(i, 0), Qt.ItemDataRole.ForegroundRole) is not None
           for i in range(4)]
    assert red == [True, True, False, False]
