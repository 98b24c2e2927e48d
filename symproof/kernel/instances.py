"""A counterexample search over instances a caller proposes (a size, scalars, every array
entry), each checked here against every assumption before it may refute anything.

Why it exists: an assumption such as ``Σ_{k=1}^{n} t_k = 1`` is almost never met by values
drawn independently (:func:`~symproof.kernel.finite.counterexample` draws each entry on its
own), so a wrong claim under it stays UNKNOWN. A caller that knows how to build admissible
points (targets on the probability simplex, exactly) proposes them; the kernel trusts none of
it. Why it is sound: an instance refutes ``lhs = rhs`` only when

* every scalar respects its own assumptions (a size is a positive integer, an index an
  integer…) and every relation of the context holds *exactly* at the instance, sums written
  out over the instance's entries (``Σ_{k=1}^{3} t_k`` is ``t_1 + t_2 + t_3`` with their
  values, compared with 1 in rational arithmetic);
* every entry the two sides and the relations name has a value, one per entry whatever its
  spelling (:func:`~symproof.kernel.finite.valued_entries`), the entries of the arrays
  declared nonnegative are, and an entry outside its array (the padding rule) is 0;
* the difference of the two sides is then a number :func:`certainly_nonzero` shows is not 0.

The counterexample shown holds every scalar, every entry and both sides' values.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from ..errors import TooLargeError
from .context import Context, respects_assumptions
from .finite import NOT_FOUND, certainly_nonzero, valued_entries
from .outcome import Outcome, Status
from .sums import expand_sums, rebinds, written_out

__all__ = ["Instance", "instance_counterexample"]

#: An instance: values of scalars (symbols, sizes such as ``n[L]``) and of array entries
#: (``t[1]``, …, at numeric indices).
Instance = tuple[dict, dict]


def _at(expr: sp.Basic, instance: Instance) -> sp.Basic | None:
    """``expr`` at the instance: scalars substituted, sums written out, each entry given its
    value; None when that leaves an entry without one (the instance does not decide it)."""
    scalars, entries = instance
    try:
        at = expr.subs(scalars) if rebinds(expr, set(scalars)) else expr.xreplace(scalars)
        at = written_out(expand_sums(at)).doit()
    except (ValueError, TypeError, ZeroDivisionError, RecursionError, TooLargeError):
        return None
    return valued_entries(at, entries)


def _exact(value: object) -> object:
    """A Python integer as SymPy's (anything else as given: checked as it is)."""
    return sp.Integer(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _admissible(instance: Instance, ctx: Context, nonnegative: tuple) -> bool:
    """Whether the instance meets every assumption (module docstring): checked here, whoever
    built it."""
    scalars, entries = instance
    for symbol, value in scalars.items():
        if not (isinstance(value, sp.Basic) and value.is_Rational):
            return False
        if isinstance(symbol, sp.Symbol) and not respects_assumptions(symbol, value):
            return False
        if not isinstance(symbol, sp.Symbol) and symbol.is_integer and not (
                value.is_Integer and (value > 0 or not symbol.is_positive)):
            return False  # a size n[L]: a positive integer
    if any(not (isinstance(v, sp.Basic) and v.is_Rational) for v in entries.values()):
        return False
    if any(v < 0 for e, v in entries.items() if e.base in nonnegative):
        return False
    if any(v != 0 and ctx.outside(e, scalars) for e, v in entries.items()):
        return False  # the padding rule: an entry outside its array is 0
    for relation in ctx.relations:
        held = _at(relation, instance)
        if held is None or held is not sp.true:
            return False
    return True


def _entry_name(entry: sp.Indexed, names: dict) -> str:
    """``t[2]``, or with the array's letter as the claim's writer names it (``y[2]``)."""
    if entry.base not in names:
        return str(entry)
    return f"{names[entry.base]}[{', '.join(str(i) for i in entry.indices)}]"


def instance_counterexample(lhs: sp.Expr, rhs: sp.Expr, ctx: Context,
                            instances: Iterable[Instance], *, nonnegative: Iterable = (),
                            shown_as: dict | None = None, limit: int = 200) -> Outcome:
    """REFUTED at the first proposed instance that meets every assumption (and has the
    entries of ``nonnegative`` arrays ≥ 0) and where ``lhs ≠ rhs`` surely; UNKNOWN when none
    of the first ``limit`` is one (which proves nothing). ``shown_as`` names scalars and arrays
    in the counterexample as the claim's writer does (the model's ``n[L]`` as the document's
    n, its ``z`` as the document's a)."""
    bases = tuple(nonnegative)
    for count, proposed in enumerate(instances):
        if count >= limit:
            break
        instance = tuple({key: _exact(v) for key, v in values.items()} for values in proposed)
        if not _admissible(instance, ctx, bases):
            continue
        sides = [_at(side, instance) for side in (lhs, rhs)]
        if any(side is None for side in sides):
            continue
        left, right = sides
        try:
            difference = sp.simplify(left - right)
        except (TypeError, ValueError, ArithmeticError):
            continue
        if not (difference.is_number and certainly_nonzero(difference)):
            continue
        scalars, entries = instance
        names = shown_as or {}
        shown = {names.get(s, str(s)): v for s, v in scalars.items()}
        shown.update({"left side": left, "right side": right})
        shown.update({_entry_name(e, names): v
                      for e, v in sorted(entries.items(), key=lambda i: str(i[0]))})
        return Outcome(Status.REFUTED, "counterexample search (admissible instances)",
                       f"the two sides differ by {difference} there (every assumption "
                       "checked at these values)", counterexample=shown)
    return NOT_FOUND
