"""The PyInstaller bundle works: built with installer/build.py for this platform, its
program answers --version, creates a store (Alembic migrations inside the bundle),
shows the window offscreen, runs the demo (emulators, GraphQL schema, connectors),
writes its log file, and the headless controller stops on SIGTERM.

Slow (the build takes a minute or more): scripts/test runs it on its own,
`pytest -m slow -k bundle`. SEOM_BUNDLE=<folder> tests a bundle already built.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seom_desktop import __version__
from seom_desktop.store.migrate import head_revision

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
EXE = "seom-desktop.exe" if sys.platform == "win32" else "seom-desktop"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    given = os.environ.get("SEOM_BUNDLE", "").strip()
    if given:
        return Path(given)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("PyInstaller is required in CI (pip install -e .[bundle])")
        pytest.skip("PyInstaller is not installed (pip install -e .[bundle])")
    out = tmp_path_factory.mktemp("bundle-build")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "build.py"), "--dist", str(out / "dist"),
         "--work", str(out / "work"), "--no-installer"],
        cwd=ROOT, capture_output=True, text=True, timeout=840)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    print(f"\nbundle built in {time.monotonic() - started:.0f} s: {proc.stdout.splitlines()[-1]}")
    return out / "dist" / "seom-desktop"


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A clean environment: its own home, log folder, keyring file; offscreen Qt; no
    venv on the path (the bundle must carry everything)."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("PYTHON", "VIRTUAL_ENV", "SEOM_"))}
    e.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
             XDG_DATA_HOME=str(tmp_path / "home" / ".local" / "share"),
             QT_QPA_PLATFORM="offscreen", SEOM_LOG_DIR=str(tmp_path / "logs"),
             SEOM_WORKSTATION="WS1",
             SEOM_STORE=f"sqlite:///{tmp_path / 'default-store.sqlite'}")
    (tmp_path / "home").mkdir()
    return e


def run(bundle: Path, env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(bundle / EXE), *args], env=env, cwd=env["HOME"],
                          capture_output=True, text=True, timeout=timeout)


def test_the_bundle_holds_what_is_loaded_from_files(bundle):
    inside = bundle / "_internal"
    assert (bundle / EXE).is_file()
    migrations = inside / "seom_desktop" / "store" / "migrations"
    assert (migrations / "env.py").is_file() and (migrations / "script.py.mako").is_file()
    assert list((migrations / "versions").glob("0001_*.py"))
    assert (inside / "resources" / "seom-desktop.png").is_file()
    # Pruned Qt: no translations, no QML/Quick/PDF, image formats only ico.
    qt = inside / "PySide6" / "Qt"
    assert not (qt / "translations").exists()
    assert not list(inside.rglob("*Qt6Quick*")) and not list(inside.rglob("*Qt6Pdf*"))
    formats = {p.name for p in (qt / "plugins" / "imageformats").iterdir()}
    assert formats and all("qico" in n for n in formats)
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"\nbundle size: {size / 1e6:.1f} MB")


def test_version(bundle, env):
    r = run(bundle, env, "--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"seom-desktop {__version__}"


def test_init_creates_a_new_sqlite_store_and_it_works(bundle, env, tmp_path):
    db = tmp_path / "new" / "store.sqlite"
    url = f"sqlite:///{db}"
    r = run(bundle, env, "--store", url, "init")
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),)
    assert run(bundle, env, "--store", url, "product", "add", "W-1", "--name", "Widget",
               "--qoh", "4").returncode == 0
    r = run(bundle, env, "--store", url, "product", "list", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{"sku": "W-1", "name": "Widget", "qoh": 4, "kit": False}]
    r = run(bundle, env, "--store", url, "param", "set", "StackMaxAttempts", "abc")
    assert r.returncode == 2 and r.stderr.startswith("error:")
    # The log file is written by the frozen program too.
    assert (Path(env["SEOM_LOG_DIR"]) / "seom-desktop.log").is_file()


def test_gui_screenshot_offscreen(bundle, env, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    assert run(bundle, env, "--store", url, "product", "add", "W-1", "--name", "Widget",
               "--qoh", "4").returncode == 0
    for dialog in (None, "stack-controller", "sync-health"):  # sync-health: pyqtgraph, numpy
        png = tmp_path / f"shot-{dialog}.png"
        extra = ["--open", dialog] if dialog else []
        r = run(bundle, env, "--store", url, "gui", *extra, "--screenshot", str(png))
        assert r.returncode == 0, r.stdout + r.stderr
        data = png.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 10_000
        assert "Traceback" not in r.stderr


def test_demo_with_emulated_carts(bundle, env, tmp_path):
    """WooCommerce and Shopify emulators (GraphQL schema), their connectors, Send QOH, the
    file keyring fallback and the window, all from the bundle."""
    png = tmp_path / "demo.png"
    r = run(bundle, env, "demo", "--folder", str(tmp_path / "demo"), "--screenshot", str(png),
            timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    sent = [ln for ln in r.stdout.splitlines() if ln.startswith("Send QOH To Website")]
    assert len(sent) == 2 and all(ln.endswith("items sent") for ln in sent), r.stdout
    for ln in sent:
        done, _of, total = ln.split(": ")[1].split()[:3]
        assert done == total and int(total) > 0
    assert png.read_bytes().startswith(PNG_MAGIC)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_headless_controller_logs_and_stops_on_sigterm(bundle, env, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    assert run(bundle, env, "--store", url, "init").returncode == 0
    proc = subprocess.Popen([str(bundle / EXE), "--store", url, "controller", "--poll", "0.2"],
                            env=env, cwd=env["HOME"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert "stack controller running on WS1" in first, first + proc.stderr.read()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stack controller stopped" in out
    assert (Path(env["SEOM_LOG_DIR"]) / "controller.log").is_file()
