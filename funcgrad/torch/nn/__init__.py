"""``funcgrad.torch.nn``: modules, parameters, losses and initialisation for
training loops, with PyTorch 2.x names, defaults and reprs.

>>> import funcgrad.torch as torch
>>> from funcgrad.torch import nn
>>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
>>> loss = nn.CrossEntropyLoss()(model(torch.randn(5, 4)), torch.tensor([0, 1, 2, 0, 1]))
>>> loss.backward()
>>> model[0].weight.grad.shape
torch.Size([8, 4])
"""
from . import functional, init, utils
from .layers import (Dropout, Embedding, Flatten, Identity, Linear, LogSoftmax, ModuleList, ReLU,
                     Sequential, Sigmoid, Softmax, Tanh)
from .containers import ModuleDict, ParameterDict, ParameterList, Unflatten
from .losses import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CrossEntropyLoss, HuberLoss,
                     KLDivLoss, L1Loss, MarginRankingLoss, MSELoss, NLLLoss, SmoothL1Loss,
                     TripletMarginLoss)
from .activation import ELU, GELU, Hardtanh, LeakyReLU, LogSigmoid, Mish, PReLU, SiLU, Softplus
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .module import Module
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm1d,
                            InstanceNorm2d, LayerNorm)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                      AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d)
from .parameter import Parameter
from .transformer import (MultiheadAttention, Transformer, TransformerDecoder,
                          TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer)

__all__ = [
    "Module", "Parameter", "Linear", "Embedding", "Identity", "Sequential", "ModuleList",
    "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Dropout", "Flatten",
    "MSELoss", "L1Loss", "NLLLoss", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss",
    "functional", "init", "utils",
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d",
    "LayerNorm", "GroupNorm",
    "HuberLoss", "SmoothL1Loss", "KLDivLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
    "MarginRankingLoss", "ModuleDict", "ParameterList", "ParameterDict", "Unflatten",
    "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
    "GELU", "SiLU", "ELU", "LeakyReLU", "PReLU", "Softplus", "LogSigmoid", "Hardtanh", "Mish",
    "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
    "TransformerDecoderLayer", "TransformerDecoder", "Transformer",
]
