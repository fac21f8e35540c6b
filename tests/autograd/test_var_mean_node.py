"""var_mean / std_mean as one node each (PyTorch's VarMeanBackward0 / StdMeanBackward0; they
were a var (std) node and a mean node), with the numbers of var (std) and mean."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.parametrize("fn, name", [(ag.var_mean, "VarMeanBackward0"),
                                      (ag.std_mean, "StdMeanBackward0")])
def test_one_node_of_the_input(fn, name):
    x = ag.tensor([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], dtype=ag.float64, requires_grad=True)
    s, m = fn(x, 1)
    assert s.grad_fn is m.grad_fn and s.grad_fn.name() == name
    assert [type(n).__name__ for n, _ in s.grad_fn.next_functions] == ["AccumulateGrad"]
    (s.sum() + 2 * m.sum()).backward()
    # row 0: var 7/3, mean 7/3; d var / dx = 2 (x - mean) / 2; d std = that / (2 std);
    # row 1 (constant): std's gradient 0 there, as PyTorch's
    centred = np.array([1.0, 2.0, 4.0]) - 7 / 3
    dvar = centred if fn is ag.var_mean else centred / (2 * np.sqrt(7 / 3))
    np.testing.assert_allclose(x.grad.numpy()[0], dvar + 2 / 3, rtol=1e-14)
    np.testing.assert_allclose(x.grad.numpy()[1], np.full(3, 2 / 3), rtol=1e-14)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("which", ["var", "std"])
def test_numbers_are_those_of_the_two_ops(which, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 6)).astype(dtype)
    g1, g2 = rng.standard_normal(6).astype(dtype), rng.standard_normal(6).astype(dtype)
    a, b = ag.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    pair = getattr(ag, which + "_mean")(a, 0, correction=0)
    apart = (getattr(ag, which)(b, 0, correction=0), ag.mean(b, 0))
    ag.autograd.backward(pair, [ag.tensor(g1), ag.tensor(g2)])
    ag.autograd.backward(apart, [ag.tensor(g1), ag.tensor(g2)])
    for p, q in zip(pair, apart):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_second_derivatives():
    x = ag.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert ag.gradgradcheck(lambda t: ag.std_mean(t, 1), (x,))
    assert ag.gradgradcheck(lambda t: ag.var_mean(t, (0, 1), keepdim=True), (x,))


@pytest.mark.torch_parity
def test_names_as_torch():
    torch = pytest.importorskip("torch")
    theirs, ours = torch.ones(2, 3, requires_grad=True), ag.ones(2, 3, requires_grad=True)
    for name in ("std_mean", "var_mean"):
        for dim in (None, 1):
            assert getattr(ag, name)(ours, dim)[1].grad_fn.name() == \
                getattr(torch, name)(theirs, dim)[1].grad_fn.name()


# x = [[0, 1, 2], [3, 4, 5]]: over all six, mean 2.5 and sum of squared deviations 17.5
# (var 17.5 / 6 unbiased=False, 17.5 / 5 unbiased); per row 2 / 3 (unbiased=False)
@pytest.mark.parametrize("call, var, mean", [
    (lambda x: ag.var(x, False), 17.5 / 6, None),          # a bool in dim's place is unbiased,
    (lambda x: x.std(False), np.sqrt(17.5 / 6), None),     # not dim 0 (it reduced dim 0 with
    (lambda x: ag.var_mean(x, False), 17.5 / 6, 2.5),      # correction 1: [4.5, 4.5, 4.5])
    (lambda x: ag.std_mean(x, True), np.sqrt(3.5), 2.5),
    (lambda x: ag.var_mean(x, 1, False), [2 / 3, 2 / 3], [1.0, 4.0]),
    (lambda x: ag.std_mean(x, dim=1, unbiased=False, keepdim=True),
     [[np.sqrt(2 / 3)], [np.sqrt(2 / 3)]], [[1.0], [4.0]]),
    (lambda x: ag.var_mean(x, correction=None), 3.5, 2.5),
])
def test_unbiased_spellings_as_pytorch(call, var, mean):
    x = ag.arange(6.0, dtype=ag.float64).reshape(2, 3)
    out = call(x)
    if mean is None:
        np.testing.assert_allclose(out.numpy(), var, rtol=1e-15)
    else:
        np.testing.assert_allclose(out[0].numpy(), var, rtol=1e-15)
        np.testing.assert_allclose(out[1].numpy(), mean, rtol=1e-15)


def test_unbiased_with_correction_refused():
    x = ag.arange(6.0).reshape(2, 3)
    with pytest.raises(TypeError, match="unbiased"):
        ag.var_mean(x, 1, unbiased=True, correction=0)
    with pytest.raises(TypeError, match="unbiased"):
        ag.var(x, True, True)


@pytest.mark.parametrize("dim", [1, None])
@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_std_mean_result_changed_in_place_is_refused(dim, dtype):
    # backward read the std it returned: doubled in place, the gradient came out halved
    # (silently); PyTorch's StdMeanBackward0 saves the result and refuses
    x = ag.tensor([[1.0, 2.0, 4.0], [3.0, 5.0, 3.0]], dtype=dtype, requires_grad=True)
    s, m = ag.std_mean(x * 1, dim)
    s.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (s.sum() + m.sum()).backward()
