"""Optimizer hooks (PyTorch's ``register_step_pre_hook`` and friends): order, argument
replacement, handle removal, global hooks, the optimizers with their own ``step`` (LBFGS,
SparseAdam, Rprop's irprop+, a user's subclass), PyTorch's errors, the state dict hooks,
deepcopy, ag.compile, and the observable call sequence against live torch. The generic check
over every registered optimizer is ``generic_checks.check_step_hooks``."""

from __future__ import annotations

import copy
import re
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim
from optimizers import optimizer as optimizer_module


def _param(values=(1.0, 2.0)):
    return ag.tensor(list(values), dtype=ag.float64, requires_grad=True)


def _recorder(log, name):
    return lambda o, args, kwargs: log.append(name)


def test_order_global_pre_first_and_global_post_last():
    w = _param()
    w.grad = ag.tensor([1.0, 1.0], dtype=ag.float64)
    opt = optim.SGD([w], lr=0.5)
    log = []
    handles = [
        opt.register_step_post_hook(_recorder(log, "post1")),
        opt.register_step_pre_hook(_recorder(log, "pre1")),
        optimizer_module.register_optimizer_step_post_hook(_recorder(log, "global post")),
        optimizer_module.register_optimizer_step_pre_hook(_recorder(log, "global pre")),
        opt.register_step_pre_hook(_recorder(log, "pre2")),
        opt.register_step_post_hook(_recorder(log, "post2")),
        opt.register_step_pre_hook(lambda o, a, k: log.append(w.tolist())),
        opt.register_step_post_hook(lambda o, a, k: log.append(w.tolist())),
    ]
    try:
        opt.step()
    finally:
        for h in handles:
            h.remove()
    assert log == ["global pre", "pre1", "pre2", [1.0, 2.0], "post1", "post2", [0.5, 1.5],
                   "global post"]
    log.clear()
    opt.step()  # every handle removed, the global ones too
    assert log == [] and w.tolist() == [0.0, 1.0]


def test_global_hooks_see_every_optimizer():
    log = []
    a, b = _param(), _param()
    opts = [optim.SGD([a], lr=0.1), optim.Adam([b], lr=0.1)]
    with optimizer_module.register_optimizer_step_pre_hook(
            lambda o, args, kwargs: log.append(type(o).__name__)):
        for opt in opts:
            opt.step()
    for opt in opts:
        opt.step()
    assert log == ["SGD", "Adam"]


def test_pre_hooks_chain_replaced_arguments_to_step_and_post_hooks():
    w = _param()
    w.grad = ag.tensor([2.0, 0.0], dtype=ag.float64)
    opt = optim.SGD([w], lr=0.25)
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: (args, {"closure": lambda: 3.0}))
    opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre", args, kwargs)))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", args, kwargs)))
    assert opt.step() == 3.0
    assert w.tolist() == [0.5, 2.0]
    assert [s[0] for s in seen] == ["pre", "post"]
    for _, args, kwargs in seen:
        assert args == (opt,) and list(kwargs) == ["closure"] and kwargs["closure"]() == 3.0


@pytest.mark.parametrize("bad", [5, [(), {}], ((), {}, None), "ab"])
def test_a_pre_hook_returning_something_else_raises_before_the_step(bad):
    w = _param()
    w.grad = ag.tensor([1.0, 1.0], dtype=ag.float64)
    opt = optim.Adam([w], lr=0.1)
    post = []
    opt.register_step_pre_hook(lambda o, a, k: bad)
    opt.register_step_post_hook(_recorder(post, "post"))
    with pytest.raises(RuntimeError, match=r"^<function .*step at 0x[0-9a-f]+> must return None "
                       r"or a tuple of \(new_args, new_kwargs\), but got " +
                       re.escape(f"{bad}.") + "$"):
        opt.step()
    assert w.tolist() == [1.0, 2.0] and not opt.state[w] and post == []


