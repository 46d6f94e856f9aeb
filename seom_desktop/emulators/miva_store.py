"""The store side of the Miva emulator: products with Miva's two inventory rows, orders,
and the four JSON API functions the connector calls, answering as Miva's own source does.

Source: Miva's Limited Source Kit, github.com/mivaecommerce/miva-merchant-lsk (tag 10.13.04):

- `json/products.mv` JSON_Product_OnDemandColumns: a product is printed as id, disp_order,
  code, sku, name, thumbnail, image, price, formatted_price, cost, formatted_cost,
  page_code, page_id, then `product_inventory_active` (JSON_Boolean) and
  `product_inventory` (int) only when the on-demand column `product_inventory` was asked
  for, then weight, taxable, active, page_title, dt_created, dt_updated.
  JSON_ProductList_Load_Query_Filter turns every `ondemandcolumns` name into a flag and
  nothing ever reads a flag it does not know: an unknown name is ignored, silently.
  The list answers `{"success": 1, "data": {"total_count", "start_offset", "data": [...]}}`
  (JSON_ProductList_Load_Query with JSON_Response_Start in mmlsk-json.mv).
- Inventory lives in two rows (`features/inv/mmlsk-inv_db.mv`): InventoryProductSettings
  (`active`: tracking on) and InventoryProductCounts (`inventory`). The list LEFT JOINs
  both: no settings row prints active false, no count row prints 0.
- JSON_Product_Update: `Product_Inventory` runs InventoryProductCount_Update, an UPDATE
  of the count row whatever `active` says, and answers success: on a product never
  tracked (no count row) nothing changes; on one whose tracking was turned off, the
  hidden count changes and the product stays untracked. Product not found:
  MER-JSN-PRD-00014 (by Product_Code), -00013 (Edit_Product), -00070 (Product_ID),
  -00071 (Product_SKU).
- JSON_ProductList_Adjust_Inventory: every element is loaded first (one bad element
  answers MER-JSN-00023 "One or more parameters are invalid" and nothing is applied);
  then a product with a settings row gets `active` turned on and `inventory + n`; one
  without gets a settings row (active) and a count row of n inserted. It answers
  `{"success": 1}`.
- `json/orders.mv` JSON_Order_OnDemandColumns / JSON_OrderItem_OnDemandColumns: an order
  (id, status, orderdate in unix seconds, ...) with `items` when asked for; each item
  carries both the product `code` and the product's `sku`, which may differ. Status
  numbers: docs.miva.com/miva10/reference-guide/order-order-item-statuses, and
  lib/dbeng/orders.mv Order_Update_Status (an order whose items are all cancelled, 300,
  is cancelled; cancelled and adjustment, 999, items are left out of the rest). What
  cancelling does to stock is not modelled (OrderItemList_Cancel_WithVariants was not
  read; v56_Order_Delete gives back the stock of items in status 0, 100 and 400).

The error code for a wrong Store_Code is the emulator's own (Admin_Open_Store's code is
not in the kit); the wording of a field error for a non-integer Product_Inventory too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

NOT_FOUND = {"Product_Code": "MER-JSN-PRD-00014", "Edit_Product": "MER-JSN-PRD-00013",
             "Product_ID": "MER-JSN-PRD-00070", "Product_SKU": "MER-JSN-PRD-00071"}
INPUT_ERRORS = "MER-JSN-00023"  # JSON_Response_InputErrors


def fail(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"success": 0, "error_code": code, "error_message": message, **extra}


def input_errors(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """JSON_Response_InputErrors (mmlsk-json.mv)."""
    first_field, first_message = fields[0]
    return fail(INPUT_ERRORS, "One or more parameters are invalid", validation_error=True,
                error_field=first_field, error_field_message=first_message, input_errors=True,
                error_fields=[{"error_field": f, "error_message": m} for f, m in fields])


@dataclass
class Product:
    id: int
    code: str
    sku: str = ""
    name: str = ""
    price: float = 0.0
    tracking: bool | None = None  # InventoryProductSettings.active; None: no row
    count: int | None = None  # InventoryProductCounts.inventory; None: no row
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def tracked(self) -> bool:
        return bool(self.tracking)

    def row(self, columns: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "disp_order": self.id, "code": self.code, "sku": self.sku,
            "name": self.name, "thumbnail": "", "image": "", "price": self.price,
            "formatted_price": f"${self.price:.2f}", "cost": 0.0, "formatted_cost": "$0.00",
            "page_code": "", "page_id": 0}
        if "descrip" in columns:
            out["descrip"] = ""
        if "product_inventory" in columns:
            out["product_inventory_active"] = self.tracked
            out["product_inventory"] = int(self.count or 0)
        out.update(weight=0.0, taxable=True, active=True, page_title="", dt_created=self.created,
                   dt_updated=self.created)
        return out


def order_row(order: dict[str, Any], products: dict[str, Product], columns: set[str]) -> dict:
    """An order as JSON_Order_OnDemandColumns prints it (the fields the lists carry)."""
    row: dict[str, Any] = {"id": order["id"], "pay_id": 0, "batch_id": 0,
                           "status": order["status"], "pay_status": 0, "stk_status": 0,
                           "dt_instock": 0, "orderdate": order["orderdate"], "cust_id": 0,
                           "ship_res": False, "ship_fname": "", "ship_lname": "",
                           "ship_email": "", "ship_id": 0, "ship_data": "", "source": "",
                           "source_id": 0, "total": 0.0, "formatted_total": "$0.00",
                           "pend_count": 0, "bord_count": 0, "note_count": 0,
                           "dt_updated": order["orderdate"]}
    if "items" in columns:
        row["items"] = [_item_row(order, n, line, products.get(line[0]))
                        for n, line in enumerate(order["lines"])]
    return row


def _item_row(order: dict, n: int, line: list, product: Product | None) -> dict:
    """JSON_OrderItem_OnDemandColumns (json/orders.mv); `line` is [code, quantity, status]."""
    code, qty, status = line
    return {"order_id": order["id"], "line_id": order["id"] * 100 + n, "group_id": 0,
            "status": status, "subscrp_id": 0, "subterm_id": 0, "shpmnt_id": 0, "rma_id": 0,
            "product_id": product.id if product else 0, "dt_instock": 0, "code": code,
            "name": product.name if product else code, "sku": product.sku if product else "",
            "retail": 0.0, "base_price": 0.0, "price": 0.0, "weight": 0.0, "taxable": True,
            "tax": 0.0, "formatted_tax": "$0.00", "upsold": False, "quantity": qty}


def filters(params: dict, name: str) -> list[Any]:
    out: list[Any] = []
    for f in params.get("Filter") or []:
        if isinstance(f, dict) and f.get("name") == name:
            value = f.get("value")
            out.extend(value if isinstance(value, list) else [value])
    return out


def columns(params: dict) -> set[str]:
    """The on-demand columns asked for; names Miva does not know are simply never read."""
    return {c for c in filters(params, "ondemandcolumns") if isinstance(c, str)}


def _keep(row: dict[str, Any], search: list[Any]) -> bool:
    for s in search:
        if not isinstance(s, dict):
            continue
        have, op, want = row.get(s.get("field")), str(s.get("operator", "EQ")).upper(), s.get("value")
        if op == "EQ" and str(have) != str(want):
            return False
        if op == "NE" and str(have) == str(want):
            return False
        if op == "IN" and str(have) not in [v.strip() for v in str(want).split(",")]:
            return False
        for name, test in (("GE", float.__ge__), ("GT", float.__gt__), ("LE", float.__le__),
                           ("LT", float.__lt__)):
            if op == name and not (have is not None and test(float(have), float(want))):
                return False
    return True


def page(rows: list[dict[str, Any]], params: dict) -> dict[str, Any]:
    """Count/Offset/Sort/Filter as JSON_ProductList_Load_Query reads them."""
    try:
        count, offset = int(params.get("Count", 0) or 0), int(params.get("Offset", 0) or 0)
    except (TypeError, ValueError):
        return input_errors([("Count", "Count and Offset must be whole numbers")])
    rows = [r for r in rows if _keep(r, filters(params, "search"))]
    sort = str(params.get("Sort") or "id")
    key = sort.lstrip("-")
    rows.sort(key=lambda r: (r.get(key) is None, r.get(key), r["id"]), reverse=sort.startswith("-"))
    chunk = rows[offset: offset + count] if count > 0 else rows[offset:]
    return {"success": 1, "data": {"total_count": len(rows), "start_offset": offset, "data": chunk}}


class Catalog:
    """Products by code and orders; the emulator holds its lock around every call."""

    def __init__(self) -> None:
        self.products: dict[str, Product] = {}
        self.orders: list[dict[str, Any]] = []
        self.writes: list[str] = []  # codes Product_Update wrote a count to (hidden or not)
        self._next_id = 0

    def add(self, code: str, qoh: int | None, name: str, tracked: bool, sku: str) -> Product:
        self._next_id += 1
        p = Product(self._next_id, code, sku, name or code, tracking=True if tracked else None,
                    count=int(qoh or 0) if tracked else None)
        self.products[code] = p
        return p

    def _load(self, params: dict) -> tuple[Product | None, dict | None]:
        for key in ("Product_ID", "Edit_Product", "Product_Code", "Product_SKU"):
            if params.get(key) in (None, ""):
                continue
            want = str(params[key])
            if key in ("Edit_Product", "Product_Code"):
                found = [self.products[want]] if want in self.products else []
            else:
                found = [p for p in self.products.values()
                         if want == (str(p.id) if key == "Product_ID" else p.sku)]
            if key == "Product_SKU" and len(found) > 1:
                return None, fail("MER-JSN-PRD-00072", "Ambiguous product SKU")
            return (found[0], None) if found else (None, fail(NOT_FOUND[key], "Product not found"))
        return None, fail("MER-JSN-PRD-00073", "Unable to load product: One of Product_ID, "
                          "Edit_Product, Product_Code or Product_SKU must be specified")

    # --- functions ---------------------------------------------------------------------
    def product_list(self, params: dict) -> dict[str, Any]:
        cols = columns(params)
        return page([p.row(cols) for p in self.products.values()], params)

    def product_update(self, params: dict) -> tuple[dict[str, Any], Product | None]:
        """The answer, and the product whose visible quantity changed (if one did)."""
        p, error = self._load(params)
        if error is not None:
            return error, None
        qty = params.get("Product_Inventory")
        if qty is None:
            return {"success": 1}, None
        if not isinstance(qty, int) or isinstance(qty, bool):
            return input_errors([("Product_Inventory", "must be a whole number")]), None
        if p.count is None:  # UPDATE ... WHERE product_id = ?: no row, nothing changes
            return {"success": 1}, None
        p.count = qty
        self.writes.append(p.code)
        return {"success": 1}, (p if p.tracked else None)

    def adjust(self, params: dict) -> tuple[dict[str, Any], list[Product]]:
        raw = params.get("Inventory_Adjustments")
        if not isinstance(raw, list):
            return input_errors([("Inventory_Adjustments", "required")]), []
        plan: list[tuple[Product, int]] = []
        errors: list[tuple[str, str]] = []
        for n, a in enumerate(raw, 1):
            a = a if isinstance(a, dict) else {}
            load = {"Product_ID": a.get("product_id"), "Product_Code": a.get("product_code"),
                    "Product_SKU": a.get("product_sku")}
            p, error = self._load(load)
            delta = a.get("adjustment")
            if error is not None:
                errors.append((f"Inventory_Adjustments[{n}]", error["error_message"]))
            elif not isinstance(delta, int) or isinstance(delta, bool):
                errors.append((f"Inventory_Adjustments[{n}]:adjustment", "required whole number"))
            else:
                plan.append((p, delta))
        if errors:
            return input_errors(errors), []
        for p, delta in plan:
            if p.tracking is None:  # InventoryProductSettings_Insert + Count_Insert
                p.tracking, p.count = True, delta
            else:
                p.tracking = True  # tracking turned on, the count adjusted if it has a row
                if p.count is not None:
                    p.count += delta
        return {"success": 1}, [p for p, _ in plan]

    def order_list(self, params: dict) -> dict[str, Any]:
        cols = columns(params)
        return page([order_row(o, self.products, cols) for o in self.orders], params)
