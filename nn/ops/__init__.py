"""Fused graph ops of the nn package (``autograd_core.node.Node`` subclasses).

Each op's plain backward works on numpy arrays in as few passes as it can; under
``create_graph=True`` the same rule returns a composite of recorded Tensor ops so higher-order
gradients work (tests hold the two modes equal with gradcheck/gradgradcheck).
"""

from nn.ops.linear import LinearOp
from nn.ops.dropout import AlphaDropoutOp, DropoutOp, GumbelNoiseOp
from nn.ops.embedding import EmbeddingOp, OneHot
from nn.ops.loss import (
    BCELossOp, BCEWithLogitsOp, CrossEntropyOp, HuberLossOp, MSELossOp, NLLLossOp, SmoothL1LossOp,
    SoftMarginLossOp,
)
from nn.ops.norm import NormOp

__all__ = ["LinearOp", "DropoutOp", "CrossEntropyOp", "NLLLossOp", "MSELossOp", "SmoothL1LossOp",
           "HuberLossOp", "BCELossOp", "SoftMarginLossOp",
           "BCEWithLogitsOp", "NormOp", "EmbeddingOp", "AlphaDropoutOp", "GumbelNoiseOp", "OneHot"]
