"""Optimizers and LR schedulers across their option space, live against PyTorch 2.13.

The generic parity tests (test_generic.py, test_optim_torch_reference.py) run each algorithm
with a handful of option sets on two plain parameters. Here every optimizer ``torch.optim``
has runs over the product of
its algorithmic options (maximize, weight_decay, amsgrad, nesterov, dampening, momentum,
centered, ...), with the switches (``foreach``, ``fused``, ``lr`` as a 0-d tensor, ``betas``
as tensors) rotated through that product, on four parameters (a matrix, a vector, a 0-d and an empty one)
in float64 and float32, for 20 steps in which one parameter's grad is sometimes None and
``zero_grad(set_to_none=False)`` once leaves a zero gradient; after the run the state dicts
are compared key for key (order included), value for value. Then: two param groups with
different options, ``add_param_group`` after a few steps, a torch state dict loaded mid-run,
SparseAdam on sparse gradients, LBFGS's options; and every scheduler of
``torch.optim.lr_scheduler`` (plus ``SWALR``) for 50 steps on two groups (lr, momentum and
betas per step), a state dict round trip mid-run, ``last_epoch``, two schedulers stacked.

Tolerances: float64 trajectories agree to 1e-12 relative to their scale. float32 ones are
not bit-for-bit: ATen's CPU kernels (``add(alpha=)``, ``addcmul_``, ``addcdiv_``, ``lerp_``)
fuse a multiply and an add into one rounding (AVX2/AVX-512 ``fmadd``) where numpy and the
Numba kernels round twice, so a step differs in the last bit and 20 steps by a few ulps; only
Rprop (no multiply-adds) and SparseAdam match bit for bit, and are held to it. LBFGS is
compared in float64 only: its float32 dot products sum in another order than torch's.

Deliberate differences are the ALLOWED entries (also in autograd_core/DIFFERENCES.md).
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
import optimizers
from autograd_core import Tensor
from optimizers import lr_scheduler as OL
from optimizers import swa_utils as OSW
from tests._cpu import torch_sqrt_for_parity

torch = pytest.importorskip("torch")
TL = torch.optim.lr_scheduler

pytestmark = pytest.mark.torch_parity

#: What differs from PyTorch on purpose, and why (each is also in DIFFERENCES.md).
ALLOWED = {
    "tensor lr/betas with foreach=True": "accepted and stepped like foreach=False; PyTorch "
    "refuses them unless capturable ('lr as a Tensor is not supported for capturable=False "
    "and foreach=True'; Adamax with tensor betas fails inside _foreach_addcdiv_)",
    "ASGD foreach=True": "the single-tensor numbers; PyTorch's foreach path computes eta in "
    "float32 tensor arithmetic (about 1e-7 relative apart)",
    "group options validated": "a param group's options are checked like the constructor's "
    "(PyTorch accepts a group with nesterov=True and a nonzero dampening)",
    "Adagrad group initial_accumulator_value": "a group's own initial_accumulator_value is "
    "used (PyTorch fills every group's sum from the constructor's value)",
    "Rprop etas/step_sizes are tuples": "PyTorch keeps the caller's list in param_groups",
    "Adafactor empty parameter": "stepped (nothing to update; its RMS taken as 0); PyTorch "
    "divides 0 by 0 and raises ZeroDivisionError",
    "capturable/differentiable": "refused with NotImplementedError at construction (PyTorch on "
    "CPU fails in step: capturable needs CUDA, differentiable an in-place op on a leaf)",
    "float32 rounding": "ATen fuses multiply-adds (one rounding) where numpy rounds twice; see "
    "the module docstring",
    "tensor betas in float32": "the betas are read as Python floats, so 1 - beta1 is formed in "
    "float64 and rounded once; PyTorch computes it in the tensor's float32 (ulps apart)",
}

SHAPES = [(3, 4), (5,), (), (0,)]
N_STEPS = 20
NONE_PARAM = 1  # its grad is None at steps 1, 4, 7, ...
ZERO_STEP = 7  # zero_grad(set_to_none=False) before this step; parameter 0 keeps the zeros
TOL = {np.float64: 1e-12, np.float32: 2e-6}
#: Muon's Newton-Schulz iteration runs in bfloat16 (8 bits), and PyTorch's bfloat16 matrix
#: products sum in an order that depends on the CPU (with AMX or without): one element an
#: ulp of bfloat16 apart moves a step by ~lr * 2**-8 (0.02 * 0.004). Its trajectories are held
#: to 1e-4 of their scale, which an error in the algorithm (a coefficient, the lr adjustment,
#: nesterov) exceeds a hundredfold; its bfloat16 rounding is checked by hand in test_muon.py.
BF16_TOL = 1e-4
SCALAR_STATE = {"step", "mu_product", "eta", "mu"}  # 0-d tensors of PyTorch's dtype


#: Adafactor: a 3-d parameter (factored over its last two dimensions) for the empty one
#: (ALLOWED "Adafactor empty parameter"); Muon: matrices only (a wide, a tall one, transposed
#: for its Newton-Schulz iteration, a square and an empty one)
SHAPES_OF = {"Adafactor": [(3, 4), (5,), (), (2, 3, 4)], "Muon": [(3, 4), (5, 2), (4, 4), (0, 3)]}


def _initial(dtype, n=len(SHAPES), shapes=SHAPES):
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s).astype(dtype) for s in shapes[:n]]


def _initial_of(name, dtype, n=len(SHAPES)):
    return _initial(dtype, n, SHAPES_OF.get(name, SHAPES))


def _grad(x, k):
    return np.asarray(np.sin(3 * x + k) + 0.3 * x - 0.1).astype(x.dtype)


class Lib:
    """The same calls on either side: parameters, optimizers, tensors, values."""

    def __init__(self, ours):
        self.ours = ours
        self.optim = optimizers if ours else torch.optim

    def param(self, a):
        a = np.array(a, copy=True)
        return Tensor._wrap(a, requires_grad=True) if self.ours else torch.tensor(
            a, requires_grad=True)

    def data(self, p):
        return p._data if self.ours else p.detach().numpy()

    def set_grad(self, p, g):
        p.grad = Tensor._wrap(g) if self.ours else torch.from_numpy(g)

    def value(self, v, dtype):
        """Option values: ("T", x) is x as a 0-d tensor of the parameters' dtype."""
        if isinstance(v, tuple) and v[:1] == ("T",):
            a = np.array(v[1], dtype=dtype)
            return Tensor._wrap(a) if self.ours else torch.from_numpy(a)
        if isinstance(v, tuple):
            return tuple(self.value(x, dtype) for x in v)
        return v

    def options(self, kw, dtype):
        return {k: self.value(v, dtype) for k, v in kw.items()}


