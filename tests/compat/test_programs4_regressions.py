"""Regressions found by the fourth round of public PyTorch programs run on tapegrad with their
imports rewritten (UvA deep-learning tutorials, LLMs-from-scratch, d2l.ai RNN chapters, ...):
each test is the line that broke or gave another number, reduced."""

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.gradcheck import gradcheck


def test_arange_length_is_ceil_of_the_float64_span_over_step():
    # UvA tutorial 4's plot_curve: arange(-m, m, 2m / 100) with float32 numpy bounds has 101
    # values in PyTorch (length ceil((end - start) / step) in float64); numpy's float32 arange
    # gave 100 (another surface shape, silently)
    s, e = np.float32(-2.1782298), np.float32(1.6187203)
    step = (e - s) / 100.0
    n = math.ceil((float(e) - float(s)) / float(step))
    assert n == 101
    t = ag.arange(s, e, step)
    assert t.shape == (101,) and t.dtype == ag.float32
    # values: start + i * step in float64, then rounded to the dtype
    want = (float(s) + np.arange(n) * float(step)).astype(np.float32)
    np.testing.assert_array_equal(t.numpy(), want)


def test_arange_float_values_are_start_plus_i_step():
    # numpy's arange steps by the difference of its first two float32 values, which drifts:
    # arange(0, 1, 0.1)[7] was 0.70000005 (PyTorch: 0.7 rounded to float32)
    t = ag.arange(0, 1, 0.1)
    np.testing.assert_array_equal(t.numpy(), (np.arange(10) * 0.1).astype(np.float32))
    assert t[7].item() == float(np.float32(0.7))


def test_arange_integer_dtype_truncates_the_bounds_and_step_first():
    # PyTorch converts start, end and step to the integer dtype before sizing
    assert ag.arange(0, 10, 2.5, dtype=ag.int64).tolist() == [0, 2, 4, 6, 8]
    assert ag.arange(-3.7, 7, 2, dtype=ag.int64).tolist() == [-3, -1, 1, 3, 5]
    assert ag.arange(10, 0, -2.5, dtype=ag.int64).tolist() == [10, 8, 6, 4, 2]
    assert ag.arange(0, -3, -1).tolist() == [0, -1, -2]


def test_arange_bad_steps_raise_pytorchs_errors_before_work():
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ag.arange(0, 1, 0)
    with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with step sign"):
        ag.arange(1, 0, 1)
    with pytest.raises(RuntimeError, match="unsupported range: 0 -> inf"):
        ag.arange(0, float("inf"))


@pytest.mark.torch_parity
def test_arange_matches_torch_lengths_and_values():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for i in range(300):
        s = float(rng.uniform(-10, 3))
        e = s + float(rng.uniform(0.1, 20))
        st = float(rng.uniform(0.01, 1.5))
        if i % 2:
            s, e, st = np.float32(s), np.float32(e), np.float32(st)
        want = torch.arange(s, e, st).numpy()
        got = ag.arange(s, e, st).numpy()
        assert got.shape == want.shape, (s, e, st)
        # PyTorch's vectorized CPU kernel may round a few values differently (1 ulp)
        np.testing.assert_allclose(got, want, rtol=2e-7, atol=1e-6)
    for args in [(0, 10, 2.5), (-3.7, 7, 2), (10, 0, -2.5), (0.5, 5)]:
        assert ag.arange(*args, dtype=ag.int64).tolist() == torch.arange(*args, dtype=torch.int64).tolist()


def test_lr_scheduler_private_base_class_alias():
    # UvA tutorial 6's CosineWarmupScheduler subclasses optim.lr_scheduler._LRScheduler (the
    # pre-2.0 name PyTorch keeps as a subclass of LRScheduler)
    import optimizers as optim
    from optimizers import lr_scheduler

    class CosineWarmup(lr_scheduler._LRScheduler):
        def __init__(self, optimizer, warmup, max_iters):
            self.warmup, self.max_num_iters = warmup, max_iters
            super().__init__(optimizer)

        def get_lr(self):
            f = 0.5 * (1 + math.cos(math.pi * self.last_epoch / self.max_num_iters))
            if self.last_epoch <= self.warmup:
                f *= self.last_epoch / self.warmup
            return [base * f for base in self.base_lrs]

    assert issubclass(lr_scheduler._LRScheduler, lr_scheduler.LRScheduler)
    opt = optim.Adam([ag.zeros(2, requires_grad=True)], lr=1e-3)
    sched = CosineWarmup(opt, warmup=10, max_iters=100)
    assert opt.param_groups[0]["lr"] == 0.0
    for _ in range(5):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.5 * (1 + math.cos(math.pi * 0.05)) * 0.5)


