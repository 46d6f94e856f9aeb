"""Small pieces the data-entry dialogs share: a field with its red error line, a SKU
field with a completer (case-insensitive where that names one product), quantity
checking for display, and the base of the store dialogs, whose saves run off the UI
thread (StoreDialog.run_save) with the dialog's buttons disabled meanwhile."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QStringListModel, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCompleter,
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
from seom_desktop.app.product_detail import (
    all_skus,
    find_product,
    qoh_to_show,
    skus_differing_in_case,
)
from seom_desktop.inventory.validation import check_sku, parse_quantity
from seom_desktop.ui.async_support import run_in_thread

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


@dataclass(frozen=True)
class SkuAnswer:
    """What the store says of one SKU typed: the product it names (sku, name, qoh) or
    None, and the store's SKUs equal to it but for letter case."""

    found: tuple[str, str, int] | None  # a kit's qoh: derived from its components
    same: tuple[str, ...] = ()
    error: str = ""
    kit: str = ""  # a kit: why its QOH cannot be changed by hand ("" for the others)


def resolve_sku(store, sku: str) -> SkuAnswer:
    """The product `sku` names (on a pool thread): exactly, or in another letter case
    when only one product has it."""
    found = find_product(store, sku=sku)
    same: tuple[str, ...] = ()
    if found is None:
        same = tuple(skus_differing_in_case(store, sku=sku))
        if len(same) == 1:
            found = find_product(store, sku=same[0])
    if found is None:
        return SkuAnswer(None, same)
    shown = qoh_to_show(store, sku=found.sku) if found.kit else None
    return SkuAnswer((found.sku, found.name, found.qoh), same,
                     kit=shown.message if shown is not None else "")


class SkuField(Field):
    """A SKU line edit with a completer over the store's SKUs (read on a pool thread
    when the field is made; `skus_loaded` says they arrived). Each SKU typed is looked up
    on a pool thread (`looked_up` says the answer for the text in the field arrived);
    an answer for a SKU typed before the field's text is dropped (a sequence number), so
    a fast typist never sees the product of a SKU no longer in the field. What acts on
    the SKU (a save) waits for its answer through `when_ready`."""

    skus_loaded = Signal()
    looked_up = Signal()

    def __init__(self, store, *, parent: QWidget | None = None):
        edit = QLineEdit()
        edit.setPlaceholderText("SKU")
        edit.setObjectName("sku")
        edit.setAccessibleName("SKU")
        super().__init__(edit, parent=parent)
        self.store = store
        self._seq = 0
        self._answer = SkuAnswer(None)
        self._answer_for: str | None = ""  # the text the answer is for (None: pending)
        self._answers: dict[str, SkuAnswer] = {"": SkuAnswer(None)}  # by text typed
        self._waiting: list[tuple[str, Callable[[], None]]] = []
        self.completer = QCompleter(self)
        self.completer.setModel(QStringListModel([], self.completer))
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        edit.setCompleter(self.completer)
        edit.textEdited.connect(lambda _t: self.clear_error())
        edit.textChanged.connect(self._text_changed)
        run_in_thread(lambda: all_skus(store), owner=self, on_done=self._got_skus)

    def _got_skus(self, skus: list[str]) -> None:
        self.completer.model().setStringList(skus)
        self.skus_loaded.emit()

    @property
    def line(self) -> QLineEdit:
        return self.editor  # type: ignore[return-value]

    def sku(self) -> str:
        return self.line.text()

    def set_sku(self, sku: str) -> None:
        self.line.setText(sku)

    # --- the look-up of the SKU typed ----------------------------------------------

    def pending(self) -> bool:
        """The answer for the text in the field has not arrived yet."""
        return self._answer_for != self.sku()

    def refresh(self) -> None:
        """Look the SKU in the field up again (its QOH may have changed)."""
        self._text_changed(self.sku())

    def _text_changed(self, text: str) -> None:
        self._seq += 1
        seq, sku, store = self._seq, text.strip(), self.store
        if not sku:
            self._answered(seq, text, SkuAnswer(None))
            return
        self._answer_for = None
        run_in_thread(lambda: resolve_sku(store, sku), owner=self,
                      on_done=lambda a: self._answered(seq, text, a),
                      on_error=lambda e: self._answered(seq, text, SkuAnswer(
                          None, error=f"could not look up SKU {sku!r}: {e}")))

    def _answered(self, seq: int, text: str, answer: SkuAnswer) -> None:
        if len(self._answers) > 100:
            self._answers.clear()
        self._answers[text] = answer  # what waits for this text acts on it (when_ready)
        if seq == self._seq:  # else: a SKU typed before the one in the field (not shown)
            self._answer, self._answer_for = answer, text
            self.looked_up.emit()
        ready = [(t, fn) for t, fn in self._waiting if t in self._answers]
        self._waiting = [(t, fn) for t, fn in self._waiting if t not in self._answers]
        for _t, fn in ready:
            fn()

    def when_ready(self, fn: Callable[[], None]) -> str:
        """Run `fn()` once the SKU now in the field has its answer (now if it has): a
        clerk's Enter pressed before the look-up answered acts on the SKU typed, even
        when the next SKU is being typed meanwhile. Returns that SKU text: pass it to
        check() / lookup() in `fn`."""
        text = self.sku()
        if not self.pending():
            self._answers[text] = self._answer
        if text in self._answers:
            fn()
        else:
            self._waiting.append((text, fn))
        return text

    def answer(self, text: str | None = None) -> SkuAnswer | None:
        """The store's answer for `text` (default: the field's), None while pending."""
        if text is None:
            return None if self.pending() else self._answer
        return self._answers.get(text)

    def same_but_case(self, sku: str) -> list[str]:
        """The store's SKUs equal to the SKU typed but for letter case (as Find
        matches); [] while the look-up has not answered."""
        got = self.answer()
        if got is None or self.sku().strip() != sku:
            return []
        return list(got.same)

    def lookup(self, text: str | None = None) -> tuple[str, str, int] | None:
        """(sku, name, qoh) of the product typed (or of `text`, as when_ready returned
        it), or None (not found, or the look-up has not answered yet: see pending()). A
        SKU typed in another letter case names the product when only one product has it."""
        got = self.answer(text)
        return None if got is None else got.found

    def check(self, text: str | None = None) -> str | None:
        """The SKU if the field's text (or `text`, as when_ready returned it) names a
        product; otherwise shows why under the field. Call it once the look-up has
        answered (when_ready)."""
        sku = self.sku() if text is None else text
        try:
            check_sku(sku.strip() if sku.strip() else sku)
        except InventoryError as e:
            self.show_error(str(e))
            return None
        got = self.answer(text)
        if got is None:
            self.show_error(f"SKU {sku.strip()!r} is still being looked up: try again")
            return None
        found = got.found
        if found is None:
            same = got.same
            if got.error:
                self.show_error(got.error)
            elif len(same) > 1:
                self.show_error(f"SKU {sku.strip()!r} matches {', '.join(same[:5])} "
                                "(they differ only in letter case): type it exactly")
            else:
                self.show_error(f"unknown SKU {sku.strip()!r}")
            return None
        self.clear_error()
        return found[0]


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
        box: dict[str, str] = {}

        def go() -> None:
            self.saving = False
            act(box["text"])
            if not self.saving:  # refused before writing: nothing waits for a save
                self.after_save = None

        box["text"] = field.when_ready(go)

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
