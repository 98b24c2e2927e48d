"""Matrix calculus for layer maps, in numerator layout unless asked otherwise.

Layout convention (DESIGN.md): the Jacobian of a vector ``y`` with respect to a vector ``x`` has
shape (dim y, dim x) (numerator layout); the derivative of a scalar with respect to a matrix has
the matrix's shape, in either layout. ``layout="denominator"`` transposes vector-by-vector
Jacobians; :func:`to_layout` is the one place that converts.

Entry-wise work is 1-based and uses the course's notation: ``entry(A @ x + b, i)`` is
``Σ_k [A]_{i,k} [x]_k + [b]_i``. An element-wise σ' prints as ``σ'(A_ℓ y_{ℓ−1} + b_ℓ)``.

>>> import sympy as sp
>>> n, m = sp.symbols("n m", integer=True, positive=True)
>>> A, x, b = sp.MatrixSymbol("A", n, m), sp.MatrixSymbol("x", m, 1), sp.MatrixSymbol("b", n, 1)
>>> jacobian_of_layer("x", A, x, b, "sigma")
DiagMatrix(sigma'(A*x + b))*A
"""

from __future__ import annotations

import itertools
import re
from functools import cache

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix
from sympy.matrices.expressions.matexpr import MatrixExpr

from .errors import ParameterError, ShapeError

__all__ = ["Elementwise", "diag", "prime", "differentiable", "entry", "d_entry", "to_layout",
           "jacobian_of_layer", "LAYOUTS", "function_name", "index_value"]

LAYOUTS = ("numerator", "denominator")


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}'*", flags=re.ASCII)


def function_name(name: object, what: str = "activation") -> str:
    """A function's name, checked: an identifier, possibly primed (``sigma``, ``sigma'``).
    Names become SymPy functions and printed code, so nothing else is let through."""
    if not (isinstance(name, str) and _NAME.fullmatch(name)):
        raise ParameterError(what, name, "must be a function name such as 'sigma' (letters, "
                                         "digits and _, at most 64, optionally primed)")
    return name


def index_value(name: str, value: object) -> int | sp.Expr:
    """An entry index: a Python int or a SymPy expression. Anything else is refused here, since
    SymPy would parse text given as an index (``IndexedBase.__getitem__`` sympifies)."""
    if isinstance(value, bool) or not isinstance(value, (int, sp.Expr)):
        raise ParameterError(name, value, "must be an integer or a SymPy expression")
    return value


def prime(name: str) -> sp.core.function.UndefinedFunction:
    """The undefined function ``σ'`` for the activation called ``name``."""
    return sp.Function(f"{function_name(name)}'")


def differentiable(name: str) -> type:
    """A generic function ``σ`` whose derivative SymPy writes directly as ``σ'(u)`` (the
    undefined function :func:`prime` gives), instead of ``Subs(Derivative(σ(ξ), ξ), ξ, u)``.
    Cached, so that every ``σ`` of one name is the same class."""
    return _differentiable(function_name(name))


@cache
def _differentiable(name: str) -> type:
    derivative = prime(name)

    def fdiff(self, argindex=1):
        return derivative(self.args[0])

    return type(name, (sp.Function,), {"fdiff": fdiff, "nargs": 1})


class Elementwise(MatrixExpr):
    """An activation (``sigma``) or its derivative (``sigma'``) applied entry by entry to a
    column vector; it has the vector's shape."""

    def __new__(cls, function: str, argument: MatrixExpr):
        if isinstance(function, sp.core.symbol.Str):  # SymPy rebuilding it from its args
            function = function.name
        function_name(function, "function")
        if not isinstance(argument, MatrixExpr):
            raise ParameterError("argument", argument, "must be a SymPy matrix expression")
        if argument.shape[1] != 1:
            raise ShapeError(f"an element-wise function applies to a column vector, got shape "
                             f"{argument.shape}")
        return super().__new__(cls, sp.core.symbol.Str(function), argument)

    @property
    def function(self) -> str:
        return self.args[0].name

    @property
    def argument(self) -> MatrixExpr:
        return self.args[1]

    @property
    def shape(self):
        return self.argument.shape

    def _entry(self, i, j, **kwargs):
        return sp.Function(self.function)(self.argument._entry(i, j, **kwargs))

    def _sympystr(self, printer):
        return f"{self.function}({printer._print(self.argument)})"


def diag(vector: MatrixExpr) -> MatrixExpr:
    """``diag(v)``: the square matrix with the vector ``v`` on its diagonal."""
    if not isinstance(vector, MatrixExpr):
        raise ParameterError("vector", vector, "must be a SymPy matrix expression")
    return DiagMatrix(vector)


def to_layout(jacobian: MatrixExpr, layout: str, *, by_matrix: bool = False) -> MatrixExpr:
    """A numerator-layout result in ``layout``: vector-by-vector Jacobians are transposed for
    the denominator layout; a scalar-by-matrix derivative keeps the matrix's shape in both."""
    if not (isinstance(layout, str) and layout in LAYOUTS):
        raise ParameterError("layout", layout, f"must be one of {', '.join(LAYOUTS)}")
    if layout == "numerator" or by_matrix:
        return jacobian
    return jacobian.T


