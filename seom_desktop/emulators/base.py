"""A local HTTP server on a real loopback socket, with fault injection, that each cart
emulator builds on.

A cart emulator subclasses `Emulator` and implements `handle(request) -> Response`.
Faults are injected around `handle`:

    429          answer 429 Too Many Requests with Retry-After (nothing applied)
    500, 503     answer a server error (nothing applied)
    reset        close the connection with a TCP reset before handling (nothing applied)
    html         answer 502 with an HTML error page (nothing applied)
    timeout-after  apply the request, then hang past the client's read timeout
    malformed    apply the request, then answer 200 with a truncated JSON body

A fault SPEC is a comma list of KIND[:RATE] (RATE a probability, default 1.0), or
`all:RATE` for every kind at RATE in total; e.g. `429:0.1,reset:0.05` or `all:0.2`.
Tests can also queue exact faults: `emulator.faults.queue("500", count=2)`.

Every write of an item's quantity that reaches a cart's write path is logged in
`writes[sku]` (value asked, what the item showed before, the request's idempotency key,
when): the big tests read it to prove no write was applied twice (a value written to an
item that already showed it) and that a retried request carried the same key.
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULT_KINDS = ("429", "500", "503", "reset", "html", "timeout-after", "malformed")
BEFORE = {"429", "500", "503", "reset", "html"}
CONTROL_PREFIX = "/__emulator__"


class FaultSpecError(ValueError):
    pass


def parse_fault_spec(spec: str) -> dict[str, float]:
    """`429:0.1,reset` -> {"429": 0.1, "reset": 1.0}; raises FaultSpecError."""
    rates: dict[str, float] = {}
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        kind, _, rate_s = part.partition(":")
        kind = kind.strip().lower()
        try:
            rate = float(rate_s) if rate_s else 1.0
        except ValueError:
            raise FaultSpecError(f"fault rate {rate_s!r} is not a number") from None
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError(f"fault rate {rate} is not between 0 and 1")
        if kind == "all":
            for k in FAULT_KINDS:
                rates[k] = rates.get(k, 0.0) + rate / len(FAULT_KINDS)
        elif kind in FAULT_KINDS:
            rates[kind] = rates.get(kind, 0.0) + rate
        else:
            raise FaultSpecError(f"unknown fault kind {kind!r} (kinds: all, {', '.join(FAULT_KINDS)})")
    if sum(rates.values()) > 1.0 + 1e-9:
        raise FaultSpecError("fault rates add up to more than 1")
    return rates


class Faults:
    """Which fault, if any, the next request gets."""

    def __init__(self, spec: str = "", seed: int | None = None):
        self._lock = threading.Lock()
        self.rates = parse_fault_spec(spec)
        self._queue: list[tuple[str, str]] = []  # (kind, path substring)
        self.rng = random.Random(seed)
        self.injected: Counter[str] = Counter()
        self.retry_after = 1  # seconds sent with an injected 429
        self.hang_seconds = 3.0  # how long timeout-after hangs

    def set_spec(self, spec: str) -> None:
        rates = parse_fault_spec(spec)
        with self._lock:
            self.rates = rates

    def queue(self, kind: str, count: int = 1, path: str = "") -> None:
        if kind not in FAULT_KINDS:
            raise FaultSpecError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._queue.extend([(kind, path)] * count)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.rates = {}

    def pick(self, path: str) -> str | None:
        with self._lock:
            for i, (kind, where) in enumerate(self._queue):
                if where in path:
                    del self._queue[i]
                    self.injected[kind] += 1
                    return kind
            if not self.rates:
                return None
            x = self.rng.random()
            for kind, rate in self.rates.items():
                if x < rate:
                    self.injected[kind] += 1
                    return kind
                x -= rate
        return None


@dataclass(frozen=True)
class Write:
    """One write of an item's quantity as the cart received it."""

    value: int | float | None  # the quantity the item was to show after the write
    before: int | float | None  # what the item showed when the write arrived
    key: str = ""  # the request's idempotency key ("" where the cart's API has none)
    request: str = ""  # the request's parameters other than the key, where it has a key
    applied: bool = True  # False: refused (a failed compare) or answered from its key
    compared: bool = False  # it carried a compare (Shopify changeFromQuantity not null)
    at: float = 0.0  # time.monotonic() when it arrived
    answer_lost: bool = False  # its answer was lost (timeout-after, malformed): retried


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        vals = self.query.get(name)
        return vals[-1] if vals else default

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None,
             content_type: str = "application/json; charset=UTF-8") -> Response:
        h = {"Content-Type": content_type}
        h.update(headers or {})
        return cls(status, json.dumps(data).encode("utf-8"), h)

    @classmethod
    def html(cls, status: int, title: str) -> Response:
        page = (f"<!DOCTYPE html><html><head><title>{status} {title}</title></head>"
                f"<body><h1>{title}</h1><hr><center>nginx</center></body></html>")
        return cls(status, page.encode(), {"Content-Type": "text/html"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The status line and headers go out in one write and the body in another: with
    # Nagle on, the body waits for the client's delayed ACK (~40 ms a request).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def _dispatch(self) -> None:
        emu = self.server.emulator
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(
            self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
            {k.lower(): v for k, v in self.headers.items()}, body,
        )
        if req.path.startswith(CONTROL_PREFIX):
            self._send(emu.control(req))
            return
        if emu.latency:
            time.sleep(emu.latency)
        fault = emu.faults.pick(req.path)
        emu.count_request(req)
        if fault == "reset":
            self._reset()
            return
        if fault in BEFORE:
            self._send(emu.fault_response(fault))
            return
        emu.request_fault.kind = fault  # what the write log notes of this request
        try:
            resp = emu.handle(req)
        except Exception as e:  # noqa: BLE001 - the emulator answers like a broken server
            resp = Response.json({"error": f"emulator bug: {type(e).__name__}: {e}"}, 500)
        if fault == "timeout-after":
            time.sleep(emu.faults.hang_seconds)
            self._reset()
            return
        if fault == "malformed":
            resp = Response(200, resp.body[: max(1, len(resp.body) // 2)] or b"{",
                            {"Content-Type": "application/json"})
        self._send(resp)

    def _send(self, resp: Response) -> None:
        try:
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _reset(self) -> None:
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, emulator: Emulator):
        self.emulator = emulator
        super().__init__(addr, _Handler)


class Emulator:
    """Base of every cart emulator. Subclasses set `kind` and implement `handle`.

    State is guarded by `self.lock`; `applied` counts, per cart SKU, how many times a
    quantity change was applied (tests use it to prove nothing was applied twice)."""

    kind = "base"

    def __init__(self, *, faults: str = "", seed: int | None = None):
        self.lock = threading.RLock()
        self.faults = Faults(faults, seed)
        self.requests: Counter[str] = Counter()
        self.applied: Counter[str] = Counter()
        self.writes: dict[str, list[Write]] = {}
        self.request_fault = threading.local()  # the fault of the request being handled
        self.latency = 0.0  # seconds added to every API request (a slow cart)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        self._server = _Server((host, port), self)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=f"{self.kind}-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Emulator:
        return self if self._server else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "emulator not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- hooks -----------------------------------------------------------------------
    def handle(self, req: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        """Plain JSON state for tests in another process: {"items": {sku: qoh}, ...}."""
        return {}

    def log_write(self, sku: str, value, before, *, key: str = "", request: str = "",
                  applied: bool = True, compared: bool = False) -> None:
        with self.lock:
            lost = getattr(self.request_fault, "kind", None) in ("timeout-after", "malformed")
            self.writes.setdefault(sku, []).append(
                Write(value, before, key, request, applied, compared, time.monotonic(), lost))

    def count_request(self, req: Request) -> None:
        with self.lock:
            self.requests[f"{req.method} {req.path}"] += 1

    def fault_response(self, fault: str) -> Response:
        if fault == "429":
            return Response.json({"error": "Too Many Requests"}, 429,
                                 {"Retry-After": str(self.faults.retry_after)})
        if fault == "html":
            return Response.html(502, "Bad Gateway")
        return Response.json({"error": "Internal Server Error"}, int(fault))

    def control(self, req: Request) -> Response:
        sub = req.path[len(CONTROL_PREFIX):]
        if sub == "/state" and req.method == "GET":
            with self.lock:
                state = self.snapshot()
                state.update(applied=dict(self.applied), requests=dict(self.requests),
                             faults_injected=dict(self.faults.injected))
            return Response.json(state)
        if sub == "/faults" and req.method == "POST":
            data = req.json() or {}
            try:
                self.faults.set_spec(data.get("spec", ""))
            except FaultSpecError as e:
                return Response.json({"error": str(e)}, 400)
            return Response.json({"ok": True})
        return Response.json({"error": "no such control endpoint"}, 404)
