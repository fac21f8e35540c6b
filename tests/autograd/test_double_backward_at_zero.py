"""Second derivatives where inputs are zero: the points where rules take another path.

The op table's samples draw inputs away from such points, so its gradgradcheck never sees
them. ``prod``/``cumprod``'s first gradient at a zero is computed without division (the
product of the other elements); under ``create_graph`` it used to be computed from the raw
values, cut off from the input: ``grad(grad(prod(x)))`` raised, and a Hessian that mixed it
with connected terms silently lost prod's part. ``sinc``'s was masked to 0 at 0, so its second
derivative there was 0 instead of -pi^2/3.
"""

import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.registry import OPS

# Samples whose functions have a kink, a jump, a tie or a singular point where inputs are zero
# (abs, relu, max, masks from comparisons with 0, floor-based remainders, sorts of equal
# values, atan2 at the origin, where its gradient is PyTorch's 0): finite differences do not
# hold there. Every other op must pass gradgradcheck with zeros in its input.
KINKS = {
    "abs", "atan2", "adaptive_max_pool1d", "adaptive_max_pool2d", "amax", "celu", "copysign",
    "cummax", "cummin", "elu", "fmax", "fmin", "fmod", "getitem_mask", "leaky_relu", "masked_fill",
    "masked_fill_tensor_value", "masked_scatter", "masked_scatter_broadcast_mask", "max_dim", "max_pool1d", "max_pool2d", "max_pool2d_dilated",
    "max_pool3d", "maximum", "median", "median_dim", "min_dim", "minimum", "nanquantile",
    "norm_p1_dim", "prelu", "prelu_one_weight", "quantile", "quantile_dim", "relu",
    "remainder", "selu", "sort",
    "sort_descending",
    "special_i0e", "topk", "topk_smallest", "where",
    # x = 0 is the edge of the incomplete gamma's domain: d2/dx2 there is NaN, as PyTorch's
    # (x**(a - 1) through log(0)); differences one side of it do not hold
    "special_gammainc", "special_gammaincc",
}


def test_every_kink_named_is_a_sample():
    assert KINKS <= {s.name for s in OPS}


@pytest.mark.parametrize("sample", [s for s in OPS if s.twice and s.name not in KINKS],
                         ids=lambda s: s.name)
