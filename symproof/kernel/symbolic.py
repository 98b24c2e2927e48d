"""Symbolic tactics: each returns an ``Outcome`` and is PROVED only by a symbolic argument.

Why each is sound:

* ``identity``: ``lhs − rhs`` is rewritten by equivalences only (``doit`` of sums and deltas,
  branches the context settles, entries outside an array the context says is 0 there (the
  padding rule of DESIGN.md), expansion, SymPy's ``simplify``); if the result is 0 the two
  sides are equal for every value the symbols may take. If it is not 0 nothing is concluded
  from that; a counterexample search (exact values) may then refute the claim.
  A product of Kronecker deltas that pin one index to two different numbers
  (``δ_{1,l} δ_{2,l}``) is 0 for every ``l``; such terms are dropped before ``simplify``,
  which finds that slowly, if at all. Branches are folded out of a sum only when their
  conditions do not name its index (SymPy's ``piecewise_fold`` would move them anyway).
* assumed totals (``Σ_k t_k = 1`` in the context) are replaced by their value: see
  :mod:`.totals` for why that is sound.
* ``collapse_deltas``: ``Σ_{γ=a}^{b} δ_{lγ} f(γ) = f(l)`` when the context implies
  ``a ≤ l ≤ b`` (SymPy's ``doit`` gives the ``Piecewise`` on that range; the context settles it).
* ``divisible_floor``: ``k | m`` means ``m = k·q`` for an integer ``q ≥ 1``; substituting that
  is exact, and ``⌊n + r⌋ = n + ⌊r⌋`` for integer ``n`` removes the floor.
* ``case_split``: a claim that holds under ``c`` and under ``¬c`` holds; each branch is decided
  by ``identity`` in the context extended with its condition.
* ``reindex``: ``β = α + c`` maps ``a … b`` bijectively onto ``a+c … b+c``, so the sum is
  unchanged (SymPy's ``change_index`` with a unit-slope shift).
* ``split_sum`` / ``merge_sums``: ``Σ_{a}^{b} = Σ_{a}^{s} + Σ_{s+1}^{b}`` whenever
  ``a − 1 ≤ s ≤ b`` (the ranges partition ``a … b``); that condition must follow from the
  context, else the step is UNKNOWN.
"""

from __future__ import annotations

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

from ..prose import Prose
from ..shapes import simplify_size
from .context import Context
from .finite import counterexample
from .flatten import cancel_renamed, flattened, padded_branches
from .outcome import Outcome, Status
from .sums import expand_sums, held, safe_doit
from .totals import rewrite_totals

__all__ = ["normalize", "identity", "collapse_deltas", "divisible_floor", "case_split",
           "reindex", "split_sum", "merge_sums"]


def _from_one(total: sp.Sum) -> sp.Sum:
    """The same sum with every index shifted to start at 1 (a canonical form; see reindex),
    and, when no bound depends on another index, its limits in a canonical order (finite
    sums over independent ranges commute)."""
    for variable, low, _ in total.limits:
        if low != 1:
            total = total.change_index(variable, variable + 1 - low, variable)
    variables = {v for v, _, _ in total.limits}
    if not any((low.free_symbols | high.free_symbols) & variables
               for _, low, high in total.limits):
        total = sp.Sum(total.function, *sorted(total.limits, key=lambda lim: str(lim[0])))
    return total


def _deltas_first(total: sp.Sum) -> sp.Sum:
    """The same sum with the indices that a Kronecker delta pins innermost (SymPy's ``doit``
    works from the innermost limit out, and stops at a symbolic bound it cannot sum), when no
    bound depends on another index."""
    variables = {v for v, _, _ in total.limits}
    if any((low.free_symbols | high.free_symbols) & variables for _, low, high in total.limits):
        return total
    pinned = {s for d in total.function.atoms(sp.KroneckerDelta) for s in d.free_symbols}
    limits = sorted(total.limits, key=lambda lim: lim[0] not in pinned)
    return sp.Sum(total.function, *limits)


