"""``symproof check`` on gradient claims it used to leave UNKNOWN (issue 16): max pooling's
input gradient (the routed form with named arg-max taps, proved for any sizes; an indicator of
the arg-max, a concrete layer, judged on inputs with unique window maxima; concrete examples,
checked exactly), a convolution's S = 1 input gradient as the full correlation with the flipped
kernel, and average pooling's with indicators and a symbolic window."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symproof import MaxPool2d, limits
from symproof.backprop.pool import empty_windows, max_pool2d_backward
from symproof.claims.check import check_text
from symproof.claims.context import backward_from_words
from symproof.claims.max_backward import judge_max_example
from symproof.claims.parse import parse_latex
from symproof.errors import ParameterError
from symproof.kernel import Status


def verdict_of(document: str, markdown: bool = False):
    """The verdict on the last claim of ``document`` (the machine is shared: time limits
    raised, so that load makes nothing UNKNOWN "by time")."""
    with limits.raised(claim_seconds=120, document_seconds=1200):
        found = check_text(document, markdown=markdown)[0]
    return max(found, key=lambda v: v.line)


def one(directive: str, claim: str):
    return verdict_of(f"{directive}\n\\[ {claim} \\]\n")


# --- max pooling, symbolic sizes: the routed form, proved by the kernel's rule ----------------

ROUTED_DIRECTIVE = "%! symproof maxpool2d-backward kernel_size=k stride=S argmax=u,v"
ROUTED = (r"\frac{\partial L}{\partial X_{l,p,q}} = \sum_{i=1}^{H_{out}}\sum_{j=1}^{W_{out}} "
          r"G_{l,i,j} \delta_{p,S(i-1)+u_{l,i,j}} \delta_{q,S(j-1)+v_{l,i,j}}")


def test_the_routed_form_is_proved_for_symbolic_sizes_under_the_unique_maximum():
    verdict = one(ROUTED_DIRECTIVE, ROUTED)
    assert verdict.label == "PROVED", verdict.reason
    assert "attained only at" in verdict.reason  # the hypothesis is stated


@pytest.mark.parametrize("change, claim", [
    ("row tap for the column", ROUTED.replace("v_{l,i,j}", "u_{l,i,j}")),
    ("S(i-1) -> S i", ROUTED.replace("S(i-1)", "S i")),
    ("G of the wrong window", ROUTED.replace("G_{l,i,j}", "G_{l,j,i}")),
    ("routed to every tap", ROUTED.replace(r"\delta_{p,S(i-1)+u_{l,i,j}} "
                                           r"\delta_{q,S(j-1)+v_{l,i,j}}", "")),
])
def test_wrong_routed_forms_are_never_proved(change, claim):
    verdict = one(ROUTED_DIRECTIVE, claim)
    assert verdict.label not in ("PROVED", "REFUTED"), (change, verdict.reason)


def test_arg_max_taps_unnamed_are_unbound_names():
    verdict = one("%! symproof maxpool2d-backward kernel_size=k stride=S", ROUTED)
    assert verdict.label == "UNKNOWN" and "u is not bound" in verdict.reason


@pytest.mark.parametrize("words, rule", [
    (("maxpool2d-backward", "kernel_size=2", "argmax=u"), "two arg-max taps"),
    (("conv2d-backward", "kernel_size=2", "argmax=u,v"), "two arg-max taps"),
    (("maxpool2d-backward", "kernel_size=2", "argmax=u,u"), "two arg-max taps"),
])
def test_bad_argmax_fields_are_refused_naming_them(words, rule):
    with pytest.raises(ParameterError, match=rule):
        backward_from_words(words)


# --- max pooling, a concrete layer: forms people write, judged on inputs ---------------------

CONCRETE = "%! symproof maxpool2d-backward kernel_size=2 stride=2 input=1x4x4"
OVERLAP = "%! symproof maxpool2d-backward kernel_size=2 stride=1 input=1x3x3"
# CS231n's "max gate routes the gradient": G_{i,j} times the indicator that X_{p,q} is its
# window's maximum, summed over the windows that hold (p, q) (several when they overlap)
INDICATOR = (r"\frac{\partial L}{\partial X_{1,p,q}} = \sum_{i=1}^{2}\sum_{j=1}^{2} G_{1,i,j}"
             r" \mathbb{1}\left[X_{1,p,q} = \max_{1 \le a \le 2, 1 \le b \le 2} "
             r"X_{1,2(i-1)+a, 2(j-1)+b}\right] [2(i-1) < p \le 2i] [2(j-1) < q \le 2j]")
OVERLAPPING = (r"\frac{\partial L}{\partial X_{1,p,q}} = \sum_{i=1}^{2}\sum_{j=1}^{2} G_{1,i,j}"
               r" \mathbb{1}\left[X_{1,p,q} = \max_{1 \le a \le 2, 1 \le b \le 2} "
               r"X_{1,i-1+a, j-1+b}\right] [i \le p \le i+1] [j \le q \le j+1]")


def test_the_indicator_of_the_arg_max_is_spot_checked_on_inputs():
    verdict = one(CONCRETE, INDICATOR)
    assert verdict.label == "SPOT_CHECKED", verdict.reason
    assert "no tie rule used" in verdict.reason


def test_overlapping_windows_sum_their_gradients():
    verdict = one(OVERLAP, OVERLAPPING)
    assert verdict.label == "SPOT_CHECKED", verdict.reason


@pytest.mark.parametrize("directive, claim, change", [
    (CONCRETE, INDICATOR.replace("2(i-1) < p", "2(i-1) \\le p"), "wrong window (one row more)"),
    (CONCRETE, INDICATOR.replace("G_{1,i,j}", "G_{1,j,i}"), "G from the wrong output"),
    (CONCRETE, r"\frac{\partial L}{\partial X_{1,p,q}} = G_{1,\lceil p/2 \rceil,"
               r"\lceil q/2 \rceil}", "routed to every entry of the window"),
    (CONCRETE, INDICATOR.replace(" [2(i-1) < p \\le 2i] [2(j-1) < q \\le 2j]", ""),
     "no window condition: a maximum of another window"),
    (OVERLAP, OVERLAPPING.replace("X_{1,p,q} =", "X_{1,p,q} \\le"), "indicator ≤ the maximum"),
    (OVERLAP, r"\frac{\partial L}{\partial X_{1,p,q}} = G_{1,\min(p,2),\min(q,2)} "
              r"\mathbb{1}\left[X_{1,p,q} = \max_{1 \le a \le 2, 1 \le b \le 2} "
              r"X_{1,\min(p,2)-1+a,\min(q,2)-1+b}\right]", "one window only, where they overlap"),
])
def test_wrong_forms_are_refuted_with_an_input_that_has_unique_maxima(directive, claim, change):
    verdict = one(directive, claim)
    assert verdict.label == "REFUTED", (change, verdict.reason)
    shown = verdict.evidence["counterexample"]
    x = np.array(_rows(shown["X"]))
    stride = 2 if directive == CONCRETE else 1
    assert _unique_maxima(x, 2, stride), shown  # admissible: every window's maximum unique


def _rows(text: str) -> list:
    """``Matrix([[1, 2], [3, 4]])`` (how the counterexample's X is shown) as rows of ints."""
    inner = text.removeprefix("Matrix([[").removesuffix("]])")
    return [[int(v) for v in row.split(",")] for row in inner.split("], [")]


def _unique_maxima(x, k: int, stride: int) -> bool:
    """Whether every k×k window (no padding) of ``x`` attains its maximum once."""
    rows, cols = x.shape
    windows = [x[r:r + k, c:c + k] for r in range(0, rows - k + 1, stride)
               for c in range(0, cols - k + 1, stride)]
    return all((w == w.max()).sum() == 1 for w in windows)


def test_a_symbolic_layer_other_forms_stay_unknown():
    verdict = one("%! symproof maxpool2d-backward kernel_size=k stride=S", INDICATOR.replace(
        "2(i-1)", "S(i-1)").replace("2i", "S(i-1)+k").replace("2(j-1)", "S(j-1)"))
    assert verdict.label == "UNKNOWN", verdict.reason


def test_the_routed_form_on_a_concrete_layer_is_proved():
    verdict = one(CONCRETE + " argmax=u,v", r"\frac{\partial L}{\partial X_{l,p,q}} = "
                  r"\sum_{i=1}^{2}\sum_{j=1}^{2} G_{l,i,j} \delta_{p,2(i-1)+u_{l,i,j}} "
                  r"\delta_{q,2(j-1)+v_{l,i,j}}")
    assert verdict.label == "PROVED", verdict.reason


# --- concrete examples: X, G and the claimed gradient, checked exactly ------------------------

def test_directml_example_with_overlapping_windows_is_verified():
    # learn.microsoft.com, DML_MAX_POOLING_GRAD_OPERATOR_DESC (directml.h): a 2×2 window,
    # stride 1, no padding; "where indices overlap, the values are summed"
    x = [[[1, 2, 3], [2, 4, 2], [5, 6, 7]]]
    g = [[[1, 2], [4, 5]]]
    layer = MaxPool2d(2, stride=1)
    assert judge_max_example(layer, x, g, [[[0, 0, 0], [0, 3, 0], [0, 4, 5]]]).status \
        is Status.VERIFIED
    wrong = judge_max_example(layer, x, g, [[[0, 0, 0], [0, 1, 2], [0, 4, 5]]])
    assert wrong.status is Status.REFUTED and wrong.counterexample == {"l": 1, "p": 2, "q": 2}


def test_stats_stackexchange_two_channel_example_is_verified():
    # stats.stackexchange.com/questions/414301: b = 1, d = 2 filters, a 2×2 window; the
    # question's arrays are (row, column, filter): here (filter, row, column)
    x = [[[1, 4], [3, 2]], [[2, 6], [7, 2]]]
    g = [[[1]], [[2]]]
    claimed = [[[0, 1], [0, 0]], [[0, 0], [2, 0]]]
    assert judge_max_example(MaxPool2d(2), x, g, claimed).status is Status.VERIFIED
    swapped = [[[0, 0], [1, 0]], [[0, 2], [0, 0]]]
    assert judge_max_example(MaxPool2d(2), x, g, swapped).status is Status.REFUTED


def test_a_tie_is_never_refuted_without_a_declared_rule():
    x, g = [[[1, 1], [1, 0]]], [[[3]]]
    for claimed in ([[[3, 0], [0, 0]]], [[[0, 3], [0, 0]]], [[[1, 1], [1, 0]]]):
        outcome = judge_max_example(MaxPool2d(2), x, g, claimed)
        assert outcome.status is Status.UNKNOWN and "convention" in str(outcome.detail)
    first = judge_max_example(MaxPool2d(2), x, g, [[[3, 0], [0, 0]]], tie_rule="pytorch")
    assert first.status is Status.VERIFIED and "scanned row by row" in str(first.detail)
    last = judge_max_example(MaxPool2d(2), x, g, [[[0, 3], [0, 0]]], tie_rule="pytorch")
    assert last.status is Status.REFUTED


def test_bad_example_arguments_are_refused():
    with pytest.raises(ParameterError, match="tie_rule"):
        judge_max_example(MaxPool2d(2), [[[1, 2], [3, 4]]], [[[1]]], [[[0, 0], [0, 1]]],
                          tie_rule="last")


@st.composite
def _example(draw):
    k = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, k // 2))
    channels = draw(st.integers(1, 2))
    rows = draw(st.integers(max(1, k - 2 * padding), 5))
    cols = draw(st.integers(max(1, k - 2 * padding), 5))
    layer = MaxPool2d(k, stride=stride, padding=padding)
    shape = (channels, rows, cols)
    assume(not empty_windows(layer, shape))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    # a permutation of 1 … N: every window's maximum is attained at one entry
    x = (rng.permutation(channels * rows * cols) + 1).reshape(shape)
    out = tuple(int(n) for n in layer.output_shape(*shape))
    g = rng.integers(1, 10, size=out)
    return layer, x, g, rng


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_example())
def test_random_examples_true_gradient_verified_one_entry_moved_refuted(example):
    layer, x, g, rng = example
    truth = max_pool2d_backward(layer, x.astype(float), g.astype(object))
    assert judge_max_example(layer, x, g, truth).status is Status.VERIFIED
    nonzero = np.argwhere(truth != 0)
    moved = truth.copy()
    source = tuple(nonzero[rng.integers(len(nonzero))])
    target = tuple(int(rng.integers(n)) for n in truth.shape)
    assume(target != source)
    moved[target] += moved[source]
    moved[source] = 0
    outcome = judge_max_example(layer, x, g, moved)
    assert outcome.status is Status.REFUTED, outcome


