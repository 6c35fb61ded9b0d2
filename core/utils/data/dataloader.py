"""DataLoader and default collation, as PyTorch's, in a single process.

``num_workers``, ``pin_memory``, ``timeout``, ``worker_init_fn``, ``prefetch_factor`` and
``persistent_workers`` are accepted (and validated as PyTorch does) but loading always happens in
the calling thread: the datasets here are small in-memory arrays, and worker processes would only
add start-up time. ``get_worker_info()`` is therefore always None.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import numpy as np

from core.random import Generator
from core.tensor import Tensor
from core.utils.data.dataset import Dataset, IterableDataset, Subset, TensorDataset
from core.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

T_co = TypeVar("T_co", covariant=True)

_np_str_obj_array_pattern = re.compile(r"[SaUO]")
default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def get_worker_info() -> None:
    """Always None: loading runs in the main process (``num_workers`` is ignored)."""
    return None


def _as_tensor(data: Any) -> Tensor:
    from core._creation import as_tensor

    return as_tensor(data)


def default_collate(batch: list[Any]) -> Any:
    """Merge a list of samples into a batch, recursively, as PyTorch does.

    Tensors are stacked along a new first dimension; numpy arrays become tensors and are stacked;
    Python floats become a float64 tensor, ints an int64 tensor (bools a bool tensor); strings
    stay a list; dicts, namedtuples and sequences are collated field by field (tuples come back as
    lists, as in PyTorch).
    """
    from core._creation import tensor
    from core._shape_fns import stack

    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    elem_type = type(elem)
    if isinstance(elem, np.ndarray):
        if _np_str_obj_array_pattern.search(elem.dtype.str) is not None:
            raise TypeError(default_collate_err_msg_format.format(elem.dtype))
        return default_collate([_as_tensor(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number, np.object_)):
        return _as_tensor(np.asarray(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=_float64())
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(collated)
                return clone
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [list(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return [default_collate(s) for s in transposed]  # a list, as PyTorch returns
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = default_collate(samples)
                return clone
            return elem_type([default_collate(s) for s in transposed])
        except TypeError:
            return [default_collate(s) for s in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _float64() -> Any:
    from core import dtypes

    return dtypes.float64


def default_convert(data: Any) -> Any:
    """Without batching (``batch_size=None``): numpy arrays and scalars become tensors."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if isinstance(data, np.ndarray) and _np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return _as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


class DataLoader(Generic[T_co]):
    """Iterate a dataset in batches: ``batch_size``, ``shuffle`` (seeded by ``generator``),
    ``drop_last``, a custom ``sampler`` or ``batch_sampler``, and ``collate_fn``.

    Each pass with ``shuffle=True`` draws a new permutation from ``generator``; a generator seeded
    the same way gives the same epochs. Loading is single-process (see the module note).
    """

    __initialized = False

    def __init__(
        self,
        dataset: Dataset[T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler[list] | Iterable[list] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers  # accepted, ignored: loading is single-process
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in {False, None}:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, but "
                    f"got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, but "
                    f"got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                    f"but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None and not self._iterable:
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle  # type: ignore[arg-type]
                else SequentialSampler(dataset)
            )  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # type: ignore[arg-type]

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True

    def __setattr__(self, attr: str, val: Any) -> None:
        if self.__initialized and attr in (
            "batch_size",
            "batch_sampler",
            "sampler",
            "drop_last",
            "dataset",
            "persistent_workers",
        ):
            raise ValueError(
                f"{attr} attribute should not be set after {self.__class__.__name__} is initialized"
            )
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            return _IterableIter(self)
        return _MapIter(self)

    def __len__(self) -> int:
        if self._iterable:
            length = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                length = (
                    length // self.batch_size if self.drop_last else -(-length // self.batch_size)
                )
            return length
        return len(self._index_sampler)


def _tensor_source(dataset: Any) -> tuple[tuple[Tensor, ...], Any] | None:
    """The tensors of a TensorDataset (or of a Subset of one) whose batches can be gathered by one
    fancy index instead of stacking samples: same values, far fewer Python calls."""
    indices = None
    if type(dataset) is Subset and type(dataset.dataset) is TensorDataset:
        indices = np.asarray(dataset.indices, dtype=np.int64)
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    if any(t.requires_grad for t in dataset.tensors):
        return None  # stacking would record StackBackward0; keep PyTorch's graph
    return dataset.tensors, indices


class _MapIter:
    """One pass over a map-style dataset (PyTorch's ``_SingleProcessDataLoaderIter``)."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._dataset = loader.dataset
        self._auto = loader._auto_collation
        self._collate = loader.collate_fn
        self._sampler_iter = iter(loader._index_sampler)
        self._num_yielded = 0
        self._fast = (
            _tensor_source(self._dataset)
            if self._auto and self._collate is default_collate
            else None
        )

    def __iter__(self) -> _MapIter:
        return self

    def __len__(self) -> int:
        return len(self._loader._index_sampler)

    def __next__(self) -> Any:
        index = next(self._sampler_iter)
        self._num_yielded += 1
        if self._fast is not None:
            tensors, subset = self._fast
            idx = np.asarray(index, dtype=np.int64)
            if subset is not None:
                idx = subset[idx]
            return [Tensor._wrap(t._data[t._xp().asarray(idx)]) for t in tensors]
        dataset = self._dataset
        if not self._auto:
            return self._collate(dataset[index])
        getitems = getattr(dataset, "__getitems__", None)
        data = getitems(index) if getitems else [dataset[i] for i in index]
        return self._collate(data)


class _IterableIter:
    """One pass over an IterableDataset, batched by ``batch_size``."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._it = iter(loader.dataset)

    def __iter__(self) -> _IterableIter:
        return self

    def __next__(self) -> Any:
        loader = self._loader
        if not loader._auto_collation:
            return loader.collate_fn(next(self._it))
        batch = []
        for item in self._it:
            batch.append(item)
            if len(batch) == loader.batch_size:
                break
        if not batch or (loader.drop_last and len(batch) < loader.batch_size):
            raise StopIteration
        return loader.collate_fn(batch)
