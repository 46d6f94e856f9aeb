"""Every command and the window work against a PostgreSQL store."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from seom_desktop.cli import main
from seom_desktop.emulators.woocommerce import WooCommerceEmulator

pytestmark = pytest.mark.pg


def test_commands_and_window_on_postgresql(pg_url, capsys, tmp_path):
    woo = WooCommerceEmulator().start()
    try:
        woo.add_item("PG-1", 3)

        def run(*args):
            code = main(["--store", pg_url, *args])
            return code, capsys.readouterr().out

        assert run("init")[0] == 0
        assert run("product", "add", "PG-1", "--name", "On Postgres", "--qoh", "5")[0] == 0
        assert run("param", "set", "SynchQOH", "true")[0] == 0
        assert run("cart", "add", "woo", "--kind", "woocommerce", "--url", woo.url,
                   "--key", woo.key, "--secret", woo.secret, "--sync")[0] == 0
        assert run("webfields", "set", "PG-1", "--cart", "woo", "--reserve", "1")[0] == 0
        assert run("send-qoh", "woo")[0] == 0
        assert woo.quantity("PG-1") == 4
        assert run("adjust", "PG-1", "--delta", "6")[0] == 0
        assert run("receive", "PG-1", "2")[0] == 0
        assert run("pos-sale", "PG-1", "1")[0] == 0
        assert run("stack", "run", "--once")[0] == 0
        assert woo.quantity("PG-1") == 11
        code, out = run("stack", "list", "--json")
        assert code == 0 and {r["state"] for r in json.loads(out)} == {"sent"}
        code, out = run("product", "show", "PG-1", "--json")
        assert json.loads(out)["qoh"] == 12
        png = tmp_path / "pg.png"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        res = subprocess.run([sys.executable, "-m", "seom_desktop", "--store", pg_url, "gui",
                              "--screenshot", str(png), "--open", "stack-controller"],
                             env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        assert png.stat().st_size > 10_000
    finally:
        woo.stop()
