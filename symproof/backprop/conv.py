"""Backpropagation through ``Conv2d``: the three gradients, the theorem that the input's is a
``ConvTranspose2d`` of ``G``, the adjoint identity, and numbers from those formulas.

With the upstream gradient ``G = ∂L/∂Y`` (:mod:`.upstream`), for a ``Conv2d`` with any
``C_in``, ``C_out``, ``f1 × f2``, ``S``, ``P``, ``D`` (symbols or numbers; ``groups = 1``), in
the DESIGN convention (1-based, X is 0 outside its index range):

* ``∂L/∂b_l = Σ_{i,j} G_{l,i,j}``;
* ``∂L/∂w_{l,γ,α,β} = Σ_{i,j} G_{l,i,j} X_{γ, S(i−1)+D(α−1)+1−P, S(j−1)+D(β−1)+1−P}``;
* ``∂L/∂X_{γ,p,q} = Σ_{l,i,j,α,β} G_{l,i,j} w_{l,γ,α,β} δ_{p, S(i−1)+D(α−1)+1−P}
  δ_{q, S(j−1)+D(β−1)+1−P}`` for ``1 ≤ p ≤ H``, ``1 ≤ q ≤ W``;

each PROVED by the kernel's differentiation of ``Σ G·Y`` (:func:`prove`). The input gradient is
the element formula of ``ConvTranspose2d(C_out, C_in, (f1, f2), S, P, D, output_padding=op)``
with the same weights applied to ``G`` (:func:`prove_transposed`), ``op`` restoring the input
size (:func:`output_padding`); for ``S = 1`` it is the full correlation of ``G`` with the
flipped kernel (:func:`prove_full_correlation`). :func:`conv2d_backward` computes the numbers
from these formulas (the transposed layer for the input, one contraction per tap for the
weights).

>>> from symproof import Conv2d
>>> prove(Conv2d(2, 3, (2, 3), stride=2), "b").status.name
'PROVED'
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import sympy as sp

from .. import notation as nt
from ..crosscheck import layer_tuple, torch_module
from ..errors import ParameterError, ShapeError, TooLargeError
from ..kernel import (
    Context,
    Outcome,
    Status,
    derivative,
    differentiated,
    exhaustive,
    identity,
    spot_check,
)
from ..kernel.context import layer_context
from ..kernel.flatten import reflect
from ..kernel.floors import remainder_bounds
from ..kernel.sums import expand_sums, rename_bound
from ..layers import Conv2d, ConvTranspose2d
from ..limits import check
from ..numeric import as_array, check_size, numpy_function
from ..params import concrete_int, symbols
from ..prose import Prose
from ..prose import size as size_of
from .upstream import G, through

__all__ = ["NAMES", "entry", "formula", "formulas", "context", "prove", "output_size",
           "output_padding", "transposed", "transposed_gradient", "prove_transposed",
           "prove_output_size", "layer_prose", "restore_steps", "full_correlation",
           "prove_full_correlation", "PARAMETERS",
           "adjoint_sides", "prove_adjoint", "sizes_with_output", "instantiated",
           "verify_exact", "formula_values", "formula_function", "autograd", "autograd_check",
           "conv2d_backward"]

#: The three gradients, by the parameter they differentiate in.
NAMES = ("b", "w", "X")

#: A worked problem's convolution parameters: name, default (a symbol), kind, description
#: (the rows of its ``--set`` table, shared by the problems about this layer's backward pass).
PARAMETERS = tuple(zip(
    ("C_in", "C_out", "f_1", "f_2", "S", "P", "D"), symbols("C_in C_out f_1 f_2 S P D"),
    ("size", "size", "size", "size", "size", "count", "size"),
    ("input channels", "output channels", "kernel rows", "kernel columns", "stride",
     "zero padding", "dilation")))

p, q = nt.index_symbol("p"), nt.index_symbol("q")


def _checked(layer) -> Conv2d:
    """``layer`` as a Conv2d with one group (the formulas here are for groups = 1)."""
    if not isinstance(layer, Conv2d):
        raise ParameterError("layer", layer, "must be a Conv2d")
    if layer.groups != 1:
        raise ParameterError("groups", layer.groups, "must be 1: the backward formulas here "
                             "are for a convolution without channel groups")
    return layer


def _name(name: str) -> str:
    if name not in NAMES:
        raise ParameterError("name", name, f"must be one of {', '.join(NAMES)}")
    return name


def entry(name: str) -> sp.Indexed:
    """The entry a gradient differentiates in: ``b_l``, ``w_{l,γ,α,β}`` or ``X_{γ,p,q}``."""
    return {"b": nt.b[nt.l], "w": nt.w[nt.l, nt.gamma, nt.alpha, nt.beta],
            "X": nt.X[nt.gamma, p, q]}[_name(name)]


def output_size(layer, H=nt.H, W=nt.W) -> tuple[sp.Expr, sp.Expr]:
    """``(H_out, W_out)`` for an ``H × W`` input: ``⌊(H + 2P − D(f − 1) − 1)/S⌋ + 1``."""
    layer = _checked(layer)
    return tuple(layer.output_shape(layer.in_channels, H, W)[1:])


def formula(layer, name: str, H=nt.H, W=nt.W) -> sp.Expr:
    """The claimed gradient ``∂L/∂b_l``, ``∂L/∂w_{l,γ,α,β}`` or ``∂L/∂X_{γ,p,q}`` (see the
    module docstring), over an ``H × W`` input; the one source of the index formulas."""
    layer, name = _checked(layer), _name(name)
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


def context(layer, name: str | None = None, H=nt.H, W=nt.W) -> Context:
    """What the proofs assume: the layer's context (the window fits, ``l ≤ C_out``, output
    positions in the output, X 0 outside its range), the ranges of the entry's free indices,
    and G 0 outside its range (the convention that extends ``G`` to every index)."""
    layer = _checked(layer)
    base = layer_context(layer, H, W)
    rows, cols = output_size(layer, H, W)
    free = {"b": [], "w": [sp.Le(nt.gamma, layer.in_channels),
                           sp.Le(nt.alpha, layer.kernel_size[0]),
                           sp.Le(nt.beta, layer.kernel_size[1])],
            "X": [sp.Le(nt.gamma, layer.in_channels), sp.Le(p, H), sp.Le(q, W)],
            None: []}[name if name is None else _name(name)]
    relations = [r for r in base.relations if not (r.free_symbols & {nt.i, nt.j})]
    if name == "X":  # l is a summation index there
        relations = [r for r in relations if nt.l not in r.free_symbols]
    zero = {**base.zero_outside, G: (layer.out_channels, rows, cols)}
    return Context([*relations, *free], zero_outside=zero, extents=base.extents)


def prove(layer, name: str, H=nt.H, W=nt.W, claimed: sp.Expr | None = None) -> Outcome:
    """The kernel's verdict on ``∂L/∂entry = claimed`` (default: :func:`formula`), by
    differentiating ``Σ_{l,i,j} G_{l,i,j} Y_{l,i,j}`` in the entry."""
    layer, name = _checked(layer), _name(name)
    claimed = formula(layer, name, H, W) if claimed is None else claimed
    total = through(layer, output_size=output_size(layer, H, W))
    only = _only_values(layer, name)
    return derivative(total, entry(name).xreplace(only), claimed.xreplace(only),
                      context(layer, name, H, W))


def _only_values(layer, name: str | None) -> dict:
    """The entry's free indices whose range is the single value 1 (``γ`` when ``C_in = 1``),
    given that value: the statement is about that value alone, and the kernel then need not
    infer ``γ = 1`` from ``1 ≤ γ ≤ 1``."""
    ranges = {"b": {nt.l: layer.out_channels},
              "w": {nt.l: layer.out_channels, nt.gamma: layer.in_channels,
                    nt.alpha: layer.kernel_size[0], nt.beta: layer.kernel_size[1]},
              "X": {nt.gamma: layer.in_channels}, None: {}}[name]
    return {index: sp.Integer(1) for index, bound in ranges.items() if bound == 1}


def output_padding(layer, H=nt.H, W=nt.W) -> tuple[sp.Expr, sp.Expr]:
    """``op = (H + 2P − D(f − 1) − 1) mod S`` per axis, written ``n − S⌊n/S⌋`` (the definition
    of the remainder), the output padding that makes the transposed layer restore ``H``."""
    layer = _checked(layer)
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
    layer = _checked(layer)
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
    layer = _checked(layer)
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


def prove_transposed(layer, H=nt.H, W=nt.W) -> Outcome:
    """PROVED when ``∂L/∂X_{γ,p,q}`` (:func:`formula`) is the transposed layer's element on
    ``G`` (the weights ``w_{l,γ,α,β}`` read as the transposed layer's ``w_{l,γ,α,β}``: in
    channel ``l``, out channel ``γ``, PyTorch's conv weight tensor unchanged)."""
    only = _only_values(_checked(layer), "X")
    return identity(formula(layer, "X", H, W).xreplace(only),
                    transposed_gradient(layer, H, W).xreplace(only),
                    context(layer, "X", H, W), sums_first=True)


def prove_output_size(layer, H=nt.H, W=nt.W) -> list[Outcome]:
    """Per axis, PROVED ``(H_out − 1)S − 2P + D(f − 1) + op + 1 = H`` with :func:`output_padding`
    (the transposed layer's size rule, GIVEN by PyTorch, restores the input size)."""
    layer = _checked(layer)
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


def layer_prose(layer) -> Prose:
    """The layer's sizes in words: ``C_in`` input and ``C_out`` output channels, an
    ``f1 × f2`` kernel, stride, padding and dilation (as symbols or numbers)."""
    layer = _checked(layer)
    win = layer.window
    pair = [v[0] if v[0] == v[1] else size_of(*v) for v in (win.stride, win.padding,
                                                          win.dilation)]
    return Prose(layer.in_channels, " input and ", layer.out_channels, " output channels, a "
                 "kernel of size ", size_of(*win.kernel_size), ", stride ", pair[0],
                 ", padding ", pair[1], " and dilation ", pair[2])


def restore_steps(proof, layer, names: tuple) -> None:
    """Append to ``proof``, per axis: the output padding ``o = n mod S`` (GIVEN, its
    definition), the size rule of the transposed layer restoring the input size (PROVED,
    :func:`prove_output_size`) and ``0 ≤ o ≤ S − 1`` (PROVED, the kernel's remainder bounds).
    ``names`` are the symbols the proof writes the output sizes with (H_out, W_out)."""
    layer = _checked(layer)
    win = layer.window
    sizes = output_size(layer)
    for axis, (pad, outcome, n) in enumerate(zip(output_padding(layer),
                                                 prove_output_size(layer), (nt.H, nt.W))):
        out, op = names[axis], sp.Symbol(f"o_{axis + 1}", integer=True)
        f, s, p_, d = (win.kernel_size[axis], win.stride[axis], win.padding[axis],
                       win.dilation[axis])
        span = n + 2 * p_ - d * (f - 1) - 1
        proof.given(sp.Eq(op, span - s * sp.floor(span / s), evaluate=False),
                    Prose("the output padding along the ", ("rows", "columns")[axis],
                          ": the remainder of ", span, " by ", s),
                    short_reason="the output padding")
        proof.add(sp.Eq((out - 1) * s - 2 * p_ + d * (f - 1) + op + 1, n, evaluate=False),
                  Prose("the transposed layer's size rule (PyTorch's) with ", op, " and ",
                        sp.Eq(out, sizes[axis], evaluate=False), " restores ", n),
                  outcome, short_reason="the output size is restored")
        proof.add(sp.Le(op, s - 1),
                  Prose("a remainder by ", s, " lies in ", sp.Le(0, op), " and below ", s,
                        ", as the transposed layer requires"),
                  remainder_bounds(pad, s), short_reason="a remainder")


def full_correlation(layer, H=nt.H, W=nt.W) -> sp.Expr:
    """For ``S = 1``: ``Σ_{l,α,β} w_{l,γ,f1+1−α,f2+1−β} G_{l, p+P−D(f1−α), q+P−D(f2−β)}``, the
    full correlation of ``G`` (0 outside its range) with the flipped kernel."""
    layer = _checked(layer)
    if any(s != 1 for s in layer.stride):
        raise ParameterError("stride", layer.stride, "must be 1 for the full-correlation form "
                             "(a stride spreads G over every S-th position)")
    (f1, f2), (p1, p2), (d1, d2) = layer.kernel_size, layer.padding, layer.dilation
    l, alpha, beta = nt.l, nt.alpha, nt.beta
    return sp.Sum(nt.w[l, nt.gamma, f1 + 1 - alpha, f2 + 1 - beta]
                  * G[l, p + p1 - d1 * (f1 - alpha), q + p2 - d2 * (f2 - beta)],
                  (l, 1, layer.out_channels), (alpha, 1, f1), (beta, 1, f2))


def prove_full_correlation(layer, H=nt.H, W=nt.W) -> tuple[Outcome, Outcome, Outcome]:
    """For ``S = 1``: PROVED that ``∂L/∂X_{γ,p,q}`` (:func:`formula`) equals the form with
    ``G`` read at ``p + P − D(α − 1)`` (the sum over ``i`` taken by its delta; G 0 outside its
    range), and that this is :func:`full_correlation` (α ↦ f1 + 1 − α, then β ↦ f2 + 1 − β).
    The three outcomes, in that order."""
    layer = _checked(layer)
    flipped = full_correlation(layer, H, W)
    mirrored, by_alpha = reflect(flipped, nt.alpha)
    unflipped, by_beta = reflect(mirrored, nt.beta)
    ctx = context(layer, "X", H, W)
    only = _only_values(layer, "X")
    summed = identity(formula(layer, "X", H, W).xreplace(only), unflipped.xreplace(only), ctx,
                      sums_first=True)
    return summed, by_alpha, by_beta


def adjoint_sides(layer, H=nt.H, W=nt.W) -> tuple[sp.Expr, sp.Expr]:
    """``⟨Conv2d(X), G⟩ = Σ_{l,i,j} G_{l,i,j} Y_{l,i,j}`` (no bias) and
    ``⟨X, ConvTranspose2d(G)⟩ = Σ_{γ,p,q} X_{γ,p,q} [ConvTranspose2d(G)]_{γ,p,q}``."""
    layer = _checked(layer)
    unbiased = Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                      stride=layer.stride, padding=layer.padding, dilation=layer.dilation,
                      bias=False)
    left = through(unbiased, output_size=output_size(layer, H, W))
    right = sp.Sum(nt.X[nt.gamma, p, q] * transposed_gradient(layer, H, W),
                   (nt.gamma, 1, layer.in_channels), (p, 1, H), (q, 1, W))
    return left, right


