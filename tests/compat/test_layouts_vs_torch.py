"""Every op of the table against PyTorch on inputs that are not plain C-contiguous arrays:
transposed (``t``/``mT``/``permute``), stepped slices, ``expand``ed (stride 0), ``narrow``,
``select``, ``diagonal`` and ``unsqueeze`` views, Fortran-ordered, read-only and (tapegrad only:
PyTorch refuses them) negative-stride numpy arrays through ``from_numpy``, and one tensor passed
as every input (aliased inputs).

Each layout is built the same way in both libraries from the same values: a leaf (the view's
base) and a view of it, which is the op's input. Values, dtypes and shapes of the outputs and
the gradients of the leaves (a random cotangent) must agree, in float64 and in float32 (the
Numba kernels have a loop per dtype). The differences kept on purpose are listed below; the
test fails on a new difference and on a listed one that has gone.
"""

import warnings

import numpy as np
import pytest

from tests.compat.test_op_table_vs_torch import CASES, TORCH_RAISES, _numpy

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")
import autograd_core as ag  # noqa: E402

# (layout, sample) -> why tapegrad differs from PyTorch there
ALLOWED = {  # view of a layout numpy cannot view: a copy (PyTorch raises; DIFFERENCES.md)
    (k, "view"): "view of a non-viewable layout copies (PyTorch raises)" for k in (
        "transposed", "mT", "t", "step_first", "step_last", "expand", "narrow", "diagonal",
        "unsqueeze", "fortran")}


def _perm(nd):
    return tuple(reversed(range(nd)))


# layout -> (base array from the input's values a, view of the base in library `lib`);
# None when the layout does not apply to that shape. `lib` is torch or autograd_core.
def _transposed(a):
    if a.ndim < 2:
        return None
    return np.ascontiguousarray(a.transpose(_perm(a.ndim))), lambda b: b.permute(*_perm(b.ndim))


def _mT(a):
    if a.ndim < 2:
        return None
    return np.ascontiguousarray(np.swapaxes(a, -1, -2)), lambda b: b.mT


def _t(a):
    if a.ndim != 2:
        return None
    return np.ascontiguousarray(a.T), lambda b: b.t()


def _step_first(a):  # x[::2]
    if a.ndim < 1:
        return None
    base = np.full((2 * a.shape[0],) + a.shape[1:], 7.0)
    base[::2] = a
    return base, lambda b: b[::2]


def _step_last(a):  # x[:, 1::3]
    if a.ndim < 1:
        return None
    base = np.full(a.shape[:-1] + (3 * a.shape[-1] + 1,), -5.0)
    base[..., 1::3] = a
    return base, lambda b: b[..., 1::3]


def _expand(a):  # a stride-0 first dimension (the values repeat along it)
    if a.ndim < 1 or a.shape[0] < 2:
        return None
    return np.ascontiguousarray(a[:1]), lambda b: b.expand(*a.shape)


def _narrow(a):
    if a.ndim < 1:
        return None
    base = np.full(a.shape[:-1] + (a.shape[-1] + 3,), 3.0)
    base[..., 2:2 + a.shape[-1]] = a
    return base, lambda b: b.narrow(-1, 2, a.shape[-1])


def _select(a):  # the input is base[..., 1] of a (..., 3) base: last stride 3 elements
    base = np.full(a.shape + (3,), 2.0)
    base[..., 1] = a
    return base, lambda b: b.select(-1, 1)


def _diagonal(a):  # the last dimension a diagonal: stride n + 1
    if a.ndim < 1:
        return None
    n = a.shape[-1]
    base = np.full(a.shape + (n,), 0.5)
    idx = np.arange(n)
    base[..., idx, idx] = a
    return base, lambda b: b.diagonal(0, -2, -1)


def _unsqueeze(a):  # a size-1 dimension inserted then selected away, on a stepped view
    if a.ndim < 1:
        return None
    base = np.full((2 * a.shape[0],) + a.shape[1:], 1.5)
    base[1::2] = a
    return base, lambda b: b[1::2].unsqueeze(1).squeeze(1)


LAYOUTS = {"transposed": _transposed, "mT": _mT, "t": _t, "step_first": _step_first,
           "step_last": _step_last, "expand": _expand, "narrow": _narrow, "select": _select,
           "diagonal": _diagonal, "unsqueeze": _unsqueeze}
# layouts of the leaf's own memory (no view): numpy arrays through from_numpy
ARRAYS = ("fortran", "readonly", "negstride")


