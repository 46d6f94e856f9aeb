"""send-qoh, get-qoh, orders import: the manual transfers between the store and a cart.

Exit status: 0 done; 2 bad input (unknown cart, a cart that cannot do it, --max-items
not a whole number from 1 to 10,000), nothing changed; 1 the cart failed (its message,
never a secret) or the run was cancelled (Ctrl-C once: stop after the batch in flight;
what was done is kept and reported).

--json documents (one on stdout; on failure too, with "error" set):

send-qoh   {"cart", "total", "batch_size", "sent", "requests",
            "refused": [{"sku", "cart_sku", "message"}],
            "dry_run": null | [{"sku", "cart_sku", "cart_qoh", "would_send", "note"}],
            "cancelled", "error"}
           ("sku" is the store's SKU, "cart_sku" the SKU on the cart; with --dry-run
           "cart_qoh" is what the cart shows now, null when the item is not on the cart
           or its stock is not tracked there, as "note" says; nothing is sent)
get-qoh    {"cart", "read", "unchanged",
            "changed": [{"sku", "cart_sku", "store_qoh", "cart_qoh"}],
            "created": [{"sku", "cart_qoh"}], "unknown": [{"sku", "cart_qoh", "note"}],
            "untracked": [{"sku", "cart_sku", "note"}],
            "not_synced": [{"sku", "cart_sku", "cart_qoh"}], "dry_run", "cancelled", "error"}
           ("store_qoh" is the store's QOH before; with --dry-run what would change)
orders import
           {"cart", "orders", "imported": [order ids], "skipped": [order ids],
            "lines_applied", "unknown_skus": [{"order_id", "sku", "quantity"}],
            "problems": [{"order_id", "sku", "message"}],
            "not_applied": [{"order_id", "status"}], "held": [{"order_id", "status"}],
            "cursor", "cancelled", "error"}
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager

from seom_desktop.commands._args import described, literal_values, printable


def register(sub, common) -> None:
    p = sub.add_parser("send-qoh", parents=[common], help="Send QOH To Website", **described(
        "Send every synchronized product's QOH (shaped by its web fields) to the cart. Exit "
        "status 1 when the cart refused any item (they are listed first).",
        "seom-desktop send-qoh \"Web Store\" --dry-run     what would be sent",
        "seom-desktop send-qoh \"Web Store\" --json"))
    p.add_argument("cart", help="the cart's name")
    p.add_argument("--max-items", metavar="N",
                   help="Maximum number of items to send per request, for this run")
    p.add_argument("--dry-run", action="store_true",
                   help="show per SKU what the cart shows now and what would be sent")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_send_qoh))

    p = sub.add_parser("get-qoh", parents=[common], help="Get QOH From Website", **described(
        "Take the QOH the cart shows into the store for every product it has.",
        "seom-desktop get-qoh \"Web Store\" --dry-run",
        "seom-desktop get-qoh \"Web Store\" --create-new --json"))
    p.add_argument("cart", help="the cart's name")
    p.add_argument("--create-new", action="store_true",
                   help="Create Records for New Products")
    p.add_argument("--dry-run", action="store_true", help="show what would change")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_get_qoh))

    orders = sub.add_parser("orders", parents=[common], help="orders from the carts", **described(
        "Orders placed on the carts.", "seom-desktop orders import \"Web Store\""))
    osub = orders.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = osub.add_parser("import", parents=[common], help="import a cart's new orders", **described(
        "Import the cart's new orders: each lowers the store's QOH once, and the other "
        "synchronized carts hear of it.", "seom-desktop orders import \"Web Store\" --json"))
    p.add_argument("cart", help="the cart's name")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_orders_import))


@contextmanager
def _ctrl_c_cancels():
    """The first Ctrl-C cancels after the batch in flight; a second one interrupts."""
    from seom_desktop.sync.progress import CancelFlag

    # waits for a cart's rate limit (and Shopify preparing a catalog) are said as they come
    flag = CancelFlag(on_note=lambda message: print(message, file=sys.stderr, flush=True))
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def on_sigint(_sig, _frame):
        if flag.cancelled:
            raise KeyboardInterrupt
        flag.cancel()
        print("cancelling after the current batch (Ctrl-C again to interrupt)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def _finish(ctx, report, text) -> int:
    ctx.emit(report.as_json(), text)
    if report.error:
        print(f"error: {report.error}", file=sys.stderr)
        return 1
    if report.cancelled:
        print("error: cancelled; what was done is kept", file=sys.stderr)
        return 1
    return 0


def cmd_send_qoh(ctx) -> int:
    from seom_desktop.store.carts import check_max_items
    from seom_desktop.sync.send_qoh import send_qoh

    a = ctx.args
    max_items = check_max_items(a.max_items) if a.max_items is not None else None
    with _ctrl_c_cancels() as flag:
        r = send_qoh(ctx.store, a.cart, max_items=max_items, dry_run=a.dry_run, progress=flag)

    def text() -> None:
        if r.dry_run is not None:
            ctx.out(f"Send QOH To Website {r.cart} (dry run, nothing sent): {r.total} items, "
                    f"{_requests(r.total, r.batch_size)} requests of at most {r.batch_size}")
            ctx.out("SKU\tcart now\twould send")
            for p in r.dry_run:  # the preview is the point: every line
                now = "-" if p.cart_qoh is None else str(p.cart_qoh)
                sku = p.sku if p.sku == p.cart_sku else f"{p.sku} (cart SKU {p.cart_sku})"
                ctx.out(printable(f"{sku}\t{now}\t{p.would_send}"
                                  + (f"\t({p.note})" if p.note else "")))
        else:
            ctx.out(f"Send QOH To Website {r.cart}: sent {r.sent} of {r.total} items in "
                    f"{r.requests} request(s) of at most {r.batch_size}")
        _listed(ctx, r.refused, lambda x: f"refused {x.sku}: {x.message}")
        _listed(ctx, r.managed, lambda x: f"not sent {x.sku}: {x.message}")

    code = _finish(ctx, r, text)
    if code == 0 and r.dry_run is None and r.refused:  # docs/cli.md: exits 1 once they are listed
        n = len(r.refused)
        print(f"error: {r.cart} refused {n} item{'s' if n != 1 else ''} (listed above); "
              "the others were sent", file=sys.stderr)
        return 1
    return code


SHOWN = 20  # lines per list in the human summary; --json has them all


def _listed(ctx, rows, line) -> None:
    for row in rows[:SHOWN]:
        ctx.out(printable(line(row)))
    if len(rows) > SHOWN:
        ctx.out(f"... and {len(rows) - SHOWN} more (--json lists them all)")


def _requests(total: int, size: int) -> int:
    return -(-total // size) if size else 0


def cmd_get_qoh(ctx) -> int:
    from seom_desktop.sync.get_qoh import get_qoh

    a = ctx.args
    with _ctrl_c_cancels() as flag:
        r = get_qoh(ctx.store, a.cart, create_new=a.create_new, dry_run=a.dry_run,
                    progress=flag, actor=ctx.actor)

    def text() -> None:
        verb = "would change" if r.dry_run else "changed"
        ctx.out(f"Get QOH From Website {r.cart}{' (dry run, nothing written)' if r.dry_run else ''}: "
                f"read {r.read} items; {verb} {len(r.changed)}, "
                f"{'would create' if r.dry_run else 'created'} {len(r.created)}, "
                f"unchanged {r.unchanged}, unknown {len(r.unknown)}, "
                f"not tracked on the cart {len(r.untracked)}, no-sync {len(r.not_synced)}")
        _listed(ctx, r.changed, lambda c: f"{verb} {c['sku']}: {c['store_qoh']} -> {c['cart_qoh']}")
        _listed(ctx, r.created, lambda c: f"{'would create' if r.dry_run else 'created'} "
                f"{c['sku']} (QOH {c['cart_qoh'] if c['cart_qoh'] is not None else 0})")
        _listed(ctx, r.unknown, lambda u: f"unknown {u['sku']} (cart QOH {u['cart_qoh']}): "
                f"{u['note']}")
        _listed(ctx, r.untracked, lambda u: f"not tracked on the cart: {u['sku']}")
        _listed(ctx, r.kits, lambda k: f"left alone {k['sku']} (cart QOH {k['cart_qoh']}): "
                f"{k['note']}")
        _listed(ctx, r.not_synced, lambda u: f"no-sync, left alone: {u['sku']} "
                f"(cart QOH {u['cart_qoh']})")

    return _finish(ctx, r, text)


def cmd_orders_import(ctx) -> int:
    from seom_desktop.sync.orders import import_orders

    with _ctrl_c_cancels() as flag:
        r = import_orders(ctx.store, ctx.args.cart, progress=flag, actor=ctx.actor)

    def text() -> None:
        ctx.out(f"orders import {r.cart}: imported {len(r.imported)} order(s) "
                f"({r.lines_applied} line(s) applied), skipped {len(r.skipped)} imported before")
        _listed(ctx, r.unknown_skus, lambda u: f"unknown SKU {u['sku']!r} in order "
                f"{u['order_id']} (quantity {u['quantity']})")
        _listed(ctx, r.problems, lambda p: f"order {p['order_id']} {p['sku']}: {p['message']}")
        _listed(ctx, r.not_applied, lambda n: f"order {n['order_id']} is {n['status']}: "
                "recorded, stock not changed")
        _listed(ctx, r.held, lambda h: f"order {h['order_id']} is {h['status']}: "
                "left for a later import")

    return _finish(ctx, r, text)
