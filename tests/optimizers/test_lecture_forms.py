"""The lectures' forms of the update rules (optimizers/LECTURE_FORMS.md): every option held to a
plain-numpy transcription of the lecture's formula over several steps (written from the
formulas, scalar by scalar where the rule branches, not from the kernels), its kernel to its
numpy twin bit for bit, its state_dict round trip (the option travels in param_groups), and its
bad values refused. The defaults are PyTorch's: test_generic / test_optim_torch_reference hold
them to torch, unchanged."""

from __future__ import annotations

import generic_checks as G
import numpy as np
import optim_reference_cases as RC
import pytest

import optimizers
from optimizers import lr_scheduler
from optimizers.registry import AlgorithmSpec

N = RC.N_STEPS


def loss_of(params):
    """The loss whose gradient is RC.gradient: sum_i 0.5 x'A_i x + b_i'x."""
    total = 0.0
    for i, p in enumerate(params):
        x = np.asarray(p, np.float64).reshape(-1)
        a, b = RC._PROBLEM[i]
        total += 0.5 * x @ a @ x + b @ x
    return total


def run(algo, kwargs, n=N, schedule=None, closure=False):
    """Our trajectory (float64) on the shared quadratic problem; ``schedule(opt)`` makes a
    scheduler stepped after every step; ``closure``: pass step() a closure returning the loss."""
    params = [RC.make_param(a) for a in RC.initial_params()]
    opt = getattr(optimizers, algo)(params, **kwargs)
    sched = schedule(opt) if schedule else None
    traj = []
    for _ in range(n):
        def set_grads():
            for i, p in enumerate(params):
                RC.set_grad(p, RC.gradient(i, p._data.copy()))
            return loss_of([p._data for p in params])

        if closure:
            opt.step(set_grads)
        else:
            set_grads()
            opt.step()
        if sched:
            sched.step()
        traj.append(np.concatenate([p._data.reshape(-1).copy() for p in params]))
    return np.array(traj)


def lecture(rule, n=N, lrs=None, **h):
    """The lectures' formulas, transcribed in float64 numpy; ``lrs[t]``: the lr of step t."""
    params = [p.astype(np.float64) for p in RC.initial_params()]
    state = [dict() for _ in params]
    traj = []
    for t in range(1, n + 1):
        lr = h["lr"] if lrs is None else lrs[t - 1]
        for i, p in enumerate(params):
            g, s = RC.gradient(i, p), state[i]
            if rule == "adagrad":  # s_t = s_{t-1} + g^2, p -= lr g / sqrt(s_t + eps)
                s["s"] = s.get("s", 0.0) + g**2
                p = p - lr * g / np.sqrt(s["s"] + h["eps"])
            elif rule == "rmsprop":  # v = a v + (1-a) g^2, p -= lr g / sqrt(v + eps)
                s["v"] = h["alpha"] * s.get("v", 0.0) + (1 - h["alpha"]) * g**2
                p = p - lr * g / np.sqrt(s["v"] + h["eps"])
            elif rule == "rmsprop_centered_momentum":
                a = h["alpha"]
                s["v"] = a * s.get("v", 0.0) + (1 - a) * g**2
                s["c"] = a * s.get("c", 0.0) + (1 - a) * g
                s["b"] = h["momentum"] * s.get("b", 0.0) + g / np.sqrt(s["v"] - s["c"]**2
                                                                       + h["eps"])
                p = p - lr * s["b"]
            elif rule in ("adam", "adamw", "nadam_constant"):
                b1, b2 = h["betas"]
                if rule == "adamw":
                    p = p * (1 - lr * h["weight_decay"])
                elif h.get("weight_decay"):
                    g = g + h["weight_decay"] * p
                s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
                s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g**2
                v = s["v"]
                if h.get("amsgrad"):  # the running maximum of v replaces v in the step
                    v = s["vmax"] = np.maximum(s.get("vmax", 0.0), v)
                v_hat = v / (1 - b2**t)
                if rule == "nadam_constant":  # Dozat: Nesterov look-ahead with constant b1
                    m_hat = b1 * s["m"] / (1 - b1**(t + 1)) + (1 - b1) * g / (1 - b1**t)
                else:
                    m_hat = s["m"] / (1 - b1**t)
                denom = np.sqrt(v_hat + h["eps"]) if h["inside"] else np.sqrt(v_hat) + h["eps"]
                p = p - lr * m_hat / denom
            elif rule == "momentum_lr_inside":  # v = mu v + lr g; p -= v (Nesterov: lr g + mu v)
                s["v"] = h["momentum"] * s.get("v", 0.0) + lr * g
                p = p - (lr * g + h["momentum"] * s["v"] if h.get("nesterov") else s["v"])
            elif rule == "averaged_momentum":  # v = b v + (1-b) g from v0 = 0; p -= lr v
                s["v"] = h["beta"] * s.get("v", 0.0) + (1 - h["beta"]) * g
                p = p - lr * s["v"]
            elif rule == "averaged_momentum_lr_inside":  # v = b v + (1-b) lr g; p -= v
                s["v"] = h["beta"] * s.get("v", 0.0) + (1 - h["beta"]) * lr * g
                p = p - s["v"]
            else:
                raise AssertionError(rule)
            params[i] = p
        traj.append(np.concatenate([p.reshape(-1) for p in params]))
    return np.array(traj)


