"""``Conv2d``: 2-D cross-correlation with stride, zero padding and dilation (PyTorch semantics)."""

from __future__ import annotations

import sympy as sp

from .. import notation as nt
from ..errors import ShapeError
from ..numeric import as_array, check_size, operands
from ..params import as_flag, concrete_int, shape_tuple
from .base import Layer, checked_bias
from .window import (
    Window,
    WindowedLayer,
    indices,
    reduce_over,
    split_input_shape,
    zero_padded,
)

__all__ = ["Conv2d"]


class Conv2d(WindowedLayer):
    """A convolution layer, as ``torch.nn.Conv2d`` computes it.

    Parameters are ints or positive-integer symbols; ``kernel_size``, ``stride``, ``padding`` and
    ``dilation`` also take a (rows, cols) pair.

    >>> conv = Conv2d(1, 2, 3, padding=1)
    >>> conv
    Conv2d(1, 2, kernel_size=3, padding=1)
    >>> conv.output_shape(1, 5, 6)
    (2, 5, 6)
    >>> conv.element()
    b[l] + Sum(X[1, alpha + i - 2, beta + j - 2]*w[l, 1, alpha, beta], (beta, 1, 3), (alpha, 1, 3))
    """

    fill = sp.S.Zero  # what X reads as outside its range: zero padding

    def __init__(
        self,
        in_channels: object,
        out_channels: object,
        kernel_size: object,
        stride: object = 1,
        padding: object = 0,
        dilation: object = 1,
        bias: bool = True,
    ):
        self._set_channels(in_channels, out_channels, bias)
        self.window = Window.build(kernel_size, stride, padding, dilation)

    def _arguments(self):
        return [
            ("in_channels", self.in_channels, Layer.POSITIONAL),
            ("out_channels", self.out_channels, Layer.POSITIONAL),
            ("kernel_size", self.kernel_size, None),
            ("stride", self.stride, (1, 1)),
            ("padding", self.padding, (0, 0)),
            ("dilation", self.dilation, (1, 1)),
            ("bias", self.bias, True),
        ]

    def output_shape(self, *input_shape: object) -> tuple:
        """``(C_out, H_out, W_out)`` for an input ``(C_in, H, W)`` (a batch size passes through).

        >>> from symproof import symbols
        >>> m, F, S, P = symbols("m F S P")
        >>> Conv2d(3, 16, F, stride=S, padding=P).output_shape(3, m, m)
        (16, floor((-F + 2*P + m)/S) + 1, floor((-F + 2*P + m)/S) + 1)
        """
        batch, _, height, width = split_input_shape("Conv2d", input_shape, self.in_channels)
        return shape_tuple(batch + (self.out_channels,) + self.window.output_size(height, width))

    def element(
        self,
        l: object = nt.l,
        i: object = nt.i,
        j: object = nt.j,
        *,
        padded: bool = False,
        input_size: tuple[object, object] | None = None,
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
        l, i, j = indices(("l", l), ("i", i), ("j", j))
        padded = as_flag("padded", padded)
        win = self.window
        index = win.padded_index if padded else win.index
        entry = (nt.Xbar if padded else nt.X)[nt.gamma, index(0, i, nt.alpha), index(1, j, nt.beta)]
        if input_size is not None and not padded:
            entry = zero_padded(entry, input_size)
        term = nt.w[l, nt.gamma, nt.alpha, nt.beta] * entry
        total = reduce_over(
            sp.Sum,
            term,
            (nt.gamma, self.in_channels),
            (nt.alpha, win.kernel_size[0]),
            (nt.beta, win.kernel_size[1]),
        )
        return total + nt.b[l] if self.bias else total

    def equation(self, padded: bool = False) -> sp.Eq:
        """``Y_{l,i,j} = …`` at symbolic indices (``padded``: on the padded image X̄)."""
        return sp.Eq(nt.Y[nt.l, nt.i, nt.j], self.element(padded=padded), evaluate=False)

    def evaluate(self, x: object, weight: object, bias: object | None = None):
        """Numbers for a concrete input ``x`` of shape (C_in, H, W) or (N, C_in, H, W), with
        ``weight`` of shape (C_out, C_in, f1, f2) and ``bias`` of shape (C_out,).

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
        import numpy as np

        x = as_array("x", x, (3, 4))
        c_in = concrete_int("in_channels", self.in_channels)
        c_out = concrete_int("out_channels", self.out_channels)
        (f1, f2), *_ = self.window.concrete()
        *_, out_h, out_w = self.output_shape(*x.shape)
        weight = as_array("weight", weight, (4,))
        expected = (c_out, c_in, f1, f2)
        if weight.shape != expected:
            raise ShapeError(f"weight must have shape (C_out, C_in, f1, f2) = {expected}, "
                             f"got {weight.shape}")
        bias = checked_bias(bias, self.bias, c_out)
        x, weight, bias = operands(x, weight, bias, terms=c_in * f1 * f2)
        view = self.window.view(x, (out_h, out_w), fill=0)  # checks the padded input's size
        outputs = (x.shape[0] if x.ndim == 4 else 1) * c_out * out_h * out_w
        check_size("the output of Conv2d.evaluate", outputs, outputs * c_in * f1 * f2,
                   exact=x.dtype == object)
        # weight[l, γ, α, β] · view[..., γ, i, j, α, β], summed over γ, α, β. Weight first: the
        # contiguous copy tensordot makes of the view is then the cheaper one (measured 2x).
        axes = [view.ndim - 5, view.ndim - 2, view.ndim - 1]
        with np.errstate(invalid="ignore", over="ignore"):  # inf and NaN as IEEE, as in PyTorch
            out = np.moveaxis(np.tensordot(weight, view, axes=([1, 2, 3], axes)), 0, -3)
            if bias is not None:
                out = out + bias[:, None, None]
        return out
