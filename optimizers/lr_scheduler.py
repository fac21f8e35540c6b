"""Learning-rate schedulers with PyTorch's classes, signatures and exact sequences.

Usage is PyTorch's: ``sched = StepLR(opt, step_size=30)``; each iteration/epoch
``opt.step(); sched.step()``; ``sched.get_last_lr()``. A scheduler writes ``group["lr"]`` (and,
for CyclicLR / OneCycleLR with ``cycle_momentum``, ``group["momentum"]`` or ``group["betas"]``).

PyTorch's chainable schedulers (MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR,
ExponentialLR, PolynomialLR, CosineAnnealingLR) update the *current* ``group["lr"]``
recursively, which is what lets ``ChainedScheduler`` compose them; we reproduce that recursion
exactly (same numbers as PyTorch, including CosineAnnealingLR's recursive form). The closed forms
live in ``optimizers.schedules`` as pure functions of the step; ``step(epoch)`` uses them as
PyTorch does. Schedules PyTorch lacks (``InverseTimeLR``, ``InverseSqrtLR``, ``HarmonicLR``) are
closed-form: ``lr = base_lr * factor(last_epoch)``.

Differences: no warning when ``scheduler.step()`` precedes ``optimizer.step()`` (PyTorch wraps
``optimizer.step`` to detect that); ``state_dict()`` holds only plain data (Counters become
dicts, callables are left out as PyTorch leaves out plain functions).
"""

from __future__ import annotations

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from typing import TYPE_CHECKING, Any

from autograd_core.tensor import Tensor
from optimizers import schedules as _S
from optimizers.optimizer import Optimizer

if TYPE_CHECKING:  # annotations only: dir() shows the names torch.optim.lr_scheduler's does
    from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "InverseTimeLR",
    "InverseSqrtLR",
    "HarmonicLR",
]


def _format_param(name, optimizer, param):
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(param)} values, param_groups has "
                             f"{len(optimizer.param_groups)}.")
        return list(param)
    return [param] * len(optimizer.param_groups)


def _group_values(optimizer, key):
    """``group[key]`` of every group, a tensor value cloned (so the list does not change when
    the scheduler next fills it in place), as PyTorch's ``_param_groups_val_list``."""
    return [v.clone() if isinstance(v := group[key], Tensor) else v
            for group in optimizer.param_groups]


def _lrs(optimizer):
    return _group_values(optimizer, "lr")


def _warn_get_lr(scheduler):
    """PyTorch's warning when a scheduler's ``get_lr()`` is called other than by ``step``."""
    if not scheduler._get_lr_called_within_step:
        warnings.warn("To get the last learning rate computed by the scheduler, please use "
                      "`get_last_lr()`.", UserWarning, stacklevel=3)