# --- S = 1: the full correlation with the flipped kernel -------------------------------------

CONV = ("%! symproof conv2d-backward in_channels=C_in out_channels=C_out kernel_size=fxf "
        "stride=1 padding=P")
FLIPPED = (r"\frac{\partial L}{\partial X_{\gamma,p,q}} = \sum_{l=1}^{C_{out}}"
           r"\sum_{\alpha=1}^{f}\sum_{\beta=1}^{f} G_{l,p+\alpha-f+P,q+\beta-f+P} "
           r"w_{l,\gamma,f-\alpha+1,f-\beta+1}")
UNFLIPPED = (r"\frac{\partial L}{\partial X_{\gamma,p,q}} = \sum_{l=1}^{C_{out}}"
             r"\sum_{\alpha=1}^{f}\sum_{\beta=1}^{f} G_{l,p-\alpha+1+P,q-\beta+1+P} "
             r"w_{l,\gamma,\alpha,\beta}")


@pytest.mark.parametrize("claim", [FLIPPED, UNFLIPPED])
def test_the_full_correlation_is_proved(claim):
    verdict = one(CONV, claim)
    assert verdict.label == "PROVED", verdict.reason


@pytest.mark.parametrize("change, claim", [
    ("kernel not flipped", FLIPPED.replace("f-\\alpha+1,f-\\beta+1", "\\alpha,\\beta")),
    ("wrong padding offset", FLIPPED.replace("p+\\alpha-f+P", "p+\\alpha-f+P+1")),
    ("no channel sum", FLIPPED.replace("\\sum_{l=1}^{C_{out}}", "").replace("G_{l,", "G_{1,")
     .replace("w_{l,", "w_{1,")),
    ("flipped in rows only", FLIPPED.replace("f-\\beta+1", "\\beta")),
])
def test_perturbed_full_correlations_are_refuted(change, claim):
    verdict = one(CONV, claim)
    assert verdict.label == "REFUTED", (change, verdict.reason)
    assert "counterexample" in verdict.reason


