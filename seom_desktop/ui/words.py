"""Counts in the clerk's words: "1 product", "2 products", never "1 products" or
"record(s)"."""

from __future__ import annotations

IRREGULAR = {"entry": "entries", "batch": "batches", "is": "are", "was": "were"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """`n` and the word, singular for exactly one: plural(1, "cart") -> "1 cart"."""
    if n == 1:
        return f"1 {word}"
    return f"{n:,} {many or IRREGULAR.get(word) or word + 's'}"
