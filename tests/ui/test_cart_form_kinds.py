"""The Add/Edit Cart form shows the fields the chosen kind uses, each labelled and with
a hint where the cart's admin shows it (app/cart_kinds.py); switching the kind combo
changes them; a cart saved of each kind keeps what was typed in those fields (the
credentials in the OS keyring, the location in the store) and nothing of the others."""

from __future__ import annotations

import pytest
from clerk_boxes import quiet_close
from PySide6.QtCore import Qt, QThreadPool
from sqlalchemy import select

from seom_desktop import credentials
from seom_desktop.app.cart_kinds import FIELDS, FORMS
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart

WS = "front-desk"
# what the clerk types in each field a kind shows
TYPED = {"key": "typed-key", "secret": "dHlwZWQtc2VjcmV0", "token": "typed-token",
         "location": "2"}


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield s
    QThreadPool.globalInstance().waitForDone(5000)
    s.close()


@pytest.fixture
def dialog(qtbot, store):
    from seom_desktop.ui.dialogs.shopping_carts import ShoppingCartsDialog

    d = ShoppingCartsDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    with qtbot.waitActive(d):
        d.show()
    return d


def shown_fields(d) -> set[str]:
    return {name for name in FIELDS if getattr(d, name).isVisible()}


def label_of(d, name) -> str:
    return d.cart_fields.labelForField(getattr(d, name)).text()


def test_woocommerce_shows_key_and_secret_shopify_token_and_location(qtbot, dialog):
    d = dialog
    d.kind_combo.setCurrentText("woocommerce")
    assert shown_fields(d) == {"key", "secret"}
    assert label_of(d, "key") == "Consumer key:"
    assert d.hints["key"].text() == ("WooCommerce > Settings > Advanced > REST API: "
                                     "Add key (Read/Write)")
    assert d.hints["key"].isVisible()
    d.kind_combo.setFocus()
    qtbot.keyClicks(d.kind_combo, "shopify")  # chosen by typing, as a clerk does
    assert d.kind_combo.currentText() == "shopify"
    assert shown_fields(d) == {"token", "location"}
    assert label_of(d, "token") == "Admin API access token:"
    assert d.hints["token"].text() == ("Settings > Apps and sales channels > Develop apps > "
                                       "Admin API access token")
    assert not d.key.isVisible() and not d.hints["key"].isVisible()


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_each_kind_shows_its_fields_with_hints(qtbot, dialog, kind):
    d = dialog
    d.kind_combo.setCurrentText(kind)
    spec = FORMS[kind]
    assert shown_fields(d) == set(spec.names)
    for f in spec.fields:
        assert label_of(d, f.name) == f.label
        assert d.hints[f.name].isVisible() and d.hints[f.name].text() == f.hint
        assert getattr(d, f.name).editor.accessibleName() == f.label.rstrip(":")
    assert d.url.editor.placeholderText() == spec.url_hint


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_a_saved_cart_of_each_kind_keeps_its_values(qtbot, dialog, store, kind):
    d = dialog
    qtbot.mouseClick(d.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(d.name.editor, f"Shop {kind}")
    d.kind_combo.setCurrentText("woocommerce" if kind != "woocommerce" else "shopify")
    for name in FIELDS:  # typed under another kind first: hidden fields are not saved
        if getattr(d, name).isVisible():
            qtbot.keyClicks(getattr(d, name).editor, "left-over")
    d.kind_combo.setCurrentText(kind)
    qtbot.keyClicks(d.url.editor, "https://shop.example.com")
    used = FORMS[kind].names
    for name in used:
        edit = getattr(d, name).editor
        edit.clear()
        qtbot.keyClicks(edit, TYPED[name])
    with qtbot.waitSignal(d.changed, timeout=5000):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    kept = credentials.load(credentials.reference_for(f"Shop {kind}"))
    assert {k: kept.get(k, "") for k in ("key", "secret", "token")} == {
        k: TYPED[k] if k in used else "" for k in ("key", "secret", "token")}
    with store.read() as s:
        cart = s.scalar(select(Cart).where(Cart.name == f"Shop {kind}"))
        assert (cart.kind, cart.location) == (kind, TYPED["location"] if "location" in used
                                              else "")
    # opened again for editing: the same fields, the location shown, secrets kept unseen
    d.edit_cart(f"Shop {kind}")
    assert shown_fields(d) == set(used)
    if "location" in used:
        assert d.location.editor.text() == TYPED["location"]
    for name in set(used) - {"location"}:
        assert getattr(d, name).editor.text() == ""
        assert "keyring" in getattr(d, name).editor.placeholderText()


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_the_fields_a_kind_shows_are_enough_for_its_connector(kind):
    """A cart defined with only the fields its form shows can be reached: the kind's
    connector is made from them without refusing a missing credential."""
    from seom_desktop.carts.base import CartConfig
    from seom_desktop.carts.registry import connector_class

    shown = FORMS[kind].names
    typed = {name: TYPED[name] for name in shown}
    conn = connector_class(kind)(CartConfig(name="Shop", kind=kind,
                                            url="https://shop.example.com", **typed))
    try:
        for name in ("key", "secret", "token"):
            assert getattr(conn.config, name) == typed.get(name, "")
    finally:
        close = getattr(conn, "close", None)
        if close is not None:
            close()
