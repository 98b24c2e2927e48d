"""Exact verification of the backward formulas of ``Conv2d`` on a concrete layer and input
size (:func:`verify_exact`): every entry of the three gradients written out (:mod:`.written`)
against the derivative of ``Σ G·Y`` written out, for all values of ``G``, ``X`` and ``w``.
"""

from __future__ import annotations

import sympy as sp

from ... import notation as nt
from ...errors import TooLargeError
from ...kernel import Outcome, Status, differentiated, exhaustive
from ...kernel.sums import expand_sums
from ...prose import Prose
from ...prose import size as size_of
from ..upstream import through
from .spec import NAMES, checked, entry, output_size
from .wording import layer_prose
from .written import inside, instantiated

__all__ = ["verify_exact"]


def verify_exact(layer, H: int, W: int) -> Outcome:
    """VERIFIED when, at every entry of ``b``, ``w`` and ``X`` of a concrete layer on an
    ``H × W`` input, the formula written out equals the derivative of ``Σ G·Y`` written out
    (every entry of G, X, w a symbol: exact, for all their values)."""
    layer = checked(layer)
    try:
        return _verified(layer, H, W)
    except TooLargeError as error:  # said, not raised: a check that cannot run decides nothing
        return Outcome(Status.UNKNOWN, "exhaustive check", f"not run: {error}")


def _verified(layer, H: int, W: int) -> Outcome:
    rows, cols = (int(n) for n in output_size(layer, H, W))
    total = expand_sums(through(layer, output_size=(sp.Integer(rows), sp.Integer(cols))))
    total = total.xreplace({e: 0 for e in total.atoms(sp.Indexed)
                            if e.base == nt.X and not inside(e, layer, H, W)})
    cases = [(name, index, value) for name in NAMES
             for index, value in instantiated(layer, name, H, W).items()]
    cofactors = _cofactors(sp.expand(total))

    def compare(case):
        name, index, value = case["name"], case["entry"], case["value"]
        variable = entry(name).base[index]
        if cofactors is None:
            return differentiated(total, variable), value
        return sp.Add(*cofactors.get(variable, ())), value

    return exhaustive(compare, ({"name": n, "entry": i, "value": v} for n, i, v in cases),
                      Prose("every entry of the three gradients, ", *layer_prose(layer).parts,
                            ", on ", size_of(H, W)))


def _cofactors(total: sp.Expr) -> dict | None:
    """For a sum of products of distinct array entries and numbers (``Σ G·Y`` written out:
    each term is ``G·w·X`` or ``G·b``, every entry at most once), each entry's derivative: the
    sum of its terms divided by it (the derivative of a product of distinct variables in one
    of them). None when ``total`` is not of that form (then SymPy's ``diff`` is used)."""
    cofactors: dict = {}
    for term in sp.Add.make_args(total):
        factors = sp.Mul.make_args(term)
        entries = [f for f in factors if isinstance(f, sp.Indexed)]
        if len(set(entries)) != len(entries) or not all(
                isinstance(f, sp.Indexed) or f.is_number for f in factors):
            return None
        for factor in entries:
            cofactors.setdefault(factor, []).append(term / factor)
    return cofactors
