"""The log file: where it is, how it rotates, its level, and that no secret reaches it."""

from __future__ import annotations

import logging
import logging.handlers

import pytest

from seom_desktop import credentials, logs
from seom_desktop.cli import main

SECRET = "cs_9f8e7d6c5b4a3f2e1d0c"


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    folder = tmp_path / "logs"
    monkeypatch.setenv("SEOM_LOG_DIR", str(folder))
    yield folder
    logs.shutdown()
    logs.forget_secrets()


def text_of(folder) -> str:
    logs.handler().flush()
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.log*")))


def test_the_file_is_in_seom_log_dir_and_rotates(log_dir):
    path = logs.setup()
    assert path == log_dir / "seom-desktop.log"
    assert path.exists()
    h = logs.handler()
    assert isinstance(h, logging.handlers.RotatingFileHandler)
    assert (h.maxBytes, h.backupCount) == (logs.MAX_BYTES, logs.BACKUP_COUNT)
    assert h.maxBytes >= 1_000_000 and h.backupCount >= 3
    logging.getLogger("seom_desktop.stack.controller").info("sent %d rows", 3)
    assert "sent 3 rows" in text_of(log_dir)
    assert "seom_desktop.stack.controller" in text_of(log_dir)


def test_rotation_keeps_backup_count_files(log_dir, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 300)
    logs.setup()
    log = logging.getLogger("seom_desktop.test")
    for i in range(200):
        log.warning("line %d %s", i, "x" * 40)
    names = sorted(p.name for p in log_dir.iterdir())
    assert "seom-desktop.log.1" in names
    assert len(names) == logs.BACKUP_COUNT + 1
    assert "line 199" in (log_dir / "seom-desktop.log").read_text(encoding="utf-8")


def test_the_controller_writes_its_own_file(log_dir):
    assert logs.setup(program="controller") == log_dir / "controller.log"
    logging.getLogger("seom_desktop.stack.controller").info("controller up")
    assert "controller up" in (log_dir / "controller.log").read_text(encoding="utf-8")


def test_a_registered_secret_never_reaches_the_file(log_dir):
    logs.setup()
    logs.register_secrets([SECRET, "", None])
    log = logging.getLogger("seom_desktop.carts")
    log.info("cart said: bad key %s", SECRET)
    log.warning(f"secret inline {SECRET}")
    try:
        raise RuntimeError(f"login refused for {SECRET}")
    except RuntimeError:
        log.exception("test connection failed")
    text = text_of(log_dir)
    assert SECRET not in text
    assert text.count("***") >= 3
    assert "RuntimeError: login refused for ***" in text


def test_a_secret_loaded_from_the_keyring_is_registered(log_dir):
    credentials.save("cart:web", {"key": "ck_abcdef123456", "secret": SECRET})
    logs.forget_secrets()
    logs.setup()
    credentials.load("cart:web")  # the connector is about to use them
    logging.getLogger("seom_desktop.connect").error("echo: %s / %s", "ck_abcdef123456", SECRET)
    text = text_of(log_dir)
    assert SECRET not in text and "ck_abcdef123456" not in text


def test_credential_fragments_are_redacted_without_registration(log_dir):
    logs.setup()
    log = logging.getLogger("seom_desktop.carts.http")
    log.warning("GET https://shop.example/wc?consumer_key=ck_zzzzzz&consumer_secret=cs_yyyyyy")
    log.warning('headers {"Authorization": "Bearer eyJhbGciOi", "X-Shopify-Access-Token": '
                '"shpat_1234"}')
    text = text_of(log_dir)
    for leaked in ("ck_zzzzzz", "cs_yyyyyy", "eyJhbGciOi", "shpat_1234"):
        assert leaked not in text


