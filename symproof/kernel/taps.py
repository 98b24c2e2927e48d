"""Coefficient matching for a convolution, read off the affine indices of its element formula.

A concrete layer's element formula is ``b[l] + Σ_{γ,α,β} w[l,γ,α,β]·X[γ, r(i,α), c(j,β)]``,
each index affine in the output position and the summation indices with integer
coefficients. At a generic output position ``(i, j)`` every entry ``X[γ, a·i + c, a'·j + c']``
is a formal variable, named by ``(γ, (a, c), (a', c'))``; so ``element = target`` for every
``X`` exactly when, entry by entry, the coefficients agree, and the constant terms agree. That
is the system :func:`~symproof.kernel.rules.coefficient_matching` solves after writing both
sides out (one equation per entry, one for the constant); here it is read off the indices
instead, with integer arithmetic per tap: no ``Sum`` is expanded, no ``Poly`` built, so its cost
is linear in taps × channels.

Why it is sound: the summation ranges are integers ``low ≤ high`` (read off the ``Sum``), every
tap's entry name is computed exactly from its affine indices (read structurally with
``as_coefficients_dict``, which returns an exact decomposition, or refused), two entries with
different names differ as formal variables, and the reading is refused (``None``: the caller
takes the general path) unless every equation has at most one unknown with coefficient 1 and
every unknown sits in one equation. Then the system's solution is read off entry by entry, and
compared with the claimed one as ``coefficient_matching`` does.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from operator import mul

import sympy as sp

from ..limits import check_share
from .finite import certainly_nonzero
from .outcome import Outcome, Status

__all__ = ["tap_matching", "TAP_SHARE"]

#: How much cheaper a term of the read-off system is than a term SymPy expands (integer
#: arithmetic per tap, no SymPy object built): the ``expanded_terms`` limit is this many
#: times larger here.
TAP_SHARE = 100

_TACTIC = "coefficient matching"


def tap_matching(pairs: Sequence[tuple[sp.Expr, sp.Expr]], base: sp.IndexedBase,
                 positions: tuple[sp.Symbol, ...], expected: Mapping) -> Outcome | None:
    """PROVED when, for every ``(element, target)`` pair, matching the coefficient of each
    entry of ``base`` and the constant term has exactly the solution ``expected`` (a mapping
    ``(IndexedBase, index tuple) → value``; absent unknowns are expected to be 0); REFUTED when
    the system has none or another one; UNKNOWN when a coefficient that must vanish is not
    decided; None when a side is not of the form read here (the caller then writes the system
    out and uses :func:`~symproof.kernel.rules.coefficient_matching`).

    >>> from symproof.notation import X, w, b, alpha, i
    >>> element = b[1] + sp.Sum(w[1, alpha] * X[1, i + alpha - 2], (alpha, 1, 3))
    >>> target = X[1, i + 1] - X[1, i - 1] + 5
    >>> expected = {(w, (1, 1)): -1, (w, (1, 3)): 1, (b, (1,)): 5}
    >>> tap_matching([(element, target)], X, (i,), expected).status.name
    'PROVED'
    >>> tap_matching([(element, target)], X, (i,), {(w, (1, 1)): -1, (b, (1,)): 5}).counterexample
    {'w[1, 3]': 1}
    """
    check_share("expanded_terms", "the coefficient-matching system (a term per tap and per "
                "target term)", sum(_size(element) + len(sp.Add.make_args(target))
                                    for element, target in pairs), TAP_SHARE,
                "read off affine indices")
    read = [(_element_taps(element, base, positions), target) for element, target in pairs]
    if any(taps is None for taps, _ in read):
        return None
    solution, equations = {}, 0
    names: dict = {}  # each distinct entry of the targets is named once
    for (taps, constants), target in read:
        terms = _target_terms(target, base, positions, names)
        if terms is None:
            return None
        coefficients, constant = terms
        found = _solve_channel(taps, constants, coefficients, constant)
        if isinstance(found, Outcome):
            return found
        if found is None or solution.keys() & found.keys():
            return None  # an unknown in two channels' systems: not one equation per unknown
        solution.update(found)
        equations += len(taps.keys() | coefficients.keys()) + 1
    verdicts = {u: _differs(value, expected.get(u, sp.S.Zero)) for u, value in solution.items()}
    verdicts.update({u: _differs(sp.S.Zero, value) for u, value in expected.items()
                     if u not in solution})  # a claimed weight of no tap
    differing = {_name(u): solution.get(u, sp.S.Zero) for u, v in verdicts.items() if v}
    if differing:
        return Outcome(Status.REFUTED, _TACTIC, "the system's solution differs",
                       counterexample=differing)
    undecided = [_name(u) for u, v in verdicts.items() if v is None]
    if undecided:
        return Outcome(Status.UNKNOWN, _TACTIC, f"the system's solution for {undecided[0]} "
                       "is not decided to equal the claimed one")
    return Outcome(Status.PROVED, _TACTIC,
                   f"unique solution of {equations} linear equations in {len(solution)} "
                   "unknowns (read off the affine indices of the taps)")


def _solve_channel(taps: dict, constants: list, coefficients: dict, constant: sp.Expr):
    """The solution of one channel's system (unknown → value), an Outcome when the system has
    none or is not decided, None when it is not one unknown per equation."""
    solution = {}
    for entry, unknown in taps.items():
        solution[unknown] = coefficients.get(entry, sp.S.Zero)
    for entry, coefficient in coefficients.items():
        if entry not in taps:  # 0 = coefficient: the layer never reads this entry
            verdict = _vanishes(coefficient, f"the coefficient of {_entry_text(entry)}")
            if verdict is not None:
                return verdict
    if len(constants) > 1 or set(constants) & set(solution):
        return None
    if constants:
        solution[constants[0]] = constant
    else:
        verdict = _vanishes(constant, "the constant term")
        if verdict is not None:
            return verdict
    return solution


def _vanishes(value: sp.Expr, what: str) -> Outcome | None:
    """None when ``value`` is 0; REFUTED (no solution) when surely not; else UNKNOWN."""
    if value == 0:
        return None
    if value.is_number and certainly_nonzero(value):
        return Outcome(Status.REFUTED, _TACTIC, f"no solution of the system: {what} is "
                       f"{value} on the target's side and 0 on the layer's",
                       counterexample={"system": "inconsistent"})
    return Outcome(Status.UNKNOWN, _TACTIC, f"{what} must be 0 for a solution: {value} is not "
                                            "decided")


def _differs(value: sp.Expr, expected: sp.Expr) -> bool | None:
    """True when the system's value and the claimed one surely differ, False when they are
    equal, None when ``simplify`` does not decide (never a refutation by itself)."""
    if value == expected:
        return False
    difference = sp.simplify(value - expected)
    if difference == 0:
        return False
    return True if difference.is_number and certainly_nonzero(difference) else None


def _name(unknown: tuple) -> str:
    base, indices = unknown
    return f"{base}[{', '.join(map(str, indices))}]"


def _entry_text(entry: tuple) -> str:
    channel, *rows = entry
    return f"the entry ({channel}, " + ", ".join(f"{a}·p + {c}" for a, c in rows) + ")"


def _linear_form(expr: sp.Expr, allowed: tuple[sp.Symbol, ...]) -> tuple[int, ...] | None:
    """``(c_0, c_1, …)`` with ``expr = c_0 + Σ c_k·allowed[k]`` exactly (integers), or None.
    Read off the terms as they stand (``as_coefficients_dict`` is exact), never expanded."""
    parts = expr.as_coefficients_dict()
    row = [0] * (len(allowed) + 1)
    where = {v: n + 1 for n, v in enumerate(allowed)}
    for key, value in parts.items():
        if not value.is_Integer or (key != 1 and key not in where):
            return None
        row[0 if key == 1 else where[key]] += int(value)
    return tuple(row)


def _size(element: sp.Expr) -> int:
    """The number of taps of an element formula, from its sums' ranges (before any work)."""
    total = 0
    for term in sp.Add.make_args(element):
        count = 1
        for limit in term.limits if isinstance(term, sp.Sum) else ():
            if len(limit) == 3 and limit[1].is_Integer and limit[2].is_Integer:
                count *= max(int(limit[2]) - int(limit[1]) + 1, 0)
        total += count
    return total


