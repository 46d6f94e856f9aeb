"""Small pieces the data-entry dialogs share: a field with its red error line (the SKU
field is in sku_field.py), quantity
checking for display, and the base of the store dialogs, whose saves run off the UI
thread (StoreDialog.run_save) with the dialog's buttons disabled meanwhile."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.errors import InventoryError
from seom_desktop.inventory.validation import parse_quantity
from seom_desktop.ui import window_rules
from seom_desktop.ui.async_support import run_in_thread

if TYPE_CHECKING:
    from seom_desktop.ui.dialogs.sku_field import SkuField

ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: #555555;"
OK_STYLE = "color: #1b6e20;"


class ErrorLabel(QLabel):
    """A red line under a field; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)

    def show_error(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_error(self) -> None:
        self.setText("")
        self.setVisible(False)

    @property
    def message(self) -> str:
        return self.text() if not self.isHidden() else ""


class Field(QWidget):
    """An editor with its error line under it (and an optional note beside it)."""

    def __init__(self, editor: QWidget, *, note: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.error = ErrorLabel(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 1)
        self.note = QLabel(note, self)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setVisible(bool(note))
        row.addWidget(self.note)
        lay.addLayout(row)
        lay.addWidget(self.error)

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def show_error(self, message: str) -> None:
        self.error.show_error(message)
        if message:
            self.editor.setFocus()

    def clear_error(self) -> None:
        self.error.clear_error()


def line_field(placeholder: str = "", *, note: str = "", password: bool = False,
               name: str = "") -> Field:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    if name:
        edit.setObjectName(name)
        edit.setAccessibleName(name)
    f = Field(edit, note=note)
    edit.textEdited.connect(lambda _t: f.clear_error())
    return f


def make_default(button) -> None:
    """Make `button` its dialog's default (Enter in a field presses it), to stay so after
    Tab has passed other buttons: Qt restores a default only when it was set while the
    button was already in its dialog, so call this once the layout holds it."""
    button.setDefault(False)
    button.setDefault(True)


def set_read_only(edit: QLineEdit, on: bool) -> None:
    """A line edit that cannot be changed looks it: the window's colour, not a field's."""
    edit.setReadOnly(on)
    pal = edit.palette()
    if on:
        pal.setColor(QPalette.ColorRole.Base, pal.color(QPalette.ColorRole.Window))
    else:
        pal = QApplication.palette(edit)
    edit.setPalette(pal)


def quantity_problem(text: str, what: str = "quantity", *, minimum: int | None = None) -> str:
    """Why `text` is not an acceptable quantity ("" when it is)."""
    if not text.strip():
        return f"{what} is required"
    try:
        parse_quantity(text, what, minimum=minimum)
    except InventoryError as e:
        return str(e)
    return ""


def check_quantity(field: Field, what: str = "quantity", *,
                   minimum: int | None = None, text: str | None = None) -> int | None:
    """The quantity typed in `field` (or `text`, as it was when Enter was pressed), or
    None with the reason shown under it."""
    text = field.editor.text() if text is None else text
    problem = quantity_problem(text, what, minimum=minimum)
    if problem:
        field.show_error(problem)
        return None
    field.clear_error()
    return parse_quantity(text, what, minimum=minimum)


class StoreDialog(QDialog):
    """Base of the dialogs that write to the store: they keep the store handle and the
    workstation, never a Session, and write through app/ functions off the UI thread."""

    save_finished = Signal(bool)  # a save ran: True when it was written

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None, **_kw: Any):
        super().__init__(parent)
        window_rules.watch(self)  # also when made without a parent
        self.store = store
        self.workstation = workstation
        self.general_error = ErrorLabel(self)
        self.saving = False
        self.after_save: Callable[[], None] | None = None  # set by UnsavedGuard

    def run_save(self, work: Callable[[], Any], *, done: Callable[[Any], None],
                 failed: Callable[[BaseException], None],
                 buttons: Sequence[QWidget] = ()) -> None:
        """Run the write `work()` on a pool thread with `buttons` disabled until it
        answers; then `done(result)` or `failed(error)` on the UI thread (a failed save
        shows its error in the dialog), and what was waiting for the save."""
        self.saving = True
        was = [(b, b.isEnabled()) for b in buttons]
        for b in buttons:
            b.setEnabled(False)

        def finish(ok: bool, value) -> None:
            self.saving = False
            for b, on in was:
                b.setEnabled(on)
            then, self.after_save = self.after_save, None
            (done if ok else failed)(value)
            self.save_finished.emit(ok)
            if ok and then is not None:
                then()

        run_in_thread(work, owner=self, on_done=lambda r: finish(True, r),
                      on_error=lambda e: finish(False, e))

    def when_looked_up(self, field: SkuField, act: Callable[[str], None]) -> None:
        """Run `act(sku_text)` (a save) once the SKU now in `field` has its answer:
        Enter pressed while the look-up runs acts on the SKU typed. Meanwhile the dialog
        counts as saving (Esc waits; Save in the Save/Don't Save question finishes once
        written)."""
        if not field.pending():
            act(field.sku())
            return
        self.saving = True
        text = field.sku()  # when_ready may run go() at once: an answer kept for this text

        def go() -> None:
            self.saving = False
            act(text)
            if not self.saving:  # refused before writing: nothing waits for a save
                self.after_save = None

        field.when_ready(go)

    def fit_height(self) -> None:
        """Grow to show every error line that appeared (wrapped lines included)."""
        lay = self.layout()
        if lay is None:
            return
        lay.activate()
        want = self.sizeHint().height()
        if lay.hasHeightForWidth():
            want = max(want, lay.heightForWidth(self.width()))
        if want > self.height():
            self.resize(self.width(), want)


class TuplesModel(QAbstractTableModel):
    """Plain tuples under headers fixed when it is made, read-only (a dialog's list:
    ledger entries, purchase order lines, carts, CSV problems)."""

    def __init__(self, headers: tuple[str, ...], rows: list[tuple] | None = None, parent=None):
        super().__init__(parent)
        self.headers = headers
        self.rows: list[tuple] = rows or []

    def set_rows(self, rows: list[tuple]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


def plain_table(model) -> QTableView:
    """A read-only table view over `model`, whole rows selected."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view
