"""Secrets stay secret (DESIGN.md invariant 8).

Secrets are planted in a cart of every kind (WooCommerce key/secret, Shopify and
BigCommerce tokens, a Magento integration token and a Magento admin user/password, a
Miva token and signing key). Requests then fail in every way: each fault the emulators
inject, credentials the cart refuses, and a hostile cart that echoes back everything it
received (headers, query, body) in its error messages, in error bodies, 200 answers and
HTML pages. The stack controller runs (`stack run --once`), and send-qoh, get-qoh and
orders import run through the CLI. Then the store file (with its WAL), the log file,
every Last Response, all CLI output and every exception message (connectors called
directly, with their tracebacks) are searched for the secrets: none may be there.
"""

from __future__ import annotations

import json
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from seckit import PLANTED, cart_args, cli, find_secrets, start, store_bytes

from seom_desktop.carts.base import CartConfig, CartError, QohUpdate
from seom_desktop.carts.registry import make_connector
from seom_desktop.emulators.base import FAULT_KINDS

VARIANTS = [("woocommerce", False), ("shopify", False), ("bigcommerce", False),
            ("magento", False), ("magento", True), ("miva", False)]
IDS = ["woocommerce", "shopify", "bigcommerce", "magento-token", "magento-admin", "miva"]


class Evidence:
    """Everything a secret could leak into."""

    def __init__(self, store_url: str, log_dir: Path):
        self.store_url = store_url
        self.log_dir = log_dir
        self.outputs: list[str] = []
        self.cli_runs = 0

    def cli(self, *argv: str):
        r = cli(self.store_url, *argv)
        self.cli_runs += 1
        self.outputs.append(f"$ {argv[0]}\n{r.out}\n{r.err}")  # (argv holds the secrets)
        assert "Traceback" not in r.err, r.err
        return r

    def last_responses(self) -> list[str]:
        r = self.cli("stack", "list", "--json")
        assert r.rc == 0, r
        return [row["last_response"] for row in json.loads(r.out)]

    def check(self, extra: list[str] = ()) -> None:
        responses = self.last_responses()
        assert any(responses), "no Last Response was recorded: the test proves nothing"
        logs = "".join(p.read_text(encoding="utf-8", errors="replace")
                       for p in sorted(self.log_dir.glob("*.log*")))
        assert logs, "no log file was written: the test proves nothing"
        places = {
            "the store file": store_bytes(self.store_url).decode("utf-8", "replace"),
            "the log file": logs,
            "a Last Response": "\n".join(responses),
            "the CLI output": "\n".join(self.outputs),
            "an exception": "\n".join(extra),
        }
        leaks = {where: found for where, text in places.items() if (found := find_secrets(text))}
        assert not leaks, leaks


@pytest.fixture
def evidence(store_url, tmp_path, monkeypatch):
    log_dir = tmp_path / "logs"
    monkeypatch.setenv("SEOM_LOG_DIR", str(log_dir))
    ev = Evidence(store_url, log_dir)
    for name, value in (("SynchQOH", "true"), ("StackRetrySeconds", "0"),
                        ("StackMaxAttempts", "1000"), ("LogLevel", "debug")):
        assert ev.cli("param", "set", name, value).rc == 0
    yield ev
    from seom_desktop import logs

    logs.shutdown()


def _round(ev: Evidence, *, expect_ok: bool | None = None) -> list[int]:
    """One round of everything that talks to the cart; returns the exit codes."""
    codes = []
    assert ev.cli("adjust", "SEC-0", "--delta", "1").rc == 0
    for argv in (("stack", "run", "--once"), ("send-qoh", "Web"), ("send-qoh", "Web", "--dry-run"),
                 ("get-qoh", "Web"), ("orders", "import", "Web")):
        r = ev.cli(*argv)
        assert r.rc in (0, 1), r
        codes.append(r.rc)
    if expect_ok is not None:
        assert (set(codes) == {0}) == expect_ok, (codes, ev.outputs[-5:])
    return codes


