"""Import cost, on-disk cache, read-only installs and the threading policy (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from autograd_core.kernels import _jit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(code, **env):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("TAPEGRAD_", "NUMBA_"))}
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    e.update(env)
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=e,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out


def test_fresh_process_import_threshold_and_unusable_cache_dir(tmp_path):
    """One subprocess (they cost a Numba start-up each): importing the package does not import
    numba; TAPEGRAD_PARALLEL_THRESHOLD is read at import; a NUMBA_CACHE_DIR that cannot hold a
    folder still lets the kernels run."""
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    out = _run(
        """
        import sys
        import numpy as np
        import autograd_core.kernels as K
        assert "numba" not in sys.modules, "import autograd_core.kernels imported numba"
        K.KERNELS["relu_forward"][1](np.ones(3))          # the numpy twins need no numba
        assert "numba" not in sys.modules
        y = K.relu_forward(np.array([-1.0, 2.0], np.float32))  # first Numba call imports it
        assert "numba" in sys.modules
        from autograd_core.kernels import activations_numba as A
        print(A.PARALLEL_THRESHOLD, A.PARALLEL_THRESHOLD_MEMORY_BOUND, y.tolist())
        """,
        TAPEGRAD_PARALLEL_THRESHOLD="12345",
        NUMBA_CACHE_DIR=str(blocker / "cache"),
    )
    assert out.stdout.strip() == "12345 12345 [0.0, 2.0]"
    assert isinstance(_jit.parallel_threshold(default=7), int)


_CACHE_PROBE = """
    import json, numpy as np
    from autograd_core.kernels import activations_numba as A
    x = np.linspace(-3, 3, 11).astype(np.float32)
    y = A.gelu_forward(x)
    d = A.LOOPS["gelu_forward"][0].dispatcher()
    s = d.stats
    print(json.dumps(dict(hits=sum(s.cache_hits.values()), misses=sum(s.cache_misses.values()),
                          y=y.tolist())))
"""


def test_second_process_loads_from_cache(tmp_path):
    first = json.loads(_run(_CACHE_PROBE, NUMBA_CACHE_DIR=str(tmp_path)).stdout)
    second = json.loads(_run(_CACHE_PROBE, NUMBA_CACHE_DIR=str(tmp_path)).stdout)
    assert first["misses"] == 1 and first["hits"] == 0
    assert second["hits"] == 1 and second["misses"] == 0  # no recompilation
    assert first["y"] == second["y"]


def _probe_loop(x, out):  # compiled fresh by the test below
    for i in range(x.size):
        out[i] = 2.0 * x[i]


def test_no_writable_cache_falls_back_to_uncached_compile(monkeypatch):
    """A read-only install with no writable user cache: Numba finds no cache locator and raises
    at decoration; the jit wrapper must warn and compile without a cache. (Running as root a
    chmod'ed folder stays writable, so the locators are removed instead.)"""
    _jit.numba_module()
    from numba.core import caching

    impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl  # renamed in numba 0.59
    monkeypatch.setattr(impl, "_locator_classes", [])
    wrapped = _jit.jit(_probe_loop)
    x = np.arange(5.0)
    out = np.empty_like(x)
    with pytest.warns(RuntimeWarning, match="no writable Numba cache for _probe_loop"):
        wrapped(x, out)
    np.testing.assert_array_equal(out, 2 * x)
    assert wrapped.dispatcher()._cache.__class__.__name__ == "NullCache"


# --- threading policy --------------------------------------------------------------------------


@pytest.fixture
def fake_launch(monkeypatch):
    """Replace Numba's pool start-up by a probe recording OMP_WAIT_POLICY at that moment."""
    _jit.numba_module()
    from numba.np.ufunc import parallel

    seen = []
    monkeypatch.setattr(
        parallel, "_launch_threads", lambda: seen.append(os.environ.get("OMP_WAIT_POLICY"))
    )
    monkeypatch.setattr(_jit, "_threads_started", False)
    # the thread count is applied to the pool once it runs; with the launch faked there is no
    # pool (run alone, this file's process never launched a real one: numba then fails)
    import autograd_core.threads as threads

    monkeypatch.setattr(threads, "_numba_set_running_pool", lambda n: None)
    for k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "TAPEGRAD_THREADING"):
        monkeypatch.delenv(k, raising=False)
    return seen


def test_pool_starts_passive_and_environment_is_restored(fake_launch):
    _jit.start_threads()
    _jit.start_threads()  # idempotent
    assert fake_launch == ["passive"]
    assert "OMP_WAIT_POLICY" not in os.environ


