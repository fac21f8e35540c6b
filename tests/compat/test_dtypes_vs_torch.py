"""Result dtypes against PyTorch 2.13, swept over input dtypes.

Every call runs in both libraries on the same values; both must raise (the same exception
type and words), or both give results of the same dtypes and values. Inputs: tensors of
bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64 and complex128
(tapegrad has no bfloat16), in pairs of every two dtypes, with 0-d tensors against n-d ones
(PyTorch's category rule: a 0-d tensor does not promote an n-d one of its category), with
Python bool/int/float/complex numbers on either side, and under ``set_default_dtype``.
Covered: the binary ops and operators, unary ops, reductions and their ``dtype=``, in-place
ops (a result that cannot be cast into ``self``), ``where``/``clamp``/``lerp``/``addcmul``/
``addcdiv``, creation functions, casts, indexing/concatenation/matmul of mixed dtypes,
nn.functional and modules on float16/float32/float64 with the gradients' dtypes, gradients of
mixed floating/complex ops, and the op table (``tests/compat/test_edge_inputs_vs_torch.py``'s
machinery) on int8 and int16 tensors. Sections that check the words say so (``words=``); the
rest hold both libraries to raising the same exception type.

The differences kept on purpose are in ``KNOWN`` with their reasons; a listed difference
that has gone fails the test as a new one does (so the list stays true).
"""

import operator
import re
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn as ag_nn
import nn.functional as F

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")
import torch.nn as torch_nn  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
          "float64", "complex64", "complex128")
SCALARS = (True, 2, -2, 2.5, 1 - 2j)


def _values(dt, shape):
    base = np.array([-3, 0, 2, 5, -1, 7])[:int(np.prod(shape))]
    if dt == "bool":
        a = base % 2 == 1
    elif dt == "uint8":
        a = np.abs(base)
    elif dt.startswith("complex"):
        a = base * (1 - 0.5j) + 0.25
    elif dt.startswith("float"):
        a = base + 0.5
    else:
        a = base
    return a.astype(dt).reshape(shape)


def _t(lib, dt, shape=(3,)):
    return lib.tensor(_values(dt, shape), dtype=getattr(lib, dt))


def _fn(lib):
    return F if lib is ag else TF


def _array(x):
    x = x.detach()
    if str(x.dtype).endswith("complex32"):  # numpy has no complex32 (its values, as complex64)
        x = x.to(torch.complex64)
    if hasattr(x, "resolve_conj"):
        x = x.resolve_conj().resolve_neg()
    return np.array(x.numpy())


