"""A safe, JSON-friendly form of SymPy expressions: a tree of class names and arguments,
rebuilt only from a fixed whitelist of classes (never by ``eval`` or ``sympify`` of text).

>>> from symproof import symbols
>>> from symproof.notation import X, i
>>> k = symbols("k")
>>> tree = to_tree(sp.floor(X[1, i + 1] / k))
>>> from_tree(tree) == sp.floor(X[1, i + 1] / k)
True
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from .errors import ParameterError
from .reductions import MaxOver

__all__ = ["to_tree", "from_tree"]

_CLASSES = {cls.__name__: cls for cls in (
    sp.Add, sp.Mul, sp.Pow, sp.Sum, sp.Indexed, sp.IndexedBase, sp.Tuple, sp.floor, sp.ceiling,
    sp.Max, sp.Min, sp.Abs, sp.Piecewise, sp.KroneckerDelta, sp.Eq, sp.Ne, sp.Lt, sp.Le, sp.Gt,
    sp.Ge, sp.And, sp.Or, sp.Not, sp.exp, sp.log, sp.tanh, sp.Heaviside, sp.Mod,
    sp.ImmutableDenseMatrix, sp.MatrixSymbol, sp.Transpose, sp.MatMul, sp.MatAdd,
    sp.Derivative, sp.Lambda, sp.Dummy, MaxOver,
    sp.core.containers.Dict,
)}
_CLASSES["ExprCondPair"] = sp.functions.elementary.piecewise.ExprCondPair
_CONSTANTS = {"true": sp.true, "false": sp.false, "oo": sp.oo, "-oo": -sp.oo, "nan": sp.nan,
              "pi": sp.pi, "E": sp.E, "I": sp.I, "zoo": sp.zoo}


def to_tree(expr: Any) -> Any:
    """``expr`` as nested lists of strings and numbers (JSON-serialisable)."""
    if isinstance(expr, dict):
        return ["dict", [[to_tree(k), to_tree(v)] for k, v in expr.items()]]
    if isinstance(expr, (list, tuple)) and not isinstance(expr, sp.Basic):
        return ["tuple", [to_tree(v) for v in expr]]
    if isinstance(expr, str):
        return ["str", expr]
    if isinstance(expr, bool):
        return ["const", "true" if expr else "false"]
    if isinstance(expr, int):
        return ["Integer", str(expr)]
    if not isinstance(expr, sp.Basic):
        raise ParameterError("value", expr, "must be a SymPy expression, a tuple or a dict")
    for name, constant in _CONSTANTS.items():
        if expr == constant and (expr.is_number or expr in (sp.true, sp.false)):
            return ["const", name]
    if isinstance(expr, sp.Integer):
        return ["Integer", str(int(expr))]
    if isinstance(expr, sp.Rational):
        return ["Rational", str(expr.p), str(expr.q)]
    if isinstance(expr, sp.Float):
        return ["Float", str(expr)]
    if isinstance(expr, sp.Symbol) and not isinstance(expr, sp.Dummy):
        return ["Symbol", expr.name, {k: v for k, v in expr.assumptions0.items()
                                      if k in ("integer", "positive", "nonnegative", "real")}]
    if isinstance(expr, sp.core.symbol.Str):
        return ["Str", expr.name]
    if isinstance(expr, AppliedUndef):
        return ["Function", expr.func.__name__, [to_tree(a) for a in expr.args]]
    name = type(expr).__name__
    if name not in _CLASSES:
        raise ParameterError("value", expr, f"uses {name}, which snapshots do not store")
    return [name, [to_tree(a) for a in expr.args]]


def from_tree(tree: Any) -> Any:
    """Rebuild what :func:`to_tree` wrote, from whitelisted classes only."""
    kind = tree[0]
    if kind == "dict":
        return {from_tree(k): from_tree(v) for k, v in tree[1]}
    if kind == "tuple":
        return tuple(from_tree(v) for v in tree[1])
    if kind == "str":
        return tree[1]
    if kind == "const":
        return _CONSTANTS[tree[1]]
    if kind == "Integer":
        return sp.Integer(int(tree[1]))
    if kind == "Rational":
        return sp.Rational(int(tree[1]), int(tree[2]))
    if kind == "Float":
        return sp.Float(tree[1])
    if kind == "Symbol":
        return sp.Symbol(tree[1], **{k: bool(v) for k, v in tree[2].items()})
    if kind == "Str":
        return sp.core.symbol.Str(tree[1])
    if kind == "Function":
        return sp.Function(tree[1])(*(from_tree(a) for a in tree[2]))
    if kind not in _CLASSES:
        raise ParameterError("snapshot", kind, "is not a class snapshots may rebuild")
    return _CLASSES[kind](*(from_tree(a) for a in tree[1]))
