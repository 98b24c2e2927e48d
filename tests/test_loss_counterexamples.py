"""Counterexamples of loss claims (issue 16, loss16b): wrong claims under a symbolic number of
classes are refuted at admissible points only (targets on the simplex exactly, one-hot
classes in range), correct claims are never refuted, and every draw gives one value per array
entry (``t_j`` at ``j = 2`` is ``t_2``), in the kernel and in ``check``."""

from __future__ import annotations

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof import limits
from symproof.claims.check import check_text
from symproof.kernel import (
    Context,
    differs,
    entries_of,
    entry_of,
    exhaustive,
    instance_counterexample,
    valued_entries,
)
from symproof.kernel.outcome import Status

CE = "%! symproof softmax-cross-entropy classes=n"
GRADIENT = r"\frac{\partial L}{\partial z_j} = "


def judged(directive: str, claim: str) -> tuple[str, str, dict]:
    """The verdict on ``claim`` under ``directive``: label, reason, evidence (the wall-clock
    limits raised: the machine is shared, and an UNKNOWN by time would hide a verdict)."""
    with limits.raised(claim_seconds=120, document_seconds=1200):
        verdicts, _ = check_text(f"{directive}\n\n$$ {claim} $$\n")
    verdict = next(v for v in verdicts if v.line == 3)
    return verdict.label, verdict.reason, verdict.evidence


def _vector(shown: dict, letter: str, size: int) -> list[sp.Rational]:
    # our own output, read back in the test: the values the kernel showed, as numbers
    return [sp.Rational(shown[f"{letter}[{i}]"]) for i in range(1, size + 1)]


# --- 1. wrong claims under classes=n, target=probability: REFUTED at an admissible point ----

WRONG = [r"p_j + t_j", r"t_j - p_j", r"p_j", r"\frac{1}{n}(p_j - t_j)", r"p_j - \frac{t_j}{n}",
         r"p_j - t_j + 1", r"2(p_j - t_j)", r"\frac{\exp(z_j)}{\sum_k \exp(z_k)} + t_j"]


def _checked_counterexample(shown: dict) -> None:
    """The counterexample states n, j, z, t and both sides; t is on the simplex exactly, j is
    in range, and the left side is the true gradient p_j Σ_k t_k − t_j there."""
    size, j = int(shown["n"]), int(shown["j"])
    assert size >= 2 and 1 <= j <= size
    z, t = _vector(shown, "z", size), _vector(shown, "t", size)
    assert all(v >= 0 for v in t) and sum(t) == 1
    p = [sp.exp(v) / sum(sp.exp(u) for u in z) for v in z]
    true = p[j - 1] * sum(t) - t[j - 1]
    assert sp.simplify(true - sp.sympify(shown["left side"])) == 0
    assert sp.simplify(sp.sympify(shown["left side"]) - sp.sympify(shown["right side"])) != 0


def test_wrong_claims_with_a_symbolic_number_of_classes_are_refuted_on_the_simplex():
    for rhs in WRONG:
        label, reason, evidence = judged(f"{CE} target=probability", GRADIENT + rhs)
        assert label == "REFUTED", (rhs, reason)
        _checked_counterexample(evidence["counterexample"])
        assert "n = " in reason and "left side" in reason, reason


def test_wrong_mse_claims_with_a_probability_target_are_refuted():
    for rhs in (r"y_j - t_j", r"\frac{1}{n}(y_j - t_j)", r"\frac{2}{n}(t_j - y_j)"):
        label, reason, evidence = judged("%! symproof mse classes=n target=probability",
                                         r"\frac{\partial L}{\partial y_j} = " + rhs)
        assert label == "REFUTED", (rhs, reason)
        shown = evidence["counterexample"]
        size = int(shown["n"])
        t = _vector(shown, "t", size)
        assert all(v >= 0 for v in t) and sum(t) == 1


