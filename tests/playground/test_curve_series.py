"""The live curves' data: envelopes that stay small however long the run, and the smoothing."""

from __future__ import annotations

import numpy as np
import pytest

from playground.widgets.curve_series import ENVELOPE_POINTS, Series, Smoother, peaks


def smoothed_one_by_one(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's loop, the reference."""
    last = norm = 0.0
    out = []
    for v in values.tolist():
        if not np.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        norm = norm * weight + (1 - weight)
        out.append(last / norm)
    return np.array(out)


@pytest.mark.parametrize("weight", [0.01, 0.6, 0.9, 0.99])
def test_smoothing_in_batches_equals_the_loop(weight):
    rng = np.random.default_rng(0)
    values = rng.normal(5.0, 10.0, size=20_000)
    values[rng.random(values.size) < 0.01] = np.nan
    values[7] = np.inf
    smoother = Smoother(weight)
    pushed = np.concatenate([smoother.push(b) for b in np.array_split(values, 37)])
    expected = smoothed_one_by_one(values, weight)
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(np.isfinite(pushed), finite)
    np.testing.assert_allclose(pushed[finite], expected[finite], rtol=1e-12, atol=1e-12)


def test_smoothing_values_near_the_largest_float_does_not_overflow():
    with np.errstate(all="raise"):
        out = Smoother(0.6).push(np.array([-1.7e308, 1.7e308, 1.0]))
    np.testing.assert_allclose(out, smoothed_one_by_one(np.array([-1.7e308, 1.7e308, 1.0]), 0.6))


def test_peaks_keep_each_groups_extremes_in_order_at_their_own_steps():
    x = np.arange(7.0)
    y = np.array([3.0, 1.0, 2.0, 9.0, np.nan, 4.0, np.nan])
    px, py = peaks(x, y, 3)
    assert px.tolist() == [0.0, 1.0, 3.0, 5.0, 6.0, 6.0]
    np.testing.assert_array_equal(py, [3.0, 1.0, 9.0, 4.0, np.nan, np.nan])  # all NaN: a gap


def test_the_envelope_stays_small_and_covers_every_value_as_the_series_grows():
    rng = np.random.default_rng(1)
    x, y = np.arange(200_000.0), rng.normal(size=200_000)
    y[90_000:90_500] = np.nan
    series = Series()
    for chunk in np.array_split(np.arange(x.size), 401):
        series.extend(x[chunk], y[chunk])
        ex, ey = series.view()
        assert len(ex) <= ENVELOPE_POINTS + 1 and np.all(np.diff(ex) >= 0)
        seen = y[: chunk[-1] + 1]
        assert (np.nanmin(ey), np.nanmax(ey)) == (np.nanmin(seen), np.nanmax(seen))
        assert ex[-1] == chunk[-1]  # the newest value ends the curve
        np.testing.assert_array_equal(ey[-1], y[chunk[-1]])
        covered = (series.n // series.bucket) * series.bucket  # full buckets, then the rest
        px, py = peaks(x[:covered], y[:covered], series.bucket)
        rx, ry = peaks(x[covered : series.n], y[covered : series.n], series.n - covered)
        want_x = np.concatenate([px, rx])
        if want_x[-1] != chunk[-1]:  # the newest step, when no extreme is
            want_x = np.append(want_x, chunk[-1])
        np.testing.assert_array_equal(ex, want_x)  # exactly one pass of `peaks`, however grown
    assert np.isnan(ey).any()  # buckets of nothing but NaN stay gaps
    vx, vy = series.view(600)
    assert len(vx) <= 601 and (np.nanmin(vy), np.nanmax(vy)) == (np.nanmin(y), np.nanmax(y))


def test_a_short_series_is_drawn_point_for_point():
    series = Series()
    series.extend([1.0, 2.0, 3.0], [0.5, 0.25, 0.125])
    x, y = series.view()
    assert x.tolist() == [1.0, 2.0, 3.0] and y.tolist() == [0.5, 0.25, 0.125]
    series.clear()
    assert len(series.view()[0]) == 0


def test_a_range_of_steps_is_every_point_in_it_and_one_either_side():
    series = Series()
    series.extend(np.arange(100_000.0), np.sin(np.arange(100_000.0)))
    x, _ = series.view(4000, (1000.0, 1100.5))
    assert x.tolist() == list(np.arange(999.0, 1102.0))
    x, y = series.view(400, (0.0, 50_000.0))  # too many to draw: reduced the same way
    assert len(x) <= 400 and x[-1] <= 50_001 and y.max() == pytest.approx(1.0, abs=1e-6)


def test_another_width_buckets_the_series_anew():
    series = Series()
    series.extend(np.arange(50_000.0), np.cos(np.arange(50_000.0)))
    assert len(series.view(400)[0]) <= 401
    x, y = series.view(3000)
    values = np.cos(np.arange(50_000.0))
    assert 1500 < len(x) <= 3001 and (y.min(), y.max()) == (values.min(), values.max())
    assert len(series.view()[0]) == len(x)  # None: as many as the last time


@pytest.mark.parametrize("weight", [-0.1, 1.0, 1.5])
def test_a_smoothing_weight_outside_0_to_1_is_refused(weight):
    with pytest.raises(ValueError, match="smoothing weight"):
        Smoother(weight)
