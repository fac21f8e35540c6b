"""Reductions whose rounding depends on the order of the operations: the same bits as
PyTorch 2.13's CPU kernels (its vectorised inner reduction on AVX2 CPUs)."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(200, 1000), (3, 4, 129), (7, 32), (2, 31), (1000,),
                                   (0, 64), (5, 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_prod_over_the_last_dim_has_torchs_bits(dtype, shape, keepdim):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = (np.abs(rng.standard_normal(shape)) * 0.3 + 0.85).astype(dtype)  # no overflow
    x[rng.random(shape) < 0.02] *= -1
    want = torch.from_numpy(x).prod(-1, keepdim=keepdim).numpy()
    got = ag.from_numpy(x).prod(-1, keepdim=keepdim).numpy()
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(got, want)


@pytest.mark.torch_parity
def test_prod_over_a_strided_or_outer_dim_has_torchs_bits():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).uniform(0.7, 1.3, (300, 200)).astype(np.float32)
    for f in (lambda m: m.T.prod(-1), lambda m: m.prod(0), lambda m: m[:, ::2].prod(1)):
        assert np.array_equal(f(ag.from_numpy(x)).numpy(), f(torch.from_numpy(x)).numpy())


def test_prod_over_the_last_dim_gradient_is_the_product_of_the_others():
    x = np.random.default_rng(5).uniform(0.5, 1.5, (3, 70))
    t = ag.tensor(x, requires_grad=True)
    t.prod(1).sum().backward()
    want = np.array([[np.prod(np.delete(r, j)) for j in range(70)] for r in x])
    np.testing.assert_allclose(t.grad.numpy(), want, rtol=1e-13)


@pytest.mark.parametrize("f", [lambda x: x.max(), lambda x: x.amax(0),
                               lambda x: x.amin(0, keepdim=True), lambda x: x.min()])
def test_max_min_refuse_backward_after_their_input_changed_in_place(f):
    # PyTorch's MaxBackward1/AmaxBackward0 save the input: changed in place, backward refuses
    leaf = ag.ones(3, 2, requires_grad=True)
    x = leaf * 1
    m = f(x)
    x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        m.sum().backward()


def test_max_ties_and_nans_share_the_gradient():
    x = ag.tensor([[1.0, 3.0, 3.0], [float("nan"), 2.0, float("nan")]], requires_grad=True)
    x.amax(1).sum().backward()
    assert np.array_equal(x.grad.numpy(), [[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])
    y = ag.tensor([2.0, 5.0, 5.0, 5.0], requires_grad=True)
    y.max().backward()
    np.testing.assert_array_equal(y.grad.numpy(), np.float32([0.0, 1 / 3, 1 / 3, 1 / 3]))


@pytest.mark.torch_parity
def test_float32_cumsum_starts_from_positive_zero_as_torch():
    torch = pytest.importorskip("torch")
    x = np.float32([[-0.0, -0.0, 1.5, -1.5], [-0.0, 2.0, -2.0, -0.0]])
    for dim in (0, 1):
        want = torch.from_numpy(x).cumsum(dim).numpy()
        got = ag.from_numpy(x).cumsum(dim).numpy()
        assert np.array_equal(np.signbit(got), np.signbit(want)) and np.array_equal(got, want)


@pytest.mark.parametrize("f", [lambda x: x.max(), lambda x: x.amax(1),
                               lambda x: x.amin(1, keepdim=True), lambda x: x.min(),
                               lambda x: ag.amax(x, (0, 1))])
def test_max_min_refuse_backward_after_their_result_changed_in_place(f):
    # they save the result too (PyTorch's nodes do): doubled in place, backward's tie mask
    # x == result found no maximum and the gradient came back all zeros, silently
    x = ag.tensor([[1.0, 3.0, 2.0], [5.0, 4.0, 5.0]], requires_grad=True)
    m = f(x * 1)
    m.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        m.sum().backward()


def test_max_min_result_changed_out_of_place_keeps_the_gradient():
    x = ag.tensor([[1.0, 3.0, 2.0], [5.0, 4.0, 5.0]], requires_grad=True)
    (x.amax(1) * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 2.0, 0.0], [1.0, 0.0, 1.0]])
