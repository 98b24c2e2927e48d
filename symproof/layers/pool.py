"""``AvgPool2d`` and ``MaxPool2d``, as PyTorch computes them (padding, ``ceil_mode``, the divisor
rules of average pooling), stated per channel: ``Y_{l,i,j}`` reads channel ``l`` of ``X``."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from .. import notation as nt
from ..notation import AXES
from ..numeric import WindowPlan, as_array, as_float
from ..params import as_flag, shape_tuple
from ..reductions import MaxOver
from ..shapes import pool_output_size
from .spec import REQUIRED, Field, LayerSpec
from .window import (
    Window,
    WindowedLayer,
    indices,
    reduce_over,
    size_pair,
    split_input_shape,
    zero_padded,
)

__all__ = ["AvgPool2d", "MaxPool2d"]


# The fields both pooling layers take, in PyTorch's order.
_KERNEL = Field("kernel_size", "window", REQUIRED, "window size", positional=True)
_STRIDE = Field("stride", "window", same_as="kernel_size", help="stride")
_PADDING = Field("padding", "offset", 0, "padding on each side (at most half the window)")
_CEIL_MODE = Field("ceil_mode", "flag", False, "keep a last, partial window")


class _Pool2d(WindowedLayer):
    """What both pooling layers share: the window, ``ceil_mode`` and the output size."""

    reducer: type
    fill: sp.Expr  # what the padding reads as

    def __init__(self, kernel_size, stride, padding, dilation, ceil_mode):
        self.window = Window.build(kernel_size, stride, padding, dilation)
        self.window.check_pool_padding()
        self.ceil_mode = as_flag("ceil_mode", ceil_mode)

    def output_shape(self, *input_shape: object) -> tuple:
        """``(C, H_out, W_out)`` for an input ``(C, H, W)`` (a batch size passes through)."""
        batch, channels, height, width = split_input_shape(type(self).__name__, input_shape, None)
        sizes = self.window.output_size(height, width, pool=True, ceil_mode=self.ceil_mode)
        return shape_tuple(batch + (channels,) + sizes)

    def _window_term(self, l, i, j, padded: bool, input_size) -> sp.Expr:
        padded = as_flag("padded", padded)
        win = self.window
        index = win.padded_index if padded else win.index
        entry = (nt.Xbar if padded else nt.X)[l, index(0, i, nt.alpha), index(1, j, nt.beta)]
        if input_size is not None and not padded:
            entry = zero_padded(entry, input_size, self.fill)
        return reduce_over(
            self.reducer, entry, (nt.alpha, win.kernel_size[0]), (nt.beta, win.kernel_size[1])
        )

    def equation(self, padded: bool = False) -> sp.Eq:
        """``Y_{l,i,j} = …`` at symbolic indices."""
        return sp.Eq(nt.Y[nt.l, nt.i, nt.j], self.element(padded=padded), evaluate=False)

    def _numbers(self, x: object):
        """The input as float64 (or exact Python numbers): integers are read as float64 when
        each is exactly one (``|v| ≤ 2^53``), else kept as exact Python ints, like Fractions
        (:func:`symproof.numeric.as_float`). Max pooling needs an order: complex input is
        refused there."""
        x = as_array("x", x, (3, 4), real=self.reducer is MaxOver)
        return as_float("x", x, exact_integers=True)

    def _settings(self) -> tuple:
        return (*super()._settings(), self.ceil_mode)

    def _plan(self, x) -> _PoolPlan:
        """The plan for inputs of ``x``'s shape and kind (float or exact), kept on the layer."""
        exact = x.dtype == object
        return self._kept((x.shape, exact), lambda: self._new_plan(x.shape, exact))

    def _new_plan(self, shape: tuple[int, ...], exact: bool) -> _PoolPlan:
        """Validate ``shape`` (errors name the parameter), then plan the windows (their sizes
        checked before anything is allocated) and, for an average, its divisors."""
        self.window.concrete()  # a symbolic window has no numbers: say which parameter
        *_, out_h, out_w = self.output_shape(*shape)
        out = (int(out_h), int(out_w))
        windows = self.window.numeric_plan(shape, out, exact=exact)
        fill = 0 if self.fill == 0 else float(self.fill)  # an int 0 keeps Fractions exact
        return _PoolPlan(windows, fill, self._divisors(shape, out, exact))

    def _divisors(self, shape: tuple[int, ...], out: tuple[int, int], exact: bool):
        """What each output divides by (None: not an average)."""
        return None

    def _reduced(self, x: object, ufunc):
        """``ufunc`` folded over each window of ``x``, and the plan that did it."""
        x = self._numbers(x)
        plan = self._plan(x)
        return plan.windows.combine(plan.windows.padded(x, plan.fill), ufunc), plan


