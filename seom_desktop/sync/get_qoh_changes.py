"""The QOH changes of a Get QOH report, kept compactly: every change is shown to the clerk
and printed by `get-qoh --json`, so all are kept, but as arrays of quantities and the
SKUs' characters joined 4,096 to a string, rather than a dict and a SKU string each
(about 240 B a change, 240 MB for 1,000,000: bench/README.md, "Issue 23: peak RSS").
Read back, a change is the same dict as before: {"sku", "cart_sku", "store_qoh",
"cart_qoh"}."""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence


class Changes(Sequence):
    """A list-like sequence of changes, in the order they were added. `add` takes one
    change; indexing, slicing, iterating, `len`, `==` against a list and `+` with a list
    behave as they did on the list of dicts. Quantities must be integers (a change is
    a quantity taken, never an unknown one)."""

    __slots__ = ("_blocks", "_cart", "_cart_qoh", "_ends", "_extra", "_parts", "_store_qoh")
    BLOCK = 4096

    def __init__(self, changes=()) -> None:
        self._blocks: list[str] = []  # the store SKUs, BLOCK of them joined in each
        self._parts: list[str] = []  # the SKUs of the block being filled
        self._ends = array("l")  # where each SKU ends in its block
        self._store_qoh = array("q")
        self._cart_qoh = array("q")
        self._cart: dict[int, str] = {}  # the cart SKU of a change, where not the store's
        self._extra: dict[int, dict] = {}  # more words of a change (a location's pull)
        for c in changes:
            self.append(c)

    def add(self, sku: str, cart_sku: str, store_qoh: int, cart_qoh: int, **extra) -> None:
        """One change; `extra`: more keys of its dict (the warehouse and location of a
        location's quantity)."""
        n = len(self._ends)
        self._ends.append((self._ends[-1] if n % self.BLOCK else 0) + len(sku))
        self._parts.append(sku)
        if len(self._parts) == self.BLOCK:  # the strings themselves are not kept
            self._blocks.append("".join(self._parts))
            self._parts.clear()
        self._store_qoh.append(store_qoh)
        self._cart_qoh.append(cart_qoh)
        if cart_sku != sku:
            self._cart[n] = cart_sku
        if extra:
            self._extra[n] = extra

    def append(self, change: dict) -> None:
        """One change given as its dict (the form it is read back in)."""
        self.add(**change)

    def _block(self, b: int) -> str:
        return self._blocks[b] if b < len(self._blocks) else "".join(self._parts)

    def __len__(self) -> int:
        return len(self._ends)

    def _one(self, n: int, text: str) -> dict:
        sku = text[self._ends[n - 1] if n % self.BLOCK else 0:self._ends[n]]
        one = {"sku": sku, "cart_sku": self._cart.get(n, sku),
               "store_qoh": self._store_qoh[n], "cart_qoh": self._cart_qoh[n]}
        if n in self._extra:
            one.update(self._extra[n])
        return one

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        n = range(len(self))[index]  # negative indexes; IndexError past the end
        return self._one(n, self._block(n // self.BLOCK))

    def __iter__(self) -> Iterator[dict]:
        for b in range(0, -(-len(self) // self.BLOCK)):
            text = self._block(b)
            for n in range(b * self.BLOCK, min(len(self), (b + 1) * self.BLOCK)):
                yield self._one(n, text)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Changes, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # mutable, as a list

    def __add__(self, other) -> list[dict]:
        return [*self, *other]

    def __radd__(self, other) -> list[dict]:
        return [*other, *self]

    def __repr__(self) -> str:
        return f"Changes({list(self)!r})"
