"""gui: the window (the default command)."""

from __future__ import annotations

from seom_desktop.commands._args import described, literal_values

DIALOGS = ("advanced-cart-functions", "adjust-inventory", "shopping-carts",
           "system-parameters", "view-inventory", "stack-controller", "sync-health")


def register(sub, common) -> None:
    p = sub.add_parser("gui", parents=[common], help="the window (default)", **described(
        "Open the window on the store (the default when no command is given).",
        "seom-desktop gui                                  the window",
        "seom-desktop gui --open stack-controller          the window and the Stack Controller",
        "seom-desktop gui --screenshot main.png            save a PNG of the window, then exit",
        more="DIALOG: " + " | ".join(DIALOGS)))
    p.add_argument("--screenshot", metavar="PNG", help="save a PNG of the window and exit")
    p.add_argument("--open", metavar="DIALOG", choices=DIALOGS, dest="open_dialog",
                   help="open this dialog over the window: " + ", ".join(DIALOGS))
    p.set_defaults(handler=literal_values(cmd_gui))


def cmd_gui(ctx) -> int:
    from seom_desktop.ui.app import run_gui

    return run_gui(ctx.store, workstation=ctx.workstation, screenshot=ctx.args.screenshot,
                   open_dialog=ctx.args.open_dialog)