def _leaf(lib, base, layout):
    """The leaf of ``base``'s values in ``layout``: a copy (views), or the numpy array of that
    layout through ``from_numpy`` (PyTorch refuses negative strides: it gets a plain copy)."""
    if layout == "fortran":
        arr = np.asfortranarray(base)
    elif layout == "readonly":
        arr = base.copy()
        arr.setflags(write=False)
    elif layout == "negstride" and lib is ag:
        arr = np.flip(np.flip(base).copy())  # every stride negative, the same values
    else:
        return lib.tensor(base.copy(), requires_grad=True)
    return lib.from_numpy(arr).requires_grad_(True)


def _arrays(sample, dtype):
    shapes = list(sample.shapes) if sample.shapes else [(3, 4)] * sample.n_inputs
    rng = np.random.default_rng(0)
    return [sample.draw(shape, rng, k).astype(dtype) for k, shape in enumerate(shapes)]


def _run(lib, fn, arrays, layout):
    """``fn`` on ``arrays`` laid out as ``layout``: (values, leaf gradients), or the name of
    the exception raised. None when the layout does not apply to these inputs."""
    leaves, xs = [], []
    if layout == "alias":
        if len(arrays) < 2 or any(a.shape != arrays[0].shape for a in arrays):
            return None
        leaves = [lib.tensor(arrays[0].copy(), requires_grad=True)]
        xs = leaves * len(arrays)
    else:
        for a in arrays:
            if layout in ARRAYS:
                leaves.append(_leaf(lib, a, layout))
                xs.append(leaves[-1])
                continue
            made = LAYOUTS[layout](a)
            if made is None:
                return None
            base, view = made
            leaves.append(lib.tensor(base.astype(a.dtype), requires_grad=True))
            xs.append(view(leaves[-1]))
    try:
        out = fn(*xs)
        outs = [o for o in (out if isinstance(out, (tuple, list)) else [out])
                if hasattr(o, "requires_grad")]
        values = [(str(o.dtype).split(".")[-1], _numpy(o)) for o in outs]
        rng = np.random.default_rng(1)
        pairs = [(o, rng.standard_normal(tuple(o.shape))) for o in outs]
        pairs = [(o, c) for o, c in pairs if o.requires_grad and o.dtype.is_floating_point]
        grads = None
        if pairs:
            loss = sum((o * lib.tensor(c, dtype=o.dtype)).sum() for o, c in pairs)
            grads = [None if g is None else _numpy(g) for g in
                     lib.autograd.grad(loss, leaves, allow_unused=True)]
        return values, grads
    except Exception as e:  # the other library is held to raising too
        return type(e).__name__


def _close(a, b, tol):
    if a.shape != b.shape:
        return False
    if a.dtype.kind not in "fc" and b.dtype.kind not in "fc":
        return np.array_equal(a, b)
    finite = np.abs(b[np.isfinite(b)])  # sums taken in another order: relative to the largest
    return np.allclose(a, b, rtol=tol, atol=tol * max(1.0, finite.max(initial=0.0)),
                       equal_nan=True)


def _same(ours, theirs, tol):
    if isinstance(ours, str) or isinstance(theirs, str):
        return isinstance(ours, str) and isinstance(theirs, str)
    (va, ga), (vb, gb) = ours, theirs
    if len(va) != len(vb) or any(da != db or not _close(a, b, tol)
                                 for (da, a), (db, b) in zip(va, vb)):
        return False
    if (ga is None) != (gb is None):
        return False
    for a, b in zip(ga or (), gb or ()):
        if a is None or b is None:  # no path on one side: zeros on the other
            if not np.all((b if a is None else a) == 0):
                return False
        elif not _close(a, b, tol):
            return False
    return True


_CASES = [c for c in CASES if c[0].name not in TORCH_RAISES]


def _sweep(layout, dtype):
    differ = {}
    tol = 1e-7 if dtype == np.float64 else 2e-5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # poles, read-only arrays: not the test
        for sample, theirs_fn in _CASES:
            arrays = _arrays(sample, dtype)
            theirs = _run(torch, theirs_fn, arrays, layout)
            if theirs is None:
                continue
            ours = _run(ag, sample.fn, arrays, layout)
            if not _same(ours, theirs, tol):
                differ[sample.name] = (ours if isinstance(ours, str) else "",
                                       theirs if isinstance(theirs, str) else "")
    return differ


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("layout", [*LAYOUTS, *ARRAYS, "alias"])
def test_layout_agrees_with_torch(layout, dtype):
    differ = _sweep(layout, dtype)
    allowed = {name for (k, name) in ALLOWED if k == layout}
    assert set(differ) - allowed == set(), f"{layout}: new differences from PyTorch: {differ}"
    assert allowed - set(differ) == set(), f"{layout}: listed differences that are gone"