@pytest.mark.parametrize(("kind", "admin"), VARIANTS, ids=IDS)
def test_faults_of_every_kind_leak_nothing(evidence, kind, admin):
    c = start(kind, admin=admin)
    try:
        c.emulator.faults.hang_seconds = 0.2
        assert evidence.cli("cart", "add", "Web", *c.args, "--sync").rc == 0
        assert evidence.cli("get-qoh", "Web", "--create-new").rc == 0
        _round(evidence, expect_ok=True)
        for fault in FAULT_KINDS:
            c.emulator.faults.queue(fault, count=2)
            _round(evidence)
            c.emulator.faults.clear()
        assert sum(c.emulator.faults.injected.values()) >= len(FAULT_KINDS)
        evidence.check()
    finally:
        c.emulator.stop()


@pytest.mark.parametrize(("kind", "admin"), VARIANTS, ids=IDS)
def test_refused_credentials_leak_nothing(evidence, kind, admin):
    c = start(kind, admin=admin, wrong=True)
    try:
        assert evidence.cli("cart", "add", "Web", *c.args, "--sync").rc == 0
        assert evidence.cli("product", "add", "SEC-0", "--name", "x", "--qoh", "5").rc == 0
        codes = _round(evidence)
        assert 0 not in codes[1:], evidence.outputs[-5:]  # the cart refused every transfer
        evidence.check(_direct_errors(kind, c.url, admin))
    finally:
        c.emulator.stop()


# --- a hostile cart that echoes what it received -------------------------------------


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        # What matters first: messages are cut at a few hundred characters.
        creds = {k: v for k, v in self.headers.items()
                 if k.lower() in ("authorization", "x-auth-token", "x-shopify-access-token",
                                  "x-miva-api-authorization", "session-id")}
        echo = (f"{body[:300]} | {self.path} | {' '.join(creds.values())} | "
                + json.dumps(creds) + " | " + json.dumps(dict(self.headers.items())))
        status, style = self.server.mode
        if style == "html":
            payload = (f"<html><body><h1>Error</h1><pre>{echo}</pre></body></html>").encode()
            ctype = "text/html"
        else:
            payload = json.dumps({
                "message": echo, "error": echo, "error_message": echo, "error_code": echo,
                "detail": echo, "title": echo, "code": "echo", "success": 0,
                "errors": [{"message": echo, "extensions": {"code": "ECHO"}}],
                "data": {"params": {"echo": echo}}}).encode()
            ctype = "application/json"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Echo", echo[:200].encode("ascii", "replace").decode())
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any


@pytest.fixture
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    server.mode = (401, "json")
    t = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    t.start()
    yield server
    server.shutdown()
    server.server_close()


MODES = [(401, "json"), (400, "json"), (422, "json"), (500, "json"), (200, "json"),
         (502, "html"), (200, "html")]


@pytest.mark.parametrize(("kind", "admin"), VARIANTS, ids=IDS)
def test_a_cart_echoing_the_request_leaks_nothing(evidence, echo_server, kind, admin):
    base = f"http://127.0.0.1:{echo_server.server_address[1]}"
    assert evidence.cli("cart", "add", "Web", *cart_args(kind, base, admin=admin), "--sync").rc == 0
    assert evidence.cli("product", "add", "SEC-0", "--name", "x", "--qoh", "5").rc == 0
    errors = []
    for mode in MODES:
        echo_server.mode = mode
        _round(evidence)
        errors += _direct_errors(kind, base, admin)
    evidence.check(errors)


def _direct_errors(kind: str, base: str, admin: bool) -> list[str]:
    """Every connector call against the cart; the text of each exception raised."""
    from seckit import cart_url

    p = PLANTED["magento-admin" if admin else kind]
    cfg = CartConfig(name="Web", kind=kind, url=cart_url(kind, base), key=p.get("key", ""),
                     secret=p.get("secret", ""), token=p.get("token", ""), read_timeout=5)
    conn = make_connector(cfg)
    out = []
    calls = [conn.test_connection, lambda: list(conn.list_items()),
             lambda: conn.get_items(["SEC-0", "SEC-1"]),
             lambda: conn.set_qoh([QohUpdate("SEC-0", 4, delta=1, expected=3, key="k1")]),
             lambda: conn.list_orders(None)]
    try:
        for call in calls:
            try:
                result = call()
            except CartError as e:
                out.append(f"{e!s}\n{e!r}\n{e.args!r}\n" + "".join(traceback.format_exception(e)))
                continue
            if isinstance(result, list):  # refused items carry their own errors
                out += [f"{r.error!s} {r.error!r}" for r in result if getattr(r, "error", None)]
    finally:
        conn.close()
    assert out, "no call failed: the test proves nothing"
    return out
