"""The derivative of a maximum over a window where the maximum is attained at one tap.

Why :func:`routed_derivative` is sound: let ``M(x) = max_{t ∈ T} f_t(x)`` over a finite
nonempty window ``T`` of differentiable ``f_t``, and let the maximum at ``x`` be attained at one
tap ``t*`` only (``f_{t*}(x) > f_t(x)`` for every other ``t``). The finitely many strict
inequalities hold on a neighbourhood of ``x`` (continuity), so ``M = f_{t*}`` there and
``∂M/∂v = ∂f_{t*}/∂v`` at ``x``; ``t*`` is constant on that neighbourhood, so it is held fixed
when differentiating. The rule replaces every maximum over a window in the expression by its
term at the tap the hypothesis names (``α = α*``, ``β = β*``, free of the window's own dummies
and of the variable), then decides the claimed derivative with
:func:`~symproof.kernel.rules.derivative`. The result holds under that hypothesis, which the
outcome states; at a tie the maximum is not differentiable and the rule says nothing.
"""

from __future__ import annotations

import sympy as sp

from ..prose import Prose, listed, prose
from ..reductions import MaxOver
from .context import Context
from .outcome import Outcome, Status
from .rules import derivative

__all__ = ["routed_derivative"]

_TACTIC = "unique maximum"


def routed_derivative(expr: sp.Expr, variable: sp.Indexed, claimed: sp.Expr,
                      argmax: dict[sp.Symbol, sp.Expr], ctx: Context | None = None) -> Outcome:
    """PROVED when ``∂expr/∂variable = claimed`` wherever every window maximum in ``expr`` is
    attained at exactly one tap, the tap ``argmax`` names (``{α: α*, β: β*}``, by the window's
    dummy indices); UNKNOWN when the claim or the hypothesis does not have that shape."""
    routed, problem = _routed(expr, variable, argmax, ctx or Context())
    if problem:
        return Outcome(Status.UNKNOWN, _TACTIC, problem)
    outcome = derivative(routed, variable, claimed, ctx)
    if outcome.status is not Status.PROVED:
        return outcome
    taps = listed(sp.Eq(dummy, value, evaluate=False) for dummy, value in argmax.items())
    return Outcome(Status.PROVED, _TACTIC, Prose(
        "where each window's maximum is attained only at ", *taps, ", it equals that tap's "
        "entry near the point; then ") + prose(outcome.detail))


def _routed(expr: sp.Expr, variable: sp.Indexed, argmax: dict, ctx: Context
            ) -> tuple[sp.Expr, str]:
    """``expr`` with each window maximum replaced by its term at the named tap, or the reason
    the hypothesis does not fit (a window with other dummies, a tap that depends on the
    variable or on the window's own dummies, a tap known to lie outside its window: then no
    maximum is attained there and the hypothesis could never hold)."""
    maxima = expr.atoms(MaxOver)
    if not maxima:
        return expr, "the expression has no maximum over a window"
    replaced = {}
    for window in maxima:
        dummies = [limit[0] for limit in window.limits]
        if set(dummies) != set(argmax):
            return expr, f"the window over {dummies} is not the one the taps name"
        for value in argmax.values():
            # the tap is fixed by the window's position (its outer indices), never by the
            # dummies it picks among or by the entry differentiated in
            if value.free_symbols & set(dummies) or value.has(variable.base):
                return expr, f"the tap {value} is not a function of the window's position"
        for dummy, low, high in window.limits:
            tap = argmax[dummy]
            if any(sp.Lt(*pair) == sp.true or ctx.implies(sp.Lt(*pair))
                   for pair in ((tap, low), (high, tap))):
                return expr, f"the tap {dummy} = {tap} lies outside the window {low} … {high}"
        replaced[window] = window.function.xreplace(argmax)
    return expr.xreplace(replaced), ""