def prove_adjoint(layer, H=nt.H, W=nt.W) -> Outcome:
    """PROVED ``⟨Conv2d(X), G⟩ = ⟨X, ConvTranspose2d(G)⟩`` for every ``X`` and ``G``."""
    left, right = adjoint_sides(layer, H, W)
    return identity(left, right, context(layer, None, H, W), sums_first=True)


def sizes_with_output(out: int, kernel: int, stride: int, padding: int, dilation: int,
                      limit: int) -> list[int]:
    """The input sizes ``H ≤ limit`` whose convolution output size is ``out`` (ascending)."""
    found = []
    for size in range(1, limit + 1):
        span = size + 2 * padding - dilation * (kernel - 1) - 1
        if span >= 0 and span // stride + 1 == out:
            found.append(size)
    return found


def conv2d_backward(layer, x, weight, grad_output):
    """``(grad_input, grad_weight, grad_bias)`` of a ``Conv2d`` at ``x`` ((C_in, H, W) or
    (N, C_in, H, W)) with ``weight`` (C_out, C_in, f1, f2) and ``grad_output = G`` of the
    output's shape, from the proved formulas: ``grad_input`` is :func:`transposed` applied to
    ``G`` (the theorem as code), ``grad_weight[:, :, α, β]`` contracts ``G`` with the input rows
    ``S(i − 1) + D(α − 1) + 1 − P`` read off the layer's window (one contraction per tap),
    ``grad_bias`` sums ``G`` (None for a layer without bias).

    >>> import numpy as np
    >>> gi, gw, gb = conv2d_backward(Conv2d(1, 1, 2), np.ones((1, 3, 3)), np.ones((1, 1, 2, 2)),
    ...                              np.ones((1, 2, 2)))
    >>> gi[0].tolist(), gw[0, 0].tolist(), gb.tolist()
    ([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]], [[4.0, 4.0], [4.0, 4.0]], [4.0])
    """
    import numpy as np

    layer = _checked(layer)
    x = as_array("x", x, (3, 4), real=True)
    batched = x if x.ndim == 4 else x[None]
    _, c_in, height, width = batched.shape
    expected = tuple(int(n) for n in layer.output_shape(*x.shape))
    grad = as_array("grad_output", grad_output, (x.ndim,), real=True)
    if grad.shape != expected:
        raise ShapeError(f"grad_output must have the layer's output shape {expected} for x of "
                         f"shape {x.shape}, got {grad.shape}")
    weight = as_array("weight", weight, (4,), real=True)
    c_out = concrete_int("out_channels", layer.out_channels)
    (f1, f2), (s1, s2), (p1, p2), _ = layer.window.concrete()
    if weight.shape != (c_out, c_in, f1, f2):
        raise ShapeError(f"weight must have shape (C_out, C_in, f1, f2) = "
                         f"{(c_out, c_in, f1, f2)}, got {weight.shape}")
    g = grad if grad.ndim == 4 else grad[None]
    n, _, rows, cols = g.shape
    check_size("the gradients of Conv2d (conv2d_backward)",
               n * c_in * (height + 2 * p1) * (width + 2 * p2),
               2 * n * c_out * c_in * f1 * f2 * rows * cols)
    dtype = np.result_type(batched, weight, g, np.float64)
    g = g.astype(dtype, copy=False)
    grad_input = transposed(layer, height, width).evaluate(g, weight.astype(dtype))
    padded = np.zeros((n, c_in, height + 2 * p1, width + 2 * p2), dtype=dtype)
    padded[:, :, p1:p1 + height, p2:p2 + width] = batched
    grad_weight = np.empty((c_out, c_in, f1, f2), dtype=dtype)
    for a in range(f1):
        # the formula's input row at i = 1, in padded coordinates, 0-based; then every S-th
        top = int(layer.window.padded_index(0, 1, a + 1)) - 1
        for b in range(f2):
            left = int(layer.window.padded_index(1, 1, b + 1)) - 1
            window = padded[:, :, top:top + s1 * (rows - 1) + 1:s1,
                            left:left + s2 * (cols - 1) + 1:s2]
            grad_weight[:, :, a, b] = np.tensordot(g, window, axes=([0, 2, 3], [0, 2, 3]))
    grad_bias = g.sum(axis=(0, 2, 3)) if layer.bias else None
    return (grad_input if x.ndim == 4 else grad_input[0]), grad_weight, grad_bias


