"""Cases shared by make_torch_reference.py (which runs them in PyTorch) and the tests (which run
them here): every algorithm/option combination and every scheduler, on fixed inputs.

Gradients come from a fixed deterministic function of the parameters computed in numpy
(grad_i = A_i @ p_i + b_i, A_i symmetric positive definite), fed identically to both
libraries, so the comparison does not depend on the autograd engine.
"""

from __future__ import annotations

import numpy as np

N_STEPS = 12
SHAPES = [(3, 4), (5,)]

OPT_CASES = [
    ("sgd", "SGD", dict(lr=0.1)),
    ("sgd_default", "SGD", dict()),
    ("sgd_momentum", "SGD", dict(lr=0.05, momentum=0.9)),
    ("sgd_dampening", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("sgd_nesterov", "SGD", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("sgd_wd", "SGD", dict(lr=0.05, weight_decay=0.1)),
    ("sgd_maximize", "SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("sgd_all", "SGD", dict(lr=0.03, momentum=0.7, weight_decay=0.05, nesterov=True,
                            maximize=True)),
    ("adagrad", "Adagrad", dict(lr=0.1)),
    ("adagrad_lr_decay", "Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("adagrad_wd", "Adagrad", dict(lr=0.1, weight_decay=0.1)),
    ("adagrad_init_acc", "Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-3)),
    ("adagrad_maximize", "Adagrad", dict(lr=0.05, maximize=True)),
    ("rmsprop", "RMSprop", dict(lr=0.01)),
    ("rmsprop_alpha", "RMSprop", dict(lr=0.01, alpha=0.3)),
    ("rmsprop_centered", "RMSprop", dict(lr=0.01, centered=True)),
    ("rmsprop_momentum", "RMSprop", dict(lr=0.01, momentum=0.9)),
    ("rmsprop_all", "RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5,
                                    weight_decay=0.1, eps=1e-4)),
    ("rmsprop_maximize", "RMSprop", dict(lr=0.01, maximize=True)),
    ("adadelta", "Adadelta", dict()),
    ("adadelta_opts", "Adadelta", dict(lr=0.5, rho=0.5, eps=1e-3)),
    ("adadelta_wd", "Adadelta", dict(weight_decay=0.1)),
    ("adadelta_maximize", "Adadelta", dict(maximize=True)),
    ("adam", "Adam", dict(lr=0.05)),
    ("adam_default", "Adam", dict()),
    ("adam_amsgrad", "Adam", dict(lr=0.05, amsgrad=True)),
    ("adam_wd", "Adam", dict(lr=0.05, weight_decay=0.1)),
    ("adam_decoupled", "Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("adam_betas", "Adam", dict(lr=0.05, betas=(0.3, 0.6), eps=1e-3)),
    ("adam_maximize", "Adam", dict(lr=0.05, maximize=True)),
    ("adam_all", "Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1, maximize=True,
                              betas=(0.6, 0.9))),
    ("adamw", "AdamW", dict(lr=0.05)),
    ("adamw_amsgrad", "AdamW", dict(lr=0.05, amsgrad=True, weight_decay=0.5)),
    ("adamax", "Adamax", dict()),
    ("adamax_opts", "Adamax", dict(lr=0.05, betas=(0.3, 0.5), eps=1e-3)),
    ("adamax_wd", "Adamax", dict(lr=0.05, weight_decay=0.1)),
    ("adamax_maximize", "Adamax", dict(lr=0.05, maximize=True)),
    ("nadam", "NAdam", dict()),
    ("nadam_opts", "NAdam", dict(lr=0.05, betas=(0.8, 0.9), momentum_decay=0.05)),
    ("nadam_wd", "NAdam", dict(lr=0.05, weight_decay=0.1)),
    ("nadam_decoupled", "NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("nadam_maximize", "NAdam", dict(lr=0.05, maximize=True)),
    ("radam", "RAdam", dict(lr=0.05)),
    ("radam_betas", "RAdam", dict(lr=0.05, betas=(0.8, 0.9))),
    ("radam_wd", "RAdam", dict(lr=0.05, weight_decay=0.1, betas=(0.8, 0.9))),
    ("radam_decoupled", "RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True,
                                      betas=(0.8, 0.9))),
    ("radam_maximize", "RAdam", dict(lr=0.05, maximize=True, betas=(0.8, 0.9))),
    ("rprop", "Rprop", dict()),
    ("rprop_opts", "Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08))),
    ("rprop_maximize", "Rprop", dict(lr=0.05, maximize=True)),
]

# Two param groups with different options (the first group's options are the constructor's).
GROUP_CASES = [
    ("groups_sgd", "SGD", dict(lr=0.05, momentum=0.9), dict(lr=0.1, momentum=0.0,
                                                            weight_decay=0.1)),
    ("groups_adam", "Adam", dict(lr=0.05), dict(lr=0.01, amsgrad=True, betas=(0.5, 0.7))),
]


def initial_params(dtype=np.float64):
    rng = np.random.default_rng(1234)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _problem():
    rng = np.random.default_rng(99)
    out = []
    for s in SHAPES:
        n = int(np.prod(s))
        q = rng.standard_normal((n, n))
        a = q @ q.T / n + 0.1 * np.eye(n)
        out.append((a, rng.standard_normal(n)))
    return out


_PROBLEM = _problem()


def gradient(i, p):
    """The gradient for parameter i at value p (same shape and dtype as p)."""
    a, b = _PROBLEM[i]
    x = np.asarray(p, dtype=np.float64).reshape(-1)
    return (a @ x + b).reshape(np.shape(p)).astype(np.asarray(p).dtype)


# Schedulers: (case id, optimizer kind, factory(S, opt) -> scheduler, steps, metrics or None).
# ``S`` is the scheduler module (torch.optim.lr_scheduler or optimizers.lr_scheduler).
PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86,
                   0.87, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]


def _lam(epoch):
    return 0.9**epoch + 0.01 * epoch


def _mult(epoch):
    return 0.95 if epoch % 2 else 0.99


SCHED_CASES = [
    ("lambda", "sgd", lambda S, o: S.LambdaLR(o, _lam), 25),
    ("lambda_list", "sgd", lambda S, o: S.LambdaLR(o, [_lam, lambda e: 1.0 / (1 + e)]), 25),
    ("multiplicative", "sgd", lambda S, o: S.MultiplicativeLR(o, _mult), 25),
    ("step", "sgd", lambda S, o: S.StepLR(o, step_size=4, gamma=0.5), 25),
    ("multistep", "sgd", lambda S, o: S.MultiStepLR(o, milestones=[3, 7, 7, 15], gamma=0.3), 25),
    ("constant", "sgd", lambda S, o: S.ConstantLR(o, factor=0.25, total_iters=6), 25),
    ("linear", "sgd", lambda S, o: S.LinearLR(o, start_factor=0.2, end_factor=0.9,
                                               total_iters=10), 25),
    ("exponential", "sgd", lambda S, o: S.ExponentialLR(o, gamma=0.87), 25),
    ("polynomial", "sgd", lambda S, o: S.PolynomialLR(o, total_iters=12, power=1.7), 25),
    ("cosine", "sgd", lambda S, o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.001), 25),
    ("cosine_warm", "sgd", lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                       eta_min=0.002), 25),
    ("cosine_warm_t1", "sgd", lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=4), 25),
    ("cyclic_tri", "sgd", lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
     25),
    ("cyclic_tri2", "sgd", lambda S, o: S.CyclicLR(o, base_lr=[0.01, 0.002], max_lr=0.1,
                                                    step_size_up=3, step_size_down=2,
                                                    mode="triangular2"), 25),
    ("cyclic_exp", "sgd", lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                   mode="exp_range", gamma=0.9), 25),
    ("cyclic_adam", "adam", lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                     cycle_momentum=False), 25),
    ("onecycle", "sgd", lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=25), 25),
    ("onecycle_linear", "adam", lambda S, o: S.OneCycleLR(
        o, max_lr=[0.3, 0.2], epochs=5, steps_per_epoch=5, anneal_strategy="linear",
        pct_start=0.4, div_factor=10.0, final_div_factor=100.0), 25),
    ("onecycle_three", "sgd", lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=25,
                                                         three_phase=True), 25),
    ("sequential", "sgd", lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=4),
            S.ExponentialLR(o, gamma=0.9)], milestones=[5]), 25),
    ("sequential3", "sgd", lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.5, total_iters=3), S.CosineAnnealingLR(o, T_max=6),
            S.StepLR(o, step_size=2, gamma=0.7)], milestones=[4, 10]), 25),
    ("chained", "sgd", lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.5, total_iters=4), S.ExponentialLR(o, gamma=0.9)]), 25),
    ("plateau", "sgd", lambda S, o: S.ReduceLROnPlateau(o, factor=0.5, patience=2), 25),
    ("plateau_max_abs", "sgd", lambda S, o: S.ReduceLROnPlateau(
        o, mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs", cooldown=2,
        min_lr=[0.01, 0.003]), 25),
]


