"""The command line per CLI.md: commands, --json, exit codes, and bad input that exits 2
with one `error:` line naming the problem and changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from seom_desktop.cli import main
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import LedgerEntry, Param, Product, StackRow


def _dump(url):
    st = open_store(url)
    with st.read() as s:
        d = (sorted((p.sku, p.qoh) for p in s.scalars(select(Product))),
             sorted((e.product_id, e.delta) for e in s.scalars(select(LedgerEntry))),
             sorted((r.cart_id, r.product_id, r.change) for r in s.scalars(select(StackRow))),
             sorted((p.name, p.value) for p in s.scalars(select(Param))))
    st.close()
    return d


def test_product_add_list_show_json(cli):
    assert cli("product", "add", "A-1", "--name", "Widget", "--qoh", "5")[0] == 0
    assert cli("product", "add", "Ünï 2", "--name", "Unicode")[0] == 0
    code, out, _ = cli("product", "list", "--json")
    assert code == 0
    assert json.loads(out) == [{"sku": "A-1", "name": "Widget", "qoh": 5, "kit": False},
                               {"sku": "Ünï 2", "name": "Unicode", "qoh": 0, "kit": False}]
    code, out, _ = cli("product", "show", "A-1", "--json")
    assert json.loads(out) == {"sku": "A-1", "name": "Widget", "qoh": 5, "kit": False,
                               "warehouses": {"Main": 5}, "web_fields": []}


def test_adjust_receive_pos_sale_and_param(cli):
    cli("product", "add", "A-1", "--name", "Widget", "--qoh", "5")
    assert cli("adjust", "A-1", "--delta", "-2")[0] == 0
    assert cli("adjust", "A-1", "--set", "10", "--reason", "count")[0] == 0
    assert cli("receive", "A-1", "7", "--po", "PO-9")[0] == 0
    code, out, _ = cli("pos-sale", "A-1", "3", "--json")
    assert code == 0 and json.loads(out)["qoh"] == 14
    assert cli("param", "set", "StackMaxAttempts", "12")[0] == 0
    code, out, _ = cli("param", "get", "StackMaxAttempts", "--json")
    assert json.loads(out) == {"name": "StackMaxAttempts", "value": 12}


BAD = [
    (("adjust", "NOPE", "--delta", "1"), "unknown SKU 'NOPE'"),
    (("adjust", "A-1", "--delta", "abc"), "whole number"),
    (("adjust", "A-1", "--set", "-5"), "below zero"),
    (("adjust", "A-1", "--delta", "1", "--set", "4"), "not allowed with"),
    (("adjust", "A-1", "--delta", str(10**12)), "out of range"),
    (("adjust", "A-1", "--set", str(10**12)), "out of range"),
    (("adjust", "", "--delta", "1"), "SKU is empty"),
    (("adjust", "A 1", "--delta", "1"), "unknown SKU 'A 1'"),
    (("adjust", "Ä-1", "--delta", "1"), "unknown SKU 'Ä-1'"),
    (("adjust", " A-1", "--delta", "1"), "spaces at its start or end"),
    (("adjust", "A-1"), "one of the arguments --delta --set is required"),
    (("adjust", "A-1", "--delta", "1.5"), "whole number"),
    (("pos-sale", "A-1", "0"), "at least 1"),
    (("pos-sale", "A-1", "9"), "below zero"),
    (("receive", "A-1", "-3"), "at least 1"),
    (("product", "add", "A-1", "--name", "dup"), "already exists"),
    (("product", "add", "B\x01", "--name", "ctl"), "control characters"),
    (("product", "add", "B-2", "--name", "x", "--qoh", "-1"), "below zero"),
    (("param", "set", "NoSuchParam", "1"), "unknown parameter"),
    (("param", "set", "SynchQOH", "maybe"), "TRUE or FALSE"),
    (("param", "set", "StackMaxAttempts", "0"), "at least 1"),
    (("webfields", "set", "A-1", "--cart", "nocart", "--reserve", "1"), "unknown cart"),
    (("cart", "add", "c1", "--kind", "nosuchkind", "--url", "https://x.example"), "unknown cart kind"),
    (("stack", "list", "--state", "lost"), "unknown state"),
    (("stack", "retry", "abc"), "not a number"),
    (("stack", "retry", "999"), "no stack record with id 999"),
    (("frobnicate",), "invalid choice"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2_and_changes_nothing(cli, store_url, args, message):
    cli("product", "add", "A-1", "--name", "Widget", "--qoh", "5")
    cli("param", "set", "SynchQOH", "true")
    before = _dump(store_url)
    code, out, err = cli(*args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert _dump(store_url) == before


def test_console_entry_point_and_module(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    res = subprocess.run([sys.executable, "-m", "seom_desktop", "--store", url, "adjust", "X",
                          "--delta", "1"], capture_output=True, text=True)
    assert res.returncode == 2 and res.stderr.startswith("error: unknown SKU 'X'")
    res = subprocess.run([sys.executable, "-m", "seom_desktop", "--version"],
                         capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith("seom-desktop ")
    res = subprocess.run([sys.executable, "-m", "seom_desktop", "product", "list", "--json",
                          "--store", url], capture_output=True, text=True)
    assert res.returncode == 0 and json.loads(res.stdout) == []


def test_bad_store_url_is_bad_input(capsys):
    assert main(["--store", "not a url", "product", "list"]) == 2
    assert "store URL" in capsys.readouterr().err