@dataclass(frozen=True)
class _PoolPlan:
    """What evaluating a pooling layer on inputs of one shape needs, worked out once."""

    windows: WindowPlan  # the padding and the slice each tap reads
    fill: object  # what the padding reads as
    divisor: object  # what each output divides by: an array, one number, or None (max)


class MaxPool2d(_Pool2d):
    """Max pooling; the padding reads as −∞, so it never wins a window.

    >>> from symproof import symbols
    >>> k, q = symbols("k q")
    >>> MaxPool2d(k).output_shape(3, k * q, k * q)
    (3, q, q)
    >>> MaxPool2d(2).element(1, 1, 2)
    max[alpha=1..2, beta=1..2](X[1, alpha, beta + 2])
    """

    spec = LayerSpec(
        name="MaxPool2d", word="maxpool2d", summary="max pooling",
        fields=(_KERNEL, _STRIDE, _PADDING,
                Field("dilation", "window", 1, "spacing between window taps"),
                _CEIL_MODE),
        axes=AXES[2], size_rule=pool_output_size, size_flags=("ceil_mode",),
        receptive="window", torch="MaxPool2d",
        capabilities=frozenset({"padded coordinates", "padding", "dilation"}))

    reducer = MaxOver
    fill = sp.S.NegativeInfinity

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        super().__init__(kernel_size, stride, padding, dilation, ceil_mode)

    def element(self, l=nt.l, i=nt.i, j=nt.j, *, padded: bool = False, input_size=None):
        """``Y_{l,i,j} = max_{α,β} X_{l, S(i−1)+D(α−1)+1−P, S(j−1)+D(β−1)+1−P}`` with ``X = −∞``
        outside its range (``input_size=(H, W)`` writes that rule in as a ``Piecewise``)."""
        l, i, j = indices(("l", l), ("i", i), ("j", j))
        return self._window_term(l, i, j, padded, input_size)

    def evaluate(self, x: object):
        """Numbers for a concrete input of shape (C, H, W) or (N, C, H, W).

        >>> import numpy as np
        >>> MaxPool2d(2).evaluate(np.arange(16).reshape(1, 4, 4))
        array([[[ 5.,  7.],
                [13., 15.]]])
        """
        import numpy as np

        with np.errstate(invalid="ignore"):  # a NaN in a window gives NaN, as in PyTorch
            return self._reduced(x, np.maximum)[0]


