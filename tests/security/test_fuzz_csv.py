"""The QOH CSV importer against any file: random text and bytes, hostile cells (formula
starts, NUL, huge numbers, unicode digits, 10,000-character SKUs). Checking never raises
and never writes; every good row is a valid SKU with a quantity in range; every problem
names its line; an import applies exactly the good rows, each in the ledger."""

from __future__ import annotations

import csv
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seckit import dump

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.inventory.validation import MAX_QOH, check_sku
from seom_desktop.store.engine import open_store
from seom_desktop.sync.csv_qoh import apply_qoh_rows, check_qoh_file, parse_qoh_csv

EXAMPLES = int(os.environ.get("SEOM_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
ACTOR = Actor("fuzzer", "fuzz-ws")
CELLS = st.one_of(
    st.sampled_from(["A-1", "B-2", "C-3", "", " ", "=1+1", "+5", "-3", "@SUM(A1)", "\x00",
                     "1e3", "1_000", "١٢", "9" * 40, "9" * 5000, "x" * 10_000, "\"q\"",
                     "a,b", "line\nbreak", "\ufeffsku", "qoh", "nan", "-0"]),
    st.text(max_size=12), st.integers().map(str))


def _check_parsed(parsed) -> None:
    for row in parsed.rows:
        check_sku(row.sku)
        assert abs(row.qoh) <= MAX_QOH
        assert row.line >= 2
    for p in parsed.problems:
        assert p.problem.strip() and "\n" not in p.problem and len(p.problem) < 600, p
        assert "Traceback" not in p.problem
    lines = [r.line for r in parsed.rows]
    assert len(lines) == len(set(lines))


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_parses_without_raising(text):
    _check_parsed(parse_qoh_csv(text))


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=4), max_size=12),
       header=st.sampled_from([["sku", "qoh"], ["QOH", "name", "SKU"], ["sku"], [], ["a", "b"]]))
def test_hostile_cells_parse_without_raising(rows, header):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    _check_parsed(parse_qoh_csv(buf.getvalue()))


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'csv.sqlite'}")
    with s.write() as session:
        for sku in ("A-1", "B-2", "C-3"):
            add_product(session, sku=sku, name=sku, actor=ACTOR, qoh=5)
    yield s
    s.close()


@FUZZ
@given(data=st.binary(max_size=400))
def test_any_file_is_checked_without_raising_or_writing(store, tmp_path, data):
    path = tmp_path / "any.csv"
    path.write_bytes(data)
    before = dump(store.url)
    checked = check_qoh_file(store, path)
    _check_parsed(checked)
    assert dump(store.url) == before


@FUZZ
@given(rows=st.lists(st.tuples(CELLS, CELLS), max_size=8))
def test_import_applies_exactly_the_good_rows(store, tmp_path, rows):
    path = tmp_path / "rows.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["sku", "qoh"])
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    before = dump(store.url)
    checked = check_qoh_file(store, path)
    _check_parsed(checked)
    assert dump(store.url) == before
    results = apply_qoh_rows(store, checked.rows, actor=ACTOR, send=False)
    assert [r.sku for r in results] == [r.sku for r in checked.rows]
    from sqlalchemy import select

    from seom_desktop.store.models import LedgerEntry, Product

    with store.read() as s:
        qoh = dict(s.execute(select(Product.sku, Product.qoh)).all())
        for r in checked.rows:
            assert qoh[r.sku] == r.qoh
        for r in results:
            e = s.get(LedgerEntry, r.ledger_id)
            assert (e.user, e.workstation, e.reason, e.source) == \
                ("fuzzer", "fuzz-ws", "CSV import", "adjust")
