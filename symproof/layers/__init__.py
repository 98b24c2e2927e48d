"""Layer models with exact PyTorch semantics: shapes, element formulas and numeric evaluation."""

from .activation import Activation, LeakyReLU, ReLU, Sigmoid, Tanh
from .base import Layer
from .conv import Conv1d, Conv2d
from .conv_transpose import ConvTranspose2d
from .linear import Linear
from .mlp import MLP
from .pool import AvgPool2d, MaxPool2d
from .spec import Field, LayerSpec, models, specs

__all__ = [
    "Layer", "LayerSpec", "Field", "specs", "models",
    "Conv1d", "Conv2d", "ConvTranspose2d", "AvgPool2d", "MaxPool2d", "Linear", "MLP",
    "Activation", "ReLU", "Sigmoid", "Tanh", "LeakyReLU",
]
