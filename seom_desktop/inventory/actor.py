"""Who makes a change and on which workstation (for the ledger and the web stack)."""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass


def default_workstation() -> str:
    return os.environ.get("SEOM_WORKSTATION", "").strip() or socket.gethostname() or "workstation"


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Actor:
    user: str
    workstation: str

    @classmethod
    def current(cls, workstation: str | None = None) -> Actor:
        return cls(default_user(), workstation or default_workstation())
