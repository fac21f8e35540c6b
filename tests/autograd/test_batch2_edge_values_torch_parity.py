"""Edge values (zeros, signed zeros, NaN, inf) of the second batch's functions against
PyTorch 2.13: values and gradients that once differed silently."""

import numpy as np
import pytest

import autograd_core as ag


def _grads(lib, fn, xs, g):
    leaves = [lib.tensor(x, requires_grad=True) for x in xs]
    out = fn(lib, *leaves)
    return out, lib.autograd.grad(out, leaves, lib.tensor(g), allow_unused=True)


def _np(t):
    return np.asarray(t.detach().numpy() if hasattr(t, "numpy") else t.data)


@pytest.mark.torch_parity
def test_xlogy_gradient_at_zero_other_equals_torch():
    torch = pytest.importorskip("torch")
    x = [0.0, 2.0, 0.0, 0.0, -1.0, 0.0, 3.0, 0.5]
    y = [0.0, 0.0, -1.0, 2.0, -0.0, float("nan"), 0.0, 0.0]
    g = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, -2.0]
    fn = lambda m, a, b: m.xlogy(a, b)  # noqa: E731
    out_t, grads_t = _grads(torch, fn, [x, y], g)
    out_a, grads_a = _grads(ag, fn, [x, y], g)
    np.testing.assert_array_equal(_np(out_a), _np(out_t))
    for ours, theirs in zip(grads_a, grads_t):
        np.testing.assert_array_equal(_np(ours), _np(theirs))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_heaviside_nan_and_signed_zero_equal_torch(dtype):
    torch = pytest.importorskip("torch")
    if dtype == "int64":
        x, v = np.array([-3, 0, 4, 0]), np.array([7, 8, 9, -1])
    else:
        x = np.array([float("nan"), -0.0, 0.0, -2.0, 3.0, float("inf"), -float("nan")], dtype)
        v = np.array([5.0, 0.25, float("nan"), 1.0, 1.0, 1.0, 2.0], dtype)
    ours = ag.heaviside(ag.tensor(x), ag.tensor(v))
    theirs = torch.heaviside(torch.tensor(x), torch.tensor(v))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.torch_parity
def test_copysign_gradient_at_infinity_and_zero_equals_torch():
    torch = pytest.importorskip("torch")
    inf = float("inf")
    x = [0.0, inf, -inf, -0.0, 2.0, -3.0, float("nan")]
    y = [-1.0, 1.0, 1.0, -1.0, -0.0, 4.0, 1.0]
    g = [1.0, 1.0, 1.0, 1.0, 1.0, -2.0, 1.0]
    fn = lambda m, a, b: m.copysign(a, b.detach())  # noqa: E731
    out_t, (gx_t, _) = _grads(torch, fn, [x, y], g)
    out_a, (gx_a, _) = _grads(ag, fn, [x, y], g)
    np.testing.assert_array_equal(_np(out_a), _np(out_t))
    np.testing.assert_array_equal(_np(gx_a), _np(gx_t))


@pytest.mark.torch_parity
@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("shape,kwargs", [
    ((2, 3), {"correction": 5}), ((2, 0), {}), ((2, 3), {"correction": 3}),
    ((2, 3), {"fweights": [1, 0, 0]}), ((2, 3), {"aweights": [0.5, 0.1, 0.2], "correction": 4}),
    ((1, 4), {}), ((1, 4), {"correction": 0}), ((4,), {})])
def test_cov_degenerate_normalisation_and_one_variable_equal_torch(shape, kwargs):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(shape)
    ours = ag.cov(ag.tensor(x), **{k: ag.tensor(v) if isinstance(v, list) else v
                                    for k, v in kwargs.items()})
    theirs = torch.cov(torch.tensor(x), **{k: torch.tensor(v) if isinstance(v, list) else v
                                          for k, v in kwargs.items()})
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    if shape[0] == 1:
        assert tuple(ag.corrcoef(ag.tensor(x)).shape) == tuple(torch.corrcoef(torch.tensor(x)).shape)


@pytest.mark.torch_parity
@pytest.mark.parametrize("eps", [None, 0.0, 0.05, -0.1])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logit_gradient_at_and_outside_the_bounds_equals_torch(eps, dtype):
    torch = pytest.importorskip("torch")
    x = np.array([0.0, 1.0, 0.5, -0.1, 1.1, 0.05, 0.96, 0.3], dtype)
    g = np.array([1.0, -1.0, 2.0, 1.0, 1.0, 1.0, 1.0, -0.5], dtype)
    fn = lambda m, a: m.logit(a, eps=eps)  # noqa: E731
    out_t, (gx_t,) = _grads(torch, fn, [x], g)
    out_a, (gx_a,) = _grads(ag, fn, [x], g)
    np.testing.assert_allclose(_np(out_a), _np(out_t), rtol=1e-6)
    np.testing.assert_allclose(_np(gx_a), _np(gx_t), rtol=1e-6)
    assert _np(gx_a).dtype == np.dtype(dtype)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "bool"])
def test_vander_of_integers_is_int64_without_overflow_like_torch(dtype):
    torch = pytest.importorskip("torch")
    x = np.array([3, 1, 100, 2, 0]).astype(dtype)
    ours = ag.vander(ag.tensor(x), N=4)
    theirs = torch.vander(torch.tensor(x), N=4)
    assert ours.dtype == ag.int64 and theirs.dtype == torch.int64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["median", "nanmedian"])
@pytest.mark.parametrize("x", [[2.0, 1.0, 2.0, 3.0, 2.0], [[1.0, 1.0, 2.0, 2.0], [np.nan, 3.0, 3.0, np.nan]],
                               [np.nan, 1.0, np.nan], [4.0]])
def test_full_median_gradient_is_split_over_ties_like_torch(name, x):
    torch = pytest.importorskip("torch")
    fn = lambda m, a: getattr(m, name)(a)  # noqa: E731
    out_t, (gx_t,) = _grads(torch, fn, [x], 3.0)
    out_a, (gx_a,) = _grads(ag, fn, [x], 3.0)
    np.testing.assert_array_equal(_np(out_a), _np(out_t))
    np.testing.assert_allclose(_np(gx_a), _np(gx_t), rtol=1e-12)


@pytest.mark.torch_parity
@pytest.mark.parametrize("driver", ["gels", "gelsd", "gelss"])
def test_lstsq_residuals_carry_torchs_gradient(driver):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a, b, w = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 2)), [0.7, -1.3]
    fn = lambda m, a, b: (m.linalg.lstsq(a, b, driver=driver).residuals * m.tensor(w)).sum()  # noqa: E731,E501
    out_t, grads_t = _grads(torch, fn, [a, b], 1.0)
    out_a, grads_a = _grads(ag, fn, [a, b], 1.0)
    np.testing.assert_allclose(_np(out_a), _np(out_t), rtol=1e-10)
    for ours, theirs in zip(grads_a, grads_t):
        np.testing.assert_allclose(_np(ours), _np(theirs), rtol=1e-8, atol=1e-10)
