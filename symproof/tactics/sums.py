"""Sums rewritten by exact rules that are much cheaper than SymPy's general summation:
Kronecker deltas pin their index, and integer ranges are written out by substitution.

Why each rule is sound:

* ``Σ_{v=a}^{b} δ_{v,e}·f(v) = f(e)`` if ``a ≤ e ≤ b`` and 0 otherwise, for an integer ``e``
  that names no index of the sum: every other term has ``δ = 0``. When the condition cannot
  be decided it is kept as a ``Piecewise`` (which the context may settle later).
* ``Σ_{v=a}^{b} f(v) = f(a) + … + f(b)`` for integers ``a ≤ b + 1``: the definition of a
  finite sum. Ranges with ``b < a − 1`` follow Karr's convention in SymPy and are left to it.
"""

from __future__ import annotations

import itertools
import math

import sympy as sp

from ..limits import check

__all__ = ["expand_sums"]


def expand_sums(expr: sp.Basic, *, partial: bool = False, write_out: bool = True) -> sp.Basic:
    """Every sum rewritten by the rules above: deltas pinned, then the innermost limits with
    integer bounds written out term by term (not with ``write_out=False``). What is left is
    summed by ``doit``, or, with ``partial``, kept as a sum (Σ_γ^C Σ_α^3 f stays a sum over γ
    of three terms).

    >>> from symproof.notation import X, alpha, gamma, i, l
    >>> expand_sums(sp.Sum(X[1, i + alpha], (alpha, 1, 3)))
    X[1, i + 1] + X[1, i + 2] + X[1, i + 3]
    >>> expand_sums(sp.Sum(sp.KroneckerDelta(l, gamma) * X[gamma, i], (gamma, 1, 3)))
    Piecewise((X[l, i], l <= 3), (0, True))
    """
    def rewritten(total: sp.Sum) -> sp.Basic:
        if any(lo.is_Integer and hi.is_Integer and hi < lo - 1 for _, lo, hi in total.limits):
            return total if partial else total.doit()  # Karr's convention: SymPy's rules
        function, limits, conditions = _pin_deltas(total.function, list(total.limits))
        if function is None:
            return sp.S.Zero
        body = expand_sums(function, partial=partial, write_out=write_out)
        ranges = []  # SymPy lists the innermost limit first
        for variable, low, high in limits if write_out else ():
            if not (low.is_Integer and high.is_Integer and high >= low - 1):
                break
            ranges.append((variable, range(int(low), int(high) + 1)))
        if ranges:
            check("expanded_terms", "a sum to write out", math.prod(len(r) for _, r in ranges))
            names = [v for v, _ in ranges]
            body = sp.Add(*(body.xreplace(dict(zip(names, map(sp.Integer, point))))
                            for point in itertools.product(*(r for _, r in ranges))))
        rest = limits[len(ranges):]
        if rest:
            body = sp.Sum(body, *rest)
            if not partial:
                body = body.doit()
        if conditions:
            body = sp.Piecewise((body, sp.And(*conditions)), (0, True))
        return body

    return expr.replace(lambda e: isinstance(e, sp.Sum), rewritten)


def _pin_deltas(function: sp.Basic, limits: list) -> tuple[sp.Basic | None, list, list]:
    """Substitute every summation index pinned by a Kronecker-delta factor of ``function``
    (see :func:`expand_sums`); returns the new function (None when the sum is 0), the limits
    left and the conditions under which the pinned values lie in their ranges."""
    conditions = []
    names = {v for v, _, _ in limits}
    pinned = True
    while pinned:
        pinned = False
        for variable, low, high in limits:
            partner = _partner(function, variable, names)
            if partner is None or (low.free_symbols | high.free_symbols) & names:
                continue
            inside = sp.And(sp.Le(low, partner), sp.Le(partner, high))
            if inside == sp.false:
                return None, [], []
            if inside != sp.true:
                conditions.append(inside)
            function = function.xreplace({variable: partner})
            limits = [(v, lo.xreplace({variable: partner}), hi.xreplace({variable: partner}))
                      for v, lo, hi in limits if v != variable]
            names.discard(variable)
            pinned = True
            break
    return function, limits, conditions


def _partner(function: sp.Basic, variable: sp.Symbol, names: set) -> sp.Expr | None:
    """``e`` when ``function`` has a factor ``δ_{variable,e}`` with ``e`` an integer that
    names no summation index; else None."""
    for factor in sp.Mul.make_args(function):
        if isinstance(factor, sp.KroneckerDelta) and variable in factor.args:
            other = factor.args[1] if factor.args[0] == variable else factor.args[0]
            if other.is_integer and not other.free_symbols & names:
                return other
    return None
