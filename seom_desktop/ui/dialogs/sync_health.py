"""Web Store > Sync Health: how synchronization went, from recorded history (so it is
right after a restart): pending rows over time, change-to-cart time p50/p99 per cart for
the last hour and day, rows failed and bypassed by cart, each cart's last reconcile with
its difference count, and a table of each cart's state, oldest pending row and last
error. Read by app/health.py on a pool thread; drawn with pyqtgraph (pure Python over
PySide6; QtCharts would need the PySide6-Addons wheel)."""

from __future__ import annotations

from datetime import UTC

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.health import HealthReport, duration, health_report
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import ErrorLabel, TuplesModel, plain_table
from seom_desktop.ui.models.stack import local_time

REFRESH_MS = 30_000
HEADERS = ("Cart", "State", "Why", "Oldest pending", "Last reconcile", "Last error")
# Colour-blind-safe (Okabe-Ito), one per cart, then per series.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
LATENCY_SERIES = (("p50, last hour", "hour", "p50"), ("p99, last hour", "hour", "p99"),
                  ("p50, last day", "day", "p50"), ("p99, last day", "day", "p99"))
FAILURE_SERIES = (("Failed", "failed"), ("Bypassed", "bypassed"))


def epoch(dt) -> float:
    """A stored (naive UTC) time as seconds since the epoch, for the time axis."""
    return dt.replace(tzinfo=UTC).timestamp() if dt.tzinfo is None else dt.timestamp()


def reconcile_text(c) -> str:
    r = c.last_reconcile
    if r is None:
        return "never"
    if r.error:
        return f"{local_time(r.started_at, '%Y-%m-%d %H:%M')}: failed ({r.error})"
    return (f"{local_time(r.started_at, '%Y-%m-%d %H:%M')}: {r.different} different of "
            f"{r.checked}, {r.fixed} fixed")


def error_text(c) -> str:
    if not c.last_error:
        return "none"
    return f"{local_time(c.last_error_at, '%Y-%m-%d %H:%M')}: {c.last_error}"


def table_rows(report: HealthReport) -> list[tuple]:
    return [(c.name, c.state, c.why,
             c.oldest_pending.describe() if c.oldest_pending else "none",
             reconcile_text(c), error_text(c)) for c in report.carts]


def _headroom(chart, top: float, room: float = 1.45) -> None:
    """0 at the bottom, room above the highest value for the legend and labels."""
    chart.setYRange(0, max(top, 1.0) * room, padding=0)


def _chart(title: str, left: str, *, bottom: str = "", time_axis: bool = False,
           legend_columns: int = 1):
    axes = {"bottom": pg.DateAxisItem()} if time_axis else {}
    w = pg.PlotWidget(background="w", axisItems=axes)
    w.setAccessibleName(f"{title} chart")
    w.setTitle(title, color="#202020", size="10pt")
    w.setLabel("left", left)
    w.getAxis("left").enableAutoSIPrefix(False)
    if bottom:
        w.setLabel("bottom", bottom)
    w.showGrid(x=False, y=True, alpha=0.25)
    w.setMouseEnabled(x=False, y=False)
    w.setMenuEnabled(False)
    w.addLegend(offset=(-6, 6), labelTextColor="#202020", brush=pg.mkBrush(255, 255, 255, 200),
                colCount=legend_columns)
    w.setMinimumSize(320, 200)
    return w


