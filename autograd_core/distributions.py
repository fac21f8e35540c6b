"""``autograd_core.distributions``: probability distributions, as ``torch.distributions``.

The ``Distribution`` base class (subclass it) and ``register_kl``; continuous ``Normal``,
``Uniform``, ``Beta``, ``Gamma``, ``Chi2``, ``Laplace``, ``Exponential``, ``LogNormal``,
``HalfNormal``, ``Cauchy``, ``Gumbel``, ``StudentT``, ``Dirichlet``, ``MultivariateNormal``,
``LowRankMultivariateNormal``, ``Weibull``, ``Pareto``, ``Kumaraswamy``, ``VonMises``; discrete
``Categorical``, ``OneHotCategorical`` (and its straight-through variant), ``Bernoulli``,
``Binomial``, ``Multinomial``, ``Geometric``, ``Poisson``, ``NegativeBinomial``; the relaxed ``RelaxedBernoulli`` and ``RelaxedOneHotCategorical``;
``Independent``, ``MixtureSameFamily`` and ``TransformedDistribution`` with the transforms
(``Exp``, ``Sigmoid``, ``Tanh``, ``Softplus``, ``Affine``, ``Power``, ``Abs``, ``Compose``,
``Independent``, ``Reshape``, ``Softmax``, ``StickBreaking``, ``LowerCholesky``, ``Cat``,
``Stack``), with PyTorch's constructor signatures, parameter and value
checks (``validate_args``) and error messages, and ``kl_divergence`` for the pairs PyTorch
registers among them.
``log_prob``, ``entropy``, ``cdf`` / ``icdf`` and the reparameterised ``rsample`` (where
``has_rsample``) are differentiable in the parameters; ``sample`` is not.
Draws come from this project's random stream (``autograd_core.manual_seed``), so they are not
PyTorch's numbers for the same seed. The checks of ``validate_args=True`` (the default) read
values in Python, so ``ag.compile`` runs a step that builds or evaluates such a distribution
eagerly; pass ``validate_args=False`` to have it captured.
"""

from __future__ import annotations

import builtins
import math
import numbers
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core import random as _random
from autograd_core.ops.registry import refuse_capture
from autograd_core.tensor import Size, Tensor

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "CatTransform",
           "Categorical", "Cauchy", "Chi2", "ComposeTransform", "ContinuousBernoulli", "Dirichlet",
           "Distribution",
           "ExpTransform", "Exponential", "Gamma", "Geometric", "Gumbel", "HalfNormal",
           "Independent", "IndependentTransform", "Kumaraswamy", "Laplace", "LogNormal",
           "LowerCholeskyTransform", "LowRankMultivariateNormal", "MixtureSameFamily",
           "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal",
           "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "Pareto", "Poisson", "PowerTransform",
           "RelaxedBernoulli", "RelaxedOneHotCategorical", "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform",
           "SoftplusTransform", "StackTransform", "StickBreakingTransform",
           "StudentT", "TanhTransform", "Transform", "TransformedDistribution", "Uniform",
            "VonMises", "Weibull", "biject_to", "kl_divergence", "register_kl", "transform_to"]


def _shape_text(t: Tensor) -> str:
    return str(tuple(t.shape))


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

    def __init__(self, text: str = "Constraint()", predicate: Any = None,
                 event_dim: builtins.int = 0, is_discrete: builtins.bool = False) -> None:
        self._text, self._predicate = text, predicate
        self.event_dim, self.is_discrete = event_dim, is_discrete

    def _ok(self, v: np.ndarray) -> np.ndarray:
        if self._predicate is None:
            raise NotImplementedError
        return self._predicate(v)

    def check(self, value: Tensor) -> Tensor:
        """Whether each event of ``value`` satisfies the constraint."""
        return _ag.tensor(np.asarray(self._ok(value._data), dtype=np.bool_))

    def __repr__(self) -> str:
        return self._text


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
                            lambda v: v > lower_bound), lower_bound=lower_bound)


def _greater_than_eq(lower_bound: Any) -> Constraint:
    return _with(Constraint(f"GreaterThanEq(lower_bound={lower_bound})",
                            lambda v: v >= lower_bound), lower_bound=lower_bound)


def _less_than(upper_bound: Any) -> Constraint:
    return _with(Constraint(f"LessThan(upper_bound={upper_bound})", lambda v: v < upper_bound),
                 upper_bound=upper_bound)


def _interval(lower_bound: Any, upper_bound: Any) -> Constraint:
    return _with(Constraint(f"Interval(lower_bound={lower_bound}, upper_bound={upper_bound})",
                            lambda v: (v >= lower_bound) & (v <= upper_bound)),
                 lower_bound=lower_bound, upper_bound=upper_bound)


def _half_open_interval(lower_bound: Any, upper_bound: Any) -> Constraint:
    return _with(Constraint(f"HalfOpenInterval(lower_bound={lower_bound}, upper_bound="
                            f"{upper_bound})", lambda v: (v >= lower_bound) & (v < upper_bound)),
                 lower_bound=lower_bound, upper_bound=upper_bound)


def _integer_interval(lower_bound: Any, upper_bound: Any) -> Constraint:
    return Constraint(f"IntegerInterval(lower_bound={lower_bound}, upper_bound={upper_bound})",
                      lambda v: (v % 1 == 0) & (v >= lower_bound) & (v <= upper_bound),
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


def _is_positive_definite(v: np.ndarray) -> np.ndarray:
    sym = np.all(np.isclose(v, np.swapaxes(v, -1, -2)), axis=(-2, -1))
    with np.errstate(invalid="ignore"):
        eig = np.linalg.eigvalsh(v)
    return sym & np.all(eig > 0, axis=-1)


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
    "lower_cholesky": Constraint("LowerCholesky()", _is_lower_cholesky, 2),
    "positive_definite": Constraint("PositiveDefinite()", _is_positive_definite, 2),
}


# ---------------------------------------------------------------------------------------------
# Shared machinery of the continuous / Bernoulli distributions below (PyTorch's Distribution).

_Number = (builtins.int, builtins.float)


def _as_params(*values: Any) -> tuple[Tensor, ...]:
    """PyTorch's ``broadcast_all``: numbers become tensors of the tensors' (or the default)
    dtype, then everything is broadcast to one shape."""
    like = next((v for v in values if isinstance(v, Tensor)), None)
    dtype = like.dtype if like is not None and like.is_floating_point() else _ag.get_default_dtype()
    tensors = [v if isinstance(v, Tensor) else _ag.tensor(v, dtype=dtype) for v in values]
    return tuple(_ag.broadcast_tensors(*tensors))


def _shown(t: Tensor) -> str:
    return repr(t.item()) if t.ndim == 0 else str(t)


