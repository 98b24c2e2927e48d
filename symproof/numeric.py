"""Numeric evaluation: the vectorised fast path, and the exact slow path used to verify it.

The fast path reads a window layer's element formula: each input index there is affine,
``S(i−1) + D(α−1) + 1 − P``, and its coefficients (stride S, dilation D, first position) give a
strided NumPy view of the padded input whose entry ``[..., i, j, α, β]`` is exactly the ``X`` entry
the formula names at ``(i, j, α, β)``. Layers reduce that view (a tensordot, a max, a mean), so
the numbers come from the formula, never from a second hand-written indexing rule.

The exact path substitutes arrays into a formula entry by entry; it is slow by design and only
serves VERIFIED checks and tests.

NumPy is imported inside functions: ``import symproof`` must stay as cheap as ``import sympy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import sympy as sp

from .errors import EvaluationError, ShapeError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["AffineIndex", "window_view", "exact_value", "as_array"]


@dataclass(frozen=True)
class AffineIndex:
    """A 1-based index ``first + step·(i−1) + spacing·(α−1)`` read off a formula."""

    first: int
    step: int
    spacing: int

    @classmethod
    def from_expr(cls, expr: sp.Expr, out: sp.Symbol, tap: sp.Symbol) -> AffineIndex:
        """Coefficients of ``expr`` in the output index ``out`` and kernel index ``tap``.

        Refuses anything that is not affine with concrete integer coefficients, because the
        strided view below is only equal to the formula in that case.
        """
        step, spacing = expr.diff(out), expr.diff(tap)
        first = expr.xreplace({out: 1, tap: 1})
        values = (first, step, spacing)
        if any(v.free_symbols or not v.is_Integer for v in values):
            raise EvaluationError(
                f"evaluation needs concrete sizes: index {expr} is not affine in {out}, {tap} "
                "with integer coefficients (substitute numbers for the symbols first)"
            )
        return cls(int(first), int(step), int(spacing))


def as_array(name: str, value: object, ndims: tuple[int, ...]) -> np.ndarray:
    """``value`` as a NumPy array with one of the allowed numbers of dimensions."""
    import numpy as np

    array = np.asarray(value)
    if array.ndim not in ndims:
        allowed = " or ".join(str(n) for n in ndims)
        raise ShapeError(f"{name} must have {allowed} dimensions, got shape {array.shape}")
    if array.dtype.kind not in "biufcO":
        raise ShapeError(f"{name} must hold numbers, got dtype {array.dtype}")
    return array


def window_view(
    x: np.ndarray,
    rows: AffineIndex,
    cols: AffineIndex,
    kernel: tuple[int, int],
    out: tuple[int, int],
    fill: float,
) -> np.ndarray:
    """Strided view ``v`` with ``v[..., i, j, α, β] = x[..., rows(i, α), cols(j, β)]`` (0-based
    positions of the 1-based formula), where entries outside ``x`` read as ``fill``."""
    import numpy as np

    pads, starts = [], []
    for index, size, f, n_out in ((rows, x.shape[-2], kernel[0], out[0]),
                                  (cols, x.shape[-1], kernel[1], out[1])):
        first = index.first - 1  # 0-based position of the first tap of the first window
        last = first + index.step * (n_out - 1) + index.spacing * (f - 1)
        before, after = max(0, -first), max(0, last - (size - 1))
        pads.append((before, after))
        starts.append(first + before)
    padded = np.pad(x, [(0, 0)] * (x.ndim - 2) + pads, constant_values=fill)
    spans = (rows.spacing * (kernel[0] - 1) + 1, cols.spacing * (kernel[1] - 1) + 1)
    windows = np.lib.stride_tricks.sliding_window_view(
        padded[..., starts[0]:, starts[1]:], spans, axis=(-2, -1)
    )
    return windows[
        ...,
        : rows.step * (out[0] - 1) + 1 : rows.step,
        : cols.step * (out[1] - 1) + 1 : cols.step,
        :: rows.spacing,
        :: cols.spacing,
    ]


def _exact(value: object) -> sp.Expr:
    """A Python/NumPy number as an exact SymPy number (floats by their exact binary value)."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return sp.Integer(int(value))
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        if value == float("inf"):
            return sp.oo
        if value == float("-inf"):
            return -sp.oo
        return sp.Rational(Fraction(value))
    raise EvaluationError(f"cannot use {value!r} as an exact number")


def exact_value(
    expr: sp.Expr,
    arrays: dict[sp.IndexedBase, object],
    fill: dict[sp.IndexedBase, sp.Expr] | None = None,
) -> sp.Expr:
    """Evaluate ``expr`` exactly, reading ``Indexed`` entries (1-based) from ``arrays``.

    An index outside an array reads as ``fill[base]`` (the padding rule: 0 for convolution and
    average pooling, −∞ for max pooling); without a fill it is an error.

    >>> from symproof.notation import X, w
    >>> exact_value(w[1] * X[1, 0] + w[1] * X[1, 2], {X: [[5, 7]], w: [3]}, {X: 0})
    21
    """
    import numpy as np

    fill = fill or {}
    tables = {base: np.asarray(values, dtype=object) for base, values in arrays.items()}

    def lookup(entry: sp.Indexed) -> sp.Expr:
        table = tables[entry.base]
        if any(not index.is_Integer for index in entry.indices):
            raise EvaluationError(f"index of {entry} is not a concrete integer")
        position = tuple(int(index) - 1 for index in entry.indices)
        if len(position) != table.ndim:
            raise ShapeError(
                f"{entry.base} has {table.ndim} dimensions but {entry} uses {len(position)} indices"
            )
        if all(0 <= p < n for p, n in zip(position, table.shape)):
            return _exact(table[position])
        if entry.base in fill:
            return fill[entry.base]
        raise ShapeError(f"{entry} lies outside {entry.base}, of shape {table.shape}")

    if not isinstance(expr, sp.Basic):
        return _exact(expr)
    expanded = expr.doit()
    return expanded.replace(lambda e: isinstance(e, sp.Indexed) and e.base in tables, lookup)
