"""``Dropout``, ``Dropout1d``, ``Dropout2d``, ``Dropout3d``, ``AlphaDropout``,
``FeatureAlphaDropout``."""

from __future__ import annotations

from autograd_core import Tensor
from nn import functional as F
from nn.layers import _check
from nn.module import Module


class _DropoutNd(Module):
    """The dropouts' base (PyTorch's ``nn.modules.dropout._DropoutNd``): ``p`` and ``inplace``.
    The dropouts are siblings, as PyTorch's: ``Dropout2d`` is not an ``nn.Dropout``."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        _check.probability("Dropout", p)
        super().__init__()
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zeroes elements at random during training.

    During training each element is zeroed with probability ``p`` and the kept ones are
    scaled by ``1/(1-p)`` (inverted dropout: the expected activation is unchanged, so eval
    needs no rescaling); the identity in eval mode. Masks come from the project's generator
    (``ag.manual_seed``): PyTorch's masks for a seed.

    Args:
        p (float): probability of an element to be zeroed. Default: ``0.5``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> m = nn.Dropout(p=0.25)
        >>> sorted(set(m(ag.ones(100)).tolist()))
        [0.0, 1.3333333730697632]
        >>> m.eval()(ag.ones(2))
        tensor([1., 1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
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


class Dropout2d(_DropoutNd):
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


class Dropout3d(_DropoutNd):
    """Channel-wise dropout of ``(N, C, D, H, W)`` / ``(C, D, H, W)`` inputs: each
    ``input[n, c]`` is zeroed with probability ``p`` and the kept ones scaled by ``1/(1-p)``;
    the identity in eval mode. Masks come from the project's generator (``ag.manual_seed``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Dropout3d(0.2)
        Dropout3d(p=0.2, inplace=False)
        >>> nn.Dropout3d(0.2).eval()(ag.ones(1, 2, 3, 4, 5)).shape
        autograd_core.Size([1, 2, 3, 4, 5])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Alpha dropout (Klambauer et al., 2017) for self-normalising (SELU) networks: dropped
    elements take SELU's saturation value and an affine map keeps zero mean and unit
    variance; the identity in eval mode (see :func:`nn.functional.alpha_dropout`).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AlphaDropout(0.2)
        AlphaDropout(p=0.2, inplace=False)
        >>> nn.AlphaDropout(0.2).eval()(ag.tensor([1.0, -1.0]))
        tensor([ 1., -1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels ``input[n, c]`` (see
    :func:`nn.functional.feature_alpha_dropout`); the identity in eval mode.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.FeatureAlphaDropout(0.2)
        FeatureAlphaDropout(p=0.2, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training)
