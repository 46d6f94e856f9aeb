"""How the WooCommerce emulator shows its objects: a product or a variation as JSON
(`WooObjects`, mixed into WooCommerceEmulator: stock as WooCommerce shows it, dates in the
site's zone and GMT, WordPress's `_fields`), and what whole objects hold beyond what it
models (prices, taxes, images...), so that its answers have the shape of WooCommerce's:
the fields and values of the REST API docs' examples (woocommerce/woocommerce-rest-api-docs,
source/includes/wp-api-v3/_products.md product 794 and _orders.md order 727)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

API = "/wp-json/wc/v3"

# The fields of a product this emulator does not model, as the REST docs' example product
# shows them (woocommerce-rest-api-docs, source/includes/wp-api-v3/_products.md, product 794)
PRODUCT_FIELDS: dict[str, Any] = {
    "slug": "", "permalink": "", "featured": False, "catalog_visibility": "visible",
    "description": "", "short_description": "", "price": "", "regular_price": "",
    "sale_price": "", "date_on_sale_from": None, "date_on_sale_from_gmt": None,
    "date_on_sale_to": None, "date_on_sale_to_gmt": None, "price_html": "", "on_sale": False,
    "purchasable": True, "total_sales": 0, "virtual": False, "downloadable": False,
    "downloads": [], "download_limit": -1, "download_expiry": -1, "external_url": "",
    "button_text": "", "tax_status": "taxable", "tax_class": "", "backorders_allowed": False,
    "backordered": False, "sold_individually": False, "weight": "",
    "dimensions": {"length": "", "width": "", "height": ""}, "shipping_required": True,
    "shipping_taxable": True, "shipping_class": "", "shipping_class_id": 0,
    "reviews_allowed": True, "average_rating": "0.00", "rating_count": 0, "related_ids": [],
    "upsell_ids": [], "cross_sell_ids": [], "purchase_note": "", "categories": [], "tags": [],
    "images": [], "attributes": [], "default_attributes": [], "variations": [],
    "grouped_products": [], "menu_order": 0, "meta_data": []}

# what a line item holds beside its product and quantity (no prices are modelled), as the
# REST docs' example order 727 shows it (woocommerce-rest-api-docs, wp-api-v3/_orders.md)
LINE_FIELDS: dict[str, Any] = {"tax_class": "", "subtotal": "0.00", "subtotal_tax": "0.00",
                               "total": "0.00", "total_tax": "0.00", "taxes": [],
                               "meta_data": [], "price": 0}


class WooObjects:
    """Mixed into WooCommerceEmulator (which gives `products`, `site_tz` and `home()`)."""

    def _stock(self, obj: dict[str, Any]) -> tuple[bool | str, int | None]:
        """manage_stock and stock_quantity as WooCommerce shows them."""
        if obj["manage_stock"] or "parent_id" not in obj:
            return obj["manage_stock"], obj["stock_quantity"]
        parent = self.products[obj["parent_id"]]
        return ("parent", parent["stock_quantity"]) if parent["manage_stock"] else (False, None)

    def _holder(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        """The object whose stock an order reduces, or None when stock is not managed."""
        manage = self._stock(obj)[0]
        return obj if manage is True else self.products[obj["parent_id"]] if manage else None

    def _local(self, when: datetime) -> str:
        return when.astimezone(self.site_tz).strftime("%Y-%m-%dT%H:%M:%S")

    @staticmethod
    def _gmt(when: datetime) -> str:
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    def _json(self, obj: dict[str, Any], *, as_product: bool = True,
              fields: frozenset[str] | None = None) -> dict[str, Any]:
        """A product, or a variation (as /products shows it, or as /variations does).
        With `fields` (WordPress's `_fields`), only those are built, in the same order."""
        manage, qty = self._stock(obj)
        if fields is None or "date_created" in fields or "date_created_gmt" in fields:
            created = obj["date_created"]
            local, gmt = self._local(created), self._gmt(created)
        else:
            local = gmt = ""  # not asked for: dropped below, not formatted (two strftimes)
        data = {"id": obj["id"], "name": obj["name"], "sku": obj["sku"], "status": "publish",
                "date_created": local, "date_created_gmt": gmt,
                "manage_stock": manage, "stock_quantity": qty, "backorders": "no",
                "stock_status": "instock" if not manage or (qty or 0) > 0 else "outofstock"}
        if "parent_id" not in obj:
            data["type"], data["parent_id"] = obj["type"], 0
            data["variations"] = list(obj["variations"])
        elif as_product:
            data["type"], data["parent_id"] = "variation", obj["parent_id"]
        if fields is None:  # the whole object: every field of the docs' example product
            href = f"{self.home()}{API}/products"
            return {**PRODUCT_FIELDS, **data, "date_modified": local, "date_modified_gmt": gmt,
                    "_links": {"self": [{"href": f"{href}/{obj['id']}"}],
                               "collection": [{"href": href}]}}
        return {k: v for k, v in data.items() if k in fields}

    def _product(self, obj: dict[str, Any], fields: frozenset[str] | None) -> dict[str, Any]:
        return self._json(obj, fields=fields)
