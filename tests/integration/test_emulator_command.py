"""`seom-desktop emulator KIND --port P --fault SPEC` serves an emulated cart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
import requests

from seom_desktop.cli import main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kind,path", [
    ("woocommerce", "/wp-json/wc/v3/products"),
    ("shopify", "/admin/api/2026-04/graphql.json"),
    ("bigcommerce", "/stores/abc123/v3/inventory/locations/1/items"),
])
def test_emulator_serves_on_the_port_with_the_fault(kind, path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "seom_desktop", "emulator", kind,
                             "--port", str(port), "--fault", "503:1"],
                            stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line
        state = requests.get(f"http://127.0.0.1:{port}/__emulator__/state", timeout=5)
        assert state.status_code == 200
        resp = requests.get(f"http://127.0.0.1:{port}{path}", timeout=5)
        assert resp.status_code == 503  # every API request gets the injected fault
        assert requests.get(f"http://127.0.0.1:{port}/__emulator__/state",
                            timeout=5).json()["faults_injected"] == {"503": 1}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


@pytest.mark.parametrize("args,message", [
    (["emulator", "nosuch"], "no emulator for cart kind"),
    (["emulator", "woocommerce", "--fault", "explode:0.5"], "unknown fault kind"),
    (["emulator", "woocommerce", "--fault", "500:2"], "between 0 and 1"),
    (["emulator", "woocommerce", "--port", "70000"], "out of range"),
])
def test_emulator_bad_input(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
