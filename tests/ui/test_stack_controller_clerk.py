"""The Stack Controller as a clerk reads and works it: newest first with a Created
column in local time, columns sorted by a click on their header, a web-field save shown
as "refresh" (not "+0"), Retry / Bypass / Delete enabled only for the records they apply
to, and Delete asking with No as the default (Enter keeps the records)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from keys_released import release_modifiers  # noqa: F401 - an autouse fixture
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from seom_desktop.store.models import Product, StackRow, utcnow
from seom_desktop.ui.dialogs.stack_controller import StackControllerDialog

T0 = datetime(2026, 3, 1, 9, 0, 0)  # naive UTC, as the store keeps it


@pytest.fixture
def stacked(sqlite_store, helpers):
    """Five records of this workstation, one per state plus a refresh, created a minute
    apart (the oldest first)."""
    helpers.bulk_products(sqlite_store, 5)
    helpers.plain_cart(sqlite_store, "Web A")
    cid = helpers.cart_id(sqlite_store, "Web A")
    ids = helpers.product_ids(sqlite_store)
    rows = [("P-000000", 3, "sent"), ("P-000001", -1, "pending"), ("P-000002", 7, "failed"),
            ("P-000003", 2, "bypassed"), ("P-000004", 0, "pending")]
    helpers.bulk_stack_rows(sqlite_store, [
        {"cart_id": cid, "product_id": ids[sku], "change": change, "state": state,
         "created_at": T0 + timedelta(minutes=i), "next_attempt_at": utcnow()}
        for i, (sku, change, state) in enumerate(rows)])
    return sqlite_store


def _dialog(qtbot, store) -> StackControllerDialog:
    dlg = StackControllerDialog(store, workstation="test-ws")
    qtbot.addWidget(dlg)
    with qtbot.waitExposed(dlg):
        dlg.show()
    qtbot.waitUntil(lambda: dlg.model.rowCount() == 5)
    return dlg


def _column(dlg, name: str) -> int:
    return dlg.model.HEADERS.index(name)


def _shown(dlg, name: str) -> list[str]:
    col = _column(dlg, name)
    return [dlg.table.model().index(r, col).data() for r in range(dlg.table.model().rowCount())]


def _click_row(qtbot, dlg, sku: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    row = _shown(dlg, "SKU").index(sku)
    rect = dlg.table.visualRect(dlg.table.model().index(row, 0))
    qtbot.mouseClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _states(store) -> dict[str, str]:
    with store.read() as s:
        return dict(s.execute(select(Product.sku, StackRow.state)
                              .join(Product, Product.id == StackRow.product_id)).all())


@pytest.fixture
def kolkata(monkeypatch):
    """Local time UTC+05:30 (no daylight saving) for the test; restored after."""
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_newest_first_with_created_in_local_time(qtbot, stacked, kolkata):
    dlg = _dialog(qtbot, stacked)
    assert _shown(dlg, "SKU") == ["P-000004", "P-000003", "P-000002", "P-000001", "P-000000"]
    assert _shown(dlg, "Created")[0] == "2026-03-01 14:34:00"  # stored 09:04 UTC
    with stacked.read() as s:  # the store keeps UTC
        assert s.scalar(select(StackRow.created_at).order_by(StackRow.id.desc()).limit(1)) \
            == T0 + timedelta(minutes=4)


def test_the_shared_controller_line_is_in_local_time(qtbot, stacked, kolkata):
    from seom_desktop.store.models import ControllerLease
    from seom_desktop.store.params import set_param

    with stacked.write() as s:
        set_param(s, "SharedStackController", "WS9")
        s.add(ControllerLease(name="shared", holder="WS9", token="t", acquired_at=T0,
                              heartbeat_at=utcnow(), expires_at=utcnow() + timedelta(hours=1)))
    dlg = StackControllerDialog(stacked, workstation="test-ws")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: "WS9 since" in dlg.lease_label.text())
    assert "since 2026-03-01 14:30:00," in dlg.lease_label.text()
    assert "UTC" not in dlg.lease_label.text()


def test_a_click_on_a_header_sorts_by_that_column(qtbot, stacked):
    dlg = _dialog(qtbot, stacked)
    header = dlg.table.horizontalHeader()
    col = _column(dlg, "Change")
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))
    first = _shown(dlg, "Change")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))
    second = _shown(dlg, "Change")
    assert {tuple(first), tuple(second)} == {("-1", "refresh", "+2", "+3", "+7"),
                                             ("+7", "+3", "+2", "refresh", "-1")}
    # A refresh of the whole view keeps the clerk's order.
    dlg.refresh()
    qtbot.wait(200)
    assert _shown(dlg, "Change") == second


def test_a_web_field_save_shows_as_a_refresh(qtbot, stacked):
    dlg = _dialog(qtbot, stacked)
    changes = dict(zip(_shown(dlg, "SKU"), _shown(dlg, "Change"), strict=True))
    assert changes["P-000004"] == "refresh"
    assert "+0" not in changes.values()


def test_buttons_enabled_only_for_records_they_apply_to(qtbot, stacked):
    dlg = _dialog(qtbot, stacked)
    assert not any(b.isEnabled() for b in (dlg.retry_button, dlg.bypass_button,
                                           dlg.delete_button))
    enabled = {}
    for sku in ("P-000000", "P-000001", "P-000002", "P-000003"):
        _click_row(qtbot, dlg, sku)
        enabled[sku] = (dlg.retry_button.isEnabled(), dlg.bypass_button.isEnabled(),
                        dlg.delete_button.isEnabled())
    assert enabled == {  # (Retry, Bypass, Delete)
        "P-000000": (False, False, True),  # sent: nothing to retry or bypass
        "P-000001": (False, True, True),   # pending
        "P-000002": (True, True, True),    # failed
        "P-000003": (True, False, True),   # bypassed
    }


def test_retry_of_a_mixed_selection_touches_only_the_records_it_applies_to(qtbot, stacked):
    dlg = _dialog(qtbot, stacked)
    _click_row(qtbot, dlg, "P-000000")  # sent
    _click_row(qtbot, dlg, "P-000002", Qt.KeyboardModifier.ControlModifier)  # failed
    assert dlg.retry_button.isEnabled()
    qtbot.mouseClick(dlg.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _states(stacked)["P-000002"] == "pending")
    assert _states(stacked)["P-000000"] == "sent"
    qtbot.waitUntil(lambda: dlg.message.text() == "1 record put back to pending.")


def _answer(qtbot, key: Qt.Key, seen: list) -> None:
    """Press `key` in the question box as soon as it is up (it runs its own loop)."""
    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append(box.defaultButton() is box.button(QMessageBox.StandardButton.No))
        qtbot.keyClick(box, key)

    QTimer.singleShot(0, press)


def test_delete_asks_with_no_as_the_default(qtbot, stacked):
    dlg = _dialog(qtbot, stacked)
    _click_row(qtbot, dlg, "P-000002")
    seen: list[bool] = []
    _answer(qtbot, Qt.Key.Key_Return, seen)
    qtbot.keyClick(dlg.table, Qt.Key.Key_Delete)
    assert seen == [True]
    qtbot.wait(200)
    assert "P-000002" in _states(stacked)  # Enter answered No
    _answer(qtbot, Qt.Key.Key_Y, seen)  # Yes by its key
    qtbot.mouseClick(dlg.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "P-000002" not in _states(stacked))
    assert len(_states(stacked)) == 4


def test_enter_never_sends(qtbot, stacked):
    """Send now wakes the controller, which sends to the carts: never the default button.
    Enter in the table closes the dialog (Close is its default) and sends nothing."""
    woken = []
    dlg = StackControllerDialog(stacked, workstation="test-ws", wake=lambda: woken.append(1))
    qtbot.addWidget(dlg)
    with qtbot.waitExposed(dlg):
        dlg.show()
    qtbot.waitUntil(lambda: dlg.model.rowCount() == 5)
    for b in (dlg.send_button, dlg.retry_button, dlg.bypass_button, dlg.delete_button):
        assert not b.isDefault()
    _click_row(qtbot, dlg, "P-000002")
    qtbot.keyClick(dlg.table, Qt.Key.Key_Return)
    assert woken == []
    assert not dlg.isVisible()
    assert _states(stacked)["P-000002"] == "failed"


def test_a_record_waiting_for_an_order_import_can_be_retried_bypassed_or_deleted(qtbot, stacked):
    """`waiting` (a sale on the cart not imported yet) is the clerk's to overrule: Retry
    sends it now, Bypass gives up on it, Delete removes it; it shows its next attempt."""
    with stacked.write() as s:
        row = s.scalar(select(StackRow).join(Product).where(Product.sku == "P-000002"))
        row.state = "waiting"
    dlg = _dialog(qtbot, stacked)
    _click_row(qtbot, dlg, "P-000002")
    assert (dlg.retry_button.isEnabled(), dlg.bypass_button.isEnabled(),
            dlg.delete_button.isEnabled()) == (True, True, True)
    row_index = _shown(dlg, "SKU").index("P-000002")
    assert _shown(dlg, "State")[row_index] == "waiting"
    assert _shown(dlg, "Next attempt")[row_index] != ""
    qtbot.mouseClick(dlg.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _states(stacked)["P-000002"] == "pending")
    qtbot.waitUntil(lambda: dlg.message.text() == "1 record put back to pending.")
