"""reconcile CART [--fix] [--json]: compare a cart with what it should show, and queue
a correction for each difference (sync/reconcile.py).

Exit status: 0 done (differences or not); 2 bad input (unknown cart, a cart that cannot
be read, --fix for a cart the web stack does not send to), nothing changed; 1 the cart
could not be read (its message; the failed run is recorded) or the run was cancelled.

--json: {"cart", "checked", "different": [{"sku", "cart_sku", "location", "cart_qoh",
"should_show", "since", "outcome"}], "fixed", "waiting_for_orders": [sku], "on_its_way",
"orders_imported", "orders_error", "error", "cancelled"} ("location": the cart's location
for a cart with mapped locations, each compared on its own; else "")
"""

from __future__ import annotations

import sys

from seom_desktop.commands._args import literal_values, printable

EXAMPLE = """\
examples:
  seom-desktop reconcile "Web Store"            report the differences, change nothing on the cart
  seom-desktop reconcile "Web Store" --fix      queue one correction per difference
  seom-desktop reconcile "Web Store" --json     one JSON document on stdout

The cart's outstanding orders are imported first. A difference that a sale on the cart,
not imported yet, explains is reported and never overwritten. Each run is recorded (the
Drift Report of Advanced Cart Functions shows the last one). Exit status: 0 done,
2 bad input (nothing changed), 1 the cart could not be read."""


def register(sub, common) -> None:
    import argparse

    p = sub.add_parser(
        "reconcile", parents=[common], help="compare a cart with what it should show; "
        "--fix queues a correction per difference",
        description="Import the cart's outstanding orders, read the whole cart and compare "
                    "every synchronized item with what it should show (the store's QOH "
                    "shaped by the item's web fields).",
        epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cart", help="the cart's name (as in cart list)")
    p.add_argument("--fix", action="store_true",
                   help="queue one correction row in the web stack per difference (the "
                        "cart must synchronize inventory, and SynchQOH be TRUE)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_reconcile))


SHOWN = 20  # differences listed in the human summary; --json has them all


def cmd_reconcile(ctx) -> int:
    from seom_desktop.commands.transfer import _ctrl_c_cancels
    from seom_desktop.sync.reconcile import reconcile

    a = ctx.args
    with _ctrl_c_cancels() as flag:
        r = reconcile(ctx.store, a.cart, fix=a.fix, progress=flag, actor=ctx.actor)

    def text() -> None:
        ctx.out(printable(f"reconcile {r.summary()}"))
        for d in r.different[:SHOWN]:
            shows = "-" if d.cart_qoh is None else str(d.cart_qoh)
            since = f", store otherwise since {d.since:%Y-%m-%d %H:%M:%S} UTC" if d.since else ""
            at = f" at {d.location}" if d.location else ""
            ctx.out(printable(f"{d.sku}{at}: cart shows {shows}, should show {d.should_show}"
                              f"{since}: {d.outcome}"))
        if len(r.different) > SHOWN:
            ctx.out(f"... and {len(r.different) - SHOWN} more (--json lists them all)")
        if r.orders_error:
            ctx.out(printable(f"orders not imported: {r.orders_error}"))

    ctx.emit(r.as_json(), text)
    if r.error:
        print(printable(f"error: {r.error}"), file=sys.stderr)
        return 1
    if r.cancelled:
        print("error: cancelled; what was done is kept", file=sys.stderr)
        return 1
    return 0
