"""Datasets, random_split and samplers: behaviour, determinism, and PyTorch's errors and sizes."""

from __future__ import annotations

import warnings

import pytest

import core
from core.utils.data import (
    BatchSampler,
    ConcatDataset,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)


class Squares(Dataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, i: int) -> int:
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i

    def __len__(self) -> int:
        return self.n


def test_tensor_dataset() -> None:
    x, y = core.arange(12.0).reshape(6, 2), core.arange(6)
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    xi, yi = ds[4]
    assert xi.tolist() == [8.0, 9.0] and yi.item() == 4
    xs, ys = ds[1:3]
    assert xs.shape == (2, 2) and ys.tolist() == [1, 2]
    with pytest.raises(AssertionError, match="^Size mismatch between tensors$"):
        TensorDataset(x, core.arange(5))


def test_tensor_dataset_error_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(AssertionError) as theirs:
        torch.utils.data.TensorDataset(torch.zeros(3), torch.zeros(4))
    with pytest.raises(AssertionError) as ours:
        TensorDataset(core.zeros(3), core.zeros(4))
    assert str(ours.value) == str(theirs.value)


def test_subset_and_concat() -> None:
    sq = Squares(5)
    sub = Subset(sq, [4, 0, 2])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [16, 0, 4]
    assert sub.__getitems__([2, 0]) == [4, 16]
    cat = sq + Squares(3)
    assert isinstance(cat, ConcatDataset) and len(cat) == 8
    assert [cat[i] for i in range(8)] == [0, 1, 4, 9, 16, 0, 1, 4]
    assert cat[-1] == 4 and cat[-8] == 0 and cat.cumulative_sizes == [5, 8]
    with pytest.raises(
        ValueError, match="absolute value of index should not exceed dataset length"
    ):
        cat[-9]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]


def test_random_split_lengths_and_determinism() -> None:
    ds = Squares(10)
    a, b = random_split(ds, [7, 3], generator=core.Generator().manual_seed(1))
    assert (len(a), len(b)) == (7, 3)
    assert sorted(a.indices + b.indices) == list(range(10))
    again = random_split(ds, [7, 3], generator=core.Generator().manual_seed(1))
    assert again[0].indices == a.indices and again[1].indices == b.indices
    other = random_split(ds, [7, 3], generator=core.Generator().manual_seed(2))
    assert other[0].indices != a.indices
    core.manual_seed(5)
    d1 = random_split(ds, [5, 5])[0].indices
    core.manual_seed(5)
    assert random_split(ds, [5, 5])[0].indices == d1  # the default generator
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        random_split(ds, [5, 4])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(ds, [1.5, -0.5])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Squares(1), [0.5, 0.5])


@pytest.mark.parametrize("n", [1, 7, 10, 11, 97])
def test_random_split_fraction_sizes_match_torch(n: int) -> None:
    torch = pytest.importorskip("torch")
    for fracs in ([0.8, 0.2], [0.5, 0.5], [1 / 3, 1 / 3, 1 / 3], [0.1, 0.2, 0.3, 0.4], [1.0]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = [len(s) for s in random_split(Squares(n), fracs)]
            theirs = [len(s) for s in torch.utils.data.random_split(Squares(n), fracs)]
        assert ours == theirs, fracs


def test_samplers() -> None:
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    g = core.Generator().manual_seed(0)
    rs = RandomSampler(range(10), generator=g)
    e1, e2 = list(rs), list(rs)
    assert sorted(e1) == sorted(e2) == list(range(10)) and e1 != e2 and len(rs) == 10
    g2 = core.Generator().manual_seed(0)
    rs2 = RandomSampler(range(10), generator=g2)
    assert [list(rs2), list(rs2)] == [e1, e2]
    more = list(RandomSampler(range(4), num_samples=10, generator=g))
    assert len(more) == 10 and sorted(more[:4]) == [0, 1, 2, 3]
    repl = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=g))
    assert len(repl) == 50 and set(repl) <= {0, 1, 2}
    sub = list(SubsetRandomSampler([5, 7, 9], generator=g))
    assert sorted(sub) == [5, 7, 9]
    w = list(WeightedRandomSampler([0.0, 1.0, 0.0], 6, generator=g))
    assert w == [1] * 6
    core.manual_seed(3)
    first = list(RandomSampler(range(8)))
    core.manual_seed(3)
    assert list(RandomSampler(range(8))) == first


def test_batch_sampler_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for n, bs in ((10, 3), (9, 3), (2, 5), (0, 2)):
        for drop_last in (False, True):
            ours = BatchSampler(SequentialSampler(range(n)), bs, drop_last)
            theirs = torch.utils.data.BatchSampler(range(n), bs, drop_last)
            assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_sampler_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    cases = [
        ("BatchSampler", (range(3), 0, False)),
        ("BatchSampler", (range(3), True, False)),
        ("BatchSampler", (range(3), 2, 1)),
        ("RandomSampler", (range(3), 1)),
        ("RandomSampler", (range(3), False, 0)),
        ("RandomSampler", ([], False)),
        ("WeightedRandomSampler", ([1.0], 0)),
        ("WeightedRandomSampler", ([1.0], 2, 1)),
        ("WeightedRandomSampler", ([[1.0]], 2)),
    ]
    for name, args in cases:
        got = []
        for mod in (core.utils.data, torch.utils.data):
            with pytest.raises((ValueError, TypeError)) as info:
                getattr(mod, name)(*args)
            got.append((type(info.value), str(info.value)))
        assert got[0] == got[1], name
