"""The GraphQL documents the Shopify connector sends (Admin API 2026-04), and the
reading of Shopify's answers (error words, shapes, throttle status, user-error paths).

Page sizes keep every query well under Shopify's single-query limit of 1000 cost points
(a connection costs 2 + first x the cost of one node): 100 variants with their inventory
item and level cost about 300; 10 orders with 50 line items each about 530.
"""

from __future__ import annotations

import math
from typing import Any

from seom_desktop.carts.base import AmbiguousError, BadResponseError, CartError

API_VERSION = "2026-04"
VARIANT_PAGE = 100
ORDER_PAGE = 10
ORDER_LINES = 50
LINE_PAGE = 250

SHOP = """
query SeomShop {
  shop { name myshopifyDomain }
}
"""

LOCATIONS = """
query SeomLocations($after: String) {
  locations(first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id name isActive }
  }
}
"""

ALL_LOCATIONS = """
query SeomAllLocations($after: String) {
  locations(first: 50, after: $after, includeInactive: true) {
    pageInfo { hasNextPage endCursor }
    nodes { id name isActive }
  }
}
"""

LOCATION = """
query SeomLocation($id: ID!) {
  location(id: $id) { id name isActive }
}
"""

VARIANTS = """
query SeomVariants($first: Int!, $after: String, $query: String, $locationId: ID!) {
  productVariants(first: $first, after: $after, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {
      sku
      displayName
      requiresComponents
      inventoryItem {
        id
        tracked
        inventoryLevel(locationId: $locationId) {
          quantities(names: ["available"]) { name quantity }
        }
      }
    }
  }
}
"""

_PAYLOAD = """
    inventoryAdjustmentGroup {
      id
      changes { name delta quantityAfterChange item { id tracked } location { id } }
    }
    userErrors { field message code }
"""

ADJUST = (
    "mutation SeomAdjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {\n"
    "  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {" + _PAYLOAD + "}\n}\n"
)

SET = (
    "mutation SeomSet($input: InventorySetQuantitiesInput!, $key: String!) {\n"
    "  inventorySetQuantities(input: $input) @idempotent(key: $key) {" + _PAYLOAD + "}\n}\n"
)

ORDERS = """
query SeomOrders($first: Int!, $after: String, $query: String, $lines: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      name
      createdAt
      cancelledAt
      displayFinancialStatus
      lineItems(first: $lines) {
        pageInfo { hasNextPage endCursor }
        nodes { sku quantity name }
      }
    }
  }
}
"""

ORDER_LINES_PAGE = """
query SeomOrderLines($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    lineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { sku quantity name }
    }
  }
}
"""


# What each document is expected to ask of the cost bucket before Shopify has said
# (requestedQueryCost): (fixed points, points per `first`). A connection costs 2 plus
# `first` times its node; an object 1; a mutation 10 whatever its input (a captured
# 2026-04 inventorySetQuantities answer asks 13 with a group, an item and a location).
_COSTS = {
    SHOP: (1, 0), LOCATION: (1, 0), LOCATIONS: (52, 0), ALL_LOCATIONS: (52, 0),
    VARIANTS: (2, 3),  # variant, inventory item, inventory level
    ADJUST: (13, 0), SET: (13, 0),
    ORDERS: (2, 1 + 2 + ORDER_LINES),  # order, line connection of ORDER_LINES lines
    ORDER_LINES_PAGE: (3, 1),
}
UNKNOWN_COST = 1000  # Shopify's single-query maximum: no request asks more


def expected_cost(query: str, variables: dict) -> float:
    fixed, per = _COSTS.get(query, (UNKNOWN_COST, 0))
    first = variables.get("first")
    return float(fixed + per * (first if isinstance(first, int) else 0))


_LEVEL = 'quantities(names: ["available"]) { name quantity }\n        }'
_AT_DOCS: dict[int, str] = {}


def variants_at(extra: int) -> str:
    """VARIANTS reading `extra` more locations: each inventory item also answers
    `at0`..`at{extra-1}`, aliases of `inventoryLevel(locationId: $at0)`.. (one level
    point more per variant each)."""
    if extra <= 0:
        return VARIANTS
    doc = _AT_DOCS.get(extra)
    if doc is None:
        decl = "".join(f", $at{i}: ID!" for i in range(extra))
        levels = "".join(f"\n        at{i}: inventoryLevel(locationId: $at{i}) {{\n"
                         f"          {_LEVEL}" for i in range(extra))
        doc = VARIANTS.replace("$locationId: ID!)", "$locationId: ID!" + decl + ")", 1)
        doc = doc.replace(_LEVEL, _LEVEL + levels, 1)
        _COSTS[doc] = (2, 3 + extra)
        doc = _AT_DOCS.setdefault(extra, doc)
    return doc


def search_value(value: str) -> str:
    """A value for Shopify's search syntax, quoted so spaces, colons and quotes in a SKU
    stay part of it."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sku_query(skus: list[str]) -> str:
    return " OR ".join(f"sku:{search_value(s)}" for s in skus)


def error_words(resp) -> str:
    """Shopify's own words from an error body: a string, a list of {message}, or a
    dict of field -> reason."""
    body = resp.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    if isinstance(errors, dict):
        return "; ".join(f"{k}: {v}" for k, v in errors.items())
    return ""


class Shape:
    """Checks the shape of an answer; a wrong shape is BadResponseError for a read and
    AmbiguousError for a write (it may have been applied)."""

    def __init__(self, name: str, write: bool):
        self.name, self.error = name, (AmbiguousError if write else BadResponseError)

    def fail(self, what: str) -> CartError:
        return self.error(f"{self.name}: Shopify answered without {what}")

    def obj(self, value: Any, what: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(what)
        return value

    def list(self, value: Any, what: str) -> list:
        if not isinstance(value, list):
            raise self.fail(what)
        return value

    def text(self, value: Any, what: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(what)
        return value


def change_index(field: Any) -> int | None:
    """["input", "changes", "3", "changeFromQuantity"] -> 3."""
    if isinstance(field, list) and len(field) >= 3 and field[0] == "input" and \
            field[1] in ("changes", "quantities"):
        try:
            return int(field[2])
        except (TypeError, ValueError):
            return None
    return None


def throttle_delay(body: dict) -> tuple[float, str]:
    """Seconds until the bucket holds the points the query asked for."""
    cost = (body.get("extensions") or {}).get("cost") if isinstance(body.get("extensions"), dict) else None
    try:
        status = cost["throttleStatus"]
        requested = float(cost["requestedQueryCost"])
        available = float(status["currentlyAvailable"])
        rate = float(status["restoreRate"])
        maximum = float(status["maximumAvailable"])
    except (TypeError, KeyError, ValueError):
        return 1.0, "no throttle status given"
    if not all(math.isfinite(x) for x in (requested, available, rate, maximum)) or rate <= 0:
        return 1.0, "no usable restore rate given"
    delay = max(requested - available, 1.0) / rate
    why = (f"query cost {requested:g}, {available:g} of {maximum:g} points available, "
           f"restoring {rate:g}/s")
    return min(max(delay, 0.0), 600.0), why
