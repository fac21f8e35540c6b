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

import contextlib
import warnings

import numpy as np
import pytest

from tests.compat.test_op_table_vs_torch import CASES, TORCH_RAISES, _numpy

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")
import autograd_core as ag  # noqa: E402

# (layout, sample) -> why tapegrad differs from PyTorch there
ALLOWED: dict = {}


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
ARRAYS = ("fortran", "readonly", "negstride", "asstrided")


def _as_strided(a):
    """``a``'s values in a numpy ``as_strided`` array: the first dimension innermost, every
    stride twice the dense one, an offset of one element, and an odd stride (5 elements) on
    size-1 dimensions (and a 0-d array one element into its buffer)."""
    strides, step = [0] * a.ndim, 2
    for d in range(a.ndim):
        strides[d] = 5 if a.shape[d] == 1 else step
        step *= 2 * max(a.shape[d], 1) if a.shape[d] != 1 else 1
    n = 1 + sum((m - 1) * s for m, s in zip(a.shape, strides)) + 1 if a.size else 1
    buf = np.full(n + 6, 9.0, dtype=a.dtype)
    arr = np.lib.stride_tricks.as_strided(buf[1:], a.shape,
                                          tuple(s * a.itemsize for s in strides))
    arr[...] = a
    return arr


def _leaf(lib, base, layout):
    """The leaf of ``base``'s values in ``layout``: a copy (views), or the numpy array of that
    layout through ``from_numpy`` (PyTorch refuses negative strides: it gets a plain copy)."""
    if layout == "fortran":
        arr = np.asfortranarray(base)
    elif layout == "readonly":
        arr = base.copy()
        arr.setflags(write=False)
    elif layout == "asstrided":
        arr = _as_strided(base)
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
        if a is None and b is None:
            continue
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


# float32 (the Numba kernels' other loops) on the layouts that reach their distinct paths
_FLOAT32_LAYOUTS = ("transposed", "step_last", "expand", "negstride", "asstrided", "alias")


@pytest.mark.parametrize("layout, dtype", [(k, np.float64) for k in (*LAYOUTS, *ARRAYS, "alias")]
                         + [(k, np.float32) for k in _FLOAT32_LAYOUTS],
                         ids=lambda v: v if isinstance(v, str) else np.dtype(v).name)
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
             "negstride", "asstrided", "expand")
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
            if layout == "expand" and name in ("batch_norm", "bn_constcol"):
                continue  # equal rows: a zero batch variance, and gradients of rounding dust
                # divided by sqrt(eps) in both libraries (noise, not compared)
            rng = np.random.default_rng(0)
            arrays = [rng.standard_normal(s).astype(np.float32) for s in spec[1]]
            runs = [_run(lib, lambda *xs, t=tag: spec[0](t, *xs), arrays, layout)
                    for lib, tag in ((ag, "a"), (torch, "t"))]
            if runs[1] is not None and not _same(*runs, 2e-5):
                differ[name] = tuple(r if isinstance(r, str) else "" for r in runs)
    allowed = {name for (k, name) in F_ALLOWED if k == layout}
    assert set(differ) - allowed == set(), f"{layout}: new differences from PyTorch: {differ}"
    assert allowed - set(differ) == set(), f"{layout}: listed differences that are gone"


# ---- nn layers fed transposed / strided inputs, and with strided parameters ----------------
def _mods(M):
    return {
        "Linear": (lambda: M.Linear(4, 3), (4, 5)),  # input (5, 4) as a transpose
        "Conv1d": (lambda: M.Conv1d(4, 6, 3, padding=1), (2, 7, 4)),
        "Conv2d": (lambda: M.Conv2d(3, 16, 3, stride=2, padding=1), (2, 5, 6, 3)),
        "Conv2d_g": (lambda: M.Conv2d(4, 4, 3, groups=2, dilation=2), (2, 7, 8, 4)),
        "ConvT2d": (lambda: M.ConvTranspose2d(3, 2, 3, stride=2), (2, 4, 5, 3)),
        "MaxPool2d": (lambda: M.MaxPool2d(2, ceil_mode=True), (2, 5, 5, 3)),
        "AvgPool2d": (lambda: M.AvgPool2d(3, stride=2, padding=1), (2, 6, 5, 3)),
        "BatchNorm1d": (lambda: M.BatchNorm1d(4), (4, 6)),
        "BatchNorm2d": (lambda: M.BatchNorm2d(3), (2, 5, 4, 3)),
        "LayerNorm": (lambda: M.LayerNorm(6), (6, 5)),
        "GroupNorm": (lambda: M.GroupNorm(2, 4), (3, 5, 4)),
        "LSTM": (lambda: M.LSTM(4, 3, num_layers=2), (5, 4, 2)),
        "GRU": (lambda: M.GRU(4, 3, batch_first=True, bidirectional=True), (2, 4, 5)),
        "RNN": (lambda: M.RNN(4, 3), (5, 4, 2)),
        "MHA": (lambda: M.MultiheadAttention(4, 2), (3, 4, 2)),
        "MHA_bf": (lambda: M.MultiheadAttention(4, 2, batch_first=True, kdim=3, vdim=5),
                   None),
    }


