"""What every command handler needs of its arguments."""

from __future__ import annotations

import functools


def literal_values(handler):
    """argparse turns an option given as `--opt=--` into an empty list (it drops the
    "--"): give the handler the text that was typed, so that it is checked like any
    other value instead of crashing a string function."""

    @functools.wraps(handler)
    def run(ctx):
        for name, value in vars(ctx.args).items():
            if isinstance(value, list) and not value:
                setattr(ctx.args, name, "--")
        return handler(ctx)

    return run


def printable(text: object) -> str:
    """Text from the store or a cart, safe to print on a terminal: control characters
    (escape sequences, NUL, carriage returns, bidi overrides) shown as \\x.. escapes."""
    import unicodedata

    out = []
    for c in str(text):
        if unicodedata.category(c) in ("Cc", "Cf") and c != "\t":
            out.append(c.encode("unicode_escape").decode("ascii"))
        else:
            out.append(c)
    return "".join(out)


def described(description: str, *examples: str, more: str = "") -> dict:
    """add_parser keywords for a command's --help: what it does, then its examples
    ("seom-desktop ..." lines, each with what it does after two spaces) and `more`."""
    import argparse

    text = "example:\n" if len(examples) == 1 else "examples:\n"
    text += "\n".join(f"  {e}" for e in examples)
    if more:
        text += "\n\n" + more
    return {"description": description, "epilog": text,
            "formatter_class": argparse.RawDescriptionHelpFormatter}
