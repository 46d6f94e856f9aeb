"""Run inside the Oscar virtual environment: `python -m oscar_site.shop COMMAND`.

migrate                   create the schema in $OSCAR_SITE_DB
populate < spec.json      an admin (superuser), a country, a partner, a product class
                          that tracks stock, and one product per spec line with a
                          stock record (partner SKU - the line's "partner_sku", else its
                          "sku" -, UPC, price, num_in_stock); prints
                          {"products": {sku: {"product_id", "stockrecord_id"}}}
ship NUMBER               the order's lines are shipped: their allocations are consumed
                          (num_in_stock and num_allocated both go down)
serve                     serve the shop with waitress on a free loopback port; the first
                          line on stdout is "PORT <n>"
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oscar_site.settings")


def _setup() -> None:
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    _setup()
    call_command("migrate", interactive=False, verbosity=0)


def populate(spec: dict) -> dict:
    _setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from oscar.core.loading import get_model

    Country = get_model("address", "Country")
    Partner = get_model("partner", "Partner")
    ProductClass = get_model("catalogue", "ProductClass")
    Product = get_model("catalogue", "Product")
    StockRecord = get_model("partner", "StockRecord")
    out: dict = {"products": {}}
    with transaction.atomic():
        admin = spec["admin"]
        get_user_model().objects.create_superuser(admin["username"], admin.get("email", ""),
                                                  admin["password"])
        Country.objects.get_or_create(iso_3166_1_a2="GB", defaults={
            "iso_3166_1_a3": "GBR", "iso_3166_1_numeric": "826", "printable_name":
            "United Kingdom", "name": "United Kingdom", "is_shipping_country": True})
        partner, _ = Partner.objects.get_or_create(name=spec.get("partner", "Warehouse"))
        pclass, _ = ProductClass.objects.get_or_create(
            name="Goods", defaults={"track_stock": True, "requires_shipping": True})
        for item in spec["products"]:
            product = Product.objects.create(
                structure=Product.STANDALONE, title=item.get("title") or item["sku"],
                upc=item.get("upc") or None, product_class=pclass, is_public=True)
            sr = StockRecord.objects.create(
                product=product, partner=partner, partner_sku=item.get("partner_sku", item["sku"]),
                price=Decimal(str(item.get("price", "9.99"))), price_currency="GBP",
                num_in_stock=item.get("num_in_stock"), num_allocated=item.get("num_allocated"))
            out["products"][item["sku"]] = {"product_id": product.id, "stockrecord_id": sr.id}
    return out


def ship(number: str) -> dict:
    _setup()
    from django.db import transaction
    from oscar.core.loading import get_model

    Order = get_model("order", "Order")
    shipped = {}
    with transaction.atomic():
        order = Order.objects.get(number=number)
        for line in order.lines.select_related("stockrecord"):
            line.stockrecord.consume_allocation(line.quantity)
            shipped[line.partner_sku] = line.quantity
    return shipped


def serve() -> None:
    from waitress import create_server

    from oscar_site.wsgi import application

    server = create_server(application, host="127.0.0.1", port=0, threads=8,
                           ident="oscar-e2e")
    print(f"PORT {server.effective_port}", flush=True)
    server.run()


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else ""
    if cmd == "migrate":
        migrate()
    elif cmd == "populate":
        print(json.dumps(populate(json.load(sys.stdin))))
    elif cmd == "ship":
        print(json.dumps(ship(argv[1])))
    elif cmd == "serve":
        serve()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
