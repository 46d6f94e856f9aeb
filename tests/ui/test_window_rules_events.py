"""The window rules (ui/window_rules.py) watch the windows, not the whole process: an
event of an object outside every window (a timer's tick, here) never reaches them, so
it never waits for the interpreter lock on their account; a window opened from a
watched one is watched."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout, QWidget

from seom_desktop.ui.window_rules import WindowRules


class Counting(WindowRules):
    def __init__(self):
        super().__init__(fit=False)
        self.seen: list[tuple[QObject, QEvent.Type]] = []

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt name
        self.seen.append((obj, event.type()))
        return super().eventFilter(obj, event)


def test_the_rules_see_the_windows_events_and_no_others(qtbot, qapp):
    rules = Counting()
    seen = rules.seen
    owner = QWidget()
    qtbot.addWidget(owner)
    rules.watch(owner)
    dlg = QDialog(owner)  # opened from the watched window: watched too
    button = QPushButton("Send QOH", dlg)
    QVBoxLayout(dlg).addWidget(button)
    with qtbot.waitExposed(dlg):
        dlg.show()
    assert (dlg, QEvent.Type.Show) in seen
    assert button.accessibleName() == "Send QOH"
    button.setText("Get QOH")  # repainted with new words: named again
    qtbot.waitUntil(lambda: button.accessibleName() == "Get QOH")

    ticks = []
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.append(1))
    seen.clear()
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 20)
    timer.stop()
    assert not any(obj is timer for obj, _ in seen)  # the application's events pass by
    rules.deleteLater()  # Qt takes it off every object it watched


def test_the_window_process_takes_the_interpreter_lock_back_within_a_millisecond():
    """make_app (the window's process) shortens Python's switch interval from 5 ms; in a
    process of its own, as the window is, so this process keeps its own."""
    import subprocess
    import sys

    code = ("import sys; from seom_desktop.ui.app import make_app, SWITCH_INTERVAL_S; "
            "before = sys.getswitchinterval(); make_app(); "
            "print(before, sys.getswitchinterval(), SWITCH_INTERVAL_S)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120, env={**__import__("os").environ,
                                         "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr
    before, after, wanted = map(float, r.stdout.split())
    assert before == 0.005 and after == wanted == 0.001