def _entries(layer, name: str, H: int, W: int) -> list[tuple[int, ...]]:
    """Every index tuple of the named gradient on a concrete ``H × W`` input."""
    c_in, c_out = (concrete_int(n, v) for n, v in (("in_channels", layer.in_channels),
                                                   ("out_channels", layer.out_channels)))
    f1, f2 = layer.window.concrete()[0]
    shape = {"b": (c_out,), "w": (c_out, c_in, f1, f2), "X": (c_in, H, W)}[name]
    check("expanded_terms", f"the entries of the {name} gradient", _product(shape))
    return [tuple(v + 1 for v in index) for index in _grid(shape)]


def _product(shape) -> int:
    total = 1
    for n in shape:
        total *= n
    return total


def _grid(shape):
    return itertools.product(*(range(n) for n in shape))


def instantiated(layer, name: str, H: int, W: int) -> dict[tuple, sp.Expr]:
    """The named formula at every entry of a concrete layer on an ``H × W`` input, written out
    exactly (its sums expanded, deltas evaluated, X 0 outside its range): entry → expression
    in the entries of ``G``, ``X`` and ``w``."""
    layer, name = _checked(layer), _name(name)
    return dict(_instantiated(layer, name, int(H), int(W)))


@lru_cache(maxsize=16)  # the exact and the numeric checks of a problem write out the same
def _instantiated(layer, name: str, H: int, W: int) -> tuple:
    free = {"b": (nt.l,), "w": (nt.l, nt.gamma, nt.alpha, nt.beta), "X": (nt.gamma, p, q)}[name]
    general = formula(layer, name, sp.Integer(H), sp.Integer(W))
    write = _writer(general, free)
    out = {}
    for index in _entries(layer, name, H, W):
        value = write(index)
        out[index] = value.xreplace({e: 0 for e in value.atoms(sp.Indexed)
                                     if e.base == nt.X and not _inside(e, layer, H, W)})
    return tuple(out.items())


