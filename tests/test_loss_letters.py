"""The letters of loss claims (issue 16, loss16b): a loss directive names the document's
letters for the logits, the softmax, the target and the output (``logits=a probs=y
target-name=t output=o``), or ``check`` infers them from a softmax the document defines;
tested in the notations of public texts, each named, and with the letters' mistakes refused."""

from __future__ import annotations

import pytest

from symproof import limits
from symproof.claims.check import check_text
from symproof.claims.loss_claims import loss_from_words, with_defined_letters
from symproof.errors import ParameterError


def verdicts(document: str) -> dict[int, tuple[str, str]]:
    """Each claim's (label, reason), by line (the wall-clock limits raised: shared machine)."""
    with limits.raised(claim_seconds=120, document_seconds=1200):
        found, _ = check_text(document)
    return {v.line: (v.label, v.reason) for v in found}


# --- public notations ------------------------------------------------------------------------

def test_bishop_activations_outputs_and_targets():
    # Bishop, Pattern Recognition and Machine Learning, eqs. 4.104 and 5.18 (as quoted at
    # imathworks.com/cv/solved-how-was-derivative-of-the-error-function-with-respect-to-the-
    # activation-that-looks-like-y-t-derived): activations a_k, softmax outputs y_k, targets
    # t_k, error E, ∂E/∂a_k = y_k − t_k. The letters inferred from the softmax he defines.
    found = verdicts("%! symproof softmax-cross-entropy classes=K target=onehot loss=E\n\n"
                     r"$$ y_k = \frac{\exp(a_k)}{\sum_j \exp(a_j)} $$" "\n\n"
                     r"$$ \frac{\partial E}{\partial a_k} = y_k - t_k $$" "\n\n"
                     r"$$ \frac{\partial E}{\partial a_k} = t_k - y_k $$" "\n")
    # the definition that gave y and a their meaning is GIVEN: proving it against the
    # meaning it gave would be circular
    assert found[3][0] == "GIVEN", found[3]
    assert found[5][0] == "PROVED", found[5]
    assert "y for p" in found[5][1] and "a for z" in found[5][1]
    assert found[7][0] == "REFUTED", found[7]


def test_d2l_logits_and_labels():
    # Dive into Deep Learning §4.1.2 (softmax regression's loss): logits o_j, labels y_j, loss
    # l, ∂_{o_j} l = exp(o_j)/Σ_k exp(o_k) − y_j. d2l's softmax ŷ_j is accented: read as y,
    # it would be the labels' letter, so a claim writing it is UNKNOWN, never refuted.
    directive = ("%! symproof softmax-cross-entropy classes=q target=probability logits=o "
                 "target-name=y loss=l")
    found = verdicts(f"{directive}\n\n"
                     r"$$ \frac{\partial l}{\partial o_j} = \frac{\exp(o_j)}{\sum_{k=1}^{q} "
                     r"\exp(o_k)} - y_j $$" "\n\n"
                     r"$$ \frac{\partial l}{\partial o_j} = \hat{y}_j - y_j $$" "\n\n"
                     r"$$ \frac{\partial l}{\partial o_j} = \frac{\exp(o_j)}{\sum_{k=1}^{q} "
                     r"\exp(o_k)} + y_j $$" "\n")
    assert found[3][0] == "PROVED", found[3]
    assert found[5][0] == "UNKNOWN" and "\\hat{y}" in found[5][1], found[5]
    assert found[7][0] == "REFUTED", found[7]


def test_cs231n_scores():
    # CS231n notes, "Putting it together: Training a Softmax Classifier" (cs231n.github.io,
    # neural-networks-case-study): scores f, p_k = e^{f_k}/Σ_j e^{f_j}, ∂L_i/∂f_k = p_k −
    # 1(y_i = k). The one-hot vector 1(y_i = k) is written y_k here (target-name=y): the
    # notes' y_i is a class index, which the directive's one-hot target models as c.
    found = verdicts("%! symproof softmax-cross-entropy classes=C target=onehot "
                     "target-name=y\n\n"
                     r"$$ p_k = \frac{e^{f_k}}{\sum_j e^{f_j}} $$" "\n\n"
                     r"$$ \frac{\partial L}{\partial f_k} = p_k - y_k $$" "\n\n"
                     r"$$ \frac{\partial L}{\partial z_k} = p_k - y_k $$" "\n")
    assert found[3][0] == "GIVEN", found[3]  # it named the logits f
    assert found[5][0] == "PROVED", found[5]
    # the model's own letter z is not the document's any more
    assert found[7][0] == "UNKNOWN" and "f_j" in found[7][1], found[7]


def test_an_inferred_softmax_with_a_symbolic_number_of_classes_refutes_on_the_simplex():
    found = verdicts("%! symproof softmax-cross-entropy classes=n target=probability\n\n"
                     r"$$ q_i = \frac{e^{a_i}}{\sum_k e^{a_k}} $$" "\n\n"
                     r"$$ \frac{\partial L}{\partial a_i} = q_i - t_i $$" "\n\n"
                     r"$$ \frac{\partial L}{\partial a_i} = q_i + t_i $$" "\n")
    assert found[5][0] == "PROVED", found[5]
    label, reason = found[7]
    assert label == "REFUTED", reason
    # the counterexample in the document's letters: a and n, with both sides
    assert "a[1] = " in reason and "n = " in reason and "left side" in reason, reason


