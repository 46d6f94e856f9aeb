"""One application-wide event filter for the rules every window follows, so that no
dialog has to repeat them: each top-level window is fitted into the screen's available
area when it is shown or grows (ui/screen_fit.py), its fields, buttons and tables are
named after their visible labels (ui/accessible.py), its drop-down lists grow with what
they list and its number fields say when a typed number is past their maximum
(ui/field_rules.py). Installed by `ui/app.make_app` and the main window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from seom_desktop.ui.accessible import name_one, name_widgets
from seom_desktop.ui.field_rules import on_key, widen_combos
from seom_desktop.ui.screen_fit import content_limit, fit_window, is_fitted_window, too_big


class WindowRules(QObject):
    def __init__(self, parent: QObject | None = None, *, fit: bool = True):
        super().__init__(parent)
        self.fit = fit

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt name
        kind = event.type()
        if kind == QEvent.Type.Show:
            if isinstance(obj, QWidget) and is_fitted_window(obj):
                widen_combos(obj)
                if self.fit:
                    fit_window(obj, showing=True)
                name_widgets(obj)
        elif kind == QEvent.Type.Paint:
            if isinstance(obj, QAbstractButton | QLabel):
                name_one(obj)  # its words may have changed since the window was shown
        elif kind == QEvent.Type.KeyPress:
            on_key(obj, event)
        elif kind == QEvent.Type.Resize and self.fit:
            if (isinstance(obj, QWidget) and obj.isVisible() and is_fitted_window(obj)
                    and too_big(event.size(), content_limit(obj))):
                fit_window(obj)
        return False


_installed: WindowRules | None = None


def install(app: QApplication, *, fit: bool | None = None) -> WindowRules:
    """Install the rules on the application once; `fit` (None: as it is, off at first)
    says whether windows are fitted to the screen, or only named."""
    global _installed
    if _installed is None:
        _installed = WindowRules(app, fit=bool(fit))
        app.installEventFilter(_installed)
    elif fit is not None:
        _installed.fit = fit
    return _installed


def uninstall(app: QApplication) -> None:
    global _installed
    if _installed is not None:
        app.removeEventFilter(_installed)
        _installed.deleteLater()
        _installed = None
