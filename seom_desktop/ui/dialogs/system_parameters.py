"""Set System Parameters (Main Menu > Quick Clicks): the parameters by group (Program,
Inventory, ...), each with its description; [Save] checks every changed value, then
writes them together on a pool thread (app/params.save_params), or none of them. The
values are read on a pool thread too, the fields and Save disabled until they arrive."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.params import PARAMS, ParamDef, ParamError, param_values, save_params
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import NOTE_STYLE, OK_STYLE, Field, StoreDialog, make_default
from seom_desktop.ui.dialogs.guard import UnsavedGuard

SYNCHQOH_WARNING = (
    "Be aware that if more than one shopping cart system in this store data file is "
    "configured to perform real-time inventory, ALL shopping carts will be affected by "
    "changing SynchQOH. In that instance, it would be best to alter the specific shopping "
    "cart definition (Synchronize Inventory on the Shopping Carts screen) rather than "
    "changing the system parameter.")


class SystemParametersDialog(UnsavedGuard, StoreDialog):
    changed = Signal()
    loaded = Signal()  # the values were read (load())

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None, **kw):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle("Set System Parameters")
        self.fields: dict[str, Field] = {}
        self.defs: dict[str, ParamDef] = dict(PARAMS)
        self.saved_text: dict[str, str] = {}

        groups: dict[str, list[ParamDef]] = {}
        for p in PARAMS.values():
            groups.setdefault(p.group, []).append(p)
        self.group_list = QListWidget()
        self.group_list.setAccessibleName("Parameter groups")
        self.pages = QStackedWidget()
        self.synch_warning = QLabel(SYNCHQOH_WARNING)
        self.synch_warning.setWordWrap(True)
        self.synch_warning.setStyleSheet(
            "background: #fff4d6; border: 1px solid #e0b000; padding: 6px; color: #5a4300;")
        self.synch_warning.setVisible(False)
        for group, defs in groups.items():
            self.group_list.addItem(group)
            self.pages.addWidget(self._page(group, defs))
        self.group_list.setFixedWidth(140)
        self.group_list.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.group_list.setCurrentRow(0)

        self.status = QLabel("")
        self.status.setStyleSheet(OK_STYLE)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.ApplyRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        body = QHBoxLayout()
        body.addWidget(self.group_list)
        body.addWidget(self.pages, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(body, 1)
        lay.addWidget(self.synch_warning)
        lay.addWidget(self.general_error)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        lay.addLayout(bottom)
        self.load()
        self.resize(720, 520)
        make_default(self.save_button)

    def _page(self, group: str, defs: list[ParamDef]) -> QWidget:
        inner = QWidget()
        form = QFormLayout(inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        title = QLabel(f"<b>{group}</b> parameters")
        form.addRow(title)
        for p in defs:
            editor = self._editor(p)
            f = Field(editor)
            desc = QLabel(p.description)
            desc.setWordWrap(True)
            desc.setStyleSheet(NOTE_STYLE)
            f.layout().insertWidget(1, desc)
            self.fields[p.name] = f
            form.addRow(f"{p.name}:", f)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        return scroll

    def _editor(self, p: ParamDef) -> QWidget:
        if p.kind in ("bool", "choice"):
            combo = QComboBox()
            combo.addItems(["TRUE", "FALSE"] if p.kind == "bool" else list(p.choices))
            combo.setEditable(False)
            combo.setObjectName(p.name)
            combo.setAccessibleName(p.name)
            combo.currentTextChanged.connect(lambda _t, n=p.name: self._edited(n))
            return combo
        edit = QLineEdit()
        edit.setObjectName(p.name)
        edit.setAccessibleName(p.name)
        if p.kind == "int":
            edit.setPlaceholderText(f"{p.minimum} – {p.maximum}")
        edit.textEdited.connect(lambda _t, n=p.name: self._edited(n))
        return edit

    def text_of(self, name: str) -> str:
        ed = self.fields[name].editor
        return ed.currentText() if isinstance(ed, QComboBox) else ed.text()

    def set_text(self, name: str, text: str) -> None:
        ed = self.fields[name].editor
        if isinstance(ed, QComboBox):
            ed.setCurrentText(text)
        else:
            ed.setText(text)

    def show_group(self, group: str) -> None:
        items = self.group_list.findItems(group, Qt.MatchFlag.MatchExactly)
        if items:
            self.group_list.setCurrentItem(items[0])

    def load(self, *, then_status: str = "") -> None:
        """Read the values on a pool thread; the fields and Save wait disabled."""
        self.pages.setEnabled(False)
        self.save_button.setEnabled(False)
        self.status.setText(then_status or "Loading the parameters…")
        store = self.store
        run_in_thread(lambda: param_values(store), owner=self,
                      on_done=lambda values: self._loaded(values, then_status),
                      on_error=self._load_failed)

    def _load_failed(self, e: BaseException) -> None:
        self.status.setText("")
        self.general_error.show_error(f"Could not read the parameters: {type(e).__name__}: {e}")
        self.loaded.emit()

    def _loaded(self, values: dict[str, Any], status: str) -> None:
        for name, value in values.items():
            text = self.defs[name].format(value)
            self.saved_text[name] = text
            self.set_text(name, text)
            self.fields[name].clear_error()
        self.synch_warning.setVisible(False)
        self.pages.setEnabled(True)
        self.save_button.setEnabled(True)
        self.status.setText(status)
        self.loaded.emit()

    def _edited(self, name: str) -> None:
        if name not in self.saved_text:
            return  # still loading
        self.fields[name].clear_error()
        self.status.setText("")
        if name == "SynchQOH":
            self.synch_warning.setVisible(self.text_of(name) != self.saved_text[name])

    def changed_names(self) -> list[str]:
        return [n for n in self.fields if self.text_of(n).strip() != self.saved_text.get(n, "")]

    def has_unsaved(self) -> bool:
        return bool(self.saved_text) and bool(self.changed_names())

    def save_unsaved(self) -> None:
        self.save()

    unsaved_text = "Parameters were changed but not saved. Save them before closing?"

    def save(self) -> None:
        """Check every changed value; write them all in one transaction, or none."""
        self.general_error.clear_error()
        self.status.setText("")
        changes = {n: self.text_of(n) for n in self.fields
                   if self.text_of(n).strip() != self.saved_text.get(n, "")}
        bad = False
        for name, text in changes.items():
            try:
                self.defs[name].parse(text)
                self.fields[name].clear_error()
            except ParamError as e:
                self.fields[name].show_error(str(e))
                bad = True
        if bad:
            first = next(n for n in changes if self.fields[n].error.message)
            self.show_group(self.defs[first].group)
            self.general_error.show_error("Nothing was saved: correct the values marked in red.")
            return
        if not changes:
            self.status.setText("No changes to save.")
            return
        store = self.store
        self.run_save(lambda: save_params(store, changes=changes), done=self._saved,
                      failed=self._save_failed, buttons=(self.save_button,))

    def _saved(self, values: dict[str, Any]) -> None:
        for name, value in values.items():  # saved: no longer unsaved, before the re-read
            self.saved_text[name] = self.defs[name].format(value)
        self.synch_warning.setVisible(False)
        self.load(then_status=f"Saved: {', '.join(values)}.")
        self.changed.emit()

    def _save_failed(self, e: BaseException) -> None:
        if isinstance(e, ParamError):
            self.general_error.show_error(f"{e}. Nothing was saved.")
        else:
            self.general_error.show_error(f"Nothing was saved: {type(e).__name__}: {e}")