# ---- optimizers stepping parameters that are non-contiguous views ---------------------------
OPTIMIZERS = {
    "SGD": {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "Adam": {"lr": 0.05, "amsgrad": True},
    "AdamW": {"lr": 0.05},
    "Adagrad": {"lr": 0.1, "lr_decay": 0.01},
    "RMSprop": {"lr": 0.01, "momentum": 0.5, "centered": True},
    "Adadelta": {"lr": 1.0},
    "Adamax": {"lr": 0.05},
    "NAdam": {"lr": 0.05},
    "RAdam": {"lr": 0.05},
    "Rprop": {"lr": 0.05},
    "ASGD": {"lr": 0.05},
}


def _optimizer_run(lib, optim, name, kwargs, foreach):
    """Three steps on parameters that are views (a transpose, a stepped slice, a diagonal)
    of bases outside the optimizer, and on a Fortran-ordered one: (parameters, bases)."""
    rng = np.random.default_rng(3)
    bases = [rng.standard_normal(s) for s in ((4, 3), (3, 8), (5, 5))]
    made = [lib.tensor(b.copy()) for b in bases]
    params = [made[0].t(), made[1][:, 1::3], made[2].diagonal()]
    params.append(lib.from_numpy(np.asfortranarray(rng.standard_normal((3, 4)))))
    for p in params:
        p.requires_grad_(True)
    targets = [lib.tensor(rng.standard_normal(tuple(p.shape))) for p in params]
    extra = {} if foreach is None else {"foreach": foreach}
    opt = getattr(optim, name)(params, **kwargs, **extra)
    for _ in range(3):
        opt.zero_grad()
        loss = sum(((p - t) ** 2 * p).sum() + (p.mT if p.ndim == 2 else p).exp().sum()
                   for p, t in zip(params, targets))
        loss.backward()
        opt.step()
    return [_numpy(p) for p in params], [_numpy(b) for b in made]


# (ASGD(foreach=True) is left out: PyTorch's float32 eta, DIFFERENCES.md; not layouts)
@pytest.mark.parametrize("name, foreach", [(n, f) for n in sorted(OPTIMIZERS)
                                           for f in (None, True, False)
                                           if (n, f) != ("ASGD", True)])
def test_optimizer_steps_write_through_views(name, foreach):
    import optimizers

    ours = _optimizer_run(ag, optimizers, name, OPTIMIZERS[name], foreach)
    theirs = _optimizer_run(torch, torch.optim, name, OPTIMIZERS[name], foreach)
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# ---- in-place ops writing through views --------------------------------------------------
VIEWS = {
    "t": lambda b: b.t(),
    "mT": lambda b: b.mT,
    "step": lambda b: b[:, 1::2],
    "step_rows": lambda b: b[::2],
    "diagonal": lambda b: b.diagonal(),
    "select": lambda b: b.select(1, 2),
    "narrow": lambda b: b.narrow(0, 1, 2),
    "unsqueeze": lambda b: b[:, ::3].unsqueeze(0),
    "view_of_t": lambda b: b.t()[1:3],
}


def _src(lib, v, k=0):
    rng = np.random.default_rng(10 + k)
    return lib.tensor(rng.standard_normal(tuple(v.shape)), requires_grad=True)


def _index(lib, v):
    return lib.tensor([v.shape[0] - 1, 0]) if v.shape[0] > 1 else lib.tensor([0])


INPLACE = {
    "add_": lambda lib, v, s: v.add_(s, alpha=2.0),
    "sub_": lambda lib, v, s: v.sub_(s),
    "mul_": lambda lib, v, s: v.mul_(s),
    "div_": lambda lib, v, s: v.div_(s.abs() + 1.0),
    "clamp_": lambda lib, v, s: v.clamp_(-0.5, 0.5),
    "clamp_min_": lambda lib, v, s: v.clamp_min_(0.1),
    "copy_": lambda lib, v, s: v.copy_(s),
    "copy_t": lambda lib, v, s: v.copy_(s.mT.contiguous().mT) if v.ndim >= 2 else v.copy_(s),
    "fill_": lambda lib, v, s: v.fill_(1.5),
    "zero_": lambda lib, v, s: v.zero_(),
    "relu_": lambda lib, v, s: v.relu_(),
    "sigmoid_": lambda lib, v, s: v.sigmoid_(),
    "exp_": lambda lib, v, s: v.exp_(),
    "pow_": lambda lib, v, s: v.pow_(2),
    "neg_": lambda lib, v, s: v.neg_(),
    "addcmul_": lambda lib, v, s: v.addcmul_(s, s, value=0.5),
    "lerp_": lambda lib, v, s: v.lerp_(s, 0.25),
    "masked_fill_": lambda lib, v, s: v.masked_fill_(s > 0, -1.0),
    "index_add_": lambda lib, v, s: v.index_add_(0, _index(lib, v), s[:len(_index(lib, v))]),
    "index_fill_": lambda lib, v, s: v.index_fill_(0, _index(lib, v), 2.0),
    "index_copy_": lambda lib, v, s: v.index_copy_(0, _index(lib, v), s[:len(_index(lib, v))]),
    "setitem": lambda lib, v, s: v.__setitem__(0, s[0]),
    "setitem_mask": lambda lib, v, s: v.__setitem__(s > 0.5, 9.0),
    "scatter_add_": lambda lib, v, s: v.scatter_add_(
        0, lib.zeros(tuple(v.shape), dtype=lib.int64), s),
}


def _inplace_run(lib, view, write, saved=False):
    """The write through ``view`` of a non-leaf base: (base, view, leaf gradients), or the
    name of the exception raised. ``saved``: a node saved the base before the write."""
    rng = np.random.default_rng(4)
    leaf = lib.tensor(rng.standard_normal((4, 6)), requires_grad=True)
    try:
        base = leaf * 1.0
        v = view(base)
        s = _src(lib, v)
        kept = base.sin() if saved else None
        write(lib, v, s)
        c = lib.tensor(np.random.default_rng(5).standard_normal((4, 6)))
        loss = (base * c).sum() + (v * v).sum() + (0 if kept is None else kept.sum())
        grads = lib.autograd.grad(loss, [leaf, s], allow_unused=True)
        return [_numpy(base), _numpy(v)] + [None if g is None else _numpy(g) for g in grads]
    except Exception as e:
        return type(e).__name__


@pytest.mark.parametrize("saved", [False, True], ids=["fresh", "saved"])
@pytest.mark.parametrize("view", sorted(VIEWS))
def test_inplace_through_views_agree_with_torch(view, saved):
    differ = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, write in INPLACE.items():
            ours = _inplace_run(ag, VIEWS[view], write, saved)
            theirs = _inplace_run(torch, VIEWS[view], write, saved)
            if isinstance(ours, str) or isinstance(theirs, str):
                same = isinstance(ours, str) and isinstance(theirs, str)
            else:
                same = all((a is None and (b is None or not b.any()))
                           or (b is None and not a.any())
                           or (a is not None and b is not None and _close(a, b, 1e-9))
                           for a, b in zip(ours, theirs))
            if not same:
                differ[name] = (ours if isinstance(ours, str) else "",
                                theirs if isinstance(theirs, str) else "")
    assert differ == {}, f"{view}: differences from PyTorch: {differ}"


# ---- nn.functional's calls (tests/compat/test_functional_vs_torch.py), float32 ---------------
F_LAYOUTS = ("transposed", "step_first", "step_last", "select", "diagonal", "fortran",
             "negstride")
F_ALLOWED = {  # PyTorch 2.13's CPU batch_norm backward, contiguous input and a strided weight:
    # it reads the weight as if contiguous (its input gradient is wrong; ours is the
    # finite-difference one, and PyTorch's own for weight.contiguous())
    (k, "bn_constcol"): "PyTorch's batch_norm input gradient with a strided weight is wrong"
    for k in ("step_first", "step_last", "select", "diagonal")}


@pytest.mark.parametrize("layout", F_LAYOUTS)
def test_functional_layouts_agree_with_torch(layout):
    from tests.compat.test_functional_vs_torch import CALLS

    differ = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, spec in CALLS.items():
            rng = np.random.default_rng(0)
            arrays = [rng.standard_normal(s).astype(np.float32) for s in spec[1]]
            runs = [_run(lib, lambda *xs, t=tag: spec[0](t, *xs), arrays, layout)
                    for lib, tag in ((ag, "a"), (torch, "t"))]
            if runs[1] is not None and not _same(*runs, 2e-5):
                differ[name] = tuple(r if isinstance(r, str) else "" for r in runs)
    allowed = {name for (k, name) in F_ALLOWED if k == layout}
    assert set(differ) - allowed == set(), f"{layout}: new differences from PyTorch: {differ}"
    assert allowed - set(differ) == set(), f"{layout}: listed differences that are gone"
