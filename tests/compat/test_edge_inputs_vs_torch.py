"""Every op of the table against PyTorch on the inputs training code meets besides ordinary
floats: integer, bool and float16 tensors, float32 with NaN or +-inf, empty tensors, and values
near the ends of float32's and float64's ranges (1e30, 1e-30, 1e250, 1e-250).

Each sample runs with PyTorch's functions in place of tapegrad's (as in
``test_op_table_vs_torch.py``): both raise, or both give the same dtypes, shapes and values,
and the same input gradients (floating inputs). Where both overflow, inf and NaN count as the
same. The differences kept on purpose are listed below with their reasons; the test fails on a
new difference and on a listed one that has gone (so the list stays true).
"""

import warnings

import numpy as np
import pytest

from tests._cpu import torch_avx512
from tests.compat.test_op_table_vs_torch import CASES, _numpy

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")
import autograd_core as ag  # noqa: E402

_CONV = {"conv2d", "conv2d_same", "conv1d", "conv1d_same", "conv3d", "conv3d_same",
         "conv_transpose2d", "conv_transpose1d"}
_BOOL = {"relu", "matmul", "tensordot", "tensordot_int", "topk", "topk_smallest", "floor",
         "ceil", "trunc", "median_dim", "kthvalue", "mode", "inner", "cov",
         "corrcoef", "trapezoid", "trapezoid_x"}
# (kind, sample) -> why tapegrad differs from PyTorch there
ALLOWED = {
    **{("int64", n): "integer convolutions: refused with a clear error (PyTorch computes)"
       for n in _CONV},
    ("int32", "conv1d_same"): "integer convolutions: refused with a clear error",
    ("uint8", "conv1d_same"): "integer convolutions: refused with a clear error",
    **{("bool", n): "computes on bool inputs where PyTorch has no bool kernel" for n in _BOOL},
    **{("float16", n): "computes in half where PyTorch has no half kernel" for n in (
        "quantile", "nanquantile", "special_i1", "special_i1e", "special_log_ndtr", "special_erfcx")},
    ("float32nan", "amin"): "the gradient goes to the NaN element (PyTorch's: NaN everywhere, "
                            "0 / 0 of its tie count)",
    ("float32nan", "aminmax"): "as amin",
    ("float32nan", "special_i1"): "the slope at NaN: NaN (PyTorch's 0.5)",
    ("float32nan", "special_i1e"): "the slope at NaN: NaN (PyTorch's 0.5)",
    ("tiny64", "frexp"): "the mantissa's gradient 2 ** -e (PyTorch 2.13 computes 2 ** e in "
                         "float32: inf beyond 2 ** 128)",
    **{(k, "vander"): "PyTorch 2.13's own vander backward raises" for k in (
        "float16", "float32nan", "float32inf", "empty", "big32", "tiny32", "big64", "tiny64")},
}
if torch_avx512():  # PyTorch's AVX2 float32 erf gives erf(inf) = 1, so gelu(inf) = inf, as ours
    ALLOWED[("float32inf", "gelu")] = ("gelu(inf) = inf (PyTorch's AVX-512 vectorised erf "
                                       "form gives NaN)")
KINDS = ("int64", "int32", "uint8", "bool", "float16", "float32nan", "float32inf", "empty",
         "big32", "tiny32", "big64", "tiny64")
_SCALE = {"big32": 1e30, "tiny32": 1e-30, "big64": 1e250, "tiny64": 1e-250}


def _inputs(sample, kind):
    shapes = list(sample.shapes) if sample.shapes else [(3, 4)] * sample.n_inputs
    if kind == "empty":
        if sample.shapes:
            return None
        shapes = [(0, 4)] * sample.n_inputs
    rng = np.random.default_rng(0)
    out = []
    for k, shape in enumerate(shapes):
        a = sample.draw(shape, rng, k)
        if kind in ("int64", "int32", "uint8"):
            a = np.round(a * 3)
            a = (np.abs(a) if kind == "uint8" else a).astype(kind)
        elif kind == "bool":
            a = a > 0
        elif kind == "float16":
            a = a.astype(np.float16)
        elif kind in _SCALE:
            a = (a * _SCALE[kind]).astype(np.float32 if kind.endswith("32") else np.float64)
        else:
            a = a.astype(np.float32)
            flat = a.reshape(-1)
            if kind != "empty" and flat.size > 2:
                flat[1] = np.nan if kind == "float32nan" else np.inf
                if kind == "float32inf":
                    flat[2] = -np.inf
        out.append(a)
    return out


def _run(lib, fn, arrays, grad):
    try:
        xs = [lib.tensor(a.copy(), requires_grad=grad) for a in arrays]
        out = fn(*xs)
        outs = [o for o in (out if isinstance(out, (tuple, list)) else [out])
                if hasattr(o, "requires_grad")]
        values = [(str(o.dtype).split(".")[-1], _numpy(o)) for o in outs]
        grads = None
        floats = [o for o in outs if o.requires_grad and o.dtype.is_floating_point]
        if grad and floats:
            gs = lib.autograd.grad(sum(o.sum() for o in floats), xs, allow_unused=True)
            grads = [None if g is None else _numpy(g) for g in gs]
        return values, grads
    except Exception as e:  # the other library is held to raising too
        return type(e).__name__


