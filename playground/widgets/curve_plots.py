"""Live training curves: loss (train and validation), accuracy and learning rate, x-linked.

The history lives in growable arrays (`curve_series`); `redraw()` pushes about two points per
pixel of them to pyqtgraph: their envelopes while the step axis follows the run, the steps in view
once the user zooms in (the panel calls it at most ~30 times a second). Smoothing is
TensorBoard's exponential moving average, drawn over a faint copy of the raw curve; where the
learning rate was changed mid-run, every plot gets a dashed vertical marker.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer

from playground.frame_budget import FrameBudget, TimedPaint
from playground.widgets.curve_series import Series, Smoother
from playground.widgets.plot_style import PALETTE, apply_plot_theme

DOWNSAMPLE_FACTOR = 2.0  # peak samples per pixel pyqtgraph draws of a long validation curve
NICE_STEPS = (1, 2, 5)  # the step axis ends at 10, 20, 50, 100, ... as the run goes on


def _nice_at_least(value: float) -> float:
    """The first of 1, 2, 5, 10, 20, 50, ... times a power of ten at or above `value` (> 0)."""
    scale = 10.0 ** np.floor(np.log10(value))
    return float(next(nice * scale for nice in (*NICE_STEPS, 10) if nice * scale >= value))


def step_axis_end(last_step: float) -> float:
    """The end of the step axis for a curve that reached `last_step`: the first of 10, 20, 50,
    100, 200, ... at or past 1.1 x `last_step`, so the axis moves about once per doubling."""
    return _nice_at_least(max(float(last_step) * 1.1, 10.0))


def nice_value_range(lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] widened outwards to a multiple of a 1-2-5 step of about a fifth of its span;
    a range of values >= 0 does not reach below zero."""
    low, high = lo, hi
    if not hi - lo > 0:  # one value (or none): a band around it
        half = abs(hi) / 2 or 0.5
        low, high = lo - half, hi + half
    with np.errstate(all="ignore"):  # near 1e308 the ends overflow: the caller checks
        step = _nice_at_least((high - low) / 5)
        nice_lo, nice_hi = np.floor(low / step) * step, np.ceil(high / step) * step
    if lo >= 0 > nice_lo:
        nice_lo = 0.0
    return float(nice_lo) + 0.0, float(nice_hi) + 0.0  # + 0.0: no -0.0 on the axis


SERIES = ("train_loss", "val_loss", "train_acc", "val_acc", "lr")
SMOOTHED = ("train_loss", "train_acc")  # drawn smoothed over a faint copy of the raw curve


