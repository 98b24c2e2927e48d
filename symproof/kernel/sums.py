"""Sums rewritten by exact rules that are much cheaper than SymPy's general summation:
Kronecker deltas pin their index, and integer ranges are written out by substitution.

Why each rule is sound:

* ``Σ_{v=a}^{b} δ_{v,e}·f(v) = f(e)`` if ``a ≤ e ≤ b`` and 0 otherwise, for an integer ``e``
  that names no index of the sum: every other term has ``δ = 0``. When the condition cannot
  be decided it is kept as a ``Piecewise`` (which the context may settle later).
* ``Σ_{v=a}^{b} f(v) = f(a) + … + f(b)`` for integers ``a ≤ b + 1``: the definition of a
  finite sum. Ranges with ``b < a − 1`` follow Karr's convention in SymPy and are left to it.
* What the rules do not cover goes to SymPy's ``doit``, except sums whose deltas still
  involve their own index, which are kept (SymPy's delta summation is not always right).
"""

from __future__ import annotations

import itertools
import math

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

from ..limits import check

__all__ = ["expand_sums", "safe_doit", "rebinds", "rename_bound", "written_out", "pinned_value"]


def expand_sums(expr: sp.Basic, *, partial: bool = False, write_out: bool = True) -> sp.Basic:
    """Every sum rewritten by the rules above: deltas pinned, then the innermost limits with
    integer bounds written out term by term (not with ``write_out=False``). What is left is
    summed by :func:`safe_doit`, or, with ``partial``, kept as a sum (Σ_γ^C Σ_α^3 f stays a
    sum over γ of three terms). A sum these rules do not fit (a name bound twice, an inner sum
    binding the same name, bounds that are not integers, a reversed integer range) is left
    whole to SymPy.

    >>> from symproof.notation import X, alpha, gamma, i, l
    >>> expand_sums(sp.Sum(X[1, i + alpha], (alpha, 1, 3)))
    X[1, i + 1] + X[1, i + 2] + X[1, i + 3]
    >>> expand_sums(sp.Sum(sp.KroneckerDelta(l, gamma) * X[gamma, i], (gamma, 1, 3)))
    Piecewise((X[l, i], l <= 3), (0, True))
    """
    def rewritten(total: sp.Sum) -> sp.Basic:
        if not _fits(total):
            return total if partial else safe_doit(total)
        names = {v for v, _, _ in total.limits}
        terms = sp.Add.make_args(sp.expand(total.function, deep=False))
        if len(terms) > 1 and any(d.free_symbols & names for term in terms
                                  for d in term.atoms(sp.KroneckerDelta)):
            # Σ (a + b) = Σ a + Σ b: each term's deltas can then pin its own indices
            return sp.Add(*(rewritten(sp.Sum(term, *total.limits)) for term in terms))
        function, limits, wrappers = _pin_deltas(total.function, list(total.limits))
        if function is None:
            return sp.S.Zero
        body = expand_sums(function, partial=partial, write_out=write_out)
        ranges = []  # SymPy lists the innermost limit first
        for variable, low, high in limits if write_out else ():
            if not (low.is_Integer and high.is_Integer) or high < low - 1:
                break  # a range a pin made backwards (Σ_{u=v}^{1} at v = 3) is Karr's: SymPy's
            ranges.append((variable, range(int(low), int(high) + 1)))
        if ranges:
            check("expanded_terms", "a sum to write out", math.prod(len(r) for _, r in ranges))
            names = [v for v, _ in ranges]
            body = sp.Add(*(body.xreplace(dict(zip(names, map(sp.Integer, point))))
                            for point in itertools.product(*(r for _, r in ranges))))
        rest = limits[len(ranges):]
        if rest:
            body = sp.Sum(body, *rest)
            if not partial:
                body = safe_doit(body)
        for wrap in reversed(wrappers):  # the outermost pin's condition outermost
            body = wrap(body)
        return body

    return expr.replace(lambda e: isinstance(e, sp.Sum), rewritten)


