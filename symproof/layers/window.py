"""The sliding window shared by ``Conv2d`` and the pooling layers: its parameters, the input
index it reads, its output size and its numeric view of an input."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import sympy as sp

from .. import limits
from .. import notation as nt
from ..errors import EvaluationError, ParameterError, ShapeError, shown
from ..limits import check_expression
from ..numeric import AffineIndex, WindowPlan
from ..params import as_flag, as_size, as_sizes, fails, unreserved
from ..shapes import check_pool_padding, conv_output_size, pool_output_size
from .base import Layer

__all__ = ["Window"]

Pair = tuple[sp.Expr, ...]


@dataclass(frozen=True)
class Window:
    """Kernel size, stride, padding and dilation, one entry per spatial axis ((rows, cols) for
    a 2-D layer, (length,) for a 1-D one)."""

    kernel_size: Pair
    stride: Pair
    padding: Pair
    dilation: Pair

    @classmethod
    def build(cls, kernel_size, stride, padding, dilation, axes: int = 2) -> Window:
        kernel = unreserved("kernel_size", as_sizes("kernel_size", kernel_size, axes))
        return cls(
            kernel,
            kernel if stride is None else unreserved("stride", as_sizes("stride", stride, axes)),
            unreserved("padding", as_sizes("padding", padding, axes, minimum=0)),
            unreserved("dilation", as_sizes("dilation", dilation, axes)),
        )

    @property
    def axes(self) -> int:
        return len(self.kernel_size)

    def check_pool_padding(self) -> None:
        """PyTorch's pooling rule, ``2P ≤ f``, on each axis: stated once, in
        :func:`symproof.shapes.check_pool_padding`, for the layers and ``pool_output_size``."""
        for axis in range(self.axes):
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
    def output_size(self, *sizes, pool: bool = False, ceil_mode: bool = False) -> Pair:
        """The output size along each axis for an input of ``sizes`` (one per axis)."""
        out = []
        for axis, n in enumerate(sizes):
            args = (n, self.kernel_size[axis], self.stride[axis], self.padding[axis],
                    self.dilation[axis])
            out.append(pool_output_size(*args, ceil_mode=ceil_mode) if pool
                       else conv_output_size(*args))
        return tuple(out)

    def concrete(self) -> tuple[tuple[int, ...], ...]:
        """All four parameters as Python ints; an error if any is symbolic."""
        pairs = (self.kernel_size, self.stride, self.padding, self.dilation)
        for name, pair in zip(("kernel_size", "stride", "padding", "dilation"), pairs):
            if any(not v.is_Integer for v in pair):
                shown_pair = pair[0] if len(pair) == 1 else pair
                raise EvaluationError(
                    f"evaluate needs a concrete {name}, got {shown_pair}: build the layer "
                    "with numbers")
        return tuple(tuple(int(v) for v in pair) for pair in pairs)

    def lifted(self) -> Window:
        """A 1-D window as the 2-D window with one row that computes the same (a 1-D input
        is a one-row image): the numeric code is written once, for two axes."""
        if self.axes == 2:
            return self
        one, zero = sp.Integer(1), sp.Integer(0)
        return Window((one, *self.kernel_size), (one, *self.stride), (zero, *self.padding),
                      (one, *self.dilation))

    @cache  # noqa: B019 - windows are immutable and few; the plan costs SymPy work
    def plan(self) -> tuple[AffineIndex, AffineIndex, tuple[int, int]]:
        """The affine row and column indices of the element formula, and the kernel size."""
        if self.axes != 2:
            return self.lifted().plan()
        kernel = self.concrete()[0]
        rows = AffineIndex.from_expr(self.index(0, nt.i, nt.alpha), nt.i, nt.alpha)
        cols = AffineIndex.from_expr(self.index(1, nt.j, nt.beta), nt.j, nt.beta)
        return rows, cols, kernel

    def numeric_plan(self, shape: tuple[int, ...], out: tuple[int, int], *,
                     exact: bool) -> WindowPlan:
        """The :class:`~symproof.numeric.WindowPlan` of this window over images of ``shape``
        (``[..., rows, cols]``; a 1-D input as one row) with ``out`` output positions: built
        from the affine indices of the element formula, its sizes checked against the limits
        in force, and kept for the next input of that shape (``exact``: Python numbers)."""
        return _numeric_plan(self, tuple(shape), tuple(out), exact, limits.current())


@lru_cache(maxsize=256)
def _numeric_plan(window: Window, shape: tuple[int, ...], out: tuple[int, int], exact: bool,
                  in_force: limits.Limits) -> WindowPlan:
    """:meth:`Window.numeric_plan`, cached: the limits in force are part of the key, so a plan
    checked under raised limits is never reused under lower ones."""
    rows, cols, kernel = window.plan()
    return WindowPlan.build(shape, rows, cols, kernel, out, exact=exact)


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

    def _settings(self) -> tuple:
        """What a numeric plan of this layer depends on besides its input (subclasses add
        theirs): a plan built for other settings is never reused."""
        return (self.window,)

    def _kept(self, key: tuple, build: Callable[[], object]):
        """The numeric plan for ``key`` (an input's shape, its kind, …), built by ``build`` on
        first use and kept on the layer, so that a call with an input of a known shape does no
        SymPy work. The limits in force are part of every key: sizes checked under raised
        limits are never trusted under lower ones. Errors are never kept: a bad input fails on
        every call."""
        key = (*key, limits.current())
        plans = self.__dict__.setdefault("_plans", {})
        settings, plan = plans.get(key, (None, None))
        current = self._settings()
        if plan is None or settings != current:
            plan = build()
            if len(plans) >= PLANS_KEPT:
                plans.clear()
            plans[key] = (current, plan)
        return plan


#: Numeric plans a layer keeps (one per input shape and kind; each a few small tuples, and
#: for an average pooling its divisors).
PLANS_KEPT = 64


def split_input_shape(layer: str, shape: tuple, channels: sp.Expr | None,
                      axes: int = 2) -> tuple:
    """Validate ``(C, *spatial)`` or ``(N, C, *spatial)`` with ``axes`` spatial sizes and
    return ``(batch, C, *spatial)``: ``(batch, C, H, W)`` for an image, ``(batch, C, L)`` for
    a sequence."""
    spatial = ("height", "width") if axes == 2 else ("length",)
    if len(shape) not in (axes + 1, axes + 2):
        written = ", ".join(name[0].upper() for name in spatial)
        raise ShapeError(f"{layer} input shape must be (C, {written}) or (N, C, {written}), "
                         f"got {shown(tuple(shape))}")
    batch = (as_size("batch size", shape[0]),) if len(shape) == axes + 2 else ()
    c, *sizes = (as_size(name, v) for name, v in zip(("channels", *spatial),
                                                       shape[-(axes + 1):]))
    if channels is not None and fails(sp.Eq(c, channels)):
        raise ShapeError(f"{layer} expects {channels} input channels, got {c}")
    return (batch, c, *sizes)


# Names the element formulas use for indices and dummies (the check is params.unreserved).
RESERVED = nt.RESERVED


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
    return input_sizes(name, value, 2)


def input_sizes(name: str, value: object, axes: int) -> tuple[sp.Expr, ...]:
    """An input size with one entry per spatial axis: ``(H, W)``, or ``(L,)`` (a bare L too)."""

    if axes == 1 and not isinstance(value, (str, bytes, Sequence)):
        return (as_size(name, value),)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != axes:
        written = "a pair (H, W)" if axes == 2 else "a length L"
        raise ParameterError(name, value, f"must be {written} of positive integers or "
                                          "positive-integer symbols")
    return tuple(as_size(f"{name}[{n}]", v) for n, v in enumerate(value))


def zero_padded(entry: sp.Indexed, input_size, fill: sp.Expr = sp.S.Zero) -> sp.Expr:
    """``entry`` where each spatial index lies in ``1 … size`` of its axis (``1 … H`` and
    ``1 … W`` for an image), ``fill`` elsewhere: the padding rule written into the formula."""
    sizes = input_sizes("input_size", input_size, len(entry.indices) - 1)
    inside = sp.And(*(c for index, size in zip(entry.indices[1:], sizes)
                      for c in (index >= 1, index <= size)))
    return sp.Piecewise((entry, inside), (fill, True))
