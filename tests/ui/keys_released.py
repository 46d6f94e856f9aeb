"""An autouse fixture for the window tests that press Ctrl+Shift shortcuts: QTest leaves
Shift (and after a Ctrl+click, Ctrl) as held in QApplication.keyboardModifiers(), and a
later test's selectRow then extends or toggles a selection. Released after each test.

    from keys_released import release_modifiers  # noqa: F401 (an autouse fixture)
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def release_modifiers(qapp):
    yield
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    w = QWidget()
    for key in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt):
        QTest.keyRelease(w, key)
    w.deleteLater()