def make_param(array):
    """A parameter for our optimizers: the engine's Tensor (its ._data is updated in place)."""
    from autograd_core import Tensor

    return Tensor._wrap(np.array(array, copy=True), requires_grad=True)


def set_grad(p, g):
    from autograd_core import Tensor

    g = Tensor._wrap(np.asarray(g))
    if g.dtype != p.dtype:  # assigning .grad another dtype is refused (PyTorch's); .data takes it
        p.grad = Tensor._wrap(np.zeros(p.shape, p._data.dtype))
        p.grad.data = g
    else:
        p.grad = g


def run_ours(algo, kwargs, dtype="float64", group2=None, n_steps=N_STEPS):
    """Our counterpart of make_torch_reference.run_torch_optimizer."""
    import optimizers

    params = [make_param(a) for a in initial_params(np.dtype(dtype))]
    cls = getattr(optimizers, algo)
    if group2 is None:
        opt = cls(params, **kwargs)
    else:
        opt = cls([{"params": [params[0]]}, dict(group2, params=[params[1]])], **kwargs)
    traj = []
    for _ in range(n_steps):
        for i, p in enumerate(params):
            set_grad(p, gradient(i, p._data.copy()))
        opt.step()
        traj.append(np.concatenate([p._data.reshape(-1).copy() for p in params]))
    state = {}
    for i, p in enumerate(params):
        for key, v in opt.state[p].items():
            state[(i, key)] = v
    return np.array(traj), state
