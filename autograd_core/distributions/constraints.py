"""PyTorch's ``torch.distributions.constraints``: ``Constraint``."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Tensor


# Constraints: PyTorch's ``distributions.constraints`` objects (the repr is the text PyTorch's
# messages show; ``check`` answers per element / per event).

class Constraint:
    """A set values may lie in, as ``torch.distributions.constraints.Constraint``:
    ``check(value)`` is a bool Tensor (one per event of ``event_dim`` dimensions) and the
    repr is PyTorch's (it names the constraint in error messages).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import constraints
        >>> constraints.positive, constraints.positive.check(ag.tensor([-1.0, 2.0]))
        (GreaterThan(lower_bound=0.0), tensor([False,  True]))
    """

    is_discrete = False
    event_dim = 0
    _text: str | None = None  # (a user's subclass need not call __init__, as in PyTorch)
    _predicate: Any = None

    def __init__(self, text: str | None = None, predicate: Any = None,
                 event_dim: builtins.int = 0, is_discrete: builtins.bool = False) -> None:
        self._text, self._predicate = text, predicate
        self.event_dim, self.is_discrete = event_dim, is_discrete

    @property
    def _checkable(self) -> builtins.bool:
        """Whether ``_ok`` can answer: a predicate, or a user's subclass with its own check."""
        return self._predicate is not None or type(self).check is not Constraint.check

    def _ok(self, v: np.ndarray) -> np.ndarray:
        if self._predicate is not None:
            return self._predicate(v)
        if self._checkable:  # a user's subclass: its own check
            ok = self.check(_ag.tensor(v))
            return ok._data if isinstance(ok, Tensor) else np.asarray(ok)
        raise NotImplementedError

    def check(self, value: Tensor) -> Tensor:
        """Whether each event of ``value`` satisfies the constraint."""
        return _ag.tensor(np.asarray(self._ok(value._data), dtype=np.bool_))

    def __repr__(self) -> str:
        # PyTorch's default drops the first letter of the class name (its classes start "_")
        return self._text if self._text is not None else type(self).__name__[1:] + "()"


class _Dependent(Constraint):
    """A placeholder for a set that depends on other values (no check), as PyTorch's
    ``constraints.dependent``: ``is_discrete`` / ``event_dim`` raise unless given."""

    def __init__(self, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented) -> None:
        self._text, self._predicate = "Dependent()", None
        self._is_discrete, self._event_dim = is_discrete, event_dim

    @property
    def is_discrete(self) -> builtins.bool:  # type: ignore[override]
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self) -> builtins.int:  # type: ignore[override]
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented) -> _Dependent:
        """``dependent(is_discrete=True, event_dim=1)``: one with those attributes known."""
        return _Dependent(
            is_discrete=self._is_discrete if is_discrete is NotImplemented else is_discrete,
            event_dim=self._event_dim if event_dim is NotImplemented else event_dim)

    def check(self, value: Tensor) -> Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")

    @property
    def _checkable(self) -> builtins.bool:
        return False


class _DependentProperty(property, _Dependent):
    """A property that is also a dependent constraint, as PyTorch's
    ``constraints.dependent_property``: a distribution's ``support`` or ``arg_constraints``
    entry computed from its parameters.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Distribution, constraints
        >>> class Box(Distribution):
        ...     def __init__(self, high):
        ...         self.high = high
        ...         super().__init__()
        ...     @constraints.dependent_property(is_discrete=False, event_dim=0)
        ...     def support(self):
        ...         return constraints.interval(0.0, self.high)
        >>> Box(2.0).support, constraints.is_dependent(Box.support)
        (Interval(lower_bound=0.0, upper_bound=2.0), True)
    """

    def __init__(self, fn: Any = None, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented) -> None:
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)
        self._text = "DependentProperty()"

    def __call__(self, fn: Any) -> _DependentProperty:  # type: ignore[override]
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


def is_dependent(constraint: Any) -> builtins.bool:
    """Whether ``constraint`` is ``dependent`` (or a ``dependent_property``), as PyTorch's.

    Example::

        >>> from autograd_core.distributions import constraints
        >>> constraints.is_dependent(constraints.dependent), constraints.is_dependent(
        ...     constraints.positive)
        (True, False)
    """
    return isinstance(constraint, _Dependent)