OURS, THEIRS = Lib(True), Lib(False)


def _run(lib, name, kw, dtype, groups=None, add_group=None, n=N_STEPS):
    """(trajectory, optimizer): ``groups`` is the options of a second group holding parameter
    1; ``add_group`` = (step, options) adds parameters 2 and 3 as a group at that step."""
    params = [lib.param(a) for a in _initial_of(name, dtype)]
    first = params[:2] if add_group else params
    if groups is None:
        arg = first
    else:
        arg = [{"params": [first[0], *first[2:]]},
               dict(lib.options(groups, dtype), params=[first[1]])]
    opt = getattr(lib.optim, name)(arg, **lib.options(kw, dtype))
    traj = []
    for s in range(n):
        if add_group and s == add_group[0]:
            opt.add_param_group(dict(lib.options(add_group[1], dtype), params=params[2:]))
        if s == ZERO_STEP:
            opt.zero_grad(set_to_none=False)
        for i, p in enumerate(params):
            if s == ZERO_STEP and i == 0:
                continue
            if i == NONE_PARAM and s % 3 == 1:
                p.grad = None
                continue
            lib.set_grad(p, _grad(lib.data(p).copy(), s))
        opt.step()
        traj.append([lib.data(p).copy() for p in params])
    return traj, opt


def _plain(v):
    if isinstance(v, torch.Tensor):
        return v.detach().numpy()
    if isinstance(v, Tensor):
        return v._data
    return v


def _assert_close(ours, theirs, dtype, where, exact=False):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, where
    if exact:
        np.testing.assert_array_equal(ours, theirs, err_msg=where)
        return
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    tol = BF16_TOL if where.startswith("Muon") else TOL[dtype]
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=tol * scale, err_msg=where)


def _assert_trajectories(ours, theirs, dtype, where, exact=False):
    for s, (a, b) in enumerate(zip(ours, theirs)):
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_close(x, y, dtype, f"{where}: step {s} param {i}", exact)


def _assert_state_dicts(ours, theirs, dtype, where, state_tol=None):
    """Same state indices, keys (in order) and values; same param_groups keys (in order) and
    values. ``state_tol``: a looser float32 tolerance for state that divides by small
    numbers (ALLOWED "float32 rounding")."""
    assert list(ours["state"]) == list(theirs["state"]), where
    for k, tst in theirs["state"].items():
        ost = ours["state"][k]
        assert list(ost) == list(tst), f"{where}: state {k}"
        for key, tv in tst.items():
            ov, tv = _plain(ost[key]), _plain(tv)
            w = f"{where}: state {k} {key}"
            if key in SCALAR_STATE:  # PyTorch's types: 0-d tensors of its dtype, SparseAdam's int
                if isinstance(tst[key], torch.Tensor):
                    assert isinstance(ost[key], Tensor) and ov.shape == () and \
                        ov.dtype == tv.dtype, w
                else:
                    assert type(ost[key]) is type(tst[key]), w
                assert float(ov) == pytest.approx(float(tv),
                                                  rel=1e-6 if dtype == np.float32 else 1e-12), w
            elif state_tol is not None and dtype == np.float32:
                np.testing.assert_allclose(ov, tv, rtol=state_tol, atol=state_tol, err_msg=w)
            else:
                _assert_close(ov, tv, dtype, w)
    assert len(ours["param_groups"]) == len(theirs["param_groups"]), where
    for gi, (og, tg) in enumerate(zip(ours["param_groups"], theirs["param_groups"])):
        assert list(og) == list(tg), f"{where}: group {gi}"
        for key, tv in tg.items():
            ov = og[key]
            w = f"{where}: group {gi} {key}: {ov!r} vs {tv!r}"
            if isinstance(tv, (list, tuple)) and key != "params":
                assert isinstance(ov, tuple), w  # ALLOWED "Rprop etas/step_sizes are tuples"
                assert [None if x is None else float(_plain(x)) for x in ov] == \
                    [None if x is None else float(_plain(x)) for x in tv], w
            elif isinstance(tv, torch.Tensor):
                assert isinstance(ov, Tensor) and float(_plain(ov)) == float(tv), w
            else:
                assert ov == tv and type(ov) is type(tv), w


# ---- the option grids ------------------------------------------------------------------------

def _grid(axes, rotate):
    """The product of ``axes``; each switch of ``rotate`` takes its values in turn along it."""
    keys = list(axes)
    cycles = {k: itertools.cycle(v) for k, v in rotate.items()}
    for values in itertools.product(*axes.values()):
        kw = dict(zip(keys, values))
        for k, c in cycles.items():
            v = next(c)
            if v is not None:
                kw[k] = v
        yield kw


def _lr(x):
    return {"foreach": [False, None, False, True], "lr": [x, ("T", x), x, x]}


def _lr_fused(x):  # fused=True (PyTorch's fused CPU kernels) in turn too
    return dict(_lr(x), fused=[None, None, True, None])


def _pair(a, b):  # betas as floats or as 0-d tensors
    return [(a, b), (("T", a), ("T", b))]


