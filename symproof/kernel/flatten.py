"""Rewrites of finite sums that backward formulas need: nested sums flattened into one sum over
independent ranges in a canonical order, a zero-padded entry's range condition dropped, and a
summation index reflected (floors are in :mod:`.floors`).

Why each is sound:

* ``flattened``: ``Σ_A f·(Σ_B g) = Σ_{A,B} f·g`` when ``f`` does not involve the indices of
  ``B`` (linearity of a finite sum; the inner indices are renamed to fresh ones first, so none
  captures an outer name), and a finite sum over independent ranges (no bound names another
  index of the sum) does not depend on the order of its limits (Fubini for finite sums). The
  canonical order sorts limits by their bounds only, never by the bound names, so two sums
  equal up to renaming and reordering are written alike.
* ``Σ_{v=a}^{b} δ_{v,e} f(v) = [a ≤ e ≤ b]·f(e)`` for an integer ``e`` free of ``v``, also
  when ``e`` names the sum's other indices (their ranges being independent of ``v``, the sum
  over ``v`` is innermost for each of their values).
* ``padded_branches``: ``Piecewise((t, c), (0, True))`` equals ``t`` when ``t`` has a factor
  ``e``, an entry of an array the context declares 0 outside its index range (the padding
  rule; not for a context whose outside value is −∞, max pooling's), such that "every index
  of ``e`` in its range" implies ``c`` (under the context): where
  ``c`` fails, ``e`` lies outside its range, so ``e = 0`` and ``t = 0``, the Piecewise's value.
  A condition that does not follow from ``e``'s range is kept (never dropped by guess).
* ``reflect``: ``α ↦ a + b − α`` maps ``a … b`` bijectively onto itself, so
  ``Σ_{α=a}^{b} h(α) = Σ_{α=a}^{b} h(a + b − α)``.
"""

from __future__ import annotations

import itertools

import sympy as sp

from .context import Context
from .outcome import Outcome, Status
from .sums import pinned_value, rebinds, rename_bound

__all__ = ["flattened", "padded_branches", "reflect", "cancel_renamed"]


def _independent(limits) -> bool:
    """No bound of a limit names an index of the same sum."""
    names = {v for v, _, _ in limits}
    return not any((low.free_symbols | high.free_symbols) & names for _, low, high in limits)


def _merged(total: sp.Sum) -> sp.Basic:
    """One level of flattening: ``Σ_A f·Σ_B g`` → ``Σ_{B,A} f·g`` (inner limits innermost)."""
    outer = {v for v, _, _ in total.limits}
    factors = sp.Mul.make_args(total.function)
    inner = [f for f in factors if isinstance(f, sp.Sum)]
    if len(inner) != 1:
        return total
    rest = sp.Mul(*(f for f in factors if f is not inner[0]))
    # fresh names for the inner indices: none may capture an outer or free name
    fresh = {v: sp.Dummy(v.name, integer=True) for v, _, _ in inner[0].limits}
    body = inner[0].function.xreplace(fresh)
    limits = [(fresh[v], low.xreplace(fresh), high.xreplace(fresh))
              for v, low, high in inner[0].limits]
    if rest.free_symbols & outer & {v for v, _, _ in inner[0].limits}:
        return total  # cannot happen for a well-formed sum; kept as it was if it does
    return sp.Sum(rest * body, *limits, *total.limits)


def _ordered(total: sp.Sum) -> sp.Basic:
    """Limits sorted by their bounds (not their names) when the ranges are independent; a
    range of one value ``Σ_{v=a}^{a} f = f(a)`` substituted."""
    if not _independent(total.limits):
        return total
    single = {v: low for v, low, high in total.limits if low == high}
    if single:
        rest = [lim for lim in total.limits if lim[0] not in single]
        body = total.function.xreplace(single)
        return _ordered(sp.Sum(body, *rest)) if rest else body
    return sp.Sum(total.function, *sorted(total.limits, key=lambda lim: (str(lim[1]),
                                                                          str(lim[2]))))


