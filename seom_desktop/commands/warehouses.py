"""warehouse add/list: the places the store keeps stock."""

from __future__ import annotations

from seom_desktop.commands._args import described, literal_values, printable


def register(sub, common) -> None:
    wh = sub.add_parser("warehouse", parents=[common], help="warehouses", **described(
        "The places the store keeps stock.", "seom-desktop warehouse list --json"))
    wsub = wh.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = wsub.add_parser("add", parents=[common], help="define a warehouse", **described(
        "Define a warehouse.", "seom-desktop warehouse add Annex",
        "seom-desktop warehouse add Main --default"))
    p.add_argument("name", help="the warehouse's name")
    p.add_argument("--default", action="store_true",
                   help="make it the default warehouse (changes that name none go to it)")
    p.set_defaults(handler=literal_values(cmd_add))
    p = wsub.add_parser("list", parents=[common], help="list warehouses", **described(
        "Every warehouse, and which is the default.", "seom-desktop warehouse list --json"))
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_list))


def cmd_add(ctx) -> int:
    from seom_desktop.inventory.warehouses import add_warehouse

    a = ctx.args
    with ctx.store.write() as s:
        v = add_warehouse(s, a.name, default=a.default)
    ctx.out(printable(f"added warehouse {v.name}" + (" (default)" if v.default else "")))
    return 0


def cmd_list(ctx) -> int:
    from seom_desktop.inventory.warehouses import list_warehouses

    with ctx.store.read() as s:
        rows = [w.as_json() for w in list_warehouses(s)]
    ctx.emit(rows, lambda: [ctx.out(printable(r["name"] + ("\tdefault" if r["default"] else "")))
                            for r in rows])
    return 0
