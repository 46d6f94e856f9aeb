"""The Add/Edit Cart form of Shopping Carts: name, kind, URL, the credential fields and
the location the chosen kind uses (app/cart_kinds.py: each labelled in the cart's words
with a one-line hint where its admin shows the value; the others hidden), Maximum
number of items to send, Synchronize Inventory (only for kinds that can take real-time
changes) and [Test connection] on its Cart tab; the cart's rules and warehouses on its
Rules and warehouses tab (ui/dialogs/cart_rules.py). Mixed into ShoppingCartsDialog,
which saves it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.cart_kinds import FIELDS, cart_form
from seom_desktop.app.carts import REALTIME, available_kinds, kind_capabilities
from seom_desktop.ui.dialogs.cart_rules import CartRulesTab
from seom_desktop.ui.dialogs.fields import NOTE_STYLE, OK_STYLE, ErrorLabel, Field, line_field


class CartFormWidgets:
    """Builds the form's widgets on the dialog (self.name, self.kind_combo, self.key, ...)
    and shows the fields of the chosen kind."""

    def _build_form(self) -> QGroupBox:
        self.form_box = QGroupBox("Edit Cart")
        self.name = line_field("a name for this cart", name="name")
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("kind")
        self.kind_combo.addItems(available_kinds())
        self.kind = Field(self.kind_combo)
        self.url = line_field("https://shop.example.com", name="url")
        self.key = line_field(password=True, name="key")
        self.secret = line_field(password=True, name="secret")
        self.token = line_field(password=True, name="token")
        self.location = line_field(name="location")
        self.hints: dict[str, QLabel] = {}
        for name in FIELDS:
            hint = QLabel("")
            hint.setObjectName(f"{name}Hint")
            hint.setStyleSheet(NOTE_STYLE)
            hint.setWordWrap(True)
            getattr(self, name).layout().insertWidget(1, hint)
            self.hints[name] = hint
        self.max_items = line_field("50", name="max_items")
        self.sync_box = QCheckBox("Synchronize Inventory")
        self.sync_box.setAccessibleName("Synchronize Inventory")
        self.sync_note = QLabel("")
        self.sync_note.setStyleSheet(NOTE_STYLE)
        self.sync_note.setWordWrap(True)
        self.test_button = QPushButton("Test connection")
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.form_error = ErrorLabel()
        self.status = QLabel("")
        self.status.setStyleSheet(OK_STYLE)

        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.sync_box)  # upper right, as on the reference screen
        form = QFormLayout()
        form.addRow("Cart name:", self.name)
        form.addRow("Kind:", self.kind)
        form.addRow("URL:", self.url)
        for name in FIELDS:
            form.addRow(f"{name.capitalize()}:", getattr(self, name))
        form.addRow("Maximum number of\nitems to send:", self.max_items)
        self.cart_fields = form
        tests = QHBoxLayout()
        tests.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        tests.addWidget(self.test_result, 1)
        cart_tab = QWidget()
        ct = QVBoxLayout(cart_tab)
        ct.addLayout(form)
        ct.addLayout(tests)
        ct.addStretch(1)
        self.rules_tab = CartRulesTab()
        self.rules_tab.loaded.connect(self._rules_loaded)
        self.form_tabs = QTabWidget()
        self.form_tabs.addTab(cart_tab, "&Cart")
        self.rules_page = QScrollArea()  # the fields keep their height, however many warehouses
        self.rules_page.setWidgetResizable(True)
        self.rules_page.setFrameShape(QScrollArea.Shape.NoFrame)
        self.rules_page.setWidget(self.rules_tab)
        self.form_tabs.addTab(self.rules_page, "&Rules and warehouses")
        fb = QVBoxLayout(self.form_box)
        fb.addLayout(top)  # above the tabs: Synchronize Inventory is seen from both
        fb.addWidget(self.sync_note)
        fb.addWidget(self.form_tabs, 1)
        fb.addWidget(self.form_error)
        sb = QHBoxLayout()
        sb.addWidget(self.status, 1)
        sb.addWidget(self.save_button)
        fb.addLayout(sb)
        self.kind_combo.currentTextChanged.connect(lambda _k: self._kind_changed())
        return self.form_box

    def load_rules(self, name: str | None) -> None:
        """Read the cart `name`'s rules and warehouses (None: a new cart's) into their tab."""
        self.rules_tab.load(self.store, name)

    def _rules_loaded(self) -> None:
        """What arrived is the saved state (the unsaved check compares with it)."""
        if self.form_saved:
            self.form_saved = (*self.form_saved[:-2], self.rules_tab.values(),
                               self.form_saved[-1])

    def checked_rules(self):
        """The Rules and warehouses tab's checked values; None: not read yet (nothing of
        it to save); False: a problem (its tab shown, each problem under its field)."""
        rules = self.rules_tab.check()
        if rules is False:
            self.form_tabs.setCurrentWidget(self.rules_page)
        return rules

    def used_fields(self) -> tuple[str, ...]:
        """The credential and location fields the chosen kind uses."""
        return cart_form(self.kind_combo.currentText()).names

    def _show_kind_fields(self, kind: str) -> None:
        spec = cart_form(kind)
        self.url.editor.setPlaceholderText(spec.url_hint)
        for name in FIELDS:
            f = spec.field(name)
            field = getattr(self, name)
            self.cart_fields.setRowVisible(field, f is not None)
            if f is None:
                continue
            label = self.cart_fields.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(f.label)
            field.editor.setAccessibleName(f.label.rstrip(":"))
            self.hints[name].setText(f.hint)
            self.hints[name].setVisible(bool(f.hint))

    def _kind_changed(self) -> None:
        kind = self.kind_combo.currentText()
        self._show_kind_fields(kind)
        self.rules_tab.set_kind(kind)
        realtime = REALTIME in kind_capabilities(kind)
        self.sync_box.setVisible(realtime)
        if not realtime:
            self.sync_box.setChecked(False)
        self.sync_note.setText("" if realtime or not kind else
                               f"Carts of kind {kind} cannot Synchronize Inventory.")
        self.sync_note.setVisible(bool(self.sync_note.text()))
