"""Finite tactics: exact checks on concrete instances (VERIFIED), seeded random numeric checks
(SPOT_CHECKED), and counterexample search (REFUTED, with exact values).

None of these ever yields PROVED for a claim about all values; a counterexample proves only
that its claim fails (which a step asserting failure may use).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

import sympy as sp

from ..errors import TooLargeError
from ..limits import current, refusal
from ..prose import Prose, prose
from .context import Context, respects_assumptions
from .outcome import Outcome, Status
from .sums import expand_sums, rebinds, written_out

__all__ = ["counterexample", "exhaustive", "spot_check", "certainly_nonzero", "differs",
           "draw", "free_scalars", "entry_of", "entries_of", "valued_entries", "NOT_FOUND"]

# Sizes drawn for symbolic dimensions when searching for a counterexample: small, so that
# expanding the sums stays cheap, but not all equal.
_SIZES = range(1, 6)


def _is_size(entry: sp.Indexed) -> bool:
    """An indexed size such as the width ``n_ℓ``: a scalar to draw, not an array entry."""
    return bool(entry.is_integer)


def free_scalars(expr: sp.Basic) -> list[sp.Basic]:
    """The plain symbols of ``expr`` and its size-like entries (``n[ℓ]``): what a
    counterexample search gives values to."""
    labels = {i.base.label for i in expr.atoms(sp.Indexed)}
    plain = [s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s not in labels]
    sizes = [e for e in expr.atoms(sp.Indexed) if _is_size(e)]
    return sorted(plain + sizes, key=str)


def draw(symbol: sp.Basic, rng: random.Random, upper: int) -> sp.Expr:
    """A small exact value that respects the symbol's assumptions (sign, integrality)."""
    low = 1 if symbol.is_positive else 0 if symbol.is_nonnegative else -upper
    high = -1 if symbol.is_negative else 0 if symbol.is_nonpositive else upper
    if symbol.is_integer:
        return sp.Integer(rng.randint(min(low, high), max(low, high)))
    value = sp.Rational(rng.randint(4 * min(low, high), 4 * max(low, high)), rng.randint(1, 4))
    if isinstance(symbol, sp.Symbol) and not respects_assumptions(symbol, value):
        value = sp.Rational(1, 2) if symbol.is_positive else -sp.Rational(1, 2) \
            if symbol.is_negative else sp.S.Zero
    return value


# A claim about every (nondecreasing, differentiable) σ fails if it fails for one: this strictly
# increasing polynomial is the σ used, with its derivative for σ'.
SIGMA = sp.Lambda(sp.Symbol("z"), sp.Symbol("z") ** 3 / 3 + sp.Symbol("z"))


def _concrete_functions(expr: sp.Expr) -> sp.Expr:
    """Every undefined one-argument function replaced by SIGMA, and a name with n primes by
    SIGMA's n-th derivative (``f''`` by 2z), so that a function and its derivatives stay
    consistent: a counterexample found so is one for that choice of σ."""
    z = sp.Symbol("z")

    def concrete(e):
        name = e.func.__name__
        order = len(name) - len(name.rstrip("'"))
        return sp.diff(SIGMA.expr, z, order).xreplace({z: e.args[0]})

    return expr.replace(
        lambda e: isinstance(e, sp.core.function.AppliedUndef) and len(e.args) == 1, concrete)


def entry_of(entry: sp.Indexed) -> sp.Indexed | None:
    """The array entry ``entry`` names, once every index is a number: ``t[j]`` at ``j = 2``,
    ``t[1 + 1]`` and ``t[2]`` are one entry ``t[2]`` (SymPy writes a numeric index in one
    canonical form); None while an index is symbolic (``t[j]`` may be ``t[2]`` or not, so it
    cannot be given a value of its own)."""
    if all(sp.sympify(index).is_Number for index in entry.indices):
        return entry.base[entry.indices]
    return None


def entries_of(expr: sp.Basic) -> list[sp.Indexed] | None:
    """The array entries of ``expr`` (sizes such as ``n[L]`` are scalars, not entries), each
    once, or None when one is at an index that is not a number yet."""
    found = set()
    for e in expr.atoms(sp.Indexed):
        if _is_size(e):
            continue
        entry = entry_of(e)
        if entry is None:
            return None
        found.add(entry)
    return sorted(found, key=str)


def valued_entries(expr: sp.Basic, values: dict) -> sp.Basic | None:
    """``expr`` with every array entry replaced by ``values[entry]`` (keys as
    :func:`entry_of` names them): the one place where a counterexample's entries get values,
    so that two spellings of one entry can never get two values. None when an entry has no
    value or a symbolic index: such an expression is not at a point."""
    missing = []

    def value(e: sp.Indexed) -> sp.Basic:
        entry = entry_of(e)
        if entry is None or entry not in values:
            missing.append(e)
            return e
        return values[entry]

    done = expr.replace(lambda e: isinstance(e, sp.Indexed) and not _is_size(e), value)
    return None if missing else done


