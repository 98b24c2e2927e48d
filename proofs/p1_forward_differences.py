"""P1: a convolution whose two output channels are finite differences of the input.

C_in = 1, C_out = 2, kernel 3, stride 1, padding 1; channel 1 is ``X_{i+1,j} − X_{i,j}`` and
channel 2 is ``X_{i,j+1} − X_{i,j}`` (other stencils and kernel sizes via parameters).
"""

from __future__ import annotations

import sympy as sp

from symproof import Conv2d
from symproof.notation import X, Y, i, j
from symproof.prose import Prose, assignments
from symproof.registry import Parameter, Problem
from symproof.synthesis import synthesize
from symproof.synthesis_proof import synthesis_proof

STENCILS = {
    "forward": (X[1, i + 1, j] - X[1, i, j], X[1, i, j + 1] - X[1, i, j]),
    "backward": (X[1, i, j] - X[1, i - 1, j], X[1, i, j] - X[1, i, j - 1]),
    "central": ((X[1, i + 1, j] - X[1, i - 1, j]) / 2, (X[1, i, j + 1] - X[1, i, j - 1]) / 2),
    "second": (X[1, i + 1, j] - 2 * X[1, i, j] + X[1, i - 1, j],
               X[1, i, j + 1] - 2 * X[1, i, j] + X[1, i, j - 1]),
}


def build(stencil: str = "forward", kernel_size=3, padding=1, *, use_torch: bool = False):
    """The proof for ``stencil`` (vertical, horizontal) on a 1-in, 2-out convolution."""
    layer = Conv2d(1, 2, kernel_size, padding=padding)
    found = synthesize(layer, STENCILS[stencil])
    f, p = layer.kernel_size[0], layer.padding[0]
    vertical, horizontal = STENCILS[stencil]
    statement = Prose(
        "Find a convolution with ", *assignments(("C_in", 1), ("C_out", 2), ("F", f), ("S", 1),
                                            ("P", p)),
        f" whose output channels are the {stencil} differences ",
        sp.Eq(Y[1, i, j], vertical, evaluate=False), " and ",
        sp.Eq(Y[2, i, j], horizontal, evaluate=False), " of a one-channel image ",
        sp.Symbol("X"), ".")
    return synthesis_proof(found, "p1", f"{stencil}-difference kernels", statement,
                           use_torch=use_torch,
                           parameters={"stencil": stencil, "kernel_size": f, "padding": p})


PROBLEM = Problem("p1", "forward-difference kernels", build, (
    Parameter("stencil", "forward", "choice", "which differences the channels compute",
              tuple(STENCILS)),
    Parameter("kernel_size", 3, "size", "kernel size F", symbolic=False),
    Parameter("padding", 1, "count", "zero padding P", symbolic=False),
))