def _writer(total: sp.Sum, free: tuple):
    """A function of the free indices' values writing ``total`` out exactly: its Kronecker
    deltas (functions of the indices only) are computed as integers first, and only the
    terms where they are 1 are built (SymPy's term-by-term expansion builds every one)."""
    names = [v for v, _, _ in total.limits]
    deltas = sp.Mul(*(f for f in sp.Mul.make_args(total.function)
                      if isinstance(f, sp.KroneckerDelta)))
    rest = total.function / deltas
    # each delta as the difference of its arguments: a term survives when all are 0
    gaps = [d.args[0] - d.args[1] for d in sp.Mul.make_args(deltas)
            if isinstance(d, sp.KroneckerDelta)]
    compiled = sp.lambdify([*free, *names], gaps, modules="math")

    def test(*values) -> bool:
        return not any(compiled(*values))

    ranges = [range(int(low), int(high) + 1) for _, low, high in total.limits]
    check("expanded_terms", "a gradient formula written out", _product(map(len, ranges)))

    def write(index: tuple) -> sp.Expr:
        terms = []
        for point in itertools.product(*ranges):
            if deltas == 1 or test(*index, *point):
                at = dict(zip(free, map(sp.Integer, index)))
                at.update(zip(names, map(sp.Integer, point)))
                terms.append(rest.xreplace(at))
        return sp.Add(*terms)

    return write


