"""The demo, without Qt: a demo store (a few hundred products), an emulated WooCommerce
and an emulated Shopify cart on loopback holding the same items, both carts defined
(credentials in the OS keyring, or in a file-backed test keyring in the demo folder when
this machine has no keyring backend), an initial Send QOH To Website to both, then
SynchQOH TRUE and Synchronize Inventory on, with a short StackRetrySeconds.

`seom-desktop demo` then opens the window with the stack controller running: adjust an
item and watch the change reach both carts.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from sqlalchemy import select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.operations import adjust, receive_po
from seom_desktop.inventory.products import add_product
from seom_desktop.store.carts import CartDefinitionError
from seom_desktop.store.engine import APP_NAME, Store, open_store
from seom_desktop.store.models import Product
from seom_desktop.store.params import set_param
from seom_desktop.sync.cart_setup import define_cart, update_cart
from seom_desktop.sync.send_qoh import send_qoh

WOO = "Demo WooCommerce"
SHOPIFY = "Demo Shopify"
RETRY_SECONDS = 2

_ADJECTIVES = ("Blue", "Red", "Green", "Black", "White", "Large", "Small", "Classic",
               "Organic", "Steel", "Cotton", "Wool", "Bamboo", "Ceramic", "Walnut")
_NOUNS = ("Widget", "Mug", "Notebook", "Scarf", "Candle", "Teapot", "Backpack", "Lamp",
          "Cutting Board", "Water Bottle", "Tote Bag", "Plant Pot", "Desk Organizer",
          "Picture Frame", "Throw Pillow", "Coaster Set", "Apron", "Bird Feeder")


def default_folder() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "demo"


def keyring_usable() -> bool:
    """Is there an OS keyring backend that stores and returns a password?"""
    import keyring
    from keyring.backends import fail

    kr = keyring.get_keyring()
    if isinstance(kr, fail.Keyring) or (hasattr(kr, "backends") and not kr.backends):
        return False
    try:
        keyring.set_password("seom-desktop-probe", "probe", "ok")
        ok = keyring.get_password("seom-desktop-probe", "probe") == "ok"
        keyring.delete_password("seom-desktop-probe", "probe")
        return ok
    except Exception:  # noqa: BLE001 - any failure means "not usable here"
        return False


def use_file_keyring(folder: Path) -> Path:
    """Fall back to the test keyring backend, keeping its secrets in a file of the demo
    folder (demo credentials only: they open the loopback emulators, nothing else)."""
    import keyring

    from seom_desktop.testing.keyring_backend import TestKeyring

    path = folder / "demo-keyring.json"
    os.environ["SEOM_KEYRING_FILE"] = str(path)
    keyring.set_keyring(TestKeyring())
    return path


@dataclass
class Demo:
    store: Store
    folder: Path
    emulators: dict[str, object]  # cart name -> running emulator
    notes: list[str] = field(default_factory=list)

    def probe(self, cart_name: str, cart_sku: str) -> int | None:
        """What the emulated cart shows for the item right now."""
        emu = self.emulators.get(cart_name)
        return None if emu is None else emu.quantity(cart_sku)

    def banner(self) -> str:
        carts = " and ".join(f"{name} ({emu.url})" for name, emu in self.emulators.items())
        return ("Demo: " + carts + " are emulated on this computer. Select an item, then "
                "Inventory > Adjust Inventory (Ctrl+Shift+A): the Stack Controller "
                "(Ctrl+Shift+S) sends the change, and the panel on the right shows it "
                "reach both carts.")

    def stop(self) -> None:
        for emu in self.emulators.values():
            emu.stop()
        self.store.close()


def _fresh_sqlite(folder: Path) -> str:
    db = folder / "demo-store.sqlite"
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(db) + suffix)
        if p.exists():
            p.unlink()
    return f"sqlite:///{db}"


def _products(store: Store, count: int, actor: Actor, rng: random.Random) -> list[tuple[str, str, int]]:
    with store.write() as s:
        set_param(s, "SynchQOH", False)  # setting up: nothing to send yet
        have = set(s.scalars(select(Product.sku)))
        for i in range(1, count + 1):
            sku = f"DEMO-{i:04d}"
            if sku in have:
                continue
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            add_product(s, sku=sku, name=name, qoh=rng.randint(0, 120), actor=actor)
    with store.read() as s:
        return [tuple(r) for r in s.execute(
            select(Product.sku, Product.name, Product.qoh).order_by(Product.sku).limit(5000))]


def _define(store: Store, name: str, kind: str, url: str, creds: dict[str, str]) -> None:
    with store.write() as s:
        try:
            define_cart(s, name=name, kind=kind, url=url, sync=False, max_items=50, **creds)
        except CartDefinitionError as e:
            if "already exists" not in str(e):
                raise
            update_cart(s, name, url=url, sync=False, creds=creds)


def setup_demo(*, workstation: str, store_url: str | None = None, folder: Path | None = None,
               products: int = 300, seed: int = 7,
               say: Callable[[str], None] = print) -> Demo:
    from seom_desktop.emulators.shopify import ShopifyEmulator
    from seom_desktop.emulators.woocommerce import WooCommerceEmulator

    folder = Path(folder or default_folder())
    folder.mkdir(parents=True, exist_ok=True)
    notes = []
    if not keyring_usable():
        path = use_file_keyring(folder)
        notes.append(f"No OS keyring backend is available here: the demo cart credentials "
                     f"are kept by the test keyring in {path}.")
        say(notes[-1])
    url = store_url or _fresh_sqlite(folder)
    store = open_store(url)
    actor = Actor("demo", workstation)
    rng = random.Random(seed)
    items = _products(store, products, actor, rng)

    woo, shop = WooCommerceEmulator(), ShopifyEmulator(shop_name="Demo Shop")
    for sku, name, qoh in items:
        drift = rng.choice((0, 0, -3, 5))  # the carts start a little off: Send QOH fixes it
        woo.add_item(sku, max(qoh + drift, 0), name=name)
        shop.add_item(sku, max(qoh - drift, 0), name=name)
    emulators = {WOO: woo.start(), SHOPIFY: shop.start()}
    demo = Demo(store, folder, emulators, notes)
    try:
        _define(store, WOO, "woocommerce", woo.url, {"key": woo.key, "secret": woo.secret})
        _define(store, SHOPIFY, "shopify", shop.url, {"token": shop.token})
        for name in (WOO, SHOPIFY):
            report = send_qoh(store, name)
            say(f"Send QOH To Website, {name}: {report.sent} of {report.total} items sent"
                + (f" ({report.error})" if report.error else ""))
        with store.write() as s:
            set_param(s, "StackRetrySeconds", RETRY_SECONDS)
            set_param(s, "SynchQOH", True)
            for name in (WOO, SHOPIFY):
                update_cart(s, name, sync=True)
        # A first failure to retry, for the Stack Controller to show.
        woo.faults.queue("503", count=1, path="/batch")
        with store.write() as s:
            for sku, qty in (("DEMO-0001", 12), ("DEMO-0002", 6)):
                receive_po(s, sku=sku, quantity=qty, actor=actor, po="PO-1001")
            adjust(s, sku="DEMO-0003", delta=-2, reason="damaged in the stock room", actor=actor)
    except BaseException:
        demo.stop()
        raise
    say(f"Demo store: {url}")
    for name, emu in emulators.items():
        say(f"{name}: emulated on {emu.url}")
    return demo