def _collapse(expr: sp.Basic) -> sp.Basic:
    """``doit`` after moving delta-pinned indices innermost; limits with integer bounds are
    written out by substitution first (the same terms, far cheaper than SymPy's summation)."""
    ordered = expr.replace(lambda e: isinstance(e, sp.Sum), _deltas_first)
    return safe_doit(expand_sums(ordered, partial=True))


def _canonical_dummies(expr: sp.Basic, depth: int = 0) -> sp.Basic:
    """Rename every summation index after its nesting depth (bound names do not matter), so
    that ``Σ_k a_k`` and ``Σ_m a_m`` become the same expression."""
    if not expr.args:
        return expr
    if isinstance(expr, sp.Sum):
        renamed = {}
        for n, (variable, _, _) in enumerate(expr.limits):
            renamed[variable] = sp.Symbol(f"_sum{depth}_{n}", integer=True)
        body = _canonical_dummies(expr.function.xreplace(renamed), depth + 1)
        # a limit's bounds see the indices of the limits outside it (later in the list), and
        # only those: Σ_{k=1}^{j} Σ_{j=1}^{n} renames j in k's bounds too
        limits = []
        for n, (v, low, high) in enumerate(expr.limits):
            outer = {u: renamed[u] for u, _, _ in expr.limits[n + 1:]}
            limits.append((renamed[v], low.xreplace(outer), high.xreplace(outer)))
        return sp.Sum(body, *limits)
    return expr.func(*(_canonical_dummies(a, depth) for a in expr.args))


def _readable_dummies(expr: sp.Basic) -> sp.Basic:
    """Give the canonical bound indices readable names (k, m, r, …) that are not free."""
    taken = {s.name for s in expr.free_symbols}
    names = (n for n in ("k", "m", "r", "s", "t", "u", "v", "k_2", "m_2", "r_2") if n not in taken)
    canonical = sorted({s for s in expr.atoms(sp.Symbol) if s.name.startswith("_sum")}, key=str)
    return expr.xreplace({s: sp.Symbol(next(names), integer=True, positive=True)
                          for s in canonical})


# Atoms that simplify treats as independent unknowns (it knows δ² = δ, which SymPy applies
# on construction).
_OPAQUE = (sp.Symbol, sp.Indexed, sp.core.function.AppliedUndef, sp.KroneckerDelta, sp.floor,
           sp.ceiling)


def _expanded_polynomial(expr: sp.Basic) -> bool:
    """Whether ``expr`` (expanded) is a polynomial with rational coefficients in opaque
    atoms: then it is already in canonical form, and ``simplify`` (which costs seconds on a
    large one) could not make a nonzero one 0. Skipping it can only cost a proof, never make
    a wrong one: a difference left nonzero is never taken as a refutation."""
    if isinstance(expr, _OPAQUE) or expr.is_Rational:
        return True
    if isinstance(expr, (sp.Add, sp.Mul)):
        return all(_expanded_polynomial(a) for a in expr.args)
    if isinstance(expr, sp.Pow):  # a negative power of an atom too: m/k − ⌊m/k⌋ is canonical
        return (expr.exp.is_Integer and expr.exp != 0 and isinstance(expr.base, _OPAQUE)
                and not isinstance(expr.base, sp.KroneckerDelta))
    return False


def _without_exclusive_deltas(expr: sp.Basic) -> sp.Basic:
    """An expanded sum without its terms that hold two Kronecker deltas pinning one index to
    values a nonzero number apart (``δ_{1,l} δ_{2,l} = 0``)."""
    if not expr.has(sp.KroneckerDelta):
        return expr
    terms = sp.Add.make_args(expr)
    kept = [term for term in terms if not _exclusive(term)]
    return expr if len(kept) == len(terms) else sp.Add(*kept)