def test_set_grad_enabled_called_as_a_function_switches_grad_mode():
    # UvA tutorial 8's Langevin sampler calls torch.set_grad_enabled(True/False) as a function
    # (not in a with statement); it used to do nothing here, so sampling and training ran with
    # recording on where PyTorch had it off
    assert ag.is_grad_enabled()
    try:
        ag.set_grad_enabled(False)
        assert not ag.is_grad_enabled()
        x = ag.ones(2, requires_grad=True)
        assert not (x * 2).requires_grad
        ag.set_grad_enabled(True)
        assert ag.is_grad_enabled() and (x * 2).requires_grad
    finally:
        ag.set_grad_enabled(True)


def test_set_grad_enabled_as_context_and_decorator_restores_the_mode():
    with ag.no_grad():
        with ag.set_grad_enabled(True):
            assert ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()

    @ag.set_grad_enabled(False)
    def f(t):
        return t * 2

    assert ag.is_grad_enabled()  # making the decorator leaves the mode as it was
    x = ag.ones(1, requires_grad=True)
    assert not f(x).requires_grad and ag.is_grad_enabled()


@pytest.mark.torch_parity
def test_set_grad_enabled_matches_torch_sequence():
    torch = pytest.importorskip("torch")
    seen = {}
    for lib in (torch, ag):
        modes = []
        try:
            lib.set_grad_enabled(False)
            modes.append(lib.is_grad_enabled())
            with lib.set_grad_enabled(True):
                modes.append(lib.is_grad_enabled())
            modes.append(lib.is_grad_enabled())
            ctx = lib.set_grad_enabled(True)
            modes.append(lib.is_grad_enabled())
            with ctx:
                modes.append(lib.is_grad_enabled())
            modes.append(lib.is_grad_enabled())
        finally:
            lib.set_grad_enabled(True)
        seen[lib.__name__] = modes
    assert seen["autograd_core"] == seen["torch"]


def _softplus(v):
    return np.logaddexp(0.0, v)


def test_transformed_distribution_logistic_prior_closed_form():
    # karpathy/pytorch-normalizing-flows: prior = TransformedDistribution(Uniform(0, 1),
    # SigmoidTransform().inv), the standard logistic distribution: log p(z) = -z - 2 softplus(-z)
    from autograd_core.distributions import SigmoidTransform, TransformedDistribution, Uniform

    prior = TransformedDistribution(Uniform(ag.zeros(2, dtype=ag.float64), ag.ones(2, dtype=ag.float64)),
                                    SigmoidTransform().inv)
    assert prior.batch_shape == (2,) and prior.event_shape == ()
    z = ag.tensor([[-3.0, 0.5], [2.0, 0.0]], dtype=ag.float64, requires_grad=True)
    lp = prior.log_prob(z)
    zn = z.detach().numpy()
    np.testing.assert_allclose(lp.detach().numpy(), -zn - 2 * _softplus(-zn), rtol=1e-12)
    lp.sum().backward()  # d/dz = -1 + 2 sigmoid(-z)
    np.testing.assert_allclose(z.grad.numpy(), -1 + 2 / (1 + np.exp(zn)), rtol=1e-12)
    ag.manual_seed(0)
    s = prior.sample([128, 2])
    assert s.shape == (128, 2, 2) and not s.requires_grad and np.isfinite(s.numpy()).all()


