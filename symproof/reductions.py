"""``MaxOver``: the maximum of an expression over index ranges, the ``Sum`` of max pooling.

SymPy has ``Max`` of finitely many arguments but no max over a range with symbolic bounds, which
is what a pooling formula with kernel size ``k`` needs. ``MaxOver`` keeps the limits like ``Sum``
does and expands to ``Max`` only when they are concrete.

>>> from symproof.notation import X, alpha, beta
>>> MaxOver(X[1, alpha, beta], (alpha, 1, 2), (beta, 1, 2)).doit()
Max(X[1, 1, 1], X[1, 1, 2], X[1, 2, 1], X[1, 2, 2])
"""

from __future__ import annotations

from itertools import product

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.printing.pretty.stringpict import prettyForm

from .errors import ParameterError
from .limits import check, check_expression

__all__ = ["MaxOver", "MAX_SIMPLIFIED"]

# SymPy simplifies a Max by comparing its arguments pairwise (with assumption queries): 64
# entries take seconds. Up to this many terms the expansion is simplified; beyond, it is kept
# as the plain Max of its terms (numbers are always reduced to the largest).
MAX_SIMPLIFIED = 36


class MaxOver(ExprWithLimits):
    """``max`` of ``function`` over integer ranges ``(var, low, high)``, bounds inclusive.

    The function is a SymPy expression and each limit a ``(symbol, low, high)`` triple of
    integers or integer expressions; text is refused, never parsed.
    """

    def __new__(cls, function, *limits, **assumptions):
        if not isinstance(function, sp.Expr):
            raise ParameterError("function", function, "must be a SymPy expression")
        check_expression(function, "function")
        if not limits:
            raise ParameterError("limits", (), "must give at least one (symbol, low, high)")
        checked = []
        for n, limit in enumerate(limits):
            name = f"limits[{n}]"
            if not isinstance(limit, (tuple, list, sp.Tuple)) or len(limit) != 3:
                raise ParameterError(name, limit, "must be a (symbol, low, high) triple")
            var, low, high = limit
            if not isinstance(var, sp.Symbol):
                raise ParameterError(f"{name}[0]", var, "must be a SymPy symbol")
            bounds = []
            for part, bound in ((1, low), (2, high)):
                if isinstance(bound, int) and not isinstance(bound, bool):
                    bound = sp.Integer(bound)
                if not isinstance(bound, sp.Expr) or bound.is_integer is False or \
                        bound.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
                    raise ParameterError(f"{name}[{part}]", bound,
                                         "must be an integer or an integer SymPy expression")
                check_expression(bound, f"{name}[{part}]")
                bounds.append(bound)
            checked.append((var, *bounds))
        return super().__new__(cls, function, *checked, **assumptions)

    def doit(self, **hints):
        function = self.function.doit(**hints) if hints.get("deep", True) else self.function
        ranges, count = [], 1
        for var, low, high in self.limits:
            if not (low.is_Integer and high.is_Integer):
                return self.func(function, *self.limits)
            ranges.append((var, int(low), int(high)))
            count *= max(0, int(high) - int(low) + 1)
        if count == 0:
            return sp.S.NegativeInfinity  # max of nothing, the identity of max
        # refused rather than left to run (an unsimplified Max of 10,000 entries takes ~1 s)
        check("expanded_terms", "the window of MaxOver", count)
        ranges = [(var, range(low, high + 1)) for var, low, high in ranges]
        variables = [var for var, _ in ranges]
        terms = [
            function.xreplace(dict(zip(variables, map(sp.Integer, values))))
            for values in product(*(values for _, values in ranges))
        ]
        if all(term.is_extended_real and term.is_number and term.is_comparable
               for term in terms):
            return max(terms)  # numbers: the largest, directly
        return sp.Max(*terms, evaluate=len(terms) <= MAX_SIMPLIFIED)

    def _sympystr(self, printer):
        p = printer._print
        # Outermost first, as the Sum printers do (SymPy stores the innermost first).
        bounds = ", ".join(f"{p(v)}={p(a)}..{p(b)}" for v, a, b in reversed(self.limits))
        return f"max[{bounds}]({printer._print(self.function)})"

    def _pretty(self, printer):
        def text(e):
            return sp.pretty(e, use_unicode=printer._use_unicode)

        bounds = ", ".join(f"{text(v)}={text(a)}..{text(b)}" for v, a, b in reversed(self.limits))
        body = printer._print(self.function)
        return prettyForm(*body.left(f"max[{bounds}] "))
