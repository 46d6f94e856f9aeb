"""The Stack Controller dialog: its rows, filters (state; this workstation vs all),
Retry / Bypass / Delete through its buttons, Send now, the shared controller line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from seom_desktop.store.models import ControllerLease, StackRow, utcnow
from seom_desktop.store.params import get_param, set_param
from seom_desktop.ui.dialogs.stack_controller import StackControllerDialog


@pytest.fixture
def stacked(sqlite_store, helpers):
    """Four rows: failed (with its last response), pending, bypassed, and one pending
    row from another workstation."""
    helpers.bulk_products(sqlite_store, 4)
    helpers.plain_cart(sqlite_store, "Web A")
    cid = helpers.cart_id(sqlite_store, "Web A")
    ids = helpers.product_ids(sqlite_store)
    helpers.bulk_stack_rows(sqlite_store, [
        {"cart_id": cid, "product_id": ids["P-000000"], "change": 3, "state": "failed",
         "attempts": 4, "last_response": "503 Service Unavailable"},
        {"cart_id": cid, "product_id": ids["P-000001"], "change": -1},
        {"cart_id": cid, "product_id": ids["P-000002"], "change": 7, "state": "bypassed",
         "attempts": 10, "last_response": "refused: Invalid ID."},
        {"cart_id": cid, "product_id": ids["P-000003"], "change": 2,
         "origin_workstation": "WS2"},
    ])
    return sqlite_store


def _states(store) -> dict[str, str]:
    from seom_desktop.store.models import Product

    with store.read() as s:
        return dict(s.execute(select(Product.sku, StackRow.state)
                              .join(Product, Product.id == StackRow.product_id)).all())


def _dialog(qtbot, store, **kw) -> StackControllerDialog:
    dlg = StackControllerDialog(store, workstation="test-ws", **kw)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _select(dlg, sku: str) -> None:
    dlg.table.clearSelection()
    row = next(i for i, r in enumerate(dlg.model.rows) if r.sku == sku)
    dlg.table.selectRow(row)


def test_rows_and_columns(qtbot, stacked):
    dlg = _dialog(qtbot, stacked)
    qtbot.waitUntil(lambda: len(dlg.model.rows) == 3)  # this workstation's by default
    headers = [dlg.model.headerData(c, Qt.Orientation.Horizontal) for c in range(9)]
    assert headers == ["Cart", "SKU", "Change", "State", "Attempts", "Last Response",
                       "Next attempt", "Workstation", "Created"]
    failed = next(i for i, r in enumerate(dlg.model.rows) if r.state == "failed")
    assert [dlg.model.index(failed, c).data() for c in range(6)] == [
        "Web A", "P-000000", "+3", "failed", "4", "503 Service Unavailable"]
    assert "Local stack controller" in dlg.lease_label.text()
    assert "2 pending · 1 failed · 1 bypassed" in dlg.counts_label.text()


def test_filters_state_and_workstation(qtbot, stacked):
    dlg = _dialog(qtbot, stacked)
    qtbot.waitUntil(lambda: len(dlg.model.rows) == 3)
    assert {r.sku for r in dlg.model.rows} == {"P-000000", "P-000001", "P-000002"}
    dlg.scope_box.setCurrentIndex(1)  # all workstations (shared view)
    qtbot.waitUntil(lambda: len(dlg.model.rows) == 4)
    assert {r.origin_workstation for r in dlg.model.rows} == {"test-ws", "WS2"}
    dlg.state_box.setCurrentIndex(dlg.state_box.findData("pending"))
    qtbot.waitUntil(lambda: {r.sku for r in dlg.model.rows} == {"P-000001", "P-000003"})


def test_retry_bypass_delete_buttons_change_the_store(qtbot, stacked, monkeypatch):
    dlg = _dialog(qtbot, stacked)
    qtbot.waitUntil(lambda: len(dlg.model.rows) == 3)
    assert not dlg.retry_button.isEnabled()  # nothing selected yet

    _select(dlg, "P-000000")
    assert dlg.retry_button.isEnabled()
    qtbot.mouseClick(dlg.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _states(stacked)["P-000000"] == "pending")
    with stacked.read() as s:
        row = s.scalar(select(StackRow).join(StackRow.product)
                       .where(StackRow.product.has(sku="P-000000")))
        assert row.attempts == 0
    qtbot.waitUntil(lambda: "1 record put back to pending" in dlg.message.text())

    qtbot.waitUntil(lambda: any(r.sku == "P-000001" for r in dlg.model.rows))
    _select(dlg, "P-000001")
    dlg.bypass_button.click()
    qtbot.waitUntil(lambda: _states(stacked)["P-000001"] == "bypassed")

    monkeypatch.setattr(dlg, "confirm", lambda question: True)
    _select(dlg, "P-000002")
    dlg.delete_button.click()
    qtbot.waitUntil(lambda: "P-000002" not in _states(stacked))
    qtbot.waitUntil(lambda: all(r.sku != "P-000002" for r in dlg.model.rows))
    assert _states(stacked) == {"P-000000": "pending", "P-000001": "bypassed",
                                "P-000003": "pending"}


def test_delete_asks_first(qtbot, stacked, monkeypatch):
    dlg = _dialog(qtbot, stacked)
    qtbot.waitUntil(lambda: len(dlg.model.rows) == 3)
    monkeypatch.setattr(dlg, "confirm", lambda question: False)
    _select(dlg, "P-000002")
    dlg.delete_button.click()
    qtbot.wait(300)
    assert "P-000002" in _states(stacked)


def test_send_now_wakes_the_controller(qtbot, stacked):
    woken = []
    dlg = _dialog(qtbot, stacked, wake=lambda: woken.append(1))
    dlg.send_button.click()
    assert woken == [1]
    assert "asked to send now" in dlg.message.text()


def test_this_workstation_is_the_shared_stack_controller(qtbot, stacked):
    dlg = _dialog(qtbot, stacked)
    qtbot.waitUntil(lambda: dlg.view is not None)
    assert not dlg.shared_box.isChecked()
    dlg.shared_box.click()
    qtbot.waitUntil(lambda: _param(stacked) == "test-ws")
    qtbot.waitUntil(lambda: "Shared stack controller test-ws: not running" in
                    dlg.lease_label.text())
    dlg.shared_box.click()
    qtbot.waitUntil(lambda: _param(stacked) == "")


def _param(store):
    with store.read() as s:
        return get_param(s, "SharedStackController")


def test_lease_line_who_since_heartbeat_and_stale_warning(qtbot, stacked):
    now = utcnow()
    with stacked.write() as s:
        set_param(s, "SharedStackController", "WS9")
        s.add(ControllerLease(name="shared", holder="WS9", token="t",
                              acquired_at=now - timedelta(hours=1), heartbeat_at=now,
                              expires_at=now + timedelta(seconds=30)))
    dlg = _dialog(qtbot, stacked)
    qtbot.waitUntil(lambda: dlg.view is not None and dlg.scope_box.currentIndex() == 1)
    qtbot.waitUntil(lambda: "Shared stack controller WS9 since" in dlg.lease_label.text())
    assert "last heartbeat" in dlg.lease_label.text() and "⚠" not in dlg.lease_label.text()
    with stacked.write() as s:
        lease = s.get(ControllerLease, "shared")
        lease.heartbeat_at = now - timedelta(minutes=5)
        lease.expires_at = now - timedelta(minutes=4)
    dlg.refresh()
    qtbot.waitUntil(lambda: "⚠" in dlg.lease_label.text())
    assert "it has stopped" in dlg.lease_label.text()
