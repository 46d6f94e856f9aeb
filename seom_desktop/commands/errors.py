"""The error a command raises for bad input from the command line (the CLI exits 2)."""

from __future__ import annotations


class BadInput(Exception):
    """Bad input from the command line: exit 2, one `error:` line naming the problem."""


__all__ = ["BadInput"]
