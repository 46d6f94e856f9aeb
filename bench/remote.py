"""Emulated carts served by child processes.

A cart is another machine: its work (routing, JSON, cost accounting) must not share the
benchmarked process's interpreter, or the figures would count the emulator's time and
its share of the GIL as the application's. Each `RemoteEmulator` starts one emulator in a
spawned process and drives it through a pipe: items are added in bulk, and the benchmark
asks for quantities, request counts and cost points when it needs them.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from typing import Any

# --- the child ------------------------------------------------------------------------


def _quantities(emu, skus=None) -> dict[str, int | None]:
    return {s: emu.quantity(s) for s in (skus if skus is not None else _skus(emu))}


def _skus(emu) -> list[str]:
    return list(emu.snapshot().get("items", {}))


def _set_quantities(emu, values: dict[str, int]) -> None:
    with emu.lock:
        for sku, q in values.items():
            if emu.kind == "woocommerce":
                emu._skus[sku]["stock_quantity"] = q
            else:
                emu.set_quantity(sku, q)


def _counts(emu) -> dict[str, dict[str, int]]:
    with emu.lock:
        return {"requests": dict(emu.requests),
                "root_fields": dict(getattr(emu, "root_fields", {}))}


def _clear_counts(emu) -> None:
    with emu.lock:
        emu.requests.clear()
        if hasattr(emu, "root_fields"):
            emu.root_fields.clear()
        if hasattr(emu, "bucket"):
            emu.bucket.set_available(emu.bucket.maximum)
            emu.spent = 0.0


def _count_spend(emu) -> None:
    """From now on, add up the cost points the Shopify emulator charges."""
    real = emu.bucket.spend
    emu.spent = 0.0

    def spend(points: float) -> None:
        emu.spent += points
        real(points)

    emu.bucket.spend = spend


def _bucket(emu) -> dict[str, float]:
    return {"maximum": emu.bucket.maximum, "restore_rate": emu.bucket.restore_rate,
            "spent": getattr(emu, "spent", 0.0)}


def _add_items(emu, items: list[tuple[str, int]]) -> list[str]:
    return [emu.add_item(sku, q) for sku, q in items]


def _shopify_counts(emu) -> dict[str, int]:
    """THROTTLED answers given and bulk operations started (the Shopify emulator)."""
    with emu.lock:
        return {"throttled": emu.throttled, "bulk_runs": emu.bulk.runs}


OPS = {"shopify_counts": _shopify_counts, "quantities": _quantities, "set_quantities": _set_quantities, "counts": _counts,
       "clear_counts": _clear_counts, "count_spend": _count_spend, "bucket": _bucket,
       "add_items": _add_items}


def _serve(conn, kind: str, kwargs: dict[str, Any]) -> None:
    from seom_desktop.emulators.registry import emulator_class

    emu = emulator_class(kind)(**kwargs).start()
    conn.send({"url": emu.url, "key": getattr(emu, "key", ""),
               "secret": getattr(emu, "secret", ""), "token": getattr(emu, "token", "")})
    while True:
        try:
            op, args = conn.recv()
        except EOFError:
            break
        if op == "stop":
            break
        try:
            conn.send(("ok", OPS[op](emu, *args)))
        except Exception as e:  # noqa: BLE001 - handed back to the caller to raise
            conn.send(("error", f"{type(e).__name__}: {e}"))
    emu.stop()


# --- the parent -----------------------------------------------------------------------
class RemoteEmulator:
    """The parts of an emulator a benchmark uses, served by a child process."""

    def __init__(self, kind: str, **kwargs: Any):
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, kind, kwargs), daemon=True,
                                 name=f"{kind}-emulator")
        self._proc.start()
        info = self._conn.recv()
        self.kind = kind
        self.url, self.key, self.secret, self.token = (info["url"], info["key"],
                                                       info["secret"], info["token"])

    def _call(self, op: str, *args: Any) -> Any:
        self._conn.send((op, args))
        status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"emulator {self.kind}: {op}: {value}")
        return value

    def add_items(self, items: list[tuple[str, int]]) -> list[str]:
        out: list[str] = []
        for k in range(0, len(items), 5000):
            out += self._call("add_items", items[k:k + 5000])
        return out

    def quantities(self, skus: list[str] | None = None) -> dict[str, int | None]:
        return self._call("quantities", skus)

    def quantity(self, sku: str) -> int | None:
        return self.quantities([sku])[sku]

    def set_quantities(self, values: dict[str, int]) -> None:
        self._call("set_quantities", values)

    @property
    def requests(self) -> Counter[str]:
        return Counter(self._call("counts")["requests"])

    @property
    def root_fields(self) -> Counter[str]:
        return Counter(self._call("counts")["root_fields"])

    def clear_counts(self) -> None:
        """Request counts to zero (and a Shopify cost bucket full again)."""
        self._call("clear_counts")

    def shopify_counts(self) -> dict[str, int]:
        return self._call("shopify_counts")

    def count_spend(self) -> None:
        self._call("count_spend")

    def bucket(self) -> dict[str, float]:
        return self._call("bucket")

    def stop(self) -> None:
        try:
            self._conn.send(("stop", ()))
        except (BrokenPipeError, OSError):
            pass
        self._proc.join(10)
        if self._proc.is_alive():
            self._proc.kill()
