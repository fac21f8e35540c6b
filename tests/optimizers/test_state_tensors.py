"""``optimizer.state`` holds Tensors, as PyTorch's: ``step`` a 0-d float32 tensor (an int in
SparseAdam and LBFGS's counters), the buffers tensors of the parameter's shape sharing memory
with what the kernels update, so a user's in-place edit or replacement of an entry is seen by
the next step; ``state_dict()`` gives and ``load_state_dict()`` takes such tensors (and the
numbers and numpy arrays of checkpoints saved before)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers
from autograd_core import Tensor

SHAPE = (3, 4)

#: (name, constructor arguments): every torch.optim algorithm taking dense gradients
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.1)),
    ("Adam", dict(lr=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.1)),
    ("Adamax", dict(lr=0.1)),
    ("NAdam", dict(lr=0.1)),
    ("RAdam", dict(lr=0.1)),
    ("ASGD", dict(lr=0.1, t0=1)),
    ("Adadelta", dict(lr=0.5)),
    ("Adagrad", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Rprop", dict(lr=0.01)),
    ("Adafactor", dict(lr=0.01)),
    ("Muon", dict(lr=0.01)),
    ("LBFGS", dict(lr=0.5, history_size=3, max_iter=4)),
]
IDS = [f"{n}-{'-'.join(map(str, kw.values()))}" for n, kw in CASES]


def _initial():
    return np.random.default_rng(3).standard_normal(SHAPE).astype(np.float32)


def _grad(x, i):
    return (np.sin(3 * x + i) + 0.3 * x).astype(np.float32)


def _weights():
    return np.linspace(0.5, 2.0, int(np.prod(SHAPE))).reshape(SHAPE).astype(np.float32)


def _run(lib, name, kwargs, n, p=None, opt=None):
    """``n`` steps of ``lib``'s ``name`` on one float32 parameter (LBFGS on a weighted
    quadratic through a closure, the others on a fixed gradient field)."""
    if p is None:
        p = lib.tensor(_initial(), requires_grad=True)
    if opt is None:
        mod = optimizers if lib is ag else lib.optim
        opt = getattr(mod, name)([p], **kwargs)
    weights = lib.tensor(_weights())
    for i in range(n):
        if name == "LBFGS":
            def closure():
                opt.zero_grad()
                loss = (p * p * weights).sum()
                loss.backward()
                return loss
            opt.step(closure)
        else:
            p.grad = lib.tensor(_grad(p.detach().numpy(), i))
            opt.step()
    return p, opt


def _check_value(ours, theirs, torch, where):
    if isinstance(theirs, torch.Tensor):
        assert type(ours) is Tensor, where
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], where
        assert tuple(ours.shape) == tuple(theirs.shape), where
        # float32 sums in another order (LBFGS's dot products): a few ulps
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=where)
    elif isinstance(theirs, list):
        assert type(ours) is list and len(ours) == len(theirs), where
        for k, (a, b) in enumerate(zip(ours, theirs)):
            _check_value(a, b, torch, f"{where}[{k}]")
    else:
        assert type(ours) is type(theirs), (where, type(ours), type(theirs))
        if isinstance(theirs, float):
            assert ours == pytest.approx(theirs, rel=1e-5), where
        else:
            assert ours == theirs, where


def _check_state(ours, theirs, torch, where):
    assert list(ours) == list(theirs) or sorted(ours) == sorted(theirs), (where, list(ours),
                                                                          list(theirs))
    for key in theirs:
        _check_value(ours[key], theirs[key], torch, f"{where}[{key!r}]")


@pytest.mark.torch_parity
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_state_and_state_dict_are_torchs(name, kwargs):
    """After 0, 1 and 3 steps: ``opt.state[p]`` and ``state_dict()['state']`` have PyTorch's
    keys, types (Tensors, ints, floats, lists), dtypes, shapes and values."""
    torch = pytest.importorskip("torch")
    for n in (0, 1, 3):
        p, opt = _run(ag, name, kwargs, n)
        tp, topt = _run(torch, name, kwargs, n)
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
        tstate = topt.state.get(tp, {})
        _check_state(opt.state.get(p, {}), tstate, torch, f"{name} after {n}: state")
        ours, theirs = opt.state_dict()["state"], topt.state_dict()["state"]
        assert list(ours) == list(theirs)
        for idx in theirs:
            _check_state(ours[idx], theirs[idx], torch, f"{name} after {n}: state_dict")


@pytest.mark.torch_parity
def test_sparse_adam_state_is_torchs():
    """SparseAdam keeps ``step`` as a Python int (PyTorch's), the moments as dense Tensors."""
    torch = pytest.importorskip("torch")
    rows = np.array([[0, 2, 0]])
    values = np.array([1.0, -2.0, 3.0], np.float32)
    start = _initial()[0]

    p = ag.tensor(start, requires_grad=True)
    opt = optimizers.SparseAdam([p], lr=0.1)
    tp = torch.tensor(start, requires_grad=True)
    topt = torch.optim.SparseAdam([tp], lr=0.1)
    for _ in range(2):
        p.grad = ag.sparse_coo_tensor(ag.tensor(rows), ag.tensor(values), start.shape)
        tp.grad = torch.sparse_coo_tensor(torch.tensor(rows), torch.tensor(values), start.shape,
                                          check_invariants=True)
        opt.step()
        topt.step()
    _check_state(opt.state[p], topt.state[tp], torch, "SparseAdam")
    _check_state(opt.state_dict()["state"][0], topt.state_dict()["state"][0], torch,
                 "SparseAdam state_dict")


ADAM_LIKE = [c for c in CASES if c[0] not in ("SGD", "LBFGS", "Adafactor", "Muon")] + \
    [("SGD", dict(lr=0.1, momentum=0.9))]


def _edit(lib, opt, p):
    """The edits a user makes between steps: a buffer scaled in place, another replaced by
    a new tensor, the scalar ``step`` set in place."""
    st = opt.state[p]
    names = [k for k, v in st.items() if tuple(v.shape) == SHAPE]
    st[names[0]].mul_(0.5)
    if len(names) > 1:
        st[names[1]] = lib.full(SHAPE, 0.25)
    if "step" in st:
        st["step"].fill_(1.0)


@pytest.mark.torch_parity
@pytest.mark.parametrize(("name", "kwargs"), ADAM_LIKE, ids=[c[0] for c in ADAM_LIKE])
def test_user_edits_of_the_state_are_seen_by_the_next_step(name, kwargs):
    torch = pytest.importorskip("torch")
    p, opt = _run(ag, name, kwargs, 3)
    tp, topt = _run(torch, name, kwargs, 3)
    _edit(ag, opt, p)
    _edit(torch, topt, tp)
    _run(ag, name, kwargs, 3, p, opt)
    _run(torch, name, kwargs, 3, tp, topt)
    np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-6)
    _check_state(opt.state[p], topt.state[tp], torch, name)


