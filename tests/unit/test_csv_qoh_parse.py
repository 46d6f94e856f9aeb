"""Parsing a QOH CSV file (no store): the header, each value, duplicates, blank lines."""

from __future__ import annotations

from seom_desktop.sync.csv_qoh import QohRow, parse_qoh_csv


def problems(text):
    return [(p.line, p.sku, p.problem) for p in parse_qoh_csv(text).problems]


def test_good_file_with_extra_columns_and_any_column_order():
    f = parse_qoh_csv("name,QOH,Sku,notes\nWidget,5,P1,x\nGadget,+7,P2,\n\n")
    assert f.ok
    assert f.rows == [QohRow(2, "P1", 5), QohRow(3, "P2", 7)]


def test_bom_and_crlf_are_accepted():
    f = parse_qoh_csv("\ufeffsku,qoh\r\nP1,3\r\n")
    assert f.rows == [QohRow(2, "P1", 3)] and f.ok


def test_header_is_required():
    f = parse_qoh_csv("P1,5\nP2,6\n")
    assert f.fatal and f.rows == []
    assert "header" in f.problems[0].problem


def test_empty_file():
    assert parse_qoh_csv("\n\n").fatal


def test_each_bad_line_is_reported_with_its_line_number():
    text = ("sku,qoh\n"
            "P1,5\n"          # 2 good
            "P2,ten\n"        # 3 not a number
            "P3,2000000000\n"  # 4 out of range
            "\n"              # 5 empty line
            ",4\n"            # 6 no SKU
            "P4,\n"           # 7 no QOH
            "P5,1.5\n"        # 8 not whole
            "P6,9\n")         # 9 good
    f = parse_qoh_csv(text)
    assert f.rows == [QohRow(2, "P1", 5), QohRow(9, "P6", 9)]
    got = problems(text)
    assert [g[0] for g in got] == [3, 4, 5, 6, 7, 8]
    assert "whole number" in got[0][2] and got[0][1] == "P2"
    assert "out of range" in got[1][2]
    assert got[2][2] == "empty line"
    assert "SKU is empty" in got[3][2]
    assert "missing" in got[4][2]
    assert "whole number" in got[5][2]


def test_a_duplicated_sku_is_refused_on_every_line_it_appears():
    f = parse_qoh_csv("sku,qoh\nP1,5\nP2,1\nP1,6\n")
    assert f.rows == [QohRow(3, "P2", 1)]
    assert [(p.line, p.sku) for p in f.problems] == [(2, "P1"), (4, "P1")]
    assert "lines 2, 4" in f.problems[0].problem


def test_quoted_fields_and_spaces_around_numbers():
    f = parse_qoh_csv('sku,qoh\n"P,1", 12 \n')
    assert f.rows == [QohRow(2, "P,1", 12)]


def test_unterminated_quote_does_not_crash():
    f = parse_qoh_csv('sku,qoh\n"P1,5\nP2,3\n')
    assert not f.ok
