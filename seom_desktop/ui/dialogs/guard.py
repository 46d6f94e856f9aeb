"""Asking before input is lost or a quantity drops a lot, as Windows applications do:
closing a window that holds unsaved input asks Save / Discard / Cancel (Save is the
default, Esc is Cancel); a dangerous step asks Yes / No with No as the default.
`UnsavedGuard` is mixed into a QDialog: Close, Esc and the window's X all pass through
`reject()`, so that one override covers them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
_SB = QMessageBox.StandardButton


def ask_unsaved(parent: QWidget | None, title: str, text: str) -> str:
    """SAVE, DISCARD or CANCEL: what to do with input that is not saved."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      _SB.Save | _SB.Discard | _SB.Cancel, parent)
    box.setObjectName("unsavedQuestion")
    box.setDefaultButton(_SB.Save)
    box.setEscapeButton(_SB.Cancel)
    box.button(_SB.Discard).setText("Don't Save")
    answer = box.exec()
    return {_SB.Save: SAVE, _SB.Discard: DISCARD}.get(_SB(answer), CANCEL)


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """True only when the clerk answers Yes (No is the default and Esc)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, _SB.Yes | _SB.No, parent)
    box.setObjectName("dangerQuestion")
    box.setDefaultButton(_SB.No)
    box.setEscapeButton(_SB.No)
    return _SB(box.exec()) == _SB.Yes


class UnsavedGuard:
    """Mixin for a QDialog with input: `has_unsaved()` says whether there is any and
    `save_unsaved()` saves it (the dialog may close itself on success). A save that runs
    off the UI thread (StoreDialog.run_save sets `saving`) runs `then` once written."""

    unsaved_text = "The entry has not been saved. Save it before closing?"

    def has_unsaved(self) -> bool:
        return False

    def save_unsaved(self) -> None:
        raise NotImplementedError

    def settle_unsaved(self, text: str | None = None, *,
                       then: Callable[[], None] | None = None) -> bool:
        """Ask what to do with unsaved input: True when it may be left (saved or
        discarded), False to stay (Cancel, the save failed, or it is being written:
        `then()` runs once it is)."""
        if not self.has_unsaved():
            return True
        answer = ask_unsaved(self, self.windowTitle(), text or self.unsaved_text)  # type: ignore[attr-defined]
        if answer == CANCEL:
            return False
        if answer == SAVE:
            self.save_unsaved()
            if getattr(self, "saving", False):
                self.after_save = then
                return False
            return not self.isVisible() or not self.has_unsaved()  # type: ignore[attr-defined]
        return True

    def reject(self) -> None:
        if not self.isVisible():  # type: ignore[attr-defined]
            super().reject()  # type: ignore[misc]
            return
        if getattr(self, "saving", False):
            return  # Esc while the save is written: it answers first (then closes or says)
        if self.settle_unsaved(then=self._close_when_saved) and self.isVisible():  # type: ignore[attr-defined]
            super().reject()  # type: ignore[misc]

    def _close_when_saved(self) -> None:
        if self.isVisible() and not self.has_unsaved():  # type: ignore[attr-defined]
            super().reject()  # type: ignore[misc]
