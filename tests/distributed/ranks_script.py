"""Run under ``mpiexec -n N`` by test_distributed_mpi.py (not collected: no test_ prefix).

Every check asserts on every rank; an AssertionError on any rank aborts the job (the
distributed module's excepthook), so the test sees a failed run. Rank 0 prints one
"CHECKED <name>" line per check group and "ALL OK" at the end."""

import math
import os
import sys

import numpy as np

import autograd_core as ag
import autograd_core.distributed as dist
import nn
import optimizers as optim
from nn.data import DataLoader, DistributedSampler, TensorDataset
from nn.parallel import DistributedDataParallel as DDP

# refusals before and at initialisation (PyTorch's errors)
for call in (dist.get_rank, dist.get_world_size, dist.barrier,
             lambda: dist.all_reduce(ag.ones(1))):
    try:
        call()
        raise AssertionError("no error before init_process_group")
    except ValueError as e:
        assert "has not been initialized" in str(e)
for kwargs, err, words in (({"backend": "gloo"}, ValueError, "Invalid backend"),
                           ({"world_size": 99}, ValueError, "world_size=99 disagrees"),
                           ({"timeout": 5}, TypeError, "datetime.timedelta")):
    try:
        dist.init_process_group(**kwargs)
        raise AssertionError(f"init_process_group({kwargs}) accepted")
    except err as e:
        assert words in str(e), e
    assert not dist.is_initialized()
dist.init_process_group("mpi")
RANK, WORLD = dist.get_rank(), dist.get_world_size()
TMP = sys.argv[1]
try:
    dist.init_process_group("mpi")
    raise AssertionError("initialised twice")
except ValueError as e:
    assert "twice" in str(e)
assert dist.is_initialized() and dist.get_backend() == "mpi"
for bad, err in ((lambda: dist.all_reduce(ag.ones(1), op="sum"), ValueError),
                 (lambda: dist.all_reduce(np.ones(1)), TypeError),
                 (lambda: dist.all_reduce(ag.ones(1, dtype=ag.int64), op=dist.ReduceOp.AVG),
                  TypeError),
                 (lambda: dist.broadcast(ag.ones(1), src=WORLD), ValueError),
                 (lambda: dist.all_gather([ag.ones(1)], ag.ones(1)), ValueError),
                 (lambda: DDP(nn.Linear(2, 2), device_ids=[0]), ValueError),
                 (lambda: DDP(nn.Linear(2, 2), find_unused_parameters=True),
                  NotImplementedError)):
    try:
        bad()
        raise AssertionError("accepted")
    except err:
        pass


def done(name):
    if RANK == 0:
        print("CHECKED", name, flush=True)


# ---- collectives ------------------------------------------------------------------------
t = ag.tensor([RANK + 1.0, 2.0 * (RANK + 1)], dtype=ag.float64)
dist.all_reduce(t)
assert t.tolist() == [WORLD * (WORLD + 1) / 2, WORLD * (WORLD + 1)], t
for op, expect in ((dist.ReduceOp.MAX, WORLD), (dist.ReduceOp.MIN, 1),
                   (dist.ReduceOp.PRODUCT, math.factorial(WORLD)),
                   (dist.ReduceOp.AVG, (WORLD + 1) / 2)):
    t = ag.tensor([RANK + 1.0], dtype=ag.float64)
    dist.all_reduce(t, op=op)
    assert t.tolist() == [expect], (op, t)
i = ag.tensor([1 << RANK], dtype=ag.int64)
dist.all_reduce(i, op=dist.ReduceOp.BOR)
assert i.item() == (1 << WORLD) - 1
base = np.arange(6.0).reshape(2, 3) * (RANK + 1)
view = ag.Tensor._wrap(base[:, ::2])  # a non-contiguous view: written back through
dist.all_reduce(view)
s = WORLD * (WORLD + 1) / 2
assert base.tolist() == [[0.0, 1.0 * (RANK + 1), 2 * s], [3 * s, 4.0 * (RANK + 1), 5 * s]]
work = dist.all_reduce(ag.tensor([1.0]), async_op=True)
assert work.wait() is True and work.is_completed()
b = ag.tensor([float(RANK)] * 3)
dist.broadcast(b, src=WORLD - 1)
assert b.tolist() == [WORLD - 1.0] * 3
out = [ag.zeros(2, dtype=ag.int64) for _ in range(WORLD)]
dist.all_gather(out, ag.tensor([RANK, -RANK]))
assert [o.tolist() for o in out] == [[r, -r] for r in range(WORLD)]
dist.barrier()
done("collectives")


