"""autograd_core.special (torch.special): names, closed forms, hand-worked values, gradients
(float64 gradcheck and gradgradcheck) and, with torch, PyTorch's numbers and gradients."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core import special

F64 = ag.float64


def t64(values, requires_grad=False):
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def test_reached_as_torch_special():
    import autograd_core as torch

    assert torch.special is special
    x = torch.tensor([0.0])
    assert torch.special.expit(x).item() == 0.5
    assert set(special.__all__) >= {
        "expit", "logit", "erf", "erfc", "erfinv", "xlogy", "xlog1py", "entr", "log_softmax",
        "softmax", "logsumexp", "log1p", "expm1", "exp2", "sinc", "i0", "ndtr", "ndtri",
        "log_ndtr", "gammaln", "digamma", "psi", "polygamma", "multigammaln", "round"}
    for name in special.__all__:
        assert callable(getattr(special, name)), name


def test_closed_forms_and_hand_values():
    x = t64([0.5, 1.0, 3.0, 6.0])
    np.testing.assert_allclose(special.gammaln(x).numpy(),
                               [math.log(math.sqrt(math.pi)), 0.0, math.log(2), math.log(120)],
                               rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(special.psi(t64([1.0])).numpy(), [-0.5772156649015329], rtol=1e-14)
    np.testing.assert_allclose(special.multigammaln(x, 1).numpy(), special.gammaln(x).numpy())
    np.testing.assert_allclose(special.expit(t64([math.log(3)])).numpy(), [0.75], rtol=1e-15)
    np.testing.assert_allclose(special.ndtr(t64([0.0, 1.0, -1.0])).numpy(),
                               [0.5, 0.8413447460685429, 0.15865525393145707], rtol=1e-14)
    # entr: -x log x, 0 at 0, -inf below 0
    np.testing.assert_allclose(special.entr(t64([0.0, 0.5, 1.0, math.e, -1.0])).numpy(),
                               [0.0, 0.5 * math.log(2), 0.0, -math.e, -math.inf], rtol=1e-15)
    # xlog1py: x log(1 + y), 0 where x is 0 even at y = -1
    np.testing.assert_allclose(special.xlog1py(t64([0.0, 2.0, 3.0]),
                                               t64([-1.0, math.e - 1, 0.0])).numpy(),
                               [0.0, 2.0, 0.0], rtol=1e-15)
    assert math.isnan(special.xlog1py(t64([0.0]), t64([math.nan])).item())
    np.testing.assert_allclose(special.ndtri(t64([0.5, 0.975, 0.0, 1.0])).numpy(),
                               [0.0, 1.959963984540054, -math.inf, math.inf], rtol=1e-14)
    assert np.isnan(special.ndtri(t64([-0.1, 1.5])).numpy()).all()
    assert special.round(t64([1.2345]), decimals=2).item() == 1.23


def test_bessel_series():
    assert special.i0(t64([0.0])).item() == 1.0 and special.i1(t64([0.0])).item() == 0.0
    x = np.array([-3.5, -1.0, 0.25, 2.0, 7.0, 19.0, 25.0, 60.0])
    k = np.arange(200)[:, None]
    lgk = np.vectorize(math.lgamma)(k + 1.0)
    half = np.abs(x) / 2
    logs = np.log(half)
    i0 = np.exp(2 * k * logs - 2 * lgk).sum(0)
    i1 = np.sign(x) * np.exp((2 * k + 1) * logs - lgk - np.vectorize(math.lgamma)(k + 2.0)).sum(0)
    np.testing.assert_allclose(special.i0(t64(x)).numpy(), i0, rtol=1e-13)
    np.testing.assert_allclose(special.i1(t64(x)).numpy(), i1, rtol=1e-13)


def test_log_ndtr_far_tail():
    # log Phi(x) ~ -x^2/2 - log(-x) - log sqrt(2 pi) + log(1 - 1/x^2 + 3/x^4 - 15/x^6)
    x = np.array([-45.0, -100.0])
    r = 1 / x**2
    expected = -x**2 / 2 - np.log(-x) - 0.5 * math.log(2 * math.pi) + np.log(
        1 - r + 3 * r**2 - 15 * r**3 + 105 * r**4)
    np.testing.assert_allclose(special.log_ndtr(t64(x)).numpy(), expected, rtol=1e-14)
    mid = np.array([-10.0, -1.0, 0.0, 2.0])
    np.testing.assert_allclose(special.log_ndtr(t64(mid)).numpy(),
                               np.log(special.ndtr(t64(mid)).numpy()), rtol=1e-13)


@given(st.floats(-30, 8))
def test_ndtri_inverts_ndtr(x):
    p = special.ndtr(t64([x]))
    np.testing.assert_allclose(special.ndtri(p).numpy(), [x], rtol=1e-9, atol=1e-12)


def test_softmax_dtype_and_integer_inputs():
    x = ag.tensor([[1.0, 2.0]])
    assert special.softmax(x, 1, dtype=F64).dtype == F64
    assert special.log_softmax(x, dim=1, dtype=F64).dtype == F64
    assert special.ndtr(ag.tensor([0, 1])).dtype == ag.float32
    assert special.i0(ag.tensor([0, 1])).dtype == ag.float32
    assert special.entr(ag.tensor([0.5], dtype=F64)).dtype == F64


GRADCHECKED = {
    "i0": (special.i0, [-2.5, -0.3, 0.4, 1.7, 4.0]),
    "i1": (special.i1, [-2.5, -0.3, 0.4, 1.7, 22.0]),
    "ndtr": (special.ndtr, [-3.0, -0.5, 0.2, 2.0]),
    "ndtri": (special.ndtri, [0.01, 0.3, 0.6, 0.999]),
    "log_ndtr": (special.log_ndtr, [-40.0, -19.0, -3.0, 0.5, 3.0]),
    "entr": (special.entr, [0.2, 0.7, 1.5]),
    "expit": (special.expit, [-1.0, 0.5]),
    "gammaln": (special.gammaln, [0.7, 2.5]),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_gradients(name):
    fn, values = GRADCHECKED[name]
    x = t64(values, requires_grad=True)
    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))


def test_i1_gradient_at_zero_and_xlog1py_gradients():
    x = t64([0.0], requires_grad=True)
    special.i1(x).sum().backward()
    assert x.grad.item() == 0.5
    a, b = t64([0.0, 1.5, -2.0], True), t64([0.5, 0.25, 3.0], True)
    assert ag.gradcheck(special.xlog1py, (a, b))
    assert ag.gradgradcheck(special.xlog1py, (a, b))


UNARY = ["expit", "erf", "erfc", "erfinv", "log1p", "expm1", "exp2", "sinc", "i0", "i1", "ndtr",
         "ndtri", "log_ndtr", "gammaln", "digamma", "psi", "entr"]


def _inputs(name, rng):
    if name in ("erfinv", "ndtri"):
        return rng.uniform(0.01, 0.99, 8) * (2 if name == "erfinv" else 1) - (
            1 if name == "erfinv" else 0)
    if name in ("log1p", "gammaln", "digamma", "psi", "entr"):
        return rng.uniform(0.1, 4.0, 8)
    if name == "log_ndtr":
        return np.concatenate([rng.uniform(-5, 5, 6), [-25.0, -60.0]])
    return rng.uniform(-4.0, 4.0, 8)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", UNARY)
def test_unary_matches_torch(name):
    torch = pytest.importorskip("torch")
    x = _inputs(name, np.random.default_rng(abs(hash(name)) % 1000))
    ours = t64(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    y, yt = getattr(special, name)(ours), getattr(torch.special, name)(theirs)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-14)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-8, atol=1e-14)
    y32 = getattr(special, name)(ag.tensor(x.astype(np.float32)))
    yt32 = getattr(torch.special, name)(torch.tensor(x.astype(np.float32)))
    assert y32.dtype == ag.float32
    np.testing.assert_allclose(y32.numpy(), yt32.numpy(), rtol=2e-5, atol=1e-6)


@pytest.mark.torch_parity
def test_multi_argument_functions_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0.2, 3.0, (2, 3, 4))
    x[0, 0] = 0.0
    cases = [
        ("xlogy", lambda m, a, b: m.xlogy(a, b)),
        ("xlog1py", lambda m, a, b: m.xlog1py(a, b)),
        ("logit", lambda m, a, b: m.logit(a / 4, eps=0.1)),
        ("polygamma", lambda m, a, b: m.polygamma(2, b)),
        ("multigammaln", lambda m, a, b: m.multigammaln(b + 2, 3)),
        ("softmax", lambda m, a, b: m.softmax(a * b, 1)),
        ("log_softmax", lambda m, a, b: m.log_softmax(a * b, 0)),
        ("logsumexp", lambda m, a, b: m.logsumexp(a - b, 1, keepdim=True)),
        ("round", lambda m, a, b: m.round(a * b, decimals=1)),
    ]
    for name, fn in cases:
        a, b = t64(x, True), t64(y, True)
        at, bt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
        out, outt = fn(special, a, b), fn(torch.special, at, bt)
        np.testing.assert_allclose(out.detach().numpy(), outt.detach().numpy(), rtol=1e-10,
                                   atol=1e-14, err_msg=name)
        weights = np.arange(out.numel()).reshape(out.shape) % 3 + 1.0
        (out * t64(weights)).sum().backward()
        (outt * torch.tensor(weights)).sum().backward()
        for mine, ref in ((a, at), (b, bt)):
            if ref.grad is None:
                assert mine.grad is None or not mine.grad.numpy().any(), name
            else:
                np.testing.assert_allclose(mine.grad.numpy(), ref.grad.numpy(), rtol=1e-8,
                                           atol=1e-12, err_msg=name)
