"""`kit set|show|remove` on a real store (SQLite and PostgreSQL): a kit's QOH derived
from its components, kits of kits, the kit product added when missing, and bad input
(a kit of itself, a cycle, an unknown SKU, a quantity below 1, malformed SKU:QTY) that
exits 2 with one error line and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from seom_desktop.store.engine import open_store
from seom_desktop.store.models import KitComponent, LedgerEntry, Product, StackRow


def _dump(url):
    st = open_store(url)
    with st.read() as s:
        d = (sorted((p.sku, p.name, p.qoh, p.is_kit) for p in s.scalars(select(Product))),
             sorted((k.kit_id, k.component_id, k.qty) for k in s.scalars(select(KitComponent))),
             sorted((e.product_id, e.delta) for e in s.scalars(select(LedgerEntry))),
             sorted((r.cart_id, r.product_id, r.change, r.state)
                    for r in s.scalars(select(StackRow))))
    st.close()
    return d


@pytest.fixture
def tea(cli):
    for sku, qoh in (("CUP", 9), ("SAUCER", 3), ("SPOON", 50)):
        assert cli("product", "add", sku, "--name", sku.title(), "--qoh", str(qoh))[0] == 0
    return cli


def _show(cli, kit):
    code, out, err = cli("kit", "show", kit, "--json")
    assert code == 0, err
    return json.loads(out)


def test_kit_set_adds_the_kit_product_and_show_derives_its_qoh(tea):
    code, out, _ = tea("kit", "set", "TEA-SET", "--component", "CUP:2",
                       "--component", "SAUCER:1", "--name", "Tea set for two")
    assert code == 0
    assert "added product TEA-SET (a kit)" in out
    assert _show(tea, "TEA-SET") == {
        "sku": "TEA-SET", "qoh": 3,
        "components": [{"sku": "CUP", "qty": 2, "qoh": 9}, {"sku": "SAUCER", "qty": 1, "qoh": 3}]}
    _code, text, _ = tea("kit", "show", "TEA-SET")
    assert "SAUCER\t1 per kit\tQOH 3  <- limits the kit" in text
    assert "limits" not in text.split("CUP")[1].split("\n")[0]
    tea("adjust", "SAUCER", "--set", "20")
    assert _show(tea, "TEA-SET")["qoh"] == 4  # now CUP: 9 // 2
    tea("adjust", "CUP", "--set", "1")
    assert _show(tea, "TEA-SET")["qoh"] == 0  # 1 // 2
    tea("param", "set", "AllowNegativeQOH", "true")
    assert tea("adjust", "CUP", "--set", "-3")[0] == 0
    assert _show(tea, "TEA-SET")["qoh"] == 0


def test_kits_of_kits_and_set_replaces_the_components(tea):
    tea("kit", "set", "TEA-SET", "--component", "CUP:2", "--component", "SAUCER:1")
    tea("kit", "set", "GIFT", "--component", "TEA-SET:2", "--component", "SPOON:4")
    gift = _show(tea, "GIFT")
    assert gift == {"sku": "GIFT", "qoh": 1, "components": [
        {"sku": "SPOON", "qty": 4, "qoh": 50}, {"sku": "TEA-SET", "qty": 2, "qoh": 3}]}
    assert tea("kit", "set", "TEA-SET", "--component", "SPOON:10")[0] == 0
    assert _show(tea, "TEA-SET")["components"] == [{"sku": "SPOON", "qty": 10, "qoh": 50}]
    assert _show(tea, "GIFT")["qoh"] == 2  # TEA-SET now 5; 5 // 2


def test_an_existing_product_without_stock_becomes_a_kit_one_with_stock_does_not(tea, store_url):
    tea("product", "add", "BOX", "--name", "Box")
    assert tea("kit", "set", "BOX", "--component", "CUP:1")[0] == 0
    assert _show(tea, "BOX")["qoh"] == 9
    before = _dump(store_url)
    code, _out, err = tea("kit", "set", "SPOON", "--component", "CUP:1")
    assert code == 2 and err.startswith("error: 'SPOON' has QOH 50 of its own")
    assert _dump(store_url) == before


def test_remove_makes_it_a_product_with_no_stock_unless_a_kit_contains_it(tea, store_url):
    tea("kit", "set", "TEA-SET", "--component", "CUP:2")
    tea("kit", "set", "GIFT", "--component", "TEA-SET:1")
    before = _dump(store_url)
    code, _out, err = tea("kit", "remove", "TEA-SET")
    assert code == 2 and "is a component of kit(s) 'GIFT'" in err
    assert _dump(store_url) == before
    assert tea("kit", "remove", "GIFT")[0] == 0
    code, _out, err = tea("kit", "show", "GIFT")
    assert code == 2 and "'GIFT' is not a kit" in err
    code, out, _ = tea("product", "show", "GIFT", "--json")
    assert code == 0 and json.loads(out)["qoh"] == 0


BAD = [
    (("kit", "set", "TEA-SET", "--component", "TEA-SET:1"), "cannot contain itself"),
    (("kit", "set", "TEA-SET", "--component", "GIFT:1"),
     "kit 'TEA-SET' would contain itself: TEA-SET > GIFT > TEA-SET"),
    (("kit", "set", "TEA-SET", "--component", "NOPE:1"), "unknown component SKU 'NOPE'"),
    (("kit", "set", "NEW", "--component", "NOPE:1"), "unknown component SKU 'NOPE'"),
    (("kit", "set", "TEA-SET", "--component", "CUP:0"), "at least 1"),
    (("kit", "set", "TEA-SET", "--component", "CUP:-1"), "at least 1"),
    (("kit", "set", "TEA-SET", "--component", "CUP"), "is not SKU:QTY"),
    (("kit", "set", "TEA-SET", "--component", "CUP:two"), "whole number"),
    (("kit", "set", "TEA-SET", "--component", ":2"), "no SKU"),
    (("kit", "set", "TEA-SET", "--component", "CUP:1", "--component", "CUP:2"), "given twice"),
    (("kit", "set", "TEA-SET"), "--component"),
    (("kit", "show", "NOPE"), "unknown SKU 'NOPE'"),
    (("kit", "show", "CUP"), "'CUP' is not a kit"),
    (("kit", "remove", "CUP"), "'CUP' is not a kit"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2_with_one_line_and_changes_nothing(tea, store_url, args, message):
    tea("param", "set", "SynchQOH", "true")
    tea("kit", "set", "TEA-SET", "--component", "CUP:2")
    tea("kit", "set", "GIFT", "--component", "TEA-SET:1", "--component", "SPOON:1")
    before = _dump(store_url)
    code, _out, err = tea(*args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert message in lines[0]
    assert _dump(store_url) == before


def test_product_list_and_show_mark_kits_with_their_derived_qoh(tea):
    tea("kit", "set", "TEA-SET", "--component", "CUP:2", "--component", "SAUCER:1")
    code, out, _ = tea("product", "list", "--json")
    assert code == 0
    listed = {r["sku"]: (r["qoh"], r["kit"]) for r in json.loads(out)}
    assert listed == {"CUP": (9, False), "SAUCER": (3, False), "SPOON": (50, False),
                      "TEA-SET": (3, True)}
    code, out, _ = tea("product", "show", "TEA-SET", "--json")
    shown = json.loads(out)
    assert (shown["qoh"], shown["kit"]) == (3, True)
    code, out, _ = tea("product", "show", "CUP", "--json")
    assert json.loads(out)["kit"] is False
    _code, text, _ = tea("product", "show", "TEA-SET")
    assert "QOH 3  (kit: derived from its components)" in text


def _rows(url):
    st = open_store(url)
    with st.read() as s:
        out = sorted((p.sku, r.change, r.state) for r, p in s.execute(
            select(StackRow, Product).join(Product, Product.id == StackRow.product_id)))
    st.close()
    return out


def test_saving_a_kit_queues_it_and_every_kit_holding_it_once_per_cart(tea, store_url):
    assert tea("cart", "add", "woo", "--kind", "woocommerce", "--url", "http://127.0.0.1:9",
               "--key", "ck_x", "--secret", "cs_x", "--sync")[0] == 0
    tea("param", "set", "SynchQOH", "true")
    tea("kit", "set", "TEA-SET", "--component", "CUP:2")
    assert _rows(store_url) == [("TEA-SET", 0, "pending")]
    tea("kit", "set", "GIFT", "--component", "TEA-SET:1", "--component", "SPOON:1")
    tea("kit", "set", "TEA-SET", "--component", "CUP:3")  # GIFT's QOH moves with it
    tea("kit", "set", "TEA-SET", "--component", "CUP:1")
    assert _rows(store_url) == [("GIFT", 0, "pending"), ("TEA-SET", 0, "pending")]
    tea("kit", "remove", "GIFT")
    assert _rows(store_url) == [("GIFT", 0, "pending"), ("TEA-SET", 0, "pending")]