GRIDS = {
    "SGD": ({"momentum": [0, 0.9], "dampening": [0, 0.3], "nesterov": [False, True],
             "weight_decay": [0, 0.1], "maximize": [False, True]}, _lr_fused(0.05)),
    "Adam": ({"amsgrad": [False, True], "weight_decay": [0, 0.1], "maximize": [False, True],
              "decoupled_weight_decay": [False, True], "betas": _pair(0.8, 0.9)}, _lr_fused(0.05)),
    "AdamW": ({"amsgrad": [False, True], "weight_decay": [0, 0.1], "maximize": [False, True],
               "betas": _pair(0.7, 0.95)}, _lr_fused(0.05)),
    "Adagrad": ({"lr_decay": [0, 0.05], "weight_decay": [0, 0.1],
                 "initial_accumulator_value": [0, 0.5], "maximize": [False, True]},
                _lr_fused(0.1)),
    "RMSprop": ({"momentum": [0, 0.5], "centered": [False, True], "weight_decay": [0, 0.1],
                 "maximize": [False, True], "alpha": [0.99, 0.8]}, _lr(0.01)),
    "Adadelta": ({"rho": [0.9, 0.5], "weight_decay": [0, 0.1], "maximize": [False, True]},
                 _lr(0.5)),
    "Adamax": ({"weight_decay": [0, 0.1], "maximize": [False, True],
                "betas": _pair(0.8, 0.9)}, {"lr": [0.05, ("T", 0.05)], "foreach": [False, None]}),
    "NAdam": ({"weight_decay": [0, 0.1], "momentum_decay": [4e-3, 0.05],
               "decoupled_weight_decay": [False, True], "maximize": [False, True]}, _lr(0.05)),
    "RAdam": ({"betas": [(0.8, 0.9), (0.9, 0.999)], "weight_decay": [0, 0.1],
               "decoupled_weight_decay": [False, True], "maximize": [False, True]}, _lr(0.05)),
    "Rprop": ({"etas": [(0.5, 1.2), (0.3, 1.5)], "step_sizes": [(1e-6, 50), (1e-3, 0.08)],
               "maximize": [False, True]}, _lr(0.05)),
    "Adafactor": ({"beta2_decay": [-0.8, -0.5], "eps": [(None, 1e-3), (1e-4, 0.1)],
                   "d": [1.0, 2.0], "weight_decay": [0, 0.1], "maximize": [False, True]},
                  _lr(0.02)),
    "ASGD": ({"lambd": [1e-4, 0.1], "t0": [1e6, 5], "weight_decay": [0, 0.1],
              "maximize": [False, True]}, {"lr": [0.01, ("T", 0.01)], "foreach": [False, None]}),
    # Muon's Newton-Schulz iteration runs in bfloat16 on both sides (see optimizers/muon.py);
    # ns_steps (the iteration's length, independent of the other options) is rotated, with a
    # period of 3 so that it meets both lr forms: 36 runs a dtype, not 72 (50 s of CI's parity)
    "Muon": ({"momentum": [0.95, 0.5, 0], "nesterov": [True, False], "weight_decay": [0, 0.1],
              "adjust_lr_fn": [None, "original", "match_rms_adamw"]},
             {"lr": [0.02, ("T", 0.02)], "eps": [1e-7, 0.5], "ns_steps": [5, 5, 2]}),
}
EXACT_FLOAT32 = {"Rprop"}


def _has_tensor(kw):
    return any(isinstance(v, tuple) and ("T" in v or any(isinstance(x, tuple) for x in v))
               for v in kw.values())


def _cases(name):
    axes, rotate = GRIDS[name]
    for kw in _grid(axes, rotate):
        if name == "SGD" and kw["nesterov"] and (kw["momentum"] == 0 or kw["dampening"]):
            continue  # refused by both (test_hardening)
        if kw.get("foreach") and _has_tensor(kw):
            continue  # ALLOWED "tensor lr/betas with foreach=True": torch refuses
        yield kw


@pytest.mark.parametrize("name", sorted(GRIDS))
def test_options_match_torch(name):
    n = 0
    for kw in _cases(name):
        for dtype in (np.float64, np.float32):
            where = f"{name}({kw}) {np.dtype(dtype).name}"
            ours, opt = _run(OURS, name, kw, dtype)
            theirs, topt = _run(THEIRS, name, kw, dtype)
            exact = dtype == np.float32 and name in EXACT_FLOAT32
            _assert_trajectories(ours, theirs, dtype, where, exact)
            # the momentum buffer of centered RMSprop divides by sqrt(v - c^2): cancellation
            _assert_state_dicts(opt.state_dict(), topt.state_dict(), dtype, where,
                                state_tol=1e-4 if name == "RMSprop" else None)
            n += 1
    assert n >= 16


def test_tensor_options_with_foreach_step_as_without():
    """ALLOWED "tensor lr/betas with foreach=True": torch refuses; ours steps as foreach=False
    does, which is torch's single-tensor trajectory."""
    kw = dict(lr=("T", 0.05), betas=(("T", 0.8), ("T", 0.9)))
    with pytest.raises(ValueError, match="as a Tensor is not supported"):
        _run(THEIRS, "Adam", dict(kw, foreach=True), np.float64)
    ours, _ = _run(OURS, "Adam", dict(kw, foreach=True), np.float64)
    theirs, _ = _run(THEIRS, "Adam", dict(kw, foreach=False), np.float64)
    _assert_trajectories(ours, theirs, np.float64, "Adam tensor options foreach=True")


def test_adafactor_steps_an_empty_parameter():
    """ALLOWED "Adafactor empty parameter"."""
    for lib in (OURS, THEIRS):
        p, q = lib.param(np.zeros(0)), lib.param(np.ones((2, 3)))
        opt = lib.optim.Adafactor([p, q])
        lib.set_grad(p, np.zeros(0))
        lib.set_grad(q, np.ones((2, 3)))
        if lib.ours:
            opt.step()
            assert opt.state[p]["step"] == 1.0 and opt.state[p]["variance"].shape == (0,)
            assert list(opt.state[q]) == ["step", "row_var", "col_var"]
        else:
            with pytest.raises(ZeroDivisionError):
                opt.step()