def test_handles_remove_one_hook_each_and_work_as_context_managers():
    opt = optim.SGD([_param()], lr=0.1)
    log = []
    h1 = opt.register_step_pre_hook(_recorder(log, "a"))
    h2 = opt.register_step_pre_hook(_recorder(log, "b"))
    assert h1.id != h2.id
    h1.remove()
    h1.remove()  # twice: no error
    with opt.register_step_post_hook(_recorder(log, "c")):
        opt.step()
    opt.step()
    assert log == ["b", "c", "b"]


def test_hooks_removing_themselves_after_running():
    opt = optim.SGD([_param()], lr=0.1)
    log = []
    handle = opt.register_step_post_hook(lambda o, a, k: (log.append("once"), handle.remove()))
    opt.step()
    opt.step()
    assert log == ["once"]


def test_lbfgs_closure_goes_through_the_hooks():
    w = _param((3.0, -1.0))

    def closure():
        loss = (w ** 2).sum()
        w.grad = None
        loss.backward()
        return loss

    opt = optim.LBFGS([w], lr=1, max_iter=5)
    log = []
    opt.register_step_pre_hook(lambda o, args, kwargs: log.append(("pre", len(args), kwargs)))
    opt.register_step_post_hook(lambda o, args, kwargs: log.append(("post", len(args))))
    loss = opt.step(closure)
    assert float(loss) == 10.0  # the first evaluation's loss, as PyTorch's
    assert log == [("pre", 2, {}), ("post", 2)]
    assert np.allclose(w.tolist(), [0.0, 0.0], atol=1e-6)


def test_sparse_adam_and_rprop_irprop_plus_run_hooks_once():
    emb = nn.Embedding(3, 1, sparse=True, dtype=ag.float64)
    emb(ag.tensor(np.array([0, 2]))).sum().backward()
    w = _param()
    w.grad = ag.tensor([1.0, -1.0], dtype=ag.float64)
    rprop = optim.Rprop([w], lr=0.1, variant="irprop+")
    before = emb.weight.detach().numpy().copy()
    log = []
    for opt in (optim.SparseAdam(emb.parameters(), lr=0.1), rprop):
        opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", type(o).__name__)))
        opt.register_step_post_hook(lambda o, a, k: log.append(("post", type(o).__name__)))
        opt.step(lambda: 1.0)
    assert log == [("pre", "SparseAdam"), ("post", "SparseAdam"), ("pre", "Rprop"),
                   ("post", "Rprop")]
    after = emb.weight.detach().numpy()
    assert after[1] == before[1] and (after[[0, 2]] < before[[0, 2]]).all()  # sum: grads +1
    assert w.tolist() == pytest.approx([0.9, 2.1])


def test_a_users_subclass_with_its_own_step_runs_the_hooks_once():
    class Clipped(optim.SGD):
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p.grad.clamp_(-1.0, 1.0)
            return super().step(closure)

    class Bare(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {})

    w = _param()
    w.grad = ag.tensor([5.0, -0.5], dtype=ag.float64)
    opt = Clipped([w], lr=1.0)
    optim.SGD([_param()]).step()  # the parent class's step is hooked for its own instances
    log = []
    opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", w.grad.tolist())))
    opt.register_step_post_hook(lambda o, a, k: log.append(("post", w.tolist())))
    opt.step()
    assert log == [("pre", [5.0, -0.5]), ("post", [0.0, 2.5])]
    bare = Bare([_param()])
    bare.register_step_pre_hook(lambda o, a, k: log.append("bare pre"))
    bare.register_step_post_hook(lambda o, a, k: log.append("bare post"))
    with pytest.raises(NotImplementedError, match="declares no update kernel"):
        bare.step()
    assert log[-1] == "bare pre"


def test_state_dict_hooks_with_prepend():
    opt = optim.Adam([_param()], lr=0.1)
    log = []
    opt.register_state_dict_pre_hook(lambda o: log.append("pre1"))
    opt.register_state_dict_pre_hook(lambda o: log.append("pre0"), prepend=True)
    opt.register_state_dict_post_hook(lambda o, sd: log.append("post1"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1}, prepend=True)
    opt.register_state_dict_post_hook(lambda o, sd: log.append(sorted(sd)))
    sd = opt.state_dict()
    assert log == ["pre0", "pre1", "post1", ["extra", "param_groups", "state"]]
    assert sd["extra"] == 1


