"""Answering the questions a dialog asks (modal QMessageBox) the way a clerk does: a key
(Enter takes the default button, Esc the escape button) or a click on a button by its
text. Imported by the clerk tests (tests/ui is on sys.path under pytest's import mode)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def open_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


class Answers(list):
    """The texts of the questions answered; stop() ends the wait for one."""

    stopped = False

    def stop(self) -> None:
        self.stopped = True


def answer_box(qtbot, *, key=None, button: str | None = None, tries: int = 500) -> Answers:
    """When the next question is up, note its text (in the list returned) and answer
    it with `key` or a click on the button labelled `button`."""
    seen = Answers()

    def act(n: int = 0) -> None:
        if seen.stopped:
            return
        boxes = open_boxes()
        if not boxes:
            if n < tries:
                QTimer.singleShot(10, lambda: act(n + 1))
            return
        box = boxes[-1]
        seen.append(box.text())
        if key is not None:
            qtbot.keyClick(box, key)
        else:
            b = next(b for b in box.buttons() if b.text().replace("&", "") == button)
            qtbot.mouseClick(b, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, act)
    return seen


def tab_to(qtbot, dialog, widget, limit: int = 30) -> None:
    """Press Tab until `widget` has the focus (as a clerk tabbing through the form)."""
    for _ in range(limit):
        if dialog.focusWidget() is widget:
            return
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {widget!r}")


def quiet_close(dialog) -> None:
    """For qtbot.addWidget(before_close_func=...): a test that leaves input typed closes
    its dialog without the Save / Don't Save / Cancel question (nobody would answer)."""
    from PySide6.QtWidgets import QDialog

    if dialog.isVisible():
        QDialog.done(dialog, QDialog.DialogCode.Rejected.value)
