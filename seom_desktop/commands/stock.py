"""adjust, receive, pos-sale, transfer: the QOH-changing commands."""

from __future__ import annotations

from seom_desktop.commands._args import described, literal_values, printable
from seom_desktop.commands.errors import BadInput


def register(sub, common) -> None:
    p = sub.add_parser("adjust", parents=[common], help="Adjust Inventory", **described(
        "Adjust a product's QOH by a change or to a new value (a ledger row records it; the "
        "synchronized carts hear of it through the web stack).",
        "seom-desktop adjust MUG-BLUE --delta -3 --reason \"broken in transit\"",
        "seom-desktop adjust MUG-BLUE --set 40 --no-send"))
    p.add_argument("sku", help="the product's SKU")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--delta", metavar="N", help="change QOH by N (e.g. 5 or -3)")
    g.add_argument("--set", metavar="N", dest="set_to", help="set QOH to N")
    p.add_argument("--reason", default="", help="why (kept in the ledger)")
    p.add_argument("--no-send", action="store_true",
                   help='clear "Send QOH changes to Web sites" for this adjustment')
    p.add_argument("--warehouse", metavar="NAME",
                   help="the warehouse whose stock changes; with --set, its QOH is set to N "
                        "(default: the default warehouse)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_adjust))

    p = sub.add_parser("receive", parents=[common], help="Receive Purchase Order", **described(
        "Receive stock of a purchase order: QOH goes up by QTY.",
        "seom-desktop receive MUG-BLUE 24 --po PO-1042"))
    p.add_argument("sku", help="the product's SKU")
    p.add_argument("qty", help="how many arrived (1 or more)")
    p.add_argument("--po", default="", metavar="REF", help="the purchase order's reference")
    p.add_argument("--warehouse", metavar="NAME",
                   help="the warehouse whose stock changes (default: the default warehouse)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_receive))

    p = sub.add_parser("pos-sale", parents=[common], help="POS Sale", **described(
        "A sale at the store's point of sale: QOH goes down by QTY.",
        "seom-desktop pos-sale MUG-BLUE 2"))
    p.add_argument("sku", help="the product's SKU")
    p.add_argument("qty", help="how many were sold (1 or more)")
    p.add_argument("--warehouse", metavar="NAME",
                   help="the warehouse whose stock changes (default: the default warehouse)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_pos_sale))

    p = sub.add_parser("transfer", parents=[common],
                       help="move stock between warehouses (the product's QOH is unchanged)",
                       **described("Move stock of a product from one warehouse to another "
                                   "(two ledger rows; carts whose shown quantity moves hear).",
                                   "seom-desktop transfer MUG-BLUE 5 --from Main --to Annex"))
    p.add_argument("sku", help="the product's SKU")
    p.add_argument("qty", help="how many to move (1 or more)")
    p.add_argument("--from", dest="source", required=True, metavar="NAME",
                   help="the warehouse it leaves")
    p.add_argument("--to", dest="target", required=True, metavar="NAME",
                   help="the warehouse it goes to")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_transfer))


def _report(ctx, r) -> None:
    ctx.emit({"sku": r.sku, "delta": r.delta, "qoh": r.qoh_after,
              "stack_rows": len(r.stack_row_ids)},
             f"{r.sku}: QOH {r.qoh_after} ({r.delta:+d}); "
             f"{len(r.stack_row_ids)} web stack record(s) queued")


def cmd_adjust(ctx) -> int:
    from seom_desktop.inventory.operations import adjust

    a = ctx.args
    if a.delta is not None and a.delta.strip() in ("", "+", "-"):
        raise BadInput("--delta needs a whole number")
    with ctx.store.write() as s:
        r = adjust(s, sku=a.sku, actor=ctx.actor, delta=a.delta, set_to=a.set_to,
                   reason=a.reason, send=not a.no_send, warehouse=a.warehouse)
    _report(ctx, r)
    return 0


def cmd_receive(ctx) -> int:
    from seom_desktop.inventory.operations import receive_po

    a = ctx.args
    with ctx.store.write() as s:
        r = receive_po(s, sku=a.sku, quantity=a.qty, po=a.po, actor=ctx.actor,
                       warehouse=a.warehouse)
    _report(ctx, r)
    return 0


def cmd_pos_sale(ctx) -> int:
    from seom_desktop.inventory.operations import pos_sale

    a = ctx.args
    with ctx.store.write() as s:
        r = pos_sale(s, sku=a.sku, quantity=a.qty, actor=ctx.actor, warehouse=a.warehouse)
    _report(ctx, r)
    return 0


def cmd_transfer(ctx) -> int:
    from seom_desktop.inventory.warehouses import transfer

    a = ctx.args
    with ctx.store.write() as s:
        r = transfer(s, sku=a.sku, qty=a.qty, source=a.source, target=a.target, actor=ctx.actor)
    ctx.emit({"sku": r.sku, "qty": r.qty, "from": r.source, "to": r.target,
              "warehouses": r.warehouses, "stack_rows": len(r.stack_row_ids)},
             lambda: ctx.out(printable(
                 f"{r.sku}: moved {r.qty} from {r.source} to {r.target} ("
                 + ", ".join(f"{n} {q}" for n, q in r.warehouses.items())
                 + f"); {len(r.stack_row_ids)} web stack record(s) queued")))
    return 0
