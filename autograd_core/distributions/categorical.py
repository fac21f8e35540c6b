"""PyTorch's ``torch.distributions.categorical``: ``Categorical``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.ops.registry import refuse_capture
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import (
    _REAL_VECTOR, _SIMPLEX, Constraint, _integer_interval,
)
from autograd_core.distributions.distribution import Distribution, _shape_text

__all__ = ["Categorical"]


class Categorical(Distribution):
    r"""A categorical distribution over ``0 .. K-1``, parameterised by ``probs`` (non-negative,
    normalised along the last dimension) or ``logits`` (unnormalised log-probabilities), with
    PyTorch's normalisation, argument checks and error messages.

    Args:
        probs (Tensor, optional): event probabilities, shape ``batch_shape + (K,)``.
        logits (Tensor, optional): event log-odds, shape ``batch_shape + (K,)``.
        validate_args (bool, optional): check the parameters and ``log_prob``'s values
            (default: True, as PyTorch's under ``__debug__``).

    Differs from PyTorch: the ``repr`` names only the parameter given.

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

    @property
    def support(self) -> Constraint:  # type: ignore[override]
        """``constraints.integer_interval(0, K - 1)``, as PyTorch's."""
        return _integer_interval(0, self._num_events - 1)

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


class _OverCategorical:
    """``probs``, ``logits`` and ``param_shape`` of the families that keep a ``Categorical``
    (``OneHotCategorical``, ``Multinomial``, ``ExpRelaxedCategorical``) in ``_categorical``."""

    _categorical: Categorical

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def param_shape(self) -> Size:
        return self._categorical.param_shape
