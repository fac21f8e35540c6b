"""Complex gradients of the ops the first round refused (var/std and their *_mean forms, prod
and cumprod with and without zeros, logsumexp, logaddexp, norm/dist, asin/acos/atan, sinc, unfold,
scatter, linear): float64 gradcheck and gradgradcheck (their real and imaginary parts, as
PyTorch's), hand-worked values, and PyTorch 2.13's gradients."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def _z(shape, seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) + 1j * rng.standard_normal(shape) + shift
    return ag.tensor(a, requires_grad=True)


# (name, function of complex leaves, input shapes, whether second derivatives are checked)
CASES = [
    ("var", lambda a: a.var(), [(5,)], True),
    ("var_dim", lambda a: ag.var(a, dim=1, correction=0), [(2, 4)], True),
    ("std", lambda a: a.std(dim=0), [(4, 2)], True),
    ("var_mean", lambda a: ag.var_mean(a, dim=1)[0] + ag.var_mean(a, dim=1)[1].abs(),
     [(2, 3)], True),
    ("std_mean", lambda a: ag.std_mean(a)[0] * ag.std_mean(a)[1], [(4,)], True),
    ("prod", lambda a: a.prod(), [(4,)], True),
    ("prod_dim", lambda a: a.prod(1, keepdim=True), [(2, 3)], True),
    ("cumprod", lambda a: a.cumprod(0), [(4,)], True),
    ("logsumexp", lambda a: ag.logsumexp(a, dim=1), [(2, 3)], True),
    ("logaddexp", lambda a, b: ag.logaddexp(a, b), [(4,), (4,)], True),
    ("norm_p1", lambda a: a.norm(p=1, dim=0), [(3, 2)], True),
    ("norm_p3", lambda a: a.norm(p=3), [(4,)], True),
    ("norm_p0.5", lambda a: a.norm(p=0.5), [(4,)], True),
    ("norm_fro", lambda a: a.norm(), [(2, 2)], True),
    ("dist", lambda a, b: ag.dist(a, b, p=3), [(3,), (3,)], True),
    ("asin", lambda a: a.asin(), [(4,)], True),
    ("acos", lambda a: a.acos(), [(4,)], True),
    ("atan", lambda a: a.atan(), [(4,)], True),
    ("sinc", lambda a: ag.sinc(a), [(4,)], True),
    ("unfold", lambda a: a.unfold(0, 2, 1) * a.unfold(0, 2, 1), [(4,)], True),
    ("scatter", lambda a, b: a.scatter(0, ag.tensor([[1, 0]]), b), [(2, 2), (1, 2)], True),
    ("scatter_add", lambda a, b: a.scatter_add(0, ag.tensor([[1, 1]]), b), [(2, 2), (1, 2)],
     True),
    ("linear", lambda x, w, b: F.linear(x, w, b), [(2, 3), (4, 3), (4,)], True),
    ("linear_1d", lambda x, w: F.linear(x, w), [(3,), (2, 3)], True),
    ("linear_3d", lambda x, w: F.linear(x, w), [(2, 2, 3), (2, 3)], True),
    ("abs_squared", lambda a: a.abs() ** 2, [(3,)], True),
]


@pytest.mark.parametrize("name,fn,shapes,twice", CASES, ids=[c[0] for c in CASES])
def test_complex_gradcheck_and_gradgradcheck(name, fn, shapes, twice):
    xs = [_z(s, seed=i) for i, s in enumerate(shapes)]
    assert ag.gradcheck(fn, xs)
    if twice:
        assert ag.gradgradcheck(fn, xs)


def test_prod_with_a_zero_gives_the_product_of_the_others():
    # prod(z) with z = [0, 1+i, 2]: d/dz0 = (1+i) * 2; PyTorch's gradient is g * conj(.)
    z = ag.tensor([0j, 1 + 1j, 2 + 0j], dtype=ag.complex128, requires_grad=True)
    z.prod().backward(ag.tensor(1 + 0j))
    np.testing.assert_allclose(z.grad.numpy(), [2 - 2j, 0, 0])
    assert ag.gradcheck(lambda a: a.prod(), [z])


def test_cumprod_with_a_zero_against_finite_differences():
    z = ag.tensor([1 + 1j, 0j, 2 - 1j, 0.5j], dtype=ag.complex128, requires_grad=True)
    assert ag.gradcheck(lambda a: a.cumprod(0), [z])


def test_var_gradient_by_hand():
    # var([i, -i]) = (|i|^2 + |-i|^2) / 1 = 2; d/dz_k = 2 (z_k - mean) / 1 = 2 z_k
    z = ag.tensor([1j, -1j], dtype=ag.complex128, requires_grad=True)
    v = z.var()
    assert v.dtype == ag.float64 and float(v) == 2.0
    v.backward()
    np.testing.assert_allclose(z.grad.numpy(), [2j, -2j])


def test_abs_of_zero_has_gradient_zero():
    z = ag.tensor([0j, 3 + 4j], dtype=ag.complex128, requires_grad=True)
    z.abs().sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [0, 0.6 + 0.8j])


def test_complex_linear_layer_gradients_by_hand():
    # y = x W^T: dL/dW = g^T conj(x), dL/dx = g conj(W) for L = Re(sum(conj(g) y))
    lin = nn.Linear(1, 1, bias=False, dtype=ag.complex128)
    with ag.no_grad():
        lin.weight.copy_(ag.tensor([[2 + 1j]]))
    x = ag.tensor([[1 - 1j]], dtype=ag.complex128, requires_grad=True)
    lin(x).backward(ag.tensor([[1 + 0j]], dtype=ag.complex128))
    np.testing.assert_allclose(lin.weight.grad.numpy(), [[1 + 1j]])
    np.testing.assert_allclose(x.grad.numpy(), [[2 - 1j]])


TORCH_CASES = [
    ("var", lambda m, a: m.var(a, dim=1), [(2, 3)]),
    ("std_mean", lambda m, a: m.std_mean(a, dim=0)[0], [(3, 2)]),
    ("prod_zero", lambda m, a: (a * m.tensor([[1, 0, 1]])).prod(1), [(2, 3)]),
    ("cumprod_zero", lambda m, a: (a * m.tensor([1, 0, 1, 1])).cumprod(0), [(4,)]),
    ("logsumexp", lambda m, a: m.logsumexp(a, 0), [(3, 2)]),
    ("logaddexp", lambda m, a, b: m.logaddexp(a, b * 3), [(3, 2), (3, 2)]),
    ("norm_p3", lambda m, a: m.norm(a, p=3, dim=1), [(2, 3)]),
    ("norm_p1", lambda m, a: m.norm(a, p=1), [(2, 3)]),
    ("linear", lambda m, x, w, b: m.nn.functional.linear(x, w, b), [(2, 3), (4, 3), (4,)]),
    ("asin", lambda m, a: m.asin(a), [(3,)]),
    ("acos", lambda m, a: m.acos(a), [(3,)]),
    ("atan", lambda m, a: m.atan(a), [(3,)]),
    ("sinc", lambda m, a: m.sinc(a), [(3,)]),
    ("abs_zero", lambda m, a: (a * m.tensor([0, 1, 1])).abs() ** 2 + a.abs(), [(3,)]),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name,fn,shapes", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_complex_gradients_match_torch(name, fn, shapes, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    arrays = [(rng.standard_normal(s) + 1j * rng.standard_normal(s)).astype(dtype)
              for s in shapes]
    if name == "abs_zero":
        arrays[0][0] = 0
    xs = [ag.tensor(a.copy(), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    out, tout = fn(ag, *xs), fn(torch, *ts)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.complex64 else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), **tol)
    assert out.dtype.name == str(tout.dtype).removeprefix("torch.")
    v = rng.standard_normal(out.shape) + (1j * rng.standard_normal(out.shape)
                                          if out.dtype.is_complex else 0)
    v = v.astype(out.detach().numpy().dtype)
    out.backward(ag.tensor(v))
    tout.backward(torch.tensor(v))
    for k, (x, t) in enumerate(zip(xs, ts)):
        assert x.grad.dtype.name == str(t.grad.dtype).removeprefix("torch."), k
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), err_msg=f"input {k}", **tol)


def test_vector_and_matrix_norms_of_complex_inputs():
    # |3+4i| = 5, |-1| = 1: 2-norm sqrt(26), 1-norm 6; Frobenius of [[3+4i, 0], [0, 1j]]
    z = ag.tensor(np.array([3 + 4j, -1]), requires_grad=True)
    assert float(ag.linalg.vector_norm(z)) == pytest.approx(np.sqrt(26))
    assert float(ag.linalg.vector_norm(z, ord=1)) == pytest.approx(6)
    assert float(ag.linalg.norm(ag.tensor(np.array([[3 + 4j, 0], [0, 1j]])))) == \
        pytest.approx(np.sqrt(26))
    assert ag.gradcheck(lambda a: ag.linalg.vector_norm(a, ord=3), [_z((4,))])
    assert ag.gradgradcheck(lambda a: ag.linalg.matrix_norm(a), [_z((2, 2))])
    assert ag.gradcheck(lambda a: ag.linalg.matrix_norm(a, ord=1), [_z((2, 3))])


@pytest.mark.parametrize("call", [lambda a: ag.linalg.det(a), lambda a: ag.linalg.inv(a),
                                  lambda a: ag.linalg.matrix_norm(a, ord="nuc")])
def test_complex_matrix_functions_say_they_are_real_only(call):
    with pytest.raises(NotImplementedError, match="complex inputs are not supported"):
        call(_z((2, 2)))


@pytest.mark.torch_parity
@pytest.mark.parametrize("ord", [2, 1, 3, float("inf")])
def test_complex_vector_norm_matches_torch(ord):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    x, t = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = ag.linalg.vector_norm(x, ord=ord, dim=1), torch.linalg.vector_norm(t, ord=ord, dim=1)
    assert y.dtype == ag.float64 and ty.dtype == torch.float64
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    v = rng.standard_normal(2)
    y.backward(ag.tensor(v))
    ty.backward(torch.tensor(v))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