def test_transforms_inverse_and_log_det():
    from autograd_core.distributions import AffineTransform, ExpTransform, SigmoidTransform

    x = ag.tensor([-1.5, 0.0, 2.0], dtype=ag.float64)
    for t in (SigmoidTransform(), ExpTransform(), AffineTransform(1.0, -2.0)):
        y = t(x)
        np.testing.assert_allclose(t.inv(y).numpy(), x.numpy(), rtol=1e-12, atol=1e-12)
        assert t.inv.inv is t
        # log|dy/dx| by a central difference
        h = 1e-6
        num = np.log(np.abs((t(x + h).numpy() - t(x - h).numpy()) / (2 * h)))
        np.testing.assert_allclose(t.log_abs_det_jacobian(x, y).numpy(), num, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(t.inv.log_abs_det_jacobian(y, x).numpy(), -num, rtol=1e-6, atol=1e-8)


def test_transformed_distribution_lognormal_gradcheck():
    from autograd_core.distributions import ExpTransform, Normal, TransformedDistribution

    def f(loc, value):
        return TransformedDistribution(Normal(loc, 0.7), [ExpTransform()]).log_prob(value)

    loc = ag.tensor([0.1, -0.4], dtype=ag.float64, requires_grad=True)
    value = ag.tensor([0.5, 2.5], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(f, (loc, value))


@pytest.mark.torch_parity
def test_transformed_distribution_matches_torch():
    torch = pytest.importorskip("torch")
    from autograd_core import distributions as agd

    z = np.array([[-3.0, 0.5], [2.0, 40.0], [-40.0, 0.0]], dtype=np.float32)
    got = agd.TransformedDistribution(agd.Uniform(ag.zeros(2), ag.ones(2)), agd.SigmoidTransform().inv)
    want = torch.distributions.TransformedDistribution(
        torch.distributions.Uniform(torch.zeros(2), torch.ones(2)), torch.distributions.SigmoidTransform().inv)
    np.testing.assert_allclose(got.log_prob(ag.tensor(z)).numpy(), want.log_prob(torch.tensor(z)).numpy(),
                               rtol=1e-6)
    ln_got = agd.TransformedDistribution(agd.Normal(ag.tensor([0.2]), ag.tensor([1.3])),
                                         [agd.ExpTransform(), agd.AffineTransform(1.0, 2.0)])
    ln_want = torch.distributions.TransformedDistribution(
        torch.distributions.Normal(torch.tensor([0.2]), torch.tensor([1.3])),
        [torch.distributions.ExpTransform(), torch.distributions.AffineTransform(1.0, 2.0)])
    v = np.array([[1.5], [3.0], [9.0]], dtype=np.float32)
    np.testing.assert_allclose(ln_got.log_prob(ag.tensor(v)).numpy(), ln_want.log_prob(torch.tensor(v)).numpy(),
                               rtol=1e-6)
    assert tuple(ln_got.sample((4,)).shape) == tuple(ln_want.sample((4,)).shape)
    assert ln_got.has_rsample == ln_want.has_rsample


def _lu_ref_check(A, LU, piv):
    # P @ L @ U == A with LAPACK's 1-based row-swap pivots
    m, n = A.shape[-2:]
    k = min(m, n)
    L = np.tril(LU, -1)[..., :, :k] + np.eye(m, k)
    U = np.triu(LU)[..., :k, :]
    perm = list(range(m))
    for i, p in enumerate(piv):
        perm[i], perm[p - 1] = perm[p - 1], perm[i]
    P = np.zeros((m, m))
    P[perm, range(m)] = 1.0
    np.testing.assert_allclose(P @ L @ U, A, rtol=1e-12, atol=1e-12)


def test_lu_factor_partial_pivoting_hand_worked():
    # karpathy/pytorch-normalizing-flows' Invertible1x1Conv: P, L, U = torch.lu_unpack(*Q.lu())
    A = ag.tensor([[0.0, 1.0], [2.0, 3.0]], dtype=ag.float64)
    LU, piv = ag.linalg.lu_factor(A)
    assert LU.tolist() == [[2.0, 3.0], [0.0, 1.0]] and piv.tolist() == [2, 2]
    assert piv.dtype == ag.int32
    P, L, U = ag.lu_unpack(LU, piv)
    assert P.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert L.tolist() == [[1.0, 0.0], [0.0, 1.0]] and U.tolist() == [[2.0, 3.0], [0.0, 1.0]]
    rng = np.random.default_rng(0)
    for shape in [(4, 4), (5, 3), (3, 5)]:
        a = rng.standard_normal(shape)
        LU, piv = ag.linalg.lu_factor(ag.tensor(a))
        _lu_ref_check(a, LU.numpy(), piv.tolist())
        # the pivot row has the largest magnitude in its column (partial pivoting): |L| <= 1
        assert np.abs(np.tril(LU.numpy(), -1)).max() <= 1.0
        P, L, U = ag.linalg.lu(ag.tensor(a))
        np.testing.assert_allclose((P @ L @ U).numpy(), a, rtol=1e-12, atol=1e-12)


def test_lu_methods_batches_and_errors():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3, 3))
    with pytest.warns(UserWarning, match="torch.lu is deprecated"):
        LU, piv = ag.tensor(a).lu()
    assert LU.shape == (2, 3, 3) and piv.shape == (2, 3)
    for b in range(2):
        _lu_ref_check(a[b], LU.numpy()[b], piv.tolist()[b])
    with pytest.warns(UserWarning):
        LU2, piv2, infos = ag.lu(ag.tensor(a), get_infos=True)
    assert infos.tolist() == [0, 0] and np.array_equal(LU2.numpy(), LU.numpy())
    P, L, U = ag.lu_unpack(LU, piv, unpack_data=False)
    assert P.shape == (2, 3, 3) and L.shape == (0,) and U.shape == (0,)
    with pytest.raises(RuntimeError, match=r"Expected tensor with 2 or more dimensions. Got size: \[3\]"):
        ag.linalg.lu_factor(ag.zeros(3))
    with pytest.raises(RuntimeError, match="LU without pivoting is not implemented on the CPU"):
        ag.linalg.lu_factor(ag.eye(2), pivot=False)
    with pytest.raises(RuntimeError, match=r"U\[1,1\] is zero"):
        ag.linalg.lu_factor(ag.zeros(2, 2))
    with pytest.warns(UserWarning):
        assert ag.zeros(2, 2).lu(get_infos=True)[2].item() == 1  # singular: info, no error
    # differentiable since the LU rule landed (it raised "not implemented"): float64 finite
    # differences agree (tests/autograd/test_lu_grad.py holds it against PyTorch)
    x = ag.tensor(a[0], requires_grad=True)
    assert gradcheck(lambda t: ag.linalg.lu_factor(t)[0], (x,))


