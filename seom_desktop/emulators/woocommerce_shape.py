"""What the WooCommerce emulator's whole objects hold beyond what it models (prices, taxes,
images...), so that its answers have the shape of WooCommerce's: the fields and values of
the REST API docs' examples (woocommerce/woocommerce-rest-api-docs,
source/includes/wp-api-v3/_products.md product 794 and _orders.md order 727)."""

from __future__ import annotations

from typing import Any

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