class Distribution:
    """The base class of every distribution here, as ``torch.distributions.Distribution``
    (subclass it for a distribution of your own): shapes, the checks of parameters and values,
    the repr, ``sample`` as ``rsample`` without gradient, ``sample_n`` and ``perplexity``;
    what a subclass does not define raises ``NotImplementedError``.

    Args:
        batch_shape (tuple of ints): the shape of the batch of distributions. Default: ``()``.
        event_shape (tuple of ints): the shape of one draw. Default: ``()``.
        validate_args (bool, optional): check parameters and values (default: True).

    A subclass's tensor parameters named in its ``arg_constraints`` are checked here (set them
    before calling ``super().__init__``), and ``log_prob`` may call ``self._validate_sample``
    when ``self._validate_args``, as in PyTorch.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Distribution
        >>> class Flat(Distribution):
        ...     def log_prob(self, value):
        ...         return ag.zeros_like(value)
        >>> d = Flat(batch_shape=(2,))
        >>> d.batch_shape, d.log_prob(ag.ones(2))
        (autograd_core.Size([2]), tensor([0., 0.]))
    """

    _params: tuple[str, ...] = ()
    has_rsample = False
    has_enumerate_support = False
    arg_constraints: dict[str, Any] = {}

    def __init__(self, batch_shape: Any = (), event_shape: Any = (),
                 validate_args: builtins.bool | None = None) -> None:
        self._batch_shape, self._event_shape = Size(batch_shape), Size(event_shape)
        self._validate = (Distribution._default_validate if validate_args is None
                          else builtins.bool(validate_args))
        self._validate_arg = validate_args
        if self._validate and (type(self).__module__ != __name__ or self._checked_by_base):
            # a user's subclass (and those of this module's classes whose words are the
            # constraints' own): check the tensor parameters against arg_constraints, in its
            # order, as PyTorch's base does (the other classes here check their own)
            for name, constraint in self.arg_constraints.items():
                value = self.__dict__.get(name)
                if isinstance(constraint, Constraint) and isinstance(value, Tensor):
                    self._check_param(name, value, constraint._ok(value._data), constraint)

    _default_validate = True  # set_default_validate_args
    _checked_by_base = False

    @staticmethod
    def set_default_validate_args(value: builtins.bool) -> None:
        """Whether distributions made without ``validate_args`` check their parameters and
        values (default True), as PyTorch's: RL code turns the checks off for speed.

        Example::

            >>> from autograd_core.distributions import Distribution, Normal
            >>> Distribution.set_default_validate_args(False)
            >>> Normal(0.0, -1.0).scale  # no check
            tensor(-1.)
            >>> Distribution.set_default_validate_args(True)
        """
        if value not in [True, False]:
            raise ValueError
        Distribution._default_validate = builtins.bool(value)

    @property
    def _validate_args(self) -> builtins.bool:
        """PyTorch's name of the ``validate_args`` switch (subclasses read it)."""
        return self._validate

    @_validate_args.setter
    def _validate_args(self, value: builtins.bool) -> None:
        self._validate = builtins.bool(value)

    def _validate_sample(self, value: Tensor) -> None:
        """PyTorch's check of a ``log_prob`` value: a Tensor, broadcastable with the batch and
        event shapes, in ``support`` (when that is a ``Constraint`` that can check)."""
        support = getattr(self, "support", None)
        if isinstance(support, Constraint) and support._predicate is not None:
            self._check_value(value, support._ok, support)
        else:
            self._check_value(value, lambda v: True, support)

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def __repr__(self) -> str:
        def show(t: Tensor) -> str:
            return repr(t.item()) if t.ndim == 0 else str(t) if t.numel() == 1 else repr(t.shape)
        names = self._params or tuple(k for k in self.arg_constraints if k in self.__dict__)
        args = ", ".join(f"{p}: {show(getattr(self, p))}" for p in names)
        return f"{type(self).__name__}({args})"

    def _check_param(self, name: str, t: Tensor, ok: Any, constraint: Any) -> None:
        if self._validate:  # the check reads values: a replay of ag.compile would skip it
            refuse_capture(f"{type(self).__name__}(validate_args=True)")
        if self._validate and not np.all(ok):
            raise ValueError(
                f"Expected parameter {name} (Tensor of shape {_shape_text(t)}) of distribution "
                f"{self!r} to satisfy the constraint {constraint}, but found invalid values:\n"
                f"{_shown(t)}")

    def _check_value(self, value: Any, ok: Any, support: Any) -> Tensor:
        """PyTorch's ``_validate_sample``: a Tensor, broadcastable with the batch, in the
        support (``ok(array) -> bool array``)."""
        if not self._validate:
            return value if isinstance(value, Tensor) else _ag.tensor(value)
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        refuse_capture(f"{type(self).__name__}(validate_args=True)'s value check")
        full = tuple(self._batch_shape) + tuple(self._event_shape)
        shape, event = tuple(value.shape), tuple(self._event_shape)
        if shape[len(shape) - len(event):] != event:  # the event is matched, not broadcast
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{value.shape!r} vs {self._event_shape!r}.")
        try:
            np.broadcast_shapes(shape, full)
        except ValueError:
            raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                             f"{value.shape!r} vs {Size(full)!r}.") from None
        if not np.all(ok(value._data)):
            raise ValueError(
                f"Expected value argument (Tensor of shape {_shape_text(value)}) to be within "
                f"the support ({support}) of the distribution {self!r}, but found invalid "
                f"values:\n{_shown(value)}")
        return value

    def _extended_shape(self, sample_shape: Any) -> tuple[builtins.int, ...]:
        return tuple(Size(sample_shape)) + tuple(self._batch_shape) + tuple(self._event_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no rsample")

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            return self.rsample(sample_shape)

    def _missing(self, what: str) -> NotImplementedError:
        return NotImplementedError(f"{type(self)} does not implement {what}")

    @property
    def mean(self) -> Tensor:
        raise self._missing("mean")

    @property
    def mode(self) -> Tensor:
        raise self._missing("mode")

    @property
    def variance(self) -> Tensor:
        raise self._missing("variance")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def log_prob(self, value: Tensor) -> Tensor:
        raise self._missing("log_prob")

    def cdf(self, value: Tensor) -> Tensor:
        raise self._missing("cdf")

    def icdf(self, value: Tensor) -> Tensor:
        raise self._missing("icdf")

    def entropy(self) -> Tensor:
        raise self._missing("entropy")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        raise self._missing("expand")

    def enumerate_support(self, expand: builtins.bool = True) -> Tensor:
        raise self._missing("enumerate_support")

    def _expand_params(self, batch_shape: Any, _instance: Any = None) -> Any:
        """A copy whose Tensor attributes (the parameters) are expanded to ``batch_shape``
        (their event dimensions kept)."""
        shape = tuple(Size(batch_shape))
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        n = len(self._batch_shape)
        for name, value in self.__dict__.items():
            if isinstance(value, Tensor):
                setattr(new, name, value.expand(shape + tuple(value.shape)[n:]))
        new._batch_shape = Size(shape)
        return new

    def perplexity(self) -> Tensor:
        """``exp(entropy())``."""
        return self.entropy().exp()

    def sample_n(self, n: builtins.int) -> Tensor:
        """``sample((n,))`` (PyTorch's deprecated spelling)."""
        return self.sample((n,))


_Distribution = Distribution


class Categorical(Distribution):
    r"""A categorical distribution over ``0 .. K-1``, parameterised by ``probs`` (non-negative,
    normalised along the last dimension) or ``logits`` (unnormalised log-probabilities), with
    PyTorch's normalisation, argument checks and error messages.

    Args:
        probs (Tensor, optional): event probabilities, shape ``batch_shape + (K,)``.
        logits (Tensor, optional): event log-odds, shape ``batch_shape + (K,)``.
        validate_args (bool, optional): check the parameters and ``log_prob``'s values
            (default: True, as PyTorch's under ``__debug__``).

    Differs from PyTorch: the ``repr`` names only the parameter given; the draws come from
    this project's random stream (not PyTorch's numbers for the same seed).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Categorical
        >>> m = Categorical(probs=ag.tensor([0.2, 0.8]))
        >>> m.log_prob(ag.tensor(1)), m.entropy()
        (tensor(-0.2231), tensor(0.5004))
        >>> _ = ag.manual_seed(0)
        >>> m.sample((3,)).shape
        autograd_core.Size([3])
    """

    arg_constraints = {"probs": _SIMPLEX, "logits": _REAL_VECTOR}
    has_enumerate_support = True

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        self._validate = (Distribution._default_validate if validate_args is None
                          else builtins.bool(validate_args))
        if self._validate:  # the checks read values: a replay of ag.compile would skip them
            refuse_capture("Categorical(validate_args=True)")
        given = probs if probs is not None else logits
        if not isinstance(given, Tensor):
            given = _ag.tensor(given)
        name = "probs" if probs is not None else "logits"
        if given.ndim < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        self._param_name, self._param_shape = name, given.shape
        if probs is not None:
            self.probs = given / given.sum(-1, keepdim=True)
            if self._validate:
                p = self.probs._data
                if not (np.all(p >= 0) and np.allclose(p.sum(-1), 1, atol=1e-6)):
                    raise ValueError(
                        f"Expected parameter probs (Tensor of shape {_shape_text(given)}) of "
                        f"distribution {self!r} to satisfy the constraint Simplex(), but found "
                        f"invalid values:\n{self.probs}")
            eps = _ag.finfo(self.probs.dtype).eps
            self.logits = self.probs.clamp(min=eps, max=1 - eps).log()
        else:
            if self._validate and np.isnan(given._data).any():
                raise ValueError(
                    f"Expected parameter logits (Tensor of shape {_shape_text(given)}) of "
                    f"distribution {self!r} to satisfy the constraint IndependentConstraint("
                    f"Real(), 1), but found invalid values:\n{given}")
            self.logits = given - given.logsumexp(-1, keepdim=True)
            self.probs = self.logits.softmax(-1)
        self._num_events = given.shape[-1]

    def __repr__(self) -> str:
        return f"Categorical({self._param_name}: {self._param_shape!r})"

    def expand(self, batch_shape: Any, _instance: Any = None) -> Categorical:
        """The same categories with ``probs``/``logits`` expanded (views) to ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Categorical
            >>> Categorical(logits=ag.zeros(3)).expand((2, 4)).batch_shape
            autograd_core.Size([2, 4])
        """
        shape = tuple(Size(batch_shape)) + (self._num_events,)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.probs, new.logits = self.probs.expand(shape), self.logits.expand(shape)
        new._param_shape = Size(shape)
        return new

    @property
    def batch_shape(self) -> Size:
        """The shape of the batch of distributions: the parameter's shape without the last
        dimension.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Categorical
            >>> Categorical(logits=ag.zeros(4, 3)).batch_shape
            autograd_core.Size([4])
        """
        return Size(self._param_shape[:-1])

    @property
    def event_shape(self) -> Size:
        """The shape of one draw: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Categorical
            >>> Categorical(logits=ag.zeros(3)).event_shape
            autograd_core.Size([])
        """
        return Size(())

    @property
    def param_shape(self) -> Size:
        """The shape of ``probs`` / ``logits``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Categorical
            >>> Categorical(logits=ag.zeros(4, 3)).param_shape
            autograd_core.Size([4, 3])
        """
        return Size(self._param_shape)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draw category indices (int64) of shape ``sample_shape + batch_shape``, without
        gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Categorical
            >>> Categorical(probs=ag.tensor([0.0, 1.0, 0.0])).sample((2,))
            tensor([1, 1])
        """
        shape = tuple(Size(sample_shape))
        n = int(np.prod(shape, dtype=np.int64))
        with _ag.no_grad():
            probs_2d = self.probs.reshape(-1, self._num_events)
            samples_2d = _ag.multinomial(probs_2d, n, True).T
            return samples_2d.reshape(shape + tuple(self.batch_shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """The log-probability of the category indices ``value`` (broadcast with the batch).

        Args:
            value (Tensor): category indices in ``0 .. K-1``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Categorical
            >>> Categorical(logits=ag.tensor([0.0, 0.0])).log_prob(ag.tensor([0, 1]))
            tensor([-0.6931, -0.6931])
        """
        if not isinstance(value, Tensor):
            if self._validate:  # PyTorch's _validate_sample
                raise ValueError("The value argument to log_prob must be a Tensor")
            value = _ag.tensor(value)
        if self._validate:
            refuse_capture("Categorical(validate_args=True)'s value check")
            v = value._data
            if not (np.all(v == np.floor(v)) and np.all(v >= 0) and np.all(v <= self._num_events - 1)):
                raise ValueError(
                    f"Expected value argument (Tensor of shape {_shape_text(value)}) to be within "
                    f"the support (IntegerInterval(lower_bound=0, upper_bound="
                    f"{self._num_events - 1})) of the distribution {self!r}, but found invalid "
                    f"values:\n{value}")
        index = value.long().unsqueeze(-1)
        shape = np.broadcast_shapes(tuple(index.shape), tuple(self.logits.shape))
        index = index.expand(shape[:-1] + (1,))
        log_pmf = self.logits.expand(shape[:-1] + (self._num_events,))
        return log_pmf.gather(-1, index).squeeze(-1)

    def entropy(self) -> Tensor:
        """The entropy ``-sum(p * log p)`` of each distribution in the batch.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Categorical
            >>> Categorical(probs=ag.tensor([0.5, 0.5, 0.0])).entropy()
            tensor(0.6931)
        """
        logits = self.logits.clamp(min=_ag.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    @property
    def mean(self) -> Tensor:
        """``nan`` over the batch, as PyTorch's (categories have no order)."""
        return _ag.full(tuple(self.batch_shape), math.nan, dtype=self.probs.dtype)

    @property
    def variance(self) -> Tensor:
        """``nan`` over the batch, as PyTorch's."""
        return _ag.full(tuple(self.batch_shape), math.nan, dtype=self.probs.dtype)

    def enumerate_support(self, expand: builtins.bool = True) -> Tensor:
        """The categories ``0 .. K-1`` (int64) along a new first dimension, expanded over the
        batch unless ``expand=False``."""
        values = _ag.arange(self._num_events).reshape((-1,) + (1,) * len(self.batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self.batch_shape))
        return values

    @property
    def mode(self) -> Tensor:
        """The most likely category of each distribution.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Categorical
            >>> Categorical(probs=ag.tensor([0.2, 0.8])).mode
            tensor(1)
        """
        return self.probs.argmax(-1)




def _clamp_probs(p: Tensor) -> Tensor:
    eps = _ag.finfo(p.dtype).eps
    return p.clamp(min=eps, max=1 - eps)


def clamp_probs(probs: Tensor) -> Tensor:
    """``probs`` clamped into ``[eps, 1 - eps]`` of its dtype, as
    ``torch.distributions.utils.clamp_probs``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import clamp_probs
        >>> clamp_probs(ag.tensor([0.0, 0.5])).tolist()[1]
        0.5
    """
    return _clamp_probs(probs)


def probs_to_logits(probs: Tensor, is_binary: builtins.bool = False) -> Tensor:
    """The logits of (clamped) probabilities: ``log p`` for categorical ones, ``log p -
    log1p(-p)`` with ``is_binary``, as ``torch.distributions.utils.probs_to_logits``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import probs_to_logits
        >>> probs_to_logits(ag.tensor([0.5]), is_binary=True)
        tensor([0.])
    """
    p = _clamp_probs(probs)
    return p.log() - (-p).log1p() if is_binary else p.log()


def logits_to_probs(logits: Tensor, is_binary: builtins.bool = False) -> Tensor:
    """``sigmoid(logits)`` with ``is_binary``, else ``softmax`` over the last dimension, as
    ``torch.distributions.utils.logits_to_probs``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import logits_to_probs
        >>> logits_to_probs(ag.zeros(2))
        tensor([0.5000, 0.5000])
    """
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Numbers and Tensors made Tensors (numbers in the Tensors' floating dtype, else the
    default) and broadcast to one shape, as ``torch.distributions.utils.broadcast_all``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import broadcast_all
        >>> [tuple(t.shape) for t in broadcast_all(1.0, ag.zeros(3))]
        [(3,), (3,)]
    """
    for v in values:
        if not isinstance(v, (Tensor, numbers.Number)):
            raise ValueError("Input arguments must all be instances of Number, "
                             "torch.Tensor or objects implementing __torch_function__.")
    return _as_params(*values)


def _binary_params(d: Distribution, probs: Any, logits: Any,
                   *others: Any) -> tuple[Tensor, ...]:
    """``probs`` or ``logits`` (exactly one) broadcast with ``others``; sets ``d.probs`` and
    ``d.logits`` (PyTorch's clamped ``probs_to_logits`` / ``sigmoid``) and checks the one
    given. Returns the broadcast ``others``."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    name = "probs" if probs is not None else "logits"
    given, *rest = _as_params(probs if probs is not None else logits, *others)
    d._params = tuple(d._params) + (name,)
    Distribution.__init__(d, given.shape, (), d._validate_arg)
    if probs is not None:
        d.probs = given  # type: ignore[attr-defined]
        d._check_param("probs", given, (given._data >= 0) & (given._data <= 1), _UNIT)
        p = _clamp_probs(given)
        d.logits = p.log() - (-p).log1p()  # type: ignore[attr-defined]
    else:
        d.logits = given  # type: ignore[attr-defined]
        d._check_param("logits", given, ~np.isnan(given._data), _REAL)
        d.probs = given.sigmoid()  # type: ignore[attr-defined]
    return tuple(rest)


class Normal(_Distribution):
    r"""The normal (Gaussian) distribution with mean ``loc`` and standard deviation ``scale``
    (broadcast together; numbers allowed), as ``torch.distributions.Normal``.

    ``rsample`` is reparameterised (``loc + eps * scale``, ``eps`` from
    ``autograd_core.randn``), so gradients reach ``loc`` and ``scale``; ``log_prob``,
    ``cdf``, ``icdf`` and ``entropy`` are differentiable too.

    Args:
        loc (float or Tensor): the mean.
        scale (float or Tensor): the standard deviation (positive).
        validate_args (bool, optional): check the parameters and the values given to
            ``log_prob`` / ``cdf`` (default: True, as PyTorch's under ``__debug__``).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Normal
        >>> m = Normal(ag.tensor([0.0, 1.0]), 2.0)
        >>> m.log_prob(ag.tensor([0.0, 0.0])), m.entropy()
        (tensor([-1.6121, -1.7371]), tensor([2.1121, 2.1121]))
        >>> _ = ag.manual_seed(0)
        >>> m.rsample((5,)).shape
        autograd_core.Size([5, 2])
    """

    arg_constraints = {"loc": _REAL, "scale": _POSITIVE}
    support = _REAL
    _params = ("loc", "scale")
    has_rsample = True

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.loc, self.scale = _as_params(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)
        self._check_param("loc", self.loc, ~np.isnan(self.loc._data), "Real()")
        self._check_param("scale", self.scale, self.scale._data > 0,
                          "GreaterThan(lower_bound=0.0)")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Normal:
        """A ``Normal`` whose parameters are expanded (views) to ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(0.0, 1.0).expand((3,)).batch_shape
            autograd_core.Size([3])
        """
        shape = tuple(Size(batch_shape))
        return Normal(self.loc.expand(shape), self.scale.expand(shape), self._validate)

    @property
    def mean(self) -> Tensor:
        """``loc``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(1.5, 2.0).mean
            tensor(1.5000)
        """
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(1.5, 2.0).mode
            tensor(1.5000)
        """
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """``scale``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(1.5, 2.0).stddev
            tensor(2.)
        """
        return self.scale

    @property
    def variance(self) -> Tensor:
        """``scale ** 2``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(1.5, 2.0).variance
            tensor(4.)
        """
        return self.scale.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw ``loc + eps * scale`` of shape ``sample_shape +
        batch_shape`` (``eps`` standard normal): differentiable in ``loc`` and ``scale``.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> loc = ag.zeros(2, requires_grad=True)
            >>> Normal(loc, 1.0).rsample((4,)).sum().backward()
            >>> loc.grad
            tensor([4., 4.])
        """
        eps = _ag.randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape``, without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(ag.zeros(3), 1.0).sample((2,)).shape
            autograd_core.Size([2, 3])
        """
        return super().sample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """The log-density ``-(value - loc)**2 / (2 scale**2) - log(scale) - log(sqrt(2 pi))``.

        Args:
            value (Tensor): broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(0.0, 1.0).log_prob(ag.tensor(0.0))
            tensor(-0.9189)
        """
        value = self._check_value(value, lambda v: ~np.isnan(v), "Real()")
        return (-((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log()
                - math.log(math.sqrt(2 * math.pi)))

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function ``(1 + erf((value - loc) / (scale sqrt 2))) / 2``.

        Args:
            value (Tensor): broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(0.0, 1.0).cdf(ag.tensor([0.0, 1.0]))
            tensor([0.5000, 0.8413])
        """
        value = self._check_value(value, lambda v: ~np.isnan(v), "Real()")
        return 0.5 * (1 + _ag.erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of ``cdf``: ``loc + scale * sqrt(2) * erfinv(2 value - 1)``.

        Args:
            value (Tensor): probabilities in ``[0, 1]``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(1.0, 2.0).icdf(ag.tensor([0.5, 0.975]))
            tensor([1.0000, 4.9199])
        """
        return self.loc + self.scale * _ag.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        """The differential entropy ``1/2 + log(2 pi)/2 + log(scale)``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(0.0, 1.0).entropy()
            tensor(1.4189)
        """
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()


class Bernoulli(_Distribution):
    r"""The Bernoulli distribution over ``{0, 1}``, parameterised by ``probs`` (the probability
    of 1) or ``logits`` (its log-odds), as ``torch.distributions.Bernoulli``.

    ``log_prob`` is PyTorch's stable ``-binary_cross_entropy_with_logits(logits, value)`` and
    ``entropy`` its counterpart; both are differentiable in the parameter.

    Args:
        probs (float or Tensor, optional): the probability of drawing 1, in ``[0, 1]``.
        logits (float or Tensor, optional): the log-odds of drawing 1.
        validate_args (bool, optional): check the parameter and ``log_prob``'s values
            (default: True).

    Differs from PyTorch: the ``repr`` names only the parameter given; draws come from this
    project's random stream.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Bernoulli
        >>> m = Bernoulli(probs=ag.tensor([0.2, 0.9]))
        >>> m.log_prob(ag.tensor([1.0, 1.0])), m.entropy()
        (tensor([-1.6094, -0.1054]), tensor([0.5004, 0.3251]))
        >>> _ = ag.manual_seed(0)
        >>> m.sample((3,)).shape
        autograd_core.Size([3, 2])
    """

    arg_constraints = {"probs": _UNIT, "logits": _REAL}
    support = _BOOLEAN
    has_enumerate_support = True
    probs: Tensor
    logits: Tensor
    def __init__(self, probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._validate_arg, self._params = validate_args, ()
        _binary_params(self, probs, logits)

    @property
    def param_shape(self) -> Size:
        """The shape of ``probs`` / ``logits``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(logits=ag.zeros(4, 3)).param_shape
            autograd_core.Size([4, 3])
        """
        return self._batch_shape

    def expand(self, batch_shape: Any, _instance: Any = None) -> Bernoulli:
        """The same distribution with ``probs``/``logits`` expanded (views) to
        ``batch_shape``."""
        shape = Size(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.probs, new.logits = self.probs.expand(shape), self.logits.expand(shape)
        new._batch_shape = shape
        return new

    def enumerate_support(self, expand: builtins.bool = True) -> Tensor:
        """The values ``0., 1.`` (the parameters' dtype) along a new first dimension, expanded
        over the batch unless ``expand=False``, as PyTorch's."""
        values = _ag.arange(2, dtype=self.probs.dtype).reshape((-1,) + (1,) * len(self.batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self.batch_shape))
        return values

    @property
    def mean(self) -> Tensor:
        """``probs``.

        Example::

            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(0.25).mean
            tensor(0.2500)
        """
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1 where ``probs > 0.5``, 0 where below, ``nan`` at exactly 0.5 (as PyTorch).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(ag.tensor([0.2, 0.5, 0.7])).mode
            tensor([0., nan, 1.])
        """
        p = self.probs.detach()
        return _ag.where(p == 0.5, math.nan, (p >= 0.5).to(p.dtype))

    @property
    def variance(self) -> Tensor:
        """``probs * (1 - probs)``.

        Example::

            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(0.25).variance
            tensor(0.1875)
        """
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of 0. / 1. (the parameter's dtype) of shape ``sample_shape + batch_shape``,
        without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(ag.tensor([0.0, 1.0])).sample((2,))
            tensor([[0., 1.],
                    [0., 1.]])
        """
        with _ag.no_grad():
            return _ag.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value: Tensor) -> Tensor:
        """``-binary_cross_entropy_with_logits(logits, value)``, elementwise:
        ``value * logits - softplus(logits)``.

        Args:
            value (Tensor): zeros and ones, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(logits=ag.tensor(0.0)).log_prob(ag.tensor([0.0, 1.0]))
            tensor([-0.6931, -0.6931])
        """
        value = self._check_value(value, lambda v: (v == 0) | (v == 1), "Boolean()")
        return value.to(self.logits.dtype) * self.logits - _ag.softplus(self.logits)

    def entropy(self) -> Tensor:
        """The entropy ``binary_cross_entropy_with_logits(logits, probs)``.

        Example::

            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(0.5).entropy()
            tensor(0.6931)
        """
        return _ag.softplus(self.logits) - self.probs * self.logits


class Uniform(_Distribution):
    r"""The continuous uniform distribution on ``[low, high)`` (broadcast together; numbers
    allowed), as ``torch.distributions.Uniform``. ``rsample`` (``low + u * (high - low)``)
    and ``log_prob`` are differentiable in ``low`` and ``high``.

    Args:
        low (float or Tensor): the lower end (inclusive).
        high (float or Tensor): the upper end (exclusive), above ``low``.
        validate_args (bool, optional): check the parameters and the values given to
            ``log_prob`` / ``cdf`` (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Uniform
        >>> m = Uniform(0.0, 4.0)
        >>> m.log_prob(ag.tensor(1.0)), m.entropy(), m.mean
        (tensor(-1.3863), tensor(1.3863), tensor(2.))
    """

    _params = ("low", "high")
    has_rsample = True

    def __init__(self, low: Tensor | builtins.float, high: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.low, self.high = _as_params(low, high)
        super().__init__(self.low.shape, (), validate_args)
        self._check_param("low", self.low, self.low._data < self.high._data,
                          f"LessThan(upper_bound={_shown(self.high)})")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Uniform:
        """A ``Uniform`` whose parameters are expanded (views) to ``batch_shape``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 1.0).expand((2, 3)).batch_shape
            autograd_core.Size([2, 3])
        """
        shape = tuple(Size(batch_shape))
        return Uniform(self.low.expand(shape), self.high.expand(shape), self._validate)

    def _in_support(self, v: np.ndarray) -> np.ndarray:
        return (self.low._data <= v) & (v <= self.high._data)

    @property
    def _support(self) -> str:
        return f"Interval(lower_bound={_shown(self.low)}, upper_bound={_shown(self.high)})"

    @property
    def mean(self) -> Tensor:
        """``(low + high) / 2``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(1.0, 2.0).mean
            tensor(1.5000)
        """
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        """``nan`` (every point is a mode), as PyTorch.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(1.0, 2.0).mode
            tensor(nan)
        """
        return math.nan * self.high

    @property
    def stddev(self) -> Tensor:
        """``(high - low) / sqrt(12)``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 12.0 ** 0.5).stddev
            tensor(1.)
        """
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self) -> Tensor:
        """``(high - low) ** 2 / 12``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 6.0).variance
            tensor(3.)
        """
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw ``low + u * (high - low)`` (``u`` uniform on ``[0, 1)``) of
        shape ``sample_shape + batch_shape``.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Uniform
            >>> x = Uniform(ag.tensor([0.0, 5.0]), 6.0).rsample((100,))
            >>> x.shape, bool((x[:, 1] >= 5).all())
            (autograd_core.Size([100, 2]), True)
        """
        u = _ag.rand(self._extended_shape(sample_shape), dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape``, without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 1.0).sample((2, 3)).shape
            autograd_core.Size([2, 3])
        """
        return super().sample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(high - low)`` inside ``[low, high)``, ``-inf`` outside.

        Args:
            value (Tensor): in ``[low, high]``, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 2.0).log_prob(ag.tensor([0.0, 2.0]))
            tensor([-0.6931,    -inf])
        """
        value = self._check_value(value, self._in_support, self._support)
        inside = (self.low <= value) & (self.high > value)
        return inside.to(self.low.dtype).log() - (self.high - self.low).log()

    def cdf(self, value: Tensor) -> Tensor:
        """``(value - low) / (high - low)``, clamped to ``[0, 1]``.

        Args:
            value (Tensor): in ``[low, high]``, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 4.0).cdf(ag.tensor([1.0, 4.0]))
            tensor([0.2500, 1.0000])
        """
        value = self._check_value(value, self._in_support, self._support)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of ``cdf``: ``low + value * (high - low)``.

        Args:
            value (Tensor): probabilities in ``[0, 1]``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Uniform
            >>> Uniform(2.0, 4.0).icdf(ag.tensor([0.0, 0.25]))
            tensor([2.0000, 2.5000])
        """
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        """``log(high - low)``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 1.0).entropy()
            tensor(0.)
        """
        return (self.high - self.low).log()


def _sum_rightmost(t: Tensor, n: builtins.int) -> Tensor:
    return t.sum(tuple(range(-n, 0))) if n > 0 else t


class Independent(Distribution):
    r"""Reinterprets the rightmost ``reinterpreted_batch_ndims`` batch dimensions of
    ``base_distribution`` as event dimensions: ``log_prob`` and ``entropy`` are summed over
    them, as ``torch.distributions.Independent`` (a diagonal Gaussian over vectors is
    ``Independent(Normal(loc, scale), 1)``).

    Args:
        base_distribution: a distribution of this module.
        reinterpreted_batch_ndims (int): how many batch dimensions become event dimensions.
        validate_args (bool, optional): accepted for PyTorch's signature; the base checks.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Independent, Normal
        >>> m = Independent(Normal(ag.zeros(4, 3), 1.0), 1)
        >>> m.batch_shape, m.event_shape
        (autograd_core.Size([4]), autograd_core.Size([3]))
        >>> m.log_prob(ag.zeros(4, 3))
        tensor([-2.7568, -2.7568, -2.7568, -2.7568])
    """

    def __init__(self, base_distribution: Any, reinterpreted_batch_ndims: builtins.int,
                 validate_args: builtins.bool | None = None) -> None:
        n = len(base_distribution.batch_shape)
        if reinterpreted_batch_ndims > n:
            raise ValueError(
                f"Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), "
                f"actual {reinterpreted_batch_ndims} vs {n}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        self._validate = (Distribution._default_validate if validate_args is None
                          else builtins.bool(validate_args))
        shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        self._event_dim = reinterpreted_batch_ndims + len(base_distribution.event_shape)
        self._batch_shape = Size(shape[:len(shape) - self._event_dim])
        self._event_shape = Size(shape[len(shape) - self._event_dim:])

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"

    def expand(self, batch_shape: Any, _instance: Any = None) -> Independent:
        """An ``Independent`` of the base expanded to ``batch_shape`` plus the reinterpreted
        dimensions."""
        n = self.reinterpreted_batch_ndims
        inner = tuple(self._event_shape)[:len(self._event_shape) - len(self.base_dist.event_shape)]
        base = self.base_dist.expand(tuple(Size(batch_shape)) + inner)
        return Independent(base, n, self._validate)

    @property
    def batch_shape(self) -> Size:
        """The base's batch shape without the reinterpreted dimensions.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(4, 3), 1.0), 2).batch_shape
            autograd_core.Size([])
        """
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The reinterpreted dimensions followed by the base's event shape.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(4, 3), 1.0), 2).event_shape
            autograd_core.Size([4, 3])
        """
        return self._event_shape

    @property
    def has_rsample(self) -> builtins.bool:  # type: ignore[override]
        """Whether the base has a reparameterised ``rsample``.

        Example::

            >>> from autograd_core.distributions import Bernoulli, Independent, Normal
            >>> Independent(Normal(0.0, 1.0), 0).has_rsample, Independent(Bernoulli(0.5), 0).has_rsample
            (True, False)
        """
        return builtins.bool(getattr(self.base_dist, "has_rsample", False))

    @property
    def mean(self) -> Tensor:
        """The base's mean.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.tensor([1.0, 2.0]), 1.0), 1).mean
            tensor([1., 2.])
        """
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        """The base's mode.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.tensor([1.0, 2.0]), 1.0), 1).mode
            tensor([1., 2.])
        """
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        """The base's variance.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(2), 3.0), 1).variance
            tensor([9., 9.])
        """
        return self.base_dist.variance

    @property
    def stddev(self) -> Tensor:
        """The base's standard deviation.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(2), 3.0), 1).stddev
            tensor([3., 3.])
        """
        return self.base_dist.stddev

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """The base's ``sample``.

        Args:
            sample_shape (tuple of ints): how many draws. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(3), 1.0), 1).sample((2,)).shape
            autograd_core.Size([2, 3])
        """
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """The base's ``rsample`` (reparameterised, differentiable).

        Args:
            sample_shape (tuple of ints): how many draws. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(3), 1.0), 1).rsample().shape
            autograd_core.Size([3])
        """
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """The base's ``log_prob`` summed over the reinterpreted dimensions.

        Args:
            value (Tensor): broadcastable with ``batch_shape + event_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli, Independent
            >>> Independent(Bernoulli(ag.tensor([0.5, 0.5])), 1).log_prob(ag.tensor([0.0, 1.0]))
            tensor(-1.3863)
        """
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        """The base's ``entropy`` summed over the reinterpreted dimensions.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli, Independent
            >>> Independent(Bernoulli(ag.tensor([0.5, 0.5])), 1).entropy()
            tensor(1.3863)
        """
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)


# ---------------------------------------------------------------------------------------------
# KL divergences (PyTorch's closed forms).

def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    t1 = p.probs * (_ag.softplus(-q.logits) - _ag.softplus(-p.logits))
    t1 = _ag.where(p.probs == 0, 0.0, _ag.where(q.probs == 0, math.inf, t1))
    t2 = (1 - p.probs) * (_ag.softplus(q.logits) - _ag.softplus(p.logits))
    t2 = _ag.where(p.probs == 1, 0.0, _ag.where(q.probs == 1, math.inf, t2))
    return t1 + t2


def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = _ag.where(p.probs == 0, 0.0, _ag.where(q.probs == 0, math.inf, t))
    return t.sum(-1)


def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _ag.where((q.low > p.low) | (q.high < p.high), math.inf, result)


def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


_KL: dict[tuple[type, type], Any] = {
    (Normal, Normal): _kl_normal_normal,
    (Bernoulli, Bernoulli): _kl_bernoulli_bernoulli,
    (Categorical, Categorical): _kl_categorical_categorical,
    (Uniform, Uniform): _kl_uniform_uniform,
    (Independent, Independent): _kl_independent_independent,
}


def kl_divergence(p: Any, q: Any) -> Tensor:
    r"""The Kullback-Leibler divergence :math:`KL(p \| q)` of two distributions, batched, as
    ``torch.distributions.kl_divergence``: the closed forms PyTorch registers (pairs of one
    family, and mixed ones such as ``Normal``-``Laplace`` or ``Uniform``-``Beta``), found for
    the most specific registered pair of base classes (``register_kl`` adds one); ``inf``
    where ``q`` gives zero probability to what ``p`` can draw; differentiable in both.

    Args:
        p: a distribution of this module.
        q: a distribution of this module.

    Raises:
        NotImplementedError: for a pair without a closed form here.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Normal, kl_divergence
        >>> kl_divergence(Normal(0.0, 1.0), Normal(ag.tensor([0.0, 1.0]), 2.0))
        tensor([0.3181, 0.4431])
    """
    fn = _dispatch_kl(type(p), type(q))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} "
                                  f"and q type {type(q).__name__}")
    return fn(p, q)


def _dispatch_kl(type_p: type, type_q: type) -> Any:
    """The registered function of the most specific pair (PyTorch's order: nearest class of
    ``p`` first, then of ``q``); a warning when the order by ``q`` first picks another one."""
    mro_p, mro_q = type_p.__mro__, type_q.__mro__
    matches = [(mro_p.index(a), mro_q.index(b)) for a, b in _KL if a in mro_p and b in mro_q]
    if not matches:
        return None
    i, j = min(matches)
    k, m = min(matches, key=lambda ij: (ij[1], ij[0]))
    left, right = _KL[mro_p[i], mro_q[j]], _KL[mro_p[k], mro_q[m]]
    if left is not right:
        import warnings
        warnings.warn(f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). Please "
                      f"register_kl({mro_p[i].__name__}, {mro_q[m].__name__})", RuntimeWarning,
                      stacklevel=3)
    return left


def register_kl(type_p: type, type_q: type) -> Any:
    """Decorator registering a function ``fn(p, q)`` as ``kl_divergence`` of the pair of
    classes, as ``torch.distributions.register_kl``: ``kl_divergence`` calls the function of
    the most specific registered pair of base classes.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Normal, kl_divergence, register_kl
        >>> class MyNormal(Normal):
        ...     pass
        >>> @register_kl(MyNormal, Normal)
        ... def _kl_mine(p, q):
        ...     return ag.tensor(42.0)
        >>> kl_divergence(MyNormal(0.0, 1.0), Normal(0.0, 1.0))
        tensor(42.)
    """
    if not isinstance(type_p, type):
        raise TypeError(f"Expected type_p to be a Distribution subclass but got {type_p}")
    if not isinstance(type_q, type):
        raise TypeError(f"Expected type_q to be a Distribution subclass but got {type_q}")

    def decorator(fun: Any) -> Any:
        _KL[type_p, type_q] = fun
        return fun
    return decorator


def _batch_mv(matrix: Tensor, vec: Tensor) -> Tensor:
    return (matrix @ vec.unsqueeze(-1)).squeeze(-1)


class MultivariateNormal(_Distribution):
    r"""The multivariate normal distribution with mean ``loc`` and a covariance given by exactly
    one of ``covariance_matrix``, ``precision_matrix`` or its lower Cholesky factor
    ``scale_tril``, as ``torch.distributions.MultivariateNormal``; batch dimensions of
    ``loc`` and the matrix broadcast. ``rsample`` (``loc + scale_tril @ eps``), ``log_prob``
    (through the Cholesky factor) and ``entropy`` are differentiable.

    Args:
        loc (Tensor): the mean, shape ``batch_shape + (k,)``.
        covariance_matrix (Tensor, optional): symmetric positive definite, ``(..., k, k)``.
        precision_matrix (Tensor, optional): the inverse covariance, ``(..., k, k)``.
        scale_tril (Tensor, optional): lower triangular with a positive diagonal, ``(..., k, k)``.
        validate_args (bool, optional): check the parameters and ``log_prob``'s values
            (default: True).

    Differs from PyTorch: a matrix whose size does not match ``loc``'s last dimension is an
    error here; ``precision_matrix`` is factored as ``cholesky(inv(P))`` (the same factor,
    rounded differently).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import MultivariateNormal
        >>> m = MultivariateNormal(ag.zeros(2), ag.tensor([[2.0, 0.5], [0.5, 1.0]]))
        >>> m.log_prob(ag.tensor([1.0, -1.0])), m.entropy()
        (tensor(-3.2605), tensor(3.1177))
        >>> m.rsample((3,)).shape
        autograd_core.Size([3, 2])
    """


    arg_constraints = {"loc": _REAL_VECTOR, "covariance_matrix": _CONSTRAINTS["positive_definite"],
                       "precision_matrix": _CONSTRAINTS["positive_definite"],
                       "scale_tril": _CONSTRAINTS["lower_cholesky"]}
    support = _REAL_VECTOR
    has_rsample = True

    def __init__(self, loc: Tensor, covariance_matrix: Tensor | None = None,
                 precision_matrix: Tensor | None = None, scale_tril: Tensor | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [(n, m) for n, m in (("covariance_matrix", covariance_matrix),
                                     ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if m is not None]
        if len(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified.")
        name, matrix = given[0]
        if matrix.ndim < 2:
            raise ValueError(f"{name}{' matrix' if name == 'scale_tril' else ''} must be at "
                             "least two-dimensional, with optional leading batch dimensions")
        k = loc.shape[-1]
        if tuple(matrix.shape[-2:]) != (k, k):
            raise ValueError(f"MultivariateNormal: {name} of shape {_shape_text(matrix)} does not "
                             f"match loc of shape {_shape_text(loc)}: expected (..., {k}, {k})")
        batch = np.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        self._params = ("loc", name)
        self.loc = loc.expand(batch + (k,))
        self._matrix_name, self._matrix = name, matrix.expand(batch + (k, k))
        super().__init__(batch, (k,), validate_args)
        self._check_param("loc", self.loc, ~np.isnan(self.loc._data),
                          "IndependentConstraint(Real(), 1)")
        a = matrix._data
        if name == "scale_tril":
            diag = np.diagonal(a, axis1=-2, axis2=-1)
            self._check_param(name, self._matrix, np.all(np.triu(a, 1) == 0) and np.all(diag > 0),
                              "LowerCholesky()")
            self._tril = matrix
        else:
            self._check_param(name, self._matrix, _positive_definite(a), "PositiveDefinite()")
            cov = matrix if name == "covariance_matrix" else _ag.linalg.inv(matrix)
            self._tril = _ag.linalg.cholesky(cov)

    def expand(self, batch_shape: Any, _instance: Any = None) -> MultivariateNormal:
        """The distribution with ``loc`` and the matrices expanded (views) to ``batch_shape``;
        the Cholesky factor is reused, not recomputed.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).expand((3,)).batch_shape
            autograd_core.Size([3])
        """
        shape = tuple(Size(batch_shape))
        k = self._event_shape[0]
        new = object.__new__(type(self))
        new._params = self._params
        new.loc = self.loc.expand(shape + (k,))
        new._matrix_name, new._matrix = self._matrix_name, self._matrix.expand(shape + (k, k))
        new._tril = self._tril.expand(shape + (k, k))
        Distribution.__init__(new, shape, (k,), False)
        new._validate, new._validate_arg = self._validate, self._validate_arg
        return new

    def _full(self, t: Tensor, extra: tuple[builtins.int, ...]) -> Tensor:
        return t.expand(tuple(self._batch_shape) + extra)

    @property
    def scale_tril(self) -> Tensor:
        """The lower Cholesky factor ``L`` of the covariance (``L @ L.mT``).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.tensor([[4.0, 2.0], [2.0, 2.0]])).scale_tril
            tensor([[2., 0.],
                    [1., 1.]])
        """
        if self._matrix_name == "scale_tril":
            return self._matrix
        return self._full(self._tril, tuple(self._tril.shape[-2:]))

    @property
    def covariance_matrix(self) -> Tensor:
        """The covariance ``scale_tril @ scale_tril.mT``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> L = ag.tensor([[2.0, 0.0], [1.0, 1.0]])
            >>> MultivariateNormal(ag.zeros(2), scale_tril=L).covariance_matrix
            tensor([[4., 2.],
                    [2., 2.]])
        """
        if self._matrix_name == "covariance_matrix":
            return self._matrix
        return self._full(self._tril @ self._tril.mT, tuple(self._tril.shape[-2:]))

    @property
    def precision_matrix(self) -> Tensor:
        """The inverse of the covariance.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.tensor([[2.0, 0.0], [0.0, 4.0]])).precision_matrix
            tensor([[0.5000, 0.0000],
                    [0.0000, 0.2500]])
        """
        if self._matrix_name == "precision_matrix":
            return self._matrix
        return _ag.linalg.inv(self.covariance_matrix)

    @property
    def mean(self) -> Tensor:
        """``loc`` (expanded to the batch).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.tensor([1.0, 2.0]), ag.eye(2)).mean
            tensor([1., 2.])
        """
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc`` (expanded to the batch).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.tensor([1.0, 2.0]), ag.eye(2)).mode
            tensor([1., 2.])
        """
        return self.loc

    @property
    def variance(self) -> Tensor:
        """The diagonal of the covariance.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), scale_tril=ag.tensor([[2.0, 0.0], [1.0, 1.0]])).variance
            tensor([4., 2.])
        """
        return self._full(self._tril.pow(2).sum(-1), tuple(self._event_shape))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw ``loc + scale_tril @ eps`` (``eps`` standard normal) of shape
        ``sample_shape + batch_shape + (k,)``.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(3, 2), ag.eye(2)).rsample((4,)).shape
            autograd_core.Size([4, 3, 2])
        """
        eps = _ag.randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + _batch_mv(self._tril, eps)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + (k,)``, without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).sample().shape
            autograd_core.Size([2])
        """
        return super().sample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(k log(2 pi) + |L^-1 (value - loc)|^2) / 2 - sum(log diag(L))``, ``L`` the
        Cholesky factor of the covariance.

        Args:
            value (Tensor): broadcastable with ``batch_shape + (k,)``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).log_prob(ag.zeros(2))
            tensor(-1.8379)
        """
        value = self._check_value(value, lambda v: ~np.isnan(v).any(-1),
                                  "IndependentConstraint(Real(), 1)")
        diff = value - self.loc
        shape = tuple(diff.shape)
        # the lower triangle only (a triangular solve, as PyTorch's: no gradient above it)
        tril = self._tril.tril().expand(shape[:-1] + tuple(self._tril.shape[-2:]))
        z = _ag.linalg.solve(tril, diff.unsqueeze(-1)).squeeze(-1)
        half_log_det = self._tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + z.pow(2).sum(-1)) - half_log_det

    def entropy(self) -> Tensor:
        """``k (1 + log(2 pi)) / 2 + sum(log diag(L))``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).entropy()
            tensor(2.8379)
        """
        half_log_det = self._tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        k = self._event_shape[0]
        return self._full(0.5 * k * (1.0 + math.log(2 * math.pi)) + half_log_det, ())


def _positive_definite(a: np.ndarray) -> builtins.bool:
    if not np.allclose(a, np.swapaxes(a, -1, -2)):
        return False
    try:
        np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        return False
    return True


def _draw(array: np.ndarray, like: Tensor) -> Tensor:
    return _ag.tensor(np.asarray(array, dtype=like._data.dtype))


class Gamma(_Distribution):
    r"""The gamma distribution with shape ``concentration`` and inverse scale ``rate``
    (broadcast together; numbers allowed), as ``torch.distributions.Gamma``. ``log_prob`` and
    ``entropy`` are differentiable in both parameters.

    Args:
        concentration (float or Tensor): the shape parameter (positive).
        rate (float or Tensor): the inverse scale (positive).
        validate_args (bool, optional): check the parameters and ``log_prob``'s values
            (default: True).

    Differs from PyTorch: no ``rsample`` (``has_rsample`` is False) and no ``cdf``; ``sample``
    draws from this project's random stream.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Gamma
        >>> m = Gamma(ag.tensor([1.0, 2.0]), 3.0)
        >>> m.log_prob(ag.tensor([0.5, 0.5])), m.entropy()
        (tensor([-0.4014,  0.0041]), tensor([-0.0986,  0.4786]))
    """

    arg_constraints = {"concentration": _POSITIVE, "rate": _POSITIVE}
    support = _NONNEGATIVE
    _params: tuple[str, ...] = ("concentration", "rate")
    expand = Distribution._expand_params

    def __init__(self, concentration: Tensor | builtins.float, rate: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.concentration, self.rate = _as_params(concentration, rate)
        super().__init__(self.concentration.shape, (), validate_args)
        for name in self._params:
            t = getattr(self, name)
            self._check_param(name, t, t._data > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self) -> Tensor:
        """``concentration / rate``.

        Example::

            >>> from autograd_core.distributions import Gamma
            >>> Gamma(3.0, 2.0).mean
            tensor(1.5000)
        """
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        """``(concentration - 1) / rate``, clamped at 0.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Gamma
            >>> Gamma(ag.tensor([0.5, 3.0]), 2.0).mode
            tensor([0., 1.])
        """
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        """``concentration / rate ** 2``.

        Example::

            >>> from autograd_core.distributions import Gamma
            >>> Gamma(3.0, 2.0).variance
            tensor(0.7500)
        """
        return self.concentration / self.rate.pow(2)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of shape ``sample_shape + batch_shape`` (at least the dtype's ``tiny``),
        without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> from autograd_core.distributions import Gamma
            >>> Gamma(2.0, 1.0).sample((3, 2)).shape
            autograd_core.Size([3, 2])
        """
        shape = self._extended_shape(sample_shape)
        c = np.broadcast_to(self.concentration._data, shape).astype(np.float64)
        x = _random.generator().standard_gamma(c) / np.broadcast_to(self.rate._data, shape)
        return _draw(np.maximum(x, _ag.finfo(self.rate.dtype).tiny), self.rate)

    def log_prob(self, value: Tensor) -> Tensor:
        """``concentration log(rate) + (concentration - 1) log(value) - rate value -
        lgamma(concentration)``.

        Args:
            value (Tensor): non-negative, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Gamma
            >>> Gamma(1.0, 2.0).log_prob(ag.tensor([0.0, 1.0]))
            tensor([ 0.6931, -1.3069])
        """
        value = self._check_value(value, lambda v: v >= 0, "GreaterThanEq(lower_bound=0.0)")
        c, r = self.concentration, self.rate
        return _ag.xlogy(c, r) + _ag.xlogy(c - 1, value) - r * value - _ag.lgamma(c)

    def entropy(self) -> Tensor:
        """``concentration - log(rate) + lgamma(concentration) + (1 - concentration)
        digamma(concentration)``.

        Example::

            >>> from autograd_core.distributions import Gamma
            >>> Gamma(1.0, 1.0).entropy()
            tensor(1.)
        """
        c = self.concentration
        return c - self.rate.log() + _ag.lgamma(c) + (1.0 - c) * _ag.digamma(c)

    def cdf(self, value: Tensor) -> Tensor:
        """``gammainc(concentration, rate * value)``, as PyTorch's: differentiable in ``rate``
        and ``value``; a gradient for ``concentration`` raises (PyTorch's ``igamma`` has none).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Gamma
            >>> Gamma(1.0, 2.0).cdf(ag.tensor([0.0, 1.0]))
            tensor([0.0000, 0.8647])
        """
        value = self._check_value(value, lambda v: v >= 0, "GreaterThanEq(lower_bound=0.0)")
        return _ag.igamma(self.concentration, self.rate * value)


