"""clip_grad_norm_ / clip_grad_value_ / parameters_to_vector against hand computations."""

import numpy as np
import pytest

import nn
from autograd_core import Tensor


def _params_with_grads():
    ps = [nn.Parameter(np.zeros((2, 3))), nn.Parameter(np.zeros(4))]
    ps[0].grad = Tensor._wrap(np.full((2, 3), 2.0))
    ps[1].grad = Tensor._wrap(np.array([1.0, -1.0, 3.0, 0.0]))
    return ps


def test_clip_grad_norm_scales_to_max_norm():
    ps = _params_with_grads()
    total = np.sqrt(6 * 4.0 + 1 + 1 + 9)
    ret = nn.utils.clip_grad_norm_(ps, max_norm=1.0)
    assert float(np.asarray(ret.data if isinstance(ret, Tensor) else ret)) == pytest.approx(total)
    new = np.sqrt(sum(float((p.grad.data ** 2).sum()) for p in ps))
    assert new == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(ps[1].grad.data, np.array([1.0, -1.0, 3.0, 0.0]) / (total + 1e-6))
    ps = _params_with_grads()
    nn.utils.clip_grad_norm_(ps, max_norm=100.0)  # below the threshold: untouched
    np.testing.assert_array_equal(ps[0].grad.data, 2.0)


def test_clip_grad_value_and_vector_round_trip():
    ps = _params_with_grads()
    nn.utils.clip_grad_value_(ps, 1.5)
    np.testing.assert_array_equal(ps[1].grad.data, [1.0, -1.0, 1.5, 0.0])
    np.testing.assert_array_equal(ps[0].grad.data, 1.5)
    v = nn.utils.parameters_to_vector(ps)
    assert v.shape == (10,)
    nn.utils.vector_to_parameters(Tensor._wrap(np.arange(10.0)), ps)
    np.testing.assert_array_equal(ps[0].data, np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(ps[1].data, np.arange(6.0, 10.0))