@pytest.mark.torch_parity
def test_lu_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    for shape in [(4, 4), (3, 5, 5), (6, 4), (4, 6)]:
        a = rng.standard_normal(shape)
        got, want = ag.linalg.lu_factor(ag.tensor(a)), torch.linalg.lu_factor(torch.tensor(a))
        np.testing.assert_allclose(got.LU.numpy(), want.LU.numpy(), rtol=1e-10, atol=1e-12)
        assert got.pivots.tolist() == want.pivots.tolist()
        for x, y in zip(ag.lu_unpack(*got), torch.lu_unpack(*want)):
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12)
        for x, y in zip(ag.linalg.lu(ag.tensor(a)), torch.linalg.lu(torch.tensor(a))):
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12)


def test_pow_small_integer_exponents_are_products_as_pytorch():
    # LLMs-from-scratch's GELU: 0.044715 * torch.pow(x, 3). PyTorch computes x**3 as x*x*x,
    # x**-2 as 1/(x*x) and x**-0.5 as 1/sqrt(x) (numpy's libm pow rounded a third of the
    # float32 values differently, and took ~10x longer)
    rng = np.random.default_rng(0)
    for dt in (np.float32, np.float64):
        x = (rng.standard_normal(1000) * 3).astype(dt)
        xp_ = np.abs(x) + dt(1e-3)
        t, tp = ag.tensor(x), ag.tensor(xp_)
        np.testing.assert_array_equal(ag.pow(t, 3).numpy(), x * x * x)
        np.testing.assert_array_equal((t ** 3.0).numpy(), x * x * x)
        np.testing.assert_array_equal(ag.pow(t, -2).numpy(), dt(1) / (x * x))
        np.testing.assert_array_equal(tp.pow(-0.5).numpy(), dt(1) / np.sqrt(xp_))
        assert ag.pow(t, 3).dtype == t.dtype
    assert ag.pow(ag.tensor([2, -3]), 3).tolist() == [8, -27]  # integers unchanged
    x = ag.tensor([0.7, -1.3], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda v: v ** 3 + v.abs().pow(-0.5) + v.pow(-2), (x,))


@pytest.mark.torch_parity
def test_pow_small_exponents_bit_exact_with_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for dt in (np.float32, np.float64):
        x = (rng.standard_normal(5000) * 3).astype(dt)
        xp_ = np.abs(x) + dt(1e-3)
        for e, v in ((3, x), (-2, x), (-0.5, xp_), (2, x), (-1, x)):
            np.testing.assert_array_equal(ag.pow(ag.tensor(v), e).numpy(), torch.pow(torch.tensor(v), e).numpy())
