"""Stacks of layers: ``Sequential`` and the receptive field of an output position.

For a stack of windowed layers with kernel spans ``k_l = D_l(f_l − 1) + 1``, strides ``s_l``
and paddings ``p_l`` (Araujo et al., Distill 2019), per axis:

    size  r = 1 + Σ_l (k_l − 1) ∏_{m<l} s_m        jump  J = ∏_l s_l
    start of output position i (1-based, unpadded input rows): (i − 1)·J + 1 − Σ_l p_l ∏_{m<l} s_m

A start below 1 (or an end past H) means part of the field lies in the padding.

>>> from symproof import Conv2d, MaxPool2d
>>> net = Sequential(Conv2d(3, 8, 3, padding=1), MaxPool2d(2), Conv2d(8, 8, 3, padding=1))
>>> receptive_field(net)
size 8, jump 2, start 2*i - 4
>>> net.output_shape(3, 32, 32)
(8, 16, 16)
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import sympy as sp

from . import notation as nt
from .errors import ParameterError
from .latex import latex
from .layers.activation import Activation
from .layers.base import Layer
from .layers.window import indices
from .shapes import conv_output_size, effective_kernel

__all__ = ["Sequential", "receptive_field", "ReceptiveField"]


class Sequential(Layer):
    """Layers applied one after another; shapes chain through ``output_shape``."""

    def __init__(self, *layers: Layer):
        if not layers:
            raise ParameterError("layers", (), "must name at least one layer")
        for n, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ParameterError(f"layers[{n}]", layer, "must be a symproof layer")
        self.layers = tuple(layers)

    def _arguments(self):
        return [(f"{n}", layer, Layer.POSITIONAL) for n, layer in enumerate(self.layers)]

    def __repr__(self) -> str:
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Sequential(\n    {inner},\n)"

    def output_shape(self, *input_shape: object) -> tuple:
        shape = input_shape
        for layer in self.layers:
            shape = layer.output_shape(*shape)
        return shape

    def equation(self):
        return self.layers[-1].equation()

    def evaluate(self, x, *parameters):
        """Apply each layer's ``evaluate``; ``parameters`` holds, per layer in order, the tuple
        of its extra arguments (``(weight, bias)`` for a conv, ``()`` for pooling)."""
        if len(parameters) != len(self.layers):
            raise ParameterError("parameters", len(parameters),
                                 f"must give one tuple per layer ({len(self.layers)})")
        for n, (layer, extra) in enumerate(zip(self.layers, parameters)):
            if not isinstance(extra, (tuple, list)) or len(extra) > 2:
                raise ParameterError(f"parameters[{n}]", extra, "must be a tuple of the layer's "
                                     "extra arguments: (weight, bias), (weight,) or ()")
            evaluate = getattr(layer, "evaluate", None)
            if evaluate is None:
                raise ParameterError(f"layers[{n}]", layer, "cannot be evaluated numerically")
            try:  # the number of extra arguments, checked before any work
                inspect.signature(evaluate).bind(x, *extra)
            except TypeError as why:
                rule = f"must match {type(layer).__name__}.evaluate ({why})"
                raise ParameterError(f"parameters[{n}]", extra, rule) from None
            x = evaluate(x, *extra)
        return x


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field along one axis: ``size``, ``jump`` and the first input row ``start`` of
    output position ``i`` (1-based; may be ≤ 0 when it reaches into the padding)."""

    size: sp.Expr
    jump: sp.Expr
    start: sp.Expr

    def __repr__(self) -> str:
        return f"size {self.size}, jump {self.jump}, start {self.start}"

    def rows(self, i) -> tuple:
        """(first, last) input row read by output position ``i``."""

        (i,) = indices(("i", i))
        first = self.start.xreplace({nt.i: i})
        return first, first + self.size - 1

    def _repr_latex_(self) -> str:
        return (rf"$r = {latex(self.size)},\ J = {latex(self.jump)},\ "
                rf"\text{{start}}(i) = {latex(self.start)}$")


def _windows(stack) -> list:
    """The windows of a stack, element-wise layers skipped (they do not move positions). Each
    layer kind's spec says how it moves positions (``receptive``)."""
    layers = stack.layers if isinstance(stack, Sequential) else (stack,)
    windows = []
    for layer in layers:
        spec = getattr(layer, "spec", None)
        if isinstance(layer, Activation):
            continue
        if spec is None or spec.receptive != "window":
            reason = spec.receptive if spec is not None else (
                "must hold windowed layers (conv, pooling) and element-wise activations only")
            raise ParameterError("stack", layer, reason)
        windows.append(layer.window)
    return windows


def receptive_field(stack, axis: int = 0) -> ReceptiveField:
    """The closed-form receptive field of output position ``i`` (rows for ``axis=0``, columns
    for ``axis=1``); symbolic when the stack is, numbers when it is concrete."""
    if isinstance(axis, bool) or not isinstance(axis, int) or axis not in (0, 1):
        raise ParameterError("axis", axis, "must be 0 (rows) or 1 (columns)")
    size, jump, offset = sp.Integer(1), sp.Integer(1), sp.Integer(0)
    windows = _windows(stack)
    if any(window.axes <= axis for window in windows):
        raise ParameterError("axis", axis, "must be 0 for a stack of 1-D layers (it has one "
                             "spatial axis)")
    for window in windows:
        span = effective_kernel(window.kernel_size[axis], window.dilation[axis])
        size += (span - 1) * jump
        offset += window.padding[axis] * jump
        jump *= window.stride[axis]
    start = sp.expand((nt.i - 1) * jump + 1 - offset)
    # The size stays a sum of (span − 1)·∏s terms: expanded, SymPy could no longer see that
    # it is a positive integer.
    return ReceptiveField(size, jump, start)


def field_by_formulas(stack, i: int, axis: int = 0, size: int | None = None) -> set[int]:
    """The input rows that output position ``i`` reads, found by following each layer's
    element formula back through the stack (the brute-force check of the closed form).

    With the input ``size``, positions that fall in an intermediate layer's padding are
    dropped: padding holds no data to pass on (the closed form does not see this)."""
    windows = _windows(stack)
    sizes = [size]
    if size is not None:
        for window in windows:
            sizes.append(conv_output_size(sizes[-1], *(getattr(window, name)[axis] for name in (
                "kernel_size", "stride", "padding", "dilation"))))
    rows = {i}
    for depth in range(len(windows) - 1, -1, -1):
        window, limit = windows[depth], sizes[depth] if size is not None else None
        taps = int(window.kernel_size[axis])
        rows = {int(window.index(axis, sp.Integer(r), sp.Integer(a)))
                for r in rows for a in range(1, taps + 1)}
        if limit is not None:
            rows = {r for r in rows if 1 <= r <= limit}
    return rows