def written_out(expr: sp.Basic, _written: list | None = None) -> sp.Basic:
    """Every sum whose outermost range has integer bounds written out by its definition, from
    the outside in (an inner range bounded by an outer index, ``Σ_{v=3}^{3} Σ_{t=v}^{1}``,
    becomes an integer range once ``v`` is written), Karr's convention for a backward range
    (``Σ_{a}^{b} = −Σ_{b+1}^{a−1}`` when ``b < a − 1``). For concrete values, where SymPy's
    ``doit`` gets such nested sums wrong (``Σ_{v=3}^{3} Σ_{t=v}^{1} δ_{2,t} g(t)`` came back 0,
    not −g(2)). A sum that rebinds its own index inside is left as it is."""
    written = [0] if _written is None else _written  # terms so far, nested sums included

    def one(total: sp.Sum) -> sp.Basic:
        *inner, (variable, low, high) = total.limits  # the outermost limit is the last
        body = sp.Sum(total.function, *inner) if inner else total.function
        if not (low.is_Integer and high.is_Integer) or rebinds(body, {variable}):
            return total
        sign, values = (1, range(int(low), int(high) + 1)) if high >= low - 1 else (
            -1, range(int(high) + 1, int(low)))
        written[0] += len(values)
        check("expanded_terms", "the sums written out", written[0])
        return sign * sp.Add(*(written_out(body.xreplace({variable: sp.Integer(k)}), written)
                               for k in values))

    return expr.replace(lambda e: isinstance(e, sp.Sum), one)


def _fits(total: sp.Sum) -> bool:
    """Whether the rules apply: every name bound once (SymPy merges Σ_t Σ_t into one sum with
    two limits named t), no inner sum, product or max rebinding one of them (a substitution
    would reach into it), integer bounds, and no reversed integer range (Karr's convention)."""
    names = [v for v, _, _ in total.limits]
    if len(set(names)) < len(names) or rebinds(total.function, set(names)):
        return False
    for _, low, high in total.limits:
        if low.is_integer is not True or high.is_integer is not True:
            return False
        if low.is_Integer and high.is_Integer and high < low - 1:
            return False
    return True


def rebinds(expr: sp.Basic, names: set) -> bool:
    """Whether some sum, product or max inside ``expr`` binds one of ``names``."""

    return any(limit[0] in names for node in expr.atoms(ExprWithLimits)
               for limit in node.limits)


def rename_bound(expr: sp.Basic, names: set) -> sp.Basic:
    """``expr`` with every index bound by a sum, product or max that is in ``names`` renamed
    to a fresh one (its assumptions kept), so that substituting an expression holding those
    names cannot be captured. Renaming a bound index changes nothing (α-equivalence).

    >>> k, n = sp.symbols("k n", integer=True, positive=True)
    >>> rename_bound(sp.Sum(k * sp.IndexedBase("x")[k], (k, 1, n)), {k})
    Sum(k_1*x[k_1], (k_1, 1, n))
    """
    names = {s for s in names if isinstance(s, sp.Symbol)}
    if not names:
        return expr
    taken = {s.name for s in expr.atoms(sp.Symbol)} | {s.name for s in names}

    def fresh(symbol: sp.Symbol) -> sp.Symbol:
        number = 1
        while f"{symbol.name}_{number}" in taken:
            number += 1
        taken.add(f"{symbol.name}_{number}")
        return sp.Symbol(f"{symbol.name}_{number}", **symbol.assumptions0)

    def renamed(node):
        limits = list(node.limits)
        function = node.function
        for n, (variable, low, high) in enumerate(limits):
            if variable not in names:
                continue
            new = fresh(variable)
            function = function.xreplace({variable: new})
            limits[n] = (new, low, high)
            for m in range(n):  # the limits inside this one may use it in their bounds
                v, a, b = limits[m]
                limits[m] = (v, a.xreplace({variable: new}), b.xreplace({variable: new}))
        return node.func(function, *limits)

    return expr.replace(lambda e: hasattr(e, "limits") and hasattr(e, "function") and any(
        v in names for v, *_ in e.limits), renamed)