# ---- DDP equals one process on the whole batch ------------------------------------------
B, STEPS = 12, 4  # B divides by 2 and 3
rng = np.random.default_rng(0)
X = rng.normal(size=(STEPS, B, 5))
Y = rng.integers(0, 3, size=(STEPS, B))
lo, hi = RANK * B // WORLD, (RANK + 1) * B // WORLD


def make(bn, dtype):
    ag.manual_seed(0)
    # no bias before BatchNorm: its gradient is zero up to rounding, which Adam would
    # normalise into steps of size lr, making the comparison measure noise
    layers = [nn.Linear(5, 8, bias=not bn)] + ([nn.BatchNorm1d(8)] if bn else []) + [
        nn.Tanh(), nn.Linear(8, 3)]
    model = nn.Sequential(*layers)
    return model.double() if dtype == "float64" else model


def optimizer(name, params):
    if name == "sgd":
        return optim.SGD(params, lr=0.1, momentum=0.9)
    return optim.Adam(params, lr=0.01)


def state(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def synced(ddp):
    """The replica's state after one more forward (an eval one: it changes nothing), which
    copies rank 0's buffers (the last training forward updated each rank's own)."""
    ddp.eval()
    with ag.no_grad():
        ddp(ag.tensor(X[0][:2].astype(ddp.module[0].weight._data.dtype)))
    return state(ddp.module)


def reference(opt_name, bn, dtype, micro=1, sync=False):
    """One process, whole batches; with BatchNorm, each rank's shard normalised on its own
    (what DDP computes: local batch statistics) and the running statistics of rank 0's;
    with ``sync`` (SyncBatchNorm under DDP), plain BatchNorm on the whole batch."""
    model = make(bn, dtype)
    opt = optimizer(opt_name, model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    for step in range(STEPS):
        opt.zero_grad()
        xs, ys = np.array_split(X[step], micro), np.array_split(Y[step], micro)
        for x, y in zip(xs, ys):
            x = ag.tensor(x.astype(dtype))
            if bn and not sync:
                kept = None
                for k in range(WORLD):
                    before = [t._data.copy() for t in model.buffers()]
                    part = slice(k * len(y) // WORLD, (k + 1) * len(y) // WORLD)
                    (loss_fn(model(x[part]), ag.tensor(y[part])) / WORLD).backward()
                    if k == 0:
                        kept = [t._data.copy() for t in model.buffers()]
                    for t, v in zip(model.buffers(), before):
                        t._data[...] = v
                for t, v in zip(model.buffers(), kept):
                    t._data[...] = v
            else:
                loss_fn(model(x), ag.tensor(y)).backward()
        opt.step()
    return state(model)


def ddp_run(opt_name, bn, dtype, micro=1, steps=STEPS, model=None, opt=None, start=0,
            sync=False):
    if model is None:
        model = make(bn, dtype)
        if sync:
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        if RANK:  # rank 0's parameters and buffers must win at construction
            for p in model.parameters():
                p._data[...] += RANK
            for t in model.buffers():
                t._data[...] += RANK
        model = DDP(model)
        opt = optimizer(opt_name, model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    for step in range(start, steps):
        opt.zero_grad()
        xs, ys = np.array_split(X[step], micro), np.array_split(Y[step], micro)
        for m, (x, y) in enumerate(zip(xs, ys)):
            part = slice(RANK * len(y) // WORLD, (RANK + 1) * len(y) // WORLD)
            x, y = ag.tensor(x[part].astype(dtype)), ag.tensor(y[part])
            if m < micro - 1:
                with model.no_sync():
                    loss_fn(model(x), y).backward()
            else:
                loss_fn(model(x), y).backward()
        opt.step()
    return model, opt


def same(a, b, tol, what):
    assert a.keys() == b.keys()
    for k in a:
        err = np.max(np.abs(a[k] - b[k])) if a[k].size else 0.0
        assert err <= tol, f"rank {RANK}: {what}: {k} differs by {err:.3g} (tolerance {tol})"


for opt_name in ("sgd", "adam"):
    for bn in (False, True):
        ddp, _ = ddp_run(opt_name, bn, "float64")
        same(synced(ddp), reference(opt_name, bn, "float64"), 1e-12,
             f"{opt_name} bn={bn} float64")
        done(f"ddp {opt_name} bn={bn} float64")
for opt_name in ("sgd", "adam"):
    ddp, _ = ddp_run(opt_name, True, "float64", sync=True)
    assert type(ddp.module[1]).__name__ == "SyncBatchNorm"
    same(synced(ddp), reference(opt_name, True, "float64", sync=True), 1e-12,
         f"{opt_name} SyncBatchNorm")
    done(f"ddp {opt_name} SyncBatchNorm float64")
ddp, _ = ddp_run("sgd", False, "float32")
same(state(ddp.module), reference("sgd", False, "float32"), 1e-5, "sgd float32")
done("ddp sgd float32")
ddp, _ = ddp_run("sgd", False, "float64", micro=2)
same(state(ddp.module), reference("sgd", False, "float64", micro=2), 1e-12, "no_sync")
done("ddp no_sync accumulation")
assert list(ddp.state_dict())[0] == "module.0.weight"

# a no_sync step really skips communication: ranks' gradients differ inside it
model = DDP(make(False, "float64"))
with model.no_sync():
    nn.CrossEntropyLoss()(model(ag.tensor(X[0][lo:hi])), ag.tensor(Y[0][lo:hi])).backward()
g = model.module[0].weight.grad.numpy()
gathered = [ag.zeros(*g.shape, dtype=ag.float64) for _ in range(WORLD)]
dist.all_gather(gathered, ag.tensor(g))
assert not np.allclose(gathered[0].numpy(), gathered[1].numpy())
done("no_sync is local")

# ---- checkpoint written by rank 0, resumed on every rank --------------------------------
ckpt = os.path.join(TMP, "ddp.npz")
model, opt = ddp_run("adam", True, "float64", steps=2)
if RANK == 0:
    nn.save({"model": model.module.state_dict(), "optim": opt.state_dict()}, ckpt)
dist.barrier()
saved = nn.load(ckpt)
fresh = make(True, "float64")
fresh.load_state_dict(saved["model"])
fresh = DDP(fresh)
fresh_opt = optimizer("adam", fresh.parameters())
fresh_opt.load_state_dict(saved["optim"])
ddp_run("adam", True, "float64", model=fresh, opt=fresh_opt, start=2)
same(synced(fresh), reference("adam", True, "float64"), 1e-12, "resumed")
done("resume from a rank-0 checkpoint")

# every rank saving the same path at once leaves one whole checkpoint, never a mixture
shared = os.path.join(TMP, "everyone.npz")
for _ in range(5):
    nn.save({"w": np.full(1000, float(RANK)), "rank": RANK}, shared)
dist.barrier()
got = nn.load(shared)
assert np.all(got["w"] == got["rank"]) and 0 <= got["rank"] < WORLD
assert [f for f in os.listdir(TMP) if f.startswith(".")] == []  # no temporaries left
done("concurrent saves")

# ---- DistributedSampler ------------------------------------------------------------------
ds = TensorDataset(ag.arange(11))
for drop_last in (False, True):
    orders = []
    for epoch in (0, 1):
        sampler = DistributedSampler(ds, shuffle=True, seed=3, drop_last=drop_last)
        sampler.set_epoch(epoch)
        mine = [int(v) for (batch,) in DataLoader(ds, batch_size=2, sampler=sampler)
                for v in batch.tolist()]
        assert mine == list(sampler) and len(mine) == len(sampler)
        shards = [ag.zeros(len(sampler), dtype=ag.int64) for _ in range(WORLD)]
        dist.all_gather(shards, ag.tensor(mine, dtype=ag.int64))
        flat = [v for s_ in shards for v in s_.tolist()]
        if drop_last:  # disjoint, 11 // WORLD each
            assert len(set(flat)) == len(flat) == WORLD * (11 // WORLD)
        else:  # covers the data set; only the padding repeats
            assert set(flat) == set(range(11))
            assert len(flat) == WORLD * math.ceil(11 / WORLD)
        orders.append(flat)
    assert orders[0] != orders[1]  # set_epoch reshuffles (identically on every rank: disjoint)
done("sampler")

dist.barrier()
dist.destroy_process_group()
if RANK == 0:
    print("ALL OK", flush=True)
