"""End to end, through the command line: a store with ten products, an emulated
WooCommerce and a real django-oscar shop (tests/e2e/oscar_server.py), both synchronized.

Send QOH to both; an adjustment reaches both through the headless stack controller; a
shopper's order placed with Oscar's own basket and checkout API is imported: the store
decrements, WooCommerce hears of it, Oscar is not echoed and still offers the right number;
more adjustments while the controller is killed with SIGKILL mid-drain and restarted, and
a second Oscar order imported between two runs. In the end Oscar's buyable number
(num_in_stock - num_allocated) and WooCommerce's stock equal the store's shaped QOH for
every product, and no stack row is left pending, failed or bypassed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from oscar_server import E2E_SKUS as SKUS
from sqlalchemy import select

from seom_desktop.cli import main
from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.stack.rows import count_by_state
from seom_desktop.stack.targets import cart_targets
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart, Product


@pytest.fixture
def woo():
    emu = WooCommerceEmulator().start()
    yield emu
    emu.stop()


class Cli:
    def __init__(self, url: str, capsys):
        self.url, self.capsys = url, capsys

    def __call__(self, *args: str) -> str:
        self.capsys.readouterr()
        code = main(["--store", self.url, "--workstation", "test-ws", *args])
        out, err = self.capsys.readouterr()
        assert code == 0, f"{args}: exit {code}: {err}"
        return out

    def json(self, *args: str):
        return json.loads(self(*args, "--json"))


def _controller(url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "seom_desktop", "--store", url, "--workstation", "test-ws",
         "controller", "--poll", "0.1", "--claim-ttl", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))


def _counts(store) -> dict[str, int]:
    with store.read() as s:
        return count_by_state(s)


def _drain(store, proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = _counts(store)
        if c["pending"] == c["failed"] == c["sending"] == c["waiting"] == 0:
            return
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        time.sleep(0.1)
    raise AssertionError(f"the stack did not drain: {_counts(store)}")


def _kill_mid_drain(store, proc, timeout: float = 30) -> dict[str, int]:
    """SIGKILL the controller once it has sent something and rows remain; the counts
    at that moment."""
    start = _counts(store)["sent"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = _counts(store)
        if c["sent"] > start or c["pending"] + c["sending"] + c["failed"] + c["waiting"] == 0:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    proc.stderr.close()
    return _counts(store)


def _stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0, proc.stderr.read().decode()[-2000:]
    proc.stderr.close()


def _expected(store) -> dict[str, dict[str, int]]:
    with store.read() as s:
        return {c.name: {t.cart_sku: t.shaped for t in cart_targets(s, c.id)}
                for c in s.scalars(select(Cart))}


def _store_qoh(store) -> dict[str, int]:
    with store.read() as s:
        return dict(s.execute(select(Product.sku, Product.qoh)).all())


def _assert_carts_match(store, woo, oscar_shop) -> None:
    want = _expected(store)
    assert {sku: woo.quantity(sku) for sku in want["woo"]} == want["woo"]
    assert {sku: oscar_shop.buyable(sku) for sku in want["oscar"]} == want["oscar"]


def test_store_woocommerce_and_a_real_oscar_shop_converge(oscar_shop, woo, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    cli = Cli(url, capsys)
    rng = random.Random(20261127)
    cli("init")
    for i, sku in enumerate(SKUS):
        cli("product", "add", sku, "--name", f"Item {sku}", "--qoh", str(20 + i))
        woo.add_item(sku, 0)
    cli("cart", "add", "woo", "--kind", "woocommerce", "--url", woo.url, "--key", woo.key,
        "--secret", woo.secret, "--sync")
    cli("cart", "add", "oscar", "--kind", "oscar", "--url", oscar_shop.url,
        "--key", oscar_shop.admin[0], "--secret", oscar_shop.admin[1], "--sync")
    cli("param", "set", "SynchQOH", "true")
    cli("param", "set", "StackRetrySeconds", "0")
    cli("webfields", "set", "E2E-01", "--cart", "oscar", "--reserve", "2")
    cli("webfields", "set", "E2E-02", "--cart", "woo", "--max-qty", "5")
    store = open_store(url)
    try:
        # --- initial Send QOH To Website, to both carts ------------------------------
        for cart in ("woo", "oscar"):
            r = cli.json("send-qoh", cart)
            assert r["sent"] == len(SKUS) and not r["refused"] and r["error"] is None, r
        _assert_carts_match(store, woo, oscar_shop)
        assert oscar_shop.buyable("E2E-01") == 21 - 2 and woo.quantity("E2E-02") == 5

        # --- an adjustment reaches both through the controller -----------------------
        cli("adjust", "E2E-03", "--delta", "-4", "--reason", "damaged")
        cli("adjust", "E2E-04", "--set", "7")
        proc = _controller(url)
        _drain(store, proc)
        _stop(proc)
        _assert_carts_match(store, woo, oscar_shop)
        assert oscar_shop.buyable("E2E-04") == 7 and woo.quantity("E2E-03") == 19

        # --- a shopper buys on Oscar; the order is imported ---------------------------
        before = _store_qoh(store)
        number = oscar_shop.place_order([("E2E-05", 3), ("E2E-01", 2)])
        assert oscar_shop.buyable("E2E-05") == 25 - 3  # Oscar allocated it already
        rows_before = cli.json("stack", "list")
        r = cli.json("orders", "import", "oscar")
        assert r["imported"] == [number] and r["lines_applied"] == 2 and not r["unknown_skus"], r
        after = _store_qoh(store)
        assert after["E2E-05"] == before["E2E-05"] - 3
        assert after["E2E-01"] == before["E2E-01"] - 2
        new_rows = [row for row in cli.json("stack", "list")
                    if row["id"] not in {x["id"] for x in rows_before}]
        assert sorted((row["cart"], row["sku"]) for row in new_rows) == [
            ("woo", "E2E-01"), ("woo", "E2E-05")]  # Oscar is not echoed
        assert cli.json("orders", "import", "oscar")["imported"] == []  # once only
        proc = _controller(url)
        _drain(store, proc)
        _stop(proc)
        _assert_carts_match(store, woo, oscar_shop)
        rec = oscar_shop.record("E2E-05")
        assert rec["num_allocated"] == 3 and rec["num_in_stock"] - 3 == after["E2E-05"]

        # --- more adjustments; the controller is killed mid-drain and restarted -------
        woo.latency = 0.02  # each request takes a moment: the kills land mid-send
        kills: list[dict[str, int]] = []
        for round_ in range(3):
            for _ in range(12):
                sku = rng.choice(SKUS)
                cli("adjust", sku, "--delta", str(rng.choice([-2, -1, 1, 2, 3])))
            proc = _controller(url)
            kills.append(_kill_mid_drain(store, proc))
            if round_ == 1:  # a second order, imported while no controller runs
                second = oscar_shop.place_order([("E2E-07", 2)])
                r = cli.json("orders", "import", "oscar")
                assert r["imported"] == [second], r
        for _ in range(6):
            cli("adjust", rng.choice(SKUS), "--delta", str(rng.choice([-1, 1, 2])))
        proc = _controller(url)
        _drain(store, proc)
        _stop(proc)
        assert all(c["pending"] + c["sending"] > 0 for c in kills), kills  # all mid-drain

        # --- the end: both carts show the shaped store QOH, no row left behind ---------
        _assert_carts_match(store, woo, oscar_shop)
        for sku in SKUS:
            rec = oscar_shop.record(sku)
            assert rec["num_in_stock"] - (rec["num_allocated"] or 0) == _expected(store)["oscar"][sku]
        rows = cli.json("stack", "list")
        left = [(row["cart"], row["sku"], row["state"], row["last_response"]) for row in rows
                if row["state"] != "sent"]
        assert left == [], left[:5]
        assert {row["cart"] for row in rows} == {"woo", "oscar"}
    finally:
        store.close()
