"""The fused-kernel machinery (``autograd_core.kernels.optim``): one loop gives a serial and a
parallel Numba build with separate cache entries, both equal to the numpy twin (test_generic.py
holds every algorithm to that), and every call checks its arrays before it runs."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from autograd_core.kernels.optim import PARALLEL_MIN_SIZE, kernel, prange
from optimizers.registry import ALGORITHMS

KERNELS = sorted({spec.cls.update for spec in ALGORITHMS.values()}, key=lambda k: k.name)
IDS = [k.name for k in KERNELS]


def _valid_args(kern, n=8, dtype=np.float64, flags=True):
    """Arguments for one call: random arrays, every flag true (so every array is used)."""
    rng = np.random.default_rng(0)
    arrays = [np.abs(rng.standard_normal(n)).astype(dtype) + 0.5 for _ in kern.arrays]
    t = np.dtype(dtype).type
    scalars = []
    for name in kern.Coefficients._fields:
        flag = name in kern.optional.values() or name in ("maximize", "amsgrad", "centered")
        scalars.append(flags if flag else (0 if name == "wd_mode" else t(0.5)))
    return arrays, scalars


@pytest.mark.parametrize("kern", KERNELS, ids=IDS)
def test_every_array_is_checked_before_the_kernel_runs(kern, monkeypatch):
    """A short, long, 2-D or wrongly typed array is refused with the kernel's and the array's
    name, under both backends, before anything is written (today's optimizer paths can no
    longer reach the kernels with such arrays; direct calls must not either)."""
    for backend in ("numba", "numpy"):
        monkeypatch.setenv("TAPEGRAD_KERNELS", backend)
        arrays, scalars = _valid_args(kern)
        kern(*[a.copy() for a in arrays], *scalars)  # the valid call runs
        for i, name in enumerate(kern.arrays):
            for bad in (arrays[i][:5], np.resize(arrays[i], 12), arrays[i].reshape(2, 4),
                        arrays[i].astype(np.float32), list(arrays[i])):
                args = [a.copy() for a in arrays]
                args[i] = bad
                snapshot = [np.array(a, copy=True) for a in args]
                with pytest.raises(ValueError, match=rf"kernel {kern.name}: ") as err:
                    kern(*args, *scalars)
                assert name in str(err.value)
                for a, s in zip(args, snapshot):
                    np.testing.assert_array_equal(a, s)


@pytest.mark.parametrize("kern", [k for k in KERNELS if k.optional], ids=lambda k: k.name)
def test_optional_arrays_may_be_empty_only_when_unused(kern):
    arrays, scalars = _valid_args(kern)
    fields = kern.Coefficients._fields
    for array, flag in kern.optional.items():
        i = kern.arrays.index(array)
        args = [a.copy() for a in arrays]
        args[i] = np.empty(0, args[0].dtype)
        with pytest.raises(ValueError, match=array):
            kern(*args, *scalars)  # flag on: the empty array would be read out of bounds
        off = list(scalars)
        off[fields.index(flag)] = False
        kern(*args, *off)


def test_kernel_declaration_is_checked():
    with pytest.raises(TypeError, match="must start with"):
        @kernel("m")
        def bad(param, m, grad, lr):
            pass

    with pytest.raises(TypeError, match="optional"):
        @kernel("m", optional={"m": "nope"})
        def bad2(param, grad, m, lr):
            pass

    @kernel("m")
    def good(param, grad, m, lr):
        for i in prange(param.shape[0]):
            param[i] = param[i] - lr * grad[i]

    with pytest.raises(TypeError, match="signature"):
        @good.numpy
        def twin(param, grad, lr):
            pass

    assert good.Coefficients._fields == ("lr",)


def test_serial_and_parallel_builds_are_copies_with_their_own_cache_entries():
    """Numba's cache ignores compile options and keys on the qualified name: the two builds are
    two copies of one loop, with distinct names, and each is loaded from its own cache file."""
    import numba

    kern = ALGORITHMS["adam"].cls.update
    serial, parallel = kern.builds()
    assert serial.py_func.__qualname__ == "adam_serial"
    assert parallel.py_func.__qualname__ == "adam_parallel"
    assert serial.py_func.__code__ is kern.py_func.__code__ is parallel.py_func.__code__
    assert serial.py_func.__globals__["prange"] is range
    assert parallel.py_func.__globals__["prange"] is numba.prange
    assert serial.targetoptions.get("parallel") is False
    assert parallel.targetoptions.get("parallel") is True

    arrays, scalars = _valid_args(kern, flags=False)
    kern(*arrays, *scalars)
    big, _ = _valid_args(kern, n=PARALLEL_MIN_SIZE + 1, flags=False)
    kern(*big, *scalars)
    if not hasattr(serial._cache, "_cache_path"):
        pytest.skip("no writable Numba cache here (compiled without one)")
    folder = os.path.dirname(serial._cache._cache_path + os.sep)
    files = {os.path.basename(f) for f in glob.glob(os.path.join(folder, "*adam_*.nb*"))}
    assert any("adam_serial" in f for f in files) and any("adam_parallel" in f for f in files)

    # a second process loads both builds from the cache, and the parallel one holds a parfor
    code = textwrap.dedent("""
        import numpy as np
        from optimizers.registry import ALGORITHMS
        k = ALGORITHMS["adam"].cls.update
        s, p = k.builds()
        n = 300000
        a = [np.ones(n) for _ in k.arrays]
        co = [np.float64(0.5)] * (len(k.Coefficients._fields) - 3) + [0, False, False]
        s(*a, *co); p(*a, *co)
        print(sum(s.stats.cache_hits.values()), sum(p.stats.cache_hits.values()))
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == ["1", "1"]
    par_files = glob.glob(os.path.join(folder, "*adam_parallel*.nbc"))
    ser_files = glob.glob(os.path.join(folder, "*adam_serial*.nbc"))
    assert any(b"gufunc" in open(f, "rb").read() for f in par_files)
    assert not any(b"gufunc" in open(f, "rb").read() for f in ser_files)


