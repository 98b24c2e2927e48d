"""Numbers from the backward formulas of ``Conv2d``: :func:`conv2d_backward` (the input
gradient as the transposed layer on ``G``, the weight gradient one contraction per tap, the
bias gradient a sum), and :func:`formula_values` / :func:`formula_function`, the formulas
written out entry by entry and compiled (for cross-checks on small sizes).
"""

from __future__ import annotations

from ... import notation as nt
from ...errors import ShapeError
from ...numeric import as_array, check_size, numpy_function
from ...params import concrete_int
from ..upstream import G
from .formulas import transposed
from .spec import checked
from .written import instantiated

__all__ = ["conv2d_backward", "formula_values", "formula_function"]


def conv2d_backward(layer, x, weight, grad_output):
    """``(grad_input, grad_weight, grad_bias)`` of a ``Conv2d`` at ``x`` ((C_in, H, W) or
    (N, C_in, H, W)) with ``weight`` (C_out, C_in, f1, f2) and ``grad_output = G`` of the
    output's shape, from the proved formulas: ``grad_input`` is :func:`transposed` applied to
    ``G`` (the theorem as code), ``grad_weight[:, :, α, β]`` contracts ``G`` with the input rows
    ``S(i − 1) + D(α − 1) + 1 − P`` read off the layer's window (one contraction per tap),
    ``grad_bias`` sums ``G`` (None for a layer without bias).

    >>> import numpy as np
    >>> from symproof import Conv2d
    >>> gi, gw, gb = conv2d_backward(Conv2d(1, 1, 2), np.ones((1, 3, 3)), np.ones((1, 1, 2, 2)),
    ...                              np.ones((1, 2, 2)))
    >>> gi[0].tolist(), gw[0, 0].tolist(), gb.tolist()
    ([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]], [[4.0, 4.0], [4.0, 4.0]], [4.0])
    """
    import numpy as np

    layer = checked(layer)
    x, batched, grad, g = _batched(x, grad_output)
    _, c_in, height, width = batched.shape
    expected = tuple(int(n) for n in layer.output_shape(*x.shape))
    if grad.shape != expected:
        raise ShapeError(f"grad_output must have the layer's output shape {expected} for x of "
                         f"shape {x.shape}, got {grad.shape}")
    weight = as_array("weight", weight, (4,), real=True)
    c_out = concrete_int("out_channels", layer.out_channels)
    (f1, f2), (s1, s2), (p1, p2), _ = layer.window.concrete()
    if weight.shape != (c_out, c_in, f1, f2):
        raise ShapeError(f"weight must have shape (C_out, C_in, f1, f2) = "
                         f"{(c_out, c_in, f1, f2)}, got {weight.shape}")
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


def _batched(x, grad_output) -> tuple:
    """``x`` and ``G = grad_output`` read as real arrays (``G`` of ``x``'s rank), each as given
    and with a batch axis (one sample: a batch of 1): ``(x, x batched, G, G batched)``."""
    x = as_array("x", x, (3, 4), real=True)
    grad = as_array("grad_output", grad_output, (x.ndim,), real=True)
    return x, (x if x.ndim == 4 else x[None]), grad, (grad if grad.ndim == 4 else grad[None])


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

    layer = checked(layer)
    compiled = []
    for name in ("X", "w", "b"):
        values = instantiated(layer, name, H, W)
        compiled.append((list(values), numpy_function((G, nt.X, nt.w), list(values.values()))))

    def evaluate(x, weight, grad_output):
        x, batched, _, g = _batched(x, grad_output)
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
