"""Adversarial regressions for the one result record (weight definitions carrying the outcome
of the claim that decided them), the shorthand rules of ``symproof check``, its directives, and
the problem files of ``symproof prove``. Each test states the claim, why it is true or false,
and the verdict it must get. They fail on the branch as found; they do not fix anything."""

from __future__ import annotations

import subprocess
import sys

import pytest

from symproof.claims.check import check_text

CONV = "<!-- symproof conv2d in_channels=1 out_channels=1 kernel_size=3 padding=1 bias=false -->"


def verdicts(document: str) -> dict[int, tuple[str, str]]:
    found, _ = check_text(document, markdown=True)
    return {v.line: (v.label, v.reason) for v in found}


def cases(target: str, rows: str) -> str:
    return f"$${target} = \\begin{{cases}} {rows} \\\\ 0 & (\\text{{otherwise}}) \\end{{cases}}$$"


# --- wrong verdicts on weight definitions ---------------------------------------------------

def test_definition_not_credited_by_line_number_substring():
    """The definition at line 3 (a 7 in the corner) is used by no claim: its context has none.
    A claim at line 34, in another context, uses the definition at line 30; "defined at line
    30" contains "defined at line 3", so line 3 is PROVED ("computes line 34 exactly")."""
    lines = [""] * 40
    lines[0] = lines[20] = CONV
    lines[2] = cases("w_{1,\\alpha,\\beta}", "7 & (\\alpha = 3, \\beta = 3)")
    lines[29] = cases("w_{1,\\alpha,\\beta}", "1 & (\\alpha = 2, \\beta = 2)")
    lines[33] = "$$Y_{i,j} = X_{i,j}$$"
    got = verdicts("\n".join(lines))
    assert got[34][0] == "PROVED", got[34]
    assert got[3][0] == "GIVEN", got[3]  # a definition, which no claim decides


def test_two_definitions_of_the_same_weights_are_not_both_credited():
    """Line 3 (the corner tap: Y = X_{i-1,j-1}) and line 5 (the centre: Y = X_{i,j}) define the
    same weights. The claim at line 7 holds with line 3's weights only; symproof substitutes the
    first definition and credits both: the centre tap is PROVED to compute X_{i-1,j-1}."""
    doc = "\n".join([CONV, "",
                     cases("w_{1,\\alpha,\\beta}", "1 & (\\alpha = 1, \\beta = 1)"), "",
                     cases("w_{1,\\alpha,\\beta}", "1 & (\\alpha = 2, \\beta = 2)"), "",
                     "$$Y_{i,j} = X_{i-1,j-1}$$"])
    assert verdicts(doc)[5][0] != "PROVED", verdicts(doc)[5]


def test_two_definitions_in_the_other_order():
    """The same two definitions swapped: now the right one (corner, line 5) is REFUTED."""
    doc = "\n".join([CONV, "",
                     cases("w_{1,\\alpha,\\beta}", "1 & (\\alpha = 2, \\beta = 2)"), "",
                     cases("w_{1,\\alpha,\\beta}", "1 & (\\alpha = 1, \\beta = 1)"), "",
                     "$$Y_{i,j} = X_{i-1,j-1}$$"])
    assert verdicts(doc)[5][0] != "REFUTED", verdicts(doc)[5]


def test_definition_not_proved_by_restating_one_weight():
    """The corner tap does not make Y = X (line 5, rightly REFUTED); line 7 only restates one
    weight. The definition is PROVED "the layer computes line 7 exactly": line 7 is not a
    claim about the layer's output."""
    doc = "\n".join([CONV, "",
                     cases("w_{1,\\alpha,\\beta}", "1 & (\\alpha = 1, \\beta = 1)"), "",
                     "$$Y_{i,j} = X_{i,j}$$", "",
                     "$$w_{1,1,1} = 1$$"])
    got = verdicts(doc)
    assert got[5][0] == "REFUTED", got[5]
    assert got[3][0] != "PROVED", got[3]


def test_definition_without_a_layer_is_not_proved():
    """No directive, no layer in the prose: there is no layer to compute anything, yet the
    definition is PROVED "with these weights the layer computes line 5 exactly"."""
    doc = "\n".join(["Some text.", "",
                     cases("w_{l,\\gamma,\\alpha,\\beta}", "1 & (\\gamma = l)"), "",
                     "$$w_{1,1,1,1} = 1$$"])
    assert verdicts(doc)[3][0] != "PROVED", verdicts(doc)[3]


def test_definition_of_one_channel_not_refuted_by_a_claim_on_another():
    """w_1 is defined; the claim at line 5 is about output channel 2, whose weights the
    document never defines. The definition of w_1 is REFUTED for it (and the claim refuted
    with w[2,1,1,1] = 1, a weight the document leaves open)."""
    doc = "\n".join(["<!-- symproof conv2d in_channels=1 out_channels=2 kernel_size=1 "
                     "bias=false -->", "",
                     cases("w_{1,\\alpha,\\beta}", "1 & (\\alpha = 1, \\beta = 1)"), "",
                     "$$Y_{2,i,j} = 0$$"])
    assert verdicts(doc)[3][0] != "REFUTED", verdicts(doc)[3]


