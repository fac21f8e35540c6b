"""DataLoader(num_workers>0) with worker processes (issue 12 item 6): the same batches in the
same order as num_workers=0, PyTorch's per-worker seeding (base_seed + worker id) and
get_worker_info(), worker_init_fn, persistent_workers, prefetch_factor, and failures that
surface in the parent (same exception type, worker id, traceback) instead of hanging."""

import faulthandler
import multiprocessing
import os
import random
import signal

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor
from nn.data import DataLoader, Dataset, Subset, TensorDataset, get_worker_info

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="the worker tests use the fork start method (one spawn test below)")


@pytest.fixture(autouse=True)
def never_hang():
    """A hung worker test ends the run with tracebacks instead of blocking CI forever."""
    faulthandler.dump_traceback_later(240, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def no_leftover_processes():
    before = set(multiprocessing.active_children())
    yield
    left = [p for p in multiprocessing.active_children() if p not in before]
    for p in left:
        p.join(5)
    assert not [p for p in left if p.is_alive()], "worker processes left running"


class Squares(Dataset):
    """Not a TensorDataset: samples go through default_collate."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": np.array([i, i * i], dtype=np.float32), "y": i, "name": f"s{i}"}


class WhoLoads(Dataset):
    """Each sample says which worker made it and what its random state gives."""

    def __init__(self, n=12):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = get_worker_info()
        return {"i": i, "worker": -1 if info is None else info.id,
                "seed": -1 if info is None else info.seed % 2 ** 62,
                "num_workers": 0 if info is None else info.num_workers,
                "pid": os.getpid(), "init": _INIT.get("worker", -1),
                "np": np.random.random(), "py": random.random(),
                "ag": float(ag.rand(1).data[0])}


_INIT = {}


def _init_fn(worker_id):
    _INIT["worker"] = worker_id * 10


def _tds(n=23):
    return TensorDataset(ag.arange(3.0 * n).reshape(n, 3), ag.arange(n))


def _plain(batch):
    """A batch as nested Python data, for exact comparison."""
    if isinstance(batch, Tensor):
        return ("T", str(batch.dtype), batch.data.tolist())
    if isinstance(batch, (np.ndarray, np.generic)):
        return ("A", str(batch.dtype), batch.tolist())
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return [_plain(v) for v in batch]
    return batch


@pytest.mark.parametrize("case", [
    {"ds": "tds", "batch_size": 4},
    {"ds": "tds", "batch_size": 4, "shuffle": True, "generator": 7, "drop_last": True},
    {"ds": "subset", "batch_size": 5, "shuffle": True, "generator": np.random.default_rng(3)},
    {"ds": "squares", "batch_size": 3, "shuffle": True, "generator": 11},
    {"ds": "squares", "batch_size": None},
    {"ds": "squares", "batch_sampler": [[3, 1], [0], [5, 6, 7, 2]]},
    {"ds": "squares", "batch_size": 2, "sampler": [4, 4, 0, 9, 1]},
])
@pytest.mark.parametrize("num_workers", [1, 3])
def test_same_batches_in_the_same_order_as_without_workers(case, num_workers):
    case = dict(case)
    make = {"tds": _tds, "subset": lambda: Subset(_tds(), [5, 3, 20, 0, 7, 7, 1, 9, 2, 11]),
            "squares": lambda: Squares(10)}[case.pop("ds")]
    gen = case.pop("generator", None)
    fresh = (lambda: np.random.default_rng(3)) if isinstance(gen, np.random.Generator) \
        else (lambda: gen)

    def epochs(nw):
        loader = DataLoader(make(), num_workers=nw, generator=fresh(), **case)
        return [[_plain(b) for b in loader] for _ in range(3)]

    single = epochs(0)
    assert single[0] and (not case.get("shuffle") or single[0] != single[1])
    assert epochs(num_workers) == single


def test_same_order_with_the_global_generator():
    def run(nw):
        ag.manual_seed(5)
        loader = DataLoader(_tds(), batch_size=6, shuffle=True, num_workers=nw)
        out = [[b[1].data.tolist() for b in loader] for _ in range(2)]
        return out, float(ag.rand(1).data[0])  # the generator is left in the same state

    assert run(2) == run(0)


def test_per_worker_seeding_and_worker_info_as_pytorch():
    n, nw = 12, 3
    loader = DataLoader(WhoLoads(n), batch_size=2, shuffle=True, generator=42, num_workers=nw,
                        worker_init_fn=_init_fn)
    batches = list(loader)
    # the base seed is the generator's draw right after the epoch's permutation
    gen = np.random.default_rng(42)
    order = gen.permutation(n)
    base_seed = int(gen.integers(0, 2 ** 63 - 1))
    assert [i for b in batches for i in b["i"].data.tolist()] == order.tolist()
    for k, b in enumerate(batches):
        wid = k % nw  # batches go to the workers round robin
        assert b["worker"].data.tolist() == [wid, wid]
        assert b["seed"].data.tolist() == [(base_seed + wid) % 2 ** 62] * 2
        assert b["num_workers"].data.tolist() == [nw, nw]
        assert b["init"].data.tolist() == [10 * wid] * 2  # worker_init_fn ran in the worker
    assert len({int(b["pid"].data[0]) for b in batches}) == nw
    assert get_worker_info() is None  # in the main process
    # each generator in a worker is seeded from base_seed + worker id: reproducible
    first = {k: b["ag"].data[0] for k, b in enumerate(batches[:nw])}
    again = list(DataLoader(WhoLoads(n), batch_size=2, shuffle=True, generator=42,
                            num_workers=nw))
    assert {k: b["ag"].data[0] for k, b in enumerate(again[:nw])} == first
    ag.manual_seed(int(base_seed))  # worker 0's draws are those of a fresh seed(base_seed+0)
    assert batches[0]["ag"].data[0] == float(ag.rand(1).data[0])
    random.seed(base_seed + 1)
    assert batches[1]["py"].data[0] == random.random()
    # different workers draw different numbers
    assert len({float(b["np"].data[0]) for b in batches[:nw]}) == nw


def test_persistent_workers_keep_processes_and_seeds_across_epochs():
    loader = DataLoader(WhoLoads(6), batch_size=2, num_workers=2, persistent_workers=True,
                        generator=1)
    e1, e2 = list(loader), list(loader)
    pids = [{int(b["pid"].data[0]) for b in e} for e in (e1, e2)]
    assert pids[0] == pids[1] and len(pids[0]) == 2
    assert [b["seed"].data.tolist() for b in e1] == [b["seed"].data.tolist() for b in e2]
    # an abandoned epoch leaves results in flight; the next epoch must not see them
    it = iter(loader)
    next(it)
    del it
    e3 = list(loader)
    assert [b["i"].data.tolist() for b in e3] == [[0, 1], [2, 3], [4, 5]]
    assert {int(b["pid"].data[0]) for b in e3} == pids[0]
    del loader, e1, e2, e3
    import gc

    gc.collect()  # the finalizer stops the workers (checked by no_leftover_processes)


def test_without_persistence_each_epoch_has_new_workers_and_seeds():
    loader = DataLoader(WhoLoads(4), batch_size=2, num_workers=1, generator=1)
    e1, e2 = list(loader), list(loader)
    assert e1[0]["pid"].data[0] != e2[0]["pid"].data[0]
    assert e1[0]["seed"].data[0] != e2[0]["seed"].data[0]


class Recording(Dataset):
    def __init__(self, path, n=40):
        self.path, self.n = path, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        with open(self.path, "a") as f:
            f.write(f"{i}\n")
        return i


@pytest.mark.parametrize("prefetch_factor,num_workers", [(1, 1), (1, 2), (3, 2)])
def test_prefetch_factor_bounds_the_batches_in_flight(tmp_path, prefetch_factor, num_workers):
    path = tmp_path / "fetched"
    loader = DataLoader(Recording(path), batch_size=2, num_workers=num_workers,
                        prefetch_factor=prefetch_factor)
    it = iter(loader)
    assert next(it).data.tolist() == [0, 1]
    # the parent sends a new task only when it hands a batch out: at most limit + 1 were
    # ever requested, however fast the workers are
    fetched = path.read_text().split()
    assert len(fetched) <= 2 * (prefetch_factor * num_workers + 1)
    assert [b.data.tolist() for b in it] == [[i, i + 1] for i in range(2, 40, 2)]


class Failing(Dataset):
    def __init__(self, exc, at=5):
        self.exc, self.at = exc, at

    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == self.at:
            raise self.exc
        return i


class NeedsTwoArgs(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


def test_a_worker_exception_is_raised_in_the_parent_with_the_worker_id():
    loader = DataLoader(Failing(ValueError("bad sample 5")), batch_size=2, num_workers=2)
    got = []
    with pytest.raises(ValueError) as info:
        for b in loader:
            got.append(b.data.tolist())
    msg = str(info.value)
    assert got == [[0, 1], [2, 3]]  # everything before the failing batch arrived, in order
    assert "Caught ValueError in DataLoader worker process 0." in msg  # batch 2 -> worker 0
    assert "bad sample 5" in msg and "Original Traceback" in msg and "__getitem__" in msg
    with pytest.raises(RuntimeError, match="Caught NeedsTwoArgs in DataLoader worker process"):
        list(DataLoader(Failing(NeedsTwoArgs(1, 2), at=3), batch_size=2, num_workers=2))
    with pytest.raises(KeyError, match="worker process 1"):
        list(DataLoader(Failing(KeyError("k"), at=3), batch_size=2, num_workers=2))


def _bad_init(worker_id):
    if worker_id == 1:
        raise OSError("cannot open the shard")


def test_a_failing_worker_init_fn_is_raised_in_the_parent():
    loader = DataLoader(_tds(), batch_size=2, num_workers=2, worker_init_fn=_bad_init)
    with pytest.raises(OSError, match=r"worker process 1 \(in worker_init_fn\)"):
        list(loader)


class Dying(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 4:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def test_a_worker_that_dies_is_reported_at_once():
    loader = DataLoader(Dying(), batch_size=2, num_workers=2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+ \(killed by "
                                           r"signal SIGKILL\)\) exited unexpectedly"):
        list(loader)


class Slow(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        import time

        time.sleep(60)
        return i


def test_timeout_bounds_the_wait_for_a_batch():
    loader = DataLoader(Slow(), batch_size=2, num_workers=1, timeout=0.5)
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        list(loader)


def test_break_and_abandoned_iterators_stop_the_workers():
    before = set(multiprocessing.active_children())
    loader = DataLoader(_tds(), batch_size=2, num_workers=2)
    for b in loader:
        break
    it = iter(loader)
    next(it)
    del it
    __import__("gc").collect()
    left = [p for p in multiprocessing.active_children() if p not in before]
    for p in left:
        p.join(5)
    assert not [p for p in left if p.is_alive()], "an abandoned iterator's workers run on"


def test_spawn_start_method_gives_the_same_batches():
    ds = _tds(9)
    ref = [_plain(b) for b in DataLoader(ds, batch_size=4, shuffle=True, generator=2)]
    got = [_plain(b) for b in DataLoader(ds, batch_size=4, shuffle=True, generator=2,
                                         num_workers=1, multiprocessing_context="spawn")]
    assert got == ref


def test_spawn_with_an_unpicklable_collate_fn_says_what_to_do():
    loader = DataLoader(_tds(4), batch_size=2, num_workers=1, multiprocessing_context="spawn",
                        collate_fn=lambda b: b)
    with pytest.raises(Exception) as info:  # pickle's own error type is kept
        list(loader)
    assert "define them at module level" in "\n".join(getattr(info.value, "__notes__", []))


class Activations(Dataset):
    """Samples computed with a Numba kernel big enough for its parallel build."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        x = Tensor._wrap(np.full(1 << 18, 0.5 * i, dtype=np.float32))
        return float(x.tanh().sum().item())


def test_workers_can_run_kernels_after_the_parent_ran_parallel_ones():
    """GNU OpenMP aborts a forked child that starts a parallel region once the parent has
    used one ("fork() called from a process already using GNU OpenMP"): workers run the
    serial builds, as PyTorch's workers run one thread."""
    Tensor._wrap(np.ones(1 << 18, dtype=np.float32)).tanh()  # parallel build in the parent
    got = [b.data.tolist() for b in DataLoader(Activations(), batch_size=2, num_workers=2)]
    want = [b.data.tolist() for b in DataLoader(Activations(), batch_size=2)]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def _gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # exited, not reaped
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_workers_leave_when_their_parent_is_killed():
    import subprocess
    import sys
    import tempfile
    import textwrap
    import time

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {root!r})
        import autograd_core as ag
        from nn.data import DataLoader, TensorDataset
        loader = DataLoader(TensorDataset(ag.arange(8.0)), batch_size=2, num_workers=2,
                            persistent_workers=True)
        it = iter(loader)
        next(it)
        print(" ".join(str(p.pid) for p in loader._pool.procs), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no finally, no atexit: the workers are orphans
    """)
    # the child's output goes to a file, not a pipe: orphaned workers inherit the child's
    # stdout, and waiting for a pipe's end would wait for them instead of checking them below
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.run([sys.executable, "-c", code], stdout=out, stderr=err,
                              timeout=120, check=False)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    assert proc.returncode == -9, stderr
    pids = [int(p) for p in stdout.split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 60  # they check for their parent about once a second
    while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert all(_gone(p) for p in pids), "orphaned DataLoader workers are still running"


def test_ctrl_c_in_the_parent_stops_the_workers():
    loader = DataLoader(Slow(), batch_size=2, num_workers=2)
    old = signal.signal(signal.SIGALRM, lambda *a: os.kill(os.getpid(), signal.SIGINT))
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            list(loader)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    # no_leftover_processes: both busy workers were stopped


def test_a_persistent_worker_killed_between_epochs_is_replaced():
    loader = DataLoader(_tds(6), batch_size=2, num_workers=2, persistent_workers=True)
    first = [_plain(b) for b in loader]
    victim = loader._pool.procs[0]
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(10)
    assert [_plain(b) for b in loader] == first  # a fresh pool, the same batches
    assert victim not in loader._pool.procs
    loader._pool.shutdown()


def _slow_batches():
    import time

    time.sleep(0.5)  # the failing worker has exited before its first task is sent
    yield from ([0, 1], [2, 3], [4, 5])


def test_init_failure_is_reported_even_when_found_by_a_failed_send():
    loader = DataLoader(_tds(6), batch_sampler=_slow_batches(), num_workers=2,
                        worker_init_fn=_bad_init_0)
    with pytest.raises(OSError, match=r"worker process 0 \(in worker_init_fn\)"):
        list(loader)


def _bad_init_0(worker_id):
    if worker_id == 0:
        raise OSError("cannot open shard 0")


def test_a_worker_whose_parent_died_before_it_started_leaves():
    """The parent's pid is taken by the parent: a worker that starts after its parent died
    (under load the fork can run late) sees an adopter's pid from getppid(), and must not take
    that for its parent (it then waited forever: the orphaned-workers test failed now and then)."""
    import multiprocessing as mp
    import time

    from nn.data import _worker_loop

    ctx = mp.get_context("fork")
    parent_end, child_end = ctx.Pipe(duplex=True)
    not_the_parent = os.getpid() + 10_000_000  # no process has it: "the parent has gone"
    proc = ctx.Process(target=_worker_loop,
                       args=(child_end, None, None, 0, 1, 0, None, not_the_parent))
    start = time.monotonic()
    proc.start()
    proc.join(30)
    alive = proc.is_alive()
    if alive:
        proc.kill()
        proc.join()
    assert not alive and proc.exitcode == 0
    assert time.monotonic() - start < 30


class NumpyDraws(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return np.random.randint(0, 2 ** 31, size=2)


@pytest.mark.torch_parity
def test_workers_numpy_draws_are_pytorchs():
    # PyTorch seeds numpy in worker w from the hash of [w, base_seed low, base_seed high, 0];
    # the seeding here hashed [base_seed, w] and gave other numpy draws in every worker
    torch = pytest.importorskip("torch")
    tdata = torch.utils.data

    class TorchNumpyDraws(tdata.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return np.random.randint(0, 2 ** 31, size=2)

    ag.manual_seed(3)
    torch.manual_seed(3)
    ours = [b.tolist() for b in DataLoader(NumpyDraws(), batch_size=2, num_workers=2,
                                             multiprocessing_context="fork")]
    theirs = [b.tolist() for b in tdata.DataLoader(TorchNumpyDraws(), batch_size=2,
                                                   num_workers=2, multiprocessing_context="fork")]
    assert ours == theirs