# --- average pooling: indicators with a symbolic window ---------------------------------------

AVG = "%! symproof avgpool2d-backward kernel_size=k stride=S"
SPREAD = (r"\frac{\partial L}{\partial X_{l,p,q}} = \frac{1}{k^2}\sum_{i=1}^{H_{out}}"
          r"\sum_{j=1}^{W_{out}} G_{l,i,j} [S(i-1) < p \le S(i-1)+k] [S(j-1) < q \le S(j-1)+k]")


@pytest.mark.parametrize("claim", [
    SPREAD,
    SPREAD.replace("] [", r" \land ").replace("G_{l,i,j} [", r"G_{l,i,j} \mathbb{1}\left[")
    .replace("+k]", r"+k\right]"),
    (r"\frac{\partial L}{\partial X_{l,p,q}} = \frac{1}{k^2}\sum_{i=1}^{H_{out}}"
     r"\sum_{j=1}^{W_{out}}\sum_{\alpha=1}^{k}\sum_{\beta=1}^{k} G_{l,i,j} "
     r"\delta_{p,S(i-1)+\alpha}\delta_{q,S(j-1)+\beta}"),
    # one bracket, its two conditions joined by a comma (was UNPARSED, leaking a TypeError)
    SPREAD.replace("+k] [", "+k, "),
])
def test_the_indicator_and_delta_forms_are_proved(claim):
    verdict = one(AVG, claim)
    assert verdict.label == "PROVED", verdict.reason