def safe_doit(expr: sp.Basic) -> sp.Basic:
    """``expr.doit()``, except for the sums SymPy gets wrong, which are kept as they are: one
    whose Kronecker deltas still involve its own index (``Σ_v δ_{2v,n}``, a non-integer
    partner), and one whose range may run backwards (``Σ_{v=A}^{0} g(v)`` with A > 0 comes back
    as ``Σ_{v=A}^{0} −g(v)``: Karr's convention applied twice). A sum left unevaluated can only
    cost a proof, never make a wrong one."""
    return held(expr, lambda e: e.doit(), concrete=True)


def held(expr: sp.Basic, work, *, concrete: bool = False) -> sp.Basic:
    """``work(expr)`` with the sums SymPy would get wrong (see :func:`safe_doit`) held out of
    its reach: replaced by placeholders, then put back. ``simplify`` sums too, so it goes
    through here as well; it writes out a sum over integer bounds exactly, so those are held
    only with ``concrete`` (``doit``, whose delta rule ignores integrality)."""
    kept, inert = {}, {}
    for total in expr.atoms(sp.Sum):
        names = {v for v, _, _ in total.limits}
        deltas = any(d.free_symbols & names for d in total.function.atoms(sp.KroneckerDelta))
        backwards = any(sp.Ge(high, low - 1) != sp.true for _, low, high in total.limits)
        integral = all(b.is_Integer for _, low, high in total.limits for b in (low, high))
        captor = _captor(expr, total)
        if (deltas or backwards) and (concrete or not integral):
            # a placeholder is a constant to the work: a sum an enclosing Σ or Π binds a name
            # of is held with it (Π_n Σ_{k≤n} t_k would become (Σ_{k≤n} t_k)^m, n set free)
            kept[total if captor is None else captor] = sp.Dummy("held")
        elif concrete and captor is None and _inert(total):
            inert[total] = sp.Dummy("inert")
    if inert:  # kept out of SymPy's summation, which cannot sum them; their summands done
        kept.update(inert)
        inert = {dummy: sp.Sum(held(total.function, work, concrete=concrete), *total.limits)
                 for total, dummy in inert.items()}
    done = work(expr.xreplace(kept)) if kept else work(expr)
    return done.xreplace({dummy: inert.get(dummy, total) for total, dummy in kept.items()})


def _captor(expr: sp.Basic, total: sp.Basic) -> sp.Basic | None:
    """The outermost sum, product or integral of ``expr`` around ``total`` that binds a name
    ``total`` uses (free in it), or None."""
    captors = [outer for outer in expr.atoms(ExprWithLimits, sp.Product)
               if outer != total and outer.has(total)
               and total.free_symbols & {limit[0] for limit in outer.limits}]
    return max(captors, key=lambda outer: sum(1 for c in captors if outer.has(c)),
               default=None)


def _inert(total: sp.Sum) -> bool:
    """Whether SymPy's summation would give ``total`` back unchanged, at a cost (5 ms for
    ``Σ_{k=1}^{m} X_k/m²``): a sum over a symbolic range (its innermost, which SymPy sums
    first) of one term that holds that index inside an array entry or an undefined function,
    with no delta, branch or inner sum on it. One term only: SymPy telescopes a difference
    ``Σ (X_{k+1} − X_k)``. Holding a sum keeps an equal form, so this can only cost a proof."""
    variable, low, high = total.limits[0]
    function = total.function
    if (low.is_Integer and high.is_Integer) or isinstance(function, sp.Add):
        return False
    opaque = function.atoms(sp.Indexed, sp.core.function.AppliedUndef)
    if not any(variable in atom.free_symbols for atom in opaque):
        return False
    names = {v for v, _, _ in total.limits}
    return not any(node.free_symbols & names for node in function.atoms(
        sp.KroneckerDelta, sp.Piecewise, sp.Sum, sp.Product, sp.Derivative, sp.Subs))


