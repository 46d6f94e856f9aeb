"""Every window within the screen's available area (the desktop less the task bar).

A window is fitted when it is shown: made no larger than the available area of its
screen, less room for the title bar and borders the window manager adds, and moved
inside it. A dialog whose contents cannot shrink that far has them put in a scroll area
(its row of buttons stays below, outside the scrolling part), so on a small screen
(1024x600) it scrolls rather than clips. `ui/window_rules.py` calls `fit_window` for
every top-level window; nothing here is particular to one dialog."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLayout,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

# Room for what the window manager adds around a window before it is on screen (its
# frame is not known yet): a Windows 10/11 title bar and borders at 100 % scaling.
FRAME_ALLOWANCE = QMargins(8, 31, 8, 8)
SCROLL_NAME = "screenFitScroll"


def available_rect(w: QWidget) -> QRect:
    screen = w.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(w: QWidget) -> QMargins:
    """The frame the window manager adds; an allowance while it is not known yet."""
    frame, inner = w.frameGeometry(), w.geometry()
    known = QMargins(inner.left() - frame.left(), inner.top() - frame.top(),
                     frame.right() - inner.right(), frame.bottom() - inner.bottom())
    if known.isNull() and QGuiApplication.platformName() not in ("offscreen", "minimal"):
        return FRAME_ALLOWANCE
    return known


def content_limit(w: QWidget) -> QSize:
    """The largest client size that keeps the whole window (frame included) on screen."""
    area = available_rect(w)
    m = frame_margins(w)
    return QSize(area.width() - m.left() - m.right(), area.height() - m.top() - m.bottom())


def too_big(size: QSize, limit: QSize) -> bool:
    return size.width() > limit.width() or size.height() > limit.height()


def _button_row(item) -> bool:  # noqa: ANN001 - a QLayoutItem
    """The last row of a dialog that holds its buttons (kept outside the scroll area)."""
    w = item.widget()
    if w is not None:
        return isinstance(w, QDialogButtonBox)
    lay = item.layout()
    if lay is None:
        return False
    kids = [lay.itemAt(i).widget() for i in range(lay.count())]
    return any(isinstance(k, QDialogButtonBox | QAbstractButton) for k in kids)


def wrap_in_scroll_area(dlg: QDialog) -> QScrollArea | None:
    """Put the dialog's contents in a scroll area; its button row stays below it."""
    lay = dlg.layout()
    if lay is None or dlg.findChild(QScrollArea, SCROLL_NAME) is not None:
        return None
    margins = lay.contentsMargins()
    keep = None
    if lay.count() > 1 and _button_row(lay.itemAt(lay.count() - 1)):
        keep = lay.takeAt(lay.count() - 1)
    inner = QWidget()
    inner.setObjectName("screenFitContent")
    inner.setLayout(lay)  # takes the layout and its widgets off the dialog
    area = QScrollArea()
    area.setObjectName(SCROLL_NAME)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(inner)
    outer = QVBoxLayout(dlg)
    outer.setContentsMargins(0, 0, 0, margins.bottom())
    outer.addWidget(area, 1)
    if keep is not None:
        row = QVBoxLayout()
        row.setContentsMargins(margins.left(), 0, margins.right(), 0)
        if keep.widget() is not None:
            row.addWidget(keep.widget())
        else:
            sub: QLayout = keep.layout()
            sub.setParent(None)
            row.addLayout(sub)
        outer.addLayout(row)
    return area


def fit_window(w: QWidget, *, showing: bool = False) -> bool:
    """Fit a top-level window into its screen's available area; returns whether its
    geometry changed. Called as it is shown (`showing`), and when it grows later."""
    limit = content_limit(w)
    if limit.width() <= 0 or limit.height() <= 0:
        return False
    if (isinstance(w, QDialog) and not isinstance(w, QMessageBox) and w.layout() is not None
            and w.layout().sizeConstraint() != QLayout.SizeConstraint.SetFixedSize
            and too_big(w.minimumSizeHint(), limit)):
        wrap_in_scroll_area(w)
        w.layout().activate()
    if too_big(w.minimumSize(), limit):
        w.setMinimumSize(w.minimumSize().boundedTo(limit))
    before = w.geometry()
    size = w.size().boundedTo(limit)
    if size != w.size():
        w.resize(size)
    if showing and not w.testAttribute(Qt.WidgetAttribute.WA_Moved):
        # Not placed yet: Qt places it as it shows (a dialog centred on its parent and
        # kept on screen); moving it now would stop that.
        return w.geometry() != before
    area = available_rect(w)
    m = frame_margins(w)
    geo = w.geometry()
    x = min(max(geo.x(), area.left() + m.left()), area.right() + 1 - m.right() - geo.width())
    y = min(max(geo.y(), area.top() + m.top()), area.bottom() + 1 - m.bottom() - geo.height())
    if (x, y) != (geo.x(), geo.y()):
        w.move(x - m.left(), y - m.top())  # move() places the frame's corner
    return w.geometry() != before


def is_fitted_window(w: QWidget) -> bool:
    """A real window (not a menu, tool tip or combo box's pop-up)."""
    if not w.isWindow():
        return False
    kind = w.windowType()
    return kind in (Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Sheet)