def _exclusive(term: sp.Basic) -> bool:
    # only the two compared arguments (a third is SymPy's delta_range, not an index)
    pairs = [f.args[:2] for f in sp.Mul.make_args(term) if isinstance(f, sp.KroneckerDelta)]
    for n, first in enumerate(pairs):
        for second in pairs[n + 1:]:
            for shared in set(first) & set(second):
                a = first[1] if first[0] == shared else first[0]
                b = second[1] if second[0] == shared else second[0]
                # a rational gap, not merely a number: cos²(1) + sin²(1) − 1 is a number
                # that is 0 but is not written 0
                if (a - b).is_Rational and (a - b) != 0:
                    return True
    return False


def normalize(expr: sp.Basic, ctx: Context, *, simplify: bool = True) -> sp.Basic:
    """``expr`` rewritten by equivalences under the context, towards a canonical form.

    Each round sums out what it can, settles the branches the context decides, shifts sums to
    start at 1, names bound indices canonically and expands; rounds repeat until nothing
    changes (a collapse can expose a branch the context settles, and vice versa). SymPy's
    ``simplify`` runs last, unless ``simplify=False`` (a cheaper form for display).
    """
    for _ in range(4):
        before = expr
        # an assumed total (Σ_k t_k = 1) replaced by its value: see totals.py
        expr = rewrite_totals(ctx.resolve(_collapse(expr)), ctx)
        expr = padded_branches(expr, ctx)
        if ctx.zero_outside:  # the padding rule: an entry outside its array is known
            # (an entry indexed by a summation index is outside for no value of it that the
            # context could know: not asked, which only spares work)
            bound = {v for total in expr.atoms(sp.Sum) for v, _, _ in total.limits}
            expr = expr.replace(lambda e, bound=bound: isinstance(e, sp.Indexed)
                                and not (e.free_symbols & bound) and ctx.outside(e),
                                lambda e: ctx.outside_value)
        expr = expr.replace(lambda e: isinstance(e, sp.Sum), _from_one)
        expr = _without_exclusive_deltas(ctx.resolve(sp.expand(_canonical_dummies(expr))))
        if expr == 0:
            return expr
        if expr == before:
            break
    if simplify and not _expanded_polynomial(expr):  # simplify sums too, not those SymPy
        # gets wrong
        expr = ctx.resolve(held(expr, _simplified))
    return _readable_dummies(_canonical_dummies(expr))


def _merged_sums(expr: sp.Basic) -> sp.Basic:
    """An expanded sum with its sums over the same limits merged into one, constants moved
    inside (``c·Σ_L f + Σ_L g = Σ_L (c f + g)``, for ``c`` free of the indices of ``L``), each
    merged summand expanded and rid of exclusive deltas; a summand that cancels to 0 is
    dropped. Equal by linearity of a finite sum over one range; canonical dummies make equal
    ranges compare equal."""
    groups: dict[tuple, list[sp.Basic]] = {}
    rest = []
    for term in sp.Add.make_args(expr):
        factors = sp.Mul.make_args(term)
        sums = [f for f in factors if isinstance(f, sp.Sum)]
        if len(sums) == 1:
            constant = sp.Mul(*(f for f in factors if f is not sums[0]))
            if not constant.free_symbols & {v for v, _, _ in sums[0].limits}:
                groups.setdefault(sums[0].limits, []).append(constant * sums[0].function)
                continue
        rest.append(term)
    if not any(len(terms) > 1 for terms in groups.values()):
        return expr
    for limits, terms in groups.items():
        summand = _without_exclusive_deltas(sp.expand(sp.Add(*terms)))
        if summand != 0:
            rest.append(sp.Sum(summand, *limits))
    return sp.Add(*rest)


