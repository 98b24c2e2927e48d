"""Index-level objects of written derivations: what ``[X]_{i,j}``, ``\\{f(i,j)\\}_{i,j}``,
``\\frac{\\partial}{\\partial [b]_j} f`` and a column ``[0, ⋮, e, ⋮, 0]`` denote.

The reader (:mod:`.parse`) builds these objects; they stay unevaluated (a derivative is only
written, never taken here). :func:`symproof.calculus.entry` reads their entries through
``entry_at``, so products and sums of them have entries like any matrix expression.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..calculus import entry

__all__ = ["Entries", "Partial", "PartialMatrix", "OneHot", "partial", "POSITION", "SIZE",
           "entry_of"]

#: Where a column ``[0, ⋮, e, ⋮, 0]`` holds ``e``: not written in the array itself; the
#: checker replaces it by the position the document states ("except the i-th element"), or
#: leaves the claim undecided.
POSITION = sp.Symbol("position of the nonzero entry", integer=True, positive=True)
#: The size of a builder {f(i,j)}_{i,j}: the builder does not say it (its partner does).
SIZE = sp.Symbol("size", integer=True, positive=True)
_NONE = sp.S.Zero  # "no column index": a builder over one index is a column


class Entries(MatrixExpr):
    """``\\{body\\}_{row,col}``: the matrix whose entry (row, col) is ``body`` (a column when
    ``col`` is 0, i.e. written over one index)."""

    def __new__(cls, body: sp.Expr, row: sp.Symbol, col: sp.Basic = _NONE):
        return super().__new__(cls, body, row, col)

    @property
    def shape(self):
        return (SIZE, sp.S.One if self.args[2] == _NONE else SIZE)

    def entry_at(self, i, j):
        body, row, col = self.args
        places = {row: i} if col == _NONE else {row: i, col: j}
        return body.xreplace(places)

    def _entry(self, i, j, **kwargs):
        return self.entry_at(i, j)


class Partial(sp.Expr):
    """``∂of/∂wrt`` of a scalar by a scalar (an entry), as written: not taken."""

    is_commutative = True

    def __new__(cls, of: sp.Expr, wrt: sp.Expr):
        return super().__new__(cls, of, wrt)

    @property
    def of(self) -> sp.Expr:
        return self.args[0]

    @property
    def wrt(self) -> sp.Expr:
        return self.args[1]


class PartialMatrix(MatrixExpr):
    """``∂of/∂wrt`` where one side is a vector, in numerator layout: entry (i, j) is
    ``∂[of]_i/∂[wrt]_j`` (a scalar side has no index)."""

    def __new__(cls, of, wrt):
        return super().__new__(cls, of, wrt)

    @property
    def shape(self):
        of, wrt = self.args
        if self._by_matrix():  # a scalar by a matrix has the matrix's shape
            return wrt.shape
        rows = of.shape[0] if isinstance(of, MatrixExpr) else sp.S.One
        cols = wrt.shape[0] if isinstance(wrt, MatrixExpr) else sp.S.One
        return (rows, cols)

    def _by_matrix(self) -> bool:
        of, wrt = self.args
        return not _is_vector(of) and isinstance(wrt, MatrixExpr) and wrt.shape[1] != 1

    def entry_at(self, i, j):
        of, wrt = self.args
        if self._by_matrix():
            return Partial(_scalar(of), entry(wrt, i, j))
        return Partial(entry(of, i) if isinstance(of, MatrixExpr) else of,
                       entry(wrt, j) if isinstance(wrt, MatrixExpr) else wrt)

    def _entry(self, i, j, **kwargs):
        return self.entry_at(i, j)


class OneHot(MatrixExpr):
    """A column ``[0, ⋮, value, ⋮, 0]`` of ``size`` rows holding ``value`` at ``at``."""

    def __new__(cls, value: sp.Expr, at: sp.Expr = POSITION, size: sp.Expr = SIZE):
        return super().__new__(cls, value, at, size)

    @property
    def shape(self):
        return (self.args[2], sp.S.One)

    def entry_at(self, i, j):
        value, at, _ = self.args
        return sp.KroneckerDelta(i, at) * value

    def _entry(self, i, j, **kwargs):
        return self.entry_at(i, j)


def _is_vector(obj) -> bool:
    return isinstance(obj, MatrixExpr) and obj.shape != (1, 1)


def _scalar(obj) -> sp.Expr:
    """A scalar, or the one entry of a 1×1 matrix."""
    return entry(obj, 1, 1) if isinstance(obj, MatrixExpr) else obj


def partial(of, wrt):
    """``∂of/∂wrt`` as written: a scalar :class:`Partial` when both are scalars (a 1×1 matrix
    is its entry), else a :class:`PartialMatrix`."""
    if not _is_vector(of) and not _is_vector(wrt):
        return Partial(_scalar(of), _scalar(wrt))
    return PartialMatrix(of, wrt)


def entry_of(matrix: MatrixExpr, indices: tuple) -> sp.Expr:
    """``[M]_{indices}``: two indices name row and column; one names the entry of a column
    or of a row vector (``[∂y_L/∂y_ℓ]_i`` is entry (1, i) of that row)."""
    if len(indices) == 2:
        return entry(matrix, *indices)
    if len(indices) != 1:
        raise ValueError(f"an entry has one or two indices, not {len(indices)}")
    (index,) = indices
    rows, cols = matrix.shape
    if cols == 1:
        return entry(matrix, index, 1)
    if rows == 1:
        return entry(matrix, 1, index)
    raise ValueError(f"{matrix} is a matrix: its entries have two indices")
