"""Complex autograd without PyTorch: closed forms, complex gradcheck / gradgradcheck of every
verified op, refusal (never a silent real rule) of the others, the views between complex and
real, optimizers and ag.compile with complex tensors."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim
from optimizers.registry import ALGORITHMS

RNG = np.random.default_rng(7)


def c(*shape):
    return ag.tensor(RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape),
                     requires_grad=True)


def r(*shape, positive=False):
    x = RNG.standard_normal(shape)
    return ag.tensor(np.abs(x) + 0.5 if positive else x, requires_grad=True)


def _set(y, index, value):
    y[index] = value
    return y


# every op verified for complex gradients: (name, fn, inputs)
VERIFIED = [
    ("add", lambda a, b: a + b, lambda: [c(3), c(2, 3)]),
    ("add_real", lambda a, b: a + b, lambda: [r(2, 3), c(3)]),
    ("sub", lambda a, b: ag.sub(a, b, alpha=2), lambda: [c(3), c(3)]),
    ("mul", lambda a, b: a * b, lambda: [c(2, 3), c(3)]),
    ("mul_real", lambda a, b: a * b, lambda: [r(3), c(3)]),
    ("div", lambda a, b: a / b, lambda: [c(2, 3), c(3)]),
    ("div_scalar", lambda a: (1 - 2j) / a, lambda: [c(3)]),
    ("neg", lambda a: -a, lambda: [c(3)]),
    ("pow_int", lambda a: a ** 3, lambda: [c(3)]),
    ("pow_float", lambda a: a ** 2.5, lambda: [c(3)]),
    ("pow_square", lambda a: a ** 2, lambda: [c(3)]),
    ("pow_complex_exponent", lambda a: a ** (0.5 + 1j), lambda: [c(3)]),
    ("pow_tensor", lambda a, b: a ** b, lambda: [c(3), c(3)]),
    ("pow_real_base", lambda a, b: a ** b, lambda: [r(3, positive=True), c(3)]),
    ("exp", lambda a: a.exp(), lambda: [c(3)]),
    ("log", lambda a: ag.log(a), lambda: [c(3)]),
    ("sqrt", lambda a: a.sqrt(), lambda: [c(3)]),
    ("abs", lambda a: a.abs(), lambda: [c(2, 3)]),
    ("sum", lambda a: a.sum(dim=0), lambda: [c(2, 3)]),
    ("sum_all", lambda a: a.sum(), lambda: [c(2, 3)]),
    ("mean", lambda a: a.mean(dim=1, keepdim=True), lambda: [c(2, 3)]),
    ("matmul", lambda a, b: a @ b, lambda: [c(2, 3), c(3, 4)]),
    ("matmul_vec", lambda a, b: ag.matmul(a, b), lambda: [c(3), c(2, 3, 2)]),
    ("matvec", lambda a, b: a @ b, lambda: [c(2, 3), c(3)]),
    ("dot", lambda a, b: a @ b, lambda: [c(3), c(3)]),
    ("mm_real", lambda a, b: ag.mm(a.to(b.dtype), b), lambda: [r(2, 3), c(3, 2)]),  # as torch: no mixed mm
    ("bmm", lambda a, b: ag.bmm(a, b), lambda: [c(2, 2, 3), c(2, 3, 2)]),
    ("shapes", lambda a: a.reshape(3, 2).transpose(0, 1).permute(1, 0).view(6).T,
     lambda: [c(2, 3)]),
    ("squeeze", lambda a: a.unsqueeze(0).squeeze(0).flatten().expand(2, 4), lambda: [c(2, 2)]),
    ("index_basic", lambda a: a[1:, ::2], lambda: [c(3, 3)]),
    ("index_advanced", lambda a: a[[0, 1, 0]], lambda: [c(2, 3)]),
    ("cat", lambda a, b: ag.cat([a, b], dim=0), lambda: [c(2), c(3)]),
    ("stack", lambda a, b: ag.stack([a, b], dim=1), lambda: [c(2), c(2)]),
    ("where", lambda a, b: ag.where(ag.tensor([True, False, True]), a, b),
     lambda: [c(3), c(3)]),
    ("to_complex", lambda a: a.to(ag.complex128) * (1 + 2j), lambda: [r(3)]),
    ("clone", lambda a: a.clone().contiguous(), lambda: [c(3)]),
    ("conj", lambda a: a.conj() * a, lambda: [c(3)]),
    ("conj_physical", lambda a: ag.conj_physical(a), lambda: [c(3)]),
    ("real", lambda a: a.real * a.abs(), lambda: [c(3)]),
    ("imag", lambda a: ag.imag(a) * ag.real(a), lambda: [c(3)]),
    ("angle", lambda a: a.angle(), lambda: [c(3)]),
    ("sgn", lambda a: a.sgn(), lambda: [c(3)]),
    ("view_as_real", lambda a: ag.view_as_real(a) ** 2, lambda: [c(2, 3)]),
    ("view_as_complex", lambda a: ag.view_as_complex(a) ** 2, lambda: [r(3, 2)]),
    ("complex", lambda a, b: ag.complex(a, b) ** 2, lambda: [r(3), r(2, 3)]),
    ("polar", lambda a, b: ag.polar(a, b), lambda: [r(3, positive=True), r(3)]),
    *[(name, (lambda n: lambda a: getattr(a, n)())(name), lambda: [c(2, 3)]) for name in (
        "sin", "cos", "tan", "sinh", "cosh", "tanh", "sigmoid", "log1p", "log10", "log2",
        "exp2", "expm1", "rsqrt", "reciprocal")],
    ("cumsum", lambda a: a.cumsum(1), lambda: [c(2, 3)]),
    ("setitem", lambda a, b: _set(a * 1, (0, slice(1, 3)), b), lambda: [c(3, 4), c(2)]),
    ("index_put", lambda a, b: a.index_put((ag.tensor([0, 2]),), b), lambda: [c(3, 2), c(2, 2)]),
    ("pad", lambda a: nn.functional.pad(a, (1, 2)), lambda: [c(2, 3)]),
    ("gather", lambda a: a.gather(1, ag.tensor([[0, 0], [2, 1]])), lambda: [c(2, 3)]),
    ("diagonal", lambda a: a.diagonal(1), lambda: [c(3, 4)]),
    ("diag_embed", lambda a: ag.diag_embed(a), lambda: [c(2, 3)]),
    ("tril_triu", lambda a: a.tril() + ag.triu(a, 1), lambda: [c(3, 3)]),
    ("trace", lambda a: a.trace(), lambda: [c(3, 3)]),
    ("einsum", lambda a, b: ag.einsum("ij,kj->ik", a, b), lambda: [c(2, 3), c(4, 3)]),
]


@pytest.mark.parametrize("name,fn,make", VERIFIED, ids=[v[0] for v in VERIFIED])
def test_complex_gradcheck_and_gradgradcheck(name, fn, make):
    inputs = make()
    assert ag.gradcheck(fn, inputs)
    assert ag.gradgradcheck(fn, inputs)


def test_the_briefs_example_by_hand():
    # |z*z| = |z|^2 = x^2 + y^2, whose gradient dL/dx + i dL/dy is 2x + 2iy = 2z
    x = ag.tensor(np.array([1 + 2j, 3 - 1j]), requires_grad=True)
    (x * x).abs().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 + 4j, 6 - 2j], rtol=1e-12)


def test_hand_worked_rules():
    # L = Re(c z): dL/dx = Re(c), dL/dy = -Im(c), so the gradient is conj(c)
    z = ag.tensor(np.array([0.3 - 0.7j]), requires_grad=True)
    (z * (2 + 5j)).real.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [2 - 5j])
    # L = Im(z): gradient i
    z.grad = None
    z.imag.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [1j])
    # L = angle(z) = atan2(y, x): (-y + ix) / |z|^2
    z.grad = None
    z.angle().sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [(0.7 + 0.3j) / 0.58])


def test_real_leaf_gets_the_real_part():
    # x real, L = |x * c| = |x| |c|: dL/dx = sign(x) |c| (the real part of g * conj(c) * ...)
    x = ag.tensor([1.5, -2.0], dtype=ag.float64, requires_grad=True)
    c = ag.tensor(np.array([3 + 4j, 1 - 1j]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning from dropping the imaginary part
        (x * c).abs().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, -np.sqrt(2)])
    assert x.grad.dtype == ag.float64


# still refused (PyTorch 2.13 has no complex gradient for these either: its nan_to_num
# refuses complex outputs in backward, its dropouts refuse complex inputs)
REFUSED = [
    ("nan_to_num", lambda z: z.nan_to_num()),
    ("dropout", lambda z: nn.functional.dropout(z, 0.5)),
    ("alpha_dropout", lambda z: nn.functional.alpha_dropout(z, 0.5, training=True)),
]


@pytest.mark.parametrize("name,fn", REFUSED, ids=[v[0] for v in REFUSED])
def test_unverified_ops_refuse_complex_gradients(name, fn):
    z = c(3)
    out = fn(z)
    loss = out.abs().sum() if out.dtype.is_complex else out.sum()
    with pytest.raises(NotImplementedError, match=f"the gradient of '{name}' for complex"):
        loss.backward()
    assert z.grad is None


def test_refused_when_a_real_leaf_meets_a_complex_constant():
    x = r(3)
    with pytest.raises(NotImplementedError, match="'nan_to_num'"):
        (x * ag.tensor(np.array([1j, 1, 2]))).nan_to_num().abs().sum().backward()
    assert x.grad is None


def test_real_graphs_are_unchanged_after_complex_ones():
    c(2).abs().sum().backward()  # complex tensors exist: backward now looks for complex nodes
    x = ag.tensor([0.5, -1.0], dtype=ag.float64, requires_grad=True)
    x.sigmoid().sin().sum().backward()
    s = 1 / (1 + np.exp(-x.detach().numpy()))
    np.testing.assert_allclose(x.grad.numpy(), np.cos(s) * s * (1 - s), rtol=1e-12)


def test_user_functions_keep_their_own_complex_rule():
    class Double(ag.Function):
        @staticmethod
        def forward(ctx, z):
            return z * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    z = c(2)
    Double.apply(z).abs().sum().backward()
    zd = z.detach().numpy()
    np.testing.assert_allclose(z.grad.numpy(), 2 * zd / np.abs(zd))


def test_gradcheck_catches_a_wrong_complex_rule():
    class NoConj(ag.Function):  # z * w with the real rule's gradient g * w (no conjugate)
        @staticmethod
        def forward(ctx, z, w):
            ctx.save_for_backward(w)
            return z * w

        @staticmethod
        def backward(ctx, g):
            (w,) = ctx.saved_tensors
            return g * w, None

    w = ag.tensor(np.array([1 + 2j, -0.5 + 1j]))
    with pytest.raises(ag.GradcheckError, match="imaginary part"):
        ag.gradcheck(lambda z: NoConj.apply(z, w), (c(2),))
    assert ag.gradcheck(lambda z: NoConj.apply(z, w), (c(2),), raise_exception=False) is False


def test_a_complex_root_needs_a_gradient():
    z = c(2)
    with pytest.raises(RuntimeError, match="only for real scalar outputs but got "
                                           "autograd_core.complex128"):
        z.sum().backward()
    z.sum().backward(ag.tensor(np.array(1 + 0j)))
    np.testing.assert_array_equal(z.grad.numpy(), [1, 1])


# ---- views and new names -----------------------------------------------------------------

def test_real_and_imag_are_views():
    z = ag.tensor(np.array([1 + 2j, 3 - 4j]))
    z.real.mul_(10)
    z.imag[0] = 7.0
    np.testing.assert_array_equal(z.numpy(), [10 + 7j, 30 - 4j])
    z.real = ag.tensor([0.5, 0.25], dtype=ag.float64)
    z.imag = ag.tensor([1.0, 2.0], dtype=ag.float64)
    np.testing.assert_array_equal(z.numpy(), [0.5 + 1j, 0.25 + 2j])
    x = ag.tensor([1.0, 2.0])
    assert x.real is x
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with "
                                           "non-complex dtypes."):
        x.imag


def test_writes_through_a_part_reach_nodes_that_saved_the_tensor():
    z = c(2)
    y = z * z  # saves z
    with ag.no_grad():
        z.detach().real.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.abs().sum().backward()


def test_view_as_real_and_complex_share_memory():
    z = ag.tensor(np.array([1 + 2j, 3 - 4j]))
    v = ag.view_as_real(z)
    v[1, 1] = 9.0
    assert z.numpy()[1] == 3 + 9j
    w = ag.view_as_complex(v)
    w[0] = 5j
    np.testing.assert_array_equal(v.numpy(), [[0, 5], [3, 9]])
    assert v.dtype == ag.float64 and ag.view_as_real(ag.tensor([1j])).dtype == ag.float32


@pytest.mark.parametrize("fn,message", [
    (lambda: ag.view_as_real(ag.zeros(3)), "view_as_real is only supported for complex tensors"),
    (lambda: ag.view_as_complex(ag.zeros(3)), "Tensor must have a last dimension of size 2"),
    (lambda: ag.view_as_complex(ag.zeros(2, 3).T), "last dimension with stride 1"),
    (lambda: ag.view_as_complex(ag.zeros(3, 2, dtype=ag.int64)),
     "half, float and double tensors, but got a tensor of scalar type: Long"),
    (lambda: ag.complex(ag.zeros(2), ag.zeros(2, dtype=ag.float64)),
     "Expected object of scalar type Float but got scalar type Double for second argument"),
    (lambda: ag.complex(ag.zeros(2, dtype=ag.int64), ag.zeros(2, dtype=ag.int64)),
     "Expected both inputs to be Half, Float or Double tensors but got Long and Long"),
    (lambda: ag.polar(ag.zeros(2), ag.zeros(2, dtype=ag.float64)),
     "Expected object of scalar type Float"),
])
def test_bad_inputs_are_refused_in_pytorchs_words(fn, message):
    with pytest.raises(RuntimeError, match=message):
        fn()


def test_conj_names():
    z = ag.tensor([1 + 1j])
    x = ag.tensor([1.0])
    assert ag.conj(x) is x and x.conj() is x
    assert ag.is_conj(z.conj()) is False and z.conj().is_conj() is False
    assert z.resolve_conj() is z and ag.resolve_neg(z) is z
    np.testing.assert_array_equal(z.conj_physical().numpy(), [1 - 1j])
    assert z.conj().dtype == ag.complex64


def test_python_complex_numbers_give_the_default_complex_dtype():
    assert ag.tensor([1 + 2j]).dtype == ag.complex64
    assert ag.tensor(np.array([1 + 2j])).dtype == ag.complex128
    assert repr(ag.tensor([1 + 2j, 3 - 1j])) == "tensor([1.+2.j, 3.-1.j])"
    assert repr(ag.tensor(np.array([0.5 + 2j, -3.25 - 1j]))) == (
        "tensor([ 0.5000+2.j, -3.2500-1.j], dtype=autograd_core.complex128)")


# ---- optimizers and ag.compile ---------------------------------------------------------------

@pytest.mark.parametrize("name", [*ALGORITHMS, "lbfgs"])
def test_every_optimizer_steps_a_complex_parameter_as_its_real_view(name):
    # PyTorch's view_as_real: the algorithm on the two real parts of each element, fitting
    # sum |z - t|^2 (its real-view form: sum (q - t_real_view)^2, the same gradients)
    z0, target = np.array([1 + 2j, 3 - 1j, -0.5 + 0.25j]), np.array([2 - 1j, 0.5j, 1.0])
    spec = ALGORITHMS.get(name)
    make = (lambda ps: optim.LBFGS(ps, max_iter=3)) if spec is None else (
        lambda ps: spec.cls(ps, **spec.kwargs))
    paths = []
    for start, t, loss_of in ((z0, target, lambda d: (d.abs() ** 2).sum()),
                              (z0.view(np.float64), target.view(np.float64),
                               lambda d: (d ** 2).sum())):
        x = nn.Parameter(ag.tensor(start.copy()))
        opt = make([x])

        def closure(x=x, opt=opt, t=ag.tensor(t), loss_of=loss_of):
            opt.zero_grad()
            loss = loss_of(x - t)
            loss.backward()
            return loss

        path = []
        for _ in range(4):
            opt.step(closure)
            path.append(x.detach().numpy().copy())
        paths.append(np.array(path))
    assert paths[0].dtype == np.complex128
    np.testing.assert_allclose(paths[0].view(np.float64), paths[1], rtol=1e-9, atol=1e-12)


def test_optimizing_two_real_parameters_of_a_complex_tensor():
    # two real parameters build the complex tensor: minimise |z - t|^2 over z = re + i im
    re, im = r(3), r(3)
    target = np.array([1 - 1j, 2j, -0.5])
    opt = optim.SGD([re, im], lr=0.25)
    for _ in range(40):
        opt.zero_grad()
        loss = (ag.complex(re, im) - ag.tensor(target)).abs().pow(2).sum()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(re.detach().numpy() + 1j * im.detach().numpy(), target,
                               atol=1e-8)


def _complex_step(re, im, c):
    re.grad = im.grad = None
    loss = (ag.complex(re, im) * c).abs().sum()
    loss.backward()
    return loss


def test_compile_runs_a_complex_step_eagerly():
    re, im = r(3), r(3)
    c = ag.tensor(RNG.standard_normal(3) + 1j * RNG.standard_normal(3))
    step = ag.compile(_complex_step)
    with pytest.warns(RuntimeWarning, match="a gradient through complex tensors"):
        step(re, im, c)
    for _ in range(3):
        with ag.no_grad():
            re.mul_(0.9)
        loss = step(re, im, c)
        g = re.grad.numpy().copy(), im.grad.numpy().copy()
        expected = _complex_step(re, im, c)
        assert loss.item() == expected.item()
        np.testing.assert_array_equal(g[0], re.grad.numpy())
        np.testing.assert_array_equal(g[1], im.grad.numpy())
    with pytest.raises(Exception, match="a gradient through complex tensors"):
        ag.compile(_complex_step, strict=True)(re, im, c)


def test_compile_replays_a_complex_forward_bit_equal():
    c = ag.tensor(RNG.standard_normal(20) + 1j * RNG.standard_normal(20))

    def fwd(x):
        y = (x * c + 1.5).sqrt() - x / c
        return (y * y).exp().abs().sum(), y.real, ag.view_as_real(y.conj()).sum(0)

    step = ag.compile(fwd, strict=True)
    for _ in range(3):
        x = ag.tensor(RNG.standard_normal(20) + 1j * RNG.standard_normal(20))
        for a, b in zip(step(x), fwd(x)):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_complex_random_tensors_and_casts():
    ag.manual_seed(0)
    z = ag.randn(40000, dtype=ag.complex64)
    assert z.dtype == ag.complex64
    # PyTorch's complex normal: each part of variance 1/2 (a total variance of 1)
    assert abs(z.real.var().item() - 0.5) < 0.02 and abs(z.imag.var().item() - 0.5) < 0.02
    u = ag.rand(40000, dtype=ag.complex128)
    assert 0 <= u.real.min().item() and u.real.max().item() < 1
    assert 0 <= u.imag.min().item() and u.imag.max().item() < 1
    assert abs(u.imag.mean().item() - 0.5) < 0.01
    assert ag.ones(2).cfloat().dtype == ag.complex64
    assert ag.ones(2).cdouble().dtype == ag.complex128


def _cx(arr):
    return ag.Tensor._make(np.asarray(arr), None, False)  # made by no constructor


ORIGINS = [
    ("leaf", lambda: ag.tensor(np.array([1j]), requires_grad=True)),
    ("parameter", lambda: nn.Parameter(_cx([1 + 2j]))),
    ("zeros", lambda: ag.zeros(2, dtype=ag.complex64)),
    ("randn", lambda: ag.randn(2, dtype=ag.complex64)),
    ("from_numpy", lambda: ag.from_numpy(np.array([1j]))),
    ("to", lambda: r(2).to(ag.complex64)),
    ("cfloat", lambda: r(2).cfloat()),
    ("mul_python_complex", lambda: r(2) * 1j),
    ("pow_python_complex", lambda: r(2) ** 1j),
    ("rpow_python_complex", lambda: 1j ** r(2)),
    ("add_numpy_complex", lambda: r(2) + np.array([1j, 2])),
    ("where", lambda: ag.where(ag.tensor([True, False]), r(2), _cx([1j, 1]))),
    ("cat", lambda: ag.cat([r(2), _cx([1j])])),
    ("stack", lambda: ag.stack([r(1), _cx([1j])])),
    ("complex", lambda: ag.complex(r(2), r(2))),
    ("polar", lambda: ag.polar(r(2), r(2))),
    ("view_as_complex", lambda: ag.view_as_complex(r(2, 2))),
    ("data", lambda: setattr(r(2), "data", np.array([1j, 2]))),
]


@pytest.mark.parametrize("name,make", ORIGINS, ids=[o[0] for o in ORIGINS])
def test_every_way_complex_values_enter_a_graph_turns_the_checks_on(name, make):
    # the engine looks for complex nodes only once a complex tensor was made (the real hot
    # path pays nothing): each place complex values can first come from must say so
    from autograd_core.tensor import COMPLEX_SEEN

    saved = COMPLEX_SEEN[0]
    COMPLEX_SEEN[0] = False
    try:
        make()
        assert COMPLEX_SEEN[0], name
    finally:
        COMPLEX_SEEN[0] = saved or COMPLEX_SEEN[0]


def test_a_complex_second_output_of_a_multi_output_node():
    # the consumer of output 1 (complex) of a node whose output 0 is real must take its
    # complex rule: abs's real rule would give g * z here
    class Split(ag.Function):
        @staticmethod
        def forward(ctx, z):
            return z.real.clone(), z * 1

        @staticmethod
        def backward(ctx, g_re, g_z):
            return g_re + g_z

    z = ag.tensor(np.array([3 + 4j, -1 + 0j]), requires_grad=True)
    _, w = Split.apply(z)
    w.abs().sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [0.6 + 0.8j, -1])
