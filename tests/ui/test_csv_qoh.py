"""QOH CSV import and export, through the store functions and through the Import dialog:
a mixed file writes nothing until the clerk accepts the good rows, then exactly those,
in one transaction, each through Adjust Inventory and the web stack."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt, QThreadPool
from sqlalchemy import func, select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.products import add_product
from seom_desktop.store.carts import add_cart
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import LedgerEntry, Product, StackRow
from seom_desktop.store.params import set_param
from seom_desktop.sync.csv_qoh import QohRow, apply_qoh_rows, check_qoh_file, write_qoh_csv

WS = "front-desk"
ACTOR = Actor("clerk", WS)

MIXED = ("sku,qoh,note\n"
         "P1,20,recount\n"   # 2 good
         "P2,abc,\n"         # 3 not a number
         "NOPE,4,\n"         # 4 unknown SKU
         "P3,7,\n"           # 5 good
         "\n"                # 6 empty line
         "P4,-1,\n"          # 7 below zero
         "P5,1,\n"           # 8 duplicate
         "P5,2,\n"           # 9 duplicate
         "P6,99999999999\n")  # 10 out of range


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with s.write() as ss:
        set_param(ss, "SynchQOH", True)
        add_cart(ss, name="Woo", kind="woocommerce", url="http://127.0.0.1:9", sync=True)
        for i, name in enumerate(["Widget", "Gadget", "=cmd|' /C calc'!A0", "Bolt", "Nut",
                                  "Washer"], start=1):
            add_product(ss, sku=f"P{i}", name=name, qoh=i, actor=ACTOR)
        ss.query(StackRow).delete()
    yield s
    QThreadPool.globalInstance().waitForDone(5000)
    s.close()


def state(store):
    with store.read() as s:
        return (dict(s.execute(select(Product.sku, Product.qoh)).all()),
                s.scalar(select(func.count()).select_from(LedgerEntry)),
                s.scalar(select(func.count()).select_from(StackRow)))


def write(tmp_path, text, name="qoh.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_check_reports_every_problem_by_line_and_writes_nothing(store, tmp_path):
    before = state(store)
    f = check_qoh_file(store, write(tmp_path, MIXED))
    assert f.rows == [QohRow(2, "P1", 20), QohRow(5, "P3", 7)]
    assert [(p.line, p.sku) for p in f.problems] == [
        (3, "P2"), (4, "NOPE"), (6, ""), (7, "P4"), (8, "P5"), (9, "P5"), (10, "P6")]
    assert "unknown SKU" in f.problems[1].problem
    assert "below zero" in f.problems[3].problem
    assert state(store) == before


def test_apply_is_one_transaction(store):
    before = state(store)
    rows = [QohRow(2, "P1", 50), QohRow(3, "GONE", 1)]  # a SKU deleted since the check
    with pytest.raises(InventoryError, match="line 3"):
        apply_qoh_rows(store, rows, actor=ACTOR)
    assert state(store) == before


def test_apply_goes_through_adjust_and_the_web_stack(store):
    res = apply_qoh_rows(store, [QohRow(2, "P1", 50), QohRow(3, "P2", 2)], actor=ACTOR)
    assert [(r.sku, r.delta, r.qoh_after) for r in res] == [("P1", 49, 50), ("P2", 0, 2)]
    with store.read() as s:
        last = s.execute(select(LedgerEntry.source, LedgerEntry.reason, LedgerEntry.delta)
                         .order_by(LedgerEntry.id.desc()).limit(2)).all()
    assert last == [("adjust", "CSV import", 0), ("adjust", "CSV import", 49)]
    assert state(store)[2] == 1  # only the real change is sent to the cart


def test_missing_file_and_non_utf8(store, tmp_path):
    assert check_qoh_file(store, tmp_path / "nope.csv").fatal
    p = tmp_path / "latin.csv"
    p.write_bytes("sku,qoh\nCaf\xe9,1\n".encode("latin-1"))
    f = check_qoh_file(store, p)
    assert f.fatal and "UTF-8" in f.problems[0].problem


def test_export_writes_sku_name_qoh_and_round_trips(store, tmp_path):
    out = tmp_path / "export.csv"
    assert write_qoh_csv(store, out) == 6
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert rows[0] == ["sku", "name", "qoh"]
    assert rows[1] == ["P1", "Widget", "1"]
    assert rows[3][1].startswith("'=")  # a spreadsheet formula is written as text
    f = check_qoh_file(store, out)
    assert f.ok and len(f.rows) == 6


# --- the dialog -------------------------------------------------------------------------

def open_import(qtbot, store):
    from seom_desktop.ui.dialogs.csv_transfer import CsvImportDialog

    d = CsvImportDialog(store, workstation=WS)
    qtbot.addWidget(d)
    d.show()
    return d


def test_dialog_mixed_file_nothing_written_until_good_rows_accepted(qtbot, store, tmp_path):
    path = write(tmp_path, MIXED)
    d = open_import(qtbot, store)
    before = state(store)
    qtbot.keyClicks(d.path.editor, str(path))
    with qtbot.waitSignal(d.checked, timeout=5000):
        qtbot.mouseClick(d.check_button, Qt.MouseButton.LeftButton)
    rows = d.problems_model.rows
    assert [(r[0], r[1]) for r in rows] == [
        (3, "P2"), (4, "NOPE"), (6, ""), (7, "P4"), (8, "P5"), (9, "P5"), (10, "P6")]
    assert "7 lines have problems" in d.summary.text()
    assert d.import_button.text() == "Import the 2 good rows"
    assert state(store) == before  # checking wrote nothing
    with qtbot.waitSignal(d.changed, timeout=5000):
        qtbot.mouseClick(d.import_button, Qt.MouseButton.LeftButton)
    qohs, ledger, stack = state(store)
    assert qohs == {**before[0], "P1": 20, "P3": 7}
    assert ledger == before[1] + 2
    assert stack == 2  # P1 and P3 go to the synced cart
    assert "Imported 2 rows" in d.summary.text()
    assert not d.import_button.isEnabled()


def test_dialog_clean_file_imports_all(qtbot, store, tmp_path):
    path = write(tmp_path, "sku,qoh\nP1,11\nP2,12\n")
    d = open_import(qtbot, store)
    qtbot.keyClicks(d.path.editor, str(path))
    with qtbot.waitSignal(d.checked, timeout=5000):
        qtbot.keyClick(d.path.editor, Qt.Key.Key_Return)
    assert d.import_button.text() == "Import 2 rows" and d.problems_model.rows == []
    with qtbot.waitSignal(d.changed, timeout=5000):
        qtbot.mouseClick(d.import_button, Qt.MouseButton.LeftButton)
    assert state(store)[0]["P1"] == 11 and state(store)[0]["P2"] == 12


def test_dialog_file_without_header_cannot_be_imported(qtbot, store, tmp_path):
    path = write(tmp_path, "P1,11\nP2,12\n")
    d = open_import(qtbot, store)
    before = state(store)
    qtbot.keyClicks(d.path.editor, str(path))
    with qtbot.waitSignal(d.checked, timeout=5000):
        qtbot.mouseClick(d.check_button, Qt.MouseButton.LeftButton)
    assert "cannot be imported" in d.summary.text() and "header" in d.summary.text()
    assert not d.import_button.isEnabled()
    assert state(store) == before


def test_dialog_missing_file_refused_next_to_the_field(qtbot, store, tmp_path):
    d = open_import(qtbot, store)
    qtbot.keyClicks(d.path.editor, str(tmp_path / "nope.csv"))
    qtbot.mouseClick(d.check_button, Qt.MouseButton.LeftButton)
    assert d.path.error.isVisible() and "no such file" in d.path.error.text()


def test_export_function_writes_the_file(qtbot, store, tmp_path):
    from seom_desktop.ui.dialogs.csv_transfer import export_qoh_csv

    out = tmp_path / "out.csv"
    assert export_qoh_csv(store, path=str(out)) == 6
    assert out.read_text(encoding="utf-8").splitlines()[0] == "sku,name,qoh"
