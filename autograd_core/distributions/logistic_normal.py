"""PyTorch's ``torch.distributions.logistic_normal``: ``LogisticNormal``."""

from __future__ import annotations

import builtins

from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import _POSITIVE, _REAL, _SIMPLEX
from autograd_core.distributions.normal import Normal
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.transforms import StickBreakingTransform

__all__ = ["LogisticNormal"]


class LogisticNormal(TransformedDistribution):
    r"""The distribution on the simplex of ``StickBreakingTransform()(X)`` for ``X`` a vector
    of independent ``Normal(loc, scale)``, as ``torch.distributions.LogisticNormal``: the
    last dimension of ``loc``/``scale`` (``K``) is the event, a draw has ``K + 1`` entries
    summing to 1; ``rsample`` is reparameterised.

    Args:
        loc (float or Tensor): the means of the normals.
        scale (float or Tensor): their standard deviations (positive).
        validate_args (bool, optional): check the parameters (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import LogisticNormal
        >>> m = LogisticNormal(ag.zeros(2), ag.ones(2))
        >>> m.event_shape, m.log_prob(ag.tensor([0.2, 0.3, 0.5]))
        (autograd_core.Size([3]), tensor(1.2980))
    """

    arg_constraints = {"loc": _REAL, "scale": _POSITIVE}
    support = _SIMPLEX
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        base = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:
            base = base.expand([1])
        super().__init__(base, StickBreakingTransform(), validate_args)

    @property
    def loc(self) -> Tensor:
        return self.base_dist.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.base_dist.scale
