"""Run by test_screen_fit.py in a process of its own whose offscreen screen is 1024x600
(QT_QPA_PLATFORM=offscreen:configfile=...): every window of the main window, opened by
its shortcut, lies within the screen's available area and shows all its contents
(scrolling where they do not fit). Not collected on its own (no test_ prefix)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea

from seom_desktop.ui import window_rules
from seom_desktop.ui.actions import SPECS
from seom_desktop.ui.screen_fit import SCROLL_NAME

SMALL = (1024, 600)
OPENS_A_DIALOG = [s for s in SPECS if s.handler.startswith("open_")
                  and s.key not in ("export_csv", "open_log_folder")]


@pytest.fixture
def rules(qapp):
    window_rules.install(qapp, fit=True)
    yield
    window_rules.uninstall(qapp)


def _shown_windows(main):
    return [w for w in QApplication.topLevelWidgets()
            if w.isVisible() and w is not main and w.isWindow()]


def check_inside(w) -> None:
    area = w.screen().availableGeometry()
    frame = w.frameGeometry()
    assert area.contains(frame), f"{w.windowTitle()}: {frame} is not inside {area}"
    # Nothing clipped: the layout gets at least its minimum, or the contents scroll.
    lay = w.layout()
    if lay is not None:
        need = lay.minimumSize()
        assert w.width() >= need.width() and w.height() >= need.height(), (
            f"{w.windowTitle()}: {w.size()} is smaller than its contents need ({need})")


def test_the_screen_is_small(qapp):
    assert qapp.primaryScreen().availableGeometry().size().toTuple() == SMALL


@pytest.mark.parametrize("spec", OPENS_A_DIALOG, ids=[s.key for s in OPENS_A_DIALOG])
def test_every_window_fits_the_available_area(qtbot, rules, sqlite_store, make_window,
                                                helpers, spec):
    helpers.bulk_products(sqlite_store, 30)
    helpers.plain_cart(sqlite_store, "Demo WooCommerce with a long name for the drop-down")
    w = make_window(sqlite_store)
    w.resize(1100, 680)  # the size it opens at with nothing saved
    with qtbot.waitActive(w):
        w.show()
    qtbot.waitUntil(lambda: w.ready())
    check_inside(w)
    before = set(map(id, _shown_windows(w)))
    seq = QKeySequence(spec.shortcut)
    combo = seq[0]
    QTest.keyClick(w, combo.key(), combo.keyboardModifiers())
    qtbot.waitUntil(lambda: any(id(x) not in before for x in _shown_windows(w)))
    for dlg in _shown_windows(w):
        check_inside(dlg)
        if dlg.layout() is not None and dlg.findChild(QScrollArea, SCROLL_NAME) is not None:
            # It scrolls: every field is still there, inside the scroll area.
            assert dlg.findChild(QScrollArea, SCROLL_NAME).widget().layout() is not None
    for dlg in _shown_windows(w):
        dlg.close()