def _inside(entry: sp.Indexed, layer, H: int, W: int) -> bool:
    """Whether a concrete ``X`` entry lies in the input's index range."""
    bounds = (concrete_int("in_channels", layer.in_channels), H, W)
    return all(1 <= int(v) <= n for v, n in zip(entry.indices, bounds))


def verify_exact(layer, H: int, W: int) -> Outcome:
    """VERIFIED when, at every entry of ``b``, ``w`` and ``X`` of a concrete layer on an
    ``H × W`` input, the formula written out equals the derivative of ``Σ G·Y`` written out
    (every entry of G, X, w a symbol: exact, for all their values)."""
    layer = _checked(layer)
    try:
        return _verified(layer, H, W)
    except TooLargeError as error:  # said, not raised: a check that cannot run decides nothing
        return Outcome(Status.UNKNOWN, "exhaustive check", f"not run: {error}")


def _verified(layer, H: int, W: int) -> Outcome:
    rows, cols = (int(n) for n in output_size(layer, H, W))
    total = expand_sums(through(layer, output_size=(sp.Integer(rows), sp.Integer(cols))))
    total = total.xreplace({e: 0 for e in total.atoms(sp.Indexed)
                            if e.base == nt.X and not _inside(e, layer, H, W)})
    cases = [(name, index, value) for name in NAMES
             for index, value in instantiated(layer, name, H, W).items()]
    cofactors = _cofactors(sp.expand(total))

    def compare(case):
        name, index, value = case["name"], case["entry"], case["value"]
        variable = entry(name).base[index]
        if cofactors is None:
            return differentiated(total, variable), value
        return sp.Add(*cofactors.get(variable, ())), value

    return exhaustive(compare, ({"name": n, "entry": i, "value": v} for n, i, v in cases),
                      Prose("every entry of the three gradients, ", *layer_prose(layer).parts,
                            ", on ", size_of(H, W)))


