"""PyTorch's ``torch.distributions.constraint_registry``: ``biject_to``, ``transform_to``."""

from __future__ import annotations

import builtins
import numbers
from typing import Any

from autograd_core.distributions.constraints import Constraint
from autograd_core.distributions.transforms import (AffineTransform, CatTransform,
                                                    ComposeTransform, CorrCholeskyTransform,
                                                    ExpTransform,
                                                    IndependentTransform, LowerCholeskyTransform,
                                                    PositiveDefiniteTransform, SigmoidTransform,
                                                    SoftmaxTransform, StackTransform,
                                                    StickBreakingTransform, Transform)

__all__ = ["biject_to", "transform_to"]


def _to_unconstrained(constraint: Any, bijective: builtins.bool) -> Transform:
    if not isinstance(constraint, Constraint):
        raise NotImplementedError(f"Cannot transform {type(constraint).__name__} constraints")
    kind = repr(constraint).split("(")[0]
    if kind == "Real":
        return ComposeTransform([])
    if kind == "IndependentConstraint":
        base = _to_unconstrained(constraint.base_constraint, bijective)  # type: ignore[attr-defined]
        return IndependentTransform(base, constraint.reinterpreted_batch_ndims)  # type: ignore[attr-defined]
    if kind in ("GreaterThan", "GreaterThanEq"):
        return ComposeTransform([ExpTransform(),
                                 AffineTransform(constraint.lower_bound, 1)])  # type: ignore[attr-defined]
    if kind == "LessThan":
        return ComposeTransform([ExpTransform(),
                                 AffineTransform(constraint.upper_bound, -1)])  # type: ignore[attr-defined]
    if kind in ("Interval", "HalfOpenInterval"):
        lo, hi = constraint.lower_bound, constraint.upper_bound  # type: ignore[attr-defined]
        if isinstance(lo, numbers.Number) and isinstance(hi, numbers.Number) and lo == 0 and hi == 1:
            return SigmoidTransform()
        return ComposeTransform([SigmoidTransform(), AffineTransform(lo, hi - lo)])
    if kind == "Simplex":
        return StickBreakingTransform() if bijective else SoftmaxTransform()
    if kind == "LowerCholesky" and not bijective:
        return LowerCholeskyTransform()
    if kind in ("Cat", "Stack"):
        parts = [_to_unconstrained(c, bijective) for c in constraint.cseq]  # type: ignore[attr-defined]
        if kind == "Cat":
            return CatTransform(parts, constraint.dim, constraint.lengths)  # type: ignore[attr-defined]
        return StackTransform(parts, constraint.dim)  # type: ignore[attr-defined]
    if kind == "CorrCholesky":
        return CorrCholeskyTransform()
    if kind in ("PositiveDefinite", "PositiveSemidefinite") and not bijective:
        return PositiveDefiniteTransform()
    raise NotImplementedError(f"Cannot transform _{kind} constraints")


def biject_to(constraint: Any) -> Transform:
    """The bijection from unconstrained reals onto ``constraint``, as
    ``torch.distributions.biject_to`` (``Exp`` then ``Affine`` for lower/upper bounds,
    ``Sigmoid`` (then ``Affine``) for intervals, the identity for reals, an
    ``IndependentTransform`` for independent constraints). Variational code keeps a parameter
    unconstrained and maps it with this.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import biject_to, constraints
        >>> biject_to(constraints.positive)(ag.tensor([0.0]))
        tensor([1.])
    """
    return _to_unconstrained(constraint, True)


def transform_to(constraint: Any) -> Transform:
    """A map from unconstrained reals onto ``constraint`` (not necessarily bijective), as
    ``torch.distributions.transform_to``: the same maps as ``biject_to`` for the constraints
    here.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import transform_to, constraints
        >>> transform_to(constraints.interval(-1.0, 1.0))(ag.tensor([0.0]))
        tensor([0.])
    """
    return _to_unconstrained(constraint, False)
