"""A first gradient taken with ``create_graph=True`` equals the plain one.

Under ``create_graph`` the engine runs each rule on Tensors (so that the result can be
differentiated again); without it, on arrays, and some rules take another path there (a fused
kernel, a numpy-only formula). The two must give the same numbers, at ordinary points and at
the points where rules branch or lose precision: zeros, ties, large and tiny magnitudes, -0.0.
(A reverse cumulative sum written as a total minus a running sum lost every small term after a
large one, under create_graph only: logcumsumexp's and cumprod's gradients were wrong there.)
"""

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.registry import OPS

MODES = ("plain", "zeros", "ties", "big", "tiny", "negzero")


def _inputs(sample, mode):
    shapes = list(sample.shapes) if sample.shapes else [(3, 4)] * sample.n_inputs
    rng = np.random.default_rng(0)
    arrays = [sample.draw(shape, rng, k) for k, shape in enumerate(shapes)]
    for a in arrays:  # a third of the elements of each input replaced
        flat = a.reshape(-1)
        if flat.size < 2 or mode == "plain":
            continue
        idx = rng.choice(flat.size, flat.size // 3, replace=False)
        sign = rng.choice([-1.0, 1.0], idx.size)
        flat[idx] = {
            "zeros": 0.0, "ties": flat[idx[0]], "negzero": -0.0,
            "big": sign * rng.choice([30.0, 90.0, 120.0, 800.0], idx.size),
            "tiny": sign * rng.choice([1e-30, 1e-200, 1e-310], idx.size),
        }[mode]
    return arrays


def _first_gradient(sample, arrays, create_graph):
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    out = sample.fn(*xs)
    outs = [o for o in (out if isinstance(out, tuple) else (out,)) if o.requires_grad]
    if not outs:
        return None
    rng = np.random.default_rng(1)
    loss = sum((o * ag.tensor(rng.standard_normal(o.shape))).sum() for o in outs)
    grads = ag.autograd.grad(loss, xs, create_graph=create_graph, allow_unused=True)
    return [None if g is None else g.detach().numpy() for g in grads]


@pytest.mark.parametrize("sample", OPS, ids=lambda s: s.name)
def test_create_graph_gives_the_plain_gradient(sample):
    for mode in MODES:
        arrays = _inputs(sample, mode)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # poles and overflow at these points: not the test
            plain = _first_gradient(sample, arrays, False)
            if plain is None:
                return
            connected = _first_gradient(sample, arrays, True)
        for k, (p, c) in enumerate(zip(plain, connected)):
            assert (p is None) == (c is None), (mode, k)
            if p is not None:
                np.testing.assert_allclose(c, p, rtol=1e-9, atol=1e-12, equal_nan=True,
                                           err_msg=f"{sample.name}, {mode} inputs, input {k}")


def test_logcumsumexp_create_graph_over_a_wide_range_is_finite_and_plain():
    # inputs spanning 1600: exp(c - y) with one shift per slice overflowed, in float32 and 64
    values = np.array([[800.0, -1.26, -800.0, 0.041], [-90.0, -0.13, 0.64, -120.0]])
    for dtype in (ag.float32, ag.float64):
        g = ag.tensor([[1.0, -2.0, 0.5, 3.0], [0.3, 1.0, -1.0, 2.0]], dtype=dtype)
        grads = []
        for create_graph in (False, True):
            x = ag.tensor(values, dtype=dtype, requires_grad=True)
            (gx,) = ag.autograd.grad(ag.logcumsumexp(x, 1), x, g, create_graph=create_graph)
            grads.append(gx.detach().numpy())
        assert np.isfinite(grads[1]).all()
        # by hand: x_0 = 800 dominates every y_k of row 0, so its gradient is the sum of g
        assert grads[1][0, 0] == pytest.approx(1.0 - 2.0 + 0.5 + 3.0)
        np.testing.assert_allclose(grads[1], grads[0], rtol=1e-4, atol=1e-30)
