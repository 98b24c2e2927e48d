"""``symproof check`` on loss-gradient claims (issue 16, P10's losses): the
``softmax-cross-entropy`` and ``mse`` directives, correct claims in several notations (taken
from public derivations, their letters written as the directive's: logits z, target t,
softmax p), perturbations that must never be PROVED, names nothing binds (UNKNOWN, named),
bad directives (one UNPARSED line) and the command line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof.claims.check import check_text
from symproof.claims.loss_claims import loss_from_words
from symproof.errors import ParameterError

CE = "%! symproof softmax-cross-entropy classes=n"
MSE = "%! symproof mse classes=n"


def judged(directive: str, claim: str) -> tuple[str, str, dict]:
    """The one verdict on ``claim`` (a display) under ``directive``: label, reason, evidence."""
    verdicts, _ = check_text(f"{directive}\n\n$$ {claim} $$\n")
    assert len(verdicts) == 1, [(v.label, v.reason) for v in verdicts]
    return verdicts[0].label, verdicts[0].reason, verdicts[0].evidence


# --- correct claims, PROVED ------------------------------------------------------------------

# (directive's target, claim, source). The sources write the target y and the logits o or a;
# here they are t and z, the letters the directive binds.
CORRECT = [
    # Dive into Deep Learning §4.1 (softmax regression), ∂_{o_j} l = exp(o_j)/Σ_{k=1}^{q}
    # exp(o_k) − y_j, as quoted at 1cademy.com/node/weights-and-gradient-for-softmax-regression
    ("probability", r"\frac{\partial L}{\partial z_j} = \frac{\exp(z_j)}{\sum_{k=1}^{n} "
                    r"\exp(z_k)} - t_j", "Dive into Deep Learning §4.1 (quoted by 1cademy.com)"),
    ("probability", r"\frac{\partial L}{\partial z_j} = p_j - t_j", "the same, p = softmax(z)"),
    ("onehot", r"\frac{\partial L}{\partial z_j} = p_j - t_j",
     "postnetwork.co/gradient-of-softmax-cross-entropy-w-r-t-logits (one-hot y)"),
    ("probability", r"\frac{\partial L}{\partial z_j} = \frac{e^{z_j}}{\sum_k e^{z_k}} - t_j",
     "the softmax written out, a bare sum"),
    ("probability", r"\frac{\partial L}{\partial z_j} = \frac{\exp(z_j)}{\sum_{k=1}^{n} "
                    r"\exp(z_k)} - t_j", "the softmax written out, with bounds"),
    # 553668.com/manong/1173660.html: ∂L/∂o_i = p_i (Σ_k y_k) − y_i, for any y
    ("any", r"\frac{\partial L}{\partial z_i} = p_i \sum_k t_k - t_i",
     "553668.com/manong/1173660.html (before Σ y = 1 is used)"),
    # sunhaozhe.github.io/blogs/2019/10/03/matrix-calculus: − y_k + Σ_i y_i p_k (its entry
    # index k written j: k is a name of the loss's definition, refused as an entry index)
    ("any", r"\frac{\partial L}{\partial z_j} = - t_j + \sum_i t_i p_j",
     "sunhaozhe.github.io matrix-calculus"),
    ("probability", r"\partial L / \partial z_j = p_j - t_j", "the slash spelling"),
]


@pytest.mark.parametrize("target, claim, source", CORRECT)
def test_correct_cross_entropy_gradients_are_proved(target, claim, source):
    label, reason, _ = judged(f"{CE} target={target}", claim)
    assert label == "PROVED", (source, reason)


@pytest.mark.parametrize("claim", [r"\frac{\partial L}{\partial y_j} = \frac{2}{n}(y_j - t_j)",
                                   r"\frac{\partial L}{\partial y_j} = \frac{2 (y_j - t_j)}{n}",
                                   r"\frac{\partial L}{\partial y_i} = -\frac{2}{n}(t_i - y_i)"])
def test_correct_mse_gradients_are_proved(claim):
    # PyTorch's mse_loss(reduction='mean') is (1/n) Σ (y_k − t_k)²: its gradient is 2/n (y − t)
    label, reason, _ = judged(MSE, claim)
    assert label == "PROVED", reason


def test_numbers_of_classes_given_as_a_number():
    assert judged("%! symproof mse classes=4",
                  r"\frac{\partial L}{\partial y_j} = \frac{1}{2}(y_j - t_j)")[0] == "PROVED"
    for target in ("probability", "onehot"):
        label, reason, _ = judged(f"%! symproof softmax-cross-entropy classes=3 target={target}",
                                  r"\frac{\partial L}{\partial z_j} = p_j - t_j")
        assert label == "PROVED", (target, reason)


def test_the_softmax_as_the_document_defines_it():
    label, reason, _ = judged(CE, r"p_j = \frac{e^{z_j}}{\sum_k e^{z_k}}")
    assert label == "PROVED", reason
    assert judged(CE, r"p_j = e^{z_j}")[0] in ("REFUTED", "UNKNOWN")


def test_other_loss_names():
    claim = r"\frac{\partial E}{\partial z_j} = p_j - t_j"
    assert judged(f"{CE} target=onehot", claim)[0] == "PROVED"  # L and E by default
    label, reason, _ = judged(f"{CE} target=onehot loss=J", claim)
    assert label == "UNKNOWN" and "the loss E is not bound" in reason
    assert judged(f"{CE} target=onehot loss=J",
                  r"\frac{\partial J}{\partial z_j} = p_j - t_j")[0] == "PROVED"


# --- perturbed claims, never PROVED ----------------------------------------------------------

WRONG_CE = [r"p_j + t_j", r"t_j - p_j", r"p_j", r"p_j - t_j + 1", r"\frac{1}{n}(p_j - t_j)"]


@pytest.mark.parametrize("target", ["probability", "onehot", "any"])
@pytest.mark.parametrize("rhs", WRONG_CE)
def test_perturbed_cross_entropy_gradients_are_not_proved(target, rhs):
    label, reason, _ = judged(f"{CE} target={target}",
                              rf"\frac{{\partial L}}{{\partial z_j}} = {rhs}")
    assert label in ("REFUTED", "UNKNOWN"), reason


def test_p_minus_t_needs_the_targets_to_sum_to_one():
    # without Σ t = 1 the gradient is p_j Σ_k t_k − t_j: refuted, by an admissible target
    for classes in ("n", "3"):
        label, reason, evidence = judged(f"%! symproof softmax-cross-entropy classes={classes}",
                                         r"\frac{\partial L}{\partial z_j} = p_j - t_j")
        assert label == "REFUTED", reason
        assert "counterexample" in evidence


@pytest.mark.parametrize("rhs", [r"2(y_j - t_j)", r"\frac{1}{n}(y_j - t_j)",
                                 r"\frac{2}{n}(t_j - y_j)", r"\frac{2}{n} y_j"])
def test_perturbed_mse_gradients_are_refuted(rhs):
    label, reason, evidence = judged(MSE, rf"\frac{{\partial L}}{{\partial y_j}} = {rhs}")
    assert label == "REFUTED", reason
    assert evidence["counterexample"]


def test_counterexamples_of_a_probability_target_respect_the_sum():
    # three classes: t_3 is written 1 − t_1 − t_2, so every counterexample sums to 1
    label, reason, evidence = judged(
        "%! symproof softmax-cross-entropy classes=3 target=probability",
        r"\frac{\partial L}{\partial z_j} = t_j - p_j")
    assert label == "REFUTED", reason
    assert "t_3 = 1 − Σ_(k<3) t_k" in reason
    shown = evidence["counterexample"]
    written = [float(shown.get(f"t[{i}]", 0)) for i in (1, 2)]
    assert all(v >= 0 for v in written) and sum(written) <= 1


# --- names nothing binds: UNKNOWN, named, never REFUTED -------------------------------------

@pytest.mark.parametrize("directive, claim, name", [
    (CE, r"\frac{\partial L}{\partial z_j} = q_j - t_j", "q_j"),
    (CE, r"\frac{\partial L}{\partial z_j} = p_j - t_j + m", "m"),
    (MSE, r"\frac{\partial L}{\partial y_j} = \frac{2}{m}(y_j - t_j)", "m"),
    (MSE, r"\frac{\partial L}{\partial y_j} = p_j - t_j", "p_j"),  # no softmax under mse
    ("%! symproof mse classes=4", r"\frac{\partial L}{\partial y_j} = \frac{2}{n}(y_j - t_j)",
     "n"),
    (CE, r"\frac{\partial L}{\partial z_j} = \hat{y}_j - t_j", "y"),
])
def test_unbound_names_are_unknown(directive, claim, name):
    label, reason, _ = judged(directive, claim)
    assert label == "UNKNOWN", reason
    assert name in reason


def test_other_claims_under_a_loss_directive_are_unknown():
    label, reason, _ = judged(CE, r"\frac{\partial L}{\partial y_j} = p_j - t_j")
    assert label == "UNKNOWN" and "z_j" in reason
    label, reason, _ = judged(CE, r"L = -\sum_k t_k \log p_k")
    assert label == "UNKNOWN", reason


# --- directives -----------------------------------------------------------------------------

def test_the_directive_is_read():
    read = loss_from_words(("softmax-cross-entropy", "classes=n", "target=onehot", "loss=E"))
    assert (read.loss, str(read.classes), read.target, read.names) == (
        "cross_entropy", "n", "onehot", ("E",))
    assert loss_from_words(("mse", "classes=5")).classes == 5


@pytest.mark.parametrize("words, field", [
    (("mse",), "classes"),
    (("mse", "classes=0x"), "classes"),
    (("softmax-cross-entropy", "classes=n", "target=soft"), "target"),
    (("softmax-cross-entropy", "classes=n", "loss=LL"), "loss"),
    (("mse", "classes=n", "classes=m"), "classes"),
    (("mse", "classes=n", "stride=2"), "stride"),
])
def test_bad_directives_are_refused(words, field):
    with pytest.raises(ParameterError, match=field):
        loss_from_words(words)


def test_a_bad_directive_value_is_one_unparsed_line():
    verdicts, _ = check_text("%! symproof softmax-cross-entropy classes=n target=soft\n\n"
                             r"$$ \frac{\partial L}{\partial z_j} = p_j - t_j $$" "\n")
    first = next(v for v in verdicts if v.line == 1)
    assert first.label == "UNPARSED" and "target" in first.reason and "\n" not in first.reason
    assert all(v.label != "PROVED" for v in verdicts)


# --- what a user sees ------------------------------------------------------------------------

def _run(*argv: str) -> subprocess.CompletedProcess:
    # the wall-clock limit per claim raised: this machine is shared
    return subprocess.run([sys.executable, "-m", "symproof", "--limit", "claim_seconds=120",
                           *argv], capture_output=True, text=True, timeout=600)


def test_cli_on_a_markdown_solution(tmp_path):
    solution = tmp_path / "softmax.md"
    solution.write_text(
        "# Softmax cross-entropy\n"
        "<!-- symproof softmax-cross-entropy classes=n target=onehot -->\n\n"
        "$$\\frac{\\partial L}{\\partial z_j} = p_j - t_j$$\n\n"
        "$$\\frac{\\partial L}{\\partial z_j} = t_j - p_j$$\n\n"
        "$$\\frac{\\partial L}{\\partial z_j} = q_j - t_j$$\n", encoding="utf-8")
    done = _run("check", str(solution))
    assert done.returncode == 1, done.stderr  # a refuted claim
    lines = done.stdout.splitlines()
    assert any(":4: PROVED" in line for line in lines), done.stdout
    assert any(":6: REFUTED" in line and "counterexample" in line for line in lines)
    assert any(":8: UNKNOWN" in line and "q_j" in line for line in lines), done.stdout
    assert lines[-1].endswith("1 proved, 1 refuted, 1 unknown"), done.stdout


def test_cli_on_a_bad_directive(tmp_path):
    solution = tmp_path / "mse.md"
    solution.write_text("<!-- symproof mse classes=n target=soft -->\n", encoding="utf-8")
    done = _run("check", str(solution))
    assert "Traceback" not in done.stderr
    line = next(line for line in done.stdout.splitlines() if ":1:" in line)
    assert "UNPARSED" in line and "target" in line


# --- regressions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("directive, claim", [
    # an entry outside the classes, or a sum beyond them: not defined, so never refuted
    (CE, r"\frac{\partial L}{\partial z_j} = p_j \sum_{k=0}^{n} t_k - t_j"),
    (CE, r"\frac{\partial L}{\partial z_j} = p_j - t_0"),
    ("%! symproof softmax-cross-entropy classes=3", r"\frac{\partial L}{\partial z_j} = p_j - t_4"),
    # the number of classes named like the entry's index
    ("%! symproof softmax-cross-entropy classes=j", r"\frac{\partial L}{\partial z_j} = p_j - t_j"),
    # an entry z_1 rather than z_j, an index expression t_{3−j}
    (f"{CE} target=probability", r"\frac{\partial L}{\partial z_1} = p_1 - t_1"),
    ("%! symproof softmax-cross-entropy classes=2 target=probability",
     r"\frac{\partial L}{\partial z_j} = p_j - 1 + t_{3-j}"),
])
def test_claims_the_directive_does_not_define_are_unknown(directive, claim):
    label, reason, _ = judged(directive, claim)
    assert label == "UNKNOWN", reason


def test_a_probability_target_of_a_number_of_classes_is_not_refuted_by_its_last_entry():
    # t_j at j = N is t_N = 1 − Σ_{k<N} t_k too: once read as a free entry, p_j − t_j was
    # refuted at j = 2 of 3 (no target summing to 1 is a counterexample)
    for classes in (2, 3, 4):
        label, reason, _ = judged(
            f"%! symproof softmax-cross-entropy classes={classes} target=probability",
            r"\frac{\partial L}{\partial z_j} = p_j - t_j")
        assert label == "PROVED", (classes, reason)


@pytest.mark.parametrize("index", ["k", "m", "c", "L"])
def test_an_index_named_like_a_name_of_the_definition_is_read_apart_from_it(index):
    # Σ_k, Σ_m of the loss and the one-hot class c would capture it: it is read as a name of
    # its own (k'), so Bishop's ∂E/∂a_k = y_k − t_k is read as written
    claim = rf"\frac{{\partial L}}{{\partial z_{index}}} = p_{index} - t_{index}"
    label, reason, _ = judged(f"{CE} target=onehot", claim)
    assert label == "PROVED", reason
    wrong = rf"\frac{{\partial L}}{{\partial z_{index}}} = p_{index} + t_{index}"
    assert judged(f"{CE} target=onehot", wrong)[0] in ("REFUTED", "UNKNOWN")


def test_an_index_named_like_the_classes_is_unknown():
    label, reason, _ = judged(f"{CE} target=onehot", r"\frac{\partial L}{\partial z_n} = p_n - t_n")
    assert label == "UNKNOWN" and "n" in reason, reason


def test_a_sum_over_another_letter_than_the_entry_index():
    # the entry z_i and a sum over j (once the model's own j, which the sum captured)
    assert judged(CE, r"\frac{\partial L}{\partial z_i} = p_i \sum_j t_j - t_i")[0] == "PROVED"
    assert judged(CE, r"\frac{\partial L}{\partial z_i} = p_i \sum_j t_j + t_i")[0] == "REFUTED"


# --- properties ----------------------------------------------------------------------------------

_SLOW = settings(max_examples=12, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@_SLOW
@given(a=st.integers(-2, 2), b=st.integers(-2, 2),
       target=st.sampled_from(["probability", "onehot", "any"]))
def test_a_combination_of_p_and_t_is_proved_only_when_it_is_the_gradient(a, b, target):
    label, reason, _ = judged(f"{CE} target={target}",
                              rf"\frac{{\partial L}}{{\partial z_j}} = {a} p_j + {b} t_j")
    if (a, b) == (1, -1) and target != "any":
        assert label == "PROVED", reason
    else:
        assert label != "PROVED", reason


@_SLOW
@given(numerator=st.integers(-3, 3), classes=st.sampled_from(["n", "3"]))
def test_a_multiple_of_y_minus_t_is_proved_only_with_two_over_n(numerator, classes):
    size = "n" if classes == "n" else "3"
    label, reason, _ = judged(f"%! symproof mse classes={classes}",
                              rf"\frac{{\partial L}}{{\partial y_j}} = \frac{{{numerator}}}"
                              rf"{{{size}}}(y_j - t_j)")
    assert (label == "PROVED") == (numerator == 2), reason
    assert label in ("PROVED", "REFUTED"), reason
