"""The step plan calls the multi-tensor kernel through Numba's compiled entry point once the
dispatcher has resolved it for the plan's argument types (skipping the dispatcher's typing of
~40 arguments). Results must be the dispatcher's, bit for bit, and a gradient of another kind
(read-only or misaligned: other Numba types) must still go through the dispatcher."""

import numpy as np
import pytest

import autograd_core as ag
import optimizers


def _params(dtype):
    rng = np.random.default_rng(0)
    return [ag.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
            for s in [(5, 3), (5,), (2, 5), (2,)]]


def _grads(params, k, dtype):
    out = []
    for i, p in enumerate(params):
        g = np.random.default_rng(100 * k + i).standard_normal(p.shape).astype(dtype)
        out.append(g)
    return out


def _run(cls, dtype, kwargs, entry, readonly_at=None, steps=6):
    params = _params(dtype)
    opt = cls(params, **kwargs)
    for k in range(steps):
        for p, g in zip(params, _grads(params, k, dtype)):
            if k == readonly_at:
                g.flags.writeable = False
            p.grad = ag.tensor(g) if k != readonly_at else ag.Tensor._make(g, None, False)
            assert p.grad._data.flags.writeable == (k != readonly_at)
        if not entry and opt._plans:  # force the dispatcher on every call of the plan
            env = opt._plans[0].run.__globals__
            for name in [n for n in env if n.startswith("E") and n[1:].isdigit()]:
                env[name] = env["M" + name[1:]]
        opt.step()
    return [p.detach().numpy().copy() for p in params], opt


CASES = [(optimizers.Adam, {"lr": 0.01}), (optimizers.SGD, {"lr": 0.1, "momentum": 0.9}),
         (optimizers.AdamW, {"lr": 0.01, "amsgrad": True})]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls,kwargs", CASES)
def test_entry_point_is_resolved_and_matches_the_dispatcher(cls, kwargs, dtype):
    got, opt = _run(cls, dtype, kwargs, entry=True)
    want, _ = _run(cls, dtype, kwargs, entry=False)
    env = opt._plans[0].run.__globals__
    assert any(type(env[n]).__name__ == "builtin_function_or_method"  # Numba's entry point
               for n in env if n.startswith("E") and n[1:].isdigit())
    for a, b in zip(got, want):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("cls,kwargs", CASES)
def test_read_only_grad_goes_through_the_dispatcher(cls, kwargs):
    got, _ = _run(cls, np.float32, kwargs, entry=True, readonly_at=4)
    want, _ = _run(cls, np.float32, kwargs, entry=False, readonly_at=4)
    plain, _ = _run(cls, np.float32, kwargs, entry=False)
    for a, b, c in zip(got, want, plain):
        assert a.tobytes() == b.tobytes() == c.tobytes()


def test_numpy_backend_keeps_the_twin(monkeypatch):
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    got, opt = _run(optimizers.Adam, np.float64, {"lr": 0.01}, entry=True)
    env = opt._plans[0].run.__globals__
    assert env["E0"] is env["M0"]  # a functools.partial of the twin: nothing to resolve
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numba")
    want, _ = _run(optimizers.Adam, np.float64, {"lr": 0.01}, entry=True)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
