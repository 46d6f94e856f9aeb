"""Set System Parameters and Shopping Carts, driven through their widgets: values and
carts end up in the store, credentials in the keyring and never in the store file, bad
input is refused next to its field and writes nothing, Synchronize Inventory is offered
only for carts that can take real-time changes and is preceded by the warnings."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from clerk_boxes import quiet_close
from pool_idle import idle
from PySide6.QtCore import Qt, QThreadPool, QTimer
from sqlalchemy import select

from seom_desktop import credentials
from seom_desktop.carts.base import ABSOLUTE, PUSH, REALTIME, AuthError
from seom_desktop.carts.registry import KINDS
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart, Param
from seom_desktop.store.params import get_param
from seom_desktop.sync.cart_setup import define_cart

WS = "front-desk"
SECRET = "s3cr3t-Zq9-very-private"


class FakePushOnly:
    """A cart that takes QOH by hand only (no REALTIME)."""

    kind = "fakepush"
    capabilities = frozenset({PUSH})
    batch_limit = 10
    write_mode = ABSOLUTE

    def __init__(self, config):
        self.config = config

    def test_connection(self) -> str:
        if self.config.token != "good-token":
            raise AuthError("the cart refused the token (401 invalid_token)")
        return f"Fake shop at {self.config.url}"

    def close(self) -> None:
        pass


class FakeRealtime(FakePushOnly):
    kind = "fakert"
    capabilities = frozenset({PUSH, REALTIME})
    holds_stock_in_baskets = True


@pytest.fixture
def kinds(monkeypatch):
    monkeypatch.setitem(KINDS, "fakepush", f"{__name__}:FakePushOnly")
    monkeypatch.setitem(KINDS, "fakert", f"{__name__}:FakeRealtime")


@pytest.fixture
def store(tmp_path, kinds):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield s
    QThreadPool.globalInstance().waitForDone(5000)
    s.close()


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def params_in_store(store):
    with store.read() as s:
        return {p.name: p.value for p in s.scalars(select(Param))}


def carts_in_store(store):
    with store.read() as s:
        return [(c.name, c.kind, c.url, c.sync, c.max_items, c.location)
                for c in s.scalars(select(Cart).order_by(Cart.name))]


# --- Set System Parameters ------------------------------------------------------------

def open_params(qtbot, store):
    from seom_desktop.ui.dialogs.system_parameters import SystemParametersDialog

    d = SystemParametersDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    idle()  # the values / the carts were read on a pool thread
    return d


def test_params_grouped_with_descriptions(qtbot, store):
    d = open_params(qtbot, store)
    groups = [d.group_list.item(i).text() for i in range(d.group_list.count())]
    assert groups[:2] == ["Program", "Inventory"]
    assert d.text_of("SynchQOH") == "FALSE"
    assert d.text_of("StackMaxAttempts") == "10"
    # the description is shown beside each field
    assert "ALL carts" in " ".join(lab.text() for lab in d.fields["SynchQOH"].findChildren(
        type(d.status)))


def test_synchqoh_change_warns_and_saves(qtbot, store):
    d = open_params(qtbot, store)
    assert not d.synch_warning.isVisible()
    combo = d.fields["SynchQOH"].editor
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Up)  # FALSE -> TRUE, as a clerk would
    assert d.text_of("SynchQOH") == "TRUE"
    assert d.synch_warning.isVisible()
    assert "ALL shopping carts will be affected" in d.synch_warning.text()
    d.fields["StackRetrySeconds"].editor.clear()
    qtbot.keyClicks(d.fields["StackRetrySeconds"].editor, "5")
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_button)
    with store.read() as s:
        assert get_param(s, "SynchQOH") is True
        assert get_param(s, "StackRetrySeconds") == 5
    assert not d.synch_warning.isVisible()
    assert "SynchQOH" in d.status.text()


@pytest.mark.parametrize("name,text,words", [
    ("StackMaxAttempts", "ten", "whole number"),
    ("StackMaxAttempts", "0", "at least 1"),
    ("StackRetrySeconds", "999999", "at most 86400"),
    ("SharedStackController", "x" * 300, "short line"),
])
def test_params_bad_value_refused_next_to_field_nothing_saved(qtbot, store, name, text, words):
    d = open_params(qtbot, store)
    combo = d.fields["SynchQOH"].editor
    combo.setCurrentText("TRUE")  # a good change in the same Save is not written either
    d.show_group("Inventory")
    edit = d.fields[name].editor
    edit.clear()
    qtbot.keyClicks(edit, text)
    with qtbot.assertNotEmitted(d.changed):
        click(qtbot, d.save_button)
    f = d.fields[name]
    assert f.error.isVisible() and words in f.error.text()
    assert d.group_list.currentItem().text() == "Program"  # jumped to the field's group
    assert params_in_store(store) == {}


# --- Shopping Carts -------------------------------------------------------------------

def open_carts(qtbot, store):
    from seom_desktop.ui.dialogs.shopping_carts import ShoppingCartsDialog

    d = ShoppingCartsDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    idle()  # the values / the carts were read on a pool thread
    return d


def fill_new_cart(qtbot, d, *, name="Web One", kind="fakert", url="https://shop.example.com",
                  token="good-token", secret=SECRET):
    click(qtbot, d.add_button)
    qtbot.keyClicks(d.name.editor, name)
    d.kind_combo.setCurrentText(kind)
    qtbot.keyClicks(d.url.editor, url)
    qtbot.keyClicks(d.key.editor, "ck_public")
    qtbot.keyClicks(d.secret.editor, secret)
    qtbot.keyClicks(d.token.editor, token)
    qtbot.keyClicks(d.location.editor, "main")
    d.max_items.editor.clear()
    qtbot.keyClicks(d.max_items.editor, "40")


def test_add_cart_credentials_go_to_keyring_not_store(qtbot, store, sqlite_url):
    d = open_carts(qtbot, store)
    fill_new_cart(qtbot, d)
    assert d.secret.editor.echoMode() == d.secret.editor.EchoMode.Password
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_button)
    assert carts_in_store(store) == [("Web One", "fakert", "https://shop.example.com", False,
                                      40, "main")]
    assert credentials.load(credentials.reference_for("Web One")) == {
        "key": "ck_public", "secret": SECRET, "token": "good-token"}
    db = Path(store.engine.url.database)
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert b"ck_public" not in raw and SECRET.encode() not in raw
    # never shown back in clear: the fields are empty, the placeholder says where they are
    assert d.secret.editor.text() == "" and "keyring" in d.secret.editor.placeholderText()
    assert [r[0] for r in d.list_model.rows] == ["Web One"]


def test_edit_cart_keeps_credentials_left_empty_and_replaces_typed_ones(qtbot, store):
    with store.write() as s:
        define_cart(s, name="Web One", kind="fakert", url="https://a.example.com",
                    key="k1", secret="old-secret", token="t1")
    d = open_carts(qtbot, store)
    d.edit_cart("Web One")
    assert not d.kind_combo.isEnabled() and d.name.editor.isReadOnly()
    qtbot.keyClicks(d.secret.editor, "new-secret")
    d.url.editor.clear()
    qtbot.keyClicks(d.url.editor, "https://b.example.com/")
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_button)
    assert credentials.load(credentials.reference_for("Web One")) == {
        "key": "k1", "secret": "new-secret", "token": "t1"}
    assert carts_in_store(store)[0][2] == "https://b.example.com"


@pytest.mark.parametrize("field,value,words", [
    ("url", "not a url", "not an http(s) URL"),
    ("url", "http://shop.example.com", "must use https"),
    ("max_items", "0", "between 1 and"),
    ("max_items", "many", "whole number"),
    ("name", "", "cart name is empty"),
])
def test_add_cart_bad_input_refused_next_to_field(qtbot, store, field, value, words):
    d = open_carts(qtbot, store)
    fill_new_cart(qtbot, d)
    edit = getattr(d, field).editor
    edit.clear()
    if value:
        qtbot.keyClicks(edit, value)
    with qtbot.assertNotEmitted(d.changed):
        click(qtbot, d.save_button)
    f = getattr(d, field)
    assert f.error.isVisible() and words in f.error.text()
    assert carts_in_store(store) == []
    assert credentials.load(credentials.reference_for("Web One")) == {}


def test_duplicate_cart_name_refused_next_to_name(qtbot, store):
    with store.write() as s:
        define_cart(s, name="Web One", kind="fakert", url="https://a.example.com")
    d = open_carts(qtbot, store)
    fill_new_cart(qtbot, d)
    with qtbot.waitSignal(d.save_finished, timeout=5000) as done:  # refused by the store
        click(qtbot, d.save_button)
    assert done.args == [False]
    assert "already exists" in d.name.error.text() and d.name.error.isVisible()
    assert len(carts_in_store(store)) == 1


def test_synchronize_inventory_only_for_realtime_kinds(qtbot, store):
    d = open_carts(qtbot, store)
    click(qtbot, d.add_button)
    d.kind_combo.setCurrentText("fakepush")
    assert not d.sync_box.isVisible()
    assert "cannot Synchronize Inventory" in d.sync_note.text()
    d.kind_combo.setCurrentText("fakert")
    assert d.sync_box.isVisible()


@pytest.mark.parametrize("token,ok,words", [
    ("good-token", True, "Connected: Fake shop at https://shop.example.com"),
    ("bad-token", False, "Failed: the cart refused the token"),
])
def test_test_connection_runs_off_the_ui_thread_and_shows_result(qtbot, store, token, ok, words):
    d = open_carts(qtbot, store)
    fill_new_cart(qtbot, d, token=token)
    with qtbot.waitSignal(d.connection_tested, timeout=5000) as sig:
        click(qtbot, d.test_button)
    assert sig.args[0] is ok
    assert words in d.test_result.text()
    assert "bad-token" not in d.test_result.text()
    assert carts_in_store(store) == []  # testing writes nothing


@pytest.fixture
def fake_drift(monkeypatch):
    calls = []

    def drift_report(store, cart_name):
        calls.append(cart_name)
        return [("P1", 10, 7), ("P2", 0, 0), ("P3", 4, None)]

    mod = types.ModuleType("seom_desktop.sync.drift")
    mod.drift_report = drift_report
    monkeypatch.setitem(sys.modules, "seom_desktop.sync.drift", mod)
    return calls


def _with_warning(qtbot, d, act):
    """Run `act(warning_dialog)` once the modal Synchronize Inventory warning is up."""
    from seom_desktop.ui.dialogs.shopping_carts import SyncWarningDialog

    seen = {}

    def handle():
        w = d.findChild(SyncWarningDialog)
        if w is None or not w.isVisible():
            QTimer.singleShot(10, handle)
            return
        seen["w"] = w
        act(w)

    QTimer.singleShot(0, handle)
    return seen


def test_turning_sync_on_warns_shows_drift_and_offers_send(qtbot, store, fake_drift, monkeypatch):
    import seom_desktop.sync.send_qoh as send_mod
    from seom_desktop.sync.send_qoh import SendReport

    sent = []
    monkeypatch.setattr(send_mod, "send_qoh",
                        lambda store, name: sent.append(name) or SendReport(name, total=3,
                                                                            sent=3, requests=1))
    with store.write() as s:
        add_product(s, sku="P1", name="W", qoh=10, actor=Actor("a", WS))
        define_cart(s, name="Miva Shop", kind="fakert", url="https://m.example.com")
    d = open_carts(qtbot, store)
    d.edit_cart("Miva Shop")

    def act(w):
        qtbot.waitUntil(lambda: w.drift_model.rows != [], timeout=5000)
        seen["drift"] = list(w.drift_model.rows)
        seen["text"] = w.warning.text()
        seen["basket"] = w.basket.isVisible()
        with qtbot.waitSignal(w.qoh_sent, timeout=5000):
            click(qtbot, w.send_button)
        seen["sent"] = w.send_result.text()
        click(qtbot, w.turn_on_button)

    seen = _with_warning(qtbot, d, act)
    with qtbot.waitSignal(d.changed, timeout=5000):  # turned on by a pool thread
        click(qtbot, d.sync_box)  # opens the modal warning
    assert d.sync_box.isChecked()
    assert seen["drift"] == [("P1", "W", "10", "7"), ("P3", "", "4", "—")]  # what differs
    assert "begins transmitting inventory changes immediately" in seen["text"]
    assert "same beginning QOH" in seen["text"]
    assert seen["basket"] is True  # a cart that holds stock in baskets
    assert sent == ["Miva Shop"] and "Sent 3 of 3" in seen["sent"]
    assert fake_drift and fake_drift[0] == "Miva Shop"
    assert carts_in_store(store)[0][3] is True  # the button turned it on, as it says
    assert "on for Miva Shop" in d.status.text() and not d.has_unsaved()


def test_cancelling_the_sync_warning_leaves_sync_off(qtbot, store, fake_drift):
    with store.write() as s:
        define_cart(s, name="Web One", kind="fakert", url="https://a.example.com")
    d = open_carts(qtbot, store)
    d.edit_cart("Web One")
    seen = _with_warning(qtbot, d, lambda w: w.reject())
    click(qtbot, d.sync_box)
    assert "w" in seen
    assert not d.sync_box.isChecked()
    with qtbot.waitSignal(d.save_finished, timeout=5000):
        click(qtbot, d.save_button)
    assert carts_in_store(store)[0][3] is False