# (case, optimizer, its options, lecture rule, the rule's hyperparameters)
CASES = [
    ("adagrad_eps_inside", "Adagrad", dict(lr=0.1, eps=1e-8, eps_inside_sqrt=True),
     "adagrad", dict(lr=0.1, eps=1e-8)),
    ("adagrad_eps_inside_big", "Adagrad", dict(lr=0.1, eps=0.5, eps_inside_sqrt=True),
     "adagrad", dict(lr=0.1, eps=0.5)),
    ("rmsprop_eps_inside", "RMSprop", dict(lr=0.01, alpha=0.9, eps=0.05, eps_inside_sqrt=True),
     "rmsprop", dict(lr=0.01, alpha=0.9, eps=0.05)),
    ("rmsprop_centered_momentum_eps_inside", "RMSprop",
     dict(lr=0.01, alpha=0.9, eps=0.05, centered=True, momentum=0.5, eps_inside_sqrt=True),
     "rmsprop_centered_momentum", dict(lr=0.01, alpha=0.9, eps=0.05, momentum=0.5)),
    ("adam_eps_inside", "Adam", dict(lr=0.05, eps=0.05, eps_inside_sqrt=True),
     "adam", dict(lr=0.05, betas=(0.9, 0.999), eps=0.05, inside=True)),
    ("adam_eps_inside_amsgrad_wd", "Adam",
     dict(lr=0.05, betas=(0.6, 0.9), eps=0.05, amsgrad=True, weight_decay=0.1,
          eps_inside_sqrt=True),
     "adam", dict(lr=0.05, betas=(0.6, 0.9), eps=0.05, amsgrad=True, weight_decay=0.1,
                  inside=True)),
    ("adamw_eps_inside", "AdamW", dict(lr=0.05, eps=0.05, weight_decay=0.3, eps_inside_sqrt=True),
     "adamw", dict(lr=0.05, betas=(0.9, 0.999), eps=0.05, weight_decay=0.3, inside=True)),
    ("nadam_constant_beta1", "NAdam", dict(lr=0.05, momentum_decay=None),
     "nadam_constant", dict(lr=0.05, betas=(0.9, 0.999), eps=1e-8, inside=False)),
    ("nadam_constant_beta1_eps_inside", "NAdam",
     dict(lr=0.05, betas=(0.8, 0.9), eps=0.05, momentum_decay=None, eps_inside_sqrt=True),
     "nadam_constant", dict(lr=0.05, betas=(0.8, 0.9), eps=0.05, inside=True)),
    ("sgd_lr_in_velocity", "SGD", dict(lr=0.05, momentum=0.9, lr_in_velocity=True),
     "momentum_lr_inside", dict(lr=0.05, momentum=0.9)),
    ("sgd_lr_in_velocity_nesterov", "SGD",
     dict(lr=0.05, momentum=0.8, nesterov=True, lr_in_velocity=True),
     "momentum_lr_inside", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("sgd_averaged_momentum", "SGD",
     dict(lr=0.1, momentum=0.9, dampening=0.9, momentum_init="zero"),
     "averaged_momentum", dict(lr=0.1, beta=0.9)),
    ("sgd_averaged_momentum_lr_inside", "SGD",
     dict(lr=0.1, momentum=0.9, dampening=0.9, momentum_init="zero", lr_in_velocity=True),
     "averaged_momentum_lr_inside", dict(lr=0.1, beta=0.9)),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,algo,kwargs,rule,h", CASES, ids=IDS)
def test_option_is_the_lecture_formula(name, algo, kwargs, rule, h, backend):
    expect = lecture(rule, **h)
    np.testing.assert_allclose(run(algo, kwargs), expect, rtol=1e-12, atol=1e-14)
    # and PyTorch's form fails the same comparison (else the test could not tell them apart),
    # except lr_in_velocity alone, equal at a constant lr by design (the schedule tests below)
    lecture_only = {"eps_inside_sqrt", "lr_in_velocity", "momentum_init", "momentum_decay"}
    default = run(algo, {k: v for k, v in kwargs.items() if k not in lecture_only})
    if set(kwargs) & lecture_only == {"lr_in_velocity"}:
        np.testing.assert_allclose(default, expect, rtol=1e-12, atol=1e-14)
    else:
        assert not np.allclose(default, expect, rtol=1e-12, atol=1e-14)


# the momentum forms under a changing learning rate: StepLR halves it every 3 steps
def _halving(opt):
    return lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)


LRS = [0.05 * 0.5 ** (k // 3) for k in range(N)]


@pytest.mark.parametrize("nesterov", [False, True])
def test_lr_in_velocity_equals_pytorch_form_only_while_lr_is_constant(nesterov):
    kwargs = dict(lr=0.05, momentum=0.9 if not nesterov else 0.8, nesterov=nesterov)
    ours = run("SGD", dict(kwargs, lr_in_velocity=True), schedule=_halving)
    expect = lecture("momentum_lr_inside", lrs=LRS, lr=0.05, momentum=kwargs["momentum"],
                        nesterov=nesterov)
    np.testing.assert_allclose(ours, expect, rtol=1e-12, atol=1e-14)
    pytorch_form = run("SGD", kwargs, schedule=_halving)
    # the first 3 steps (lr 0.05) agree; from the first step at the halved lr on, they differ
    np.testing.assert_allclose(ours[:3], pytorch_form[:3], rtol=1e-13, atol=1e-15)
    assert np.abs(ours[3] - pytorch_form[3]).max() > 1e-4


@pytest.mark.torch_parity
def test_lr_in_velocity_against_torch_under_a_schedule():
    """Live torch: PyTorch's SGD under StepLR is our default and not lr_in_velocity, whose
    velocity keeps the old rate for what it accumulated before the change."""
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    tparams = [torch.tensor(a, requires_grad=True) for a in RC.initial_params()]
    topt = torch.optim.SGD(tparams, lr=0.05, momentum=0.9)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=3, gamma=0.5)
    theirs = []
    for _ in range(N):
        for i, tp in enumerate(tparams):
            tp.grad = torch.from_numpy(RC.gradient(i, tp.detach().numpy().copy()))
        topt.step()
        tsched.step()
        theirs.append(np.concatenate([tp.detach().numpy().reshape(-1).copy() for tp in tparams]))
    theirs = np.array(theirs)
    default = run("SGD", dict(lr=0.05, momentum=0.9), schedule=_halving)
    inside = run("SGD", dict(lr=0.05, momentum=0.9, lr_in_velocity=True), schedule=_halving)
    np.testing.assert_allclose(default, theirs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(inside[:3], theirs[:3], rtol=1e-12, atol=1e-14)
    assert np.abs(inside[3:] - theirs[3:]).max(axis=1).min() > 1e-5


def sutskever_nesterov(lrs, mu):
    """Sutskever et al. (2013): v = mu v - lr grad f(theta + mu v); theta += v. Returns the
    look-ahead points theta + mu v, the variable PyTorch's Nesterov form iterates."""
    theta = [p.astype(np.float64) for p in RC.initial_params()]
    v = [np.zeros_like(p) for p in theta]
    out = []
    for lr in lrs:
        for i in range(len(theta)):
            v[i] = mu * v[i] - lr * RC.gradient(i, theta[i] + mu * v[i])
            theta[i] = theta[i] + v[i]
        out.append(np.concatenate([(t + mu * w).reshape(-1) for t, w in zip(theta, v)]))
    return np.array(out)


def test_nesterov_forms_are_sutskevers_lookahead():
    """As LECTURE_FORMS.md says: PyTorch's Nesterov iterates Sutskever's look-ahead points at
    a constant lr; with lr_in_velocity it does under any schedule."""
    constant = run("SGD", dict(lr=0.05, momentum=0.8, nesterov=True))
    np.testing.assert_allclose(constant, sutskever_nesterov([0.05] * N, 0.8), rtol=1e-12,
                               atol=1e-14)
    expect = sutskever_nesterov(LRS, 0.8)
    inside = run("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, lr_in_velocity=True),
                 schedule=_halving)
    np.testing.assert_allclose(inside, expect, rtol=1e-12, atol=1e-14)
    pytorch_form = run("SGD", dict(lr=0.05, momentum=0.8, nesterov=True), schedule=_halving)
    assert not np.allclose(pytorch_form, expect, rtol=1e-12, atol=1e-14)


def test_averaged_momentum_from_zero_differs_from_pytorch_start():
    """Hand-worked, one scalar, g = 1 every step, beta = 0.5, lr = 1: started from zero the
    velocity is 0.5, 0.75, ...; PyTorch's buffer starts at g = 1 and stays 1."""
    p = RC.make_param(np.array([0.0]))
    q = RC.make_param(np.array([0.0]))
    zero = optimizers.SGD([p], lr=1.0, momentum=0.5, dampening=0.5, momentum_init="zero")
    grad = optimizers.SGD([q], lr=1.0, momentum=0.5, dampening=0.5)
    for expect_p, expect_q in [(-0.5, -1.0), (-1.25, -2.0), (-2.125, -3.0)]:
        for x, opt in ((p, zero), (q, grad)):
            RC.set_grad(x, np.array([1.0]))
            opt.step()
        assert p._data.tolist() == [expect_p] and q._data.tolist() == [expect_q]


def test_nadam_momentum_decay_zero_is_not_the_constant_form():
    """PyTorch's momentum_decay=0 gives mu_t = beta1 (1 - 0.5 * 0.96^0) = beta1 / 2, so the
    constant-beta1 form needs its own switch (momentum_decay=None)."""
    from optimizers.nadam import _mu

    assert _mu(7, 0.9, 0.0) == 0.45 and _mu(7, 0.9, None) == 0.9
    expect = lecture("nadam_constant", lr=0.05, betas=(0.9, 0.999), eps=1e-8, inside=False)
    zero = run("NAdam", dict(lr=0.05, momentum_decay=0.0))
    assert np.abs(zero - expect).max() > 1e-4


@pytest.mark.torch_parity
def test_torch_nadam_momentum_decay_zero_is_not_the_constant_form():
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    tparams = [torch.tensor(a, requires_grad=True) for a in RC.initial_params()]
    topt = torch.optim.NAdam(tparams, lr=0.05, momentum_decay=0.0)
    theirs = []
    for _ in range(N):
        for i, tp in enumerate(tparams):
            tp.grad = torch.from_numpy(RC.gradient(i, tp.detach().numpy().copy()))
        topt.step()
        theirs.append(np.concatenate([tp.detach().numpy().reshape(-1).copy() for tp in tparams]))
    expect = lecture("nadam_constant", lr=0.05, betas=(0.9, 0.999), eps=1e-8, inside=False)
    assert np.abs(np.array(theirs) - expect).max() > 1e-4


# -- Rprop: the four variants of Igel & Hüsken (2000), transcribed element by element -------

VARIANTS = ["rprop-", "irprop-", "rprop+", "irprop+"]
RPROP_LR = 3.0  # large enough first steps that the loss rises now and then (irprop+ undoes)


def igel_husken(variant, n=N, lr=RPROP_LR, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
    """Igel & Hüsken's pseudocode (Rprop+: their Fig. 1; Rprop-, iRprop-, iRprop+: Figs. 2-4),
    one weight at a time. Returns the trajectory and how often each branch ran."""
    eminus, eplus = etas
    lo, hi = step_sizes
    params = [p.astype(np.float64).reshape(-1).copy() for p in RC.initial_params()]
    n_w = [len(p) for p in params]
    g_old = [np.zeros(k) for k in n_w]
    delta = [np.full(k, lr) for k in n_w]
    dw_old = [np.zeros(k) for k in n_w]
    counts = {"changed": 0, "undone": 0}
    traj, e_old = [], None
    for _ in range(n):
        shaped = [p.reshape(s) for p, s in zip(params, RC.SHAPES)]
        e = loss_of(shaped)
        for i, p in enumerate(params):
            g_all = RC.gradient(i, shaped[i]).reshape(-1)
            for j in range(n_w[i]):
                g = g_all[j]
                prod = g_old[i][j] * g
                if prod > 0:
                    delta[i][j] = min(delta[i][j] * eplus, hi)
                elif prod < 0:
                    delta[i][j] = max(delta[i][j] * eminus, lo)
                    counts["changed"] += 1
                if prod < 0 and variant in ("rprop+", "irprop+"):
                    if variant == "rprop+" or e > e_old:
                        p[j] -= dw_old[i][j]  # weight backtracking
                        counts["undone"] += 1
                    g = 0.0
                    dw_old[i][j] = 0.0
                elif prod < 0 and variant == "irprop-":
                    g = 0.0
                else:  # Rprop- in every case; the others where the sign did not change
                    dw = -np.sign(g) * delta[i][j]
                    p[j] += dw
                    dw_old[i][j] = dw
                g_old[i][j] = g
        e_old = e
        traj.append(np.concatenate(params))
    return np.array(traj), counts


@pytest.mark.parametrize("variant", VARIANTS)
def test_rprop_variant_is_igel_husken(variant, backend):
    expect, counts = igel_husken(variant)
    assert counts["changed"] > 3  # the sign changes that tell the variants apart do happen
    if variant == "irprop+":  # undone on some sign changes (loss rose), not on all
        assert 0 < counts["undone"] < counts["changed"]
    ours = run("Rprop", dict(lr=RPROP_LR, variant=variant), closure=True)
    np.testing.assert_allclose(ours, expect, rtol=1e-13, atol=1e-15)


def test_rprop_default_is_irprop_minus_and_variants_differ():
    default = run("Rprop", dict(lr=RPROP_LR))
    trajectories = {v: run("Rprop", dict(lr=RPROP_LR, variant=v), closure=True) for v in VARIANTS}
    np.testing.assert_array_equal(default, trajectories["irprop-"])
    for a in VARIANTS:
        for b in VARIANTS:
            if a < b:
                assert np.abs(trajectories[a] - trajectories[b]).max() > 1e-6, (a, b)


def test_irprop_plus_hand_worked():
    """f = w^2 from w = 1 with step 2.5: the first step overshoots to -1.5 (loss 1 -> 2.25),
    the second sees the sign change and the rise and undoes it (back to 1, step 1.25), the
    third steps from 1 by the halved step (no previous sign): -0.25."""
    w = RC.make_param(np.array([1.0]))
    opt = optimizers.Rprop([w], lr=2.5, variant="irprop+")

    def closure():
        RC.set_grad(w, 2 * w._data)
        return float(w._data[0] ** 2)

    for expect in ([-1.5], [1.0], [-0.25]):
        opt.step(closure)
        assert w._data.tolist() == expect


# -- kernel = twin, state_dict round trips, bad values ---------------------------------------

SPECS = {name: AlgorithmSpec(getattr(optimizers, algo), kwargs)
         for name, algo, kwargs, _, _ in CASES}
SPECS.update({f"rprop_{v}": AlgorithmSpec(optimizers.Rprop, dict(lr=RPROP_LR, variant=v))
              for v in ("rprop-", "rprop+")})


@pytest.mark.parametrize("name", sorted(SPECS))
def test_kernel_matches_twin(name, monkeypatch):
    G.check_kernel_matches_twin(SPECS[name], monkeypatch)


def test_irprop_plus_kernel_matches_twin(monkeypatch):
    out = {}
    for b in ("numba", "numpy"):
        monkeypatch.setenv("TAPEGRAD_KERNELS", b)
        out[b] = run("Rprop", dict(lr=RPROP_LR, variant="irprop+"), closure=True)
    np.testing.assert_array_equal(out["numba"], out["numpy"])


@pytest.mark.parametrize("name", sorted(SPECS) + ["rprop_irprop+"])
def test_state_dict_round_trip_keeps_the_option(name):
    """Saved mid-run and loaded into an optimizer built with PyTorch's defaults, the option
    comes back from param_groups and the run continues bit for bit."""
    spec = SPECS.get(name) or AlgorithmSpec(optimizers.Rprop, dict(lr=RPROP_LR, variant="irprop+"))
    params = [RC.make_param(a) for a in RC.initial_params()]
    opt = spec.cls(params, **spec.kwargs)

    def closure():
        for i, p in enumerate(params):
            RC.set_grad(p, RC.gradient(i, p._data.copy()))
        return loss_of([p._data for p in params])

    for _ in range(5):
        opt.step(closure)
    saved = opt.state_dict()
    restart = [p._data.copy() for p in params]
    for _ in range(5):
        opt.step(closure)
    uninterrupted = [p._data.copy() for p in params]
    params[:] = [RC.make_param(a) for a in restart]  # the closure now feeds these
    opt2 = spec.cls(params)
    opt2.load_state_dict(saved)
    for key, value in spec.kwargs.items():
        assert opt2.param_groups[0][key] == value
    for _ in range(5):
        opt2.step(closure)
    for p, expect in zip(params, uninterrupted):
        np.testing.assert_array_equal(p._data, expect)


@pytest.mark.parametrize("make,match", [
    (lambda p: optimizers.SGD(p, momentum=0.9, momentum_init="ones"),
     r"Invalid momentum_init value: 'ones' \(expected 'grad' or 'zero'\)"),
    (lambda p: optimizers.Rprop(p, variant="rprop"),
     r"Invalid variant value: 'rprop' \(expected one of 'rprop-', 'irprop-', 'rprop\+', "
     r"'irprop\+'\)"),
    (lambda p: optimizers.Rprop(p, variant=None), "Invalid variant value: None"),
    (lambda p: optimizers.NAdam(p, momentum_decay=-0.1), "Invalid momentum_decay value: -0.1"),
])
def test_bad_values_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make([RC.make_param(np.zeros(2))])


def test_bad_option_in_a_loaded_state_dict_changes_nothing():
    p = RC.make_param(np.ones(2))
    opt = optimizers.Rprop([p])
    RC.set_grad(p, np.ones(2))
    opt.step()
    saved = opt.state_dict()
    saved["param_groups"][0]["variant"] = "irprop"
    before = opt.state_dict()
    with pytest.raises(ValueError, match=r"param_groups\[0\]: Invalid variant value: 'irprop'"):
        opt.load_state_dict(saved)
    assert "variant" not in opt.param_groups[0]  # the default, unset (PyTorch's keys)
    np.testing.assert_array_equal(opt.state[p]["step_size"], before["state"][0]["step_size"])


def test_irprop_plus_without_closure_is_refused_before_any_change():
    p = RC.make_param(np.ones(2))
    opt = optimizers.Rprop([p], variant="irprop+")
    RC.set_grad(p, np.ones(2))
    with pytest.raises(RuntimeError, match=r"variant='irprop\+'.*step\(closure\)"):
        opt.step()
    assert p._data.tolist() == [1.0, 1.0] and not opt.state[p]
