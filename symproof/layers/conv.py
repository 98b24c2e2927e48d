"""``Conv1d`` and ``Conv2d``: cross-correlation with stride, zero padding, dilation and groups
(PyTorch semantics). A 1-D convolution is the 2-D one on a one-row image; both share one
element formula, written for any number of spatial axes, and one numeric path."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import notation as nt
from ..errors import ParameterError, ShapeError
from ..notation import AXES
from ..numeric import WindowPlan, as_array, check_size, operands
from ..params import as_flag, as_size, concrete_int, shape_tuple
from ..shapes import conv_output_size
from .base import checked_bias
from .spec import REQUIRED, Field, LayerSpec
from .window import (
    Window,
    WindowedLayer,
    indices,
    reduce_over,
    split_input_shape,
    unreserved,
    zero_padded,
)

__all__ = ["Conv1d", "Conv2d", "CONV_FIELDS"]

#: The fields of a convolution, in PyTorch's order (``torch.nn.Conv2d``'s signature).
CONV_FIELDS = (
    Field("in_channels", "size", REQUIRED, "input channels", positional=True,
          text_default="1"),
    Field("out_channels", "size", REQUIRED, "output channels", positional=True,
          text_default="1"),
    Field("kernel_size", "window", REQUIRED, "kernel size f"),
    Field("stride", "window", 1, "stride"),
    Field("padding", "offset", 0, "zero padding on each side"),
    Field("dilation", "window", 1, "spacing between kernel taps"),
    Field("groups", "size", 1, "channel groups: output channel l reads only the "
          "C_in/G input channels of its group (G = C_in: depthwise)"),
    Field("bias", "flag", True, "add a bias b_l"),
)

_WINDOWED = frozenset({"padded coordinates", "padding", "dilation", "groups"})


class _Convolution(WindowedLayer):
    """A convolution over ``len(spec.axes)`` spatial axes: one element formula (any number of
    axes) and one numeric path (on two axes; one axis is a one-row image)."""

    fill = sp.S.Zero  # what X reads as outside its range: zero padding

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True):
        self._set_channels(in_channels, out_channels, bias)
        self.groups = checked_groups(groups, self.in_channels, self.out_channels)
        self.window = Window.build(kernel_size, stride, padding, dilation,
                                   axes=len(self.spec.axes))

    @property
    def parameter_shapes(self) -> dict[str, tuple]:
        """The shapes of ``w`` and ``b`` as PyTorch stores them: ``w`` (C_out, C_in/G,
        *kernel), ``b`` (C_out,) when the layer has a bias."""
        shapes = {"w": (self.out_channels, self.in_channels / self.groups, *self.kernel_size)}
        if self.bias:
            shapes["b"] = (self.out_channels,)
        return shapes

    def output_shape(self, *input_shape: object) -> tuple:
        """``(C_out, *output sizes)`` for an input ``(C_in, *sizes)`` (a batch size passes
        through)."""
        batch, _, *sizes = split_input_shape(self.spec.name, input_shape, self.in_channels,
                                             self.window.axes)
        return shape_tuple(batch + (self.out_channels,) + self.window.output_size(*sizes))

    def element(self, l=nt.l, *positions, padded: bool = False, input_size=None) -> sp.Expr:
        """The output entry at ``(l, *positions)`` as a formula in ``X``, ``w``, ``b``
        (1-based; ``padded``: on the padded image X̄; ``input_size``: the zero padding written
        in as a ``Piecewise`` on the input's range)."""
        axes = self.window.axes
        names = ("i", "j")[:axes]
        if len(positions) > axes:
            raise ParameterError("indices", (l, *positions),
                                 f"must be {1 + axes} output indices ({self.spec.name})")
        positions = positions + tuple(getattr(nt, n) for n in names[len(positions):])
        l, *positions = indices(("l", l), *zip(names, positions))
        padded = as_flag("padded", padded)
        win = self.window
        index = win.padded_index if padded else win.index
        taps = (nt.alpha, nt.beta)[:axes]
        channel = group_channel(nt.gamma, l, self.groups, self.in_channels, self.out_channels)
        entry = (nt.Xbar if padded else nt.X)[
            (channel, *(index(a, out, tap) for a, (out, tap) in enumerate(zip(positions, taps))))]
        if input_size is not None and not padded:
            entry = zero_padded(entry, input_size)
        term = nt.w[(l, nt.gamma, *taps)] * entry
        total = reduce_over(sp.Sum, term, (nt.gamma, self.in_channels / self.groups),
                            *zip(taps, win.kernel_size))
        return total + nt.b[l] if self.bias else total

    def equation(self, padded: bool = False) -> sp.Eq:
        """``Y_{l,i,j} = …`` (``Y_{l,i}`` in 1-D) at symbolic indices (``padded``: on X̄)."""
        output = nt.Y[(nt.l, nt.i, nt.j)[:1 + self.window.axes]]
        return sp.Eq(output, self.element(padded=padded), evaluate=False)

    def evaluate(self, x: object, weight: object, bias: object | None = None):
        """Numbers for a concrete input ``x`` of shape (C_in, *sizes) or (N, C_in, *sizes),
        with ``weight`` of shape (C_out, C_in/G, *kernel) and ``bias`` of shape (C_out,).

        Integer and boolean inputs compute exactly (``int64``, or Python ints when that could
        overflow); see :mod:`symproof.numeric` for every input rule.
        """
        import numpy as np

        axes = self.window.axes
        x = as_array("x", x, (axes + 1, axes + 2))
        shapes = self._kept(("shapes", x.shape), lambda: self._shapes(x.shape))
        weight = as_array("weight", weight, (axes + 2,))
        if weight.shape != shapes.weight:
            channels = "C_in" if shapes.groups == 1 else "C_in/G"
            written = f"(C_out, {channels}, {'f1, f2' if axes == 2 else 'f'})"
            raise ShapeError(f"weight must have shape {written} = {shapes.weight}, got "
                             f"{weight.shape}")
        bias = checked_bias(bias, self.bias, shapes.weight[0])
        x, weight, bias = operands(x, weight, bias, terms=shapes.terms)
        if axes == 1:  # a sequence is a one-row image
            x, weight = x[..., None, :], weight[..., None, :]
        exact = x.dtype == object
        plan = self._kept(("sizes", x.shape, exact),
                          lambda: self._sized(x.shape, shapes, exact))
        with np.errstate(invalid="ignore", over="ignore"):  # inf and NaN as IEEE, as in PyTorch
            result = _correlate(plan.columns(plan.padded(x, 0)), weight, shapes.groups)
            if bias is not None:
                result += bias[:, None, None]
        return result[..., 0, :] if axes == 1 else result

    def _settings(self) -> tuple:
        return (*super()._settings(), self.in_channels, self.out_channels, self.groups,
                self.bias)

    def _shapes(self, shape: tuple[int, ...]) -> _ConvShapes:
        """The input shape validated (errors name the parameter) and what follows from it."""
        c_in = concrete_int("in_channels", self.in_channels)
        c_out = concrete_int("out_channels", self.out_channels)
        groups = concrete_int("groups", self.groups)
        kernel = self.window.concrete()[0]
        out = tuple(int(n) for n in self.output_shape(*shape)[-self.window.axes:])
        weight = (c_out, c_in // groups, *kernel)
        terms = c_in // groups * kernel[0] * (kernel[1] if self.window.axes == 2 else 1)
        return _ConvShapes(out if self.window.axes == 2 else (1, *out), weight, groups, terms)

    def _sized(self, shape: tuple[int, ...], shapes: _ConvShapes, exact: bool) -> WindowPlan:
        """The window plan of an image ``shape`` (its padded input and windows checked against
        the limits first), after which the output and its multiply-adds are checked too."""
        plan = self.window.numeric_plan(shape, shapes.out, exact=exact)
        batch = shape[0] if len(shape) == 4 else 1
        outputs = batch * shapes.weight[0] * shapes.out[0] * shapes.out[1]
        check_size(f"the output of {self.spec.name}.evaluate", outputs, outputs * shapes.terms,
                   exact=exact)
        return plan


@dataclass(frozen=True)
class _ConvShapes:
    """What an input shape fixes for a convolution: its output positions (rows, cols; one
    row for a sequence), the weight's shape, the groups and the terms of each output."""

    out: tuple[int, int]
    weight: tuple[int, ...]
    groups: int
    terms: int


def _correlate(columns, weight, groups: int):
    """``Σ_{γ,α,β} weight[l, γ, α, β] · columns[..., g(l)·C_in/G + γ, α·f2 + β, i, j]``: one
    matrix product per group, of the weights (C_out/G, C_in/G·f1·f2) by the windows
    (C_in/G·f1·f2, positions)."""
    import numpy as np

    *lead, c_in, taps, rows, cols = columns.shape
    c_out = weight.shape[0]
    kernels = weight.reshape(groups, c_out // groups, c_in // groups * taps)
    windows = columns.reshape(*lead, groups, c_in // groups * taps, rows * cols)
    out = np.matmul(kernels, windows)
    return out.reshape(*lead, c_out, rows, cols)


def checked_groups(groups: object, in_channels: sp.Expr, out_channels: sp.Expr) -> sp.Expr:
    """``groups`` validated: a positive integer (or symbol) that provably divides both channel
    counts, as PyTorch requires (a symbolic G must divide them by construction, e.g.
    ``in_channels = G·c``)."""
    groups = unreserved("groups", as_size("groups", groups))
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if (channels / groups).is_integer is not True:
            raise ParameterError("groups", groups, f"must divide {name} = {channels} (PyTorch "
                                 "splits the channels into G equal groups)")
    return groups


def group_channel(gamma, l, groups, in_channels, out_channels) -> sp.Expr:
    """The input channel that tap γ of output channel ``l`` reads: γ itself without groups,
    else ``⌊(l − 1)/(C_out/G)⌋·(C_in/G) + γ`` (the first channel of l's group, plus γ)."""
    if groups == 1:
        return gamma
    return sp.floor((l - 1) / (out_channels / groups)) * (in_channels / groups) + gamma


class Conv2d(_Convolution):
    """A convolution layer, as ``torch.nn.Conv2d`` computes it.

    Parameters are ints or positive-integer symbols; ``kernel_size``, ``stride``, ``padding`` and
    ``dilation`` also take a (rows, cols) pair. ``groups`` splits the channels as in PyTorch.

    >>> conv = Conv2d(1, 2, 3, padding=1)
    >>> conv
    Conv2d(1, 2, kernel_size=3, padding=1)
    >>> conv.output_shape(1, 5, 6)
    (2, 5, 6)
    >>> conv.element()
    b[l] + Sum(X[1, alpha + i - 2, beta + j - 2]*w[l, 1, alpha, beta], (beta, 1, 3), (alpha, 1, 3))
    >>> Conv2d(4, 4, 3, groups=4, bias=False).element(2, 1, 1)  # depthwise: channel l only
    Sum(X[2, alpha, beta]*w[2, 1, alpha, beta], (beta, 1, 3), (alpha, 1, 3))
    """

    spec = LayerSpec(
        name="Conv2d", word="conv2d", summary="2-D convolution (cross-correlation)",
        fields=CONV_FIELDS, axes=AXES[2], channels="in_channels",
        size_rule=conv_output_size, receptive="window", torch="Conv2d",
        capabilities=_WINDOWED)

    def output_shape(self, *input_shape: object) -> tuple:
        """``(C_out, H_out, W_out)`` for an input ``(C_in, H, W)`` (a batch size passes through).

        >>> from symproof import symbols
        >>> m, F, S, P = symbols("m F S P")
        >>> Conv2d(3, 16, F, stride=S, padding=P).output_shape(3, m, m)
        (16, floor((-F + 2*P + m)/S) + 1, floor((-F + 2*P + m)/S) + 1)
        """
        return super().output_shape(*input_shape)

    def element(self, l: object = nt.l, i: object = nt.i, j: object = nt.j, *,
                padded: bool = False, input_size: tuple[object, object] | None = None
                ) -> sp.Expr:
        """``Y_{l,i,j}`` as a formula in ``X``, ``w``, ``b`` (1-based).

        By default the formula reads the original, unpadded ``X`` under the rule that ``X`` is 0
        outside its index range. ``padded=True`` states it on the padded image ``X̄`` instead;
        ``input_size=(H, W)`` makes the zero padding explicit as a ``Piecewise`` on the range.

        >>> Conv2d(1, 1, 2, stride=2).element(1, 2, 3)
        b[1] + Sum(X[1, alpha + 2, beta + 4]*w[1, 1, alpha, beta], (beta, 1, 2), (alpha, 1, 2))
        >>> Conv2d(1, 1, 3, padding=1, bias=False).element(padded=True)
        Sum(Xbar[1, alpha + i - 1, beta + j - 1]*w[l, 1, alpha, beta], (beta, 1, 3), (alpha, 1, 3))
        """
        return super().element(l, i, j, padded=padded, input_size=input_size)

    def evaluate(self, x: object, weight: object, bias: object | None = None):
        """Numbers for a concrete input ``x`` of shape (C_in, H, W) or (N, C_in, H, W), with
        ``weight`` of shape (C_out, C_in/G, f1, f2) and ``bias`` of shape (C_out,).

        Integer and boolean inputs compute exactly (``int64``, or Python ints when that could
        overflow); see :mod:`symproof.numeric` for every input rule.

        >>> import numpy as np
        >>> Conv2d(1, 1, 2).evaluate(np.arange(9.0).reshape(1, 3, 3), np.ones((1, 1, 2, 2)), [1.0])
        array([[[ 9., 13.],
                [21., 25.]]])
        >>> x = np.full((1, 3, 3), 100, dtype=np.int8)
        >>> Conv2d(1, 1, 2, bias=False).evaluate(x, np.full((1, 1, 2, 2), 2, dtype=np.int8))
        array([[[800, 800],
                [800, 800]]])
        """
        return super().evaluate(x, weight, bias)


class Conv1d(_Convolution):
    """A 1-D convolution over sequences ``X_{γ,p}``, as ``torch.nn.Conv1d`` computes it:
    ``Y_{l,i} = b_l + Σ_γ Σ_α w_{l,γ,α} X_{γ, S(i−1)+D(α−1)+1−P}``.

    >>> conv = Conv1d(2, 3, 3, stride=2, padding=1)
    >>> conv, conv.output_shape(2, 10)
    (Conv1d(2, 3, kernel_size=3, stride=2, padding=1), (3, 5))
    >>> Conv1d(1, 1, 2, bias=False).element(1, 4)
    Sum(X[1, alpha + 3]*w[1, 1, alpha], (alpha, 1, 2))
    >>> Conv1d(1, 1, 2).evaluate([[1, 2, 3]], [[[1, 10]]], [0])
    array([[21, 32]])
    """

    spec = LayerSpec(
        name="Conv1d", word="conv1d", summary="1-D convolution (cross-correlation)",
        fields=CONV_FIELDS, axes=AXES[1], channels="in_channels",
        size_rule=conv_output_size, receptive="window", torch="Conv1d",
        capabilities=_WINDOWED)

    def element(self, l: object = nt.l, i: object = nt.i, *, padded: bool = False,
                input_size: object = None) -> sp.Expr:
        """``Y_{l,i}`` as a formula in ``X``, ``w``, ``b`` (1-based; ``padded``: on X̄;
        ``input_size=L``: the zero padding written in)."""
        return super().element(l, i, padded=padded, input_size=input_size)
