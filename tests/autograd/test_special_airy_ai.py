"""``special.airy_ai`` (it was missing): PyTorch's values where PyTorch's float64 is accurate,
the tabulated zeros of Ai and its closed form at 0 where it is not (PyTorch's float64 is off by
up to ~6e-6 of the envelope between -10 and -2.09), PyTorch's edges, dtypes and refusals."""

import math

import numpy as np
import pytest

import autograd_core as ag

# the first zeros of Ai (DLMF table 9.9.1)
AI_ZEROS = [-2.338107410459767, -4.087949444130971, -5.520559828095551, -6.786708090071759,
            -7.944133587120853, -9.022650853340980, -10.04017434155809, -11.00852430373326]


def _envelope(x):
    """|Ai| is at most about this: |x|^-1/4 / sqrt(pi) for x < 0, Ai(x) itself for x >= 0."""
    return np.where(x < 0, np.abs(np.minimum(x, -1e-300)) ** -0.25 / math.sqrt(math.pi), 1.0)


def test_closed_form_at_zero_and_tabulated_zeros():
    ai0 = 1 / (3 ** (2 / 3) * math.gamma(2 / 3))
    assert ag.special.airy_ai(ag.tensor([0.0], dtype=ag.float64)).item() == pytest.approx(
        ai0, rel=1e-15)
    at_zeros = ag.special.airy_ai(ag.tensor(AI_ZEROS, dtype=ag.float64)).numpy()
    # |Ai'(a_k)| ~ 0.7-1: a zero given to 16 digits leaves Ai below ~1e-14 there (PyTorch's
    # float64 gives 6.6e-7 at the first)
    np.testing.assert_allclose(at_zeros, 0.0, atol=1e-14)


def test_satisfies_airys_equation():
    # y'' = x y by five-point central differences (h = 3e-3: truncation h^4 y^(6) / 90 below
    # ~1e-9 here, rounding ~2e-11)
    x = np.linspace(-9.9, 6.0, 81)
    h = 3e-3

    def ai(v):
        return ag.special.airy_ai(ag.tensor(v, dtype=ag.float64)).numpy()

    second = (-ai(x + 2 * h) + 16 * ai(x + h) - 30 * ai(x) + 16 * ai(x - h) - ai(x - 2 * h)) \
        / (12 * h ** 2)
    np.testing.assert_allclose(second, x * ai(x), atol=5e-9)


@pytest.mark.torch_parity
def test_matches_torch_where_torchs_float64_is_accurate():
    torch = pytest.importorskip("torch")
    x = np.concatenate([np.linspace(-60.0, -10.0, 501), np.linspace(-2.09, 103.9, 1061),
                        [-1000.0, 1e-300, -0.0]])
    ours = ag.special.airy_ai(ag.tensor(x)).numpy()
    theirs = torch.special.airy_ai(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours / _envelope(x), theirs / _envelope(x), rtol=0, atol=5e-13)
    decaying = (x >= 0) & (x <= 100)  # no zeros there: relative
    np.testing.assert_allclose(ours[decaying], theirs[decaying], rtol=2e-13)


@pytest.mark.torch_parity
def test_float32_edges_dtypes_and_refusals_as_torch():
    torch = pytest.importorskip("torch")
    x = np.linspace(-2.0, 30.0, 65)  # (below, PyTorch's float32 phase drifts by ~1e-5)
    ours = ag.special.airy_ai(ag.tensor(x, dtype=ag.float32))
    theirs = torch.special.airy_ai(torch.tensor(x, dtype=torch.float32))
    assert ours.dtype == ag.float32
    np.testing.assert_allclose(ours.numpy() / _envelope(x), theirs.numpy() / _envelope(x),
                               atol=1e-6)
    edges = [math.inf, -math.inf, math.nan, 103.9, 104.0, 1e300]  # NaN at infinities, 0 above
    np.testing.assert_array_equal(ag.special.airy_ai(ag.tensor(edges, dtype=ag.float64)).numpy(),
                                  torch.special.airy_ai(torch.tensor(edges,
                                                                     dtype=torch.float64)).numpy())
    assert ag.special.airy_ai(ag.tensor([1, 2])).dtype == ag.float32  # as torch's
    x = ag.tensor([1.0], requires_grad=True)
    assert not ag.special.airy_ai(x).requires_grad  # not differentiable, as PyTorch's
    with pytest.raises(NotImplementedError, match="\"airy_ai_cpu\" not implemented for 'Half'"):
        ag.special.airy_ai(ag.tensor([1.0], dtype=ag.float16))
    with pytest.raises(NotImplementedError,
                       match="\"airy_ai_cpu\" not implemented for 'ComplexFloat'"):
        ag.special.airy_ai(ag.tensor([1.0 + 0j], dtype=ag.complex64))
