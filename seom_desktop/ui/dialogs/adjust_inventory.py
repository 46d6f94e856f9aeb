"""Adjust Inventory: a new QOH or a change for one item, with a reason, and the
"Send QOH changes to Web sites" box (cleared: the adjustment is not sent to the carts).
The result is shown before saving ("QOH 50 -> 5, -45"); a drop to 0 or of more than
half asks first (No is the default); closing with input typed asks Save/Discard/Cancel.
The parameters (is a reason required, may QOH go below 0) and the SKU typed are read on
pool threads; Save waits for both. The save runs on a pool thread
(app/stock_changes.adjust_qoh), the buttons disabled until it answers; a refusal is shown
under the field it concerns."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.errors import InventoryError, QuantityError, UnknownSKUError
from seom_desktop.app.stock_changes import AdjustRules, adjust_qoh, adjust_rules
from seom_desktop.inventory.validation import parse_quantity
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import (
    ERROR_STYLE,
    NOTE_STYLE,
    StoreDialog,
    check_quantity,
    line_field,
    make_default,
)
from seom_desktop.ui.dialogs.guard import UnsavedGuard, ask_yes_no
from seom_desktop.ui.dialogs.sku_field import SkuAnswer, SkuField


def big_drop(before: int, after: int) -> bool:
    """A drop a clerk is asked about: to 0 (or below), or of more than half."""
    return after < before and (after <= 0 or after * 2 < before)


class AdjustInventoryDialog(UnsavedGuard, StoreDialog):
    changed = Signal()

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None,
                 sku: str | None = None, **kw):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle("Adjust Inventory")
        self.rules: AdjustRules | None = None  # read on a pool thread (adjust_rules)
        self.reason_required = False
        self._after_rules: list = []

        self.sku_field = SkuField(store)
        self.item_name = QLabel("")
        self.item_name.setStyleSheet(NOTE_STYLE)
        self.current_qoh = QLabel("—")
        self.current_qoh.setObjectName("current_qoh")

        self.new_qoh_radio = QRadioButton("New QOH")
        self.change_radio = QRadioButton("Change")
        self.new_qoh_radio.setChecked(True)
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.new_qoh_radio)
        self.mode.addButton(self.change_radio)
        modes = QHBoxLayout()
        modes.addWidget(self.new_qoh_radio)
        modes.addWidget(self.change_radio)
        modes.addStretch(1)

        self.quantity = line_field("e.g. 12", name="quantity")
        self.reason = line_field("loading…", name="reason")
        self.send_box = QCheckBox("Send QOH changes to Web sites")
        self.send_box.setChecked(True)
        self.result_label = QLabel("")
        self.result_label.setObjectName("result")
        self.result_label.setAccessibleName("Result")

        form = QFormLayout()
        form.addRow("SKU:", self.sku_field)
        form.addRow("", self.item_name)
        form.addRow("Current QOH:", self.current_qoh)
        form.addRow("", modes)
        form.addRow("Quantity:", self.quantity)
        form.addRow("Result:", self.result_label)
        self.reason_label = QLabel("Reason:")
        form.addRow(self.reason_label, self.reason)
        form.addRow("", self.send_box)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.general_error)
        lay.addWidget(self.buttons)

        self.sku_field.line.textChanged.connect(lambda _t: self.refresh_item())
        self.sku_field.looked_up.connect(self.refresh_item)
        self.mode.buttonToggled.connect(lambda *_: self._update_hint())
        self.quantity.editor.textChanged.connect(lambda _t: self._update_result())
        self._update_hint()
        if sku:
            self.sku_field.set_sku(sku)
            self.quantity.editor.setFocus()
        self.resize(460, self.sizeHint().height())
        make_default(self.save_button)
        run_in_thread(lambda: adjust_rules(store), owner=self, on_done=self._got_rules,
                      on_error=lambda e: self._got_rules(None, e))

    def _got_rules(self, rules: AdjustRules | None, error: BaseException | None = None) -> None:
        if rules is None:
            self.general_error.show_error(f"Could not read the adjustment parameters: {error}")
            rules = AdjustRules(True, False)  # the stricter reading until the dialog reopens
        self.rules = rules
        self.reason_required = rules.reason_required
        self.reason_label.setText("Reason (required):" if rules.reason_required else "Reason:")
        self.reason.editor.setPlaceholderText("required" if rules.reason_required
                                              else "optional")
        waiting, self._after_rules = self._after_rules, []
        for fn in waiting:
            fn()

    def _update_hint(self) -> None:
        if self.new_qoh_radio.isChecked():
            self.quantity.set_note("the count on hand")
        else:
            self.quantity.set_note("+ received / − removed")
        self.quantity.clear_error()
        self._update_result()

    def outcome(self) -> tuple[int, int] | None:
        """(QOH now, QOH after saving) for what is typed, or None."""
        item = self.sku_field.lookup()
        try:
            qty = parse_quantity(self.quantity.editor.text(), "quantity")
        except InventoryError:
            return None
        if item is None:
            return None
        before = item[2]
        return before, (qty if self.new_qoh_radio.isChecked() else before + qty)

    def _update_result(self) -> None:
        out = self.outcome()
        if out is None:
            self.result_label.setText("")
            return
        before, after = out
        self.result_label.setText(f"QOH {before:,} \u2192 {after:,}, {after - before:+,d}")
        self.result_label.setStyleSheet("color: #b00020; font-weight: bold;"
                                        if big_drop(before, after) else "")

    def _allowed(self, after: int) -> bool:
        """False when the store will refuse `after` anyway (below zero, not allowed)."""
        return after >= 0 or (self.rules is not None and self.rules.negative_allowed)

    def has_unsaved(self) -> bool:
        return bool(self.quantity.editor.text().strip() or self.reason.editor.text().strip())

    def save_unsaved(self) -> None:
        self.save()

    def refresh_item(self) -> None:
        if self.sku_field.pending():
            self.item_name.setText("looking up…")
            self.current_qoh.setText("…")
            self._update_result()
            return
        item = self.sku_field.lookup()
        kit = (self.sku_field.answer() or SkuAnswer(None)).kit
        self.item_name.setStyleSheet(ERROR_STYLE if kit else NOTE_STYLE)
        if item is None:
            self.item_name.setText("")
            self.current_qoh.setText("—")
        else:  # a kit: its derived QOH, and at once why it cannot be adjusted
            self.item_name.setText(f"{item[1]}: {kit}" if kit else item[1])
            self.current_qoh.setText(f"{item[2]:,} (derived)" if kit else f"{item[2]:,}")
        self._update_result()

    def save(self) -> None:
        """Once the parameters and the SKU typed have their answers: check every field
        (each problem under its field), then write in one go."""
        if self.rules is None:
            self.saving = True  # as while the SKU is looked up (StoreDialog.when_looked_up)

            def later() -> None:
                self.saving = False
                self.save()
                if not self.saving:
                    self.after_save = None

            self._after_rules.append(later)
            return
        typed = (self.quantity.editor.text(), self.reason.editor.text(),
                 self.new_qoh_radio.isChecked(), self.send_box.isChecked())
        self.when_looked_up(self.sku_field, lambda sku: self._save_and_fit(sku, *typed))

    def _save_and_fit(self, *typed) -> None:
        self._save(*typed)
        self.fit_height()

    def _save(self, sku_text: str, qty_text: str, reason: str, new_qoh: bool,
              send: bool) -> None:
        """Check and write what was typed when Save was pressed."""
        self.general_error.clear_error()
        sku = self.sku_field.check(sku_text)
        qty = check_quantity(self.quantity, "new QOH" if new_qoh else "change", text=qty_text)
        reason = reason.strip()
        if self.reason_required and not reason:
            self.reason.show_error("a reason is required for inventory adjustments "
                                   "(parameter TrackInventoryAdjustments)")
            return
        self.reason.clear_error()
        if sku is None or qty is None:
            return
        item = self.sku_field.lookup(sku_text)
        out = None if item is None else (item[2], qty if new_qoh else item[2] + qty)
        if out is not None and big_drop(*out) and self._allowed(out[1]) and not ask_yes_no(
                self, "Adjust Inventory",
                f"QOH of {sku} goes from {out[0]:,} to {out[1]:,} ({out[1] - out[0]:+,d})"
                + (", and every synced cart is sent it" if send else "")
                + ". Save this adjustment?"):
            self.general_error.show_error("Not saved: check the quantity and the mode "
                                          "(New QOH or Change).")
            self.quantity.editor.setFocus()
            return
        kw = {"set_to": qty} if new_qoh else {"delta": qty}
        store, ws = self.store, self.workstation
        self.run_save(lambda: adjust_qoh(store, sku=sku, workstation=ws, reason=reason,
                                         send=send, **kw),
                      done=self._saved, failed=self._save_failed,
                      buttons=(self.save_button, self.close_button))

    def _saved(self, _changed) -> None:
        self.changed.emit()
        self.accept()

    def _save_failed(self, e: BaseException) -> None:
        if isinstance(e, UnknownSKUError):
            self.sku_field.show_error(str(e))
        elif isinstance(e, QuantityError):
            self.quantity.show_error(str(e))
        elif isinstance(e, InventoryError):
            target = self.reason if "reason" in str(e) else self.quantity
            target.show_error(str(e))
        else:
            self.general_error.show_error(f"Not saved: {type(e).__name__}: {e}")
        self.fit_height()
