"""Small pieces the data-entry dialogs share: a field with its red error line, a SKU
field with a completer, quantity checking for display, the base of the store dialogs
and running a slow call off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QRunnable,
    QStringListModel,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError, QuantityError, UnknownSKUError
from seom_desktop.inventory.validation import check_sku, parse_quantity
from seom_desktop.store.models import Product
from seom_desktop.ui.dialogs.guard import UnsavedGuard

ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: #555555;"
OK_STYLE = "color: #1b6e20;"
MAX_COMPLETER_SKUS = 50_000


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


def all_skus(store, limit: int = MAX_COMPLETER_SKUS) -> list[str]:
    with store.read() as s:
        return list(s.scalars(select(Product.sku).order_by(Product.sku).limit(limit)))


class SkuField(Field):
    """A SKU line edit with a completer over the store's SKUs."""

    def __init__(self, store, *, parent: QWidget | None = None):
        edit = QLineEdit()
        edit.setPlaceholderText("SKU")
        edit.setObjectName("sku")
        edit.setAccessibleName("SKU")
        super().__init__(edit, parent=parent)
        self.store = store
        self.completer = QCompleter(self)
        self.completer.setModel(QStringListModel(all_skus(store), self.completer))
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        edit.setCompleter(self.completer)
        edit.textEdited.connect(lambda _t: self.clear_error())

    @property
    def line(self) -> QLineEdit:
        return self.editor  # type: ignore[return-value]

    def sku(self) -> str:
        return self.line.text()

    def set_sku(self, sku: str) -> None:
        self.line.setText(sku)

    def lookup(self) -> tuple[str, str, int] | None:
        """(sku, name, qoh) of the product typed, or None (no error shown)."""
        sku = self.sku().strip()
        if not sku:
            return None
        with self.store.read() as s:
            row = s.execute(select(Product.sku, Product.name, Product.qoh)
                            .where(Product.sku == sku)).first()
        return None if row is None else (row[0], row[1] or "", row[2])

    def check(self) -> str | None:
        """The SKU if it names a product; otherwise shows why under the field."""
        sku = self.sku()
        try:
            check_sku(sku.strip() if sku.strip() else sku)
        except InventoryError as e:
            self.show_error(str(e))
            return None
        if self.lookup() is None:
            self.show_error(f"unknown SKU {sku.strip()!r}")
            return None
        self.clear_error()
        return sku.strip()


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
                   minimum: int | None = None) -> int | None:
    """The quantity typed in `field`, or None with the reason shown under it."""
    text = field.editor.text()
    problem = quantity_problem(text, what, minimum=minimum)
    if problem:
        field.show_error(problem)
        return None
    field.clear_error()
    return parse_quantity(text, what, minimum=minimum)


class StoreDialog(QDialog):
    """Base of the dialogs that write to the store: they keep the store and the
    workstation, never a Session."""

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None, **_kw: Any):
        super().__init__(parent)
        self.store = store
        self.workstation = workstation
        self.general_error = ErrorLabel(self)

    def actor(self) -> Actor:
        return Actor.current(self.workstation)

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


class RowsModel(QAbstractTableModel):
    """Plain rows (tuples) under fixed headers, read-only."""

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


# --- off the UI thread --------------------------------------------------------------

class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as e:  # noqa: BLE001 - handed to the UI thread to show
            self._emit(self.relay.failed, e)
            return
        self._emit(self.relay.done, result)

    @staticmethod
    def _emit(signal, value) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the dialog was closed meanwhile
            pass


def run_in_background(owner: QObject, fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[BaseException], None]) -> None:
    """Run `fn` on the global thread pool; `on_done(result)` or `on_error(exc)` then
    runs on the UI thread (if `owner` is still there)."""
    relay = _Relay(owner)
    relay.done.connect(on_done)
    relay.failed.connect(on_error)
    relay.done.connect(relay.deleteLater)
    relay.failed.connect(relay.deleteLater)
    QThreadPool.globalInstance().start(_Task(fn, relay))


class SkuQuantityDialog(UnsavedGuard, StoreDialog):
    """SKU, quantity and a reference, written by one operation (Receive Purchase
    Order, POS Sale). Subclasses set the titles and `write(session, sku, qty, ref)`."""

    title = ""
    reference_label = "Reference:"
    save_label = "Save"

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None,
                 sku: str | None = None, **kw: Any):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle(self.title)
        self.sku_field = SkuField(store)
        self.item_name = QLabel("")
        self.item_name.setStyleSheet(NOTE_STYLE)
        self.current_qoh = QLabel("—")
        self.quantity = line_field("at least 1", name="quantity")
        self.reference = line_field("optional", name="reference")
        form = QFormLayout()
        form.addRow("SKU:", self.sku_field)
        form.addRow("", self.item_name)
        form.addRow("Current QOH:", self.current_qoh)
        form.addRow("Quantity:", self.quantity)
        form.addRow(self.reference_label, self.reference)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(self.save_label,
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.general_error)
        lay.addWidget(self.buttons)
        self.sku_field.line.textChanged.connect(lambda _t: self.refresh_item())
        if sku:  # the item selected in the main window: the quantity is next
            self.sku_field.set_sku(sku)
            self.quantity.editor.setFocus()
        self.resize(440, self.sizeHint().height())

    def refresh_item(self) -> None:
        item = self.sku_field.lookup()
        self.item_name.setText("" if item is None else item[1])
        self.current_qoh.setText("—" if item is None else f"{item[2]:,}")

    def write(self, session, sku: str, qty: int, reference: str) -> None:
        raise NotImplementedError

    def has_unsaved(self) -> bool:
        return bool(self.quantity.editor.text().strip()
                    or self.reference.editor.text().strip())

    def save_unsaved(self) -> None:
        self.save()

    def save(self) -> None:
        self._save()
        self.fit_height()

    def _save(self) -> None:
        self.general_error.clear_error()
        sku = self.sku_field.check()
        qty = check_quantity(self.quantity, "quantity", minimum=1)
        reference = self.reference.editor.text().strip()
        if len(reference) > 255:
            self.reference.show_error("reference is longer than 255 characters")
            return
        if sku is None or qty is None:
            return
        try:
            with self.store.write() as s:
                self.write(s, sku, qty, reference)
        except UnknownSKUError as e:
            self.sku_field.show_error(str(e))
            return
        except QuantityError as e:
            self.quantity.show_error(str(e))
            return
        except InventoryError as e:
            self.general_error.show_error(str(e))
            return
        self.changed.emit()
        self.accept()