def test_user_wait_policy_is_respected(fake_launch, monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "active")
    _jit.start_threads()
    assert fake_launch == ["active"] and os.environ["OMP_WAIT_POLICY"] == "active"


def test_threading_policy_off(fake_launch, monkeypatch):
    monkeypatch.setenv("TAPEGRAD_THREADING", "off")
    _jit.start_threads()
    assert fake_launch == [None]
    monkeypatch.setenv("TAPEGRAD_THREADING", "spin")
    with pytest.raises(ValueError):
        _jit.threading_policy()


def test_parallel_kernel_runs_in_fresh_process_with_policy():
    """End to end: the pool starts under the policy, kernels run, the variable is gone after."""
    out = _run(
        """
        import os, numpy as np
        from autograd_core.kernels import activations_numba as A
        x = np.linspace(-3, 3, A.THRESHOLDS["tanh_forward"] + 5).astype(np.float32)
        y = A.tanh_forward(x)
        a = np.ones((64, 64), np.float32); a @ a     # OpenBLAS alongside
        y2 = A.tanh_forward(x, parallel=True)
        import numba
        assert numba.threading_layer() in ("omp", "tbb", "workqueue")
        assert (y == y2).all() and "OMP_WAIT_POLICY" not in os.environ
        print("ok")
        """
    )
    assert out.stdout.strip() == "ok"


def test_jit_wrapper_exposes_python_function():
    from autograd_core.kernels import activations_numba as A

    serial, parallel = A.LOOPS["relu_forward"]
    assert serial.py_func is not parallel.py_func  # separate functions: cache-collision hazard
    x = np.array([-1.0, 3.0])
    out = np.empty_like(x)
    serial.py_func(x, out)  # plain Python execution of the same loop (coverage, debugging)
    assert out.tolist() == [0.0, 3.0]


# --- Numba-only declarations, registered lazily (_jit.bind) ------------------------------------

prange = _jit.prange  # as in kernel modules: range in Python, numba.prange in a parallel build


@_jit.jitable
def _probe_twice(v):
    return _jit.cast(2.0, v) * v


def _probe_up_f32(v):
    return v + np.float32(1.0)


def _probe_up_f64(v):
    return v - 1.0


_probe_up = _jit.by_dtype(_probe_up_f32, _probe_up_f64)


def _probe_generic_parallel(x, out):
    for i in prange(x.size):
        out[i] = _probe_up(_probe_twice(x[i]))


def test_lazy_declarations_compile_and_run_as_python():
    """``jitable``, ``cast`` and ``by_dtype`` work in a parallel build (``prange`` bound there)
    and, unchanged, as plain Python: float32 takes the f32 body (2x + 1), float64 the other."""
    loop = _jit.jit(_probe_generic_parallel, parallel=True)
    for dtype, want in ((np.float32, [1.0, 3.0, -3.0]), (np.float64, [-1.0, 1.0, -5.0])):
        x = np.array([0.0, 1.0, -2.0], dtype)
        out, py_out = np.empty_like(x), np.empty_like(x)
        loop(x, out)
        loop.py_func(x, py_out)
        assert out.tolist() == py_out.tolist() == want
    compiled = loop.dispatcher()
    assert compiled.targetoptions["parallel"]
    assert compiled.py_func.__globals__["prange"] is _jit.numba_module().prange
    assert prange is range  # the module itself is left as it was


def _probe_late(v):  # registered by the test, after numba is bound
    return v * v


def _probe_late_loop(x, out):
    for i in range(x.size):
        out[i] = _probe_late(x[i])


def _probe_fma_loop(a, b, c, out):
    for i in range(a.size):
        out[i] = _jit.fma(a[i], b[i], c[i])


def test_declaration_after_bind_registers_at_once_and_fma_rounds_once():
    _jit.bind()
    _jit.jitable(_probe_late)
    x = np.array([3.0, -2.0])
    out = np.empty_like(x)
    _jit.jit(_probe_late_loop)(x, out)
    assert out.tolist() == [9.0, 4.0]
    # (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly; two roundings give 0
    a, b, c = np.array([1 + 2.0**-30]), np.array([1 - 2.0**-30]), np.array([-1.0])
    _jit.jit(_probe_fma_loop)(a, b, c, out[:1])
    assert out[0] == -(2.0**-60) and _jit.fma(a[0], b[0], c[0]) == 0.0
