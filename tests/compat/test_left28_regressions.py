"""The leftovers of errs27's sweep (left28), each checked against torch 2.13: a Python float
meeting a float16 tensor rounded through float32 as ATen's casts round it, batch_norm's
weight and bias of any shape with C elements, and a node-class frontend honouring an error
marked to come before the shapes. Torch-free tests hold hand-worked bit patterns and wording;
the ``torch_parity`` ones run the same calls in both libraries."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.node import Node
from autograd_core.ops import registry


def _bits(t):
    return np.ascontiguousarray(t.detach().numpy()).tobytes()


# ---- 4. a node class's frontend honours before_shapes, as the shared wrapper does -------------

class _RefusesFirst(Node):
    """A stand-in elementwise op whose forward refuses its dtype ahead of the shapes."""

    def forward(self, a, b):
        raise registry.before_shapes(NotImplementedError("the dtype first"))


class _RefusesAfter(Node):
    def forward(self, a, b):
        raise NotImplementedError("the dtype after the shapes")


def test_node_class_frontend_honours_before_shapes():
    a, b = ag.ones(2), ag.ones(3)
    with pytest.raises(NotImplementedError, match="the dtype first"):  # was the shapes' error
        registry._frontend(_RefusesFirst, "refuses_first", elementwise=True)(a, b)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match"):
        registry._frontend(_RefusesAfter, "refuses_after", elementwise=True)(a, b)
    with pytest.raises(NotImplementedError, match="the dtype first"):  # the shared wrapper
        registry._broadcast_checked(lambda x, y: _RefusesFirst.apply(x, y), "first")(a, b)
