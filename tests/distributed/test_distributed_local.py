"""What needs no MPI job: the error naming the extra when mpi4py is missing, the import paths
under PyTorch's names, DDP's bucket assignment, DistributedSampler's shards (by hand and
against PyTorch's)."""

import math
import sys

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.data import DistributedSampler
from nn.parallel.distributed import _assign_buckets


def test_missing_mpi4py_names_the_extra(monkeypatch):
    import autograd_core.distributed as dist
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py now raises ImportError
    assert dist.is_available() is False
    with pytest.raises(RuntimeError, match=r"pip install 'tapegrad\[mpi\]'"):
        dist.init_process_group("mpi")
    assert not dist.is_initialized()


def test_pytorch_paths():
    import autograd_core as torch
    from autograd_core.utils.data.distributed import DistributedSampler as ViaTorchPath
    assert ViaTorchPath is DistributedSampler is torch.utils.data.DistributedSampler
    assert torch.distributed.ReduceOp.SUM == 0 and repr(torch.distributed.ReduceOp.MAX) == \
        "<RedOpType.MAX: 4>"
    assert torch.nn.parallel.DistributedDataParallel is nn.parallel.DistributedDataParallel


def test_buckets_reverse_order_first_one_small():
    # 4-byte floats: 300_000 of them = 1.2 MB
    sizes = [10, 300_000, 10, 300_000, 10, 3_000_000]
    params = [nn.Parameter(np.zeros(n, np.float32)) for n in sizes]
    buckets = _assign_buckets(params, cap_bytes=5 * 1024 * 1024)
    got = [[sizes[[id(q) for q in params].index(id(p))] for p in b.params] for b in buckets]
    # reversed: 3e6 (12 MB) closes the first bucket (cap 1 MiB) at once; the rest stay under
    # 5 MiB and form the last bucket
    assert got == [[3_000_000], [10, 300_000, 10, 300_000, 10]]
    mixed = [nn.Parameter(np.zeros(4, np.float64)), nn.Parameter(np.zeros(4, np.float32))]
    assert [b.flat.dtype for b in _assign_buckets(mixed, 1 << 20)] == [np.float32, np.float64]


@pytest.mark.parametrize("n,world,drop_last", [(10, 3, False), (10, 3, True), (2, 4, False),
                                               (12, 4, False), (7, 2, True)])
def test_sampler_shards_by_hand(n, world, drop_last):
    shards = [list(DistributedSampler(range(n), world, r, shuffle=False, drop_last=drop_last))
              for r in range(world)]
    per = (n // world) if drop_last else math.ceil(n / world)
    assert all(len(s) == per for s in shards)
    flat = [i for s in shards for i in s]
    if drop_last:
        assert len(set(flat)) == len(flat)
    else:
        assert set(flat) == set(range(n))
    # rank r takes every world-th index of 0, 1, ..., padded by repeating the start
    padded = (list(range(n)) * world)[:per * world]
    assert shards == [padded[r::world][:per] for r in range(world)]


def test_sampler_set_epoch_and_refusals():
    a = DistributedSampler(range(20), 2, 0, seed=5)
    first = list(a)
    assert list(DistributedSampler(range(20), 2, 0, seed=5)) == first  # deterministic
    a.set_epoch(1)
    assert list(a) != first
    b = DistributedSampler(range(20), 2, 1, seed=5)
    b.set_epoch(1)
    assert sorted(list(a) + list(b)) == list(range(20))  # same permutation on both ranks
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval "
                                         r"\[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="has not been initialized"):
        DistributedSampler(range(4))  # no process group to ask


@pytest.mark.torch_parity
def test_sampler_equals_torch_without_shuffle():
    pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    from torch.utils.data.distributed import DistributedSampler as TorchSampler
    for n in range(0, 13):
        for world in (1, 2, 3, 5):
            for drop_last in (False, True):
                for r in range(world):
                    ours = DistributedSampler(range(n), world, r, shuffle=False,
                                              drop_last=drop_last)
                    theirs = TorchSampler(range(n), world, r, shuffle=False,
                                          drop_last=drop_last)
                    assert list(ours) == list(theirs) and len(ours) == len(theirs)
                    shuffled = DistributedSampler(range(n), world, r, drop_last=drop_last)
                    assert len(list(shuffled)) == len(TorchSampler(range(n), world, r,
                                                                   drop_last=drop_last))


def test_ddp_needs_a_process_group():
    with pytest.raises(ValueError, match="has not been initialized"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    assert ag.distributed.is_initialized() is False
