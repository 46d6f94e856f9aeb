"""DESIGN.md's table of web stack states is the code's (stack/states.py TRANSITIONS):
the same pairs, in the same order, with the same words."""

from __future__ import annotations

from pathlib import Path

from seom_desktop.stack.states import TRANSITIONS

DESIGN = Path(__file__).resolve().parents[2] / "DESIGN.md"


def _table() -> list[tuple[str, str, str]]:
    text = DESIGN.read_text(encoding="utf-8")
    body = text.split("<!-- states:begin -->", 1)[1].split("<!-- states:end -->", 1)[0]
    lines = [ln for ln in body.strip().splitlines() if ln.startswith("|")][2:]  # no header
    return [tuple(cell.strip() for cell in ln.strip("|").split("|")) for ln in lines]


def test_the_state_table_in_design_md_is_the_code_s():
    assert _table() == [(f, t, why) for (f, t), why in TRANSITIONS.items()]