def test_a_fresh_parallel_compile_contains_a_parallel_region():
    """Guards against the 'silently skipped prange' hazard (a correct but serial kernel)."""
    import numba

    from autograd_core.kernels._jit import BASE_OPTIONS

    kern = ALGORITHMS["adam"].cls.update
    fresh = numba.njit(parallel=True, cache=False, **BASE_OPTIONS)(kern.build_function(True))
    arrays, scalars = _valid_args(kern, n=64, flags=False)
    fresh(*arrays, *scalars)
    assert "gufunc" in fresh.inspect_llvm(fresh.signatures[0])


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_rprop_backtracking_without_kept_updates_reads_no_update(backend, monkeypatch):
    """With ``keep_updates`` off, ``prev_update`` may be empty (the check accepts it), but
    ``backtrack`` read it: past its end in the Numba loop (silently), a broadcast error in the
    twin. Backtracking without kept updates now does nothing, as with ``backtrack`` off."""
    from optimizers.rprop import rprop

    monkeypatch.setenv("TAPEGRAD_KERNELS", backend)
    results = []
    for backtrack in (True, False):
        rng = np.random.default_rng(3)
        param, grad = rng.standard_normal(64), rng.standard_normal(64)
        prev, step = -grad.copy(), np.full(64, 0.1)  # every sign changes: the backtrack branch
        co = rprop.Coefficients(etaminus=0.5, etaplus=1.2, step_size_min=1e-6, step_size_max=50.0,
                                one=1.0, zero=0.0, zero_on_change=False, keep_updates=False,
                                backtrack=backtrack, maximize=False)
        rprop(param, grad, prev, step, np.empty(0), *co)
        results.append(param)
    np.testing.assert_array_equal(results[0], results[1])