def _witness(concrete: sp.Expr, rng: random.Random) -> tuple[dict, sp.Expr] | None:
    """Entry values making ``concrete`` a nonzero number: first a single entry set to 1 (all
    others 0), the most readable counterexample; then random integers."""
    entries = entries_of(concrete)
    if entries is None:
        return None  # an entry at a symbolic index: no point can be named
    trials = [{e: sp.Integer(int(e == one)) for e in entries} for one in entries]
    # One entry of one array set to 1, its other entries 0, every other array all ones (so a
    # weight times an input entry is not silenced by a zero weight).
    for one in entries:
        trials.append({e: sp.Integer(int(e == one)) if e.base == one.base else sp.Integer(1)
                       for e in entries})
    trials.append({e: sp.Integer(0) for e in entries})
    trials += [{e: sp.Integer(rng.randint(-9, 9)) for e in entries} for _ in range(3)]
    for values in trials:
        value = _concrete_functions(valued_entries(concrete, values))
        if not value.is_Rational:  # a rational is as simple as it gets (most draws give one)
            value = sp.simplify(value)
        if value.is_number and not value.has(sp.core.function.AppliedUndef) and \
                certainly_nonzero(value):
            return values, value
    return None


_JUMPS = (sp.sign, sp.floor, sp.ceiling, sp.frac, sp.Heaviside, sp.Mod, sp.Piecewise,
          sp.KroneckerDelta, sp.Max, sp.Min)


def certainly_nonzero(value: sp.Expr) -> bool:
    """Whether a number is surely not 0: exactly, for a rational; otherwise only when a
    50-digit evaluation puts it far from 0. ``simplify`` may leave an exact 0 unrecognised
    (cos(π/7)·cos(2π/7)·cos(4π/7) + 1/8), and a counterexample must never rest on that.

    >>> certainly_nonzero(sp.Rational(1, 10**40))
    True
    >>> certainly_nonzero(sp.cos(sp.pi / 7) * sp.cos(2 * sp.pi / 7) * sp.cos(4 * sp.pi / 7)
    ...                   + sp.Rational(1, 8))
    False
    """
    if value.is_Rational:
        return value != 0
    if value.is_zero is True or value.is_finite is not True or value.has(sp.zoo, sp.nan):
        return False  # 0, or undefined there (a division by zero is no difference)
    if value.has(*_JUMPS):
        # a jump (sign(e), ⌊e⌋ …) of an irrational e that is exactly at the jump evaluates
        # numerically to either side: never trust it
        return False
    try:
        approximate = sp.N(value, 50)
    except (TypeError, ValueError, ArithmeticError):
        return False
    magnitude = abs(approximate)
    return bool(magnitude.is_number and magnitude.is_comparable and magnitude > sp.Float("1e-20"))


#: What a counterexample search that found nothing returns (which proves nothing).
NOT_FOUND = Outcome(Status.UNKNOWN, "counterexample search", "none found")


