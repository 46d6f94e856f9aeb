"""demo: a demo store, an emulated WooCommerce and Shopify cart on loopback, the window."""

from __future__ import annotations

from pathlib import Path

from seom_desktop.commands._args import described, literal_values
from seom_desktop.commands.errors import BadInput
from seom_desktop.commands.gui import DIALOGS


def register(sub, common) -> None:
    p = sub.add_parser("demo", parents=[common],
                       help="demo store + emulated carts on loopback + the window",
                       **described("A demo store with products and two emulated carts "
                                   "(WooCommerce, Shopify) served on this machine's "
                                   "loopback, then the window on it.",
                                   "seom-desktop demo                          the demo",
                                   "seom-desktop demo --products 50 --screenshot demo.png"))
    p.add_argument("--screenshot", metavar="PNG", help="save a PNG of the window and exit")
    p.add_argument("--open", metavar="DIALOG", choices=DIALOGS, dest="open_dialog",
                   help="open this dialog over the window: " + ", ".join(DIALOGS))
    p.add_argument("--folder", metavar="DIR",
                   help="where the demo store (and, without an OS keyring, the demo "
                        "credentials) live; default: demo/ in the user data folder")
    p.add_argument("--products", type=int, default=300, metavar="N",
                   help="demo products to create (default 300)")
    p.set_defaults(handler=literal_values(cmd_demo))


def cmd_demo(ctx) -> int:
    from seom_desktop.demo import setup_demo

    a = ctx.args
    if not 1 <= a.products <= 5000:
        raise BadInput(f"--products must be between 1 and 5000, not {a.products}")
    folder = Path(a.folder).expanduser() if a.folder else None
    if folder is not None and folder.exists() and not folder.is_dir():
        raise BadInput(f"--folder {a.folder!r} is not a folder")
    # Only an explicit --store: the demo never fills the everyday store on its own.
    demo = setup_demo(workstation=ctx.workstation, store_url=getattr(a, "store", None),
                      folder=folder, products=a.products,
                      say=lambda text: print(text, flush=True))
    try:
        from seom_desktop.ui.app import run_gui

        return run_gui(demo.store, workstation=ctx.workstation, screenshot=a.screenshot,
                       open_dialog=a.open_dialog, cart_probe=demo.probe, banner=demo.banner(),
                       before_shot=_select_first, shot_when=_stack_drained)
    finally:
        demo.stop()


def _select_first(window) -> None:
    if window.model.rowCount() and not window.table.currentIndex().isValid():
        window.table.selectRow(0)


def _stack_drained(window) -> bool:
    """Screenshots of the demo show the carts once the first changes reached them."""
    snap = window.status.snapshot
    if snap is None:
        return False
    c = snap.counts
    return c["sent"] > 0 and not (c["pending"] or c["sending"] or c["failed"])
