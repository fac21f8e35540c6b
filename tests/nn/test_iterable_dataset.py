"""IterableDataset, ChainDataset and DataLoader over a stream (issue 12): batching and
drop_last in the main process, sharding per worker with get_worker_info, the order in which
batches come from the workers, persistent workers restarting the stream each epoch, PyTorch's
refusals, and the same batches as torch.utils.data."""

import faulthandler
import multiprocessing

import numpy as np
import pytest

import autograd_core as ag
from nn.data import (ChainDataset, ConcatDataset, DataLoader, IterableDataset,
                     get_worker_info)

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="worker tests use the fork start method")


@pytest.fixture(autouse=True)
def never_hang():
    faulthandler.dump_traceback_later(240, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _make_stream(base):
    class Stream(base):
        """0..n-1, split into contiguous shards, one per worker (PyTorch's documented way)."""

        def __init__(self, n, label=0):
            self.n, self.label = n, label

        def __iter__(self):
            info = get_worker_info_for(base)
            if info is None:
                lo, hi = 0, self.n
            else:
                per = -(-self.n // info.num_workers)
                lo, hi = info.id * per, min(self.n, (info.id + 1) * per)
            return iter([(float(i), self.label) for i in range(lo, hi)])

        def __len__(self):
            return self.n

    return Stream


def get_worker_info_for(base):
    if base is IterableDataset:
        return get_worker_info()
    import torch.utils.data

    return torch.utils.data.get_worker_info()


Stream = _make_stream(IterableDataset)


class Unsharded(IterableDataset):
    def __iter__(self):
        return iter("ab")


def _values(loader):
    return [b[0].tolist() if isinstance(b, list) else b for b in loader]


def test_batches_in_the_main_process():
    assert _values(DataLoader(Stream(5), batch_size=2)) == [[0.0, 1.0], [2.0, 3.0], [4.0]]
    assert _values(DataLoader(Stream(5), batch_size=2, drop_last=True)) == [[0.0, 1.0],
                                                                              [2.0, 3.0]]
    # batch_size=None: samples one by one, each through collate_fn, PyTorch's default_convert
    # by default (a tuple becomes a list, as PyTorch's)
    assert list(DataLoader(Stream(2), batch_size=None)) == [[0.0, 0], [1.0, 0]]
    assert list(DataLoader(Stream(2), batch_size=None, collate_fn=lambda s: s[0] * 10)) == [
        0.0, 10.0]
    x, y = next(iter(DataLoader(Stream(3, label=7), batch_size=3)))
    assert x.dtype == ag.float64 and y.dtype == ag.int64 and y.tolist() == [7, 7, 7]
    assert len(DataLoader(Stream(5), batch_size=2)) == 3
    # a new iteration starts the stream again
    loader = DataLoader(Stream(3), batch_size=2)
    assert _values(loader) == _values(loader) == [[0.0, 1.0], [2.0]]


def test_chain_and_concat():
    chained = Stream(2) + Stream(3, label=1)
    assert isinstance(chained, ChainDataset) and len(chained) == 5
    assert [y for _, y in chained] == [0, 0, 1, 1, 1]
    assert _values(DataLoader(ChainDataset([Stream(1), Stream(2)]), batch_size=2)) == [
        [0.0, 0.0], [1.0]]
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(ChainDataset([Stream(1), [1, 2]]))
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Stream(1)])
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(NotImplementedError):
        iter(IterableDataset())


def test_refuses_shuffle_and_samplers():
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got "
                                         "shuffle=True"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(3), sampler=[0, 1])
    with pytest.raises(ValueError, match="expected unspecified batch_sampler option"):
        DataLoader(Stream(3), batch_sampler=[[0, 1]])
    DataLoader(Stream(3), shuffle=False)  # explicitly False is fine


@needs_fork
def test_workers_shard_and_interleave():
    """Worker 0 holds 0..3, worker 1 holds 4..6: batches alternate between the workers while
    both have data, then come from the one left (PyTorch's order)."""
    loader = DataLoader(Stream(7), batch_size=2, num_workers=2, multiprocessing_context="fork")
    assert _values(loader) == [[0.0, 1.0], [4.0, 5.0], [2.0, 3.0], [6.0]]
    drop = DataLoader(Stream(7), batch_size=2, num_workers=2, drop_last=True,
                      multiprocessing_context="fork")
    assert _values(drop) == [[0.0, 1.0], [4.0, 5.0], [2.0, 3.0]]


@needs_fork
def test_persistent_workers_restart_the_stream_each_epoch():
    loader = DataLoader(Stream(5), batch_size=None, num_workers=2, persistent_workers=True,
                        multiprocessing_context="fork")
    first = [x for x, _ in loader]
    assert first == [0.0, 3.0, 1.0, 4.0, 2.0]
    assert [x for x, _ in loader] == first
    del loader


@needs_fork
def test_without_sharding_each_worker_yields_everything():
    """A dataset that ignores get_worker_info is read once per worker (PyTorch's documented
    behaviour, and the reason to shard)."""
    loader = DataLoader(Unsharded(), batch_size=None, num_workers=2,
                        multiprocessing_context="fork")
    assert list(loader) == ["a", "a", "b", "b"]
    with pytest.raises(TypeError, match="has no len"):
        len(loader)


@pytest.mark.torch_parity
@needs_fork
@pytest.mark.parametrize("kw", [dict(batch_size=2), dict(batch_size=3, drop_last=True),
                                dict(batch_size=None), dict(batch_size=2, num_workers=2),
                                dict(batch_size=1, num_workers=3),
                                dict(batch_size=2, num_workers=2, drop_last=True)])
def test_same_batches_as_torch(kw):
    torch = pytest.importorskip("torch")
    import torch.utils.data as tud

    TorchStream = _make_stream(tud.IterableDataset)
    extra = {"multiprocessing_context": "fork"} if kw.get("num_workers") else {}
    ours = list(DataLoader(Stream(8), **kw, **extra))
    theirs = list(tud.DataLoader(TorchStream(8), **kw, **extra))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if isinstance(b, (list, tuple)) and isinstance(b[0], torch.Tensor):
            for u, v in zip(a, b):
                np.testing.assert_array_equal(u.numpy(), v.numpy())
                assert str(u.dtype).split(".")[-1] == str(v.dtype).split(".")[-1]
        else:
            assert tuple(a) == tuple(b)
