"""What the Send QOH and Get QOH integration tests share: emulated carts on loopback
sockets, a store and the command line as fixtures (import `woo_fixture` and the like:
each gives the fixture named without `_fixture`), and small helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from seom_desktop.cli import main
from seom_desktop.emulators.bigcommerce import BigCommerceEmulator
from seom_desktop.emulators.shopify import ShopifyEmulator
from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart, LedgerEntry, Product, StackRow, WebField

ACTOR = Actor("clerk", "test-ws")
WOO_BATCH = "POST /wp-json/wc/v3/products/batch"
WOO_LIST = "GET /wp-json/wc/v3/products"


# --- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture(name="woo")
def woo_fixture():
    e = WooCommerceEmulator().start()
    yield e
    e.stop()


@pytest.fixture(name="shopify")
def shopify_fixture():
    e = ShopifyEmulator().start()
    yield e
    e.stop()


@pytest.fixture(name="bc")
def bc_fixture():
    e = BigCommerceEmulator().start()
    yield e
    e.stop()


@pytest.fixture(name="store")
def store_fixture(sqlite_url):
    st = open_store(sqlite_url)
    yield st
    st.close()


@pytest.fixture(name="cli")
def cli_fixture(sqlite_url, capsys):
    def run(*args: str):
        code = main(["--store", sqlite_url, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def add_woo(cli, woo, name="woo", *extra: str, secret: str | None = None):
    code, _, err = cli("cart", "add", name, "--kind", "woocommerce", "--url", woo.url,
                       "--key", woo.key, "--secret", secret or woo.secret, *extra)
    assert code == 0, err


def add_shopify(cli, emu, name="shop", *extra: str):
    code, _, err = cli("cart", "add", name, "--kind", "shopify", "--url", emu.url,
                       "--token", emu.token, *extra)
    assert code == 0, err


def add_bc(cli, emu, name="bc", *extra: str):
    code, _, err = cli("cart", "add", name, "--kind", "bigcommerce", "--url",
                       f"{emu.url}/stores/{emu.store_hash}", "--token", emu.token, *extra)
    assert code == 0, err


def seed(store, products: dict[str, int]) -> None:
    with store.write() as s:
        for sku, qoh in products.items():
            add_product(s, sku=sku, name=f"Item {sku}", qoh=qoh, actor=ACTOR)


def qohs(store) -> dict[str, int]:
    with store.read() as s:
        return dict(s.execute(select(Product.sku, Product.qoh)).all())


def web_fields(store, cart: str) -> dict[str, tuple]:
    with store.read() as s:
        rows = s.execute(select(Product.sku, WebField.last_sent_qoh, WebField.last_cart_qoh,
                                WebField.cart_item_id)
                         .join(WebField, WebField.product_id == Product.id)
                         .join(Cart, Cart.id == WebField.cart_id).where(Cart.name == cart))
        return {sku: (sent, seen, item) for sku, sent, seen, item in rows}


def dump(store):
    with store.read() as s:
        return (sorted(s.execute(select(Product.sku, Product.qoh, Product.name)).all()),
                s.scalar(select(func.count()).select_from(LedgerEntry)),
                sorted(s.execute(select(StackRow.cart_id, StackRow.product_id, StackRow.change)).all()),
                sorted(s.execute(select(WebField.cart_id, WebField.product_id, WebField.last_sent_qoh,
                                        WebField.last_cart_qoh, WebField.cart_item_id)).all()),
                sorted(s.execute(select(Cart.name, Cart.max_items, Cart.orders_cursor)).all()))


class Canceller:
    """A progress that cancels once `after` updates with done > 0 have been seen, and can
    run a hook on each update."""

    def __init__(self, after: int | None = None, hook=None):
        self.cancelled = False
        self.after, self.hook = after, hook
        self.updates: list[tuple[int, int | None, str]] = []

    def update(self, done, total, message):
        self.updates.append((done, total, message))
        if self.hook is not None:
            self.hook(done, total)
        if self.after is not None and len([u for u in self.updates if u[0] > 0]) >= self.after:
            self.cancelled = True


def woo_items(woo, products: dict[str, int]) -> None:
    for sku, qoh in products.items():
        woo.add_item(sku, qoh)
