"""Starting the window: the QApplication, the qasync event loop, the main window with
its stack controller thread, and `--screenshot` / `--open DIALOG`."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

DIALOG_KEYS = {
    "advanced-cart-functions": "advanced_cart_functions",
    "adjust-inventory": "adjust_inventory",
    "shopping-carts": "shopping_carts",
    "system-parameters": "system_parameters",
    "view-inventory": "view_inventory",
    "stack-controller": "stack_controller",
    "sync-health": "sync_health",
}
SCREENSHOT_WAIT_S = 10.0  # at most, for the first page and the status bar to arrive
SCREENSHOT_SETTLE_MS = 600
# How soon a thread waiting for the interpreter lock asks for it (Python's default: 5 ms).
# Every Python call Qt makes on the UI thread (a slot, a timer, an event filter) waits for
# the lock while a transfer's or the controller's thread holds it; several such waits made
# one stall (bench/README.md, "Issue 23: the UI heartbeat").
SWITCH_INTERVAL_S = 0.001


def make_app(*, fit_windows: bool = True):
    """The QApplication, with the rules every window follows (ui/window_rules.py): fitted
    into the screen's available area (not for a screenshot, which is taken at a set
    size), fields, buttons and tables named after their visible labels; the UI thread
    gets the interpreter lock within SWITCH_INTERVAL_S; malloc keeps few arenas
    (memory.py)."""
    from PySide6.QtWidgets import QApplication

    from seom_desktop.memory import limit_malloc_arenas
    from seom_desktop.ui import window_rules

    limit_malloc_arenas()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("seom-desktop")
    app.setOrganizationName("seom-desktop")
    app.setApplicationDisplayName("seom-desktop")
    icon = app_icon_path()
    if icon is not None:
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    if sys.platform.startswith("linux") or app.platformName() == "offscreen":
        app.setStyle("Fusion")
    window_rules.install(app, fit=fit_windows)
    return app


def app_icon_path():
    """resources/seom-desktop.png: inside the PyInstaller bundle, or in the source tree."""
    from pathlib import Path

    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[2]))
    path = base / "resources" / "seom-desktop.png"
    return path if path.is_file() else None


def compose(window, dialog=None):
    """A QPixmap of the window with the dialog drawn on top where it sits."""
    from PySide6.QtGui import QColor, QPainter, QPen

    shot = window.grab()
    if dialog is None or not dialog.isVisible():
        return shot
    d = dialog.grab()
    # Centred on the window, as a clerk would see a dialog opened from it.
    x = max((shot.width() - d.width()) // 2, 0)
    y = max((shot.height() - d.height()) // 2, 0)
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), QColor(0, 0, 0, 60))
    painter.drawPixmap(x, y, d)
    painter.setPen(QPen(QColor("#6b6b6b"), 1))
    painter.drawRect(x, y, d.width() - 1, d.height() - 1)
    painter.end()
    return shot


def run_gui(store, *, workstation: str, screenshot: str | None = None,
            open_dialog: str | None = None, cart_probe: Callable | None = None,
            banner: str = "", before_shot: Callable[[object], None] | None = None,
            shot_when: Callable[[object], bool] | None = None) -> int:
    from PySide6.QtCore import QTimer

    from seom_desktop.ui.async_support import make_loop, wait_for_background
    from seom_desktop.ui.main_window import MainWindow

    app = make_app(fit_windows=not screenshot)
    loop = make_loop(app)
    window = MainWindow(store, workstation=workstation, cart_probe=cart_probe, banner=banner)
    if screenshot:
        window.resize(1180, 720)  # the same picture whatever geometry was saved
    window.show()
    state: dict = {"dialog": None, "code": 0, "opened": not open_dialog}
    opening = time.monotonic()

    def open_it() -> None:
        # After the first page arrived, so a dialog for "the selected item" has one.
        if not window.ready() and time.monotonic() - opening < SCREENSHOT_WAIT_S:
            QTimer.singleShot(50, open_it)
            return
        state["dialog"] = getattr(window, f"open_{DIALOG_KEYS[open_dialog]}")()
        state["opened"] = True

    if open_dialog:
        QTimer.singleShot(0, open_it)

    if screenshot:
        started = time.monotonic()

        def shoot() -> None:
            waited = time.monotonic() - started
            wanted = (window.ready() and state["opened"]
                      and (shot_when is None or shot_when(window)))
            if not wanted and waited < SCREENSHOT_WAIT_S:
                QTimer.singleShot(100, shoot)
                return
            if before_shot is not None:
                before_shot(window)
            window.refresh_visible()
            refresh = getattr(state["dialog"], "refresh", None)
            if callable(refresh):
                refresh()
            QTimer.singleShot(SCREENSHOT_SETTLE_MS, save)

        def save() -> None:
            ok = compose(window, state["dialog"]).save(screenshot)
            if not ok:
                print(f"error: could not save the screenshot to {screenshot}", file=sys.stderr)
                state["code"] = 1
            window.close()
            app.quit()

        QTimer.singleShot(200, shoot)
    app.lastWindowClosed.connect(app.quit)
    with loop:
        loop.run_forever()
    window.stop_controller()
    wait_for_background()
    return state["code"]