@contextlib.contextmanager
def _rng_kept():
    """Both libraries' global random state as it was (the tests here seed it; other tests
    draw from it unseeded)."""
    ours, theirs = ag.get_rng_state(), torch.get_rng_state()
    try:
        yield
    finally:
        ag.set_rng_state(ours)
        torch.set_rng_state(theirs)


def _module_run(lib, M, name, strided_params, dtype):
    lib.manual_seed(0)
    ctor, shape = _mods(M)[name]
    mod = ctor().to(getattr(lib, dtype))
    rng = np.random.default_rng(6)
    with lib.no_grad():  # the same parameters in both, from numpy
        for n, p in mod.named_parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape))))
        if strided_params:  # each parameter's memory a transposed or stepped array
            for n, p in list(mod.named_parameters()):
                arr = p.detach().numpy()
                if arr.ndim >= 2:
                    new = np.asfortranarray(arr)
                else:
                    new = np.empty(arr.shape + (2,), arr.dtype)[..., 0]
                    new[...] = arr
                p.data = lib.from_numpy(new)
    if shape is None:  # q (3, 2, 4) transposed, k and v stepped
        q, kb, vb = (lib.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
                     for s in ((4, 2, 3), (3, 6, 3), (3, 3, 5, 2)))
        leaves, args = [q, kb, vb], (q.permute(2, 1, 0), kb[:, ::2], vb[:, :, :, 1])
    else:
        x = lib.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
        perm = (1, 0) if len(shape) == 2 else ((0, 2, 1) if len(shape) == 3 else (0, 3, 1, 2))
        if name in ("LSTM", "GRU", "RNN", "MHA"):
            perm = (0, 2, 1)
        leaves, args = [x], (x.permute(*perm),)
        if name.startswith("MHA"):
            args = args * 3
    out = mod(*args)
    outs = [o for o in (out if isinstance(out, tuple) else (out,)) for o in
            (o if isinstance(o, tuple) else (o,)) if o is not None]
    c = [lib.tensor(np.random.default_rng(7 + k).standard_normal(tuple(o.shape)).astype(dtype))
         for k, o in enumerate(outs)]
    sum((o * ck).sum() for o, ck in zip(outs, c)).backward()
    got = [_numpy(o) for o in outs] + [_numpy(t.grad) for t in leaves]
    got += [_numpy(p.grad) for p in mod.parameters()]
    return got + [_numpy(b) for b in mod.buffers()]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("strided_params", [False, True], ids=["inputs", "params"])
@pytest.mark.parametrize("name", sorted(_mods(None)))
def test_module_layouts_agree_with_torch(name, strided_params, dtype):
    import nn

    with _rng_kept():
        ours = _module_run(ag, nn, name, strided_params, dtype)
        theirs = _module_run(torch, torch.nn, name, strided_params, dtype)
    assert len(ours) == len(theirs)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert a.dtype == b.dtype and _close(a, b, 1e-9 if dtype == "float64" else 2e-5), (
            name, k, a, b)


# ---- out= forms given a non-contiguous out ---------------------------------------------------
def _a(lib, *shape, k=0):
    return lib.tensor(np.random.default_rng(20 + k).standard_normal(shape))


