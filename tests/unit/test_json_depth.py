"""carts.http.too_deep: a cart answer nested deeper than MAX_DEPTH is refused before it
is decoded (decoding it would recurse to the interpreter's limit); brackets inside
strings do not count; an ordinary answer is not walked at all."""

from __future__ import annotations

import json

import pytest

from seom_desktop.carts.http import MAX_DEPTH, too_deep


@pytest.mark.parametrize(("text", "deep"), [
    ("[" * 100_000 + "]" * 100_000, True),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
    ('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), True),
    (json.dumps({"name": "[" * 5000}), False),  # brackets in a string
    (json.dumps(["\\\"[" * 400]), False),  # escaped quotes inside the string
    ('["\\""' + "," + "[" * 300, True),  # a string with an escaped quote, then 300 deep
    (json.dumps([{"id": i, "tags": [[i]]} for i in range(2000)]), False),  # wide, shallow
])
def test_too_deep(text, deep):
    assert too_deep(text) is deep
