"""transfer SKU QTY --from --to: stock moves between warehouses in one transaction, the
product's QOH is unchanged, the ledger has a row per warehouse, and only carts whose
shown quantity moved (at the cart or a mapped location) are queued; bad input exits 2
and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from seom_desktop.store.engine import open_store
from tests.unit.test_cli_warehouses_rules import dump, rows, show


@pytest.fixture
def shop(cli):  # noqa: F811
    """Carts all (every warehouse), both (Main, East), east (East only), mapped (its
    locations L-MAIN and L-EAST); A has 12 in Main."""
    cli("warehouse", "add", "East")
    for name in ("all", "both", "east"):
        assert cli("cart", "add", name, "--kind", "woocommerce", "--url", "http://127.0.0.1:9",
                   "--key", "ck_x", "--secret", "cs_x", "--sync")[0] == 0
    assert cli("cart", "add", "mapped", "--kind", "shopify", "--url", "http://127.0.0.1:9",
               "--token", "shpat_x", "--sync")[0] == 0
    cli("param", "set", "SynchQOH", "true")
    assert cli("cart", "set", "both", "--warehouses", "Main,East")[0] == 0
    assert cli("cart", "set", "east", "--warehouses", "East")[0] == 0
    assert cli("cart", "set", "mapped", "--location-for", "Main=L-MAIN",
               "--location-for", "East=L-EAST")[0] == 0
    assert cli("product", "add", "A", "--name", "a", "--qoh", "12")[0] == 0
    return cli


def ledger(url) -> list[tuple]:
    st = open_store(url)
    try:
        with st.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT l.delta, l.qoh_after, l.source, w.name FROM ledger l LEFT JOIN "
                "warehouses w ON w.id = l.warehouse_id WHERE l.source = 'transfer' "
                "ORDER BY l.id"))]
    finally:
        st.close()


def test_a_transfer_moves_stock_and_queues_only_carts_whose_shown_quantity_moved(shop, store_url):
    before = rows(store_url)
    code, out, err = shop("transfer", "A", "5", "--from", "Main", "--to", "East", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["warehouses"] == {"East": 5, "Main": 7} and got["stack_rows"] == 2
    p = show(shop, "A")
    assert p["qoh"] == 12 and p["warehouses"] == {"East": 5, "Main": 7}
    new = rows(store_url)
    for r in before:
        new.remove(r)
    assert new == [("east", "A", 0), ("mapped", "A", 0)]  # not 'all', not 'both'
    assert ledger(store_url) == [(-5, 12, "transfer", "Main"), (5, 12, "transfer", "East")]
    shown = {w["cart"]: (w["should_show"], w["locations"]) for w in p["web_fields"]}
    assert shown == {"all": (12, {}), "both": (12, {}), "east": (5, {}),
                     "mapped": (12, {"L-EAST": 5, "L-MAIN": 7})}


def test_transfer_back_to_the_default_and_between_other_warehouses(shop, store_url):
    shop("warehouse", "add", "West")
    assert shop("transfer", "A", "12", "--from", "Main", "--to", "West")[0] == 0
    assert shop("transfer", "A", "4", "--from", "West", "--to", "East")[0] == 0
    assert shop("adjust", "A", "--delta", "3")[0] == 0  # the default warehouse's
    assert show(shop, "A")["warehouses"] == {"East": 4, "Main": 3, "West": 8}
    assert shop("transfer", "A", "8", "--from", "West", "--to", "Main")[0] == 0
    p = show(shop, "A")
    assert p["warehouses"] == {"East": 4, "Main": 11, "West": 0} and p["qoh"] == 15


BAD = [
    (("transfer", "A", "13", "--from", "Main", "--to", "East"),
     "warehouse 'Main' holds 12 of 'A', less than 13"),
    (("transfer", "A", "1", "--from", "East", "--to", "Main"),
     "warehouse 'East' holds 0 of 'A', less than 1"),
    (("transfer", "A", "0", "--from", "Main", "--to", "East"), "at least 1"),
    (("transfer", "A", "-2", "--from", "Main", "--to", "East"), "at least 1"),
    (("transfer", "A", "x", "--from", "Main", "--to", "East"), "must be a whole number"),
    (("transfer", "A", "1", "--from", "Main", "--to", "Main"), "to itself"),
    (("transfer", "A", "1", "--from", "Nowhere", "--to", "Main"), "unknown warehouse 'Nowhere'"),
    (("transfer", "A", "1", "--from", "Main", "--to", "Nowhere"), "unknown warehouse 'Nowhere'"),
    (("transfer", "Z", "1", "--from", "Main", "--to", "East"), "unknown SKU 'Z'"),
    (("transfer", "KIT", "1", "--from", "Main", "--to", "East"), "is a kit"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_transfers_exit_2_and_change_nothing(shop, store_url, args, message):
    assert shop("kit", "set", "KIT", "--component", "A:2")[0] == 0
    before = dump(store_url)
    code, _out, err = shop(*args)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), err
    assert message in lines[0]
    assert dump(store_url) == before


def test_a_kit_holding_the_product_is_requeued_where_its_shown_quantity_moved(shop, store_url):
    assert shop("kit", "set", "KIT", "--component", "A:2")[0] == 0
    before = rows(store_url)
    assert shop("transfer", "A", "6", "--from", "Main", "--to", "East")[0] == 0
    new = rows(store_url)
    for r in before:
        new.remove(r)
    assert new == [("east", "A", 0), ("east", "KIT", 0), ("mapped", "A", 0),
                   ("mapped", "KIT", 0)]
    k = {w["cart"]: (w["should_show"], w["locations"]) for w in show(shop, "KIT")["web_fields"]}
    assert k["east"] == (3, {}) and k["mapped"] == (6, {"L-EAST": 3, "L-MAIN": 3})


def test_adjust_receive_and_pos_sale_take_a_warehouse(shop, store_url):
    assert shop("receive", "A", "5", "--warehouse", "East")[0] == 0
    assert shop("pos-sale", "A", "2", "--warehouse", "East")[0] == 0
    assert show(shop, "A")["warehouses"] == {"East": 3, "Main": 12}
    assert shop("adjust", "A", "--set", "1", "--warehouse", "East")[0] == 0  # East's QOH
    assert shop("adjust", "A", "--delta", "-2")[0] == 0  # the default warehouse's
    p = show(shop, "A")
    assert p["warehouses"] == {"East": 1, "Main": 10} and p["qoh"] == 11
    st = open_store(store_url)
    try:
        with st.engine.connect() as conn:
            got = [tuple(r) for r in conn.execute(text(
                "SELECT l.source, l.delta, l.qoh_after, w.name FROM ledger l JOIN warehouses w "
                "ON w.id = l.warehouse_id ORDER BY l.id"))]
    finally:
        st.close()
    assert got == [("new product", 12, 12, "Main"), ("po receipt", 5, 17, "East"),
                   ("pos sale", -2, 15, "East"), ("adjust", -2, 13, "East"),
                   ("adjust", -2, 11, "Main")]


@pytest.mark.parametrize("args,message", [
    (("pos-sale", "A", "1", "--warehouse", "East"), "warehouse 'East' holds 0 of 'A'"),
    (("adjust", "A", "--delta", "-1", "--warehouse", "East"), "warehouse 'East' holds 0"),
    (("receive", "A", "1", "--warehouse", "Nowhere"), "unknown warehouse 'Nowhere'"),
    (("adjust", "A", "--set", "-1", "--warehouse", "East"), "below zero"),
])
def test_a_warehouse_that_does_not_hold_it_or_does_not_exist_changes_nothing(
        shop, store_url, args, message):
    before = dump(store_url)
    code, _out, err = shop(*args)
    assert code == 2 and err.startswith("error: ") and message in err, err
    assert dump(store_url) == before