class Beta(_Distribution):
    r"""The beta distribution on ``[0, 1]`` with concentrations ``concentration1`` (alpha)
    and ``concentration0`` (beta), broadcast together (numbers allowed), as
    ``torch.distributions.Beta``. ``log_prob`` and ``entropy`` are differentiable in both.

    Args:
        concentration1 (float or Tensor): alpha (positive).
        concentration0 (float or Tensor): beta (positive).
        validate_args (bool, optional): check the parameters and ``log_prob``'s values
            (default: True).

    Differs from PyTorch: no ``rsample`` (``has_rsample`` is False) and no ``cdf``; a bad
    parameter is reported under its own name (PyTorch's message names the ``Dirichlet`` it
    builds) and the ``repr`` shows the parameters (PyTorch's is ``Beta()``).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Beta
        >>> m = Beta(2.0, 3.0)
        >>> m.log_prob(ag.tensor(0.5)), m.mean, m.entropy()
        (tensor(0.4055), tensor(0.4000), tensor(-0.2349))
    """

    arg_constraints = {"concentration1": _POSITIVE, "concentration0": _POSITIVE}
    support = _UNIT
    _params = ("concentration1", "concentration0")
    expand = Distribution._expand_params

    def __init__(self, concentration1: Tensor | builtins.float,
                 concentration0: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.concentration1, self.concentration0 = _as_params(concentration1, concentration0)
        super().__init__(self.concentration1.shape, (), validate_args)
        for name in self._params:
            t = getattr(self, name)
            self._check_param(name, t, t._data > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self) -> Tensor:
        """``concentration1 / (concentration1 + concentration0)``.

        Example::

            >>> from autograd_core.distributions import Beta
            >>> Beta(1.0, 3.0).mean
            tensor(0.2500)
        """
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        """``(a - 1) / (a + b - 2)`` with ``a - 1`` and ``b - 1`` clamped at 0 (differentiable);
        1 where both concentrations are below 1 and ``nan`` where both are 1, as PyTorch's
        (whose one-hot there takes the argmax of ``0 / 0``, whichever concentration is larger).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Beta
            >>> Beta(ag.tensor([3.0, 0.5, 0.5]), ag.tensor([2.0, 0.9, 2.0])).mode
            tensor([0.6667, 1.0000, 0.0000])
        """
        a, b = self.concentration1, self.concentration0
        m1, m0 = (a - 1).clamp(min=0), (b - 1).clamp(min=0)
        total = m1 + m0
        empty = total == 0  # both at most 1: 0 / 0 (nan) unless both below 1
        ratio = _ag.where(empty, math.nan, m1 / _ag.where(empty, 1.0, total))
        return _ag.where((a < 1) & (b < 1), 1.0, ratio)

    @property
    def variance(self) -> Tensor:
        """``a b / ((a + b)^2 (a + b + 1))``.

        Example::

            >>> from autograd_core.distributions import Beta
            >>> Beta(1.0, 1.0).variance
            tensor(0.0833)
        """
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total.pow(2) * (total + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws in ``(0, 1)`` of shape ``sample_shape + batch_shape``, without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> from autograd_core.distributions import Beta
            >>> Beta(2.0, 2.0).sample((4,)).shape
            autograd_core.Size([4])
        """
        shape = self._extended_shape(sample_shape)
        x = _random.generator().beta(np.broadcast_to(self.concentration1._data, shape),
                                     np.broadcast_to(self.concentration0._data, shape))
        info = _ag.finfo(self.concentration1.dtype)
        return _draw(np.clip(x, info.tiny, 1 - info.eps), self.concentration1)

    def log_prob(self, value: Tensor) -> Tensor:
        """``(a - 1) log(value) + (b - 1) log(1 - value) + lgamma(a + b) - lgamma(a) -
        lgamma(b)``.

        Args:
            value (Tensor): in ``[0, 1]``, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Beta
            >>> Beta(1.0, 1.0).log_prob(ag.tensor([0.2, 0.9]))
            tensor([0., 0.])
        """
        value = self._check_value(value, lambda v: (v >= 0) & (v <= 1),
                                  "Interval(lower_bound=0.0, upper_bound=1.0)")
        a, b = self.concentration1, self.concentration0
        return (_ag.xlogy(a - 1, value) + _ag.xlogy(b - 1, 1 - value) + _ag.lgamma(a + b)
                - _ag.lgamma(a) - _ag.lgamma(b))

    def entropy(self) -> Tensor:
        """``lbeta(a, b) - (a - 1) digamma(a) - (b - 1) digamma(b) + (a + b - 2) digamma(a + b)``.

        Example::

            >>> from autograd_core.distributions import Beta
            >>> Beta(1.0, 1.0).entropy()
            tensor(0.)
        """
        a, b = self.concentration1, self.concentration0
        total = a + b
        return (_ag.lgamma(a) + _ag.lgamma(b) - _ag.lgamma(total) - (a - 1) * _ag.digamma(a)
                - (b - 1) * _ag.digamma(b) + (total - 2) * _ag.digamma(total))


def _kl_gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = _ag.lgamma(q.concentration) - _ag.lgamma(p.concentration)
    t3 = (p.concentration - q.concentration) * _ag.digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


def _kl_beta_beta(p: Beta, q: Beta) -> Tensor:
    pa, pb, qa, qb = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    p_sum, q_sum = pa + pb, qa + qb
    t1 = _ag.lgamma(qa) + _ag.lgamma(qb) + _ag.lgamma(p_sum)
    t2 = _ag.lgamma(pa) + _ag.lgamma(pb) + _ag.lgamma(q_sum)
    return (t1 - t2 + (pa - qa) * _ag.digamma(pa) + (pb - qb) * _ag.digamma(pb)
            + (q_sum - p_sum) * _ag.digamma(p_sum))


def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event "
                         "shapes cannot be computed")
    batch = tuple(np.broadcast_shapes(tuple(p.batch_shape), tuple(q.batch_shape)))
    k = p.event_shape[0]
    q_tril = q._tril.tril().expand(batch + (k, k))  # a triangular solve, as PyTorch's
    half_log_det = (q._tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
                    - p._tril.diagonal(dim1=-2, dim2=-1).log().sum(-1))
    spread = _ag.linalg.solve(q_tril, p._tril.expand(batch + (k, k))).pow(2).sum((-2, -1))
    shift = _ag.linalg.solve(q_tril, (q.loc - p.loc).expand(batch + (k,)).unsqueeze(-1))
    return half_log_det + 0.5 * (spread + shift.pow(2).sum((-2, -1)) - k)


_KL[(MultivariateNormal, MultivariateNormal)] = _kl_mvn_mvn
_KL[(Gamma, Gamma)] = _kl_gamma_gamma
_KL[(Beta, Beta)] = _kl_beta_beta


# ---- transforms and TransformedDistribution (PyTorch's torch.distributions.transforms) -------

class Transform:
    """Base class of invertible elementwise maps with a log-Jacobian, as
    ``torch.distributions.Transform``: ``t(x)`` applies it, ``t.inv`` is its inverse (also a
    Transform) and ``t.log_abs_det_jacobian(x, y)`` is ``log |dy/dx|`` elementwise. Subclasses
    define ``_call``, ``_inverse`` and ``log_abs_det_jacobian``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import ExpTransform
        >>> t = ExpTransform()
        >>> t(ag.tensor([0.0, 1.0])), t.inv(ag.tensor([1.0]))
        (tensor([1.0000, 2.7183]), tensor([0.]))
    """

    event_dim = 0
    bijective = True
    domain: Constraint = _REAL  # the sets it maps from / to, as PyTorch's
    codomain: Constraint = _REAL
    _cache_size = 0
    _cached: tuple[Any, Any] = (None, None)

    def __init__(self, cache_size: builtins.int = 0) -> None:
        if cache_size not in (0, 1):
            raise ValueError("cache_size must be 0 or 1")
        self._cache_size = cache_size

    @property
    def domain_event_dim(self) -> builtins.int:
        """How many rightmost dimensions of the input one event takes: ``domain.event_dim``
        as PyTorch's (a subclass declaring ``domain = constraints.real_vector`` maps vectors),
        else the older ``event_dim`` class attribute."""
        return self.domain.event_dim or self.event_dim

    @property
    def codomain_event_dim(self) -> builtins.int:
        """How many rightmost dimensions of the output one event takes (``codomain.event_dim``,
        else ``event_dim``)."""
        return self.codomain.event_dim or self.event_dim

    def __call__(self, x: Tensor) -> Tensor:
        if self._cache_size == 0:
            return self._call(x)
        x_old, y_old = self._cached  # PyTorch's cache_size=1: the last pair, by identity
        if x is x_old:
            return y_old
        y = self._call(x)
        self._cached = (x, y)
        return y

    def _inv_call(self, y: Tensor) -> Tensor:
        if self._cache_size == 0:
            return self._inverse(y)
        x_old, y_old = self._cached
        if y is y_old:
            return x_old
        x = self._inverse(y)
        self._cached = (x, y)
        return x

    @property
    def inv(self) -> Transform:
        """The inverse transform (``inv.inv`` is this transform)."""
        return _InverseTransform(self)

    def _call(self, x: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def _inverse(self, y: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:  # pragma: no cover
        raise NotImplementedError

    def _key(self) -> Any:
        """What makes two transforms of the same class equal (None: only itself)."""
        return None

    def __eq__(self, other: object) -> builtins.bool:
        if self is other:
            return True
        if type(self) is not type(other):
            return False
        mine, theirs = self._key(), other._key()  # type: ignore[attr-defined]
        return mine is not None and len(mine) == len(theirs) and all(
            _same_value(a, b) for a, b in zip(mine, theirs))

    __hash__ = object.__hash__

    @property
    def sign(self) -> Any:
        """``+1`` / ``-1`` where the transform increases / decreases (bijective ones)."""
        raise NotImplementedError(f"{type(self).__name__} does not define sign")

    def forward_shape(self, shape: Any) -> Size:
        """The output shape for an input of ``shape``."""
        return Size(shape)

    def inverse_shape(self, shape: Any) -> Size:
        """The input shape for an output of ``shape``."""
        return Size(shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _same_value(a: Any, b: Any) -> builtins.bool:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        a_, b_ = np.asarray(a._data if isinstance(a, Tensor) else a), np.asarray(
            b._data if isinstance(b, Tensor) else b)
        return a_.shape == b_.shape and builtins.bool(np.all(a_ == b_))
    return builtins.bool(a == b)


class _InverseTransform(Transform):
    def __init__(self, transform: Transform) -> None:
        self._inv = transform

    def _key(self) -> Any:
        return (self._inv,)

    @property
    def inv(self) -> Transform:
        return self._inv

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        return self._inv.codomain

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return self._inv.domain

    @property
    def domain_event_dim(self) -> builtins.int:
        return self._inv.codomain_event_dim

    @property
    def codomain_event_dim(self) -> builtins.int:
        return self._inv.domain_event_dim

    @property
    def bijective(self) -> builtins.bool:  # type: ignore[override]
        return self._inv.bijective

    @property
    def sign(self) -> Any:
        return self._inv.sign

    def __call__(self, x: Tensor) -> Tensor:
        return self._inv._inv_call(x)

    def _call(self, x: Tensor) -> Tensor:
        return self._inv._inverse(x)

    def _inverse(self, y: Tensor) -> Tensor:
        return self._inv._call(y)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape: Any) -> Size:
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape: Any) -> Size:
        return self._inv.forward_shape(shape)

    def __repr__(self) -> str:
        return f"_InverseTransform({self._inv!r})"


def _finfo_clamp(t: Tensor) -> Tensor:
    """Clamp into ``[tiny, 1 - eps]`` of the dtype, as PyTorch's sigmoid transform."""
    fi = np.finfo(t._data.dtype)
    return t.clamp(min=builtins.float(fi.tiny), max=1.0 - builtins.float(fi.eps))


class SigmoidTransform(Transform):
    r"""``y = sigmoid(x)``, clamped into ``[tiny, 1 - eps]`` of the dtype as PyTorch's; its
    inverse is the logit. ``SigmoidTransform().inv`` of a ``Uniform(0, 1)`` is the logistic
    distribution.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import SigmoidTransform
        >>> t = SigmoidTransform()
        >>> x = ag.tensor([0.0, 2.0])
        >>> t(x), t.log_abs_det_jacobian(x, t(x))
        (tensor([0.5000, 0.8808]), tensor([-1.3863, -2.2539]))
    """

    domain = _REAL
    codomain = _UNIT
    sign = 1  # type: ignore[assignment]

    def _key(self) -> Any:
        return ()

    def _call(self, x: Tensor) -> Tensor:
        return _finfo_clamp(_ag.sigmoid(x))

    def _inverse(self, y: Tensor) -> Tensor:
        y = _finfo_clamp(y)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return -_ag.nn.functional.softplus(-x) - _ag.nn.functional.softplus(x)


class ExpTransform(Transform):
    r"""``y = exp(x)``; the inverse is ``log``. ``TransformedDistribution(Normal(m, s),
    [ExpTransform()])`` is the log-normal distribution.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import ExpTransform
        >>> ExpTransform().log_abs_det_jacobian(ag.tensor([0.5]), ag.tensor([1.6487]))
        tensor([0.5000])
    """

    domain = _REAL
    codomain = _POSITIVE
    sign = 1  # type: ignore[assignment]

    def _key(self) -> Any:
        return ()

    def _call(self, x: Tensor) -> Tensor:
        return x.exp()

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return x


class AffineTransform(Transform):
    r"""``y = loc + scale * x`` elementwise (``loc`` and ``scale`` numbers or Tensors).

    Args:
        loc (float or Tensor): the shift.
        scale (float or Tensor): the scale (nonzero).
        event_dim (int): how many rightmost dimensions make one event: the log-Jacobian is
            summed over them (a flow layer on vectors). Default: 0 (elementwise).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import AffineTransform
        >>> t = AffineTransform(1.0, -2.0)
        >>> t(ag.tensor([0.0, 1.0])), t.inv(ag.tensor([3.0]))
        (tensor([ 1., -1.]), tensor([-1.]))
    """

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 event_dim: builtins.int = 0, cache_size: builtins.int = 0) -> None:
        super().__init__(cache_size)
        self.loc, self.scale = loc, scale
        self.event_dim = event_dim

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        return _independent(_REAL, self.event_dim) if self.event_dim else _REAL

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return self.domain

    def _key(self) -> Any:
        return (self.loc, self.scale)

    def _call(self, x: Tensor) -> Tensor:
        return self.loc + self.scale * x

    def _inverse(self, y: Tensor) -> Tensor:
        return (y - self.loc) / self.scale

    @property
    def sign(self) -> Any:
        if isinstance(self.scale, Tensor):
            return self.scale.sign()
        return (self.scale > 0) - (self.scale < 0)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        shape = tuple(x.shape)
        if isinstance(self.scale, Tensor):
            result = self.scale.abs().log()
        else:
            result = _ag.full_like(x, math.log(abs(self.scale)))
        if self.event_dim:  # summed over the event (the scale's own event dimensions)
            n = self.event_dim
            result = result.reshape(tuple(result.shape)[:result.ndim - n] + (-1,)).sum(-1)
            shape = shape[:len(shape) - n]
        return result.expand(shape)


class TanhTransform(Transform):
    r"""``y = tanh(x)``; the inverse is ``atanh``. Its ``log |dy/dx|`` is PyTorch's stable
    ``2 (log 2 - x - softplus(-2x))``. With ``cache_size=1`` the inverse of the last output is
    the input itself (SAC's squashed Gaussian: ``atanh`` of a rounded ``±1`` would be ``±inf``).

    Args:
        cache_size (int): 0 or 1. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import TanhTransform
        >>> t = TanhTransform()
        >>> x = ag.tensor([0.0, 1.0])
        >>> t(x), t.log_abs_det_jacobian(x, t(x))
        (tensor([0.0000, 0.7616]), tensor([ 0.0000, -0.8676]))
    """

    domain = _REAL
    codomain = _interval(-1.0, 1.0)
    sign = 1  # type: ignore[assignment]

    def _key(self) -> Any:
        return ()

    def _call(self, x: Tensor) -> Tensor:
        return x.tanh()

    def _inverse(self, y: Tensor) -> Tensor:
        return y.atanh()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return 2.0 * (math.log(2.0) - x - _ag.nn.functional.softplus(-2.0 * x))


class SoftplusTransform(Transform):
    r"""``y = log(1 + exp(x))``; the inverse is ``log(expm1(y))`` computed as
    ``y + log(-expm1(-y))``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import SoftplusTransform
        >>> SoftplusTransform()(ag.tensor([0.0]))
        tensor([0.6931])
    """

    domain = _REAL
    codomain = _POSITIVE
    sign = 1  # type: ignore[assignment]

    def _key(self) -> Any:
        return ()

    def _call(self, x: Tensor) -> Tensor:
        return _ag.nn.functional.softplus(x)

    def _inverse(self, y: Tensor) -> Tensor:
        return (-(-y).expm1()).log() + y

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return -_ag.nn.functional.softplus(-x)


class PowerTransform(Transform):
    r"""``y = x ** exponent`` on positive ``x``.

    Args:
        exponent (float or Tensor): the power.
        cache_size (int): 0 or 1. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import PowerTransform
        >>> PowerTransform(2.0)(ag.tensor([3.0]))
        tensor([9.])
    """

    domain = _POSITIVE
    codomain = _POSITIVE
    def __init__(self, exponent: Tensor | builtins.float, cache_size: builtins.int = 0) -> None:
        super().__init__(cache_size)
        (self.exponent,) = _as_params(exponent)

    def _key(self) -> Any:
        return (self.exponent,)

    def _call(self, x: Tensor) -> Tensor:
        return x.pow(self.exponent)

    def _inverse(self, y: Tensor) -> Tensor:
        return y.pow(1 / self.exponent)

    @property
    def sign(self) -> Any:
        return self.exponent.sign()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape: Any) -> Size:
        return Size(np.broadcast_shapes(tuple(Size(shape)), tuple(self.exponent.shape)))

    inverse_shape = forward_shape

    def __repr__(self) -> str:
        return f"PowerTransform(exponent={self.exponent})"


