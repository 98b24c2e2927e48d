"""Definitions in a checked document (issue 13, item 2): GIVEN in every form people write them,
applied to the claims of their context, conflicts reported at their line, verdicts independent
of the order of definitions, and never PROVED by being restated."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof.claims.check import check_text
from symproof.claims.definitions import layer_equation, split_side_by_side
from symproof.claims.extract import extract
from symproof.proof import Status

GRAY = "%! symproof conv2d in_channels=3 out_channels=1 kernel_size=1 bias=false"
GRAY_CLAIM = r"$$Y_{1,i,j} = 0.299 X_{1,i,j} + 0.587 X_{2,i,j} + 0.114 X_{3,i,j}$$"
CONV = "%! symproof conv2d in_channels=1 out_channels=1 kernel_size=3 padding=1 bias=false"


def by_line(document: str, **options) -> dict[int, list]:
    verdicts, _ = check_text(document, **options)
    found: dict[int, list] = {}
    for v in verdicts:
        found.setdefault(v.line, []).append(v)
    return found


def labels(document: str, **options) -> dict[int, list[str]]:
    return {line: [v.label for v in vs] for line, vs in by_line(document, **options).items()}


# --- every form -------------------------------------------------------------------------------

@pytest.mark.parametrize("separator", [r", \quad", r"\quad", r"\qquad", ",", ";",
                                       r"\text{ and }", r", \;\text{and}\;"])
def test_weights_side_by_side_make_the_grayscale_claim_proved(separator):
    """The brief's example: three weights on one line, then Y = 0.299 X_1 + 0.587 X_2 +
    0.114 X_3, PROVED; the definitions are credited by it (the kernel's own outcome)."""
    row = f" {separator} ".join([r"w_{1,1,1,1} = 0.299", r"w_{1,2,1,1} = 0.587",
                                 r"w_{1,3,1,1} = 0.114"])
    got = by_line("\n".join([GRAY, f"$${row}$$", GRAY_CLAIM]))
    assert [v.label for v in got[3]] == ["PROVED"], got[3][0].reason
    assert [v.latex for v in got[2]] == [r"w_{1,1,1,1} = 0.299", r"w_{1,2,1,1} = 0.587",
                                         r"w_{1,3,1,1} = 0.114"]
    assert all(v.outcome is got[3][0].outcome for v in got[2])


def test_shorthand_and_symbolic_patterns_without_cases():
    """w_{γ,α,β} on one output channel, b_l = 0 for every l, b = 0 for the whole bias."""
    document = "\n".join([
        "%! symproof conv2d in_channels=3 out_channels=2 kernel_size=1",
        r"$$w_{l,1,1,1} = 1$$",
        r"$$w_{l,2,1,1} = w_{l,3,1,1} = 0$$",
        r"$$b = 0$$",
        r"$$b_l = 0$$",
        r"$$Y_{l,i,j} = X_{1,i,j}$$",
    ])
    got = labels(document)
    assert got[6] == ["PROVED"]
    # w comes from lines 2 and 3, b from lines 4 and 5: no one line alone decides line 6
    assert got[2] == got[4] == got[5] == ["GIVEN"] and got[3] == ["GIVEN", "GIVEN"]


def test_a_chain_of_equal_definitions_defines_each_entry():
    document = "\n".join(["%! symproof conv2d in_channels=1 out_channels=2 kernel_size=1",
                          r"$$w_{l,1,1,1} = 2$$", r"$$b_1 = b_2 = 0$$",
                          r"$$Y_{1,i,j} = 2 X_{1,i,j}$$", r"$$Y_{2,i,j} = 2 X_{1,i,j} + 1$$"])
    got = by_line(document)
    assert [v.latex for v in got[3]] == ["b_1 = 0", "b_2 = 0"]
    assert [v.label for v in got[4]] == ["PROVED"] and [v.label for v in got[5]] == ["REFUTED"]


@pytest.mark.parametrize("rows", [
    r"1 & \text{if } \alpha = 2 \text{ and } \beta = 2 \\ 0 & \text{otherwise}",
    r"1 & (\alpha = 2, \ \beta = 2) \\ 0 & (\text{otherwise})",
    r"1 & \alpha = 2, \beta = 2 \\ 0 & \text{else}",
    r"1 & \text{if } \alpha = \beta = 2 \\ 0 & \text{otherwise}",
    r"0 & \alpha \ne 2 \\ 0 & \beta \neq 2 \\ 1 & \text{otherwise}",
    r"1 \quad (\alpha = 2 \text{ and } \beta = 2) \\ 0 \quad (\text{else})",
    r"1 & \text{for } \alpha = 2, \beta = 2 \\ 0 & \text{otherwise}",
])
def test_cases_in_the_forms_people_write(rows):
    """The centre tap, written in each form: the layer computes Y = X (PROVED), not X shifted
    (REFUTED)."""
    document = "\n".join([CONV, rf"$$w_{{1,1,\alpha,\beta}} = \begin{{cases}} {rows} "
                                r"\end{cases}$$",
                          r"$$Y_{1,i,j} = X_{1,i,j}$$", r"$$Y_{1,i,j} = X_{1,i-1,j}$$"])
    got = labels(document)
    assert got[3] == ["PROVED"] and got[4] == ["REFUTED"], got


def test_a_cases_condition_on_a_name_that_is_no_index_is_reported():
    document = "\n".join([CONV, r"$$w_{1,1,\alpha,\beta} = \begin{cases} 1 & \alpha = 2 \\ "
                                r"0 & q = 2 \end{cases}$$", r"$$Y_{1,i,j} = X_{1,i,j}$$"])
    got = by_line(document)
    assert got[2][0].label == "UNPARSED" and "names q" in got[2][0].reason
    assert got[3][0].label == "UNKNOWN"


def test_activation_definitions_are_given_and_used():
    document = "\n".join([
        r"$$\sigma(x) = \frac{1}{1+e^{-x}}$$",
        r"$$\sigma'(x) = \sigma(x)(1-\sigma(x))$$",
        r"$$\sigma'(x) = \sigma(x)(1+\sigma(x))$$",
        r"$$\sigma(0) = \frac{1}{2}$$",
    ])
    got = by_line(document, markdown=True)
    assert got[1][0].status is Status.GIVEN and "definition" in got[1][0].reason
    assert [got[n][0].label for n in (2, 3, 4)] == ["PROVED", "REFUTED", "PROVED"]


def test_relu_definition_is_given_and_gcd_is_no_definition():
    got = labels("$$\\sigma(x) = \\max(0, x)$$\n$$\\gcd(m, n) = 1$$\n", markdown=True)
    assert got[1] == ["GIVEN"] and got[2] == ["UNKNOWN"]


@pytest.mark.parametrize("latex", [
    r"a^l = \sigma(w^l a^{l-1} + b^l)",
    r"y_\ell = \sigma(A_\ell y_{\ell-1} + b_\ell)",
    r"y_{\ell} = \sigma\left(A_{\ell} y_{\ell-1} + b_{\ell}\right)",
    r"\mathbf{h}^{(l)} = \phi(\mathbf{W}^{(l)} \mathbf{h}^{(l-1)} + \mathbf{b}^{(l)})",
    r"z^l = w^l a^{l-1} + b^l",
    r"a^l = \sigma(z^l)",
    r"y_L = A_L y_{L-1} + b_L",
])
def test_layer_equations_are_given(latex):
    assert layer_equation(latex) is not None
    for header in ("", "<!-- symproof mlp depth=L activation=sigma -->\n"):
        verdicts, _ = check_text(f"{header}$${latex}$$\n", markdown=True)
        assert [v.label for v in verdicts] == ["GIVEN"], verdicts[0].reason


@pytest.mark.parametrize("latex", [
    r"y_\ell = \sigma(A_\ell y_{\ell} + b_\ell)",  # no previous layer
    r"y_\ell = \sigma(A_\ell y_{\ell-1}) + b_\ell",  # the bias outside σ
    r"y_L = \sigma(A_L y_{L-1} + b_L)",  # DESIGN.md's last layer is affine
    r"a^l = \sigma(w^l a^{k-1} + b^l)",  # two layer indices
])
def test_what_is_not_a_layer_equation(latex):
    assert layer_equation(latex) is None


def test_inline_definitions_in_markdown_are_read():
    """The seed's P3 line 51: weights written inline are definitions, even when inline math
    is not checked."""
    document = "\n".join([GRAY.replace("%!", "<!--") + " -->", "",
                          r"Therefore $w_{1,1,1,1} = 0.299$, $w_{1,2,1,1} = 0.587$, "
                          r"$w_{1,3,1,1} = 0.114$.", "", GRAY_CLAIM])
    got = labels(document, markdown=True)
    assert got[3] == ["PROVED"] * 3 and got[5] == ["PROVED"]


# --- conflicts and order ------------------------------------------------------------------------

def test_a_conflicting_definition_is_reported_at_its_line():
    document = "\n".join([GRAY, r"$$w_{1,1,1,1} = 0.299, \quad w_{1,2,1,1} = 0.587, \quad "
                                r"w_{1,3,1,1} = 0.114$$", r"$$w_{1,1,1,1} = 0.3$$", GRAY_CLAIM])
    got = by_line(document)
    second = got[3][0]
    assert second.label == "UNKNOWN" and "line 2" in second.reason
    assert "w[1, 1, 1, 1]" in second.reason
    assert got[2][0].label == "UNKNOWN" and "line 3" in got[2][0].reason
    assert got[4][0].label == "UNKNOWN" and "conflicts" in got[4][0].reason


def test_an_agreeing_redefinition_is_fine():
    document = "\n".join([GRAY, r"$$w_{1,1,1,1} = 0.299, \quad w_{1,2,1,1} = 0.587, \quad "
                                r"w_{1,3,1,1} = 0.114$$", r"$$w_{1,1,1,1} = \frac{299}{1000}$$",
                          GRAY_CLAIM])
    got = labels(document)
    assert got[4] == ["PROVED"] and "UNKNOWN" not in got[2] + got[3]


def test_two_cases_definitions_that_disagree_somewhere_conflict():
    """Same pattern, different cases: the entry where they differ is named."""
    document = "\n".join([CONV,
                          r"$$w_{1,1,\alpha,\beta} = \begin{cases} 1 & (\alpha = 2, \beta = 2)"
                          r" \\ 0 & (\text{otherwise}) \end{cases}$$",
                          r"$$w_{1,1,\gamma,\delta} = \begin{cases} 1 & (\gamma = 2, "
                          r"\delta = 2) \\ 1 & (\gamma = 1, \delta = 1) \\ 0 & "
                          r"(\text{otherwise}) \end{cases}$$",
                          r"$$Y_{1,i,j} = X_{1,i,j}$$"])
    got = by_line(document)
    assert "w[1, 1, 1, 1]" in got[3][0].reason and got[3][0].label == "UNKNOWN"
    assert got[4][0].label == "UNKNOWN"


def test_a_function_defined_twice_differently_is_a_conflict():
    got = by_line("$$f(x) = x^2$$\n$$f(x) = x^3$$\n$$f(2) = 4$$\n", markdown=True)
    assert [got[n][0].label for n in (1, 2, 3)] == ["UNKNOWN"] * 3
    assert "line 1" in got[2][0].reason


_BLOCKS = [
    r"$$w_{1,1,1,1} = 0.299$$",
    r"$$w_{1,2,1,1} = 0.587$$",
    r"$$w_{1,3,1,1} = 0.114$$",
    r"$$w_{1,2,1,1} = \frac{587}{1000}$$",  # agrees with the one above
    GRAY_CLAIM,
    r"$$Y_{1,i,j} = 0.3 X_{1,i,j} + 0.587 X_{2,i,j} + 0.114 X_{3,i,j}$$",
    r"$$Y_{1,i,j} = \sum_{\gamma=1}^{3} w_{1,\gamma,1,1} X_{\gamma,i,j}$$",
    r"$$\sigma'(x) = \sigma(x)(1-\sigma(x))$$",
    r"$$\sigma(x) = \frac{1}{1+e^{-x}}$$",
]
_CONFLICTING = [*_BLOCKS[:5], r"$$w_{1,3,1,1} = 0.2$$", *_BLOCKS[7:],
                r"$$\sigma(x) = \tanh(x)$$"]


@pytest.mark.parametrize("blocks", [_BLOCKS, _CONFLICTING], ids=["agreeing", "conflicting"])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_verdicts_do_not_depend_on_the_order_of_definitions(blocks, data):
    """Definitions and claims of one context, permuted: each claim gets the same status."""
    order = data.draw(st.permutations(blocks))

    def statuses(ordered) -> Counter:
        verdicts, _ = check_text("\n".join([GRAY, *ordered]))
        return Counter((v.latex, v.label) for v in verdicts)

    assert statuses(order) == statuses(blocks)


# --- soundness --------------------------------------------------------------------------------

@pytest.mark.parametrize("position,value", [(0, "0.3"), (1, "0.578"), (2, "0.115"),
                                            (2, "-0.114")])
def test_one_wrong_weight_never_proves_the_grayscale_claim(position, value):
    """A perturbed side-by-side definition: the claim is REFUTED with a counterexample the
    document's weights really break, or UNKNOWN; never PROVED."""
    weights = ["0.299", "0.587", "0.114"]
    weights[position] = value
    row = r", \quad ".join(f"w_{{1,{c},1,1}} = {v}" for c, v in zip((1, 2, 3), weights))
    verdict = by_line("\n".join([GRAY, f"$${row}$$", GRAY_CLAIM]))[3][0]
    assert verdict.label in ("REFUTED", "UNKNOWN"), verdict.reason
    if verdict.label == "REFUTED":
        example = {str(k): v for k, v in verdict.outcome.counterexample.items()}
        entries = [sp.Rational(example.get(f"X[{c}, {example['i']}, {example['j']}]", 0))
                   for c in (1, 2, 3)]
        layer = sum(sp.Rational(w) * x for w, x in zip(weights, entries))
        claim = sum(sp.Rational(w) * x for w, x in zip(("0.299", "0.587", "0.114"), entries))
        assert layer != claim


def test_a_definition_restated_as_a_general_formula_is_not_credited():
    """A formula with w on its right side holds for every weight: judged with the document's
    weights on both sides (it was REFUTED with them on one side only), crediting nothing."""
    document = "\n".join([GRAY, r"$$w_{1,1,1,1} = 0.5, \quad w_{1,2,1,1} = 0.5, \quad "
                                r"w_{1,3,1,1} = 0$$",
                          r"$$Y_{1,i,j} = \sum_{\gamma=1}^{3} w_{1,\gamma,1,1} X_{\gamma,i,j}$$"])
    got = labels(document)
    assert got[3] == ["PROVED"] and set(got[2]) == {"GIVEN"}


def test_a_bias_definition_for_a_layer_without_bias_is_reported():
    got = by_line("\n".join([CONV, "$$b = 0$$"]))
    assert got[2][0].label == "UNPARSED" and "has no b" in got[2][0].reason


def test_side_by_side_splitting_leaves_other_claims_alone():
    claims = extract(r"$$\max(0, x) = \max(x, 0) = y$$ $$a = 1, b_1$$")
    assert split_side_by_side(claims) == claims
    split = split_side_by_side(extract(r"$$w_{1} = 1, w_{2} = \frac{1}{2}; b = 0$$"))
    assert [(c.lhs, c.rhs) for c in split] == [("w_{1}", "1"), ("w_{2}", r"\frac{1}{2}"),
                                                ("b", "0")]


def test_named_sizes_in_a_definition_are_the_contexts():
    """w = 1/F² with F = 3 from the directive: the box filter's weights are 1/9."""
    document = "\n".join([CONV, r"$$w_{1,1,\alpha,\beta} = \frac{1}{F^2}$$",
                          r"$$Y_{1,i,j} = \frac{1}{9}\sum_{\alpha=1}^{3}\sum_{\beta=1}^{3} "
                          r"X_{1,i+\alpha-2,j+\beta-2}$$"])
    assert labels(document) == {2: ["PROVED"], 3: ["PROVED"]}


def test_cli_shows_definitions_as_given(tmp_path):
    source = tmp_path / "gray.md"
    source.write_text("\n".join([GRAY.replace("%!", "<!--") + " -->",
                                 r"$$\sigma(x) = \frac{1}{1+e^{-x}}$$",
                                 r"$$w_{1,1,1,1} = 0.299, \quad w_{1,2,1,1} = 0.587, \quad "
                                 r"w_{1,3,1,1} = 0.114$$", GRAY_CLAIM, ""]))
    done = subprocess.run([sys.executable, "-m", "symproof", "check", str(source), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    statuses = [(v["line"], v["status"]) for v in json.loads(done.stdout)]
    assert statuses == [(2, "GIVEN"), (3, "PROVED"), (3, "PROVED"), (3, "PROVED"),
                        (4, "PROVED")]


def test_a_definition_outside_the_weights_range_is_refused():
    """w_{1,1,5,5} of a 3×3 kernel names no weight: it was credited PROVED by any claim whose
    sums it took part in (as δ(α, 5), zero over 1…3). Now reported, and never applied."""
    document = "\n".join([CONV, r"$$w_{1,1,\alpha,\beta} = \begin{cases} 1 & (\alpha = 2, "
                                r"\beta = 2) \\ 0 & (\text{otherwise}) \end{cases}$$",
                          r"$$w_{1,1,5,5} = 7$$", r"$$Y_{1,i,j} = X_{1,i,j}$$"])
    got = by_line(document)
    assert got[3][0].label == "UNPARSED" and "outside 1…3" in got[3][0].reason
    assert got[4][0].label == "PROVED" and got[2][0].label == "PROVED"


def test_definitions_written_with_a_defining_sign():
    """``:=``, ``\\coloneqq``, ``\\stackrel{\\text{def}}{=}``, ``\\triangleq`` define: the weights
    and functions are applied; anything else so written is GIVEN, never judged (m := 5 was
    REFUTED with m = 1)."""
    document = "\n".join([
        GRAY,
        r"$$w_{1,1,1,1} := 0.299, \quad w_{1,2,1,1} \coloneqq 0.587, \quad "
        r"w_{1,3,1,1} \stackrel{\text{def}}{=} 0.114$$",
        GRAY_CLAIM,
        r"$$m := 5$$",
        r"$$f(x) \triangleq x^2$$",
        r"$$f(3) = 9$$",
        r"$$a^l := \sigma(w^l a^{l-1} + b^l)$$",
    ])
    got = by_line(document)
    assert [v.label for v in got[2]] == ["PROVED"] * 3 and got[3][0].label == "PROVED"
    assert [got[n][0].label for n in (4, 5, 6, 7)] == ["GIVEN", "GIVEN", "PROVED", "GIVEN"]
    assert "layer equation" in got[7][0].reason


def test_the_derivative_of_a_function_with_a_kink_is_not_taken():
    """ReLU'(0) is a convention (PyTorch: 0; SymPy's Heaviside(0): 1/2): σ'(0) = 0 must not be
    refuted, nor σ'(0) = 1/2 proved; away from the kink nothing is decided either."""
    document = "\n".join([r"$$\sigma(x) = \max(0, x)$$", r"$$\sigma'(0) = 0$$",
                          r"$$\sigma'(0) = \frac{1}{2}$$", r"$$\sigma'(x) = 1$$"])
    got = labels(document, markdown=True)
    assert got[2] == got[3] == got[4] == ["UNKNOWN"]
