"""The Stack Controller dialog tells rows held by a controller that died from rows being
sent: "sending: held by WS2's controller, which stopped responding 12 s ago" in the
failed colour, with a tooltip saying the record goes back to pending. Dead is a holder
whose heartbeat is 3 of its beats silent (any workstation), or, seen from its own
workstation, whose process is gone."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from seom_desktop.store.models import StackHolder, utcnow
from seom_desktop.ui.dialogs.stack_controller import StackControllerDialog
from seom_desktop.ui.models.stack import DEAD_HOLDER_COLOUR, STATE_COLOURS


def _finished_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def held(sqlite_store, helpers):
    """Three rows being sent: by WS2's controller, silent 12 s (beats every 1 s); by
    this workstation's controller whose process is gone; by a live controller."""
    helpers.bulk_products(sqlite_store, 3)
    helpers.plain_cart(sqlite_store, "Web A")
    cid = helpers.cart_id(sqlite_store, "Web A")
    ids = helpers.product_ids(sqlite_store)
    helpers.bulk_stack_rows(sqlite_store, [
        {"cart_id": cid, "product_id": ids["P-000000"], "change": 3, "state": "sending",
         "claimed_by": "WS2:silent", "origin_workstation": "WS2"},
        {"cart_id": cid, "product_id": ids["P-000001"], "change": 1, "state": "sending",
         "claimed_by": "test-ws:gone"},
        {"cart_id": cid, "product_id": ids["P-000002"], "change": 2, "state": "sending",
         "claimed_by": "WS3:alive", "origin_workstation": "WS3"},
    ])
    now = utcnow()
    host = socket.gethostname()
    with sqlite_store.write() as s:
        s.add_all([
            StackHolder(claimer="WS2:silent", workstation="WS2", host="ws2-host", pid=10,
                        process_start="", started_at=now, heartbeat_seconds=1.0,
                        heartbeat_at=now - timedelta(seconds=12)),
            StackHolder(claimer="test-ws:gone", workstation="test-ws", host=host,
                        pid=_finished_pid(), process_start="boot:1", started_at=now,
                        heartbeat_seconds=5.0, heartbeat_at=now),
            StackHolder(claimer="WS3:alive", workstation="WS3", host="ws3-host", pid=11,
                        process_start="", started_at=now, heartbeat_seconds=5.0,
                        heartbeat_at=now),
        ])
    return sqlite_store


def _cell(dlg, sku: str, role=Qt.ItemDataRole.DisplayRole):
    row = next(i for i, r in enumerate(dlg.model.rows) if r.sku == sku)
    return dlg.model.data(dlg.model.index(row, 3), role)


def test_rows_of_a_dead_controller_read_as_such(qtbot, held):
    dlg = StackControllerDialog(held, workstation="test-ws")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.scope_box.setCurrentIndex(1)  # all workstations
    qtbot.waitUntil(lambda: len(dlg.model.rows) == 3)
    silent = _cell(dlg, "P-000000")
    assert re.fullmatch(r"sending: held by WS2's controller, which stopped responding "
                        r"1[2-9] s ago", silent), silent
    gone = _cell(dlg, "P-000001")
    assert re.fullmatch(r"sending: held by test-ws's controller, which stopped responding "
                        r"\d s ago", gone), gone
    assert _cell(dlg, "P-000002") == "sending"
    assert _cell(dlg, "P-000000", Qt.ItemDataRole.ForegroundRole).color().name() == \
        DEAD_HOLDER_COLOUR
    assert _cell(dlg, "P-000002", Qt.ItemDataRole.ForegroundRole).color().name() == \
        STATE_COLOURS["sending"]
    tip = _cell(dlg, "P-000000", Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Held by WS2's controller") and "goes back to pending" in tip
    assert _cell(dlg, "P-000002", Qt.ItemDataRole.ToolTipRole) is None


def test_another_workstation_sees_a_gone_process_only_by_its_heartbeat(qtbot, held):
    dlg = StackControllerDialog(held, workstation="WS9")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.scope_box.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(dlg.model.rows) == 3)
    assert _cell(dlg, "P-000001") == "sending"  # its heartbeat is fresh
    assert _cell(dlg, "P-000000").startswith("sending: held by WS2's controller")
