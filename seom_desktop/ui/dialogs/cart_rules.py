"""The cart form's "Rules and warehouses" tab: the cart's allocation rules (reserve,
maximum shown, percent, minimum shown, safety; empty = unset), the warehouses it sells
from (none checked = all), the warehouse its orders ship from and, for kinds with
locations (Shopify, BigCommerce, Magento), the cart's location id per warehouse. What
`cart set NAME --reserve/--max-qty/--percent/--min-qty/--safety/--warehouses/
--order-warehouse/--location-for` sets; read on a pool thread (app/carts.cart_rules) and
saved with the cart (app/carts.save_cart)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.carts import (
    LOCATIONS,
    CartRules,
    CartRulesForm,
    cart_rules,
    kind_capabilities,
    parse_location_for,
    parse_rule,
)
from seom_desktop.app.errors import InventoryError
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import ErrorLabel, line_field

RULES = (("reserve", "R&eserve:", "kept back from every item on this cart"),
         ("max_qty", "Ma&ximum shown:", "the most any item shows on this cart"),
         ("percent", "&Percent shown:", "share of what is available to show, 0-100, "
                                        "rounded down"),
         ("min_qty", "M&inimum shown:", "the least any item shows on this cart"),
         ("safety", "Sa&fety:", "show 0 when what is available is at or below this"))
DEFAULT = "(default warehouse: {})"


class CartRulesTab(QWidget):
    """`loaded` says the store's warehouses and the cart's allocation arrived."""

    loaded = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.form_data: CartRulesForm | None = None
        self.has_locations = False
        self.fields = {}
        rules_box = QGroupBox("Rules (empty: unset)")
        rf = QFormLayout(rules_box)
        for name, label, tip in RULES:
            f = line_field("unset", name=name)
            f.editor.setToolTip(tip)
            self.fields[name] = f
            lab = QLabel(label)
            lab.setBuddy(f.editor)
            rf.addRow(lab, f)

        wh_box = QGroupBox("Warehouses")
        wf = QVBoxLayout(wh_box)
        self.warehouse_list = QListWidget()
        self.warehouse_list.setAccessibleName("Sells from")
        self.warehouse_list.setMaximumHeight(70)
        sells = QLabel("Sells fro&m (none checked: every one):")
        sells.setBuddy(self.warehouse_list)
        self.order_combo = QComboBox()
        self.order_combo.setAccessibleName("Orders ship from")
        ships = QLabel("Orders s&hip from:")
        ships.setBuddy(self.order_combo)
        for w in (sells, self.warehouse_list, ships, self.order_combo):
            wf.addWidget(w)
        wf.addStretch(1)
        self.locations_box = QGroupBox("The cart's location for each warehouse")
        self.locations_form = QFormLayout(self.locations_box)
        self.location_fields = {}
        self.error = ErrorLabel()

        lay = QVBoxLayout(self)
        both = QHBoxLayout()
        both.addWidget(rules_box, 1)
        both.addWidget(wh_box, 1)
        lay.addLayout(both)
        lay.addWidget(self.locations_box)
        lay.addWidget(self.error)
        lay.addStretch(1)

    # --- reading ------------------------------------------------------------------------

    def load(self, store, name: str | None) -> None:
        """Read the warehouses and the cart `name`'s allocation (None: a new cart) on a
        pool thread; the tab is disabled until they arrive."""
        self.setEnabled(False)
        self._wanted = name

        def failed(e: BaseException) -> None:
            self.setEnabled(True)
            self.error.show_error(f"Could not read the cart's rules: {type(e).__name__}: {e}")
            self.loaded.emit()

        run_in_thread(lambda: cart_rules(store, name=name), owner=self,
                      on_done=lambda data: self._show(name, data), on_error=failed)

    def _show(self, name: str | None, data: CartRulesForm) -> None:
        if name != self._wanted:
            return  # another cart is in the form by now
        self.form_data = data
        a = data.allocation
        for r, f in self.fields.items():
            v = None if a is None else a.rules.get(r)
            f.editor.setText("" if v is None else str(v))
            f.clear_error()
        self.warehouse_list.clear()
        for w in data.warehouses:
            item = QListWidgetItem(w)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = a is not None and w in a.warehouses
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.warehouse_list.addItem(item)
        self.order_combo.clear()
        self.order_combo.addItem(DEFAULT.format(data.default_warehouse), "none")
        for w in data.warehouses:
            self.order_combo.addItem(w, w)
        self.order_combo.setCurrentIndex(max(0, self.order_combo.findData(data.order_warehouse)))
        while self.locations_form.rowCount():
            self.locations_form.removeRow(0)
        self.location_fields = {}
        before = self.order_combo  # Tab goes on from it to the locations, made only now
        for w in data.warehouses:
            f = line_field("not mapped", name=f"location:{w}")
            f.editor.setAccessibleName(f"Location for {w}")
            f.editor.setText("" if a is None else a.locations.get(w, ""))
            self.location_fields[w] = f
            self.locations_form.addRow(f"{w}:", f)
            QWidget.setTabOrder(before, f.editor)
            before = f.editor
        self._show_locations()
        self.error.clear_error()
        self.setEnabled(True)
        self.loaded.emit()

    def set_kind(self, kind: str) -> None:
        """Locations only for kinds that keep stock per location."""
        self.has_locations = bool(kind) and LOCATIONS in kind_capabilities(kind)
        self._show_locations()

    def _show_locations(self) -> None:
        self.locations_box.setVisible(self.has_locations and bool(self.location_fields))

    # --- the values -----------------------------------------------------------------------

    def values(self) -> tuple:
        """As typed (the form's unsaved check compares them)."""
        checked = tuple(self.warehouse_list.item(i).text()
                        for i in range(self.warehouse_list.count())
                        if self.warehouse_list.item(i).checkState() == Qt.CheckState.Checked)
        return (tuple(f.editor.text() for f in self.fields.values()), checked,
                self.order_combo.currentData(),
                tuple(f.editor.text() for f in self.location_fields.values()))

    def check(self) -> CartRules | None | bool:
        """The checked values as `cart set` reads them; False: a problem (shown under its
        field); None: not read yet (the tab was disabled: nothing of it changed)."""
        if self.form_data is None or not self.isEnabled():
            return None
        rules: dict[str, int | None] = {}
        ok = True
        for r, f in self.fields.items():
            text = f.editor.text().strip()
            try:
                rules[r] = parse_rule(r, text) if text else None
            except InventoryError as e:
                f.show_error(str(e))
                ok = False
        locations = []
        for w, f in self.location_fields.items() if self.has_locations else ():
            try:  # as `--location-for WAREHOUSE=LOCATION` reads it
                locations.append(parse_location_for(f"{w}={f.editor.text()}"))
            except InventoryError as e:
                f.show_error(str(e))
                ok = False
        if not ok:
            return False
        _texts, checked, ships, _locs = self.values()
        return CartRules(rules, checked, ships or "none", tuple(locations))