def _pin_deltas(function: sp.Basic, limits: list) -> tuple[sp.Basic | None, list, list]:
    """Substitute every summation index pinned by a Kronecker-delta factor of ``function``
    (see :func:`expand_sums`); returns the new function (None when the sum is 0), the limits
    left, and for each pin a function that wraps the result in its condition.

    Karr's convention for a range written backwards (``b < a − 1``): Σ_{v=a}^{b} = −Σ_{v=b+1}^{a−1},
    so a pinned value ``e`` counts +1 when ``a ≤ e ≤ b``, −1 when ``b < e < a``, else 0."""
    wrappers = []
    names = {v for v, _, _ in limits}
    pinned = True
    while pinned:
        pinned = False
        for n, (variable, low, high) in enumerate(limits):
            partner = _partner(function, variable, names)
            if partner is None or (low.free_symbols | high.free_symbols) & names:
                continue
            forward = sp.And(sp.Le(low, partner), sp.Le(partner, high))
            # a backward range is only possible when high < low − 1 may hold
            backward = sp.false if sp.Ge(high, low - 1) == sp.true else sp.And(
                sp.Lt(high, partner), sp.Lt(partner, low))
            if forward == sp.false and backward == sp.false:
                return None, [], []
            wrappers.append(_wrapper(forward, backward))
            function = function.xreplace({variable: partner})
            # Only the limits inside this one (listed before it) can name its index in their
            # bounds; a name in an outer limit's bound is another symbol.
            limits = [(v, lo.xreplace({variable: partner}), hi.xreplace({variable: partner}))
                      if m < n else (v, lo, hi) for m, (v, lo, hi) in enumerate(limits)
                      if m != n]
            names.discard(variable)
            pinned = True
            break
    return function, limits, wrappers


def _wrapper(forward, backward):
    def wrap(body):
        if backward == sp.false:
            return body if forward == sp.true else sp.Piecewise((body, forward), (0, True))
        return sp.Piecewise((body, forward), (-body, backward), (0, True))
    return wrap


def _partner(function: sp.Basic, variable: sp.Symbol, names: set) -> sp.Expr | None:
    """``e`` when ``function`` has a factor ``δ_{variable,e}`` with ``e`` an integer that
    names no summation index; else None. Also read: ``δ_{x,y}`` with ``x − y = ±variable + c``
    (the delta pins ``variable = ∓c``), and such a delta inside a factor ``Σ_u g`` that binds
    neither ``variable`` nor a name of ``e`` (``Σ_v a(v) Σ_u δ_{v,e} b = Σ_v δ_{v,e} a(v) Σ_u b``:
    a factor free of ``u`` moves out of the sum over ``u``)."""
    for factor, bound in _factors(function, variable):
        if isinstance(factor, sp.KroneckerDelta) and factor.has(variable):
            other = pinned_value(factor, variable)
            if (other is not None and other.is_integer
                    and not other.free_symbols & (names | bound)):
                return other
    return None


def _factors(function: sp.Basic, variable: sp.Symbol, bound: frozenset = frozenset()):
    """The factors of ``function`` (with the names bound around them), and, recursively, those
    of the summand of a factor that is a sum not binding ``variable``, and of the one nonzero
    branch of a factor ``Piecewise((g, c), (0, True))`` (a factor of ``g`` is one of the
    whole: where ``c`` fails both sides are 0)."""
    for factor in sp.Mul.make_args(function):
        yield factor, bound
        if isinstance(factor, sp.Sum):
            names = {v for v, _, _ in factor.limits}
            if variable not in names:
                yield from _factors(factor.function, variable, bound | names)
        elif (isinstance(factor, sp.Piecewise) and len(factor.args) == 2
              and factor.args[1] == (0, True)):
            yield from _factors(factor.args[0].expr, variable, bound)


def pinned_value(delta: sp.KroneckerDelta, variable: sp.Symbol) -> sp.Expr | None:
    """The value of ``variable`` that makes the delta's two sides equal, when the difference
    of the sides is ``±variable + c`` with ``c`` free of ``variable``; else None (also for a
    delta with a range, δ_{i,j} restricted to i, j in a … b, which is 0 outside it)."""
    if len(delta.args) != 2:
        return None
    first, second = delta.args
    if (first == variable or second == variable) and not (first.has(variable)
                                                            and second.has(variable)):
        return second if first == variable else first
    # (δ_{v,−v}: v on both sides, read below from the difference 2v, slope 2: no pin; the
    # other side as the value would leave the bound v free)
    difference = sp.expand(first - second)
    slope = difference.coeff(variable)
    rest = sp.expand(difference - slope * variable)
    if slope not in (1, -1) or rest.has(variable):
        return None
    return -slope * rest
