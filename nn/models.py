"""Small reusable models: a CIFAR-style residual network (He, Zhang, Ren & Sun, "Deep Residual
Learning for Image Recognition", 2016, section 4.2) built from :class:`BasicBlock`, with the skip
connections switched off by a flag for the "plain" networks of the paper and of Li et al.'s loss
landscapes. The layout follows torchvision's ``resnet.BasicBlock`` (3x3 conv, norm, ReLU, 3x3
conv, norm, add the shortcut, ReLU; a 1x1 convolution and a norm as the shortcut where the shape
changes) with a small stem for 28x28 / 32x32 images instead of ImageNet's 7x7 one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import nn.functional as F
from nn import init
from nn.containers import Sequential
from nn.layers import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Flatten, Identity, Linear, ReLU
from nn.module import Module

__all__ = ["BasicBlock", "ResNet"]

NormLayer = Callable[[int], Module]


class BasicBlock(Module):
    r"""A residual block: ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``.

    ``conv1`` is a 3x3 convolution from ``in_channels`` to ``out_channels`` with ``stride``,
    ``conv2`` a 3x3 convolution keeping the shape. The shortcut is the identity when the shape
    is unchanged, else a 1x1 convolution with ``stride`` and a norm layer (He et al.'s option B,
    torchvision's ``downsample``). With ``skip=False`` there is no shortcut at all: the block is
    two plain conv layers, the "plain network" the residual one is compared with.

    Args:
        in_channels (int): channels of the input.
        out_channels (int): channels of the output.
        stride (int): stride of ``conv1`` and of the projection shortcut. Default: ``1``.
        skip (bool): add the shortcut (a residual block) or not (a plain one). Default: ``True``.
        norm_layer (callable or None): builds the normalisation after each convolution from a
            channel count. Default: :class:`~nn.BatchNorm2d`. ``None``: no normalisation, and
            the convolutions get a bias.

    Shape:
        - Input: ``(N, in_channels, H, W)``
        - Output: ``(N, out_channels, H_out, W_out)``, ``H_out = (H - 1) // stride + 1``.

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> block = nn.models.BasicBlock(16, 32, stride=2)
        >>> tuple(block(ag.randn(2, 16, 8, 8)).shape)
        (2, 32, 4, 4)
        >>> type(block.shortcut).__name__, nn.models.BasicBlock(8, 8).shortcut
        ('Sequential', Identity())
        >>> nn.models.BasicBlock(8, 16, skip=False).shortcut is None
        True
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, skip: bool = True,
                 norm_layer: NormLayer | None = BatchNorm2d) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("stride", stride)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"BasicBlock: {name} must be a positive integer, got {value!r}")
        norm = norm_layer or Identity
        bias = norm_layer is None
        self.skip = bool(skip)
        self.conv1 = Conv2d(in_channels, out_channels, 3, stride, 1, bias=bias)
        self.bn1 = norm(out_channels)
        self.conv2 = Conv2d(out_channels, out_channels, 3, 1, 1, bias=bias)
        self.bn2 = norm(out_channels)
        self.shortcut: Module | None
        if not self.skip:
            self.shortcut = None
        elif stride != 1 or in_channels != out_channels:
            self.shortcut = Sequential(Conv2d(in_channels, out_channels, 1, stride, bias=bias),
                                       norm(out_channels))
        else:
            self.shortcut = Identity()

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.shortcut is not None:
            out = out + self.shortcut(x)
        return F.relu(out)

    def extra_repr(self) -> str:
        return f"skip={self.skip}"


class ResNet(Module):
    r"""A small residual network for images (He et al.'s CIFAR family): a 3x3 stem convolution,
    stages of :class:`BasicBlock` (the first block of every stage after the first halves the
    height and width and changes the channel count), global average pooling and a linear
    classifier.

    ``blocks=(n, n, n)`` with ``channels=(16, 32, 64)`` is He et al.'s ResNet-(6n+2): ``(1, 1,
    1)`` is ResNet-8, ``(3, 3, 3)`` ResNet-20. The weights are initialised as torchvision's
    ResNet does: He (Kaiming) normal, fan-out, for the convolutions, norm layers at weight 1
    and bias 0, the classifier as :class:`~nn.Linear`'s default.

    Args:
        blocks (sequence of int): blocks per stage. Default: ``(1, 1, 1)``.
        channels (sequence of int): channels per stage, as long as ``blocks``.
            Default: ``(16, 32, 64)``.
        in_channels (int): channels of the input images. Default: ``1``.
        num_classes (int): outputs of the classifier. Default: ``10``.
        skip (bool): residual blocks (``True``) or the same network without the skip
            connections (``False``). Default: ``True``.
        norm_layer (callable or None): the normalisation after each convolution, built from a
            channel count (e.g. ``lambda c: nn.GroupNorm(4, c)``). Default:
            :class:`~nn.BatchNorm2d`; ``None``: none (the convolutions get biases).

    Shape:
        - Input: ``(N, in_channels, H, W)``
        - Output: ``(N, num_classes)``

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> net = nn.models.ResNet(blocks=(1, 1, 1), channels=(16, 32, 64))  # ResNet-8
        >>> tuple(net(ag.randn(2, 1, 28, 28)).shape)
        (2, 10)
        >>> sum(isinstance(m, nn.Conv2d) for m in net.modules())  # 7 + 2 projection shortcuts
        9
        >>> plain = nn.models.ResNet(skip=False)
        >>> sum(isinstance(m, nn.Conv2d) for m in plain.modules())
        7
    """

    def __init__(self, blocks: Sequence[int] = (1, 1, 1), channels: Sequence[int] = (16, 32, 64),
                 in_channels: int = 1, num_classes: int = 10, skip: bool = True,
                 norm_layer: NormLayer | None = BatchNorm2d) -> None:
        super().__init__()
        blocks, channels = tuple(blocks), tuple(channels)
        if not blocks or len(blocks) != len(channels):
            raise ValueError(f"ResNet: blocks and channels must be non-empty and of the same "
                             f"length, got blocks={blocks} and channels={channels}")
        if any(isinstance(b, bool) or not isinstance(b, int) or b < 1 for b in blocks):
            raise ValueError(f"ResNet: blocks must be positive integers, got {blocks}")
        norm = norm_layer or Identity
        self.skip = bool(skip)
        self.stem = Sequential(Conv2d(in_channels, channels[0], 3, 1, 1,
                                      bias=norm_layer is None),
                               norm(channels[0]), ReLU())
        stages, width = [], channels[0]
        for i, (n, c) in enumerate(zip(blocks, channels)):
            for j in range(n):
                stride = 2 if i > 0 and j == 0 else 1
                stages.append(BasicBlock(width, c, stride, skip, norm_layer))
                width = c
        self.layers = Sequential(*stages)
        self.pool = AdaptiveAvgPool2d(1)
        self.flatten = Flatten()
        self.fc = Linear(width, num_classes)
        for m in self.modules():
            if isinstance(m, Conv2d):
                init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    init.zeros_(m.bias)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.layers(self.stem(x)))))

    def extra_repr(self) -> str:
        return f"skip={self.skip}"
