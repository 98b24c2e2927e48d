"""``prove``: ask the kernel whether a claim holds, and why.

The search tries the kernel's rules in order, cheapest first, and returns the strongest
outcome any of them earns, with the trail of what was tried:

1. an identity (the difference normalises to 0), under the assumptions;
2. with ``divides(k, m)`` assumed: the same with ``m = k·q`` written in (``q`` a fresh positive
   integer), which is exact;
3. the max over a window commuting with a function assumed nondecreasing;
4. case splits on the conditions that decide a ``Max``, ``Min`` or ``Piecewise`` of the claim;
5. for an inequality, the assumptions implying it;
6. a counterexample search (exact values that satisfy every assumption) — REFUTED;
7. otherwise UNKNOWN: nothing decided it, and nothing is guessed.

>>> from symproof import symbols
>>> a, b = sp.symbols("a b", real=True)
>>> prove(sp.Eq(sp.Max(a, b)**3, sp.Max(a**3, b**3))).status.name
'PROVED'
>>> m, k = symbols("m k")
>>> prove(sp.Eq(sp.floor(m / k), m / k)).status.name
'REFUTED'
>>> prove(sp.Eq(sp.floor(m / k), m / k), assuming=[divides(k, m)]).status.name
'PROVED'
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from ..errors import ParameterError
from ..limits import check_expression
from .context import Context
from .finite import counterexample
from .outcome import Outcome, Status
from .rules import max_commutes
from .symbolic import case_split, identity

__all__ = ["prove", "divides"]


def divides(k: sp.Expr, m: sp.Expr) -> sp.Eq:
    """The assumption ``k | m``, written ``m mod k = 0``.

    >>> from symproof import symbols
    >>> divides(*symbols("k m"))
    Eq(Mod(m, k), 0)
    """
    for name, value in (("k", k), ("m", m)):
        if not isinstance(value, sp.Expr) or value.is_integer is not True:
            raise ParameterError(name, value, "must be an integer SymPy expression")
    return sp.Eq(sp.Mod(m, k, evaluate=False), 0, evaluate=False)


def _divisibility(assumptions: list) -> list[tuple[sp.Expr, sp.Expr]]:
    found = []
    for a in assumptions:
        if isinstance(a, sp.Equality) and a.rhs == 0 and isinstance(a.lhs, sp.Mod):
            m, k = a.lhs.args
            if isinstance(m, sp.Symbol):
                found.append((k, m))
    return found


def prove(claim: sp.Basic, *, assuming: Iterable = (), context: Context | None = None,
          nondecreasing: Iterable[str] = ()) -> Outcome:
    """The strongest status the kernel's rules earn for ``claim`` (a SymPy relation), with
    the trail of the rules tried in ``detail`` (see the module docstring)."""
    if isinstance(claim, bool) or claim in (sp.true, sp.false):
        raise ParameterError("claim", claim, "must be a relation to decide, not a truth value "
                                             "(SymPy evaluated it already: use evaluate=False)")
    if not isinstance(claim, sp.core.relational.Relational):
        raise ParameterError("claim", claim, "must be a SymPy relation such as Eq(lhs, rhs)")
    check_expression(claim, "claim")
    assumptions = list(assuming)
    for a in assumptions:
        if not isinstance(a, (sp.Basic, str)):
            raise ParameterError("assuming", a, "must hold SymPy relations")
    base = context or Context()
    ctx = Context([*base.assumptions, *assumptions],
                  set(base.nondecreasing) | set(nondecreasing))
    trail: list[str] = []

    def done(outcome: Outcome) -> Outcome:
        trail.append(f"{outcome.tactic}: {outcome.status.name}")
        return _with_trail(outcome, trail)

    if isinstance(claim, sp.Equality):
        lhs, rhs = claim.lhs, claim.rhs
        outcome = identity(lhs, rhs, ctx, search=False)
        if outcome.status is Status.PROVED:
            return done(outcome)
        trail.append(f"{outcome.tactic}: {outcome.status.name}")
        for k, m in _divisibility(assumptions):
            outcome = _divisible(lhs, rhs, k, m, ctx)
            if outcome.status in (Status.PROVED, Status.REFUTED):
                return done(outcome)
            trail.append(f"{outcome.tactic}: {outcome.status.name}")
        outcome = max_commutes(claim, ctx)
        if outcome.status is Status.PROVED:
            return done(outcome)
        for condition in _conditions(lhs - rhs)[:8]:
            outcome = case_split(lhs, rhs, condition, ctx)
            if outcome.status is Status.PROVED:
                return done(outcome)
            trail.append(f"case split on {condition}: {outcome.status.name}")
        if not _divisibility(assumptions):
            found = counterexample(lhs, rhs, ctx)
            if found is not None:
                return done(found)
            trail.append("counterexample search: none found")
        return done(Outcome(Status.UNKNOWN, "search", "no rule decided the claim"))
    if ctx.implies(claim):
        return done(Outcome(Status.PROVED, "assumptions",
                            f"{claim} follows from the assumptions"))
    trail.append("assumptions: not implied")
    found = _inequality_counterexample(claim, ctx)
    if found is not None:
        return done(found)
    trail.append("counterexample search: none found")
    return done(Outcome(Status.UNKNOWN, "search", "no rule decided the claim"))


def _with_trail(outcome: Outcome, trail: list[str]) -> Outcome:
    """The outcome with the rules tried before it appended to its summary (same verdict)."""
    if len(trail) <= 1:
        return outcome
    tried = "; tried " + ", ".join(trail[:-1])
    return Outcome(outcome.status, outcome.tactic, outcome.detail + tried, outcome.samples,
                   outcome.seed, outcome.tolerance, outcome.counterexample)


def _divisible(lhs, rhs, k, m, ctx: Context) -> Outcome:
    """``lhs = rhs`` where ``m = k·q``: PROVED, REFUTED with values that respect k | m, or
    UNKNOWN."""
    from ..shapes import simplify_size

    taken = {s.name for e in (lhs, rhs, *ctx.relations) for s in e.free_symbols}
    name = next(n for n in ("q", *(f"q_{i}" for i in range(2, 99))) if n not in taken)
    q = sp.Symbol(name, integer=True, positive=True)
    written = {m: k * q}
    sub = Context([r.xreplace(written) for r in ctx.relations
                   if not (isinstance(r, sp.Equality) and isinstance(r.lhs, sp.Mod))],
                  ctx.nondecreasing)
    left, right = (simplify_size(side.xreplace(written)) for side in (lhs, rhs))
    outcome = identity(left, right, sub, tactic="floor with divisibility")
    if outcome.status is Status.PROVED:
        return Outcome(Status.PROVED, "floor with divisibility",
                       f"{k} | {m}: write {m} = {k}·{q} with integer {q} ≥ 1; "
                       "⌊n + r⌋ = n + ⌊r⌋")
    if outcome.status is Status.REFUTED:
        values = dict(outcome.counterexample)
        if str(q) in values and str(k) in values:
            values[str(m)] = values.pop(str(q)) * values[str(k)]
        return Outcome(Status.REFUTED, "floor with divisibility",
                       f"with {m} = {k}·{q}: {outcome.detail}", counterexample=values)
    return outcome


def _conditions(expr: sp.Basic) -> list:
    """Conditions whose two cases may each reduce the claim: ``a ≥ b`` for ``Max(a, b)`` and
    ``Min(a, b)``, and the conditions of ``Piecewise`` branches."""
    found = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Max, sp.Min)) and len(node.args) == 2:
            found.append(sp.Ge(*node.args))
        elif isinstance(node, sp.Piecewise):
            found += [c for _, c in node.args if c not in (True, sp.true)]
    unique = []
    for condition in found:
        if condition not in unique:
            unique.append(condition)
    return unique


def _inequality_counterexample(claim, ctx: Context) -> Outcome | None:
    """Exact values satisfying the assumptions at which the inequality is false."""
    import random

    symbols = sorted(claim.free_symbols, key=str)
    rng = random.Random(0)
    for attempt in range(60):
        values = {}
        for s in symbols:
            upper = 2 + attempt // 6
            low = 1 if s.is_positive else 0 if s.is_nonnegative else -upper
            values[s] = (sp.Integer(rng.randint(low, max(low, upper))) if s.is_integer
                         else sp.Rational(rng.randint(-4 * upper, 4 * upper), rng.randint(1, 4)))
        if not ctx.satisfied_by(values):
            continue
        verdict = claim.xreplace(values)
        if verdict in (False, sp.false):
            return Outcome(Status.REFUTED, "counterexample search", f"{claim} is false there",
                           counterexample={str(k): v for k, v in values.items()})
    return None
