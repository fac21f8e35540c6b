"""Inverted dropout as one node."""

from __future__ import annotations

import numpy as np

from autograd_core import random as _random
from autograd_core.node import Node


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

    def name(self) -> str:
        return "DropoutBackward0"

    def forward(self, x, p, mask_shape=None):
        # mask_shape: one draw per (sample, channel), broadcast over the rest (dropout1d/2d)
        dt = x.dtype
        shape = x.shape if mask_shape is None else mask_shape
        if p == 1.0:
            mask = np.zeros(shape, dt)
        else:
            draw_dt = dt if dt in (np.float32, np.float64) else np.float32
            u = _random.generator().random(shape, dtype=draw_dt)
            mask = (u >= p).astype(dt)
            mask *= dt.type(1.0 / (1.0 - p))
        self.save_for_backward(mask)
        return x * mask

    def backward(self, g):
        (m,) = self.saved
        return (g * m,)
