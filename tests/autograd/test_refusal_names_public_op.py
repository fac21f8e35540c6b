"""A refusal names the op the user called (``linear``, ``nansum``, ``index_put_``), never a
node class's internal name (``linearop``, ``_nantozero``, ``indexput``)."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from autograd_core.node import Node
from autograd_core.ops.index import IndexAdd, IndexPut
from autograd_core.ops.mathfns import _NanToZero
from autograd_core.ops.unary import PowScalar
from nn.ops.linear import LinearOp


@pytest.mark.parametrize("node,name", [(LinearOp, "linear"), (_NanToZero, "nansum"),
                                       (IndexPut, "index_put_"), (IndexAdd, "index_add"),
                                       (PowScalar, "pow")])
def test_internal_nodes_carry_the_public_name(node, name):
    assert Node.op_name(object.__new__(node)) == name


@pytest.mark.parametrize("cls_name,name", [("MaxPool2dOp", "max_pool2d"),
                                           ("MSELossOp", "mse_loss"),
                                           ("LinalgSolveEx", "linalg_solve_ex"),
                                           ("_Col2Im", "col2im")])
def test_fallback_is_the_class_name_in_snake_case(cls_name, name):
    cls = type(cls_name, (Node,), {"backward": lambda self, g: (g,)})
    assert Node.op_name(object.__new__(cls)) == name


def test_complex_dropout_refusal_names_dropout():
    z = ag.tensor(np.array([[1 + 1j, 2, 3j]]), requires_grad=True)
    out = F.dropout(z, 0.5)
    with pytest.raises(NotImplementedError, match="the gradient of 'dropout' for complex"):
        out.abs().sum().backward()
