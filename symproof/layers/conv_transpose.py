"""``ConvTranspose2d``: the adjoint of a convolution, as ``torch.nn.ConvTranspose2d`` computes it.

Each input entry ``X_{γ,p,q}`` spreads ``w_{γ,l,α,β}·X_{γ,p,q}`` to the output position
``i = S(p−1) + D(α−1) + 1 − P`` (and likewise ``j``); the element formula collects what lands on
``(i, j)``. PyTorch's weight has shape (C_in, C_out, f1, f2).
"""

from __future__ import annotations

import sympy as sp

from .. import notation as nt
from ..errors import ShapeError
from ..notation import AXES
from ..numeric import as_array, check_size, operands, shape_text
from ..params import as_sizes, concrete_int, shape_tuple
from ..shapes import transposed_output_size
from .base import checked_bias
from .conv import checked_groups, group_channel
from .spec import REQUIRED, Field, LayerSpec
from .window import (
    Window,
    WindowedLayer,
    indices,
    reduce_over,
    size_pair,
    split_input_shape,
    unreserved,
)

# A Python-level step of the loop over kernel taps costs about as much as this many vectorised
# multiply-adds: a huge kernel on a tiny input is measured as the work it is.
_TAP_COST = 10_000

__all__ = ["ConvTranspose2d"]


