"""Inverted dropout as one node."""

from __future__ import annotations

from autograd_core.node import Node


class DropoutOp(Node):
    """``y = x * m`` where ``m`` holds ``1/(1-p)`` for kept elements and 0 for dropped ones
    (drawn by the caller). The scaled mask is saved; backward is ``g * m`` (linear in ``g``, so
    the same expression is the create_graph composite)."""

    def name(self):
        return "DropoutBackward0"

    def forward(self, x, scaled_mask):
        self.save_for_backward(scaled_mask)
        return x * scaled_mask

    def backward(self, g):
        (m,) = self.saved
        return g * m, None
