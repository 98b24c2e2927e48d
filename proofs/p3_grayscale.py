"""P3: RGB → grayscale ``0.299 R + 0.587 G + 0.114 B`` as an unbiased 1×1 convolution."""

from __future__ import annotations

import sympy as sp

from symproof import Conv2d
from symproof.notation import X, i, j
from symproof.prose import Prose, assignments, in_order
from symproof.registry import Parameter, Problem
from symproof.synthesis import synthesize
from symproof.synthesis_proof import synthesis_proof

# The weights as the problem writes them: decimals (exact rationals inside, printed 0.299).
WEIGHTS = ("0.299", "0.587", "0.114")
R, G, B = (Parameter.number(w) for w in WEIGHTS)


def build(r=R, g=G, b=B, *, use_torch: bool = False):
    """The grayscale weights ``(r, g, b)`` (exact rationals) as a 3-in, 1-out 1×1 conv."""
    r, g, b = (sp.Rational(v) if isinstance(v, int) else v for v in (r, g, b))
    layer = Conv2d(3, 1, 1, bias=False)
    target = r * X[1, i, j] + g * X[2, i, j] + b * X[3, i, j]
    red, green, blue = sp.symbols("R G B")
    statement = Prose(
        "Write the grayscale conversion ",
        in_order(sp.Symbol("Y"), r * red, g * green, b * blue),
        " of an RGB image (channels 1, 2, 3 of ", sp.Symbol("X"),
        ") as an unbiased convolution with ",
        *assignments(("C_in", 3), ("C_out", 1), ("F", 1), ("S", 1), ("P", 0)), ".")
    return synthesis_proof(synthesize(layer, [target]), "p3", "grayscale as a 1×1 conv",
                           statement, use_torch=use_torch,
                           parameters={"r": r, "g": g, "b": b}, channel_names=("R", "G", "B"))


PROBLEM = Problem("p3", "grayscale as a 1×1 conv", build, (
    Parameter("r", WEIGHTS[0], "number", "weight of the red channel"),
    Parameter("g", WEIGHTS[1], "number", "weight of the green channel"),
    Parameter("b", WEIGHTS[2], "number", "weight of the blue channel"),
))
