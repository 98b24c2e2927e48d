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

from .errors import TooLargeError

__all__ = ["MaxOver", "MAX_EXPANSION"]

# Expanding a window into explicit terms beyond this many is refused rather than left to run.
MAX_EXPANSION = 100_000


class MaxOver(ExprWithLimits):
    """``max`` of ``function`` over integer ranges ``(var, low, high)``, bounds inclusive."""

    def doit(self, **hints):
        function = self.function.doit(**hints) if hints.get("deep", True) else self.function
        ranges = []
        for var, low, high in self.limits:
            if not (low.is_Integer and high.is_Integer):
                return self.func(function, *self.limits)
            ranges.append((var, range(int(low), int(high) + 1)))
        count = 1
        for _, values in ranges:
            count *= len(values)
        if count == 0:
            return sp.S.NegativeInfinity  # max of nothing, the identity of max
        if count > MAX_EXPANSION:
            raise TooLargeError(
                f"MaxOver would expand into {count} terms (limit {MAX_EXPANSION}): "
                "keep the limits symbolic or use a smaller window"
            )
        variables = [var for var, _ in ranges]
        terms = [
            function.xreplace(dict(zip(variables, map(sp.Integer, values))))
            for values in product(*(values for _, values in ranges))
        ]
        return sp.Max(*terms)

    def _sympystr(self, printer):
        p = printer._print
        # Outermost first, as the Sum printers do (SymPy stores the innermost first).
        bounds = ", ".join(f"{p(v)}={p(a)}..{p(b)}" for v, a, b in reversed(self.limits))
        return f"max[{bounds}]({printer._print(self.function)})"

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        def text(e):
            return sp.pretty(e, use_unicode=printer._use_unicode)

        bounds = ", ".join(f"{text(v)}={text(a)}..{text(b)}" for v, a, b in reversed(self.limits))
        body = printer._print(self.function)
        return prettyForm(*body.left(f"max[{bounds}] "))
