"""The backward formulas of ``Conv2d`` as SymPy expressions: the three gradients
(:func:`formula`), the transposed layer whose output on ``G`` is the input gradient
(:func:`transposed`, :func:`transposed_gradient`) with its output padding, the full-correlation
form for stride 1, the two sides of the adjoint identity, and the input sizes sharing an output
size. The kernel's verdicts on them are in :mod:`.proofs`.
"""

from __future__ import annotations

import sympy as sp

from ... import notation as nt
from ...errors import ParameterError
from ...kernel.sums import rename_bound
from ...layers import Conv2d, ConvTranspose2d
from ..upstream import G, through
from .spec import NAMES, checked, named, output_size, p, q

__all__ = ["formula", "formulas", "output_padding", "transposed", "transposed_gradient",
           "full_correlation", "adjoint_sides", "sizes_with_output"]


def formula(layer, name: str, H=nt.H, W=nt.W) -> sp.Expr:
    """The claimed gradient ``∂L/∂b_l``, ``∂L/∂w_{l,γ,α,β}`` or ``∂L/∂X_{γ,p,q}`` (see the
    module docstring), over an ``H × W`` input; the one source of the index formulas."""
    layer, name = checked(layer), named(name)
    rows, cols = output_size(layer, H, W)
    win, (f1, f2) = layer.window, layer.kernel_size
    l, i, j, gamma, alpha, beta = nt.l, nt.i, nt.j, nt.gamma, nt.alpha, nt.beta
    if name == "b":
        return sp.Sum(G[l, i, j], (i, 1, rows), (j, 1, cols))
    if name == "w":
        return sp.Sum(G[l, i, j] * nt.X[gamma, win.index(0, i, alpha), win.index(1, j, beta)],
                      (i, 1, rows), (j, 1, cols))
    return sp.Sum(G[l, i, j] * nt.w[l, gamma, alpha, beta]
                  * sp.KroneckerDelta(p, win.index(0, i, alpha))
                  * sp.KroneckerDelta(q, win.index(1, j, beta)),
                  (l, 1, layer.out_channels), (i, 1, rows), (j, 1, cols),
                  (alpha, 1, f1), (beta, 1, f2))


def formulas(layer, H=nt.H, W=nt.W) -> dict[str, sp.Expr]:
    """The three gradients, by name (:data:`NAMES`)."""
    return {name: formula(layer, name, H, W) for name in NAMES}


def output_padding(layer, H=nt.H, W=nt.W) -> tuple[sp.Expr, sp.Expr]:
    """``op = (H + 2P − D(f − 1) − 1) mod S`` per axis, written ``n − S⌊n/S⌋`` (the definition
    of the remainder), the output padding that makes the transposed layer restore ``H``."""
    layer = checked(layer)
    win = layer.window
    out = []
    for axis, size in enumerate((H, W)):
        n = size + 2 * win.padding[axis] - win.dilation[axis] * (win.kernel_size[axis] - 1) - 1
        out.append(sp.expand(n - win.stride[axis] * sp.floor(n / win.stride[axis])))
    return tuple(out)


def transposed(layer, H=None, W=None) -> ConvTranspose2d:
    """``ConvTranspose2d(C_out, C_in, (f1, f2), S, P, D, output_padding=op, bias=False)``: with
    the conv's weight tensor, its output from ``G`` is ``∂L/∂X``. ``op`` is computed for a
    concrete ``H × W`` input; without one (or with a symbolic size) the element formula, which
    does not depend on it, is what is used, and ``op`` is 0."""
    layer = checked(layer)
    pads = (0, 0)
    if H is not None and W is not None and all(isinstance(v, int) or v.is_Integer
                                                  for v in (H, W, *layer.kernel_size,
                                                            *layer.stride, *layer.padding,
                                                            *layer.dilation)):
        pads = tuple(int(v) for v in output_padding(layer, H, W))
    win = layer.window
    return ConvTranspose2d(layer.out_channels, layer.in_channels, win.kernel_size,
                           stride=win.stride, padding=win.padding, output_padding=pads,
                           bias=False, dilation=win.dilation)


def transposed_gradient(layer, H=nt.H, W=nt.W) -> sp.Expr:
    """The element ``(γ, p, q)`` of the transposed layer applied to ``G`` (its input ``X``
    read as ``G``, of size ``H_out × W_out``)."""
    layer = checked(layer)
    rows, cols = output_size(layer, H, W)
    # fresh free indices: the transposed formula binds γ, p, q itself
    c, r, s = (sp.Dummy(n, integer=True, positive=True) for n in "crs")
    h_out, w_out = (nt.index_symbol("H_out"), nt.index_symbol("W_out"))
    element = transposed(layer).element(c, r, s, input_size=(h_out, w_out))
    element = element.xreplace({nt.X: G, h_out: rows, w_out: cols})
    element = rename_bound(element, {nt.gamma, p, q})
    # its own bound indices named as the output's (l, i, j), which are not free here
    bound = {v: name for total in element.atoms(sp.Sum) for v, _, _ in total.limits
             for name in (nt.l, nt.i, nt.j) if v.name == {nt.l: "gamma", nt.i: "p",
                                                           nt.j: "q"}[name] + "_1"}
    return element.xreplace(bound).xreplace({c: nt.gamma, r: p, s: q})


def full_correlation(layer, H=nt.H, W=nt.W) -> sp.Expr:
    """For ``S = 1``: ``Σ_{l,α,β} w_{l,γ,f1+1−α,f2+1−β} G_{l, p+P−D(f1−α), q+P−D(f2−β)}``, the
    full correlation of ``G`` (0 outside its range) with the flipped kernel."""
    layer = checked(layer)
    if any(s != 1 for s in layer.stride):
        raise ParameterError("stride", layer.stride, "must be 1 for the full-correlation form "
                             "(a stride spreads G over every S-th position)")
    (f1, f2), (p1, p2), (d1, d2) = layer.kernel_size, layer.padding, layer.dilation
    l, alpha, beta = nt.l, nt.alpha, nt.beta
    return sp.Sum(nt.w[l, nt.gamma, f1 + 1 - alpha, f2 + 1 - beta]
                  * G[l, p + p1 - d1 * (f1 - alpha), q + p2 - d2 * (f2 - beta)],
                  (l, 1, layer.out_channels), (alpha, 1, f1), (beta, 1, f2))


def adjoint_sides(layer, H=nt.H, W=nt.W) -> tuple[sp.Expr, sp.Expr]:
    """``⟨Conv2d(X), G⟩ = Σ_{l,i,j} G_{l,i,j} Y_{l,i,j}`` (no bias) and
    ``⟨X, ConvTranspose2d(G)⟩ = Σ_{γ,p,q} X_{γ,p,q} [ConvTranspose2d(G)]_{γ,p,q}``."""
    layer = checked(layer)
    unbiased = Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                      stride=layer.stride, padding=layer.padding, dilation=layer.dilation,
                      bias=False)
    left = through(unbiased, output_size=output_size(layer, H, W))
    right = sp.Sum(nt.X[nt.gamma, p, q] * transposed_gradient(layer, H, W),
                   (nt.gamma, 1, layer.in_channels), (p, 1, H), (q, 1, W))
    return left, right


def sizes_with_output(out: int, kernel: int, stride: int, padding: int, dilation: int,
                      limit: int) -> list[int]:
    """The input sizes ``H ≤ limit`` whose convolution output size is ``out`` (ascending)."""
    found = []
    for size in range(1, limit + 1):
        span = size + 2 * padding - dilation * (kernel - 1) - 1
        if span >= 0 and span // stride + 1 == out:
            found.append(size)
    return found