def test_weight_definition_in_a_pooling_context_is_not_refuted():
    """Max pooling has no weights; a weight definition there is not what any claim's verdict
    depends on, yet it is REFUTED ("with these weights the layer computes none of lines 5")."""
    doc = "\n".join(["<!-- symproof maxpool2d kernel_size=1 channels=2 input=5x5 -->", "",
                     cases("w_{l,\\gamma,\\alpha,\\beta}", "1 & (\\gamma = l)"), "",
                     "$$Y_{1,1,1} = X_{1,1,1} + 1$$"])
    assert verdicts(doc)[3][0] != "REFUTED", verdicts(doc)[3]


def test_two_index_weight_definition_is_not_silently_dropped():
    """C_in = C_out = 1, w_{α,β} (two indices fewer) with the corner tap: Y = X_{i-1,j-1} holds.
    The pattern never matches w[1,1,α,β], the claim is judged with free weights and REFUTED,
    the reason saying "with the weights defined at line 3 substituted"."""
    doc = "\n".join([CONV, "",
                     cases("w_{\\alpha,\\beta}", "1 & (\\alpha = 1, \\beta = 1)"), "",
                     "$$Y_{i,j} = X_{i-1,j-1}$$"])
    assert verdicts(doc)[5][0] != "REFUTED", verdicts(doc)[5]


def test_bias_definition_is_not_refuted():
    """b_1 = 0 defines the bias (the brief's example); it is judged as an identity about a
    free b[1] and REFUTED, and Y = X (true with the centre tap and b = 0) is REFUTED with
    b[1] = 1."""
    doc = "\n".join(["<!-- symproof conv2d in_channels=1 out_channels=1 kernel_size=3 "
                     "padding=1 -->", "",
                     cases("w_{1,\\alpha,\\beta}", "1 & (\\alpha = 2, \\beta = 2)"), "",
                     "$$b_1 = 0$$", "",
                     "$$Y_{i,j} = X_{i,j}$$"])
    got = verdicts(doc)
    assert got[5][0] != "REFUTED", got[5]
    assert got[7][0] != "REFUTED", got[7]


def test_weight_pattern_with_a_shifted_index():
    """w_{1,1,α+1,β} = 1 at α = 1, β = 2 sets w[1,1,2,2]: the centre tap, Y = X_{i,j}. The
    pattern is applied as if it read w_{1,1,α,β}: Y = X_{i-1,j} is PROVED, Y = X_{i,j}
    REFUTED."""
    doc = "\n".join([CONV, "",
                     cases("w_{1,1,\\alpha+1,\\beta}", "1 & (\\alpha = 1, \\beta = 2)"), "",
                     "$$Y_{i,j} = X_{i,j}$$", "",
                     "$$Y_{i,j} = X_{i-1,j}$$"])
    got = verdicts(doc)
    assert got[5][0] != "REFUTED", got[5]
    assert got[7][0] != "PROVED", got[7]


def test_weight_pattern_with_a_repeated_index():
    """w_{l,l,α,β} defines the diagonal weights only (1 at α = 1); the off-diagonal ones are
    not given. Read as every w[a,b,1,1] = 1, Y_l = X_1 + X_2 is PROVED."""
    doc = "\n".join(["<!-- symproof conv2d in_channels=2 out_channels=2 kernel_size=1 "
                     "bias=false -->", "",
                     cases("w_{l,l,\\alpha,\\beta}", "1 & (\\alpha = 1)"), "",
                     "$$Y_{l,i,j} = X_{1,i,j} + X_{2,i,j}$$"])
    assert verdicts(doc)[5][0] != "PROVED", verdicts(doc)[5]


# --- wrong verdicts: shorthand ----------------------------------------------------------------

def test_transposed_weight_shorthand_follows_its_layout_one_input_channel():
    """A transposed convolution's weights are w[γ,l,α,β]. With C_in = 1, w_{l,α,β} is
    w[1,l,α,β]; symproof expands it to w[l,1,α,β]. With w = l at the centre, Y_2 = 2·X is
    true (PyTorch: weight[0, 1, 0, 0] = 2) and REFUTED."""
    doc = "\n".join(["<!-- symproof convtranspose2d in_channels=1 out_channels=2 kernel_size=1 "
                     "bias=false input=3x3 -->", "",
                     cases("w_{l,\\alpha,\\beta}", "l & (\\alpha = 1, \\beta = 1)"), "",
                     "$$Y_{2,i,j} = 2 X_{i,j}$$"])
    assert verdicts(doc)[5][0] != "REFUTED", verdicts(doc)[5]


