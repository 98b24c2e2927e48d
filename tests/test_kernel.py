"""The trusted kernel (issue #11): only it grants strong statuses, prove() decides claims with a
trail, and it never confirms a perturbed truth nor refutes a truth."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symproof import AvgPool2d, Conv2d, symbols
from symproof import notation as nt
from symproof.errors import KernelError, ParameterError
from symproof.kernel import Context, Outcome, Status, divides, identity, prove
from symproof.shapes import conv_output_size, pool_output_size

ROOT = Path(__file__).resolve().parents[1]
STRONG = "PROVED|VERIFIED|SPOT_CHECKED|REFUTED"


def test_no_code_outside_the_kernel_writes_a_strong_status():
    """A scan of the sources: outside ``symproof/kernel`` nothing constructs an outcome with a
    strong status, and the worked problems name no status at all."""
    offenders = []
    for path in sorted([*(ROOT / "symproof").rglob("*.py"), *(ROOT / "proofs").rglob("*.py")]):
        if "kernel" in path.relative_to(ROOT).parts[:2]:
            continue
        source = path.read_text()
        for match in re.finditer(rf"Outcome\(\s*(?:Status\.)?(?:{STRONG})\b", source):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group()}")
        if path.parts[-2] == "proofs" and re.search(r"\bStatus\.", source):
            offenders.append(f"{path.relative_to(ROOT)}: a status literal in a worked problem")
    assert offenders == []


@pytest.mark.parametrize("status", [Status.PROVED, Status.VERIFIED, Status.SPOT_CHECKED,
                                    Status.REFUTED])
def test_a_strong_outcome_cannot_be_forged_or_copied(status):
    with pytest.raises(KernelError):
        Outcome(status, "forged", samples=1, seed=0, counterexample={"x": 1})
    granted = identity(sp.Integer(1), sp.Integer(1))
    with pytest.raises((KernelError, dataclasses.FrozenInstanceError)):
        dataclasses.replace(granted, tactic="mine")
    with pytest.raises(dataclasses.FrozenInstanceError):
        granted.status = Status.PROVED


def test_given_never_counts_as_proved():
    from symproof.proof import Proof

    proof = Proof("t", "t", "t")
    proof.given(sp.Eq(sp.Symbol("x"), 1), "the data")
    assert proof.status is Status.UNKNOWN
    assert proof.to_dict()["steps"][0]["status"] == "GIVEN"


# --- prove -----------------------------------------------------------------------------------

a, b = sp.symbols("a b", real=True)
m, k, n, q = symbols("m k n q")


@pytest.mark.parametrize("claim, assuming, status", [
    (sp.Eq(sp.Max(a, b) ** 3, sp.Max(a**3, b**3)), (), "PROVED"),
    (sp.Eq(sp.Min(a, b) + sp.Max(a, b), a + b), (), "PROVED"),
    (sp.Eq(sp.Max(a, b) ** 2, sp.Max(a**2, b**2)), (), "REFUTED"),
    (sp.Eq(sp.floor(m / k), m / k), (), "REFUTED"),
    (sp.Eq(sp.floor(m / k), m / k), (divides(k, m),), "PROVED"),
    (sp.Eq(sp.floor((m - k) / k) + 1, m / k), (divides(k, m),), "PROVED"),
    (sp.Eq(sp.floor((m - k) / k) + 2, m / k), (divides(k, m),), "REFUTED"),
    (sp.Ge(m + 1, m, evaluate=False), (), "PROVED"),
    (sp.Le(m, k), (), "REFUTED"),
    (sp.Le(m, k), (sp.Lt(m, k),), "PROVED"),
])
def test_prove_decides_and_says_why(claim, assuming, status):
    outcome = prove(claim, assuming=assuming)
    assert outcome.status.name == status, outcome
    if status == "REFUTED":
        values = {sp.Symbol(name, integer=True, positive=True): v
                  for name, v in outcome.counterexample.items() if name in ("m", "k")}
        if assuming and values:  # the counterexample respects k | m
            assert int(values[m]) % int(values[k]) == 0


def test_prove_leaves_what_nothing_decides_unknown():
    # true for every m below a million, false beyond: nothing small decides it
    claim = sp.Eq(sp.floor(sp.sqrt(2) * m), sp.floor(sp.sqrt(2) * m + sp.Rational(1, 10**6)))
    outcome = prove(claim)
    assert outcome.status is Status.UNKNOWN and "tried" in outcome.detail


def test_prove_refuses_what_is_not_a_claim():
    with pytest.raises(ParameterError, match="relation"):
        prove(m + 1)
    with pytest.raises(ParameterError, match="evaluate=False"):
        prove(sp.Eq(m + 1, 1 + m))  # SymPy decided it already


# --- soundness: perturbed truths are never confirmed, truths never refuted --------------------

F, S, P = symbols("F S P")


def _truths():
    """True identities of the field, each with the assumptions it needs."""
    conv = Conv2d(1, 1, 3, padding=1)
    element = conv.element(1, nt.i, nt.j)
    return [
        (sp.Eq(conv_output_size(m, 3, 1, 1), m, evaluate=False), ()),
        (sp.Eq(pool_output_size(k * q, k, k), q, evaluate=False), ()),
        (sp.Eq(sp.floor((m - k) / k) + 1, m / k, evaluate=False), (divides(k, m),)),
        (sp.Eq(sp.floor((m + 2 - 3) / 1) + 1, m, evaluate=False), ()),
        (sp.Eq(AvgPool2d(2).output_shape(1, 2 * q, 2 * q)[1], q, evaluate=False), ()),
        (sp.Eq(sp.Max(a, b) + sp.Min(a, b), a + b, evaluate=False), ()),
        (sp.Eq(element.xreplace({nt.w[1, 1, 2, 2]: 1}) - element,
               element.xreplace({nt.w[1, 1, 2, 2]: 1}) - element, evaluate=False), ()),
        (sp.Eq(sp.Sum(nt.X[1, nt.i + nt.alpha], (nt.alpha, 1, 3)),
               nt.X[1, nt.i + 1] + nt.X[1, nt.i + 2] + nt.X[1, nt.i + 3], evaluate=False), ()),
        (sp.Eq(sp.Sum(sp.KroneckerDelta(nt.l, nt.gamma) * nt.X[nt.gamma, nt.i],
                      (nt.gamma, 1, n)), nt.X[nt.l, nt.i], evaluate=False),
         (sp.Le(nt.l, n),)),
    ]


def _perturbations(claim: sp.Eq):
    """Ways people get these wrong: an index shifted, a floor dropped or added, a divisor
    changed, a term dropped or its sign flipped, a factor scaled."""
    lhs, rhs = claim.lhs, claim.rhs
    yield sp.Eq(lhs, rhs + 1, evaluate=False)
    yield sp.Eq(lhs, 2 * rhs, evaluate=False) if rhs != 0 else sp.Eq(lhs, 1, evaluate=False)
    yield sp.Eq(lhs, rhs.xreplace({nt.i: nt.i + 1}), evaluate=False)
    yield sp.Eq(lhs.replace(lambda e: isinstance(e, sp.floor), lambda e: e.args[0]), rhs,
                evaluate=False)
    yield sp.Eq(lhs, rhs.xreplace({k: k + 1}), evaluate=False)
    terms = sp.Add.make_args(rhs)
    if len(terms) > 1:
        yield sp.Eq(lhs, sp.Add(*terms[1:]), evaluate=False)
        yield sp.Eq(lhs, rhs - 2 * terms[0], evaluate=False)


@pytest.mark.parametrize("number", range(len(_truths())))
def test_truths_are_never_refuted_and_their_perturbations_never_confirmed(number):
    claim, assuming = _truths()[number]
    assert prove(claim, assuming=assuming).status is not Status.REFUTED
    for wrong in _perturbations(claim):
        if not _false_somewhere(wrong, assuming):
            continue  # the perturbation happened to keep it true (a floor of an integer…)
        outcome = prove(wrong, assuming=assuming)
        assert outcome.status not in (Status.PROVED, Status.VERIFIED), (wrong, outcome)


def _false_somewhere(claim: sp.Eq, assuming) -> bool:
    """Whether brute force finds values (sizes 1…6 respecting the assumptions, random array
    entries) at which the claim is false: only such perturbations must never be confirmed."""
    import itertools
    import random

    from symproof.kernel.sums import expand_sums

    rng = random.Random(0)
    symbols_ = sorted((s for s in claim.free_symbols if isinstance(s, sp.Symbol)
                       and s != nt.X.label), key=str)
    for values in itertools.product(range(1, 7), repeat=len(symbols_)):
        at = dict(zip(symbols_, map(sp.Integer, values)))
        if not all(bool(sp.simplify(a.xreplace(at))) for a in assuming
                   if isinstance(a, sp.Basic) and not isinstance(a.lhs, sp.Mod)):
            continue
        if any(isinstance(a.lhs, sp.Mod) and a.lhs.xreplace(at) != 0 for a in assuming):
            continue
        difference = expand_sums(claim.lhs.xreplace(at) - claim.rhs.xreplace(at))
        entries = {e: sp.Integer(rng.randint(-9, 9)) for e in difference.atoms(sp.Indexed)}
        value = sp.simplify(difference.xreplace(entries))
        if value.is_number and value != 0:
            return True
    return False


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3),
       st.integers(-2, 2).filter(bool))
def test_random_size_claims_are_decided_right(f, s, p, d, shift):
    """Output-size claims at random parameters, in the textbook's form: the true one is never
    refuted, a shifted one never proved."""
    span = d * (f - 1) + 1
    ctx = Context([sp.Ge(m + 2 * p, span)])
    textbook = sp.floor(sp.Rational(1, s) * (m + 2 * p - span)) + 1
    size = conv_output_size(m + span, f, s, p, d).xreplace({m: m - span})  # any m ≥ span − 2p
    assert prove(sp.Eq(size, textbook, evaluate=False), context=ctx).status \
        is not Status.REFUTED
    outcome = prove(sp.Eq(size, textbook + shift, evaluate=False), context=ctx)
    assert outcome.status not in (Status.PROVED, Status.VERIFIED)


# --- issue 14: cheaper normal forms, the same verdicts ---------------------------------------

def test_deltas_pinning_one_index_to_two_values_vanish():
    l = sp.Symbol("l", integer=True, positive=True)
    x = nt.X[1, nt.i, nt.j]
    product = sp.KroneckerDelta(1, l) * sp.KroneckerDelta(2, l) * x
    assert identity(product, 0).status is Status.PROVED
    # one delta alone is not 0, and a delta pinning l twice to the same value is just itself
    assert identity(sp.KroneckerDelta(1, l) * x, 0).status is Status.REFUTED
    assert identity(sp.KroneckerDelta(1, l) ** 2 * x, sp.KroneckerDelta(1, l) * x).status \
        is Status.PROVED


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(0, 2), st.integers(0, 2)),
                min_size=1, max_size=5), st.integers(-2, 2))
def test_polynomials_in_entries_are_decided_without_simplify(terms, shift):
    """A polynomial in array entries is proved equal to its own expansion and refuted when
    perturbed: skipping simplify for polynomials changes no verdict."""
    a = sp.Add(*(c * nt.X[1, nt.i + p, nt.j] * nt.w[1, 1, q, 1] for c, p, q in terms))
    assert identity(sp.expand(a), a).status is Status.PROVED
    if shift:
        assert identity(a + shift * nt.X[1, nt.i, nt.j], a).status is Status.REFUTED


def test_branches_that_are_polynomials_are_decided_without_simplify():
    k = sp.Symbol("k", integer=True, positive=True)
    x, y = nt.X[1, nt.i, nt.j], nt.X[1, nt.i + 1, nt.j]
    branchy = sp.Piecewise((2 * x + y, k >= 2), (x, True))
    same = sp.Piecewise((x + y, k >= 2), (0, True)) + sp.Piecewise((x, k >= 2), (x, True))
    assert identity(branchy, same).status is Status.PROVED
    other = sp.Piecewise((x + 2 * y, k >= 2), (x, True))
    assert identity(branchy, other).status is Status.REFUTED


def test_a_nondecreasing_function_made_twice_is_the_same_function():
    """Two σ of one name and assumptions are one function (SymPy may make the class twice,
    e.g. after its cache is cleared): monotonicity compares them by equality, not identity."""
    from sympy.core.cache import clear_cache

    a, c = sp.symbols("a c", real=True)
    first = sp.Function("sigma")(a)
    clear_cache()
    second = sp.Function("sigma")(c)
    assert first.func == second.func
    ctx = Context([sp.Ge(a, c)], nondecreasing=["sigma"])
    assert ctx.implies(sp.Ge(first, second, evaluate=False))
    assert not Context([sp.Ge(a, c)]).implies(sp.Ge(first, second, evaluate=False))


def test_facts_about_a_free_index_say_nothing_of_a_bound_one():
    # The context knows i ≤ 2 of a free i; the sum binds another i, which runs to n.
    # Settling the branch with the outer fact proved Σ_{i≤n} [i ≤ 2] X_i = Σ_{i≤n} X_i.
    i, n = sp.symbols("i n", integer=True, positive=True)
    X = sp.IndexedBase("X")
    lhs = sp.Sum(sp.Piecewise((X[i], sp.Le(i, 2)), (0, True)), (i, 1, n))
    rhs = sp.Sum(X[i], (i, 1, n))
    for ctx in (Context([sp.Le(i, 2)]), Context([sp.Le(i, 2)], zero_outside={X: (n,)})):
        assert identity(lhs, rhs, ctx).status is Status.REFUTED
    # a bound of the padding rule is a name too: X is 0 beyond a free m ≤ 2, and the sum binds
    # another m; X_2 may be nonzero, X_3 … are 0
    m = sp.Symbol("m", integer=True, positive=True)
    padded = Context([sp.Le(m, 2)], zero_outside={X: (m,)})
    for upper, status in ((2, Status.PROVED), (1, Status.REFUTED)):
        claim = sp.Sum(sp.Piecewise((X[m], sp.Le(m, upper)), (0, True)), (m, 1, n))
        assert identity(claim, sp.Sum(X[m], (m, 1, n)), padded).status is status
    # what the context does say still settles the bound index's own range
    assert identity(sp.Sum(sp.Piecewise((X[i], sp.Le(i, n)), (0, True)), (i, 1, n)), rhs,
                    Context([sp.Le(i, 2)])).status is Status.PROVED


def test_a_branch_on_a_sums_own_index_stays_inside_the_sum():
    # SymPy's piecewise_fold moved [k ≤ n] out of Σ_{k=1}^{2n}, leaving Σ_{k=1}^{2n} (−1)^k x,
    # which is 0: the claim Σ_{k=1}^{2n} [k ≤ n] (−1)^k x = 0 was PROVED (false for n = 1).
    k, n = sp.symbols("k n", integer=True, positive=True)
    x = sp.Symbol("x")
    claim = sp.Sum(sp.Piecewise(((-1) ** k * x, sp.Le(k, n)), (0, True)), (k, 1, 2 * n))
    assert identity(claim, 0).status is Status.REFUTED
    X = sp.IndexedBase("X")
    half = sp.Sum(sp.Piecewise((X[k], sp.Le(k, n)), (0, True)), (k, 1, 2 * n))
    assert identity(half, sp.Sum(X[k], (k, 1, 2 * n))).status is Status.REFUTED
    assert identity(half, sp.Sum(X[k], (k, 1, n))).status is not Status.REFUTED


def test_a_laurent_polynomial_in_atoms_is_left_as_expanded():
    """m/k − ⌊m/k⌋ (a polynomial in the atoms m, 1/k and ⌊m/k⌋) is canonical once expanded:
    SymPy's simplify is not asked (it cannot make a nonzero one 0), and one that cancels
    still comes out 0."""
    from symproof.kernel.symbolic import _expanded_polynomial
    m, k = sp.symbols("m k", integer=True, positive=True)
    assert _expanded_polynomial(sp.expand(m / k - sp.floor(m / k)))
    assert not _expanded_polynomial(sp.expand(m / (k + 1)))  # a rational function is not
    assert not _expanded_polynomial(sp.sqrt(k))
    assert identity(m / k + sp.floor(m / k), sp.floor(m / k) + m * k**-1).status is Status.PROVED
    assert identity(sp.floor(m / k), m / k).status is not Status.PROVED


def test_sums_sympy_cannot_sum_are_kept_with_their_summands_done():
    """safe_doit gives what SymPy's doit gives: a one-term sum over a symbolic range of array
    entries is kept (unsummed, cheaply), its summand done; a telescoping difference, a delta,
    a concrete range are still summed."""
    from symproof.kernel.sums import _inert, safe_doit
    k, j, m, n = sp.symbols("k j m n", integer=True, positive=True)
    X, f = sp.IndexedBase("X"), sp.Function("f")
    kept = [sp.Sum(X[k] / m**2, (k, 1, m)), sp.Sum(2**k * X[k] * f(k), (k, 1, n)),
            sp.Sum(j * X[k], (k, 1, n), (j, 1, m)), sp.Sum(X[k] * sp.Sum(1, (j, 1, n)), (k, 1, n))]
    summed = [sp.Sum(X[k + 1] - X[k], (k, 1, n)), sp.Sum(sp.KroneckerDelta(k, j) * X[k], (k, 1, n)),
              sp.Sum(X[k], (k, 1, 3)), sp.Sum(k, (k, 1, n)),
              sp.Sum(sp.Piecewise((X[k], k < n), (0, True)), (k, 1, n))]
    assert all(_inert(total) for total in kept[:3]) and not any(map(_inert, summed))
    for total in kept + summed[:1] + summed[2:]:  # (a delta on the index is held on purpose)
        assert safe_doit(total) == total.doit(), total


def test_a_held_sum_is_never_set_free_of_the_product_or_sum_that_binds_its_names():
    """A sum kept out of SymPy's reach becomes a placeholder, a constant to the work: one
    whose names an enclosing Π or Σ binds is kept with it. Π_{n=1}^{m} Σ_{k=1}^{n} t_k came
    back as (Σ_{k=1}^{n} t_k)^m, n set free, and then 1 under Σ_k t_k = 1: a wrong PROVED."""
    from symproof.kernel.sums import safe_doit
    k, m, n, v = sp.symbols("k m n v", integer=True, positive=True)
    t = sp.IndexedBase("t")
    for product in (sp.Product(sp.Sum(t[k], (k, 1, n)), (n, 1, m)),
                    sp.Product(sp.Sum(sp.KroneckerDelta(2 * v, n) * t[v], (v, 1, 5)), (n, 1, m))):
        done = safe_doit(product)
        assert done.has(sp.Product) and n not in done.free_symbols, done
    ctx = Context([sp.Eq(sp.Sum(t[k], (k, 1, n)), 1)])
    assert identity(sp.Product(sp.Sum(t[k], (k, 1, n)), (n, 1, m)), 1, ctx).status \
        is not Status.PROVED
