"""Every connector's response parser against hostile answers.

Each connector is first run against its emulator and every answer is recorded. Then a
tiny local HTTP server replays those answers, with hypothesis changing one of them (or
all): random bytes, a truncated body, an HTML page, one JSON value replaced (random JSON,
wrong types, huge numbers, deep nesting), a key removed, another status code, hostile
paging headers. Whatever comes back, a connector may only raise a CartError subclass
with a clear message (no KeyError/TypeError/ValueError/AttributeError escaping), and
must not page forever.
"""

from __future__ import annotations

import json
import os
import random
import threading
from typing import Any

import pytest
from fuzz_replay import (
    ENDLESS,
    MAX_REQUESTS,
    OPERATIONS,
    SECRETS,
    FuzzServer,
    Recordings,
    config_for,
    record,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seckit import KINDS

from seom_desktop.carts.base import (
    CartError,
    CartItem,
    CartOrder,
    ItemResult,
    RateLimitedError,
)
from seom_desktop.carts.registry import make_connector

# SEOM_FUZZ=slow: the long hunt (random seeds, thousands of examples); else the same
# few inputs every run, as CI wants
SLOW = os.environ.get("SEOM_FUZZ", "") == "slow"
EXAMPLES = int(os.environ.get("SEOM_FUZZ_EXAMPLES", "2000" if SLOW else "30"))


@pytest.fixture(scope="module")
def recordings():
    return Recordings({kind: record(kind) for kind in KINDS})


@pytest.fixture(scope="module")
def server():
    srv = FuzzServer()
    t = threading.Thread(target=srv.serve_forever, args=(0.02,), daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


# --- what hypothesis changes -----------------------------------------------------------

HUGE = st.sampled_from([10**30, -(10**30), 2**63, -(2**63) - 1, 2**31, 10**18, 0, -1])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), HUGE,
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                    st.sampled_from(["", "1", "-5", "1e400", "NaN", "<b>x</b>", "null",
                                     "2024-02-30T25:61:00Z", "Mon, 99 Foo 2020", "9" * 50]))
JSON = st.recursive(SCALARS, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=10), kids, max_size=4)),
    max_leaves=12)
STATUSES = st.sampled_from([200, 201, 204, 206, 301, 400, 401, 403, 404, 409, 422, 429, 500,
                            502, 503])
HEADER_VALUES = st.one_of(st.sampled_from(["", "0", "-1", "1", "2", "99999999999999999999",
                                           "nan", "inf", "1e9", "abc", "5/3", "10/2", "-3/0"]),
                          st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126),
                                  max_size=20))
PAGING_HEADERS = ["X-WP-TotalPages", "X-WP-Total", "Retry-After", "Content-Range",
                  "X-Rate-Limit-Time-Reset-Ms", "X-Rate-Limit-Requests-Left", "Link"]