def _summed_out(total: sp.Sum, ctx: Context | None = None) -> sp.Basic:
    """``Σ_{v=a}^{b} δ_{v,e} f(v)`` summed out for every index ``v`` of a sum over independent
    ranges that a delta pins to an integer ``e`` free of ``v`` (``e`` may name the sum's other
    indices: for each of their values the inner sum over ``v`` is ``f(e)`` when
    ``a ≤ e ≤ b``, else 0). Only forward ranges (``b ≥ a − 1`` surely, or by ``ctx``)."""
    if not isinstance(total, sp.Sum) or not _independent(total.limits):
        return total
    function, limits, conditions = total.function, list(total.limits), []
    changed = True
    while changed:
        changed = False
        # an index that is a delta's own argument first (δ_{p, S(i−1)+α−P} pins p), then an
        # index of a zero-padded entry (G_{l,i,j}: the padding rule then drops the range
        # condition), then any index a delta pins linearly
        padded = {index for e in function.atoms(sp.Indexed)
                  if ctx is not None and e.base in ctx.zero_outside for index in e.indices}
        order = [(lim, True) for lim in limits] + sorted(
            ((lim, False) for lim in limits), key=lambda pair: pair[0][0] not in padded)
        for (variable, low, high), bare in order:
            partner = _pinned_to(function, variable, bare=bare)
            forward = sp.Ge(high, low - 1) == sp.true or (
                ctx is not None and ctx.implies(sp.Ge(high, low - 1)))
            if partner is None or partner.is_integer is not True or not forward:
                continue
            if rebinds(function, {variable} | partner.free_symbols):
                continue  # a factor Σ binding that name: a substitution would reach into it
            function = function.xreplace({variable: partner})
            conditions += [sp.Le(low, partner), sp.Le(partner, high)]
            limits = [lim for lim in limits if lim[0] != variable]
            changed = True
            break
    if not conditions:
        return total
    body = sp.Piecewise((function, sp.And(*conditions)), (0, True))
    summed = sp.Sum(body, *limits) if limits else body
    if ctx is None:
        return summed
    # the padding rule, before the branch is expanded and folded (on the sum: inside it, the
    # context's facts about a free name are not about a bound one)
    return padded_branches(_implied_dropped(summed, ctx), ctx)


def _implied_dropped(summed: sp.Basic, ctx: Context) -> sp.Basic:
    """The range conditions a sum-out wrote (``Piecewise((f, c_1 ∧ …), (0, True))``, possibly
    inside the sum left) without those the context implies: they hold wherever it does."""
    if isinstance(summed, sp.Sum):
        renamed, inner, back = ctx.inside(summed)
        done = sp.Sum(_implied_dropped(renamed.function, inner), *renamed.limits)
        return done.xreplace(back) if back else done
    if not isinstance(summed, sp.Piecewise):  # conditions all true already (a number pinned
        return summed  # inside its range): SymPy wrote the branch's value alone
    (value, condition), *rest = summed.args
    kept = [c for c in sp.And.make_args(condition) if not ctx.implies(c)]
    return sp.Piecewise((value, sp.And(*kept)), *rest)


def _pinned_to(function: sp.Basic, variable: sp.Symbol, *, bare: bool = False
               ) -> sp.Expr | None:
    """``e`` when ``function`` has a factor ``δ_{a,b}`` with ``a − b = ±(variable − e)``,
    ``e`` free of ``variable`` (the delta is 1 exactly when ``variable = e``); with ``bare``,
    only a delta with ``variable`` itself as an argument."""
    for factor in sp.Mul.make_args(function):
        if isinstance(factor, sp.KroneckerDelta) and not (bare and variable not in
                                                           factor.args[:2]):
            value = pinned_value(factor, variable)
            if value is not None:
                return value
    return None


def flattened(expr: sp.Basic, ctx: Context | None = None) -> sp.Basic:
    """``expr`` with every product of a factor and a nested sum merged into one sum, expanded
    over the sums' terms, and each sum's independent limits in a canonical order; indices a
    delta pins are summed out (their range condition dropped where ``ctx``'s padding rule
    makes it redundant).

    >>> from symproof.notation import G, w, i, k, l
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> a = sp.Sum(G[l] * sp.Sum(w[l, i], (i, 1, n)), (l, 1, 3))
    >>> b = sp.Sum(G[l] * w[l, i], (l, 1, 3), (i, 1, n))
    >>> cancel_renamed(flattened(a) - flattened(b))
    0
    """
    def split(total: sp.Sum) -> sp.Basic:
        terms = sp.Add.make_args(sp.expand(total.function, deep=False))
        if len(terms) > 1:
            return sp.Add(*(sp.Sum(t, *total.limits) for t in terms))
        return total

    expr = expr.replace(lambda e: isinstance(e, sp.Sum), split)
    for _ in range(8):  # each round merges one level of nesting
        merged = expr.replace(lambda e: isinstance(e, sp.Sum), _merged)
        if merged == expr:
            break
        expr = merged
    expr = expr.replace(lambda e: isinstance(e, sp.Sum), _ordered)
    expr = expr.replace(lambda e: isinstance(e, sp.Sum), lambda e: _summed_out(e, ctx))
    # an entry's indices expanded (S(i − 1) + 1 and Si − S + 1 name one entry)
    entries = {e: e.base[tuple(sp.expand(i) for i in e.indices)]
               for e in expr.atoms(sp.Indexed)}
    return expr.xreplace(entries)