class AbsTransform(Transform):
    r"""``y = |x|`` (not bijective: the inverse returns ``y``, and there is no
    ``log_abs_det_jacobian``).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import AbsTransform
        >>> AbsTransform()(ag.tensor([-2.0, 3.0]))
        tensor([2., 3.])
    """

    domain = _REAL
    codomain = _POSITIVE
    bijective = False

    def _key(self) -> Any:
        return ()

    def _call(self, x: Tensor) -> Tensor:
        return x.abs()

    def _inverse(self, y: Tensor) -> Tensor:
        return y


class ComposeTransform(Transform):
    r"""The transforms ``parts`` applied in order; its ``log_abs_det_jacobian`` adds theirs,
    each summed over the event dimensions the composition has there.

    Args:
        parts (list of Transform): applied first to last.
        cache_size (int): 0 or 1. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import AffineTransform, ComposeTransform, ExpTransform
        >>> t = ComposeTransform([AffineTransform(1.0, 2.0), ExpTransform()])
        >>> x = ag.tensor([0.0])
        >>> t(x), t.log_abs_det_jacobian(x, t(x))
        (tensor([2.7183]), tensor([1.6931]))
    """

    def __init__(self, parts: Any, cache_size: builtins.int = 0) -> None:
        super().__init__(cache_size)
        self.parts = list(parts)

    def _end(self, part: Transform, which: str, event_dim: builtins.int) -> Constraint:
        c = getattr(part, which)
        return _independent(c, event_dim - c.event_dim) if event_dim > c.event_dim else c

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        return self._end(self.parts[0], "domain", self.domain_event_dim) if self.parts else _REAL

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return (self._end(self.parts[-1], "codomain", self.codomain_event_dim) if self.parts
                else _REAL)

    @property
    def domain_event_dim(self) -> builtins.int:
        if not self.parts:
            return 0
        event_dim = self.parts[-1].codomain_event_dim
        for part in reversed(self.parts):
            event_dim += part.domain_event_dim - part.codomain_event_dim
            event_dim = max(event_dim, part.domain_event_dim)
        return event_dim

    @property
    def codomain_event_dim(self) -> builtins.int:
        if not self.parts:
            return 0
        event_dim = self.parts[0].domain_event_dim
        for part in self.parts:
            event_dim += part.codomain_event_dim - part.domain_event_dim
            event_dim = max(event_dim, part.codomain_event_dim)
        return event_dim

    @property
    def event_dim(self) -> builtins.int:  # type: ignore[override]
        return self.domain_event_dim

    @property
    def bijective(self) -> builtins.bool:  # type: ignore[override]
        return all(p.bijective for p in self.parts)

    @property
    def inv(self) -> Transform:
        return ComposeTransform([p.inv for p in reversed(self.parts)])

    @property
    def sign(self) -> Any:
        sign: Any = 1
        for part in self.parts:
            sign = sign * part.sign
        return sign

    def _key(self) -> Any:
        return tuple(self.parts)

    def _call(self, x: Tensor) -> Tensor:
        for part in self.parts:
            x = part(x)
        return x

    def _inverse(self, y: Tensor) -> Tensor:
        for part in reversed(self.parts):
            y = part.inv(y)
        return y

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        if not self.parts:
            return _ag.zeros_like(x)
        xs = [x]
        for part in self.parts[:-1]:
            xs.append(part(xs[-1]))
        xs.append(y)
        total: Any = 0.0
        event_dim = self.domain_event_dim
        for part, a, b in zip(self.parts, xs[:-1], xs[1:]):
            total = total + _sum_rightmost(part.log_abs_det_jacobian(a, b),
                                           event_dim - part.domain_event_dim)
            event_dim += part.codomain_event_dim - part.domain_event_dim
        return total

    def forward_shape(self, shape: Any) -> Size:
        for part in self.parts:
            shape = part.forward_shape(shape)
        return Size(shape)

    def inverse_shape(self, shape: Any) -> Size:
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return Size(shape)

    def __repr__(self) -> str:
        inner = ",\n    ".join(repr(p) for p in self.parts)
        return f"ComposeTransform(\n    {inner}\n)"


class IndependentTransform(Transform):
    r"""``base_transform`` with its rightmost ``reinterpreted_batch_ndims`` dimensions made
    event dimensions: ``log_abs_det_jacobian`` is summed over them.

    Args:
        base_transform (Transform): the transform.
        reinterpreted_batch_ndims (int): how many dimensions become event dimensions.
        cache_size (int): 0 or 1. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import ExpTransform, IndependentTransform
        >>> t = IndependentTransform(ExpTransform(), 1)
        >>> x = ag.tensor([[0.5, 1.0]])
        >>> t.log_abs_det_jacobian(x, t(x))
        tensor([1.5000])
    """

    def __init__(self, base_transform: Transform, reinterpreted_batch_ndims: builtins.int,
                 cache_size: builtins.int = 0) -> None:
        super().__init__(cache_size)
        self.base_transform = base_transform
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        return _independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return _independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def domain_event_dim(self) -> builtins.int:
        return self.base_transform.domain_event_dim + self.reinterpreted_batch_ndims

    @property
    def codomain_event_dim(self) -> builtins.int:
        return self.base_transform.codomain_event_dim + self.reinterpreted_batch_ndims

    @property
    def event_dim(self) -> builtins.int:  # type: ignore[override]
        return self.domain_event_dim

    @property
    def bijective(self) -> builtins.bool:  # type: ignore[override]
        return self.base_transform.bijective

    @property
    def sign(self) -> Any:
        return self.base_transform.sign

    def _key(self) -> Any:
        return (self.base_transform, self.reinterpreted_batch_ndims)

    def _call(self, x: Tensor) -> Tensor:
        if x.ndim < self.domain_event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform(x)

    def _inverse(self, y: Tensor) -> Tensor:
        if y.ndim < self.codomain_event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return _sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y),
                              self.reinterpreted_batch_ndims)

    def forward_shape(self, shape: Any) -> Size:
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape: Any) -> Size:
        return self.base_transform.inverse_shape(shape)

    def __repr__(self) -> str:
        return f"IndependentTransform({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


class ReshapeTransform(Transform):
    r"""Reshapes the rightmost ``in_shape`` of the input to ``out_shape`` (same number of
    elements); its ``log_abs_det_jacobian`` is zero over the batch.

    Args:
        in_shape (tuple of ints): the event shape of the input.
        out_shape (tuple of ints): the event shape of the output.
        cache_size (int): 0 or 1. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import ReshapeTransform
        >>> ReshapeTransform((4,), (2, 2))(ag.zeros(3, 4)).shape
        autograd_core.Size([3, 2, 2])
    """

    def __init__(self, in_shape: Any, out_shape: Any, cache_size: builtins.int = 0) -> None:
        self.in_shape, self.out_shape = Size(in_shape), Size(out_shape)
        if self.in_shape.numel() != self.out_shape.numel():
            raise ValueError("in_shape, out_shape have different numbers of elements")
        super().__init__(cache_size)

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        return _independent(_REAL, len(self.in_shape))

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return _independent(_REAL, len(self.out_shape))

    @property
    def domain_event_dim(self) -> builtins.int:
        return len(self.in_shape)

    @property
    def codomain_event_dim(self) -> builtins.int:
        return len(self.out_shape)

    def _key(self) -> Any:
        return (self.in_shape, self.out_shape)

    def _call(self, x: Tensor) -> Tensor:
        batch = tuple(x.shape)[:x.ndim - len(self.in_shape)]
        return x.reshape(batch + tuple(self.out_shape))

    def _inverse(self, y: Tensor) -> Tensor:
        batch = tuple(y.shape)[:y.ndim - len(self.out_shape)]
        return y.reshape(batch + tuple(self.in_shape))

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return _ag.zeros(tuple(x.shape)[:x.ndim - len(self.in_shape)], dtype=x.dtype)

    def _moved(self, shape: Any, old: Size, new: Size) -> Size:
        shape = tuple(Size(shape))
        if len(shape) < len(old):
            raise ValueError("Too few dimensions on input")
        cut = len(shape) - len(old)
        if Size(shape[cut:]) != old:
            raise ValueError(f"Shape mismatch: expected {Size(shape[cut:])} but got {old}")
        return Size(shape[:cut] + tuple(new))

    def forward_shape(self, shape: Any) -> Size:
        return self._moved(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape: Any) -> Size:
        return self._moved(shape, self.out_shape, self.in_shape)

    def __repr__(self) -> str:
        return f"ReshapeTransform(in_shape={self.in_shape}, out_shape={self.out_shape})"


def _log_sigmoid(x: Tensor) -> Tensor:
    """``log(sigmoid(x))`` (PyTorch's ``log_sigmoid``): ``x - log1p(exp(x))`` below 0,
    ``-log1p(exp(-x))`` from 0, each branch on its clamped side (no overflow, and the
    derivative at 0 is sigmoid(0) = 1/2, where ``max(-x, 0)`` and ``|x|`` would give 1)."""
    neg, pos = x.clamp(max=0), x.clamp(min=0)
    return _ag.where(x < 0, neg - neg.exp().log1p(), -(-pos).exp().log1p())


class SoftmaxTransform(Transform):
    r"""``y = softmax(x)`` over the last dimension (real vectors to the simplex), as
    ``torch.distributions.SoftmaxTransform``; the inverse is ``log`` (one of the preimages):
    not bijective and without a log-Jacobian.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import SoftmaxTransform
        >>> SoftmaxTransform()(ag.tensor([0.0, 0.6931]))
        tensor([0.3333, 0.6667])
    """

    event_dim = 1
    bijective = False

    def _key(self) -> Any:
        return ()

    def _call(self, x: Tensor) -> Tensor:
        p = (x - x.max(-1, keepdim=True)[0]).exp()
        return p / p.sum(-1, True)

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log()

    def forward_shape(self, shape: Any) -> Size:
        if len(tuple(shape)) < 1:
            raise ValueError("Too few dimensions on input")
        return Size(shape)

    inverse_shape = forward_shape