class MixtureSameFamilyConstraint(Constraint):
    """The support of a ``MixtureSameFamily``: ``base_constraint`` (the components') checked
    for every component, as ``torch.distributions.constraints.MixtureSameFamilyConstraint``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import constraints
        >>> c = constraints.MixtureSameFamilyConstraint(constraints.positive)
        >>> c, c.check(ag.tensor([1.0, -1.0]))
        (MixtureSameFamilyConstraint(GreaterThan(lower_bound=0.0)), tensor([ True, False]))
    """

    def __init__(self, base_constraint: Constraint) -> None:
        if not isinstance(base_constraint, Constraint):
            raise AssertionError(f"base_constraint must be a Constraint, got "
                                 f"{type(base_constraint).__name__}")
        self.base_constraint = base_constraint
        self._text = f"MixtureSameFamilyConstraint({base_constraint!r})"
        self._predicate = self._mixture_ok if base_constraint._checkable else None

    @property
    def is_discrete(self) -> builtins.bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> builtins.int:  # type: ignore[override]
        return self.base_constraint.event_dim

    def _mixture_ok(self, v: np.ndarray) -> np.ndarray:
        n = self.event_dim
        if v.ndim < n:
            raise ValueError(f"Expected value.dim() >= {n} but got {v.ndim}")
        r = np.asarray(self.base_constraint._ok(np.expand_dims(v, -1 - n)))
        return np.asarray(r.reshape(r.shape[:v.ndim - n] + (-1,)).all(-1))


def _cat(cseq: Any, dim: builtins.int = 0, lengths: Any = None) -> Constraint:
    """PyTorch's ``constraints.cat``: ``cseq[i]`` on the ``i``-th slice (of ``lengths[i]``,
    default 1) of dimension ``dim``."""
    cseq = list(cseq)
    lengths = [1] * len(cseq) if lengths is None else list(lengths)
    if len(lengths) != len(cseq):
        raise AssertionError(f"Length mismatch: {len(lengths)} != {len(cseq)}")

    def ok(v: np.ndarray) -> np.ndarray:
        bounds = np.cumsum([0] + lengths)
        parts = [np.asarray(c._ok(np.take(v, np.arange(a, b), axis=dim)))
                 for c, a, b in zip(cseq, bounds[:-1], bounds[1:])]
        return np.concatenate(parts, dim)
    return _with(Constraint("Cat()", ok, max(c.event_dim for c in cseq),
                            any(c.is_discrete for c in cseq)),
                 cseq=cseq, lengths=lengths, dim=dim)


def _stack(cseq: Any, dim: builtins.int = 0) -> Constraint:
    """PyTorch's ``constraints.stack``: ``cseq[i]`` on the ``i``-th entry of dimension
    ``dim``."""
    cseq = list(cseq)

    def ok(v: np.ndarray) -> np.ndarray:
        return np.stack([np.asarray(c._ok(np.take(v, i, axis=dim)))
                         for i, c in enumerate(cseq)], dim)
    return _with(Constraint("Stack()", ok, max(c.event_dim for c in cseq),
                            any(c.is_discrete for c in cseq)), cseq=cseq, dim=dim)


def _multinomial(upper_bound: Any) -> Constraint:
    """PyTorch's ``constraints.multinomial``: nonnegative counts summing to at most
    ``upper_bound``."""
    return _with(Constraint("Multinomial()", lambda v: np.all(v >= 0, axis=-1)
                            & (v.sum(-1) <= upper_bound), 1, True), upper_bound=upper_bound)


def _is_real(v: np.ndarray) -> np.ndarray:
    return ~np.isnan(v)


def _is_positive(v: np.ndarray) -> np.ndarray:
    return v > 0


def _is_nonnegative(v: np.ndarray) -> np.ndarray:
    return v >= 0


def _is_count(v: np.ndarray) -> np.ndarray:
    return (v % 1 == 0) & (v >= 0)


def _is_one_hot(v: np.ndarray) -> np.ndarray:
    return np.all((v == 0) | (v == 1), axis=-1) & (v.sum(-1) == 1)


def _on_simplex(v: np.ndarray) -> np.ndarray:
    return np.all(v >= 0, axis=-1) & (np.abs(v.sum(-1) - 1) < 1e-6)


