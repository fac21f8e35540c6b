"""Regressions found by fuzz29, differential fuzzing of optimizers and LR schedulers against
PyTorch 2.13 (random training loops with param groups, state-dict and checkpoint round trips,
schedulers, hooks, clipping and SWA, compared after every step)."""

import io
import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers
from optimizers import lr_scheduler as OL


def _param(values=(1.0, -2.0, 0.5)):
    return ag.tensor(np.array(values), requires_grad=True)


def _decayed_to_below_zero(opt):
    """LinearLR(start_factor=1/3, end_factor=0) over 4 steps ends a rounding error below 0:
    -1e-1 * 1.85e-17 (the same float arithmetic as PyTorch's)."""
    sched = OL.LinearLR(opt, start_factor=1 / 3, end_factor=0.0, total_iters=4)
    with warnings.catch_warnings():  # no optimizer step before: only the lr matters here
        warnings.filterwarnings("ignore", "Detected call of `lr_scheduler.step")
        for _ in range(4):
            sched.step()
    return sched


@pytest.mark.parametrize("name", ["ASGD", "SGD", "Adam", "SparseAdam"])
def test_checkpoint_of_a_zero_or_decayed_lr_loads(name):
    """A state dict whose lr a scheduler took to a rounding error below 0, or that the user
    set to 0 to freeze a group, was refused by load_state_dict ("Invalid learning rate"), so a
    checkpoint saved then could not be resumed; PyTorch loads it (it checks lr only in the
    constructor and add_param_group)."""
    opt = getattr(optimizers, name)([_param()], lr=0.1)
    _decayed_to_below_zero(opt)
    lr = opt.param_groups[0]["lr"]
    assert -1e-17 < lr < 0
    buf = io.BytesIO()
    ag.save(opt.state_dict(), buf)
    buf.seek(0)
    fresh = getattr(optimizers, name)([_param()], lr=0.1)
    fresh.load_state_dict(ag.load(buf))
    assert fresh.param_groups[0]["lr"] == lr
    opt.param_groups[0]["lr"] = 0.0
    fresh.load_state_dict(opt.state_dict())
    assert fresh.param_groups[0]["lr"] == 0.0
    with pytest.raises(ValueError, match="Invalid learning rate"):  # the constructor checks
        getattr(optimizers, name)([_param()], lr=-1.0)


def test_lbfgs_steps_with_an_lr_decayed_below_zero():
    """LBFGS checked its group, lr included, at every step: LinearLR decaying to 0 (a rounding
    error below it) made the next step raise; PyTorch steps (by -1.85e-18 times the
    direction: nothing moves)."""
    p = _param()
    opt = optimizers.LBFGS([p], lr=0.1, max_iter=1)
    _decayed_to_below_zero(opt)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    before = p.detach().numpy().copy()
    assert float(opt.step(closure).detach()) == pytest.approx(5.25)
    np.testing.assert_allclose(p.detach().numpy(), before, rtol=1e-15)


def test_warm_restarts_refuses_a_group_added_after_it():
    """CosineAnnealingWarmRestarts set the lr of the groups it was made with and silently left
    a group added later at its own lr; PyTorch (zip(strict=True)) raises ValueError, as the
    other schedulers here do. Nothing is set when it raises."""
    opt = optimizers.SGD([_param()], lr=0.1)
    sched = OL.CosineAnnealingWarmRestarts(opt, T_0=4)
    sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05 * (1 + math.cos(math.pi / 4)))
    opt.add_param_group({"params": [_param()], "lr": 0.5})
    before = [g["lr"] for g in opt.param_groups]
    for epoch in (None, 2.5):
        with pytest.raises(ValueError, match="different number of learning rates"):
            sched.step(epoch)
    assert [g["lr"] for g in opt.param_groups] == before


def test_reduce_lr_on_plateau_group_count_wording():
    """The error for a group added after ReduceLROnPlateau(min_lr=[...]) says PyTorch's words
    (with both counts)."""
    opt = optimizers.SGD([_param()], lr=0.1)
    sched = OL.ReduceLROnPlateau(opt, patience=0, min_lr=[0.0])
    opt.add_param_group({"params": [_param()]})
    sched.step(1.0)
    with pytest.raises(RuntimeError) as info:
        sched.step(2.0)
    assert str(info.value) == (
        "The number of param groups in the `optimizer` (2) differs from when "
        "`ReduceLROnPlateau` was initialized (1), usually due to a new param group being "
        "added to the optimizer. Please modify the `min_lrs` field to match the length of the "
        "`optimizer` param groups.")


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_refuses_a_complex_parameter(name):
    """fused=True stepped a complex parameter (as its real view) where PyTorch's step raises
    RuntimeError (its fused kernels take floating point parameters only); nothing is written
    when it raises. A complex parameter without a gradient is not looked at (as PyTorch's)."""
    real, cplx = _param(), ag.tensor(np.array([1 + 2j, -1j]), requires_grad=True)
    opt = getattr(optimizers, name)([real, cplx], lr=0.1, fused=True)
    real.grad = ag.ones_like(real)
    opt.step()
    cplx.grad = ag.ones_like(cplx)
    before = real.detach().numpy().copy(), cplx.detach().numpy().copy()
    with pytest.raises(RuntimeError, match=r"^`fused=True` requires all the params to be "
                       r"floating point Tensors .* but autograd_core.complex128 and cpu$"):
        opt.step()
    np.testing.assert_array_equal(real.detach().numpy(), before[0])
    np.testing.assert_array_equal(cplx.detach().numpy(), before[1])


