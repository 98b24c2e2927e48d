"""``symproof check`` on claims about gradients through a layer (issue 16): the
``conv2d-backward`` / ``avgpool2d-backward`` / ``maxpool2d-backward`` directives, the
inference from a section's prose, a corpus of other people's formulas and their
perturbations, and what a user sees on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof import limits
from symproof.claims.check import check_text
from symproof.claims.context import backward_from_words
from symproof.errors import ParameterError

DATA = Path(__file__).parent / "data"
CORPUS = json.loads((DATA / "backprop_corpus.json").read_text(encoding="utf-8"))

SYMBOLIC = ("%! symproof conv2d-backward in_channels=C_in out_channels=C_out "
            "kernel_size=f_1xf_2 stride=S padding=P dilation=D")
W_GRADIENT = (r"\frac{\partial L}{\partial w_{l,\gamma,\alpha,\beta}} = \sum_{i=1}^{H_{out}}"
              r"\sum_{j=1}^{W_{out}} G_{l,i,j} X_{\gamma, S(i-1)+D(\alpha-1)+1-P, "
              r"S(j-1)+D(\beta-1)+1-P}")


def judged(document: str, markdown: bool = False) -> list:
    """Every verdict on ``document``. The time limits are the wall clock's, and this machine
    is shared: raised, so that a loaded machine makes no claim UNKNOWN "by time" here."""
    with limits.raised(claim_seconds=120, document_seconds=1200):
        return check_text(document, markdown=markdown)[0]


def verdicts(document: str, markdown: bool = False) -> dict[int, object]:
    """The verdict of each line of ``document`` that holds a claim."""
    return {v.line: v for v in judged(document, markdown)}


def statuses(document: str, markdown: bool = False) -> dict[int, str]:
    return {line: v.label for line, v in verdicts(document, markdown).items()}


def one(directive: str, claim: str) -> object:
    """The verdict on ``claim`` under ``directive`` (line 2 of a two-line document)."""
    return verdicts(f"{directive}\n\\[ {claim} \\]\n")[2]


# --- the directive --------------------------------------------------------------------------

def test_backward_directive_is_the_layer_directive_plus_its_fields():
    words, backward = backward_from_words(("conv2d-backward", "in_channels=2", "upstream=delta",
                                           "loss=E", "indexing=0", "kernel_size=3"))
    assert words == ("conv2d", "in_channels=2", "kernel_size=3")
    assert backward.upstream == ("delta",) and backward.loss == ("E",)
    assert backward.zero_based


@pytest.mark.parametrize("words, rule", [
    (("linear-backward", "in_features=2"), "must be one of conv2d-backward"),
    (("conv2d-backward", "kernel_size=3", "indexing=2"), "must be 0 or 1"),
    (("conv2d-backward", "kernel_size=3", "upstream=d2"), "one letter or a Greek"),
    (("conv2d-backward", "kernel_size=3", "upstream"), "needs a value"),
    (("conv2d-backward", "loss=L", "loss=E"), "given once only"),
])
def test_bad_backward_fields_are_refused_naming_them(words, rule):
    with pytest.raises(ParameterError, match=rule):
        backward_from_words(words)


def test_bad_directive_values_are_one_line_each_and_the_rest_is_checked():
    found = statuses("%! symproof conv2d-backward in_channels=0 kernel_size=3\n"
                     "\\[ \\frac{\\partial L}{\\partial b_l} = \\sum_{i,j} G_{l,i,j} \\]\n"
                     "%! symproof conv2d-backward kernel_size=3 in_channels=100000000\n")
    assert found[1] == "UNPARSED" and found[3] == "UNPARSED"
    assert found[2] == "UNKNOWN"  # no layer: nothing to judge it by, never refuted
    reasons = verdicts("%! symproof conv2d-backward kernel_size=3 in_channels=100000000\n")
    assert "layer_size" in reasons[1].reason  # the document limit, checked before any work


# --- judging under a directive ---------------------------------------------------------------

@pytest.mark.parametrize("claim", [
    r"\frac{\partial L}{\partial b_l} = \sum_{i=1}^{H_{out}}\sum_{j=1}^{W_{out}} G_{l,i,j}",
    r"\frac{\partial L}{\partial b_l} = \sum_{i,j} G_{l,i,j}",
    W_GRADIENT,
    W_GRADIENT.replace(r"\partial L}", r"\partial E}").replace(
        "G_{l,i,j}", r"\frac{\partial E}{\partial Y_{l,i,j}}"),
    W_GRADIENT.replace(r"\sum_{i=1}^{H_{out}}\sum_{j=1}^{W_{out}}", r"\sum_{i,j}"),
    W_GRADIENT.replace(r"\partial L}", r"\partial \mathcal{L}}"),
    r"dL/dw_{l,\gamma,\alpha,\beta} = \sum_{i,j} G_{l,i,j} X_{\gamma, S(i-1)+D(\alpha-1)+1-P,"
    r" S(j-1)+D(\beta-1)+1-P}",
])
def test_correct_gradients_in_symbolic_sizes_are_proved(claim):
    verdict = one(SYMBOLIC, claim)
    assert verdict.label == "PROVED", verdict.reason
    assert "chain rule" in verdict.reason


@pytest.mark.parametrize("claim, change", [
    (W_GRADIENT.replace("S(i-1)+D", "Si+D"), "S(i-1) -> S i"),
    (W_GRADIENT.replace("+1-P, S(j", "-P, S(j"), "wrong shift"),
    (W_GRADIENT.replace(r"D(\alpha-1)", r"D(1-\alpha)"), "flipped kernel"),
    (r"\frac{\partial L}{\partial b_l} = \sum_{i=1}^{H_{out}}\sum_{j=1}^{W_{out}} G_{l,j,i}",
     "transposed upstream"),
])
def test_wrong_gradients_are_refuted_with_an_admissible_counterexample(claim, change):
    verdict = one(SYMBOLIC, claim)
    assert verdict.label == "REFUTED", (change, verdict.reason)
    example = verdict.evidence["counterexample"]
    for size in ("C_in", "C_out", "f_1", "f_2", "S", "D", "H_in", "W_in"):
        if size in example:
            assert int(example[size]) >= 1, (size, example)
    if "P" in example:
        assert int(example["P"]) >= 0


def test_a_wrong_range_is_not_proved():
    # the last row left out: a counterexample needs G and X nonzero exactly there, which
    # the kernel's search may miss; it is then UNKNOWN, never PROVED
    claim = W_GRADIENT.replace(r"\sum_{i=1}^{H_{out}}", r"\sum_{i=1}^{H_{out}-1}")
    assert one(SYMBOLIC, claim).label in ("REFUTED", "UNKNOWN")


def test_unbound_upstream_names_are_unknown_naming_them_never_refuted():
    claim = r"\frac{\partial L}{\partial b_l} = \sum_{i,j} \delta_{l,i,j}"
    verdict = one(SYMBOLIC, claim)
    assert verdict.label == "UNKNOWN" and "\\delta is not bound" in verdict.reason
    assert one(SYMBOLIC + " upstream=delta", claim).label == "PROVED"
    named_in_prose = (f"{SYMBOLIC}\n\\[ \\delta_{{l,i,j}} = \\frac{{\\partial L}}{{\\partial "
                      f"Y_{{l,i,j}}}} \\]\n\\[ {claim} \\]\n")
    found = verdicts(named_in_prose)
    assert found[2].label == "GIVEN" and found[3].label == "PROVED"
    # a wrong formula in an unbound name is not refuted either: the name is the problem
    wrong = r"\frac{\partial L}{\partial b_l} = \sum_{i,j} \delta_{l,j,i} + 1"
    assert one(SYMBOLIC, wrong).label == "UNKNOWN"


def test_unbound_loss_and_free_names_are_unknown():
    loss = one(SYMBOLIC, r"\frac{\partial J}{\partial b_l} = \sum_{i,j} G_{l,i,j}")
    assert loss.label == "UNKNOWN" and "loss J is not bound" in loss.reason
    assert one(SYMBOLIC + " loss=J",
               r"\frac{\partial J}{\partial b_l} = \sum_{i,j} G_{l,i,j}").label == "PROVED"
    free = one(SYMBOLIC, r"\frac{\partial L}{\partial b_l} = \sum_{i,j} G_{l,i,j} + c")
    assert free.label == "UNKNOWN" and "c is free" in free.reason
    index = one(SYMBOLIC, r"\frac{\partial L}{\partial b_l} = \sum_{j} G_{l,i,j}")
    assert index.label == "UNKNOWN" and "i is free" in index.reason


def test_zero_based_sums_are_refused_unless_the_directive_says_so():
    claim = (r"\frac{\partial L}{\partial w_{l,c,a,b}} = \sum_{i=0}^{H_{out}-1}"
             r"\sum_{j=0}^{W_{out}-1} G_{l,i,j} X_{c, i+a, j+b}")
    base = "%! symproof conv2d-backward in_channels=C_in out_channels=C_out kernel_size=f_1xf_2"
    guessed = one(base, claim)
    assert guessed.label == "UNKNOWN" and "0-based" in guessed.reason
    assert one(base + " indexing=0", claim).label == "PROVED"
    shifted = claim.replace("X_{c, i+a", "X_{c, i+a+1")
    assert one(base + " indexing=0", shifted).label == "REFUTED"


def test_concrete_layers_are_verified_entry_by_entry():
    directive = ("%! symproof conv2d-backward in_channels=2 out_channels=3 kernel_size=2x3 "
                 "stride=2 padding=1 input=5x6")
    right = (r"\frac{\partial L}{\partial X_{\gamma,p,q}} = \sum_{l=1}^{3}\sum_{i=1}^{H_{out}}"
             r"\sum_{j=1}^{W_{out}} G_{l,i,j} w_{l,\gamma,p-2(i-1)+1,q-2(j-1)+1}")
    assert one(directive, right).label == "VERIFIED"
    assert one(directive, right.replace("p-2(i-1)+1", "p-2i+1")).label == "REFUTED"
    bias = r"\frac{\partial L}{\partial b_{l}} = \sum_{i=1}^{3}\sum_{j=1}^{4} G_{l,i,j}"
    assert one(directive, bias).label == "PROVED"
    # G is 0 outside the output (3 × 3 here): a sum beyond it adds nothing, one short of it
    # leaves a column out
    assert one(directive, bias.replace("^{4}", "^{2}")).label == "REFUTED"


def test_average_pooling_backward_and_max_pooling_routed_to_every_entry():
    directive = "%! symproof avgpool2d-backward kernel_size=2 stride=2 input=1x4x4"
    spread = (r"\frac{\partial L}{\partial X_{1,p,q}} = \frac{1}{4} "
              r"G_{1,\lceil p/2 \rceil,\lceil q/2 \rceil}")
    assert one(directive, spread).label == "VERIFIED"
    assert one(directive, spread.replace("{1}{4}", "{1}{2}")).label == "REFUTED"
    routed = one("%! symproof maxpool2d-backward kernel_size=2 stride=2 input=1x4x4",
                 r"\frac{\partial L}{\partial X_{1,p,q}} = G_{1,\lceil p/2 \rceil,"
                 r"\lceil q/2 \rceil}")
    # the whole window's G at every entry: refuted by an input whose windows have one
    # maximum each (tests/test_check_maxpool_backward.py judges the forms that are right)
    assert routed.label == "REFUTED" and "X = [" in routed.reason


def test_groups_letter_is_not_the_upstream_gradient():
    # G is also the course's letter for groups (= 1): the upstream G must stay an array
    verdict = one(SYMBOLIC, r"\frac{\partial L}{\partial b_l} = \sum_{i,j} G_{l,i,j}")
    assert verdict.label == "PROVED" and "1[" not in verdict.reason


# --- inference from prose --------------------------------------------------------------------

PROSE = (DATA / "backward_prose.md").read_text(encoding="utf-8")


def test_a_convolution_stated_in_prose_has_its_gradients_judged():
    found = statuses(PROSE, markdown=True)
    assert found == {4: "PROVED", 6: "UNKNOWN", 8: "PROVED", 10: "REFUTED", 12: "GIVEN",
                     14: "PROVED"}
    assert "G is not bound" in verdicts(PROSE, markdown=True)[6].reason


def test_no_layer_in_the_section_no_gradient_judged():
    found = verdicts("# Notes\n\n$$\\frac{\\partial L}{\\partial b_l} = \\sum_{i,j} "
                     "G_{l,i,j} + 1$$\n", markdown=True)
    assert found[3].label == "UNKNOWN"


# --- a corpus of other people's formulas -----------------------------------------------------

def _corpus_cases() -> list:
    return list(_corpus_params())


def _corpus_params():
    for entry in CORPUS["entries"]:
        yield pytest.param(entry, entry["claim"], entry["expected"], id=entry["id"])
        for n, perturbed in enumerate(entry["perturbations"]):
            yield pytest.param(entry, perturbed["claim"], None,
                               id=f"{entry['id']}-perturbed-{n}-{perturbed['change']}")


def test_corpus_is_sourced_and_perturbed():
    entries = CORPUS["entries"]
    assert 10 <= len(entries) <= 25
    assert all(entry["source"] and entry["convention"] for entry in entries)
    for entry in entries:  # every correct formula has three wrong variants or more
        if entry["expected"] == "PROVED" or entry["perturbations"]:
            assert len(entry["perturbations"]) >= 3, entry["id"]


@pytest.mark.parametrize("entry, claim, expected", _corpus_cases())
def test_corpus_verdicts(entry, claim, expected):
    document = "\n".join(entry["directives"]) + f"\n\\[ {claim} \\]\n"
    verdict = verdicts(document)[len(entry["directives"]) + 1]
    if expected is None:  # a perturbation: never proved
        assert verdict.status.name != "PROVED", verdict.reason
    else:
        assert verdict.status.name == expected, verdict.reason


# --- random true configurations are never refuted --------------------------------------------

_SIZE = st.one_of(st.integers(1, 3), st.sampled_from(["S", "D", "k", "f"]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stride=st.sampled_from(["1", "2", "S"]), padding=st.sampled_from(["0", "1", "P"]),
       dilation=st.sampled_from(["1", "2", "D"]), rows=st.sampled_from(["1", "2", "f_1"]),
       cols=st.sampled_from(["1", "3", "f_2"]), upstream=st.sampled_from(["G", "delta", "dY"]),
       wrt=st.sampled_from(["w", "b"]), ranges=st.booleans())
def test_random_true_gradients_are_never_refuted(stride, padding, dilation, rows, cols,
                                                  upstream, wrt, ranges):
    directive = (f"%! symproof conv2d-backward in_channels=C_in out_channels=C_out "
                 f"kernel_size={rows}x{cols} stride={stride} padding={padding} "
                 f"dilation={dilation}" + (" upstream=delta" if upstream == "delta" else ""))
    entry = {"G": "G_{l,i,j}", "delta": r"\delta_{l,i,j}",
             "dY": r"\frac{\partial L}{\partial Y_{l,i,j}}"}[upstream]
    sums = r"\sum_{i=1}^{H_{out}}\sum_{j=1}^{W_{out}}" if ranges else r"\sum_{i,j}"
    if wrt == "b":
        claim = rf"\frac{{\partial L}}{{\partial b_l}} = {sums} {entry}"
    else:
        s, p, d = (f"({v})" for v in (stride, padding, dilation))
        claim = (rf"\frac{{\partial L}}{{\partial w_{{l,\gamma,\alpha,\beta}}}} = {sums} {entry}"
                 rf" X_{{\gamma, {s}(i-1)+{d}(\alpha-1)+1-{p}, {s}(j-1)+{d}(\beta-1)+1-{p}}}")
    verdict = one(directive, claim)
    assert verdict.label != "REFUTED", verdict.reason
    assert verdict.label == "PROVED", verdict.reason


# --- what a user sees ------------------------------------------------------------------------

def _run(*argv: str) -> subprocess.CompletedProcess:
    # the wall-clock limit per claim raised: this machine is shared (see judged())
    return subprocess.run([sys.executable, "-m", "symproof", "--limit", "claim_seconds=120",
                           *argv], capture_output=True, text=True, timeout=600)


def test_cli_on_a_latex_solution(tmp_path):
    solution = tmp_path / "backward.tex"
    solution.write_text(f"{SYMBOLIC} upstream=delta,G\n"
                        "\\[ \\frac{\\partial L}{\\partial b_l} = \\sum_{i,j} \\delta_{l,i,j} \\]\n"
                        f"\\[ {W_GRADIENT} \\]\n"
                        f"\\[ {W_GRADIENT.replace('S(i-1)+D', 'Si+D')} \\]\n", encoding="utf-8")
    done = _run("check", str(solution))
    assert done.returncode == 1, done.stderr  # a refuted claim
    lines = done.stdout.splitlines()
    assert any(":2: PROVED" in line and "∂L/∂b[l]" in line for line in lines), done.stdout
    assert any(":3: PROVED" in line for line in lines), done.stdout
    assert any(":4: REFUTED" in line and "counterexample" in line for line in lines)
    assert lines[-1].endswith("2 proved, 1 refuted")


def test_cli_on_a_markdown_solution_with_a_bad_directive(tmp_path):
    solution = tmp_path / "backward.md"
    solution.write_text("# Backward\n"
                        "<!-- symproof conv2d-backward kernel_size=3 indexing=2 -->\n\n"
                        "$$\\frac{\\partial L}{\\partial b_l} = \\sum_{i,j} G_{l,i,j}$$\n",
                        encoding="utf-8")
    done = _run("check", str(solution))
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if ":2:" in line)
    assert "UNPARSED" in line and "indexing must be 0 or 1" in line
    assert "Traceback" not in done.stderr


# --- regressions: what must stay UNKNOWN ---------------------------------------------------------

@pytest.mark.parametrize("claim, why", [
    (r"\frac{\partial L}{\partial w_{l,\gamma,\alpha,\beta}} = \sum_{i,j} \frac{\partial L}"
     r"{\partial Y_{l,i,j}} \frac{\partial Y_{l,i,j}}{\partial w_{l,\gamma,\alpha,\beta}}",
     "the layer's output"),
    # G at (p + P − α)/S + 1: no entry when that is not an integer, and the claim does not say
    # what it means then (it would be "refuted" at S = 2)
    (r"\frac{\partial L}{\partial X_{\gamma,p,q}} = \sum_{l,\alpha,\beta} "
     r"G_{l,(p+P-\alpha)/S+1,(q+P-\beta)/S+1} w_{l,\gamma,\alpha,\beta}", "may not be an integer"),
    (r"\frac{\partial L}{\partial b_l} = \sum_{i,j} G_{l,i,j} \sigma(X_{1,i,j})",
     "is not determined"),
    (r"\frac{\partial L}{\partial b_l} = \sum_{i=1}^{H_{out}}\sum_{j=1}^{W_{out}} G_{l,i,j} "
     r"= \sum_{i,j} G_{l,i,j} + 1", "later link"),
])
def test_claims_that_cannot_be_bound_stay_unknown(claim, why):
    directive = SYMBOLIC.replace(" dilation=D", "")
    found = [v for v in judged(f"{directive}\n\\[ {claim} \\]\n") if v.line == 2]
    assert found and all(v.label != "REFUTED" for v in found), [v.reason for v in found]
    assert any(why in v.reason and v.label == "UNKNOWN" for v in found), [
        v.reason for v in found]


def test_sum_variables_of_any_letter_are_integers():
    claim = r"\frac{\partial L}{\partial b_l} = \sum_{u=1}^{H_{out}}\sum_{v=1}^{W_{out}} G_{l,u,v}"
    assert one(SYMBOLIC, claim).label == "PROVED"
