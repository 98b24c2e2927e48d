"""The order in which the course writes terms and factors, shared by every printer.

>>> from symproof.notation import alpha, i, X, w, gamma
>>> [str(t) for _, t in index_terms(alpha + i - 2)]
['i', 'alpha', '2']
>>> [str(f.base) for f in course_factors((X[gamma], w[gamma]))]
['w', 'X']
"""

from __future__ import annotations

import sympy as sp

from .notation import FACTOR_ORDER as _FACTORS
from .notation import INDICES

__all__ = ["INDEX_ORDER", "FACTOR_ORDER", "index_terms", "course_factors"]

# Index terms as by hand: output indices, then window dummies, then constants (i+α−2).
INDEX_ORDER = list(INDICES)
# In a product, weights come before the inputs they multiply: w_{l,γ,α,β} X_{γ,p,q}.
FACTOR_ORDER = list(_FACTORS)


def index_terms(expr: sp.Expr) -> list[tuple[bool, sp.Expr]]:
    """The terms of an index expression in hand-written order, each as (negative, |term|)."""
    def rank(term):
        names = [s.name for s in term.free_symbols]
        found = [INDEX_ORDER.index(n) for n in names if n in INDEX_ORDER]
        return (not names, min(found) if found else len(INDEX_ORDER), str(term))

    out = []
    for term in sorted(sp.Add.make_args(expr), key=rank):
        negative = term.could_extract_minus_sign()
        out.append((negative, -term if negative else term))
    return out


def course_factors(factors) -> list[sp.Indexed]:
    """Indexed factors with weights first, then inputs (by the base's name before ``_``)."""
    def rank(f):
        name = str(f.base.label).partition("_")[0]
        return FACTOR_ORDER.index(name) if name in FACTOR_ORDER else len(FACTOR_ORDER)

    return sorted(factors, key=rank)
