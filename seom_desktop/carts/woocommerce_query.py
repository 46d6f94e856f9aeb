"""How the WooCommerce connector asks for items: the page size, the fields it needs, and
SKU look-ups packed into as few requests as a page and a sane URL allow."""

from __future__ import annotations

from urllib.parse import quote

PER_PAGE = 100  # the API's maximum page size
SKU_CHUNK = PER_PAGE  # SKUs per look-up request: one page answers them all
SKU_QUERY_CHARS = 2000  # ... unless the URL-encoded list would grow longer than this
MAX_PAGES = 100_000
# WordPress's global `_fields` parameter: only what an item needs is built and sent
# (a full product object is ~40 fields; on 100,000 items that is most of the time).
ITEM_FIELDS = "id,sku,name,type,parent_id,manage_stock,stock_quantity"
ORDER_FIELDS = "id,status,date_created_gmt,line_items"


def sku_queries(skus: list[str]) -> list[str]:
    """`sku=a,b,...` lists of at most SKU_CHUNK SKUs and about SKU_QUERY_CHARS URL
    characters each (servers refuse very long URLs; 8 KB is a common limit)."""
    out: list[str] = []
    chunk: list[str] = []
    size = 0
    for sku in skus:
        cost = len(quote(sku, safe="")) + 3  # the encoded comma between SKUs
        if chunk and (len(chunk) >= SKU_CHUNK or size + cost > SKU_QUERY_CHARS):
            out.append(",".join(chunk))
            chunk, size = [], 0
        chunk.append(sku)
        size += cost
    if chunk:
        out.append(",".join(chunk))
    return out
