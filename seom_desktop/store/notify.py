"""The channel on which a PostgreSQL store announces new web stack rows."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

CHANNEL = "seom_stack"


def notify_stack(session: Session) -> None:
    """Queue a NOTIFY in the session's transaction (PostgreSQL sends it at commit)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        if not session.info.get("stack_notified"):
            session.execute(text(f"NOTIFY {CHANNEL}"))
            session.info["stack_notified"] = True