class StickBreakingTransform(Transform):
    r"""Real vectors of length ``K`` to the ``K + 1``-simplex by stick breaking, as
    ``torch.distributions.StickBreakingTransform``: ``z_i = sigmoid(x_i - log(K - i))`` (zero
    input: the uniform point), ``y_i = z_i prod_{j<i} (1 - z_j)``, the rest in ``y_K``.
    Bijective, with its log-Jacobian.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import StickBreakingTransform
        >>> StickBreakingTransform()(ag.zeros(2))
        tensor([0.3333, 0.3333, 0.3333])
    """

    event_dim = 1
    sign = 1  # type: ignore[assignment]

    def _key(self) -> Any:
        return ()

    @staticmethod
    def _offset_log(x: Tensor, n: builtins.int) -> Tensor:
        """``log(n - i)`` for ``i = 0..`` of ``x``'s dtype (``K - i`` with ``n = K``)."""
        return _ag.tensor(np.log(n - np.arange(x.shape[-1], dtype=np.float64)), dtype=x.dtype)

    def _call(self, x: Tensor) -> Tensor:
        fi = _ag.finfo(x.dtype)
        z = (x - self._offset_log(x, x.shape[-1])).sigmoid().clamp(min=fi.tiny, max=1 - fi.eps)
        rest = (1 - z).cumprod(-1)
        return (_ag.constant_pad_nd(z, (0, 1), 1.0)
                * _ag.constant_pad_nd(rest, (1, 0), 1.0))

    def _inverse(self, y: Tensor) -> Tensor:
        crop = y[..., :-1]
        sf = (1 - crop.cumsum(-1)).clamp(min=_ag.finfo(y.dtype).tiny)
        return crop.log() - sf.log() + self._offset_log(crop, y.shape[-1] - 1)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        x = x - self._offset_log(x, x.shape[-1])
        return (-x + _log_sigmoid(x) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape: Any) -> Size:
        shape = tuple(shape)
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return Size(shape[:-1] + (shape[-1] + 1,))

    def inverse_shape(self, shape: Any) -> Size:
        shape = tuple(shape)
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return Size(shape[:-1] + (shape[-1] - 1,))


class LowerCholeskyTransform(Transform):
    r"""Square matrices to lower-triangular ones with a positive diagonal (``tril(x, -1) +
    diag(exp(diag(x)))``), as ``torch.distributions.LowerCholeskyTransform``; no log-Jacobian
    (PyTorch's has none).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import LowerCholeskyTransform
        >>> LowerCholeskyTransform()(ag.tensor([[0.0, 5.0], [2.0, 1.0]]))
        tensor([[1.0000, 0.0000],
                [2.0000, 2.7183]])
    """

    event_dim = 2
    bijective = False  # PyTorch's (its base class's default)

    def _key(self) -> Any:
        return ()

    def _call(self, x: Tensor) -> Tensor:
        return x.tril(-1) + _ag.diag_embed(x.diagonal(dim1=-2, dim2=-1).exp())

    def _inverse(self, y: Tensor) -> Tensor:
        return y.tril(-1) + _ag.diag_embed(y.diagonal(dim1=-2, dim2=-1).log())


def _check_slices(what: str, z: Tensor, dim: builtins.int, size: builtins.int,
                  name: str) -> None:
    """PyTorch's ``AssertionError``s of CatTransform / StackTransform (``what``: "x" or "y",
    with " tensor" when the call or its inverse checks, whose range message says tensor)."""
    var, _, tensor = what.partition(" ")
    if not -z.ndim <= dim < z.ndim:
        raise AssertionError(f"dim {dim} out of range for {tensor or var} with {z.ndim} "
                             "dimensions")
    if z.shape[dim] != size:
        raise AssertionError(f"{var}.size({dim}) = {z.shape[dim]} must equal {name} {size}")


class CatTransform(Transform):
    r"""``transforms[i]`` applied to consecutive slices of ``lengths[i]`` (default 1) along
    ``dim``, concatenated, as ``torch.distributions.CatTransform``.

    Args:
        tseq (sequence of Transform): the transforms.
        dim (int): the dimension sliced. Default: 0.
        lengths (sequence of int, optional): each transform's slice length.
        cache_size (int): 0 or 1. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import CatTransform, ExpTransform, AffineTransform
        >>> t = CatTransform([ExpTransform(), AffineTransform(1.0, 2.0)], dim=0, lengths=[1, 2])
        >>> t(ag.tensor([0.0, 1.0, 2.0]))
        tensor([1., 3., 5.])
    """

    def __init__(self, tseq: Any, dim: builtins.int = 0, lengths: Any = None,
                 cache_size: builtins.int = 0) -> None:
        if not all(isinstance(t, Transform) for t in tseq):
            raise AssertionError("All elements of tseq must be Transform instances")
        super().__init__(cache_size)
        self.transforms = list(tseq)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise AssertionError(f"lengths ({len(self.lengths)}) must match transforms "
                                 f"({len(self.transforms)})")
        self.dim = dim

    @property
    def event_dim(self) -> builtins.int:  # type: ignore[override]
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self) -> builtins.int:
        return builtins.sum(self.lengths)

    @property
    def bijective(self) -> builtins.bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    def _apply(self, z: Tensor, what: str, fn: Any) -> list:
        _check_slices(what, z, self.dim, self.length, "length")
        out, start = [], 0
        for t, n in zip(self.transforms, self.lengths):
            out.append(fn(t, z.narrow(self.dim, start, n), start, n))
            start += n
        return out

    def _call(self, x: Tensor) -> Tensor:
        return _ag.cat(self._apply(x, "x tensor", lambda t, s, *_: t(s)), dim=self.dim)

    def _inverse(self, y: Tensor) -> Tensor:
        return _ag.cat(self._apply(y, "y tensor", lambda t, s, *_: t.inv(s)), dim=self.dim)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        _check_slices("y", y, self.dim, self.length, "length")

        def one(t: Transform, xs: Tensor, start: builtins.int, n: builtins.int) -> Tensor:
            j = t.log_abs_det_jacobian(xs, y.narrow(self.dim, start, n))
            return _sum_rightmost(j, self.event_dim - t.event_dim)

        parts = self._apply(x, "x", one)
        dim = (self.dim - x.ndim if self.dim >= 0 else self.dim) + self.event_dim
        return _ag.cat(parts, dim=dim) if dim < 0 else builtins.sum(parts[1:], parts[0])


class StackTransform(Transform):
    r"""``transforms[i]`` applied to ``x.select(dim, i)``, stacked along ``dim``, as
    ``torch.distributions.StackTransform``.

    Args:
        tseq (sequence of Transform): the transforms, one per index of ``dim``.
        dim (int): the dimension. Default: 0.
        cache_size (int): 0 or 1. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import StackTransform, ExpTransform, AffineTransform
        >>> t = StackTransform([ExpTransform(), AffineTransform(1.0, 2.0)], dim=1)
        >>> t(ag.tensor([[0.0, 1.0], [1.0, 2.0]]))
        tensor([[1.0000, 3.0000],
                [2.7183, 5.0000]])
    """

    def __init__(self, tseq: Any, dim: builtins.int = 0, cache_size: builtins.int = 0) -> None:
        if not all(isinstance(t, Transform) for t in tseq):
            raise AssertionError("All elements of tseq must be Transform instances")
        super().__init__(cache_size)
        self.transforms = list(tseq)
        self.dim = dim

    @property
    def bijective(self) -> builtins.bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    def _slices(self, z: Tensor, what: str) -> list:
        _check_slices(what, z, self.dim, len(self.transforms), "len(transforms)")
        return [z.select(self.dim, i) for i in range(z.shape[self.dim])]

    def _call(self, x: Tensor) -> Tensor:
        return _ag.stack([t(s) for t, s in zip(self.transforms, self._slices(x, "x tensor"))],
                         dim=self.dim)

    def _inverse(self, y: Tensor) -> Tensor:
        return _ag.stack([t.inv(s) for t, s in zip(self.transforms, self._slices(y, "y tensor"))],
                         dim=self.dim)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        xs, ys = self._slices(x, "x"), self._slices(y, "y")
        return _ag.stack([t.log_abs_det_jacobian(a, b)
                          for t, a, b in zip(self.transforms, xs, ys)], dim=self.dim)


class TransformedDistribution(_Distribution):
    r"""The distribution of ``y = t_n(...t_1(x))`` for ``x`` drawn from ``base_distribution``,
    as ``torch.distributions.TransformedDistribution``: ``sample``/``rsample`` push draws of the
    base through the transforms; ``log_prob(y)`` inverts them and subtracts each
    ``log |det J|`` (differentiable), summed over the event dimensions as PyTorch's (a
    transform reading more dimensions than the base's event makes the base ``Independent``).
    Values are not checked against the last transform's codomain.

    Args:
        base_distribution: a distribution of this module.
        transforms (Transform or list of Transform): applied in order.
        validate_args (bool, optional): passed on as the base's checks are.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import (SigmoidTransform, TransformedDistribution,
        ...                                          Uniform)
        >>> logistic = TransformedDistribution(Uniform(0.0, 1.0), SigmoidTransform().inv)
        >>> logistic.log_prob(ag.tensor([0.0, 2.0]))
        tensor([-1.3863, -2.2539])
    """

    def __init__(self, base_distribution: Any, transforms: Any,
                 validate_args: builtins.bool | None = None) -> None:
        if isinstance(transforms, Transform):
            transforms = [transforms]
        elif not (isinstance(transforms, (list, tuple))
                  and all(isinstance(t, Transform) for t in transforms)):
            raise ValueError(f"transforms must be a Transform or a list of Transforms, but was "
                             f"{transforms}")
        self.transforms = list(transforms)
        chain = ComposeTransform(self.transforms)
        base_shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        base_event_dim = len(base_distribution.event_shape)
        if len(base_shape) < chain.domain_event_dim:
            raise ValueError(f"base_distribution needs to have shape with size at least "
                             f"{chain.domain_event_dim}, but got {Size(base_shape)}.")
        shape = tuple(chain.forward_shape(base_shape))
        expanded = tuple(chain.inverse_shape(shape))
        if expanded != base_shape:
            base_distribution = base_distribution.expand(
                expanded[:len(expanded) - base_event_dim])
        extra = chain.domain_event_dim - base_event_dim
        if extra > 0:  # the transforms read more dimensions as one event than the base
            base_distribution = Independent(base_distribution, extra)
        self.base_dist = base_distribution
        event_dim = max(chain.codomain_event_dim,
                        base_event_dim + chain.codomain_event_dim - chain.domain_event_dim)
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args)

    @property
    def has_rsample(self) -> builtins.bool:  # type: ignore[override]
        return builtins.bool(getattr(self.base_dist, "has_rsample", False))

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        """The same transforms over the base expanded to the batch shape the transforms map
        back to ``batch_shape``, as PyTorch's."""
        batch = Size(batch_shape)
        shape: Any = tuple(batch) + tuple(self._event_shape)
        for t in reversed(self.transforms):
            shape = t.inverse_shape(shape)
        base_batch = tuple(shape)[:len(shape) - len(self.base_dist.event_shape)]
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.base_dist = self.base_dist.expand(base_batch)
        new.transforms = self.transforms
        Distribution.__init__(new, batch, self._event_shape, False)
        new._validate, new._validate_arg = self._validate, self._validate_arg
        return new

    @property
    def support(self) -> Any:
        """The last transform's codomain (the base's support without transforms), made
        independent over the event dimensions it does not cover, as PyTorch's."""
        if not self.transforms:
            return self.base_dist.support
        c = self.transforms[-1].codomain
        n = len(self._event_shape)
        return _independent(c, n - c.event_dim) if n > c.event_dim else c

    def __repr__(self) -> str:
        return "TransformedDistribution()"

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        x = self.base_dist.rsample(sample_shape)
        for t in self.transforms:
            x = t(x)
        return x

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            x = self.base_dist.sample(sample_shape)
            for t in self.transforms:
                x = t(x)
        return x

    def log_prob(self, value: Tensor) -> Tensor:
        """``log p(value)``: the base's log-density at the inverted value minus each
        transform's ``log |dy/dx|`` (summed over the event dimensions)."""
        event_dim = len(self._event_shape)
        y = value if isinstance(value, Tensor) else _ag.tensor(value)
        lp: Any = 0.0
        for t in reversed(self.transforms):
            x = t.inv(y)
            event_dim += t.domain_event_dim - t.codomain_event_dim
            lp = lp - _sum_rightmost(t.log_abs_det_jacobian(x, y),
                                     event_dim - t.domain_event_dim)
            y = x
        return lp + _sum_rightmost(self.base_dist.log_prob(y),
                                   event_dim - len(self.base_dist.event_shape))

    def _monotonize_cdf(self, value: Tensor) -> Tensor:
        """A decreasing chain of transforms turns the base's cdf ``F`` into ``1 - F``."""
        sign: Any = 1
        for t in self.transforms:
            sign = sign * t.sign
        if isinstance(sign, builtins.int) and sign == 1:
            return value
        return sign * (value - 0.5) + 0.5

    def cdf(self, value: Tensor) -> Tensor:
        """The base's cdf at the inverted value (``1 -`` it through a decreasing chain)."""
        for t in reversed(self.transforms):
            value = t.inv(value)
        return self._monotonize_cdf(self.base_dist.cdf(value))

    def icdf(self, value: Tensor) -> Tensor:
        """The transforms applied to the base's icdf."""
        value = self.base_dist.icdf(self._monotonize_cdf(value))
        for t in self.transforms:
            value = t(value)
        return value


# ---- more continuous distributions (PyTorch's Laplace, Exponential, LogNormal, HalfNormal,
# Cauchy, Gumbel, StudentT, Dirichlet, Chi2) ---------------------------------------------------

def _uniform_open(shape: tuple[builtins.int, ...], like: Tensor) -> Tensor:
    """Uniform draws in ``[tiny, 1 - eps]`` of ``like``'s dtype (logs of them stay finite)."""
    fi = _ag.finfo(like.dtype)
    return _ag.rand(shape, dtype=like.dtype).clamp(min=fi.tiny, max=1 - fi.eps)


class Laplace(_Distribution):
    r"""The Laplace distribution with location ``loc`` and scale ``scale``, as
    ``torch.distributions.Laplace``; ``rsample`` is reparameterised.

    Args:
        loc (float or Tensor): the mean.
        scale (float or Tensor): the scale (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Laplace
        >>> m = Laplace(0.0, 1.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.entropy(), m.cdf(ag.tensor(0.0))
        (tensor([-0.6931, -1.6931]), tensor(1.6931), tensor(0.5000))
    """

    _params = ("loc", "scale")
    arg_constraints = {"loc": _REAL, "scale": _POSITIVE}
    _checked_by_base = True
    support = _REAL
    has_rsample = True

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.loc, self.scale = _as_params(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = _ag.finfo(self.loc.dtype).eps  # u in (eps - 1, 1): log1p(-|u|) stays finite
        u = _ag.rand(self._extended_shape(sample_shape), dtype=self.loc.dtype) * (2 - eps) + (eps - 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * (-z.abs() / self.scale).expm1()

    def icdf(self, value: Tensor) -> Tensor:
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()


class Exponential(_Distribution):
    r"""The exponential distribution with ``rate`` (inverse mean), as
    ``torch.distributions.Exponential``; ``rsample`` is reparameterised.

    Args:
        rate (float or Tensor): the rate (positive).
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Exponential
        >>> m = Exponential(ag.tensor([1.0, 2.0]))
        >>> m.log_prob(ag.tensor([1.0, 1.0])), m.mean
        (tensor([-1.0000, -1.3069]), tensor([1.0000, 0.5000]))
    """

    _checked_by_base = True
    _params = ("rate",)
    arg_constraints = {"rate": _POSITIVE}
    support = _NONNEGATIVE
    has_rsample = True

    def __init__(self, rate: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        (self.rate,) = _as_params(rate)
        super().__init__(self.rate.shape, (), validate_args)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return _ag.zeros_like(self.rate)

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        e = _random.generator().standard_exponential(self._extended_shape(sample_shape))
        return _draw(e, self.rate) / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_nonnegative, _NONNEGATIVE)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_nonnegative, _NONNEGATIVE)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()


class LogNormal(TransformedDistribution):
    r"""The distribution of ``exp(X)`` for ``X ~ Normal(loc, scale)``, as
    ``torch.distributions.LogNormal`` (a ``TransformedDistribution`` with ``ExpTransform``).

    Args:
        loc (float or Tensor): the mean of ``log X``.
        scale (float or Tensor): the standard deviation of ``log X`` (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import LogNormal
        >>> m = LogNormal(0.0, 1.0)
        >>> m.log_prob(ag.tensor([1.0, 2.0])), m.mean
        (tensor([-0.9189, -1.8523]), tensor(1.6487))
    """

    _params = ("loc", "scale")
    arg_constraints = {"loc": _REAL, "scale": _POSITIVE}
    support = _POSITIVE
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        base = Normal(loc, scale, validate_args)
        super().__init__(base, ExpTransform(), validate_args)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"  # PyTorch's: its parameters are properties

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogNormal:
        shape = tuple(Size(batch_shape))
        return LogNormal(self.loc.expand(shape), self.scale.expand(shape), self._validate)

    @property
    def loc(self) -> Tensor:
        return self.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Tensor:
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self) -> Tensor:
        s2 = self.scale.pow(2)
        return s2.expm1() * (2 * self.loc + s2).exp()

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(self._check_value(value, _is_positive, _POSITIVE))

    def cdf(self, value: Tensor) -> Tensor:
        return super().cdf(self._check_value(value, _is_positive, _POSITIVE))

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc


class HalfNormal(TransformedDistribution):
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

    _params = ("scale",)
    arg_constraints = {"scale": _POSITIVE}
    support = _NONNEGATIVE
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        (scale,) = _as_params(scale)
        base = Normal(_ag.zeros_like(scale), scale, validate_args=False)
        super().__init__(base, AbsTransform(), validate_args)
        self._check_param("scale", scale, _is_positive(scale._data), _POSITIVE)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"  # PyTorch's: its parameters are properties

    def expand(self, batch_shape: Any, _instance: Any = None) -> HalfNormal:
        return HalfNormal(self.scale.expand(tuple(Size(batch_shape))), self._validate)

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self) -> Tensor:
        return _ag.zeros_like(self.scale)

    @property
    def variance(self) -> Tensor:
        return self.scale.pow(2) * (1 - 2 / math.pi)

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


class Weibull(TransformedDistribution):
    r"""The two-parameter Weibull distribution, as ``torch.distributions.Weibull``:
    ``scale * E ** (1 / concentration)`` for ``E ~ Exponential(1)`` (a
    ``TransformedDistribution`` with ``PowerTransform`` and ``AffineTransform``).

    Args:
        scale (float or Tensor): the scale ``lambda`` (positive).
        concentration (float or Tensor): the shape ``k`` (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Weibull
        >>> m = Weibull(1.0, 2.0)
        >>> m.log_prob(ag.tensor([0.5, 1.0])), m.mean
        (tensor([-0.2500, -0.3069]), tensor(0.8862))
    """

    arg_constraints = {"scale": _POSITIVE, "concentration": _POSITIVE}
    support = _POSITIVE
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, scale: Tensor | builtins.float, concentration: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.scale, self.concentration = _as_params(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base = Exponential(_ag.ones_like(self.scale), validate_args=validate_args)
        super().__init__(base, [PowerTransform(self.concentration_reciprocal),
                                AffineTransform(0, self.scale)], validate_args)
        self._check_param("scale", self.scale, _is_positive(self.scale._data), _POSITIVE)
        self._check_param("concentration", self.concentration,
                          _is_positive(self.concentration._data), _POSITIVE)

    def __repr__(self) -> str:
        return (f"Weibull(scale: {_shape_text(self.scale)}, concentration: "
                f"{_shape_text(self.concentration)})")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Weibull:
        shape = tuple(Size(batch_shape))
        return Weibull(self.scale.expand(shape), self.concentration.expand(shape),
                       self._validate)

    @property
    def mean(self) -> Tensor:
        return self.scale * (1 + self.concentration_reciprocal).lgamma().exp()

    @property
    def mode(self) -> Tensor:  # NaN for concentration < 1, as PyTorch's
        return (self.scale * ((self.concentration - 1) / self.concentration)
                ** self.concentration.reciprocal())

    @property
    def variance(self) -> Tensor:
        r = self.concentration_reciprocal
        return self.scale.pow(2) * ((1 + 2 * r).lgamma().exp() - (2 * (1 + r).lgamma()).exp())

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(self._check_value(value, _is_positive, _POSITIVE))

    def cdf(self, value: Tensor) -> Tensor:
        return super().cdf(self._check_value(value, _is_positive, _POSITIVE))

    def entropy(self) -> Tensor:
        r = self.concentration_reciprocal
        return _EULER_GAMMA * (1 - r) + (self.scale * r).log() + 1


class Pareto(TransformedDistribution):
    r"""The Pareto type I distribution, as ``torch.distributions.Pareto``: ``scale * exp(E)``
    for ``E ~ Exponential(alpha)`` (a ``TransformedDistribution`` with ``ExpTransform`` and
    ``AffineTransform``); support ``[scale, inf)``.

    Args:
        scale (float or Tensor): the minimum value (positive).
        alpha (float or Tensor): the tail index (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Pareto
        >>> m = Pareto(1.0, 3.0)
        >>> m.log_prob(ag.tensor([1.0, 2.0])), m.mean
        (tensor([ 1.0986, -1.6740]), tensor(1.5000))
    """

    arg_constraints = {"alpha": _POSITIVE, "scale": _POSITIVE}
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, scale: Tensor | builtins.float, alpha: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.scale, self.alpha = _as_params(scale, alpha)
        base = Exponential(self.alpha, validate_args=validate_args)
        super().__init__(base, [ExpTransform(), AffineTransform(0, self.scale)], validate_args)
        self._check_param("scale", self.scale, _is_positive(self.scale._data), _POSITIVE)

    def __repr__(self) -> str:
        return f"Pareto(scale: {_shape_text(self.scale)}, alpha: {_shape_text(self.alpha)})"

    def expand(self, batch_shape: Any, _instance: Any = None) -> Pareto:
        shape = tuple(Size(batch_shape))
        return Pareto(self.scale.expand(shape), self.alpha.expand(shape), self._validate)

    @property
    def support(self) -> Constraint:  # type: ignore[override]
        return _greater_than_eq(self.scale)

    @property
    def mean(self) -> Tensor:  # inf for alpha <= 1
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:  # inf for alpha <= 2
        a = self.alpha.clamp(min=2)
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    def _in_support(self, value: Any) -> Tensor:
        return self._check_value(value, lambda v: v >= self.scale._data, self.support)

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(self._in_support(value))

    def cdf(self, value: Tensor) -> Tensor:
        return super().cdf(self._in_support(value))

    def entropy(self) -> Tensor:
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())