def padded_branches(expr: sp.Basic, ctx: Context) -> sp.Basic:
    """Every ``Piecewise((t, c), (0, True))`` whose condition ``c`` follows from the index
    range of a zero-padded entry that is a factor of ``t``, replaced by ``t`` (see the module
    docstring). Inside a sum its index is known to lie in the summation range."""
    if not ctx.zero_outside or ctx.outside_value != 0 or not expr.has(sp.Piecewise):
        return expr  # (max pooling pads with −∞: an entry outside is −∞ there, not 0)
    if isinstance(expr, sp.Sum):
        renamed, inner, back = ctx.inside(expr)
        done = sp.Sum(padded_branches(renamed.function, inner), *renamed.limits)
        return done.xreplace(back) if back else done
    if isinstance(expr, sp.Piecewise):
        expr = sp.Piecewise(*((padded_branches(e, ctx), c) for e, c in expr.args))
        if len(expr.args) == 2 and expr.args[1] == (0, True):
            value, condition = expr.args[0]
            if _padding_implies(value, condition, ctx):
                return value
        return expr
    if not expr.args:
        return expr
    return expr.func(*(padded_branches(a, ctx) for a in expr.args))


def _padding_implies(value: sp.Expr, condition: sp.Basic, ctx: Context) -> bool:
    """Whether some factor of ``value`` is an entry of a zero-padded array whose in-range
    conditions imply ``condition`` (under the context)."""
    for factor in sp.Mul.make_args(value):
        bounds = (ctx.zero_outside.get(factor.base) if isinstance(factor, sp.Indexed)
                  else None)
        if bounds is None or len(bounds) != len(factor.indices):
            continue
        inside = [sp.Le(1, index) for index in factor.indices]
        inside += [sp.Le(index, upper) for index, upper in zip(factor.indices, bounds)
                   if upper is not None]
        if ctx.extended(*inside).implies(condition):
            return True
    return False


def reflect(total: sp.Sum, variable: sp.Symbol) -> tuple[sp.Sum, Outcome]:
    """``Σ_{α=a}^{b} h(α) = Σ_{α=a}^{b} h(a + b − α)`` for one limit ``variable`` of ``total``
    whose bounds do not name another index of the sum."""
    limits = list(total.limits)
    names = {v for v, _, _ in limits}
    for n, (variable_, low, high) in enumerate(limits):
        if variable_ == variable and not ((low.free_symbols | high.free_symbols) & names):
            image = {variable: low + high - variable}
            # an inner sum binding α or a name of a + b − α is renamed first (no capture), and
            # the limits inside this one (listed before it) see α in their bounds: mirrored too
            function = rename_bound(total.function, {variable} | (low + high).free_symbols)
            inner = [(v, lo.xreplace(image), hi.xreplace(image)) for v, lo, hi in limits[:n]]
            return sp.Sum(function.xreplace(image), *inner, *limits[n:]), Outcome(
                Status.PROVED, "reflection",
                f"{variable} ↦ {low + high - variable} maps {low} … {high} onto itself")
    raise ValueError(f"{variable} is not an index of the sum with bounds free of its indices")


#: How many renamings of tied indices ``cancel_renamed`` tries for one pair of sums.
RENAMINGS = 720


def cancel_renamed(expr: sp.Basic) -> sp.Basic:
    """``expr`` (a sum of terms) without the pairs ``Σ f`` and ``−Σ g`` over independent
    ranges that are equal up to renaming indices of the same range (see the module
    docstring); the rest unchanged."""
    terms = list(sp.Add.make_args(expr))
    plus = [n for n, t in enumerate(terms) if isinstance(t, sp.Sum)]
    minus = [n for n, t in enumerate(terms) if isinstance(-t, sp.Sum) and n not in plus]
    gone: set = set()
    for a in plus:
        for b in minus:
            if b in gone or a in gone:
                continue
            first, second = terms[a], -terms[b]
            if not (_independent(first.limits) and _independent(second.limits)):
                continue
            ours = {v for v, _, _ in first.limits}
            if ours & (second.function.free_symbols - {v for v, _, _ in second.limits}):
                continue  # a renaming onto our indices would capture a free name of theirs
            # ranges compared as expressions (two symbols may print alike)
            groups: dict = {}
            for v, lo, hi in first.limits:
                groups.setdefault((lo, hi), []).append(v)
            theirs: dict = {}
            for v, lo, hi in second.limits:
                theirs.setdefault((lo, hi), []).append(v)
            if {k: len(v) for k, v in groups.items()} != {k: len(v) for k, v in theirs.items()}:
                continue
            target = sp.expand(first.function)
            keys = list(groups)
            choices = [list(itertools.permutations(groups[k])) for k in keys]
            for choice in itertools.islice(itertools.product(*choices), RENAMINGS):
                mapping = {u: v for k, chosen in zip(keys, choice)
                           for u, v in zip(theirs[k], chosen)}
                if sp.expand(second.function.xreplace(mapping)) == target:
                    gone |= {a, b}
                    break
    return sp.Add(*(t for n, t in enumerate(terms) if n not in gone))
