"""``Dropout``, ``Dropout1d``, ``Dropout2d``."""

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


class Dropout1d(Dropout):
    """Channel-wise dropout of ``(N, C, L)`` / ``(C, L)`` inputs: each channel is zeroed with
    probability ``p`` (kept ones scaled by ``1/(1-p)``); the identity in eval mode.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Dropout1d(0.2).eval()(ag.ones(2, 3, 4)).shape
        autograd_core.Size([2, 3, 4])
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """Channel-wise dropout of ``(N, C, H, W)`` inputs (Tompson et al., 2015): each
    ``input[n, c]`` is zeroed with probability ``p`` and the kept ones scaled by ``1/(1-p)``;
    the identity in eval mode. Masks come from the project's generator (``ag.manual_seed``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Dropout2d(0.5)
        Dropout2d(p=0.5, inplace=False)
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)
