"""`seom-desktop emulator KIND --locations N` serves a cart with N stock locations,
every demo item stocked at each; the connector's list_locations reads them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from seom_desktop.carts.base import CartConfig
from seom_desktop.carts.registry import make_connector
from seom_desktop.cli import main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIGS = {
    "shopify": dict(token="shpat_emulator_0123456789abcdef"),
    "bigcommerce": dict(token="bc-emulator-token", path="/stores/abc123"),
    "magento": dict(token="magento-integration-token"),
}


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_emulator_serves_several_locations_with_the_items_at_each(kind):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "seom_desktop", "emulator", kind,
                             "--port", str(port), "--locations", "3", "--items", "2"],
                            stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert f"http://127.0.0.1:{port}" in proc.stdout.readline()
        extra = [proc.stdout.readline().split()[1] for _ in range(2)]
        cfg = dict(CONFIGS[kind])
        url = f"http://127.0.0.1:{port}" + cfg.pop("path", "")
        conn = make_connector(CartConfig(name=kind, kind=kind, url=url, **cfg))
        try:
            locations = conn.list_locations()
            found = conn.get_items(["SKU-00001", "SKU-00002"], locations=extra)
        finally:
            conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    assert len(locations) == 3 and set(extra) <= {loc.id for loc in locations}
    assert {s: (i.qoh, dict(i.locations)) for s, i in found.items()} == {
        s: (10, dict.fromkeys(extra, 10)) for s in ("SKU-00001", "SKU-00002")}


@pytest.mark.parametrize("args,message", [
    (["emulator", "shopify", "--locations", "0"], "--locations must be 1 or more"),
    (["emulator", "woocommerce", "--locations", "2"], "has one stock location"),
])
def test_emulator_locations_bad_input(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