def _set_group_value(group, key, value):
    """``group[key] = value``, but a tensor hyperparameter (``lr`` given as a 0-d tensor) is
    filled in place and stays the same tensor, as PyTorch's ``_update_param_group_val``."""
    old = group[key]
    if isinstance(old, Tensor):
        old.fill_(float(value))
    else:
        group[key] = value


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _plain(value):
    """State-dict value as plain data (dicts, lists, tuples, scalars)."""
    if isinstance(value, Counter):
        return dict(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class LRScheduler:
    """Base class of the schedulers. Subclasses implement ``get_lr()`` (called with
    ``last_epoch`` already advanced); optional ``_get_closed_form_lr()`` is used by
    ``step(epoch)``.

    Constructing a scheduler performs its first ``step()`` (epoch 0), as PyTorch's do; call
    ``step()`` after each ``optimizer.step()``.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> class Halving(lr_scheduler.LRScheduler):
        ...     def get_lr(self):
        ...         return [base * 0.5 ** self.last_epoch for base in self.base_lrs]
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = Halving(opt)
        >>> opt.step()
        >>> sched.step()
        >>> sched.get_last_lr(), sched.last_epoch
        ([0.05], 1)
    """

    _is_initial = False
    _get_lr_called_within_step = False  # True while step() computes the rates (PyTorch's)
    _no_state: tuple[str, ...] = ("optimizer",)

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, _lrs(optimizer)):
                group.setdefault("initial_lr", lr)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   "when resuming scheduler with last_epoch >= 0.\n"
                                   "This typically happens when:\n"
                                   "1. You're trying to resume training from a checkpoint "
                                   "but haven't properly loaded the optimizer state\n"
                                   "2. You're using last_epoch >= 0 for a fresh training run "
                                   "(not recommended)")
        self.base_lrs = _group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates (one per group) set by the last ``step()``."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch "
                "1.1.0 and later, you should call them in the opposite order: "
                "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will "
                "result in PyTorch skipping the first value of the learning rate schedule. See "
                "more details at "
                "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn("The epoch parameter in `scheduler.step()` is deprecated (as in "
                          "PyTorch); the closed form is used where available.", UserWarning,
                          stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_get_closed_form_lr", None)
                values = closed() if closed is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        self._set_lrs(values)

    def _set_lrs(self, values):
        """Set each group's lr to its value in ``values``; nothing set if their numbers
        differ (a group added after the scheduler was made: PyTorch's zip(strict=True))."""
        groups = self.optimizer.param_groups
        if len(values) != len(groups):
            raise ValueError("scheduler produced a different number of learning rates than "
                             "the optimizer has param groups")
        for group, lr in zip(groups, values):
            _set_group_value(group, "lr", lr)
        self._last_lr = _lrs(self.optimizer)

    def state_dict(self) -> dict[str, Any]:
        return {k: _plain(v) for k, v in self.__dict__.items() if k not in self._no_state}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)


class _LRScheduler(LRScheduler):
    """PyTorch's pre-2.0 name of :class:`LRScheduler`, kept (as PyTorch keeps it) for
    schedulers written against it.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> class Constant(lr_scheduler._LRScheduler):
        ...     def get_lr(self):
        ...         return list(self.base_lrs)
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> isinstance(Constant(opt), lr_scheduler.LRScheduler)
        True
    """


class _LambdaBase(LRScheduler):
    _no_state = ("optimizer", "lr_lambdas")

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        if not isinstance(lr_lambda, (list, tuple)):
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        else:
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got "
                                 f"{len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        # As PyTorch: plain functions/lambdas are not saved; callable objects save __dict__.
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else
                               dict(getattr(fn, "__dict__", {})) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        lambdas = state_dict.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        self.__dict__.update(state_dict)
        for fn, saved in zip(self.lr_lambdas, lambdas):
            if saved is not None:
                fn.__dict__.update(saved)


class LambdaLR(_LambdaBase):
    r""":math:`\eta_t = \eta_0 \cdot \lambda(t)` (one lambda, or one per group).

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        lr_lambda (callable or list of callables): ``epoch -> factor``, or one per group.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.LambdaLR(opt, lr_lambda=lambda epoch: 0.5 ** epoch)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.05, 0.025, 0.0125, 0.0063]
    """

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaBase):
    r""":math:`\eta_t = \eta_{t-1} \cdot \lambda(t)` for :math:`t \ge 1`.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        lr_lambda (callable or list of callables): ``epoch -> factor``, or one per group.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.9)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.09, 0.081, 0.0729, 0.0656]
    """

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        if self._is_initial:
            return _lrs(self.optimizer)
        return [group["lr"] * fn(self.last_epoch)
                for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups)]


