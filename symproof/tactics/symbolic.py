"""Symbolic tactics: each returns an ``Outcome`` and is PROVED only by a symbolic argument.

Why each is sound:

* ``identity``: ``lhs − rhs`` is rewritten by equivalences only (``doit`` of sums and deltas,
  branches the context settles, expansion, SymPy's ``simplify``); if the result is 0 the two
  sides are equal for every value the symbols may take. If it is not 0 nothing is concluded
  from that; a counterexample search (exact values) may then refute the claim.
* ``collapse_deltas``: ``Σ_{γ=a}^{b} δ_{lγ} f(γ) = f(l)`` when the context implies
  ``a ≤ l ≤ b`` (SymPy's ``doit`` gives the ``Piecewise`` on that range; the context settles it).
* ``divisible_floor``: ``k | m`` means ``m = k·q`` for an integer ``q ≥ 1``; substituting that
  is exact, and ``⌊n + r⌋ = n + ⌊r⌋`` for integer ``n`` removes the floor.
* ``case_split``: a claim that holds under ``c`` and under ``¬c`` holds; each branch is decided
  by ``identity`` in the context extended with its condition.
"""

from __future__ import annotations

import sympy as sp

from ..proof import Outcome, Status
from ..shapes import simplify_size
from .context import Context

__all__ = ["normalize", "identity", "collapse_deltas", "divisible_floor", "case_split"]


def normalize(expr: sp.Basic, ctx: Context) -> sp.Basic:
    """``expr`` rewritten by equivalences under the context, towards a canonical form."""
    expr = ctx.resolve(expr.doit())
    expr = ctx.resolve(sp.expand(expr))
    if expr == 0:
        return expr
    return ctx.resolve(sp.simplify(sp.factor_terms(expr)))


def identity(lhs: sp.Expr, rhs: sp.Expr, ctx: Context | None = None, *,
             tactic: str = "symbolic identity", search: bool = True) -> Outcome:
    """Prove ``lhs = rhs`` for all values, refute it with exact values, or say UNKNOWN."""
    ctx = ctx or Context()
    lhs, rhs = (sp.Integer(v) if isinstance(v, int) else v for v in (lhs, rhs))
    difference = normalize(lhs - rhs, ctx)
    if difference == 0:
        return Outcome(Status.PROVED, tactic, "the difference simplifies to 0")
    if search:
        from .finite import counterexample

        found = counterexample(lhs, rhs, ctx)
        if found is not None:
            return found
    return Outcome(Status.UNKNOWN, tactic, f"difference left: {difference}")


def collapse_deltas(expr: sp.Basic, ctx: Context) -> tuple[sp.Basic, Outcome]:
    """Sum out every Kronecker delta whose index range the context settles."""
    collapsed = ctx.resolve(expr.doit())
    if collapsed.has(sp.KroneckerDelta) or collapsed.has(sp.Piecewise):
        return collapsed, Outcome(Status.UNKNOWN, "sum collapse",
                                  "a delta or range condition the assumptions do not settle")
    return collapsed, Outcome(Status.PROVED, "sum collapse",
                              "Σ_γ δ_{lγ} f(γ) = f(l) for l in the summation range")


def divisible_floor(lhs: sp.Expr, rhs: sp.Expr, m: sp.Symbol, k: sp.Symbol, q: sp.Symbol,
                    ctx: Context | None = None) -> Outcome:
    """Prove ``lhs = rhs`` given ``k | m``, by writing ``m = k·q`` (``q`` a positive integer)."""
    if not (q.is_integer and q.is_positive):
        raise ValueError("q must be a positive integer symbol")
    written = {m: k * q}
    difference = simplify_size(lhs.xreplace(written)) - simplify_size(rhs.xreplace(written))
    outcome = identity(difference, sp.S.Zero, ctx, tactic="floor with divisibility",
                       search=False)
    if outcome.status is Status.PROVED:
        outcome.detail = f"k | m: write {m} = {k}·{q} with integer {q} ≥ 1; ⌊n + r⌋ = n + ⌊r⌋"
    return outcome


def case_split(lhs: sp.Expr, rhs: sp.Expr, condition: sp.Basic, ctx: Context) -> Outcome:
    """Prove ``lhs = rhs`` separately under ``condition`` and under its negation."""
    branches = []
    for branch in (condition, sp.Not(condition)):
        outcome = identity(lhs, rhs, ctx.extended(branch), search=False)
        branches.append((branch, outcome))
        if outcome.status is not Status.PROVED:
            return Outcome(Status.UNKNOWN, "case split",
                           f"branch {branch} not decided: {outcome.detail}")
    cases = " and ".join(str(b) for b, _ in branches)
    return Outcome(Status.PROVED, "case split", f"both cases {cases} reduce to an identity")
