"""init, product add/list/show, webfields set."""

from __future__ import annotations

from seom_desktop.commands._args import described, literal_values, printable
from seom_desktop.commands.errors import BadInput


def register(sub, common) -> None:
    p = sub.add_parser("init", parents=[common], help="create or upgrade the store", **described(
        "Create the store (or upgrade it to this version's schema) at --store, else at "
        "$SEOM_STORE, else in a SQLite file in the user data folder.",
        "seom-desktop init",
        "seom-desktop init --store postgresql+psycopg://user@dbhost/shop   a shared store"))
    p.set_defaults(handler=literal_values(cmd_init))

    prod = sub.add_parser("product", parents=[common], help="products", **described(
        "Add, list, show a product; set its reorder point.", "seom-desktop product list",
        "seom-desktop product show SKU-1 --json"))
    psub = prod.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = psub.add_parser("add", parents=[common], help="add a product", **described(
        "Add a product with its starting quantity on hand (a ledger row records it).",
        "seom-desktop product add MUG-BLUE --name \"Blue mug\" --qoh 12"))
    p.add_argument("sku", help="the product's SKU (unique in the store)")
    p.add_argument("--name", required=True, help="the product's name")
    p.add_argument("--qoh", default="0", metavar="N",
                   help="its quantity on hand to start with (default 0)")
    p.set_defaults(handler=literal_values(cmd_add))
    p = psub.add_parser("list", parents=[common], help="list products", **described(
        "Every product with its QOH.", "seom-desktop product list",
        "seom-desktop product list --low-stock --json   what is at or below its reorder point"))
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.add_argument("--low-stock", action="store_true",
                   help="only products whose QOH is at or below their reorder point")
    p.set_defaults(handler=literal_values(cmd_list))
    p = psub.add_parser("set", parents=[common], help="set a product's reorder point",
                        **described("Set (or clear) a product's reorder point: at or below "
                                    "it the product is low on stock.",
                                    "seom-desktop product set MUG-BLUE --reorder-point 5",
                                    "seom-desktop product set MUG-BLUE --reorder-point none"))
    p.add_argument("sku", help="the product's SKU")
    p.add_argument("--reorder-point", metavar="N",
                   help="low stock at or below N (a whole number >= 0; 'none' clears it)")
    p.set_defaults(handler=literal_values(cmd_set))
    p = psub.add_parser("show", parents=[common], help="show one product and its web fields",
                        **described("One product: its QOH, warehouses, kit components, and "
                                    "per cart its web fields and what the cart should show.",
                                    "seom-desktop product show MUG-BLUE --json"))
    p.add_argument("sku", help="the product's SKU")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_show))

    wf = sub.add_parser("webfields", parents=[common], help="an item's Web Fields", **described(
        "An item's Web Fields: per cart, whether it synchronizes and how its quantity is "
        "shown there.", "seom-desktop webfields set MUG-BLUE --cart \"Web Store\" --no-sync"))
    wsub = wf.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = wsub.add_parser("set", parents=[common], help="set an item's web fields for a cart",
                        **described("Set an item's web fields for one cart; a change of what "
                                    "the cart should show queues the item for it.",
                                    "seom-desktop webfields set MUG-BLUE --cart \"Web Store\" "
                                    "--reserve 2 --max-qty 50",
                                    "seom-desktop webfields set MUG-BLUE --cart Shop "
                                    "--cart-sku MUG-B"))
    p.add_argument("sku", help="the product's SKU")
    p.add_argument("--cart", required=True, help="the cart's name")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--sync", dest="sync", action="store_true", default=None,
                   help="synchronize this item with the cart")
    g.add_argument("--no-sync", dest="sync", action="store_false",
                   help="do not synchronize it (the cart keeps its own quantity)")
    p.add_argument("--cart-sku", metavar="S", help="the item's SKU on that cart ('' removes it)")
    p.add_argument("--reserve", metavar="N", help="kept back from what the cart shows")
    p.add_argument("--max-qty", metavar="N", help="most shown on the cart ('none' removes it)")
    p.add_argument("--percent", metavar="P",
                   help="percentage of what is available to show, 0-100 ('none': the cart's)")
    p.add_argument("--min-qty", metavar="N", help="least shown on the cart ('none': the cart's)")
    p.add_argument("--safety", metavar="N",
                   help="show 0 when what is available is at or below N ('none': the cart's)")
    p.set_defaults(handler=literal_values(cmd_webfields_set))


def cmd_init(ctx) -> int:
    from seom_desktop.store.migrate import current_revision

    rev = current_revision(ctx.store.engine)
    ctx.out(f"store ready at {ctx.store.engine.url.render_as_string(hide_password=True)} "
            f"(schema {rev})")
    return 0


def cmd_add(ctx) -> int:
    from seom_desktop.inventory.products import add_product

    a = ctx.args
    with ctx.store.write() as s:
        add_product(s, sku=a.sku, name=a.name, qoh=a.qoh, actor=ctx.actor)
    ctx.out(f"added {a.sku}")
    return 0