GROUP_CASES = {
    "SGD": (dict(lr=0.05, momentum=0.9, nesterov=True),
            dict(lr=0.1, momentum=0.5, dampening=0.2, weight_decay=0.1, maximize=True)),
    "SGD-no-momentum-first": (dict(lr=0.05), dict(lr=0.1, momentum=0.5)),
    "Adam": (dict(lr=0.05), dict(lr=0.01, amsgrad=True, betas=(0.5, 0.7), weight_decay=0.1,
                                 maximize=True)),
    "AdamW": (dict(lr=0.05, amsgrad=True), dict(lr=0.01, weight_decay=0.5)),
    # ALLOWED "Adagrad group initial_accumulator_value": the group keeps the default 0
    "Adagrad": (dict(lr=0.1), dict(lr=0.05, lr_decay=0.1, weight_decay=0.1, maximize=True)),
    "RMSprop": (dict(lr=0.01), dict(lr=0.02, centered=True, momentum=0.5, alpha=0.8,
                                    maximize=True)),
    "RMSprop-centered-first": (dict(lr=0.01, centered=True, momentum=0.5), dict(lr=0.02)),
    "Adadelta": (dict(), dict(lr=0.5, rho=0.5, weight_decay=0.1)),
    "Adamax": (dict(lr=0.05), dict(lr=0.02, betas=(0.5, 0.6), weight_decay=0.1)),
    "NAdam": (dict(lr=0.05), dict(lr=0.02, momentum_decay=0.05, decoupled_weight_decay=True,
                                  weight_decay=0.1)),
    "RAdam": (dict(lr=0.05), dict(lr=0.02, betas=(0.8, 0.9), decoupled_weight_decay=True,
                                  weight_decay=0.1)),
    "Rprop": (dict(lr=0.05), dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08),
                                  maximize=True)),
    "ASGD": (dict(lr=0.01), dict(lr=0.02, lambd=0.1, t0=5, weight_decay=0.1)),
    "Adafactor": (dict(lr=0.02), dict(lr=0.01, beta2_decay=-0.5, eps=(1e-4, 0.1), d=2.0,
                                      weight_decay=0.1, maximize=True)),
    "Muon": (dict(lr=0.02), dict(lr=0.05, momentum=0.5, nesterov=False, weight_decay=0,
                                 adjust_lr_fn="match_rms_adamw", ns_steps=3)),
}


@pytest.mark.parametrize("case", sorted(GROUP_CASES))
def test_param_groups_and_add_param_group_match_torch(case):
    name = case.split("-")[0]
    kw, other = GROUP_CASES[case]
    if name == "SGD" and other.get("dampening"):
        other = dict(other, nesterov=False)  # ALLOWED "group options validated"
    for dtype in (np.float64, np.float32):
        for how in ({"groups": other}, {"add_group": (5, other)}, {"add_group": (5, {})}):
            where = f"{case} {how} {np.dtype(dtype).name}"
            ours, opt = _run(OURS, name, kw, dtype, **how)
            theirs, topt = _run(THEIRS, name, kw, dtype, **how)
            _assert_trajectories(ours, theirs, dtype, where, dtype == np.float32 and
                                 name in EXACT_FLOAT32)
            _assert_state_dicts(opt.state_dict(), topt.state_dict(), dtype, where,
                                state_tol=1e-4 if name == "RMSprop" else None)


def test_sgd_without_momentum_lists_no_state():
    """Regression: SGD without momentum keeps no state; our state dict listed every stepped
    parameter with an empty dict ({0: {}, 1: {}}), PyTorch's lists none ({})."""
    _, opt = _run(OURS, "SGD", dict(lr=0.1), np.float64, groups=dict(lr=0.2, momentum=0.9))
    _, topt = _run(THEIRS, "SGD", dict(lr=0.1), np.float64, groups=dict(lr=0.2, momentum=0.9))
    assert list(topt.state_dict()["state"]) == [3]  # the second group's parameter
    assert list(opt.state_dict()["state"]) == [3]
    plain = optimizers.SGD([OURS.param(np.ones(2))], lr=0.1)
    plain.param_groups[0]["params"][0].grad = ag.ones(2, dtype=ag.float64)
    plain.step()
    assert plain.state_dict()["state"] == {}


def test_rmsprop_state_keys_in_torchs_order():
    """Regression: centered RMSprop with momentum listed its state as step, square_avg,
    grad_avg, momentum_buffer; PyTorch's order is step, square_avg, momentum_buffer,
    grad_avg (a state dict compared or iterated key by key differed)."""
    kw = dict(lr=0.01, centered=True, momentum=0.5)
    _, opt = _run(OURS, "RMSprop", kw, np.float64)
    _, topt = _run(THEIRS, "RMSprop", kw, np.float64)
    assert list(topt.state_dict()["state"][0]) == ["step", "square_avg", "momentum_buffer",
                                                   "grad_avg"]
    assert list(opt.state_dict()["state"][0]) == list(topt.state_dict()["state"][0])


LOAD_CASES = [("SGD", dict(lr=0.05, momentum=0.9)), ("SGD", dict(lr=0.05)),
              ("Adam", dict(lr=0.05, amsgrad=True)), ("AdamW", dict(lr=0.05)),
              ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
              ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)), ("Adadelta", dict()),
              ("Adamax", dict(lr=0.05)), ("NAdam", dict(lr=0.05)), ("RAdam", dict(lr=0.05)),
              ("Rprop", dict()), ("ASGD", dict(lr=0.01, t0=3)),
              ("Adafactor", dict(lr=0.02, weight_decay=0.1)), ("Muon", dict(lr=0.02))]


