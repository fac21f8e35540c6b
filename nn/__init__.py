"""``nn``: modules, layers, losses, initialisation, data loading and checkpoints, with
PyTorch's API (``import nn``; ``import nn.functional as F``)."""

from nn.parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from nn.module import Module
from nn.containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from nn import layers as _layers
from nn.layers import *  # noqa: F403 - every layer (see nn.layers.__all__)
from nn.losses import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss,
    CTCLoss, GaussianNLLLoss, MarginRankingLoss, PoissonNLLLoss, TripletMarginLoss,
    NLLLoss, SmoothL1Loss, CosineEmbeddingLoss, HingeEmbeddingLoss, MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss, MultiMarginLoss, SoftMarginLoss, TripletMarginWithDistanceLoss,
)
from nn import functional, init
from nn import attention
from nn.serialization import load, save
from nn import data, utils
from nn import parallel
from nn import models
from nn import grad
from nn.parallel import DataParallel, SyncBatchNorm

__all__ = [
    "Module", "Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
    "ParameterDict", *_layers.__all__,
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
    "SmoothL1Loss", "HuberLoss", "KLDivLoss", "MarginRankingLoss", "TripletMarginLoss",
    "PoissonNLLLoss", "GaussianNLLLoss", "CTCLoss", "SoftMarginLoss", "HingeEmbeddingLoss",
    "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss", "MultiMarginLoss", "MultiLabelMarginLoss",
    "TripletMarginWithDistanceLoss",
    "functional", "init", "attention", "utils", "data", "save", "load", "parallel", "models",
    "grad",
    "SyncBatchNorm", "DataParallel",
]
from nn import modules  # noqa: E402 - torch.nn.modules.<file> paths, after the layers
