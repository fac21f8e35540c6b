"""Shared cases for the activation-kernel tests: every kernel variant, its arguments, references.

A *case* is one kernel with fixed parameters (GELU twice, once per ``approximate``), so every
compiled loop is exercised.
"""

from __future__ import annotations

import math

import numpy as np

import autograd_core.kernels as K
from autograd_core.kernels import activations as R

# case id -> (kernel name, parameters)
CASES = {
    "sigmoid_forward": ("sigmoid_forward", ()),
    "sigmoid_backward": ("sigmoid_backward", ()),
    "tanh_forward": ("tanh_forward", ()),
    "tanh_backward": ("tanh_backward", ()),
    "relu_forward": ("relu_forward", ()),
    "relu_backward": ("relu_backward", ()),
    "leaky_relu_forward": ("leaky_relu_forward", (0.1,)),
    "leaky_relu_backward": ("leaky_relu_backward", (0.1,)),
    "gelu_forward": ("gelu_forward", ("none",)),
    "gelu_backward": ("gelu_backward", ("none",)),
    "gelu_tanh_forward": ("gelu_forward", ("tanh",)),
    "gelu_tanh_backward": ("gelu_backward", ("tanh",)),
    "softplus_forward": ("softplus_forward", (1.0, 20.0)),
    "softplus_backward": ("softplus_backward", (1.0, 20.0)),
    "softplus_beta_forward": ("softplus_forward", (2.5, 4.0)),
    "softplus_beta_backward": ("softplus_backward", (2.5, 4.0)),
    "silu_forward": ("silu_forward", ()),
    "silu_backward": ("silu_backward", ()),
    "logsigmoid_backward": ("logsigmoid_backward", ()),
    "elu_backward": ("elu_backward", (1.0, 1.0, 1.0)),
    "selu_backward": ("elu_backward", (1.7580993408473766, 1.0507009873554805, 1.0)),
    "celu_backward": ("elu_backward", (1.3, 1.0, 1 / 1.3)),
}


def arrays_for(case, x, g):
    """Array arguments of ``case`` built from an input ``x`` and a gradient ``g``."""
    name, _ = CASES[case]
    spec = K.ARGS[name]
    out = []
    for role in spec.arrays:
        if role == "x":
            out.append(x)
        elif role == "g":
            out.append(g)
        else:  # "y": the forward output, in the range the backward kernel expects
            out.append(getattr(R, spec.output_of)(x))
    return out


def call(case, impl, arrays, **kwargs):
    """Run ``case`` with ``impl`` in {"numba", "numpy", "dispatch"}."""
    name, params = CASES[case]
    if impl == "numba":
        from autograd_core.kernels import activations_numba as A

        return getattr(A, name)(*arrays, *params, **kwargs)
    if impl == "numpy":
        return getattr(R, name)(*arrays, *params)
    return getattr(K, name)(*arrays, *params)


def assert_close_to_twin(got, want, dtype, arrays):
    """Numba result vs numpy twin: rounding-level agreement, scaled to the operands."""
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    assert got.shape == want.shape
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got[~finite & ~np.isnan(want)], want[~finite & ~np.isnan(want)])
    # float32: the kernels use their own exp/tanh/erfc (a few ulp) and avoid the cancellations
    # of PyTorch's formulas that the twin keeps, hence an absolute term of a few ulp of the
    # operands' scale. float64: same libm formulas; differences are ulp-level (FMA contraction,
    # numpy's vs libm's exp).
    scale = max([1.0] + [float(np.max(np.abs(a), initial=0.0)) for a in arrays])
    if dtype == np.float32:
        rtol, atol = 2e-6, 2e-6 * scale
    else:
        rtol, atol = 1e-12, 1e-14 * scale
    np.testing.assert_allclose(got[finite], want[finite], rtol=rtol, atol=atol)


# -------------------------------------------------------------------------------------------
# float64 closed forms (math module), accurate in the tails, for the accuracy tests.

_SQRT2 = math.sqrt(2.0)
_S2PI = math.sqrt(2.0 / math.pi)


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def _softplus(v, beta, linear):
    """softplus with PyTorch's branch given: ``linear`` is the decision ``x*beta > threshold``."""
    if linear:
        return v
    b = v * beta
    return (max(b, 0.0) + math.log1p(math.exp(-abs(b)))) / beta


def _gelu_tanh_parts(v):
    z = 2.0 * _S2PI * (v + 0.044715 * v**3) if abs(v) < 1e100 else math.copysign(math.inf, v)
    s, c = _sigmoid(z), _sigmoid(-z)
    return s, c


def _gelu_tanh(v):
    s, _ = _gelu_tanh_parts(v)
    return v * s


def _gelu_tanh_grad(v):
    s, c = _gelu_tanh_parts(v)
    return s + 2.0 * v * s * c * _S2PI * (1.0 + 3 * 0.044715 * v * v)


