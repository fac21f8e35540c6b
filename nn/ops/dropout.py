"""Inverted dropout as one node."""

from __future__ import annotations

import numpy as np

from autograd_core import random as _random
from autograd_core.node import Node


class DropoutOp(Node):
    """``y = x * m`` where ``m`` holds ``1/(1-p)`` for kept elements and 0 for dropped ones,
    drawn in forward from the project's generator (so a step captured by ``ag.compile`` draws
    afresh at each replay). The scaled mask is saved; backward is ``g * m`` (linear in ``g``, so
    the same expression is the create_graph composite)."""

    draws_random = True

    def name(self):
        return "DropoutBackward0"

    def forward(self, x, p):
        dt = x.dtype
        if p == 1.0:
            mask = np.zeros(x.shape, dt)
        else:
            draw_dt = dt if dt in (np.float32, np.float64) else np.float32
            u = _random.generator().random(x.shape, dtype=draw_dt)
            mask = (u >= p).astype(dt)
            mask *= dt.type(1.0 / (1.0 - p))
        self.save_for_backward(mask)
        return x * mask

    def backward(self, g):
        (m,) = self.saved
        return (g * m,)
