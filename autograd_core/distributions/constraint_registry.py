"""PyTorch's ``torch.distributions.constraint_registry``: ``ConstraintRegistry``,
``biject_to``, ``transform_to``."""

from __future__ import annotations

import builtins
import numbers
from typing import Any

from autograd_core.distributions import constraints as _c
from autograd_core.distributions.constraints import Constraint
from autograd_core.distributions.transforms import (AffineTransform, CatTransform,
                                                    ComposeTransform, CorrCholeskyTransform,
                                                    ExpTransform,
                                                    IndependentTransform, LowerCholeskyTransform,
                                                    PositiveDefiniteTransform, SigmoidTransform,
                                                    SoftmaxTransform, StackTransform,
                                                    StickBreakingTransform, Transform)

__all__ = ["ConstraintRegistry", "biject_to", "transform_to"]


def _registry(bijective: builtins.bool) -> ConstraintRegistry:
    """``biject_to`` or ``transform_to``: the parts of a composite constraint are looked up
    there, so a user's registration serves inside ``independent``/``cat``/``stack``."""
    return biject_to if bijective else transform_to


def _to_unconstrained(constraint: Any, bijective: builtins.bool) -> Transform:
    if not isinstance(constraint, Constraint):
        raise NotImplementedError(f"Cannot transform {type(constraint).__name__} constraints")
    kind = repr(constraint).split("(")[0]
    if kind == "Real":
        return ComposeTransform([])
    if kind == "IndependentConstraint":
        base = _registry(bijective)(constraint.base_constraint)  # type: ignore[attr-defined]
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
        parts = [_registry(bijective)(c) for c in constraint.cseq]  # type: ignore[attr-defined]
        if kind == "Cat":
            return CatTransform(parts, constraint.dim, constraint.lengths)  # type: ignore[attr-defined]
        return StackTransform(parts, constraint.dim)  # type: ignore[attr-defined]
    if kind == "CorrCholesky":
        return CorrCholeskyTransform()
    if kind in ("PositiveDefinite", "PositiveSemidefinite") and not bijective:
        return PositiveDefiniteTransform()
    raise NotImplementedError(f"Cannot transform _{kind} constraints")


# the constraint factories here are functions (PyTorch's are classes): registered by kind
_FACTORY_KIND = {_c.greater_than: "GreaterThan", _c.greater_than_eq: "GreaterThanEq",
                 _c.less_than: "LessThan", _c.interval: "Interval",
                 _c.half_open_interval: "HalfOpenInterval", _c.independent: "IndependentConstraint",
                 _c.integer_interval: "IntegerInterval", _c.cat: "Cat", _c.stack: "Stack",
                 _c.multinomial: "Multinomial"}


def _kind(constraint: Any) -> Any:
    """The registry key: a user's Constraint subclass by its type (as PyTorch's), the
    constraints of this package by kind (the name their repr starts with)."""
    if isinstance(constraint, type):
        return constraint
    if not isinstance(constraint, Constraint):
        return _FACTORY_KIND.get(constraint, constraint)
    if type(constraint).__module__ == _c.__name__:
        return repr(constraint).split("(")[0]
    return type(constraint)


class ConstraintRegistry:
    """Maps constraints to transforms, as ``torch.distributions.constraint_registry.
    ConstraintRegistry``: ``register(constraint, factory)`` (or as a decorator) adds a
    ``factory(constraint) -> Transform`` for a ``Constraint`` subclass (or one of
    ``constraints``' objects or factories), and calling the registry finds it; ``biject_to``
    and ``transform_to`` are two such registries with PyTorch's maps.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import ExpTransform, biject_to, constraints
        >>> class MyPositive(constraints.Constraint):
        ...     def check(self, value):
        ...         return value > 0
        >>> @biject_to.register(MyPositive)
        ... def _(constraint):
        ...     return ExpTransform()
        >>> biject_to(MyPositive())(ag.tensor([0.0]))
        tensor([1.])
    """

    def __init__(self, _default: Any = None) -> None:
        self._registry: dict[Any, Any] = {}
        self._default = _default

    def register(self, constraint: Any, factory: Any = None) -> Any:
        """Registers ``factory`` for ``constraint``; without ``factory``, a decorator."""
        if factory is None:
            return lambda factory: self.register(constraint, factory)
        if isinstance(constraint, type) and not issubclass(constraint, Constraint):
            raise TypeError(f"Expected constraint to be either a Constraint subclass or "
                            f"instance, but got {constraint}")
        self._registry[_kind(constraint)] = factory
        return factory

    def __call__(self, constraint: Any) -> Transform:
        factory = self._registry.get(_kind(constraint))
        if factory is not None:
            return factory(constraint)
        if self._default is None:
            raise NotImplementedError(f"Cannot transform {type(constraint).__name__} constraints")
        return self._default(constraint)


def _biject_to(constraint: Any) -> Transform:
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


def _transform_to(constraint: Any) -> Transform:
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


biject_to = ConstraintRegistry(_biject_to)
biject_to.__doc__ = _biject_to.__doc__
transform_to = ConstraintRegistry(_transform_to)
transform_to.__doc__ = _transform_to.__doc__