@pytest.mark.parametrize("name,kw", LOAD_CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                     enumerate(LOAD_CASES)])
def test_torch_state_dict_loaded_mid_run_continues(name, kw):
    """PyTorch's state dict after 6 steps (tensors as numpy arrays, 'step' a 0-d float32
    array) loaded into ours: the next 6 steps are PyTorch's."""
    arrays = _initial_of(name, np.float64, 2)
    tps = [THEIRS.param(a) for a in arrays]
    topt = getattr(torch.optim, name)(tps, **kw)
    ops = [OURS.param(a) for a in arrays]
    opt = getattr(optimizers, name)(ops, **kw)
    for s in range(12):
        for p in tps:
            THEIRS.set_grad(p, _grad(THEIRS.data(p).copy(), s))
        topt.step()
        if s == 5:
            sd = topt.state_dict()
            opt.load_state_dict({
                "state": {k: {kk: _plain(v).copy() if isinstance(v, torch.Tensor) else v
                              for kk, v in st.items()} for k, st in sd["state"].items()},
                "param_groups": [dict(g) for g in sd["param_groups"]]})
            for p, tp in zip(ops, tps):
                p._data[...] = THEIRS.data(tp)
        elif s > 5:
            for p in ops:
                OURS.set_grad(p, _grad(p._data.copy(), s))
            opt.step()
            for p, tp in zip(ops, tps):
                _assert_close(p._data, THEIRS.data(tp), np.float64, f"{name} step {s}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_adam_matches_torch_bit_for_bit(dtype):
    """SparseAdam on nn.Embedding(sparse=True) gradients with repeated rows. On an AVX2 CPU
    PyTorch's ``sqrt`` is an ulp off in ~18% of float32 (~1.3% of float64) elements: there
    PyTorch steps on a correctly rounded ``sqrt``; on AVX-512 as written (tests/_cpu.py)."""
    import nn

    rng = np.random.default_rng(0)
    w = rng.standard_normal((10, 3)).astype(dtype)
    with torch_sqrt_for_parity(torch):
        for kw in (dict(lr=0.05), dict(lr=0.05, maximize=True, betas=(0.5, 0.7), eps=1e-3)):
            te = torch.nn.Embedding(10, 3, sparse=True).to(torch.from_numpy(w).dtype)
            with torch.no_grad():
                te.weight.copy_(torch.from_numpy(w))
            oe = nn.Embedding(10, 3, sparse=True)
            oe.weight._data = w.copy()
            topt = torch.optim.SparseAdam(te.parameters(), **kw)
            opt = optimizers.SparseAdam(oe.parameters(), **kw)
            for _ in range(20):
                idx = rng.integers(0, 10, size=6)
                c = rng.standard_normal((6, 3)).astype(dtype)
                topt.zero_grad()
                opt.zero_grad()
                (te(torch.from_numpy(idx)) * torch.from_numpy(c)).sum().backward()
                (oe(ag.tensor(idx)) * ag.tensor(c)).sum().backward()
                topt.step()
                opt.step()
                np.testing.assert_array_equal(oe.weight._data, te.weight.detach().numpy())
            _assert_state_dicts(opt.state_dict(), topt.state_dict(), dtype, str(kw))


def _lbfgs_closure(lib, opt, params, dtype):
    def closure():
        loss = 0.0
        for p in params:
            x = lib.data(p).astype(np.float64)
            loss += float(np.sum(np.cos(x) + 0.3 * x * x + 0.1 * x))
            lib.set_grad(p, np.asarray(-np.sin(x) + 0.6 * x + 0.1).astype(dtype))
        return Tensor._wrap(np.array(loss, dtype)) if lib.ours else torch.from_numpy(
            np.array(loss, dtype))
    return closure


def test_lbfgs_options_match_torch():
    """LBFGS over history_size, max_iter, line search, lr (float and 0-d tensor) and
    tolerance_change, on a 0-d and an empty parameter too: float64 only (see the docstring)."""
    axes = itertools.product([2, 5], [3, 20], [None, "strong_wolfe"], [1, 0.5, "T"],
                             [1e-9, 1e-3])
    for hs, mi, ls, lr, tc in axes:
        kw = dict(history_size=hs, max_iter=mi, line_search_fn=ls, tolerance_change=tc)
        runs = []
        for lib in (OURS, THEIRS):
            params = [lib.param(a) for a in _initial(np.float64)]
            rate = lib.value(("T", 0.5), np.float64) if lr == "T" else lr
            opt = getattr(lib.optim, "LBFGS")(params, lr=rate, **kw)
            closure = _lbfgs_closure(lib, opt, params, np.float64)
            traj = []
            for _ in range(4):
                opt.step(closure)
                traj.append([lib.data(p).copy() for p in params])
            st = opt.state[params[0]]
            runs.append((traj, st["func_evals"], st["n_iter"]))
        where = f"LBFGS {kw} lr={lr}"
        _assert_trajectories(runs[0][0], runs[1][0], np.float64, where)
        assert runs[0][1:] == runs[1][1:], where


# ---- LR schedulers ---------------------------------------------------------------------------

N_SCHED = 50
METRICS = [1.0 / (1 + 0.1 * i) if i < 15 else 0.6 + 0.01 * ((i * 7) % 5)
           for i in range(N_SCHED)]


def _sched_optimizer(lib, kind):
    p1, p2 = lib.param(np.zeros(2)), lib.param(np.zeros(3))
    if kind == "adam":
        return lib.optim.Adam([{"params": [p1]}, {"params": [p2], "lr": 0.05,
                                                  "betas": (0.8, 0.99)}], lr=0.1)
    momentum = 0.9 if kind == "sgd" else 0
    return lib.optim.SGD([{"params": [p1]}, {"params": [p2], "lr": 0.05}], lr=0.1,
                         momentum=momentum)


def _lam(e):
    return 0.95**e + 0.01 * e


def _mult(e):
    return 0.97 if e % 3 else 1.02


def _swalr(S, o, **kw):
    return (OSW if S is OL else torch.optim.swa_utils).SWALR(o, **kw)


SCHEDULES = {
    "StepLR": ("sgd", lambda S, o: S.StepLR(o, 7, gamma=0.5)),
    "MultiStepLR": ("sgd", lambda S, o: S.MultiStepLR(o, [3, 10, 10, 25], gamma=0.3)),
    "ConstantLR": ("sgd", lambda S, o: S.ConstantLR(o, factor=0.3, total_iters=8)),
    "LinearLR": ("sgd", lambda S, o: S.LinearLR(o, start_factor=0.1, end_factor=0.7,
                                                 total_iters=13)),
    "ExponentialLR": ("sgd", lambda S, o: S.ExponentialLR(o, 0.93)),
    "PolynomialLR": ("sgd", lambda S, o: S.PolynomialLR(o, total_iters=17, power=2.5)),
    "CosineAnnealingLR": ("sgd", lambda S, o: S.CosineAnnealingLR(o, T_max=9, eta_min=0.003)),
    "CosineAnnealingLR-0": ("sgd", lambda S, o: S.CosineAnnealingLR(o, T_max=13)),
    "CosineAnnealingWarmRestarts": ("sgd", lambda S, o: S.CosineAnnealingWarmRestarts(
        o, T_0=4, T_mult=2, eta_min=0.001)),
    "LambdaLR": ("sgd", lambda S, o: S.LambdaLR(o, [_lam, lambda e: 1 / (1 + e)])),
    "MultiplicativeLR": ("sgd", lambda S, o: S.MultiplicativeLR(o, _mult)),
    "ChainedScheduler": ("sgd", lambda S, o: S.ChainedScheduler([
        S.ConstantLR(o, factor=0.5, total_iters=5), S.ExponentialLR(o, 0.95),
        S.StepLR(o, 10, 0.5)])),
    "ChainedScheduler-optimizer": ("sgd", lambda S, o: S.ChainedScheduler(
        [S.LinearLR(o, 0.2, total_iters=6), S.CosineAnnealingLR(o, 20)], optimizer=o)),
    "SequentialLR": ("sgd", lambda S, o: S.SequentialLR(o, [
        S.LinearLR(o, 0.1, total_iters=5), S.CosineAnnealingLR(o, 15, 0.001),
        S.ExponentialLR(o, 0.9)], milestones=[5, 20])),
    "SequentialLR-multistep": ("sgd", lambda S, o: S.SequentialLR(o, [
        S.ConstantLR(o, 0.1, total_iters=4), S.MultiStepLR(o, [3, 8], 0.5)], milestones=[6])),
    "CyclicLR-triangular": ("sgd", lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=5)),
    "CyclicLR-triangular2": ("sgd", lambda S, o: S.CyclicLR(
        o, [0.01, 0.002], [0.1, 0.2], step_size_up=3, step_size_down=4, mode="triangular2",
        base_momentum=[0.7, 0.75], max_momentum=0.95)),
    "CyclicLR-exp_range": ("sgd", lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                                          mode="exp_range", gamma=0.97)),
    "CyclicLR-scale_fn": ("sgd", lambda S, o: S.CyclicLR(
        o, 0.01, 0.1, step_size_up=4, scale_fn=lambda x: 1 / (1 + x),
        scale_mode="iterations")),
    "CyclicLR-adam-betas": ("adam", lambda S, o: S.CyclicLR(
        o, 0.01, 0.1, step_size_up=4, base_momentum=0.8, max_momentum=0.9)),
    "CyclicLR-no-momentum": ("sgd0", lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                                             cycle_momentum=False)),
    "OneCycleLR-cos": ("sgd", lambda S, o: S.OneCycleLR(o, max_lr=[0.5, 0.3],
                                                        total_steps=N_SCHED)),
    "OneCycleLR-linear-adam": ("adam", lambda S, o: S.OneCycleLR(
        o, max_lr=0.4, epochs=5, steps_per_epoch=10, anneal_strategy="linear", pct_start=0.2,
        div_factor=5.0, final_div_factor=50.0)),
    "OneCycleLR-three-phase": ("sgd", lambda S, o: S.OneCycleLR(
        o, max_lr=0.5, total_steps=N_SCHED, three_phase=True, base_momentum=0.8,
        max_momentum=0.97)),
    "OneCycleLR-no-momentum": ("adam", lambda S, o: S.OneCycleLR(
        o, max_lr=0.5, total_steps=N_SCHED, cycle_momentum=False, three_phase=True,
        anneal_strategy="linear")),
    "ReduceLROnPlateau": ("sgd", lambda S, o: S.ReduceLROnPlateau(o, factor=0.5, patience=2)),
    "ReduceLROnPlateau-min-abs": ("sgd", lambda S, o: S.ReduceLROnPlateau(
        o, factor=0.5, patience=1, threshold=0.02, threshold_mode="abs", cooldown=2,
        min_lr=[0.01, 0.004], eps=1e-4)),
    "ReduceLROnPlateau-max-rel": ("sgd", lambda S, o: S.ReduceLROnPlateau(
        o, mode="max", factor=0.7, patience=3, threshold=0.1, cooldown=1, min_lr=0.02)),
    "ReduceLROnPlateau-max-abs": ("sgd", lambda S, o: S.ReduceLROnPlateau(
        o, mode="max", factor=0.3, patience=0, threshold=0.05, threshold_mode="abs")),
    "SWALR-cos": ("sgd", lambda S, o: _swalr(S, o, swa_lr=[0.02, 0.01], anneal_epochs=7)),
    "SWALR-linear": ("sgd", lambda S, o: _swalr(S, o, swa_lr=0.03, anneal_epochs=4,
                                                anneal_strategy="linear")),
    "stacked-StepLR-ExponentialLR": ("sgd", lambda S, o: [S.StepLR(o, 5, 0.5),
                                                          S.ExponentialLR(o, 0.95)]),
    "stacked-LinearLR-MultiplicativeLR": ("sgd", lambda S, o: [
        S.LinearLR(o, 0.5, total_iters=10), S.MultiplicativeLR(o, _mult)]),
}


