"""Every fused Numba kernel (serial and parallel build) equals its numpy twin, float32 and
float64, for every runtime flag, at sizes below and above the parallel threshold."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from autograd_core.kernels import optim as KO
from autograd_core.kernels import optim_ref as KR
from optimizers import functional as F

SIZES = [1, 37, KO.PARALLEL_MIN_SIZE + 13]


def _arrays(rng, n, dt, k, positive=()):
    out = []
    for i in range(k):
        a = rng.standard_normal(n)
        out.append((np.abs(a) + 0.1 if i in positive else a).astype(dt))
    return out


def _flags_cases(name):
    """(state array factory indices, coefficient builder) for each flag combination."""
    if name == "sgd":
        for mom, first, nest, mx, wd in itertools.product([0.0, 0.9], [False, True],
                                                          [False, True], [False, True],
                                                          [0.0, 0.1]):
            if nest and mom == 0:
                continue
            yield 1, (), lambda t, mom=mom, first=first, nest=nest, mx=mx, wd=wd: \
                F.sgd_coefficients(t, lr=0.1, weight_decay=wd, momentum=mom, dampening=0.2 * (
                    not nest), nesterov=nest, maximize=mx, first_step=first)
    elif name == "adam":
        for ams, mx, wd, dec, b1 in itertools.product([False, True], [False, True], [0.0, 0.1],
                                                      [False, True], [0.9, 0.3]):
            yield 3, (1, 2), lambda t, ams=ams, mx=mx, wd=wd, dec=dec, b1=b1: \
                F.adam_coefficients(t, 3.0, lr=0.01, beta1=b1, beta2=0.99, eps=1e-8,
                                    weight_decay=wd, amsgrad=ams, maximize=mx,
                                    decoupled_weight_decay=dec)
    elif name == "adagrad":
        for mx, wd, dec in itertools.product([False, True], [0.0, 0.1], [False, True]):
            yield 1, (0,), lambda t, mx=mx, wd=wd, dec=dec: F.adagrad_coefficients(
                t, 2.0, lr=0.1, lr_decay=0.01, weight_decay=wd, eps=1e-10, maximize=mx,
                decoupled_weight_decay=dec)
    elif name == "rmsprop":
        for c, m, mx, wd, a in itertools.product([False, True], [0.0, 0.9], [False, True],
                                                 [0.0, 0.1], [0.99, 0.3]):
            yield 3, (0,), lambda t, c=c, m=m, mx=mx, wd=wd, a=a: F.rmsprop_coefficients(
                t, lr=0.01, alpha=a, eps=1e-8, weight_decay=wd, momentum=m, centered=c,
                maximize=mx, decoupled_weight_decay=False)
    elif name == "adadelta":
        for mx, wd, dec in itertools.product([False, True], [0.0, 0.1], [False, True]):
            yield 2, (0, 1), lambda t, mx=mx, wd=wd, dec=dec: F.adadelta_coefficients(
                t, lr=1.0, rho=0.9, eps=1e-6, weight_decay=wd, maximize=mx,
                decoupled_weight_decay=dec)
    elif name == "adamax":
        for mx, wd, b1 in itertools.product([False, True], [0.0, 0.1], [0.9, 0.2]):
            yield 2, (1,), lambda t, mx=mx, wd=wd, b1=b1: F.adamax_coefficients(
                t, 4.0, lr=0.002, beta1=b1, beta2=0.999, eps=1e-8, weight_decay=wd,
                maximize=mx, decoupled_weight_decay=False)
    elif name == "nadam":
        for mx, wd, dec in itertools.product([False, True], [0.0, 0.1], [False, True]):
            yield 2, (1,), lambda t, mx=mx, wd=wd, dec=dec: F.nadam_coefficients(
                t, 3.0, 0.7, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=wd,
                momentum_decay=0.004, maximize=mx, decoupled_weight_decay=dec)
    elif name == "radam":
        for step, mx, wd, dec in itertools.product([2.0, 9.0], [False, True], [0.0, 0.1],
                                                   [False, True]):
            yield 2, (1,), lambda t, step=step, mx=mx, wd=wd, dec=dec: F.radam_coefficients(
                t, step, lr=0.01, beta1=0.9, beta2=0.9, eps=1e-8, weight_decay=wd,
                maximize=mx, decoupled_weight_decay=dec)
    elif name == "rprop":
        for mx in (False, True):
            yield 2, (1,), lambda t, mx=mx: F.rprop_coefficients(
                t, etas=(0.5, 1.2), step_sizes=(1e-3, 1.0), maximize=mx)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(KO.KERNELS))
def test_fused_kernel_equals_numpy_twin(name, dtype):
    rng = np.random.default_rng(hash(name) % 2**32)
    serial, parallel = KO.KERNELS[name]
    twin = KR.KERNELS[name][0]
    for n in SIZES:
        for n_state, positive, coefs in _flags_cases(name):
            co = coefs(np.dtype(dtype).type)
            p, g = _arrays(rng, n, dtype, 2)
            states = _arrays(rng, n, dtype, n_state, positive=positive)
            if name == "rmsprop":  # keep the centered variance positive
                states[0] += np.asarray(states[1], dtype) ** 2
            ref = [a.copy() for a in [p, g, *states]]
            twin(*ref, *co)
            for kern in (serial, parallel):
                got = [a.copy() for a in [p, g, *states]]
                kern(*got, *co)
                for a, b in zip(got, ref):
                    np.testing.assert_array_equal(a, b)


def test_parallel_kernels_are_separate_functions():
    """Numba's cache ignores compile options: serial and parallel must not share a function."""
    for serial, parallel in KO.KERNELS.values():
        assert serial.py_func is not parallel.py_func
        assert serial.__name__.endswith("_serial") and parallel.__name__.endswith("_parallel")


def test_parallel_kernels_contain_a_parfor():
    """Guard against the 'silently skipped prange' hazard (a correct but serial kernel).

    Cached builds cannot be inspected, so: every parallel kernel loops with ``prange`` and the
    module's ``prange`` is numba's once a parallel kernel ran; and a fresh, uncached parallel
    compile of the Adam kernel contains a parallel region (a gufunc) and equals the twin.
    """
    import inspect

    import numba

    from autograd_core.kernels._jit import BASE_OPTIONS

    for name, (serial, parallel) in KO.KERNELS.items():
        assert "prange(" in inspect.getsource(parallel.py_func)
        assert "prange(" not in inspect.getsource(serial.py_func)
    _call_once("sgd", KO.sgd_parallel)
    assert KO.prange is numba.prange
    fresh = numba.njit(parallel=True, cache=False, **BASE_OPTIONS)(KO.adam_parallel.py_func)
    _call_once("adam", fresh)
    assert "gufunc" in fresh.inspect_llvm(fresh.signatures[0])


def _call_once(name, kern):
    rng = np.random.default_rng(1)
    n_state, positive, coefs = next(iter(_flags_cases(name)))
    arrs = _arrays(rng, 64, np.float64, 2 + n_state, positive=tuple(i + 2 for i in positive))
    kern(*arrs, *coefs(np.float64))


def test_float32_kernels_compute_in_float32():
    """Coefficients are cast to the parameter dtype, so float32 stays float32 end to end."""
    co = F.adam_coefficients(np.float32, 1.0, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8,
                             weight_decay=0.0, amsgrad=False, maximize=False,
                             decoupled_weight_decay=False)
    assert all(type(c) in (np.float32, bool, int) for c in co)
