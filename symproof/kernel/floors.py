"""Facts about the floor that size formulas need, each the definition of ⌊·⌋ applied once.

Why each is sound (``n``, ``m`` integers, ``S ≥ 1`` an integer, all by their assumptions):

* ``remainder_bounds``: ``⌊n/S⌋ ≤ n/S < ⌊n/S⌋ + 1``, so ``0 ≤ n − S⌊n/S⌋ ≤ S − 1``. The rule
  checks the claimed value has exactly that form (the floor's argument is ``n/S`` for the ``n``
  and ``S`` read off).
* ``floor_interval``: ``⌊n/S⌋ = m`` exactly when ``m ≤ n/S < m + 1``, i.e. ``Sm ≤ n ≤ Sm + S − 1``
  (multiply by ``S > 0``; ``n`` is an integer). Applied to a size ``⌊(H + c)/S⌋ + k`` equal to a
  target ``o``: exactly the ``H`` with ``S(o − k) − c ≤ H ≤ S(o − k) − c + S − 1``, the ``S``
  consecutive integers of that range. The rule computes that range from the size and compares
  it with the claimed one (equal expressions), never trusting the claim.
"""

from __future__ import annotations

import sympy as sp

from ..prose import Prose
from .outcome import Outcome, Status

__all__ = ["remainder_bounds", "floor_interval"]


def remainder_bounds(value: sp.Expr, stride: sp.Expr | None = None) -> Outcome:
    """PROVED ``0 ≤ value ≤ S − 1`` when ``value`` is ``n − S⌊n/S⌋`` for an integer ``n`` and a
    positive integer ``S`` (by their assumptions), or when ``value`` and ``stride = S`` are
    integers that satisfy it (exact comparison; REFUTED when they do not); else UNKNOWN."""
    value = sp.expand(value)
    if value.is_Integer and stride is not None and sp.sympify(stride).is_Integer:
        if 0 <= value <= stride - 1:
            return Outcome(Status.PROVED, "remainder bounds",
                           f"0 ≤ {value} ≤ {stride - 1} (exact integers)")
        return Outcome(Status.REFUTED, "remainder bounds", f"{value} is not in 0 … {stride - 1}",
                       counterexample={"value": value, "S": stride})
    for bracket in value.atoms(sp.floor):
        read = -value.coeff(bracket)
        rest = sp.expand(value + read * bracket)
        if stride is not None and sp.expand(read - stride) != 0:
            continue  # a remainder by another number: its bound is not the one asked for
        if (read.is_integer and read.is_positive and rest.is_integer
                and not rest.has(bracket)
                and sp.expand(bracket.args[0] - rest / read) == 0):
            return Outcome(Status.PROVED, "remainder bounds",
                           f"⌊n/S⌋ ≤ n/S < ⌊n/S⌋ + 1 with n = {rest}, S = {read}: "
                           f"0 ≤ n − S⌊n/S⌋ ≤ S − 1")
    if value.is_Integer:
        return Outcome(Status.UNKNOWN, "remainder bounds", f"{value} is a number, not n − S⌊n/S⌋")
    return Outcome(Status.UNKNOWN, "remainder bounds", f"{value} is not of the form n − S⌊n/S⌋")


def floor_interval(size: sp.Expr, variable: sp.Symbol, target: sp.Expr, low: sp.Expr,
                   high: sp.Expr) -> Outcome:
    """PROVED ``size = target ⟺ low ≤ variable ≤ high`` when ``size`` is ``⌊(variable + c)/S⌋
    + k`` (``c``, ``k`` integers free of ``variable``, ``S`` a positive integer) and ``target``
    is an integer, and the claimed bounds are ``S(target − k) − c`` and that plus ``S − 1``;
    else UNKNOWN (a wrong range is never proved).

    >>> H, S, o = sp.symbols("H S o", integer=True, positive=True)
    >>> floor_interval(sp.floor((H - 2) / S) + 1, H, o, S * (o - 1) + 2, S * o + 1).status.name
    'PROVED'
    >>> floor_interval(sp.floor((H - 2) / S) + 1, H, o, S * (o - 1) + 2, S * o + 2).status.name
    'UNKNOWN'
    >>> floor_interval(H - 1, H, o, o + 1, o + 1).status.name  # S = 1: no floor left
    'PROVED'
    """
    tactic = "floor interval"
    brackets = [b for b in sp.expand(size).atoms(sp.floor) if b.has(variable)]
    if len(brackets) > 1 or not target.is_integer:
        return Outcome(Status.UNKNOWN, tactic, "the size is not one floor of the variable plus "
                                               "an integer, or the target is not an integer")
    if variable.is_integer is not True:  # x < k + 1 is x ≤ k only for an integer x
        return Outcome(Status.UNKNOWN, tactic, Prose(variable, " is not known to be an integer"))
    # with S = 1 SymPy has already written ⌊H + c⌋ as H + c: the floor of an integer
    bracket = brackets[0] if brackets else variable
    offset = sp.expand(size - bracket)
    argument = sp.expand(bracket.args[0]) if brackets else variable
    slope = argument.coeff(variable)
    stride = sp.simplify(1 / slope) if slope != 0 else None
    shift = sp.expand(argument * stride - variable) if stride is not None else None
    if (stride is None or not (stride.is_integer and stride.is_positive)
            or offset.has(variable) or not offset.is_integer
            or shift.has(variable) or not shift.is_integer):
        return Outcome(Status.UNKNOWN, tactic, "the size is not ⌊(H + c)/S⌋ + k with integers "
                                               "c, k and a positive integer S")
    lower = stride * (target - offset) - shift
    upper = lower + stride - 1
    if sp.expand(low - lower) != 0 or sp.expand(high - upper) != 0:
        return Outcome(Status.UNKNOWN, tactic, Prose(
            "the range is ", lower, " … ", upper, ", not the one claimed"))
    return Outcome(Status.PROVED, tactic, Prose(
        "⌊x⌋ = k exactly when k ≤ x < k + 1; with x = ", argument, " and the integer ",
        variable, ": ", sp.Le(lower, variable), " and ", sp.Le(variable, upper)))