def _element_taps(element: sp.Expr, base: sp.IndexedBase, positions: tuple[sp.Symbol, ...]):
    """``({entry name: unknown}, [constant unknowns])`` of an element formula
    ``Σ_k Σ_{ranges} u_k[…]·base[…] + Σ constants``, or None when it is not of that form or an
    entry is read by two taps (then the system is not one unknown per equation)."""
    taps: dict = {}
    constants = []
    for term in sp.Add.make_args(element):
        if isinstance(term, sp.Indexed) and term.base != base:
            if not all(index.is_Integer for index in term.indices):
                return None
            constants.append((term.base, tuple(int(v) for v in term.indices)))
            continue
        read = _sum_taps(term, base, positions)
        if read is None:
            return None
        for entry, unknown in read:
            if entry in taps:
                return None
            taps[entry] = unknown
    if len(set(taps.values())) != len(taps):
        return None  # one weight on two entries
    return taps, constants


def _sum_taps(term: sp.Expr, base: sp.IndexedBase, positions: tuple[sp.Symbol, ...]):
    """The ``(entry name, unknown)`` of every tap of ``Σ_{ranges} u[…]·base[…]`` (or of the
    bare product), computed with integers from the affine indices; None if not of that form."""
    body, limits = (term.function, term.limits) if isinstance(term, sp.Sum) else (term, ())
    factors = sp.Mul.make_args(body)
    entries = [f for f in factors if isinstance(f, sp.Indexed) and f.base == base]
    weights = [f for f in factors if isinstance(f, sp.Indexed) and f.base != base]
    if len(factors) != 2 or len(entries) != 1 or len(weights) != 1:
        return None
    (entry,), (weight,) = entries, weights
    dummies = tuple(limit[0] for limit in limits)
    ranges = []
    for limit in limits:
        if len(limit) != 3 or not (limit[1].is_Integer and limit[2].is_Integer
                                   and limit[1] <= limit[2]):
            return None  # a symbolic or empty (Karr: negative) range is not read here
        ranges.append(range(int(limit[1]), int(limit[2]) + 1))
    if len(set(dummies)) != len(dummies) or set(dummies) & set(positions) or \
            len(entry.indices) != len(positions) + 1:
        return None
    # every index as an integer row over (1, dummies) — and its own position for a spatial one
    weight_rows = [_linear_form(index, dummies) for index in weight.indices]
    channel_row = _linear_form(entry.indices[0], dummies)
    spatial = [_linear_form(index, (own, *dummies))
               for own, index in zip(positions, entry.indices[1:])]
    if any(row is None for row in (*weight_rows, channel_row, *spatial)):
        return None
    found = []
    for values in itertools.product(*ranges) if ranges else [()]:
        point = (1, *values)
        unknown = (weight.base, tuple(_at(row, point) for row in weight_rows))
        name = (_at(channel_row, point), *((row[1], row[0] + _at(row[1:], (0, *values)))
                                           for row in spatial))
        found.append((name, unknown))
    return found


