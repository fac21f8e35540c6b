"""PyTorch's ``torch.distributions.transforms``."""

from __future__ import annotations

import builtins
import copy
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import (Constraint, _CORR_CHOLESKY,
                                                     _LOWER_CHOLESKY, _POSITIVE,
                                                     _POSITIVE_DEFINITE, _REAL, _REAL_VECTOR,
                                                     _SIMPLEX, _UNIT, _cat, _independent,
                                                     _interval, _stack)
from autograd_core.distributions.utils import (_as_params, _log_sigmoid, _sum_rightmost,
                                               tril_matrix_to_vec, vec_to_tril_matrix)

__all__ = ["Transform", "SigmoidTransform", "ExpTransform", "AffineTransform", "TanhTransform",
           "SoftplusTransform", "PowerTransform", "AbsTransform", "ComposeTransform",
           "IndependentTransform", "ReshapeTransform", "SoftmaxTransform",
           "StickBreakingTransform", "LowerCholeskyTransform", "CatTransform", "StackTransform",
           "CorrCholeskyTransform", "PositiveDefiniteTransform",
           "CumulativeDistributionTransform", "identity_transform"]


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

    def with_cache(self, cache_size: builtins.int = 1) -> Transform:
        """This transform with ``cache_size`` (0 or 1): itself when it already has it, else a
        copy with an empty cache, as ``torch.distributions.Transform.with_cache``."""
        if self._cache_size == cache_size:
            return self
        if cache_size not in (0, 1):
            raise ValueError("cache_size must be 0 or 1")
        new = copy.copy(self)
        new._cache_size, new._cached = cache_size, (None, None)
        return new

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

    def with_cache(self, cache_size: builtins.int = 1) -> Transform:
        """The inverse of the forward transform with ``cache_size`` (one cache for both
        directions)."""
        cached = self._inv.with_cache(cache_size)
        return self if cached is self._inv else cached.inv

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
    domain = _REAL_VECTOR
    codomain = _SIMPLEX
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
    domain = _REAL_VECTOR
    codomain = _SIMPLEX

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
    domain = _independent(_REAL, 2)
    codomain = _LOWER_CHOLESKY
    bijective = False  # PyTorch's (its base class's default)

    def _key(self) -> Any:
        return ()

    def _call(self, x: Tensor) -> Tensor:
        return x.tril(-1) + _ag.diag_embed(x.diagonal(dim1=-2, dim2=-1).exp())

    def _inverse(self, y: Tensor) -> Tensor:
        return y.tril(-1) + _ag.diag_embed(y.diagonal(dim1=-2, dim2=-1).log())


def _pad_one(t: Tensor) -> Tensor:
    """``t[..., :-1]`` with a 1 in front (PyTorch's ``pad(t[..., :-1], [1, 0], value=1)``)."""
    return _ag.cat([_ag.ones(tuple(t.shape[:-1]) + (1,), dtype=t.dtype), t[..., :-1]], -1)


