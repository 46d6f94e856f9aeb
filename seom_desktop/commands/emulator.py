"""emulator KIND: serve an emulated cart on loopback until stopped."""

from __future__ import annotations

import signal
import threading

from seom_desktop.commands._args import described, literal_values
from seom_desktop.commands.errors import BadInput


def register(sub, common) -> None:
    p = sub.add_parser("emulator", parents=[common], help="serve an emulated cart", **described(
        "Serve an emulated shopping cart on this machine's loopback (for trials and tests): "
        "it speaks the cart's API and prints its URL; stop it with Ctrl-C or SIGTERM.",
        "seom-desktop emulator woocommerce --port 8081 --items 100",
        "seom-desktop emulator shopify --fault 429:0.1        one request in ten refused",
        more="KIND: woocommerce | shopify | bigcommerce | magento | miva"))
    p.add_argument("kind", help="woocommerce, shopify, bigcommerce, magento or miva")
    p.add_argument("--port", type=int, default=0, help="the port (default: any free port)")
    p.add_argument("--fault", default="", metavar="SPEC",
                   help="faults to inject, KIND:RATE,...: 429, 500, 503, reset, html, "
                        "timeout-after, malformed, or all; e.g. 429:0.1,500:0.05 or all:0.2")
    p.add_argument("--seed", type=int, default=None,
                   help="seed of the fault injection (the same faults on each run)")
    p.add_argument("--items", type=int, default=0, help="create this many demo items")
    p.add_argument("--locations", type=int, default=1, metavar="N",
                   help="serve N stock locations (shopify, bigcommerce, magento); "
                        "demo items are stocked at each")
    p.set_defaults(handler=literal_values(cmd_emulator))


def cmd_emulator(ctx) -> int:
    from seom_desktop.emulators.base import FaultSpecError
    from seom_desktop.emulators.registry import emulator_class

    a = ctx.args
    try:
        cls = emulator_class(a.kind)
        emu = cls(seed=a.seed)
        emu.faults.set_spec(a.fault)  # after construction: some emulators reset on init
    except (ValueError, FaultSpecError) as e:
        raise BadInput(str(e)) from None
    if not 0 <= a.port <= 65535:
        raise BadInput(f"port {a.port} is out of range")
    if a.items < 0:
        raise BadInput("--items must be 0 or more")
    if a.locations < 1:
        raise BadInput("--locations must be 1 or more")
    if a.locations > 1 and not hasattr(emu, "add_location"):
        raise BadInput(f"the {a.kind} emulator has one stock location; --locations is for "
                       "shopify, bigcommerce and magento")
    extra = [emu.add_location(f"Warehouse {n}") for n in range(2, a.locations + 1)]
    for i in range(a.items):
        sku = f"SKU-{i + 1:05d}"
        emu.add_item(sku, 10, name=f"Demo item {i + 1}")
        for location in extra:
            emu.set_quantity(sku, 10, location)
    emu.start(port=a.port)
    print(f"{a.kind} emulator on {emu.url}", flush=True)
    for location in extra:
        print(f"location {location}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    emu.stop()
    return 0
