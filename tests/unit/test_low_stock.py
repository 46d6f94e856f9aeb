"""Low-stock alerts through the command line and app/low_stock.py on a real store:
`product set SKU --reorder-point N|none`, `product list --low-stock [--json]`; bad input
exits 2 with one error line and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from seom_desktop.app.low_stock import low_stock, low_stock_count, set_reorder_point
from seom_desktop.cli import main
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Product


@pytest.fixture
def cli(sqlite_url, capsys):
    def run(*args: str):
        code = main(["--store", sqlite_url, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def _points(url):
    st = open_store(url)
    with st.read() as s:
        d = dict(s.execute(select(Product.sku, Product.reorder_point)).all())
    st.close()
    return d


def test_reorder_points_and_the_low_stock_list(cli, sqlite_url):
    for sku, qoh in (("A-1", 5), ("B-2", 3), ("C-3", 10), ("D-4", 0)):
        assert cli("product", "add", sku, "--name", f"Item {sku}", "--qoh", str(qoh))[0] == 0
    assert cli("product", "set", "A-1", "--reorder-point", "5")[:2] == (
        0, "A-1: reorder point 5\n")
    assert cli("product", "set", "B-2", "--reorder-point", "2")[0] == 0
    assert cli("product", "set", "C-3", "--reorder-point", "11")[0] == 0
    assert cli("product", "set", "D-4", "--reorder-point", "0")[0] == 0
    code, out, _ = cli("product", "list", "--low-stock", "--json")
    assert code == 0
    # QOH at (A-1, D-4) or below (C-3) the reorder point; B-2 (3 > 2) is not low.
    assert json.loads(out) == [
        {"sku": "A-1", "name": "Item A-1", "qoh": 5, "kit": False, "reorder_point": 5},
        {"sku": "C-3", "name": "Item C-3", "qoh": 10, "kit": False, "reorder_point": 11},
        {"sku": "D-4", "name": "Item D-4", "qoh": 0, "kit": False, "reorder_point": 0}]
    assert cli("product", "set", "C-3", "--reorder-point", "none")[0] == 0
    code, out, _ = cli("product", "list", "--low-stock")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()[:-1]] == ["A-1", "D-4"]
    assert out.splitlines()[-1] == "2 product(s) at or below their reorder point"
    assert _points(sqlite_url) == {"A-1": 5, "B-2": 2, "C-3": None, "D-4": 0}
    code, out, _ = cli("adjust", "B-2", "--delta", "-1", "--no-send")
    store = open_store(sqlite_url)
    try:
        assert [r.sku for r in low_stock(store)] == ["A-1", "B-2", "D-4"]
        assert low_stock_count(store) == 3
    finally:
        store.close()


@pytest.mark.parametrize("args, words", [
    (("A-1", "--reorder-point", "-1"), "must be 0 or more"),
    (("A-1", "--reorder-point", "many"), "must be a whole number"),
    (("A-1", "--reorder-point", "2.5"), "must be a whole number"),
    (("NOPE", "--reorder-point", "3"), "unknown SKU"),
    (("A-1",), "nothing to set"),
])
def test_bad_input_exits_2_and_changes_nothing(cli, sqlite_url, args, words):
    cli("product", "add", "A-1", "--name", "Widget", "--qoh", "5")
    cli("product", "set", "A-1", "--reorder-point", "4")
    code, out, err = cli("product", "set", *args)
    assert code == 2 and out == ""
    assert err.startswith("error:") and words in err and len(err.strip().splitlines()) == 1
    assert _points(sqlite_url) == {"A-1": 4}


def test_the_app_function_refuses_bad_values_and_keeps_the_old_one(sqlite_store):
    with sqlite_store.write() as s:
        s.add(Product(sku="K-1", name="Kettle", qoh=2))
    assert set_reorder_point(sqlite_store, sku="K-1", value=2) == 2
    with pytest.raises(InventoryError, match="0 or more"):
        set_reorder_point(sqlite_store, sku="K-1", value=-3)
    assert [(r.sku, r.qoh, r.reorder_point) for r in low_stock(sqlite_store)] == [
        ("K-1", 2, 2)]


def test_a_kit_counts_its_derived_qoh(cli, sqlite_url):
    cli("product", "add", "CUP", "--name", "Cup", "--qoh", "9")
    cli("product", "add", "SAUCER", "--name", "Saucer", "--qoh", "4")
    cli("product", "add", "SET", "--name", "Cup and saucer")
    code, _out, err = cli("kit", "set", "SET", "--component", "CUP:1", "--component", "SAUCER:2")
    assert code == 0, err
    assert cli("product", "set", "SET", "--reorder-point", "2")[0] == 0
    code, out, _ = cli("product", "list", "--low-stock", "--json")
    assert json.loads(out) == [{"sku": "SET", "name": "Cup and saucer", "qoh": 2, "kit": True,
                                "reorder_point": 2}]  # min(9 / 1, 4 / 2) = 2
    store = open_store(sqlite_url)
    try:
        from seom_desktop.app.inventory_list import ListFilter, count_products, fetch_page

        flt = ListFilter(low_stock=True)
        assert [r.sku for r in fetch_page(store, flt=flt)] == ["SET"]
        assert count_products(store, flt=flt) == 1 and low_stock_count(store) == 1
    finally:
        store.close()
    assert cli("product", "set", "SET", "--reorder-point", "1")[0] == 0
    assert json.loads(cli("product", "list", "--low-stock", "--json")[1]) == []
