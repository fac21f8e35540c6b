"""PyTorch's ``torch.distributions.distribution``: ``Distribution``."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.ops.registry import refuse_capture
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import Constraint, _POSITIVE, _REAL, _UNIT
from autograd_core.distributions.utils import _as_params, _clamp_probs

__all__ = ["Distribution"]


def _shape_text(t: Tensor) -> str:
    return str(tuple(t.shape))


def _shown(t: Tensor) -> str:
    return repr(t.item()) if t.ndim == 0 else str(t)


_PACKAGE = __name__.rpartition(".")[0] + "."  # this package's modules define ours


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
        if self._validate and (not type(self).__module__.startswith(_PACKAGE)
                               or self._checked_by_base):
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
        if isinstance(support, Constraint) and support._checkable:
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


class _LocScale(_Distribution):
    """The shape PyTorch writes out for ``Cauchy``, ``Gumbel`` and ``Laplace``: a real
    ``loc`` and a positive ``scale`` broadcast together (numbers allowed), checked by the base
    in that order, a real support, ``rsample``, and ``expand`` by expanding both."""

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