def test_load_state_dict_hooks_get_a_copy_and_may_replace_it():
    w = _param()
    w.grad = ag.tensor([1.0, 1.0], dtype=ag.float64)
    opt = optim.Adam([w], lr=0.1)
    opt.step()
    saved = opt.state_dict()
    saved["param_groups"][0]["lr"] = 0.5
    fresh = optim.Adam([_param()], lr=0.1)
    log = []

    def pre(o, sd):
        log.append(sd is not saved)
        sd["param_groups"] = [dict(sd["param_groups"][0], lr=0.25)]  # the copy: not `saved`

    fresh.register_load_state_dict_pre_hook(pre)
    fresh.register_load_state_dict_pre_hook(lambda o, sd: log.append(
        sd["param_groups"][0]["lr"]), prepend=True)
    fresh.register_load_state_dict_post_hook(lambda o: log.append(
        (o.param_groups[0]["lr"], o.state[o.param_groups[0]["params"][0]].get("step"))))
    fresh.load_state_dict(saved)
    assert log == [0.5, True, (0.25, 1.0)]
    assert saved["param_groups"][0]["lr"] == 0.5
    fresh.register_load_state_dict_pre_hook(lambda o, sd: {**sd, "state": {}})
    fresh.load_state_dict(saved)  # the returned dict is the one loaded
    assert log[-1] == (0.25, None)


def test_load_hooks_wrap_the_algorithms_own_loading():
    """LBFGS and ASGD extend the loading: a pre-hook's dict is what they load, and the
    post-hooks see their state complete."""
    w = _param()
    opt = optim.LBFGS([w], max_iter=2)
    opt.step(lambda: ((w ** 2).sum().backward(), (w ** 2).sum())[1])
    saved = opt.state_dict()
    fresh = optim.LBFGS([_param()], max_iter=2)
    fresh.register_load_state_dict_pre_hook(lambda o, sd: saved)
    fresh.load_state_dict({"state": {}, "param_groups": []})
    assert fresh.state_dict()["state"][0]["n_iter"] == saved["state"][0]["n_iter"] > 0
    a = optim.ASGD([_param()], lr=0.1)
    a.param_groups[0]["params"][0].grad = ag.tensor([1.0, 1.0], dtype=ag.float64)
    a.step()
    old = a.state_dict()
    for entry in old["state"].values():  # saved before eta and mu were kept
        del entry["eta"], entry["mu"]
    seen = []
    a.register_load_state_dict_post_hook(lambda o: seen.append(sorted(o.state[
        o.param_groups[0]["params"][0]])))
    a.load_state_dict(old)
    assert seen == [["ax", "eta", "mu", "step"]]


def test_deepcopy_drops_the_hooks_and_loading_keeps_them():
    w = _param()
    w.grad = ag.tensor([1.0, 1.0], dtype=ag.float64)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    log = []
    opt.register_step_pre_hook(_recorder(log, "pre"))
    opt.register_state_dict_pre_hook(lambda o: log.append("sd"))
    opt.step()
    clone = copy.deepcopy(opt)
    clone.step()
    clone.state_dict()
    assert log == ["pre"]
    opt.load_state_dict(opt.state_dict())
    opt.step()
    assert log == ["pre", "sd", "pre"]
    np.testing.assert_array_equal(clone.param_groups[0]["params"][0]._data, w._data)


def _compiled_setup():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)).double()
    opt = optim.Adam(model.parameters(), lr=0.05)
    x = ag.tensor(np.random.default_rng(0).standard_normal((5, 3)))

    def step(x):
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return model, opt, step, x


def _halve_grads(opt, args, kwargs):
    for group in opt.param_groups:
        for p in group["params"]:
            p.grad.mul_(0.5)


