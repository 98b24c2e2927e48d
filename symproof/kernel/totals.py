"""Assumed totals: a sum the context states the value of (``Σ_{k=1}^{n} t_k = 1``) rewritten to
that value wherever it occurs.

Why it is sound: an assumption ``Σ_{v=a}^{b} f(v) = c`` holds for every value the symbols may
take under the context, so any occurrence of the *same* sum can be replaced by ``c`` without
changing the value of the expression there. "The same" is checked strictly:

* the occurrence has one limit with the same bounds ``a`` and ``b`` and its summand is the
  assumed one up to the name of the bound index (alpha-equivalence, compared with a fresh
  dummy in place of both indices);
* or the occurrence is ``Σ_v c·f(v)`` with ``c`` free of ``v`` and ``Σ_v f(v)`` is the same
  sum: by linearity of a finite sum it is ``c`` times the assumed value;
* no free symbol of the assumption (``n``, ``t``, or of ``c``) is bound by a sum, product or
  integral enclosing the occurrence: there that name means something else
  (``Σ_{n=1}^{5} Σ_{k=1}^{n} t_k`` has another ``n``), so such an occurrence is left alone.

Anything else is left as it is, which can only cost a proof, never make a wrong one. Used by
:func:`~symproof.kernel.symbolic.normalize` (softmax cross-entropy needs ``Σ_k t_k = 1`` for a
target that is a probability vector: ``∂L/∂z_j = p_j Σ_k t_k − t_j``).
"""

from __future__ import annotations

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

from .context import Context

__all__ = ["assumed_totals", "rewrite_totals"]


def assumed_totals(ctx: Context) -> list[tuple[sp.Sum, sp.Expr]]:
    """The context's equalities ``Σ_{v=a}^{b} f(v) = c`` over one index (either side may be
    the sum; ``c`` free of ``v``), as ``(sum, c)`` pairs."""
    totals = []
    for relation in ctx.relations:
        if not isinstance(relation, sp.Eq):
            continue
        for total, value in ((relation.lhs, relation.rhs), (relation.rhs, relation.lhs)):
            if isinstance(total, sp.Sum) and len(total.limits) == 1 \
                    and not isinstance(value, sp.Sum):
                totals.append((total, value))
                break
    return totals


def _same_sum(occurrence: sp.Sum, total: sp.Sum) -> bool:
    """Whether two sums over one index are equal up to the name of that index."""
    if len(occurrence.limits) != 1:
        return False
    (v1, a1, b1), = occurrence.limits
    (v2, a2, b2), = total.limits
    if a1 != a2 or b1 != b2:
        return False
    fresh = sp.Dummy("v", integer=True)
    return occurrence.function.xreplace({v1: fresh}) == total.function.xreplace({v2: fresh})


def _factored(total: sp.Sum) -> tuple[sp.Expr, sp.Sum]:
    """``Σ_v c·f(v)`` as ``(c, Σ_v f(v))`` with ``c`` the factors free of ``v`` (linearity of a
    finite sum; only for a sum over one index, whose bounds do not involve ``v``)."""
    if len(total.limits) != 1:
        return sp.S.One, total
    (v, _, _), = total.limits
    factors = sp.Mul.make_args(total.function)
    constant = [f for f in factors if v not in f.free_symbols]
    varying = [f for f in factors if v in f.free_symbols]
    return sp.Mul(*constant), sp.Sum(sp.Mul(*varying), *total.limits)


def rewrite_totals(expr: sp.Basic, ctx: Context) -> sp.Basic:
    """``expr`` with every occurrence of an assumed total replaced by its value (see the module
    docstring for when an occurrence counts)."""
    totals = assumed_totals(ctx)
    if not totals or not expr.has(sp.Sum):
        return expr
    return _rewritten(expr, totals, frozenset())


def _rewritten(expr: sp.Basic, totals: list, bound: frozenset) -> sp.Basic:
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    if isinstance(expr, sp.Sum):
        for total, value in totals:
            names = (total.free_symbols | value.free_symbols)
            if names & bound:
                continue
            if _same_sum(expr, total):
                return value
            constant, rest = _factored(expr)
            if constant != 1 and _same_sum(rest, total):
                return constant * value
    if isinstance(expr, ExprWithLimits):  # a sum, product or integral binds its indices
        inner = bound | {v for v, *_ in expr.limits}
        function = _rewritten(expr.function, totals, inner)
        return expr if function == expr.function else expr.func(function, *expr.limits)
    args = [_rewritten(a, totals, bound) for a in expr.args]
    return expr if all(a is b for a, b in zip(args, expr.args)) else expr.func(*args)
