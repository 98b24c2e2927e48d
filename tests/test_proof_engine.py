"""The proof engine never overstates: statuses, tactics and their evidence."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symproof import notation as nt
from symproof import symbols
from symproof.errors import KernelError
from symproof.kernel import (
    Context,
    case_split,
    collapse_deltas,
    counterexample,
    divisible_floor,
    exhaustive,
    identity,
    spot_check,
)
from symproof.proof import Outcome, Proof, Status

m, k, q, C = symbols("m k q C")
a, b = sp.symbols("a b", real=True)
sigma = sp.Function("sigma")


def test_true_identities_are_proved():
    assert identity(sp.floor((m - k) / k) + 1, sp.floor(m / k)).status is Status.PROVED
    s = sp.Sum(nt.X[1, nt.alpha], (nt.alpha, 1, k))
    assert identity(2 * s / k**2, s / k**2 + s / k**2).status is Status.PROVED


def test_false_identity_is_refuted_with_a_real_counterexample():
    lhs, rhs = sp.floor((m - k) / k) + 1, m / k
    outcome = identity(lhs, rhs, Context([sp.Le(k, m)]))
    assert outcome.status is Status.REFUTED
    values = {s: outcome.counterexample[str(s)] for s in (m, k)}
    assert lhs.xreplace(values) != rhs.xreplace(values)  # it really is one


def test_false_identity_over_array_entries_names_the_entry():
    s = sp.Sum(nt.X[1, nt.alpha], (nt.alpha, 1, k))
    outcome = identity(s, 2 * s)
    assert outcome.status is Status.REFUTED
    assert outcome.counterexample["other entries"] == 0
    entry = next(key for key in outcome.counterexample if key.startswith("X["))
    assert outcome.counterexample[entry] == 1


def test_numeric_agreement_is_never_proved():
    outcome = spot_check(lambda rng: (rng.standard_normal(5),), lambda x: (np.sin(x) ** 2,
                         1 - np.cos(x) ** 2), samples=10, seed=3, tolerance=1e-12,
                         description="sin² = 1 − cos²")
    assert outcome.status is Status.SPOT_CHECKED
    assert (outcome.samples, outcome.seed, outcome.tolerance) == (10, 3, 1e-12)
    wrong = spot_check(lambda rng: (rng.standard_normal(5),), lambda x: (x, x + 1e-3),
                       samples=5, seed=0, tolerance=1e-6, description="off by 1e-3")
    assert wrong.status is Status.REFUTED and wrong.counterexample["draw"] == 0


def test_exhaustive_is_verified_not_proved():
    cases = [{"n": n} for n in range(1, 6)]
    good = exhaustive(lambda c: (sp.Integer(c["n"]) ** 2, sp.Integer(c["n"] * c["n"])), cases,
                      "n ≤ 5")
    assert good.status is Status.VERIFIED
    bad = exhaustive(lambda c: (sp.Integer(c["n"]), sp.Integer(3)), cases, "n = 3?")
    assert bad.status is Status.REFUTED and bad.counterexample == {"n": 1}


@pytest.mark.parametrize("status", [Status.PROVED, Status.VERIFIED, Status.SPOT_CHECKED,
                                    Status.REFUTED])
def test_only_the_kernel_grants_a_strong_status(status):
    with pytest.raises(KernelError, match=f"only the kernel's rules grant {status.name}"):
        Outcome(status, "I say so", samples=1, seed=0, counterexample={"a": 1})
    assert Outcome(Status.GIVEN, "definition").status is Status.GIVEN


def test_proof_status_is_the_weakest_derived_step_and_a_refuted_check_refutes():
    proof = Proof("t", "t", "t")
    assert proof.status is Status.UNKNOWN
    proof.given(sp.Eq(b, a), "the data")
    assert proof.status is Status.UNKNOWN  # nothing derived yet: a definition proves nothing
    proof.add(sp.Eq(a, a), "x", identity(a, a))
    proof.check(None, "numbers", spot_check(lambda rng: (1.0,), lambda x: (x, x), samples=1,
                                            seed=0, tolerance=0, description="x = x"))
    assert proof.status is Status.PROVED  # a corroborating check does not weaken the derivation
    proof.add(sp.Eq(a, b), "y", Outcome(Status.UNKNOWN, "identity"))
    assert proof.status is Status.UNKNOWN
    proof.check(None, "numbers", exhaustive(lambda c: (sp.Integer(1), sp.Integer(2)), [{"a": 1}],
                                            "1 = 2"))
    assert proof.status is Status.REFUTED
    data = proof.to_dict()
    assert data["status"] == "REFUTED" and len(data["steps"]) == 3 and len(data["checks"]) == 2
    assert data["steps"][0]["status"] == "GIVEN"


def test_divisibility_proves_the_floor_and_its_absence_does_not():
    assert divisible_floor(sp.floor((m - k) / k + 1), m / k, m, k, q).status is Status.PROVED
    assert identity(sp.floor((m - k) / k + 1), m / k, search=False).status is Status.UNKNOWN


def test_case_split_needs_monotonicity():
    lhs, rhs = sigma(sp.Max(a, b)), sp.Max(sigma(a), sigma(b))
    assert case_split(lhs, rhs, sp.Ge(a, b), Context(nondecreasing=["sigma"])).status \
        is Status.PROVED
    assert case_split(lhs, rhs, sp.Ge(a, b), Context()).status is Status.UNKNOWN
    found = counterexample(sp.Max(a, b) ** 2, sp.Max(a**2, b**2))
    assert found.status is Status.REFUTED
    values = {a: found.counterexample["a"], b: found.counterexample["b"]}
    assert sp.Max(*values.values()) ** 2 != sp.Max(*(v**2 for v in values.values()))


def test_delta_sums_collapse_only_inside_the_range():
    s = sp.Sum(sp.KroneckerDelta(nt.l, nt.gamma) * nt.X[nt.gamma, nt.i], (nt.gamma, 1, C))
    collapsed, outcome = collapse_deltas(s, Context([sp.Le(nt.l, C)]))
    assert collapsed == nt.X[nt.l, nt.i] and outcome.status is Status.PROVED
    _, unsure = collapse_deltas(s, Context())
    assert unsure.status is Status.UNKNOWN


def test_context_reasoning_is_sound():
    ctx = Context([sp.Le(nt.l, C)])
    assert ctx.implies(sp.Ge(C, nt.l)) and ctx.implies(sp.Le(nt.l, C + 2))
    assert not ctx.implies(sp.Le(nt.l, C - 1)) and not ctx.implies(sp.Le(C, nt.l))
    assert ctx.resolve(sp.Max(nt.l, C + 1)) == C + 1


def test_sum_manipulations_with_symbolic_bounds():
    from symproof.kernel import merge_sums, reindex, split_sum

    n, s = symbols("n s")
    f = nt.X[1, nt.alpha]
    total = sp.Sum(f, (nt.alpha, 1, n))
    shifted, why = reindex(total, 2)
    assert why.status is Status.PROVED and shifted.limits[0][1:] == (3, n + 2)
    assert identity(shifted, total).status is Status.PROVED
    parts, why = split_sum(total, s, Context([sp.Le(s, n)]))
    assert why.status is Status.PROVED
    assert split_sum(total, s)[1].status is Status.UNKNOWN  # s ≤ n not known
    merged, why = merge_sums(*parts.args, Context([sp.Le(s, n)]))
    assert merged == total and why.status is Status.PROVED
    _, apart = merge_sums(sp.Sum(f, (nt.alpha, 1, s)), sp.Sum(f, (nt.alpha, s + 2, n)))
    assert apart.status is Status.UNKNOWN