OUT_CALLS = {  # name -> (call(lib, out), out's shape, out's dtype)
    "add": (lambda L, o: L.add(_a(L, 3, 4), _a(L, 4, k=1), alpha=2, out=o), (3, 4), "float64"),
    "mul": (lambda L, o: L.mul(_a(L, 3, 4), _a(L, 3, 1, k=1), out=o), (3, 4), "float64"),
    "div": (lambda L, o: L.div(_a(L, 3, 4), 3.0, out=o), (3, 4), "float64"),
    "exp": (lambda L, o: L.exp(_a(L, 3, 4), out=o), (3, 4), "float64"),
    "sigmoid": (lambda L, o: L.sigmoid(_a(L, 3, 4), out=o), (3, 4), "float64"),
    "tanh": (lambda L, o: L.tanh(_a(L, 3, 4), out=o), (3, 4), "float64"),
    "clamp": (lambda L, o: L.clamp(_a(L, 3, 4), -0.5, 0.5, out=o), (3, 4), "float64"),
    "pow": (lambda L, o: L.pow(_a(L, 3, 4), 2, out=o), (3, 4), "float64"),
    "maximum": (lambda L, o: L.maximum(_a(L, 3, 4), _a(L, 3, 4, k=1), out=o), (3, 4),
                "float64"),
    "matmul": (lambda L, o: L.matmul(_a(L, 3, 5), _a(L, 5, 4, k=1), out=o), (3, 4), "float64"),
    "mm": (lambda L, o: L.mm(_a(L, 3, 5), _a(L, 5, 4, k=1), out=o), (3, 4), "float64"),
    "bmm": (lambda L, o: L.bmm(_a(L, 2, 3, 5), _a(L, 2, 5, 4, k=1), out=o), (2, 3, 4),
            "float64"),
    "addmm": (lambda L, o: L.addmm(_a(L, 3, 4, k=2), _a(L, 3, 5), _a(L, 5, 4, k=1), beta=0.5,
                                   out=o), (3, 4), "float64"),
    "sum": (lambda L, o: L.sum(_a(L, 3, 4, 2), 2, out=o), (3, 4), "float64"),
    "mean": (lambda L, o: L.mean(_a(L, 3, 4, 2), 2, out=o), (3, 4), "float64"),
    "prod": (lambda L, o: L.prod(_a(L, 3, 4, 2), 2, out=o), (3, 4), "float64"),
    "cumsum": (lambda L, o: L.cumsum(_a(L, 3, 4), 1, out=o), (3, 4), "float64"),
    "logsumexp": (lambda L, o: L.logsumexp(_a(L, 3, 4, 2), 2, out=o), (3, 4), "float64"),
    "cat": (lambda L, o: L.cat([_a(L, 1, 4), _a(L, 2, 4, k=1)], out=o), (3, 4), "float64"),
    "stack": (lambda L, o: L.stack([_a(L, 4), _a(L, 4, k=1), _a(L, 4, k=2)], out=o), (3, 4),
              "float64"),
    "where": (lambda L, o: L.where(_a(L, 3, 4) > 0, _a(L, 3, 4, k=1), _a(L, 4, k=2), out=o), (3, 4),
              "float64"),
    "index_select": (lambda L, o: L.index_select(_a(L, 5, 4), 0, L.tensor([4, 0, 2]), out=o),
                     (3, 4), "float64"),
    "gather": (lambda L, o: L.gather(_a(L, 3, 4), 1, L.tensor([[0, 1, 2, 3]] * 3), out=o),
               (3, 4), "float64"),
    "lerp": (lambda L, o: L.lerp(_a(L, 3, 4), _a(L, 3, 4, k=1), 0.3, out=o), (3, 4), "float64"),
    "addcmul": (lambda L, o: L.addcmul(_a(L, 3, 4), _a(L, 3, 4, k=1), _a(L, 3, 4, k=2),
                                       value=0.5, out=o), (3, 4), "float64"),
    "argmax": (lambda L, o: L.argmax(_a(L, 3, 4, 2), 2, out=o), (3, 4), "int64"),
    "eq": (lambda L, o: L.eq(_a(L, 3, 4).round(), 0.0, out=o), (3, 4), "bool"),
    "zeros": (lambda L, o: L.zeros(3, 4, out=o), (3, 4), "float64"),
    "outer": (lambda L, o: L.outer(_a(L, 3), _a(L, 4, k=1), out=o), (3, 4), "float64"),
    "softmax": (lambda L, o: L.softmax(_a(L, 3, 4), 1, out=o), (3, 4), "float64"),
    "erf": (lambda L, o: L.erf(_a(L, 3, 4), out=o), (3, 4), "float64"),
}


