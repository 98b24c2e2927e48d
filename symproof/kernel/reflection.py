"""A claimed derivative decided after reflecting some of its summation indices.

Why :func:`reflected_derivative` is sound: reflecting one index of a finite sum,
``Σ_{α=a}^{b} h(α) = Σ_{α=a}^{b} h(a + b − α)`` (:func:`~.flatten.reflect`: ``α ↦ a + b − α``
maps ``a … b`` onto itself), rewrites the claim into an expression equal to it for every value
of every name. So ``∂expr/∂v = reflected`` (decided by :func:`~.rules.derivative`) is the
statement ``∂expr/∂v = claimed``. Only a PROVED result is passed on: the rule is a second
route for a claim the direct search left open (a kernel flipped as lecture notes write it,
``w_{l,γ,f−α+1,f−β+1}``), never a source of refutations.

Both sides' range conditions (of a ``Piecewise``, as an indicator ``[S(i−1) < p ≤ S(i−1)+k]``
reads) are written alike first: between integers ``a < b`` is ``b − a − 1 ≥ 0``, ``a ≤ b`` is
``b − a ≥ 0`` (and ``>``, ``≥`` mirrored), an equivalence, so the value of each side is kept.
"""

from __future__ import annotations

import sympy as sp

from ..prose import Prose, listed, prose
from .context import Context
from .flatten import reflect
from .outcome import Outcome, Status
from .rules import differentiated
from .symbolic import identity, normalize

__all__ = ["reflected_derivative"]

_TACTIC = "reflected sum"


def reflected_derivative(expr: sp.Expr, variable: sp.Indexed, claimed: sp.Expr,
                         reflections: tuple[sp.Symbol, ...], ctx: Context | None = None
                         ) -> Outcome:
    """PROVED when ``∂expr/∂variable`` equals ``claimed`` with each summation index of
    ``reflections`` reflected over its range; UNKNOWN otherwise (also when an index is not
    one of a sum whose bounds are free of that sum's indices)."""
    written = claimed
    for index in reflections:
        total = _sum_over(written, index)
        if total is None:
            return Outcome(Status.UNKNOWN, _TACTIC, f"{index} is not the index of one sum")
        try:
            mirrored, _ = reflect(total, index)
        except ValueError as error:
            return Outcome(Status.UNKNOWN, _TACTIC, str(error))
        written = written.xreplace({total: mirrored})
    ctx = ctx or Context()
    taken = differentiated(expr, variable)
    outcome, how = identity(taken, written, ctx), ""
    if outcome.status is not Status.PROVED:
        how = ", range conditions over integers written as e ≥ 0"
        # normalised first: the derivative's range conditions appear as its deltas collapse
        outcome = identity(_integer_ranges(normalize(taken, ctx)),
                           _integer_ranges(normalize(written, ctx)), ctx)
    steps = Prose("reflecting ", *listed(reflections), " over its range (a bijection of the "
                  "range), then ") if reflections else Prose()
    if outcome.status is not Status.PROVED:
        return Outcome(Status.UNKNOWN, _TACTIC, steps + prose(outcome.detail))
    return Outcome(Status.PROVED, _TACTIC, steps + Prose(
        "the derivative in ", variable, f" of the definition{how}, then ") + prose(
        outcome.detail))


def _integer_ranges(expr: sp.Basic) -> sp.Basic:
    """Every strict or non-strict inequality between integers as ``e ≥ 0`` (``e`` expanded):
    ``a < b`` ⟺ ``b − a − 1 ≥ 0`` over the integers."""
    def written(relation: sp.Rel) -> sp.Basic:
        if not (relation.lhs.is_integer and relation.rhs.is_integer):
            return relation
        low, high = ((relation.lhs, relation.rhs) if isinstance(relation, (sp.Lt, sp.Le))
                     else (relation.rhs, relation.lhs))
        strict = isinstance(relation, (sp.Lt, sp.Gt))
        return sp.Ge(sp.expand(high - low - (1 if strict else 0)), 0)

    return expr.replace(lambda e: isinstance(e, (sp.Lt, sp.Le, sp.Gt, sp.Ge)), written)


def _sum_over(expr: sp.Basic, index: sp.Symbol) -> sp.Sum | None:
    """The one sum of ``expr`` that binds ``index``, or None (none, or several)."""
    found = [s for s in expr.atoms(sp.Sum) if index in {v for v, _, _ in s.limits}]
    return found[0] if len(found) == 1 else None

