"""WooCommerce listings: WordPress's `_fields` parameter (emulator and connector) and a
listing that stays right while items come and go between its pages."""

from __future__ import annotations

import pytest
import requests
from woo_kit import OAuth

from seom_desktop.carts.base import CartConfig
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.carts.woocommerce_query import ITEM_FIELDS
from seom_desktop.emulators.woocommerce import API, WooCommerceEmulator

KEY, SECRET = "ck_listing", "cs_listing"


@pytest.fixture()
def emu():
    e = WooCommerceEmulator(key=KEY, secret=SECRET).start()
    yield e
    e.stop()


def get(emu, path: str, **params):
    return requests.get(emu.url + API + path, params=params, auth=OAuth(KEY, SECRET), timeout=5)


def test_fields_keeps_only_the_named_fields(emu):
    emu.add_item("F-1", 4, name="Fielded")
    full = get(emu, "/products").json()[0]
    assert {"date_created", "stock_status", "backorders"} <= set(full)
    some = get(emu, "/products", _fields="id,sku,stock_quantity").json()[0]
    assert some == {"id": full["id"], "sku": "F-1", "stock_quantity": 4}
    arr = requests.get(emu.url + API + "/products?_fields[]=sku&_fields[]=name",
                       auth=OAuth(KEY, SECRET), timeout=5).json()[0]
    assert arr == {"sku": "F-1", "name": "Fielded"}
    one = get(emu, f"/products/{full['id']}", _fields="sku").json()
    assert one == {"sku": "F-1"}


def test_connector_asks_for_item_fields_only(emu, monkeypatch):
    emu.add_item("C-1", 3)
    parent = emu.add_item("V-P", None, type="variable", tracked=False)
    emu.add_item("V-1", 7, parent=parent)
    seen = []  # the _fields of every request, as the cart read them
    real = emu.handle
    monkeypatch.setattr(emu, "handle", lambda req: seen.append(req.query.get("_fields"))
                        or real(req))
    conn = WooCommerceConnector(CartConfig(name="w", kind="woocommerce", url=emu.url,
                                           key=KEY, secret=SECRET))
    items = {i.sku: i for i in conn.list_items()}
    got = conn.get_items(["C-1"])
    conn.close()
    assert {s: (i.qoh, i.tracked) for s, i in items.items()} == {"C-1": (3, True),
                                                                 "V-1": (7, True)}
    assert items["V-1"].item_id == f"{parent}/{items['V-1'].item_id.split('/')[1]}"
    assert got["C-1"].qoh == 3
    assert seen and all(f == [ITEM_FIELDS] for f in seen), seen


def test_listing_order_follows_items_added_and_removed(emu):
    for i in range(250):
        emu.add_item(f"L-{i:03d}", i)
    page1 = get(emu, "/products", per_page=100, page=1, orderby="id", order="asc").json()
    assert [r["sku"] for r in page1] == [f"L-{i:03d}" for i in range(100)]
    emu.remove_item("L-150")
    emu.add_item("L-new", 1)
    r3 = get(emu, "/products", per_page=100, page=3, orderby="id", order="asc")
    assert r3.headers["X-WP-Total"] == "250"
    assert [x["sku"] for x in r3.json()][-1] == "L-new"
    r2 = get(emu, "/products", per_page=100, page=2, orderby="id", order="asc").json()
    assert "L-150" not in [x["sku"] for x in r2]
    desc = get(emu, "/products", per_page=5, page=1, orderby="id", order="desc").json()
    assert [x["sku"] for x in desc][0] == "L-new"
    emu.products[int(r3.json()[-1]["id"])]["stock_quantity"] = 99  # a change shows at once
    assert get(emu, "/products", per_page=100, page=3, orderby="id",
               order="asc").json()[-1]["stock_quantity"] == 99


def test_look_ups_take_a_page_of_skus_per_request_and_keep_urls_short(emu):
    from seom_desktop.carts.woocommerce_query import SKU_QUERY_CHARS, sku_queries

    for i in range(250):
        emu.add_item(f"K-{i:03d}", i)
    conn = WooCommerceConnector(CartConfig(name="w", kind="woocommerce", url=emu.url,
                                           key=KEY, secret=SECRET))
    emu.requests.clear()
    got = conn.get_items([f"K-{i:03d}" for i in range(250)] + ["nope"])
    conn.close()
    assert {s: i.qoh for s, i in got.items()} == {f"K-{i:03d}": i for i in range(250)}
    assert sum(emu.requests.values()) == 3  # 100 + 100 + 51 SKUs
    long = [f"LONG-{'x' * 200}-{i}" for i in range(40)]
    queries = sku_queries(long)
    assert len(queries) > 1 and sorted(",".join(queries).split(",")) == sorted(long)
    assert all(len(q) <= SKU_QUERY_CHARS for q in queries)
