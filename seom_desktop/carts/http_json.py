"""A cart answer's JSON, decoded with care: nesting deeper than MAX_DEPTH is refused before
decoding (decoding recurses a level per bracket), NaN and infinities are not numbers."""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 200  # no cart answer nests deeper; a hostile one may nest 100,000 deep
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string: its brackets do not count
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects more than `limit` deep (brackets
    inside strings do not count). Such a text is refused before it is decoded: decoding
    it recurses a level per bracket, to the interpreter's limit, and anything the cycle
    collector finalizes meanwhile (it runs on allocations, and decoding allocates a list
    a level) fails for lack of stack. Cheap for an ordinary answer: the brackets are
    counted first, and only a text with more than `limit` of them is looked at; then its
    brackets alone (strings and the rest taken out) lose their innermost empty pairs,
    a level a round, in C: an answer 5 deep is gone in 5 rounds. A text with brackets
    left after `limit` rounds, or once a round removes nothing (mismatched brackets), is
    walked token by token."""
    if text.count("[") + text.count("{") <= limit:
        return False
    # Outside strings: between every other quote, unless a quote is escaped somewhere.
    outside = ("".join(text.split('"')[0::2]) if '\\"' not in text
               else _STRING.sub("", text))
    brackets = _NOT_BRACKET.sub("", outside)
    for _ in range(limit):
        peeled = brackets.replace("[]", "").replace("{}", "")
        if not peeled:
            return False
        if peeled == brackets:
            break
        brackets = peeled
    return _walk_deeper(text, limit)


def _walk_deeper(text: str, limit: int) -> bool:
    depth = 0
    for m in _TOKENS.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth > limit:
                return True
        elif c == "]" or c == "}":
            depth -= 1
    return False


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')  # a JSON string, or a bracket


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


# json.loads(text, parse_constant=..., parse_float=...) builds a decoder on every call
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float)
decode = _DECODER.decode


__all__ = ["MAX_DEPTH", "decode", "too_deep"]