def test_wrong_one_hot_claims_name_a_class_in_range():
    label, reason, evidence = judged(f"{CE} target=onehot", GRADIENT + r"p_j + t_j")
    assert label == "REFUTED", reason
    shown = evidence["counterexample"]
    size = int(shown.get("n", shown.get("n[L]")))
    assert all(1 <= int(shown[name]) <= size for name in ("c", "j"))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form=st.sampled_from([
    r"p_j - t_j", r"-t_j + p_j", r"\frac{e^{z_j}}{\sum_k e^{z_k}} - t_j",
    r"p_j \sum_k t_k - t_j", r"p_j(1 - t_j) - t_j(1 - p_j)", r"p_j - t_j + t_1 (\sum_k t_k - 1)",
    r"p_j - t_j + (\sum_k t_k - 1) z_j", r"\frac{2 p_j - 2 t_j}{2}",
    r"p_j - t_j + p_1 (1 - \sum_m t_m)"]),
       classes=st.sampled_from(["n", "2", "3"]),
       target=st.sampled_from(["probability", "onehot"]))
def test_correct_claims_are_never_refuted(form, classes, target):
    label, reason, _ = judged(f"%! symproof softmax-cross-entropy classes={classes} "
                              f"target={target}", GRADIENT + form)
    assert label != "REFUTED", (form, reason)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perturbation=st.sampled_from([r"p_j + t_j", r"t_j - p_j", r"p_j - \frac{t_j}{n}",
                                     r"\frac{1}{n}(p_j - t_j)", r"p_j - t_j + t_1",
                                     r"p_j - 2 t_j", r"p_j t_j - t_j"]),
       target=st.sampled_from(["probability", "onehot", "any"]))
def test_perturbed_claims_are_never_proved(perturbation, target):
    label, reason, _ = judged(f"{CE} target={target}", GRADIENT + perturbation)
    assert label in ("REFUTED", "UNKNOWN"), (perturbation, reason)


# --- 2. one value per array entry, whatever its spelling -------------------------------------

t = sp.IndexedBase("t")
j = sp.Symbol("j", integer=True, positive=True)


def test_an_entry_at_a_symbolic_index_is_the_concrete_entry_once_the_index_is_drawn():
    assert entry_of(t[j].xreplace({j: 2})) == entry_of(t[1 + 1]) == t[2]
    assert entry_of(t[j]) is None  # t[j] may be t[2] or not: no value of its own
    assert entries_of(t[j] + t[2]) is None
    assert valued_entries(t[j] + t[2], {t[2]: sp.Integer(5)}) is None
    assert valued_entries((t[j] - t[2]).xreplace({j: 2}), {t[2]: sp.Integer(5)}) == 0


def test_differs_ties_t_j_at_j_2_to_t_2():
    # (t_j − t_2) δ_{j,2} is 0 for every j and t: once drawn independently, t_j and t_2 made it
    # "differ" at j = 2 (seeds 3, 4, 12 … of 20), and an exhaustive check REFUTED it
    zero = (t[j] - t[2]) * sp.KroneckerDelta(j, 2)
    assert not any(differs(zero, seed=seed) for seed in range(20))
    # not a number yet: undecided, never refuted
    assert exhaustive(lambda case: (t[j] * sp.KroneckerDelta(j, 2),
                                    t[2] * sp.KroneckerDelta(j, 2)), [{}], "tie").status \
        is Status.UNKNOWN
    assert differs(t[j] - t[2])  # at j ≠ 2 it does differ


def test_instances_that_break_an_assumption_refute_nothing():
    k = sp.Symbol("k", integer=True)
    n = sp.Symbol("n", integer=True, positive=True)
    summed = Context([sp.Le(j, n), sp.Eq(sp.Sum(t[k], (k, 1, n)), 1)])
    lhs, rhs = t[j], sp.Integer(0)
    off_simplex = [({j: 1, n: 2}, {t[1]: sp.Integer(1), t[2]: sp.Integer(1)}),  # Σ t = 2
                   ({j: 3, n: 2}, {t[1]: sp.Integer(1), t[2]: sp.Integer(0)}),  # j > n
                   ({j: 1, n: 2}, {t[1]: sp.Integer(2), t[2]: sp.Integer(-1)}),  # t < 0
                   ({j: 1, n: 2}, {t[1]: sp.Integer(1)}),  # t[2] has no value
                   ({j: 0, n: 2}, {t[1]: sp.Integer(1), t[2]: sp.Integer(0)})]  # j not ≥ 1
    found = instance_counterexample(lhs, rhs, summed, off_simplex, nonnegative=(t,))
    assert found.status is Status.UNKNOWN
    good = [({j: 2, n: 2}, {t[1]: sp.Rational(1, 3), t[2]: sp.Rational(2, 3)})]
    found = instance_counterexample(lhs, rhs, summed, good, nonnegative=(t,),
                                    shown_as={n: "N"})
    assert found.status is Status.REFUTED
    shown = found.counterexample
    assert shown["N"] == 2 and shown["t[2]"] == sp.Rational(2, 3)
    assert shown["left side"] == sp.Rational(2, 3) and shown["right side"] == 0


