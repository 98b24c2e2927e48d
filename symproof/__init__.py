"""symproof: a SymPy proof assistant for the mathematics of deep-network layers.

>>> from symproof import Conv2d
>>> Conv2d(1, 2, 3, padding=1).output_shape(1, 5, 6)
(2, 5, 6)
"""

import importlib

from .errors import (
    EvaluationError,
    NoSolutionError,
    ParameterError,
    ShapeError,
    SymproofError,
    TooLargeError,
)
from .layers import (
    MLP,
    Activation,
    AvgPool2d,
    Conv1d,
    Conv2d,
    ConvTranspose2d,
    LeakyReLU,
    Linear,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Tanh,
)
from .params import symbols
from .reductions import MaxOver
from .shapes import conv_output_size, pool_output_size, transposed_output_size

__version__ = "0.1.0"

# These load on first use: ``import symproof`` stays as cheap as ``import sympy`` (the layers
# themselves cannot wait, since they are what a user imports symproof for).
_LAZY = {"prove": ".kernel", "divides": ".kernel", "Context": ".kernel",
         "Derivation": ".derivation", "Problem": ".registry", "Parameter": ".registry",
         "Proof": ".proof", "Status": ".proof", "synthesize": ".synthesis",
         "solve_for": ".solve", "tiles_exactly": ".solve", "enumerate_configs": ".solve",
         "Sequential": ".stack", "receptive_field": ".stack"}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Conv1d", "Conv2d", "ConvTranspose2d", "AvgPool2d", "MaxPool2d", "Linear", "MLP",
    "Activation", "ReLU", "Sigmoid", "Tanh", "LeakyReLU",
    "MaxOver", "symbols", "conv_output_size", "pool_output_size",
    "transposed_output_size", "synthesize",
    "solve_for", "tiles_exactly", "enumerate_configs", "Sequential", "receptive_field",
    "Proof", "Status", "prove", "divides", "Context", "Derivation", "Problem", "Parameter",
    "SymproofError", "ParameterError", "ShapeError", "TooLargeError", "EvaluationError",
    "NoSolutionError",
    "__version__",
]
