"""Starting the window."""

from __future__ import annotations

import sys


def run_gui(store, *, workstation: str, screenshot: str | None = None,
            open_dialog: str | None = None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from seom_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("seom-desktop")
    app.setOrganizationName("seom-desktop")
    window = MainWindow(store, workstation=workstation)
    window.show()
    if screenshot:
        def shoot() -> None:
            window.grab().save(screenshot)
            app.quit()

        QTimer.singleShot(300, shoot)
    return app.exec()
