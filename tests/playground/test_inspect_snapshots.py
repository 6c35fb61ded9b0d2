"""core.inspect: summaries, 2-D slices and sampled statistics of real core tensors."""

import numpy as np
import pytest

import core
from core import inspect as ci


def test_summary_of_a_graph_result():
    x = core.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    s = ci.summarize(out)
    assert s.shape == () and s.requires_grad and not s.is_leaf
    assert s.grad_fn == "MeanBackward0"
    assert s.dtype == "torch.float32" and s.device == "cpu"
    leaf = ci.summarize(x)
    assert leaf.is_leaf and leaf.grad_fn is None and leaf.stride == (2, 1) and leaf.contiguous
    assert leaf.nbytes == 16 and leaf.numel == 4


def test_slice_2d_reads_only_the_region():
    t = core.arange(2 * 3 * 4).reshape(2, 3, 4)
    region = ci.slice_2d(t, axes=(1, 2), index=(1, 0, 0), rows=slice(1, 3), cols=slice(0, 2))
    np.testing.assert_array_equal(region, np.arange(24).reshape(2, 3, 4)[1, 1:3, 0:2])
    swapped = ci.slice_2d(t, axes=(2, 0), index=(0, 2, 0))
    np.testing.assert_array_equal(swapped, np.arange(24).reshape(2, 3, 4)[:, 2, :].T)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: core.tensor(3.5), (1, 1)),  # 0-d: one cell
        (lambda: core.arange(5), (5, 1)),  # 1-d: one column
        (lambda: core.zeros(0, 3), (0, 3)),  # empty
        (lambda: core.ones(1, 2, 1, 2, 4, 3), (4, 3)),  # 6-d: the last two axes
    ],
)
def test_slice_shapes(make, shape):
    t = make()
    assert ci.slice_2d(t).shape == shape


def test_slice_of_grad_is_none_until_backward():
    x = core.ones(3, requires_grad=True)
    assert ci.slice_2d(x, grad=True) is None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(ci.slice_2d(x, grad=True).ravel(), [2, 2, 2])


def test_stats_count_nan_and_inf_and_skip_them():
    t = core.tensor([1.0, float("nan"), float("inf"), 3.0])
    s = ci.tensor_stats(t)
    assert (s.nan, s.inf, s.min, s.max, s.mean) == (1, 1, 1.0, 3.0, 2.0)
    assert not s.sampled


def test_stats_of_a_huge_tensor_use_a_sample():
    t = core.zeros(2000, 1000)
    s = ci.tensor_stats(t, limit=10_000)
    assert s.sampled and s.count == ci.SAMPLE_SIZE and s.numel == 2_000_000


def test_stats_of_bool_int_and_empty():
    assert ci.tensor_stats(core.tensor([True, False, True])).mean == pytest.approx(2 / 3)
    assert ci.tensor_stats(core.tensor([1, 2, 3])).max == 3
    empty = ci.tensor_stats(core.zeros(0))
    assert empty.numel == 0 and np.isnan(empty.mean)


def test_numpy_arrays_are_accepted_too():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    assert ci.summarize(a).dtype == "numpy.float64"
    np.testing.assert_array_equal(ci.slice_2d(a), a)


def test_format_bytes():
    assert ci.format_bytes(16) == "16 B"
    assert ci.format_bytes(1536) == "1.5 KiB"
    assert ci.format_bytes(64 * 2**20) == "64.0 MiB"