def _paths(doc: Any, prefix=()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _set(doc: Any, path: tuple, value: Any, delete: bool = False) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if rest:
        doc[head] = _set(doc[head], rest, value, delete)
    elif delete:
        del doc[head]
    else:
        doc[head] = value
    return doc


@st.composite
def mutations(draw, keys: list[tuple]):
    """A function changing the answers to one request kind (or to all)."""
    target = draw(st.sampled_from([*keys, "all"])) if keys else "all"
    kind = draw(st.sampled_from(["bytes", "truncate", "html", "replace", "replace", "replace",
                                 "delete", "status", "headers", "deep", "empty"]))
    seed = random.Random(draw(st.integers(0, 2**32)))
    value = draw(JSON)
    raw = draw(st.binary(max_size=64))
    status = draw(STATUSES)
    header_vals = draw(st.dictionaries(st.sampled_from(PAGING_HEADERS), HEADER_VALUES,
                                       min_size=1, max_size=3))

    def mutate(key, st_code, headers, body):
        if target != "all" and key != target:
            return st_code, headers, body
        if kind == "bytes":
            return st_code, headers, raw
        if kind == "empty":
            return st_code, headers, b""
        if kind == "truncate":
            return st_code, headers, body[: seed.randrange(0, max(1, len(body)))]
        if kind == "html":
            return st_code, {"Content-Type": "text/html"}, \
                b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
        if kind == "status":
            return status, headers, body
        if kind == "headers":
            return st_code, {**headers, **header_vals}, body
        if kind == "deep":
            return st_code, headers, b"[" * 100_000 + b"]" * 100_000
        try:
            doc = json.loads(body)
        except ValueError:
            return st_code, headers, raw
        paths = _paths(doc)
        path = paths[seed.randrange(len(paths))]
        if kind == "delete" and path:
            doc = _set(doc, path, None, delete=True)
        else:
            doc = _set(doc, path, value)
        return st_code, headers, json.dumps(doc).encode()

    mutate.__repr__ = lambda: f"mutate({target}, {kind})"  # type: ignore[method-assign]
    return (target, kind, value if kind in ("replace", "delete") else None, mutate)


def _check_error(e: CartError) -> None:
    text = str(e)
    assert text.strip(), f"{type(e).__name__} without a message"
    assert "FuzzCart" in text, f"the message does not name the cart: {text!r}"
    assert "Traceback" not in text and len(text) < 2000, text
    assert ENDLESS not in text, f"the connector pages forever: {text}"
    for s in SECRETS:
        assert s not in text, f"secret in message: {text}"
    if isinstance(e, RateLimitedError):
        assert 0 <= e.delay <= 3600, f"a wait of {e.delay} s"


LIMIT = 2**63 - 1  # a quantity the store can hold at all (BIGINT)


def _quantity(q, what: str, *, optional: bool = False) -> None:
    if q is None and optional:
        return
    assert type(q) is int, f"{what}: {q!r} is not a whole number"
    assert -LIMIT <= q <= LIMIT, f"{what}: {q} is out of range"


def _text(v, what: str) -> None:
    assert isinstance(v, str), f"{what}: {v!r} is not text"


def _check_result(op: str, result) -> None:
    """A parse that succeeded gave sane values: whole, finite, in-range quantities, text
    where text is expected (a connector passing NaN, a float or a nested object on is a
    failure even without an exception)."""
    if op in ("list_items", "get_items"):
        items = result if op == "list_items" else list(result.values())
        if op == "get_items":
            assert all(isinstance(k, str) for k in result), result
        for item in items:
            assert isinstance(item, CartItem), item
            _text(item.sku, "sku")
            _text(item.item_id, "item id")
            _text(item.name, "name")
            assert isinstance(item.tracked, bool), item
            _quantity(item.qoh, f"qoh of {item.sku!r}", optional=True)
    elif op == "set_qoh":
        for r in result:
            assert isinstance(r, ItemResult) and isinstance(r.ok, bool), r
            _text(r.sku, "sku")
            _quantity(r.qoh, f"qoh after of {r.sku!r}", optional=True)
            assert r.ok or r.error is not None, r
            if r.error is not None:
                _check_error(r.error)
    elif op.startswith("list_orders"):
        for o in result:
            assert isinstance(o, CartOrder), o
            for v, what in ((o.order_id, "order id"), (o.created, "created"),
                            (o.status, "status")):
                _text(v, what)
            for line in o.lines:
                _text(line.sku, "line sku")
                _quantity(line.quantity, f"quantity of line {line.sku!r}")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("op", list(OPERATIONS))
@settings(max_examples=EXAMPLES, deadline=None, derandomize=not SLOW,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_connector_survives_hostile_answers(recordings, server, kind, op, data):
    script = recordings[kind][op]
    target, how, value, mutate = data.draw(mutations(script.keys), label="mutation")
    server.script, server.mutate = script, mutate
    server.count.clear()
    server.errors.clear()
    conn = make_connector(config_for(kind, f"http://127.0.0.1:{server.server_address[1]}"))
    try:
        result = OPERATIONS[op](conn)
    except CartError as e:
        _check_error(e)
    else:
        _check_result(op, result)
    finally:
        conn.close()
    assert server.count["all"] <= MAX_REQUESTS, "the connector pages forever"
    assert not server.errors, server.errors


@pytest.mark.parametrize("kind", KINDS)
def test_replaying_unchanged_answers_works(recordings, server, kind):
    """The replay itself is faithful: without a change every operation succeeds."""
    for op, script in recordings[kind].items():
        server.script, server.mutate = script, None
        server.count.clear()
        conn = make_connector(config_for(kind, f"http://127.0.0.1:{server.server_address[1]}"))
        try:
            result = OPERATIONS[op](conn)
        finally:
            conn.close()
        if op in ("list_items", "get_items"):
            assert {i.sku for i in (result if op == "list_items" else result.values())} >= \
                {"FZ-1", "FZ-2"}, (kind, op)
        if op.startswith("list_orders"):
            assert len(result) == 2, (kind, op, result)
