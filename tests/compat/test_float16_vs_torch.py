"""float16 ops against PyTorch, bit for bit: values and first gradients.

PyTorch's CPU kernels compute float16 in float32 (their opmath type) and round once; its
derivative formulas written as tensor expressions (``grad * (1 - w)``) round at every step, in
their own grouping. tapegrad does the same through one mechanism: ``@op(..., opmath=True)``
(``autograd_core/ops/registry.py``) and the kernels' float16 path
(``autograd_core/kernels``). Every op of the table that PyTorch runs on float16 is compared here
on 512 elements, and so are the activations and losses of ``nn.functional`` that the table does
not hold; ``KNOWN`` lists what still differs, with the reason, and a test checks each entry
still does (fix one: remove its line).
"""

import re
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as agF
from tests._cpu import assert_within_rounding_of_sum, onednn_float16, softmax_half_rounds_exp
from tests.compat.test_op_table_vs_torch import CASES, TORCH_RAISES, _numpy

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")
tF = torch.nn.functional

_ORDER = "a float16 gradient summed in another order (PyTorch's reduction kernel)"
_FORMULA = ("PyTorch's derivative formula runs as float16 ops, each rounded, grouped "
            "otherwise than tapegrad's rule")
#: (case, "values" | "grads") -> why tapegrad's float16 numbers still differ from PyTorch's
KNOWN = {
    ("lgamma", "grads"): "as digamma's values (its derivative)",
    ("polygamma", "grads"): "PyTorch's float16 polygamma(3, x) (the derivative of "
                            "polygamma(2, x)) is not the correctly rounded value in 30% of the "
                            "elements; tapegrad's is (computed in float64)",
    ("ldexp", "grads"): _FORMULA, ("renorm", "grads"): _FORMULA,
    ("norm_p3", "grads"): _FORMULA, ("dist", "grads"): _FORMULA,
    ("normalize", "grads"): _FORMULA, ("layer_norm", "grads"): _FORMULA,
    ("cosine_similarity", "grads"): _FORMULA, ("pairwise_distance", "grads"): _FORMULA,
    ("cumprod", "grads"): _FORMULA, ("logcumsumexp", "grads"): _FORMULA,
    ("kl_div_none", "grads"): _FORMULA, ("smooth_l1_none", "grads"): _FORMULA,
    ("repeat", "grads"): _ORDER, ("repeat_interleave_flat", "grads"): _ORDER,
    ("kron", "grads"): _ORDER, ("addr", "grads"): _ORDER,
    ("cummax", "grads"): _ORDER, ("cummin", "grads"): _ORDER,
    ("adaptive_avg_pool1d", "grads"): _ORDER, ("adaptive_avg_pool2d", "grads"): _ORDER,
    ("adaptive_avg_pool3d", "grads"): _ORDER,
    ("sort", "grads"): "ties (a third of the inputs 0) ordered otherwise: the gradient lands "
                       "on another of the tied elements",
    ("glu", "grads"): "PyTorch's glu_backward rounds sigmoid(b) to float16 first",
    ("gelu", "values"): "1 element in 512: float32 erf differs from ATen's vectorised one by "
                        "an ulp where the float16 rounding is a tie",
    ("gelu", "grads"): "as gelu's values", ("gelu_tanh", "values"): "as gelu's values",
    ("digamma", "values"): "1 element in 512: tapegrad's float16 digamma is the correctly "
                           "rounded value (float64), PyTorch's is not in 0.2% of the elements",
    ("logaddexp2", "values"): "1 element in 512: float32 formula an ulp from ATen's",
    ("dist", "values"): "PyTorch's vector norm of float16 accumulates in its own order",
    ("dist_p3", "values"): "PyTorch's vector norm of float16 accumulates in its own order",
    ("norm_p3", "values"): "PyTorch's vector norm of float16 accumulates in its own order",
    ("trapezoid", "values"): "PyTorch's trapezoid is a composite of float16 ops in another "
                             "order (sum, then the ends halved)",
    ("adaptive_avg_pool2d", "values"): "PyTorch's window sum in float32, in its order",
    ("adaptive_avg_pool3d", "values"): "PyTorch's window sum in float32, in its order",
    ("addr", "values"): "PyTorch's addr of float16: beta * input + alpha * outer in its order",
    ("cosine_similarity", "values"): "PyTorch's composite of float16 ops (norms, clamp, "
                                     "division) in another order",
    ("pairwise_distance", "values"): "PyTorch's norm of float16 accumulates in its own order",
    ("normalize", "values"): "PyTorch's norm of float16, rounded, then the division",
    ("huber", "grads"): "PyTorch's huber_loss_backward scales by 1/N inside its float32 "
                        "kernel; tapegrad's mean divides the float16 gradient first",
    ("bce_none", "values"): None, ("bce_none", "grads"): None,
    ("bce_logits_none", "values"): None, ("bce_logits_none", "grads"): None,
    ("bce_logits", "grads"): None,
    ("cross_entropy", "grads"): None, ("cross_entropy_none", "values"): None,
    ("cross_entropy_none", "grads"): None, ("cross_entropy_smooth", "values"): None,
    ("cross_entropy_smooth", "grads"): None,
}
_LOSSES = ("PyTorch's float16 loss kernels mix float16 steps and float32 ones per loss; "
           "tapegrad's loss nodes compute in float16 (computing them in float32 made "
           "mse_loss and binary_cross_entropy differ more)")