def _close(a, b, tol, overflow, scaled=False):
    """``a`` equals ``b`` to ``tol``; ``overflow``: inf and NaN alike where both are past the
    range; ``scaled``: the absolute error relative to the largest value (values of 1e30)."""
    if a.shape != b.shape:
        return False
    if a.dtype.kind not in "fc" and b.dtype.kind not in "fc":
        return np.array_equal(a, b)
    a, b = a.astype(np.complex128), b.astype(np.complex128)
    atol = tol
    if overflow:
        both = ~np.isfinite(a) & ~np.isfinite(b)
        a, b = a[~both], b[~both]
    if scaled:
        finite = np.abs(b[np.isfinite(b)])
        atol = tol * (finite.max() if finite.size else 1.0)
    return np.allclose(a, b, rtol=tol, atol=atol, equal_nan=True)


def _same(ours, theirs, kind, non_finite_alike=False, tol=1e-5):
    """Both raised, or the same values and gradients (to ``tol``, 2e-3 for half);
    ``non_finite_alike``: inf and NaN count as the same (as where both overflow)."""
    if isinstance(ours, str) or isinstance(theirs, str):
        return isinstance(ours, str) and isinstance(theirs, str)
    tol, overflow = (2e-3 if kind == "float16" else tol), kind in _SCALE or non_finite_alike
    (va, ga), (vb, gb) = ours, theirs
    if len(va) != len(vb) or any(da != db or not _close(a, b, tol, overflow, overflow)
                                 for (da, a), (db, b) in zip(va, vb)):
        return False
    if (ga is None) != (gb is None):
        return False
    for a, b in zip(ga or (), gb or ()):  # gradients of 1e-30 inputs: O(1) or dust
        if a is None or b is None:  # no path on one side: zeros on the other
            if not np.all((b if a is None else a) == 0):
                return False
        elif not _close(a, b, tol, overflow):
            return False
    return True


@pytest.mark.parametrize("kind", KINDS)
def test_edge_inputs_agree_with_torch(kind):
    grad = kind.startswith("float") or kind == "empty" or kind in _SCALE
    differ = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's and PyTorch's inf/NaN warnings: not the test
        for sample, theirs_fn in CASES:
            arrays = _inputs(sample, kind)
            if arrays is None:
                continue
            theirs = _run(torch, theirs_fn, arrays, grad)
            ours = _run(ag, sample.fn, arrays, grad)
            if not _same(ours, theirs, kind):
                differ.add(sample.name)
    allowed = {name for (k, name) in ALLOWED if k == kind}
    assert differ - allowed == set(), f"{kind}: new differences from PyTorch"
    assert allowed - differ == set(), f"{kind}: listed differences that are gone"


# nn.functional's calls (tests/compat/test_functional_vs_torch.py) on float16, NaN, inf and
# 1e-30 float32 inputs; inf and NaN results count as the same (a normalisation of a group
# holding inf is non-finite in both, not always alike). (At 1e30 the float32 statistics of
# the normalisations and similarities overflow in both libraries, each its own way: not
# compared.)
F_KINDS = ("float16", "float32nan", "float32inf", "tiny32")
F_ALLOWED = {
    **{("float16", n): "computes in half where PyTorch has no half kernel" for n in (
        "pdist", "multi_margin", "multilabel_margin")},
    **{("float16", n): "a float32 class weight with half logits: PyTorch refuses" for n in (
        "ce_ls", "nll")},
    ("float16", "interp_bicubic"): "computed in half (PyTorch: in float32, rounded), ~1e-3 "
                                   "apart",
    ("float32nan", "grid_sample"): "a NaN grid coordinate: NaN input gradient (PyTorch's 0)",
}


def _functional_inputs(shapes, kind):
    rng = np.random.default_rng(0)
    out = []
    for shape in shapes:
        a = rng.standard_normal(shape) * (1e-30 if kind == "tiny32" else 1.0)
        a = a.astype(np.float16 if kind == "float16" else np.float32)
        flat = a.reshape(-1)
        if kind in ("float32nan", "float32inf") and flat.size > 2:
            flat[1] = np.nan if kind == "float32nan" else np.inf
            if kind == "float32inf":
                flat[2] = -np.inf
        out.append(a)
    return out


@pytest.mark.parametrize("kind", F_KINDS)
def test_functional_edge_inputs_agree_with_torch(kind):
    from tests.compat.test_functional_vs_torch import CALLS

    differ = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, spec in CALLS.items():
            arrays = _functional_inputs(spec[1], kind)
            runs = [_run(lib, lambda *xs, t=tag: spec[0](t, *xs), arrays, True)
                    for lib, tag in ((ag, "a"), (torch, "t"))]
            # 1e-4: float32 statistics (a batch norm of a constant column divides rounding
            # differences by sqrt(eps))
            if not _same(*runs, kind, non_finite_alike=True, tol=1e-4):
                differ.add(name)
    allowed = {name for (k, name) in F_ALLOWED if k == kind}
    assert differ - allowed == set(), f"{kind}: new differences from PyTorch"
    assert allowed - differ == set(), f"{kind}: listed differences that are gone"
