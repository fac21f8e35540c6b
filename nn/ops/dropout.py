"""Inverted dropout as one node."""

from __future__ import annotations

from autograd_core.node import Node


class DropoutOp(Node):
    """``y = x * m`` where ``m`` holds ``1/(1-p)`` for kept elements and 0 for dropped ones
    (drawn by the caller). The scaled mask is saved; backward is ``g * m`` (linear in ``g``, so
    the same expression is the create_graph composite).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops import *
        >>> DropoutOp.apply(ag.ones(3, requires_grad=True), np.array([2.0, 0.0, 2.0], np.float32))
        tensor([2., 0., 2.], grad_fn=<DropoutBackward0>)
    """

    def name(self) -> str:
        return "DropoutBackward0"

    def forward(self, x, scaled_mask):
        self.save_for_backward(scaled_mask)
        return x * scaled_mask

    def backward(self, g):
        (m,) = self.saved
        return g * m, None
