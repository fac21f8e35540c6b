"""``kernels.conv.adaptive_max_index`` (adaptive max pooling's maxima, one loop per window):
the Numba loops equal the numpy twin (serial and parallel builds, ties, NaNs, windows that
overlap and do not divide the input), the indices are PyTorch's, bad input is refused."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F
from autograd_core.kernels import _conv_numba as NB
from autograd_core.kernels import conv as K


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=40, deadline=None)
@given(H=st.integers(1, 9), W=st.integers(1, 9), oh=st.integers(1, 9), ow=st.integers(1, 9),
       kind=st.sampled_from(["normal", "ties", "nan", "-inf"]), seed=st.integers(0, 2**16))
def test_loops_equal_twin(dtype, H, W, oh, ow, kind, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, H, W)).astype(dtype)
    if kind == "ties":
        x = np.round(x)
    elif kind == "nan":
        x[rng.random(x.shape) < 0.2] = np.nan
    elif kind == "-inf":
        x[rng.random(x.shape) < 0.7] = -np.inf
    twin = K.adaptive_max_index_numpy(x, oh, ow)
    for build in (NB.adaptive_max_index_serial, NB.adaptive_max_index_parallel):
        idx = np.empty((2, 3, oh, ow), np.int64)
        build(x, idx)
        np.testing.assert_array_equal(idx, twin)


def test_closed_form_by_hand():
    # 1 x 5 into 2 windows: columns [0, 3) and [2, 5); the first maximum, then the last NaN
    x = np.array([[[[1.0, 3.0, 3.0, 0.0, 2.0]]]])
    np.testing.assert_array_equal(K.adaptive_max_index(x, 1, 2), [[[[1, 2]]]])
    x[0, 0, 0, [0, 1]] = np.nan
    np.testing.assert_array_equal(K.adaptive_max_index(x, 1, 2), [[[[1, 2]]]])


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="adaptive_max_index: x must be"):
        K.adaptive_max_index(np.zeros((1, 1, 2, 2), np.int64), 1, 1)
    with pytest.raises(ValueError, match="adaptive_max_index: output"):
        K.adaptive_max_index(np.zeros((1, 1, 2, 2)), 0, 1)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("nd,spatial,out", [(1, (10,), (4,)), (2, (32, 32), (7, 7)),
                                            (2, (5, 6), (4, 5)), (2, (3, 5), (5, 3))])
def test_indices_values_and_gradient_are_torchs(dtype, nd, spatial, out):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    a = np.round(rng.standard_normal((2, 3) + spatial) * 2).astype(dtype)  # ties
    a[rng.random(a.shape) < 0.05] = np.nan
    x = ag.tensor(a, requires_grad=True)
    y, idx = getattr(F, f"adaptive_max_pool{nd}d")(x, out, return_indices=True)
    g = rng.standard_normal(tuple(y.shape)).astype(dtype)
    y.backward(ag.tensor(g))
    t = torch.tensor(a, requires_grad=True)
    ty, tidx = getattr(torch.nn.functional, f"adaptive_max_pool{nd}d")(t, out, return_indices=True)
    ty.backward(torch.tensor(g))
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
