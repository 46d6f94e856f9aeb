"""What the WooCommerce connector reads from the REST API v3: its item rows made into
CartItems cheaply (one per item listed), where a SKU's stock lives (`_Where`), a listing
page, and the cart's own words from an error body."""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any, NamedTuple

from seom_desktop.carts.base import CartItem
from seom_desktop.carts.http_response import Response

NOT_TRACKED = "does not track stock (manage_stock is off)"
_MANAGE = (True, False, "parent")  # the manage_stock values an item may show
_TRACKED = (True, "parent")
_NOT_SIMPLE = ("variable", "grouped", "external")
_new_where = tuple.__new__  # a _Where without NamedTuple's Python-level __new__ (per item)


def _plain_cart_item(sku: str, qoh: int | None, item_id: str, name: str,
                     tracked: bool) -> CartItem:
    """CartItem(...) at a fifth of the cost: a frozen dataclass's __init__ sets each field
    through object.__setattr__; here each goes into the instance's own __dict__, in the
    fields' order (the dict then shares its keys with every other CartItem's, as
    __init__'s does: 270 B an item rather than 400 B for a dict of its own). Used only
    when CartItem is such a plain dataclass (checked below), else the ordinary way."""
    item = _object_new(CartItem)
    d = item.__dict__
    d["sku"] = sku
    d["qoh"] = qoh
    d["item_id"] = item_id
    d["name"] = name
    d["tracked"] = tracked
    d["managed"] = ""
    d["locations"] = {}
    return item


_object_new = object.__new__
_cart_item = (_plain_cart_item
              if (not hasattr(CartItem, "__slots__") and not hasattr(CartItem, "__post_init__")
                  and [f.name for f in dataclasses.fields(CartItem)]
                  == ["sku", "qoh", "item_id", "name", "tracked", "managed", "locations"]
                  and _plain_cart_item("s", 1, "2", "n", True) == CartItem("s", 1, "2", "n", True)
                  and vars(_plain_cart_item("s", None, "", "", False))
                  == vars(CartItem("s", None, "", "", False)))
              else CartItem)


def error_words(resp: Response) -> str:
    """The cart's own words from a WP_Error body {code, message, data:{params}}."""
    body = resp.json()
    if not isinstance(body, dict):
        return ""
    msg = body.get("message") or body.get("error") or ""
    msg = html.unescape(re.sub(r"<[^>]+>", "", str(msg))).strip()
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("params"), dict):
        details = "; ".join(str(v) for v in data["params"].values())
        msg = f"{msg} ({details})" if details else msg
    code = body.get("code")
    msg += next((hint for words, hint in _HINTS if words in msg), "")
    return f"{msg} [{code}]" if isinstance(code, str) and code else msg


# What an OAuth refusal means for the clerk (over plain http the connector signs OAuth 1.0a)
_HINTS = (("provided signature does not match", " (the cart URL must be the store's own home "
           "URL, as in WordPress Settings > General > Site Address: WooCommerce checks the "
           "signature over it)"),
          ("Invalid timestamp", " (this computer's clock must be within 15 minutes of the "
           "store's)"))


class _Page(NamedTuple):
    rows: list[dict[str, Any]]
    total: int | None  # X-WP-TotalPages, when given
    body: bytes  # the raw answer (PageGuard compares pages by it)


class _Where(NamedTuple):
    """Where one SKU's stock lives. manage: True, False, "parent", or None (not known).
    (A NamedTuple: one is made for every item listed.)"""

    item_id: str
    manage: bool | str | None
    parent_id: int = 0

    @property
    def own_id(self) -> int:
        return int(self.item_id.rpartition("/")[2])

    def target(self) -> tuple[str, int]:
        """(batch path, id) that a stock write for this SKU goes to."""
        if self.parent_id and self.manage == "parent":
            return "/products/batch", self.parent_id
        if self.parent_id:
            return f"/products/{self.parent_id}/variations/batch", self.own_id
        return "/products/batch", self.own_id


def _where_from_id(item_id: str) -> _Where | None:
    m = re.fullmatch(r"\s*(\d+)\s*(?:/\s*(\d+)\s*)?", item_id or "")
    if not m:
        return None
    if m.group(2):
        return _Where(f"{m.group(1)}/{m.group(2)}", None, int(m.group(1)))
    return _Where(m.group(1), None)