class CurvePlots(TimedPaint, pg.GraphicsLayoutWidget):
    """Loss, accuracy and learning-rate plots stacked, sharing their step axis."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("curvePlots")
        self.budget = FrameBudget()  # what painting these plots costs (see frame_budget)
        self.series = {key: Series() for key in SERIES}
        self.lr_marks: list[tuple[float, str]] = []
        self.smoothing = 0.6
        self.smoothed = {key: Series() for key in SMOOTHED}  # the smoothers' output so far
        self.smoothers = {key: Smoother(self.smoothing) for key in SMOOTHED}
        self.loss = self._plot(0, "loss")
        self.acc = self._plot(1, "accuracy")
        self.lr = self._plot(2, "learning rate")
        self.acc.setXLink(self.loss)
        self.lr.setXLink(self.loss)
        self.acc.setYRange(0, 1.0, padding=0.02)
        self.loss.addLegend(offset=(-8, 4), labelTextSize="8pt", colCount=2)
        self.acc.addLegend(offset=(-8, -4), labelTextSize="8pt", colCount=2)
        self.curves = {
            "train_loss_raw": self._curve(self.loss, PALETTE["train"], raw=True),
            "train_loss": self._curve(self.loss, PALETTE["train"], name="train"),
            "val_loss": self._curve(self.loss, PALETTE["val"], name="validation", symbol=True),
            "train_acc_raw": self._curve(self.acc, PALETTE["train"], raw=True),
            "train_acc": self._curve(self.acc, PALETTE["train"], name="train"),
            "val_acc": self._curve(self.acc, PALETTE["val"], name="validation", symbol=True),
            "lr": self._curve(self.lr, PALETTE["lr"]),
        }
        self.lines: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self._drawn: dict[str, int] = {}
        self._drawn_zoomed = False  # whether the curves drawn are the steps in a zoomed view
        self._drawn_points = 0  # the most points per curve the last redraw drew (its width)
        self._switching_scale = False
        self._shown: dict[str, np.ndarray] = {}  # the values drawn of each curve, before log10
        self._lr_top = 0.0
        # The step axis follows the run in jumps (`step_axis_end`) rather than pyqtgraph's
        # auto-range: a range that moves every frame re-lays out the three linked axes and
        # re-clips every curve, the largest part of a redraw. Zooming by hand stops the
        # following; the plot's auto-range button ("A") resumes it.
        self._x_end = 0.0
        self._x_fitted = -1.0  # the last step when a run that ended filled the axis (fit_steps)
        self._x_follow = True
        # The loss axis likewise keeps a nice range until the curves leave it or fill under half
        # of it: an auto-ranged loss axis, whose bottom falls with every step, regenerated its
        # ticks and labels in every redraw (a fifth of the UI thread's time while training).
        self._y_range: tuple[float, float] | None = None
        self._y_follow = True
        view = self.loss.getViewBox()
        view.enableAutoRange(x=False, y=False)
        view.sigRangeChangedManually.connect(self._loss_zoomed_by_hand)
        for plot in (self.acc, self.lr):
            # their steps are the loss plot's (linked); auto-ranged, a redraw of theirs would
            # move every plot's step axis off where `_follow_axes` put it
            plot.getViewBox().enableAutoRange(x=False)
            plot.getViewBox().sigRangeChangedManually.connect(self._zoomed_by_hand)
        # a zoom, a pan or a new width asks for other points: drawn once the events settle
        self._detail_timer = QTimer(self, singleShot=True, interval=0)
        self._detail_timer.timeout.connect(lambda: self.redraw(force=True))
        view.sigXRangeChanged.connect(self._steps_shown_changed)
        view.sigResized.connect(self._resized)
        self.set_accuracy_visible(True)

    def _plot(self, row: int, title: str) -> pg.PlotItem:
        plot = self.addPlot(row=row, col=0)
        plot.setLabel("left", title)
        # no grid: pyqtgraph's grid lines cost two thirds of a repaint, 30 times a second
        plot.setMenuEnabled(False)
        plot.setClipToView(True)  # for the PlotDataItems (validation): `_curve`
        plot.setDownsampling(auto=True, mode="peak")
        plot.getViewBox().setMouseMode(pg.ViewBox.RectMode)
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.getAxis("left").setWidth(52)
        if row == 2:
            plot.setLabel("bottom", "step")
        return plot

    def _curve(
        self,
        plot: pg.PlotItem,
        colour: str,
        name: str | None = None,
        raw: bool = False,
        symbol: bool = False,
    ) -> pg.PlotCurveItem | pg.PlotDataItem:
        """A curve with a point per step is a bare PlotCurveItem fed the envelope (`redraw`):
        a PlotDataItem's own clipping, downsampling and bounds cost three times as much per
        update. The validation curves, a point per epoch with markers, stay PlotDataItems."""
        if symbol:
            item = plot.plot(
                pen=pg.mkPen(colour, width=2),
                name=name,
                symbol="o",
                symbolSize=5,
                symbolBrush=colour,
            )
            # pyqtgraph's default keeps ~5 peak samples per pixel; 2 look the same and paint
            # 3x faster (a paint holds the training thread back: see frame_budget)
            item.opts["autoDownsampleFactor"] = DOWNSAMPLE_FACTOR
            return item
        pen = pg.mkPen(colour, width=2)
        if raw:
            faint = pg.mkColor(colour)
            faint.setAlpha(60)
            pen = pg.mkPen(faint, width=1)
        item = pg.PlotCurveItem(pen=pen, name=name, connect="finite")  # NaN: a gap
        plot.addItem(item)
        return item

    # ---- data -------------------------------------------------------------------------------
    def clear_history(self) -> None:
        for s in self.series.values():
            s.clear()
        self._restart_smoothing()
        self.lr_marks.clear()
        for plot, line in self.lines:
            plot.removeItem(line)
        self.lines.clear()
        self._x_end, self._x_follow, self._x_fitted = 0.0, True, -1.0
        self._y_range, self._y_follow = None, True
        self.loss.getViewBox().enableAutoRange(x=False, y=False)
        self.redraw()

    def _zoomed_by_hand(self, mask: Sequence[bool]) -> None:
        if mask[0] and self._x_follow:
            self._x_follow = False
            self.redraw()  # the steps in view now, in the detail zooming in is for

    def _steps_shown_changed(self) -> None:
        following = self._x_follow and not any(self.loss.getViewBox().autoRangeEnabled())
        if not following and not self._switching_scale:  # zoomed, panned, or the "A" button
            self._detail_timer.start()

    def _resized(self) -> None:
        if self._points_wanted() != self._drawn_points:
            self._detail_timer.start()

    def _points_wanted(self) -> int:
        """About two points per pixel of the plots' width (and never fewer than 400)."""
        return 2 * max(int(self.loss.getViewBox().width()), 200)

    def _loss_zoomed_by_hand(self, mask: Sequence[bool]) -> None:
        self._zoomed_by_hand(mask)
        if mask[1]:
            self._y_follow = False

    def fit_steps(self) -> None:
        """A run that ended fills the step axis (unless the user zoomed)."""
        last = self._last_step()
        if self._x_follow and last > 0:
            self._x_end = self._x_fitted = last
            self.loss.setXRange(0.0, last, padding=0.02)

    def _last_step(self) -> float:
        return max((float(s.x[s.n - 1]) for s in self.series.values() if s.n), default=0.0)

    def _follow_again_if_asked(self) -> None:
        """The "A" button: following is this plot's auto-range (pyqtgraph's own would fit the
        curves, which hold only what was drawn of them)."""
        view = self.loss.getViewBox()
        if any(view.autoRangeEnabled()):
            view.enableAutoRange(x=False, y=False)
            self._x_follow, self._x_end, self._x_fitted = True, 0.0, -1.0
            self._y_follow, self._y_range = True, None

    def _follow_axes(self) -> None:
        """Move the loss axis (`_follow_loss`) and the step axis, when the curves are about to
        leave it (see `step_axis_end`). (`redraw` has seen to the "A" button already.)"""
        self._follow_loss()
        if not self._x_follow:
            return
        last = self._last_step()
        # about to reach the edge (or no axis yet: 0); an ended run fitted to the axis stays so
        # through a redraw for other reasons (log scale, smoothing) until new steps come
        if last >= self._x_end * 0.95 and last != self._x_fitted:
            self._x_end = step_axis_end(last)
            self.loss.setXRange(0.0, self._x_end, padding=0.02)

    def _loss_bounds(self) -> tuple[float, float] | None:
        """The smallest and largest finite loss drawn (log10 of the positive ones on a log axis)."""
        y = np.concatenate([self._extremes(k) for k in ("train_loss_raw", "val_loss")])
        if self.loss.getAxis("left").logMode:
            y = np.log10(y[y > 0])
        y = y[np.isfinite(y)]
        return (float(y.min()), float(y.max())) if y.size else None

    def _extremes(self, curve: str) -> np.ndarray:
        """Values of `curve`'s series with its smallest and largest: what was drawn of it while
        following the run (its envelope has every extreme), the envelope when zoomed in."""
        if self._drawn_zoomed or curve not in self._shown:
            return self.series[curve.removesuffix("_raw")].view()[1]
        return self._shown[curve]

    def _follow_loss(self) -> None:
        """Give the loss axis a new nice range when the curves leave it or fill under half of it."""
        bounds = self._loss_bounds() if self._y_follow else None
        if bounds is None:
            return
        lo, hi = bounds
        now = self._y_range
        if now is not None:
            slack = (now[1] - now[0]) * 1e-9  # a nice end rounded a hair inside the data
            inside = now[0] - slack <= lo and hi <= now[1] + slack
            if inside and (hi - lo >= 0.5 * (now[1] - now[0]) or hi == lo):
                return
        wanted = nice_value_range(lo, hi)
        if wanted != now and all(np.isfinite(wanted)):  # a loss near 1e308 has no finite range
            self._y_range = wanted
            self.loss.setYRange(*wanted, padding=0.02)

    def append(self, key: str, step: float, value: float | None) -> None:
        if value is not None:
            self.series[key].append(step, float(value))

    def extend(self, key: str, steps: Sequence[float], values: Sequence[float | None]) -> None:
        """Many points at once (None values are left out, as by `append`)."""
        if None in values:
            kept = [(s, v) for s, v in zip(steps, values) if v is not None]
            steps, values = [s for s, _ in kept], [v for _, v in kept]
        if len(steps):
            self.series[key].extend(steps, values)

    def mark_lr_change(self, step: float, text: str) -> None:
        """A dashed vertical line on every plot at `step`, labelled on the loss plot."""
        self.lr_marks.append((step, text))
        pen = pg.mkPen(PALETTE["mark"], width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
        for plot in (self.loss, self.acc, self.lr):
            label = text if plot is self.loss else None
            line = pg.InfiniteLine(
                pos=step,
                angle=90,
                pen=pen,
                label=label,
                labelOpts={"position": 0.92, "color": PALETTE["mark"], "anchors": [(0, 0), (0, 0)]},
            )
            plot.addItem(line, ignoreBounds=True)
            self.lines.append((plot, line))

    def set_smoothing(self, weight: float) -> None:
        self.smoothing = min(max(weight, 0.0), 0.99)
        self._restart_smoothing()
        self.redraw(force=True)

    def _restart_smoothing(self) -> None:
        for key in SMOOTHED:
            self.smoothed[key].clear()
            self.smoothers[key] = Smoother(self.smoothing)

    def _smooth_new_points(self, key: str) -> None:
        raw, out = self.series[key], self.smoothed[key]
        x, y = raw.data()
        out.extend(x[out.n :], self.smoothers[key].push(y[out.n :]))

    def set_log_scale(self, on: bool) -> None:
        view = self.loss.getViewBox()
        steps = view.viewRange()[0]
        self._switching_scale = True  # pyqtgraph's auto-range below is not the "A" button
        try:
            self.loss.setLogMode(y=on)  # pyqtgraph turns auto-range on here: not ours to keep
            view.enableAutoRange(x=False, y=False)  # (which auto-ranges once more, steps too)
            view.setXRange(*steps, padding=0)  # the steps shown are the same in either scale
        finally:
            self._switching_scale = False
        self._y_range, self._y_follow = None, True  # the axis is in other units: fit it anew
        self.redraw(force=True)  # the step curves take log10 in redraw's `draw`

    def set_accuracy_visible(self, on: bool) -> None:
        self.acc.setVisible(on)
        if on:
            self.redraw(force=True)

    def redraw(self, force: bool = False) -> None:
        """Push new data to the plots; series that did not grow since the last call are skipped
        (drawing is what competes with training for the GIL). Each curve gets about two points
        per pixel of its series (`Series.view`): while the step axis follows the run, its
        envelope, at a cost that does not grow with the run; once the user zooms or pans, the
        steps in view."""
        self._detail_timer.stop()
        self._follow_again_if_asked()
        c, s = self.curves, self.series
        x_range = None if self._x_follow else tuple(self.loss.getViewBox().viewRange()[0])
        max_points = self._points_wanted()
        force = force or x_range is not None or self._drawn_zoomed
        force = force or max_points != self._drawn_points
        self._drawn_zoomed, self._drawn_points = x_range is not None, max_points
        grown = {k for k in SERIES if force or s[k].n != self._drawn.get(k)}
        self._drawn = {k: s[k].n for k in SERIES}

        def draw(curve: str, series: Series) -> None:
            x, y = series.view(max_points, x_range)
            self._shown[curve] = y
            item = c[curve]
            if isinstance(item, pg.PlotCurveItem) and curve.startswith("train_loss"):
                if self.loss.getAxis("left").logMode:  # PlotDataItems do this themselves
                    with np.errstate(divide="ignore", invalid="ignore"):
                        y = np.log10(y)
            item.setData(x, y)

        for key in SMOOTHED:
            if key in grown and (key == "train_loss" or self.acc.isVisible()):
                self._smooth_new_points(key)
                draw(f"{key}_raw", s[key])
                draw(key, self.smoothed[key])
        few = s["val_loss"].n <= 60  # markers while they can be told apart
        for key in ("val_loss", "val_acc"):
            if key in grown:
                c[key].setSymbol("o" if few else None)
                draw(key, s[key])
        if "lr" in grown:
            draw("lr", s["lr"])
            y = self._extremes("lr")
            top = float(np.nanmax(y[np.isfinite(y)], initial=0.0)) * 1.15
            if top > 0 and top != self._lr_top:  # a flat lr would sit in an arbitrary ±0.5 band
                self._lr_top = top
                self.lr.setYRange(0.0, top, padding=0)
        if grown:
            self._follow_axes()
            # Settle the auto-ranges now: pyqtgraph does it lazily at the start of the paint, and
            # the range change then schedules a second, identical paint of every plot.
            self.scene().prepareForPaint()

    def set_theme(self, theme: str) -> None:
        apply_plot_theme(self, [self.loss, self.acc, self.lr], theme)

    # ---- export -----------------------------------------------------------------------------
    def csv_table(self) -> tuple[Sequence[str], list[list[float | str]]]:
        """One row per step seen in any series: step, then each series' value there (or '')."""
        steps = sorted({float(v) for key in SERIES for v in self.series[key].data()[0]})
        lookup = {k: dict(zip(*(a.tolist() for a in self.series[k].data()))) for k in SERIES}
        rows = [[st] + [lookup[k].get(st, "") for k in SERIES] for st in steps]
        return ("step", *SERIES), rows