def test_state_tensors_share_the_kernels_memory():
    """A reference taken from the state follows the steps (no copy per step), as PyTorch's."""
    p, opt = _run(ag, "Adam", dict(lr=0.1), 1)
    st = opt.state[p]
    step, exp_avg = st["step"], st["exp_avg"]
    before = exp_avg.numpy().copy()
    _run(ag, "Adam", dict(lr=0.1), 2, p, opt)
    assert st["step"] is step and step.item() == 3.0
    assert st["exp_avg"] is exp_avg and not np.array_equal(exp_avg.numpy(), before)


def test_a_replaced_entry_of_another_shape_fails_loudly():
    p, opt = _run(ag, "Adam", dict(lr=0.1), 2)
    opt.state[p]["exp_avg"] = ag.zeros(4, 3)
    before = p.detach().numpy().copy()
    with pytest.raises(RuntimeError, match="exp_avg"):
        _run(ag, "Adam", dict(lr=0.1), 1, p, opt)
    np.testing.assert_array_equal(p.detach().numpy(), before)


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_checkpoints_round_trip(name, kwargs, tmp_path):
    """``ag.save(opt.state_dict())``, ``ag.load``, ``load_state_dict``: the run goes on bit for
    bit, and the loaded state is Tensors again."""
    p, opt = _run(ag, name, kwargs, 2)
    ag.save(opt.state_dict(), tmp_path / "opt.npz")
    q = ag.tensor(p.detach().numpy(), requires_grad=True)
    opt2 = type(opt)([q], **kwargs)
    opt2.load_state_dict(ag.load(tmp_path / "opt.npz"))
    for key, value in opt.state[p].items():
        assert type(opt2.state[q][key]) is type(value), key
    _run(ag, name, kwargs, 2, p, opt)
    _run(ag, name, kwargs, 2, q, opt2)
    np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def _legacy(value):
    """A state value as checkpoints saved before the state held Tensors kept it."""
    if isinstance(value, Tensor):
        return value.numpy().copy() if value.ndim else float(value.item())
    if isinstance(value, list):
        return [_legacy(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_checkpoints_with_numpy_and_float_state_still_load(name, kwargs):
    p, opt = _run(ag, name, kwargs, 2)
    saved = opt.state_dict()
    old = dict(saved, state={i: {k: _legacy(v) for k, v in st.items()}
                             for i, st in saved["state"].items()})
    q = ag.tensor(p.detach().numpy(), requires_grad=True)
    opt2 = type(opt)([q], **kwargs)
    opt2.load_state_dict(old)
    for key, value in opt.state[p].items():
        assert type(opt2.state[q][key]) is type(value), key
    _run(ag, name, kwargs, 2, p, opt)
    _run(ag, name, kwargs, 2, q, opt2)
    np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


@pytest.mark.torch_parity
@pytest.mark.parametrize(("name", "kwargs"), ADAM_LIKE, ids=[c[0] for c in ADAM_LIKE])
def test_a_torch_state_dict_loads(name, kwargs):
    """PyTorch's own ``state_dict()`` (torch tensors) loads, and the run goes on as
    PyTorch's."""
    torch = pytest.importorskip("torch")
    tp, topt = _run(torch, name, kwargs, 2)
    p = ag.tensor(tp.detach().numpy(), requires_grad=True)
    opt = getattr(optimizers, name)([p], **kwargs)
    opt.load_state_dict(topt.state_dict())
    _run(ag, name, kwargs, 2, p, opt)
    _run(torch, name, kwargs, 2, tp, topt)
    np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_state_tensors_flatten_into_safetensors(tmp_path):
    """Every state entry is a numeric tensor now (``step`` included), so a flat
    ``{"state.0.exp_avg": ...}`` dict of it saves as safetensors and loads back."""
    pytest.importorskip("safetensors")
    p, opt = _run(ag, "Adam", dict(lr=0.1), 2)
    flat = {f"state.{i}.{k}": v for i, st in opt.state_dict()["state"].items()
            for k, v in st.items()}
    nn.save(flat, tmp_path / "opt.safetensors", format="safetensors")
    back = nn.load(tmp_path / "opt.safetensors")
    assert back["state.0.step"].item() == 2.0 and back["state.0.step"].shape == ()
    np.testing.assert_array_equal(back["state.0.exp_avg"].numpy(),
                                  opt.state[p]["exp_avg"].numpy())


def test_state_bytes_counts_the_state_tensors():
    p, opt = _run(ag, "Adam", dict(lr=0.1), 1)
    assert opt.state_bytes() == 2 * p.detach().numpy().nbytes


@pytest.mark.torch_parity
@pytest.mark.parametrize("edit", ["fill", "replace", "number"])
def test_one_parameters_step_edited_in_a_group(edit):
    """A group's step tensors are advanced together by the step plan; an edit of one
    parameter's ``step`` (in place, a new tensor, a number) is seen by the next step, as
    PyTorch's, and the others go on from theirs."""
    torch = pytest.importorskip("torch")
    shapes = [(3, 4), (4,), (2, 2)]
    starts = [np.random.default_rng(i).standard_normal(s).astype(np.float32)
              for i, s in enumerate(shapes)]
    runs = []
    for lib in (ag, torch):
        params = [lib.tensor(a, requires_grad=True) for a in starts]
        opt = (optimizers.Adam if lib is ag else torch.optim.Adam)(params, lr=0.1)
        for k in range(6):
            if k == 3:
                st = opt.state[params[1]]
                if edit == "fill":
                    st["step"].fill_(1.0)
                elif edit == "replace":
                    st["step"] = lib.tensor(1.0)
                elif lib is ag:  # PyTorch's Adam needs a tensor
                    st["step"] = 1
                else:
                    st["step"] = torch.tensor(1.0)
            for i, p in enumerate(params):
                p.grad = lib.tensor(_grad(p.detach().numpy(), k + i))
            opt.step()
        runs.append(([p.detach().numpy().copy() for p in params],
                     [opt.state[p]["step"].item() for p in params]))
    (ours, our_steps), (theirs, their_steps) = runs
    assert our_steps == their_steps == [6.0, 4.0, 6.0]  # set to 1, then 3 more steps
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
