"""What the Shopping Carts form does with input not yet saved: switching to another
cart (Add Cart, Edit Cart, a double click) or closing asks Save / Don't Save / Cancel;
[Turn on Synchronize Inventory] in the warning turns it on in the store at once (the
button does what it says, on a pool thread), leaving the form's other changes still to
be saved."""

from __future__ import annotations

from seom_desktop.app.carts import turn_on_sync as turn_on_sync_in_store
from seom_desktop.app.errors import CartDefinitionError
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.guard import UnsavedGuard


class CartFormGuard(UnsavedGuard):
    """Mixed into ShoppingCartsDialog (its fields, list and store are used here)."""

    form_saved: tuple = ()

    def add_clicked(self) -> None:
        if self.settle_unsaved(self._leave_text(), then=self.new_cart):
            self.new_cart()

    def form_values(self) -> tuple:
        return (self.name.editor.text(), self.kind_combo.currentText(),
                self.url.editor.text(), self.key.editor.text(), self.secret.editor.text(),
                self.token.editor.text(), self.location.editor.text(),
                self.max_items.editor.text(), self.rules_tab.values(), self.sync_box.isChecked())

    def _mark_saved(self) -> None:
        self.form_saved = self.form_values()

    def has_unsaved(self) -> bool:
        return bool(self.form_saved) and self.form_values() != self.form_saved

    def save_unsaved(self) -> None:
        self.save()

    def _leave_text(self) -> str:
        what = f"cart {self.editing.name}" if self.editing is not None else "new cart"
        return f"The changes to the {what} have not been saved. Save them first?"

    @property
    def unsaved_text(self) -> str:  # type: ignore[override]
        return self._leave_text()

    def turn_on_sync(self, name: str) -> None:
        """What [Turn on Synchronize Inventory] says: the cart syncs from now on (the
        form's other changes stay as typed, still to be saved)."""
        store = self.store

        def failed(e: BaseException) -> None:
            self.sync_box.setChecked(False)
            what = str(e) if isinstance(e, CartDefinitionError) else f"{type(e).__name__}: {e}"
            self.form_error.show_error(f"{what}. Synchronize Inventory is still off.")

        run_in_thread(lambda: turn_on_sync_in_store(store, name=name), owner=self,
                      on_done=lambda view: self._sync_turned_on(name, view), on_error=failed)

    def _sync_turned_on(self, name: str, view) -> None:
        self.editing = view
        self.carts = [view if c.name == name else c for c in self.carts]
        self.list_model.set_rows([(c.name, c.kind, "Yes" if c.sync else "No", c.url)
                                  for c in self.carts])
        self.select_cart(name)
        if self.form_saved:
            self.form_saved = (*self.form_saved[:-1], True)
        self.status.setText(f"Synchronize Inventory is on for {name}.")
        self.changed.emit()