# Abramowitz & Stegun 9.8.1-9.8.4: the polynomial approximations of I0 and I1 (relative error
# ~1e-7) that PyTorch's VonMises uses for log I0 and log I1; kept so its numbers are PyTorch's
_BESSEL_SMALL = ((1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2),
                 (0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2,
                  0.32411e-3))
_BESSEL_LARGE = ((0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2,
                  -0.2057706e-1, 0.2635537e-1, -0.1647633e-1, 0.392377e-2),
                 (0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1,
                  0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2))


def _horner(y: Tensor, coef: tuple) -> Any:
    out: Any = coef[-1]
    for c in reversed(coef[:-1]):
        out = c + y * out
    return out


def _log_bessel_i(x: Tensor, order: builtins.int) -> Tensor:
    """``log I_order(x)`` for ``x > 0`` (order 0 or 1), PyTorch's VonMises approximation:
    a polynomial in ``(x/3.75)^2`` below 3.75, ``x - log(x)/2 + log(poly(3.75/x))`` above."""
    with np.errstate(invalid="ignore", divide="ignore"):  # each branch off its side: unused
        y = (x / 3.75) ** 2
        small = _horner(y, _BESSEL_SMALL[order])
        small = (x.abs() * small if order else small).log()
        large = x - 0.5 * x.log() + _horner(3.75 / x, _BESSEL_LARGE[order]).log()
        return _ag.where(x < 3.75, small, large)


class VonMises(_Distribution):
    r"""The von Mises distribution on the circle, as ``torch.distributions.VonMises``:
    density ``exp(concentration * cos(x - loc)) / (2 pi I0(concentration))``; ``loc`` and values
    are angles (any real, read modulo 2 pi). ``mean``/``variance`` are the circular ones;
    ``sample`` is Best & Fisher's rejection sampler (in float64), not reparameterised.

    Args:
        loc (float or Tensor): the mean angle in radians.
        concentration (float or Tensor): the concentration ``kappa`` (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import VonMises
        >>> m = VonMises(0.0, 2.0)
        >>> m.log_prob(ag.tensor([0.0, 3.1416])), m.variance
        (tensor([-0.6619, -4.6619]), tensor(0.3022))
    """

    _checked_by_base = True
    _params = ("loc", "concentration")
    arg_constraints = {"loc": _REAL, "concentration": _POSITIVE}
    support = _REAL
    has_rsample = False

    def __init__(self, loc: Tensor | builtins.float, concentration: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.loc, self.concentration = _as_params(loc, concentration)
        super().__init__(self.loc.shape, (), validate_args)

    expand = Distribution._expand_params

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return (self.concentration * (value - self.loc).cos() - math.log(2 * math.pi)
                - _log_bessel_i(self.concentration, 0))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Best & Fisher (1979): a wrapped-Cauchy envelope with parameter ``r``; draws are
        accepted until every element has one."""
        shape = self._extended_shape(sample_shape)
        kappa = np.broadcast_to(self.concentration._data.astype(np.float64), shape)
        loc = np.broadcast_to(self.loc._data.astype(np.float64), shape)
        with np.errstate(all="ignore"):
            tau = 1 + np.sqrt(1 + 4 * kappa ** 2)
            rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
            r = np.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho ** 2) / (2 * rho))
            x = np.zeros(shape)
            done = np.zeros(shape, bool)
            gen = _random.generator()
            while not done.all():
                u1, u2, u3 = (gen.random(shape) for _ in range(3))
                z = np.cos(math.pi * u1)
                f = (1 + r * z) / (r + z)
                c = kappa * (r - f)
                accept = ~done & (((c * (2 - c) - u2) > 0) | (np.log(c / u2) + 1 - c >= 0))
                x = np.where(accept, np.sign(u3 - 0.5) * np.arccos(f), x)
                done |= accept
            out = np.mod(x + math.pi + loc, 2 * math.pi) - math.pi
        return _ag.tensor(out.astype(self.loc._data.dtype))

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 1 - (_log_bessel_i(self.concentration, 1)
                    - _log_bessel_i(self.concentration, 0)).exp()


class Kumaraswamy(TransformedDistribution):
    r"""The Kumaraswamy distribution on ``(0, 1)``, density ``a b x^(a-1) (1 - x^a)^(b-1)``
    (``a = concentration1``, ``b = concentration0``), as ``torch.distributions.Kumaraswamy``:
    ``(1 - U^(1/b))^(1/a)`` for ``U ~ Uniform(0, 1)``; ``rsample`` is reparameterised.

    Args:
        concentration1 (float or Tensor): ``a`` (positive).
        concentration0 (float or Tensor): ``b`` (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Kumaraswamy
        >>> m = Kumaraswamy(2.0, 3.0)
        >>> m.log_prob(ag.tensor([0.5])).exp(), m.mean
        (tensor([1.6875]), tensor(0.4571))
    """

    arg_constraints = {"concentration1": _POSITIVE, "concentration0": _POSITIVE}
    support = _UNIT
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, concentration1: Tensor | builtins.float,
                 concentration0: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.concentration1, self.concentration0 = _as_params(concentration1, concentration0)
        c0 = self.concentration0
        base = Uniform(_ag.zeros_like(c0), _ag.ones_like(c0), validate_args=validate_args)
        super().__init__(base, [PowerTransform(c0.reciprocal()), AffineTransform(1.0, -1.0),
                                PowerTransform(self.concentration1.reciprocal())],
                         validate_args)
        for name in ("concentration1", "concentration0"):
            v = getattr(self, name)
            self._check_param(name, v, _is_positive(v._data), _POSITIVE)

    def __repr__(self) -> str:
        return (f"Kumaraswamy(concentration1: {_shape_text(self.concentration1)}, "
                f"concentration0: {_shape_text(self.concentration0)})")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Kumaraswamy:
        shape = tuple(Size(batch_shape))
        return Kumaraswamy(self.concentration1.expand(shape), self.concentration0.expand(shape),
                           self._validate)

    def _moment(self, n: builtins.int) -> Tensor:
        """``b B(1 + n/a, b)``, the ``n``-th raw moment."""
        a, b = self.concentration1, self.concentration0
        arg = 1 + n / a
        return b * (_ag.lgamma(arg) + _ag.lgamma(b) - _ag.lgamma(arg + b)).exp()

    @property
    def mean(self) -> Tensor:
        return self._moment(1)

    @property
    def mode(self) -> Tensor:
        """``((a - 1) / (a b - 1)) ** (1 / a)`` for ``a, b >= 1`` (not both 1), else NaN.
        PyTorch 2.13's formula (``log1p(-b) / b - log1p(-a b)``) is NaN everywhere."""
        a, b = self.concentration1, self.concentration0
        inside = (a >= 1) & (b >= 1) & ((a > 1) | (b > 1))
        ratio = _ag.where(inside, (a - 1) / (a * b - 1), math.nan)
        return ratio.pow(a.reciprocal())

    @property
    def variance(self) -> Tensor:
        return self._moment(2) - self.mean.pow(2)

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(self._check_value(value, lambda v: (v >= 0) & (v <= 1), _UNIT))

    def entropy(self) -> Tensor:
        t1 = 1 - self.concentration1.reciprocal()
        t0 = 1 - self.concentration0.reciprocal()
        h0 = _ag.digamma(self.concentration0 + 1) + _EULER_GAMMA
        return t0 + t1 * h0 - self.concentration1.log() - self.concentration0.log()


class ContinuousBernoulli(_Distribution):
    r"""The continuous Bernoulli distribution on ``[0, 1]`` (Loaiza-Ganem & Cunningham 2019),
    density ``C(p) p^x (1 - p)^(1 - x)``, as ``torch.distributions.ContinuousBernoulli``: near
    ``p = 1/2`` (``lims``) the normaliser, mean and variance are Taylor expansions, as
    PyTorch's; ``rsample`` is its inverse cdf of a uniform draw (reparameterised).

    Args:
        probs (float or Tensor, optional): the parameter ``p`` in ``[0, 1]`` (clamped to
            ``[eps, 1 - eps]``).
        logits (float or Tensor, optional): its log-odds.
        lims (tuple of float): the unstable region around 1/2. Default: ``(0.499, 0.501)``.
        validate_args (bool, optional): check the parameter and values.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import ContinuousBernoulli
        >>> m = ContinuousBernoulli(ag.tensor([0.2]))
        >>> m.log_prob(ag.tensor([0.5])), m.mean
        (tensor([-0.0788]), tensor([0.3880]))
    """

    arg_constraints = {"probs": _UNIT, "logits": _REAL}
    support = _UNIT
    has_rsample = True

    def __init__(self, probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 lims: tuple[builtins.float, builtins.float] = (0.499, 0.501),
                 validate_args: builtins.bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (p,) = _as_params(probs)
            if validate_args is not None and not np.all((p._data >= 0) & (p._data <= 1)):
                raise ValueError("The parameter probs has invalid values")
            self.probs = _clamp_probs(p)
            q = self.probs
            self.logits = q.log() - (-q).log1p()
            self._params = ("probs",)
        else:
            (self.logits,) = _as_params(logits)
            self.probs = _clamp_probs(self.logits.sigmoid())
            self._params = ("logits",)
        self._lims = lims
        super().__init__(self.probs.shape, (), validate_args)
        if logits is not None:
            self._check_param("logits", self.logits, ~np.isnan(self.logits._data), _REAL)

    def expand(self, batch_shape: Any, _instance: Any = None) -> ContinuousBernoulli:
        shape = tuple(Size(batch_shape))
        given = {self._params[0]: getattr(self, self._params[0]).expand(shape)}
        new = ContinuousBernoulli(**given, lims=self._lims, validate_args=False)
        new._validate_arg = self._validate_arg
        return new

    def _outside(self) -> Tensor:
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self) -> Tensor:
        return _ag.where(self._outside(), self.probs, self._lims[0])

    def _log_norm(self) -> Tensor:
        c = self._cut_probs()
        below = _ag.where(c <= 0.5, c, 0.0)
        above = _ag.where(c >= 0.5, c, 1.0)
        log_norm = ((-c).log1p() - c.log()).abs().log() - _ag.where(
            c <= 0.5, (-2.0 * below).log1p(), (2.0 * above - 1.0).log())
        x = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return _ag.where(self._outside(), log_norm, taylor)

    @property
    def mean(self) -> Tensor:
        c = self._cut_probs()
        mus = c / (2.0 * c - 1.0) + 1.0 / ((-c).log1p() - c.log())
        x = self.probs - 0.5
        return _ag.where(self._outside(), mus, 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x)

    @property
    def variance(self) -> Tensor:
        c = self._cut_probs()
        v = (c * (c - 1.0) / (1.0 - 2.0 * c).pow(2)
             + 1.0 / ((-c).log1p() - c.log()).pow(2))
        x = (self.probs - 0.5).pow(2)
        return _ag.where(self._outside(), v, 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x)

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    @property
    def mode(self) -> Tensor:  # PyTorch's base: it has no mode
        raise NotImplementedError("ContinuousBernoulli does not implement mode")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = _ag.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype)
        return self.icdf(u)

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, lambda v: (v >= 0) & (v <= 1), _UNIT)
        lg = self.logits  # -BCE-with-logits: x y - softplus(x) = x y + log_sigmoid(-x)
        return lg * value + _log_sigmoid(-lg) + self._log_norm()

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, lambda v: (v >= 0) & (v <= 1), _UNIT)
        c = self._cut_probs()
        cdfs = (c.pow(value) * (1.0 - c).pow(1.0 - value) + c - 1.0) / (2.0 * c - 1.0)
        inner = _ag.where(self._outside(), cdfs, value)
        return _ag.where(value <= 0.0, 0.0, _ag.where(value >= 1.0, 1.0, inner))

    def icdf(self, value: Tensor) -> Tensor:
        c = self._cut_probs()
        return _ag.where(self._outside(),
                         ((-c + value * (2.0 * c - 1.0)).log1p() - (-c).log1p())
                         / (c.log() - (-c).log1p()), value)

    def entropy(self) -> Tensor:
        log0, log1 = (-self.probs).log1p(), self.probs.log()
        return self.mean * (log0 - log1) - self._log_norm() - log0


