"""PyTorch's ``torch.distributions.relaxed_bernoulli``: ``RelaxedBernoulli``,
``LogitRelaxedBernoulli``."""

from __future__ import annotations

import builtins
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _REAL, _UNIT
from autograd_core.distributions.distribution import _Distribution, _binary_params
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.transforms import SigmoidTransform
from autograd_core.distributions.utils import _as_params, _clamp_probs

__all__ = ["RelaxedBernoulli", "LogitRelaxedBernoulli"]


class _OverRelaxed:
    """``temperature``, ``probs`` and ``logits`` of the relaxed families that transform a
    ``LogitRelaxedBernoulli`` / ``ExpRelaxedCategorical`` (their ``base_dist``)."""

    base_dist: Any

    @property
    def temperature(self) -> Tensor:
        return self.base_dist.temperature  # type: ignore[no-any-return]

    @property
    def probs(self) -> Tensor:
        return self.base_dist.probs  # type: ignore[no-any-return]

    @property
    def logits(self) -> Tensor:
        return self.base_dist.logits  # type: ignore[no-any-return]


class LogitRelaxedBernoulli(_Distribution):
    r"""The logit of a ``RelaxedBernoulli`` draw, as
    ``torch.distributions.relaxed_bernoulli.LogitRelaxedBernoulli``: ``(logit(u) +
    logits) / temperature`` for ``u ~ Uniform(0, 1)``; its ``rsample`` is reparameterised
    (``has_rsample`` is False, as PyTorch's).

    Args:
        temperature (float or Tensor): the relaxation temperature (positive).
        probs (float or Tensor, optional): the probability of 1.
        logits (float or Tensor, optional): its log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
        >>> m = LogitRelaxedBernoulli(ag.tensor(0.5), probs=ag.tensor([0.3]))
        >>> m.log_prob(ag.tensor([0.0]))
        tensor([-2.2538])
    """

    probs: Tensor
    logits: Tensor
    arg_constraints = {"probs": _UNIT, "logits": _REAL}
    support = _REAL

    def __init__(self, temperature: Tensor | builtins.float,
                 probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._validate_arg = validate_args
        (self.temperature,) = _as_params(temperature)
        _binary_params(self, probs, logits)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        probs = _clamp_probs(self.probs.expand(shape))
        u = _clamp_probs(_ag.rand(shape, dtype=self.probs.dtype))
        return (u.log() - (-u).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    @property
    def param_shape(self) -> Size:
        return getattr(self, self._params[-1]).shape

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogitRelaxedBernoulli:
        shape = tuple(Size(batch_shape))
        name = self._params[-1]  # the parameter given: probs or logits
        new = LogitRelaxedBernoulli(self.temperature, validate_args=False,
                                    **{name: getattr(self, name).expand(shape)})
        new._validate = self._validate
        return new

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate:
            self._validate_sample(value)
        diff = self.logits - value * self.temperature
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(_OverRelaxed, TransformedDistribution):
    r"""The relaxed (concrete) Bernoulli distribution on ``(0, 1)`` with ``temperature``, as
    ``torch.distributions.RelaxedBernoulli``: ``sigmoid`` of a reparameterised logistic
    draw, so ``rsample`` is differentiable in ``probs`` / ``logits``.

    Args:
        temperature (float or Tensor): the relaxation temperature (positive).
        probs (float or Tensor, optional): the probability of 1.
        logits (float or Tensor, optional): its log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import RelaxedBernoulli
        >>> m = RelaxedBernoulli(ag.tensor(0.5), probs=ag.tensor([0.3]))
        >>> m.log_prob(ag.tensor([0.5]))
        tensor([-0.8675])
    """

    has_rsample = True  # type: ignore[assignment]
    support = _UNIT

    def __init__(self, temperature: Tensor | builtins.float,
                 probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        base = LogitRelaxedBernoulli(temperature, probs, logits, validate_args)
        super().__init__(base, SigmoidTransform(), validate_args)

    def __repr__(self) -> str:
        return "RelaxedBernoulli()"

    def expand(self, batch_shape: Any, _instance: Any = None) -> RelaxedBernoulli:
        shape = tuple(Size(batch_shape))
        return RelaxedBernoulli(self.temperature, logits=self.logits.expand(shape),
                                validate_args=self._validate)

