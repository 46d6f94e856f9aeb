"""What the clerk-input tests share: a store with one cart and two products, clicking,
waiting for a dialog's save and for its reads, View Inventory opened and its Web Fields
cells typed into, and a Gate that holds one SKU's look-up on its pool thread (a slow
answer, made with SQLAlchemy's public event API on the real store)."""

from __future__ import annotations

import threading

from clerk_boxes import quiet_close
from pool_idle import idle
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.store.carts import add_cart
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import LedgerEntry, Product, StackRow, WebField
from seom_desktop.store.params import set_param

WS = "front-desk"
ACTOR = Actor("setup", WS)
ENTER, ESC, TAB = Qt.Key.Key_Return, Qt.Key.Key_Escape, Qt.Key.Key_Tab


def make_store(tmp_path, carts=(("Woo", "woocommerce"),), p1_qoh: int = 50):
    """SynchQOH on, the carts (name, kind) all syncing, P1 Widget (`p1_qoh`) and P2 Gadget
    0, no stack rows."""
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with s.write() as ss:
        set_param(ss, "SynchQOH", True)
        for name, kind in carts:
            add_cart(ss, name=name, kind=kind, url="http://127.0.0.1:9", sync=True)
        add_product(ss, sku="P1", name="Widget", qoh=p1_qoh, actor=ACTOR)
        add_product(ss, sku="P2", name="Gadget", qoh=0, actor=ACTOR)
        ss.query(StackRow).delete()
    return s


def store_fixture(**seed):
    """A `store` fixture for a test module: make_store(tmp_path, **seed), closed after
    the pool's reads: `store = store_fixture(...)` at the module's top."""
    import pytest

    @pytest.fixture(name="store")
    def store(tmp_path):
        s = make_store(tmp_path, **seed)
        yield s
        close_store(s)
    return store


def close_store(s) -> None:
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(5000)
    s.close()


def click(qtbot, w):
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton)


def saved(qtbot, d):
    """Wait for the save the next key or click starts (it runs on a pool thread)."""
    return qtbot.waitSignal(d.save_finished, timeout=5000)


def shown(qtbot, d):
    qtbot.addWidget(d, before_close_func=quiet_close)
    with qtbot.waitActive(d):
        d.show()
    idle()  # its reads (parameters, carts, the SKU it opened on) answered
    return d


def view_dialog(qtbot, store, **kw):
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog

    d = ViewInventoryDialog(store, workstation=WS, **kw)
    if not kw.get("sku"):
        return shown(qtbot, d)
    with qtbot.waitSignal(d.shown, timeout=5000):  # the item is read on a pool thread
        return shown(qtbot, d)


def type_in_cell(qtbot, view, row, col, text):
    """Type into a cell as a clerk does: select it, F2, clear, type, Enter."""
    from PySide6.QtWidgets import QLineEdit

    view.setFocus()
    view.setCurrentIndex(view.model().index(row, col))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editors = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, ENTER)
    qtbot.wait(1)


def reserves(store):
    with store.read() as s:
        return sorted(s.execute(select(Product.sku, WebField.reserve)
                                .join(Product, Product.id == WebField.product_id)).all())


def snapshot(store):
    """Products' QOH, the ledger's and the stack's sizes, and every web field."""
    with store.read() as s:
        return (list(s.execute(select(Product.sku, Product.qoh).order_by(Product.sku))),
                s.scalar(select(func.count()).select_from(LedgerEntry)),
                s.scalar(select(func.count()).select_from(StackRow)),
                list(s.execute(select(WebField.cart_id, WebField.sync, WebField.cart_sku,
                                      WebField.reserve, WebField.max_qty))))


class Gate:
    """Holds the store's look-up of one SKU text (its SELECT waits on a pool thread)
    until released."""

    def __init__(self, sku: str):
        self.sku = sku
        self.open = threading.Event()
        self.held = threading.Event()

    def __call__(self, conn, cursor, statement, params, context, executemany):
        if "FROM products" in statement and params and tuple(params)[:1] == (self.sku,):
            self.held.set()
            self.open.wait(10)