def _strided_out(lib, shape, dtype, kind):
    """A base filled with 7 and an ``out`` of ``shape`` that is a view of it."""
    dt = getattr(lib, dtype)
    if kind == "t":
        base = lib.full(tuple(reversed(shape)), 7, dtype=dt)
        return base, base.permute(*reversed(range(len(shape))))
    base = lib.full(tuple(shape[:-1]) + (2 * shape[-1],), 7, dtype=dt)
    return base, base[..., 1::2]


def _out_run(lib, call, shape, dtype, kind):
    try:
        base, out = _strided_out(lib, shape, dtype, kind)
        strides = out.stride()
        got = call(lib, out)
        return got is out, out.stride() == strides, _numpy(base)
    except Exception as e:
        return type(e).__name__


@pytest.mark.parametrize("kind", ["t", "step"])
def test_out_forms_write_through_non_contiguous_out(kind):
    """The result is written through ``out`` (a transposed or stepped view) into its base,
    ``out`` keeps its strides and is returned, as in PyTorch."""
    differ = {}
    for name, (call, shape, dtype) in OUT_CALLS.items():
        ours, theirs = (_out_run(lib, call, shape, dtype, kind) for lib in (ag, torch))
        if isinstance(ours, str) or isinstance(theirs, str) or ours[:2] != (True, True) \
                or theirs[:2] != (True, True) or not _close(ours[2], theirs[2], 1e-12):
            differ[name] = (ours if isinstance(ours, str) else ours[:2],
                            theirs if isinstance(theirs, str) else theirs[:2])
    assert differ == {}


def _embedding_run(lib, M):
    """An Embedding whose weight is a transposed array and an F.embedding whose weight is a
    stepped view, both with max_norm (renormalised in place), fed transposed indices."""
    rng = np.random.default_rng(0)
    e = M.Embedding(6, 4, max_norm=1.0, padding_idx=1).double()
    with lib.no_grad():
        e.weight.data = lib.from_numpy(np.ascontiguousarray(rng.standard_normal((4, 6)) * 2).T)
    idx = lib.tensor([[0, 2, 1], [3, 2, 5]]).t()
    out = e(idx)
    base = lib.tensor(rng.standard_normal((6, 8)) * 2)
    out2 = M.functional.embedding(idx, base[:, 1::2], max_norm=0.5, norm_type=1.0)
    c = lib.tensor(rng.standard_normal(tuple(out.shape)))
    (out * c).sum().backward()
    return [_numpy(t) for t in (out, e.weight, e.weight.grad, out2, base)]


def test_embedding_renorms_through_strided_weights():
    import nn

    for a, b in zip(_embedding_run(ag, nn), _embedding_run(torch, torch.nn)):
        assert _close(a, b, 1e-12)


# ---- writes whose input aliases the tensor written --------------------------------------------
ALIASES = {"same": lambda x: x, "view": lambda x: x.view(4, 4), "t": lambda x: x.t(),
           "row0": lambda x: x[0], "rows:1": lambda x: x[:1], "col:1": lambda x: x[:, :1],
           "diag": lambda x: x.diagonal(), "other": lambda x: None}


def _idx(lib, s):
    return lib.tensor([1, 0, 3, 2][:s.shape[0]])


def _rows(s):
    return s if s.ndim == 2 else s.reshape(1, -1)