@pytest.mark.parametrize("change, claim", [
    ("1/k instead of 1/k^2", SPREAD.replace("{k^2}", "{k}")),
    ("window one row too large", SPREAD.replace("S(i-1) < p", "S(i-1) \\le p")),
    ("the window of the next output", SPREAD.replace("[S(i-1) < p \\le S(i-1)+k]",
                                                     "[S i < p \\le S i+k]")),
    ("one bracket, the columns' window too large",
     SPREAD.replace("+k] [S(j-1) < q", "+k, S(j-1) \\le q")),
])
def test_perturbed_spreads_are_refuted(change, claim):
    verdict = one(AVG, claim)
    assert verdict.label == "REFUTED", (change, verdict.reason)


# --- what a user sees ------------------------------------------------------------------------

def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symproof", "--limit", "claim_seconds=120",
                           *argv], capture_output=True, text=True, timeout=600)


def test_cli_on_a_latex_solution(tmp_path):
    solution = tmp_path / "maxpool.tex"
    wrong = INDICATOR.replace("G_{1,i,j}", "G_{1,j,i}")
    solution.write_text(f"{CONCRETE}\n\\[ {INDICATOR} \\]\n\\[ {wrong} \\]\n"
                        f"{ROUTED_DIRECTIVE}\n\\[ {ROUTED} \\]\n", encoding="utf-8")
    done = _run("check", str(solution))
    assert done.returncode == 1, done.stderr  # a refuted claim
    lines = done.stdout.splitlines()
    assert any(":2: SPOT_CHECKED" in line for line in lines), done.stdout
    assert any(":3: REFUTED" in line and "X = [" in line for line in lines), done.stdout
    assert any(":5: PROVED" in line for line in lines), done.stdout
    assert "Traceback" not in done.stderr