@pytest.mark.torch_parity
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("max_iter", [1, 3])
def test_lbfgs_step_length_is_kept_as_pytorch_keeps_it(line_search_fn, max_iter):
    """LBFGS's state ``t`` (the last step length) was a numpy scalar in state and state_dict()
    where PyTorch's is a 0-d tensor of the parameters' dtype (computed from the gradient), or
    a Python float (``lr`` itself); now the same type, dtype and value, also after loading."""
    torch = pytest.importorskip("torch")
    start = np.array([1.5, -2.0, 0.7], dtype=np.float32)
    got = []
    for lib in (ag, torch):
        p = lib.tensor(start.copy(), requires_grad=True)
        opt = (optimizers if lib is ag else torch.optim).LBFGS(
            [p], lr=0.5, max_iter=max_iter, line_search_fn=line_search_fn)

        def closure(p=p, opt=opt):
            opt.zero_grad()
            loss = (p * p * 0.5 + (p * 3.0).sin()).sum()
            loss.backward()
            return loss
        opt.step(closure)
        got.append(opt.state_dict()["state"][0]["t"])
    ours, theirs = got
    if isinstance(theirs, float):
        assert type(ours) is float and ours == theirs
    else:
        assert ag.is_tensor(ours) and ours.shape == () and ours.dtype == ag.float32
        assert float(ours) == pytest.approx(float(theirs), rel=1e-6)
    p = ag.tensor(start.copy(), requires_grad=True)
    loaded = optimizers.LBFGS([p], max_iter=max_iter, line_search_fn=line_search_fn)
    loaded.load_state_dict({"state": {0: {"t": ours, "func_evals": 1, "n_iter": 1}},
                            "param_groups": [dict(loaded.state_dict()["param_groups"][0])]})
    assert type(loaded.state[p]["t"]) is type(ours)


def test_adagrad_makes_an_added_groups_state_at_its_first_step():
    """Adagrad made the state of a group added by add_param_group at once, so a state dict
    saved before the next step listed it (step 0, sum 0), where PyTorch's (state made in the
    constructor for its parameters only) lists it from its first step."""
    a, b = _param(), _param((0.5, 2.0))
    opt = optimizers.Adagrad([a], lr=0.1, initial_accumulator_value=0.25)
    assert list(opt.state_dict()["state"]) == [0]
    opt.add_param_group({"params": [b]})
    assert list(opt.state_dict()["state"]) == [0]
    b.grad = ag.tensor(np.array([1.0, -2.0]))
    opt.step()
    st = opt.state_dict()["state"]
    assert list(st) == [0, 1] and float(st[1]["step"]) == 1.0
    np.testing.assert_allclose(st[1]["sum"].numpy(), [1.25, 4.25], rtol=1e-15)
    np.testing.assert_allclose(b.detach().numpy(), [0.5 - 0.1 / math.sqrt(1.25),
                                                     2.0 + 0.2 / math.sqrt(4.25)], rtol=1e-6)


@pytest.mark.torch_parity
@pytest.mark.parametrize("norm_type", [math.inf, -math.inf])
@pytest.mark.parametrize("foreach", [None, False, True])
def test_clip_grad_norm_refuses_the_inf_norm_of_an_empty_gradient(norm_type, foreach):
    """clip_grad_norm_ (get_total_norm) with norm_type=inf took the max of an empty gradient
    as 0 and clipped the others by it; PyTorch raises RuntimeError (no identity for max),
    worded by the kernel its foreach picks. The gradients are left as they were."""
    torch = pytest.importorskip("torch")
    msgs = []
    for lib, utils in ((ag, nn.utils), (torch, torch.nn.utils)):
        ps = [lib.zeros(0, requires_grad=True), lib.ones(2, requires_grad=True)]
        for p in ps:
            p.grad = lib.ones_like(p) * 3
        with pytest.raises(RuntimeError) as info:
            utils.clip_grad_norm_(ps, 1.0, norm_type=norm_type, foreach=foreach)
        assert ps[1].grad.tolist() == [3.0, 3.0]
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("name, message", [
    ("SGD", "`_fused_sgd` does not support sparse gradients"),
    ("Adagrad", "`fused` does not support sparse grad or complex param")])
def test_fused_refuses_sparse_gradients(name, message):
    """SGD and Adagrad with fused=True stepped a sparse gradient (as without fused), where
    PyTorch's step raises RuntimeError (its fused kernels are dense); nothing is written."""
    p = ag.tensor(np.zeros((3, 2)), requires_grad=True)
    opt = getattr(optimizers, name)([p], lr=0.1, fused=True)
    p.grad = ag.sparse_coo_tensor(ag.tensor(np.array([[0, 1], [0, 1]])),
                                  ag.tensor(np.ones(2)), (3, 2))
    with pytest.raises(RuntimeError) as info:
        opt.step()
    assert str(info.value) == message
    assert not p.detach().numpy().any()
    assert float(opt.state[p].get("step", 0)) == 0  # Adagrad's state is made at construction


