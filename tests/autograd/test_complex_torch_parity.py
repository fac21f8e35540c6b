"""Complex values and gradients against PyTorch 2.13, complex64 and complex128: every op
verified for complex gradients, with random complex cotangents (hypothesis over shapes and
broadcasting for the elementwise ones), real leaves mixed with complex constants, and the new
names (real, imag, conj, angle, sgn, view_as_real/complex, complex, polar)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag

TOL = {np.complex64: dict(rtol=2e-5, atol=2e-5), np.complex128: dict(rtol=1e-10, atol=1e-12)}
REAL = {np.complex64: np.float32, np.complex128: np.float64}


def _draw(rng, shape, dtype, kind):
    """An array of ``shape``: complex of ``dtype``, or its real dtype for kind "r"/"p"."""
    x = rng.standard_normal(shape)
    if kind == "p":
        return (np.abs(x) + 0.5).astype(REAL[dtype])
    if kind == "r":
        return x.astype(REAL[dtype])
    return (x + 1j * rng.standard_normal(shape)).astype(dtype)


def assert_matches_torch(torch, ours, theirs, arrays, dtype, seed=0):
    """Run both with leaves from ``arrays``; compare the output, then every leaf's gradient
    for a random cotangent (complex for a complex output)."""
    rng = np.random.default_rng(seed)
    xs = [ag.tensor(a.copy(), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    out, tout = ours(ag, *xs), theirs(torch, *ts)
    tol = TOL[dtype]
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), **tol)
    assert out.dtype.name == str(tout.dtype).replace("torch.", "")
    v = rng.standard_normal(out.shape) + (1j * rng.standard_normal(out.shape)
                                          if out.dtype.is_complex else 0)
    v = v.astype(out.dtype)
    out.backward(ag.tensor(v))
    tout.backward(torch.tensor(v))
    for k, (x, t) in enumerate(zip(xs, ts)):
        assert x.grad.dtype.name == str(t.grad.dtype).replace("torch.", ""), k
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), err_msg=f"input {k}", **tol)


# (name, ours, theirs, kinds per input: c complex, r real, p positive real)
UNARY = [
    ("neg", lambda m, a: -a, lambda t, a: -a, "c"),
    ("exp", lambda m, a: a.exp(), lambda t, a: a.exp(), "c"),
    ("log", lambda m, a: m.log(a), lambda t, a: t.log(a), "c"),
    ("sqrt", lambda m, a: a.sqrt(), lambda t, a: a.sqrt(), "c"),
    ("abs", lambda m, a: a.abs(), lambda t, a: a.abs(), "c"),
    ("pow_int", lambda m, a: a ** 3, lambda t, a: a ** 3, "c"),
    ("pow_float", lambda m, a: a.pow(2.5), lambda t, a: a.pow(2.5), "c"),
    ("pow_complex", lambda m, a: a ** (0.5 - 1j), lambda t, a: a ** (0.5 - 1j), "c"),
    ("sum", lambda m, a: a.sum(dim=-1), lambda t, a: a.sum(dim=-1), "c"),
    ("mean", lambda m, a: a.mean(), lambda t, a: a.mean(), "c"),
    ("conj", lambda m, a: a.conj() * a.exp(), lambda t, a: a.conj() * a.exp(), "c"),
    ("conj_physical", lambda m, a: m.conj_physical(a) * a,
     lambda t, a: t.conj_physical(a) * a, "c"),
    ("real", lambda m, a: a.real * a.abs(), lambda t, a: a.real * a.abs(), "c"),
    ("imag", lambda m, a: m.imag(a) ** 2, lambda t, a: t.imag(a) ** 2, "c"),
    ("angle", lambda m, a: a.angle(), lambda t, a: a.angle(), "c"),
    ("angle_real", lambda m, a: m.angle(a), lambda t, a: t.angle(a), "r"),
    ("sgn", lambda m, a: a.sgn(), lambda t, a: a.sgn(), "c"),
    ("view_as_real", lambda m, a: m.view_as_real(a) * 3, lambda t, a: t.view_as_real(a) * 3, "c"),
    ("shapes", lambda m, a: a.reshape(-1).view(a.shape).transpose(0, -1).permute(
        *range(a.ndim)).flatten(), lambda t, a: a.reshape(-1).view(a.shape).transpose(
        0, -1).permute(*range(a.ndim)).flatten(), "c"),
    ("index", lambda m, a: a[..., ::2][[0, 0]], lambda t, a: a[..., ::2][[0, 0]], "c"),
    ("to", lambda m, a: a.to(m.complex128) * (2 - 1j), lambda t, a: a.to(t.complex128) * (2 - 1j),
     "r"),
    ("real_times_constant", lambda m, a: (a * (1 - 2j)).abs(),
     lambda t, a: (a * (1 - 2j)).abs(), "r"),
    *[(n, (lambda n: lambda m, a: getattr(a, n)())(n), (lambda n: lambda t, a: getattr(a, n)())(n),
       "c") for n in ("sin", "cos", "tan", "sinh", "cosh", "tanh", "sigmoid", "log1p", "log10",
                      "log2", "exp2", "expm1", "rsqrt", "reciprocal")],
    ("cumsum", lambda m, a: a.cumsum(-1), lambda t, a: a.cumsum(-1), "c"),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name,ours,theirs,kinds", UNARY, ids=[u[0] for u in UNARY])
@settings(max_examples=8, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       seed=st.integers(0, 2 ** 16))
def test_unary_values_and_gradients_equal_torch(name, ours, theirs, kinds, dtype, shape, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    assert_matches_torch(torch, ours, theirs, [_draw(rng, shape, dtype, k) for k in kinds], dtype, seed)


BINARY = [
    ("add", lambda m, a, b: m.add(a, b, alpha=2), lambda t, a, b: t.add(a, b, alpha=2), "cc"),
    ("add_real", lambda m, a, b: a + b, lambda t, a, b: a + b, "rc"),
    ("sub", lambda m, a, b: a - b, lambda t, a, b: a - b, "cc"),
    ("mul", lambda m, a, b: a * b, lambda t, a, b: a * b, "cc"),
    ("mul_real", lambda m, a, b: (a * b).abs(), lambda t, a, b: (a * b).abs(), "rc"),
    ("div", lambda m, a, b: a / b, lambda t, a, b: a / b, "cc"),
    ("div_real", lambda m, a, b: a / b, lambda t, a, b: a / b, "cr"),
    ("pow", lambda m, a, b: a ** b, lambda t, a, b: a ** b, "cc"),
    ("pow_real_base", lambda m, a, b: a ** b, lambda t, a, b: a ** b, "pc"),
    ("where", lambda m, a, b: m.where(a.real > 0, a, b), lambda t, a, b: t.where(a.real > 0, a, b),
     "cc"),
    ("complex", lambda m, a, b: m.complex(a, b).exp(), lambda t, a, b: t.complex(a, b).exp(),
     "rr"),
    ("polar", lambda m, a, b: m.polar(a, b) ** 2, lambda t, a, b: t.polar(a, b) ** 2, "pr"),
]


@st.composite
def _broadcast_pair(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    other = list(shape[draw(st.integers(0, len(shape) - 1)):])
    for i in range(len(other)):
        if draw(st.booleans()):
            other[i] = 1
    return (shape, tuple(other)) if draw(st.booleans()) else (tuple(other), shape)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name,ours,theirs,kinds", BINARY, ids=[b[0] for b in BINARY])
@settings(max_examples=8, deadline=None)
@given(shapes=_broadcast_pair(), seed=st.integers(0, 2 ** 16))
def test_binary_values_and_gradients_equal_torch(name, ours, theirs, kinds, dtype, shapes, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    arrays = [_draw(rng, s, dtype, k) for s, k in zip(shapes, kinds)]
    assert_matches_torch(torch, ours, theirs, arrays, dtype, seed)


def _gdt(m, a):
    return a.gather(1, m.tensor([[0, 0], [2, 1], [1, 1]])) * a.diagonal()[:, None] + \
        a.tril()[:, :2]


MATRIX = [
    ("matmul", lambda m, a, b: a @ b, lambda t, a, b: a @ b, [(2, 3), (3, 4)], "cc"),
    ("matmul_batched", lambda m, a, b: m.matmul(a, b), lambda t, a, b: t.matmul(a, b),
     [(2, 1, 2, 3), (3, 3, 2)], "cc"),
    ("matvec", lambda m, a, b: a @ b, lambda t, a, b: a @ b, [(2, 3), (3,)], "cc"),
    ("vecmat", lambda m, a, b: a @ b, lambda t, a, b: a @ b, [(3,), (2, 3, 2)], "cc"),
    ("dot", lambda m, a, b: a @ b, lambda t, a, b: a @ b, [(3,), (3,)], "cc"),
    ("bmm", lambda m, a, b: m.bmm(a, b), lambda t, a, b: t.bmm(a, b), [(2, 2, 3), (2, 3, 4)],
     "cc"),
    ("cat", lambda m, a, b: m.cat([a, b], dim=1), lambda t, a, b: t.cat([a, b], dim=1),
     [(2, 3), (2, 1)], "cc"),
    ("stack", lambda m, a, b: m.stack([a, b], dim=-1), lambda t, a, b: t.stack([a, b], dim=-1),
     [(2, 3), (2, 3)], "cc"),
    ("index_put", lambda m, a, b: a.index_put((m.tensor([0, 2]),), b),
     lambda t, a, b: a.index_put((t.tensor([0, 2]),), b), [(3, 2), (2, 2)], "cc"),
    ("gather_diagonal_tril", lambda m, a: _gdt(m, a), lambda t, a: _gdt(t, a), [(3, 3)], "c"),
    ("einsum", lambda m, a, b: m.einsum("ij,kj->ik", a, b),
     lambda t, a, b: t.einsum("ij,kj->ik", a, b), [(2, 3), (4, 3)], "cc"),
    ("view_as_complex", lambda m, a: m.view_as_complex(a) ** 2,
     lambda t, a: t.view_as_complex(a) ** 2, [(3, 2)], "r"),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name,ours,theirs,shapes,kinds", MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix_and_joining_ops_equal_torch(name, ours, theirs, shapes, kinds, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    assert_matches_torch(torch, ours, theirs, [_draw(rng, s, dtype, k) for s, k in zip(shapes, kinds)],
             dtype)


@pytest.mark.torch_parity
def test_the_briefs_example_equals_torch():
    torch = pytest.importorskip("torch")
    x = ag.tensor(np.array([1 + 2j, 3 - 1j]), requires_grad=True)
    t = torch.tensor(np.array([1 + 2j, 3 - 1j]), requires_grad=True)
    (x * x).abs().sum().backward()
    (t * t).abs().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


@pytest.mark.torch_parity
def test_zeros_follow_torch_conventions():
    # abs, angle and sgn at 0, polar at abs 0: PyTorch's gradients are 0 there
    torch = pytest.importorskip("torch")
    z = np.array([0j, 1 + 1j])
    for fn in (lambda a: a.abs(), lambda a: a.angle(), lambda a: a.sgn().real):
        x, t = ag.tensor(z, requires_grad=True), torch.tensor(z, requires_grad=True)
        fn(x).sum().backward()
        fn(t).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    r, a = np.array([0.0, 2.0]), np.array([0.3, -1.0])
    xs = [ag.tensor(r, requires_grad=True), ag.tensor(a, requires_grad=True)]
    ts = [torch.tensor(r, requires_grad=True), torch.tensor(a, requires_grad=True)]
    ag.polar(*xs).imag.sum().backward()
    torch.polar(*ts).imag.sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


@pytest.mark.torch_parity
def test_printing_equals_torch():
    torch = pytest.importorskip("torch")
    for v in ([1 + 2j, 3 - 1j], [0.5 + 2j, -3.25 - 1j, 0j], [1e-5 + 1j, 100 + 3j],
              [[1 + 1j, 2], [3, 4j]]):
        assert repr(ag.tensor(v)) == repr(torch.tensor(v))
        assert repr(ag.tensor(v, dtype=ag.complex128)).replace("autograd_core", "torch") == \
            repr(torch.tensor(v, dtype=torch.complex128))
