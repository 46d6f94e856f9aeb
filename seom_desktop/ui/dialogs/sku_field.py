"""The SKU field of the data-entry dialogs: a line edit with a completer over the
store's SKUs, and the look-up of each SKU typed on a pool thread (a late answer for an
earlier SKU is dropped; what acts on the SKU waits for its answer: when_ready)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from seom_desktop.app.errors import InventoryError
from seom_desktop.app.product_detail import (
    all_skus,
    find_product,
    qoh_to_show,
    skus_differing_in_case,
)
from seom_desktop.inventory.validation import check_sku
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import Field


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
