"""Shopping Carts (Main Menu > Settings > System Functions): the Current Carts List and
the Add/Edit Cart form. Credentials go to the OS keyring and are never shown back;
the list, the keyring read, [Test connection] and [Save] run off the UI thread
(app/carts.py); the form shows the
fields the chosen kind uses (ui/dialogs/cart_form.py); "Synchronize Inventory" is
offered only for carts whose kind can take real-time changes, and turning it on first
shows the reference page's warnings, a drift report and the offer to Send QOH To
Website."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.cart_kinds import CREDENTIALS
from seom_desktop.app.carts import (
    CartView,
    check_cart_name,
    check_max_items,
    check_url,
    list_carts,
    save_cart,
    stored_credentials,
    try_connection,
)
from seom_desktop.app.errors import (
    CartDefinitionError,
    CredentialError,
    InventoryError,
    UnknownKindError,
)
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.cart_form import CartFormWidgets
from seom_desktop.ui.dialogs.cart_form_guard import CartFormGuard
from seom_desktop.ui.dialogs.fields import (
    ERROR_STYLE,
    NOTE_STYLE,
    OK_STYLE,
    StoreDialog,
    TuplesModel,
    make_default,
    plain_table,
    set_read_only,
)
from seom_desktop.ui.dialogs.sync_warning import SyncWarningDialog

KEPT = "stored in the OS keyring (leave empty to keep)"
READING = "reading the OS keyring…"


class ShoppingCartsDialog(CartFormWidgets, CartFormGuard, StoreDialog):
    changed = Signal()
    connection_tested = Signal(bool, str)
    carts_loaded = Signal()  # the Current Carts List was read (reload())
    credentials_read = Signal()  # the keyring answered for the cart in the form

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None, **kw):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle("Shopping Carts")
        self.editing: CartView | None = None
        self.carts: list[CartView] = []

        # Current Carts List
        self.list_model = TuplesModel(("Name", "Kind", "Sync", "URL"))
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

        # Add/Edit Cart form (ui/dialogs/cart_form.py)
        self._build_form()

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
        self.sync_box.clicked.connect(self._sync_clicked)
        self.test_button.clicked.connect(self.test)
        self.save_button.clicked.connect(self.save)
        self.reload()
        self.new_cart()
        self.resize(1000, 560)
        make_default(self.save_button)

    # --- list -----------------------------------------------------------------------

    def reload(self, *, then: Callable[[], None] | None = None) -> None:
        """Read the carts on a pool thread (the list and Edit Cart wait disabled), then
        show them and run `then()`."""
        self.list_view.setEnabled(False)
        self.edit_button.setEnabled(False)
        store = self.store

        def failed(e: BaseException) -> None:
            self.list_view.setEnabled(True)
            self.form_error.show_error(f"Could not read the carts: {type(e).__name__}: {e}")
            self.carts_loaded.emit()

        run_in_thread(lambda: list_carts(store), owner=self,
                      on_done=lambda carts: self._got_carts(carts, then), on_error=failed)

    def _got_carts(self, carts: list[CartView], then: Callable[[], None] | None) -> None:
        self.show_carts(carts)
        if self.editing is not None:
            self.select_cart(self.editing.name)
        if then is not None:
            then()
        self.carts_loaded.emit()

    def show_carts(self, carts: list[CartView]) -> None:
        self.list_view.setEnabled(True)
        self.carts = carts
        self.list_model.set_rows([(c.name, c.kind, "Yes" if c.sync else "No", c.url)
                                  for c in self.carts])
        self.edit_button.setEnabled(bool(self.carts))

    def edit_selected(self) -> None:
        rows = self.list_view.selectionModel().selectedRows()
        if not rows and self.carts:
            self.list_view.selectRow(0)
            rows = self.list_view.selectionModel().selectedRows()
        if not rows:
            return
        name = self.carts[rows[0].row()].name
        if self.settle_unsaved(self._leave_text(), then=lambda: self.edit_cart(name)):
            self.edit_cart(name)

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
        self.load_rules(None)
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
        self.load_rules(cart.name)  # its Rules and warehouses tab, read on a pool thread
        self.location.editor.setText(cart.location)
        self.max_items.editor.setText(str(cart.max_items))
        for f in (self.key, self.secret, self.token):
            f.editor.setPlaceholderText(READING)
        self._read_stored_credentials(cart.name)
        self.sync_box.setChecked(cart.sync)
        self._kind_changed()
        self.select_cart(name)
        self._mark_saved()

    def _read_stored_credentials(self, name: str) -> None:
        """Which secrets the keyring holds for cart `name` (on a pool thread: the
        keyring may ask the OS); each field then says it is kept, or nothing."""
        store = self.store

        def got(stored: dict[str, str] | None, error: BaseException | None = None) -> None:
            if self.editing is None or self.editing.name != name:
                return  # another cart is in the form by now
            if isinstance(error, CredentialError):
                self.form_error.show_error(str(error))
            elif error is not None:
                self.form_error.show_error(f"Could not read the keyring: "
                                           f"{type(error).__name__}: {error}")
            for field_name, f in (("key", self.key), ("secret", self.secret),
                                  ("token", self.token)):
                f.editor.setPlaceholderText(KEPT if (stored or {}).get(field_name) else "")
            self.credentials_read.emit()

        run_in_thread(lambda: stored_credentials(store, name=name), owner=self,
                      on_done=got, on_error=lambda e: got(None, e))

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
        """The credentials typed in the fields the kind uses ("" for the others)."""
        used = self.used_fields()
        return {n: getattr(self, n).editor.text() if n in used else "" for n in CREDENTIALS}

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
                "location": self.location.editor.text() if "location" in self.used_fields()
                else "", "max_items": max_items,
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
        rules = self.checked_rules()
        if values is None or rules is False:
            return
        typed, new = self._typed_credentials(), self.editing is None
        if not new:
            values["name"] = self.editing.name
        store, ws = self.store, self.workstation
        self.run_save(lambda: save_cart(store, typed=typed, new=new, rules=rules,
                                        workstation=ws, **values),
                      done=self._saved, failed=self._save_failed,
                      buttons=(self.save_button, self.add_button, self.edit_button))

    def _saved(self, view: CartView) -> None:
        # The saved cart is shown at once (what the Save question then asks for may
        # open another cart); the list is read again behind it.
        carts = {c.name: c for c in self.carts}
        carts[view.name] = view
        self.show_carts(sorted(carts.values(), key=lambda c: c.name))
        self.edit_cart(view.name)
        self.status.setText(f"Saved cart {view.name}.")
        self.changed.emit()
        self.reload()

    def _save_failed(self, e: BaseException) -> None:
        if isinstance(e, CartDefinitionError | UnknownKindError):
            self._route(str(e))
        elif isinstance(e, CredentialError):
            self.form_error.show_error(str(e))
        elif isinstance(e, InventoryError):  # the store refused a rule, warehouse or location
            self.form_error.show_error(f"{e}. Nothing was saved.")
        else:
            self.form_error.show_error(f"Not saved: {type(e).__name__}: {e}")

    # --- Test connection ------------------------------------------------------------

    def test(self) -> None:
        self.url.clear_error()
        try:
            url = check_url(self.url.editor.text())
        except ValueError as e:
            self.url.show_error(str(e))
            return
        store, typed, saved = self.store, self._typed_credentials(), self.editing is not None
        name = self.editing.name if saved else self.name.editor.text()
        kind = self.kind_combo.currentText()
        location = self.location.editor.text() if "location" in self.used_fields() else ""
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet(NOTE_STYLE)
        self.test_result.setText("Connecting…")
        run_in_thread(lambda: try_connection(store, name=name, kind=kind, url=url,
                                             location=location, typed=typed, saved=saved),
                      owner=self, on_done=lambda got: self._tested(*got),
                      on_error=lambda e: self._tested(False, f"{type(e).__name__}: {e}"))

    def _tested(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.test_result.setText(("Connected: " if ok else "Failed: ") + message)
        self.connection_tested.emit(ok, message)
