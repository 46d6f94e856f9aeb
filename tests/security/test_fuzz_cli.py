"""Every CLI command's arguments, fuzzed: random text, numbers, huge numbers, unicode,
control characters, empty strings. The exit status is 0 or 2 (1 only where a cart was
asked and could not answer: the transfer commands), never a traceback; a failure says
one `error:` line; an exit 2 writes nothing (store and keyring unchanged); --json
output parses.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from seckit import cli, dump

from seom_desktop.store.params import PARAMS

EXAMPLES = int(os.environ.get("SEOM_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

SPECIAL = st.sampled_from([
    "", " ", "-1", "0", "1", "+3", "-0", "1.5", "1e9", "nan", "inf", "-inf", "NaN", "0x10",
    "1_000", "１２", "٣", "9" * 30, "9" * 5000, "-" + "9" * 20, str(2**63), "--", "-x",
    "A-1", "Web", "woocommerce", "shopify", "https://shop.example.com", "http://evil.com",
    "\x00", "a\x00b", "\n", "x\ny", "\x1b[2J", "\u202e", "🙂", "' OR 1=1 --", "<b>x</b>",
    "x" * 300, "SynchQOH", "true", "pending", "none",
])
TEXT = st.one_of(SPECIAL, st.text(max_size=25),
                 st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=10),
                 st.integers().map(str))
KINDS = ("woocommerce", "shopify", "bigcommerce", "magento", "miva", "oscar")


@pytest.fixture
def shop(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'fuzz.sqlite'}"
    for argv in (("init",), ("product", "add", "A-1", "--name", "Apple", "--qoh", "5"),
                 ("product", "add", "B-2", "--name", "Banana"),
                 # a cart nobody answers for: transfers fail fast (connection refused)
                 ("cart", "add", "Web", "--kind", "woocommerce", "--url",
                  "http://127.0.0.1:9", "--key", "k", "--secret", "s", "--sync"),
                 ("param", "set", "SynchQOH", "true"),
                 ("adjust", "A-1", "--delta", "1")):
        r = cli(url, *argv)
        assert r.rc == 0, (argv, r)
    return url


def _keyring() -> str:
    p = Path(os.environ["SEOM_KEYRING_FILE"])
    return p.read_text() if p.exists() else ""


def run(url: str, argv: list[str], *, cart_may_fail: bool = False):
    before, keys = dump(url), _keyring()
    r = cli(url, *argv)
    assert "Traceback" not in r.err + r.out, (argv, r)
    allowed = (0, 1, 2) if cart_may_fail else (0, 2)
    assert r.rc in allowed, (argv, r)
    if r.rc:
        lines = r.err.splitlines()
        assert lines and lines[-1].startswith("error: "), (argv, r)
        assert len(r.err.strip().splitlines()) == 1 or cart_may_fail, (argv, r.err)
        problem = lines[-1][len("error: "):]
        assert problem.strip(), (argv, r)
        for crash in ("TypeError", "KeyError", "AttributeError", "IndexError",
                      "OverflowError", "RecursionError", "UnicodeError", "sqlalchemy"):
            assert crash not in problem, (argv, r.err)
        if r.rc == 1:
            # the cart's failure, named ("Can't reach Web at <url>: ..." when unreachable)
            assert problem.startswith(("Web: ", "Web at ", "Can't reach Web at ")), (argv, r.err)
    if r.rc == 2:
        assert dump(url) == before, f"{argv} exited 2 but changed the store"
        assert _keyring() == keys, f"{argv} exited 2 but changed the keyring"
    if r.rc == 0 and "--json" in argv:
        json.loads(r.out)
    return r


def opt(flag: str, value: str | None) -> list[str]:
    """`--flag=value` (so that a value starting with "-" stays a value)."""
    return [] if value is None else [f"{flag}={value}"]


MAYBE = st.one_of(st.none(), TEXT)


@FUZZ
@given(sku=TEXT, name=TEXT, qoh=MAYBE)
def test_product_add(shop, sku, name, qoh):
    run(shop, ["product", "add", *opt("--name", name), *opt("--qoh", qoh), "--", sku])


@FUZZ
@given(sku=TEXT, js=st.booleans())
def test_product_show(shop, sku, js):
    run(shop, ["product", "show", "--", sku] + (["--json"] if js else []))


@FUZZ
@given(sku=st.one_of(st.just("A-1"), TEXT), cart=st.one_of(st.just("Web"), TEXT),
       sync=st.sampled_from([None, "--sync", "--no-sync"]), cart_sku=MAYBE, reserve=MAYBE,
       max_qty=MAYBE)
def test_webfields_set(shop, sku, cart, sync, cart_sku, reserve, max_qty):
    argv = ["webfields", "set", *opt("--cart", cart), *([sync] if sync else []),
            *opt("--cart-sku", cart_sku), *opt("--reserve", reserve), *opt("--max-qty", max_qty),
            "--", sku]
    run(shop, argv)


@FUZZ
@given(name=st.one_of(st.sampled_from(sorted(PARAMS)), TEXT), value=TEXT,
       action=st.sampled_from(["set", "get"]))
def test_param(shop, name, value, action):
    assume(not (action == "set" and name == "SharedStackController"))
    argv = ["param", "set", "--", name, value] if action == "set" else ["param", "get", "--", name]
    run(shop, argv)


@FUZZ
@given(name=TEXT, kind=st.one_of(st.sampled_from(KINDS), TEXT), url=TEXT, max_items=MAYBE,
       location=MAYBE, sync=st.booleans(), key=MAYBE)
def test_cart_add(shop, name, kind, url, max_items, location, sync, key):
    argv = ["cart", "add", *opt("--kind", kind), *opt("--url", url),
            *opt("--max-items", max_items), *opt("--location", location), *opt("--key", key),
            *(["--sync"] if sync else []), "--", name]
    run(shop, argv)


@FUZZ
@given(name=st.one_of(st.just("Web"), TEXT), max_items=MAYBE, url=MAYBE,
       sync=st.sampled_from([None, "--sync", "--no-sync"]), bundle=MAYBE)
def test_cart_set(shop, name, max_items, url, sync, bundle):
    argv = ["cart", "set", *opt("--max-items", max_items), *opt("--url", url),
            *([sync] if sync else []), *opt("--ca-bundle", bundle), "--", name]
    run(shop, argv)


@FUZZ
@given(sku=st.one_of(st.just("A-1"), TEXT), how=st.sampled_from(["--delta", "--set"]),
       n=TEXT, reason=MAYBE, track=st.booleans())
def test_adjust(shop, sku, how, n, reason, track):
    assert cli(shop, "param", "set", "TrackInventoryAdjustments", str(track).lower()).rc == 0
    run(shop, ["adjust", *opt(how, n), *opt("--reason", reason), "--no-send", "--", sku])


@FUZZ
@given(cmd=st.sampled_from(["receive", "pos-sale"]), sku=st.one_of(st.just("A-1"), TEXT),
       qty=TEXT, po=MAYBE)
def test_receive_and_pos_sale(shop, cmd, sku, qty, po):
    extra = opt("--po", po) if cmd == "receive" else []
    run(shop, [cmd, *extra, "--", sku, qty])


@FUZZ
@given(cmd=st.sampled_from([["send-qoh"], ["get-qoh"], ["orders", "import"]]),
       cart=st.one_of(st.just("Web"), TEXT), max_items=MAYBE, flags=st.lists(
           st.sampled_from(["--dry-run", "--json", "--create-new"]), unique=True))
def test_transfers(shop, cmd, cart, max_items, flags):
    argv = list(cmd)
    if cmd[0] == "send-qoh":
        argv += opt("--max-items", max_items) + [f for f in flags if f != "--create-new"]
    elif cmd[0] == "get-qoh":
        argv += flags
    else:
        argv += [f for f in flags if f == "--json"]
    run(shop, [*argv, "--", cart], cart_may_fail=True)


@FUZZ
@given(action=st.sampled_from(["list", "retry", "bypass", "delete"]),
       ids=st.lists(TEXT, min_size=1, max_size=3), state=MAYBE)
def test_stack(shop, action, ids, state):
    if action == "list":
        run(shop, ["stack", "list", *opt("--state", state), "--json"])
    else:
        run(shop, ["stack", action, "--", *ids])


def _runs_forever(*values: str) -> bool:
    try:
        return all(math.isfinite(float(v)) and float(v) > 0 for v in values)
    except ValueError:
        return False


@FUZZ
@given(poll=TEXT, ttl=TEXT)
def test_controller_refuses_bad_timings(shop, poll, ttl):
    assume(not _runs_forever(poll, ttl))  # good values: it would run until stopped
    run(shop, ["controller", *opt("--poll", poll), *opt("--claim-ttl", ttl)])


@FUZZ
@given(kind=TEXT, port=TEXT, fault=MAYBE)
def test_emulator_refuses_bad_input(shop, kind, port, fault):
    assume(kind.strip().lower() not in KINDS)  # a good kind serves until stopped
    run(shop, ["emulator", *opt("--port", port), *opt("--fault", fault), "--", kind])


@FUZZ
@given(words=st.lists(TEXT, min_size=1, max_size=4))
def test_unknown_commands(shop, words):
    from seom_desktop.cli import _command_names, build_parser

    first = words[0]
    assume(first and not first.startswith("-") and first not in _command_names(build_parser()))
    run(shop, words)
