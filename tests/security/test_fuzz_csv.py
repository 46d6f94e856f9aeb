"""The QOH CSV importer against any file: random text and bytes, hostile cells (formula
starts, NUL, huge numbers, unicode digits, 10,000-character SKUs). Checking never raises
and never writes; every good row is a valid SKU with a quantity in range; every problem
names its line; an import applies exactly the good rows, each in the ledger."""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seckit import dump

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.inventory.validation import MAX_QOH, check_sku
from seom_desktop.store.engine import open_store
from seom_desktop.sync.csv_qoh import apply_qoh_rows, check_qoh_file, parse_qoh_csv

# SEOM_FUZZ=slow: the long hunt (random seeds, thousands of examples); else the same
# inputs every run, as CI wants
SLOW = os.environ.get("SEOM_FUZZ", "") == "slow"
EXAMPLES = int(os.environ.get("SEOM_FUZZ_EXAMPLES", "3000" if SLOW else "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not SLOW,
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


PRODUCTS = ("A-1", "B-2", "C-3")  # the products of the `store` fixture
WHOLE = re.compile(r"[+-]?\d+(?:_\d+)*")  # digits of any script, `_` between them


def expected_import(rows: list[tuple[str, str]]) -> dict[str, int]:
    """What an import of these (sku, qoh) cells must set, from the rules of the file
    (README, Update QOH from a CSV file) and not from the checker: a row whose cells are
    all blank is skipped; a SKU given on more than one row is refused on every one of
    them; the SKU must be a product's, exactly (no spaces around); the QOH a whole number
    (Python's int() of the stripped text: a sign, decimal digits, `_` between digits),
    at most MAX_QOH either way, not below zero (AllowNegativeQOH is off)."""
    given = [(sku, qoh) for sku, qoh in rows if sku.strip() or qoh.strip()]
    times: dict[str, int] = {}
    for sku, _ in given:
        times[sku] = times.get(sku, 0) + 1
    out: dict[str, int] = {}
    for sku, cell in given:
        text = cell.strip()
        if sku not in PRODUCTS or times[sku] > 1 or not WHOLE.fullmatch(text):
            continue
        sign = -1 if text.startswith("-") else 1
        value = 0
        for ch in text.lstrip("+-").replace("_", ""):
            value = value * 10 + unicodedata.decimal(ch)
        if 0 <= sign * value <= MAX_QOH:
            out[sku] = sign * value
    return out


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
    want = expected_import(rows)
    assert {r.sku: r.qoh for r in checked.rows} == want and len(checked.rows) == len(want)
    from sqlalchemy import select

    from seom_desktop.store.models import LedgerEntry, Product

    with store.read() as s:  # the store is kept across examples: what it holds now
        start = dict(s.execute(select(Product.sku, Product.qoh)).all())
    results = apply_qoh_rows(store, checked.rows, actor=ACTOR, send=False)
    assert [r.sku for r in results] == [r.sku for r in checked.rows]

    with store.read() as s:
        qoh = dict(s.execute(select(Product.sku, Product.qoh)).all())
        assert qoh == {**start, **want}  # the good rows set, every other product kept
        for r in results:
            e = s.get(LedgerEntry, r.ledger_id)
            assert (e.user, e.workstation, e.reason, e.source) == \
                ("fuzzer", "fuzz-ws", "CSV import", "adjust")
