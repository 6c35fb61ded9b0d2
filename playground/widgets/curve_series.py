"""What the live curves hold: growable (step, value) series that keep a min/max envelope of
themselves up to date, and TensorBoard's smoothing, both at a cost that does not grow with the run.

A redraw hands pyqtgraph a series' envelope (`Series.view`) rather than every step: about two
points per pixel however long the run, so a redraw costs the same after a million steps as after a
thousand (handing over every step, and letting pyqtgraph downsample them, cost 19 ms a redraw at
400,000 steps, all of it time the training thread waits for the GIL).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

ENVELOPE_POINTS = 4096  # the most points a view has unless told: 2 per pixel, 2048 pixels wide


def peaks(x: np.ndarray, y: np.ndarray, group: int) -> tuple[np.ndarray, np.ndarray]:
    """Every `group` consecutive points (the last group may be shorter) -> the group's smallest
    and largest value at their own x, in the order they came: a curve through them covers every
    value and is never more than a group's width from where a value was."""
    n = len(y)
    if group <= 1 or n == 0:
        return x, y
    count = -(-n // group)
    pad = count * group - n
    ys = np.concatenate([y, np.full(pad, np.nan)]) if pad else y
    ys = ys.reshape(count, group)
    nan = np.isnan(ys)  # NaN is neither the smallest nor the largest, unless all are
    low = np.where(nan, np.inf, ys).argmin(axis=1)
    high = np.where(nan, -np.inf, ys).argmax(axis=1)
    start = np.arange(count) * group
    first, second = start + np.minimum(low, high), start + np.maximum(low, high)
    at = np.empty(2 * count, dtype=np.int64)
    at[0::2], at[1::2] = first, np.minimum(second, n - 1)
    return x[at], y[at]


class Series:
    """A growable (x, y) series of float64, and its envelope.

    The envelope cuts the series into buckets of `bucket` consecutive points (a power of two) and
    keeps each bucket's smallest and largest value (`peaks`), at most `max_points` points in all.
    With `bucket` 1 the envelope is the series itself. It is brought up to date by `view`, bucket
    by bucket: a cost per new point, plus one pass over the series whenever the buckets double or
    the view asks for another number of points (the plot was resized).
    """

    def __init__(self) -> None:
        self.x = np.empty(1024)
        self.y = np.empty(1024)
        self.n = 0
        self._clear_envelope()

    def _clear_envelope(self, max_points: int = ENVELOPE_POINTS) -> None:
        self.max_points = max_points
        self.bucket = 1
        self._ex = np.empty(max_points)
        self._ey = np.empty(max_points)
        self._points = 0  # envelope points of full buckets
        self._covered = 0  # series points in full buckets

    def append(self, x: float, y: float) -> None:
        self.extend((x,), (y,))

    def extend(self, x: Sequence[float], y: Sequence[float]) -> None:
        k = len(x)
        if self.n + k > self.x.size:
            size = max(self.n * 2, self.n + k)
            self.x = np.resize(self.x, size)
            self.y = np.resize(self.y, size)
        self.x[self.n : self.n + k] = x
        self.y[self.n : self.n + k] = y
        self.n += k

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """Every point (views of the growable arrays: later points are written past `n`, so a
        view stays valid until the series is cleared or grows its arrays)."""
        return self.x[: self.n], self.y[: self.n]

    def clear(self) -> None:
        self.n = 0
        self._clear_envelope()

    def view(
        self, max_points: int | None = None, x_range: tuple[float, float] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """At most `max_points` (+ 1) points that look like the series drawn `max_points` / 2
        pixels wide: its envelope, ending at the newest value; or with `x_range` the points in
        that range and one either side, reduced the same way if there are too many.
        `max_points` None: as many as the last call's (at first ENVELOPE_POINTS)."""
        max_points = self.max_points if max_points is None else max(int(max_points), 4)
        if x_range is not None:
            x, y = self.data()
            lo = max(int(np.searchsorted(x, x_range[0])) - 1, 0)
            hi = min(int(np.searchsorted(x, x_range[1], side="right")) + 1, self.n)
            x, y = x[lo:hi], y[lo:hi]
            if len(x) > max_points:
                x, y = peaks(x, y, -(-2 * len(x) // max_points))
            return x, y
        if max_points != self.max_points:  # another width: buckets anew, from the series
            self._clear_envelope(max_points)
        x, y = self._envelope()
        if self.n and x[-1] != self.x[self.n - 1]:
            x, y = np.append(x, self.x[self.n - 1]), np.append(y, self.y[self.n - 1])
        return x, y

    def _envelope(self) -> tuple[np.ndarray, np.ndarray]:
        if self.bucket == 1 and self.n <= self.max_points:
            return self.data()
        bucket = self.bucket
        while 2 * -(-self.n // bucket) > self.max_points:  # too many buckets: wider ones
            bucket *= 2
        if bucket != self.bucket:  # built anew, from the series
            self.bucket, self._points, self._covered = bucket, 0, 0
        full = (self.n - self._covered) // self.bucket * self.bucket
        if full:
            stop = self._covered + full
            px, py = peaks(self.x[self._covered : stop], self.y[self._covered : stop], self.bucket)
            end = self._points + len(px)
            self._ex[self._points : end], self._ey[self._points : end] = px, py
            self._points, self._covered = end, stop
        x, y = self._ex[: self._points], self._ey[: self._points]
        if self._covered < self.n:  # the bucket being filled: not kept, it changes
            part = slice(self._covered, self.n)
            px, py = peaks(self.x[part], self.y[part], self.n - self._covered)
            x, y = np.concatenate([x, px]), np.concatenate([y, py])
        return x, y


class Smoother:
    """TensorBoard's debiased exponential moving average, fed a batch at a time (`push`): only
    new values cost anything. Non-finite values are passed through and leave the average as it
    was."""

    def __init__(self, weight: float) -> None:
        if not 0.0 <= weight < 1.0:
            raise ValueError(f"smoothing weight must be in [0, 1), not {weight!r}")
        self.weight = weight
        self.last, self.norm = 0.0, 0.0

    def push(self, values: np.ndarray) -> np.ndarray:
        """The smoothed values of `values`, which follow the ones pushed before."""
        values = np.asarray(values, dtype=np.float64)
        if self.weight <= 0:
            return values.copy()
        out = values.copy()
        finite = np.isfinite(values)
        v = values[finite]
        # blocks short enough that weight**-k stays far from overflowing (see _block)
        block = max(1, int(50 / -math.log10(self.weight)))
        smoothed = [self._block(v[i : i + block]) for i in range(0, len(v), block)]
        if smoothed:
            out[finite] = np.concatenate(smoothed)
        return out

    def _block(self, v: np.ndarray) -> np.ndarray:
        """last_k = w^k last_0 + (1 - w) sum_j w^(k-j) v_j, and norm_k = w^k norm_0 + 1 - w^k, for
        every k of the block at once: w^(k-j) = w^k w^-j, so the sum is a cumulative sum."""
        w = self.weight
        k = np.arange(1, len(v) + 1)
        wk = w**k
        # in units of a power of two at least as large as every value (exact), so that values
        # near float64's largest times w^-k (at most 1e50) cannot overflow
        e = int(np.frexp(max(float(np.abs(v).max()), abs(self.last), 1.0))[1])
        scaled = wk * (np.ldexp(self.last, -e) + (1 - w) * np.cumsum(np.ldexp(v, -e) * w**-k))
        last = np.ldexp(scaled, e)
        norm = wk * self.norm + (1 - wk)
        self.last, self.norm = float(last[-1]), float(norm[-1])
        return last / norm


def smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's debiased exponential moving average (NaN entries are carried over)."""
    return Smoother(weight).push(values)