ALIAS_WRITES = {
    "add_": lambda L, x, s: x.add_(s), "sub_": lambda L, x, s: x.sub_(s, alpha=2),
    "mul_": lambda L, x, s: x.mul_(s), "div_": lambda L, x, s: x.div_(s),
    "atan2_": lambda L, x, s: x.atan2_(s), "copysign_": lambda L, x, s: x.copysign_(s),
    "fmod_": lambda L, x, s: x.fmod_(s), "hypot_": lambda L, x, s: x.hypot_(s),
    "xlogy_": lambda L, x, s: x.xlogy_(s), "lerp_": lambda L, x, s: x.lerp_(s, 0.3),
    "lerp_weight": lambda L, x, s: x.lerp_(s * 0 + 1, s),
    "addcmul_": lambda L, x, s: x.addcmul_(s, s), "pow_": lambda L, x, s: x.pow_(s),
    "float_power_": lambda L, x, s: x.float_power_(s), "lt_": lambda L, x, s: x.lt_(s),
    "clamp_": lambda L, x, s: x.clamp_(s, s + 3), "copy_": lambda L, x, s: x.copy_(s),
    "index_add_": lambda L, x, s: x.index_add_(0, _idx(L, _rows(s)), _rows(s)),
    "index_copy_": lambda L, x, s: x.index_copy_(0, _idx(L, _rows(s)), _rows(s)),
    "scatter_add_": lambda L, x, s: x.scatter_add_(
        0, L.tensor(np.zeros(tuple(s.shape), dtype=np.int64)), s),
    "index_put_": lambda L, x, s: x.index_put_((L.tensor([0, 2]),), _rows(s)[:2]),
    "setitem": lambda L, x, s: x.__setitem__(slice(None), s),
    "setitem_index": lambda L, x, s: x.__setitem__(L.tensor([0, 2]), _rows(s)[:2]),
    "out_add": lambda L, x, s: L.add(x, s, out=x),
    "out_exp": lambda L, x, s: L.exp(s.expand(4, 4), out=x),
    "out_cat": lambda L, x, s: L.cat([x[2:], x[:2]], out=x),
}
_BY_ELEMENT = ("add_", "sub_", "mul_", "div_", "atan2_", "fmod_", "hypot_", "xlogy_",
               "lerp_weight", "addcmul_", "pow_", "float_power_", "out_add")
ALIAS_ALLOWED = {
    # an input sharing memory with the written tensor that is not dense (a column, a
    # diagonal): PyTorch does not check it and writes element by element, reading elements it
    # has written (its numbers follow its loop order); tapegrad computes from the old values
    **{(n, a): "computed as from a copy (PyTorch: element by element)"
       for n in _BY_ELEMENT for a in ("col:1", "diag")},
    **{(n, a): "computed as from a copy (PyTorch: element by element)" for n, a in (
        ("index_put_", "t"), ("setitem_index", "t"), ("out_exp", "row0"),
        ("out_exp", "rows:1"), ("out_exp", "diag"))},
}


def _alias_run(lib, write, alias):
    x = lib.tensor(np.arange(16.0).reshape(4, 4) + 1)
    s = ALIASES[alias](x)
    if s is None:
        s = lib.tensor(np.arange(16.0).reshape(4, 4)[::-1].copy() + 0.5)
    try:
        write(lib, x, s)
        return _numpy(x)
    except Exception as e:
        return type(e).__name__ + ": " + str(e)


def test_aliased_writes_agree_with_torch():
    """Both refuse (PyTorch's error), or both give the same values."""
    differ = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, write in ALIAS_WRITES.items():
            for alias in ALIASES:
                ours, theirs = (_alias_run(lib, write, alias) for lib in (ag, torch))
                if isinstance(ours, str) or isinstance(theirs, str):  # PyTorch's overlap
                    # error word for word; other errors of the same type
                    same = isinstance(ours, str) and isinstance(theirs, str) and (
                        ours == theirs or ("single memory location" not in theirs
                                           and ours.split(":")[0] == theirs.split(":")[0]))
                else:
                    same = _close(ours, theirs, 1e-12)
                if not same:
                    differ.add((name, alias))
    assert differ - set(ALIAS_ALLOWED) == set(), "new differences from PyTorch"
    assert set(ALIAS_ALLOWED) - differ == set(), "listed differences that are gone"


