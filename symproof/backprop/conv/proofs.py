"""The kernel's verdicts on the backward formulas of ``Conv2d`` (:mod:`.formulas`): each
gradient by differentiating ``Σ G·Y`` (:func:`prove`), the input gradient as the transposed
layer on ``G`` (:func:`prove_transposed`) and, for stride 1, as the full correlation with the
flipped kernel (:func:`prove_full_correlation`), the transposed layer's size rule restoring the
input size (:func:`prove_output_size`) and the adjoint identity (:func:`prove_adjoint`), under
what they assume (:func:`context`).
"""

from __future__ import annotations

import sympy as sp

from ... import notation as nt
from ...kernel import Context, Outcome, derivative, identity
from ...kernel.context import layer_context
from ...kernel.flatten import reflect
from ..upstream import G, through
from .formulas import (
    adjoint_sides,
    formula,
    full_correlation,
    output_padding,
    transposed_gradient,
)
from .spec import checked, entry, named, only_values, output_size, p, q

__all__ = ["context", "prove", "prove_transposed", "prove_output_size",
           "prove_full_correlation", "prove_adjoint"]


def context(layer, name: str | None = None, H=nt.H, W=nt.W) -> Context:
    """What the proofs assume: the layer's context (the window fits, ``l ≤ C_out``, output
    positions in the output, X 0 outside its range), the ranges of the entry's free indices,
    and G 0 outside its range (the convention that extends ``G`` to every index)."""
    layer = checked(layer)
    base = layer_context(layer, H, W)
    rows, cols = output_size(layer, H, W)
    free = {"b": [], "w": [sp.Le(nt.gamma, layer.in_channels),
                           sp.Le(nt.alpha, layer.kernel_size[0]),
                           sp.Le(nt.beta, layer.kernel_size[1])],
            "X": [sp.Le(nt.gamma, layer.in_channels), sp.Le(p, H), sp.Le(q, W)],
            None: []}[name if name is None else named(name)]
    relations = [r for r in base.relations if not (r.free_symbols & {nt.i, nt.j})]
    if name == "X":  # l is a summation index there
        relations = [r for r in relations if nt.l not in r.free_symbols]
    zero = {**base.zero_outside, G: (layer.out_channels, rows, cols)}
    return Context([*relations, *free], zero_outside=zero, extents=base.extents)


def prove(layer, name: str, H=nt.H, W=nt.W, claimed: sp.Expr | None = None) -> Outcome:
    """The kernel's verdict on ``∂L/∂entry = claimed`` (default: :func:`formula`), by
    differentiating ``Σ_{l,i,j} G_{l,i,j} Y_{l,i,j}`` in the entry."""
    layer, name = checked(layer), named(name)
    claimed = formula(layer, name, H, W) if claimed is None else claimed
    total = through(layer, output_size=output_size(layer, H, W))
    only = only_values(layer, name)
    return derivative(total, entry(name).xreplace(only), claimed.xreplace(only),
                      context(layer, name, H, W))


def prove_transposed(layer, H=nt.H, W=nt.W) -> Outcome:
    """PROVED when ``∂L/∂X_{γ,p,q}`` (:func:`formula`) is the transposed layer's element on
    ``G`` (the weights ``w_{l,γ,α,β}`` read as the transposed layer's ``w_{l,γ,α,β}``: in
    channel ``l``, out channel ``γ``, PyTorch's conv weight tensor unchanged)."""
    only = only_values(checked(layer), "X")
    return identity(formula(layer, "X", H, W).xreplace(only),
                    transposed_gradient(layer, H, W).xreplace(only),
                    context(layer, "X", H, W), sums_first=True)


def prove_output_size(layer, H=nt.H, W=nt.W) -> list[Outcome]:
    """Per axis, PROVED ``(H_out − 1)S − 2P + D(f − 1) + op + 1 = H`` with :func:`output_padding`
    (the transposed layer's size rule, GIVEN by PyTorch, restores the input size)."""
    layer = checked(layer)
    win = layer.window
    ctx = layer_context(layer, H, W)
    outcomes = []
    for axis, (size, out, pad) in enumerate(zip((H, W), output_size(layer, H, W),
                                                output_padding(layer, H, W))):
        # the size rule written out (transposed_output_size checks op < max(S, D), which is
        # what the remainder bound below proves, so it is not asked here)
        restored = ((out - 1) * win.stride[axis] - 2 * win.padding[axis]
                    + win.dilation[axis] * (win.kernel_size[axis] - 1) + pad + 1)
        outcomes.append(identity(restored, size, ctx))
    return outcomes


def prove_full_correlation(layer, H=nt.H, W=nt.W) -> tuple[Outcome, Outcome, Outcome]:
    """For ``S = 1``: PROVED that ``∂L/∂X_{γ,p,q}`` (:func:`formula`) equals the form with
    ``G`` read at ``p + P − D(α − 1)`` (the sum over ``i`` taken by its delta; G 0 outside its
    range), and that this is :func:`full_correlation` (α ↦ f1 + 1 − α, then β ↦ f2 + 1 − β).
    The three outcomes, in that order."""
    layer = checked(layer)
    flipped = full_correlation(layer, H, W)
    mirrored, by_alpha = reflect(flipped, nt.alpha)
    unflipped, by_beta = reflect(mirrored, nt.beta)
    ctx = context(layer, "X", H, W)
    only = only_values(layer, "X")
    summed = identity(formula(layer, "X", H, W).xreplace(only), unflipped.xreplace(only), ctx,
                      sums_first=True)
    return summed, by_alpha, by_beta


def prove_adjoint(layer, H=nt.H, W=nt.W) -> Outcome:
    """PROVED ``⟨Conv2d(X), G⟩ = ⟨X, ConvTranspose2d(G)⟩`` for every ``X`` and ``G``."""
    left, right = adjoint_sides(layer, H, W)
    return identity(left, right, context(layer, None, H, W), sums_first=True)
