"""Backpropagation through pooling, with the upstream gradient ``G = ∂L/∂Y``.

* average pooling: ``∂L/∂X_{l,p,q} = Σ_{i,j} G_{l,i,j}/d_{i,j} · [(p, q) in window (i, j)]``,
  the gradient spread over each window by the layer's own divisor ``d_{i,j}`` (every mode of
  ``count_include_pad`` and ``ceil_mode``: the divisor is a factor free of ``X``, so the proof
  is the same for all of them); :func:`prove_avg_backward` has the kernel differentiate
  :func:`~symproof.backprop.upstream.through` and decide the formula;
* max pooling: ``∂L/∂X_{l,p,q} = Σ_{i,j} G_{l,i,j} [(p, q) is the arg-max of window (i, j)]``,
  PROVED where each window's maximum is attained at one tap
  (:func:`~symproof.kernel.routed_derivative`); at a tie the maximum is not differentiable and
  PyTorch picks one entry by the rule :data:`TIE_RULE` states (GIVEN, with its source),
  which :func:`max_pool2d_backward` implements;
* numbers: :func:`avg_pool2d_backward` and :func:`max_pool2d_backward`, vectorised NumPy
  (one pass per tap of the window, never a loop over output positions), batch or not.

>>> from symproof import AvgPool2d
>>> prove_avg_backward(AvgPool2d(2)).status.name
'PROVED'
"""

from __future__ import annotations

import math

import sympy as sp

from .. import notation as nt
from ..errors import ParameterError, ShapeError, shown
from ..kernel import Context, Outcome, Status, derivative, routed_derivative
from ..layers import AvgPool2d, MaxPool2d
from ..numeric import as_array, as_float
from ..prose import Prose, prose
from .upstream import H_out, W_out, through

__all__ = ["p", "q", "ARGMAX_ROW", "ARGMAX_COL", "TIE_RULE", "TIE_SOURCE", "EMPTY_WINDOW",
           "in_window", "empty_windows",
           "avg_backward_formula", "max_backward_formula", "backward_context",
           "prove_avg_backward", "prove_max_backward", "avg_pool2d_backward",
           "max_pool2d_backward", "max_pool2d_routes"]

#: The input entry differentiated in: row p, column q (channel l, as the output's).
p, q = nt.index_symbol("p"), nt.index_symbol("q")
#: The tap of window (l, i, j) where its maximum is attained: α = u_{l,i,j}, β = v_{l,i,j}
#: (fixed by the window's position, so held constant when differentiating in X; plain
#: letters, so that a document's formula reads back).
ARGMAX_ROW, ARGMAX_COL = sp.IndexedBase("u"), sp.IndexedBase("v")

#: PyTorch's rule for the entry a max-pooling window routes its gradient to.
TIE_RULE = ("the window's in-range taps are scanned row by row (α, then β); the first tap is "
            "taken, and a later one replaces it only if it is strictly larger or NaN: so the "
            "first maximum in that order gets the gradient, the last NaN if the window has "
            "one, and a window of −∞ entries its first in-range entry; the padding never")
#: Where symproof parts from PyTorch, on purpose: a dilated window whose taps all fall in the
#: padding reads no entry of X (its output is −∞, a constant), so its gradient is 0 everywhere.
#: PyTorch 2.13's CPU kernel still records an index for it (``ih0·W + iw0`` after moving the
#: start past the padding, outside the window), and its backward writes G there: a wrong entry,
#: or memory corruption (checked here: "double free or corruption").
EMPTY_WINDOW = ("a window whose taps all fall in the padding (possible only with dilation) reads "
                "no entry: its gradient goes nowhere (PyTorch's CPU kernel writes it to an "
                "entry outside the window)")
#: Where the rule is written: PyTorch's CPU kernel (the forward pass records the index, the
#: backward adds G there).
TIE_SOURCE = ("PyTorch's CPU max-pooling kernel (aten/src/ATen/native/cpu/MaxPoolKernel.cpp): "
              "the running maximum starts at −∞ at the first in-range tap, and a later tap "
              "replaces it when it is strictly larger or NaN")


def _pool(layer, kind: type) -> None:
    if not isinstance(layer, kind):
        raise ParameterError("layer", layer, f"must be a {kind.__name__}")