class CorrCholeskyTransform(Transform):
    r"""Real vectors of length ``D (D - 1) / 2`` to Cholesky factors of ``D x D`` correlation
    matrices (lower triangular, positive diagonal, rows of unit norm), as
    ``torch.distributions.CorrCholeskyTransform``: the vector fills the strictly lower triangle
    row by row, each entry goes through ``tanh`` and each row through a signed stick-breaking.
    Bijective, with its log-Jacobian (``biject_to(constraints.corr_cholesky)``).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import CorrCholeskyTransform
        >>> L = CorrCholeskyTransform()(ag.tensor([0.5, -1.0, 0.3]))
        >>> L
        tensor([[ 1.0000,  0.0000,  0.0000],
                [ 0.4621,  0.8868,  0.0000],
                [-0.7616,  0.1888,  0.6199]])
        >>> ag.allclose((L * L).sum(-1), ag.ones(3))
        True
    """

    domain = _REAL_VECTOR
    codomain = _CORR_CHOLESKY

    def _call(self, x: Tensor) -> Tensor:
        eps = _ag.finfo(x.dtype).eps
        r = vec_to_tril_matrix(x.tanh().clamp(min=-1 + eps, max=1 - eps), -1)
        # row i: y_ij = r_ij sqrt(prod_{k<j} (1 - r_ik^2)), and the diagonal takes what is left
        z1m_cumprod_sqrt = (1 - r ** 2).sqrt().cumprod(-1)
        r = r + _ag.eye(r.shape[-1], dtype=r.dtype)
        return r * _pad_one(z1m_cumprod_sqrt)

    def _inverse(self, y: Tensor) -> Tensor:
        y_cumsum_shifted = _pad_one(1 - (y * y).cumsum(-1))
        t = tril_matrix_to_vec(y, -1) / tril_matrix_to_vec(y_cumsum_shifted, -1).sqrt()
        return (t.log1p() - (-t).log1p()) / 2  # atanh

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        y1m_cumsum = 1 - (y * y).cumsum(-1)
        stick_breaking_logdet = 0.5 * tril_matrix_to_vec(y1m_cumsum, -2).log().sum(-1)
        tanh_logdet = -2 * (x + _ag.nn.functional.softplus(-2 * x) - math.log(2.0)).sum(-1)
        return stick_breaking_logdet + tanh_logdet

    def forward_shape(self, shape: Any) -> Size:
        shape = tuple(shape)
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError("Input is not a flattened lower-diagonal number")
        return Size(shape[:-1] + (d, d))

    def inverse_shape(self, shape: Any) -> Size:
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError("Too few dimensions on input")
        if shape[-2] != shape[-1]:
            raise ValueError("Input is not square")
        d = shape[-1]
        return Size(shape[:-2] + (d * (d - 1) // 2,))


class PositiveDefiniteTransform(Transform):
    r"""Square matrices to positive definite ones, ``L @ L.mT`` for ``L`` the
    ``LowerCholeskyTransform`` of the input, as ``torch.distributions.PositiveDefiniteTransform``
    (``transform_to(constraints.positive_definite)``); not bijective, no log-Jacobian (as
    PyTorch's).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import PositiveDefiniteTransform
        >>> PositiveDefiniteTransform()(ag.tensor([[0.0, 5.0], [2.0, 0.0]]))
        tensor([[1., 2.],
                [2., 5.]])
    """

    domain = _independent(_REAL, 2)
    codomain = _POSITIVE_DEFINITE
    bijective = False  # PyTorch's (its base class's default)

    def _key(self) -> Any:
        return ()

    def _call(self, x: Tensor) -> Tensor:
        x = LowerCholeskyTransform()(x)
        return x @ x.mT

    def _inverse(self, y: Tensor) -> Tensor:
        return LowerCholeskyTransform().inv(_ag.linalg.cholesky(y))


class CumulativeDistributionTransform(Transform):
    r"""The cdf of ``distribution``: its support to ``(0, 1)``, the inverse its ``icdf`` and
    the log-Jacobian its ``log_prob``, as ``torch.distributions.CumulativeDistributionTransform``
    (a copula's marginals, or a flow's last step).

    Args:
        distribution: a distribution with ``cdf``, ``icdf`` and ``log_prob``.
        cache_size (int): 0 or 1. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import CumulativeDistributionTransform, Normal
        >>> t = CumulativeDistributionTransform(Normal(0.0, 1.0))
        >>> t(ag.tensor([0.0, 1.0])), t.inv(ag.tensor(0.5))
        (tensor([0.5000, 0.8413]), tensor(0.))
    """

    codomain = _UNIT
    sign = +1  # type: ignore[assignment]

    def __init__(self, distribution: Any, cache_size: builtins.int = 0) -> None:
        super().__init__(cache_size)
        self.distribution = distribution

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return self.distribution.support

    def _call(self, x: Tensor) -> Tensor:
        return self.distribution.cdf(x)

    def _inverse(self, y: Tensor) -> Tensor:
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return self.distribution.log_prob(x)


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
    def domain(self) -> Constraint:  # type: ignore[override]
        return _cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return _cat([t.codomain for t in self.transforms], self.dim, self.lengths)

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
    def domain(self) -> Constraint:  # type: ignore[override]
        return _stack([t.domain for t in self.transforms], self.dim)

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return _stack([t.codomain for t in self.transforms], self.dim)

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


identity_transform = ComposeTransform([])
"""The identity, as ``torch.distributions.transforms.identity_transform`` (an empty
``ComposeTransform``)."""
