"""``Dropout``."""

from __future__ import annotations

from nn import functional as F
from nn.layers import _check
from nn.module import Module


class Dropout(Module):
    """During training zero each element with probability ``p`` and scale the kept ones by
    ``1/(1-p)`` (inverted dropout: the expected activation is unchanged, so eval needs no
    rescaling); the identity in eval mode. Masks come from the project's generator."""

    def __init__(self, p=0.5, inplace=False):
        _check.probability("Dropout", p)
        super().__init__()
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
