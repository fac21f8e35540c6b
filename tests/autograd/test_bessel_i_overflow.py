"""``i0`` and ``special.i1`` of large inputs are inf, as PyTorch's, without numpy's overflow
warnings ("overflow encountered in cast" / "in exp"). In float32 PyTorch evaluates
``exp(|x|)`` times a series, so its result is inf from ``|x| = 88.72283935546875`` (where
float32's exp overflows) although the true value, ~1e37, would fit."""

import math

import numpy as np
import pytest

import autograd_core as ag

EXP_LIMIT_F32 = 88.72283935546875  # the smallest float32 whose float32 exp is inf
BELOW = float(np.nextafter(np.float32(EXP_LIMIT_F32), np.float32(0)))


def _series(x, order):
    """i0 or i1 by the power series sum_k (x/2)^(2k+order) / (k! (k+order)!), in Python
    floats (no numpy), each term from the previous one."""
    term = x / 2 if order else 1.0
    terms = [term]
    for k in range(1, 400):
        term *= (x * x / 4) / (k * (k + order))
        terms.append(term)
    return math.fsum(terms)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_large_inputs_give_inf_without_a_warning(dtype):
    x = ag.tensor([1e4, -1e4, 800.0, -800.0], dtype=dtype)
    assert ag.i0(x).tolist() == [math.inf] * 4
    assert ag.special.i0(x).tolist() == [math.inf] * 4
    assert ag.special.i1(x).tolist() == [math.inf, -math.inf, math.inf, -math.inf]
    at_inf = ag.tensor([math.inf, -math.inf], dtype=dtype)  # NaN there, as PyTorch's
    assert np.isnan(ag.i0(at_inf).numpy()).all() and np.isnan(ag.special.i1(at_inf).numpy()).all()


@pytest.mark.filterwarnings("error")
def test_float32_overflows_where_its_exp_does():
    x = ag.tensor([EXP_LIMIT_F32, -EXP_LIMIT_F32, 89.0, BELOW, -BELOW, 50.0], dtype=ag.float32)
    i0 = ag.i0(x).tolist()
    i1 = ag.special.i1(x).tolist()
    assert i0[:3] == [math.inf] * 3 and i1[:3] == [math.inf, -math.inf, math.inf]
    for k in (3, 4, 5):  # finite below the limit: the series' value in float32
        v = x[k].item()
        assert i0[k] == pytest.approx(_series(v, 0), rel=1e-6)
        assert i1[k] == pytest.approx(_series(v, 1), rel=1e-6)


@pytest.mark.filterwarnings("error")
def test_backward_at_large_inputs_is_quiet():
    x = ag.tensor([100.0, -100.0, 1.0], requires_grad=True)
    ag.i0(x).sum().backward()
    assert x.grad.tolist()[:2] == [math.inf, -math.inf]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_as_pytorch(dtype):
    torch = pytest.importorskip("torch")
    x = np.array([0.0, 1.0, 50.0, 88.0, BELOW, EXP_LIMIT_F32, 88.75, 89.0, 100.0, 700.0, 714.0,
                  1e4, np.inf, np.nan])
    x = np.concatenate([x, -x]).astype(dtype)
    for name in ("i0", "special.i0", "special.i1"):
        ours = eval(f"ag.{name}")(ag.tensor(x)).numpy()
        theirs = eval(f"torch.{name}")(torch.tensor(x)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=2e-6, equal_nan=True, err_msg=name)