def _with(c: Constraint, **attrs: Any) -> Constraint:
    """``c`` with PyTorch's public attributes (``lower_bound``, ``base_constraint``, ...)."""
    c.__dict__.update(attrs)
    return c


def _greater_than(lower_bound: Any) -> Constraint:
    return _with(Constraint(f"GreaterThan(lower_bound={lower_bound})",
                            lambda v: v > _values(lower_bound)), lower_bound=lower_bound)


def _greater_than_eq(lower_bound: Any) -> Constraint:
    return _with(Constraint(f"GreaterThanEq(lower_bound={lower_bound})",
                            lambda v: v >= _values(lower_bound)), lower_bound=lower_bound)


def _less_than(upper_bound: Any) -> Constraint:
    return _with(Constraint(f"LessThan(upper_bound={upper_bound})",
                            lambda v: v < _values(upper_bound)), upper_bound=upper_bound)


def _values(bound: Any) -> Any:
    """A bound as the checks compare it: a Tensor's array (PyTorch allows tensor bounds)."""
    return bound._data if isinstance(bound, Tensor) else bound


def _interval(lower_bound: Any, upper_bound: Any) -> Constraint:
    lo, hi = _values(lower_bound), _values(upper_bound)
    return _with(Constraint(f"Interval(lower_bound={lower_bound}, upper_bound={upper_bound})",
                            lambda v: (v >= lo) & (v <= hi)),
                 lower_bound=lower_bound, upper_bound=upper_bound)


def _half_open_interval(lower_bound: Any, upper_bound: Any) -> Constraint:
    return _with(Constraint(f"HalfOpenInterval(lower_bound={lower_bound}, upper_bound="
                            f"{upper_bound})",
                            lambda v: (v >= _values(lower_bound)) & (v < _values(upper_bound))),
                 lower_bound=lower_bound, upper_bound=upper_bound)


def _integer_interval(lower_bound: Any, upper_bound: Any) -> Constraint:
    return Constraint(f"IntegerInterval(lower_bound={lower_bound}, upper_bound={upper_bound})",
                      lambda v: ((v % 1 == 0) & (v >= _values(lower_bound))
                                 & (v <= _values(upper_bound))),
                      is_discrete=True)


def _independent(base: Constraint, reinterpreted_batch_ndims: builtins.int) -> Constraint:
    n = reinterpreted_batch_ndims

    def ok(v: np.ndarray) -> np.ndarray:
        r = base._ok(v)
        return np.all(r, axis=tuple(range(-n, 0))) if n else r
    return _with(Constraint(f"IndependentConstraint({base!r}, {n})", ok, base.event_dim + n,
                            base.is_discrete),
                 base_constraint=base, reinterpreted_batch_ndims=n)


def _is_lower_cholesky(v: np.ndarray) -> np.ndarray:
    diag = np.diagonal(v, axis1=-2, axis2=-1)
    return np.all(np.triu(v, 1) == 0, axis=(-2, -1)) & np.all(diag > 0, axis=-1)




def _is_lower_triangular(v: np.ndarray) -> np.ndarray:
    # compared with its own lower triangle, as PyTorch's: a nan anywhere fails
    return np.all(np.tril(v) == v, axis=(-2, -1))


def _is_corr_cholesky(v: np.ndarray) -> np.ndarray:
    """Lower Cholesky with rows of unit norm (to ``10 n eps``, PyTorch's tolerance)."""
    tol = np.finfo(v.dtype).eps * v.shape[-1] * 10 if v.dtype.kind == "f" else 0.0
    unit_rows = np.all(np.abs(np.linalg.norm(v, axis=-1) - 1) <= tol, axis=-1)
    return _is_lower_cholesky(v) & unit_rows


def _is_square(v: np.ndarray) -> np.ndarray:
    return np.full(v.shape[:-2], v.shape[-2] == v.shape[-1], dtype=np.bool_)


def _is_symmetric(v: np.ndarray) -> np.ndarray:
    if v.shape[-2] != v.shape[-1]:
        return _is_square(v)
    return np.all(np.isclose(v, np.swapaxes(v, -1, -2), atol=1e-6), axis=(-2, -1))


def _is_positive_semidefinite(v: np.ndarray) -> np.ndarray:
    sym = _is_symmetric(v)
    if not sym.all():
        return sym
    return np.all(np.linalg.eigvalsh(v) >= 0, axis=-1)