def in_window(layer, i=nt.i, j=nt.j, row=p, col=q) -> sp.Boolean:
    """``(row, col)`` lies in window ``(i, j)``: some tap ``α`` of ``1 … f_1`` reads it,
    ``S(i−1) + D(α−1) + 1 − P = row`` (and the same for columns). Without dilation that tap is
    ``row + P − S(i−1)``, between 1 and ``f_1``; with a dilation ``D`` the offset
    ``row + P − 1 − S(i−1)`` from the first tap must be a multiple of ``D`` between 0 and
    ``D(f_1 − 1)`` (a row between two taps is in no window's reach)."""
    window = layer.window
    conditions = []
    for axis, out, at in ((0, i, row), (1, j, col)):
        offset = sp.expand(at - window.index(axis, out, 1))  # D(α − 1) for the reading tap
        dilation, size = window.dilation[axis], window.kernel_size[axis]
        if dilation == 1:
            conditions += [sp.Le(1, offset + 1), sp.Le(offset + 1, size)]
        else:
            conditions += [sp.Le(0, offset), sp.Le(offset, dilation * (size - 1)),
                           sp.Eq(sp.Mod(offset, dilation), 0)]
    return sp.And(*conditions)


def avg_backward_formula(layer: AvgPool2d, divisor: sp.Expr | None = None,
                         output_size: tuple | None = None) -> sp.Expr:
    """``Σ_{i,j} (G_{l,i,j}/d_{i,j}) Σ_α δ_{p, S(i−1)+α−P} Σ_β δ_{q, S(j−1)+β−P}``, ``d`` the
    layer's divisor (``divisor`` replaces it: the adversarial tests' wrong divisors). The sums
    of deltas count the taps of window ``(i, j)`` that read row ``p`` and column ``q``: 1 when
    ``(p, q)`` lies in the window (:func:`in_window`), else 0."""
    _pool(layer, AvgPool2d)
    i, j, window = nt.i, nt.j, layer.window
    d = layer.divisor(i, j) if divisor is None else divisor
    rows, cols = (H_out, W_out) if output_size is None else output_size
    reads = [sp.Sum(sp.KroneckerDelta(at, window.index(axis, out, tap)),
                    (tap, 1, window.kernel_size[axis]))
             for axis, at, out, tap in ((0, p, i, nt.alpha), (1, q, j, nt.beta))]
    return sp.Sum(nt.G[nt.l, i, j] / d * reads[0] * reads[1],
                  (j, 1, cols), (i, 1, rows))  # printed Σ_i Σ_j


def max_backward_formula(layer: MaxPool2d) -> sp.Expr:
    """``Σ_{i,j} G_{l,i,j} δ_{p, S(i−1)+D(u−1)+1−P} δ_{q, S(j−1)+D(v−1)+1−P}``: each window's
    gradient goes to the entry its arg-max tap ``(u, v)`` reads."""
    _pool(layer, MaxPool2d)
    i, j, window = nt.i, nt.j, layer.window
    a, b = ARGMAX_ROW[nt.l, i, j], ARGMAX_COL[nt.l, i, j]
    return sp.Sum(nt.G[nt.l, i, j] * sp.KroneckerDelta(p, window.index(0, i, a))
                  * sp.KroneckerDelta(q, window.index(1, j, b)), (j, 1, W_out), (i, 1, H_out))


def backward_context(layer) -> Context:
    """The entry ``X_{l,p,q}`` is one of the input (``l ≤ C``, ``p ≤ H``, ``q ≤ W``) and the
    padding is PyTorch's (``2P ≤ k`` on each axis)."""
    window = layer.window
    return Context([sp.Le(nt.l, nt.index_symbol("C")), sp.Le(p, nt.H), sp.Le(q, nt.W),
                    *(sp.Le(2 * window.padding[axis], window.kernel_size[axis])
                      for axis in (0, 1))])


def _unrefuted(outcome: Outcome) -> Outcome:
    """A counterexample found here is not shown to respect every assumption (the output sizes
    ``H_out``, ``W_out`` are free symbols, not tied to ``H``, ``W``; a tap ``u`` is not kept in
    its window): it is reported, but the claim is UNKNOWN, never REFUTED."""
    if outcome.status is not Status.REFUTED:
        return outcome
    return Outcome(Status.UNKNOWN, outcome.tactic, Prose(
        "not shown: the two sides differ at values that may break an assumption: ")
        + prose(outcome.detail))


def prove_avg_backward(layer: AvgPool2d, claimed: sp.Expr | None = None) -> Outcome:
    """The kernel's verdict on ``∂L/∂X_{l,p,q} = claimed`` (by default
    :func:`avg_backward_formula`): the derivative of ``Σ G·Y`` in ``X_{l,p,q}``; never
    REFUTED (:func:`_unrefuted`)."""
    _pool(layer, AvgPool2d)
    claimed = avg_backward_formula(layer) if claimed is None else claimed
    return _unrefuted(derivative(through(layer), nt.X[nt.l, p, q], claimed,
                                 backward_context(layer)))