def _compiled_steps(compiled):
    """Five Adam steps of a small MLP with a Fortran-ordered weight on inputs that are views
    (a transpose of a base changed in place between steps, a stepped slice): losses and
    parameters."""
    import nn
    import optimizers

    ag.manual_seed(0)
    m = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 3))
    with ag.no_grad():
        m[0].weight.data = ag.from_numpy(np.asfortranarray(m[0].weight.detach().numpy()))
    opt = optimizers.Adam(m.parameters(), lr=0.01)

    def step(x, y):
        opt.zero_grad()
        loss = ((m(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss.detach()

    run = ag.compile(step, strict=True) if compiled else step
    rng = np.random.default_rng(0)
    base = ag.tensor(rng.standard_normal((4, 10)).astype(np.float32))
    ybase = ag.tensor(rng.standard_normal((3, 20)).astype(np.float32))
    losses = []
    for k in range(5):
        with ag.no_grad():
            base.mul_(0.9).add_(0.1 * k)
        losses.append(float(run(base.t(), ybase[:, ::2].t())))
    return losses, [p.detach().numpy().copy() for p in m.parameters()]


def test_compiled_step_on_strided_inputs_equals_eager():
    with _rng_kept():
        eager, compiled = _compiled_steps(False), _compiled_steps(True)
    assert eager[0] == compiled[0]
    for a, b in zip(eager[1], compiled[1]):
        np.testing.assert_array_equal(a, b)


# ---- size-1 dimensions with odd strides and 0-d inputs (the Numba kernels' layout checks) -----
ODD_SHAPES = [(3, 1, 4), (1,), (), (2, 1, 1, 3), (1, 5)]
ODD_CALLS = {
    "relu": lambda L, x: L.relu(x), "sigmoid": lambda L, x: L.sigmoid(x),
    "tanh": lambda L, x: L.tanh(x), "exp": lambda L, x: L.exp(x),
    "gelu": lambda L, x: L.nn.functional.gelu(x),
    "gelu_tanh": lambda L, x: L.nn.functional.gelu(x, approximate="tanh"),
    "silu": lambda L, x: L.nn.functional.silu(x),
    "softplus": lambda L, x: L.nn.functional.softplus(x, beta=2.0),
    "leaky_relu": lambda L, x: L.nn.functional.leaky_relu(x, 0.1),
    "elu": lambda L, x: L.nn.functional.elu(x), "mish": lambda L, x: L.nn.functional.mish(x),
    "log_softmax": lambda L, x: L.log_softmax(x, -1) if x.ndim else x,
    "sum": lambda L, x: x.sum(-1) if x.ndim else x.sum(), "mul_self": lambda L, x: x * x,
    "outer": lambda L, x: x.reshape(-1, 1) * x.reshape(1, -1),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_size1_dims_with_odd_strides_agree_with_torch(dtype):
    differ = {}
    for shape in ODD_SHAPES:
        a = np.random.default_rng(8).standard_normal(shape).astype(dtype)
        for name, call in ODD_CALLS.items():
            ours, theirs = (_run(lib, lambda x, L=lib, c=call: c(L, x), [a], "asstrided")
                            for lib in (ag, torch))
            if not _same(ours, theirs, 1e-7 if dtype == np.float64 else 2e-5):
                differ[(shape, name)] = (ours, theirs)
    assert differ == {}


def _out_overlap_call(lib, name, a, b, out):
    """``name``'s out= form with ``a`` (aliasing ``out`` or not) as its first input."""
    fn = getattr(lib, name)
    if name in ("cat", "stack"):
        return fn([a[:2], a[2:]] if name == "cat" else [a[0], a[1], a[2], a[3]], out=out)
    special = {
        "logit": lambda: fn(a, out=out), "clamp": lambda: fn(a, 1.0, 2.0, out=out), "lerp": lambda: fn(a, b, 0.5, out=out),
        "addcmul": lambda: fn(a, b, b, out=out), "addcdiv": lambda: fn(a, b, b, out=out),
        "where": lambda: fn(b > 2, a, b, out=out), "cumsum": lambda: fn(a, 0, out=out),
        "cumprod": lambda: fn(a, 0, out=out), "outer": lambda: fn(a[0], b[0], out=out),
        "index_select": lambda: fn(a, 0, lib.tensor([3, 1, 2, 0]), out=out),
        "gather": lambda: fn(a, 0, lib.tensor([[3, 1, 2, 0]] * 4), out=out),
    }
    if name in special:
        return special[name]()
    try:
        return fn(a, b, out=out)
    except TypeError:  # a one-input op
        return fn(a, out=out)


def test_out_overlap_rules_agree_with_torch():
    """For every op whose out= refuses an overlapping input, with a transposed input and with
    ``out`` itself as the input (slices of it for cat, stack, outer): PyTorch refuses the same
    calls (one at least), and both compute the same values for the others."""
    from autograd_core.ops.registry import _OUT_OVERLAP

    differ = {}
    ints = {"bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "gcd", "lcm"}
    for name in _OUT_OVERLAP:
        got = []
        for lib in (ag, torch):
            row = []
            for alias in ("t", "same"):
                vals = np.arange(16).reshape(4, 4) % 5 + (1 if name in ints else 1.5)
                x = lib.tensor(vals)
                b = lib.tensor(vals[::-1].copy() if name in ints else vals[::-1] + 0.25)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        _out_overlap_call(lib, name, x.t() if alias == "t" else x, b, x)
                    row.append(_numpy(x))
                except RuntimeError as e:
                    row.append("overlap" if "single memory location" in str(e) else str(e))
            got.append(row)
        refused = [[isinstance(r, str) for r in row] for row in got]
        # (the rows of a transpose are not dense: PyTorch's cat, stack and outer read them
        # while writing, their values are not compared; DIFFERENCES.md)
        if refused[0] != refused[1] or not any(refused[1]) or not all(
                isinstance(a, str) or name in ("cat", "stack", "outer") or _close(a, b, 1e-12)
                for a, b in zip(*got)):
            differ[name] = refused
    assert differ == {}


# ---- second derivatives (create_graph) through views ----------------------------------------
def _second(lib, fn, arrays, layout):
    """``d/d leaves <d loss/d leaves, w>`` with the inputs laid out as ``layout``: a list of
    arrays (None: no path), None when the layout does not apply, or the exception's name."""
    leaves, xs = [], []
    for a in arrays:
        made = LAYOUTS[layout](a)
        if made is None:
            return None
        base, view = made
        leaves.append(lib.tensor(base.astype(a.dtype), requires_grad=True))
        xs.append(view(leaves[-1]))
    try:
        out = fn(*xs)
        outs = [o for o in (out if isinstance(out, (tuple, list)) else [out])
                if hasattr(o, "requires_grad") and o.requires_grad
                and o.dtype.is_floating_point]
        if not outs:
            return None
        rng = np.random.default_rng(1)
        loss = sum((o * lib.tensor(rng.standard_normal(tuple(o.shape)))).sum() for o in outs)
        gs = lib.autograd.grad(loss, leaves, create_graph=True, allow_unused=True)
        terms = [(g * lib.tensor(np.random.default_rng(2 + k).standard_normal(tuple(g.shape))))
                 .sum() for k, g in enumerate(gs) if g is not None and g.requires_grad]
        if not terms:
            return [None] * len(leaves)
        return [None if h is None else _numpy(h)
                for h in lib.autograd.grad(sum(terms), leaves, allow_unused=True)]
    except Exception as e:
        return type(e).__name__


def _same_second(ours, theirs):
    if isinstance(ours, str) or isinstance(theirs, str):
        return isinstance(ours, str) and isinstance(theirs, str)
    for a, b in zip(ours, theirs):
        if a is None and b is None:
            continue
        if a is None or b is None:  # no path on one side: zeros (or dust) on the other
            a, b = (np.zeros_like(b), b) if a is None else (a, np.zeros_like(a))
        keep = np.isfinite(b)  # PyTorch's NaN/inf at singular points: not compared
        if not _close(a[keep], b[keep], 1e-7):
            return False
    return True


def _second_functional(layout):
    """The nn.functional calls smooth enough for second derivatives that differ from
    PyTorch's (float64 by default, so the calls' literal weights are float64)."""
    from tests.compat.test_functional_vs_torch import CALLS

    differ = set()
    before = torch.get_default_dtype(), ag.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    ag.set_default_dtype(ag.float64)
    try:
        for name, spec in CALLS.items():
            if len(spec) < 3 or spec[2]:
                rng = np.random.default_rng(0)
                arrays = [rng.standard_normal(s) for s in spec[1]]
                theirs = _second(torch, lambda *xs: spec[0]("t", *xs), arrays, layout)
                if theirs is not None and not _same_second(
                        _second(ag, lambda *xs: spec[0]("a", *xs), arrays, layout), theirs):
                    differ.add("F." + name)
    finally:
        torch.set_default_dtype(before[0])
        ag.set_default_dtype(before[1])
    return differ


@pytest.mark.parametrize("layout", ["transposed", "step_last"])
def test_second_derivatives_through_views_agree_with_torch(layout):
    differ = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sample, theirs_fn in _CASES:
            if sample.twice:
                arrays = _arrays(sample, np.float64)
                theirs = _second(torch, theirs_fn, arrays, layout)
                if theirs is not None and not _same_second(
                        _second(ag, sample.fn, arrays, layout), theirs):
                    differ.add(sample.name)
        differ |= _second_functional(layout)
    allowed = {name for (k, name) in ALLOWED if k == layout}
    assert differ - allowed == set(), f"{layout}: new differences from PyTorch"
    assert allowed & differ == allowed, f"{layout}: listed differences that are gone"
