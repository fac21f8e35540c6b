"""vdot and cov conjugate one operand for complex inputs, as PyTorch's: ``vdot(a, b) =
sum(conj(a) * b)``, ``cov`` uses the conjugate transpose (they multiplied without it: silently
wrong values and gradients)."""

import numpy as np
import pytest

import autograd_core as ag


def _cx(rng, *shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


CASES = [
    ("vdot", lambda m, a, b: m.vdot(a, b), lambda rng: [_cx(rng, 4), _cx(rng, 4)]),
    ("cov", lambda m, a: m.cov(a), lambda rng: [_cx(rng, 2, 5)]),
    ("cov_weighted", lambda m, a: m.cov(a, correction=0, fweights=m.tensor([1, 2, 1, 3, 1]),
                                        aweights=m.tensor([0.5, 1.0, 2.0, 1.0, 0.25],
                                                          dtype=m.float64)),
     lambda rng: [_cx(rng, 3, 5)]),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,fn,draw", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_equal_torch(name, fn, draw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrs = draw(rng)
    xs = [ag.tensor(a, requires_grad=True) for a in arrs]
    ts = [torch.tensor(a, requires_grad=True) for a in arrs]
    out, tout = fn(ag, *xs), fn(torch, *ts)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    v = _cx(rng, *out.shape)
    out.backward(ag.tensor(v))
    tout.backward(torch.tensor(v))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_vdot_conjugates_its_first_argument():
    # hand-worked: conj(1j) * 1j = 1, conj(2) * (1 + 1j) = 2 + 2j
    out = ag.vdot(ag.tensor([1j, 2 + 0j]), ag.tensor([1j, 1 + 1j]))
    assert complex(out.item()) == 3 + 2j


def test_index_add_with_a_complex_alpha_conjugates_it_in_the_gradient():
    # the gradient to source is g * conj(alpha), as for source * alpha (finite differences;
    # PyTorch 2.13's index_add gives g * alpha, inconsistent with its own convention)
    rng = np.random.default_rng(0)
    src = ag.tensor(_cx(rng, 2, 3), requires_grad=True)
    base = ag.tensor(_cx(rng, 3, 3))
    assert ag.gradcheck(lambda s: base.index_add(0, ag.tensor([2, 0]), s, alpha=1 + 1j), (src,))
    out = base.index_add(0, ag.tensor([2, 0]), src, alpha=1 + 1j)
    out.backward(ag.tensor(np.full((3, 3), 1 - 2j)))
    np.testing.assert_allclose(src.grad.numpy(), np.full((2, 3), (1 - 2j) * (1 - 1j)))
