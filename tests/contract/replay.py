"""Replaying answers recorded from the real cart APIs, and comparing their shape with
what our emulators answer.

A `Recording` is one real answer (its status, headers and body) with the request it
answered and where it was published (`source`: a documentation page, the cart's own
source, a public recording of a live store). `ReplayCart` serves recordings on a real
loopback socket, in order, to the request each one answered: a connector pointed at it
meets the cart's own words. A request no recording answers gets a 599 that names it, so
the test fails saying what the connector asked that nobody recorded.

`shape()` reduces a JSON value to its structure (keys and value kinds); `assert_covers`
checks that the emulator's answer to the same request has every key of the recording,
with a value of the same kind (null matches any kind: a nullable field; an empty list
matches any list, since an order without taxes is as real as one with). Where the
emulator and a recording disagree, the recording wins.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from seom_desktop.emulators.base import Emulator, Request, Response


@dataclass(frozen=True)
class Recording:
    """One recorded answer. `path` is a regular expression matched against the whole
    request path (the query string excluded); `query` lists parameters that must be
    present with these values; `body_has` is a substring the request body must contain."""

    method: str
    path: str
    body: Any
    source: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body_has: str = ""

    def matches(self, req: Request) -> bool:
        if req.method != self.method or not re.fullmatch(self.path, req.path):
            return False
        for name, value in self.query.items():
            if req.arg(name) != value:
                return False
        return not self.body_has or self.body_has in req.body.decode("utf-8", "replace")

    def response(self) -> Response:
        if isinstance(self.body, (bytes, str)):
            raw = self.body.encode() if isinstance(self.body, str) else self.body
            headers = {"Content-Type": "application/json; charset=UTF-8", **self.headers}
            return Response(self.status, raw, headers)
        return Response.json(self.body, self.status, dict(self.headers))


class ReplayCart(Emulator):
    """Serves `recordings`: each request gets the first unused recording that matches it
    (`reuse=True` lets a recording answer again once all matching ones are used)."""

    kind = "replay"

    def __init__(self, recordings: list[Recording], *, reuse: bool = False):
        super().__init__()
        self.recordings = list(recordings)
        self.used: list[bool] = [False] * len(self.recordings)
        self.reuse = reuse
        self.received: list[Request] = []
        self.unanswered: list[str] = []
        self._replay_lock = threading.Lock()

    def handle(self, req: Request) -> Response:
        with self._replay_lock:
            self.received.append(req)
            candidates = [i for i, r in enumerate(self.recordings) if r.matches(req)]
            fresh = [i for i in candidates if not self.used[i]]
            pick = fresh[0] if fresh else (candidates[-1] if candidates and self.reuse else None)
            if pick is None:
                what = f"{req.method} {req.path}"
                self.unanswered.append(what)
                return Response.json({"replay": f"no recording answers {what}"}, 599)
            self.used[pick] = True
            return self.recordings[pick].response()


def shape(value: Any) -> Any:
    """The structure of a JSON value: dicts keep their keys, a list becomes the merged
    shape of its elements, a scalar its kind."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        merged: Any = None
        for v in value:
            merged = _merge(merged, shape(v))
        return [merged] if value else []
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _merge(a: Any, b: Any) -> Any:
    if a is None or a == "null":
        return b
    if b == "null":
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _merge(out.get(k), v)
        return out
    if isinstance(a, list) and isinstance(b, list):
        return [_merge(a[0] if a else None, b[0] if b else None)] if (a or b) else []
    return a


def differences(recorded: Any, emulated: Any, where: str = "$") -> list[str]:
    """Where `emulated` lacks a key of `recorded`, or holds another kind of value."""
    r, e = shape(recorded), shape(emulated)
    out: list[str] = []
    _compare(r, e, where, out)
    return out


def _compare(r: Any, e: Any, where: str, out: list[str]) -> None:
    if r == "null" or e == "null":
        return
    if isinstance(r, dict):
        if not isinstance(e, dict):
            out.append(f"{where}: recorded an object, emulator answered {_kind(e)}")
            return
        for k, v in r.items():
            if k not in e:
                out.append(f"{where}.{k}: recorded, missing from the emulator's answer")
            else:
                _compare(v, e[k], f"{where}.{k}", out)
    elif isinstance(r, list):
        if not isinstance(e, list):
            out.append(f"{where}: recorded a list, emulator answered {_kind(e)}")
        elif r and e and r[0] is not None and e[0] is not None:
            _compare(r[0], e[0], f"{where}[]", out)
    elif r != e:
        out.append(f"{where}: recorded {r}, emulator answered {_kind(e)}")


def _kind(s: Any) -> str:
    return "an object" if isinstance(s, dict) else "a list" if isinstance(s, list) else str(s)


def assert_covers(recorded: Any, emulated: Any, source: str) -> None:
    """The emulator's answer has the recording's shape (the recording wins)."""
    diffs = differences(recorded, emulated)
    assert not diffs, f"emulator differs from the recording ({source}):\n" + "\n".join(diffs)


__all__ = ["Recording", "ReplayCart", "assert_covers", "differences", "shape"]