# softplus cases -> (beta, threshold). PyTorch (and both our implementations) decide the branch
# on ``x * beta`` rounded to the input's dtype, and softplus jumps there by
# log1p(exp(-threshold)) / beta (0.0073 for beta 2.5, threshold 4). So the reference takes the
# same decision, in the same dtype: for float32 x = 1.6, fl32(1.6f * 2.5f) == 4.0 is not above
# the threshold (log branch, 1.60726) although the exact product 4.0000000596 is (linear, 1.6).
SOFTPLUS = {
    "softplus_forward": (1.0, 20.0),
    "softplus_backward": (1.0, 20.0),
    "softplus_beta_forward": (2.5, 4.0),
    "softplus_beta_backward": (2.5, 4.0),
}


def _softplus_grad(v, beta, linear):
    return 1.0 if linear else _sigmoid(beta * v)


CLOSED_FORMS = {  # case id -> scalar function of x (forward) or derivative (backward, g = 1)
    "sigmoid_forward": _sigmoid,
    "tanh_forward": math.tanh,
    "relu_forward": lambda v: max(v, 0.0),
    "leaky_relu_forward": lambda v: v if v > 0 else 0.1 * v,
    "gelu_forward": lambda v: v * 0.5 * math.erfc(-v / _SQRT2),
    "gelu_tanh_forward": _gelu_tanh,
    "relu_backward": lambda v: 1.0 if v > 0 else 0.0,
    "leaky_relu_backward": lambda v: 1.0 if v > 0 else 0.1,
    "gelu_backward": lambda v: (
        0.5 * math.erfc(-v / _SQRT2) + v * math.exp(-0.5 * v * v) / math.sqrt(2 * math.pi)
    ),
    "gelu_tanh_backward": _gelu_tanh_grad,
    # softplus: f(v, linear), see closed_form
    "softplus_forward": lambda v, lin: _softplus(v, 1.0, lin),
    "softplus_beta_forward": lambda v, lin: _softplus(v, 2.5, lin),
    "softplus_backward": lambda v, lin: _softplus_grad(v, 1.0, lin),
    "softplus_beta_backward": lambda v, lin: _softplus_grad(v, 2.5, lin),
}


def softplus_linear(case, x, dtype):
    """PyTorch's branch decision ``x * beta > threshold``, computed in ``dtype``."""
    beta, threshold = SOFTPLUS[case]
    xd = np.asarray(x, dtype=dtype)
    return xd * dtype(beta) > dtype(threshold)


def closed_form(case, x, dtype=np.float64, branch_at=None):
    """The float64 closed form of ``case`` at the points ``x`` (backward: derivative, g = 1).

    ``dtype``: the dtype of the kernel under test, in which softplus decides its branch;
    ``branch_at``: the points deciding the branch (default ``x``; differences pass the centre
    point so that they never straddle the jump).
    """
    f = CLOSED_FORMS[case]
    flat = np.ravel(x)
    if case in SOFTPLUS:
        linear = np.ravel(softplus_linear(case, x if branch_at is None else branch_at, dtype))
        vals = [f(float(v), bool(lin)) for v, lin in zip(flat, linear)]
    else:
        vals = [f(float(v)) for v in flat]
    return np.array(vals, dtype=np.float64).reshape(np.shape(x))


def closed_form_and_slope(case, x, dtype=np.float64, d=1e-6):
    """``(f(x), x f'(x))`` in float64, f' by a relative central difference of step ``d``
    (branch frozen at ``x``). ``x f'`` is what rounding ``x`` by one unit costs (times eps)."""
    x = np.asarray(x, np.float64)
    f = closed_form(case, x, dtype)
    up = closed_form(case, x * (1 + d), dtype, branch_at=x)
    down = closed_form(case, x * (1 - d), dtype, branch_at=x)
    return f, (up - down) / (2 * d)


# ---- shared by the fused-kernel test files (gates, soft margin, losses) ---------------------------

def assert_same_bits(got, want):
    """One dtype, one shape, the same bits (NaN: NaN at the same places)."""
    assert got.dtype == want.dtype and got.shape == want.shape
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    ints = {4: np.int32, 8: np.int64}[got.dtype.itemsize]
    np.testing.assert_array_equal(got[~nan].view(ints), want[~nan].view(ints))


def special_or_finite(dtype, shape, special, bound):
    """A hypothesis strategy: arrays of ``dtype`` and ``shape`` whose elements are drawn from
    ``special`` or are finite float32 values within ``bound``."""
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    finite = st.floats(-bound, bound, width=32).map(dtype)
    return hnp.arrays(dtype, shape, elements=st.one_of(st.sampled_from(special).map(dtype),
                                                       finite))


def spy_loss_loops(monkeypatch, names):
    """The names of ``kernels.losses``' loops among ``names`` as they run, in order (each
    dispatcher wrapped for the test)."""
    from autograd_core.kernels import losses as LK

    ran = []
    for name in names:
        real = LK._loop(name)
        monkeypatch.setitem(LK._DISPATCHERS, name,
                            (lambda f, n: lambda *a: ran.append(n) or f(*a))(real, name))
    return ran
