"""P3: RGB → grayscale ``0.299 R + 0.587 G + 0.114 B`` as an unbiased 1×1 convolution."""

from __future__ import annotations

import sympy as sp

from symproof import Conv2d
from symproof.notation import X, i, j
from symproof.registry import Parameter, Problem
from symproof.synthesis import synthesize
from symproof.synthesis_proof import synthesis_proof

R, G, B = sp.Rational(299, 1000), sp.Rational(587, 1000), sp.Rational(114, 1000)


def build(r=R, g=G, b=B, *, use_torch: bool = False):
    """The grayscale weights ``(r, g, b)`` (exact rationals) as a 3-in, 1-out 1×1 conv."""
    r, g, b = (sp.Rational(v) if isinstance(v, int) else v for v in (r, g, b))
    layer = Conv2d(3, 1, 1, bias=False)
    target = r * X[1, i, j] + g * X[2, i, j] + b * X[3, i, j]
    statement = (f"Write the grayscale conversion Y = {r}·R + {g}·G + {b}·B of an RGB image "
                 "(channels 1, 2, 3 of X) as an unbiased convolution with C_in = 3, C_out = 1, "
                 "F = 1, S = 1, P = 0.")
    return synthesis_proof(synthesize(layer, [target]), "p3", "grayscale as a 1×1 conv",
                           statement, use_torch=use_torch,
                           parameters={"r": r, "g": g, "b": b}, channel_names=("R", "G", "B"))


PROBLEM = Problem("p3", "grayscale as a 1×1 conv", build, (
    Parameter("r", R, "number", "weight of the red channel"),
    Parameter("g", G, "number", "weight of the green channel"),
    Parameter("b", B, "number", "weight of the blue channel"),
))