def _momentum(group):
    return float(group["betas"][0]) if "betas" in group else float(group["momentum"])


def _schedule(lib, case, round_trip_at=None, epochs=None):
    """Per step: get_last_lr() of the last scheduler, each group's lr and momentum (beta1).
    ``round_trip_at``: at that step a new optimizer and schedulers are built and given the
    state dicts of the old ones. ``epochs``: passed to ``step(epoch)``."""
    S = OL if lib.ours else TL
    kind, make = SCHEDULES[case]

    def build():
        opt = _sched_optimizer(lib, kind)
        made = make(S, opt)
        return opt, made if isinstance(made, list) else [made]

    opt, scheds = build()
    out = []
    for i in range(N_SCHED):
        if i == round_trip_at:
            saved, saved_scheds = opt.state_dict(), [s.state_dict() for s in scheds]
            opt, scheds = build()
            opt.load_state_dict(saved)
            for s, sd in zip(scheds, saved_scheds):
                s.load_state_dict(sd)
        opt.step()
        for s in scheds:
            if case.startswith("ReduceLROnPlateau"):
                s.step(METRICS[i])
            elif epochs is not None:
                s.step(epochs[i])
            else:
                s.step()
        out.append([*map(float, scheds[-1].get_last_lr()),
                    *(float(g["lr"]) for g in opt.param_groups),
                    *(_momentum(g) for g in opt.param_groups)])
    return np.array(out)


