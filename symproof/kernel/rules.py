"""The kernel's structural rules: substitution of definitions, differentiation, a negative
claim shown by its counterexample, exact numbers that differ, the max over a window commuting
with a nondecreasing function, induction from a checked base and step, and coefficient
matching for synthesised kernels.

Why each is sound:

* ``substitution``: the kernel itself replaces every entry ``w[…]`` by the body of its
  definition (the definition's index symbols bound to the entry's indices), then decides
  ``before-with-definitions = after`` by :func:`~symproof.kernel.symbolic.identity`: the step is
  exactly as strong as that identity, relative to the definitions (which the proof states,
  GIVEN).
* ``derivative``: the kernel differentiates with SymPy's ``diff`` (exact) and decides the
  claimed result against it by ``identity``. A function named ``f'`` denotes the derivative of
  ``f`` (the notation of the course); SymPy's ``Subs(Derivative(f(ξ), ξ), ξ, u)`` is written so.
* ``fails``: a counterexample search (exact values that respect the context) finding one
  proves that the claim does not hold in general (a step that *asserts* a failure).
* ``differ``: two exact numbers that are surely different (:func:`certainly_nonzero`) show,
  VERIFIED on that instance, that the two sides differ.
* ``max_commutes``: for σ nondecreasing, σ(max(a, b)) = max(σ(a), σ(b)) (proved here by a case
  split), and a max over a finite nonempty window is an iterated binary max, so induction on
  the number of entries (base: one entry; step: the lemma) gives σ(max_W f) = max_W σ(f). The
  rule checks the claim has exactly that shape, the window's ranges are nonempty and σ is
  assumed nondecreasing.
* ``induction``: from a base and a step that the kernel itself PROVED (sealed outcomes), the
  claim stated for every n ≥ base follows.
* ``coefficient_matching``: a linear system solved exactly (read off when every equation has
  one unknown, else ``linsolve``); the claimed solution is PROVED unique when the system has
  exactly it, REFUTED (with the differing unknown) otherwise.
* ``distinct_taps``: in a convolution with dilation D ≥ 1 the tap (γ, α, β) reads
  ``X[γ, S(i−1)+D(α−1)+1−P, …]``, injective in (γ, α, β); so the weight of a tap is the
  coefficient of its entry and a kernel realising a stencil is unique.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from ..prose import Prose, listed, prose
from ..reductions import MaxOver
from .context import Context
from .finite import certainly_nonzero, counterexample
from .outcome import Outcome, Status
from .sums import expand_sums, rename_bound
from .symbolic import case_split, identity

__all__ = ["instantiate", "substituted", "substitution", "differentiated", "derivative",
           "write_primes", "fails",
           "differ", "max_commutes", "induction", "coefficient_matching", "distinct_taps",
           "unreachable", "same_shape"]


def instantiate(expr: sp.Basic, definitions: Iterable[sp.Eq]) -> sp.Basic:
    """``expr`` with every array entry that a definition covers replaced by its body.

    A definition is ``Eq(w[l, γ, α, β], body)``: its indices are either symbols (bound to the
    entry's indices) or fixed values the entry must have; ``Eq(k, 2)`` gives a symbol a value.

    >>> from symproof.notation import w, b, l, gamma, alpha, beta
    >>> instantiate(w[1, 2, 3, 3] + b[2], [sp.Eq(w[l, gamma, alpha, beta],
    ...                                          sp.KroneckerDelta(l, gamma)), sp.Eq(b[l], 0)])
    0
    """
    definitions = list(definitions)
    patterns, values = [], {}
    for definition in definitions:
        if isinstance(definition, sp.Equality) and isinstance(definition.lhs, sp.Symbol):
            values[definition.lhs] = definition.rhs  # a value given to a size or a scalar
            continue
        if not (isinstance(definition, sp.Equality) and isinstance(definition.lhs, sp.Indexed)):
            raise ValueError(f"a definition must read Eq(entry, body), got {definition}")
        patterns.append((definition.lhs, definition.rhs))
    # a body's free names must stay free where it lands: rename a sum's index that would
    # capture one (Σ_k A_{i,k} x_k with A_{i,j} = k is Σ_k' k·x_k', not Σ_k k·x_k)
    free = {s for d in definitions for s in d.rhs.free_symbols} - {
        p for d in definitions if isinstance(d.lhs, sp.Indexed) for p in d.lhs.indices}
    expr = rename_bound(expr, free)
    if values:
        expr = expr.xreplace(values)

    def replaced(entry: sp.Indexed):
        for pattern, body in patterns:
            if pattern.base != entry.base or len(pattern.indices) != len(entry.indices):
                continue
            bound = {}
            for p, value in zip(pattern.indices, entry.indices):
                if isinstance(p, sp.Symbol):
                    if bound.setdefault(p, value) != value:
                        break
                elif p != value:
                    break
            else:
                return body.xreplace(bound)
        return entry

    return expr.replace(lambda e: isinstance(e, sp.Indexed), replaced)


def substituted(expr: sp.Basic, definitions: Iterable[sp.Eq]) -> sp.Basic:
    """:func:`instantiate`, with the sums written out first when a definition at fixed
    indices (``w[1, 2, 1, 1] = …``) meets an entry whose index a sum binds.

    >>> from symproof.notation import w, X, gamma, i
    >>> substituted(sp.Sum(w[1, gamma] * X[gamma, i], (gamma, 1, 2)),
    ...             [sp.Eq(w[1, 1], 3), sp.Eq(w[1, 2], 5)])
    3*X[1, i] + 5*X[2, i]
    """

    definitions = list(definitions)
    after = instantiate(expr, definitions)
    defined = {d.lhs.base for d in definitions if isinstance(d.lhs, sp.Indexed)}
    if any(e.base in defined for e in after.atoms(sp.Indexed)):
        after = instantiate(expand_sums(expr, partial=True), definitions)
    return after


def substitution(before: sp.Expr, after: sp.Expr, definitions: Iterable[sp.Eq],
                 ctx: Context | None = None) -> Outcome:
    """PROVED when ``after`` is ``before`` with the definitions substituted (as an identity)."""
    definitions = list(definitions)
    outcome = identity(substituted(before, definitions), after, ctx, search=False)
    shown = ", ".join(str(d.lhs) for d in definitions)
    if outcome.status is Status.PROVED:
        return Outcome(Status.PROVED, "substitution", Prose(*listed(
            d.lhs for d in definitions), " replaced by their definitions"))
    return Outcome(Status.UNKNOWN, "substitution",
                   f"with {shown} replaced, the sides still differ: {outcome.detail}")


def write_primes(expr: sp.Basic) -> sp.Basic:
    """SymPy's derivative of an undefined one-argument function written ``f'(u)``.

    >>> f, x = sp.Function("f"), sp.Symbol("x")
    >>> write_primes(sp.diff(f(2 * x), x))
    2*f'(2*x)
    """
    def is_prime(e):
        return (isinstance(e, sp.Derivative) and len(e.variables) == 1
                and isinstance(e.expr, sp.core.function.AppliedUndef)
                and e.expr.args == e.variables)

    # by atoms and xreplace, not replace: replace rebuilds every node of a large entry
    primes = {e: sp.Function(f"{e.expr.func.__name__}'")(e.variables[0])
              for e in expr.atoms(sp.Derivative) if is_prime(e)}
    primed = expr.xreplace(primes) if primes else expr
    # SymPy wraps f'(ξ) in Subs(…, ξ, u) when u is not a symbol; substitute it now.
    # (the substitution alone: Subs.doit would also evaluate every sum inside)
    wrapped = {e: e.expr.xreplace(dict(zip(e.variables, e.point)))
               for e in primed.atoms(sp.Subs) if not e.expr.has(sp.Derivative)}
    return primed.xreplace(wrapped) if wrapped else primed


def differentiated(expr: sp.Expr, variable: sp.Basic) -> sp.Expr:
    """``∂expr/∂variable`` by SymPy's ``diff``, with ``f'`` for the derivative of an undefined
    ``f``. A sum's index named like one of the variable's (Σ_k A_{i,k} x_k by x_k) is another
    index: it is renamed first, or ``diff`` would read the variable's k as the bound one.

    >>> from symproof.notation import x, k
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> differentiated(sp.Sum(k * x[k], (k, 1, n)), x[k])
    Sum(k_1*KroneckerDelta(k, k_1), (k_1, 1, n))
    """
    return write_primes(sp.diff(rename_bound(expr, variable.free_symbols), variable))


def derivative(expr: sp.Expr, variable: sp.Basic, claimed: sp.Expr,
               ctx: Context | None = None) -> Outcome:
    """PROVED when ``∂expr/∂variable`` (computed here, :func:`differentiated`) equals
    ``claimed``."""
    outcome = identity(differentiated(expr, variable), claimed, ctx)
    if outcome.status is Status.PROVED:
        return Outcome(Status.PROVED, "differentiation", Prose(
            "the derivative in ", variable, " of the definition, then ") + prose(outcome.detail))
    return outcome


def fails(lhs: sp.Expr, rhs: sp.Expr, ctx: Context | None = None, *, seed: int = 0) -> Outcome:
    """PROVED that ``lhs = rhs`` does not hold in general, by a counterexample; UNKNOWN when
    none is found (which shows nothing)."""
    found = counterexample(lhs, rhs, ctx, seed=seed)
    if found.status is not Status.REFUTED:
        return Outcome(Status.UNKNOWN, "counterexample", "none found")
    return Outcome(Status.PROVED, "counterexample", found.detail,
                   counterexample=found.counterexample)


def differ(lhs: sp.Expr, rhs: sp.Expr, case: dict, description: str) -> Outcome:
    """VERIFIED that two exact numbers differ (the instance ``case`` shows a claim fails)."""
    difference = sp.simplify(lhs - rhs)
    if difference.is_number and certainly_nonzero(difference):
        return Outcome(Status.VERIFIED, "exact evaluation",
                       f"{description}: {lhs} ≠ {rhs}")
    if difference == 0:
        return Outcome(Status.REFUTED, "exact evaluation", f"{description}: both are {lhs}",
                       counterexample={"instance": case})
    return Outcome(Status.UNKNOWN, "exact evaluation", f"{description}: not decided")


def max_commutes(claim: sp.Eq, ctx: Context) -> Outcome:
    """``σ(max_W f) = max_W σ(f)`` for σ nondecreasing in ``ctx`` (see the module docstring)."""

    lhs, rhs = claim.lhs, claim.rhs
    shape_ok = (isinstance(lhs, sp.core.function.AppliedUndef) and len(lhs.args) == 1
                and isinstance(lhs.args[0], MaxOver) and isinstance(rhs, MaxOver)
                and rhs.limits == lhs.args[0].limits
                and rhs.function == lhs.func(lhs.args[0].function))
    if not shape_ok:
        return Outcome(Status.UNKNOWN, "induction over the window",
                       "the claim is not σ(max over a window of f) = max over it of σ(f)")
    sigma = lhs.func
    if sigma.__name__ not in ctx.nondecreasing:
        return Outcome(Status.UNKNOWN, "induction over the window",
                       f"{sigma.__name__} is not assumed nondecreasing")
    nonempty = all(ctx.implies(sp.Le(low, high)) for _, low, high in rhs.limits)
    if not nonempty:
        return Outcome(Status.UNKNOWN, "induction over the window",
                       "the window may be empty")
    a, b = sp.symbols("a b", real=True)
    lemma = case_split(sigma(sp.Max(a, b)), sp.Max(sigma(a), sigma(b)), sp.Ge(a, b), ctx)
    if lemma.status is not Status.PROVED:
        return Outcome(Status.UNKNOWN, "induction over the window",
                       f"the binary lemma is not proved: {lemma.detail}")
    return Outcome(Status.PROVED, "induction over the window",
                   "base: one entry, σ(x) = σ(x); step: σ(max(M, x)) = max(σ(M), σ(x)), the "
                   f"lemma σ(max(a, b)) = max(σ(a), σ(b)) ({lemma.detail})")


def induction(base: Outcome, step: Outcome, what: str) -> Outcome:
    """PROVED from a base and a step the kernel proved (``what`` says what is inducted on)."""
    if base.status is Status.PROVED and step.status is Status.PROVED:
        return Outcome(Status.PROVED, "induction", f"{what}: base ({base.tactic}) and step "
                                                   f"({step.tactic}) proved")
    weak = base if base.status is not Status.PROVED else step
    return Outcome(Status.UNKNOWN, "induction", f"{what}: {weak.tactic} not proved")


def coefficient_matching(equations: list, unknowns: list, expected: dict) -> Outcome:
    """PROVED when the linear system (expressions equal to 0) has exactly the solution
    ``expected`` (unknown → value); REFUTED when it has none or another one."""
    values = _read_off(equations, set(unknowns))
    if values == "inconsistent":
        return Outcome(Status.REFUTED, "coefficient matching", "no solution of the system",
                       counterexample={"system": "inconsistent"})
    if values is None:  # not one unknown per equation: the general solver
        solutions = sp.linsolve(equations, unknowns)
        if len(solutions) != 1:
            return Outcome(Status.REFUTED, "coefficient matching", "no solution of the system",
                           counterexample={"system": "inconsistent"})
        (solution,) = solutions
        free = sorted(set().union(*(v.free_symbols for v in solution)) & set(unknowns),
                      key=str)
        if free:
            return Outcome(Status.UNKNOWN, "coefficient matching",
                           f"solutions with free parameters {', '.join(map(str, free))}: "
                           "not unique")
        values = dict(zip(unknowns, solution))
    differing = {str(u): values[u] for u in unknowns if sp.simplify(values[u] - expected[u])}
    if differing:
        return Outcome(Status.REFUTED, "coefficient matching", "the system's solution differs",
                       counterexample=differing)
    return Outcome(Status.PROVED, "coefficient matching",
                   f"unique solution of {len(equations)} linear equations in "
                   f"{len(unknowns)} unknowns")


def _read_off(equations: list, unknowns: set):
    """The solution of a system in which every equation is ``c·u + d = 0`` for one unknown
    ``u`` (numbers ``c ≠ 0``) and every unknown has exactly one such equation; "inconsistent"
    if an equation without unknowns is a nonzero number; None when not of that shape."""
    values = {}
    for equation in map(sp.expand, equations):
        present = {e for e in equation.atoms(sp.Indexed) if e in unknowns}
        if not present:
            if equation != 0:
                return "inconsistent" if equation.is_number else None
            continue
        if len(present) != 1:
            return None
        (unknown,) = present
        coefficient = equation.coeff(unknown)
        rest = sp.expand(equation - coefficient * unknown)
        if not coefficient.is_number or coefficient == 0 or rest.has(unknown) or unknown in values:
            return None
        values[unknown] = -rest / coefficient
    return values if set(values) == unknowns else None


def same_shape(claimed: tuple, expected: tuple, instance: dict, label: str) -> Outcome | None:
    """REFUTED when two matrix shapes differ at the sizes of ``instance`` (symbol → positive
    integer), which the refutation shows; None when they agree there (nothing decided)."""
    sizes = [tuple((sp.Integer(v) if isinstance(v, int) else v).xreplace(instance) for v in shape)
             for shape in (claimed, expected)]
    if sizes[0] == sizes[1]:
        return None
    return Outcome(Status.REFUTED, "shapes",
                   f"the claim has shape {tuple(claimed)}, {label} has {tuple(expected)}",
                   counterexample={str(k): v for k, v in instance.items()})


def unreachable(element: sp.Expr, target: sp.Expr, base: sp.IndexedBase,
                positions: tuple[sp.Symbol, ...] = ()) -> Outcome:
    """PROVED that no weights make ``element`` equal ``target`` when the target needs an entry
    of ``base`` that the element (written out, weights symbolic) never reads: whatever the
    weights, that entry's coefficient is 0 on one side and not on the other. UNKNOWN when
    every entry is reachable or the element cannot be written out. Entries are compared at a
    generic output position (``positions``): X[1, i, j] and X[1, 2i − 1, j] are different
    entries there."""

    written = sp.expand(expand_sums(element))
    if written.has(sp.Sum):
        return Outcome(Status.UNKNOWN, "tap matching", "the window is not concrete")
    readable = {e for e in written.atoms(sp.Indexed) if e.base == base}
    needed = {e for e in sp.expand(target).atoms(sp.Indexed) if e.base == base}
    # an entry is unread only if it differs from every entry read, for every value of the
    # symbols: X[1, i + 1, j] is X[1, i + S, j] when the dilation S is 1
    missing = sorted((e for e in needed - readable
                      if all(_surely_different(e, r, positions) for r in readable)),
                     key=str)
    if not missing and needed - readable:
        return Outcome(Status.UNKNOWN, "tap matching", f"{sorted(needed - readable, key=str)[0]} "
                       "is read by no tap for some values of the symbols only")
    if not missing:
        def constant(e):  # the value at X = 0
            return sp.expand(e).replace(lambda x: isinstance(x, sp.Indexed) and x.base == base,
                                        lambda x: sp.S.Zero)

        offset = constant(target)
        if constant(written) == 0 and offset.is_number and certainly_nonzero(offset):
            return Outcome(Status.PROVED, "tap matching",
                           f"the target has the constant term {offset}, and the layer none (no "
                           "bias): no weights give it")
        return Outcome(Status.UNKNOWN, "tap matching", "every entry the target needs is read")
    return Outcome(Status.PROVED, "tap matching",
                   f"no tap reads {missing[0]}, which the target needs: an entry no tap reads "
                   "cannot appear in Y")


def _surely_different(first: sp.Indexed, second: sp.Indexed,
                      positions: tuple[sp.Symbol, ...]) -> bool:
    """Whether two entries of one array differ whatever the symbols, at a generic position:
    some index apart by an amount SymPy's assumptions show nonzero (2, or S for a positive S;
    not 1 − S), or by one that moves with a position (i − 1 − 2i: equal at one i only)."""
    return len(first.indices) != len(second.indices) or any(
        (a - b).is_zero is False or any(sp.diff(a - b, p).is_zero is False for p in positions)
        for a, b in zip(first.indices, second.indices))


def distinct_taps(dilation: tuple, ctx: Context | None = None) -> Outcome:
    """PROVED that distinct taps read distinct entries when every dilation is ≥ 1."""
    ctx = ctx or Context()
    if all(d.is_positive or ctx.implies(sp.Ge(d, 1)) for d in dilation):
        return Outcome(Status.PROVED, "tap matching",
                       "distinct taps (γ, α, β) read distinct entries of X (D ≥ 1), so each "
                       "weight is the coefficient of its entry: the solution is unique")
    return Outcome(Status.UNKNOWN, "tap matching", "the dilation may be 0")
