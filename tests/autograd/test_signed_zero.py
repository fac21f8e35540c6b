"""-0.0 where PyTorch's result depends on the sign of a zero (found by running every op of the
table on inputs holding -0.0 against PyTorch): ``angle`` of a real -0.0 is 0 (numpy's angle
gives pi), ``digamma`` (and so ``lgamma``'s gradient) is +inf at -0.0 and -inf at +0.0."""

import math

import numpy as np
import pytest

import autograd_core as ag

VALUES = [-0.0, 0.0, -1.0, 2.0, math.nan, -math.inf, math.inf]


@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_angle_of_reals_by_hand(dtype):
    out = ag.angle(ag.tensor(VALUES, dtype=dtype))
    assert out.dtype == dtype
    want = np.array([0.0, 0.0, math.pi, 0.0, math.nan, math.pi, 0.0], dtype=out.numpy().dtype)
    np.testing.assert_array_equal(out.numpy(), want)
    assert ag.angle(ag.tensor([-3, 0, 4])).tolist() == pytest.approx([math.pi, 0.0, 0.0])


@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_digamma_and_lgamma_gradient_at_signed_zeros(dtype):
    out = ag.digamma(ag.tensor([-0.0, 0.0, -1.0], dtype=dtype)).tolist()
    assert out[:2] == [math.inf, -math.inf] and math.isnan(out[2])
    x = ag.tensor([-0.0, 0.0], dtype=dtype, requires_grad=True)
    ag.lgamma(x).sum().backward()
    assert x.grad.tolist() == [math.inf, -math.inf]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["angle", "digamma"])
def test_equals_torch(name):
    torch = pytest.importorskip("torch")
    for dtype in ("float32", "float64"):
        values = np.array(VALUES + [-2.5, 0.5], dtype=dtype)
        ours = getattr(ag, name)(ag.tensor(values)).numpy()
        theirs = getattr(torch, name)(torch.tensor(values)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        np.testing.assert_array_equal(np.isinf(ours) & (ours > 0), np.isinf(theirs) & (theirs > 0))