def _assert_schedules(ours, theirs, where):
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15, err_msg=where)


@pytest.mark.parametrize("case", sorted(SCHEDULES))
def test_scheduler_matches_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the schedulers' own deprecation warnings
        theirs = _schedule(THEIRS, case)
        _assert_schedules(_schedule(OURS, case), theirs, case)
        # ours -> ours round trip mid-run continues as the uninterrupted run
        _assert_schedules(_schedule(OURS, case, round_trip_at=20), theirs, case + " round trip")


def _torch_to_plain(v):
    if isinstance(v, torch.Tensor):
        return v.detach().numpy().copy()
    if isinstance(v, dict):
        return {k: _torch_to_plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_torch_to_plain(x) for x in v]
    return v


@pytest.mark.parametrize("case", sorted(SCHEDULES))
def test_torch_scheduler_state_dict_loaded_mid_run_continues(case):
    """PyTorch's scheduler state dicts (and optimizer param_groups) after 10 steps loaded into
    ours: the next 20 steps are PyTorch's; the state dicts hold the same keys and values.
    Regression: OneCycleLR kept its phases as tuples where PyTorch's state dict holds dicts, so
    loading PyTorch's failed at the next step (TypeError); CyclicLR's held step_size_up/down
    where PyTorch's holds _scale_fn_custom."""
    kind, make = SCHEDULES[case]
    topt, opt = _sched_optimizer(THEIRS, kind), _sched_optimizer(OURS, kind)
    tms, oms = make(TL, topt), make(OL, opt)
    tms, oms = (x if isinstance(x, list) else [x] for x in (tms, oms))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(30):
            if i == 10:
                opt.load_state_dict({"state": {}, "param_groups": [
                    dict(g) for g in topt.state_dict()["param_groups"]]})
                for s, ts in zip(oms, tms):
                    s.load_state_dict(_torch_to_plain(ts.state_dict()))
            for o, ms in ((topt, tms), (opt, oms)):
                if o is opt and i < 10:
                    continue
                o.step()
                for s in ms:
                    s.step(METRICS[i]) if case.startswith("ReduceLROnPlateau") else s.step()
            if i >= 10:
                _assert_schedules(
                    [*map(float, oms[-1].get_last_lr()), *(g["lr"] for g in opt.param_groups),
                     *map(_momentum, opt.param_groups)],
                    [*map(float, tms[-1].get_last_lr()), *(g["lr"] for g in topt.param_groups),
                     *map(_momentum, topt.param_groups)], f"{case} step {i}")
    for s, ts in zip(oms, tms):
        ours, theirs = s.state_dict(), _torch_to_plain(ts.state_dict())
        assert list(ours) == list(theirs), case
        for k in theirs:  # (the nested schedulers' are compared by their own cases)
            if k != "_schedulers":
                assert repr(ours[k]) == repr(theirs[k]), (case, k)


@pytest.mark.parametrize("case", sorted(c for c in SCHEDULES if SCHEDULES[c][0] != "sgd0"))
def test_schedulers_fill_a_tensor_lr_in_place(case):
    """``lr`` given as 0-d tensors: every scheduler fills them in place (the group keeps the
    same tensor) and ``get_last_lr()`` gives copies, with PyTorch's values. Regression: ours
    replaced the tensor, by a new tensor (StepLR, ...) or a float (CyclicLR, OneCycleLR,
    ReduceLROnPlateau, SWALR)."""
    kind, make = SCHEDULES[case]
    runs = []
    for lib in (OURS, THEIRS):
        S = OL if lib.ours else TL
        opt = _sched_optimizer(lib, kind)
        for g in opt.param_groups:
            g["lr"] = lib.value(("T", g["lr"]), np.float64)
        lrs = [g["lr"] for g in opt.param_groups]
        made = make(S, opt)
        scheds = made if isinstance(made, list) else [made]
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(30):
                opt.step()
                for s in scheds:
                    s.step(METRICS[i]) if case.startswith("ReduceLROnPlateau") else s.step()
                assert all(g["lr"] is lr for g, lr in zip(opt.param_groups, lrs)), case
                last = scheds[-1].get_last_lr()
                assert all(type(x) is type(lrs[0]) and x is not lr for x, lr in zip(last, lrs))
                out.append([*map(float, last), *(float(g["lr"]) for g in opt.param_groups)])
        runs.append(np.array(out))
    _assert_schedules(runs[0], runs[1], case)


@pytest.mark.parametrize("case", sorted(c for c in SCHEDULES if not c.startswith(
    ("ReduceLROnPlateau", "stacked", "Chained", "Sequential"))))
def test_get_lr_outside_step_warns_as_torch(case):
    """Regression: PyTorch's schedulers warn when ``get_lr()`` is called other than by
    ``step()`` (its value is the next step's recursive formula, not the current rate); ours
    returned the same values silently."""
    kind, make = SCHEDULES[case]
    for lib in (OURS, THEIRS):
        S = OL if lib.ours else TL
        opt = _sched_optimizer(lib, kind)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched = make(S, opt)
            for _ in range(3):
                opt.step()
                sched.step()
        assert not [w for w in caught if "get_last_lr" in str(w.message)], case
        with pytest.warns(UserWarning, match=r"To get the last learning rate computed by the "
                                             r"scheduler, please use `get_last_lr\(\)`\."):
            sched.get_lr()
        assert sched.state_dict()["_get_lr_called_within_step"] is False


