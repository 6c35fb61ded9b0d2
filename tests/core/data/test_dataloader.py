"""DataLoader: batching, shuffling with a generator, drop_last, collation, errors (vs PyTorch)."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from core.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    get_worker_info,
)

Point = collections.namedtuple("Point", ["x", "y"])


def _xy(lib, n: int = 10):
    x = lib.tensor(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    y = lib.tensor(np.arange(n) % 3)
    return lib.utils.data.TensorDataset(x, y)


def _as_np(batch):
    if isinstance(batch, (list, tuple)):
        return [_as_np(b) for b in batch]
    if isinstance(batch, dict):
        return {k: _as_np(v) for k, v in batch.items()}
    if hasattr(batch, "numpy"):
        return (str(batch.dtype), batch.detach().numpy().tolist())
    return batch


@pytest.mark.parametrize(
    "batch_size,drop_last",
    [(1, False), (3, False), (3, True), (4, True), (10, False), (16, False), (16, True)],
)
def test_sequential_batches_match_torch(batch_size: int, drop_last: bool) -> None:
    torch = pytest.importorskip("torch")
    ours = DataLoader(_xy(core), batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(_xy(torch), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert [_as_np(b) for b in ours] == [_as_np(b) for b in theirs]


def test_batches_by_hand() -> None:
    loader = DataLoader(_xy(core), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [b[0].shape[0] for b in batches] == [4, 4, 2]
    assert isinstance(batches[0], list) and len(batches[0]) == 2
    assert batches[0][0].dtype == core.float32 and batches[0][1].dtype == core.int64
    assert batches[2][0].tolist() == [[24.0, 25.0, 26.0], [27.0, 28.0, 29.0]]
    dropped = DataLoader(_xy(core), batch_size=4, drop_last=True)
    assert len(dropped) == 2 and len(list(dropped)) == 2


def test_shuffle_is_deterministic_given_the_generator() -> None:
    def epochs(seed: int, n: int = 3):
        loader = DataLoader(
            _xy(core, 20), batch_size=6, shuffle=True, generator=core.Generator().manual_seed(seed)
        )
        return [[b[1].tolist() for b in loader] for _ in range(n)], [
            np.concatenate([b[0][:, 0].numpy() for b in loader]) for _ in range(n)
        ]

    (ys1, xs1), (ys2, xs2) = epochs(7), epochs(7)
    assert ys1 == ys2
    for a, b in zip(xs1, xs2):
        assert np.array_equal(a, b)
    # every epoch is a permutation, and epochs differ from each other
    for firsts in xs1:
        assert sorted((firsts / 3).astype(int).tolist()) == list(range(20))
    assert not np.array_equal(xs1[0], xs1[1])
    assert not np.array_equal(epochs(8)[1][0], xs1[0])


def test_shuffle_without_generator_follows_manual_seed() -> None:
    core.manual_seed(11)
    a = [b[0].tolist() for b in DataLoader(_xy(core), batch_size=3, shuffle=True)]
    core.manual_seed(11)
    b = [b[0].tolist() for b in DataLoader(_xy(core), batch_size=3, shuffle=True)]
    assert a == b


def test_fast_tensor_path_equals_per_sample_collation() -> None:
    ds = _xy(core, 17)
    for dataset in (ds, Subset(ds, [16, 3, 5, 0, 8, 2, 9])):
        fast = DataLoader(
            dataset, batch_size=4, shuffle=True, generator=core.Generator().manual_seed(1)
        )
        slow = DataLoader(
            dataset,
            batch_size=4,
            shuffle=True,
            collate_fn=lambda b: default_collate(b),
            generator=core.Generator().manual_seed(1),
        )
        for _ in range(2):
            assert [_as_np(b) for b in fast] == [_as_np(b) for b in slow]


def test_dataset_requiring_grad_stacks_with_history() -> None:
    x = core.ones(4, 2, requires_grad=True)
    (batch,) = next(iter(DataLoader(TensorDataset(x), batch_size=2)))
    assert batch.requires_grad and batch.grad_fn is not None


class Records(Dataset):
    """Samples of every kind default_collate handles."""

    def __len__(self) -> int:
        return 5

    def __getitem__(self, i: int):
        return {
            "int": i,
            "float": i / 2,
            "bool": i % 2 == 0,
            "str": f"s{i}",
            "np": np.full((2,), i, dtype=np.float32),
            "np_int": np.arange(3, dtype=np.int32) + i,
            "np_scalar": np.float64(i) * 1.5,
            "pair": (i, [i + 0.5, i]),
            "point": Point(i, -i),
            "nested": {"a": [np.int64(i)]},
        }


def test_collation_matches_torch() -> None:
    torch = pytest.importorskip("torch")

    class TorchRecords(torch.utils.data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return Records()[i]

    ours = list(DataLoader(Records(), batch_size=2))
    theirs = list(torch.utils.data.DataLoader(TorchRecords(), batch_size=2))
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs):
        assert list(a) == list(b)
        assert isinstance(a["point"], Point) and isinstance(a["pair"], list)
        assert _as_np(a) == _as_np(b)


def test_collate_tensors_numbers_and_errors() -> None:
    out = default_collate([core.ones(2), core.zeros(2)])
    assert out.tolist() == [[1.0, 1.0], [0.0, 0.0]]
    assert default_collate([1, 2]).dtype == core.int64
    assert default_collate([1.0, 2.0]).dtype == core.float64
    assert default_collate([True, False]).dtype == core.bool
    assert default_collate(["a", "b"]) == ["a", "b"]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(
        TypeError,
        match="default_collate: batch must contain tensors, numpy arrays, "
        "numbers, dicts or lists; found <class 'object'>",
    ):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_batch_size_none_converts_samples() -> None:
    class Arrays(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.arange(2) + i, "label"

    items = list(DataLoader(Arrays(), batch_size=None))
    assert len(items) == 3 and items[1][0].tolist() == [1, 2] and items[1][1] == "label"


def test_custom_samplers_and_collate_fn() -> None:
    ds = _xy(core)
    by_sampler = DataLoader(ds, batch_size=2, sampler=[9, 0, 4])
    assert [b[1].tolist() for b in by_sampler] == [[0, 0], [1]]
    by_batches = DataLoader(ds, batch_sampler=[[1, 2, 3], [7]])
    assert [b[1].tolist() for b in by_batches] == [[1, 2, 0], [1]] and len(by_batches) == 2
    bs = BatchSampler(SequentialSampler(ds), 4, drop_last=False)
    assert len(DataLoader(ds, batch_sampler=bs)) == 3
    loader = DataLoader(ds, batch_size=5, collate_fn=lambda samples: len(samples))
    assert list(loader) == [5, 5]


def test_workers_are_accepted_and_ignored() -> None:
    ds = _xy(core)
    a = [
        b[0].tolist()
        for b in DataLoader(
            ds,
            batch_size=3,
            num_workers=4,
            pin_memory=True,
            persistent_workers=True,
            prefetch_factor=2,
        )
    ]
    b = [b[0].tolist() for b in DataLoader(ds, batch_size=3)]
    assert a == b and get_worker_info() is None


def test_iterable_dataset() -> None:
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(DataLoader(Stream(), batch_size=3)) == 3
    assert len(DataLoader(Stream(), batch_size=3, drop_last=True)) == 2
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == [
        [0, 1, 2],
        [3, 4, 5],
    ]


def test_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    cases = [
        {"sampler": [0, 1], "shuffle": True},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_size": None, "drop_last": True},
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"batch_size": 0},
    ]
    for kwargs in cases:
        got = []
        for lib in (core, torch):
            with pytest.raises(ValueError) as info:
                lib.utils.data.DataLoader(_xy(lib), **kwargs)
            got.append(str(info.value))
        assert got[0] == got[1], kwargs
    for lib in (core, torch):
        loader = lib.utils.data.DataLoader(_xy(lib))
        with pytest.raises(
            ValueError,
            match="batch_size attribute should not be set after DataLoader is initialized",
        ):
            loader.batch_size = 3


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    batch_size=st.integers(1, 12),
    drop_last=st.booleans(),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_batches_partition_the_dataset(n, batch_size, drop_last, shuffle, seed) -> None:
    loader = DataLoader(
        _xy(core, n),
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        generator=core.Generator().manual_seed(seed),
    )
    batches = [b[0][:, 0].numpy() / 3 for b in loader]
    assert len(batches) == len(loader) == (n // batch_size if drop_last else -(-n // batch_size))
    assert all(len(b) == batch_size for b in batches[:-1])
    seen = np.concatenate(batches).astype(int).tolist() if batches else []
    assert len(set(seen)) == len(seen) and set(seen) <= set(range(n))
    if not drop_last:
        assert sorted(seen) == list(range(n))
        assert seen == sorted(seen) or shuffle