def cmd_list(ctx) -> int:
    if ctx.args.low_stock:
        return _list_low_stock(ctx)
    from sqlalchemy import select

    from seom_desktop.stack.kit_qoh import kit_qoh
    from seom_desktop.store.models import Product

    with ctx.store.read() as s:
        found = s.execute(select(Product.id, Product.sku, Product.name, Product.qoh,
                                 Product.is_kit).order_by(Product.sku)).all()
        kits = kit_qoh(s, [pid for pid, *_rest, kit in found if kit])  # derived QOH
        rows = [{"sku": sku, "name": name, "qoh": kits.get(pid, qoh), "kit": bool(kit)}
                for pid, sku, name, qoh, kit in found]
    ctx.emit(rows, lambda: [ctx.out(printable(f"{r['sku']}\t{r['qoh']}\t{r['name']}"
                                              f"{'  (kit)' if r['kit'] else ''}"))
                            for r in rows])
    return 0


def _list_low_stock(ctx) -> int:
    from seom_desktop.app.low_stock import low_stock

    rows = [{"sku": r.sku, "name": r.name, "qoh": r.qoh, "kit": r.kit,
             "reorder_point": r.reorder_point} for r in low_stock(ctx.store)]

    def text() -> None:
        for r in rows:
            ctx.out(printable(f"{r['sku']}\t{r['qoh']}\treorder at {r['reorder_point']}\t"
                              f"{r['name']}{'  (kit)' if r['kit'] else ''}"))
        ctx.out(f"{len(rows)} product(s) at or below their reorder point")

    ctx.emit(rows, text)
    return 0


def cmd_set(ctx) -> int:
    from seom_desktop.app.low_stock import set_reorder_point

    a = ctx.args
    if a.reorder_point is None:
        raise BadInput("nothing to set: give --reorder-point N (or 'none')")
    point = set_reorder_point(ctx.store, sku=a.sku, value=a.reorder_point)
    ctx.out(printable(f"{a.sku}: reorder point "
                      f"{'none (no low-stock alert)' if point is None else point}"))
    return 0


def cmd_show(ctx) -> int:
    from seom_desktop.inventory.operations import product_id_for
    from seom_desktop.inventory.products import web_fields_of
    from seom_desktop.inventory.rules import stock_by_name
    from seom_desktop.stack.kit_qoh import kit_qoh
    from seom_desktop.store.models import Product

    with ctx.store.read() as s:
        pid = product_id_for(s, ctx.args.sku)
        p = s.get(Product, pid)
        qoh = kit_qoh(s, [pid])[pid] if p.is_kit else p.qoh  # a kit's is derived
        data = {"sku": p.sku, "name": p.name, "qoh": qoh, "kit": bool(p.is_kit),
                "warehouses": stock_by_name(s, pid),  # per cart below: should_show, the rule
                "web_fields": [w.as_json() | w.allocation_json() for w in web_fields_of(s, pid)]}

    def text() -> None:
        ctx.out(printable(f"{data['sku']}  {data['name']}"))
        ctx.out(f"QOH {data['qoh']}" + ("  (kit: derived from its components)"
                                        if data["kit"] else ""))
        ctx.out(printable("  ".join(f"{n} {q}" for n, q in data["warehouses"].items())))
        for w in data["web_fields"]:
            locs = "".join(f" {loc}={q}" for loc, q in w["locations"].items())
            ctx.out(printable(
                f"  {w['cart']}: sync={'on' if w['sync'] else 'off'} "
                f"cart_sku={w['cart_sku'] or '-'} reserve={w['reserve']} "
                f"max_qty={w['max_qty'] if w['max_qty'] is not None else '-'} "
                + "".join(f"{r}={w[r]} " for r in ("percent", "min_qty", "safety")
                          if w[r] is not None)
                + f"should show {w['should_show']} ({w['rule']}){locs}"))

    ctx.emit(data, text)
    return 0


def cmd_webfields_set(ctx) -> int:
    from seom_desktop.inventory.operations import product_id_for
    from seom_desktop.inventory.products import set_web_fields
    from seom_desktop.inventory.rules import item_allocation, set_item_rules

    a = ctx.args
    # The rules go through set_item_rules: it re-queues the item only if what it should
    # show moved.
    rules = {r: getattr(a, r) for r in ("reserve", "max_qty", "percent", "min_qty", "safety")
             if getattr(a, r) is not None}
    if (a.sync is None and a.cart_sku is None and a.reserve is None and a.max_qty is None
            and not rules):
        raise BadInput("nothing to set: give --sync/--no-sync, --cart-sku, --reserve, --max-qty, "
                       "--percent, --min-qty or --safety")
    if a.max_qty is not None and a.max_qty.strip() == "":
        rules["max_qty"] = "none"
    with ctx.store.write() as s:
        if rules:
            set_item_rules(s, sku=a.sku, cart=a.cart, rules=rules, actor=ctx.actor)
        v = set_web_fields(s, sku=a.sku, cart=a.cart, sync=a.sync, cart_sku=a.cart_sku)
        got = {r: w for r, w in item_allocation(s, product_id_for(s, a.sku))[v.cart].items()
               if r in ("percent", "min_qty", "safety")}
    extra = "".join(f" {r}={'-' if got[r] is None else got[r]}" for r in got)
    ctx.out(f"{a.sku} on {v.cart}: sync={'on' if v.sync else 'off'} cart_sku={v.cart_sku or '-'} "
            f"reserve={v.reserve} max_qty={v.max_qty if v.max_qty is not None else '-'}{extra}")
    return 0
