"""What every figure shares: the machine it ran on, a store built fast (bulk inserts:
the set-up is not what is measured), the emulated carts, request counts read at the
emulators, peak memory, and a JSON hand-back to `python -m bench`.

Each figure runs in its own process (`python -m bench.<figure> --json FILE [--quick]`),
so peak memory and Qt state belong to that figure alone."""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND",
                      "seom_desktop.testing.keyring_backend.TestKeyring")
os.environ.setdefault("SEOM_WORKSTATION", "bench-ws")

WORKSTATION = "bench-ws"


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu or "unknown",
            "python": platform.python_version(), "system": f"{platform.system()} {platform.release()}"}


def peak_rss_mb() -> float:
    """This process's resident-set high-water mark (Linux: ru_maxrss in KiB)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


class Timer:
    def __enter__(self) -> Timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0


@dataclass
class Figure:
    """One line (or a few) of the table: a measured value beside its target."""

    name: str
    value: float | int | str
    unit: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    def as_json(self) -> dict:
        return {"name": self.name, "value": self.value, "unit": self.unit,
                "target": self.target, "met": self.met, "note": self.note}


_TEMP: list[Path] = []


def temp_dir() -> Path:
    """This process's scratch folder (the store files, the keyring file), removed when the
    process that made it exits (a figure's stores reach 300 MB); SEOM_BENCH_KEEP=1 keeps
    it, to look at the stores afterwards."""
    if not _TEMP:
        path = Path(tempfile.mkdtemp(prefix="seom-bench-"))
        _TEMP.append(path)
        os.environ["SEOM_KEYRING_FILE"] = str(path / "keyring.json")
        if os.environ.get("SEOM_BENCH_KEEP") != "1":
            atexit.register(_remove, path, os.getpid())
    return _TEMP[0]


def _remove(path: Path, owner: int) -> None:
    if os.getpid() == owner:  # not in a child forked after the folder was made
        shutil.rmtree(path, ignore_errors=True)


# --- the shop -------------------------------------------------------------------------
def sku_of(i: int) -> str:
    return f"B-{i:06d}"


def build_store(url: str, n: int, *, carts: dict[str, tuple[object, int]] | None = None,
                qoh: Callable[[int], int] = lambda i: 10, name_of=None,
                on_carts: bool = True):
    """A store of `n` products (bulk-inserted) and the given carts, synchronized, with
    every product on every cart at its QOH and the store believing so, the cart's item
    ids recorded (as after an initial Send QOH To Website). carts: name -> (emulator,
    max_items); an emulator may be a `bench.remote.RemoteEmulator`."""
    from seom_desktop.store.engine import open_store
    from seom_desktop.store.models import Cart, Product, WebField, utcnow
    from seom_desktop.store.params import set_param
    from seom_desktop.sync.cart_setup import define_cart

    store = open_store(url)
    carts = carts or {}
    with store.write() as s:
        set_param(s, "SynchQOH", True)
        set_param(s, "StackRetrySeconds", 0)
        for cname, (emu, max_items) in carts.items():
            if emu.kind == "woocommerce":
                define_cart(s, name=cname, kind="woocommerce", url=emu.url, key=emu.key,
                            secret=emu.secret, sync=True, max_items=max_items)
            else:
                define_cart(s, name=cname, kind="shopify", url=emu.url, token=emu.token,
                            sync=True, max_items=max_items)
    name_of = name_of or (lambda i: f"Bench item number {i}")
    now = utcnow()
    step = 5000  # rows made and inserted a chunk at a time: 1,000,000 never all in memory
    with store.write() as s:
        for k in range(0, n, step):
            s.execute(insert(Product), [{"sku": sku_of(i), "name": name_of(i), "qoh": qoh(i),
                                         "created_at": now, "updated_at": now}
                                        for i in range(k, min(n, k + step))])
    if carts and on_carts:
        with store.write() as s:
            ids = dict(s.execute(select(Product.sku, Product.id)).all())
            cids = dict(s.execute(select(Cart.name, Cart.id)).all())
            for cname, (emu, _m) in carts.items():
                for k in range(0, n, step):
                    pairs = [(sku_of(i), qoh(i)) for i in range(k, min(n, k + step))]
                    if hasattr(emu, "add_items"):
                        item_ids = emu.add_items(pairs)
                    else:
                        item_ids = [emu.add_item(sku, q) for sku, q in pairs]
                    s.execute(insert(WebField), [
                        {"product_id": ids[sku], "cart_id": cids[cname], "sync": True,
                         "reserve": 0, "last_sent_qoh": q, "last_sent_at": now,
                         "last_cart_qoh": q, "last_cart_seen_at": now, "attempted_qoh": "",
                         "cart_item_id": item_id}
                        for (sku, q), item_id in zip(pairs, item_ids, strict=True)])
            del ids
    return store


def bulk_changes(store, changes: list[tuple[int, int]], carts: list[str]) -> int:
    """Record QOH changes as the operations would (QOH moved, one stack row per change
    and cart) in bulk: changes is [(product index, delta)] in the order they happened."""
    from seom_desktop.store.models import Cart, Product, StackRow, utcnow

    now = utcnow()
    with store.write() as s:
        ids = dict(s.execute(select(Product.sku, Product.id)).all())
        cids = [s.scalar(select(Cart.id).where(Cart.name == c)) for c in carts]
        total: dict[int, int] = {}
        rows = []
        for i, delta in changes:
            pid = ids[sku_of(i)]
            total[pid] = total.get(pid, 0) + delta
            for cid in cids:
                rows.append({"cart_id": cid, "product_id": pid, "change": delta,
                             "origin_workstation": WORKSTATION, "state": "pending",
                             "attempts": 0, "last_response": "", "next_attempt_at": now,
                             "created_at": now, "updated_at": now, "claimed_by": ""})
        for k in range(0, len(rows), 5000):
            s.execute(insert(StackRow), rows[k:k + 5000])
        for pid, d in total.items():
            s.execute(update(Product).where(Product.id == pid).values(qoh=Product.qoh + d))
    return len(rows)


def stack_left(store) -> dict[int, int]:
    """Rows not sent yet, by cart id."""
    from sqlalchemy import func

    from seom_desktop.store.models import StackRow

    with store.read() as s:
        return dict(s.execute(select(StackRow.cart_id, func.count(StackRow.id))
                              .where(StackRow.state != "sent")
                              .group_by(StackRow.cart_id)).all())


def woo_requests(emu) -> tuple[int, int]:
    """(writes, reads) the WooCommerce emulator answered."""
    counts = emu.requests
    writes = sum(n for k, n in counts.items() if k.endswith("/batch"))
    reads = sum(n for k, n in counts.items() if k.startswith("GET "))
    return writes, reads


def shopify_requests(emu) -> tuple[int, int, int]:
    """(inventory mutations, variant look-ups, all requests) at the Shopify emulator."""
    fields = emu.root_fields
    writes = sum(n for k, n in fields.items() if k.startswith("inventory")
                 and ("Set" in k or "Adjust" in k))
    lookups = fields.get("productVariants", 0)
    return writes, lookups, sum(emu.requests.values())


# --- running one figure in its own process ------------------------------------------------
def figure_main(run: Callable[[bool], dict]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    temp_dir()
    out = run(args.quick)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    text = json.dumps(out, indent=2, default=str)
    if args.json:
        Path(args.json).write_text(text)
    else:
        print(text)


def growth_arguments(prog: str, what: str, sizes: tuple[int, ...]) -> argparse.ArgumentParser:
    """The options of every growth figure: --sizes (counts of `what`), --quick (the sizes
    up to 100,000), --json (where python -m bench reads the figures)."""
    ap = argparse.ArgumentParser(prog=prog)
    ap.add_argument("--sizes", default=",".join(str(n) for n in sizes),
                    help=f"{what} counts, comma-separated")
    ap.add_argument("--quick", action="store_true", help=f"10,000 and 100,000 {what}s only")
    ap.add_argument("--json", default="", help="write the figures here (python -m bench)")
    return ap


def growth_sizes(args) -> tuple[int, ...]:
    """The sizes asked (growth_arguments' --sizes, --quick)."""
    sizes = tuple(int(x) for x in args.sizes.split(","))
    return tuple(n for n in sizes if n <= 100_000) if args.quick else sizes