def test_an_instance_where_the_sides_agree_refutes_nothing():
    tied = [({j: 2}, {t[2]: sp.Integer(7)})]
    assert instance_counterexample(t[j], t[2], Context([sp.Eq(j, 2)]), tied).status \
        is Status.UNKNOWN


# check: true claims that mix an entry at the free index with concrete entries of the same
# array (t_j with t_1, t_n, t_N; p_j with p_1; G_{l,1,1} with G_{1,1,1}), and sums whose
# bound index is the free index's name: never REFUTED
TRUE_MIXED = [
    ("%! symproof softmax-cross-entropy classes=3 target=probability",
     r"p_j - t_j + (t_1 + t_2 + t_3 - 1) t_j"),
    ("%! symproof softmax-cross-entropy classes=3 target=probability",
     r"p_j - t_j + t_1 + t_2 + t_3 - 1"),
    ("%! symproof softmax-cross-entropy classes=2 target=probability",
     r"p_j - t_j + (t_j - t_1)(j - 1)(j - 2)"),
    ("%! symproof softmax-cross-entropy classes=3 target=any",
     r"p_j (t_1 + t_2 + t_3) - t_j + (j - 1)(j - 2)(j - 3)(t_j - t_1)"),
    (f"{CE} target=probability", r"p_j - t_j + t_1 (\sum_k t_k - 1)"),
    (f"{CE} target=probability", r"p_j - t_j + (t_n - t_j)(\sum_k t_k - 1)"),
    (f"{CE} target=any", r"p_j \sum_k t_k - t_1 + (t_1 - t_j)"),
    (f"{CE} target=any", r"p_i \sum_j t_j - t_i"),
    (f"{CE} target=any", r"p_j \sum_j t_j - t_j"),
    (f"{CE} target=probability", r"p_j - t_j + (p_j - p_1)(j - 1) \cdot 0"),
    ("%! symproof softmax-cross-entropy classes=2 target=probability",
     r"p_j - t_j + (p_j - p_1)(j - 1)(j - 2)"),
    (f"{CE} target=probability", r"p_j - t_j + (t_{j+1} - t_{j+1})"),
    (f"{CE} target=any", r"p_j (t_{j+1} + \sum_k t_k) - t_j - p_j t_{j+1}"),
    (f"{CE} target=probability", r"p_j - t_j + (t_{j+1} - t_1)(j - j)"),
    (f"{CE} target=any", r"p_j \sum_k t_k - t_j + \sum_j (t_j - t_j)"),
]


def test_true_claims_mixing_entries_are_never_refuted():
    for directive, rhs in TRUE_MIXED:
        label, reason, _ = judged(directive, GRADIENT + rhs)
        assert label != "REFUTED", (directive, rhs, reason)


def test_a_true_gradient_through_a_convolution_mixing_entries_is_not_refuted():
    directive = ("%! symproof conv2d-backward in_channels=1 out_channels=2 kernel_size=2 "
                 "input=3x3")
    for claim in (r"\sum_{i,j} G_{l,i,j} + (G_{l,1,1} - G_{1,1,1})(l - 1)(l - 2)",
                  r"G_{l,1,1} + G_{l,1,2} + G_{l,2,1} + G_{l,2,2}",
                  r"\sum_{i,j} G_{l,i,j} + (G_{l,1,1} - G_{2,1,1})(l - 1)(l - 2)"):
        label, reason, _ = judged(directive, r"\frac{\partial L}{\partial b_l} = " + claim)
        assert label in ("PROVED", "VERIFIED"), (claim, reason)
