"""Every window within the screen's available area, scrolling rather than clipping. The
main window's own windows are opened in a process whose offscreen screen is 1024x600
(small_screen_cases.py); a dialog taller than this process's screen is fitted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QScrollArea,
    QWidget,
)

from seom_desktop.ui import window_rules
from seom_desktop.ui.screen_fit import SCROLL_NAME

HERE = Path(__file__).parent


def test_every_window_fits_a_1024x600_screen(tmp_path):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "small", "x": 0, "y": 0, "width": 1024,
                                                "height": 600, "logicalDpi": 96,
                                                "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "-p", "no:randomly", str(HERE / "small_screen_cases.py")],
                       env=env, capture_output=True, text=True, timeout=240,
                       cwd=HERE.parent.parent)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]
    assert " passed" in r.stdout and "failed" not in r.stdout


@pytest.fixture
def rules(qapp):
    window_rules.install(qapp, fit=True)
    yield
    window_rules.uninstall(qapp)


def test_a_dialog_taller_than_the_screen_scrolls_and_keeps_its_buttons(qtbot, qapp, rules):
    """A dialog whose fields need more height than the screen has: it opens inside the
    available area, its fields scroll, its Save/Cancel row stays in sight, and Tab to the
    last field scrolls it into view. It is opened from a watched window, as every dialog
    is, and gets the rules without asking for them."""
    area = qapp.primaryScreen().availableGeometry()
    owner = QWidget()
    qtbot.addWidget(owner)
    window_rules.watch(owner)
    dlg = QDialog(owner)
    form = QFormLayout(dlg)
    edits = []
    for i in range(area.height() // 20 + 10):
        e = QLineEdit()
        form.addRow(f"Field {i}:", e)
        edits.append(e)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel)
    form.addRow(buttons)
    assert dlg.minimumSizeHint().height() > area.height()  # it could not fit as it was
    with qtbot.waitExposed(dlg):
        dlg.show()
    assert area.contains(dlg.frameGeometry())
    scroll = dlg.findChild(QScrollArea, SCROLL_NAME)
    assert scroll is not None and scroll.isVisible()
    assert not scroll.widget().isAncestorOf(buttons)  # the buttons do not scroll away
    assert dlg.rect().contains(QRect(buttons.mapTo(dlg, QPoint(0, 0)), buttons.size()))
    edits[0].setFocus()
    for _ in edits[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert edits[-1].hasFocus()
    top_left = edits[-1].mapTo(scroll.viewport(), edits[-1].rect().topLeft())
    assert scroll.viewport().rect().contains(top_left)  # scrolled into view
    assert scroll.verticalScrollBar().value() > 0
    # Labels are still theirs: the field is named after its label.
    assert edits[-1].accessibleName() == f"Field {len(edits) - 1}"