class StepLR(LRScheduler):
    r"""Multiply the lr by ``gamma`` every ``step_size`` steps (closed form
    ``schedules.step_lr``).

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        step_size (int): period of the decay, in steps.
        gamma (float): multiplicative factor. Default: ``0.1``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.1, 0.05, 0.05, 0.025]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [_S.step_lr(self.last_epoch, b, self.step_size, self.gamma) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    r"""Multiply the lr by ``gamma`` at each milestone (``gamma**k`` at a milestone listed k
    times).

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        milestones (iterable of int): the steps at which to decay.
        gamma (float): multiplicative factor. Default: ``0.1``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        if self.last_epoch not in self.milestones:
            return _lrs(self.optimizer)
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch]
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        ms = list(self.milestones.elements())
        return [_S.multistep_lr(self.last_epoch, b, ms, self.gamma) for b in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self.milestones = Counter(self.milestones)


class ConstantLR(LRScheduler):
    r""":math:`\eta_0 \cdot` ``factor`` for the first ``total_iters`` steps, then :math:`\eta_0`.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        factor (float): the multiplier until ``total_iters``. Default: ``1/3``.
        total_iters (int): steps with the reduced lr. Default: ``5``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=3)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.05, 0.05, 0.05, 0.1, 0.1]
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return _lrs(self.optimizer)
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [_S.constant_lr(self.last_epoch, b, self.factor, self.total_iters)
                for b in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Linear ramp of the multiplicative factor from ``start_factor`` to ``end_factor`` over
    ``total_iters`` steps.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        start_factor (float): the multiplier at the first step. Default: ``1/3``.
        end_factor (float): the multiplier from ``total_iters`` on. Default: ``1.0``.
        total_iters (int): length of the ramp, in steps. Default: ``5``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.025, 0.05, 0.075, 0.1, 0.1]
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and "
                             "less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _lrs(self.optimizer)
        d = self.end_factor - self.start_factor
        mult = 1.0 + d / (self.total_iters * self.start_factor + (self.last_epoch - 1) * d)
        return [group["lr"] * mult for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [_S.linear_lr(self.last_epoch, b, self.start_factor, self.end_factor,
                            self.total_iters) for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    r""":math:`\eta_t = \eta_{t-1}\gamma`.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        gamma (float): multiplicative factor per step.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(4):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.05, 0.025, 0.0125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        if self._is_initial:
            return _lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [_S.exponential_lr(self.last_epoch, b, self.gamma) for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    r""":math:`\eta_t = \eta_0(1 - \min(t,T)/T)^p`, applied recursively as PyTorch does.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        total_iters (int): steps until the lr reaches 0. Default: ``5``.
        power (float): the polynomial's power. Default: ``1.0``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.PolynomialLR(opt, total_iters=4, power=2.0)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.0563, 0.025, 0.0062, 0.0, 0.0]
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        if self._is_initial or self.last_epoch > self.total_iters:
            return _lrs(self.optimizer)
        decay = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [group["lr"] * decay for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [_S.polynomial_lr(self.last_epoch, b, self.total_iters, self.power)
                for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from :math:`\eta_0` to ``eta_min`` over ``T_max`` steps (SGDR without
    restarts), in PyTorch's recursive form:

    .. math::
        \eta_t = \eta_{min} + (\eta_{t-1} - \eta_{min})
                 \frac{1 + \cos(\pi t/T_{max})}{1 + \cos(\pi (t-1)/T_{max})}

    (and :math:`\eta_t = \eta_{t-1} + (\eta_0-\eta_{min})(1-\cos(\pi/T_{max}))/2` where the
    denominator would vanish). Alone it equals ``schedules.cosine_annealing_lr`` up to
    rounding; under ChainedScheduler it follows the externally modified lr, as PyTorch's.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        T_max (int): half period, in steps.
        eta_min (float): the lowest lr. Default: ``0.0``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.CosineAnnealingLR(opt, T_max=4)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.0854, 0.05, 0.0146, 0.0, 0.0146]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        groups = self.optimizer.param_groups
        t, T, emin = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return _lrs(self.optimizer)
        if self._step_count == 1 and t > 0:
            return [emin + (b - emin) * (1 + math.cos(t * math.pi / T)) / 2
                    for b in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            return [g["lr"] + (b - emin) * (1 - math.cos(math.pi / T)) / 2
                    for b, g in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (g["lr"] - emin) + emin for g in groups]

    def _get_closed_form_lr(self):
        return [_S.cosine_annealing_lr(self.last_epoch, b, self.T_max, self.eta_min)
                for b in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""SGDR (Loshchilov & Hutter, 2017): cosine annealing restarted every :math:`T_i` steps,
    :math:`T_0` then multiplied by ``T_mult`` (``schedules.cosine_annealing_warm_restarts``).

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        T_0 (int): steps until the first restart.
        T_mult (int): factor growing :math:`T_i` after each restart. Default: ``1``.
        eta_min (float): the lowest lr. Default: ``0.0``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3)
        >>> lrs = []
        >>> for epoch in range(7):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.075, 0.025, 0.1, 0.075, 0.025, 0.1]
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        return [self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i))
                / 2 for b in self.base_lrs]

    def step(self, epoch: int | None = None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** (n)
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        self._set_lrs(values)


def _momentum_key_setup(scheduler, optimizer, base_momentum, max_momentum, last_epoch):
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` "
                         "option enabled")
    scheduler.use_beta1 = "betas" in optimizer.defaults
    maxs = _format_param("max_momentum", optimizer, max_momentum)
    bases = _format_param("base_momentum", optimizer, base_momentum)
    if last_epoch == -1:
        for m, b, group in zip(maxs, bases, optimizer.param_groups):
            _set_momentum(scheduler, group, m)
            group["max_momentum"] = m
            group["base_momentum"] = b
    return bases, maxs


def _set_momentum(scheduler, group, value):
    if scheduler.use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


class CyclicLR(LRScheduler):
    r"""Cyclical learning rates (Smith, 2017), momentum cycled inversely
    (``schedules.cyclic_lr``). Modes ``triangular``, ``triangular2``, ``exp_range`` or a
    custom ``scale_fn`` with ``scale_mode`` ``"cycle"``/``"iterations"``.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        base_lr (float or list): lower lr boundary (per group if a list).
        max_lr (float or list): upper lr boundary (per group if a list).
        step_size_up (int): steps in the increasing half of a cycle. Default: ``2000``.
        step_size_down (int, optional): steps in the decreasing half. Default: ``step_size_up``.
        mode (str): ``'triangular'``, ``'triangular2'`` or ``'exp_range'``.
            Default: ``'triangular'``.
        gamma (float): ``exp_range``'s factor ``gamma ** iterations``. Default: ``1.0``.
        scale_fn (callable, optional): custom amplitude scaling (overrides ``mode``).
        scale_mode (str): ``'cycle'`` or ``'iterations'``: the argument of ``scale_fn``.
            Default: ``'cycle'``.
        cycle_momentum (bool): cycle momentum (or Adam's beta1) inversely. Default: ``True``.
        base_momentum (float or list): lower momentum boundary. Default: ``0.8``.
        max_momentum (float or list): upper momentum boundary. Default: ``0.9``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=2)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.01, 0.055, 0.1, 0.055, 0.01, 0.055]
    """

    _no_state = ("optimizer", "_scale_fn_custom")

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float],
                 max_lr: float | list[float], step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular", gamma: float = 1.0,
                 scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float | list[float] = 0.8,
                 max_momentum: float | list[float] = 0.9, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        base_lrs = _format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                _set_group_value(group, "lr", lr)
        self.max_lrs = _format_param("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down  # the cycle as PyTorch keeps it (and its state dict holds)
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        if scale_fn is None:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = _momentum_key_setup(
                self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        ratio = self.step_ratio
        scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        x = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [b + (m - b) * scale * self.scale_fn(x)
               for b, m in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, b, m in zip(self.optimizer.param_groups, self.base_momentums,
                                   self.max_momentums):
                _set_momentum(self, group, m - (m - b) * scale * self.scale_fn(x))
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As PyTorch's: ``_scale_fn_custom`` is None unless ``scale_fn`` is a callable object
        (not a function or lambda), whose attributes (``__dict__``) are then saved."""
        state = super().state_dict()
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = (fn.__dict__.copy() if fn is not None and
                                     not isinstance(fn, types.FunctionType) else None)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        fn_state = state_dict.pop("_scale_fn_custom", None)
        # a state dict saved by tapegrad before 2026-12 holds the two halves of the cycle
        state_dict.pop("step_size_up", None)
        state_dict.pop("step_size_down", None)
        super().load_state_dict(state_dict)
        if fn_state is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(fn_state)


_PHASE_KEYS = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin, 2018), momentum cycled inversely
    (``schedules.one_cycle_lr``).

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        max_lr (float or list): peak lr (per group if a list).
        total_steps (int, optional): steps in the cycle; else ``epochs * steps_per_epoch``.
        epochs (int, optional): with ``steps_per_epoch``, gives ``total_steps``.
        steps_per_epoch (int, optional): with ``epochs``, gives ``total_steps``.
        pct_start (float): share of the cycle spent increasing the lr. Default: ``0.3``.
        anneal_strategy (str): ``'cos'`` or ``'linear'``. Default: ``'cos'``.
        cycle_momentum (bool): cycle momentum (or Adam's beta1) inversely. Default: ``True``.
        base_momentum (float or list): lower momentum boundary. Default: ``0.85``.
        max_momentum (float or list): upper momentum boundary. Default: ``0.95``.
        div_factor (float): initial lr is ``max_lr / div_factor``. Default: ``25.0``.
        final_div_factor (float): final lr is ``initial_lr / final_div_factor``.
            Default: ``1e4``.
        three_phase (bool): a third phase annihilates the lr (fast.ai's variant).
            Default: ``False``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=6)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.004, 0.0994, 0.0812, 0.0463, 0.0133, 0.0]
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError("Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        # dicts with PyTorch's keys: its state dicts (and so its checkpoints) hold them so
        self._schedule_phases: list[dict[str, Any]] = [
            dict(zip(_PHASE_KEYS, phase))
            for phase in _S.one_cycle_phases(self.total_steps, pct_start, three_phase)]
        self._anneal_func_type = anneal_strategy
        max_lrs = _format_param("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for m, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = m / div_factor
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _momentum_key_setup(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        anneal = _S.anneal_cos if self._anneal_func_type == "cos" else _S.anneal_linear
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"Tried to step {t} times. The specified number of total steps is "
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            phases = self._schedule_phases
            for i, phase in enumerate(phases):
                end = phase["end_step"]
                if t <= end or i == len(phases) - 1:
                    pct = (t - start) / (end - start)
                    lr = anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        _set_momentum(self, group, anneal(group[phase["start_momentum"]],
                                                          group[phase["end_momentum"]], pct))
                    break
                start = end
            lrs.append(lr)
        return lrs

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        phases = state_dict.get("_schedule_phases")
        if phases and not isinstance(phases[0], dict):  # saved by tapegrad before 2026-12
            state_dict = dict(state_dict, _schedule_phases=[dict(zip(_PHASE_KEYS, phase))
                                                            for phase in phases])
        super().load_state_dict(state_dict)


def _check_schedulers(owner, schedulers, optimizer):
    """What ``SequentialLR`` and ``ChainedScheduler`` (``owner``) ask of each scheduler they
    are given, in PyTorch's words: an ``optimizer``, ``optimizer`` itself, not a plateau one."""
    for i, s in enumerate(schedulers):
        if not hasattr(s, "optimizer"):
            raise TypeError(f"{owner} at index {i} should have `optimizer` as its attribute.")
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(f"{owner} does not support `ReduceLROnPlateau` scheduler (got one "
                             f"at index {i}).")
        if s.optimizer is not optimizer:
            raise ValueError(f"{owner} expects all schedulers to belong to the same optimizer, "
                             f"but scheduler at index {i} does not.")


class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after another, switching at ``milestones`` (PyTorch's
    semantics: at a milestone the next scheduler restarts from its epoch 0).

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        schedulers (list of LRScheduler): the schedulers, in order.
        milestones (list of int): the steps at which to switch to the next scheduler.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> warmup = lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=2)
        >>> decay = lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> sched = lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[2])
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.01, 0.01, 0.1, 0.05, 0.025]
    """

    _no_state = ("optimizer", "_schedulers")

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler], milestones: list[int],
                 last_epoch: int = -1) -> None:
        if len(schedulers) < 1:
            raise ValueError("SequentialLR expects at least one scheduler, but got no scheduler.")
        _check_schedulers("SequentialLR", schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("Sequential Schedulers expects number of schedulers provided to be "
                             "one more than the number of milestone points, but got number of "
                             f"schedulers {len(schedulers)} and the number of milestones to be "
                             f"equal to {len(milestones)}")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            _set_group_value(group, "lr", group["initial_lr"])
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def recursive_undo(self, sched: LRScheduler | None = None) -> None:
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]  # PyTorch's signature
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        subs = state_dict.pop("_schedulers")
        self.__dict__.update(state_dict)
        for s, sd in zip(self._schedulers, subs):
            s.load_state_dict(sd)


class ChainedScheduler(SequentialLR):
    """Step every scheduler in ``schedulers`` at each ``step()`` (their effects compose).

    Args:
        schedulers (sequence of LRScheduler): chainable schedulers of one optimizer.
        optimizer (Optimizer, optional): that optimizer (checked). Default: the schedulers'.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
        >>> a = lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=2)
        >>> b = lr_scheduler.ExponentialLR(opt, gamma=0.9)
        >>> sched = lr_scheduler.ChainedScheduler([a, b])
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.09, 0.81, 0.729, 0.6561]
    """

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler to be chained, but "
                             "got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = _lrs(self._schedulers[-1].optimizer)

    def step(self) -> None:  # type: ignore[override]  # PyTorch's signature
        for s in self._schedulers:
            s.step()
        self._last_lr = _lrs(self._schedulers[-1].optimizer)


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when ``metrics`` passed to ``step(metrics)`` has not
    improved (by ``threshold``, relative or absolute) for more than ``patience`` steps; then wait
    ``cooldown`` steps. Never below ``min_lr``; changes smaller than ``eps`` are skipped.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        mode (str): ``'min'`` (the metric should fall) or ``'max'``. Default: ``'min'``.
        factor (float): multiplier of the lr on a plateau (< 1). Default: ``0.1``.
        patience (int): steps without improvement tolerated. Default: ``10``.
        threshold (float): the least change counted as an improvement. Default: ``1e-4``.
        threshold_mode (str): ``'rel'`` or ``'abs'``. Default: ``'rel'``.
        cooldown (int): steps to wait after a reduction. Default: ``0``.
        min_lr (float or list): the lowest lr (per group if a list). Default: ``0``.
        eps (float): smaller lr changes are skipped. Default: ``1e-8``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
        >>> lrs = []
        >>> for val_loss in [1.0, 0.9, 0.9, 0.9, 0.9, 0.9]:
        ...     opt.step()
        ...     sched.step(val_loss)
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        >>> lrs  # the same as torch.optim.lr_scheduler
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.025]
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list[float] = 0, eps: float = 1e-8) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got "
                                 f"{len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _lrs(optimizer)
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: float, epoch: int | None = None  # type: ignore[override]
             ) -> None:  # PyTorch's signature
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _lrs(self.optimizer)

    def _reduce_lr(self):
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` "
                    f"({len(self.optimizer.param_groups)}) differs from when "
                    f"`ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), usually due to "
                    "a new param group being added to the optimizer. Please modify the "
                    "`min_lrs` field to match the length of the `optimizer` param groups.")
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for i, group in enumerate(self.optimizer.param_groups):
            old = float(group["lr"])
            new = max(old * self.factor, self.min_lrs[i])
            if old - new > self.eps:
                _set_group_value(group, "lr", new)

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in {"min", "max"}:
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


class _ClosedFormLR(LRScheduler):
    """``lr = base_lr * factor(last_epoch)`` (not chainable: ignores the current lr)."""

    def _factor(self, t):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_lr(self) -> list[float]:
        _warn_get_lr(self)
        f = self._factor(self.last_epoch)
        return [b * f for b in self.base_lrs]

    _get_closed_form_lr = get_lr


class InverseTimeLR(_ClosedFormLR):
    r"""Inverse-time decay, ``schedules.inverse_time_lr``:
    :math:`\eta_t = \eta_0 / (1 + k\,t/s)`. Not in PyTorch.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        decay_rate (float): the :math:`k` above.
        decay_steps (int): the :math:`s` above. Default: ``1``.
        staircase (bool): use ``floor(t / s)`` (decay in steps). Default: ``False``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.InverseTimeLR(opt, decay_rate=1.0, decay_steps=2)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs
        [0.1, 0.0667, 0.05, 0.04, 0.0333]
    """

    def __init__(self, optimizer: Optimizer, decay_rate: float, decay_steps: int = 1,
                 staircase: bool = False, last_epoch: int = -1) -> None:
        if decay_rate < 0:
            raise ValueError(f"Invalid decay_rate value: {decay_rate}")
        if decay_steps <= 0:
            raise ValueError(f"Invalid decay_steps value: {decay_steps}")
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
        self.staircase = staircase
        super().__init__(optimizer, last_epoch)

    def _factor(self, t):
        return _S.inverse_time_lr(t, 1.0, self.decay_rate, self.decay_steps, self.staircase)


class InverseSqrtLR(_ClosedFormLR):
    r"""Inverse-square-root decay with linear warmup, ``schedules.inverse_sqrt_lr``:
    :math:`\eta_t = \eta_0 \min((t+1)/w, \sqrt{w/(t+1)})`. Not in PyTorch.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        warmup_steps (int): the :math:`w` above (``0``: no warmup). Default: ``0``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.InverseSqrtLR(opt, warmup_steps=2)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs
        [0.05, 0.1, 0.0816, 0.0707, 0.0632, 0.0577]
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int = 0, last_epoch: int = -1) -> None:
        if warmup_steps < 0:
            raise ValueError(f"Invalid warmup_steps value: {warmup_steps}")
        self.warmup_steps = warmup_steps
        super().__init__(optimizer, last_epoch)

    def _factor(self, t):
        return _S.inverse_sqrt_lr(t, 1.0, self.warmup_steps)


class HarmonicLR(_ClosedFormLR):
    r"""Harmonic (Robbins–Monro) schedule, ``schedules.harmonic_lr``:
    :math:`\eta_t = \eta_0 t_0/(t_0 + t)`; with ``t0=1`` the k-th step (k = t+1) uses
    :math:`\eta_0/k`. Not in PyTorch.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        t0 (float): the :math:`t_0` above. Default: ``1.0``.
        last_epoch (int): index of the last epoch, ``-1`` to start afresh. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers import lr_scheduler
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.HarmonicLR(opt)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> lrs
        [0.1, 0.05, 0.0333, 0.025, 0.02]
    """

    def __init__(self, optimizer: Optimizer, t0: float = 1.0, last_epoch: int = -1) -> None:
        if t0 <= 0:
            raise ValueError(f"Invalid t0 value: {t0}")
        self.t0 = t0
        super().__init__(optimizer, last_epoch)

    def _factor(self, t):
        return _S.harmonic_lr(t, 1.0, self.t0)