def test_transposed_weight_shorthand_follows_its_layout_one_output_channel():
    """C_out = 1: w_{γ,α,β} is w[γ,1,α,β]; symproof expands it to w[1,γ,α,β]. With w = γ,
    Y = X_1 + 2·X_2 is true and REFUTED."""
    doc = "\n".join(["<!-- symproof convtranspose2d in_channels=2 out_channels=1 kernel_size=1 "
                     "bias=false input=3x3 -->", "",
                     cases("w_{\\gamma,\\alpha,\\beta}", "\\gamma & (\\alpha = 1, \\beta = 1)"),
                     "", "$$Y_{i,j} = X_{1,i,j} + 2 X_{2,i,j}$$"])
    assert verdicts(doc)[5][0] != "REFUTED", verdicts(doc)[5]


def test_pooling_channel_outside_channels_is_not_refuted():
    """channels=2: there is no Y_{3,…} and no X_{3,…}. The claim is REFUTED with X[3,1,1] = 1,
    an entry outside the input (a convolution says "outside the layer's output": UNKNOWN)."""
    doc = ("<!-- symproof maxpool2d kernel_size=1 channels=2 input=5x5 -->\n\n"
           "$$Y_{3,1,1} = 0$$\n")
    assert verdicts(doc)[3][0] == "UNKNOWN", verdicts(doc)[3]


def test_padded_image_of_a_transposed_convolution_is_not_defined():
    """A transposed convolution has no padded coordinates (its directive refuses
    coordinates=padded; its padding crops the output), yet X̄ is rewritten with its padding and
    a claim in X̄ is PROVED."""
    from symproof import limits
    doc = "\n".join(["<!-- symproof convtranspose2d in_channels=1 out_channels=1 kernel_size=3 "
                     "padding=1 bias=false input=3x3 -->", "",
                     cases("w_{1,1,\\alpha,\\beta}", "1 & (\\alpha = 2, \\beta = 2)"), "",
                     "$$Y_{1,i,j} = \\bar{X}_{1,i+1,j+1}$$"])
    with limits.raised(expanded_terms=20000):
        assert verdicts(doc)[5][0] == "UNKNOWN", verdicts(doc)[5]


def test_divisibility_counterexample_is_in_the_claims_symbols():
    """2k | m: W_out = m/k, and m/(2k) is rightly REFUTED, but the counterexample shown is
    "m = 2, q = 2": q is the kernel's fresh witness (m = 2kq), and m = 2 with q = 2 has no
    integer k. A counterexample must be values of the claim's own symbols that satisfy the
    assumptions."""
    doc = ("<!-- symproof avgpool2d kernel_size=k stride=k channels=C input=mxm -->\n"
           "<!-- symproof assume 2k \\mid m -->\n\n"
           "$$W_{\\text{out}} = \\frac{m}{2k}$$\n")
    found, _ = check_text(doc, markdown=True)
    shown = found[0].outcome.counterexample
    assert found[0].label == "REFUTED"
    assert "q" not in shown and "k" in shown, shown


def test_zero_divisor_assumption_does_not_prove_contradictory_claims():
    """assume 0 | m contradicts m ≥ 1 (the input size); symproof writes m = 0 and PROVES both
    W_out = m/k and W_out = m/(2k)."""
    doc = ("<!-- symproof avgpool2d kernel_size=k stride=k channels=C input=mxm -->\n"
           "<!-- symproof assume 0 \\mid m -->\n\n"
           "$$W_{\\text{out}} = \\frac{m}{k}$$\n\n$$W_{\\text{out}} = \\frac{m}{2k}$$\n")
    got = verdicts(doc)
    assert not (got[4][0] == "PROVED" and got[6][0] == "PROVED"), got


# --- tracebacks ---------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    'PROBLEM = Problem("x", "x", lambda: None, parameters=5)',
    'PROBLEM = Problem("x", "x", lambda: None, parameters=(5,))',
    'PROBLEM = Problem(5, "x", lambda: None)',
])
def test_malformed_problem_is_one_line_exit_2(tmp_path, body):
    """A problem file whose Problem has a bad field: exit 3 "internal error" today."""
    path = tmp_path / "bad.py"
    path.write_text(f"from symproof import Problem\n{body}\n")
    run = subprocess.run([sys.executable, "-m", "symproof", "prove", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert "internal error" not in run.stderr


# --- unclear input accepted -------------------------------------------------------------------

def test_cli_input_named_like_an_index_is_refused():
    """Directives refuse input=ixj; the command line takes --input i and prints an element
    formula in which i is both the output index and the input size."""
    run = subprocess.run([sys.executable, "-m", "symproof", "layer", "conv1d", "--kernel-size",
                          "3", "--input", "i"], capture_output=True, text=True)
    assert run.returncode == 2, run.stdout
