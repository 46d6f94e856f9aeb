"""What comes from a cart is data: SKUs and names with quotes, SQL, HTML, format strings,
control characters, bidi overrides and 10,000 characters are stored and shown safely.

Get QOH From Website --create-new takes such items from an emulated cart (through the
CLI); `product list --json` gives them back unchanged (names holding a NUL get U+FFFD,
which PostgreSQL text can hold; names are cut at 10,000 characters; SKUs a clerk could
not type are refused and listed); the human output carries no raw control character;
View Inventory, the ledger window and the main window's model show them (offscreen).
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from seckit import cli, start

SKUS_OK = [
    "O'Brien \"quoted\"",
    "'; DROP TABLE products; --",
    "<script>alert(1)</script>",
    "%s%n{0}${HOME}",
    "../../etc/passwd",
    "sku,with,commas",
    "🙂-emoji-ЖЖ",
    "a" * 255,
]
SKUS_REFUSED = ["bell\x07sku", "esc\x1b[2Jsku", "rtl\u202egnp.exe", "x" * 10_000, " padded "]
NAMES = [
    "<img src=x onerror=alert(1)><b>bold</b>",
    "Robert'); DROP TABLE products;--",
    "line one\r\nline two\ttab\x07bell\x1b[31mred",
    "\u202eevil override",
    "n" * 10_000,
    "{0} %(name)s %d",
    "zero\x00byte",
    "m" * 12_000,
]


@pytest.fixture
def hostile_cart(store_url):
    c = start("woocommerce", items=0, orders=0)
    items = list(zip(SKUS_OK, NAMES, strict=True))
    for i, (sku, name) in enumerate(items):
        c.emulator.add_item(sku, i + 1, name=name)
    for i, sku in enumerate(SKUS_REFUSED):
        c.emulator.add_item(sku, 3, name=f"refused {i}")
    assert cli(store_url, "cart", "add", "Hostile", *c.args).rc == 0
    yield c, items
    c.emulator.stop()


def _expected_name(name: str) -> str:
    return name.replace("\x00", "\ufffd")[:10_000]


def test_get_qoh_create_new_stores_hostile_items_safely(store_url, hostile_cart):
    c, items = hostile_cart
    r = cli(store_url, "get-qoh", "Hostile", "--create-new")
    assert r.rc == 0, r
    for raw in r.out + r.err:
        assert raw in "\n\t" or unicodedata.category(raw) not in ("Cc", "Cf"), repr(raw)

    listed = json.loads(cli(store_url, "product", "list", "--json").out)
    by_sku = {p["sku"]: p for p in listed}
    assert set(by_sku) == set(SKUS_OK)
    for i, (sku, name) in enumerate(items):
        assert by_sku[sku]["name"] == _expected_name(name), sku
        assert by_sku[sku]["qoh"] == i + 1
        shown = json.loads(cli(store_url, "product", "show", "--json", "--", sku).out)
        assert shown["sku"] == sku and shown["name"] == _expected_name(name)

    r = cli(store_url, "get-qoh", "Hostile", "--create-new", "--json")
    report = json.loads(r.out)
    refused = {u["sku"]: u["note"] for u in report["unknown"]}
    assert set(refused) == set(SKUS_REFUSED)
    assert all(note.startswith("not created: SKU") for note in refused.values()), refused

    human = cli(store_url, "product", "list").out
    assert "\x1b" not in human and "\x07" not in human and "\u202e" not in human
    assert "\\x1b[31m" in human  # shown, escaped


def test_hostile_items_display_in_the_window(store_url, hostile_cart, qtbot, tmp_path):
    from PySide6.QtCore import QSettings, Qt

    from seom_desktop.store.engine import open_store
    from seom_desktop.ui.dialogs.ledger import LedgerDialog
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog
    from seom_desktop.ui.main_window import MainWindow

    c, items = hostile_cart
    assert cli(store_url, "get-qoh", "Hostile", "--create-new").rc == 0
    store = open_store(store_url)
    try:
        d = ViewInventoryDialog(store, workstation="test-ws")
        qtbot.addWidget(d)
        ledger = LedgerDialog(store, workstation="test-ws")
        qtbot.addWidget(ledger)
        for sku, name in items:
            with qtbot.waitSignal(d.shown, timeout=5000):  # read on a pool thread
                d.load(sku)
            assert d.current_sku == sku
            assert d.sku_label.text() == sku
            assert d.name_label.text() == _expected_name(name)
            assert d.ledger_model.rowCount() >= 1
            with qtbot.waitSignal(ledger.shown, timeout=5000):
                ledger.load(sku)
            assert ledger.model.rowCount() >= 1
            d.grab()
            ledger.grab()

        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        w = MainWindow(store, workstation="test-ws", start_controller=False, settings=settings)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitUntil(lambda: w.model.rowCount() == len(items), timeout=10_000)
        shown = set()
        for row in range(w.model.rowCount()):
            for col in range(w.model.columnCount()):
                value = w.model.data(w.model.index(row, col), Qt.ItemDataRole.DisplayRole)
                shown.add(value)
        assert set(SKUS_OK) <= shown
        w.grab()
        w.stop_controller()
    finally:
        store.close()


def test_view_inventory_shows_html_in_names_as_text(store_url, hostile_cart, qtbot):
    from PySide6.QtCore import Qt

    from seom_desktop.store.engine import open_store
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog

    assert cli(store_url, "get-qoh", "Hostile", "--create-new").rc == 0
    store = open_store(store_url)
    try:
        d = ViewInventoryDialog(store, workstation="test-ws")
        qtbot.addWidget(d)
        with qtbot.waitSignal(d.shown, timeout=5000):
            d.load(SKUS_OK[0])
        assert d.name_label.textFormat() == Qt.TextFormat.PlainText
    finally:
        store.close()


def test_a_nul_in_a_typed_name_is_bad_input(store_url):
    r = cli(store_url, "product", "add", "N-1", "--name", "a\x00b")
    assert r.rc == 2 and r.err == "error: name contains a NUL character\n", r
