"""Learning-rate schedules as pure functions of the step.

Each function maps the scheduler step ``t`` (``last_epoch``: 0 right after construction,
incremented by every ``scheduler.step()``) and a base learning rate to the learning rate, in
closed form. The ``lr_scheduler`` classes use these where PyTorch uses a closed form and for
the schedules PyTorch lacks; for PyTorch's chainable schedules they reproduce PyTorch's recursive
update (which agrees with these functions up to rounding when the schedule is used alone).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable

__all__ = [
    "step_lr",
    "multistep_lr",
    "constant_lr",
    "linear_lr",
    "exponential_lr",
    "polynomial_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "cyclic_lr",
    "one_cycle_lr",
    "inverse_time_lr",
    "inverse_sqrt_lr",
    "harmonic_lr",
]


def step_lr(t: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    r""":math:`\eta_t = \eta_0 \gamma^{\lfloor t / s \rfloor}`.

    Example::

        >>> from optimizers.schedules import step_lr
        >>> round(step_lr(5, 0.1, step_size=2, gamma=0.5), 4)
        0.025
    """
    return base_lr * gamma ** (t // step_size)


def multistep_lr(t: int, base_lr: float, milestones: Iterable[int], gamma: float = 0.1) -> float:
    r""":math:`\eta_t = \eta_0 \gamma^{\#\{m \le t\}}` (a repeated milestone counts twice).

    Example::

        >>> from optimizers.schedules import multistep_lr
        >>> round(multistep_lr(3, 0.1, milestones=[2, 4]), 4)
        0.01
    """
    return base_lr * gamma ** bisect_right(sorted(milestones), t)


def constant_lr(t: int, base_lr: float, factor: float = 1.0 / 3, total_iters: int = 5) -> float:
    r""":math:`\eta_t = \eta_0 f` for :math:`t < T`, then :math:`\eta_0`.

    Example::

        >>> from optimizers.schedules import constant_lr
        >>> round(constant_lr(1, 0.1, factor=0.5, total_iters=3), 4)
        0.05
    """
    return base_lr * (factor + (t >= total_iters) * (1 - factor))


def linear_lr(t: int, base_lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
              total_iters: int = 5) -> float:
    r""":math:`\eta_t = \eta_0 (f_s + (f_e - f_s)\min(t, T)/T)`.

    Example::

        >>> from optimizers.schedules import linear_lr
        >>> round(linear_lr(1, 0.1, start_factor=0.25, total_iters=3), 4)
        0.05
    """
    return base_lr * (start_factor
                      + (end_factor - start_factor) * min(total_iters, t) / total_iters)


def exponential_lr(t: int, base_lr: float, gamma: float) -> float:
    r""":math:`\eta_t = \eta_0 \gamma^t`.

    Example::

        >>> from optimizers.schedules import exponential_lr
        >>> round(exponential_lr(2, 0.1, gamma=0.5), 4)
        0.025
    """
    return base_lr * gamma**t


def polynomial_lr(t: int, base_lr: float, total_iters: int = 5, power: float = 1.0) -> float:
    r""":math:`\eta_t = \eta_0 (1 - \min(t, T)/T)^p`.

    Example::

        >>> from optimizers.schedules import polynomial_lr
        >>> round(polynomial_lr(1, 0.1, total_iters=4, power=2.0), 4)
        0.0563
    """
    return base_lr * (1.0 - min(total_iters, t) / total_iters) ** power


def cosine_annealing_lr(t: int, base_lr: float, T_max: int, eta_min: float = 0.0) -> float:
    r""":math:`\eta_t = \eta_{min} + (\eta_0 - \eta_{min})(1 + \cos(\pi t / T_{max}))/2`
    (SGDR without restarts, Loshchilov & Hutter 2017; periodic with period :math:`2T_{max}`).

    Example::

        >>> from optimizers.schedules import cosine_annealing_lr
        >>> round(cosine_annealing_lr(2, 0.1, T_max=4), 4)
        0.05
    """
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def _warm_restart_position(t, T_0, T_mult):
    """(T_cur, T_i) at step t of SGDR with first period T_0 and period multiplier T_mult."""
    if t < T_0:
        return t, T_0
    if T_mult == 1:
        return t % T_0, T_0
    n = int(math.log(t / T_0 * (T_mult - 1) + 1, T_mult))
    return t - T_0 * (T_mult**n - 1) / (T_mult - 1), T_0 * T_mult**n


def cosine_annealing_warm_restarts(t: int, base_lr: float, T_0: int, T_mult: int = 1,
                                   eta_min: float = 0.0) -> float:
    r"""SGDR: :math:`\eta_{min} + (\eta_0 - \eta_{min})(1 + \cos(\pi T_{cur}/T_i))/2`, where the
    period :math:`T_i` starts at :math:`T_0` and is multiplied by :math:`T_{mult}` at every
    restart and :math:`T_{cur}` counts steps since the last restart.

    Example::

        >>> from optimizers.schedules import cosine_annealing_warm_restarts
        >>> round(cosine_annealing_warm_restarts(4, 0.1, T_0=3), 4)
        0.075
    """
    T_cur, T_i = _warm_restart_position(t, T_0, T_mult)
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2


def cyclic_position(t: int, step_size_up: float,
                    step_size_down: float | None = None) -> tuple[int, float]:
    """(cycle, scale_factor in [0, 1]) of CyclicLR at step t."""
    up = float(step_size_up)
    down = float(step_size_down) if step_size_down is not None else up
    total = up + down
    ratio = up / total
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    return cycle, scale


def cyclic_lr(t: int, base_lr: float, max_lr: float, step_size_up: float = 2000,
              step_size_down: float | None = None, mode: str = "triangular",
              gamma: float = 1.0) -> float:
    r"""Cyclical learning rate (Smith, 2017): linear ramps between ``base_lr`` and ``max_lr``,
    amplitude scaled by 1 (triangular), :math:`2^{1-c}` (triangular2, cycle :math:`c`) or
    :math:`\gamma^t` (exp_range).

    Example::

        >>> from optimizers.schedules import cyclic_lr
        >>> round(cyclic_lr(1, 0.01, 0.1, step_size_up=2), 4)
        0.055
    """
    cycle, scale = cyclic_position(t, step_size_up, step_size_down)
    height = (max_lr - base_lr) * scale
    if mode == "triangular":
        return base_lr + height * 1.0
    if mode == "triangular2":
        return base_lr + height * (1 / (2.0 ** (cycle - 1)))
    if mode == "exp_range":
        return base_lr + height * gamma**t
    raise ValueError(f"unknown mode {mode!r}")


def anneal_cos(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def anneal_linear(start: float, end: float, pct: float) -> float:
    return (end - start) * pct + start


def one_cycle_phases(total_steps: int, pct_start: float = 0.3,
                     three_phase: bool = False) -> list[tuple[float, str, str, str, str]]:
    """PyTorch's OneCycleLR phases: (end_step, start key, end key, start mom key, end mom key)."""
    if three_phase:
        return [
            (float(pct_start * total_steps) - 1, "initial_lr", "max_lr", "max_momentum",
             "base_momentum"),
            (float(2 * pct_start * total_steps) - 2, "max_lr", "initial_lr", "base_momentum",
             "max_momentum"),
            (total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
        ]
    return [
        (float(pct_start * total_steps) - 1, "initial_lr", "max_lr", "max_momentum",
         "base_momentum"),
        (total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
    ]


def one_cycle_lr(t: int, max_lr: float, total_steps: int, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False) -> float:
    r"""1cycle (Smith & Topin, 2018): from ``max_lr/div_factor`` up to ``max_lr`` over
    ``pct_start`` of the steps, then down to ``initial_lr/final_div_factor`` (cosine or linear
    annealing; ``three_phase`` goes back to the initial lr before the final descent).

    Example::

        >>> from optimizers.schedules import one_cycle_lr
        >>> round(one_cycle_lr(1, 0.1, total_steps=6), 4)
        0.0994
    """
    values = {"initial_lr": max_lr / div_factor, "max_lr": max_lr}
    values["min_lr"] = values["initial_lr"] / final_div_factor
    anneal = anneal_cos if anneal_strategy == "cos" else anneal_linear
    phases = one_cycle_phases(total_steps, pct_start, three_phase)
    start = 0.0
    for i, (end, a, b, _, _) in enumerate(phases):
        if t <= end or i == len(phases) - 1:
            return anneal(values[a], values[b], (t - start) / (end - start))
        start = end
    raise AssertionError("unreachable")


def inverse_time_lr(t: int, base_lr: float, decay_rate: float, decay_steps: int = 1,
                    staircase: bool = False) -> float:
    r"""Inverse-time decay :math:`\eta_t = \eta_0 / (1 + k\,t/s)` (``k`` = ``decay_rate``,
    ``s`` = ``decay_steps``; with ``staircase``, :math:`\lfloor t/s \rfloor` instead of
    :math:`t/s`). Not in PyTorch.

    Example::

        >>> from optimizers.schedules import inverse_time_lr
        >>> round(inverse_time_lr(2, 0.1, decay_rate=1.0, decay_steps=2), 4)
        0.05
    """
    x = t // decay_steps if staircase else t / decay_steps
    return base_lr / (1 + decay_rate * x)


def inverse_sqrt_lr(t: int, base_lr: float, warmup_steps: int = 0) -> float:
    r"""Inverse-square-root decay with linear warmup (Vaswani et al., 2017, up to scale):
    with :math:`n = t + 1` and :math:`w` = ``warmup_steps``,
    :math:`\eta_t = \eta_0 \min(n/w, \sqrt{w/n})` — linear from :math:`\eta_0/w` to
    :math:`\eta_0` over the first :math:`w` steps, then :math:`\eta_0\sqrt{w/n}`. With
    :math:`w = 0`: :math:`\eta_0/\sqrt{n}`. Not in PyTorch.

    Example::

        >>> from optimizers.schedules import inverse_sqrt_lr
        >>> round(inverse_sqrt_lr(3, 0.1, warmup_steps=2), 4)
        0.0707
    """
    n = t + 1
    if warmup_steps <= 0:
        return base_lr / math.sqrt(n)
    return base_lr * min(n / warmup_steps, math.sqrt(warmup_steps / n))


def harmonic_lr(t: int, base_lr: float, t0: float = 1.0) -> float:
    r"""Harmonic (Robbins–Monro) schedule :math:`\eta_t = \eta_0\, t_0 / (t_0 + t)`: with the
    default :math:`t_0 = 1` it is :math:`\eta_0/(t+1)`, i.e. :math:`\eta_0/k` at the k-th
    step counted from 1. :math:`\sum_t \eta_t = \infty` and :math:`\sum_t \eta_t^2 < \infty`,
    the classical conditions for stochastic-approximation convergence. Not in PyTorch.

    Example::

        >>> from optimizers.schedules import harmonic_lr
        >>> round(harmonic_lr(4, 0.1), 4)
        0.02
    """
    return base_lr * t0 / (t0 + t)