def test_cli_on_a_markdown_solution(tmp_path):
    solution = tmp_path / "backward.md"
    solution.write_text("# Max pooling\n\n<!-- symproof maxpool2d-backward kernel_size=2 "
                        "stride=1 input=1x3x3 -->\n\n"
                        f"$${OVERLAPPING}$$\n\n"
                        "# Convolution\n\n"
                        f"<!-- {CONV.removeprefix('%! ')} -->\n\n"
                        f"$${FLIPPED}$$\n", encoding="utf-8")
    done = _run("check", str(solution))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(":5: SPOT_CHECKED" in line for line in lines), done.stdout
    assert any(":11: PROVED" in line for line in lines), done.stdout


# --- a cases environment: "G if X_{p,q} is its window's maximum, else 0" ----------------------

CASES = (r"\frac{\partial L}{\partial X_{1,p,q}} = \begin{cases} G_{1,\lceil p/2 \rceil,"
         r"\lceil q/2 \rceil} & \text{if } X_{1,p,q} = \max_{1 \le a \le 2, 1 \le b \le 2} "
         r"X_{1,2\lceil p/2 \rceil-2+a,2\lceil q/2 \rceil-2+b} \\ 0 & \text{otherwise} "
         r"\end{cases}")


def test_the_cases_form_is_spot_checked_and_its_perturbations_refuted():
    assert one(CONCRETE, CASES).label == "SPOT_CHECKED"
    upstream = CASES.replace(r"G_{1,\lceil p/2 \rceil,\lceil q/2 \rceil}",
                             r"\frac{\partial L}{\partial Y_{1,\lceil p/2 \rceil,"
                             r"\lceil q/2 \rceil}}")
    assert one(CONCRETE, upstream).label == "SPOT_CHECKED"
    for change, claim in (("≠ for =", CASES.replace("X_{1,p,q} =", r"X_{1,p,q} \ne")),
                          ("window shifted", CASES.replace("-2+a", "-1+a")),
                          ("G transposed", CASES.replace(r"G_{1,\lceil p/2 \rceil,\lceil q/2 "
                                                         r"\rceil}", r"G_{1,\lceil q/2 \rceil,"
                                                         r"\lceil p/2 \rceil}"))):
        assert one(CONCRETE, claim).label == "REFUTED", change


def test_a_cases_environment_of_another_shape_is_not_read():
    claim = CASES.replace(r"\\ 0 & \text{otherwise}", r"\\ 1 & \text{otherwise}")
    assert one(CONCRETE, claim).label in ("UNKNOWN", "UNPARSED")


def test_brackets_without_a_relation_at_their_top_are_no_indicators():
    # regression: \left[\sum_{\alpha=1}^{k} …\right] has "=" only inside a subscript
    read = parse_latex(r"\left[\sum_{a=1}^{3} y_{a}\right] + [p \le 3]")
    assert read.has(sp.Sum) and read.has(sp.Piecewise)
    assert len(read.atoms(sp.Piecewise)) == 1
    # nor are parentheses around an equation (tests/test_model_answers.py's tuples of them)
    assert parse_latex(r"\left( a = 2 \right)") == sp.Eq(sp.Symbol("a"), 2)