KNOWN = {k: v or _LOSSES for k, v in KNOWN.items()}
#: softmax cases (and their ``outer`` size) whose float16 values and gradients differ where
#: ATen's softmax over a dim other than the last takes its scalar tail, which rounds exp to
#: float16 (a 16 x 32 tensor's dim 0 with AVX-512 and 2+ threads, or AVX2 and 3+: 140 of 512
#: elements), not its float32 vector path. The CPU's vector width and torch's thread count
#: decide, so ``_known`` asks when the test runs (conftest sets one thread in xdist workers
#: after collection).
SOFTMAX_TAIL = {"softmax_dim0": 1, "softmax_middle": 4}


def _known(name, stage):
    return (name, stage) in KNOWN or (
        name in SOFTMAX_TAIL and softmax_half_rounds_exp(SOFTMAX_TAIL[name], 32))

#: cases whose float16 numbers ("values" and/or "grads") are PyTorch's bit for bit only where
#: its convolutions run through oneDNN (see ``onednn_float16``): elsewhere ATen adds the col2im
#: patches in float16, a few eps (of the sum of the terms' magnitudes) from tapegrad's sums
NATIVE_CONV = {"conv1d": ("grads",), "conv1d_same": ("grads",), "conv2d": ("grads",),
               "conv2d_same": ("grads",), "conv3d": ("grads",), "conv3d_same": ("grads",),
               "conv_transpose1d": ("values", "grads"),
               "conv_transpose2d": ("values", "grads")}

#: op-table samples PyTorch does not run on float16 (its own refusal; tapegrad computes them)
TORCH_REFUSES = {"quantile", "nanquantile", "special_i1", "special_log_ndtr", "special_i1e",
                 "special_erfcx"}
#: op-table samples both refuse on float16 ("zeta_cpu" not implemented for 'Half')
BOTH_REFUSE = {"special_zeta", "special_zeta_int_x"}


def _uniform(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, shape)