def _cofactors(total: sp.Expr) -> dict | None:
    """For a sum of products of distinct array entries and numbers (``Σ G·Y`` written out:
    each term is ``G·w·X`` or ``G·b``, every entry at most once), each entry's derivative: the
    sum of its terms divided by it (the derivative of a product of distinct variables in one
    of them). None when ``total`` is not of that form (then SymPy's ``diff`` is used)."""
    cofactors: dict = {}
    for term in sp.Add.make_args(total):
        factors = sp.Mul.make_args(term)
        entries = [f for f in factors if isinstance(f, sp.Indexed)]
        if len(set(entries)) != len(entries) or not all(
                isinstance(f, sp.Indexed) or f.is_number for f in factors):
            return None
        for factor in entries:
            cofactors.setdefault(factor, []).append(term / factor)
    return cofactors


def formula_values(layer, x, weight, grad_output):
    """``(grad_input, grad_weight, grad_bias)`` from the symbolic formulas themselves
    (:func:`instantiated`, compiled once with lambdify; a batch sums ``grad_weight`` and
    ``grad_bias`` over its samples): the formulas as numbers, for cross-checks on small
    sizes."""
    x = as_array("x", x, (3, 4), real=True)
    return formula_function(layer, *x.shape[-2:])(x, weight, grad_output)