class SyncHealthDialog(QDialog):
    """Sync Health: `loaded` says a report arrived and is drawn (`report`)."""

    loaded = Signal()

    def __init__(self, store, *, workstation: str = "", parent: QWidget | None = None, **_kw):
        super().__init__(parent)
        self.store = store
        self.workstation = workstation
        self.report: HealthReport | None = None
        self.setWindowTitle("Sync Health")
        self.setAccessibleName("Sync Health")
        # What the charts hold, by cart and series (the tests read them back).
        self.pending_curves: dict[str, pg.PlotDataItem] = {}
        self.failed_curves: dict[str, pg.PlotDataItem] = {}
        self.latency_bars: dict[str, pg.BarGraphItem] = {}
        self.failure_bars: dict[str, pg.BarGraphItem] = {}
        self.reconcile_bars: pg.BarGraphItem | None = None
        self.bar_carts: list[str] = []  # the cart under each group of bars
        self._reconcile_labels: list[pg.TextItem] = []

        self.summary = QLabel("Reading the history…")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAccessibleName("Sync health summary")
        self.controller = QLabel("")
        self.controller.setTextFormat(Qt.TextFormat.PlainText)
        self.controller.setAccessibleName("Who sends the Web Stack")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh")
        self.error = ErrorLabel(self)
        top = QHBoxLayout()
        words = QVBoxLayout()
        words.addWidget(self.summary)
        words.addWidget(self.controller)
        top.addLayout(words, 1)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)

        self.pending_chart = _chart("Pending rows over time", "rows", time_axis=True,
                                    legend_columns=2)
        self.latency_chart = _chart("Change-to-cart time", "seconds")
        self.failure_chart = _chart("Failed and bypassed rows", "rows")
        self.reconcile_chart = _chart("Last reconcile: differences", "items")
        grid = QGridLayout()
        grid.addWidget(self.pending_chart, 0, 0)
        grid.addWidget(self.latency_chart, 0, 1)
        grid.addWidget(self.failure_chart, 1, 0)
        grid.addWidget(self.reconcile_chart, 1, 1)

        heading = QLabel("Carts")
        self.model = TuplesModel(HEADERS)
        self.table = plain_table(self.model)
        self.table.setAccessibleName("Carts")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.error)
        lay.addLayout(grid, 3)
        lay.addWidget(heading)
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)
        self.resize(1080, 700)

        self.refresh_button.clicked.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    # --- reading -------------------------------------------------------------------
    def refresh(self) -> None:
        store = self.store
        self.refresh_button.setEnabled(False)
        run_in_thread(lambda: health_report(store), owner=self, on_done=self.show_report,
                      on_error=self._failed)

    def _failed(self, e: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.error.show_error(f"The sync health history could not be read: {e}")

    def show_report(self, report: HealthReport) -> None:
        self.refresh_button.setEnabled(True)
        self.error.clear_error()
        self.report = report
        self.summary.setText(f"{report.summary()} (as of {local_time(report.now)})")
        self.controller.setText(report.controller)
        self._draw_pending(report)
        self._draw_latency(report)
        self._draw_failures(report)
        self._draw_reconciles(report)
        self.latency_chart.setAccessibleDescription(self.latency_words())
        self.model.set_rows(table_rows(report))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.loaded.emit()

    # --- drawing -------------------------------------------------------------------
    def _draw_pending(self, report: HealthReport) -> None:
        chart = self.pending_chart
        chart.clear()
        self.pending_curves, self.failed_curves = {}, {}
        top = 0.0
        for n, c in enumerate(report.carts):
            colour = COLOURS[n % len(COLOURS)]
            for series, curves, name, style in (
                    (c.pending_series, self.pending_curves, c.name, Qt.PenStyle.SolidLine),
                    (c.failed_series, self.failed_curves, "failed, to retry",
                     Qt.PenStyle.DashLine)):
                xs = [epoch(at) for at, _ in series]
                ys = [float(v) for _, v in series]
                top = max([top, *ys])
                curves[c.name] = chart.plot(xs, ys, name=name,
                                            pen=pg.mkPen(colour, width=2, style=style))
        _headroom(chart, top, 1.25 + 0.2 * len(report.carts))  # a legend row per cart

    def _cart_axis(self, chart, report: HealthReport) -> None:
        self.bar_carts = [c.name for c in report.carts]
        chart.getAxis("bottom").setTicks([list(enumerate(self.bar_carts))])
        chart.setXRange(-0.6, max(len(report.carts), 1) - 0.4, padding=0)

    def _bars(self, chart, report: HealthReport, series, value) -> dict[str, pg.BarGraphItem]:
        """Grouped bars: one group per cart, one bar per series."""
        chart.clear()
        width = 0.8 / len(series)
        out = {}
        top = 0.0
        for k, spec in enumerate(series):
            label = spec[0]
            xs = [i - 0.4 + width * (k + 0.5) for i in range(len(report.carts))]
            heights = [float(value(c, spec)) for c in report.carts]
            colour = COLOURS[k % len(COLOURS)]
            bar = pg.BarGraphItem(x=xs, height=heights, width=width * 0.9,
                                  brush=pg.mkBrush(colour), pen=pg.mkPen(None), name=label)
            chart.addItem(bar)
            out[label] = bar
            top = max([top, *heights])
        self._cart_axis(chart, report)
        _headroom(chart, top, max(1.4, 1.15 + 0.1 * len(series)))  # a legend row per series
        return out

    def _draw_latency(self, report: HealthReport) -> None:
        def value(c, spec):
            lat = c.latency_hour if spec[1] == "hour" else c.latency_day
            got = getattr(lat, spec[2])
            return 0.0 if got is None else got
        self.latency_bars = self._bars(self.latency_chart, report, LATENCY_SERIES, value)

    def _draw_failures(self, report: HealthReport) -> None:
        self.failure_bars = self._bars(self.failure_chart, report, FAILURE_SERIES,
                                       lambda c, spec: getattr(c, spec[1]))

    def _draw_reconciles(self, report: HealthReport) -> None:
        chart = self.reconcile_chart
        bars = self._bars(chart, report, (("Different",),),
                          lambda c, _s: c.last_reconcile.different if c.last_reconcile else 0)
        self.reconcile_bars = bars["Different"]
        self._reconcile_labels = []
        for i, c in enumerate(report.carts):
            r = c.last_reconcile
            words = ("never reconciled" if r is None else
                     f"{local_time(r.started_at, '%m-%d %H:%M')}\n{r.checked} checked"
                     + (" (error)" if r.error else ""))
            label = pg.TextItem(words, color="#202020", anchor=(0.5, 1.0))
            label.setPos(i, r.different if r else 0)
            chart.addItem(label)
            self._reconcile_labels.append(label)

    def latency_words(self) -> str:
        """The latency figures as text (the chart's numbers for a screen reader)."""
        if self.report is None:
            return ""
        return "; ".join(
            f"{c.name}: hour p50 {_secs(c.latency_hour.p50)} p99 {_secs(c.latency_hour.p99)}, "
            f"day p50 {_secs(c.latency_day.p50)} p99 {_secs(c.latency_day.p99)}"
            for c in self.report.carts)


def _secs(value: float | None) -> str:
    return "-" if value is None else duration(value)