class Cauchy(_Distribution):
    r"""The Cauchy (Lorentz) distribution with median ``loc`` and half width ``scale``, as
    ``torch.distributions.Cauchy``; ``rsample`` is reparameterised. Its mean is ``nan`` and
    its variance ``inf``, as PyTorch's.

    Args:
        loc (float or Tensor): the median.
        scale (float or Tensor): the half width at half maximum (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Cauchy
        >>> m = Cauchy(0.0, 1.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.cdf(ag.tensor(1.0))
        (tensor([-1.1447, -1.8379]), tensor(0.7500))
    """

    _params = ("loc", "scale")
    arg_constraints = {"loc": _REAL, "scale": _POSITIVE}
    _checked_by_base = True
    support = _REAL
    has_rsample = True

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.loc, self.scale = _as_params(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return _ag.full(tuple(self._batch_shape), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return _ag.full(tuple(self._batch_shape), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = _random.generator().standard_cauchy(self._extended_shape(sample_shape))
        return self.loc + _draw(eps, self.loc) * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return (-math.log(math.pi) - self.scale.log()
                - ((value - self.loc) / self.scale).pow(2).log1p())

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()


_EULER_GAMMA = 0.57721566490153286060


class Gumbel(_Distribution):
    r"""The Gumbel (type-I extreme value) distribution with location ``loc`` and scale
    ``scale``, as ``torch.distributions.Gumbel``; ``rsample`` is reparameterised
    (``loc - scale * log(-log u)``).

    Args:
        loc (float or Tensor): the location (mode).
        scale (float or Tensor): the scale (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Differs from PyTorch: not a ``TransformedDistribution`` subclass (the same numbers).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Gumbel
        >>> m = Gumbel(0.0, 1.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.mean
        (tensor([-1.0000, -1.3679]), tensor(0.5772))
    """

    _params = ("loc", "scale")
    arg_constraints = {"loc": _REAL, "scale": _POSITIVE}
    _checked_by_base = True
    support = _REAL
    has_rsample = True

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.loc, self.scale = _as_params(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * _EULER_GAMMA

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = _uniform_open(self._extended_shape(sample_shape), self.loc)
        return self.loc - self.scale * (-u.log()).log()

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        z = (value - self.loc) / self.scale
        return -(self.scale.log() + z + (-z).exp())

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return (-(-(value - self.loc) / self.scale).exp()).exp()

    def icdf(self, value: Tensor) -> Tensor:
        return self.loc - self.scale * (-value.log()).log()

    def entropy(self) -> Tensor:
        return self.scale.log() + (1 + _EULER_GAMMA)


class StudentT(_Distribution):
    r"""Student's t distribution with ``df`` degrees of freedom, location ``loc`` and scale
    ``scale``, as ``torch.distributions.StudentT``. ``log_prob`` and ``entropy`` are
    differentiable in all three.

    Args:
        df (float or Tensor): degrees of freedom (positive).
        loc (float or Tensor): the location. Default: 0.
        scale (float or Tensor): the scale (positive). Default: 1.
        validate_args (bool, optional): check the parameters and values (default: True).

    Differs from PyTorch: no ``rsample`` (``has_rsample`` is False), as this project's
    ``Gamma``; ``sample`` draws from this project's random stream.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import StudentT
        >>> m = StudentT(3.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.variance
        (tensor([-1.0009, -1.5763]), tensor(3.))
    """

    _params = ("df", "loc", "scale")
    arg_constraints = {"df": _POSITIVE, "loc": _REAL, "scale": _POSITIVE}
    _checked_by_base = True
    support = _REAL

    def __init__(self, df: Tensor | builtins.float, loc: Tensor | builtins.float = 0.0,
                 scale: Tensor | builtins.float = 1.0,
                 validate_args: builtins.bool | None = None) -> None:
        self.df, self.loc, self.scale = _as_params(df, loc, scale)
        super().__init__(self.df.shape, (), validate_args)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return _ag.where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        finite = self.scale.pow(2) * df / (df - 2)
        return _ag.where(df > 2, finite, _ag.where(df > 1, math.inf, math.nan))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        t = _random.generator().standard_t(np.broadcast_to(self.df._data, shape).astype(np.float64))
        with _ag.no_grad():
            return self.loc + _draw(t, self.df) * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        df, y = self.df, (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
             + _ag.lgamma(0.5 * df) - _ag.lgamma(0.5 * (df + 1.0)))
        return -0.5 * (df + 1.0) * (y.pow(2) / df).log1p() - z

    def entropy(self) -> Tensor:
        df = self.df
        lbeta = _ag.lgamma(0.5 * df) + math.lgamma(0.5) - _ag.lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (_ag.digamma(0.5 * (df + 1))
                                                     - _ag.digamma(0.5 * df))
                + 0.5 * df.log() + lbeta)


class Dirichlet(_Distribution):
    r"""The Dirichlet distribution over the simplex with ``concentration`` (its last dimension
    the categories), as ``torch.distributions.Dirichlet``. ``log_prob`` and ``entropy`` are
    differentiable in ``concentration``.

    Args:
        concentration (Tensor): positive, shape ``batch_shape + (K,)``.
        validate_args (bool, optional): check the parameter and values (default: True).

    Differs from PyTorch: no ``rsample`` (``has_rsample`` is False), as this project's
    ``Gamma`` and ``Beta``; ``sample`` draws from this project's random stream.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Dirichlet
        >>> m = Dirichlet(ag.tensor([1.0, 2.0, 3.0]))
        >>> m.log_prob(ag.tensor([0.2, 0.3, 0.5])), m.mean
        (tensor(1.5041), tensor([0.1667, 0.3333, 0.5000]))
    """

    _params = ("concentration",)
    arg_constraints = {"concentration": _independent(_POSITIVE, 1)}
    support = _SIMPLEX

    def __init__(self, concentration: Tensor,
                 validate_args: builtins.bool | None = None) -> None:
        (c,) = _as_params(concentration)
        if c.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = c
        super().__init__(c.shape[:-1], c.shape[-1:], validate_args)
        self._check_param("concentration", c, _is_positive(c._data),
                          self.arg_constraints["concentration"])

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        c = self.concentration
        cm1 = (c - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, keepdim=True)
        # where every concentration is below 1 the density peaks at a vertex: PyTorch's one-hot
        # of the largest (here all-zero -> nan) entry
        corner = _ag.nn.functional.one_hot(mode.argmax(-1), c.shape[-1]).to(mode.dtype)
        return _ag.where((c < 1).all(-1, keepdim=True), corner, mode)

    @property
    def variance(self) -> Tensor:
        c = self.concentration
        c0 = c.sum(-1, keepdim=True)
        return c * (c0 - c) / (c0.pow(2) * (c0 + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        c = np.broadcast_to(self.concentration._data, shape).astype(np.float64)
        g = _random.generator().standard_gamma(c)
        x = g / g.sum(-1, keepdims=True)
        fi = np.finfo(self.concentration._data.dtype)
        return _draw(np.clip(x, fi.tiny, 1 - fi.eps), self.concentration)

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _on_simplex, _SIMPLEX)
        c = self.concentration
        return (_ag.xlogy(c - 1.0, value).sum(-1) + _ag.lgamma(c.sum(-1))
                - _ag.lgamma(c).sum(-1))

    def entropy(self) -> Tensor:
        c = self.concentration
        k, a0 = c.shape[-1], c.sum(-1)
        return (_ag.lgamma(c).sum(-1) - _ag.lgamma(a0) - (k - a0) * _ag.digamma(a0)
                - ((c - 1.0) * _ag.digamma(c)).sum(-1))


class Chi2(Gamma):
    r"""The chi-squared distribution with ``df`` degrees of freedom: ``Gamma(df / 2, 1 / 2)``,
    as ``torch.distributions.Chi2``.

    Args:
        df (float or Tensor): degrees of freedom (positive).
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Chi2
        >>> m = Chi2(ag.tensor([2.0, 4.0]))
        >>> m.log_prob(ag.tensor([1.0, 1.0])), m.mean
        (tensor([-1.1931, -1.8863]), tensor([2., 4.]))
    """

    _params: tuple[str, ...] = ("df",)
    arg_constraints = {"df": _POSITIVE}

    def __init__(self, df: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        (df,) = _as_params(df)
        self.concentration, self.rate = 0.5 * df, _ag.full_like(df, 0.5)
        _Distribution.__init__(self, df.shape, (), validate_args)
        self._check_param("df", df, _is_positive(df._data), _POSITIVE)

    def __repr__(self) -> str:
        return "Chi2()"  # PyTorch's: df is a property

    @property
    def df(self) -> Tensor:
        return self.concentration * 2


# ---- discrete and relaxed distributions (PyTorch's OneHotCategorical(StraightThrough),
# RelaxedBernoulli, RelaxedOneHotCategorical, Poisson, Binomial, Multinomial, Geometric) ------

class OneHotCategorical(Distribution):
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
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def param_shape(self) -> Size:
        return self._categorical.param_shape

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


class Poisson(_Distribution):
    r"""The Poisson distribution with mean ``rate``, as ``torch.distributions.Poisson``
    (``log_prob`` differentiable in ``rate``; no ``entropy``, as PyTorch's).

    Args:
        rate (float or Tensor): the mean (non-negative).
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Poisson
        >>> Poisson(ag.tensor([1.0, 4.0])).log_prob(ag.tensor([0.0, 2.0]))
        tensor([-1.0000, -1.9206])
    """

    _params = ("rate",)
    arg_constraints = {"rate": _NONNEGATIVE}
    support = _NONNEGATIVE_INTEGER

    def __init__(self, rate: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        (self.rate,) = _as_params(rate)
        super().__init__(self.rate.shape, (), validate_args)
        self._check_param("rate", self.rate, _is_nonnegative(self.rate._data), _NONNEGATIVE)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        lam = np.broadcast_to(self.rate._data, shape).astype(np.float64)
        return _draw(_random.generator().poisson(lam), self.rate)

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_count, _NONNEGATIVE_INTEGER)
        return _ag.xlogy(value, self.rate) - self.rate - _ag.lgamma(value + 1)


class Binomial(_Distribution):
    r"""The number of successes in ``total_count`` Bernoulli trials of probability ``probs``
    (or ``logits``), as ``torch.distributions.Binomial``.

    Args:
        total_count (int or Tensor): the number of trials (non-negative integers). Default: 1.
        probs (float or Tensor, optional): the success probability.
        logits (float or Tensor, optional): its log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Binomial
        >>> m = Binomial(4, probs=ag.tensor([0.5]))
        >>> m.log_prob(ag.tensor([2.0])).exp(), m.mean
        (tensor([0.3750]), tensor([2.]))
    """

    probs: Tensor
    logits: Tensor
    _params = ("total_count",)
    has_enumerate_support = True

    def __init__(self, total_count: Tensor | builtins.int = 1,
                 probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._validate_arg = validate_args
        given = probs if probs is not None else logits
        if isinstance(given, Tensor) and not isinstance(total_count, Tensor):
            total_count = _ag.tensor(builtins.float(total_count), dtype=given.dtype)
        (self.total_count,) = _binary_params(self, probs, logits, total_count)
        self.total_count = self.total_count.to(self.probs.dtype)
        n = self.total_count._data
        self._check_param("total_count", self.total_count, _is_count(n), _NONNEGATIVE_INTEGER)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Binomial:
        shape = tuple(Size(batch_shape))
        return Binomial(self.total_count.expand(shape), logits=self.logits.expand(shape),
                        validate_args=self._validate)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        n = np.broadcast_to(self.total_count._data, shape).astype(np.int64)
        p = np.broadcast_to(self.probs._data, shape).astype(np.float64)
        return _draw(_random.generator().binomial(n, p), self.probs)

    def log_prob(self, value: Tensor) -> Tensor:
        n = self.total_count
        value = self._check_value(
            value, lambda v: _is_count(v) & (v <= n._data),
            f"IntegerInterval(lower_bound=0, upper_bound={_shown(n)})")
        logits = self.logits
        # n log(1 + exp(logits)), stable: n max(logits, 0) + n log1p(exp(-|logits|))
        max0 = (logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2
        normalize = n * max0 + n * (-logits.abs()).exp().log1p() - _ag.lgamma(n + 1)
        return value * logits - _ag.lgamma(value + 1) - _ag.lgamma(n - value + 1) - normalize

    def _homogeneous_count(self, what: str) -> builtins.int:
        refuse_capture(f"Binomial.{what}")  # the count sizes the support: read in Python
        n = self.total_count._data
        if n.size and n.min() != n.max():
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return builtins.int(n.max()) if n.size else 0

    def enumerate_support(self, expand: builtins.bool = True) -> Tensor:
        n = self._homogeneous_count("enumerate_support")
        values = _ag.arange(1 + n, dtype=self.probs.dtype)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values

    def entropy(self) -> Tensor:
        self._homogeneous_count("entropy")
        lp = self.log_prob(self.enumerate_support(False))
        return -(lp.exp() * lp).sum(0)


class Multinomial(Distribution):
    r"""Counts of ``total_count`` draws among ``K`` categories of probabilities ``probs`` (or
    ``logits``), as ``torch.distributions.Multinomial``.

    Args:
        total_count (int): the number of draws. Default: 1.
        probs (Tensor, optional): category probabilities, shape ``batch_shape + (K,)``.
        logits (Tensor, optional): their log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Multinomial
        >>> m = Multinomial(4, probs=ag.tensor([0.5, 0.5]))
        >>> m.log_prob(ag.tensor([2.0, 2.0])).exp(), m.mean
        (tensor(0.3750), tensor([2., 2.]))
    """

    support = Constraint("Multinomial()")  # at most total_count draws per event

    def __init__(self, total_count: builtins.int = 1, probs: Tensor | None = None,
                 logits: Tensor | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        if not isinstance(total_count, numbers.Number):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs, logits, validate_args)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args)

    def __repr__(self) -> str:
        return "Multinomial()"  # PyTorch's: probs / logits are properties

    def expand(self, batch_shape: Any, _instance: Any = None) -> Multinomial:
        shape = tuple(Size(batch_shape)) + tuple(self._event_shape)
        return Multinomial(self.total_count, logits=self.logits.expand(shape),
                           validate_args=self._validate)

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def param_shape(self) -> Size:
        return self._categorical.param_shape

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        p = np.broadcast_to(self.probs._data.astype(np.float64), shape)
        counts = _random.generator().multinomial(self.total_count, p / p.sum(-1, keepdims=True))
        return _draw(counts, self.probs)

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(
            value, lambda v: np.all(v >= 0, axis=-1) & (v.sum(-1) <= self.total_count),
            "Multinomial()")
        logits = self.logits
        # 0 * log 0 counts 0 where a category has probability zero and is not drawn
        logits = _ag.where((value == 0) & (logits == -math.inf), 0.0, logits)
        return (_ag.lgamma(value.sum(-1) + 1) - _ag.lgamma(value + 1).sum(-1)
                + (logits * value).sum(-1))

    def entropy(self) -> Tensor:
        n = _ag.tensor(builtins.float(self.total_count), dtype=self.probs.dtype)
        term1 = n * self._categorical.entropy() - _ag.lgamma(n + 1)
        binomial = Binomial(self.total_count, self.probs, validate_args=False)
        support = binomial.enumerate_support()[1:]
        weights = _ag.lgamma(support + 1)
        term2 = (binomial.log_prob(support).exp() * weights).sum((0, -1))
        return term1 + term2


class Geometric(_Distribution):
    r"""The number of failures before the first success of Bernoulli trials of probability
    ``probs`` (or ``logits``), as ``torch.distributions.Geometric``.

    Args:
        probs (float or Tensor, optional): the success probability, in ``(0, 1]``.
        logits (float or Tensor, optional): its log-odds.
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Geometric
        >>> m = Geometric(ag.tensor([0.5]))
        >>> m.log_prob(ag.tensor([2.0])).exp(), m.mean
        (tensor([0.1250]), tensor([1.]))
    """

    probs: Tensor
    logits: Tensor
    support = _NONNEGATIVE_INTEGER

    def __init__(self, probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._validate_arg = validate_args
        self._params = ()
        _binary_params(self, probs, logits)
        if self._validate and probs is not None and not np.all(self.probs._data > 0):
            bad = self.probs._data[~(self.probs._data > 0)]
            raise ValueError(
                f"Expected parameter probs (Tensor of shape {_shape_text(self.probs)}) of "
                f"distribution {self!r} to be positive but found invalid values:\n"
                f"{_ag.tensor(bad)}")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Geometric:
        shape = tuple(Size(batch_shape))
        return Geometric(logits=self.logits.expand(shape), validate_args=self._validate)

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return _ag.zeros_like(self.probs)

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with _ag.no_grad():
            u = _ag.rand(shape, dtype=self.probs.dtype).clamp(min=_ag.finfo(self.probs.dtype).tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_count, _NONNEGATIVE_INTEGER)
        # probs 1 and value 0: 0 * log(0) is 0 (PyTorch zeroes probs there)
        probs = _ag.where((self.probs == 1) & (value == 0), 0.0, self.probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        return (_ag.softplus(self.logits) - self.probs * self.logits) / self.probs


class NegativeBinomial(_Distribution):
    r"""The number of successes before ``total_count`` failures of Bernoulli trials of success
    probability ``probs`` (or ``logits``), as ``torch.distributions.NegativeBinomial``: mean
    ``total_count * probs / (1 - probs)``; ``sample`` draws a Poisson of a Gamma rate.

    Args:
        total_count (float or Tensor): the number of failures (non-negative; real values are
            allowed, as PyTorch's).
        probs (float or Tensor, optional): the success probability, in ``[0, 1)``.
        logits (float or Tensor, optional): its log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import NegativeBinomial
        >>> m = NegativeBinomial(3.0, ag.tensor([0.5]))
        >>> m.log_prob(ag.tensor([2.0])).exp(), m.mean
        (tensor([0.1875]), tensor([3.]))
    """

    probs: Tensor
    logits: Tensor
    support = _NONNEGATIVE_INTEGER
    arg_constraints = {"total_count": _greater_than_eq(0),
                       "probs": _half_open_interval(0.0, 1.0), "logits": _REAL}

    def __init__(self, total_count: Tensor | builtins.float,
                 probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._validate_arg = validate_args
        self._params = ("total_count",)
        (count,) = _binary_params(self, probs, logits, total_count)
        given = self.probs if probs is not None else self.logits
        self.total_count = count if count.dtype == given.dtype else count.to(given.dtype)
        self._check_param("total_count", self.total_count, self.total_count._data >= 0,
                          self.arg_constraints["total_count"])
        if probs is not None:
            self._check_param("probs", self.probs, self.probs._data < 1,
                              self.arg_constraints["probs"])
        self._given = "probs" if probs is not None else "logits"

    def expand(self, batch_shape: Any, _instance: Any = None) -> NegativeBinomial:
        shape = tuple(Size(batch_shape))
        given = {self._given: getattr(self, self._given).expand(shape)}
        return NegativeBinomial(self.total_count.expand(shape), **given,
                                validate_args=self._validate)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / (-self.logits).sigmoid()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            rate = Gamma(self.total_count, (-self.logits).exp(), validate_args=False)
            lam = rate.sample(sample_shape)
            counts = _random.generator().poisson(lam._data.astype(np.float64))
            return _ag.tensor(counts.astype(lam._data.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_count, _NONNEGATIVE_INTEGER)
        r, lg = self.total_count, self.logits
        unnormalized = r * _log_sigmoid(-lg) + value * _log_sigmoid(lg)
        norm = -_ag.lgamma(r + value) + _ag.lgamma(1.0 + value) + _ag.lgamma(r)
        norm = _ag.where(r + value == 0.0, 0.0, norm)
        return unnormalized - norm


class _LogitRelaxedBernoulli(_Distribution):
    """The logit of a ``RelaxedBernoulli`` draw (PyTorch's ``LogitRelaxedBernoulli``)."""

    probs: Tensor
    logits: Tensor
    has_rsample = True

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

    def log_prob(self, value: Tensor) -> Tensor:
        diff = self.logits - value * self.temperature
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(TransformedDistribution):
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
        base = _LogitRelaxedBernoulli(temperature, probs, logits, validate_args)
        super().__init__(base, SigmoidTransform(), validate_args)

    def __repr__(self) -> str:
        return "RelaxedBernoulli()"

    def expand(self, batch_shape: Any, _instance: Any = None) -> RelaxedBernoulli:
        shape = tuple(Size(batch_shape))
        return RelaxedBernoulli(self.temperature, logits=self.logits.expand(shape),
                                validate_args=self._validate)

    @property
    def temperature(self) -> Tensor:
        return self.base_dist.temperature

    @property
    def probs(self) -> Tensor:
        return self.base_dist.probs

    @property
    def logits(self) -> Tensor:
        return self.base_dist.logits

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(self._check_value(value, lambda v: (v >= 0) & (v <= 1), _UNIT))


class _ExpRelaxedCategorical(Distribution):
    """The log of a ``RelaxedOneHotCategorical`` draw (PyTorch's ``ExpRelaxedCategorical``)."""

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

    def log_prob(self, value: Tensor) -> Tensor:
        k = self._event_shape[0]
        t = self.temperature
        log_scale = math.lgamma(k) + (k - 1) * t.log()
        score = self._categorical.logits - value * t
        return (score - score.logsumexp(-1, keepdim=True)).sum(-1) + log_scale


class RelaxedOneHotCategorical(TransformedDistribution):
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
        base = _ExpRelaxedCategorical(temperature, probs, logits, validate_args)
        super().__init__(base, ExpTransform(), validate_args)

    def __repr__(self) -> str:
        return "RelaxedOneHotCategorical()"

    def expand(self, batch_shape: Any, _instance: Any = None) -> RelaxedOneHotCategorical:
        shape = tuple(Size(batch_shape)) + tuple(self._event_shape)
        return RelaxedOneHotCategorical(self.temperature, logits=self.logits.expand(shape),
                                        validate_args=self._validate)

    @property
    def temperature(self) -> Tensor:
        return self.base_dist.temperature

    @property
    def probs(self) -> Tensor:
        return self.base_dist._categorical.probs

    @property
    def logits(self) -> Tensor:
        return self.base_dist._categorical.logits

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(self._check_value(value, _on_simplex, _SIMPLEX))


class MixtureSameFamily(Distribution):
    r"""A mixture of ``K`` components of one family, as
    ``torch.distributions.MixtureSameFamily``: ``mixture_distribution`` (a ``Categorical``)
    picks one of the ``K`` distributions in the rightmost batch dimension of
    ``component_distribution``. ``log_prob`` (a logsumexp over the components), ``cdf``,
    ``mean`` and ``variance`` are differentiable; ``sample`` is not reparameterised.

    Args:
        mixture_distribution (Categorical): the mixture weights, batch ``B``, ``K`` events.
        component_distribution: a distribution with batch ``B + (K,)``.
        validate_args (bool, optional): check ``log_prob``'s values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Categorical, MixtureSameFamily, Normal
        >>> gmm = MixtureSameFamily(Categorical(probs=ag.tensor([0.5, 0.5])),
        ...                         Normal(ag.tensor([-1.0, 1.0]), ag.tensor([1.0, 1.0])))
        >>> gmm.log_prob(ag.tensor([0.0])), gmm.mean, gmm.variance
        (tensor([-1.4189]), tensor(0.), tensor(2.))
    """

    def __init__(self, mixture_distribution: Categorical, component_distribution: Any,
                 validate_args: builtins.bool | None = None) -> None:
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(" The Mixture distribution needs to be an  instance of "
                             "torch.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution need to be an instance of "
                             "torch.distributions.Distribution")
        mdbs = tuple(mixture_distribution.batch_shape)
        cdbs = tuple(component_distribution.batch_shape)[:-1]
        for size1, size2 in zip(reversed(mdbs), reversed(cdbs)):
            if size1 != 1 and size2 != 1 and size1 != size2:
                raise ValueError(f"`mixture_distribution.batch_shape` ({Size(mdbs)}) is not "
                                 f"compatible with `component_distribution.batch_shape`"
                                 f"({Size(cdbs)})")
        km = mixture_distribution.param_shape[-1]
        kc = component_distribution.batch_shape[-1] if component_distribution.batch_shape \
            else None
        if km != kc:
            raise ValueError(f"`mixture_distribution component` ({km}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({kc})")
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = km
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(cdbs, component_distribution.event_shape, validate_args)

    def __repr__(self) -> str:
        return (f"MixtureSameFamily(\n  {self._mixture_distribution!r},\n  "
                f"{self._component_distribution!r})")

    @property
    def mixture_distribution(self) -> Categorical:
        return self._mixture_distribution

    @property
    def component_distribution(self) -> Any:
        return self._component_distribution

    @property
    def support(self) -> Any:  # type: ignore[override]
        return getattr(self._component_distribution, "support", None)

    def expand(self, batch_shape: Any, _instance: Any = None) -> MixtureSameFamily:
        shape = tuple(Size(batch_shape))
        comp = self._component_distribution.expand(shape + (self._num_component,))
        mix = self._mixture_distribution
        mix = Categorical(logits=mix.logits.expand(shape + (self._num_component,)),
                          validate_args=False)
        return MixtureSameFamily(mix, comp, self._validate)

    def _pad(self, x: Tensor) -> Tensor:
        return x.unsqueeze(-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, x: Tensor) -> Tensor:
        dist_ndims = len(self._batch_shape)
        cat_ndims = len(self._mixture_distribution.batch_shape)
        pad = 0 if cat_ndims == 1 else dist_ndims - cat_ndims
        shape = tuple(x.shape)
        return x.reshape(shape[:-1] + (1,) * pad + shape[-1:] + (1,) * self._event_ndims)

    @property
    def mean(self) -> Tensor:
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        return (probs * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self) -> Tensor:
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        comp = self._component_distribution
        dim = -1 - self._event_ndims
        mean_cond_var = (probs * comp.variance).sum(dim)
        var_cond_mean = (probs * (comp.mean - self._pad(self.mean)).pow(2)).sum(dim)
        return mean_cond_var + var_cond_mean

    def cdf(self, x: Tensor) -> Tensor:
        cdf_x = self._component_distribution.cdf(self._pad(x))
        return (cdf_x * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, x: Tensor) -> Tensor:
        if self._validate:
            if not isinstance(x, Tensor):
                raise ValueError("The value argument to log_prob must be a Tensor")
            full = tuple(self._batch_shape) + tuple(self._event_shape)
            try:
                np.broadcast_shapes(tuple(x.shape), full)
            except ValueError:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{x.shape!r} vs {Size(full)!r}.") from None
        log_prob_x = self._component_distribution.log_prob(self._pad(x))
        log_mix = self._mixture_distribution.logits.log_softmax(-1)
        return (log_prob_x + log_mix).logsumexp(-1)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            sample_shape = tuple(Size(sample_shape))
            gather_dim = len(sample_shape) + len(self._batch_shape)
            event = tuple(self._event_shape)
            mix_sample = self._mixture_distribution.sample(sample_shape)
            mix_shape = tuple(mix_sample.shape)
            comp_samples = self._component_distribution.sample(sample_shape)
            index = mix_sample.reshape(mix_shape + (1,) * (len(event) + 1))
            index = index.expand(mix_shape + (1,) + event)
            comp_samples = comp_samples.expand(
                mix_shape + tuple(comp_samples.shape)[len(mix_shape):])
            return comp_samples.gather(gather_dim, index).squeeze(gather_dim)


class LowRankMultivariateNormal(Distribution):
    r"""The multivariate normal distribution with covariance ``cov_factor @ cov_factor.mT +
    diag(cov_diag)`` (a rank-``m`` factor plus a positive diagonal), as
    ``torch.distributions.LowRankMultivariateNormal``: ``log_prob`` and ``entropy`` use the
    ``m x m`` capacitance matrix (Woodbury), ``rsample`` is reparameterised.

    Args:
        loc (Tensor): the mean, shape ``batch_shape + (k,)``.
        cov_factor (Tensor): shape ``batch_shape + (k, m)``.
        cov_diag (Tensor): positive, shape ``batch_shape + (k,)``.
        validate_args (bool, optional): check the parameters and values (default: True).

    Differs from PyTorch: ``precision_matrix`` inverts the covariance (PyTorch's uses
    Woodbury's formula; the same up to rounding).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import LowRankMultivariateNormal
        >>> m = LowRankMultivariateNormal(ag.zeros(2), ag.tensor([[1.0], [1.0]]), ag.ones(2))
        >>> m.covariance_matrix
        tensor([[2., 1.],
                [1., 2.]])
        >>> m.log_prob(ag.zeros(2)), m.entropy()
        (tensor(-2.3872), tensor(3.3872))
    """

    _params = ("loc", "cov_factor", "cov_diag")
    arg_constraints = {"loc": _REAL_VECTOR, "cov_factor": _independent(_REAL, 2),
                       "cov_diag": _independent(_POSITIVE, 1)}
    support = _REAL_VECTOR
    has_rsample = True

    def __init__(self, loc: Tensor, cov_factor: Tensor, cov_diag: Tensor,
                 validate_args: builtins.bool | None = None) -> None:
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        k = loc.shape[-1]
        if cov_factor.ndim < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        if cov_factor.shape[-2] != k:
            raise ValueError(f"cov_factor must be a batch of matrices with shape {k} x m")
        if tuple(cov_diag.shape[-1:]) != (k,):
            raise ValueError(f"cov_diag must be a batch of vectors with shape {Size((k,))}")
        try:
            batch = np.broadcast_shapes(tuple(loc.shape[:-1]), tuple(cov_factor.shape[:-2]),
                                        tuple(cov_diag.shape[:-1]))
        except ValueError:
            raise ValueError(f"Incompatible batch shapes: loc {loc.shape}, cov_factor "
                             f"{cov_factor.shape}, cov_diag {cov_diag.shape}") from None
        m = cov_factor.shape[-1]
        self.loc = loc.expand(batch + (k,))
        self.cov_factor = cov_factor.expand(batch + (k, m))
        self.cov_diag = cov_diag.expand(batch + (k,))
        self._W, self._D = cov_factor, cov_diag
        super().__init__(batch, (k,), validate_args)
        self._check_param("loc", self.loc, np.all(~np.isnan(loc._data)),
                          self.arg_constraints["loc"])
        self._check_param("cov_factor", self.cov_factor, np.all(~np.isnan(cov_factor._data)),
                          self.arg_constraints["cov_factor"])
        self._check_param("cov_diag", self.cov_diag, np.all(cov_diag._data > 0),
                          self.arg_constraints["cov_diag"])
        # the capacitance I + W^T D^-1 W and its Cholesky factor
        wt_dinv = self._W.transpose(-1, -2) / self._D.unsqueeze(-2)
        capacitance = wt_dinv @ self._W + _ag.eye(m, dtype=self._W.dtype)
        self._capacitance_tril = _ag.linalg.cholesky(capacitance)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LowRankMultivariateNormal:
        shape = tuple(Size(batch_shape))
        return LowRankMultivariateNormal(
            self.loc.expand(shape + tuple(self.loc.shape[-1:])),
            self.cov_factor.expand(shape + tuple(self.cov_factor.shape[-2:])),
            self.cov_diag.expand(shape + tuple(self.cov_diag.shape[-1:])), self._validate)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        shape = tuple(self._batch_shape) + tuple(self._event_shape)
        return (self._W.pow(2).sum(-1) + self._D).expand(shape)

    @property
    def covariance_matrix(self) -> Tensor:
        k = self._event_shape[0]
        cov = self._W @ self._W.transpose(-1, -2) + _ag.diag_embed(self._D)
        return cov.expand(tuple(self._batch_shape) + (k, k))

    @property
    def scale_tril(self) -> Tensor:
        return _ag.linalg.cholesky(self.covariance_matrix)

    @property
    def precision_matrix(self) -> Tensor:
        return _ag.linalg.inv(self.covariance_matrix)

    def _log_det(self) -> Tensor:
        tril_diag = self._capacitance_tril.diagonal(dim1=-2, dim2=-1)
        return 2 * tril_diag.log().sum(-1) + self._D.log().sum(-1)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps_w = _ag.randn(shape[:-1] + (self._W.shape[-1],), dtype=self.loc.dtype)
        eps_d = _ag.randn(shape, dtype=self.loc.dtype)
        return self.loc + _batch_mv(self._W, eps_w) + self._D.sqrt() * eps_d

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, lambda v: np.all(~np.isnan(v), axis=-1),
                                  self.support)
        diff = value - self.loc
        term1 = (diff.pow(2) / self._D).sum(-1)
        wt_dinv_x = (self._W.transpose(-1, -2) / self._D.unsqueeze(-2)) @ diff.unsqueeze(-1)
        tril = self._capacitance_tril
        batch = np.broadcast_shapes(tuple(tril.shape[:-2]), tuple(wt_dinv_x.shape[:-2]))
        m = tril.shape[-1]
        solved = _ag.linalg.solve(tril.expand(batch + (m, m)), wt_dinv_x.expand(batch + (m, 1)))
        mahalanobis = term1 - solved.pow(2).sum((-2, -1))
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + self._log_det() + mahalanobis)

    def entropy(self) -> Tensor:
        k = self._event_shape[0]
        h = 0.5 * (k * (1.0 + math.log(2 * math.pi)) + self._log_det())
        return h.expand(tuple(self._batch_shape))


def _kl_lowrank_as_full(p: Any, q: Any) -> Tensor:
    """KL of two Gaussians of which one or both have a low-rank covariance: the full-matrix
    closed form (PyTorch's Woodbury forms give the same numbers up to rounding)."""
    if p.event_shape != q.event_shape:
        both = isinstance(p, LowRankMultivariateNormal) and isinstance(
            q, LowRankMultivariateNormal)
        raise ValueError(f"KL-divergence between two {'Low Rank' if both else '(Low Rank)'} "
                         "Multivariate Normals with different event shapes cannot be computed")

    def full(d: Any) -> MultivariateNormal:
        if isinstance(d, MultivariateNormal):
            return d
        return MultivariateNormal(d.loc, covariance_matrix=d.covariance_matrix,
                                  validate_args=False)
    return _kl_mvn_mvn(full(p), full(q))


# ---- KL divergences of the families above (the pairs PyTorch registers) --------------------

def _infinite_like(t: Tensor) -> Tensor:
    return _ag.full_like(t, math.inf)


def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    return (-scale_ratio.log() + loc_abs_diff / q.scale
            + scale_ratio * (-loc_abs_diff / p.scale).exp() - 1)


def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    rate_ratio = q.rate / p.rate
    return -rate_ratio.log() + rate_ratio - 1


def _kl_gumbel_gumbel(p: Gumbel, q: Gumbel) -> Tensor:
    ct1, ct2, ct3 = p.scale / q.scale, q.loc / q.scale, p.loc / q.scale
    t3 = (ct2 + _ag.lgamma(1 + ct1) - ct3).exp()
    return -ct1.log() - ct2 + ct3 + ct1 * _EULER_GAMMA + t3 - (1 + _EULER_GAMMA)


def _kl_halfnormal_halfnormal(p: HalfNormal, q: HalfNormal) -> Tensor:
    return _kl_normal_normal(p.base_dist, q.base_dist)


def _kl_cauchy_cauchy(p: Cauchy, q: Cauchy) -> Tensor:
    t1 = ((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log()
    return t1 - (4 * p.scale * q.scale).log()


def _kl_dirichlet_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    pc, qc = p.concentration, q.concentration
    sp, sq = pc.sum(-1), qc.sum(-1)
    t1 = _ag.lgamma(sp) - _ag.lgamma(sq)
    t2 = (_ag.lgamma(pc) - _ag.lgamma(qc)).sum(-1)
    t4 = _ag.digamma(pc) - _ag.digamma(sp).unsqueeze(-1)
    return t1 - t2 + ((pc - qc) * t4).sum(-1)


def _kl_onehot_onehot(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical_categorical(p._categorical, q._categorical)


def _kl_poisson_poisson(p: Poisson, q: Poisson) -> Tensor:
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


def _kl_binomial_binomial(p: Binomial, q: Binomial) -> Tensor:
    refuse_capture("kl_divergence(Binomial, Binomial)")
    if np.any(p.total_count._data < q.total_count._data):
        raise NotImplementedError(
            "KL between Binomials where q.total_count > p.total_count is not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p()
                          - (-q.probs).log1p())
    return _ag.where(p.total_count > q.total_count, math.inf, kl)


def _kl_geometric_geometric(p: Geometric, q: Geometric) -> Tensor:
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


def _kl_transformed_transformed(p: TransformedDistribution,
                                q: TransformedDistribution) -> Tensor:
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotImplementedError
    return kl_divergence(p.base_dist, q.base_dist)


def _kl_bernoulli_poisson(p: Bernoulli, q: Poisson) -> Tensor:
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


def _kl_beta_exponential(p: Beta, q: Exponential) -> Tensor:
    mean = p.concentration1 / (p.concentration1 + p.concentration0)
    return -p.entropy() - q.rate.log() + q.rate * mean


def _kl_exponential_gamma(p: Exponential, q: Gamma) -> Tensor:
    ratio = q.rate / p.rate
    return (-q.concentration * ratio.log() + ratio + _ag.lgamma(q.concentration)
            + q.concentration * _EULER_GAMMA - (1 + _EULER_GAMMA))


def _kl_exponential_gumbel(p: Exponential, q: Gumbel) -> Tensor:
    prod = p.rate * q.scale
    loc_scale = q.loc / q.scale
    return (prod.log() - 1 - loc_scale + loc_scale.exp() * prod / (prod + 1)
            + prod.reciprocal())


def _kl_exponential_normal(p: Exponential, q: Normal) -> Tensor:
    var = q.scale.pow(2)
    rate2 = p.rate.pow(2)
    t1 = 0.5 * (rate2 * var * 2 * math.pi).log()
    return t1 - 1 + (rate2.reciprocal() - q.loc / p.rate + q.loc.pow(2) * 0.5) / var


def _kl_gamma_exponential(p: Gamma, q: Exponential) -> Tensor:
    return -p.entropy() - q.rate.log() + q.rate * p.concentration / p.rate


def _kl_gamma_gumbel(p: Gamma, q: Gumbel) -> Tensor:
    c = p.concentration
    prod = p.rate * q.scale
    loc_scale = q.loc / q.scale
    t1 = (c - 1) * _ag.digamma(c) - _ag.lgamma(c) - c
    t2 = prod.log() + c / prod
    t3 = loc_scale.exp() * (1 + prod.reciprocal()).pow(-c) - loc_scale
    return t1 + t2 + t3


def _kl_gumbel_normal(p: Gumbel, q: Normal) -> Tensor:
    ratio = p.scale / q.scale
    t1 = (ratio / math.sqrt(2 * math.pi)).log()
    t2 = (math.pi * ratio * 0.5).pow(2) / 3
    t3 = ((p.loc + p.scale * _EULER_GAMMA - q.loc) / q.scale).pow(2) * 0.5
    return -t1 + t2 + t3 - (_EULER_GAMMA + 1)


def _kl_laplace_normal(p: Laplace, q: Normal) -> Tensor:
    var = q.scale.pow(2)
    ratio = p.scale.pow(2) / var
    t1 = 0.5 * (2 * ratio / math.pi).log()
    shift = 0.5 * p.loc.pow(2) - p.loc * q.loc + 0.5 * q.loc.pow(2)
    return -t1 + ratio + shift / var - 1


def _kl_normal_gumbel(p: Normal, q: Gumbel) -> Tensor:
    mean_scale = p.loc / q.scale
    var_ratio = (p.scale / q.scale).pow(2)
    loc_scale = q.loc / q.scale
    t3 = (-mean_scale + 0.5 * var_ratio + loc_scale).exp()
    return (-var_ratio.log() * 0.5 + mean_scale - loc_scale + t3
            - 0.5 * (1 + math.log(2 * math.pi)))


def _kl_normal_laplace(p: Normal, q: Laplace) -> Tensor:
    diff = p.loc - q.loc
    z = diff / p.scale
    t2 = math.sqrt(2 / math.pi) * p.scale * (-0.5 * z.pow(2)).exp()
    t3 = diff * _ag.erf(math.sqrt(0.5) * z)
    return (-(p.scale / q.scale).log() + (t2 + t3) / q.scale
            - 0.5 * (1 + math.log(0.5 * math.pi)))


def _kl_uniform_exponential(p: Uniform, q: Exponential) -> Tensor:
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return _ag.where(p.low < 0, math.inf, result)


def _kl_uniform_gumbel(p: Uniform, q: Gumbel) -> Tensor:
    common = q.scale / (p.high - p.low)
    high, low = (p.high - q.loc) / q.scale, (p.low - q.loc) / q.scale
    return common.log() + 0.5 * (high + low) - common * ((-high).exp() - (-low).exp())


def _kl_p_infinite(param: str) -> Any:
    """``inf`` of ``p``'s batch: ``q`` gives zero density where ``p`` has mass."""
    def kl(p: Any, q: Any) -> Tensor:
        return _infinite_like(getattr(p, param))
    return kl


_KL.update({
    (Laplace, Laplace): _kl_laplace_laplace,
    (Exponential, Exponential): _kl_exponential_exponential,
    (Gumbel, Gumbel): _kl_gumbel_gumbel,
    (HalfNormal, HalfNormal): _kl_halfnormal_halfnormal,
    (Cauchy, Cauchy): _kl_cauchy_cauchy,
    (Dirichlet, Dirichlet): _kl_dirichlet_dirichlet,
    (OneHotCategorical, OneHotCategorical): _kl_onehot_onehot,
    (Poisson, Poisson): _kl_poisson_poisson,
    (Binomial, Binomial): _kl_binomial_binomial,
    (Geometric, Geometric): _kl_geometric_geometric,
    (TransformedDistribution, TransformedDistribution): _kl_transformed_transformed,
    (Bernoulli, Poisson): _kl_bernoulli_poisson,
    (Beta, Exponential): _kl_beta_exponential,
    (Exponential, Gamma): _kl_exponential_gamma,
    (Exponential, Gumbel): _kl_exponential_gumbel,
    (Exponential, Normal): _kl_exponential_normal,
    (Gamma, Exponential): _kl_gamma_exponential,
    (Gamma, Gumbel): _kl_gamma_gumbel,
    (Gumbel, Normal): _kl_gumbel_normal,
    (Laplace, Normal): _kl_laplace_normal,
    (Normal, Gumbel): _kl_normal_gumbel,
    (Normal, Laplace): _kl_normal_laplace,
    (Uniform, Exponential): _kl_uniform_exponential,
    (Uniform, Gumbel): _kl_uniform_gumbel,
    (LowRankMultivariateNormal, LowRankMultivariateNormal): _kl_lowrank_as_full,
    (LowRankMultivariateNormal, MultivariateNormal): _kl_lowrank_as_full,
    (MultivariateNormal, LowRankMultivariateNormal): _kl_lowrank_as_full,
})
for _p, _q in [(Exponential, Beta), (Exponential, Uniform), (Normal, Exponential),
               (Poisson, Bernoulli), (Poisson, Binomial)]:
    _KL[_p, _q] = _kl_p_infinite("rate" if _p in (Exponential, Poisson) else "loc")
for _p in (Gumbel, Laplace):
    for _q in (Beta, Exponential, Gamma, Uniform):
        _KL[_p, _q] = _kl_p_infinite("loc")


def _x_log_x(t: Tensor) -> Tensor:
    return _ag.xlogy(t, t)


def _kl_beta_gamma(p: Beta, q: Gamma) -> Tensor:
    a, b = p.concentration1, p.concentration0
    t2 = _ag.lgamma(q.concentration) - q.concentration * q.rate.log()
    t3 = (q.concentration - 1) * (_ag.digamma(a) - _ag.digamma(a + b))
    return -p.entropy() + t2 - t3 + q.rate * a / (a + b)


def _kl_beta_normal(p: Beta, q: Normal) -> Tensor:
    a, b = p.concentration1, p.concentration0
    mean = a / (a + b)
    var = q.scale.pow(2)
    t2 = 0.5 * (var * 2 * math.pi).log()
    t3 = (mean * (1 - mean) / (a + b + 1) + mean.pow(2)) * 0.5
    return -p.entropy() + t2 + (t3 - q.loc * mean + q.loc.pow(2) * 0.5) / var


def _kl_beta_uniform(p: Beta, q: Uniform) -> Tensor:
    result = -p.entropy() + (q.high - q.low).log()
    return _ag.where((q.low > 0) | (q.high < 1), math.inf, result)


def _kl_gamma_normal(p: Gamma, q: Normal) -> Tensor:
    c = p.concentration
    var = q.scale.pow(2)
    rate2 = p.rate.pow(2)
    t1 = 0.5 * (rate2 * var * 2 * math.pi).log() - c - _ag.lgamma(c)
    t2 = 0.5 * (c.pow(2) + c) / rate2
    return t1 + (c - 1) * _ag.digamma(c) + (t2 - q.loc * c / p.rate + 0.5 * q.loc.pow(2)) / var


def _kl_uniform_beta(p: Uniform, q: Beta) -> Tensor:
    width = p.high - p.low
    t2 = (q.concentration1 - 1) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    t3 = (q.concentration0 - 1) * (_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + width) / width
    t4 = (_ag.lgamma(q.concentration1) + _ag.lgamma(q.concentration0)
          - _ag.lgamma(q.concentration1 + q.concentration0))
    result = t3 + t4 - width.log() - t2
    return _ag.where((p.high > 1) | (p.low < 0), math.inf, result)


def _kl_uniform_gamma(p: Uniform, q: Gamma) -> Tensor:
    width = p.high - p.low
    t2 = _ag.lgamma(q.concentration) - q.concentration * q.rate.log()
    t3 = (1 - q.concentration) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    result = -width.log() + t2 + t3 + q.rate * (p.high + p.low) / 2
    return _ag.where(p.low < 0, math.inf, result)


def _kl_uniform_normal(p: Uniform, q: Normal) -> Tensor:
    width = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / width).log()
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + 0.5 * (width.pow(2) / 12 + t3) / q.scale.pow(2)


_KL.update({
    (Beta, Gamma): _kl_beta_gamma,
    (Beta, Normal): _kl_beta_normal,
    (Beta, Uniform): _kl_beta_uniform,
    (Gamma, Normal): _kl_gamma_normal,
    (Uniform, Beta): _kl_uniform_beta,
    (Uniform, Gamma): _kl_uniform_gamma,
    (Uniform, Normal): _kl_uniform_normal,
    (Gamma, Beta): _kl_p_infinite("concentration"),
    (Gamma, Uniform): _kl_p_infinite("concentration"),
})
for _q in (Beta, Gamma, Uniform):
    _KL[Normal, _q] = _kl_p_infinite("loc")


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
    if kind == "PositiveDefinite" and not bijective:
        raise NotImplementedError(f"transform_to({constraint}) is PyTorch's "
                                  "PositiveDefiniteTransform, which autograd_core does not provide")
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


def _add_submodules() -> None:
    """PyTorch's per-family modules: ``torch.distributions.normal.Normal`` and ``from
    torch.distributions.categorical import Categorical`` name these same classes."""
    import sys
    import types

    families = {"normal": ["Normal"], "bernoulli": ["Bernoulli"], "uniform": ["Uniform"],
                "categorical": ["Categorical"], "independent": ["Independent"],
                "kl": ["kl_divergence", "register_kl"], "distribution": ["Distribution"], "multivariate_normal": ["MultivariateNormal"],
                "gamma": ["Gamma"], "beta": ["Beta"], "laplace": ["Laplace"],
                "exponential": ["Exponential"], "log_normal": ["LogNormal"],
                "half_normal": ["HalfNormal"], "cauchy": ["Cauchy"], "gumbel": ["Gumbel"],
                "studentT": ["StudentT"], "dirichlet": ["Dirichlet"], "chi2": ["Chi2"],
                "one_hot_categorical": ["OneHotCategorical", "OneHotCategoricalStraightThrough"],
                "relaxed_bernoulli": ["RelaxedBernoulli"],
                "relaxed_categorical": ["RelaxedOneHotCategorical"], "poisson": ["Poisson"],
                "binomial": ["Binomial"], "multinomial": ["Multinomial"],
                "geometric": ["Geometric"], "mixture_same_family": ["MixtureSameFamily"],
                "lowrank_multivariate_normal": ["LowRankMultivariateNormal"],
                "transforms": ["Transform", "SigmoidTransform", "ExpTransform", "AffineTransform",
                               "TanhTransform", "ComposeTransform", "SoftplusTransform",
                               "PowerTransform", "AbsTransform", "IndependentTransform",
                               "ReshapeTransform", "SoftmaxTransform",
                               "StickBreakingTransform", "LowerCholeskyTransform",
                               "CatTransform", "StackTransform"],
                "weibull": ["Weibull"], "pareto": ["Pareto"], "von_mises": ["VonMises"],
                "kumaraswamy": ["Kumaraswamy"], "continuous_bernoulli": ["ContinuousBernoulli"],
                "negative_binomial": ["NegativeBinomial"],
                "transformed_distribution": ["TransformedDistribution"],
                "utils": ["clamp_probs", "probs_to_logits", "logits_to_probs", "broadcast_all"],
                "constraint_registry": ["biject_to", "transform_to"]}
    constraints = types.ModuleType(f"{__name__}.constraints",
                                   "PyTorch's ``distributions.constraints``.")
    for name, value in _CONSTRAINTS.items():
        setattr(constraints, name, value)
    constraints.__all__ = list(_CONSTRAINTS)  # type: ignore[attr-defined]
    sys.modules[constraints.__name__] = constraints
    globals()["constraints"] = constraints
    for name, members in families.items():
        module = types.ModuleType(f"{__name__}.{name}", f"PyTorch's ``distributions.{name}``.")
        module.__all__ = members  # type: ignore[attr-defined]
        for member in members:
            setattr(module, member, globals()[member])
        sys.modules[module.__name__] = module
        globals()[name] = module


_add_submodules()