def test_gradgradcheck_with_zeros_in_the_input(sample):
    shapes = list(sample.shapes) if sample.shapes else [(3, 4)] * sample.n_inputs
    for seed in range(2):
        rng = np.random.default_rng(seed)
        arrays = [sample.draw(shape, rng, k) for k, shape in enumerate(shapes)]
        for a in arrays:  # a third of each input's elements set to 0
            flat = a.reshape(-1)
            if flat.size > 1:
                flat[rng.choice(flat.size, flat.size // 3, replace=False)] = 0.0
        xs = tuple(ag.tensor(a, dtype=ag.float64, requires_grad=True) for a in arrays)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = sample.fn(*xs)
        outs = out if isinstance(out, tuple) else (out,)
        if not all(np.isfinite(o.detach().numpy()).all() for o in outs
                   if o.dtype.is_floating_point):
            continue  # a pole at 0 (log, 1/x): not a point where derivatives exist
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = [ag.autograd.grad(o.sum(), xs, create_graph=True, allow_unused=True)
                     for o in outs if o.requires_grad]
        if not all(g is None or np.isfinite(g.detach().numpy()).all() for gs in first
                   for g in gs):
            continue  # an infinite slope at 0 (sqrt)
        assert ag.gradgradcheck(sample.fn, xs)


def test_sinc_second_derivative_at_zero():
    x = ag.tensor([0.0, -0.0, 0.5], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad(ag.sinc(x).sum(), x, create_graph=True)
    (h,) = ag.autograd.grad(g.sum(), x)
    assert g.detach().numpy()[:2].tolist() == [0.0, 0.0]
    assert not np.signbit(g.detach().numpy()[:2]).any()  # +0, as before
    np.testing.assert_allclose(h.numpy()[:2], -math.pi ** 2 / 3, rtol=1e-15)
    # the second derivative away from 0, by hand: ((2 - (pi x)^2) sin(pi x) - 2 pi x cos(pi x))
    # / (pi x^3)
    v = 0.5
    want = ((2 - (math.pi * v) ** 2) * math.sin(math.pi * v)
            - 2 * math.pi * v * math.cos(math.pi * v)) / (math.pi * v ** 3)
    np.testing.assert_allclose(h.numpy()[2], want, rtol=1e-13)

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


def test_logsigmoid_second_derivative_at_zero():
    # log(sigmoid(x))'' = -sigmoid(x) sigmoid(-x): -1/4 at 0 (the composite through abs and
    # minimum gave 0 there); multilabel_soft_margin_loss, -mean of y logsigmoid(x) +
    # (1 - y) logsigmoid(-x), is built on it: sigmoid(x) sigmoid(-x) / C
    import nn.functional as F

    x = ag.tensor([0.0, -0.0, 1.5], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad(F.logsigmoid(x).sum(), x, create_graph=True)
    (h,) = ag.autograd.grad(g.sum(), x)
    s = 1.0 / (1.0 + math.exp(-1.5))
    np.testing.assert_allclose(h.numpy(), [-0.25, -0.25, -s * (1.0 - s)], rtol=1e-15)
    target = ag.tensor([[1.0, 0.0, 1.0]], dtype=ag.float64)
    x = ag.tensor([[0.0, 0.0, 1.5]], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad(F.multilabel_soft_margin_loss(x, target), x, create_graph=True)
    (h,) = ag.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [[0.25 / 3, 0.25 / 3, s * (1.0 - s) / 3]],
                               rtol=1e-15)


@pytest.mark.parametrize("name, alpha, scale, input_scale", [
    ("elu", 1.0, 1.0, 1.0), ("elu", 0.7, 1.0, 1.0), ("celu", 1.3, 1.0, 1.0 / 1.3),
    ("selu", 1.6732632423543772848170429916717, 1.0507009873554804934193349852946, 1.0)])
def test_elu_family_derivatives_at_zero(name, alpha, scale, input_scale):
    # PyTorch's convention at the kink: the first derivative at 0 is the negative side's,
    # alpha * scale * input_scale (ATen's elu_backward takes x <= 0 there), the second is 0
    # (elu_double_backward masks on x < 0); away from 0, by hand: alpha scale s^2 e^(s x)
    # below, 0 above. The composite through where/clamp gave the negative side's curvature
    # at 0.
    import nn.functional as F

    fn = {"elu": lambda x: F.elu(x, alpha), "selu": F.selu,
          "celu": lambda x: F.celu(x, alpha)}[name]
    x = ag.tensor([0.0, -0.0, -0.5, 0.5], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad(fn(x).sum(), x, create_graph=True)
    (h,) = ag.autograd.grad(g.sum(), x)
    below = alpha * scale * input_scale
    np.testing.assert_allclose(
        g.detach().numpy(), [below, below, below * math.exp(-0.5 * input_scale), scale],
        rtol=1e-15)
    np.testing.assert_allclose(
        h.numpy(), [0.0, 0.0, below * input_scale * math.exp(-0.5 * input_scale), 0.0],
        rtol=1e-15)


def test_elu_values_near_zero_use_expm1():
    # alpha * (e^x - 1) computed as exp(x) - 1 lost half the digits at x = -1e-10
    import nn.functional as F

    x = ag.tensor([-1e-10, -1e-5], dtype=ag.float64)
    np.testing.assert_allclose(F.elu(x, 0.7).numpy(), 0.7 * np.expm1([-1e-10, -1e-5]),
                               rtol=1e-15)


def test_prelu_second_derivatives_at_zero():
    # PyTorch's prelu: the first derivative in x at 0 is w (the negative side's), but its
    # double backward masks on x >= 0, so at x = 0 every second derivative is 0. By hand for
    # sum(prelu(x, w)): gx = w below or at 0, 1 above; gw = sum of x <= 0; d(sum gx)/dw counts
    # x < 0, d(gw)/dx is 1 where x < 0. The composite through where gave 1 at 0 for both.
    import nn.functional as F

    x = ag.tensor([0.0, -0.0, -2.0, 3.0], dtype=ag.float64, requires_grad=True)
    w = ag.tensor([0.3], dtype=ag.float64, requires_grad=True)
    gx, gw = ag.autograd.grad(F.prelu(x, w).sum(), (x, w), create_graph=True)
    np.testing.assert_array_equal(gx.detach().numpy(), [0.3, 0.3, 0.3, 1.0])
    np.testing.assert_array_equal(gw.detach().numpy(), [-2.0])
    hx, hw = ag.autograd.grad(gx.sum() + gw.sum(), (x, w))
    np.testing.assert_array_equal(hx.numpy(), [0.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(hw.numpy(), [1.0])
