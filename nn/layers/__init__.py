"""Layers: linear, convolution, pooling, activations, dropout, normalisation, shape helpers."""

from nn.layers.linear import Bilinear, Flatten, Identity, Linear, Unflatten
from nn.layers.conv import (
    Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, Fold, Unfold,
)
from nn.layers.pooling import (
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d,
    AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d, FractionalMaxPool2d,
    FractionalMaxPool3d, MaxPool1d, MaxPool2d, MaxPool3d,
)
from nn.layers import activation as _activation
from nn.layers.activation import *  # noqa: F403 - every activation module (see its __all__)
from nn.layers import distance as _distance
from nn.layers import padding as _padding
from nn.layers.upsampling import (
    PixelShuffle, PixelUnshuffle, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d,
)
from nn.layers.distance import *  # noqa: F403 - CosineSimilarity, PairwiseDistance
from nn.layers.padding import *  # noqa: F403 - the padding modules (see its __all__)
from nn.layers.dropout import (
    AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout,
)
from nn.layers.normalization import (
    BatchNorm1d, BatchNorm2d, BatchNorm3d, BatchRenorm1d, BatchRenorm2d, GroupNorm,
    InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, RMSNorm,
)
from nn.layers.sparse import Embedding, EmbeddingBag
from nn.layers.classic import (
    ChannelShuffle, LocalResponseNorm, LPPool1d, LPPool2d, LPPool3d, MaxUnpool1d, MaxUnpool2d,
    MaxUnpool3d, RReLU,
)
from nn.layers import lazy as _lazy
from nn.layers.lazy import *  # noqa: F403 - LazyLinear, LazyConv*d, LazyBatchNorm*d
from nn.layers.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from nn.layers import transformer as _transformer
from nn.layers.adaptive import AdaptiveLogSoftmaxWithLoss
from nn.layers.transformer import *  # noqa: F403 - MultiheadAttention and the Transformer modules

__all__ = [*_lazy.__all__, "Linear", "Identity", "Flatten", "Unflatten", "Conv1d", "Conv2d", "Unfold", "Fold",
           "MaxPool1d",
           "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
           "Bilinear", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "MaxPool3d", "AvgPool3d",
           "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
           "FractionalMaxPool2d", "FractionalMaxPool3d",
           "PixelShuffle", "PixelUnshuffle",
           *_activation.__all__, *_distance.__all__, *_padding.__all__, "Upsample", "UpsamplingNearest2d",
           "UpsamplingBilinear2d", "Dropout", "Dropout1d", "Dropout2d",
           "Dropout3d", "AlphaDropout", "FeatureAlphaDropout", "BatchNorm1d",
           "BatchNorm2d", "BatchNorm3d", "BatchRenorm1d", "BatchRenorm2d", "InstanceNorm1d",
           "InstanceNorm2d", "InstanceNorm3d", "LayerNorm", "RMSNorm", "GroupNorm", "RNNBase", "RNN",
           "LSTM", "GRU", "RNNCellBase", "RNNCell",
           "LSTMCell", "GRUCell", "Embedding", "EmbeddingBag", "LocalResponseNorm", "LPPool1d",
           "LPPool2d", "LPPool3d", "RReLU", "ChannelShuffle", "MaxUnpool1d", "MaxUnpool2d",
           "MaxUnpool3d", "AdaptiveLogSoftmaxWithLoss",
           *_transformer.__all__]