_POS = _uniform(0.01, 4.0)
#: name -> (number of inputs, drawing or None for standard normal, fn(lib, F, *inputs))
EXTRA = {
    "rsqrt": (1, _POS, lambda L, F, a: L.rsqrt(a)),
    "hardswish": (1, None, lambda L, F, a: F.hardswish(a * 4)),
    "hardsigmoid": (1, None, lambda L, F, a: F.hardsigmoid(a * 4)),
    "mish": (1, None, lambda L, F, a: F.mish(a)),
    "relu6": (1, None, lambda L, F, a: F.relu6(a * 4)),
    "hardtanh": (1, None, lambda L, F, a: F.hardtanh(a)),
    "softsign": (1, None, lambda L, F, a: F.softsign(a)),
    "tanhshrink": (1, None, lambda L, F, a: F.tanhshrink(a)),
    "softshrink": (1, None, lambda L, F, a: F.softshrink(a, 0.3)),
    "hardshrink": (1, None, lambda L, F, a: F.hardshrink(a, 0.3)),
    "glu": (1, None, lambda L, F, a: F.glu(a, -1)),
    "softmin": (1, None, lambda L, F, a: F.softmin(a, -1)),
    "softmax_dim0": (1, None, lambda L, F, a: a.softmax(0)),
    "softmax_middle": (1, None, lambda L, F, a: a.reshape(4, 4, 32).softmax(1)),
    "log_softmax_dim0": (1, None, lambda L, F, a: a.log_softmax(0)),
    "normalize": (1, None, lambda L, F, a: F.normalize(a, dim=-1)),
    "layer_norm": (1, None, lambda L, F, a: F.layer_norm(a, (32,))),
    "cosine_similarity": (2, None, lambda L, F, a, b: F.cosine_similarity(a, b, dim=-1)),
    "pairwise_distance": (2, None, lambda L, F, a, b: F.pairwise_distance(a, b)),
    "expm1": (1, None, lambda L, F, a: a.expm1()),
    "log1p": (1, _POS, lambda L, F, a: a.log1p()),
    "reciprocal": (1, _uniform(0.1, 4.0), lambda L, F, a: a.reciprocal()),
    "div": (2, _uniform(0.1, 4.0), lambda L, F, a, b: a / b),
    "mul_number": (1, None, lambda L, F, a: a * 0.1),
    "add_alpha": (2, None, lambda L, F, a, b: L.add(a, b, alpha=0.3)),
    "sub_alpha": (2, None, lambda L, F, a, b: L.sub(a, b, alpha=0.3)),
    "add_number_alpha": (1, None, lambda L, F, a: L.add(a, 3.0, alpha=0.1)),
    "pow_half": (1, _POS, lambda L, F, a: a ** 0.5),
    "pow_m2": (1, _uniform(0.3, 4.0), lambda L, F, a: a ** -2),
    "sum": (1, None, lambda L, F, a: a.sum(-1)),
    "mean": (1, None, lambda L, F, a: a.mean(-1)),
    "var": (1, None, lambda L, F, a: a.var(-1)),
    "logsumexp": (1, None, lambda L, F, a: a.logsumexp(-1)),
    "cumsum": (1, None, lambda L, F, a: a.cumsum(-1)),
    "amax": (1, None, lambda L, F, a: a.amax(-1)),
    "clamp": (1, None, lambda L, F, a: a.clamp(-0.5, 0.5)),
    "atan2": (2, None, lambda L, F, a, b: L.atan2(a, b)),
    "hypot": (2, None, lambda L, F, a, b: L.hypot(a, b)),
    "xlogy": (2, _uniform(0.1, 4.0), lambda L, F, a, b: L.xlogy(a, b)),
    "mse_loss": (2, None, lambda L, F, a, b: F.mse_loss(a, b)),
    "mse_loss_none": (2, None, lambda L, F, a, b: F.mse_loss(a, b, reduction="none")),
    "l1_loss_none": (2, None, lambda L, F, a, b: F.l1_loss(a, b, reduction="none")),
    "smooth_l1_none": (2, None, lambda L, F, a, b: F.smooth_l1_loss(a, b, reduction="none",
                                                                   beta=0.5)),
    "huber_none": (2, None, lambda L, F, a, b: F.huber_loss(a, b, reduction="none",
                                                           delta=0.5)),
    "huber": (2, None, lambda L, F, a, b: F.huber_loss(a, b, delta=0.5)),
    "bce_none": (2, _uniform(0.05, 0.95), lambda L, F, a, b: F.binary_cross_entropy(
        a, b, reduction="none")),
    "bce_logits_none": (2, None, lambda L, F, a, b: F.binary_cross_entropy_with_logits(
        a, b, reduction="none")),
    "bce_logits": (2, None, lambda L, F, a, b: F.binary_cross_entropy_with_logits(a, b)),
    "kl_div_none": (2, None, lambda L, F, a, b: F.kl_div(a, b.softmax(-1), reduction="none")),
    "cross_entropy": (1, None, lambda L, F, a: F.cross_entropy(a, L.arange(16) % 32)),
    "cross_entropy_none": (1, None, lambda L, F, a: F.cross_entropy(
        a, L.arange(16) % 32, reduction="none")),
    "cross_entropy_smooth": (1, None, lambda L, F, a: F.cross_entropy(
        a, L.arange(16) % 32, label_smoothing=0.1, reduction="none")),
    "nll_loss_none": (1, None, lambda L, F, a: F.nll_loss(a, L.arange(16) % 32,
                                                          reduction="none")),
}


