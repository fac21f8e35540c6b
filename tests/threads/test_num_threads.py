"""ag.set_num_threads / ag.get_num_threads: PyTorch's names and errors, and that the count
reaches both pools (Numba's kernels: serial builds at 1, Numba's pool size otherwise; the BLAS
via threadpoolctl). Checks that need a fresh Numba (the count applied when its pool starts, the
default from the environment at import) run in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import autograd_core as ag
from autograd_core import threads
from autograd_core.kernels import _jit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restore_threads(monkeypatch):
    """Put the module, TAPEGRAD_PARALLEL and the BLAS pool back as they were."""
    from threadpoolctl import threadpool_info

    before = (threads._num_threads, threads._saved_parallel_env, os.environ.get("TAPEGRAD_PARALLEL"))
    blas = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    yield
    threads._num_threads, threads._saved_parallel_env, env = before
    if env is None:
        os.environ.pop("TAPEGRAD_PARALLEL", None)
    else:
        os.environ["TAPEGRAD_PARALLEL"] = env
    from threadpoolctl import ThreadpoolController

    ThreadpoolController().limit(limits=max(blas.values(), default=1), user_api="blas")


def blas_threads():
    from threadpoolctl import threadpool_info

    return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def run_fresh(code, **env):
    full = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    for var in ("TAPEGRAD_NUM_THREADS", "OMP_NUM_THREADS", "TAPEGRAD_PARALLEL"):
        if var not in env:
            full.pop(var, None)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=False,
                          capture_output=True, text=True, env=full, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.split()


@pytest.mark.parametrize("bad, message", [
    (0, "set_num_threads expects a positive integer"),
    (-3, "set_num_threads expects a positive integer"),
    (2.5, "set_num_threads expects an int, but got float"),
    ("2", "set_num_threads expects an int, but got str"),
    (True, "set_num_threads expects an int, but got bool"),
    (None, "set_num_threads expects an int, but got NoneType"),
])
def test_bad_counts_raise_pytorchs_error_and_change_nothing(restore_threads, bad, message):
    ag.set_num_threads(1)
    with pytest.raises(RuntimeError) as exc:
        ag.set_num_threads(bad)
    assert str(exc.value) == message
    assert ag.get_num_threads() == 1 and blas_threads() == {1}
    assert os.environ.get("TAPEGRAD_PARALLEL") == "0"


@pytest.mark.torch_parity
@pytest.mark.parametrize("bad", [0, -1, 2.5, "2", True])
def test_errors_are_pytorchs(bad):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        torch.set_num_threads(bad)
    with pytest.raises(RuntimeError) as ours:
        threads._check(bad)
    assert str(ours.value) == str(theirs.value)


def test_one_thread_means_serial_kernels_and_one_blas_thread(restore_threads):
    ag.set_num_threads(1)
    assert ag.get_num_threads() == 1
    assert not _jit.parallel_enabled()
    assert blas_threads() == {1}


def test_more_threads_restore_the_users_parallel_switch(restore_threads, monkeypatch):
    monkeypatch.setenv("TAPEGRAD_PARALLEL", "yes")
    threads._saved_parallel_env = threads._UNSET
    ag.set_num_threads(1)
    assert os.environ["TAPEGRAD_PARALLEL"] == "0"
    ag.set_num_threads(2)
    assert os.environ["TAPEGRAD_PARALLEL"] == "yes" and _jit.parallel_enabled()
    assert ag.get_num_threads() == 2 and blas_threads() == {2}
    monkeypatch.delenv("TAPEGRAD_PARALLEL")
    threads._saved_parallel_env = threads._UNSET
    ag.set_num_threads(1)
    ag.set_num_threads(3)
    assert "TAPEGRAD_PARALLEL" not in os.environ


def test_numpy_index_types_are_accepted(restore_threads):
    import numpy as np

    ag.set_num_threads(np.int64(1))
    assert ag.get_num_threads() == 1 and type(ag.get_num_threads()) is int


def test_count_set_before_numba_starts_reaches_its_pool():
    """Set before the first parallel kernel: applied when Numba's pool starts (the optimizer's
    Adam kernel on 2**19 floats is a parallel build whatever TAPEGRAD_PARALLEL says)."""
    out = run_fresh("""
        import sys
        import autograd_core as ag, optimizers
        ag.set_num_threads(1)
        assert "numba" not in sys.modules
        p = ag.zeros(1 << 19, requires_grad=True)
        p.grad = ag.ones(1 << 19)
        optimizers.Adam([p]).step()
        import numba
        print(numba.get_num_threads(), p._data[0])
        ag.set_num_threads(2)
        print(numba.get_num_threads())
    """)
    assert out[0] == "1" and float(out[1]) == pytest.approx(-1e-3)
    assert out[2] == str(min(2, os.cpu_count()))


@pytest.mark.parametrize("var", ["TAPEGRAD_NUM_THREADS", "OMP_NUM_THREADS"])
def test_default_comes_from_the_environment_and_is_applied_at_import(var):
    out = run_fresh("""
        import os, sys
        import autograd_core as ag
        from threadpoolctl import threadpool_info
        blas = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
        print(ag.get_num_threads(), os.environ.get("TAPEGRAD_PARALLEL"), sorted(blas)[0],
              "numba" in sys.modules)
    """, **{var: "1"})
    assert out == ["1", "0", "1", "False"]


def test_default_is_the_measured_one_and_applied_at_import_without_numba():
    """DEFAULT_NUM_THREADS (chosen with tapegrad-bench contention) in a fresh process: the BLAS
    is limited and the kernels serial from the start, and numba is still not imported."""
    cores = len(os.sched_getaffinity(0))
    expected = cores if threads.DEFAULT_NUM_THREADS is None else min(
        threads.DEFAULT_NUM_THREADS, cores)
    out = run_fresh("""
        import os, sys
        import autograd_core as ag
        from threadpoolctl import threadpool_info
        blas = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
        print(ag.get_num_threads(), os.environ.get("TAPEGRAD_PARALLEL"), sorted(blas)[0],
              "numba" in sys.modules)
    """)
    serial = "0" if expected == 1 else "None"
    assert out == [str(expected), serial, str(expected), "False"]


def test_users_parallel_switch_survives_the_default_but_not_an_explicit_call():
    out = run_fresh("""
        import os
        import autograd_core as ag
        print(os.environ["TAPEGRAD_PARALLEL"])
        ag.set_num_threads(1)
        print(os.environ["TAPEGRAD_PARALLEL"])
    """, TAPEGRAD_PARALLEL="1")
    assert out == ["1", "0"]