def test_mse_output_and_target_letters():
    found = verdicts("%! symproof mse classes=n output=o target-name=y\n\n"
                     r"$$ \frac{\partial L}{\partial o_i} = \frac{2}{n}(o_i - y_i) $$" "\n\n"
                     r"$$ \frac{\partial L}{\partial o_i} = \frac{1}{n}(o_i - y_i) $$" "\n")
    assert found[3][0] == "PROVED", found[3]
    assert found[5][0] == "REFUTED", found[5]


# --- the directive's fields ------------------------------------------------------------------

def test_letters_are_read():
    read = loss_from_words(("softmax-cross-entropy", "classes=n", "logits=a", "probs=q",
                            "target-name=y"))
    assert read.arrays == {"a": read.arrays["a"], "q": read.arrays["q"], "y": read.arrays["y"]}
    assert (read.letter("logits"), read.letter("probs"), read.letter("target-name")) == (
        "a", "q", "y")
    assert loss_from_words(("mse", "classes=n", "output=o")).variable_letter == "o"


@pytest.mark.parametrize("words, field", [
    (("softmax-cross-entropy", "classes=n", "logits=ab"), "logits"),  # one letter
    (("softmax-cross-entropy", "classes=n", "logits=t"), "logits"),  # the target's t
    (("softmax-cross-entropy", "classes=n", "probs=a", "logits=a"), "a"),  # twice
    (("softmax-cross-entropy", "classes=n", "output=o"), "output"),  # no output under CE
    (("mse", "classes=n", "logits=a"), "logits"),  # no logits under the MSE
    (("softmax-cross-entropy", "classes=n", "logits=n"), "logits"),  # the classes
    (("softmax-cross-entropy", "classes=n", "logits=L"), "logits"),  # the loss
    (("softmax-cross-entropy", "classes=n", "logits=a", "logits=b"), "given once only"),
    (("softmax-cross-entropy", "classes=n", "logits="), "needs a value"),
])
def test_bad_letters_are_refused(words, field):
    with pytest.raises(ParameterError, match=field):
        loss_from_words(words)


def test_inference_keeps_what_the_directive_names_and_skips_accents():
    named = loss_from_words(("softmax-cross-entropy", "classes=n", "logits=b"))
    inferred = with_defined_letters(named, r"q_i = \frac{e^{a_i}}{\sum_k e^{a_k}}")
    assert inferred.letter("logits") == "b" and inferred.letter("probs") == "q"
    plain = loss_from_words(("softmax-cross-entropy", "classes=n"))
    assert with_defined_letters(plain, r"\hat{y}_j = \frac{\exp(o_j)}{\sum_k \exp(o_k)}") \
        == plain
    # letters that clash (the softmax named like the target t) are not taken
    assert with_defined_letters(plain, r"t_i = \frac{e^{a_i}}{\sum_k e^{a_k}}") == plain
    mse = loss_from_words(("mse", "classes=n"))
    assert with_defined_letters(mse, r"q_i = \frac{e^{a_i}}{\sum_k e^{a_k}}") == mse


@pytest.mark.parametrize("text", ["a_" + " " * 100_000, "q_i = \\frac{e^{a_i}" + " " * 100_000,
                                  "\\hat" + " " * 100_000, "a_{ " * 30_000])
def test_looking_for_a_softmax_is_linear_in_the_document(text):
    # a long run of spaces once cost a quadratic scan (two neighbouring \s* of the pattern);
    # quadratic, 100 000 spaces take over a minute
    import time

    plain = loss_from_words(("softmax-cross-entropy", "classes=n"))
    started = time.process_time()
    assert with_defined_letters(plain, text) == plain
    verdicts(f"%! symproof softmax-cross-entropy classes=n\n\n$$ {text[:2000]} $$\n")
    assert time.process_time() - started < 5


def test_a_definition_in_other_letters_is_given_and_one_in_the_directives_is_judged():
    """A softmax the document defines in its own letters gives them their meaning (GIVEN);
    named by the directive instead, the same letters make the definition a claim, and a
    wrong one is refuted."""
    defined = r"$$ q_i = \frac{e^{a_i}}{\sum_k e^{a_k}} $$"
    wrong = r"$$ q_i = \frac{e^{a_i}}{\sum_{k=1}^{n} e^{a_i}} $$"  # 1/n
    found = verdicts("%! symproof softmax-cross-entropy classes=n\n\n" + defined + "\n")
    assert found[3][0] == "GIVEN", found[3]
    named = "%! symproof softmax-cross-entropy classes=n probs=q logits=a\n\n"
    assert verdicts(named + defined + "\n")[3][0] == "PROVED"
    label, reason = verdicts(named + wrong + "\n")[3]
    assert label == "REFUTED" and "n = " in reason, reason
    # without bounds, a sum whose summand does not name its index has no range to read
    label, reason = verdicts(named + r"$$ q_i = \frac{e^{a_i}}{\sum_k e^{a_i}} $$" + "\n")[3]
    assert label == "UNKNOWN" and "range of the sum over k" in reason, reason
