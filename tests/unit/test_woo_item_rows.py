"""The WooCommerce listing builds its CartItems (one per item listed, 100,000 in a large
Get QOH) through woocommerce_rows' plain builder, which must give the same item as
CartItem(...) would. When CartItem gained fields, the builder's check failed and the
listing silently fell back to CartItem's frozen __init__ (+0.2 s of CPU a 100,000-item
pull: bench/README.md, "Issue 23: how Get QOH and the window grow")."""

from seom_desktop.carts import woocommerce_rows
from seom_desktop.carts.base import CartItem


def test_listing_builds_items_through_the_plain_builder():
    assert woocommerce_rows._cart_item is woocommerce_rows._plain_cart_item


def test_plain_builder_gives_the_same_item_as_cartitem():
    for args in (("B-1", 7, "12", "A name", True), ("B-2", None, "3/4", "", False)):
        fast, usual = woocommerce_rows._cart_item(*args), CartItem(*args)
        assert fast == usual and hash(fast) == hash(usual)
        assert vars(fast) == vars(usual)
    a, b = woocommerce_rows._cart_item("a", 1, "1", "", True), woocommerce_rows._cart_item(
        "b", 1, "2", "", True)
    assert a.locations is not b.locations  # each item its own, as default_factory gives


def test_plain_builder_items_take_no_more_memory_than_cartitems():
    """Each item's __dict__ shares its keys with the others' (as CartItem.__init__'s do):
    a dict of its own per item took 400 B an item instead of about 270 B, and a listing
    holds up to 45,000 items at once (sync/pull_reader.py)."""
    import tracemalloc

    def held(make) -> int:
        tracemalloc.start()
        try:
            items = [make(f"B-{i:06d}", i, str(i), "", True) for i in range(2000)]
            size = tracemalloc.get_traced_memory()[0]
            del items
            return size
        finally:
            tracemalloc.stop()

    CartItem("warm", 1)
    assert held(woocommerce_rows._cart_item) <= held(CartItem) * 1.4
