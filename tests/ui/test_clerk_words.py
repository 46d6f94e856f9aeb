"""Clerk words, not internals: a cart that cannot be reached reads "Can't reach <cart>
at <url>: check the URL and that the store is up" in the Stack Controller's Last
Response (and in the store) and in Shopping Carts' Test connection; an empty URL says
what to type. The exception's own words (ConnectionError, HTTPConnectionPool, Errno)
are for the log, not the clerk."""

from __future__ import annotations

import socket

import pytest
from keys_released import release_modifiers  # noqa: F401 - an autouse fixture
from PySide6.QtCore import Qt
from sqlalchemy import select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.operations import adjust
from seom_desktop.store.models import StackRow
from seom_desktop.store.params import set_param
from seom_desktop.sync.cart_setup import define_cart

INTERNALS = ("ConnectionError", "HTTPConnectionPool", "Errno", "Max retries", "urllib3",
             "NewConnectionError", "RetryableError")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def down_cart(sqlite_store, helpers, closed_port):
    helpers.bulk_products(sqlite_store, 3)
    url = f"http://127.0.0.1:{closed_port}"
    with sqlite_store.write() as s:
        define_cart(s, name="Demo WooCommerce", kind="woocommerce", url=url, key="ck_x",
                    secret="cs_x", sync=True)
        set_param(s, "SynchQOH", True)
    return url


def reach_words(url: str) -> str:
    return f"Can't reach Demo WooCommerce at {url}: check the URL and that the store is up"


def test_last_response_of_an_unreachable_cart_is_in_clerk_words(qtbot, sqlite_store,
                                                                 make_window, down_cart):
    w = make_window(sqlite_store, start_controller=True)
    with qtbot.waitActive(w):
        w.show()
    with sqlite_store.write() as s:
        adjust(s, sku="P-000001", actor=Actor("clerk", "test-ws"), delta=2)
    qtbot.keyClick(w, Qt.Key.Key_S, CTRL_SHIFT)
    dlg = w.dialogs["stack_controller"]
    col = dlg.model.HEADERS.index("Last Response")
    qtbot.waitUntil(lambda: dlg.model.rowCount() == 1
                    and dlg.model.index(0, col).data() != "", timeout=15_000)
    shown = dlg.model.index(0, col).data()
    assert shown == reach_words(down_cart)
    with sqlite_store.read() as s:
        stored = s.scalar(select(StackRow.last_response))
    assert stored == shown
    assert not any(word in stored for word in INTERNALS)


def _open_carts(qtbot, w):
    qtbot.keyClick(w, Qt.Key.Key_C, CTRL_SHIFT)
    d = w.dialogs["shopping_carts"]
    qtbot.waitUntil(d.list_view.isEnabled)  # the carts are read on a pool thread
    return d


def test_test_connection_to_an_unreachable_cart_says_what_to_do(qtbot, sqlite_store,
                                                                make_window, down_cart):
    w = make_window(sqlite_store)
    with qtbot.waitActive(w):
        w.show()
    d = _open_carts(qtbot, w)
    rect = d.list_view.visualRect(d.list_model.index(0, 0))
    qtbot.mouseClick(d.list_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(d.edit_button, Qt.MouseButton.LeftButton)
    assert d.url.editor.text() == down_cart
    with qtbot.waitSignal(d.connection_tested, timeout=15_000) as got:
        qtbot.mouseClick(d.test_button, Qt.MouseButton.LeftButton)
    ok, message = got.args
    assert not ok and message == reach_words(down_cart)
    assert d.test_result.text() == "Failed: " + reach_words(down_cart)
    assert not any(word in d.test_result.text() for word in INTERNALS)


def test_test_connection_with_no_url_says_what_to_type(qtbot, sqlite_store, make_window):
    w = make_window(sqlite_store)
    with qtbot.waitActive(w):
        w.show()
    d = _open_carts(qtbot, w)  # no cart yet: the Add Cart form, its URL empty
    assert d.url.editor.text() == ""
    qtbot.mouseClick(d.test_button, Qt.MouseButton.LeftButton)
    said = d.url.error.text()
    assert said == "cart URL is empty: type the store's address, e.g. https://shop.example.com"
    assert "''" not in said and "with a host" not in said


def test_a_stopped_stack_controller_says_what_it_means(qtbot, sqlite_store, make_window,
                                                      caplog):
    """The controller thread failing to start (here: an option it does not take) reads
    as what it means for the clerk; the exception is in the log."""
    w = make_window(sqlite_store, start_controller=True,
                    controller_kw={"no_such_option": 1})
    with qtbot.waitActive(w):
        w.show()
    qtbot.waitUntil(lambda: "Stack Controller stopped" in w.statusBar().currentMessage())
    said = w.statusBar().currentMessage()
    assert said.startswith("The Stack Controller stopped: changes are not sent to the carts")
    assert "TypeError" not in said and "no_such_option" not in said
    assert any("TypeError" in r.getMessage() and "no_such_option" in r.getMessage()
               for r in caplog.records)
