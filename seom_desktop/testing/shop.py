"""A small shop for tests and benchmarks: a store, an emulated WooCommerce and an
emulated Shopify cart on loopback, both synchronized, products on both with the same
QOH (as after an initial Send QOH To Website). `bundles` are SKUs whose Shopify product
is a bundle (its quantity set by Shopify from its components, never by us);
`forget_cart_qoh` makes the store forget what a cart shows for a product, so its next
write goes without a compare and may change nothing; `doubt_write` puts a write in doubt
that never landed, so the next pass writes even a value the cart already shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update

from seom_desktop.emulators.shopify import ShopifyEmulator
from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.stack.shaping import shaped_qoh
from seom_desktop.stack.targets import record_attempt, record_sent
from seom_desktop.store.engine import Store, open_store
from seom_desktop.store.models import Cart, Product, WebField
from seom_desktop.store.params import set_param
from seom_desktop.sync.cart_setup import define_cart

ACTOR = Actor("clerk", "test-ws")


@dataclass
class Shop:
    store: Store
    url: str
    woo: WooCommerceEmulator
    shop: ShopifyEmulator
    skus: list[str] = field(default_factory=list)

    def emulators(self) -> dict[str, object]:
        return {"woo": self.woo, "shop": self.shop}

    def expected(self) -> dict[str, dict[str, int]]:
        """What each cart should show, worked out here from the rules (not by the
        sender's own cart_targets/shaped_qoh, so a broken rule there cannot agree with
        itself): per cart, every product whose web field does not turn syncing off, under
        its alias if it has one, showing the store's QOH less the reserve, at most the
        max shown, never below 0 (a negative QOH shows 0)."""
        out: dict[str, dict[str, int]] = {}
        with self.store.read() as s:
            products = s.execute(select(Product.id, Product.sku, Product.qoh)).all()
            fields = {(wf.cart_id, wf.product_id): wf for wf in s.scalars(select(WebField))}
            for cart in s.scalars(select(Cart)):
                shows: dict[str, int] = {}
                for pid, sku, qoh in products:
                    wf = fields.get((cart.id, pid))
                    if wf is not None and wf.sync is False:
                        continue  # not synchronized: whatever the cart shows is its own
                    reserve = wf.reserve if wf is not None and wf.reserve else 0
                    cap = wf.max_qty if wf is not None else None
                    n = qoh - reserve
                    if cap is not None and n > cap:
                        n = cap
                    shows[(wf.cart_sku if wf is not None and wf.cart_sku else sku)] = n if n > 0 else 0
                out[cart.name] = dict(sorted(shows.items()))
        return out

    def actual(self) -> dict[str, dict[str, int]]:
        return {name: {sku: emu.quantity(sku) for sku in self.expected()[name]}
                for name, emu in self.emulators().items()}

    def qoh(self, sku: str) -> int:
        with self.store.read() as s:
            return s.scalar(select(Product.qoh).where(Product.sku == sku))

    def cart_id(self, name: str) -> int:
        with self.store.read() as s:
            return s.scalar(select(Cart.id).where(Cart.name == name))

    def forget_cart_qoh(self, cart: str, sku: str) -> None:
        """The store no longer knows what `cart` shows for `sku` (as for a web field made
        after the product was on the cart): the next write carries no compare."""
        cid = self.cart_id(cart)
        with self.store.write() as s:
            pid = s.scalar(select(Product.id).where(Product.sku == sku))
            s.execute(update(WebField).where(WebField.cart_id == cid, WebField.product_id == pid)
                      .values(last_cart_qoh=None, attempted_qoh=""))


    def doubt_write(self, cart: str, sku: str, qoh: int) -> None:
        """A write of `qoh` to `cart` is in doubt (sent, no answer) and never landed."""
        cid = self.cart_id(cart)
        with self.store.write() as s:
            pid = s.scalar(select(Product.id).where(Product.sku == sku))
            record_attempt(s, cid, pid, qoh)


def build_shop(url: str, n: int = 20, qoh: int = 10, *, retry_seconds: int = 0,
               bundles: tuple[str, ...] = ()) -> Shop:
    woo = WooCommerceEmulator().start()
    shop = ShopifyEmulator().start()
    store = open_store(url)
    skus = [f"SKU-{i:04d}" for i in range(n)]
    with store.write() as s:
        set_param(s, "SynchQOH", True)
        set_param(s, "StackRetrySeconds", retry_seconds)
        define_cart(s, name="woo", kind="woocommerce", url=woo.url, key=woo.key,
                    secret=woo.secret, sync=True, max_items=50)
        define_cart(s, name="shop", kind="shopify", url=shop.url, token=shop.token, sync=True,
                    max_items=50)
    with store.write() as s:
        # Products arrive with their stock already on both carts (an initial Send QOH).
        set_param(s, "SynchQOH", False)
        for sku in skus:
            add_product(s, sku=sku, name=f"Item {sku}", qoh=qoh, actor=ACTOR)
            woo.add_item(sku, shaped_qoh(qoh))
            shop.add_item(sku, shaped_qoh(qoh), bundle=sku in bundles)
        carts = {c.name: c.id for c in s.scalars(select(Cart))}
        for p in s.scalars(select(Product)):
            for cid in carts.values():
                record_sent(s, cid, p.id, p.qoh)
        set_param(s, "SynchQOH", True)
    return Shop(store, url, woo, shop, skus)


def double_applications(emulators: dict) -> list[str]:
    """What the emulators' write logs show applied twice (DESIGN.md invariant 2):
    - a write without a compare applied to an item that already showed the value: the
      sender reads back before such a write, and a read-back showing the value means a
      write of it landed (or is a coincidence it must not overwrite); writing it again is
      a double application (with a delta in between, an oversell);
    - a request whose answer was lost, sent again (the same parameters) under another
      idempotency key: a retried batch must carry the key of the first try, so the cart
      answers it from the key instead of applying it a second time."""
    problems: list[str] = []
    for name, emu in emulators.items():
        with emu.lock:
            logs = {sku: list(ws) for sku, ws in emu.writes.items()}
        for sku, writes in sorted(logs.items()):
            for w in writes:
                if w.applied and not w.compared and w.before is not None and w.value == w.before:
                    problems.append(f"{name} {sku}: wrote {w.value} while it showed {w.before}")
            lost: dict[str, str] = {}  # request -> key of the try whose answer was lost
            for w in writes:
                if not w.key:
                    continue
                if w.request in lost and w.key != lost[w.request]:
                    problems.append(f"{name} {sku}: a retried request under a new key")
                if w.answer_lost:
                    lost[w.request] = w.key
                else:
                    lost.pop(w.request, None)
    return problems


def assert_nothing_applied_twice(emulators: dict) -> None:
    problems = double_applications(emulators)
    assert not problems, "applied twice: " + "; ".join(problems[:10])
