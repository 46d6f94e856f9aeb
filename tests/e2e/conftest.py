"""The real Oscar shop for the end-to-end tests (see oscar_server.py): made once per
module from the cached template, stopped at the end."""

from __future__ import annotations

import pytest
from oscar_server import E2E_SKUS, OscarShop, start_or_skip


@pytest.fixture(scope="module")
def oscar_shop(tmp_path_factory) -> OscarShop:
    # Oscar starts with other numbers than the store: the first Send QOH sets them.
    products = [{"sku": sku, "num_in_stock": 3, "upc": f"UPC-{sku}", "title": f"Item {sku}"}
                for sku in E2E_SKUS]
    shop = start_or_skip(tmp_path_factory.mktemp("oscar-e2e"), products)
    yield shop
    shop.stop()
