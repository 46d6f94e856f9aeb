"""cart add/list/set."""

from __future__ import annotations

from seom_desktop.commands._args import literal_values

CA_HELP = ("PEM file of the private CA that issued the cart's TLS certificate (kept with "
           "the credentials in this workstation's keyring; certificates are always checked)")


def register(sub, common) -> None:
    cart = sub.add_parser("cart", parents=[common], help="shopping carts")
    csub = cart.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = csub.add_parser("add", parents=[common], help="define a cart (credentials go to the OS keyring)")
    p.add_argument("name")
    p.add_argument("--kind", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--key", default="")
    p.add_argument("--secret", default="")
    p.add_argument("--token", default="")
    p.add_argument("--location", default="")
    p.add_argument("--sync", action="store_true", help="Synchronize Inventory")
    p.add_argument("--max-items", default="50", metavar="N",
                   help="Maximum number of items to send (default 50)")
    p.add_argument("--ca-bundle", default="", metavar="FILE", help=CA_HELP)
    p.set_defaults(handler=literal_values(cmd_add))
    p = csub.add_parser("list", parents=[common], help="list carts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=literal_values(cmd_list))
    p = csub.add_parser("set", parents=[common], help="change a cart")
    p.add_argument("name")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--sync", dest="sync", action="store_true", default=None)
    g.add_argument("--no-sync", dest="sync", action="store_false")
    p.add_argument("--max-items", metavar="N")
    p.add_argument("--url")
    p.add_argument("--location")
    p.add_argument("--ca-bundle", metavar="FILE", help=CA_HELP + " ('' removes it)")
    p.set_defaults(handler=literal_values(cmd_set))


def cmd_add(ctx) -> int:
    from seom_desktop.sync.cart_setup import define_cart

    a = ctx.args
    with ctx.store.write() as s:
        v = define_cart(s, name=a.name, kind=a.kind, url=a.url, key=a.key, secret=a.secret,
                        token=a.token, location=a.location, sync=a.sync, max_items=a.max_items,
                        ca_bundle=a.ca_bundle)
    ctx.out(f"added cart {v.name} ({v.kind}, Synchronize Inventory {'on' if v.sync else 'off'})")
    return 0


def cmd_list(ctx) -> int:
    from seom_desktop.sync.cart_setup import all_carts

    with ctx.store.read() as s:
        carts = [c.as_json() for c in all_carts(s)]
    ctx.emit(carts, lambda: [
        ctx.out(f"{c['name']}\t{c['kind']}\t{c['url']}\tsync={'on' if c['sync'] else 'off'}"
                f"\tmax={c['max_items']}\t{','.join(c['capabilities'])}") for c in carts])
    return 0


def cmd_set(ctx) -> int:
    from seom_desktop.commands.errors import BadInput
    from seom_desktop.sync.cart_setup import update_cart

    a = ctx.args
    if (a.sync is None and a.max_items is None and a.url is None and a.location is None
            and a.ca_bundle is None):
        raise BadInput("nothing to set: give --sync/--no-sync, --max-items, --url, --location "
                       "or --ca-bundle")
    with ctx.store.write() as s:
        v = update_cart(s, a.name, sync=a.sync, max_items=a.max_items, url=a.url,
                        location=a.location, ca_bundle=a.ca_bundle)
    ctx.out(f"cart {v.name}: Synchronize Inventory {'on' if v.sync else 'off'}, "
            f"Maximum number of items to send {v.max_items}")
    return 0
