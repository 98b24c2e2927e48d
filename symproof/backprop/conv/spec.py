"""What the backward formulas of ``Conv2d`` are about: the layer (one group), the three
gradients by name (:data:`NAMES`) and the entry each differentiates in, the output size, and the
worked problems' ``--set`` table of the convolution (:data:`PARAMETERS`).

Every other module of :mod:`symproof.backprop.conv` starts from these.
"""

from __future__ import annotations

import sympy as sp

from ... import notation as nt
from ...errors import ParameterError
from ...layers import Conv2d
from ...params import symbols

__all__ = ["NAMES", "PARAMETERS", "p", "q", "checked", "named", "entry", "output_size",
           "only_values"]

#: The three gradients, by the parameter they differentiate in.
NAMES = ("b", "w", "X")

#: A worked problem's convolution parameters: name, default (a symbol), kind, description
#: (the rows of its ``--set`` table, shared by the problems about this layer's backward pass).
PARAMETERS = tuple(zip(
    ("C_in", "C_out", "f_1", "f_2", "S", "P", "D"), symbols("C_in C_out f_1 f_2 S P D"),
    ("size", "size", "size", "size", "size", "count", "size"),
    ("input channels", "output channels", "kernel rows", "kernel columns", "stride",
     "zero padding", "dilation")))

#: The input entry the input gradient differentiates in: row p, column q (channel γ).
p, q = nt.index_symbol("p"), nt.index_symbol("q")


def checked(layer) -> Conv2d:
    """``layer`` as a Conv2d with one group (the formulas here are for groups = 1)."""
    if not isinstance(layer, Conv2d):
        raise ParameterError("layer", layer, "must be a Conv2d")
    if layer.groups != 1:
        raise ParameterError("groups", layer.groups, "must be 1: the backward formulas here "
                             "are for a convolution without channel groups")
    return layer


def named(name: str) -> str:
    if name not in NAMES:
        raise ParameterError("name", name, f"must be one of {', '.join(NAMES)}")
    return name


def entry(name: str) -> sp.Indexed:
    """The entry a gradient differentiates in: ``b_l``, ``w_{l,γ,α,β}`` or ``X_{γ,p,q}``."""
    return {"b": nt.b[nt.l], "w": nt.w[nt.l, nt.gamma, nt.alpha, nt.beta],
            "X": nt.X[nt.gamma, p, q]}[named(name)]


def output_size(layer, H=nt.H, W=nt.W) -> tuple[sp.Expr, sp.Expr]:
    """``(H_out, W_out)`` for an ``H × W`` input: ``⌊(H + 2P − D(f − 1) − 1)/S⌋ + 1``."""
    layer = checked(layer)
    return tuple(layer.output_shape(layer.in_channels, H, W)[1:])


def only_values(layer, name: str | None) -> dict:
    """The entry's free indices whose range is the single value 1 (``γ`` when ``C_in = 1``),
    given that value: the statement is about that value alone, and the kernel then need not
    infer ``γ = 1`` from ``1 ≤ γ ≤ 1``."""
    ranges = {"b": {nt.l: layer.out_channels},
              "w": {nt.l: layer.out_channels, nt.gamma: layer.in_channels,
                    nt.alpha: layer.kernel_size[0], nt.beta: layer.kernel_size[1]},
              "X": {nt.gamma: layer.in_channels}, None: {}}[name]
    return {index: sp.Integer(1) for index, bound in ranges.items() if bound == 1}