def _simplified(expr: sp.Basic) -> sp.Basic:
    """SymPy's ``simplify`` of the folded branches; a branch that expands to a polynomial in
    opaque atoms is already canonical and is only expanded (``simplify`` of a sum of many
    branches cost seconds). Branches are simplified one by one, smallest first, up to the
    first that stays nonzero: the whole is then not shown to be 0, whatever the others give
    (the others are left expanded, which is still an equal form)."""
    folded = _folded(expr)
    if not isinstance(folded, sp.Piecewise):
        return _simplified_branch(folded)
    branches = [(_merged_sums(_without_exclusive_deltas(sp.expand(e))), c)
                for e, c in folded.args]
    for n in sorted(range(len(branches)), key=lambda n: sp.count_ops(branches[n][0])):
        e, c = branches[n]
        branches[n] = (_simplified_branch(e), c)
        if branches[n][0] != 0:
            break
    return sp.Piecewise(*branches)


def _folded(expr: sp.Basic) -> sp.Basic:
    """SymPy's ``piecewise_fold``, except that a sum (or max) whose summand has a branch on its
    own index is held out of it: the fold moves a Piecewise out of a sum whatever its
    condition, so ``Σ_{k=1}^{2n} [k ≤ n]·(−1)^k x`` became ``Piecewise((Σ_{k=1}^{2n} (−1)^k x,
    k ≤ n), …)``, a condition on an index no longer bound, and a sum that is 0."""
    kept = {}
    for total in expr.atoms(ExprWithLimits):
        names = {limit[0] for limit in total.limits}
        if any(condition.free_symbols & names
               for branch in total.function.atoms(sp.Piecewise) for _, condition in branch.args):
            kept[total] = sp.Dummy("held")
    if not kept:
        return sp.piecewise_fold(expr)
    return sp.piecewise_fold(expr.xreplace(kept)).xreplace({d: t for t, d in kept.items()})


def _simplified_branch(expr: sp.Basic) -> sp.Basic:
    expr = _merged_sums(_without_exclusive_deltas(sp.expand(expr)))
    if _expanded_polynomial(expr):
        return expr
    try:
        return sp.simplify(sp.factor_terms(expr))
    except StopIteration:  # SymPy's sum_simplify fails on some sums of quotients (a nonzero
        # difference of softmax terms): the expression stays as it is, equal and not shown 0
        return expr


def identity(lhs: sp.Expr, rhs: sp.Expr, ctx: Context | None = None, *,
             tactic: str = "symbolic identity", search: bool = True,
             sums_first: bool = False) -> Outcome:
    """Prove ``lhs = rhs`` for all values, refute it with exact values, or say UNKNOWN.
    ``sums_first``: first try the sides as flat sums matched up to renaming (flatten.py),
    which spares SymPy's summation of large concrete sums when they cancel that way."""
    ctx = ctx or Context()
    lhs, rhs = (sp.Integer(v) if isinstance(v, int) else v for v in (lhs, rhs))
    if sums_first and cancel_renamed(_canonical_dummies(flattened(lhs - rhs, ctx))) == 0:
        return Outcome(Status.PROVED, tactic, "the difference simplifies to 0")
    difference = normalize(lhs - rhs, ctx)
    if difference != 0 and difference.has(sp.Sum):
        # nested sums and limits in another order: one flat sum per term, limits ordered by
        # their ranges (flatten.py says why that is an equal form), from the sides as given
        # (normalizing first may write a channel sum out term by term)
        difference = normalize(cancel_renamed(_canonical_dummies(flattened(lhs - rhs, ctx))), ctx)
    if difference == 0:
        return Outcome(Status.PROVED, tactic, "the difference simplifies to 0")
    if search:
        found = counterexample(lhs, rhs, ctx)
        if found.status is Status.REFUTED:
            return found
    return Outcome(Status.UNKNOWN, tactic, f"difference left: {difference}")