def test_level_comes_from_the_log_level_parameter(log_dir, tmp_path):
    from seom_desktop.store.engine import open_store
    from seom_desktop.store.params import set_param

    logs.setup()
    app = logging.getLogger("seom_desktop")
    assert app.level == logging.INFO  # the default
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        with store.write() as s:
            set_param(s, "LogLevel", "debug")
        logs.apply_store_level(store)
        assert app.level == logging.DEBUG
        logging.getLogger("seom_desktop.x").debug("fine detail")
        with store.write() as s:
            set_param(s, "LogLevel", "error")
        logs.apply_store_level(store)
        logging.getLogger("seom_desktop.x").warning("not wanted")
    finally:
        store.close()
    text = text_of(log_dir)
    assert "fine detail" in text and "not wanted" not in text


def test_the_command_line_logs_to_the_file(log_dir, tmp_path, monkeypatch):
    from seom_desktop.commands import params

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    assert main(["--store", url, "init"]) == 0
    assert (log_dir / "seom-desktop.log").exists()

    def boom(ctx):
        raise RuntimeError(f"boom {SECRET}")

    # An unexpected failure is written with its traceback, its secret redacted.
    logs.register_secrets([SECRET])
    monkeypatch.setattr(params, "cmd_get", boom)
    assert main(["--store", url, "param", "get", "LogLevel"]) == 1
    text = text_of(log_dir)
    assert "command param failed" in text
    assert "Traceback" in text and "RuntimeError: boom ***" in text
    assert SECRET not in text


def test_help_open_log_folder_opens_seom_log_dir(log_dir, qtbot, monkeypatch):
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMainWindow

    from seom_desktop.ui import actions

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)

    class Window(QMainWindow):
        pass

    for spec in actions.SPECS:
        if spec.handler not in actions.MODULE_HANDLERS:
            setattr(Window, spec.handler, lambda self, *a: None)
    w = Window()
    qtbot.addWidget(w)
    a = actions.Actions(w)
    actions.build_menus(w, a)
    help_menu = next(m.menu() for m in w.menuBar().actions() if m.text() == "&Help")
    assert a.open_log_folder in help_menu.actions()
    a.open_log_folder.trigger()
    assert [u.toLocalFile() for u in opened] == [str(log_dir)]
    assert log_dir.is_dir()


# --- what a clerk's day leaves in the log at the default level --------------------------

WOO_KEY, WOO_SECRET = "ck_5a4b3c2d1e0f9a8b7c6d", "cs_0f1e2d3c4b5a69788796"


@pytest.fixture
def day(log_dir, tmp_path):
    """A store at its default LogLevel with two synced carts: an emulated WooCommerce
    that answers, and one at a loopback port where nothing listens."""
    import socket

    from seom_desktop.emulators.woocommerce import WooCommerceEmulator
    from seom_desktop.inventory.actor import Actor
    from seom_desktop.inventory.products import add_product
    from seom_desktop.store.engine import open_store
    from seom_desktop.store.params import set_param
    from seom_desktop.sync.cart_setup import define_cart

    emu = WooCommerceEmulator(key=WOO_KEY, secret=WOO_SECRET).start()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    down = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    store = open_store(f"sqlite:///{tmp_path / 'day.sqlite'}")
    logs.setup()
    logs.apply_store_level(store)  # LogLevel left at its default
    clerk = Actor("maria", "WS1")
    with store.write() as w:
        for sku, qoh in (("MUG-1", 50), ("CAP-2", 7)):
            add_product(w, sku=sku, name=sku, actor=clerk, qoh=qoh)
            emu.add_item(sku, qoh, name=sku)
        define_cart(w, name="Woo", kind="woocommerce", url=emu.url, key=WOO_KEY,
                    secret=WOO_SECRET, sync=True)
        define_cart(w, name="Down Shop", kind="woocommerce", url=down, key="ck_down_1234",
                    secret="cs_down_5678", sync=True)
        set_param(w, "SynchQOH", True)
    yield store, clerk, emu, down
    store.close()
    emu.stop()


