"""``prove``: ask the kernel whether a claim holds, and why.

The search tries the kernel's rules in order, cheapest first, and returns the strongest
outcome any of them earns, with the trail of what was tried:

1. the max over a window commuting with a function assumed nondecreasing (a structural
   check first: it is the only rule for such a claim, and the cheapest);
2. an identity (the difference normalises to 0), under the assumptions;
3. with ``divides(k, m)`` assumed: the same with ``m = k·q`` written in (``q`` a fresh positive
   integer), which is exact;
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

import random
from collections.abc import Iterable

import sympy as sp

from ..errors import ParameterError
from ..limits import check_expression
from ..shapes import simplify_size
from .context import Context, as_conditions, as_names
from .finite import NOT_FOUND, counterexample, draw, free_scalars
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
    k, m = (sp.Integer(v) if isinstance(v, int) and not isinstance(v, bool) else v
            for v in (k, m))
    for name, value in (("k", k), ("m", m)):
        if not isinstance(value, sp.Expr) or value.is_integer is not True:
            raise ParameterError(name, value, "must be an integer SymPy expression")
    if k.is_zero:  # 0 | m means nothing (m mod 0 is undefined)
        raise ParameterError("k", k, "must be a nonzero integer")
    return sp.Eq(sp.Mod(m, k, evaluate=False), 0, evaluate=False)


def _divisibility(assumptions: list) -> list[tuple[sp.Expr, sp.Expr]]:
    """``(k, m)`` for every assumption ``m mod k = 0``."""
    return [(a.lhs.args[1], a.lhs.args[0]) for a in assumptions
            if isinstance(a, sp.Equality) and a.rhs == 0 and isinstance(a.lhs, sp.Mod)]


def _written(divisible: list[tuple[sp.Expr, sp.Expr]], taken: set[str]) -> dict | None:
    """One substitution that makes every ``k | m`` hold: ``n = k·q − c`` for ``m = n + c``
    (``n`` a symbol, ``c`` an integer, a fresh positive integer ``q``), numbers ``k`` dividing
    the same ``m`` combined by their lcm. None when they cannot all be written so (then
    nothing is substituted, and the assumptions only filter counterexamples)."""
    by_symbol: dict[sp.Symbol, tuple[sp.Expr, list]] = {}
    for k, m in divisible:
        symbol = _unit_symbol(m) if len(divisible) == 1 else (
            next(iter(m.free_symbols), None) if len(m.free_symbols) == 1 else None)
        if symbol is None or not (m - symbol).is_Integer and len(divisible) > 1 or (
                k.is_integer is not True):
            return None
        offset, divisors = by_symbol.setdefault(symbol, (m - symbol, []))
        if m - symbol != offset:
            return None
        divisors.append(k)
    written = {}
    for symbol, (offset, divisors) in by_symbol.items():
        if len(divisors) > 1 and not all(d.is_Integer for d in divisors):
            return None  # k | m and k' | m do not make k·k' | m: nothing to write
        k = sp.Integer(sp.ilcm(*divisors)) if len(divisors) > 1 else divisors[0]
        name = next(n for n in ("q", *(f"q_{i}" for i in range(2, 99))) if n not in taken)
        taken.add(name)
        # every admissible m must be some k·q: q ≥ 1 only when m > 0 and k > 0 (m = 0 and
        # negative multiples are multiples too), q ≥ 0 when m ≥ 0 and k > 0, else any q
        m = symbol + offset
        sign = ({"positive": True} if m.is_positive and k.is_positive else
                {"nonnegative": True} if m.is_nonnegative and k.is_positive else {})
        written[symbol] = k * sp.Symbol(name, integer=True, **sign) - offset
    return written


def _unit_symbol(m: sp.Expr) -> sp.Symbol | None:
    """A symbol that ``m`` holds once, with coefficient 1 (``W`` in ``W − F + 2P``): writing
    it as ``k·q − (m − W)`` makes ``k | m`` hold for every integer q. The first by name."""
    for symbol in sorted(m.free_symbols, key=str):
        rest = sp.expand(m - symbol)
        if isinstance(symbol, sp.Symbol) and not rest.has(symbol):
            return symbol
    return None


def prove(claim: sp.Basic, *, assuming: Iterable = (), context: Context | None = None,
          nondecreasing: Iterable[str] = (), search: bool = True) -> Outcome:
    """The strongest status the kernel's rules earn for ``claim`` (a SymPy relation), with
    the trail of the rules tried in ``detail`` (see the module docstring). ``search=False``
    tries only the rules that prove, for a caller that has no use for a counterexample."""
    if isinstance(claim, (bool, sp.logic.boolalg.BooleanAtom)):
        raise ParameterError("claim", claim, "must be a relation to decide, not a truth value "
                                             "(SymPy evaluated it already: use evaluate=False)")
    if not isinstance(claim, sp.core.relational.Relational):
        raise ParameterError("claim", claim, "must be a SymPy relation such as Eq(lhs, rhs)")
    check_expression(claim, "claim")
    if any(side.is_real is False or (side.is_number and side.is_real is not True)
           for side in (claim.lhs, claim.rhs)) and not isinstance(claim, sp.Equality):
        raise ParameterError("claim", claim, "must compare real expressions")
    assumptions = as_conditions("assuming", assuming)
    names = as_names("nondecreasing", nondecreasing)
    if context is not None and not isinstance(context, Context):
        raise ParameterError("context", context, "must be a symproof Context")
    base = context or Context()
    ctx = Context([*base.assumptions, *assumptions], set(base.nondecreasing) | set(names),
                  base.split_residues, base.zero_outside, base.outside_value, base.extents)
    trail: list[str] = []

    def done(outcome: Outcome) -> Outcome:
        if outcome.status is Status.REFUTED and not _admissible(outcome, claim, ctx):
            # a counterexample must respect every assumption: one that does not shows nothing
            trail.append(f"{outcome.tactic}: values that break an assumption, not counted")
            outcome = Outcome(Status.UNKNOWN, "search", "no rule decided the claim")
        trail.append(f"{outcome.tactic}: {outcome.status.name}")
        return _with_trail(outcome, trail)

    if isinstance(claim, sp.Equality):
        lhs, rhs = claim.lhs, claim.rhs
        # first: a structural check, and the only rule for σ(max …) = max σ(…) (SymPy's
        # simplify of such a difference takes a fifth of a second to get nowhere)
        window = max_commutes(claim, ctx)
        if window.status is Status.PROVED:
            return done(window)
        outcome = identity(lhs, rhs, ctx, search=False)
        if outcome.status is Status.PROVED:
            return done(outcome)
        trail.append(f"{outcome.tactic}: {outcome.status.name}")
        # only a divisibility that speaks of the claim's symbols can decide it (a number
        # such as (227 − 11)/4 + 1 = 54 is refuted by itself, not "with k | m assumed")
        divisible = [(k, m) for k, m in _divisibility(ctx.relations)
                     if (k.free_symbols | m.free_symbols) & claim.free_symbols]
        if divisible:
            outcome = _divisible(lhs, rhs, divisible, ctx)
            # values that break an assumption (a size written k·q − c may come out negative)
            # are no refutation: the search below, filtered by every assumption, goes on
            if outcome.status is Status.PROVED or (outcome.status is Status.REFUTED
                                                   and _admissible(outcome, claim, ctx)):
                return done(outcome)
            trail.append(f"{outcome.tactic}: {outcome.status.name}")
        for condition in _conditions(lhs - rhs)[:8]:
            outcome = case_split(lhs, rhs, condition, ctx)
            if outcome.status is Status.PROVED:
                return done(outcome)
            trail.append(f"case split on {condition}: {outcome.status.name}")
        # every assumption, divisibility included, filters the values tried
        found = counterexample(lhs, rhs, ctx) if search else None
        if found is not None and found.status is Status.REFUTED:
            return done(found)
        trail.append("counterexample search: " + ("none found" if search else "not asked"))
        return done(Outcome(Status.UNKNOWN, "search", "no rule decided the claim"))
    if ctx.implies(claim):
        return done(Outcome(Status.PROVED, "assumptions",
                            f"{claim} follows from the assumptions"))
    trail.append("assumptions: not implied")
    found = _inequality_counterexample(claim, ctx) if search else None
    if found is not None and found.status is Status.REFUTED:
        return done(found)
    trail.append("counterexample search: " + ("none found" if search else "not asked"))
    return done(Outcome(Status.UNKNOWN, "search", "no rule decided the claim"))


def _admissible(outcome: Outcome, claim: sp.Basic, ctx: Context) -> bool:
    """Whether a refutation's values respect every assumption: each symbol's own (positive,
    integer…) and every relation of the context (see :meth:`Context.satisfied_by`)."""
    found = {s for e in (claim, *ctx.relations) for s in e.free_symbols
             if isinstance(s, sp.Symbol)}
    symbols = {s.name: s for s in found}
    if len(symbols) < len(found):
        return False  # two symbols share a name: values shown by name would be ambiguous
    values = {symbols[name]: value for name, value in (outcome.counterexample or {}).items()
              if name in symbols and isinstance(value, sp.Basic)}
    return ctx.satisfied_by(values)


def _with_trail(outcome: Outcome, trail: list[str]) -> Outcome:
    """The outcome with the rules tried before it appended to its summary (same verdict)."""
    if len(trail) <= 1:
        return outcome
    tried = "; tried " + ", ".join(trail[:-1])
    return Outcome(outcome.status, outcome.tactic, outcome.detail + tried, outcome.samples,
                   outcome.seed, outcome.tolerance, outcome.counterexample)


def _divisible(lhs, rhs, divisible: list, ctx: Context) -> Outcome:
    """``lhs = rhs`` where every ``k | m`` holds by construction (:func:`_written`): PROVED,
    REFUTED with values that respect them (shown in the claim's own symbols), or UNKNOWN."""

    taken = {s.name for e in (lhs, rhs, *ctx.relations) for s in e.free_symbols}
    written = _written(divisible, taken)
    if written is None:
        return Outcome(Status.UNKNOWN, "floor with divisibility",
                       "the divisibility assumptions cannot be written as m = k·q")
    others = [r for r in ctx.relations if not (isinstance(r, sp.Equality)
                                               and isinstance(r.lhs, sp.Mod))]
    # the arrays' sizes in the new names too (X is 0 beyond row m = k·q, not beyond a
    # separately drawn m): else an entry outside the input could be given a value
    def rewritten(shapes: dict) -> dict:
        return {base: tuple(b.xreplace(written) if isinstance(b, sp.Basic) else b
                            for b in bounds) for base, bounds in shapes.items()}

    sub = Context([r.xreplace(written) for r in others], ctx.nondecreasing,
                  zero_outside=rewritten(ctx.zero_outside), outside_value=ctx.outside_value,
                  extents=rewritten(ctx.extents))
    left, right = (simplify_size(side.xreplace(written)) for side in (lhs, rhs))
    outcome = identity(left, right, sub, tactic="floor with divisibility")
    shown = ", ".join(f"{n} = {v}" for n, v in written.items())
    if outcome.status is Status.PROVED:
        return Outcome(Status.PROVED, "floor with divisibility",
                       f"write {shown} (every divisibility assumed holds); ⌊n + r⌋ = n + ⌊r⌋")
    if outcome.status is Status.REFUTED:
        values = dict(outcome.counterexample)
        for symbol, value in written.items():  # back to the claim's own symbols
            for s in sorted(value.free_symbols, key=str):
                if str(s) not in values and s not in written:
                    # a symbol the refuted side lost (k in m = 2kq): any admissible value
                    values[str(s)] = sp.Integer(-1 if s.is_nonpositive else 1)
            if all(str(s) in values for s in value.free_symbols):
                values[str(symbol)] = value.xreplace(
                    {s: values[str(s)] for s in value.free_symbols})
                for s in value.free_symbols - set(written) - lhs.free_symbols - rhs.free_symbols:
                    values.pop(str(s), None)  # the fresh q, now shown through the symbol
        return Outcome(Status.REFUTED, "floor with divisibility",
                       f"with {shown}: {outcome.detail}",
                       counterexample=values or dict(outcome.counterexample))
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


def _inequality_counterexample(claim, ctx: Context) -> Outcome:
    """Exact values satisfying the assumptions at which the inequality is false (REFUTED), or
    UNKNOWN when none is found. Only the claim's scalars are drawn (an array entry, or one
    indexed by a summation index, is not a number to choose); values that leave a sum with
    non-integer bounds or make a side undefined (a division by zero) are skipped."""
    difference = claim.lhs - claim.rhs
    if any(not e.is_integer for e in difference.atoms(sp.Indexed)):
        return NOT_FOUND  # arrays: this search draws numbers only
    symbols = free_scalars(difference)
    rng = random.Random(0)
    for attempt in range(60):
        values = {s: draw(s, rng, 2 + attempt // 6) for s in symbols}  # one drawing rule
        if not ctx.satisfied_by(values):
            continue
        try:
            sides = [side.xreplace(values) for side in (claim.lhs, claim.rhs)]
            if any(bound.is_integer is not True for side in sides
                   for total in side.atoms(sp.Sum, sp.Product)
                   for _, low, high in total.limits for bound in (low, high)):
                continue  # a sum up to 7/4 means nothing
            sides = [side.doit() for side in sides]
            if any(side.is_finite is not True for side in sides):
                continue  # undefined there: no counterexample
            verdict = claim.func(*sides)
        except (TypeError, ValueError, ArithmeticError):
            continue
        if verdict in (False, sp.false):
            return Outcome(Status.REFUTED, "counterexample search", f"{claim} is false there",
                           counterexample={str(k): v for k, v in values.items()})
    return NOT_FOUND