def collapse_deltas(expr: sp.Basic, ctx: Context) -> tuple[sp.Basic, Outcome]:
    """Sum out every Kronecker delta whose index range the context settles."""
    collapsed = ctx.resolve(_collapse(expr))
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
    if not (m.is_positive and k.is_positive):  # else m = 0 or a negative multiple is missed
        return Outcome(Status.UNKNOWN, "floor with divisibility",
                       f"{m} = {k}·{q} with {q} ≥ 1 needs {m} > 0 and {k} > 0")
    written = {m: k * q}
    difference = simplify_size(lhs.xreplace(written)) - simplify_size(rhs.xreplace(written))
    outcome = identity(difference, sp.S.Zero, ctx, tactic="floor with divisibility",
                       search=False)
    if outcome.status is Status.PROVED:
        outcome = Outcome(Status.PROVED, outcome.tactic, f"k | m: write {m} = {k}·{q} with "
                          f"integer {q} ≥ 1; ⌊n + r⌋ = n + ⌊r⌋")
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
    (first, _), (second, _) = branches
    return Outcome(Status.PROVED, "case split", Prose("both cases ", first, " and ", second,
                                                      " reduce to an identity"))


def _single(total: sp.Sum) -> tuple[sp.Expr, sp.Symbol, sp.Expr, sp.Expr]:
    if not isinstance(total, sp.Sum) or len(total.limits) != 1:
        raise ValueError("expected a Sum over one index")
    (variable, low, high), = total.limits
    return total.function, variable, low, high


def reindex(total: sp.Sum, shift: sp.Expr, new: sp.Symbol | None = None) -> tuple[sp.Sum,
                                                                                 Outcome]:
    """``Σ_{α=a}^{b} f(α) = Σ_{β=a+c}^{b+c} f(β − c)``: the new index is ``β = α + c``."""
    _, variable, _, _ = _single(total)
    shifted = total.change_index(variable, variable + shift, new or variable)
    return shifted, Outcome(Status.PROVED, "reindex",
                            f"new index {variable} + {shift}: a bijection of the ranges")


def split_sum(total: sp.Sum, at: sp.Expr, ctx: Context | None = None) -> tuple[sp.Expr, Outcome]:
    """``Σ_{a}^{b} f = Σ_{a}^{at} f + Σ_{at+1}^{b} f`` when ``a − 1 ≤ at ≤ b``."""
    ctx = ctx or Context()
    function, variable, low, high = _single(total)
    parts = sp.Add(sp.Sum(function, (variable, low, at)), sp.Sum(function, (variable, at + 1,
                                                                            high)),
                   evaluate=False)
    if ctx.implies(sp.And(sp.Le(low - 1, at), sp.Le(at, high))):
        return parts, Outcome(Status.PROVED, "split sum",
                              f"{low} … {at} and {at + 1} … {high} partition {low} … {high}")
    return parts, Outcome(Status.UNKNOWN, "split sum",
                          f"cannot show {low - 1} ≤ {at} ≤ {high} from the assumptions")


def merge_sums(first: sp.Sum, second: sp.Sum, ctx: Context | None = None) -> tuple[sp.Expr,
                                                                                    Outcome]:
    """``Σ_{a}^{s} f + Σ_{s+1}^{b} f = Σ_{a}^{b} f`` (the same summand, adjacent ranges)."""
    ctx = ctx or Context()
    f1, v1, a, s = _single(first)
    f2, v2, s1, b = _single(second)
    if sp.simplify(f1 - f2.xreplace({v2: v1})) != 0 or sp.simplify(s1 - s - 1) != 0:
        return first + second, Outcome(Status.UNKNOWN, "merge sums",
                                       "different summands or ranges that do not meet")
    merged = sp.Sum(f1, (v1, a, b))
    if ctx.implies(sp.And(sp.Le(a - 1, s), sp.Le(s, b))):
        return merged, Outcome(Status.PROVED, "merge sums", f"{a} … {s} and {s + 1} … {b} "
                                                              f"partition {a} … {b}")
    return merged, Outcome(Status.UNKNOWN, "merge sums",
                           f"cannot show {a - 1} ≤ {s} ≤ {b} from the assumptions")
