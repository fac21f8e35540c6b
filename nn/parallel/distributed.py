"""``DistributedDataParallel``: data-parallel training over ``autograd_core.distributed``.

Every process holds a replica of the model and computes gradients on its own part of the
batch; the gradients are averaged across processes during ``backward()``, so every replica
takes the same optimizer step. How, as PyTorch's:

* At construction the parameters and buffers of rank 0 are copied to every rank (after a
  check that every rank wraps a model of the same parameter count and sizes).
* The parameters that require grad are grouped into buckets in reverse order of
  ``parameters()`` (roughly the order backward produces their gradients), by dtype: the first
  bucket holds about 1 MiB, the others ``bucket_cap_mb`` (25 MiB by default). Each parameter's
  post-accumulate-grad hook marks it ready; when a bucket's last parameter is ready, its
  gradients (divided by the world size) are copied into the bucket's flat buffer and a
  non-blocking all-reduce (``MPI_Iallreduce``) of it starts, so communication overlaps the rest
  of backward. When the last bucket has started, every bucket is waited for and the averaged
  gradients are written back into each ``.grad``, before ``backward()`` returns.
* ``no_sync()``: forward and backward inside it only accumulate local gradients; the first
  backward after it averages the accumulated ones.
* Buffers (BatchNorm's running statistics) are copied from rank 0 at each forward
  (``broadcast_buffers=True``).

Every parameter that requires grad must receive a gradient in each synchronised backward (as
PyTorch's default ``find_unused_parameters=False``); otherwise the next forward raises.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager

import numpy as np

import autograd_core as ag
from autograd_core import distributed as dist
from nn.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES


class _Bucket:
    def __init__(self, params):
        self.params = params
        self.sizes = [p._data.size for p in params]
        self.offsets = np.cumsum([0] + self.sizes[:-1]).tolist()
        self.flat = np.empty(sum(self.sizes), dtype=params[0]._data.dtype)
        self.nbytes = self.flat.nbytes
        self.pending = len(params)
        self.work = None


def _assign_buckets(params, cap_bytes):
    """Buckets in reverse parameter order, one dtype each: a bucket closes once it holds at
    least its cap (the first bucket's cap is min(1 MiB, cap_bytes)), as PyTorch's
    ``compute_bucket_assignment_by_size``."""
    open_buckets, done = {}, []
    first = True
    for p in reversed(params):
        key = p._data.dtype
        group = open_buckets.setdefault(key, [[], 0])
        group[0].append(p)
        group[1] += p._data.nbytes
        limit = min(_FIRST_BUCKET_BYTES, cap_bytes) if first else cap_bytes
        if group[1] >= limit:
            done.append(group[0])
            del open_buckets[key]
            first = False
    done.extend(g[0] for g in open_buckets.values())
    return [_Bucket(ps) for ps in done]


class _Reducer:
    """The buckets of one ``DistributedDataParallel`` and the state of one backward."""

    def __init__(self, params, pg, cap_bytes):
        self.pg = pg
        self.buckets = _assign_buckets(params, cap_bytes)
        self.bucket_of = {}
        for b in self.buckets:
            for p in b.params:
                self.bucket_of[id(p)] = b
        self.expect = False  # set by forward: the next backward is synchronised
        self.marked = set()
        self.started = 0
        self.handles = [p.register_post_accumulate_grad_hook(self._ready) for p in params]

    def prepare(self):
        """Called by each synchronised forward: the previous backward must have finished."""
        if self.expect and self.marked:
            names = [i for i, b in enumerate(self.buckets) if b.pending]
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss (their gradients never arrived: buckets "
                f"{names} of {len(self.buckets)} incomplete); every parameter that requires "
                "grad must take part in the loss (or set requires_grad=False on it)")
        for b in self.buckets:
            b.pending = len(b.params)
            b.work = None
        self.marked = set()
        self.started = 0
        self.expect = True

    def _ready(self, p):
        if not self.expect:
            return
        key = id(p)
        if key in self.marked:
            raise RuntimeError(
                "Expected to mark a variable ready only once: a parameter's gradient was "
                "produced twice in one synchronised backward (backward through the same "
                "forward twice, or a reentrant backward); use no_sync() for extra passes")
        self.marked.add(key)
        b = self.bucket_of[key]
        b.pending -= 1
        for other in self.buckets:  # let started all-reduces progress (MPI has no thread)
            if other.work is not None:
                other.work.is_completed()
        if b.pending == 0:
            self._start(b)
            if self.started == len(self.buckets):
                self._finish()

    def _start(self, b):
        flat, size = b.flat, self.pg.size
        for p, off, n in zip(b.params, b.offsets, b.sizes):
            np.multiply(p.grad._data.reshape(-1), 1.0 / size, out=flat[off:off + n],
                        casting="unsafe")
        MPI = dist._mpi()
        request = self.pg.comm.Iallreduce(MPI.IN_PLACE, flat, op=MPI.SUM)
        b.work = dist.Work(self.pg, request, f"DistributedDataParallel gradient all_reduce "
                                             f"({b.nbytes} bytes)")
        self.started += 1

    def _finish(self):
        for b in self.buckets:
            b.work.wait()
            for p, off, n in zip(b.params, b.offsets, b.sizes):
                g = p.grad
                np.copyto(g._data, b.flat[off:off + n].reshape(g._data.shape))  # any layout
                g._bump_version()
        self.expect = False
        self.marked = set()

    def remove(self):
        for h in self.handles:
            h.remove()


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training: call it as the module; ``backward()``
    averages the gradients over every process of ``autograd_core.distributed``'s group (as
    ``torch.nn.parallel.DistributedDataParallel``; see the module docstring for how).

    ``.module`` is the wrapped model, and ``state_dict()`` keys start with ``module.``, as
    PyTorch's (save ``ddp.module.state_dict()`` for a checkpoint any model can load).
    CPU only: ``device_ids``/``output_device`` must be None. ``find_unused_parameters=True``
    is not supported. ``check_reduction``, ``gradient_as_bucket_view`` and ``static_graph``
    are accepted for PyTorch's signature and change nothing.

    Example (one process: a world of 1; under ``mpiexec -n N`` gradients are averaged)::

        >>> import autograd_core as ag, nn
        >>> import autograd_core.distributed as dist
        >>> dist.init_process_group("mpi")
        >>> _ = ag.manual_seed(0)
        >>> model = nn.parallel.DistributedDataParallel(nn.Linear(3, 1))
        >>> model(ag.ones(2, 3)).sum().backward()
        >>> model.module.weight.grad.tolist()
        [[2.0, 2.0, 2.0]]
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
        >>> dist.destroy_process_group()
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool | None = True, init_sync: bool = True,
                 process_group=None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got "
                            f"{type(module).__name__}")
        if device_ids is not None or output_device is not None:
            raise ValueError("DistributedDataParallel: device_ids and output_device must be "
                             "None (CPU modules only)")
        if find_unused_parameters:
            raise NotImplementedError("DistributedDataParallel: find_unused_parameters=True "
                                      "is not supported; every parameter that requires grad "
                                      "must take part in the loss")
        if bucket_cap_mb is None:
            bucket_cap_mb = 25
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got "
                             f"{bucket_cap_mb}")
        pg = dist._default(process_group)
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        self.module = module
        self.dim = dim
        self.broadcast_buffers = True if broadcast_buffers is None else bool(broadcast_buffers)
        self.bucket_bytes_cap = int(bucket_cap_mb * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.process_group = process_group
        if init_sync:
            _check_same_model(pg, module)
            with ag.no_grad():  # every parameter and buffer (non-persistent ones too)
                for t in itertools.chain(module.parameters(), module.buffers()):
                    dist.broadcast(t, 0, group=process_group)
        self._reducer = _Reducer(params, pg, self.bucket_bytes_cap)

    def forward(self, *inputs, **kwargs):
        if ag.is_grad_enabled() and self.require_backward_grad_sync:
            self._reducer.prepare()
        else:
            self._reducer.expect = False
        if self.broadcast_buffers and self.require_forward_param_sync:
            for t in self.module.buffers():
                dist.broadcast(t, 0, group=self.process_group)
        return self.module(*inputs, **kwargs)

    @contextmanager
    def no_sync(self):
        """Inside, forward and backward only accumulate local gradients (no communication);
        the first synchronised backward after it averages the accumulated gradients.

        >>> import autograd_core as ag, nn
        >>> import autograd_core.distributed as dist
        >>> dist.init_process_group("mpi")
        >>> ddp = nn.parallel.DistributedDataParallel(nn.Linear(2, 1, bias=False))
        >>> with ddp.no_sync():
        ...     ddp(ag.ones(1, 2)).sum().backward()  # local only
        >>> ddp(ag.ones(1, 2)).sum().backward()  # averages the sum of both over the ranks
        >>> ddp.module.weight.grad.tolist()
        [[2.0, 2.0]]
        >>> dist.destroy_process_group()
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old


def _check_same_model(pg, module):
    """PyTorch's check that every rank wraps the same model: same parameter count and sizes."""
    sizes = [p._data.size for p in module.parameters()]
    mine = np.array([len(sizes), sum(sizes), hash(tuple(sizes)) & 0x7FFFFFFF], np.int64)
    everyone = np.empty((pg.size, 3), np.int64)
    dist.Work(pg, pg.comm.Iallgather(mine, everyone), "DistributedDataParallel's model "
                                                      "check").wait()
    for r, theirs in enumerate(everyone):
        if (theirs != everyone[0]).any():
            raise RuntimeError(
                f"DDP expects same model across all ranks, but Rank {r} has {theirs[0]} params "
                f"({theirs[1]} elements), while rank 0 has {everyone[0][0]} params "
                f"({everyone[0][1]} elements) or parameters of other sizes")