def prove_max_backward(layer: MaxPool2d, claimed: sp.Expr | None = None) -> Outcome:
    """The kernel's verdict on ``∂L/∂X_{l,p,q} = claimed`` (by default
    :func:`max_backward_formula`) where every window's maximum is attained only at its tap
    ``(u_{l,i,j}, v_{l,i,j})``; never REFUTED (:func:`_unrefuted`)."""
    _pool(layer, MaxPool2d)
    claimed = max_backward_formula(layer) if claimed is None else claimed
    argmax = {nt.alpha: ARGMAX_ROW[nt.l, nt.i, nt.j], nt.beta: ARGMAX_COL[nt.l, nt.i, nt.j]}
    return _unrefuted(routed_derivative(through(layer), nt.X[nt.l, p, q], claimed, argmax,
                                        backward_context(layer)))


# --- numbers ---------------------------------------------------------------------------


def _upstream(layer, shape: tuple, grad_output: object):
    """The output size for inputs of ``shape`` and ``grad_output`` read as numbers of that
    shape (float64, or exact Python numbers)."""
    layer.window.concrete()  # a symbolic window has no numbers: say which parameter
    out = tuple(int(v) for v in layer.output_shape(*shape))
    grad = as_float("grad_output", as_array("grad_output", grad_output, (3, 4), real=True),
                    exact_integers=True)
    if grad.shape != out:
        raise ShapeError(f"grad_output must have the layer's output shape {shown(out)} for an "
                         f"input of shape {shown(tuple(shape))}, got {shown(grad.shape)}")
    return out, grad


def _scattered(plan, shape: tuple, contributions, dtype) -> object:
    """``Σ_taps`` of each tap's contribution added where that tap reads, cropped to the
    input: the transpose of reading the windows (a loop over the taps only)."""
    import numpy as np

    grad = np.zeros(plan.padded_shape, dtype=dtype)  # object: exact int zeros
    kernel = plan.kernel
    for alpha in range(kernel[0]):
        for beta in range(kernel[1]):
            # one tap reads distinct entries at distinct output positions: += is exact
            grad[plan.tap(alpha, beta)] += contributions(alpha, beta)
    (top, _), (left, _) = plan.pads
    return grad[..., top:top + shape[-2], left:left + shape[-1]]


