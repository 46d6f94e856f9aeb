"""cart add/list/set."""

from __future__ import annotations

from seom_desktop.commands._args import described, literal_values

CA_HELP = ("PEM file of the private CA that issued the cart's TLS certificate (kept with "
           "the credentials in this workstation's keyring; certificates are always checked)")


def register(sub, common) -> None:
    cart = sub.add_parser("cart", parents=[common], help="shopping carts", **described(
        "Define, list and change the shopping carts.", "seom-desktop cart list --json",
        "seom-desktop cart set \"Web Store\" --sync"))
    csub = cart.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = csub.add_parser("add", parents=[common], help="define a cart (credentials go to the OS keyring)",
                        **described(
        "Define a cart. The credentials go to the OS keyring, never to the store.",
        "seom-desktop cart add \"Web Store\" --kind woocommerce --url https://shop.example.com "
        "--key ck_... --secret cs_...",
        "seom-desktop cart add Shop --kind shopify --url https://example.myshopify.com "
        "--token shpat_... --location 123456 --sync",
        more="KIND: woocommerce | shopify | bigcommerce | magento | miva | oscar"))
    p.add_argument("name", help="the cart's name (yours: how the store calls it)")
    p.add_argument("--kind", required=True,
                   help="woocommerce, shopify, bigcommerce, magento, miva or oscar")
    p.add_argument("--url", required=True,
                   help="the cart's address (https; http only on this machine's loopback)")
    p.add_argument("--key", default="", help="API key (WooCommerce consumer key)")
    p.add_argument("--secret", default="",
                   help="API secret (WooCommerce consumer secret, Miva signing key)")
    p.add_argument("--token", default="",
                   help="access token (Shopify, BigCommerce, Magento, Miva, Oscar)")
    p.add_argument("--location", default="",
                   help="the cart's stock location (Shopify location id, Magento source "
                        "code, Miva store code, BigCommerce location id)")
    p.add_argument("--sync", action="store_true", help="Synchronize Inventory")
    p.add_argument("--max-items", default="50", metavar="N",
                   help="Maximum number of items to send (default 50)")
    p.add_argument("--ca-bundle", default="", metavar="FILE", help=CA_HELP)
    p.set_defaults(handler=literal_values(cmd_add))
    p = csub.add_parser("list", parents=[common], help="list carts", **described(
        "Every cart: kind, address, whether it synchronizes, what it can do.",
        "seom-desktop cart list --json"))
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_list))
    p = csub.add_parser("set", parents=[common], help="change a cart", **described(
        "Change a cart; what is not given stays as it is.",
        "seom-desktop cart set \"Web Store\" --sync --max-items 100",
        "seom-desktop cart set Shop --warehouses Main,Annex --reserve 2"))
    p.add_argument("name", help="the cart's name")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--sync", dest="sync", action="store_true", default=None,
                   help="Synchronize Inventory on: the web stack sends it QOH changes")
    g.add_argument("--no-sync", dest="sync", action="store_false",
                   help="Synchronize Inventory off")
    p.add_argument("--max-items", metavar="N", help="Maximum number of items to send (1-10,000)")
    p.add_argument("--url", help="the cart's new address")
    p.add_argument("--location", help="the cart's stock location")
    p.add_argument("--ca-bundle", metavar="FILE", help=CA_HELP + " ('' removes it)")
    p.add_argument("--warehouses", metavar="W1,W2",
                   help="the warehouses this cart sells from ('all': every one, the default)")
    p.add_argument("--location-for", action="append", metavar="WAREHOUSE=LOCATION",
                   help="send the cart's LOCATION (its location id) this warehouse's quantity "
                        "(WAREHOUSE= removes the mapping); repeatable")
    p.add_argument("--order-warehouse", metavar="NAME",
                   help="the warehouse this cart's orders ship from ('none': the default)")
    for opt, what in RULE_OPTIONS:
        p.add_argument(opt, metavar="N", help=what + " ('none' clears it)")
    p.set_defaults(handler=literal_values(cmd_set))


RULE_OPTIONS = (("--reserve", "kept back from every item on this cart"),
                ("--max-qty", "most any item shows on this cart"),
                ("--percent", "percentage of what is available to show (0-100, rounds down)"),
                ("--min-qty", "least any item shows on this cart"),
                ("--safety", "show 0 when what is available is at or below this"))


def rule_values(a) -> dict:
    """{rule name: text typed} for the rule options given."""
    out = {}
    for opt, _what in RULE_OPTIONS:
        name = opt[2:].replace("-", "_")
        if getattr(a, name, None) is not None:
            out[name] = getattr(a, name)
    return out


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
    from seom_desktop.inventory.rules import parse_location_for, set_cart, set_order_warehouse
    from seom_desktop.sync.cart_setup import update_cart

    a = ctx.args
    if a.location_for is None:
        a.location_for = []
    elif a.location_for == "--":  # literal_values: `--location-for=--`
        a.location_for = ["--"]
    rules = rule_values(a)
    legacy = not (a.sync is None and a.max_items is None and a.url is None
                  and a.location is None and a.ca_bundle is None)
    if not (legacy or rules or a.warehouses is not None or a.location_for
            or a.order_warehouse is not None):
        raise BadInput("nothing to set: give --sync/--no-sync, --max-items, --url, --location, "
                       "--ca-bundle, --warehouses, --location-for, --order-warehouse or a rule "
                       "(--reserve, --max-qty, --percent, --min-qty, --safety)")
    warehouses = None
    if a.warehouses is not None:
        names = [w.strip() for w in a.warehouses.split(",") if w.strip()]
        warehouses = [] if [n.lower() for n in names] == ["all"] else names
        if not names:
            raise BadInput("--warehouses needs warehouse names (W1,W2) or 'all'")
    locations = [parse_location_for(t) for t in a.location_for]
    with ctx.store.write() as s:
        if legacy:
            v = update_cart(s, a.name, sync=a.sync, max_items=a.max_items, url=a.url,
                            location=a.location, ca_bundle=a.ca_bundle)
            ctx.out(f"cart {v.name}: Synchronize Inventory {'on' if v.sync else 'off'}, "
                    f"Maximum number of items to send {v.max_items}")
        if a.order_warehouse is not None:
            set_order_warehouse(s, a.name, a.order_warehouse)
        if any(loc for _w, loc in locations):
            _check_has_locations(s, a.name)
        if rules or warehouses is not None or locations or a.order_warehouse is not None:
            al = set_cart(s, a.name, warehouses=warehouses, locations=locations, rules=rules,
                          actor=ctx.actor)
            ctx.out(describe(al))
    return 0


def _check_has_locations(session, name: str) -> None:
    from seom_desktop.commands.errors import BadInput
    from seom_desktop.store.carts import cart_by_name
    from seom_desktop.sync.cart_setup import kind_capabilities

    cart = cart_by_name(session, name)
    if "locations" not in kind_capabilities(cart.kind):
        raise BadInput(f"cart {name!r} ({cart.kind}) has no locations to map; carts with "
                       "locations: Shopify, BigCommerce, Magento")


def describe(al) -> str:
    rules = ", ".join(f"{k}={'-' if v is None else v}" for k, v in al.rules.items())
    locs = ", ".join(f"{w}={loc}" for w, loc in al.locations.items()) or "-"
    return (f"cart {al.cart}: sells from {', '.join(al.warehouses) or 'all warehouses'}; "
            f"orders ship from {al.order_warehouse}; locations {locs}; {rules}; "
            f"{al.requeued} item(s) re-queued")
