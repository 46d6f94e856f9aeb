"""Warehouses and allocation rules on the command line: warehouse add/list, cart set's
warehouses, locations and rules, webfields set's overrides, product show's per-warehouse
QOH and what each cart should show; a rule change re-queues exactly the items whose
shown quantity moved, for that cart only; bad input exits 2 and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from seom_desktop.store.engine import open_store

TABLES = ("products", "warehouses", "warehouse_stock", "carts", "cart_warehouses",
          "cart_locations", "web_fields", "web_stack", "ledger")


def dump(url) -> dict:
    st = open_store(url)
    try:
        with st.engine.connect() as conn:
            return {t: sorted(tuple(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {t}")))
                    for t in TABLES}
    finally:
        st.close()


def rows(url) -> list[tuple[str, str, int]]:
    """(cart, SKU, change) of every web stack row."""
    st = open_store(url)
    try:
        with st.engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(text(
                "SELECT c.name, p.sku, s.change FROM web_stack s JOIN carts c ON c.id = "
                "s.cart_id JOIN products p ON p.id = s.product_id")))
    finally:
        st.close()


def show(cli, sku) -> dict:
    code, out, err = cli("product", "show", sku, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def shop(cli):
    """Two synced carts (WooCommerce, Shopify: it has locations), three products (QOH 4, 12, 30) in the default warehouse."""
    assert cli("cart", "add", "woo", "--kind", "woocommerce", "--url", "http://127.0.0.1:9",
               "--key", "ck_x", "--secret", "cs_x", "--sync")[0] == 0
    assert cli("cart", "add", "shop", "--kind", "shopify", "--url", "http://127.0.0.1:9",
               "--token", "shpat_x", "--sync")[0] == 0
    cli("param", "set", "SynchQOH", "true")
    for sku, qoh in (("A", 4), ("B", 12), ("C", 30)):
        assert cli("product", "add", sku, "--name", sku, "--qoh", str(qoh))[0] == 0
    return cli


def test_warehouse_add_and_list(cli):
    code, out, _ = cli("warehouse", "list", "--json")
    assert code == 0 and json.loads(out) == [{"name": "Main", "default": True}]
    assert cli("warehouse", "add", "East")[0] == 0
    assert cli("warehouse", "add", "West", "--default")[0] == 0
    code, out, _ = cli("warehouse", "list", "--json")
    assert json.loads(out) == [{"name": "East", "default": False},
                               {"name": "Main", "default": False},
                               {"name": "West", "default": True}]
    code, out, _ = cli("warehouse", "list")
    assert out.splitlines() == ["East", "Main", "West\tdefault"]


def test_a_new_default_keeps_every_warehouses_stock(cli):
    cli("product", "add", "A", "--name", "a", "--qoh", "7")
    assert show(cli, "A")["warehouses"] == {"Main": 7}
    cli("warehouse", "add", "East", "--default")
    assert show(cli, "A")["warehouses"] == {"East": 0, "Main": 7}
    cli("adjust", "A", "--delta", "5")  # names no warehouse: the default's
    got = show(cli, "A")
    assert got["warehouses"] == {"East": 5, "Main": 7} and got["qoh"] == 12


def test_cart_rules_decide_what_each_cart_should_show(shop, store_url):
    assert shop("cart", "set", "woo", "--reserve", "2", "--percent", "50", "--max-qty", "8",
                "--min-qty", "1", "--safety", "3")[0] == 0
    shown = {w["cart"]: (w["should_show"], w["rule"]) for w in show(shop, "A")["web_fields"]}
    assert shown == {"shop": (4, "store QOH"), "woo": (1, "50 %")}  # (4 - 2) * 50 %
    shown = {w["cart"]: (w["should_show"], w["rule"]) for w in show(shop, "C")["web_fields"]}
    assert shown == {"shop": (30, "store QOH"), "woo": (8, "maximum 8")}
    # the item's own rules override the cart's, rule by rule
    assert shop("webfields", "set", "C", "--cart", "woo", "--percent", "100",
                "--max-qty", "100")[0] == 0
    w = {w["cart"]: w for w in show(shop, "C")["web_fields"]}["woo"]
    assert (w["should_show"], w["rule"], w["percent"]) == (28, "reserve 2", 100)
    assert shop("webfields", "set", "A", "--cart", "woo", "--safety", "4")[0] == 0
    w = {w["cart"]: w for w in show(shop, "A")["web_fields"]}["woo"]
    assert (w["should_show"], w["rule"], w["safety"]) == (0, "safety 4", 4)
    assert shop("cart", "set", "woo", "--percent", "none", "--max-qty", "none",
                "--min-qty", "none", "--safety", "none", "--reserve", "none")[0] == 0
    w = {w["cart"]: w for w in show(shop, "B")["web_fields"]}["woo"]
    assert (w["should_show"], w["rule"]) == (12, "store QOH")


def test_a_rule_change_requeues_exactly_the_items_whose_shown_quantity_moved(shop, store_url):
    before = rows(store_url)
    assert shop("cart", "set", "woo", "--max-qty", "20")[0] == 0  # only C (30) moves
    new = [r for r in rows(store_url) if r not in before or rows(store_url).count(r) >
           before.count(r)]
    assert new == [("woo", "C", 0)]
    n = len(rows(store_url))
    assert shop("cart", "set", "woo", "--max-qty", "25")[0] == 0  # C again, nothing else
    assert len(rows(store_url)) == n + 1
    assert shop("cart", "set", "woo", "--safety", "3")[0] == 0  # 4, 12, 25 stay as they are
    assert len(rows(store_url)) == n + 1
    assert shop("cart", "set", "shop", "--safety", "4")[0] == 0  # A (4) -> 0 on shop only
    assert rows(store_url).count(("shop", "A", 0)) == 1
    assert len(rows(store_url)) == n + 2
    assert shop("webfields", "set", "B", "--cart", "woo", "--min-qty", "5")[0] == 0  # 12 stays
    assert len(rows(store_url)) == n + 2
    assert shop("webfields", "set", "B", "--cart", "woo", "--percent", "10")[0] == 0  # 12 -> 5
    assert len(rows(store_url)) == n + 3 and rows(store_url).count(("woo", "B", 0)) == 1


def test_a_cart_sells_from_its_warehouses_and_maps_locations(shop, store_url):
    shop("warehouse", "add", "East")
    assert shop("cart", "set", "woo", "--warehouses", "East")[0] == 0
    got = {w["cart"]: w["should_show"] for w in show(shop, "B")["web_fields"]}
    assert got == {"shop": 12, "woo": 0}
    code, out, err = shop("cart", "set", "shop", "--location-for", "Main=gid://L/1",
                          "--location-for", "East=gid://L/2")
    assert code == 0, err
    w = {w["cart"]: w for w in show(shop, "B")["web_fields"]}["shop"]
    assert w["locations"] == {"gid://L/1": 12, "gid://L/2": 0}
    assert shop("cart", "set", "woo", "--warehouses", "all")[0] == 0
    assert {w["cart"]: w["should_show"] for w in show(shop, "B")["web_fields"]}["woo"] == 12
    assert shop("cart", "set", "shop", "--location-for", "East=")[0] == 0  # unmapped
    w = {w["cart"]: w for w in show(shop, "B")["web_fields"]}["shop"]
    assert w["locations"] == {"gid://L/1": 12}


BAD = [
    (("warehouse", "add", "Main"), "already exists"),
    (("warehouse", "add", " "), "warehouse name is empty"),
    (("cart", "set", "woo", "--warehouses", "Nowhere"), "unknown warehouse 'Nowhere'"),
    (("cart", "set", "woo", "--percent", "101"), "percent 101 is out of range"),
    (("cart", "set", "woo", "--percent", "-1"), "percent must be at least 0"),
    (("cart", "set", "woo", "--reserve", "-3"), "reserve must be at least 0"),
    (("cart", "set", "woo", "--safety", "x"), "safety must be a whole number"),
    (("cart", "set", "woo", "--min-qty", "-1", "--reserve", "2"), "minimum must be at least 0"),
    (("cart", "set", "shop", "--max-qty", "1", "--location-for", "Nowhere=L1"),
     "unknown warehouse 'Nowhere'"),
    (("cart", "set", "shop", "--location-for", "Main=L1", "--location-for", "East=L1"),
     "location 'L1' is mapped to two warehouses"),
    (("cart", "set", "shop", "--location-for", "Main=L1", "--location-for", "Main=L2"),
     "warehouse 'Main' is given two locations"),
    (("cart", "set", "woo", "--location-for", "Main=L1"),
     "cart 'woo' (woocommerce) has no locations to map"),
    (("cart", "set", "shop", "--location-for", "East=L9"),
     "location 'L9' is already mapped to warehouse 'Main'"),
    (("cart", "set", "woo", "--location-for", "MainL1"), "takes WAREHOUSE=LOCATION"),
    (("cart", "set", "shop", "--warehouses", "East", "--location-for", "Main=L3"),
     "which the cart does not sell from"),
    (("cart", "set", "nope", "--percent", "5"), "unknown cart 'nope'"),
    (("webfields", "set", "A", "--cart", "woo", "--percent", "150"), "percent 150"),
    (("webfields", "set", "A", "--cart", "woo", "--min-qty", "-2", "--sync"),
     "minimum must be at least 0"),
    (("webfields", "set", "A", "--cart", "woo", "--safety", "-1", "--percent", "5"),
     "safety must be at least 0"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2_and_changes_nothing(shop, store_url, args, message):
    shop("warehouse", "add", "East")
    assert shop("cart", "set", "shop", "--location-for", "Main=L9", "--reserve", "1")[0] == 0
    before = dump(store_url)
    code, out, err = shop(*args)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), err
    assert message in lines[0]
    assert dump(store_url) == before
