"""What a command and the window import before they answer: each command runs in a new
process (the real command line, a real SQLite store) that prints `sorted(sys.modules)`
at exit; the window's process prints it when the inventory list's first page is painted.
Neither imports what it does not use (Qt, the HTTP client, Alembic, the keyring, the
charts), and opening a store at the newest schema does not import Alembic: the stored
revision is compared with store/migrate.py's HEAD_REVISION, checked here against the
migrations directory. Every connector, made in a new process, brings urllib3 and not
requests (a test dependency only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from seom_desktop.cli import main
from seom_desktop.store import migrate

# Run in a new process: its modules at exit, as JSON, to the file named by argv[1].
COMMAND = """\
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
from seom_desktop.cli import main
sys.exit(main(sys.argv[2:]))
"""

# The window: its modules when the first page of the list is painted (a paint event of
# the inventory table's viewport with rows in its model), then it closes.
WINDOW = """\
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QTableView
app = QApplication(sys.argv[:1])
out = sys.argv[1]
seen = []

class FirstPage(QObject):
    def eventFilter(self, obj, event):
        table = obj.parent()
        if (not seen and event.type() == QEvent.Type.Paint and isinstance(table, QTableView)
                and table.objectName() == "inventoryTable" and obj is table.viewport()
                and table.model().rowCount() > 0):
            seen.append(sorted(sys.modules))
            open(out, "w").write(json.dumps(seen[0]))
            QTimer.singleShot(0, lambda: [w.close() for w in app.topLevelWidgets()])
        return False

f = FirstPage()
app.installEventFilter(f)
from seom_desktop.cli import main
sys.exit(main(sys.argv[2:]))
"""

NEVER = ("PySide6", "requests", "urllib3", "alembic", "graphql", "pyqtgraph", "numpy",
         "keyring")
AT_WINDOW_START = ("requests", "urllib3", "alembic", "graphql", "pyqtgraph", "numpy", "keyring",
                   "seom_desktop.ui.dialogs", "seom_desktop.carts.http",
                   "seom_desktop.credentials")


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted({n for n in names for m in modules if m == n or m.startswith(n + ".")})


def _run(script: str, args: list[str], tmp_path, timeout: float = 120) -> list[str]:
    out = tmp_path / "modules.json"
    out.unlink(missing_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"))  # the window's QSettings
    res = subprocess.run([sys.executable, "-c", script, str(out), *args], env=env,
                         capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, res.stderr
    assert out.exists(), res.stderr
    return json.loads(out.read_text())


@pytest.fixture
def shop(tmp_path, capsys) -> str:
    """A store with a product on a synchronized cart (so that adjust queues a row)."""
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    for args in (["init"], ["product", "add", "MUG-1", "--name", "Mug", "--qoh", "5"],
                 ["param", "set", "SynchQOH", "true"],
                 ["cart", "add", "Web", "--kind", "woocommerce", "--url",
                  "http://127.0.0.1:9", "--key", "ck_x", "--secret", "cs_x", "--sync"],
                 ["webfields", "set", "MUG-1", "--cart", "Web", "--sync"]):
        assert main(["--store", url, *args]) == 0, args
    capsys.readouterr()
    return url


def test_head_revision_is_the_migrations_head():
    assert migrate.HEAD_REVISION == migrate.head_revision()


@pytest.mark.parametrize("command", [
    ["product", "show", "MUG-1", "--json"],
    ["product", "list", "--json"],
    ["adjust", "MUG-1", "--delta", "2", "--json"],
    ["stack", "status", "--json"],
])
def test_a_command_imports_only_what_it_uses(shop, tmp_path, command):
    modules = _run(COMMAND, ["--store", shop, *command], tmp_path)
    assert "seom_desktop.store.engine" in modules  # it did open the store
    # adjust logs its change through logs.SecretFilter: its Redactor (carts/redact.py)
    # must not bring the HTTP client with it
    assert _loaded(modules, NEVER) == []


def test_adjust_queues_its_row_without_alembic(shop, tmp_path):
    out = tmp_path / "modules.json"
    env = dict(os.environ)
    res = subprocess.run([sys.executable, "-c", COMMAND, str(out), "--store", shop, "adjust",
                          "MUG-1", "--delta", "3", "--json"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == {"sku": "MUG-1", "delta": 3, "qoh": 8, "stack_rows": 1}
    assert "alembic" not in json.loads(out.read_text())


def test_an_old_store_is_still_upgraded_through_alembic(tmp_path):
    """The one-query check sends a store behind HEAD_REVISION on to Alembic."""
    from alembic import command as alembic_command

    from seom_desktop.store.engine import make_engine, open_store

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    cfg = migrate.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        alembic_command.upgrade(cfg, "0005")
    assert migrate.stored_revision(engine) == "0005" and not migrate.at_head(engine)
    engine.dispose()
    store = open_store(url)
    try:
        assert migrate.stored_revision(store.engine) == migrate.HEAD_REVISION
        assert migrate.at_head(store.engine)
    finally:
        store.close()


def test_a_new_store_has_no_revision_until_it_is_made(tmp_path):
    from seom_desktop.store.engine import make_engine, open_store

    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    engine = make_engine(url)
    assert migrate.stored_revision(engine) is None  # no alembic_version table
    engine.dispose()
    open_store(url).close()
    engine = make_engine(url)
    assert migrate.at_head(engine)
    engine.dispose()


def test_the_window_paints_its_first_page_before_dialogs_carts_and_keyring(shop, tmp_path):
    modules = _run(WINDOW, ["--store", shop, "gui"], tmp_path)
    assert "seom_desktop.ui.main_window" in modules
    assert _loaded(modules, AT_WINDOW_START) == []


# Every connector made and closed in a new process: its modules at exit, as JSON.
CONNECTORS = """\
import json, sys
from seom_desktop.carts.base import CartConfig
from seom_desktop.carts.registry import KINDS, make_connector
for kind in KINDS:
    make_connector(CartConfig(name="c", kind=kind, url="https://shop.example.com", key="k",
                              secret="c2VjcmV0", token="t")).close()
open(sys.argv[1], "w").write(json.dumps(sorted(sys.modules)))
"""


def test_the_connectors_send_through_urllib3_without_requests(tmp_path):
    modules = _run(CONNECTORS, [], tmp_path)
    assert "seom_desktop.carts.http" in modules and "urllib3" in modules
    assert _loaded(modules, ("requests",)) == []