def test_a_clerks_day_is_in_the_log_at_the_default_level(day, log_dir):
    import threading

    from seom_desktop.inventory.errors import QuantityError
    from seom_desktop.inventory.operations import adjust, pos_sale
    from seom_desktop.inventory.products import add_product
    from seom_desktop.stack.controller import StackController
    from seom_desktop.store.params import set_param
    from seom_desktop.sync.get_qoh import get_qoh
    from seom_desktop.sync.send_qoh import send_qoh

    store, clerk, emu, down = day
    assert logging.getLogger("seom_desktop").getEffectiveLevel() == logging.INFO
    with store.write() as s:
        adjust(s, sku="MUG-1", actor=clerk, set_to=45, reason="count")
    with store.write() as s:
        pos_sale(s, sku="CAP-2", quantity=2, actor=clerk, reference="R-17")
    with store.write() as s:
        adjust(s, sku="CAP-2", actor=clerk, delta=1, send=False)
    with pytest.raises(QuantityError), store.write() as s:
        adjust(s, sku="MUG-1", actor=clerk, delta=-3)  # logged only if it commits...
        adjust(s, sku="CAP-2", actor=clerk, delta=-100)  # ...and this refusal rolls it back

    with store.write() as s:  # a product the cart does not have
        add_product(s, sku="SOCK-4", name="sock", actor=clerk, qoh=0)
        adjust(s, sku="SOCK-4", actor=clerk, delta=3)

    controller = StackController(store, workstation="WS1")
    stop = threading.Event()
    stop.set()  # one start and stop of the loop
    controller.run(stop)
    controller.run_once()  # sends: Woo answers, Down Shop does not
    assert emu.quantity("MUG-1") == 45 and emu.quantity("CAP-2") == 6  # sent absolute

    with store.write() as s:
        add_product(s, sku="HAT-3", name="hat", actor=clerk, qoh=4)
    emu.add_item("HAT-3", 9, name="hat")  # the cart sold or counted: it shows 9
    report = get_qoh(store, "Woo", actor=clerk)
    assert [c["sku"] for c in report.changed] == ["HAT-3"]
    assert send_qoh(store, "Woo").sent == 3  # Send QOH To Website, by hand

    with store.write() as s:
        set_param(s, "SharedStackController", "WS1")
    shared = StackController(store, workstation="WS1", shared=True)
    shared.run_once()
    shared.close()

    text = text_of(log_dir)
    lines = text.splitlines()

    def line_with(*words: str) -> str:
        found = [ln for ln in lines if all(w in ln for w in words)]
        assert found, f"no line with {words} in:\n{text}"
        return found[0]

    # Every QOH change: who, SKU, old -> new, source; a rolled-back one is not there.
    line_with("QOH MUG-1: 50 -> 45 (-5) by maria on WS1, adjust", "queued for 2 carts")
    line_with("QOH CAP-2: 7 -> 5 (-2) by maria on WS1, pos sale R-17", "queued for 2 carts")
    line_with("QOH CAP-2: 5 -> 6 (+1) by maria on WS1, adjust", "not sent to the carts")
    assert "45 -> 42" not in text and "-> -94" not in text
    line_with("Get QOH From Website from Woo by maria on WS1: 3 read, 1 QOH changed "
              "(HAT-3 4 -> 9)")
    # Every batch sent: cart, items, result.
    line_with("Woo: Send QOH To Website sent 4 item(s): 3 accepted, 1 refused; SOCK-4: ")
    line_with("Woo: sent 2 item(s): 2 accepted, 0 not")
    # Every failure with its details: the clerk's words and what the exception said.
    line_with("Woo: 1 item(s) not written (SOCK-4: the cart has no item with SKU 'SOCK-4')")
    line_with("Down Shop: sending", "failed: Can't reach Down Shop at " + down)
    detail = line_with("Down Shop: GET", "failed:")
    assert "ConnectionError" in detail and "Connection refused" in detail
    # The controller's start and stop, and the lease changes.
    line_with("stack controller started on WS1 (local")
    line_with("stack controller stopped on WS1")
    line_with("WS1 took the shared stack controller lease")
    line_with("WS1 released the shared stack controller lease")
    # Secrets redacted as before.
    for secret in (WOO_KEY, WOO_SECRET, "ck_down_1234", "cs_down_5678"):
        assert secret not in text