def jacobian_of_layer(wrt: str, weight: MatrixExpr, inputs: MatrixExpr, bias: MatrixExpr,
                      activation: str | None, layout: str = "numerator") -> MatrixExpr:
    """Jacobian of ``y = σ(A x + b)`` (or ``A x + b`` when ``activation`` is None) with respect to
    ``"x"`` or ``"b"`` (for ``"A"`` with a scalar output see :mod:`symproof.backprop`)."""
    if not (isinstance(wrt, str) and wrt in ("x", "b")):
        raise ParameterError("wrt", wrt, "must be 'x' or 'b' for a layer Jacobian")
    for name, value in (("weight", weight), ("inputs", inputs), ("bias", bias)):
        if not isinstance(value, MatrixExpr):
            raise ParameterError(name, value, "must be a SymPy matrix expression")
    if activation is not None:
        function_name(activation)
    try:
        inner = weight * inputs + bias
    except (ValueError, TypeError) as why:  # SymPy's ShapeError is a ValueError
        raise ShapeError(f"weight·inputs + bias is not defined: {why}") from None
    rows = inner.shape[0]
    local = sp.Identity(rows) if activation is None else diag(
        Elementwise(f"{activation}'", inner))
    result = local * weight if wrt == "x" else local
    return to_layout(result, layout)


def _base(matrix: sp.MatrixSymbol) -> sp.IndexedBase:
    return sp.IndexedBase(matrix.name)


_counter = itertools.count(1)


def _dummy(name: str = "k") -> sp.Symbol:
    """A fresh summation index (integer, positive), distinct from every other."""
    return sp.Symbol(f"{name}_{next(_counter)}", integer=True, positive=True)


def entry(matrix, i, j=1) -> sp.Expr:
    """The 1-based entry ``[M]_{i,j}`` as an expression over indexed objects (vectors take one
    index: ``[x]_i``)."""
    i, j = index_value("i", i), index_value("j", j)
    if not isinstance(matrix, MatrixExpr):
        if not isinstance(matrix, sp.Expr):
            raise ParameterError("matrix", matrix, "must be a SymPy matrix expression or scalar")
        return matrix  # a scalar
    if hasattr(matrix, "entry_at"):  # index-level objects of written derivations
        return matrix.entry_at(i, j)
    if isinstance(matrix, sp.MatrixSymbol):
        return _base(matrix)[i] if matrix.shape[1] == 1 else _base(matrix)[i, j]
    if isinstance(matrix, sp.Transpose):
        return entry(matrix.arg, j, i)
    if isinstance(matrix, sp.MatAdd):
        return sp.Add(*(entry(term, i, j) for term in matrix.args))
    if isinstance(matrix, sp.MatMul):
        scalars = [f for f in matrix.args if not isinstance(f, MatrixExpr)]
        factors = [f for f in matrix.args if isinstance(f, MatrixExpr)]
        value = _product_entry(factors, i, j)
        return sp.Mul(*scalars) * value
    if isinstance(matrix, DiagMatrix):
        return sp.KroneckerDelta(i, j) * entry(matrix.args[0], i, 1)
    if isinstance(matrix, Elementwise):
        return sp.Function(matrix.function)(entry(matrix.argument, i, 1))
    if isinstance(matrix, sp.Identity):
        return sp.KroneckerDelta(i, j)
    if isinstance(matrix, sp.ZeroMatrix):
        return sp.S.Zero
    raise ParameterError("matrix", matrix, "is not a matrix expression entry() knows")


def _product_entry(factors, i, j) -> sp.Expr:
    if len(factors) == 1:
        return entry(factors[0], i, j)
    first, rest = factors[0], factors[1:]
    inner = first.shape[1]
    if inner == 1:  # an outer product: no sum
        return entry(first, i, 1) * _product_entry(rest, 1, j)
    k = _dummy()
    return sp.Sum(entry(first, i, k) * _product_entry(rest, k, j), (k, 1, inner))


def d_entry(expr: sp.Expr, variable: sp.Indexed) -> sp.Expr:
    """``∂expr/∂variable`` at index level, with ``σ'(u)`` written as such (not SymPy's
    ``Subs(Derivative(σ(ξ), ξ), ξ, u)``)."""
    if not isinstance(expr, sp.Expr):
        raise ParameterError("expr", expr, "must be a SymPy expression")
    if not isinstance(variable, (sp.Indexed, sp.Symbol)):
        raise ParameterError("variable", variable, "must be an entry such as x[1] or a symbol")
    return write_primes(sp.diff(expr, variable))


def write_primes(expr: sp.Expr) -> sp.Expr:
    """Replace SymPy's derivative of an undefined one-argument function by ``σ'(u)``."""
    if not isinstance(expr, sp.Basic):
        raise ParameterError("expr", expr, "must be a SymPy expression")
    def is_prime(e):
        return (isinstance(e, sp.Derivative) and len(e.variables) == 1
                and isinstance(e.expr, sp.core.function.AppliedUndef)
                and e.expr.args == e.variables)

    primed = expr.replace(is_prime, lambda e: prime(e.expr.func.__name__)(e.variables[0]))
    # SymPy wraps σ'(ξ) in Subs(…, ξ, u) when u is not a symbol; substitute it now.
    return primed.replace(lambda e: isinstance(e, sp.Subs) and not e.expr.has(sp.Derivative),
                          lambda e: e.doit())
