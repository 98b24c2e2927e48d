"""Layer models with exact PyTorch semantics: shapes, element formulas and numeric evaluation."""

from .activation import Activation, LeakyReLU, ReLU, Sigmoid, Tanh
from .base import Layer
from .conv import Conv2d
from .conv_transpose import ConvTranspose2d
from .linear import Linear
from .mlp import MLP
from .pool import AvgPool2d, MaxPool2d

__all__ = [
    "Layer", "Conv2d", "ConvTranspose2d", "AvgPool2d", "MaxPool2d", "Linear", "MLP",
    "Activation", "ReLU", "Sigmoid", "Tanh", "LeakyReLU",
]
