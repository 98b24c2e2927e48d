"""Exact checks of identities that are linear in array entries, vectorised over every case.

A layer's element formula is a sum ``Σ c·A[idx]`` whose indices are affine in the output
position and the summation indices. Two such formulas agree at one output position iff, for
every array entry, their coefficients add up to the same number. This module decides that for
every position of a finite grid at once, at the level of indices: sums are never written out
as SymPy expressions; their index ranges become extra axes of integer arrays.

Why it is exact (a VERIFIED check, case by case): indices are computed in int64 arithmetic
(refused when they could overflow), coefficients are rationals scaled to integers by a common
denominator and summed in float64 only while every partial sum stays below 2^53, so each
position is decided exactly as ``expand(lhs − rhs) == 0`` would decide it. A refuting position
is confirmed symbolically before it is reported. Anything not of this form is left to the
case-by-case check (:func:`symproof.kernel.finite.exhaustive`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import sympy as sp

from ..errors import TooLargeError
from ..limits import check
from ..prose import Prose, prose
from .finite import differs
from .outcome import Outcome, Status
from .sums import expand_sums, rebinds

__all__ = ["exhaustive_linear"]


@dataclass(frozen=True)
class _Term:
    """``coefficient · Σ_{s ∈ ranges} base[rows · (1, grid variables, s)]``."""

    coefficient: sp.Rational
    base: object  # an IndexedBase, or None for a constant term
    rows: tuple[tuple[int, ...], ...]  # one affine row per index
    ranges: tuple[range, ...]  # of the term's own summation indices


def exhaustive_linear(lhs: sp.Expr, rhs: sp.Expr, grid: dict[sp.Symbol, range],
                      description: str | Prose, zero_outside: dict | None = None) -> Outcome | None:
    """``lhs = rhs`` checked exactly at every point of ``grid`` (every combination of the
    variables' values) when both sides are linear in array entries with affine integer
    indices; None when they are not (then check case by case). Variables that occur in
    coefficients (``δ_{lγ}``) are substituted one value at a time; the others are vectorised.
    ``zero_outside`` (base → upper bound of each index, integers or None) states the padding
    rule: an entry outside its array is 0 (its coefficient is dropped).

    >>> from symproof.notation import X, alpha, i
    >>> window = sp.Sum(X[1, 2 * i + alpha], (alpha, 0, 1))
    >>> exhaustive_linear(window, X[1, 2 * i] + X[1, 2 * i + 1], {i: range(1, 9)},
    ...                   "8 rows").status.name
    'VERIFIED'
    >>> exhaustive_linear(X[1, i], X[1, 9 - i], {i: range(1, 9)}, "8 rows").counterexample
    {'i': 1}
    """
    difference = lhs - rhs
    if rebinds(difference, set(grid)):
        return None  # a grid variable is also a summation index: substituting would reach it
    placeholder = sp.Dummy("entry")
    in_coefficients = difference.replace(lambda e: isinstance(e, sp.Indexed),
                                         lambda e: placeholder).free_symbols
    outer = [v for v in grid if v in in_coefficients]
    inner = {v: r for v, r in grid.items() if v not in in_coefficients}
    check("expanded_terms", f"{description} (cases substituted one by one)",
          math.prod(len(grid[v]) for v in outer))
    # The size of the whole check, from its first case, before any of the work.
    terms = _terms(difference.xreplace({v: sp.Integer(grid[v][0]) for v in outer if grid[v]}),
                   tuple(inner))
    if terms is None:
        return None
    try:
        check("check_entries", f"the exact check ({description})",
              sum(math.prod(len(r) for r in t.ranges) for t in terms)
              * math.prod(len(r) for r in grid.values()))
    except TooLargeError as refused:  # a corroboration too large to run: say so, not fail
        return Outcome(Status.UNKNOWN, "exhaustive check", f"not run: {refused}")
    total = 0
    for values in itertools.product(*(grid[v] for v in outer)):
        at = {v: sp.Integer(value) for v, value in zip(outer, values)}
        found = _vectorised(difference.xreplace(at), inner, zero_outside or {})
        if found is None:
            return None
        if isinstance(found, dict):
            point = {**at, **found}
            concrete = sp.expand(expand_sums(difference.xreplace(point)))
            if zero_outside:
                concrete = concrete.replace(
                    lambda e: isinstance(e, sp.Indexed) and _outside(e, zero_outside),
                    lambda e: sp.S.Zero)
            if differs(concrete):
                return Outcome(Status.REFUTED, "exhaustive check", description,
                               counterexample={str(k): v for k, v in point.items()})
            return None  # the vectorised reading disagrees with SymPy: decide case by case
        total += found
    return Outcome(Status.VERIFIED, "exhaustive check",
                   prose(description) + f": all {total} cases (exact, vectorised over indices)")


def _affine(index: sp.Expr, variables: tuple[sp.Symbol, ...]) -> tuple[int, ...] | None:
    """``(c_0, c_1, …)`` with ``index = c_0 + Σ c_v·v`` (integers), or None."""
    row = [0] * (len(variables) + 1)
    position = {v: n + 1 for n, v in enumerate(variables)}
    for term in sp.Add.make_args(sp.expand(index)):
        coefficient, rest = term.as_coeff_Mul()
        if not coefficient.is_Integer:
            return None
        if rest == 1:
            row[0] += int(coefficient)
        elif rest in position:
            row[position[rest]] += int(coefficient)
        else:
            return None
    return tuple(row)


def _terms(expr: sp.Expr, variables: tuple[sp.Symbol, ...]) -> list[_Term] | None:
    """``expr`` as a list of terms (see :class:`_Term`), or None if it is not linear in array
    entries with rational coefficients, affine indices and integer summation ranges."""
    found: list[_Term] = []

    def walk(e: sp.Expr, coefficient: sp.Rational, sums: list[tuple[sp.Symbol, range]]) -> bool:
        if isinstance(e, sp.Add):
            return all(walk(a, coefficient, sums) for a in e.args)
        if isinstance(e, sp.Mul):
            number, rest = e.as_coeff_Mul()
            if rest is e or not number.is_Rational:
                return False
            return walk(rest, coefficient * number, sums)
        if isinstance(e, sp.Sum):
            names = [v for v, _, _ in e.limits]
            if len(set(names)) < len(names) or rebinds(e.function, set(names)):
                return False  # a name bound twice: renaming would merge two indices
            inner = list(sums)
            renamed = {}
            for variable, low, high in e.limits:
                if not (low.is_Integer and high.is_Integer and high >= low - 1):
                    return False
                fresh = sp.Dummy(variable.name, integer=True)
                renamed[variable] = fresh
                inner.append((fresh, range(int(low), int(high) + 1)))
            return walk(e.function.xreplace(renamed), coefficient, inner)
        names = variables + tuple(v for v, _ in sums)
        ranges = tuple(r for _, r in sums)
        if e.is_Rational:
            found.append(_Term(coefficient * e, None, (), ranges))
            return True
        if isinstance(e, sp.Indexed):
            rows = [_affine(index, names) for index in e.indices]
            if any(row is None for row in rows):
                return False
            found.append(_Term(coefficient, e.base, tuple(rows), ranges))
            return True
        return False

    pinned = expand_sums(expr, partial=True, write_out=False)
    return found if walk(pinned, sp.S.One, []) else None


def _outside(entry: sp.Indexed, zero_outside: dict) -> bool:
    bounds = zero_outside.get(entry.base)
    return bounds is not None and any(
        index.is_Integer and (index < 1 or (upper is not None and index > upper))
        for index, upper in zip(entry.indices, bounds))


def _vectorised(difference: sp.Expr, grid: dict[sp.Symbol, range],
                zero_outside: dict) -> int | dict | None:
    """The number of grid points where ``difference`` vanishes identically if it does at all
    of them; the first point where it does not; or None when it is not of the handled form."""
    import numpy as np

    variables = tuple(grid)
    terms = _terms(difference, variables)
    if terms is None:
        return None
    axes = np.meshgrid(*(np.arange(r.start, r.stop, r.step, dtype=np.int64)
                         for r in grid.values()), indexing="ij")
    points = np.stack([np.ones(axes[0].size if axes else 1, dtype=np.int64),
                       *(a.ravel() for a in axes)], axis=1)  # (points, 1 + variables)
    count = points.shape[0]
    terms = [t for t in terms if t.coefficient != 0 and all(len(r) for r in t.ranges)]
    if not terms:
        return count
    scale = math.lcm(*(t.coefficient.q for t in terms))
    per_point = [math.prod(len(r) for r in t.ranges) for t in terms]
    if sum(abs(int(t.coefficient * scale)) * n for t, n in zip(terms, per_point)) >= 2**52:
        return None  # float64 sums below are exact only under 2^53
    largest = max(abs(v) for r in (*grid.values(), *(r for t in terms for r in t.ranges))
                  for v in (r.start, r.stop)) + 1
    if max((abs(c) for t in terms for row in t.rows for c in row), default=0) * largest * (
            len(variables) + max(len(t.ranges) for t in terms) + 1) >= 2**62:
        return None  # indices that could overflow int64 are left to the exact slow path
    width = max(len(t.rows) for t in terms)
    bases: dict = {}
    # Per term: its key columns split into a part from the grid (points × 1) and a part from
    # its own summation indices (1 × entries), added by broadcasting.
    prepared = []
    for t in terms:
        # an entry is its base and its rank: X[1, i] and X[1, i, 0] are different entries
        base = bases.setdefault((t.base, len(t.rows)), len(bases))
        sums = np.stack([a.ravel() for a in np.meshgrid(
            *(np.arange(r.start, r.stop, r.step, dtype=np.int64) for r in t.ranges),
            indexing="ij")], axis=1) if t.ranges else np.zeros((1, 0), dtype=np.int64)
        grid_rows = np.zeros((width, len(variables) + 1), dtype=np.int64)
        sum_rows = np.zeros((width, sums.shape[1]), dtype=np.int64)
        for d, row in enumerate(t.rows):
            grid_rows[d] = row[: len(variables) + 1]
            sum_rows[d] = row[len(variables) + 1:]
        bounds = zero_outside.get(t.base)
        if bounds is not None and not all(b is None or isinstance(b, int) for b in bounds):
            return None  # symbolic sizes: not for this vectorised reading
        prepared.append((base, grid_rows, sums @ sum_rows.T, int(t.coefficient * scale),
                         bounds))
    entries = sum(per_point)
    step = max(1, 2**20 // entries)  # chunks keep memory flat on large grids
    weights = np.concatenate([np.full(n, w, dtype=np.float64)
                              for (_, _, _, w, _), n in zip(prepared, per_point)])
    for start in range(0, count, step):
        chunk = points[start:start + step]
        size = chunk.shape[0]
        keys = np.empty((size, entries, width + 2), dtype=np.int64)
        keys[:, :, 0] = np.arange(size, dtype=np.int64)[:, None]
        at = 0
        live = np.ones((size, entries), dtype=bool)  # False: an entry in the zero padding
        for (base, grid_rows, from_sums, _, bounds), n in zip(prepared, per_point):
            keys[:, at:at + n, 1] = base
            keys[:, at:at + n, 2:] = (chunk @ grid_rows.T)[:, None, :] + from_sums[None, :, :]
            if bounds is not None:
                for d, upper in enumerate(bounds):
                    index = keys[:, at:at + n, d + 2]
                    live[:, at:at + n] &= (index >= 1) & (True if upper is None
                                                           else index <= upper)
            at += n
        group = _groups(keys.reshape(-1, width + 2))
        sums = np.bincount(group, weights=(np.tile(weights, size) * live.ravel()))
        if np.any(sums != 0):
            row = int(np.flatnonzero(np.isin(group, np.flatnonzero(sums)))[0]) // entries
            return {v: sp.Integer(int(c)) for v, c in zip(variables, chunk[row, 1:])}
    return count


def _groups(keys):
    """An id per distinct row of ``keys`` (int64): one integer key per row in mixed radix when
    the columns' spans allow it (a 1-D sort is far faster than sorting rows), rows otherwise."""
    import numpy as np

    low = keys.min(axis=0)
    spans = (keys.max(axis=0) - low + 1).tolist()
    if math.prod(spans) < 2**62:
        packed = np.zeros(keys.shape[0], dtype=np.int64)
        for column, span in enumerate(spans):
            packed = packed * span + (keys[:, column] - low[column])
        return np.unique(packed, return_inverse=True)[1].ravel()
    return np.unique(keys, axis=0, return_inverse=True)[1].ravel()
