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