class AvgPool2d(_Pool2d):
    """Average pooling; the padding reads as 0. The divisor follows PyTorch: the whole window
    with ``count_include_pad`` (but never the area ``ceil_mode`` adds past the padding), else only
    the part of the window inside the input.

    >>> from symproof import symbols
    >>> m, k = symbols("m k")
    >>> AvgPool2d(k).output_shape(3, m, m)
    (3, floor(m/k), floor(m/k))
    >>> AvgPool2d(2).element(1, 1, 1)
    Sum(X[1, alpha, beta], (beta, 1, 2), (alpha, 1, 2))/4
    """

    spec = LayerSpec(
        name="AvgPool2d", word="avgpool2d", summary="average pooling",
        fields=(_KERNEL, _STRIDE, _PADDING, _CEIL_MODE,
                Field("count_include_pad", "flag", True,
                      "divide by the whole window, padding included (else by the entries "
                      "inside X only)", cli="--exclude-pad")),
        axes=AXES[2], size_rule=pool_output_size, size_flags=("ceil_mode",),
        receptive="window", torch="AvgPool2d",
        capabilities=frozenset({"padded coordinates", "padding"}))

    reducer = sp.Sum
    fill = sp.S.Zero

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding, 1, ceil_mode)
        self.count_include_pad = as_flag("count_include_pad", count_include_pad)

    def divisor(self, i=nt.i, j=nt.j, input_size=None) -> sp.Expr:
        """How many entries the average of window ``(i, j)`` divides by (symbolic ``H``, ``W``
        unless ``input_size`` is given and the rule depends on them).

        >>> AvgPool2d(3, stride=2, padding=1, count_include_pad=False).divisor(1, 1, (5, 5))
        4
        """
        i, j = indices(("i", i), ("j", j))
        height, width = (nt.H, nt.W) if input_size is None else size_pair("input_size",
                                                                           input_size)
        return self._count(0, i, height) * self._count(1, j, width)

    def _settings(self) -> tuple:
        return (*super()._settings(), self.count_include_pad)

    def _divisors(self, shape: tuple[int, ...], out: tuple[int, int], exact: bool):
        return self.divisors(shape, out, exact=exact)

    def divisors(self, shape: tuple[int, ...], out: tuple[int, int], *, exact: bool = False):
        """The divisor of every output position, from the rule ``divisor()`` states, computed
        with NumPy on the grid of positions (one vectorised pass per axis, no SymPy): one
        number when every window divides by the same, else a read-only array; Fractions for
        exact input, so that exact numbers stay exact."""
        import numpy as np

        kernel, stride, padding, _ = self.window.concrete()
        counts = [np.broadcast_to(np.asarray(
            window_count(kernel[axis], stride[axis], padding[axis], np.arange(1, n_out + 1),
                         shape[axis - 2], include_pad=self.count_include_pad,
                         ceil_mode=self.ceil_mode, lower=np.maximum, upper=np.minimum),
            dtype=np.int64), (n_out,)) for axis, n_out in enumerate(out)]
        divisor = np.outer(*counts)
        if exact:
            divisor = np.array([Fraction(int(d)) for d in divisor.flat],  # Python ints
                               dtype=object).reshape(divisor.shape)
        elif (divisor == divisor.flat[0]).all():
            return float(divisor.flat[0])  # dividing by one number is faster than by an array
        else:
            divisor = divisor.astype(np.float64)
        divisor.flags.writeable = False  # shared by every call with this shape
        return divisor

    def _count(self, axis: int, out: sp.Expr, n: sp.Expr) -> sp.Expr:
        """The divisor's factor along one axis, for output position ``out`` of an input of ``n``."""
        return window_count(self.kernel_size[axis], self.stride[axis], self.padding[axis], out,
                            n, include_pad=self.count_include_pad, ceil_mode=self.ceil_mode,
                            lower=sp.Max, upper=sp.Min)

    def element(self, l=nt.l, i=nt.i, j=nt.j, *, padded: bool = False, input_size=None):
        """``Y_{l,i,j} = (1/divisor) Σ_α Σ_β X_{l, S(i−1)+α−P, S(j−1)+β−P}``, ``X = 0`` outside."""
        l, i, j = indices(("l", l), ("i", i), ("j", j))
        return self._window_term(l, i, j, padded, input_size) / self.divisor(i, j, input_size)

    def evaluate(self, x: object):
        """Numbers for a concrete input of shape (C, H, W) or (N, C, H, W).

        >>> import numpy as np
        >>> AvgPool2d(2).evaluate(np.arange(16).reshape(1, 4, 4))
        array([[[ 2.5,  4.5],
                [10.5, 12.5]]])
        """
        import numpy as np

        with np.errstate(invalid="ignore", over="ignore"):  # inf and NaN as IEEE, as in PyTorch
            total, plan = self._reduced(x, np.add)
            return np.divide(total, plan.divisor, out=total)  # total is a fresh array


def window_count(f, s, p, out, n, *, include_pad: bool, ceil_mode: bool, lower, upper):
    """How many entries window ``out`` (1-based) of an average covers along one axis of ``n``
    entries (kernel ``f``, stride ``s``, padding ``p``), by PyTorch's rule: the whole window with
    ``include_pad`` (but never the area ``ceil_mode`` adds past the padding), else only the part
    inside the input. One rule for SymPy (``lower, upper = Max, Min``: the formula) and NumPy
    (``maximum, minimum`` on a grid of positions: the numbers)."""
    if include_pad and not ceil_mode:
        return f  # floor mode keeps every window inside the padded input
    start = s * (out - 1) - p  # 0-based first row of the window; padding counts negative
    if include_pad:
        return upper(start + f, n + p) - start
    return upper(start + f, n) - lower(start, 0)
