"""PyTorch's ``torch.distributions.relaxed_categorical``: ``RelaxedOneHotCategorical``,
``ExpRelaxedCategorical``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.categorical import Categorical, _OverCategorical
from autograd_core.distributions.constraints import _REAL_VECTOR, _SIMPLEX
from autograd_core.distributions.relaxed_bernoulli import _OverRelaxed
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.transforms import ExpTransform
from autograd_core.distributions.utils import _clamp_probs

__all__ = ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"]


class ExpRelaxedCategorical(_OverCategorical, Distribution):
    r"""The log of a ``RelaxedOneHotCategorical`` draw, as
    ``torch.distributions.relaxed_categorical.ExpRelaxedCategorical``: ``log_softmax((logits
    + Gumbel noise) / temperature)``, reparameterised.

    Args:
        temperature (float or Tensor): the relaxation temperature (positive).
        probs (Tensor, optional): category probabilities, shape ``batch_shape + (K,)``.
        logits (Tensor, optional): their log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.relaxed_categorical import ExpRelaxedCategorical
        >>> m = ExpRelaxedCategorical(ag.tensor(0.5), probs=ag.tensor([0.3, 0.7]))
        >>> m.event_shape, m.log_prob(ag.tensor([0.4, 0.6]).log())
        (autograd_core.Size([2]), tensor(-2.1816))
    """

    arg_constraints = {"probs": _SIMPLEX, "logits": _REAL_VECTOR}
    support = _REAL_VECTOR
    has_rsample = True

    def __init__(self, temperature: Tensor | builtins.float, probs: Tensor | None = None,
                 logits: Tensor | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._categorical = Categorical(probs, logits, validate_args)
        self.temperature = temperature if isinstance(temperature, Tensor) else _ag.tensor(
            builtins.float(temperature), dtype=self._categorical.logits.dtype)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        logits = self._categorical.logits
        u = _clamp_probs(_ag.rand(self._extended_shape(sample_shape), dtype=logits.dtype))
        scores = (logits - (-u.log()).log()) / self.temperature
        return scores - scores.logsumexp(-1, keepdim=True)

    def expand(self, batch_shape: Any, _instance: Any = None) -> ExpRelaxedCategorical:
        shape = tuple(Size(batch_shape)) + tuple(self._event_shape)
        new = ExpRelaxedCategorical(self.temperature, logits=self.logits.expand(shape),
                                    validate_args=False)
        new._validate = self._validate
        return new

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate:
            self._validate_sample(value)
        k = self._event_shape[0]
        t = self.temperature
        log_scale = math.lgamma(k) + (k - 1) * t.log()
        score = self._categorical.logits - value * t
        return (score - score.logsumexp(-1, keepdim=True)).sum(-1) + log_scale


class RelaxedOneHotCategorical(_OverRelaxed, TransformedDistribution):
    r"""The relaxed one-hot categorical (Gumbel-softmax / concrete) distribution on the
    simplex with ``temperature``, as ``torch.distributions.RelaxedOneHotCategorical``:
    ``softmax((logits + Gumbel noise) / temperature)``, reparameterised.

    Args:
        temperature (float or Tensor): the relaxation temperature (positive).
        probs (Tensor, optional): category probabilities, shape ``batch_shape + (K,)``.
        logits (Tensor, optional): their log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import RelaxedOneHotCategorical
        >>> m = RelaxedOneHotCategorical(ag.tensor(0.5), probs=ag.tensor([0.3, 0.7]))
        >>> m.log_prob(ag.tensor([0.4, 0.6]))
        tensor(-0.7544)
    """

    has_rsample = True  # type: ignore[assignment]
    support = _SIMPLEX

    def __init__(self, temperature: Tensor | builtins.float, probs: Tensor | None = None,
                 logits: Tensor | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args)
        super().__init__(base, ExpTransform(), validate_args)

    def __repr__(self) -> str:
        return "RelaxedOneHotCategorical()"

    def expand(self, batch_shape: Any, _instance: Any = None) -> RelaxedOneHotCategorical:
        shape = tuple(Size(batch_shape)) + tuple(self._event_shape)
        return RelaxedOneHotCategorical(self.temperature, logits=self.logits.expand(shape),
                                        validate_args=self._validate)

