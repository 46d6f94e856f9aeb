"""`gui --screenshot`, `demo --screenshot` (headless, in a subprocess), and the demo's
story without Qt: a change made in the store reaches both emulated carts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from seom_desktop import demo as demo_mod
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.operations import adjust
from seom_desktop.stack.controller import StackController
from seom_desktop.store.models import Cart, Product, StackRow
from seom_desktop.store.params import get_param, set_param


def _env(tmp_path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), SEOM_WORKSTATION="test-ws",
               SEOM_KEYRING_FILE=str(tmp_path / "keyring.json"),
               PYTHON_KEYRING_BACKEND="seom_desktop.testing.keyring_backend.TestKeyring")
    return env


def _run(tmp_path, *args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "seom_desktop", *args], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=timeout)


def _check_png(path, min_width=600) -> None:
    from PySide6.QtGui import QImage

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(path))
    assert not image.isNull() and image.width() >= min_width and image.height() >= 400


def _store_with_a_product(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    r = _run(tmp_path, "--store", url, "product", "add", "WIDGET-1", "--name", "Blue widget",
             "--qoh", "5")
    assert r.returncode == 0, r.stderr
    return url


@pytest.mark.parametrize("dialog", [None, "stack-controller", "advanced-cart-functions"])
def test_gui_screenshot(tmp_path, qapp, dialog):
    url = _store_with_a_product(tmp_path)
    png = tmp_path / "shot.png"
    args = ["--store", url, "gui", "--screenshot", str(png)]
    if dialog:
        args += ["--open", dialog]
    r = _run(tmp_path, *args)
    assert r.returncode == 0, r.stderr
    _check_png(png)


def test_gui_screenshot_of_a_screen_not_there_still_exits(tmp_path, qapp, monkeypatch):
    """--open of a screen this version lacks shows a (non-blocking) notice."""
    url = _store_with_a_product(tmp_path)
    png = tmp_path / "shot.png"
    r = _run(tmp_path, "--store", url, "gui", "--screenshot", str(png), "--open",
             "system-parameters")
    assert r.returncode == 0, r.stderr
    _check_png(png)


def test_gui_bad_dialog_name_is_bad_input(tmp_path):
    r = _run(tmp_path, "gui", "--open", "no-such-dialog", "--screenshot", str(tmp_path / "x.png"))
    assert r.returncode == 2 and r.stderr.startswith("error:")


def test_demo_screenshot(tmp_path, qapp):
    png = tmp_path / "demo.png"
    r = _run(tmp_path, "demo", "--folder", str(tmp_path / "demo"), "--products", "40",
             "--screenshot", str(png), timeout=180)
    assert r.returncode == 0, r.stderr
    _check_png(png)
    assert "Send QOH To Website, Demo WooCommerce: 40 of 40 items sent" in r.stdout
    assert "Send QOH To Website, Demo Shopify: 40 of 40 items sent" in r.stdout
    assert (tmp_path / "demo" / "demo-store.sqlite").exists()


def test_demo_bad_products_is_bad_input(tmp_path):
    r = _run(tmp_path, "demo", "--folder", str(tmp_path / "d"), "--products", "0")
    assert r.returncode == 2 and "--products" in r.stderr


def _drain(store) -> None:
    ctl = StackController(store, workstation="test-ws")
    try:
        for _ in range(20):
            ctl.run_once()
            with store.read() as s:
                if not s.scalar(select(StackRow.id).where(StackRow.state != "sent").limit(1)):
                    return
        raise AssertionError("the web stack did not drain")
    finally:
        ctl.close()


def test_demo_changes_reach_both_carts(tmp_path):
    said = []
    demo = demo_mod.setup_demo(workstation="test-ws", folder=tmp_path / "demo", products=25,
                               say=said.append)
    try:
        store = demo.store
        with store.read() as s:
            assert get_param(s, "SynchQOH") is True
            assert get_param(s, "StackRetrySeconds") == demo_mod.RETRY_SECONDS
            assert s.scalar(select(Product.id).where(Product.sku == "DEMO-0025"))
            assert all(s.scalars(select(Cart.sync)))
        with store.write() as s:
            set_param(s, "StackRetrySeconds", 0)  # the demo's first failure: retry at once
        _drain(store)
        with store.write() as s:
            adjust(s, sku="DEMO-0010", delta=-4, reason="a new user", actor=Actor("u", "test-ws"))
        _drain(store)
        with store.read() as s:
            qoh = dict(s.execute(select(Product.sku, Product.qoh)).all())
        for cart in (demo_mod.WOO, demo_mod.SHOPIFY):
            for sku in ("DEMO-0001", "DEMO-0003", "DEMO-0010", "DEMO-0020"):
                assert demo.probe(cart, sku) == qoh[sku], (cart, sku)
        assert "emulated on this computer" in demo.banner()
    finally:
        demo.stop()


def test_demo_without_an_os_keyring_uses_a_file_and_says_so(tmp_path, monkeypatch):
    import keyring

    before = keyring.get_keyring()
    monkeypatch.setattr(demo_mod, "keyring_usable", lambda: False)
    said = []
    try:
        demo = demo_mod.setup_demo(workstation="test-ws", folder=tmp_path / "demo",
                                   products=5, say=said.append)
        demo.stop()
    finally:
        keyring.set_keyring(before)
    path = tmp_path / "demo" / "demo-keyring.json"
    assert path.exists()
    assert any("No OS keyring backend" in line and str(path) in line for line in said)
    assert "cs_emulator" in path.read_text()  # the secret went to the file keyring ...
    store_bytes = (tmp_path / "demo" / "demo-store.sqlite").read_bytes()
    assert b"cs_emulator" not in store_bytes  # ... never to the store


def test_demo_window_shows_a_change_reach_both_carts(qtbot, tmp_path, settings):
    from seom_desktop.ui.main_window import MainWindow

    demo = demo_mod.setup_demo(workstation="test-ws", folder=tmp_path / "demo", products=15,
                               say=lambda _t: None)
    try:
        with demo.store.write() as s:
            set_param(s, "StackRetrySeconds", 0)
        w = MainWindow(demo.store, workstation="test-ws", cart_probe=demo.probe,
                       banner=demo.banner(), settings=settings)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitUntil(lambda: w.selected_sku() == "DEMO-0001")
        assert w.carts_model.headers[-1] == "Live"
        with demo.store.write() as s:
            r = adjust(s, sku="DEMO-0001", delta=5, actor=Actor("new user", "test-ws"))
        w.on_store_changed()

        def both_carts_show_it():
            rows = w.carts_model.rows
            return len(rows) == 2 and all(x.live == r.qoh_after == x.should_show
                                          for x in rows)
        qtbot.waitUntil(both_carts_show_it, timeout=20_000)
        w.close()
    finally:
        demo.stop()