class ConvTranspose2d(WindowedLayer):
    """A transposed convolution (``groups`` as in PyTorch: weight (C_in, C_out/G, f1, f2)).

    >>> up = ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1)
    >>> up.output_shape(1, 16, 16)
    (1, 32, 32)
    >>> up
    ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1)
    """

    spec = LayerSpec(
        name="ConvTranspose2d", word="convtranspose2d", summary="transposed convolution",
        fields=(
            Field("in_channels", "size", REQUIRED, "input channels", positional=True,
                  text_default="1"),
            Field("out_channels", "size", REQUIRED, "output channels",
                  positional=True, text_default="1"),
            Field("kernel_size", "window", REQUIRED, "kernel size f"),
            Field("stride", "window", 1, "stride"),
            Field("padding", "offset", 0, "rows and columns cropped from each side"),
            Field("output_padding", "offset", 0,
                  "extra rows and columns on one side (< max(S, D))"),
            Field("groups", "size", 1, "channel groups"),
            Field("bias", "flag", True, "add a bias b_l"),
            Field("dilation", "window", 1, "spacing between kernel taps"),
        ),
        axes=AXES[2], channels="in_channels", size_rule=transposed_output_size,
        receptive="holds a transposed convolution, whose receptive field is not a single "
                  "window",
        torch="ConvTranspose2d", capabilities=frozenset({"padding", "dilation", "groups"}))

    fill = sp.S.Zero

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1):
        self._set_channels(in_channels, out_channels, bias)
        self.groups = checked_groups(groups, self.in_channels, self.out_channels)
        self.window = Window.build(kernel_size, stride, padding, dilation)
        self.output_padding = unreserved("output_padding",
                                         as_sizes("output_padding", output_padding, 2,
                                                  minimum=0))

    @property
    def parameter_shapes(self) -> dict[str, tuple]:
        """The shapes of ``w`` and ``b`` as PyTorch stores them: ``w`` (C_in, C_out/G, f1, f2),
        ``b`` (C_out,) when the layer has a bias."""
        shapes = {"w": (self.in_channels, self.out_channels / self.groups, *self.kernel_size)}
        if self.bias:
            shapes["b"] = (self.out_channels,)
        return shapes

    def output_shape(self, *input_shape: object) -> tuple:
        """``(C_out, H_out, W_out)`` with ``H_out = (H − 1)S − 2P + D(f − 1) + op + 1``."""
        batch, _, height, width = split_input_shape("ConvTranspose2d", input_shape,
                                                    self.in_channels)
        sizes = tuple(
            transposed_output_size(n, self.kernel_size[a], self.stride[a], self.padding[a],
                                   self.dilation[a], self.output_padding[a])
            for a, n in enumerate((height, width)))
        return shape_tuple(batch + (self.out_channels,) + sizes)

    def element(self, l=nt.l, i=nt.i, j=nt.j, *, input_size=None) -> sp.Expr:
        """``Y_{l,i,j} = b_l + Σ_γ Σ_p Σ_q Σ_α Σ_β w_{γ,l,α,β} X_{γ,p,q}
        δ_{i, S(p−1)+D(α−1)+1−P} δ_{j, S(q−1)+D(β−1)+1−P}`` over the input (H × W)."""
        l, i, j = indices(("l", l), ("i", i), ("j", j))
        height, width = (nt.H, nt.W) if input_size is None else size_pair("input_size",
                                                                           input_size)
        p, q = nt.index_symbol("p"), nt.index_symbol("q")
        win = self.window
        # With groups, input channel c of l's group g feeds weight column l − g·C_out/G.
        channel = group_channel(nt.gamma, l, self.groups, self.in_channels, self.out_channels)
        column = l - (channel - nt.gamma) / self.in_channels * self.out_channels
        term = (nt.w[channel, column, nt.alpha, nt.beta] * nt.X[channel, p, q]
                * sp.KroneckerDelta(i, win.index(0, p, nt.alpha))
                * sp.KroneckerDelta(j, win.index(1, q, nt.beta)))
        total = reduce_over(sp.Sum, term, (nt.gamma, self.in_channels / self.groups),
                            (p, height),
                            (q, width), (nt.alpha, win.kernel_size[0]),
                            (nt.beta, win.kernel_size[1]))
        return total + nt.b[l] if self.bias else total

    def equation(self) -> sp.Eq:
        return sp.Eq(nt.Y[nt.l, nt.i, nt.j], self.element(), evaluate=False)

    def evaluate(self, x: object, weight: object, bias: object | None = None):
        """Numbers for ``x`` of shape (C_in, H, W) or (N, C_in, H, W), ``weight`` of shape
        (C_in, C_out/G, f1, f2): every tap scatters the whole input with one strided add.
        Inputs follow the rules of :mod:`symproof.numeric` (integers stay exact).

        >>> import numpy as np
        >>> up = ConvTranspose2d(1, 1, (1, 2), stride=(1, 2), bias=False)
        >>> up.evaluate([[[1, 2]]], [[[[1, 10]]]])
        array([[[ 1, 10,  2, 20]]])
        """
        import numpy as np

        x = as_array("x", x, (3, 4))
        c_in = concrete_int("in_channels", self.in_channels)
        c_out = concrete_int("out_channels", self.out_channels)
        groups = concrete_int("groups", self.groups)
        (f1, f2), (s1, s2), (p1, p2), (d1, d2) = self.window.concrete()
        *_, out_h, out_w = self.output_shape(*x.shape)
        weight = as_array("weight", weight, (4,))
        if weight.shape != (c_in, c_out // groups, f1, f2):
            channels = "C_out" if groups == 1 else "C_out/G"
            raise ShapeError(f"weight must have shape (C_in, {channels}, f1, f2) = "
                             f"{(c_in, c_out // groups, f1, f2)}, got {weight.shape}")
        bias = checked_bias(bias, self.bias, c_out)
        # An output entry sums at most one product per (input channel of its group, tap).
        x, weight, bias = operands(x, weight, bias, terms=c_in // groups * f1 * f2)
        batched = x if x.ndim == 4 else x[None]
        n, _, height, width = batched.shape
        # Uncropped output: rows 0 … (H−1)S + D(f−1) (+ output padding), before removing P.
        full_shape = (n, c_out, out_h + 2 * p1, out_w + 2 * p2)
        per_tap = n * c_out * height * width
        check_size(f"the uncropped output of ConvTranspose2d.evaluate (shape "
                   f"{shape_text(full_shape)})",
                   max(n * c_out * (out_h + 2 * p1) * (out_w + 2 * p2), per_tap),
                   f1 * f2 * (per_tap * c_in + _TAP_COST), exact=x.dtype == object)
        full = np.zeros(full_shape, dtype=np.result_type(batched, weight))
        with np.errstate(invalid="ignore", over="ignore"):  # inf and NaN as IEEE, as in PyTorch
            for a in range(f1):
                for b in range(f2):
                    contribution = _spread(batched, weight[:, :, a, b], groups)
                    # Input row p lands on row S·p + D·a (0-based), always inside ``full``.
                    full[:, :, a * d1: a * d1 + s1 * (height - 1) + 1: s1,
                         b * d2: b * d2 + s2 * (width - 1) + 1: s2] += contribution
            out = full[:, :, p1: p1 + out_h, p2: p2 + out_w]
            if bias is not None:
                out = out + bias[:, None, None]
        return out if x.ndim == 4 else out[0]


def _spread(x, weight, groups: int):
    """``out[n, l] = Σ_c x[n, c] · weight[c, l − g·C_out/G]`` over the channels c of output
    channel l's group g (every channel when ``groups`` is 1)."""
    import numpy as np

    if groups == 1:
        return np.einsum("ncpq,cl->nlpq", x, weight)
    n, c_in, rows, cols = x.shape
    grouped = x.reshape(n, groups, c_in // groups, rows, cols)
    kernels = weight.reshape(groups, c_in // groups, weight.shape[1])
    out = np.einsum("ngcpq,gcl->nglpq", grouped, kernels)
    return out.reshape(n, groups * weight.shape[1], rows, cols)
