"""carts/parse.quantity: a quantity a cart sends as a number or its decimal text, as a
whole number a store can hold. Magento sends its quantities as numbers that may be
fractional (qty_ordered, quantity: decimal in its schema; the order of Adobe's REST
tutorial, AdobeDocs/commerce-webapi src/pages/rest/tutorials/orders/order-create-order.md,
which emulators/magento.py follows) and sometimes as decimal text; a whole number past 2**53 must not go
through a float (tests/security/test_fuzz_parsers.py found 9223372036854775296 read as
2**63, past the store's BIGINT)."""

from __future__ import annotations

import pytest

from seom_desktop.carts.parse import MAX_QUANTITY, quantity


@pytest.mark.parametrize(("sent", "read"), [
    (2, 2), (2.0, 2), ("2.0000", 2), ("7", 7), (-3, -3), (2.6, 3),
    (9_223_372_036_854_775_296, 9_223_372_036_854_775_296), (MAX_QUANTITY, MAX_QUANTITY),
])
def test_a_quantity_is_read_as_a_whole_number(sent, read):
    got = quantity(sent)
    assert got == read and type(got) is int


@pytest.mark.parametrize("sent", [MAX_QUANTITY + 1, -MAX_QUANTITY - 1, 1e19, "1e30",
                                  float("nan"), "many", None, [], float("inf")])
def test_a_quantity_no_store_could_hold_is_refused(sent):
    with pytest.raises((ValueError, OverflowError, TypeError)):
        quantity(sent)
