"""System parameters (Quick Clicks > Set System Parameters): a typed registry with
defaults, groups and validation, stored as text in the `params` table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seom_desktop.store.models import Param

TRUE_WORDS = {"true", "yes", "on", "1"}
FALSE_WORDS = {"false", "no", "off", "0"}


class ParamError(ValueError):
    pass


@dataclass(frozen=True)
class ParamDef:
    name: str
    kind: str  # "bool" | "int" | "text" | "choice"
    default: Any
    group: str
    description: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()

    def parse(self, text: str) -> Any:
        raw = str(text).strip()
        if self.kind == "bool":
            low = raw.lower()
            if low in TRUE_WORDS:
                return True
            if low in FALSE_WORDS:
                return False
            raise ParamError(f"{self.name} must be TRUE or FALSE, not {raw!r}")
        if self.kind == "int":
            try:
                value = int(raw)
            except ValueError:
                raise ParamError(f"{self.name} must be a whole number, not {raw!r}") from None
            if self.minimum is not None and value < self.minimum:
                raise ParamError(f"{self.name} must be at least {self.minimum}, not {value}")
            if self.maximum is not None and value > self.maximum:
                raise ParamError(f"{self.name} must be at most {self.maximum}, not {value}")
            return value
        if self.kind == "choice":
            low = raw.lower()
            if low not in self.choices:
                raise ParamError(f"{self.name} must be one of {', '.join(self.choices)}, not {raw!r}")
            return low
        if len(raw) > 255 or any(ord(c) < 32 for c in raw):
            raise ParamError(f"{self.name} must be a short line of text")
        return raw

    def format(self, value: Any) -> str:
        if self.kind == "bool":
            return "TRUE" if value else "FALSE"
        return str(value)


PARAMS: dict[str, ParamDef] = {
    p.name: p
    for p in [
        ParamDef("SynchQOH", "bool", False, "Program",
                 "Send QOH changes to every cart whose Synchronize Inventory is on. "
                 "Affects ALL carts of this store."),
        ParamDef("StackMaxAttempts", "int", 10, "Program",
                 "A web stack record is bypassed after this many failed attempts.",
                 minimum=1, maximum=1000),
        ParamDef("StackRetrySeconds", "int", 30, "Program",
                 "Base of the exponential back-off between attempts (0: retry at once).",
                 minimum=0, maximum=86_400),
        ParamDef("SharedStackController", "text", "", "Program",
                 "The workstation that sends the web stack for all (empty: each "
                 "workstation sends its own changes)."),
        ParamDef("StackLeaseSeconds", "int", 30, "Program",
                 "How long the shared controller's lease lasts without a heartbeat.",
                 minimum=5, maximum=3600),
        ParamDef("StackFailoverWorkstation", "text", "", "Program",
                 "A workstation allowed to take over as shared controller when the lease "
                 "goes stale (empty: nobody takes over)."),
        ParamDef("ReconcileMinutes", "int", 0, "Program",
                 "Every this many minutes, the stack controller that sends for this "
                 "workstation compares every synchronized cart with what it should show "
                 "and queues a correction for each difference (0: never).",
                 minimum=0, maximum=10_080),
        ParamDef("HealthSampleSeconds", "int", 60, "Program",
                 "How often the stack controller records each cart's pending, waiting, "
                 "failed and bypassed rows for the Sync Health window.",
                 minimum=10, maximum=3600),
        ParamDef("HealthHistoryDays", "int", 30, "Program",
                 "Sync Health history (samples, reconcile runs, sent web stack records) "
                 "older than this many days is deleted by the stack controller.",
                 minimum=1, maximum=3650),
        ParamDef("AllowNegativeQOH", "bool", False, "Inventory",
                 "Allow adjustments and POS sales to take QOH below zero."),
        ParamDef("TrackInventoryAdjustments", "bool", False, "Inventory",
                 "Require a reason for every manual inventory adjustment."),
        ParamDef("LogLevel", "choice", "info", "Program", "Detail of the log file.",
                 choices=("debug", "info", "warning", "error")),
    ]
}


def param_def(name: str) -> ParamDef:
    for key, p in PARAMS.items():
        if key.lower() == (name or "").strip().lower():
            return p
    raise ParamError(f"unknown parameter {name!r} (known: {', '.join(PARAMS)})")


def get_param(session: Session, name: str) -> Any:
    row = session.get(Param, param_def(name).name)
    return stored_param(name, None if row is None else row.value)


def stored_param(name: str, stored: str | None) -> Any:
    """The value of parameter `name` whose stored text is `stored` (None: not stored;
    the default then, and for text that does not parse)."""
    p = param_def(name)
    if stored is None:
        return p.default
    try:
        return p.parse(stored)
    except ParamError:
        return p.default


def set_param(session: Session, name: str, value: Any) -> Any:
    """Validate and store; returns the parsed value. Raises ParamError, changing nothing."""
    p = param_def(name)
    parsed = p.parse(value if isinstance(value, str) else p.format(value))
    row = session.get(Param, p.name)
    if row is None:
        session.add(Param(name=p.name, value=p.format(parsed)))
    else:
        row.value = p.format(parsed)
    session.flush()
    return parsed


def all_params(session: Session) -> dict[str, Any]:
    stored = {r.name: r.value for r in session.scalars(select(Param))}
    out = {}
    for name, p in PARAMS.items():
        try:
            out[name] = p.parse(stored[name]) if name in stored else p.default
        except ParamError:
            out[name] = p.default
    return out
