"""``nn``: modules, layers, losses, initialisation, data loading and checkpoints, with
PyTorch's API (``import nn``; ``import nn.functional as F``)."""

from nn.parameter import Buffer, Parameter
from nn.module import Module
from nn.containers import ModuleDict, ModuleList, Sequential
from nn.layers import (
    GELU, BatchNorm1d, Dropout, Flatten, GroupNorm, Identity, LayerNorm, LeakyReLU, Linear,
    LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh,
)
from nn.layers import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from nn.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from nn import functional, init
from nn.serialization import load, save
from nn import data, utils

__all__ = [
    "Module", "Parameter", "Buffer", "Sequential", "ModuleList", "ModuleDict", "Linear",
    "Identity", "Flatten", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "Softplus",
    "Softmax", "LogSoftmax", "Dropout", "BatchNorm1d", "LayerNorm", "GroupNorm", "MSELoss",
    "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "functional",
    "init", "utils", "data", "save", "load", "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase",
    "RNNCell", "LSTMCell", "GRUCell",
]