def _overflowing_step(name):
    """One step of ``name`` on a (3, 3) parameter near float64's largest value whose gradient
    holds inf and 1e300 (Muon/Adafactor/LBFGS/SparseAdam do their own numpy arithmetic)."""
    p = ag.tensor(np.full((3, 3), 1e299), requires_grad=True)
    opt = getattr(optimizers, name)([p], lr=0.1)
    grad = np.full((3, 3), 1e300)
    grad[0, 1] = np.inf
    if name == "LBFGS":
        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss
        opt.step(closure)
        return p
    if name == "SparseAdam":
        p.grad = ag.sparse_coo_tensor(ag.tensor(np.array([[0, 1], [1, 2]])),
                                      ag.tensor(np.array([np.inf, 1e300])), (3, 3))
    else:
        p.grad = ag.tensor(grad)
    opt.step()
    return p


@pytest.mark.parametrize("name", ["Adafactor", "Muon", "SparseAdam", "LBFGS", "Adam"])
def test_overflowing_steps_are_silent_under_warnings_as_errors(name):
    """With numpy's warnings made errors (warnings.simplefilter("error"), pytest -W error),
    a step on overflowing values raised numpy's RuntimeWarning ("overflow encountered in
    multiply", "invalid value encountered in subtract", "overflow encountered in dot") from
    Adafactor, Muon, SparseAdam and LBFGS (and from every optimizer under
    TAPEGRAD_KERNELS=numpy); PyTorch steps to inf/NaN silently. A user closure still warns."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = _overflowing_step(name)
        assert not np.isfinite(p.detach().numpy()).all()
        if name == "LBFGS":
            opt = optimizers.LBFGS([p])

            def noisy():
                np.array([1e308]) * 10  # the user's own overflow
                return (p * 0).sum()
            with pytest.raises(RuntimeWarning, match="overflow encountered in multiply"):
                opt.step(noisy)


@pytest.mark.parametrize("name", ["Adam", "Rprop", "Adadelta", "SGD"])
def test_overflowing_steps_are_silent_under_warnings_as_errors_on_both_backends(name, backend):
    """The same with the numpy twins of the kernels (TAPEGRAD_KERNELS=numpy): Adam/SGD
    warned "invalid value encountered in divide"/"add", Rprop and Adadelta "... in
    multiply"; the Numba kernels never warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = ag.tensor(np.full(4, 1e38, np.float32), requires_grad=True)
        opt = getattr(optimizers, name)([p], lr=0.1, **({} if name == "Rprop" else
                                                          {"weight_decay": 0.1}))
        for grad in (np.inf, 1e38):
            p.grad = ag.tensor(np.array([grad, 1e38, 0.0, -1e38], np.float32))
            opt.step()
    assert not np.isfinite(p.detach().numpy()).all()


def test_clip_grad_norm_of_overflowing_gradients_is_silent_under_warnings_as_errors():
    """clip_grad_norm_'s squared sum overflowed in numpy's dot and raised RuntimeWarning
    under warnings-as-errors; PyTorch returns inf and scales the gradients by 0 (inf * 0 is
    NaN), silently."""
    p = ag.tensor(np.ones(3), requires_grad=True)
    p.grad = ag.tensor(np.array([1e200, np.inf, 1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        total = nn.utils.clip_grad_norm_([p], 1.0)
    assert float(total) == math.inf
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, np.nan, 0.0])


@pytest.mark.torch_parity
def test_lbfgs_loads_a_pytorch_state_dict_and_goes_on_as_pytorch():
    """LBFGS refused a torch.optim.LBFGS state dict ("LBFGS state 'd' must be a floating
    array of shape (3,), got Tensor"), where every other optimizer loads PyTorch's; now it
    loads it and the next steps match PyTorch's own (float64)."""
    torch = pytest.importorskip("torch")
    start = np.array([1.5, -2.0, 0.7])
    tp = torch.tensor(start.copy(), requires_grad=True)
    topt = torch.optim.LBFGS([tp], lr=0.5, max_iter=3, history_size=4)

    def make_closure(p, opt):
        def closure():
            opt.zero_grad()
            loss = (p * p * 0.5 + (p * 3.0).sin()).sum()
            loss.backward()
            return loss
        return closure
    topt.step(make_closure(tp, topt))
    p = ag.tensor(tp.detach().numpy().copy(), requires_grad=True)
    opt = optimizers.LBFGS([p], lr=0.5, max_iter=3, history_size=4)
    opt.load_state_dict(topt.state_dict())
    for _ in range(2):
        topt.step(make_closure(tp, topt))
        opt.step(make_closure(p, opt))
    np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-12)
    assert opt.state[p]["n_iter"] == topt.state[tp]["n_iter"] == 6  # max_eval 3: 2 a step
