"""Every op of the table against PyTorch, at ordinary points and where rules branch.

The op table (``autograd_core.ops.registry``) calls each op through a small function of
tensors (``lambda a: prod(a, -1, keepdim=True)``); run with PyTorch's functions in place of
tapegrad's (the same names in ``torch``, ``torch.nn.functional``, ``torch.special``,
``torch.linalg``), it is PyTorch's call. Values, first gradients (a random cotangent) and, for
ops smooth enough, second derivatives (of ``<grad, w>``) are compared on inputs drawn as the
op's samples draw them, then with a third of the elements set to 0, to -0.0, or to one value
(ties). Samples whose helpers reach tapegrad's internals are not PyTorch's call: they are not
in this test's list (the other tests cover them).

Where PyTorch's second derivative is not finite (NaN at 0 for ``sinc``, ``atan2`` at the
origin, ``pow`` with a zero base) the entry is not compared: tapegrad gives the limit or 0 there
(DIFFERENCES.md).
"""

import builtins
import dis
import types
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.registry import OPS

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")
MODES = ("plain", "zeros", "negzero", "ties")
# samples PyTorch itself cannot run as written
TORCH_RAISES = {"vander": "PyTorch 2.13's own vander backward raises (DIFFERENCES.md)"}


def _spaces(torch):
    return [torch, torch.nn.functional, torch.special, torch.linalg]


def _torch_name(torch, name):
    for candidate in (name, name.removeprefix("special_")):
        for space in _spaces(torch):
            if hasattr(space, candidate):
                return getattr(space, candidate)
    return None


def _as_torch(torch, sample):
    """The sample's function with PyTorch's functions for tapegrad's, or None."""
    fn = sample.fn
    names = {"np": np, "__builtins__": builtins}
    if "_data" in fn.__code__.co_names:
        return None  # reads tapegrad's arrays
    for ins in dis.get_instructions(fn):
        if ins.opname != "LOAD_GLOBAL" or hasattr(builtins, ins.argval) or ins.argval == "np":
            continue
        found = _torch_name(torch, ins.argval)
        if found is None:
            return None  # a helper of tapegrad's: not PyTorch's call
        names[ins.argval] = found
    cells = None
    if fn.__closure__:  # an op's function held in a closure: PyTorch's of the sample's name
        cells = []
        for cell in fn.__closure__:
            value = cell.cell_contents
            if callable(value) and "autograd_core" in (getattr(value, "__module__", "") or ""):
                value = _torch_name(torch, sample.name)
                if value is None:
                    return None
            cells.append(types.CellType(value))
        cells = tuple(cells)
    return types.FunctionType(fn.__code__, names, None, None, cells)


def _inputs(sample, mode):
    shapes = list(sample.shapes) if sample.shapes else [(3, 4)] * sample.n_inputs
    rng = np.random.default_rng(0)
    arrays = [sample.draw(shape, rng, k) for k, shape in enumerate(shapes)]
    for a in arrays:
        flat = a.reshape(-1)
        if flat.size > 1 and mode != "plain":
            idx = rng.choice(flat.size, flat.size // 3, replace=False)
            flat[idx] = {"zeros": 0.0, "negzero": -0.0, "ties": flat[idx[0]]}[mode]
    return arrays


def _numpy(t):
    if t is None:
        return None
    if hasattr(t, "_is_zerotensor") and t._is_zerotensor():
        return np.zeros(tuple(t.shape))
    t = t.detach()
    if hasattr(t, "resolve_conj"):
        t = t.resolve_conj().resolve_neg()
    return np.array(t.numpy())


def _run(lib, fn, arrays, twice):
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else [out])
            if hasattr(o, "requires_grad")]
    values = [_numpy(o) for o in outs]
    rng = np.random.default_rng(1)
    cots = [rng.standard_normal(tuple(o.shape)) for o in outs]
    pairs = [(o, c) for o, c in zip(outs, cots) if o.requires_grad and o.dtype.is_floating_point]
    if not pairs:
        return values, None, None
    loss = sum((o * lib.tensor(c)).sum() for o, c in pairs)
    grads = lib.autograd.grad(loss, xs, create_graph=twice, allow_unused=True)
    second = None
    if twice:
        w = [np.random.default_rng(2 + k).standard_normal(a.shape) for k, a in enumerate(arrays)]
        terms = [(g * lib.tensor(wk)).sum() for g, wk in zip(grads, w)
                 if g is not None and g.requires_grad]
        if terms:
            second = [_numpy(h) for h in
                      lib.autograd.grad(sum(terms), xs, allow_unused=True)]
    return values, [_numpy(g) for g in grads], second


def _mismatches(stage, ours, theirs):
    """Where tapegrad's arrays of one stage (values, first or second derivatives) differ from
    PyTorch's: a list of descriptions, empty when they agree."""
    if ours is None and theirs is None:
        return []
    if stage == "second":  # no graph on one side: its second derivatives are zeros
        ours = ours or [None] * len(theirs)
        theirs = theirs or [None] * len(ours)
    if len(ours) != len(theirs):
        return [f"{stage}: {len(ours)} arrays, PyTorch {len(theirs)}"]
    found = []
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if a is None or b is None:
            if stage == "values" and a is not b:
                found.append(f"{stage} {k}: one side None")
                continue
            a = np.zeros_like(b) if a is None and b is not None else a
            b = np.zeros_like(a) if b is None and a is not None else b
            if a is None:
                continue
        if a.shape != b.shape:
            found.append(f"{stage} {k}: shape {a.shape}, PyTorch {b.shape}")
            continue
        if stage == "second":  # PyTorch's NaN/inf at singular points: not compared
            keep = np.isfinite(b)
            a, b = a[keep], b[keep]
        if not np.allclose(a, b, rtol=1e-7, atol=1e-9, equal_nan=True):
            bad = ~np.isclose(a, b, rtol=1e-7, atol=1e-9, equal_nan=True)
            found.append(f"{stage} {k}: {a[bad][:3]}, PyTorch {b[bad][:3]}")
    return found


CASES = [(s, f) for s in OPS if (f := _as_torch(torch, s)) is not None]


def test_most_of_the_table_is_compared():
    assert len(CASES) > 200 and len(CASES) > 2 * (len(OPS) - len(CASES))


@pytest.mark.parametrize("name", sorted(TORCH_RAISES))
def test_listed_samples_do_fail_in_torch(name):
    sample, theirs_fn = next(c for c in CASES if c[0].name == name)
    with pytest.raises(RuntimeError):
        _run(torch, theirs_fn, _inputs(sample, "plain"), sample.twice)


@pytest.mark.parametrize("case", [c for c in CASES if c[0].name not in TORCH_RAISES],
                         ids=lambda c: c[0].name)
def test_sample_equals_torch(case):
    sample, theirs_fn = case
    for mode in MODES:
        arrays = _inputs(sample, mode)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # poles at 0 in both libraries: not the test
            theirs = _run(torch, theirs_fn, [a.copy() for a in arrays], sample.twice)
            ours = _run(ag, sample.fn, [a.copy() for a in arrays], sample.twice)
        found = [f"{mode} inputs, {m}" for stage, a, b in
                 zip(("values", "first", "second"), ours, theirs)
                 for m in _mismatches(stage, a, b)]
        assert found == [], sample.name
