"""Letting the window's reads finish in a test: the dialogs read the store on pool
threads (ui/async_support.run_in_thread) and apply the answers on the UI thread; idle()
waits for the pool, then delivers the answers, until nothing more was started."""

from __future__ import annotations


def idle(rounds: int = 20) -> None:
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    pool = QThreadPool.globalInstance()
    for _ in range(rounds):
        pool.waitForDone(10_000)
        QApplication.processEvents()
        QApplication.processEvents()
        if pool.activeThreadCount() == 0:
            return
