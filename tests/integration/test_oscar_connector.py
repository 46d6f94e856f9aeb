"""The django-oscar connector against a real Oscar shop (django-oscar 4.2.1 and
django-oscar-api 3.3.0 served by waitress from its own virtual environment, see
tests/e2e/oscar_server.py). Admin lists come in pages of 4, so paging is exercised.

Each test uses its own SKUs of one shop started for this module."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests

from seom_desktop.carts.base import (
    AuthError,
    BadResponseError,
    CartConfig,
    PermanentError,
    QohUpdate,
    UnknownItemError,
)
from seom_desktop.carts.oscar import OscarConnector
from seom_desktop.carts.registry import connector_class
from seom_desktop.emulators.base import Emulator, Response

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from oscar_server import OscarShop, start_or_skip  # noqa: E402

PRODUCTS = (
    [{"sku": f"LIST-{i}", "num_in_stock": 10 + i, "upc": f"U-LIST-{i}"} for i in range(3)]
    + [{"sku": "UNTRACKED", "num_in_stock": None}]
    + [{"sku": "BY-UPC", "partner_sku": "", "upc": "UPC-ONLY", "num_in_stock": 4}]
    + [{"sku": s, "num_in_stock": 20} for s in
       ("SET-A", "SET-B", "ORD-A", "ORD-B", "SHIP-A", "RENAME-A", "GONE-A")]
)


@pytest.fixture(scope="module")
def oscar(tmp_path_factory) -> OscarShop:
    shop = start_or_skip(tmp_path_factory.mktemp("oscar"), PRODUCTS)
    yield shop
    shop.stop()


def _conn(shop: OscarShop, **kw) -> OscarConnector:
    cfg = dict(name="oscar", kind="oscar", url=shop.url, key=shop.admin[0],
               secret=shop.admin[1], read_timeout=10)
    cfg.update(kw)
    return OscarConnector(CartConfig(**cfg))


def test_registry_maps_the_kind_to_this_connector():
    assert connector_class("oscar") is OscarConnector
    assert OscarConnector.batch_limit == 1 and OscarConnector.write_mode == "absolute"


def test_connection_and_refused_credentials(oscar):
    c = _conn(oscar)
    assert f"{len(PRODUCTS)} products" in c.test_connection()
    bad = _conn(oscar, secret="wrong-password-123")
    with pytest.raises(AuthError) as e:
        bad.test_connection()
    assert "wrong-password-123" not in str(e.value) and "403" in str(e.value)


def test_connection_names_a_missing_admin_api(oscar):
    with pytest.raises(PermanentError) as e:
        _conn(oscar, url=oscar.url + "/shop").test_connection()
    assert "OSCARAPI_BLOCK_ADMIN_API_ACCESS" in str(e.value)


def test_list_items_reads_every_page_with_buyable_quantities(oscar):
    items = {i.sku: i for i in _conn(oscar).list_items()}
    assert set(items) == {p.get("partner_sku", p["sku"]) or p["upc"] for p in PRODUCTS}
    assert items["LIST-2"].qoh == 12 and items["LIST-2"].item_id == str(oscar.records["LIST-2"])
    assert items["UNTRACKED"].tracked is False and items["UNTRACKED"].qoh is None
    assert items["UPC-ONLY"].qoh == 4  # no partner SKU: the product's UPC stands in


def test_get_items_known_unknown_and_missing(oscar):
    c = _conn(oscar)
    first = c.get_items(["LIST-0", "NOT-THERE"])  # an unknown SKU: the shop is listed
    assert set(first) == {"LIST-0"} and first["LIST-0"].qoh == 10
    oscar.set_stock("LIST-1", 30)  # changed behind the connector's back
    again = c.get_items(["LIST-0", "LIST-1"])  # known now: read record by record
    assert again["LIST-1"].qoh == 30


def test_set_qoh_keeps_allocations_out_of_the_buyable_number(oscar):
    c = _conn(oscar)
    oscar.place_order([("SET-A", 3)])
    rec = oscar.record("SET-A")
    assert (rec["num_in_stock"], rec["num_allocated"]) == (20, 3)
    assert c.get_items(["SET-A"])["SET-A"].qoh == 17
    [r] = c.set_qoh([QohUpdate(sku="SET-A", qoh=5)])
    assert r.ok and r.qoh == 5 and r.item_id == str(oscar.records["SET-A"])
    rec = oscar.record("SET-A")
    assert (rec["num_in_stock"], rec["num_allocated"]) == (8, 3)
    assert oscar.buyable("SET-A") == 5
    [r] = c.set_qoh([QohUpdate(sku="SET-A", qoh=5)])  # re-sent: changes nothing
    assert r.ok and oscar.record("SET-A")["num_in_stock"] == 8


def test_set_qoh_by_item_id_in_a_fresh_connector(oscar):
    [r] = _conn(oscar).set_qoh([QohUpdate(sku="SET-B", qoh=0,
                                          item_id=str(oscar.records["SET-B"]))])
    assert r.ok and oscar.buyable("SET-B") == 0


def test_untracked_unknown_and_oversized_writes_are_refused(oscar):
    c = _conn(oscar)
    [r] = c.set_qoh([QohUpdate(sku="UNTRACKED", qoh=3)])
    assert not r.ok and isinstance(r.error, PermanentError) and "track" in str(r.error)
    assert oscar.record("UNTRACKED")["num_in_stock"] is None  # never switched on
    [r] = c.set_qoh([QohUpdate(sku="NO-SUCH-SKU", qoh=3)])
    assert not r.ok and isinstance(r.error, UnknownItemError)
    with pytest.raises(ValueError):
        c.set_qoh([QohUpdate(sku="SET-A", qoh=1), QohUpdate(sku="SET-B", qoh=1)])


def test_a_renamed_record_is_found_again(oscar):
    c = _conn(oscar)
    assert c.get_items(["RENAME-A"])["RENAME-A"].qoh == 20
    r = oscar.session().patch(f"{oscar.url}/api/admin/stockrecords/{oscar.records['RENAME-A']}/",
                              json={"partner_sku": "RENAMED-A"}, timeout=10)
    r.raise_for_status()
    assert c.get_items(["RENAME-A"]) == {}
    [res] = c.set_qoh([QohUpdate(sku="RENAMED-A", qoh=6)])
    assert res.ok and oscar.buyable("RENAME-A") == 6


def test_orders_are_listed_oldest_first_with_their_skus(oscar):
    c = _conn(oscar)
    first = oscar.place_order([("ORD-A", 2), ("ORD-B", 1)])
    second = oscar.place_order([("ORD-B", 4)])
    orders = {o.order_id: o for o in c.list_orders(None)}
    assert {first, second} <= set(orders)
    ids = [o.order_id for o in c.list_orders(None)]
    assert ids.index(first) < ids.index(second)
    assert sorted((ln.sku, ln.quantity) for ln in orders[first].lines) == [("ORD-A", 2), ("ORD-B", 1)]
    assert orders[second].status == "new" and orders[second].created.endswith("Z")
    later = _conn(oscar).list_orders(orders[second].created)  # a fresh connector
    assert [o.order_id for o in later] == [second]
    assert [(ln.sku, ln.quantity) for ln in later[0].lines] == [("ORD-B", 4)]


def test_shipping_an_order_leaves_the_buyable_number(oscar):
    c = _conn(oscar)
    number = oscar.place_order([("SHIP-A", 5)])
    assert c.get_items(["SHIP-A"])["SHIP-A"].qoh == 15
    assert oscar.ship(number) == {"SHIP-A": 5}
    rec = oscar.record("SHIP-A")
    assert (rec["num_in_stock"], rec["num_allocated"]) == (15, 0)
    assert c.get_items(["SHIP-A"])["SHIP-A"].qoh == 15


def test_a_session_id_header_instead_of_basic_auth(oscar):
    """Oscar API's header sessions: log in once with a Session-Id, then the connector
    sends that Session-Id (the token) and no Basic credentials, writes included."""
    sid = "SID:ANON:127.0.0.1:seomconnectortest0001"
    r = requests.post(f"{oscar.url}/api/login/", headers={"Session-Id": sid}, timeout=10,
                      json={"username": oscar.admin[0], "password": oscar.admin[1]})
    assert r.status_code == 200, r.text
    token = r.headers["Session-Id"]
    assert token.startswith("SID:AUTH:")
    c = _conn(oscar, key="", secret="", token=token)
    assert c.get_items(["SET-B"])["SET-B"].item_id == str(oscar.records["SET-B"])
    [res] = c.set_qoh([QohUpdate(sku="SET-B", qoh=2)])
    assert res.ok and oscar.buyable("SET-B") == 2
    with pytest.raises(AuthError) as e:
        _conn(oscar, key="", secret="", token="SID:AUTH:127.0.0.1:nosuchsession99").test_connection()
    assert "nosuchsession99" not in str(e.value)


def test_partner_location(oscar):
    items = {i.sku for i in _conn(oscar, location="Warehouse").list_items()}
    assert "LIST-0" in items
    with pytest.raises(PermanentError, match="no partner"):
        list(_conn(oscar, location="Elsewhere").list_items())


class _Pages(Emulator):
    """A shop on a loopback socket that answers GETs from a dict of path -> (status,
    body text): answers of shapes no real Oscar gives."""

    kind = "pages"

    def __init__(self, pages):
        super().__init__()
        self.pages = pages

    def handle(self, req):
        status, text = self.pages[req.path]
        return Response(status, text.encode(), {"Content-Type": "application/json"})


def test_wrong_shapes_and_foreign_next_links_are_refused():
    pages = {"/api/admin/productclasses/": (200, "[]"),
             "/api/admin/products/": (200, '{"results": [], "next": "http://evil.example/x"}')}
    with _Pages(pages) as shop:
        cfg = CartConfig(name="oscar", kind="oscar", url=shop.url, key="k", secret="s-secret")
        with pytest.raises(BadResponseError, match="another host"):
            list(OscarConnector(cfg).list_items())
        pages["/api/admin/products/"] = (200, '[{"stockrecords": [{"url": 5}]}]')
        with pytest.raises(BadResponseError):
            list(OscarConnector(cfg).list_items())
        pages["/api/admin/products/"] = (200, "<html><body>oops</body></html>")
        with pytest.raises(BadResponseError, match="HTML"):
            list(OscarConnector(cfg).list_items())
        pages["/api/admin/orders/"] = (200, '{"results": [{"number": 1}]}')
        with pytest.raises(BadResponseError, match="order"):
            OscarConnector(cfg).list_orders(None)
        assert shop.requests["GET /api/admin/products/"] == 3  # each answer was read
