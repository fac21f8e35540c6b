"""Layers: linear, activations, dropout, normalisation, shape helpers."""

from nn.layers.linear import Flatten, Identity, Linear
from nn.layers import activation as _activation
from nn.layers.activation import *  # noqa: F403 - every activation module (see its __all__)
from nn.layers.dropout import Dropout
from nn.layers.normalization import (
    BatchNorm1d, BatchNorm2d, BatchNorm3d, BatchRenorm1d, BatchRenorm2d, GroupNorm,
    InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm,
)
from nn.layers.sparse import Embedding
from nn.layers.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

__all__ = ["Linear", "Identity", "Flatten", *_activation.__all__, "Dropout", "BatchNorm1d",
           "BatchNorm2d", "BatchNorm3d", "BatchRenorm1d", "BatchRenorm2d", "InstanceNorm1d",
           "InstanceNorm2d", "InstanceNorm3d", "LayerNorm", "GroupNorm", "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell",
           "LSTMCell", "GRUCell", "Embedding"]