def _table_inputs(sample, mode):
    """The sample's inputs (its drawing) at 16 x 32 (or its own shapes), in ``mode``: as
    drawn, or with a third of the elements 0."""
    rng = np.random.default_rng(0)
    shapes = list(sample.shapes) if sample.shapes else [(16, 32)] * sample.n_inputs
    arrays = [sample.draw(shape, rng, k) for k, shape in enumerate(shapes)]
    if mode == "zeros":
        for a in arrays:
            flat = a.reshape(-1)
            flat[rng.choice(flat.size, flat.size // 3, replace=False)] = 0.0
    return arrays


def _array(t):
    """``t``'s values (a PyTorch ZeroTensor, a gradient known to be 0, in its own dtype)."""
    if t is not None and hasattr(t, "_is_zerotensor") and t._is_zerotensor():
        return np.zeros(tuple(t.shape), torch.empty(0, dtype=t.dtype).numpy().dtype)
    return _numpy(t)


def _run(lib, fn, arrays):
    """Values and first gradients (a random float16 cotangent) of ``fn`` on float16 leaves."""
    xs = [lib.tensor(a, dtype=lib.float16, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(*xs)
        outs = [o for o in (out if isinstance(out, (tuple, list)) else [out])
                if hasattr(o, "requires_grad")]
        rng = np.random.default_rng(1)
        pairs = [(o, lib.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype))
                 for o in outs if o.requires_grad and o.dtype.is_floating_point]
        grads = lib.autograd.grad([o for o, _ in pairs], xs, [c for _, c in pairs],
                                  allow_unused=True) if pairs else []
    return [_array(o) for o in outs], [_array(g) for g in grads]


def _differ(ours, theirs):
    """Descriptions of where two lists of arrays differ (bit for bit; NaN equals NaN)."""
    if len(ours) != len(theirs):
        return [f"{len(ours)} arrays, PyTorch {len(theirs)}"]
    found = []
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if a is None or b is None:
            if (a is None) != (b is None):
                found.append(f"{k}: one side None")
            continue
        if a.dtype != b.dtype or a.shape != b.shape:
            found.append(f"{k}: {a.dtype}{a.shape}, PyTorch {b.dtype}{b.shape}")
            continue
        bad = ~((a == b) | (np.isnan(a) & np.isnan(b)))
        if bad.any():
            found.append(f"{k}: {int(bad.sum())} of {a.size}, e.g. {a[bad][:2]}, PyTorch "
                         f"{b[bad][:2]}")
    return found


def _table_case(name):
    return next((s, f) for s, f in CASES if s.name == name)


def _runs(name):
    """``(ours, theirs, arrays)`` of case ``name`` for each of its input modes."""
    if name in EXTRA:
        n, draw, fn = EXTRA[name]
        rng = np.random.default_rng(0)
        arrays = [(draw or (lambda r, s: r.standard_normal(s)))(rng, (16, 32))
                  for _ in range(n)]
        return [(_run(ag, lambda *xs: fn(ag, agF, *xs), arrays),
                 _run(torch, lambda *xs: fn(torch, tF, *xs), arrays), arrays)]
    sample, theirs = _table_case(name)
    return [(_run(ag, sample.fn, arrays), _run(torch, theirs, arrays), arrays)
            for arrays in (_table_inputs(sample, m) for m in ("plain", "zeros"))]


def _magnitudes(fn, arrays):
    """Values and gradients of ``fn`` (bilinear in its inputs) in float64 on the inputs' and
    the cotangent's absolute values: per element, the sum of its terms' magnitudes."""
    xs = [torch.tensor(np.abs(a.astype(np.float16)), dtype=torch.float64, requires_grad=True)
          for a in arrays]
    out = fn(*xs)
    cot = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(np.float16)
    grads = torch.autograd.grad(out, xs, torch.tensor(np.abs(cot), dtype=torch.float64))
    return [out.detach().numpy()], [g.numpy() for g in grads]


def _stages(name):
    """``(values, grads)`` mismatch descriptions of case ``name``, over its input modes."""
    runs = [(ours, theirs) for ours, theirs, _ in _runs(name)]
    values = [m for ours, th in runs for m in _differ(ours[0], th[0])]
    grads = [m for ours, th in runs for m in _differ(ours[1], th[1])]
    return values, grads


NAMES = [s.name for s, _ in CASES
         if s.name not in TORCH_REFUSES | BOTH_REFUSE and s.name not in TORCH_RAISES] + list(EXTRA)


@pytest.mark.parametrize("name", NAMES)
def test_float16_equals_torch(name):
    """Bit for bit, but for ``KNOWN``; without oneDNN's float16 convolutions (an AVX2 CPU) the
    stages of ``NATIVE_CONV`` are within float16 summation error of PyTorch's instead."""
    if name in NATIVE_CONV and not onednn_float16():
        _check_native_conv(name)
        return
    values, grads = _stages(name)
    if not _known(name, "values"):
        assert values == [], f"{name} values"
    if not _known(name, "grads"):
        assert grads == [], f"{name} gradients"


def _check_native_conv(name):
    """PyTorch's native float16 convolution path (no oneDNN float16): the stages it sums in
    float16 within 2 eps of the terms' magnitudes of tapegrad's (measured: 1.31), the others
    (the forward of a convolution) bit for bit."""
    sample, theirs_fn = _table_case(name)
    for ours, theirs, arrays in _runs(name):
        for k, stage in enumerate(("values", "grads")):
            if stage not in NATIVE_CONV[name]:
                assert _differ(ours[k], theirs[k]) == [], f"{name} {stage}"
                continue
            scales = _magnitudes(theirs_fn, arrays)[k]
            assert len(ours[k]) == len(theirs[k]) == len(scales), f"{name} {stage}"
            for a, b, scale in zip(ours[k], theirs[k], scales):
                assert_within_rounding_of_sum(a, b, scale, k=2.0, msg=f"{name} {stage}")


@pytest.mark.parametrize("entry", sorted(KNOWN), ids=lambda e: f"{e[0]}-{e[1]}")
def test_listed_differences_still_differ(entry):
    """Each listed difference is still there (fixed: remove its line from KNOWN)."""
    name, stage = entry
    values, grads = _stages(name)
    assert (values if stage == "values" else grads) != []


@pytest.mark.parametrize("name", sorted(SOFTMAX_TAIL))
def test_softmax_differs_exactly_where_aten_takes_its_scalar_tail(name):
    values, grads = _stages(name)
    tail = softmax_half_rounds_exp(SOFTMAX_TAIL[name], 32)
    assert (values != [], grads != []) == (tail, tail), torch.get_num_threads()


@pytest.mark.parametrize("name", sorted(BOTH_REFUSE))
def test_listed_ops_are_refused_on_float16_as_by_torch(name):
    sample, theirs = _table_case(name)
    arrays = _table_inputs(sample, "plain")
    with pytest.raises(NotImplementedError) as torch_error:
        _run(torch, theirs, arrays)
    with pytest.raises(NotImplementedError, match=re.escape(str(torch_error.value))):
        _run(ag, sample.fn, arrays)


@pytest.mark.parametrize("name", sorted(TORCH_REFUSES))
def test_listed_ops_are_refused_by_torch_on_float16(name):
    sample, theirs = _table_case(name)
    with pytest.raises((RuntimeError, NotImplementedError)):
        _run(torch, theirs, _table_inputs(sample, "plain"))
