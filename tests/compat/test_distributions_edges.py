"""Edge cases of the distributions package found in review: the constraints a transform
declares, Wishart with a number df over a batch of scales, and value checks of
TransformedDistribution families, against PyTorch and hand-worked values."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import distributions as D
from autograd_core.distributions import constraints as C


def test_vector_and_matrix_transforms_declare_their_sets():
    # StickBreaking/Softmax map vectors to the simplex, LowerCholesky matrices to Cholesky
    # factors: their domain/codomain said Real() (event_dim 0), so codomain.check passed any
    # real and a TransformedDistribution's support was wrong
    sb = D.StickBreakingTransform()
    assert (sb.domain.event_dim, sb.codomain.event_dim) == (1, 1)
    assert sb.codomain.check(ag.tensor([0.2, 0.3, 0.5])).item()
    assert not sb.codomain.check(ag.tensor([0.2, 0.2, 0.2])).item()
    assert not D.SoftmaxTransform().codomain.check(ag.tensor([-1.0, 2.0])).item()
    lc = D.LowerCholeskyTransform()
    assert (lc.domain.event_dim, lc.codomain.event_dim) == (2, 2)
    assert not lc.codomain.check(ag.tensor([[1.0, 0.0], [0.5, -1.0]])).item()
    with pytest.raises(NotImplementedError):  # not a scalar map: no sign, as PyTorch's
        sb.sign
    cat = D.CatTransform([D.ExpTransform(), D.identity_transform], 0, [1, 2])
    assert cat.codomain.check(ag.tensor([1.0, -1.0, -2.0])).tolist() == [True, True, True]
    assert cat.codomain.check(ag.tensor([-1.0, -1.0, -2.0])).tolist() == [False, True, True]
    stack = D.StackTransform([D.ExpTransform(), D.identity_transform], 1)
    assert stack.codomain.check(ag.tensor([[-1.0, -1.0]])).tolist() == [[False, True]]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["StickBreakingTransform", "SoftmaxTransform",
                                  "LowerCholeskyTransform", "CatTransform", "StackTransform"])
def test_transform_sets_match_torch(name):
    torch = pytest.importorskip("torch")

    def make(mod):
        if name == "CatTransform":
            return mod.CatTransform([mod.ExpTransform(), mod.identity_transform], 0, [1, 2])
        if name == "StackTransform":
            return mod.StackTransform([mod.ExpTransform(), mod.identity_transform], 1)
        return getattr(mod, name)()

    ours, theirs = make(D), make(torch.distributions.transforms)
    for side in ("domain", "codomain"):
        a, t = getattr(ours, side), getattr(theirs, side)
        assert a.event_dim == t.event_dim
        assert repr(a) == repr(t)


def test_wishart_number_df_over_a_batch_of_scales():
    # Wishart(3.0, covariance_matrix=<batch of 2>) keeps df a 0-d tensor (as PyTorch), and
    # mean/mode/variance reshaped it to (2, 1, 1): RuntimeError (PyTorch 2.13 raises too)
    s1 = np.array([[2.0, 0.5], [0.5, 1.0]])
    s2 = np.array([[1.0, -0.3], [-0.3, 3.0]])
    m = D.Wishart(5.0, covariance_matrix=ag.tensor(np.stack([s1, s2])))
    for i, s in enumerate((s1, s2)):
        d = np.diag(s)
        np.testing.assert_allclose(m.mean.numpy()[i], 5.0 * s)
        np.testing.assert_allclose(m.mode.numpy()[i], (5.0 - 2 - 1) * s)
        np.testing.assert_allclose(m.variance.numpy()[i], 5.0 * (s ** 2 + np.outer(d, d)))
    e = m.expand((3, 2))
    assert e.mean.shape == (3, 2, 2, 2)


def test_transformed_distribution_log_prob_checks_its_value():
    # TransformedDistribution.log_prob did not validate: LogisticNormal (event (3,)) gave a
    # number for a point off the simplex and for a value of 2 entries, and
    # TransformedDistribution(Normal, Exp) for a negative value; PyTorch raises ValueError
    m = D.LogisticNormal(ag.zeros(2), ag.ones(2))
    with pytest.raises(ValueError, match="Simplex"):
        m.log_prob(ag.tensor([0.2, 0.2, 0.2]))
    with pytest.raises(ValueError, match="right-most size of value must match event_shape"):
        m.log_prob(ag.tensor([0.5, 0.5]))
    lognormal = D.TransformedDistribution(D.Normal(0.0, 1.0), [D.ExpTransform()])
    with pytest.raises(ValueError, match="support"):
        lognormal.log_prob(ag.tensor(-1.0))
    # inside the support: the closed form of the standard log-normal at 2
    x = 2.0
    expected = -np.log(x) - 0.5 * np.log(2 * np.pi) - 0.5 * np.log(x) ** 2
    np.testing.assert_allclose(lognormal.log_prob(ag.tensor(x)).item(), expected, rtol=1e-6)
    # validate_args=False computes without the check, as PyTorch's
    unchecked = D.LogisticNormal(ag.zeros(2), ag.ones(2), validate_args=False)
    assert np.isfinite(unchecked.log_prob(ag.tensor([0.2, 0.2, 0.2])).item())


def test_constraints_with_tensor_bounds_check_arrays():
    # greater_than/greater_than_eq/less_than/half_open_interval/integer_interval with a
    # Tensor bound compared arrays with a Tensor: a subclass's parameter check (np.all of a
    # Tensor) raised TypeError instead of checking
    class Shifted(D.Distribution):
        arg_constraints = {"x": C.greater_than(ag.tensor([0.0, 1.0]))}

        def __init__(self, x):
            self.x = x
            super().__init__(x.shape)

    Shifted(ag.tensor([0.5, 1.5]))
    with pytest.raises(ValueError, match="GreaterThan"):
        Shifted(ag.tensor([0.5, 0.5]))
    bound = ag.tensor([1.0, 2.0])
    v = ag.tensor([1.0, 1.5])
    assert C.greater_than_eq(bound).check(v).tolist() == [True, False]
    assert C.less_than(bound).check(v).tolist() == [False, True]
    assert C.half_open_interval(ag.tensor(0.0), bound).check(v).tolist() == [False, True]
    assert C.integer_interval(ag.tensor(0.0), bound).check(v).tolist() == [True, False]


@pytest.mark.parametrize("make", [
    lambda: D.ExpTransform(), lambda: D.AffineTransform(1.0, 2.0), lambda: D.PowerTransform(2.0),
    lambda: D.StickBreakingTransform(), lambda: D.CorrCholeskyTransform(),
    lambda: D.ComposeTransform([D.ExpTransform(), D.AffineTransform(1.0, 2.0)]),
    lambda: D.ExpTransform().inv], ids=["exp", "affine", "power", "stick", "corr", "compose",
                                        "inverse"])
def test_with_cache(make):
    # Transform.with_cache (PyTorch's) was missing: AttributeError for every transform but
    # CumulativeDistributionTransform
    t = make()
    assert t.with_cache(0) is t
    cached = t.with_cache()
    assert cached is not t and cached.with_cache(1) is cached
    x = ag.tensor([0.3, 0.6, 0.1]) if "Corr" not in repr(t) else ag.tensor([0.3, -0.2, 0.5])
    y = cached(x)
    if not isinstance(t, D.ComposeTransform):  # (PyTorch's Compose.inv has its own cache)
        assert cached.inv(y) is x  # the cached pair, not a recomputation
        assert t.inv(t(x)) is not x  # the original stays uncached
    np.testing.assert_allclose(cached(x).numpy(), t(x).numpy())
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        t.with_cache(2)


@pytest.mark.torch_parity
def test_transform_reprs_match_torch():
    # PowerTransform and ReshapeTransform printed their arguments; PyTorch's print the class
    torch = pytest.importorskip("torch")
    T = torch.distributions.transforms
    pairs = [(D.PowerTransform(2.0), T.PowerTransform(torch.tensor(2.0))),
             (D.ReshapeTransform((2, 3), (6,)), T.ReshapeTransform((2, 3), (6,))),
             (D.PowerTransform(2.0).inv, T.PowerTransform(torch.tensor(2.0)).inv),
             (D.ComposeTransform([D.PowerTransform(2.0), D.ExpTransform()]),
              T.ComposeTransform([T.PowerTransform(torch.tensor(2.0)), T.ExpTransform()]))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_continuous_bernoulli_is_a_complete_exponential_family():
    # ContinuousBernoulli had no _natural_params/_log_normalizer: ExponentialFamily.entropy and
    # the Bregman KL raised NotImplementedError (PyTorch's compute them)
    from autograd_core.distributions.kl import _kl_expfamily_expfamily
    probs = ag.tensor([0.2, 0.4995, 0.5, 0.9], dtype=ag.float64)
    p = D.ContinuousBernoulli(probs)
    q = D.ContinuousBernoulli(ag.tensor([0.6, 0.3, 0.5004, 0.5], dtype=ag.float64))
    np.testing.assert_allclose(D.ExponentialFamily.entropy(p).detach().numpy(),
                               p.entropy().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(_kl_expfamily_expfamily(p, q).detach().numpy(),
                               D.kl_divergence(p, q).numpy(), rtol=1e-7, atol=1e-12)
    # the normaliser in closed form: log((e^x - 1) / x), log 1 = 0 at x = 0
    x = ag.tensor([-3.0, -1e-4, 0.0, 2e-3, 5.0], dtype=ag.float64)
    xs = x.numpy()
    expected = [np.log(np.expm1(v) / v) if v != 0 else 0.0 for v in xs]
    np.testing.assert_allclose(p._log_normalizer(x).numpy(), expected, rtol=1e-12, atol=1e-15)


class _Positive(C.Constraint):  # PyTorch's way to define a constraint: subclass, give check
    def check(self, value):
        return value > 0


class _Scaled(D.Distribution):
    arg_constraints = {"scale": _Positive()}
    support = _Positive()

    def __init__(self, scale, validate_args=None):
        self.scale = scale
        super().__init__(scale.shape, validate_args=validate_args)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -value / self.scale - self.scale.log()


def test_a_users_constraint_subclass_checks_through_its_check():
    # a Constraint subclass with only check() (PyTorch's documented way) in a distribution's
    # arg_constraints/support raised NotImplementedError on construction (the base's check
    # asked for a predicate the subclass does not have)
    d = _Scaled(ag.tensor([1.0, 2.0]))
    np.testing.assert_allclose(d.log_prob(ag.tensor([2.0, 2.0])).numpy(),
                               [-2.0, -1.0 - np.log(2.0)], rtol=1e-6)
    with pytest.raises(ValueError, match=r"scale .* to satisfy the constraint Positive\(\)"):
        _Scaled(ag.tensor([1.0, -2.0]))
    with pytest.raises(ValueError, match="within the support"):
        d.log_prob(ag.tensor([2.0, -1.0]))
    _Scaled(ag.tensor([-1.0]), validate_args=False)  # no check


@pytest.mark.torch_parity
def test_a_users_constraint_repr_matches_torch():
    torch = pytest.importorskip("torch")

    class _Mine(torch.distributions.constraints.Constraint):
        def check(self, value):
            return value > 0

    assert repr(_Positive()).replace("Positive", "Mine") == repr(_Mine())
    assert repr(C.Constraint()) == repr(torch.distributions.constraints.Constraint())


def test_constraint_registry_register():
    # biject_to/transform_to were plain functions: biject_to.register(...) (PyTorch's way to
    # map a constraint of one's own) raised AttributeError, and ConstraintRegistry was missing
    from autograd_core.distributions.constraint_registry import ConstraintRegistry

    class _Above2(C.Constraint):
        def check(self, value):
            return value > 2

    @D.biject_to.register(_Above2)
    def _to_above2(constraint):
        return D.ComposeTransform([D.ExpTransform(), D.AffineTransform(2.0, 1.0)])

    x = ag.tensor([0.0, 1.0])
    np.testing.assert_allclose(D.biject_to(_Above2())(x).numpy(), [3.0, 2.0 + np.e], rtol=1e-6)
    # inside a composite constraint, as PyTorch's
    t = D.biject_to(C.independent(_Above2(), 1))
    np.testing.assert_allclose(t(x).numpy(), [3.0, 2.0 + np.e], rtol=1e-6)
    with pytest.raises(NotImplementedError, match="Cannot transform"):
        D.transform_to(_Above2())  # registered with biject_to only
    # the package's own constraints still map as before, and can be re-registered
    np.testing.assert_allclose(D.transform_to(C.positive)(ag.tensor([0.0])).numpy(), [1.0])
    mine = ConstraintRegistry()
    mine.register(C.positive, lambda c: D.SoftplusTransform())
    np.testing.assert_allclose(mine(C.positive)(ag.tensor([0.0])).numpy(), [np.log(2.0)],
                               rtol=1e-6)
    mine.register(C.greater_than, lambda c: D.AffineTransform(c.lower_bound, 1.0))
    np.testing.assert_allclose(mine(C.greater_than(3.0))(ag.tensor([1.0])).numpy(), [4.0])
    with pytest.raises(NotImplementedError, match="Cannot transform"):
        mine(C.real)


def test_tril_matrix_vec_round_trip():
    # distributions.utils.tril_matrix_to_vec / vec_to_tril_matrix (PyTorch's) were missing
    from autograd_core.distributions.utils import tril_matrix_to_vec, vec_to_tril_matrix
    m = np.arange(1.0, 17.0).reshape(4, 4)
    for diag, expected in [(0, m[np.tril_indices(4)]), (-1, [5.0, 9.0, 10.0, 13.0, 14.0, 15.0]),
                           (1, m[np.tril_indices(4, 1)])]:
        vec = tril_matrix_to_vec(ag.tensor(m), diag)
        np.testing.assert_array_equal(vec.numpy(), expected)
        back = vec_to_tril_matrix(vec, diag).numpy()
        np.testing.assert_array_equal(back, np.tril(m, diag))
    with pytest.raises(ValueError, match=r"diag \(4\) provided is outside \[-4, 3\]"):
        tril_matrix_to_vec(ag.tensor(m), 4)
    with pytest.raises(ValueError, match="cannot be expressed as the lower triangular part"):
        vec_to_tril_matrix(ag.ones(4))
    v = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    (vec_to_tril_matrix(v) * ag.tensor([[1.0, 5.0], [2.0, 3.0]])).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [[1.0, 2.0, 3.0]])


@pytest.mark.torch_parity
def test_relaxed_bases_are_public_as_torch():
    # LogitRelaxedBernoulli / ExpRelaxedCategorical were private (_-prefixed) with no support,
    # arg_constraints, param_shape, expand or value check
    torch = pytest.importorskip("torch")
    from autograd_core.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
    from autograd_core.distributions.relaxed_categorical import ExpRelaxedCategorical
    from torch.distributions import relaxed_bernoulli as trb, relaxed_categorical as trc

    f64 = torch.float64
    lrb = LogitRelaxedBernoulli(ag.tensor(0.5, dtype=ag.float64),
                                probs=ag.tensor([0.3, 0.8], dtype=ag.float64))
    t_lrb = trb.LogitRelaxedBernoulli(torch.tensor(0.5, dtype=f64),
                                      probs=torch.tensor([0.3, 0.8], dtype=f64))
    erc = ExpRelaxedCategorical(ag.tensor(0.5, dtype=ag.float64),
                                logits=ag.tensor([0.3, -0.7], dtype=ag.float64))
    t_erc = trc.ExpRelaxedCategorical(torch.tensor(0.5, dtype=f64),
                                      logits=torch.tensor([0.3, -0.7], dtype=f64))
    for ours, theirs, v, shape in [(lrb, t_lrb, [0.5, -1.0], (4, 2)),
                                   (erc, t_erc, np.log([0.4, 0.6]), (4,))]:
        assert repr(ours.support) == repr(theirs.support)
        assert {k: repr(c) for k, c in ours.arg_constraints.items()} == {
            k: repr(c) for k, c in theirs.arg_constraints.items()}
        assert tuple(ours.param_shape) == tuple(theirs.param_shape)
        assert ours.has_rsample == theirs.has_rsample
        e, te = ours.expand(shape), theirs.expand(shape)
        assert tuple(e.batch_shape) == tuple(te.batch_shape)
        np.testing.assert_allclose(e.log_prob(ag.tensor(v)).numpy(),
                                   te.log_prob(torch.tensor(v)).numpy(), rtol=1e-10)
        with pytest.raises(ValueError):
            ours.log_prob(ag.tensor([[0.5, 0.5, 0.5]]))  # the wrong event / batch shape


def _wishart_kl(n1, s1, n2, s2):
    """KL(W(n1, s1) || W(n2, s2)) in closed form (p x p scales)."""
    p = s1.shape[-1]
    mvlg = lambda x: ag.mvlgamma(ag.tensor(x, dtype=ag.float64), p).item()  # noqa: E731
    psi = sum(ag.digamma(ag.tensor(n1 / 2 - i / 2, dtype=ag.float64)).item() for i in range(p))
    return (n2 / 2 * (np.linalg.slogdet(s2)[1] - np.linalg.slogdet(s1)[1])
            + n1 / 2 * (np.trace(np.linalg.solve(s2, s1)) - p)
            + mvlg(n2 / 2) - mvlg(n1 / 2) + (n1 - n2) / 2 * psi)


def test_wishart_bregman_kl_and_entropy_with_a_number_df():
    # with a number df over a batch of scales, the Bregman KL summed the df gradient over the
    # batch: KL = [1.0935, 1.8078] where the closed form gives [2.0503, 2.5104] (PyTorch 2.13
    # gives the same wrong numbers); ExponentialFamily.entropy raised RuntimeError
    s1 = np.array([[2.0, 0.5], [0.5, 1.0]])
    s2 = np.array([[1.0, -0.3], [-0.3, 3.0]])
    p = D.Wishart(3.0, covariance_matrix=ag.tensor(np.stack([s1, s2])))
    q = D.Wishart(4.0, covariance_matrix=ag.tensor(np.stack([s2, s1])))
    np.testing.assert_allclose(D.kl_divergence(p, q).detach().numpy(),
                               [_wishart_kl(3.0, s1, 4.0, s2), _wishart_kl(3.0, s2, 4.0, s1)],
                               rtol=1e-10)
    np.testing.assert_allclose(D.ExponentialFamily.entropy(p).detach().numpy(),
                               p.entropy().numpy(), rtol=1e-10)
    # a batch of df (already correct) stays so
    pb = D.Wishart(ag.tensor([3.0, 2.5], dtype=ag.float64), covariance_matrix=ag.tensor(s1))
    qb = D.Wishart(ag.tensor([4.0, 5.0], dtype=ag.float64), covariance_matrix=ag.tensor(s2))
    np.testing.assert_allclose(D.kl_divergence(pb, qb).detach().numpy(),
                               [_wishart_kl(3.0, s1, 4.0, s2), _wishart_kl(2.5, s1, 5.0, s2)],
                               rtol=1e-10)


_KL_PAIRS = [
    ("Pareto", [[2.0, 1.0, 3.0], [3.0, 0.5, 2.5]], "Pareto", [[1.0, 2.0, 1.5], [0.7, 0.8, 0.9]]),
    ("Pareto", [[2.0, 1.0, 3.0], [3.0, 0.5, 1.5]], "Exponential", [[1.0, 2.0, 1.5]]),
    ("Pareto", [[2.0, 1.0, 3.0], [3.0, 0.5, 1.5]], "Gamma", [[1.0, 2.0, 1.5], [0.7, 0.8, 0.9]]),
    ("Pareto", [[2.0, 1.0, 3.0], [3.0, 1.5, 2.5]], "Normal", [[1.0, 2.0, 1.5], [0.7, 0.8, 0.9]]),
    ("Uniform", [[2.0, 0.5, 3.0], [3.0, 4.0, 3.5]], "Pareto", [[1.0, 2.0, 1.5], [2.0, 0.5, 1.0]]),
    ("ContinuousBernoulli", [[0.2, 0.5, 0.8]], "Uniform", [[-1.0, -0.5, 0.1], [2.0, 1.5, 1.1]]),
    ("ContinuousBernoulli", [[0.2, 0.5, 0.8]], "Normal", [[-1.0, -0.5, 0.1], [2.0, 1.5, 1.0]]),
    ("ContinuousBernoulli", [[0.2, 0.5, 0.8]], "Exponential", [[2.0, 1.5, 1.0]]),
    ("Beta", [[0.2, 0.5, 0.8], [2.0, 1.0, 3.0]], "ContinuousBernoulli", [[0.3, 0.5, 0.9]]),
    ("Uniform", [[0.2, 0.1, -0.1], [0.5, 0.7, 0.9]], "ContinuousBernoulli", [[0.3, 0.5, 0.9]]),
    ("Normal", [[0.0], [1.0]], "Pareto", [[1.0], [2.0]]),
    ("Pareto", [[1.0], [2.0]], "Uniform", [[0.0], [5.0]]),
    ("Gamma", [[1.0], [2.0]], "ContinuousBernoulli", [[0.3]]),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("pn, pp, qn, qp", _KL_PAIRS,
                         ids=[f"{c[0]}-{c[2]}" for c in _KL_PAIRS])
def test_pareto_and_continuous_bernoulli_kl_pairs_match_torch(pn, pp, qn, qp):
    # PyTorch registers these pairs; kl_divergence raised NotImplementedError (Pareto-Pareto
    # too when the scales differ)
    torch = pytest.importorskip("torch")
    pa = [ag.tensor(np.array(v), requires_grad=True) for v in pp]
    qa = [ag.tensor(np.array(v), requires_grad=True) for v in qp]
    pt = [torch.tensor(np.array(v), requires_grad=True) for v in pp]
    qt = [torch.tensor(np.array(v), requires_grad=True) for v in qp]
    ours = D.kl_divergence(getattr(D, pn)(*pa), getattr(D, qn)(*qa))
    theirs = torch.distributions.kl_divergence(getattr(torch.distributions, pn)(*pt),
                                               getattr(torch.distributions, qn)(*qt))
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10)
    finite = np.isfinite(theirs.detach().numpy())
    if finite.any():
        ga = ag.autograd.grad(ag.where(ag.tensor(finite), ours, 0.0).sum(), pa + qa,
                              allow_unused=True)
        gt = torch.autograd.grad(torch.where(torch.tensor(finite), theirs, 0.0).sum(), pt + qt,
                                 allow_unused=True)
        for a, t in zip(ga, gt):
            np.testing.assert_allclose(0 if a is None else a.numpy(),
                                       0 if t is None else t.numpy(), rtol=1e-7, atol=1e-12)


def test_continuous_bernoulli_uniform_kl_at_the_unit_interval():
    # U(0, 1) covers CB's support: KL(CB || U(0, 1)) = -H(CB) and KL(U(0, 1) || CB) =
    # -E log q(X) (PyTorch 2.13 says inf for both: its bounds checks include the ends)
    cb = D.ContinuousBernoulli(ag.tensor([0.2, 0.7], dtype=ag.float64))
    u = D.Uniform(ag.tensor(0.0, dtype=ag.float64), ag.tensor(1.0, dtype=ag.float64))
    np.testing.assert_allclose(D.kl_divergence(cb, u).numpy(), -cb.entropy().numpy(), rtol=1e-12)
    x = np.linspace(0.0, 1.0, 200001)  # E_U[-log q(X)] by the trapezoid rule
    lq = cb.log_prob(ag.tensor(x[:, None], dtype=ag.float64)).numpy()
    expected = -np.trapezoid(lq, x, axis=0)
    np.testing.assert_allclose(D.kl_divergence(u, cb).numpy(), expected, rtol=1e-8)


def test_lower_triangular_rejects_nan():
    # constraints.lower_triangular looked only above the diagonal: a nan on or below it passed
    # (PyTorch's compares the matrix with its lower triangle, so nan fails)
    check = C.lower_triangular.check
    assert check(ag.tensor([[1.0, 0.0], [0.6, 0.8]])).item()
    assert not check(ag.tensor([[float("nan"), 0.0], [0.6, 0.8]])).item()
    assert not check(ag.tensor([[1.0, 0.0], [float("nan"), 0.8]])).item()
    assert not check(ag.tensor([[1.0, 0.1], [0.6, 0.8]])).item()


def test_bregman_kl_and_entropy_are_differentiable_in_p():
    # the Bregman KL and ExponentialFamily.entropy detached p's natural parameters (as PyTorch
    # does), so KL(Wishart p || q) gave no gradient to p's covariance or df: a variational
    # Wishart trained on that KL silently did not learn
    s1 = np.array([[2.0, 0.5], [0.5, 1.0]])
    s2 = np.array([[1.0, -0.3], [-0.3, 3.0]])

    def kl(cov, df):
        q = D.Wishart(ag.tensor(4.0, dtype=ag.float64), covariance_matrix=ag.tensor(s2))
        return D.kl_divergence(D.Wishart(df, covariance_matrix=cov), q)

    cov = ag.tensor(s1, requires_grad=True)
    df = ag.tensor(3.0, dtype=ag.float64, requires_grad=True)
    g_cov, g_df = ag.autograd.grad(kl(cov, df), [cov, df])
    h = 1e-6

    def closed(cov_np, df_f):
        return _wishart_kl(df_f, cov_np, 4.0, s2)

    np.testing.assert_allclose(g_df.item(), (closed(s1, 3.0 + h) - closed(s1, 3.0 - h)) / (2 * h),
                               rtol=1e-6)
    for e in (np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])):
        fd = (closed(s1 + h * e, 3.0) - closed(s1 - h * e, 3.0)) / (2 * h)
        np.testing.assert_allclose((g_cov.numpy() * e).sum(), fd, rtol=1e-6)
    # entropy: d/dscale of the Normal's Bregman entropy is 1 / scale
    scale = ag.tensor([1.0, 3.0], dtype=ag.float64, requires_grad=True)
    ent = D.ExponentialFamily.entropy(D.Normal(ag.zeros(2, dtype=ag.float64), scale))
    np.testing.assert_allclose(ag.autograd.grad(ent.sum(), [scale])[0].numpy(), [1.0, 1 / 3])