def _at(row: tuple[int, ...], point: tuple[int, ...]) -> int:
    """The affine row's value at ``point`` (its first coordinate is 1 for the constant)."""
    return sum(map(mul, row, point))


def _target_terms(target: sp.Expr, base: sp.IndexedBase, positions: tuple[sp.Symbol, ...],
                  names: dict):
    """``({entry name: coefficient}, constant)`` of a target linear in ``base`` with affine
    integer indices and coefficients free of the positions and of other arrays; None if not
    (after expanding once)."""
    for expand in (False, True):
        expr = sp.expand(target) if expand else target
        coefficients: dict = {}
        constant = sp.S.Zero
        for term in sp.Add.make_args(expr):
            read = _target_term(term, base, positions, names)
            if read is None:
                break
            name, coefficient = read
            if name is None:
                constant += coefficient
            else:
                coefficients[name] = coefficients.get(name, sp.S.Zero) + coefficient
        else:
            return {k: v for k, v in coefficients.items() if v != 0}, constant
    return None


def _target_term(term: sp.Expr, base: sp.IndexedBase, positions: tuple[sp.Symbol, ...],
                 names: dict):
    """``(entry name or None, coefficient)`` of one term ``c·base[…]`` or ``c``; None if not."""
    number, rest = term.as_coeff_Mul()
    if isinstance(rest, sp.Indexed) and rest.base == base:  # c·X[…], most terms
        entry, coefficient = rest, number
    else:
        factors = sp.Mul.make_args(rest)
        entries = [f for f in factors if isinstance(f, sp.Indexed) and f.base == base]
        if len(entries) > 1:
            return None
        coefficient = number * sp.Mul(*(f for f in factors if not (isinstance(f, sp.Indexed)
                                                                    and f.base == base)))
        if not coefficient.is_Rational and (coefficient.has(base, *positions)
                                            or coefficient.atoms(sp.Indexed)):
            return None  # not linear, or a coefficient that moves or reads another array
        if not entries:
            return None, coefficient
        (entry,) = entries
    name = names.get(entry, False)  # one look-up: comparing entries is not free
    if name is False:
        name = names[entry] = _entry_name(entry, positions)
    return None if name is None else (name, coefficient)


def _entry_name(entry: sp.Indexed, positions: tuple[sp.Symbol, ...]):
    """``(γ, (a, c), …)`` for ``base[γ, a·i + c, …]`` with integers, else None."""
    if len(entry.indices) != len(positions) + 1 or not entry.indices[0].is_Integer:
        return None
    name = [int(entry.indices[0])]
    for own, index in zip(positions, entry.indices[1:]):
        row = _linear_form(index, (own,))
        if row is None:
            return None
        name.append((row[1], row[0]))
    return tuple(name)
