"""The sliding window shared by ``Conv2d`` and the pooling layers: its parameters, the input
index it reads, its output size and its numeric view of an input."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import sympy as sp

from .. import notation as nt
from ..errors import EvaluationError, ParameterError, ShapeError, shown
from ..limits import check_expression
from ..numeric import AffineIndex, window_view
from ..params import as_flag, as_pair, as_size, fails
from ..shapes import check_pool_padding, conv_output_size, pool_output_size
from .base import Layer

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Window"]

Pair = tuple[sp.Expr, sp.Expr]


@dataclass(frozen=True)
class Window:
    """Kernel size, stride, padding and dilation as (rows, cols) pairs."""

    kernel_size: Pair
    stride: Pair
    padding: Pair
    dilation: Pair

    @classmethod
    def build(cls, kernel_size, stride, padding, dilation) -> Window:
        kernel = unreserved("kernel_size", as_pair("kernel_size", kernel_size))
        return cls(
            kernel,
            kernel if stride is None else unreserved("stride", as_pair("stride", stride)),
            unreserved("padding", as_pair("padding", padding, minimum=0)),
            unreserved("dilation", as_pair("dilation", dilation)),
        )

    def check_pool_padding(self) -> None:
        """PyTorch's pooling rule, ``2P ≤ f``, on each axis: stated once, in
        :func:`symproof.shapes.check_pool_padding`, for the layers and ``pool_output_size``."""
        for axis in (0, 1):
            check_pool_padding(self.kernel_size[axis], self.padding[axis])

    def index(self, axis: int, out: sp.Expr, tap: sp.Expr) -> sp.Expr:
        """1-based input index read by output position ``out`` at kernel tap ``tap``:
        ``S(out − 1) + D(tap − 1) + 1 − P`` (DESIGN.md, unpadded coordinates)."""
        s, p, d = self.stride[axis], self.padding[axis], self.dilation[axis]
        return s * (out - 1) + d * (tap - 1) + 1 - p

    def padded_index(self, axis: int, out: sp.Expr, tap: sp.Expr) -> sp.Expr:
        """The same position in the padded image ``X̄``: ``S(out − 1) + D(tap − 1) + 1``."""
        return self.index(axis, out, tap) + self.padding[axis]

    @cache  # noqa: B019 - immutable; evaluate() asks the same sizes again and again
    def output_size(self, height, width, *, pool: bool = False, ceil_mode: bool = False) -> Pair:
        sizes = []
        for axis, n in enumerate((height, width)):
            args = (n, self.kernel_size[axis], self.stride[axis], self.padding[axis],
                    self.dilation[axis])
            sizes.append(pool_output_size(*args, ceil_mode=ceil_mode) if pool
                         else conv_output_size(*args))
        return tuple(sizes)

    def concrete(self) -> tuple[tuple[int, int], ...]:
        """All four pairs as Python ints; an error if any is symbolic."""
        pairs = (self.kernel_size, self.stride, self.padding, self.dilation)
        for name, pair in zip(("kernel_size", "stride", "padding", "dilation"), pairs):
            if any(not v.is_Integer for v in pair):
                raise EvaluationError(
                    f"evaluate needs a concrete {name}, got {pair}: build the layer with numbers"
                )
        return tuple(tuple(int(v) for v in pair) for pair in pairs)

    @cache  # noqa: B019 - windows are immutable and few; the plan costs SymPy work
    def plan(self) -> tuple[AffineIndex, AffineIndex, tuple[int, int]]:
        """The affine row and column indices of the element formula, and the kernel size."""
        kernel = self.concrete()[0]
        rows = AffineIndex.from_expr(self.index(0, nt.i, nt.alpha), nt.i, nt.alpha)
        cols = AffineIndex.from_expr(self.index(1, nt.j, nt.beta), nt.j, nt.beta)
        return rows, cols, kernel

    def view(self, x: np.ndarray, out: tuple[int, int], fill: float) -> np.ndarray:
        """``v[..., i, j, α, β]`` = the input entry the element formula reads (0-based)."""
        rows, cols, kernel = self.plan()
        return window_view(x, rows, cols, kernel, out, fill)


class WindowedLayer(Layer):
    """A layer that slides a ``Window``: its parameters read through to the window."""

    window: Window

    kernel_size = property(lambda self: self.window.kernel_size)
    stride = property(lambda self: self.window.stride)
    padding = property(lambda self: self.window.padding)
    dilation = property(lambda self: self.window.dilation)

    def _set_channels(self, in_channels, out_channels, bias) -> None:
        """Channels and bias of a convolution (plain or transposed), validated."""
        self.in_channels = unreserved("in_channels", as_size("in_channels", in_channels))
        self.out_channels = unreserved("out_channels", as_size("out_channels", out_channels))
        self.bias = as_flag("bias", bias)


def split_input_shape(layer: str, shape: tuple, channels: sp.Expr | None) -> tuple:
    """Validate ``(C, H, W)`` or ``(N, C, H, W)`` and return ``(batch, C, H, W)``."""
    if len(shape) not in (3, 4):
        raise ShapeError(
            f"{layer} input shape must be (C, H, W) or (N, C, H, W), got {shown(tuple(shape))}"
        )
    batch = (as_size("batch size", shape[0]),) if len(shape) == 4 else ()
    c, h, w = (as_size(name, v) for name, v in zip(("channels", "height", "width"), shape[-3:]))
    if channels is not None and fails(sp.Eq(c, channels)):
        raise ShapeError(f"{layer} expects {channels} input channels, got {c}")
    return batch, c, h, w


# Names the element formulas use for indices and dummies: a size named like one of them would
# silently become that index (SymPy identifies symbols by name and assumptions).
RESERVED = nt.RESERVED


def unreserved(name: str, value, reserved: tuple[str, ...] = RESERVED):
    """``value`` unchanged, unless it uses a symbol the formulas reserve for an index."""
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        clash = sorted(s.name for s in v.free_symbols if s.name in reserved)
        if clash:
            raise ParameterError(
                name, v, f"must not use the symbol {clash[0]}, which names an index in the "
                f"element formula (reserved: {', '.join(reserved)}): choose another name")
    return value


def indices(*named: tuple[str, object]) -> tuple[sp.Expr, ...]:
    """Validate output indices: 1-based ints, or integer SymPy expressions (never text)."""
    out = []
    for name, value in named:
        if isinstance(value, sp.Expr) and not value.is_number:
            check_expression(value, name)
            if value.is_integer is False:
                raise ParameterError(name, value, "must be an integer index")
            out.append(value)
        else:
            out.append(as_size(name, value))
    return tuple(out)


def reduce_over(reducer, term: sp.Expr, *ranges: tuple[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``reducer`` (``Sum`` or ``MaxOver``) of ``term`` over ``dummy = 1 … upper`` per range.

    A range of one value is substituted rather than reduced, so a 1-channel conv reads
    ``w_{l,1,α,β}``, as one writes it by hand.
    """
    limits = []
    for dummy, upper in ranges:
        if upper == 1:
            term = term.xreplace({dummy: sp.Integer(1)})
        else:
            limits.append((dummy, 1, upper))
    # SymPy's first limit is the innermost reduction: list them innermost first so that the
    # first range given (γ) is the outermost, as written by hand: Σ_γ Σ_α Σ_β.
    return reducer(term, *reversed(limits)) if limits else term


def size_pair(name: str, value: object) -> tuple[sp.Expr, sp.Expr]:
    """An input size ``(H, W)``: two positive integers or positive-integer symbols."""
    from collections.abc import Sequence

    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise ParameterError(name, value, "must be a pair (H, W) of positive integers or "
                                          "positive-integer symbols")
    return as_size(f"{name}[0]", value[0]), as_size(f"{name}[1]", value[1])


def zero_padded(entry: sp.Indexed, input_size, fill: sp.Expr = sp.S.Zero) -> sp.Expr:
    """``entry`` where its row and column lie in ``1 … H`` and ``1 … W``, ``fill`` elsewhere:
    the padding rule written into the formula."""
    height, width = size_pair("input_size", input_size)
    *_, p, q = entry.indices
    inside = sp.And(p >= 1, p <= height, q >= 1, q <= width)
    return sp.Piecewise((entry, inside), (fill, True))
