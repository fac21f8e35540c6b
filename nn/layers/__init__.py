"""Layers: linear, activations, dropout, normalisation, shape helpers."""

from nn.layers.linear import Flatten, Identity, Linear
from nn.layers.activation import (
    GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh,
)
from nn.layers.dropout import Dropout
from nn.layers.normalization import BatchNorm1d, GroupNorm, LayerNorm
from nn.layers.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

__all__ = ["Linear", "Identity", "Flatten", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU",
           "Softplus", "Softmax", "LogSoftmax", "Dropout", "BatchNorm1d", "LayerNorm",
           "GroupNorm", "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell",
           "GRUCell"]
