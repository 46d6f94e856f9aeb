"""kit set / show / remove: kits (bundles) whose QOH comes from their components."""

from __future__ import annotations

from seom_desktop.commands._args import described, literal_values, printable


def register(sub, common) -> None:
    kit = sub.add_parser("kit", parents=[common], help="kits (bundles)", **described(
        "Kits: products made of components; a kit's QOH is how many can be made.",
        "seom-desktop kit show GIFT-SET --json"))
    ksub = kit.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = ksub.add_parser("set", parents=[common],
                        help="make KIT a kit of these components (replaces the ones it had; "
                             "a KIT not in the store yet is added)",
                        **described("Make KIT a kit of these components, replacing the ones "
                                    "it had.", "seom-desktop kit set GIFT-SET --component "
                                    "MUG-BLUE:2 --component TEA-100:1 --name \"Gift set\""))
    p.add_argument("kit", metavar="KIT", help="the kit's SKU")
    p.add_argument("--component", action="append", required=True, metavar="SKU:QTY",
                   help="a component and how many of it one kit takes (repeat for each)")
    p.add_argument("--name", help="the name of a kit product added by this command")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_set))
    p = ksub.add_parser("show", parents=[common], help="a kit, its components and its QOH",
                        **described("A kit, its components and its QOH.",
                                    "seom-desktop kit show GIFT-SET --json"))
    p.add_argument("kit", metavar="KIT", help="the kit's SKU")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_show))
    p = ksub.add_parser("remove", parents=[common],
                        help="KIT is no kit any more (the product stays, with no stock)",
                        **described("KIT is no kit any more (the product stays, with no "
                                    "stock).", "seom-desktop kit remove GIFT-SET"))
    p.add_argument("kit", metavar="KIT", help="the kit's SKU")
    p.set_defaults(handler=literal_values(cmd_remove))


def _text(ctx, view) -> None:
    ctx.out(printable(f"{view.sku}  kit  QOH {view.qoh}"))
    for c in view.components:
        mark = "  <- limits the kit" if c.limits else ""
        ctx.out(printable(f"  {c.sku}\t{c.qty} per kit\tQOH {c.qoh}{' (kit)' if c.kit else ''}"
                          f"{mark}"))


def cmd_set(ctx) -> int:
    from seom_desktop.inventory.kits import parse_component, set_kit, touch

    a = ctx.args
    components = [parse_component(text) for text in a.component]
    with ctx.store.write() as s:
        saved = set_kit(s, sku=a.kit, components=components, actor=ctx.actor, name=a.name)
        touch(s, saved.touched, actor=ctx.actor)
    if saved.created and not ctx.json:
        ctx.out(printable(f"added product {a.kit} (a kit)"))
    ctx.emit(saved.view.as_json(), lambda: _text(ctx, saved.view))
    return 0


def cmd_show(ctx) -> int:
    from seom_desktop.inventory.kits import kit_view

    with ctx.store.read() as s:
        view = kit_view(s, ctx.args.kit)
    ctx.emit(view.as_json(), lambda: _text(ctx, view))
    return 0


def cmd_remove(ctx) -> int:
    from seom_desktop.inventory.kits import remove_kit, touch

    with ctx.store.write() as s:
        touched = remove_kit(s, sku=ctx.args.kit)
        touch(s, touched, actor=ctx.actor)
    ctx.out(printable(f"{ctx.args.kit} is no longer a kit (QOH 0: it holds no stock)"))
    return 0