def test_compiled_step_runs_the_hooks_at_every_replay():
    """ag.compile replays optimizer.step() as a call, hooks and all: no fallback, the numbers
    of eager, and hooks registered or removed after the trace count at the next replay."""
    runs = {}
    for mode in ("compiled", "eager"):
        model, opt, step, x = _compiled_setup()
        log = []
        opt.register_step_pre_hook(_halve_grads)
        opt.register_step_pre_hook(_recorder(log, "pre"))
        fn = ag.compile(step, strict=True) if mode == "compiled" else step
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            losses = [fn(x).item() for _ in range(4)]
            post = opt.register_step_post_hook(_recorder(log, "post"))
            losses += [fn(x).item() for _ in range(2)]
            post.remove()
            losses.append(fn(x).item())
        if mode == "compiled":
            assert fn.traces == 1
        runs[mode] = (losses, log, [p._data.tobytes() for p in model.parameters()])
    assert runs["compiled"] == runs["eager"]
    assert runs["eager"][1] == ["pre"] * 4 + ["pre", "post"] * 2 + ["pre"]


# -- PyTorch parity of the observable call sequence ----------------------------------------------

def _call_sequence(lib, hooks_module):
    """The same script against tapegrad or torch: what the hooks saw, in order."""
    log = []
    w = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
    w.grad = lib.tensor([0.5, 0.5], dtype=lib.float64)
    Opt = lib_optim(lib)
    opt = Opt.SGD([w], lr=0.1, momentum=0.5)

    def describe(name):
        return lambda o, args, kwargs: log.append(
            (name, o is opt, len(args), args[0] is opt, sorted(kwargs),
             [round(v, 12) for v in w.detach().tolist()]))

    g_pre = hooks_module.register_optimizer_step_pre_hook(describe("global pre"))
    g_post = hooks_module.register_optimizer_step_post_hook(describe("global post"))
    try:
        opt.register_step_post_hook(describe("post"))
        opt.register_step_pre_hook(describe("pre"))
        h = opt.register_step_pre_hook(lambda o, args, kwargs: (args, {"closure": lambda: 2.0}))
        opt.register_step_pre_hook(describe("pre after replace"))
        log.append(("returned", opt.step()))
        h.remove()
        log.append(("returned", opt.step(None)))
    finally:
        g_pre.remove()
        g_post.remove()
    log.append(("returned", opt.step()))
    bad = opt.register_step_pre_hook(lambda o, a, k: 5)
    try:
        opt.step()
    except RuntimeError as e:
        log.append(("error", re.sub(r"^<function [\w.]+ at 0x[0-9a-f]+>", "F", str(e))))
    bad.remove()
    opt.register_state_dict_pre_hook(lambda o: log.append("sd pre"))
    opt.register_state_dict_pre_hook(lambda o: log.append("sd pre first"), prepend=True)
    opt.register_state_dict_post_hook(lambda o, sd: log.append(("sd post", sorted(sd))))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "x": 1}, prepend=True)
    sd = opt.state_dict()
    log.append(sorted(sd))
    opt.register_load_state_dict_pre_hook(lambda o, d: log.append(("load pre", d is sd)))
    opt.register_load_state_dict_pre_hook(
        lambda o, d: {k: v for k, v in d.items() if k != "x"})
    opt.register_load_state_dict_post_hook(lambda o: log.append("load post"))
    opt.load_state_dict(sd)
    clone = copy.deepcopy(opt)
    log.append(("deepcopy", len(clone._optimizer_step_pre_hooks),
                len(clone._optimizer_state_dict_post_hooks),
                len(opt._optimizer_step_pre_hooks), len(opt._optimizer_load_state_dict_pre_hooks)))
    return log


def lib_optim(lib):
    return lib.optim if hasattr(lib, "optim") else optim


@pytest.mark.torch_parity
def test_call_sequence_matches_torch():
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    import torch.optim.optimizer as torch_optimizer_module

    ours = _call_sequence(ag, optimizer_module)
    theirs = _call_sequence(torch, torch_optimizer_module)
    assert ours == theirs
    assert ours[0][0] == "global pre" and ("load pre", False) in ours
