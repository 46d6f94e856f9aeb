"""Get QOH From Website of 100,000 items on SQLite and on PostgreSQL, store and cart on
this machine (the WooCommerce emulator in a child process): every item different, then
1 % different, each on a freshly built store. Prints one line per figure. Not part of
`python -m bench` (it needs a PostgreSQL server from the apt install:
testing/pgserver.py); run it as `python -m bench.get_qoh_pg [--quick] [--only sqlite|pg]`.
Its figures are in bench/README.md."""

from __future__ import annotations

import argparse
import time

from bench.common import build_store, sku_of, temp_dir
from bench.remote import RemoteEmulator


def pull_times(url: str, n: int) -> dict[str, float]:
    from seom_desktop.sync.get_qoh import get_qoh

    out = {}
    for name, cart in (("all different", {sku_of(i): (i % 97) + 1 for i in range(n)}),
                       ("1 % different", {sku_of(i): (i % 97) + 3 for i in range(0, n, 100)})):
        emu = RemoteEmulator("woocommerce")
        store = build_store(url() if callable(url) else url, n, carts={"Woo": (emu, 100)},
                            qoh=lambda i: i % 97)
        try:
            emu.set_quantities(cart)
            t0 = time.perf_counter()
            rep = get_qoh(store, "Woo")
            out[name] = time.perf_counter() - t0
            assert rep.error is None and rep.read == n, rep.as_json()
        finally:
            store.close()
            emu.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="10,000 items instead of 100,000")
    ap.add_argument("--only", choices=["sqlite", "pg"], help="one store kind only")
    args = ap.parse_args()
    n = 10_000 if args.quick else 100_000
    if args.only != "pg":
        folder = temp_dir()
        k = iter(range(1000))
        for what, s in pull_times(lambda: f"sqlite:///{folder / f's{next(k)}.sqlite'}", n).items():
            print(f"sqlite  Get QOH of {n:,}, {what}: {s:.2f} s", flush=True)
    if args.only != "sqlite":
        from seom_desktop.testing.pgserver import PostgresServer

        server = PostgresServer().start()
        try:
            for what, s in pull_times(server.create_database, n).items():
                print(f"pg      Get QOH of {n:,}, {what}: {s:.2f} s", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