class _Scale:
    """A callable-object scale_fn with state of its own."""

    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return 1 / (1 + self.k * x)


def test_cyclic_lr_saves_a_callable_scale_fn_state_as_torch():
    """Regression: PyTorch's CyclicLR state dict holds a callable-object scale_fn's attributes
    (``_scale_fn_custom``) and loading restores them; ours dropped them, so a resumed run
    scaled with the new object's own values."""
    runs = []
    for lib in (OURS, THEIRS):
        S = OL if lib.ours else TL
        opt = _sched_optimizer(lib, "sgd")
        sched = S.CyclicLR(opt, 0.01, 0.1, step_size_up=3, scale_fn=_Scale(0.1))
        for _ in range(5):
            opt.step()
            sched.step()
        sched._scale_fn_custom.k = 0.7  # the object's state changed during training
        saved = sched.state_dict()
        assert saved["_scale_fn_custom"] == {"k": 0.7} and list(saved)[-1] == "_scale_fn_custom"
        opt2 = _sched_optimizer(lib, "sgd")
        opt2.load_state_dict(opt.state_dict())
        again = S.CyclicLR(opt2, 0.01, 0.1, step_size_up=3, scale_fn=_Scale(0.1))
        again.load_state_dict(_torch_to_plain(saved) if not lib.ours else saved)
        assert again._scale_fn_custom.k == 0.7
        out = []
        for _ in range(10):
            opt2.step()
            again.step()
            out.append(again.get_last_lr())
        runs.append(np.array(out, dtype=float))
    _assert_schedules(runs[0], runs[1], "CyclicLR scale_fn object")


@pytest.mark.parametrize("optimizer_first", [True, False])
def test_scheduler_stepped_before_the_optimizer_warns_as_torch(optimizer_first):
    """Regression: PyTorch warns when the first ``scheduler.step()`` comes before any
    ``optimizer.step()`` (the first rate of the schedule is then skipped); ours was silent."""
    caught = []
    for lib in (OURS, THEIRS):
        S = OL if lib.ours else TL
        for kind, make in (("sgd", lambda o: S.StepLR(o, 2)),
                           ("adam", lambda o: S.OneCycleLR(o, 0.5, total_steps=10))):
            opt = _sched_optimizer(lib, kind)
            sched = make(opt)
            with warnings.catch_warnings(record=True) as got:
                warnings.simplefilter("always")
                if optimizer_first:
                    opt.step()
                sched.step()
                opt.step()
                sched.step()
            caught.append([str(w.message) for w in got])
    assert caught[:2] == caught[2:]
    if optimizer_first:
        assert caught[0] == []
    else:
        assert len(caught[0]) == 1 and caught[0][0].startswith(
            "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0")


def test_one_cycle_loads_its_old_tuple_phases():
    """A OneCycleLR state dict saved by tapegrad before its phases became PyTorch's dicts."""
    opt = _sched_optimizer(OURS, "sgd")
    sched = OL.OneCycleLR(opt, max_lr=0.5, total_steps=N_SCHED)
    for _ in range(5):
        opt.step()
        sched.step()
    saved = sched.state_dict()
    saved["_schedule_phases"] = [tuple(p.values()) for p in saved["_schedule_phases"]]
    opt2 = _sched_optimizer(OURS, "sgd")
    opt2.load_state_dict(opt.state_dict())
    again = OL.OneCycleLR(opt2, max_lr=0.5, total_steps=N_SCHED)
    again.load_state_dict(saved)
    for _ in range(10):
        for o, s in ((opt, sched), (opt2, again)):
            o.step()
            s.step()
        assert again.get_last_lr() == sched.get_last_lr()


def test_cosine_warm_restarts_fractional_epochs_match_torch():
    epochs = [0.37 * i for i in range(N_SCHED)]
    _assert_schedules(_schedule(OURS, "CosineAnnealingWarmRestarts", epochs=epochs),
                      _schedule(THEIRS, "CosineAnnealingWarmRestarts", epochs=epochs),
                      "fractional epochs")


RESUMABLE = [c for c in sorted(SCHEDULES) if not c.startswith(
    ("ReduceLROnPlateau", "SWALR", "stacked", "Chained", "Sequential"))]


class _LastEpoch:
    """The scheduler module with ``last_epoch`` given to every scheduler it makes."""

    def __init__(self, module, last_epoch):
        self.module, self.last_epoch = module, last_epoch

    def __getattr__(self, name):
        return functools.partial(getattr(self.module, name), last_epoch=self.last_epoch)


@pytest.mark.parametrize("case", RESUMABLE)
def test_scheduler_last_epoch_matches_torch(case):
    """Built with ``last_epoch=7`` on groups that carry ``initial_lr`` (and OneCycleLR's
    ``max_lr``/``min_lr``/momenta), as when resuming: the next 20 steps are PyTorch's."""
    rows = []
    for lib in (OURS, THEIRS):
        S = OL if lib.ours else TL
        kind, make = SCHEDULES[case]
        opt = _sched_optimizer(lib, kind)
        for g in opt.param_groups:
            g.update(initial_lr=g["lr"], max_lr=0.3, min_lr=0.001, max_momentum=0.95,
                     base_momentum=0.85)
        sched = make(_LastEpoch(S, 7), opt)
        out = []
        for _ in range(20):
            opt.step()
            sched.step()
            out.append([*map(float, sched.get_last_lr()),
                        *(float(g["lr"]) for g in opt.param_groups),
                        *(_momentum(g) for g in opt.param_groups)])
        rows.append(np.array(out))
    assert not math.isnan(rows[1].sum())
    _assert_schedules(rows[0], rows[1], case)
