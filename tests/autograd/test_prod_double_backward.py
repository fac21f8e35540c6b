"""Second derivatives of ``prod`` and ``cumprod`` where the input holds zeros.

Their first gradient there is computed without division (the product of the other
elements); under ``create_graph`` it used to be computed from the raw values, so it was cut off
from the input: ``grad(grad(prod(x)))`` raised, and any Hessian that mixed it with connected
terms silently lost prod's part.
"""

import numpy as np
import pytest

import autograd_core as ag

ZEROS = [
    np.array([2.0, 0.0, 3.0, 4.0]),
    np.array([0.0, 0.0, 3.0, 4.0]),
    np.array([[1.0, 0.0, 3.0], [2.0, 5.0, 0.0]]),
    np.array([[0.0, 0.0, 3.0], [2.0, 5.0, 1.0]]),
    np.array([0.0]),
]

FUNCS = {
    "prod": lambda x: ag.prod(x),
    "prod_dim0": lambda x: ag.prod(x, 0),
    "prod_last_keepdim": lambda x: ag.prod(x, -1, keepdim=True),
    "cumprod0": lambda x: ag.cumprod(x, 0),
    "cumprod_last": lambda x: ag.cumprod(x, -1),
}


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("k", range(len(ZEROS)))
def test_gradgradcheck_through_zeros(name, k):
    x = ag.tensor(ZEROS[k], requires_grad=True)
    assert ag.gradgradcheck(FUNCS[name], (x,))


def test_hessian_of_a_product_with_a_zero_by_hand():
    # f = x0 x1 x2 x3: d2f/dxi dxj = the product of the two others (i != j), 0 on the diagonal
    x0 = np.array([2.0, 0.0, 3.0, 4.0])
    x = ag.tensor(x0, requires_grad=True)
    (g,) = ag.autograd.grad(ag.prod(x), x, create_graph=True)
    rows = [ag.autograd.grad(g[i], x, retain_graph=True)[0].numpy() for i in range(4)]
    want = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            if i != j:
                want[i, j] = np.prod([x0[m] for m in range(4) if m not in (i, j)])
    np.testing.assert_array_equal(np.stack(rows), want)


def test_mixed_with_connected_terms_is_not_silently_wrong():
    # grad of <grad prod(x), v> + sum(x^2)/2: prod's Hessian-vector product plus v-free x
    x0 = np.array([2.0, 0.0, 3.0])
    v = np.array([1.0, 2.0, 3.0])
    x = ag.tensor(x0, requires_grad=True)
    (g,) = ag.autograd.grad(ag.prod(x), x, create_graph=True)
    (h,) = ag.autograd.grad((g * ag.tensor(v)).sum() + (x * x).sum() / 2, x)
    hess = np.array([[0.0, x0[2], x0[1]], [x0[2], 0.0, x0[0]], [x0[1], x0[0], 0.0]])
    np.testing.assert_allclose(h.numpy(), hess @ v + x0)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("k", range(len(ZEROS) - 1))  # torch's prod of one element: no graph
def test_double_backward_matches_torch(name, k, dtype):
    torch = pytest.importorskip("torch")
    x0 = ZEROS[k].astype(dtype)
    if dtype == "complex128":
        x0 = x0 * (1 + 0.5j)
    v0 = np.arange(1, x0.size + 1).reshape(x0.shape).astype(dtype)

    def run(lib, f):
        x = lib.tensor(x0, requires_grad=True)
        y = f(x)
        (g,) = lib.autograd.grad(y, x, lib.ones_like(y), create_graph=True)
        (h,) = lib.autograd.grad((g * lib.tensor(v0)).sum().abs(), x)
        return g.detach().resolve_conj().numpy(), h.resolve_conj().numpy()

    torch_funcs = {"prod": lambda x: torch.prod(x), "prod_dim0": lambda x: torch.prod(x, 0),
                   "prod_last_keepdim": lambda x: torch.prod(x, -1, keepdim=True),
                   "cumprod0": lambda x: torch.cumprod(x, 0),
                   "cumprod_last": lambda x: torch.cumprod(x, -1)}
    for a, b in zip(run(ag, FUNCS[name]), run(torch, torch_funcs[name])):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
