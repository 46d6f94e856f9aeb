"""Shopping Carts (Main Menu > Settings > System Functions): the Current Carts List and
the Add/Edit Cart form. Credentials go to the OS keyring and are never shown back;
[Test connection] runs off the UI thread; "Synchronize Inventory" is offered only for
carts whose kind can take real-time changes, and turning it on first shows the
reference page's warnings, a drift report and the offer to Send QOH To Website."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seom_desktop import credentials
from seom_desktop.carts.base import REALTIME, CartConfig, CartError
from seom_desktop.carts.http import Redactor, check_url
from seom_desktop.carts.registry import (
    UnknownKindError,
    available_kinds,
    make_connector,
)
from seom_desktop.store.carts import (
    CartDefinitionError,
    cart_by_name,
    check_cart_name,
    check_max_items,
)
from seom_desktop.sync.cart_setup import (
    CartView,
    all_carts,
    define_cart,
    kind_capabilities,
    update_cart,
)
from seom_desktop.ui.dialogs.cart_form_guard import CartFormGuard
from seom_desktop.ui.dialogs.fields import (
    ERROR_STYLE,
    NOTE_STYLE,
    OK_STYLE,
    ErrorLabel,
    Field,
    RowsModel,
    StoreDialog,
    line_field,
    make_default,
    plain_table,
    run_in_background,
    set_read_only,
)
from seom_desktop.ui.dialogs.sync_warning import SyncWarningDialog, optional_function  # noqa: F401

KEPT = "stored in the OS keyring (leave empty to keep)"

def test_connection(config: CartConfig) -> str:
    """Connect and ask the cart who it is (runs off the UI thread)."""
    conn = make_connector(config)
    try:
        return conn.test_connection()
    finally:
        conn.close()


class ShoppingCartsDialog(CartFormGuard, StoreDialog):
    changed = Signal()
    connection_tested = Signal(bool, str)

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None, **kw):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle("Shopping Carts")
        self.editing: CartView | None = None
        self.carts: list[CartView] = []

        # Current Carts List
        self.list_model = RowsModel(("Name", "Kind", "Sync", "URL"))
        self.list_view = plain_table(self.list_model)
        self.list_view.setAccessibleName("Current Carts List")
        self.list_view.setToolTip("Sync: the cart's Synchronize Inventory box")
        self.add_button = QPushButton("Add Cart")
        self.edit_button = QPushButton("Edit Cart")
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Current Carts List</b>"))
        left.addWidget(self.list_view, 1)
        lb = QHBoxLayout()
        lb.addWidget(self.add_button)
        lb.addWidget(self.edit_button)
        lb.addStretch(1)
        left.addLayout(lb)

        # Add/Edit Cart form
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
        self.location = line_field("optional (e.g. a stock location or store view)",
                                   name="location")
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
        form.addRow("Key:", self.key)
        form.addRow("Secret:", self.secret)
        form.addRow("Token:", self.token)
        form.addRow("Location:", self.location)
        form.addRow("Maximum number of\nitems to send:", self.max_items)
        tests = QHBoxLayout()
        tests.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        tests.addWidget(self.test_result, 1)
        fb = QVBoxLayout(self.form_box)
        fb.addLayout(top)
        fb.addWidget(self.sync_note)
        fb.addLayout(form)
        fb.addLayout(tests)
        fb.addWidget(self.form_error)
        sb = QHBoxLayout()
        sb.addWidget(self.status, 1)
        sb.addWidget(self.save_button)
        fb.addLayout(sb)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addWidget(self.form_box, 3)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(body, 1)
        lay.addWidget(buttons)

        self.add_button.clicked.connect(self.add_clicked)
        self.edit_button.clicked.connect(self.edit_selected)
        self.list_view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.kind_combo.currentTextChanged.connect(lambda _k: self._kind_changed())
        self.sync_box.clicked.connect(self._sync_clicked)
        self.test_button.clicked.connect(self.test)
        self.save_button.clicked.connect(self.save)
        self.reload()
        self.new_cart()
        self.resize(1000, 560)
        make_default(self.save_button)

    # --- list -----------------------------------------------------------------------

    def reload(self) -> None:
        with self.store.read() as s:
            self.carts = all_carts(s)
        self.list_model.set_rows([(c.name, c.kind, "Yes" if c.sync else "No", c.url)
                                  for c in self.carts])
        self.edit_button.setEnabled(bool(self.carts))

    def edit_selected(self) -> None:
        rows = self.list_view.selectionModel().selectedRows()
        if not rows and self.carts:
            self.list_view.selectRow(0)
            rows = self.list_view.selectionModel().selectedRows()
        if rows and self.settle_unsaved(self._leave_text()):
            self.edit_cart(self.carts[rows[0].row()].name)

    def select_cart(self, name: str) -> None:
        for i, c in enumerate(self.carts):
            if c.name == name:
                self.list_view.selectRow(i)

    # --- form -----------------------------------------------------------------------

    def _clear_form(self) -> None:
        for f in (self.name, self.url, self.key, self.secret, self.token, self.location,
                  self.max_items, self.kind):
            f.clear_error()
        for f in (self.name, self.url, self.key, self.secret, self.token, self.location):
            f.editor.clear()
        self.form_error.clear_error()
        self.test_result.setText("")
        self.status.setText("")

    def new_cart(self) -> None:
        self.editing = None
        self._clear_form()
        self.form_box.setTitle("Add Cart")
        set_read_only(self.name.editor, False)
        self.kind_combo.setEnabled(True)
        self.max_items.editor.setText("50")
        for f in (self.key, self.secret, self.token):
            f.editor.setPlaceholderText("")
        self.sync_box.setChecked(False)
        self._kind_changed()
        self.name.editor.setFocus()
        self._mark_saved()

    def edit_cart(self, name: str) -> None:
        cart = next((c for c in self.carts if c.name == name), None)
        if cart is None:
            return
        self.editing = cart
        self._clear_form()
        self.form_box.setTitle(f"Edit Cart — {cart.name}")
        self.name.editor.setText(cart.name)
        set_read_only(self.name.editor, True)  # the name and kind of a cart are fixed
        if self.kind_combo.findText(cart.kind) < 0:
            self.kind_combo.addItem(cart.kind)
        self.kind_combo.setCurrentText(cart.kind)
        self.kind_combo.setEnabled(False)
        self.url.editor.setText(cart.url)
        self.location.editor.setText(cart.location)
        self.max_items.editor.setText(str(cart.max_items))
        stored = self._stored_credentials()
        for field_name, f in (("key", self.key), ("secret", self.secret), ("token", self.token)):
            f.editor.setPlaceholderText(KEPT if stored.get(field_name) else "")
        self.sync_box.setChecked(cart.sync)
        self._kind_changed()
        self.select_cart(name)
        self._mark_saved()

    def _stored_credentials(self) -> dict[str, str]:
        if self.editing is None:
            return {}
        with self.store.read() as s:
            ref = cart_by_name(s, self.editing.name).credential_ref
        try:
            return credentials.load(ref or credentials.reference_for(self.editing.name))
        except credentials.CredentialError as e:
            self.form_error.show_error(str(e))
            return {}

    def _kind_changed(self) -> None:
        kind = self.kind_combo.currentText()
        realtime = REALTIME in kind_capabilities(kind)
        self.sync_box.setVisible(realtime)
        if not realtime:
            self.sync_box.setChecked(False)
        self.sync_note.setText("" if realtime or not kind else
                               f"Carts of kind {kind} cannot Synchronize Inventory.")
        self.sync_note.setVisible(bool(self.sync_note.text()))

    def _sync_clicked(self, checked: bool) -> None:
        if not checked or (self.editing is not None and self.editing.sync):
            return
        name = self.editing.name if self.editing is not None else None
        dlg = SyncWarningDialog(self.store, cart_name=name, kind=self.kind_combo.currentText(),
                                parent=self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            self.sync_box.setChecked(False)
        elif name is None:
            self.save()  # a new cart: its button says it saves the cart
        else:
            self.turn_on_sync(name)

    def _typed_credentials(self) -> dict[str, str]:
        return {"key": self.key.editor.text(), "secret": self.secret.editor.text(),
                "token": self.token.editor.text()}

    def _check_form(self) -> dict | None:
        """The form's values, or None with each problem shown next to its field."""
        ok = True
        name = self.name.editor.text()
        if self.editing is None:
            try:
                check_cart_name(name)
            except CartDefinitionError as e:
                self.name.show_error(str(e))
                ok = False
        url = self.url.editor.text().strip()
        try:
            url = check_url(url)
        except ValueError as e:
            self.url.show_error(str(e))
            ok = False
        try:
            max_items = check_max_items(self.max_items.editor.text() or "50")
        except CartDefinitionError as e:
            self.max_items.show_error(str(e))
            ok = False
        if not self.kind_combo.currentText():
            self.kind.show_error("choose the kind of cart")
            ok = False
        if not ok:
            return None
        return {"name": name, "kind": self.kind_combo.currentText(), "url": url,
                "location": self.location.editor.text(), "max_items": max_items,
                "sync": self.sync_box.isVisible() and self.sync_box.isChecked()}

    def _route(self, message: str) -> None:
        low = message.lower()
        for words, f in (("cart name", self.name), ("already exists", self.name),
                         ("cart url", self.url),
                         ("maximum number", self.max_items), ("kind", self.kind)):
            if words in low:
                f.show_error(message)
                return
        self.form_error.show_error(message)

    def save(self) -> None:
        self.form_error.clear_error()
        self.status.setText("")
        values = self._check_form()
        if values is None:
            return
        typed = self._typed_credentials()
        try:
            with self.store.write() as s:
                if self.editing is None:
                    define_cart(s, **values, **typed)
                else:
                    creds = None
                    if any(typed.values()):  # keep what is stored for fields left empty
                        creds = {**self._stored_credentials(),
                                 **{k: v for k, v in typed.items() if v}}
                    values.pop("kind")
                    update_name = values.pop("name")
                    update_cart(s, update_name, creds=creds, **values)
        except (CartDefinitionError, UnknownKindError) as e:
            self._route(str(e))
            return
        except credentials.CredentialError as e:
            self.form_error.show_error(str(e))
            return
        name = values.get("name") or self.editing.name  # type: ignore[union-attr]
        self.reload()
        self.edit_cart(name if self.editing is None else self.editing.name)
        self.status.setText(f"Saved cart {name}.")
        self.changed.emit()

    # --- Test connection ------------------------------------------------------------

    def test(self) -> None:
        self.url.clear_error()
        try:
            url = check_url(self.url.editor.text())
        except ValueError as e:
            self.url.show_error(str(e))
            return
        creds = {**self._stored_credentials(),
                 **{k: v for k, v in self._typed_credentials().items() if v}}
        config = CartConfig(name=self.name.editor.text() or "(new cart)",
                            kind=self.kind_combo.currentText(), url=url,
                            location=self.location.editor.text().strip(),
                            key=creds.get("key", ""), secret=creds.get("secret", ""),
                            token=creds.get("token", ""), read_timeout=15.0,
                            ca_bundle=creds.get("ca_bundle", ""))
        redact = Redactor(config.secrets())
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet(NOTE_STYLE)
        self.test_result.setText("Connecting…")

        def failed(e: BaseException) -> None:
            if isinstance(e, CartError | UnknownKindError | ValueError):
                text = str(e)
            else:
                text = f"{type(e).__name__}: {e}"
            self._tested(False, redact(text))

        run_in_background(self, lambda: test_connection(config),
                          lambda msg: self._tested(True, redact(str(msg))), failed)

    def _tested(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.test_result.setText(("Connected: " if ok else "Failed: ") + message)
        self.connection_tested.emit(ok, message)
