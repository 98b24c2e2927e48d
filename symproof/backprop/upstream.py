"""The chain rule through one windowed layer, with the upstream gradient ``G = ∂L/∂Y``.

For a scalar loss ``L`` of a layer's output ``Y``, every parameter or input entry ``θ`` has
``∂L/∂θ = Σ_{l,i,j} G_{l,i,j} ∂Y_{l,i,j}/∂θ`` (the chain rule, ``G_{l,i,j} = ∂L/∂Y_{l,i,j}`` not
depending on ``θ``). So ``∂L/∂θ`` is the derivative of :func:`through`, the sum
``Σ_{l=1}^{C_out} Σ_{i=1}^{H_out} Σ_{j=1}^{W_out} G_{l,i,j} Y_{l,i,j}`` with ``G`` held fixed;
:func:`gradient` computes it with the kernel's own differentiation, so every backward formula
of symproof (conv, pooling) and every claim ``check`` judges about one is measured against the
same derivative of the layer's GIVEN element formula.

>>> from symproof import Conv2d
>>> from symproof import notation as nt
>>> from symproof.kernel import Context, normalize
>>> normalize(gradient(Conv2d(2, 3, 2), nt.b[2]), Context())
Sum(G[2, k, m], (k, 1, H_out), (m, 1, W_out))
"""

from __future__ import annotations

import sympy as sp

from .. import notation as nt
from ..errors import ParameterError
from ..kernel import differentiated

__all__ = ["G", "H_out", "W_out", "through", "gradient"]

#: The upstream gradient ``G_{l,i,j} = ∂L/∂Y_{l,i,j}``, shaped like the layer's output.
G = nt.G
#: The output's height and width, as the sums over ``i`` and ``j`` name them.
H_out, W_out = nt.index_symbol("H_out"), nt.index_symbol("W_out")


def through(layer, *, output_size: tuple | None = None) -> sp.Expr:
    """``Σ_l Σ_i Σ_j G_{l,i,j} Y_{l,i,j}`` over the layer's output, ``Y`` its element formula
    (the sizes ``H_out × W_out``, or ``output_size``; ``C_out`` is the layer's)."""
    element = getattr(layer, "element", None)
    window = getattr(layer, "window", None)
    if element is None or window is None or len(window.kernel_size) != 2:
        raise ParameterError("layer", layer, "must be a 2-D windowed layer (Conv2d, "
                                             "ConvTranspose2d, MaxPool2d, AvgPool2d)")
    rows, cols = (H_out, W_out) if output_size is None else output_size
    channels = getattr(layer, "out_channels", None) or nt.index_symbol("C")
    l, i, j = nt.l, nt.i, nt.j
    return sp.Sum(G[l, i, j] * element(l, i, j), (l, 1, channels), (i, 1, rows), (j, 1, cols))


def gradient(layer, wrt: sp.Indexed, *, output_size: tuple | None = None) -> sp.Expr:
    """``∂L/∂wrt``: the derivative of :func:`through` in the entry ``wrt`` (``w[l, γ, α, β]``,
    ``b[l]`` or ``X[γ, p, q]``), as the kernel's differentiation gives it (sums of Kronecker
    deltas, not yet collapsed)."""
    if not isinstance(wrt, sp.Indexed):
        raise ParameterError("wrt", wrt, "must be an entry such as w[l, gamma, alpha, beta]")
    return differentiated(through(layer, output_size=output_size), wrt)