def formula_function(layer, H: int, W: int):
    """:func:`formula_values` for an ``H × W`` input, its formulas written out and compiled
    once (the function is called once per sample of a check)."""
    import numpy as np

    layer = _checked(layer)
    compiled = []
    for name in ("X", "w", "b"):
        values = instantiated(layer, name, H, W)
        compiled.append((list(values), numpy_function((G, nt.X, nt.w), list(values.values()))))

    def evaluate(x, weight, grad_output):
        x = as_array("x", x, (3, 4), real=True)
        batched = x if x.ndim == 4 else x[None]
        g = as_array("grad_output", grad_output, (x.ndim,), real=True)
        g = g if g.ndim == 4 else g[None]
        weight = as_array("weight", weight, (4,), real=True)
        if batched.shape[-2:] != (H, W):
            raise ShapeError(f"x must be {H}×{W} here, got {batched.shape[-2:]}")
        # 1-based entries: one leading zero along every axis; the batch is the last axis
        arrays = [np.pad(np.moveaxis(a, 0, -1).astype(float), [(1, 0)] * 3 + [(0, 0)])
                  for a in (g, batched)] + [np.pad(weight.astype(float), [(1, 0)] * 4)]
        out = []
        for (indices, function), shape in zip(compiled, (batched.shape[1:], weight.shape,
                                                         (weight.shape[0],))):
            result = np.zeros((g.shape[0], *shape))
            for index, value in zip(indices, function(*arrays)):
                result[(slice(None), *(v - 1 for v in index))] = value
            out.append(result)
        grad_input = out[0] if x.ndim == 4 else out[0][0]
        return (grad_input, out[1].sum(axis=0),
                out[2].sum(axis=0) if layer.bias else None)

    return evaluate


def autograd(layer, x, weight, bias, grad_output):
    """``(grad_input, grad_weight, grad_bias)`` from ``torch.autograd`` (float64) for the
    layer's ``torch.nn.functional.conv2d``, as NumPy arrays."""
    torch = torch_module()
    layer = _checked(layer)
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
               for a in (x, weight, bias)]
    out = torch.nn.functional.conv2d(
        tensors[0], tensors[1], tensors[2] if layer.bias else None,
        *(layer_tuple(pair) for pair in (layer.stride, layer.padding, layer.dilation)))
    grads = torch.autograd.grad(out, tensors if layer.bias else tensors[:2],
                                torch.tensor(grad_output, dtype=torch.float64))
    return tuple(g.numpy() for g in grads) + ((None,) if not layer.bias else ())


def autograd_check(layer, H: int, W: int, *, batch: int = 2, samples: int = 5, seed: int = 0,
                   use_torch: bool = False) -> Outcome:
    """SPOT_CHECKED when :func:`conv2d_backward` agrees with ``torch.autograd`` (or, without
    torch, with :func:`formula_values`, the formulas compiled entry by entry) on random
    ``x``, ``w``, ``b`` and ``G`` (tolerance 1e-9)."""
    import numpy as np

    layer = _checked(layer)
    c_in, c_out = (int(layer.in_channels), int(layer.out_channels))
    kernel = tuple(int(v) for v in layer.kernel_size)
    shape = tuple(int(v) for v in layer.output_shape(batch, c_in, H, W))

    def sample(rng):
        return (rng.standard_normal((batch, c_in, H, W)),
                rng.standard_normal((c_out, c_in, *kernel)), rng.standard_normal(c_out),
                rng.standard_normal(shape))

    formulas = None if use_torch else formula_function(layer, H, W)

    def compare(x, weight, bias, grad):
        ours = conv2d_backward(layer, x, weight, grad)
        theirs = (autograd(layer, x, weight, bias, grad) if use_torch
                  else formulas(x, weight, grad))
        flat = [np.concatenate([a.ravel() for a in grads if a is not None])
                for grads in (ours, theirs)]
        return flat[0], flat[1]

    reference = "torch.autograd" if use_torch else "the formulas written out entry by entry"
    return spot_check(sample, compare, samples=samples, seed=seed, tolerance=1e-9,
                      description=Prose(f"the gradients computed tap by tap against {reference}"
                                        ", ", *layer_prose(layer).parts, ", on ",
                                        size_of(batch, c_in, H, W)),
                      cost=2 * batch * c_out * c_in * kernel[0] * kernel[1] * shape[2]
                      * shape[3])