def counterexample(lhs: sp.Expr, rhs: sp.Expr, ctx: Context | None = None, *, tries: int = 40,
                   seed: int = 0) -> Outcome:
    """Search exact values (symbols, then array entries) where ``lhs ≠ rhs``: REFUTED with
    them, or UNKNOWN if none was found (which proves nothing). Undefined functions σ are
    replaced by the strictly increasing ``z³/3 + z`` (and σ' by ``z² + 1``): a claim for every
    σ fails if it fails for this one."""
    ctx = ctx or Context()
    rng = random.Random(seed)
    difference = lhs - rhs
    # the sizes of the arrays the padding rule bounds are drawn too: an entry is 0 outside
    # only for a known size (i ≥ H in the context and i = 2 mean H ≤ 2)
    sizes = {s for bounds in ctx.zero_outside.values() for b in bounds if b is not None
             for s in b.free_symbols}
    own = set(free_scalars(difference))
    # a relation bounding a drawn value by an entry the claim does not name (i ≤ n[L−1])
    # needs that entry drawn too, or no draw can be shown to satisfy it; a plain symbol there
    # (k ≤ H_in) is searched by satisfied_by, and drawing it too would only thin the draws
    related = {s for r in ctx.relations if isinstance(r, sp.Basic)
               for s in free_scalars(r) if own & set(free_scalars(r))
               and not isinstance(s, sp.Symbol)}
    related |= {s for entry in related if isinstance(entry, sp.Indexed)
                for index in entry.indices for s in index.free_symbols}  # the L of n[L−1]
    scalars = sorted(own | related | sizes, key=str)
    for attempt in range(tries if scalars else 1):  # nothing to draw: one try decides
        values = {s: draw(s, rng, upper=2 + attempt // 5) for s in scalars}
        if not ctx.satisfied_by(values):
            continue
        try:
            # a name both free and bound (Σ_u … up to u): subs keeps the bound one
            substituted = (difference.subs(values) if rebinds(difference, set(values))
                           else difference.xreplace(values))
            if any(bound.is_integer is not True
                   for total in substituted.atoms(sp.Sum, sp.Product)
                   for _, low, high in total.limits for bound in (low, high)):
                continue  # a sum up to 49/9 means nothing: such values are no counterexample
            # sums over the drawn (small, integer) ranges written out term by term: the same
            # terms as SymPy's summation, at a fraction of its cost; those left (an inner range
            # bounded by an outer index, a backward one) written out by definition too, as
            # SymPy's doit sums some of them wrong
            concrete = written_out(expand_sums(substituted)).doit()
        except (ValueError, TypeError, ZeroDivisionError, RecursionError, TooLargeError):
            continue  # SymPy could not sum it out at these values: no counterexample here
        if ctx.zero_outside:  # the padding rule: entries outside their array are known
            concrete = concrete.replace(
                lambda e, at=values: isinstance(e, sp.Indexed) and ctx.outside(e, at),
                lambda e: ctx.outside_value)
        if any(not ctx.exists(e, values) for e in concrete.atoms(sp.Indexed)):
            continue  # values for an entry that does not exist (w beyond its shape) show nothing
        found = _witness(concrete, rng)
        if found is None:
            continue
        entries, value = found
        shown = {str(s): v for s, v in values.items()}
        if concrete.atoms(sp.core.function.AppliedUndef):
            shown["σ"] = "z³/3 + z (so σ' = z² + 1)"
        nonzero = {str(e): v for e, v in entries.items() if v != 0}
        shown.update(nonzero)
        if len(nonzero) < len(entries):
            shown["other entries"] = 0
        if not shown:  # a constant difference: any values at all are a counterexample
            shown["any values"] = f"the sides always differ by {value}"
        return Outcome(Status.REFUTED, "counterexample search",
                       Prose("the two sides differ by ", value, " there"), counterexample=shown)
    return NOT_FOUND


def exhaustive(check: Callable[[dict], tuple[sp.Expr, sp.Expr]], cases: Iterable[dict],
               description: str | Prose) -> Outcome:
    """VERIFIED when ``lhs == rhs`` exactly (``expand`` of the difference is 0) in every case;
    REFUTED at the first case where they surely differ (:func:`differs`); UNKNOWN when a
    difference neither vanishes nor can be shown nonzero."""
    count = 0
    for case in cases:
        lhs, rhs = check(case)
        difference = sp.expand(lhs - rhs)
        if difference != 0:
            if differs(difference):
                return Outcome(Status.REFUTED, "exhaustive check", description,
                               counterexample={str(k): v for k, v in case.items()})
            return Outcome(Status.UNKNOWN, "exhaustive check",
                           f"{description}: a difference left undecided: {difference}")
        count += 1
    return Outcome(Status.VERIFIED, "exhaustive check",
                   prose(description) + f": all {count} cases")


def differs(difference: sp.Expr, *, seed: int = 0) -> bool:
    """Whether an expression is surely not identically 0: a number that is
    :func:`certainly_nonzero`, or an expression that is so at some values of its symbols
    (drawn as :func:`draw` draws them) and then of its array entries, one value per entry
    (:func:`valued_entries`: ``t[j]`` at ``j = 2`` is ``t[2]``); a nonzero value at one point
    proves it."""
    scalars = free_scalars(difference)
    if not scalars and not difference.atoms(sp.Indexed):
        return certainly_nonzero(difference)
    rng = random.Random(seed)
    for _ in range(5):
        point = {s: draw(s, rng, upper=9) for s in scalars}
        try:
            at = (difference.subs(point) if rebinds(difference, set(point))
                  else difference.xreplace(point))
            at = written_out(expand_sums(at)).doit()
            entries = entries_of(at)
            if entries is None:
                continue
            value = valued_entries(at, {e: sp.Integer(rng.randint(-9, 9)) for e in entries})
            value = _concrete_functions(value).doit()
        except (ValueError, TypeError, ZeroDivisionError, ArithmeticError, TooLargeError):
            continue
        if value.is_number and not value.has(sp.core.function.AppliedUndef) and \
                certainly_nonzero(value):
            return True
    return False


def spot_check(sample: Callable, compare: Callable, *, samples: int, seed: int,
               tolerance: float, description: str | Prose, cost: int = 0) -> Outcome:
    """SPOT_CHECKED when ``compare(*sample(rng))`` (vectorised arrays) agree within
    ``tolerance`` for ``samples`` seeded draws; REFUTED with the first disagreeing draw.

    ``cost`` estimates the work of one draw (array entries or multiply-adds): the draws are
    cut to what the limit ``check_entries`` allows, and when not even one fits the check is
    not run (UNKNOWN, saying why) rather than taking minutes."""
    import numpy as np

    if cost:
        affordable = current().check_entries // cost
        if affordable < 1:
            return Outcome(Status.UNKNOWN, "numeric check", "not run: " + str(
                refusal("check_entries", f"one sample of the numeric check ({description})",
                        cost, "entries")))
        samples = min(samples, affordable)
    rng = np.random.default_rng(seed)
    for draw in range(samples):
        args = sample(rng)
        left, right = compare(*args)
        if not np.allclose(left, right, rtol=tolerance, atol=tolerance):
            return Outcome(Status.REFUTED, "numeric check", description,
                           counterexample={"draw": draw, "seed": seed,
                                           "max difference": float(np.max(np.abs(left - right)))})
    return Outcome(Status.SPOT_CHECKED, "numeric check", description, samples=samples, seed=seed,
                   tolerance=tolerance)