def _is_positive_definite(v: np.ndarray) -> np.ndarray:
    """Symmetric (PyTorch's ``atol=1e-6``; not square: False) with positive eigenvalues."""
    sym = _is_symmetric(v)
    if not sym.all():
        return sym
    with np.errstate(invalid="ignore"):
        eig = np.linalg.eigvalsh(v)
    return np.all(eig > 0, axis=-1)


_REAL = Constraint("Real()", _is_real)
_POSITIVE = _greater_than(0.0)
_NONNEGATIVE = _greater_than_eq(0.0)
_UNIT = _interval(0.0, 1.0)
_NONNEGATIVE_INTEGER = Constraint("IntegerGreaterThan(lower_bound=0)", _is_count,
                                  is_discrete=True)
_SIMPLEX = Constraint("Simplex()", _on_simplex, 1)
_ONE_HOT = Constraint("OneHot()", _is_one_hot, 1, True)
_BOOLEAN = Constraint("Boolean()", lambda v: (v == 0) | (v == 1), is_discrete=True)
_REAL_VECTOR = _independent(_REAL, 1)
_LOWER_CHOLESKY = Constraint("LowerCholesky()", _is_lower_cholesky, 2)
_POSITIVE_DEFINITE = Constraint("PositiveDefinite()", _is_positive_definite, 2)
_CORR_CHOLESKY = Constraint("CorrCholesky()", _is_corr_cholesky, 2)

_CONSTRAINTS = {
    "Constraint": Constraint, "real": _REAL, "positive": _POSITIVE,
    "nonnegative": _NONNEGATIVE, "unit_interval": _UNIT,
    "nonnegative_integer": _NONNEGATIVE_INTEGER,
    "positive_integer": Constraint("IntegerGreaterThan(lower_bound=1)",
                                   lambda v: (v % 1 == 0) & (v >= 1), is_discrete=True),
    "simplex": _SIMPLEX, "one_hot": _ONE_HOT, "boolean": _BOOLEAN, "real_vector": _REAL_VECTOR,
    "greater_than": _greater_than, "greater_than_eq": _greater_than_eq,
    "less_than": _less_than, "interval": _interval, "half_open_interval": _half_open_interval,
    "integer_interval": _integer_interval, "independent": _independent,
    "lower_cholesky": _LOWER_CHOLESKY, "positive_definite": _POSITIVE_DEFINITE,
    "lower_triangular": Constraint("LowerTriangular()", _is_lower_triangular, 2),
    "corr_cholesky": _CORR_CHOLESKY,
    "square": Constraint("Square()", _is_square, 2),
    "symmetric": Constraint("Symmetric()", _is_symmetric, 2),
    "positive_semidefinite": Constraint("PositiveSemidefinite()", _is_positive_semidefinite, 2),
    "dependent": _Dependent(), "dependent_property": _DependentProperty,
    "is_dependent": is_dependent, "MixtureSameFamilyConstraint": MixtureSameFamilyConstraint,
    "cat": _cat, "stack": _stack, "multinomial": _multinomial,
}

# PyTorch's public names of the constraints above
real, positive, nonnegative, unit_interval = _REAL, _POSITIVE, _NONNEGATIVE, _UNIT
nonnegative_integer, positive_integer = _NONNEGATIVE_INTEGER, _CONSTRAINTS["positive_integer"]
simplex, one_hot, boolean, real_vector = _SIMPLEX, _ONE_HOT, _BOOLEAN, _REAL_VECTOR
greater_than, greater_than_eq, less_than = _greater_than, _greater_than_eq, _less_than
interval, half_open_interval, integer_interval = _interval, _half_open_interval, _integer_interval
independent = _independent
lower_cholesky, positive_definite = _LOWER_CHOLESKY, _POSITIVE_DEFINITE
corr_cholesky = _CORR_CHOLESKY
lower_triangular = _CONSTRAINTS["lower_triangular"]
square, symmetric = _CONSTRAINTS["square"], _CONSTRAINTS["symmetric"]
positive_semidefinite = _CONSTRAINTS["positive_semidefinite"]
dependent, dependent_property = _CONSTRAINTS["dependent"], _DependentProperty
cat, stack, multinomial = _cat, _stack, _multinomial

__all__ = list(_CONSTRAINTS)