def _shape(layer, name: str, shape: object) -> tuple[int, ...]:
    """An input shape ``(C, H, W)`` or ``(N, C, H, W)`` of positive ints (the layer checks)."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__"):
        raise ParameterError(name, shape, "must be a shape (C, H, W) or (N, C, H, W)")
    layer.output_shape(*shape)  # names the bad size
    return tuple(int(v) for v in shape)


def avg_pool2d_backward(layer: AvgPool2d, x_shape: object, grad_output: object):
    """``∂L/∂X`` for an input of ``x_shape`` given ``G = ∂L/∂Y`` (``grad_output``): each
    ``G_{l,i,j}/d_{i,j}`` added to every entry of window ``(i, j)`` — the proved formula of
    :func:`avg_backward_formula`, tap by tap. Exact numbers (ints, Fractions) stay exact.

    >>> import numpy as np
    >>> avg_pool2d_backward(AvgPool2d(2), (1, 2, 4), np.array([[[4.0, 8.0]]]))
    array([[[1., 1., 2., 2.],
            [1., 1., 2., 2.]]])
    """
    _pool(layer, AvgPool2d)
    shape = _shape(layer, "x_shape", x_shape)
    out, grad = _upstream(layer, shape, grad_output)
    exact = grad.dtype == object
    plan = layer.window.numeric_plan(shape, out[-2:], exact=exact)
    spread = grad / layer.divisors(shape, out[-2:], exact=exact)  # the layer's own rule
    return _scattered(plan, shape, lambda alpha, beta: spread, spread.dtype)


def max_pool2d_routes(layer: MaxPool2d, x: object):
    """The tap (0-based, ``α·f_2 + β``) each window routes its gradient to, by PyTorch's rule
    (:data:`TIE_RULE`; −1 for a window that reads no entry, :data:`EMPTY_WINDOW`), and the
    window plan: one pass per tap, vectorised over windows. The input is read as float64, as
    PyTorch compares it."""
    import numpy as np

    _pool(layer, MaxPool2d)
    x = as_float("x", as_array("x", x, (3, 4), real=True)).astype(np.float64, copy=False)
    layer.window.concrete()  # a symbolic window has no numbers: say which parameter
    out = tuple(int(v) for v in layer.output_shape(*x.shape))
    plan = layer.window.numeric_plan(x.shape, out[-2:], exact=False)
    padded = plan.padded(x, -np.inf)
    kernel = plan.kernel
    # PyTorch's scan: the first in-range tap to start, replaced by a strictly larger value or a
    # NaN. So a window routes to its first tap equal to its maximum (argmax: the first), to its
    # last NaN if it has one, and to its first in-range tap when the maximum is −∞ (the
    # padding is −∞ too, but never chosen).
    columns = plan.columns(padded)  # [..., tap, i, j], taps in the scan's order
    route = np.argmax(columns, axis=-3)
    finite = bool(np.isfinite(x).all())  # else NaN and −∞ need the rule's other clauses
    if not finite and np.isnan(x).any():
        nan = np.isnan(columns)
        last = columns.shape[-3] - 1 - np.argmax(nan[..., ::-1, :, :], axis=-3)
        route = np.where(nan.any(axis=-3), last, route)
    lowest = None if finite else np.max(columns, axis=-3) == -np.inf
    # with finite entries and no dilation, every window's maximum is an entry of X
    if lowest is not None or any(d != 1 for d in plan.spacings):
        (first_row, rows_read), (first_col, cols_read) = _first_inside(plan, x.shape)
        if lowest is not None and lowest.any():
            start = np.broadcast_to(first_row[:, None] * kernel[1] + first_col[None, :], out)
            route[lowest] = start[lowest]
        route[..., ~(rows_read[:, None] & cols_read[None, :])] = -1
    return route, plan


def _first_inside(plan, shape: tuple) -> list:
    """Per axis: the first tap of each window that lies inside the input, and whether any
    does."""
    import numpy as np

    found = []
    for axis, (before, _) in enumerate(plan.pads):
        taps = np.arange(plan.kernel[axis])[:, None]
        positions = (plan.starts[axis] + taps * plan.spacings[axis]
                     + plan.steps[axis] * np.arange(plan.out[axis])[None, :])
        inside = (positions >= before) & (positions < before + shape[axis - 2])
        found.append((inside.argmax(axis=0), inside.any(axis=0)))
    return found


def empty_windows(layer: MaxPool2d, shape: tuple) -> bool:
    """Whether some window of ``layer`` over inputs of ``shape`` reads no entry of the input
    (:data:`EMPTY_WINDOW`)."""
    _pool(layer, MaxPool2d)
    layer.window.concrete()
    out = tuple(int(v) for v in layer.output_shape(*shape))
    plan = layer.window.numeric_plan(tuple(shape), out[-2:], exact=False)
    return not all(read.all() for _, read in _first_inside(plan, tuple(shape)))


def max_pool2d_backward(layer: MaxPool2d, x: object, grad_output: object):
    """``∂L/∂X`` at the input ``x`` given ``G = ∂L/∂Y``: each ``G_{l,i,j}`` added to the entry
    window ``(i, j)`` routes to (:func:`max_pool2d_routes`, PyTorch's tie rule).

    >>> import numpy as np
    >>> max_pool2d_backward(MaxPool2d(2), [[[1.0, 3.0], [3.0, 0.0]]], [[[5.0]]])
    array([[[0., 5.],
            [0., 0.]]])
    """
    import numpy as np

    route, plan = max_pool2d_routes(layer, x)
    shape = plan.shape
    _, grad = _upstream(layer, shape, grad_output)
    kernel = plan.kernel
    if grad.dtype == object:  # exact numbers: tap by tap
        return _scattered(plan, shape, lambda alpha, beta: np.where(
            route == alpha * kernel[1] + beta, grad, 0), grad.dtype)
    # one pass: each window's entry as a flat position of the padded input, summed there
    tap = np.maximum(route, 0)  # an empty window (−1) adds 0 at its first tap
    height, width = plan.padded_shape[-2:]
    # each tap's offset in the padded plane, looked up (integer division costs more)
    offsets = (np.repeat(np.arange(kernel[0]) * plan.spacings[0], kernel[1]) * width
               + np.tile(np.arange(kernel[1]) * plan.spacings[1], kernel[0]))
    rows = plan.starts[0] + plan.steps[0] * np.arange(plan.out[0])[:, None]
    cols = plan.starts[1] + plan.steps[1] * np.arange(plan.out[1])[None, :]
    planes = np.arange(math.prod(shape[:-2])).reshape(*shape[:-2], 1, 1) * (height * width)
    flat = offsets.take(tap) + (planes + (rows * width + cols))
    weights = np.where(route >= 0, grad, 0.0)  # an empty window routes nowhere
    total = np.bincount(flat.ravel(), weights=weights.ravel(),
                        minlength=math.prod(plan.padded_shape))
    (top, _), (left, _) = plan.pads
    padded = total.reshape(plan.padded_shape)
    return padded[..., top:top + shape[-2], left:left + shape[-1]]
