"""The numpy twins against independent float64 references, and the kernels against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import CASES, CLOSED_FORMS, arrays_for, call, closed_form

# A small grid (the closed forms run in Python): dense near 0, out to the saturated tails.
GRID = np.concatenate([np.linspace(-12, 12, 481), [-60.0, -30.0, 30.0, 60.0]])


EPS64 = 2.0**-53


def _cancelling_terms(case, x):
    """Size of the terms PyTorch's float64 formula adds with cancellation (the twins follow it).

    ``1 + erf`` and ``1 + tanh`` cancel for x < 0, and tanh-GELU's derivative also has
    ``1 - t*t`` with t -> +-1, multiplied by ``0.5 x u'(x)``, u' = sqrt(2/pi)(1 + 3 kappa x^2).
    Each of those differences has an absolute error of a few eps whatever its (tiny) value, so
    the twin's error is a few eps times these sizes, not a few eps of the result.
    """
    ax = np.abs(x)
    if case in ("gelu_forward", "gelu_tanh_forward"):
        return ax
    if case == "gelu_tanh_backward":
        return 1 + 0.5 * ax * np.sqrt(2 / np.pi) * (1 + 3 * 0.044715 * x * x)
    return np.ones_like(x)


@pytest.mark.parametrize("case", [c for c in CASES if c in CLOSED_FORMS])
def test_twin_matches_closed_form_float64(case):
    x = GRID.astype(np.float64)
    g = np.ones_like(x)
    got = call(case, "numpy", arrays_for(case, x, g))
    want = closed_form(case, x)
    # rounding-level agreement relative to the result, plus 4 eps (t's rounding, and the
    # rounding of 1 + t / 1 - t*t) of the cancelling terms above
    bound = 1e-13 * np.abs(want) + 4 * EPS64 * _cancelling_terms(case, x) + 1e-300
    worst = np.argmax(np.abs(got - want) / bound)
    assert np.all(np.abs(got - want) <= bound), (
        f"{case} at x={x[worst]}: {got[worst]!r} vs {want[worst]!r}"
    )


def test_softplus_switch_is_decided_in_the_input_dtype():
    """PyTorch tests ``x * beta > threshold`` on the product rounded to the input's dtype. For
    float32 x = 1.6, 2.5 * x rounds to exactly 4.0 (the exact product is 4.0000000596), so with
    threshold 4 the log branch is taken: log1p(exp(4)) / 2.5 = 1.60726, not 1.6 (the jump is
    log1p(exp(-4)) / 2.5 = 0.0073). In float64 the same x is above the threshold."""
    x32 = np.array([1.6], np.float32)
    log_branch = np.log1p(np.exp(4.0)) / 2.5
    sig4 = 1 / (1 + np.exp(-4.0))
    for impl in ("numba", "numpy"):
        y = call("softplus_beta_forward", impl, [x32])
        d = call("softplus_beta_backward", impl, [x32, np.ones_like(x32)])
        np.testing.assert_allclose(y, log_branch, rtol=1e-6)
        np.testing.assert_allclose(d, sig4, rtol=1e-6)
        x64 = x32.astype(np.float64)
        assert call("softplus_beta_forward", impl, [x64])[0] == x64[0]
        assert call("softplus_beta_backward", impl, [x64, np.ones_like(x64)])[0] == 1.0
    try:
        import torch
    except ImportError:
        return
    t = torch.nn.functional.softplus(torch.from_numpy(x32), 2.5, 4.0).numpy()
    np.testing.assert_allclose(t, log_branch, rtol=1e-6)


@pytest.mark.parametrize(
    "case,forward",
    [("sigmoid_backward", "sigmoid_forward"), ("tanh_backward", "tanh_forward")],
)
def test_twin_backward_from_output(case, forward):
    """The y-based backward rules equal the derivative of the closed form."""
    x = GRID.astype(np.float64)
    g = np.full_like(x, 0.75)
    got = call(case, "numpy", arrays_for(case, x, g))
    h = 1e-6
    fd = (closed_form(forward, x + h) - closed_form(forward, x - h)) / (2 * h)
    np.testing.assert_allclose(got, 0.75 * fd, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("impl", ["numpy", "numba"])
@pytest.mark.parametrize(
    "forward,backward",
    [
        ("relu_forward", "relu_backward"),
        ("leaky_relu_forward", "leaky_relu_backward"),
        ("gelu_forward", "gelu_backward"),
        ("gelu_tanh_forward", "gelu_tanh_backward"),
        ("softplus_forward", "softplus_backward"),
        ("softplus_beta_forward", "softplus_beta_backward"),
    ],
)
def test_backward_is_derivative_of_forward(impl, forward, backward):
    """Central differences of the forward kernel (float64) against the backward kernel."""
    x = GRID[np.abs(GRID) > 1e-3].astype(np.float64)  # relu's kink
    x = x[np.abs(x * 2.5 - 4.0) > 1e-3]  # softplus's switch to the linear branch (beta 2.5)
    g = np.linspace(-2, 2, x.size)
    h = 1e-6
    f = lambda v: call(forward, impl, arrays_for(forward, v, g))  # noqa: E731
    fd = (f(x + h) - f(x - h)) / (2 * h)
    got = call(backward, impl, arrays_for(backward, x, g))
    np.testing.assert_allclose(got, g * fd, rtol=1e-6, atol=1e-8)


# --- PyTorch itself, when installed ------------------------------------------------------------


def _torch_case(torch, case, x, g):
    F, A = torch.nn.functional, torch.ops.aten
    name, params = CASES[case]
    fwd = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, *params),
        "gelu": lambda t: F.gelu(t, approximate=params[0]),
        "softplus": lambda t: F.softplus(t, *params),
        "silu": F.silu,
    }
    base = name.rsplit("_", 1)[0]
    if name.endswith("forward"):
        return fwd[base](x)
    if base in ("sigmoid", "tanh"):
        y = fwd[base](x)
        return (A.sigmoid_backward if base == "sigmoid" else A.tanh_backward)(g, y)
    if base == "relu":
        return A.threshold_backward(g, torch.relu(x), 0)
    if base == "leaky_relu":
        return A.leaky_relu_backward(g, x, params[0], False)
    if base == "gelu":
        return A.gelu_backward(g, x, approximate=params[0])
    if base == "silu":
        return A.silu_backward(g, x)
    if base == "logsigmoid":
        return A.log_sigmoid_backward(g, x, A.log_sigmoid_forward(x)[1])
    if base == "elu":  # (neg, pos, inner) = (alpha * scale, scale, input_scale)
        neg, pos, inner = params
        return A.elu_backward(g, neg / pos, pos, inner, False, x)
    return A.softplus_backward(g, x, *params)


@pytest.mark.torch_parity
def test_against_pytorch():
    """Every kernel case, both dtypes, against a live PyTorch (optional: the twins are checked
    against float64 closed forms above without it). One test, so a run without torch shows one
    skip, not one per case."""
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    for case in CASES:
        for dtype in (np.float64, np.float32):
            _check_against_pytorch(torch, case, dtype)


def _check_against_pytorch(torch, case, dtype):
    rng = np.random.default_rng(3)
    x = np.concatenate([GRID, rng.standard_normal(500) * 3]).astype(dtype)
    g = rng.standard_normal(x.size).astype(dtype)
    want = _torch_case(torch, case, torch.from_numpy(x), torch.from_numpy(g)).numpy()
    arrays = arrays_for(case, x, g)
    if CASES[case][0] in ("sigmoid_backward", "tanh_backward"):  # torch's own forward output
        y = _torch_case(torch, case.replace("backward", "forward"), torch.from_numpy(x), None)
        arrays = [y.numpy(), g]
    for impl in ("numba", "numpy"):
        got = call(case, impl, arrays)
        if dtype == np.float64:
            # same formulas: rounding-level agreement (absolute floor for the cancellation of
            # PyTorch's 1 + erf in the left tail, ~|x| * 1e-16)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, err_msg=f"{case} {impl}")
        else:
            # float32: PyTorch's float32 GELU loses all relative accuracy for x < -5 (1 + erf);
            # ours does not. Agreement to a few ulp of the scale of the operands.
            np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-6 * max(1, np.abs(g).max()),
                                       err_msg=f"{case} {impl}")