def _outcome(lib, call):
    """What ``call(lib)`` does: ("raises", type, first line) or ("gives", [(dtype, value)])."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = call(lib)
        except Exception as e:  # noqa: BLE001 - the other library is held to the same error
            return "raises", type(e).__name__, str(e).split("\n")[0]
    outs = out if isinstance(out, (tuple, list)) else [out]
    return "gives", [(str(o.dtype).split(".")[-1], _array(o)) if hasattr(o, "dtype") else
                     (type(o).__name__, np.asarray(o)) for o in outs]


def _difference(ours, theirs, words=True):
    """How tapegrad's outcome differs from PyTorch's ("" when it does not)."""
    if ours[0] != theirs[0]:
        return f"tapegrad {ours[0]} {ours[1:]}, PyTorch {theirs[0]} {theirs[1:]}"
    if ours[0] == "raises":
        if ours[1] != theirs[1] or (words and ours[2] != theirs[2]):
            return f"tapegrad raises {ours[1:]}, PyTorch {theirs[1:]}"
        return ""
    if len(ours[1]) != len(theirs[1]):
        return f"{len(ours[1])} results, PyTorch {len(theirs[1])}"
    for (da, a), (db, b) in zip(ours[1], theirs[1]):
        if da != db:
            return f"dtype {da}, PyTorch {db}"
        if a.shape != b.shape:
            return f"shape {a.shape}, PyTorch {b.shape}"
        tol = 2e-3 if "16" in da else 1e-5
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            same = np.allclose(a.astype(complex), b.astype(complex), rtol=tol, atol=tol,
                               equal_nan=True)
        else:
            same = np.array_equal(a, b)
        if not same:
            return f"values {a.ravel()[:4]}, PyTorch {b.ravel()[:4]}"
    return ""


# ---- the differences kept on purpose ----------------------------------------------------------
_NO_COMPLEX32 = "tapegrad has no complex32: float16 with a complex number gives complex64"
_NUMBERS_TAKEN = ("a Python number is taken where PyTorch's signature wants a Tensor (an "
                  "extension; the result promotes as the number would)")
_BOOL_KERNELS = "computes on bool inputs where PyTorch has no bool kernel (as in " \
                "test_edge_inputs_vs_torch.py)"
KNOWN = {
    # (section, regular expression of the case) -> why
    ("binary", r".*complex32.*|.*ComplexHalf.*"): _NO_COMPLEX32,
    ("binary", r"(maximum|minimum|fmax|atan2|hypot|logaddexp|nextafter|copysign|heaviside|"
               r"gcd|logical_and|logical_xor|ldexp)\(\w+, py .*"): _NUMBERS_TAKEN,
    ("binary", r"ldexp\(.*bool.*\)"): "ldexp's exponent may be a bool tensor (PyTorch has no "
                                      "bool kernel for it)",
    ("binary", r"ldexp\(\w+, (0d )?float16\)"): "ldexp by a float16 exponent: 2 ** other "
                                                 "unrounded (PyTorch rounds it to half), ~1e-4 "
                                                 "apart",
    ("binary", r"ldexp\(0d complex128, .*\)"): "ldexp of a 0-d complex128 by an integer "
                                               "tensor: complex64 (PyTorch complex128)",
    ("unary", r"(floor|ceil|round|trunc|fix|relu|argmax|median|topk|trace)\((0d )?bool.*"):
        _BOOL_KERNELS,
    ("unary", r"matmul\(bool.*"): _BOOL_KERNELS,
    ("reduction", r"nansum\(float.*, dtype=complex.*"): "nansum into a complex dtype: computed "
                                                       "(PyTorch has no complex nansum)",
    ("inplace", r"(copy_|fill_)\(.*, py 1j\)|fill_\(bool, py.*\)"): "a complex Python number "
        "written into a real tensor: refused (PyTorch keeps the real part, or True)",
    ("mixed", r"(clamp|addcmul)\(bool.*"): _BOOL_KERNELS,
    ("mixed", r".*complex32.*|.*ComplexHalf.*"): _NO_COMPLEX32,
    ("mixed", r"clamp\(float\d+, (max=)?py \(1-2j\)\)"): "a complex bound for a real tensor: "
        "clamp's refusal of complex numbers (PyTorch: the bound's conversion error)",
    ("creation", r"tensor\(\[np.float32, 2\]\)"): "a list mixing numpy float32 scalars and "
        "Python numbers under set_default_dtype(float64): float64 (PyTorch: float32)",
    ("creation", r"(rand_like|randn)\(int.*"): "random floats into an integer dtype: computed "
                                              "and cast (PyTorch refuses)",
    ("creation", r"linspace\(0, 1j.*"): "complex linspace ends: refused (PyTorch computes)",
    ("cast", r".*float64->uint8\(big\)"): "a float64 outside uint8 (-2**31 - 1): undefined "
                                          "in C++; PyTorch's x86 result is not numpy's",
    ("functional", r"F\.(layer_norm|group_norm|cosine_similarity)\(float16\) grad"):
        "a gradient that is 0 in exact arithmetic: tapegrad's 0, PyTorch's half rounding dust",
    ("functional", r"F\.(nll_loss|interpolate|glu)\(int64\)"): "computed on integer inputs "
                                                             "(PyTorch has no integer kernel)",
    ("functional", r"F\.(layer_norm|group_norm|batch_norm|cross_entropy|max_pool1d)\(int64\)"):
        "integer inputs refused in tapegrad's words (PyTorch: a kernel's NotImplementedError)",
    ("functional", r"F\.(conv1d|avg_pool1d)\(int64\)"): "integer convolution and pooling "
                                                        "refused with a clear error (PyTorch "
                                                        "computes)",
    ("inplace", r"(floor_divide_|remainder_|__iand__|pow_|lerp_)\(\w+,.*"):
        "the op's refusal of the promoted dtype comes before the cast check (PyTorch checks "
        "the cast into self first): both raise, another error",
}


def _check(section, cases, words=True):
    """Run every (name, call) of ``cases``; fail on differences not in KNOWN and on KNOWN
    entries of ``section`` that no case shows."""
    patterns = {p: why for (s, p), why in KNOWN.items() if s == section}
    used, new = set(), []
    for name, call in cases:
        diff = _difference(_outcome(ag, call), _outcome(torch, call), words)
        if not diff:
            continue
        matched = [p for p in patterns
                   if re.fullmatch(p, name) or re.fullmatch(p, diff, flags=re.DOTALL)]
        if matched:
            used.update(matched)
        else:
            new.append(f"{name}: {diff}")
    assert new == [], f"{len(new)} differences from PyTorch, e.g.\n" + "\n".join(new[:20])
    return used


def _check_all_used(section, used):
    gone = {p for (s, p) in KNOWN if s == section} - used
    assert gone == set(), f"listed differences that are gone: {gone}"


# ---- binary ops and operators -----------------------------------------------------------------
BINARY = {
    "add": lambda lib, a, b: lib.add(a, b), "sub": lambda lib, a, b: lib.sub(a, b),
    "mul": lambda lib, a, b: lib.mul(a, b), "div": lambda lib, a, b: lib.div(a, b),
    "div_floor": lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
    "div_trunc": lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
    "floor_divide": lambda lib, a, b: lib.floor_divide(a, b),
    "remainder": lambda lib, a, b: lib.remainder(a, b), "fmod": lambda lib, a, b: lib.fmod(a, b),
    "pow": lambda lib, a, b: lib.pow(a, b), "float_power": lambda lib, a, b: lib.float_power(a, b),
    "eq": lambda lib, a, b: lib.eq(a, b), "lt": lambda lib, a, b: lib.lt(a, b),
    "maximum": lambda lib, a, b: lib.maximum(a, b), "minimum": lambda lib, a, b: lib.minimum(a, b),
    "fmax": lambda lib, a, b: lib.fmax(a, b), "atan2": lambda lib, a, b: lib.atan2(a, b),
    "hypot": lambda lib, a, b: lib.hypot(a, b), "copysign": lambda lib, a, b: lib.copysign(a, b),
    "xlogy": lambda lib, a, b: lib.xlogy(a, b), "nextafter": lambda lib, a, b: lib.nextafter(a, b),
    "ldexp": lambda lib, a, b: lib.ldexp(a, b), "logaddexp": lambda lib, a, b: lib.logaddexp(a, b),
    "heaviside": lambda lib, a, b: lib.heaviside(a, b), "gcd": lambda lib, a, b: lib.gcd(a, b),
    "bitwise_and": lambda lib, a, b: lib.bitwise_and(a, b),
    "bitwise_or": lambda lib, a, b: lib.bitwise_or(a, b),
    "bitwise_xor": lambda lib, a, b: lib.bitwise_xor(a, b),
    "logical_and": lambda lib, a, b: lib.logical_and(a, b),
    "logical_xor": lambda lib, a, b: lib.logical_xor(a, b),
}
OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
             "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "&": operator.and_,
             "|": operator.or_, "^": operator.xor, "<<": operator.lshift, ">>": operator.rshift,
             "<": operator.lt, "==": operator.eq, "!=": operator.ne, ">=": operator.ge}


def _binary_cases(name, fn, numbers_first):
    for d1 in DTYPES:
        for d2 in DTYPES:
            for s1, s2, tag in (((3,), (3,), ""), ((3,), (), "0d "), ((), (3,), "0d ")):
                label = f"{'0d ' if not s1 else ''}{d1}, {tag if not s2 else ''}{d2}"
                yield (f"{name}({label})",
                       lambda lib, d1=d1, d2=d2, s1=s1, s2=s2: fn(lib, _t(lib, d1, s1),
                                                                 _t(lib, d2, s2)))
        for s in SCALARS:
            yield f"{name}({d1}, py {s!r})", lambda lib, d1=d1, s=s: fn(lib, _t(lib, d1), s)
            if numbers_first:
                yield (f"{name}(py {s!r}, {d1})",
                       lambda lib, d1=d1, s=s: fn(lib, s, _t(lib, d1)))


def test_binary_ops_and_operators():
    used = set()
    for name, fn in BINARY.items():
        used |= _check("binary", _binary_cases(name, fn, False))
    for symbol, fn in OPERATORS.items():
        used |= _check("binary", _binary_cases(symbol, lambda lib, a, b, fn=fn: fn(a, b), True))
    _check_all_used("binary", used)


def _under_default(default, call):
    """``call`` run with ``set_default_dtype(default)`` in its library (restored after)."""
    def run(lib):
        old = lib.get_default_dtype()
        lib.set_default_dtype(getattr(lib, default))
        try:
            return call(lib)
        finally:
            lib.set_default_dtype(old)
    return run


def test_python_numbers_under_default_float64():
    cases = []
    for symbol, fn in OPERATORS.items():
        for d1 in DTYPES:
            for s in SCALARS:
                cases.append((f"{symbol}({d1}, py {s!r})", _under_default(
                    "float64", lambda lib, fn=fn, d1=d1, s=s: fn(_t(lib, d1), s))))
                cases.append((f"{symbol}(py {s!r}, {d1})", _under_default(
                    "float64", lambda lib, fn=fn, d1=d1, s=s: fn(s, _t(lib, d1)))))
            for u in ("sqrt", "sigmoid", "exp"):
                cases.append((f"{u}({d1})", _under_default(
                    "float64", lambda lib, u=u, d1=d1: getattr(lib, u)(_t(lib, d1)))))
    _check("binary", cases)


def test_out_of_range_python_ints_and_negative_integer_division():
    cases = []
    for dt in ("uint8", "int8", "int16", "int32"):
        for s in (-1, 256, 1000, -129, 2 ** 40):
            for symbol, fn in OPERATORS.items():
                cases.append((f"{symbol}({dt}, py {s})",
                              lambda lib, dt=dt, s=s, fn=fn: fn(_t(lib, dt), s)))
    for a, b in ((-7, 2), (7, -2), (-7, -2), (-8, 3)):
        for name in ("floor_divide", "remainder", "fmod", "div_trunc", "div_floor", "div"):
            cases.append((f"{name}({a}, {b})", lambda lib, a=a, b=b, name=name: BINARY[name](
                lib, lib.tensor([a, a]), lib.tensor([b, b]))))
            cases.append((f"{name}({a}, py {b})", lambda lib, a=a, b=b, name=name: BINARY[name](
                lib, lib.tensor([a, a], dtype=lib.int8), b)))
    cases += [("int ** -1", lambda lib: lib.tensor([2]) ** -1),
              ("int ** int tensor -1", lambda lib: lib.tensor([2]) ** lib.tensor([-1])),
              ("int ** 0d -1", lambda lib: lib.tensor([2]) ** lib.tensor(-1)),
              ("2 ** int tensor -1", lambda lib: 2 ** lib.tensor([-1])),
              ("int // 0", lambda lib: lib.tensor([1]) // 0),
              ("int / 0", lambda lib: lib.tensor([1]) / 0),
              ("float bitwise", lambda lib: lib.tensor([1.0]) & lib.tensor([1.0])),
              ("neg bool", lambda lib: -lib.tensor([True])),
              ("bool - bool", lambda lib: lib.tensor([True]) - lib.tensor([True])),
              ("abs bool", lambda lib: lib.abs(lib.tensor([True, False]))),
              ("neg uint8", lambda lib: -lib.tensor([1, 200], dtype=lib.uint8)),
              ("abs int8 min", lambda lib: lib.abs(lib.tensor([-128], dtype=lib.int8)))]
    _check("scalars", cases)


# ---- unary ops and reductions -----------------------------------------------------------------
UNARY = ("abs", "neg", "sign", "sgn", "exp", "log", "sqrt", "sin", "sigmoid", "tanh", "floor",
         "ceil", "round", "trunc", "frac", "reciprocal", "rsqrt", "square", "exp2", "expm1",
         "log1p", "log2", "erf", "logical_not", "bitwise_not", "isnan", "isfinite", "signbit",
         "positive", "angle", "real", "imag", "conj", "nan_to_num", "relu", "sinc", "deg2rad",
         "lgamma", "digamma", "i0", "logit", "erfinv", "asin", "atan", "cosh", "fix")
REDUCTIONS = {
    "sum": lambda lib, x: lib.sum(x), "sum0": lambda lib, x: x.sum(0),
    "prod": lambda lib, x: lib.prod(x), "cumsum": lambda lib, x: lib.cumsum(x, 0),
    "cumprod": lambda lib, x: lib.cumprod(x, 0), "mean": lambda lib, x: lib.mean(x),
    "nansum": lambda lib, x: lib.nansum(x), "nanmean": lambda lib, x: lib.nanmean(x),
    "std": lambda lib, x: lib.std(x), "var": lambda lib, x: x.var(), "max": lambda lib, x: x.max(),
    "amax": lambda lib, x: lib.amax(x, 0), "argmax": lambda lib, x: x.argmax(),
    "min0": lambda lib, x: x.min(0), "norm": lambda lib, x: x.norm(),
    "logsumexp": lambda lib, x: lib.logsumexp(x, 0), "all": lambda lib, x: x.all(),
    "any": lambda lib, x: x.any(0), "count_nonzero": lambda lib, x: lib.count_nonzero(x),
    "median": lambda lib, x: x.median(), "sort": lambda lib, x: lib.sort(x)[0],
    "topk": lambda lib, x: lib.topk(x, 2)[0], "cummax": lambda lib, x: lib.cummax(x, 0)[0],
    "softmax": lambda lib, x: lib.softmax(x, 0), "dot": lambda lib, x: lib.dot(x, x),
    "matmul": lambda lib, x: x.reshape(1, -1) @ x.reshape(-1, 1),
    "trace": lambda lib, x: lib.trace(x.reshape(1, -1)), "diff": lambda lib, x: lib.diff(x),
    "unique": lambda lib, x: lib.unique(x), "aminmax": lambda lib, x: lib.aminmax(x)[0],
    "sum_f64": lambda lib, x: lib.sum(x, dtype=lib.float64),
    "sum_i32": lambda lib, x: x.sum(dtype=lib.int32),
    "mean_f64": lambda lib, x: lib.mean(x, dtype=lib.float64),
    "softmax_f64": lambda lib, x: lib.softmax(x, 0, dtype=lib.float64),
}
_NEEDS_DIM = ("cumsum", "cumprod", "diff", "matmul", "dot", "trace", "cummax", "topk", "sort")


def test_unary_ops_and_reductions():
    cases = [(f"{n}({d})", lambda lib, n=n, d=d: getattr(lib, n)(_t(lib, d)))
             for n in UNARY for d in DTYPES]
    for n, fn in REDUCTIONS.items():
        for d in DTYPES:
            cases.append((f"{n}({d})", lambda lib, fn=fn, d=d: fn(lib, _t(lib, d))))
            if n not in _NEEDS_DIM:
                cases.append((f"{n}(0d {d})", lambda lib, fn=fn, d=d: fn(lib, _t(lib, d, ()))))
    _check_all_used("unary", _check("unary", cases))


REDUCE_WITH_DTYPE = {
    "sum": lambda x, dt: x.sum(dtype=dt), "sum0": lambda x, dt: x.sum(0, dtype=dt),
    "prod": lambda x, dt: x.prod(dtype=dt), "prod0": lambda x, dt: x.prod(0, dtype=dt),
    "cumsum": lambda x, dt: x.cumsum(0, dtype=dt), "cumprod": lambda x, dt: x.cumprod(0, dtype=dt),
    "nansum": lambda x, dt: x.nansum(dtype=dt),
}


def test_reductions_with_a_dtype():
    cases = [(f"{n}({d}, dtype={o})",
              lambda lib, fn=fn, d=d, o=o: fn(_t(lib, d, (2, 3)), getattr(lib, o)))
             for n, fn in REDUCE_WITH_DTYPE.items() for d in DTYPES for o in DTYPES]
    big = [100, 100, 100]
    cases += [("int8 sum", lambda lib: lib.tensor(big, dtype=lib.int8).sum()),
              ("int8 sum int8", lambda lib: lib.tensor(big, dtype=lib.int8).sum(dtype=lib.int8)),
              ("uint8 cumsum", lambda lib: lib.tensor(big, dtype=lib.uint8).cumsum(0)),
              ("int32 sum", lambda lib: lib.full((3,), 2 ** 30, dtype=lib.int32).sum()),
              ("bool sum", lambda lib: lib.tensor([True, True]).sum()),
              ("bool prod", lambda lib: lib.tensor([True, True]).prod()),
              ("f16 sum", lambda lib: lib.ones(10000, dtype=lib.float16).sum()),
              ("f16 sum 0.1", lambda lib: (lib.ones(5000, dtype=lib.float16) * 0.1).sum()),
              ("f16 mean", lambda lib: lib.arange(4096, dtype=lib.float16).mean()),
              ("f16 cumsum", lambda lib: lib.ones(3000, dtype=lib.float16).cumsum(0)[-1]),
              ("f16 dot", lambda lib: lib.dot(lib.ones(3000, dtype=lib.float16) * 0.1,
                                              lib.ones(3000, dtype=lib.float16))),
              ("f16 norm", lambda lib: lib.ones(3000, dtype=lib.float16).norm()),
              ("f32 long sum", lambda lib: (lib.ones(10 ** 6) * 0.1).sum())]
    _check_all_used("reduction", _check("reduction", cases))


# ---- in-place ops, where/clamp/lerp/addcmul ---------------------------------------------------
def test_inplace_ops():
    cases = []
    for method in ("add_", "sub_", "mul_", "div_", "floor_divide_", "remainder_", "pow_",
                   "__iadd__", "__imul__", "__itruediv__", "__iand__", "copy_", "fill_"):
        for d1 in DTYPES:
            def run(lib, d1=d1, method=method, other=None):
                x = _t(lib, d1)
                getattr(x, method)(other(lib))
                return x
            for s in (True, 2, 1.5, 1j):
                cases.append((f"{method}({d1}, py {s!r})",
                              lambda lib, run=run, s=s: run(lib, other=lambda _: s)))
            for d2 in DTYPES:
                cases.append((f"{method}({d1}, {d2})", lambda lib, run=run, d2=d2: run(
                    lib, other=lambda lib: _t(lib, d2))))
                cases.append((f"{method}({d1}, 0d {d2})", lambda lib, run=run, d2=d2: run(
                    lib, other=lambda lib: _t(lib, d2, ()))))
    for d1 in DTYPES:
        for d2 in DTYPES:
            cases.append((f"lerp_({d1}, {d2})",
                          lambda lib, d1=d1, d2=d2: _t(lib, d1).lerp_(_t(lib, d2), 0.5)))
    cases.append(("int += 1.5", lambda lib: lib.tensor([1]).__iadd__(1.5)))
    cases.append(("clamp_(int, 1.5)", lambda lib: lib.tensor([1, 5]).clamp_(1.5)))
    _check_all_used("inplace", _check("inplace", cases, words=False))


def test_where_clamp_lerp_addcmul_addcdiv():
    cases = []
    for d1 in DTYPES:
        for d2 in DTYPES:
            for tag, s2 in (("", (3,)), ("0d ", ())):
                def two(lib, d1=d1, d2=d2, s2=s2):
                    return _t(lib, d1), _t(lib, d2, s2)
                cases += [
                    (f"where({d1}, {tag}{d2})",
                     lambda lib, two=two: lib.where(_t(lib, "bool"), *two(lib))),
                    (f"clamp({d1}, {tag}{d2})",
                     lambda lib, two=two: (lambda a, b: lib.clamp(a, min=b))(*two(lib))),
                    (f"lerp({d1}, {tag}{d2})",
                     lambda lib, two=two: (lambda a, b: lib.lerp(a, b, 0.5))(*two(lib))),
                    (f"addcmul({d1}, {tag}{d2})",
                     lambda lib, two=two: (lambda a, b: lib.addcmul(a, b, b, value=2))(*two(lib))),
                    (f"addcdiv({d1}, {tag}{d2})",
                     lambda lib, two=two: (lambda a, b: lib.addcdiv(a, b, b))(*two(lib)))]
        for s in SCALARS:
            cases += [
                (f"where({d1}, py {s!r})", lambda lib, d1=d1, s=s: lib.where(
                    _t(lib, "bool"), _t(lib, d1), s)),
                (f"where(py {s!r}, {d1})", lambda lib, d1=d1, s=s: lib.where(
                    _t(lib, "bool"), s, _t(lib, d1))),
                (f"clamp({d1}, py {s!r})", lambda lib, d1=d1, s=s: lib.clamp(_t(lib, d1), min=s)),
                (f"clamp({d1}, max=py {s!r})",
                 lambda lib, d1=d1, s=s: lib.clamp(_t(lib, d1), max=s)),
                (f"lerp({d1}, w=py {s!r})",
                 lambda lib, d1=d1, s=s: lib.lerp(_t(lib, d1), _t(lib, d1), s)),
                (f"addcmul({d1}, value=py {s!r})", lambda lib, d1=d1, s=s: lib.addcmul(
                    _t(lib, d1), _t(lib, d1), _t(lib, d1), value=s))]
    cases += [("where(2.5, 1)", lambda lib: lib.where(_t(lib, "bool"), 2.5, 1)),
              ("where(2, 1)", lambda lib: lib.where(_t(lib, "bool"), 2, 1)),
              ("clamp(int, 1.5, 3.5)", lambda lib: lib.clamp(lib.tensor([1, 5]), 1.5, 3.5))]
    _check_all_used("mixed", _check("mixed", cases, words=False))


# ---- creation, default dtype, casts -----------------------------------------------------------
CREATION = {
    "arange(5)": lambda lib: lib.arange(5), "arange(5.)": lambda lib: lib.arange(5.0),
    "arange(0, 5, 0.5)": lambda lib: lib.arange(0, 5, 0.5),
    "arange(True, 3)": lambda lib: lib.arange(True, 3),
    "arange(0.5, 3, int64)": lambda lib: lib.arange(0.5, 3, dtype=lib.int64),
    "arange(1, 4, float64)": lambda lib: lib.arange(1, 4, dtype=lib.float64),
    "full(True)": lambda lib: lib.full((2,), True), "full(3)": lambda lib: lib.full((2,), 3),
    "full(3.)": lambda lib: lib.full((2,), 3.0), "full(1j)": lambda lib: lib.full((2,), 1j),
    "full(3.7, int32)": lambda lib: lib.full((2,), 3.7, dtype=lib.int32),
    "full(-1, uint8)": lambda lib: lib.full((2,), -1, dtype=lib.uint8),
    "full(300, uint8)": lambda lib: lib.full((2,), 300, dtype=lib.uint8),
    "full(1e10, int32)": lambda lib: lib.full((2,), 1e10, dtype=lib.int32),
    "full(1j, float32)": lambda lib: lib.full((2,), 1j, dtype=lib.float32),
    "linspace": lambda lib: lib.linspace(0, 1, 5),
    "linspace int64": lambda lib: lib.linspace(0, 10, 5, dtype=lib.int64),
    "linspace(0, 1j)": lambda lib: lib.linspace(0, 1j, 3),
    "logspace": lambda lib: lib.logspace(0, 2, 3),
    "tensor([True, 1.5])": lambda lib: lib.tensor([True, 1.5]),
    "tensor([True, 1])": lambda lib: lib.tensor([True, 1]),
    "tensor([1, 1j])": lambda lib: lib.tensor([1, 1j]), "tensor(3)": lambda lib: lib.tensor(3),
    "tensor(True)": lambda lib: lib.tensor(True), "tensor([])": lambda lib: lib.tensor([]),
    "tensor(np.int32)": lambda lib: lib.tensor(np.int32(3)),
    "tensor([np.float32, 2])": lambda lib: lib.tensor([np.float32(1.5), 2]),
    "tensor(2**63)": lambda lib: lib.tensor(2 ** 63),
    "tensor([1.7, -1.7], int64)": lambda lib: lib.tensor([1.7, -1.7], dtype=lib.int64),
    "tensor([-1], uint8)": lambda lib: lib.tensor([-1], dtype=lib.uint8),
    "tensor([300], int8)": lambda lib: lib.tensor([300], dtype=lib.int8),
    "as_tensor(float32 array)": lambda lib: lib.as_tensor(np.ones(2, np.float32)),
    "from_numpy(uint8)": lambda lib: lib.from_numpy(np.ones(2, np.uint8)),
    "zeros": lambda lib: lib.zeros(2), "ones(int16)": lambda lib: lib.ones(2, dtype=lib.int16),
    "zeros_like(int32)": lambda lib: lib.zeros_like(_t(lib, "int32")),
    "zeros_like(int32, float16)": lambda lib: lib.zeros_like(_t(lib, "int32"), dtype=lib.float16),
    "ones_like(bool)": lambda lib: lib.ones_like(_t(lib, "bool")),
    "full_like(int32, 2.5)": lambda lib: lib.full_like(_t(lib, "int32"), 2.5),
    "full_like(float32, 1j)": lambda lib: lib.full_like(_t(lib, "float32"), 1j),
    "rand_like(int32)": lambda lib: lib.rand_like(_t(lib, "int32")) * 0,
    "randn(int64)": lambda lib: lib.randn(2, dtype=lib.int64) * 0,
    "eye": lambda lib: lib.eye(2), "eye(int8)": lambda lib: lib.eye(2, dtype=lib.int8),
    "new_zeros": lambda lib: _t(lib, "int16").new_zeros(2),
    "new_full(2.5)": lambda lib: _t(lib, "int16").new_full((2,), 2.5),
    "new_tensor([1.5])": lambda lib: _t(lib, "int16").new_tensor([1.5]),
    "new_ones(float64)": lambda lib: _t(lib, "float16").new_ones(2, dtype=lib.float64),
    "scalar_tensor(2)": lambda lib: lib.scalar_tensor(2),
    "complex": lambda lib: lib.complex(_t(lib, "float32"), _t(lib, "float32")),
    "int / int": lambda lib: lib.tensor([1, 2]) / 2,
    "int * 1.5": lambda lib: lib.tensor([1, 2]) * 1.5, "int * 1j": lambda lib: lib.tensor([1]) * 1j,
    "sqrt(int)": lambda lib: lib.sqrt(lib.tensor([1, 4])),
    "atan2(int, int)": lambda lib: lib.atan2(lib.tensor([1]), lib.tensor([2])),
    "hann_window": lambda lib: lib.hann_window(4),
}


def test_creation_under_the_default_dtype():
    used = set()
    for default in ("float32", "float64"):
        used |= _check("creation", [(name, _under_default(default, call))
                                    for name, call in CREATION.items()])
    _check_all_used("creation", used)


def test_casts():
    cases = []
    for src in ("float32", "float64", "float16"):
        for name, vals in (("frac", [-3.9, 3.9, 255.5]), ("nonfinite", [np.nan, np.inf, -np.inf]),
                           ("big", [2.0 ** 31, -2.0 ** 31 - 1, 300.7])):
            for d in ("bool", "uint8", "int8", "int16", "int32", "int64", "float16"):
                if name == "nonfinite" and d not in ("bool", "float16"):
                    continue  # undefined in C++: no value to agree on
                for how in ("to", "type"):
                    cases.append((f"{how} {src}->{d}({name})", lambda lib, src=src, vals=vals,
                                  d=d, how=how: getattr(lib.tensor(vals, dtype=getattr(
                                      lib, src)), how)(getattr(lib, d))))
    for d in DTYPES:
        for method in ("long", "int", "float", "double", "half", "bool", "short", "byte", "char"):
            cases.append((f"{d}.{method}()", lambda lib, d=d, m=method: getattr(_t(lib, d), m)()))
        cases.append((f"{d}.to(complex64)", lambda lib, d=d: _t(lib, d).to(lib.complex64)))
        cases.append((f"{d} flags", lambda lib, d=d: lib.tensor([
            _t(lib, d).is_complex(), _t(lib, d).dtype.is_floating_point,
            _t(lib, d).dtype.is_signed, _t(lib, d).element_size()])))
        cases.append((f"{d}.item", lambda lib, d=d: lib.tensor(
            [isinstance(_t(lib, d, ()).item(), t) for t in (bool, int, float, complex)])))
    _check_all_used("cast", _check("cast", cases, words=False))


# ---- nn.functional: dtypes of results and gradients -------------------------------------------
FUNCTIONAL = {
    "relu": lambda F, x: F.relu(x), "gelu": lambda F, x: F.gelu(x),
    "softmax": lambda F, x: F.softmax(x, -1), "log_softmax": lambda F, x: F.log_softmax(x, -1),
    "layer_norm": lambda F, x: F.layer_norm(x, (4,)), "mse_loss": lambda F, x: F.mse_loss(x, x * 0.5),
    "l1_loss": lambda F, x: F.l1_loss(x, x * 0.5), "silu": lambda F, x: F.silu(x),
    "normalize": lambda F, x: F.normalize(x), "softplus": lambda F, x: F.softplus(x),
    "binary_cross_entropy_with_logits":
        lambda F, x: F.binary_cross_entropy_with_logits(x, x.detach() * 0 + 1),
    "cross_entropy": lambda F, x: F.cross_entropy(x, x.detach()[:, 0].long().abs()),
    "nll_loss": lambda F, x: F.nll_loss(x, x.detach()[:, 0].long().abs()),
    "linear": lambda F, x: F.linear(x, x[:2]),
    "conv1d": lambda F, x: F.conv1d(x[None], x[:, None, :2].expand(3, 3, 2)),
    "avg_pool1d": lambda F, x: F.avg_pool1d(x[None], 2),
    "max_pool1d": lambda F, x: F.max_pool1d(x[None], 2), "pad": lambda F, x: F.pad(x, (1, 1)),
    "interpolate": lambda F, x: F.interpolate(x[None], scale_factor=2),
    "hardtanh": lambda F, x: F.hardtanh(x), "elu": lambda F, x: F.elu(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x), "glu": lambda F, x: F.glu(x),
    "cosine_similarity": lambda F, x: F.cosine_similarity(x, x * 2),
    "smooth_l1_loss": lambda F, x: F.smooth_l1_loss(x, x.detach() * 0),
    "group_norm": lambda F, x: F.group_norm(x[None], 3),
    "batch_norm": lambda F, x: F.batch_norm(x, None, None, training=True),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
}


def test_functional_dtypes_and_gradient_dtypes():
    def value_and_grad(fn, dt):
        def run(lib):
            x = lib.tensor(np.linspace(-1, 1, 12).reshape(3, 4), dtype=getattr(lib, dt),
                           requires_grad=True)
            y = fn(_fn(lib), x)
            y.sum().backward()
            return y, x.grad
        return run

    def value(fn, dt):
        return lambda lib: fn(_fn(lib), lib.tensor(np.arange(12).reshape(3, 4) - 5))

    cases = []
    for name, fn in FUNCTIONAL.items():
        for dt in ("float16", "float32", "float64"):
            cases.append((f"F.{name}({dt})", lambda lib, fn=fn, dt=dt: value_and_grad(fn, dt)(
                lib)[0]))
            cases.append((f"F.{name}({dt}) grad", lambda lib, fn=fn, dt=dt: value_and_grad(
                fn, dt)(lib)[1]))
        cases.append((f"F.{name}(int64)", value(fn, "int64")))
    _check_all_used("functional", _check("functional", cases, words=False))


@pytest.mark.parametrize("dt", ["float64", "float16"])
def test_modules_in_a_dtype_keep_it(dt):
    def run(lib, nn):
        lib.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3), nn.ReLU(), nn.Linear(3, 2))
        model = model.to(getattr(lib, dt))
        x = lib.ones(5, 4, dtype=getattr(lib, dt))
        y = model(x)
        y.sum().backward()
        return [str(y.dtype)] + [str(p.grad.dtype) for p in model.parameters()]
    ours, theirs = run(ag, ag_nn), run(torch, torch_nn)
    assert [d.split(".")[-1] for d in ours] == [d.split(".")[-1] for d in theirs]


FLOATING = ("float16", "float32", "float64", "complex64", "complex128")
MIXED_GRAD = {
    "add": lambda lib, a, b: a + b, "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b, "sub": lambda lib, a, b: a - b,
    "pow": lambda lib, a, b: a.abs() ** (b.real if b.is_complex() else b),
    "where": lambda lib, a, b: lib.where(a.real > 0, a, b),
    "matmul": lambda lib, a, b: a.reshape(1, 3) @ b.reshape(3, 1),
    "lerp": lambda lib, a, b: lib.lerp(a, b, 0.3), "addcmul": lambda lib, a, b: lib.addcmul(a, b, b),
    "cat": lambda lib, a, b: lib.cat([a, b]), "stack": lambda lib, a, b: lib.stack([a, b]),
    "hypot": lambda lib, a, b: lib.hypot(a, b), "atan2": lambda lib, a, b: lib.atan2(a, b),
    "times int": lambda lib, a, b: a * lib.tensor([1, 2, 3]),
    "int over": lambda lib, a, b: lib.tensor([1, 2, 3]) / a, "times 0d": lambda lib, a, b: a * b[0],
}
KNOWN[("grad", r".*complex32.*|.*ComplexHalf.*")] = _NO_COMPLEX32
KNOWN[("grad", r"where\((float\d+, complex|complex\d+, float)\d+\)")] = (
    "where of a real and a complex tensor: PyTorch 2.13's own backward raises (its "
    "isFloatingType check); tapegrad gives each input a gradient of its dtype")


def test_gradient_dtypes_of_mixed_floating_ops():
    def run(fn, d1, d2):
        def go(lib):
            a = lib.tensor(_values(d1, (3,)), dtype=getattr(lib, d1), requires_grad=True)
            b = lib.tensor(_values(d2, (3,)), dtype=getattr(lib, d2), requires_grad=True)
            y = fn(lib, a, b)
            grads = lib.autograd.grad((y.abs() if y.is_complex() else y).sum(), [a, b],
                                      allow_unused=True)
            return [y] + [g for g in grads if g is not None]
        return go
    cases = [(f"{n}({d1}, {d2})", run(fn, d1, d2)) for n, fn in MIXED_GRAD.items()
             for d1 in FLOATING for d2 in FLOATING]
    _check_all_used("grad", _check("grad", cases, words=False))


def _set(x, index, value):
    x[index] = value
    return x


MISC = {
    "masked_fill(int32, 1.5)": lambda lib: _t(lib, "int32").masked_fill(_t(lib, "bool"), 1.5),
    "masked_fill(uint8, -1)": lambda lib: _t(lib, "uint8").masked_fill(_t(lib, "bool"), -1),
    "masked_fill(float32, 0d float64)": lambda lib: _t(lib, "float32").masked_fill(
        _t(lib, "bool"), lib.tensor(2.5, dtype=lib.float64)),
    "setitem(int64, 1.7)": lambda lib: _set(_t(lib, "int64"), 0, 1.7),
    "setitem(uint8, -1)": lambda lib: _set(_t(lib, "uint8"), 0, -1),
    "setitem(uint8, 300)": lambda lib: _set(_t(lib, "uint8"), 0, 300),
    "setitem(float32, float64 tensor)": lambda lib: _set(_t(lib, "float32"), slice(None),
                                                         _t(lib, "float64")),
    "setitem(bool, 2)": lambda lib: _set(_t(lib, "bool"), 0, 2),
    "setitem(uint8, -1.5)": lambda lib: _set(_t(lib, "uint8"), 0, -1.5),
    "setitem(int32, 2**40)": lambda lib: _set(_t(lib, "int32"), 0, 2 ** 40),
    "masked_fill(uint8, 300)": lambda lib: _t(lib, "uint8").masked_fill(_t(lib, "bool"), 300),
    "fill_(int8, 1e10)": lambda lib: _t(lib, "int8").fill_(1e10),
    "cat(int8, uint8)": lambda lib: lib.cat([_t(lib, "int8"), _t(lib, "uint8")]),
    "cat(bool, int16)": lambda lib: lib.cat([_t(lib, "bool"), _t(lib, "int16")]),
    "cat(int64, complex64)": lambda lib: lib.cat([_t(lib, "int64"), _t(lib, "complex64")]),
    "stack(int32, float16)": lambda lib: lib.stack([_t(lib, "int32"), _t(lib, "float16")]),
    "mm(float32, float64)": lambda lib: lib.mm(_t(lib, "float32").reshape(1, 3),
                                               _t(lib, "float64").reshape(3, 1)),
    "matmul(int32, int32)": lambda lib: _t(lib, "int32").reshape(1, 3) @ _t(lib, "int32").reshape(
        3, 1),
    "outer(int8, float16)": lambda lib: lib.outer(_t(lib, "int8"), _t(lib, "float16")),
    "index_add(float32, float64)": lambda lib: _t(lib, "float32").index_add(
        0, lib.tensor([0, 1, 2]), _t(lib, "float64")),
    "embedding(int32 indices)": lambda lib: _fn(lib).embedding(
        lib.tensor([0, 1], dtype=lib.int32), _t(lib, "float32").reshape(3, 1)),
    "cross_entropy(uint8 target)": lambda lib: _fn(lib).cross_entropy(
        _t(lib, "float32").reshape(1, 3), lib.tensor([1], dtype=lib.uint8)),
    "one_hot": lambda lib: _fn(lib).one_hot(lib.tensor([0, 2])),
    "nonzero": lambda lib: lib.nonzero(_t(lib, "float32")),
    "searchsorted(out_int32)": lambda lib: lib.searchsorted(lib.tensor([1.0, 2.0, 3.0]),
                                                            lib.tensor([2.5]), out_int32=True),
    "bincount(float16 weights)": lambda lib: lib.bincount(lib.tensor([0, 1]), lib.tensor(
        [1.0, 2.0], dtype=lib.float16)),
    "unique(return_counts)": lambda lib: lib.unique(_t(lib, "int8"), return_counts=True),
    "max(int8, 0)": lambda lib: _t(lib, "int8").max(0),
    "kthvalue(int32)": lambda lib: lib.kthvalue(_t(lib, "int32"), 1),
    "x[uint8 mask]": lambda lib: _t(lib, "float32")[lib.tensor([1, 0, 1], dtype=lib.uint8)],
    "x[int32 index]": lambda lib: _t(lib, "float32")[lib.tensor([0, 1], dtype=lib.int32)],
    "gather(int32 index)": lambda lib: lib.gather(_t(lib, "float32"), 0, lib.tensor(
        [0, 1], dtype=lib.int32)),
    "repeat_interleave(int32)": lambda lib: lib.repeat_interleave(lib.tensor([1, 2],
                                                                             dtype=lib.int32)),
    "kron(int8, float16)": lambda lib: lib.kron(_t(lib, "int8"), _t(lib, "float16")),
    "var(int64)": lambda lib: lib.var(_t(lib, "int64")),
    "mean(bool)": lambda lib: _t(lib, "bool").mean(),
    "isin(int8, float32)": lambda lib: lib.isin(_t(lib, "int8"), _t(lib, "float32")),
    "float_power(int8, 2)": lambda lib: lib.float_power(_t(lib, "int8"), 2),
    "type_as": lambda lib: _t(lib, "int8").type_as(_t(lib, "float16")),
    "half of 70000": lambda lib: lib.tensor([70000.0, 1e-8, 6e-8]).half(),
    "bool of nan": lambda lib: lib.tensor([float("nan")]).bool(),
    "long of halves": lambda lib: lib.tensor([-0.5, 0.5, -1.5]).long(),
    "where(uint8 condition)": lambda lib: lib.where(_t(lib, "uint8"), _t(lib, "float32"), 0.0),
    "cdist(float16)": lambda lib: lib.cdist(_t(lib, "float16").reshape(1, 3),
                                            _t(lib, "float16").reshape(1, 3)),
}
KNOWN.update({
    ("misc", r"cdist\(float16\)"): "computes in half where PyTorch has no half kernel",
})


def test_indexing_concatenation_and_other_everyday_dtypes():
    _check_all_used("misc", _check("misc", list(MISC.items()), words=False))


# ---- the op table on int8 and int16 -----------------------------------------------------------
@pytest.mark.parametrize("kind", ["int8", "int16"])
def test_op_table_on_small_integer_tensors(kind):
    from tests.compat.test_edge_inputs_vs_torch import CASES, _run, _same

    differ = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sample, theirs_fn in CASES:
            shapes = list(sample.shapes) if sample.shapes else [(3, 4)] * sample.n_inputs
            rng = np.random.default_rng(0)
            arrays = [np.round(sample.draw(s, rng, k) * 3).astype(kind)
                      for k, s in enumerate(shapes)]
            if not _same(_run(ag, sample.fn, arrays, False), _run(torch, theirs_fn, arrays,
                                                                    False), kind):
                differ.append(sample.name)
    assert differ == ["conv1d_same"]  # integer convolutions: refused with a clear error
