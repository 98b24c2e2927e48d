"""The printer and the reader must agree: what symproof writes in LaTeX reads back (through
:func:`symproof.claims.parse_latex`) as the same mathematics.

>>> from symproof import Conv2d
>>> round_trip(Conv2d(1, 2, 3, padding=1).equation())
True
"""

from __future__ import annotations

import sympy as sp

from ..claims import parse_latex
from ..testing import assert_equivalent
from .printer import latex

__all__ = ["round_trip", "reads_as", "equations_of"]


def _known(expr: sp.Basic) -> list[sp.Basic]:
    """The names a reader of ``expr`` must know: its symbols, matrix symbols and sizes."""
    if not isinstance(expr, sp.Basic):
        return []
    atoms = set(expr.atoms(sp.Symbol, sp.MatrixSymbol))
    atoms |= {e for e in expr.atoms(sp.Indexed) if e.is_integer}  # sizes such as n_{ℓ−1}
    return sorted(atoms, key=str)


def round_trip(expr: sp.Basic) -> bool:
    """Whether ``latex(expr)`` parses back to something mathematically equal to ``expr``;
    raises AssertionError (with both forms) when it does not."""
    return reads_as(latex(expr), expr)


def reads_as(written: str, expr: sp.Basic) -> bool:
    """Whether LaTeX ``written`` (e.g. a formula taken from a rendered document) reads back as
    ``expr``; raises AssertionError (with both forms) when it does not."""
    parsed = parse_latex(written, known=_known(expr))
    try:
        assert_equivalent(parsed, expr)
    except AssertionError as error:
        raise AssertionError(f"{written}\n  read back as {parsed}\n{error}") from None
    return True


def equations_of(proof) -> list[sp.Basic]:
    """Every equation a proof's document writes: step claims and results."""
    found = []
    for item in [s.claim for s in proof.steps] + [proof.result]:
        if isinstance(item, sp.Tuple):
            found += [c for c in item if isinstance(c, sp.Basic)]
        elif isinstance(item, sp.Basic):
            found.append(item)
    return found
