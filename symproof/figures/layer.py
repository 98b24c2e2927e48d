"""The figure of one layer on its own (``symproof layer … --figure out.svg``): a convolution's
taps on its padded window, or a pooling layer's windows over the input."""

from __future__ import annotations

from ..errors import ParameterError
from ..layers.conv import Conv1d, Conv2d
from ..layers.pool import AvgPool2d, MaxPool2d
from .conv import conv_figure
from .figure import Figure
from .pool import pool_figure

__all__ = ["layer_figure", "DRAWN"]

#: The layer kinds that have a figure of their own.
DRAWN = ("conv2d", "conv1d", "avgpool2d", "maxpool2d")


def layer_figure(layer: object, input_size: tuple | None = None) -> Figure:
    """``layer`` drawn on an input of ``input_size`` (its spatial sizes: (H, W), or (L,) for a
    1-D convolution; symbolic or omitted sizes are drawn as a small instance)."""
    if isinstance(layer, Conv1d):
        sizes = None if input_size is None else (1, *tuple(input_size)[-1:])
        return conv_figure(layer, input_size=sizes)
    if isinstance(layer, Conv2d):
        return conv_figure(layer, input_size=input_size)
    if isinstance(layer, (AvgPool2d, MaxPool2d)):
        return pool_figure(layer, input_size)
    raise ParameterError("--figure", type(layer).__name__,
                         f"draws only these layers: {', '.join(DRAWN)}")
