"""Inverted dropout as one node."""

from __future__ import annotations

import numpy as np

from autograd_core import random as _random
from autograd_core.node import Node
from autograd_core.ops._args import like_layout


def _keep(x, p, mask_shape):
    """The keep mask of dropout and alpha dropout, in ``x``'s dtype: PyTorch's
    ``bernoulli_(1 - p)`` draws from the project's generator, one per element of ``x``, or of
    ``mask_shape`` (one per sample and channel, broadcast)."""
    gen = _random.default_generator
    if mask_shape is None and (perm := like_layout(x)) is not None:
        # PyTorch's noise is empty_like(x): a transposed x's mask is drawn in memory order
        keep = gen.bernoulli_array(1.0 - p, tuple(x.shape[d] for d in perm))
        return keep.transpose(np.argsort(perm)).astype(x.dtype)
    shape = x.shape if mask_shape is None else mask_shape
    return gen.bernoulli_array(1.0 - p, tuple(shape)).astype(x.dtype)


class DropoutOp(Node):
    """``y = x * m`` where ``m`` holds ``1/(1-p)`` for kept elements and 0 for dropped ones,
    drawn in forward from the project's generator (so a step captured by ``ag.compile`` draws
    afresh at each replay). The scaled mask is saved; backward is ``g * m`` (linear in ``g``, so
    the same expression is the create_graph composite).

    Example::

        >>> import autograd_core as ag
        >>> from nn.ops import DropoutOp
        >>> _ = ag.manual_seed(0)
        >>> y = DropoutOp.apply(ag.ones(1000), 0.5)
        >>> sorted(set(y.tolist())), 400 < int((y == 0).sum()) < 600
        ([0.0, 2.0], True)
    """

    draws_random = True

    _grad_fn = "DropoutBackward0"

    def forward(self, x, p, mask_shape=None):
        # mask_shape: one draw per (sample, channel), broadcast over the rest (dropout1d/2d)
        dt = x.dtype
        if p == 1.0:
            mask = np.zeros(x.shape if mask_shape is None else mask_shape, dt)
        else:  # PyTorch's: bernoulli_(1 - p) noise in x's dtype, divided by 1 - p in it
            # (float16: in float32 by float32(1 - p), rounded once, as its reduced-float div)
            work = np.float32 if dt == np.float16 else dt.type
            mask = (_keep(x, p, mask_shape) / work(1.0 - p)).astype(dt, copy=False)
        self.save_for_backward(mask)
        return x * mask

    def backward(self, g):
        (m,) = self.saved
        return (g * m,)


_SELU_NEG = 1.7580993408473766  # -min(selu) = selu's alpha * scale, PyTorch's constant


class AlphaDropoutOp(Node):
    """Alpha dropout (Klambauer et al., 2017): ``y = a * (x * k + alpha' * (1 - k)) + b`` with
    ``k`` a keep mask drawn in forward from the project's generator (one draw per element, or
    per ``mask_shape`` entry for the feature form), ``alpha' = -1.7581`` and ``a``, ``b``
    keeping SELU's zero mean and unit variance: as PyTorch, ``y = x * (a k) + alpha a
    (k - 1 + p)``. The scaled mask ``a k`` is saved; backward is ``g * a k``.

    Example::

        >>> import autograd_core as ag
        >>> from nn.ops.dropout import AlphaDropoutOp
        >>> _ = ag.manual_seed(0)
        >>> y = AlphaDropoutOp.apply(ag.zeros(1000), 0.5)
        >>> len(set(y.tolist()))
        2
    """

    draws_random = True

    _grad_fn = "AlphaDropoutBackward0"

    def forward(self, x, p, mask_shape=None):
        dt = x.dtype
        keep = _keep(x, p, mask_shape)
        a = 1.0 / np.sqrt((_SELU_NEG ** 2 * p + 1) * (1 - p))
        # PyTorch's order of operations, each rounded in x's dtype
        b = (keep - dt.type(1)) * dt.type(_SELU_NEG * a) + dt.type(_SELU_NEG * a * p)
        m = keep * dt.type(a)
        self.save_for_backward(m)
        return x * m + b

    def backward(self, g):
        (m,) = self.saved
        return (g * m,)


class GumbelNoiseOp(Node):
    """``y = x + G`` with ``G = -log(E)``, ``E ~ Exponential(1)``, standard Gumbel noise drawn
    in forward from the project's generator (so ``ag.compile`` draws afresh at each replay);
    backward passes ``g`` through.

    Example::

        >>> import autograd_core as ag
        >>> from nn.ops.dropout import GumbelNoiseOp
        >>> _ = ag.manual_seed(0)
        >>> GumbelNoiseOp.apply(ag.zeros(3)).shape
        autograd_core.Size([3])
    """

    draws_random = True

    _grad_fn = "AddBackward0"

    def forward(self, x):
        # PyTorch's: -log of exponential_() draws made in x's dtype
        e = _random.default_generator.exponential_array(x.shape, x.dtype)
        return x + -np.log(e)

    def backward(self, g):
        return (g,)
