"""PyTorch's ``torch.distributions.one_hot_categorical``: ``OneHotCategorical``,
``OneHotCategoricalStraightThrough``."""

from __future__ import annotations

import builtins
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.categorical import Categorical, _OverCategorical
from autograd_core.distributions.constraints import _ONE_HOT, _is_one_hot
from autograd_core.distributions.distribution import Distribution

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]


# ---- discrete and relaxed distributions (PyTorch's OneHotCategorical(StraightThrough),
# RelaxedBernoulli, RelaxedOneHotCategorical, Poisson, Binomial, Multinomial, Geometric) ------

class OneHotCategorical(_OverCategorical, Distribution):
    r"""A categorical distribution whose draws are one-hot vectors of length ``K``, as
    ``torch.distributions.OneHotCategorical`` (a ``Categorical`` underneath).

    Args:
        probs (Tensor, optional): event probabilities, shape ``batch_shape + (K,)``.
        logits (Tensor, optional): event log-odds, shape ``batch_shape + (K,)``.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import OneHotCategorical
        >>> m = OneHotCategorical(probs=ag.tensor([0.2, 0.8]))
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.mode
        (tensor(-0.2231), tensor([0., 1.]))
    """

    support = _ONE_HOT
    has_enumerate_support = True

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._categorical = Categorical(probs, logits, validate_args)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"  # PyTorch's: probs / logits are properties

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        shape = tuple(Size(batch_shape)) + tuple(self._event_shape)
        return type(self)(logits=self.logits.expand(shape), validate_args=self._validate)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        k = self._event_shape[0]
        return _ag.nn.functional.one_hot(self.probs.argmax(-1), k).to(self.probs.dtype)

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        k = self._event_shape[0]
        indices = self._categorical.sample(sample_shape)
        return _ag.nn.functional.one_hot(indices, k).to(self.probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_one_hot, _ONE_HOT)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self) -> Tensor:
        return self._categorical.entropy()

    def enumerate_support(self, expand: builtins.bool = True) -> Tensor:
        k = self._event_shape[0]
        values = _ag.eye(k, dtype=self.probs.dtype)
        values = values.reshape((k,) + (1,) * len(self._batch_shape) + (k,))
        if expand:
            values = values.expand((k,) + tuple(self._batch_shape) + (k,))
        return values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    r"""``OneHotCategorical`` with the straight-through gradient estimator: ``rsample`` is a
    one-hot draw whose gradient flows to ``probs`` as if it were ``probs``, as
    ``torch.distributions.OneHotCategoricalStraightThrough``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import OneHotCategoricalStraightThrough
        >>> p = ag.tensor([0.0, 1.0], requires_grad=True)
        >>> x = OneHotCategoricalStraightThrough(probs=p).rsample()
        >>> x
        tensor([0., 1.], grad_fn=<AddBackward0>)
    """

    has_rsample = True

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        draws = self.sample(sample_shape)
        probs = self.probs
        return draws + (probs - probs.detach())
