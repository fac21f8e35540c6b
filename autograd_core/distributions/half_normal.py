"""PyTorch's ``torch.distributions.half_normal``: ``HalfNormal``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import (_NONNEGATIVE, _POSITIVE, _is_nonnegative,
                                                     _is_positive)
from autograd_core.distributions.normal import Normal
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.transforms import AbsTransform
from autograd_core.distributions.utils import _as_params

__all__ = ["HalfNormal"]


class _Folded(TransformedDistribution):
    """``|X|`` for ``X`` of a family symmetric about 0 (``_base(0, scale)``): what
    ``HalfNormal`` and ``HalfCauchy`` share, as PyTorch writes each of them."""

    _params = ("scale",)
    arg_constraints = {"scale": _POSITIVE}
    support = _NONNEGATIVE
    has_rsample = True  # type: ignore[assignment]
    _base: Any = None

    def __init__(self, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        (scale,) = _as_params(scale)
        base = self._base(_ag.zeros_like(scale), scale, validate_args=False)
        super().__init__(base, AbsTransform(), validate_args)
        self._check_param("scale", scale, _is_positive(scale._data), _POSITIVE)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        return type(self)(self.scale.expand(tuple(Size(batch_shape))), self._validate)

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mode(self) -> Tensor:
        return _ag.zeros_like(self.scale)

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_nonnegative, _NONNEGATIVE)
        lp = self.base_dist.log_prob(value) + math.log(2)
        return _ag.where(value >= 0, lp, -math.inf)

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_nonnegative, _NONNEGATIVE)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob: Tensor) -> Tensor:
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() - math.log(2)


class HalfNormal(_Folded):
    r"""The distribution of ``|X|`` for ``X ~ Normal(0, scale)``, as
    ``torch.distributions.HalfNormal``.

    Args:
        scale (float or Tensor): the scale of the normal (positive).
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import HalfNormal
        >>> m = HalfNormal(1.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.cdf(ag.tensor(1.0))
        (tensor([-0.2258, -0.7258]), tensor(0.6827))
    """

    _base = Normal

    @property
    def mean(self) -> Tensor:
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self) -> Tensor:
        return self.scale.pow(2) * (1 - 2 / math.pi)
