"""Stochastic weight averaging (Izmailov et al., 2018) and EMA models, PyTorch's
``torch.optim.swa_utils``: ``AveragedModel`` keeps a running average of a model's weights,
``SWALR`` anneals each group's learning rate to a constant SWA rate, ``update_bn`` recomputes
batch-norm statistics for the averaged weights.

The averages are computed as PyTorch computes them on the CPU, so the numbers agree: SWA as
``avg + (p - avg) / (n_averaged + 1)``, EMA (``get_ema_multi_avg_fn``) as ATen's ``lerp`` with
weight ``1 - decay`` (each branch of ATen's CPU lerp one fused multiply-add).
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.kernels.optim import lerp_weight, numpy_lerp_
from nn.layers.normalization import _BatchNorm
from nn.module import Module
from optimizers.lr_scheduler import LRScheduler, _format_param, _warn_get_lr
from optimizers.optimizer import Optimizer

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]

_ParamList = Sequence[Tensor]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[[_ParamList, _ParamList, Any], None]:
    r"""Return a function updating a list of EMA parameters in place from the model's.

    :math:`W^{EMA}_{t+1} = decay \cdot W^{EMA}_t + (1 - decay) \cdot W^{model}_{t+1}`, computed
    as ATen's ``lerp`` with weight ``1 - decay`` for floating parameters (the same numbers as
    PyTorch). Pass it as ``AveragedModel(model, multi_avg_fn=...)``.

    Args:
        decay (float): the decay rate, in ``[0, 1]``. Default: ``0.999``.

    Example::

        >>> import autograd_core as ag
        >>> from optimizers.swa_utils import get_ema_multi_avg_fn
        >>> ema, p = ag.tensor([0.0, 1.0]), ag.tensor([1.0, 3.0])
        >>> get_ema_multi_avg_fn(0.75)([ema], [p], 1)
        >>> ema
        tensor([0.2500, 1.5000])
    """
    _check_decay(decay)

    def ema_update(ema_param_list: _ParamList, current_param_list: _ParamList, _: Any) -> None:
        for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
            if p_ema._data.dtype.kind in "fc":
                w, wc, small = lerp_weight(p_ema._data.dtype.type, 1 - decay)
                numpy_lerp_(p_ema._data, p_model._data, w, wc, small, fused=True)
                p_ema._bump_version()
            else:
                with ag.no_grad():
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable[[_ParamList, _ParamList, Any], None]:
    r"""Return a function updating a list of SWA parameters in place to the running mean.

    :math:`W^{SWA}_{n+1} = W^{SWA}_n + (W^{model} - W^{SWA}_n) / (n + 1)`, ``n`` the number of
    models averaged so far (the third argument). For floating parameters PyTorch computes it as
    ``lerp`` with weight ``1 / (n + 1)``, and so does this function.

    Example::

        >>> import autograd_core as ag
        >>> from optimizers.swa_utils import get_swa_multi_avg_fn
        >>> avg, p = ag.tensor([1.0, 2.0]), ag.tensor([4.0, 8.0])
        >>> get_swa_multi_avg_fn()([avg], [p], 2)
        >>> avg
        tensor([2., 4.])
    """

    def swa_update(averaged_param_list: _ParamList, current_param_list: _ParamList,
                   num_averaged: Tensor | int) -> None:
        # as PyTorch: a Tensor count gives a weight of the default float dtype (float32)
        weight = 1 / (num_averaged + 1)
        weight = weight.item() if isinstance(weight, Tensor) else weight
        for p_avg, p_model in zip(averaged_param_list, current_param_list, strict=True):
            if p_avg._data.dtype.kind in "fc":
                w, wc, small = lerp_weight(p_avg._data.dtype.type, weight)
                numpy_lerp_(p_avg._data, p_model._data, w, wc, small, fused=True)
                p_avg._bump_version()
            else:
                with ag.no_grad():
                    p_avg.copy_(p_avg + (p_model - p_avg) / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[[Tensor, Tensor, Any], Tensor]:
    r"""Return a function giving one parameter's next EMA value,
    ``decay * ema_param + (1 - decay) * current_param``.

    Pass it as ``AveragedModel(model, avg_fn=...)``.

    Args:
        decay (float): the decay rate, in ``[0, 1]``. Default: ``0.999``.

    Example::

        >>> import autograd_core as ag
        >>> from optimizers.swa_utils import get_ema_avg_fn
        >>> get_ema_avg_fn(0.5)(ag.tensor([0.0, 2.0]), ag.tensor([1.0, 4.0]), 3)
        tensor([0.5000, 3.0000])
    """
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with ag.no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable[[Tensor, Tensor, Any], Tensor]:
    r"""Return a function giving one parameter's next SWA value,
    ``averaged_param + (current_param - averaged_param) / (num_averaged + 1)``.

    Example::

        >>> import autograd_core as ag
        >>> from optimizers.swa_utils import get_swa_avg_fn
        >>> get_swa_avg_fn()(ag.tensor([1.0, 2.0]), ag.tensor([4.0, 8.0]), 2)
        tensor([2., 4.])
    """

    def swa_update(averaged_param: Tensor, current_param: Tensor,
                   num_averaged: Tensor | int) -> Tensor:
        with ag.no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    r"""A copy of a model whose parameters are an average of the model's over time (SWA or EMA).

    The constructor deep-copies ``model`` into ``self.module``; each
    ``update_parameters(model)`` copies the model's parameters on the first call and then
    averages them in with ``avg_fn`` (one parameter at a time) or ``multi_avg_fn`` (lists of
    parameters); with neither, the equal-weight SWA mean. ``n_averaged`` (an int64 buffer)
    counts the calls. Buffers (batch-norm statistics) are copied from ``model`` unless
    ``use_buffers=True``, which averages them with the parameters; otherwise call
    ``update_bn`` after training. Calling the averaged model runs ``self.module``.

    Args:
        model (Module): the model to average.
        device (device, optional): where to keep the copy. Default: ``None`` (as the model).
        avg_fn (callable, optional): ``avg_fn(averaged_param, model_param, n_averaged)``
            returning the new average of one parameter. Default: ``None``.
        multi_avg_fn (callable, optional): ``multi_avg_fn(averaged_params, model_params,
            n_averaged)`` updating lists of parameters in place. Default: ``None``.
        use_buffers (bool): average the buffers too (and keep ``module``'s buffers out of
            sync with ``model``'s). Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> from optimizers.swa_utils import AveragedModel
        >>> model = nn.Linear(1, 1, bias=False)
        >>> swa = AveragedModel(model)
        >>> for w in (1.0, 2.0, 6.0):
        ...     with ag.no_grad():
        ...         _ = model.weight.fill_(w)
        ...     swa.update_parameters(model)
        >>> swa.module.weight.data, swa.n_averaged
        (tensor([[3.]]), tensor(3))
    """

    def __init__(self, model: Module, device: Any = None,
                 avg_fn: Callable[[Tensor, Tensor, Any], Tensor] | None = None,
                 multi_avg_fn: Callable[[_ParamList, _ParamList, Any], None] | None = None,
                 use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", ag.tensor(0, dtype=ag.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the averaged copy, ``self.module(*args, **kwargs)``."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Average ``model``'s parameters (and buffers, with ``use_buffers``) into this
        model's, then add one to ``n_averaged``."""
        if self.use_buffers:
            mine = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            theirs = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            mine, theirs = list(self.parameters()), list(model.parameters())
        mine, theirs = mine[:len(theirs)], theirs[:len(mine)]  # zip's pairs, as PyTorch's
        averaged = [p.detach() for p in mine]
        current = [p.detach() for p in theirs]
        n = int(self.n_averaged.item())
        with ag.no_grad():
            if n == 0:
                for a, p in zip(averaged, current):
                    a.copy_(p)
            elif self.avg_fn is not None and self.multi_avg_fn is None:
                for a, p in zip(averaged, current):
                    a.copy_(self.avg_fn(a, p, self.n_averaged))
            else:  # PyTorch groups by device and dtype; one device here, and order is kept
                by_dtype: dict[Any, tuple[list[Tensor], list[Tensor]]] = {}
                for a, p in zip(averaged, current):
                    pair = by_dtype.setdefault(a.dtype, ([], []))
                    pair[0].append(a)
                    pair[1].append(p)
                for avg_list, cur_list in by_dtype.values():
                    if self.multi_avg_fn is not None:
                        self.multi_avg_fn(avg_list, cur_list, self.n_averaged)
                    else:  # on the CPU PyTorch takes the one-parameter form
                        swa = get_swa_avg_fn()
                        for a, p in zip(avg_list, cur_list):
                            a.copy_(swa(a, p, self.n_averaged))
            if not self.use_buffers:  # keep the buffers in sync with the source model
                for b_mine, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                    b_mine.copy_(b_model.detach())
            self.n_averaged.add_(1)


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    r"""Recompute the batch-norm running statistics of ``model`` with one pass over ``loader``.

    Each batch-norm layer's statistics are reset and then accumulated as a cumulative average
    (``momentum=None``) over the batches, in training mode; the layers' momenta and the
    model's mode are restored afterwards. A batch that is a list or tuple contributes its first
    element. Nothing happens if the model has no batch norm.

    Args:
        loader (iterable): the batches (a ``DataLoader``, a list of tensors, ...).
        model (Module): the model whose statistics to update.
        device (device, optional): moves each batch there before the forward pass.
            Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> from optimizers.swa_utils import update_bn
        >>> model = nn.BatchNorm1d(1)
        >>> update_bn([ag.tensor([[1.0], [3.0]]), ag.tensor([[5.0], [7.0]])], model)
        >>> model.running_mean, model.running_var
        (tensor([4.]), tensor([2.]))
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    try:
        with ag.no_grad():
            for input in loader:
                if isinstance(input, (list, tuple)):
                    input = input[0]
                if device is not None:
                    input = input.to(device)
                model(input)
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    r"""Anneal each group's learning rate to a fixed SWA learning rate, then hold it.

    Over ``anneal_epochs`` steps the rate moves from its current value to ``swa_lr``, along a
    cosine (``'cos'``) or a straight line (``'linear'``); PyTorch's recursive form is
    reproduced, so the sequence is PyTorch's number for number. Usually started when SWA
    begins, and stepped once per epoch. ``swa_lr`` is stored in each param group.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        swa_lr (float or list): the SWA learning rate, one for all groups or one per group.
        anneal_epochs (int): the number of annealing steps. Default: ``10``.
        anneal_strategy (str): ``'cos'`` or ``'linear'``. Default: ``'cos'``.
        last_epoch (int): the index of the last epoch. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers.swa_utils import SWALR
        >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = SWALR(opt, swa_lr=0.5, anneal_epochs=2, anneal_strategy="linear")
        >>> lrs = []
        >>> for _ in range(3):
        ...     opt.step()
        ...     sched.step()
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        >>> lrs
        [0.75, 0.5, 0.5]
    """

    _no_state = ("optimizer", "anneal_func")

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float],
                 anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1) -> None:
        for lr, group in zip(_format_param("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self) -> list[float]:
        """The learning rates of this step: the last ones moved one annealing step on."""
        _warn_get_lr(self)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        out = []
        for group in self.optimizer.param_groups:
            lr, swa_lr = group["lr"], group["swa_lr"]
            # the rate the annealing started from, undone from this group's current rate
            start = swa_lr if prev_alpha == 1 else (lr - prev_alpha * swa_lr) / (1 - prev_alpha)
            out.append(swa_lr * alpha + start * (1 - alpha))
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the scheduler from ``state_dict()`` (the annealing function from its name)."""
        super().load_state_dict(state_dict)
        self._set_anneal_func(self._anneal_strategy)
