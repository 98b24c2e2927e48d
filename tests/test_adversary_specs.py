"""Adversarial regressions for the layer specs, Conv1d, groups and ConvTranspose2d in
``symproof check`` (each test states the claim, why it is true or false, and the verdict it
must get). They fail on the branch as found; they do not fix anything."""

from __future__ import annotations

import pytest

from symproof.claims.check import check_text


def verdicts(document: str) -> dict[int, tuple[str, str]]:
    found, _ = check_text(document)
    return {v.line: (v.label, v.reason) for v in found}


# --- wrong verdicts -------------------------------------------------------------------------

def test_conv1d_weight_definition_is_used():
    """1-D weights (1, 0, -1) with padding 1: Y_{1,i} = X_{1,i-1} - X_{1,i+1} for every i.
    The 1-D definition w_{1,1,α} is recorded as a 4-index pattern (1, 1, 1, α) that never
    matches w[1,1,α]; the claim is then judged with arbitrary weights and REFUTED."""
    doc = ("%! symproof conv1d in_channels=1 out_channels=1 kernel_size=3 padding=1 "
           "bias=false input=5\n"
           "\\[ w_{1,1,\\alpha} = \\begin{cases} 1 & (\\alpha = 1) \\\\ -1 & (\\alpha = 3) \\\\ "
           "0 & (\\text{otherwise}) \\end{cases} \\]\n"
           "\\[ Y_{1,i} = X_{1,i-1} - X_{1,i+1} \\]\n")
    got = verdicts(doc)
    assert got[3][0] == "PROVED", got[3]
    assert got[2][0] != "REFUTED", got[2]


def test_conv1d_weight_definition_shorthand_is_used():
    """Same with the one-channel shorthand w_{1,α} (= w_{1,1,α})."""
    doc = ("%! symproof conv1d in_channels=1 out_channels=1 kernel_size=3 padding=1 "
           "bias=false input=5\n"
           "\\[ w_{1,\\alpha} = \\begin{cases} 1 & (\\alpha = 1) \\\\ -1 & (\\alpha = 3) \\\\ "
           "0 & (\\text{otherwise}) \\end{cases} \\]\n"
           "\\[ Y_{1,i} = X_{1,i-1} - X_{1,i+1} \\]\n")
    assert verdicts(doc)[3][0] != "REFUTED"


@pytest.mark.parametrize("word, claim", [
    # the layer's formula on the original X (X̄_p = X_{p-P}): true in any coordinates
    ("conv1d", "Y_{1,i} = b_1 + \\sum_{\\alpha=1}^{3} w_{1,1,\\alpha} X_{1,i+\\alpha-2}"),
    # X̄_{1,1} is padding (0): the α = 1 tap of Y_{1,1} reads nothing
    ("conv1d", "Y_{1,1} = b_1 + w_{1,1,2} \\bar{X}_{1,2} + w_{1,1,3} \\bar{X}_{1,3}"),
    # X̄_{1,7} = X_{1,6} is padding (L + 2P = 7)
    ("conv1d", "Y_{1,5} = b_1 + w_{1,1,1} \\bar{X}_{1,5} + w_{1,1,2} \\bar{X}_{1,6}"),
    ("conv2d", "Y_{1,i,j} = b_1 + \\sum_{\\alpha=1}^{3}\\sum_{\\beta=1}^{3} "
               "w_{1,1,\\alpha,\\beta} X_{1,i+\\alpha-2,j+\\beta-2}"),
])
def test_padded_coordinates_true_claims_not_refuted(word, claim):
    """With coordinates=padded, X and X̄ are judged as unrelated arrays and X̄ is not 0 in its
    padding border: true claims are REFUTED by counterexamples that break X̄_p = X_{p-P}."""
    size = "5" if word == "conv1d" else "5x5"
    doc = (f"%! symproof {word} in_channels=1 out_channels=1 kernel_size=3 padding=1 "
           f"coordinates=padded input={size}\n\\[ {claim} \\]\n")
    assert verdicts(doc)[2][0] != "REFUTED", verdicts(doc)[2]


def test_per_axis_padding_letter_is_not_silently_the_row_value():
    """padding=1x2, kernel 3x5, input 7x9: W_out = 9 + 2·2 − 5 + 1 = 9. With P the column
    padding the claim is true; symproof binds P to the row padding 1 and REFUTES it. P has no
    single value here: UNKNOWN (or PROVED with P read per axis), never REFUTED."""
    doc = ("%! symproof conv2d kernel_size=3x5 padding=1x2 input=7x9\n"
           "\\[ W_{\\text{out}} = W_{\\text{in}} + 2P - f_2 + 1 \\]\n")
    assert verdicts(doc)[2][0] != "REFUTED", verdicts(doc)[2]


def test_grouped_counterexample_stays_in_weight_range():
    """Conv2d(4, 6, 1, groups=2): weight (6, 2, 1, 1). The claim sums γ to 4 (as without
    groups). A counterexample may not set w[1, 3, 1, 1], which does not exist."""
    doc = ("%! symproof conv2d in_channels=4 out_channels=6 groups=2 kernel_size=1 bias=false\n"
           "\\[ Y_{l,i,j} = \\sum_{\\gamma=1}^{4} w_{l,\\gamma,1,1} X_{\\gamma,i,j} \\]\n")
    status, reason = verdicts(doc)[2]
    assert not (status == "REFUTED" and "w[1, 3" in reason), reason


def test_wrong_number_of_x_indices_is_not_refuted_with_nonexistent_entry():
    """A 1-D layer's input has entries X_{γ,p}; X_{1,i+α-2,1} is no entry of it. A
    counterexample setting X[1, 1, 1] respects no index range."""
    doc = ("%! symproof conv1d in_channels=1 out_channels=1 kernel_size=3 padding=1 input=5\n"
           "\\[ Y_{1,i} = b_1 + \\sum_{\\alpha=1}^{3} w_{1,1,\\alpha} X_{1,i+\\alpha-2,1} \\]\n")
    status, reason = verdicts(doc)[2]
    assert not (status == "REFUTED" and "X[1, 1, 1]" in reason), reason


# --- capability / messages ---------------------------------------------------------------------

def test_convtranspose_claims_use_the_directive_input():
    """input=3x3 is given, yet every element claim says "uses H, W, which the context does
    not define": the transposed element formula is built without input_size."""
    doc = ("%! symproof convtranspose2d in_channels=1 out_channels=1 kernel_size=2 stride=2 "
           "input=3x3 bias=false\n"
           "\\[ Y_{1,1,1} = w_{1,1,1,1} X_{1,1,1} \\]\n")
    status, reason = verdicts(doc)[2]
    assert status == "PROVED", reason


def test_symbolic_capital_parameters_are_defined_by_the_directive():
    """kernel_size=F padding=P: every claim is UNKNOWN "uses F, P, which the context does not
    define" although the directive defines them."""
    doc = ("%! symproof conv2d kernel_size=F padding=P input=mxm\n"
           "\\[ W_{\\text{out}} = m + 2P - F + 1 \\]\n")
    status, reason = verdicts(doc)[2]
    assert "does not define" not in reason, reason


def test_directive_input_channels_must_match():
    """input=2x5 on a conv1d with in_channels=1 is accepted silently (the CLI refuses it)."""
    doc = "%! symproof conv1d kernel_size=3 input=2x5\n\\[ L_{\\text{out}} = 3 \\]\n"
    assert verdicts(doc).get(1, ("accepted", ""))[0] == "UNPARSED"


def test_directive_repeated_key_is_refused():
    doc = "%! symproof conv1d kernel_size=3 kernel_size=5 input=5\n\\[ L_{\\text{out}} = 3 \\]\n"
    assert verdicts(doc).get(1, ("accepted", ""))[0] == "UNPARSED"


@pytest.mark.parametrize("size", ["l", "i", "0"])
def test_directive_input_size_named_like_an_index_or_zero_is_refused(size):
    """kernel_size=l is refused (reserved), input=l is not: the size then merges with the
    index l ("Y at (1, 1) is outside the layer's output, where 3 <= l"); input=0 is accepted
    and every claim then fails with "where False"."""
    doc = f"%! symproof conv1d kernel_size=3 input={size}\n\\[ Y_{{1,1}} = b_1 \\]\n"
    assert verdicts(doc).get(1, ("accepted", ""))[0] == "UNPARSED"


def test_output_shorthand_needs_one_output_channel():
    """"Y_{i,j} on a one-channel output is Y_{1,i,j}" is applied to a two-channel output:
    a claim true of channel 2 is REFUTED (and one of channel 1 PROVED)."""
    doc = ("%! symproof conv2d in_channels=1 out_channels=2 kernel_size=1 bias=false\n"
           "\\[ Y_{i,j} = w_{2,1,1,1} X_{1,i,j} \\]\n")
    assert verdicts(doc)[2][0] != "REFUTED", verdicts(doc)[2]


@pytest.mark.parametrize("channels", ["0", "l"])
def test_pool_directive_channels_validated(channels):
    """channels=0 (and the reserved name l) is accepted; with 0 channels a counterexample
    then sets X[1, 1, 1], an entry of no input."""
    doc = (f"%! symproof maxpool2d kernel_size=2 channels={channels} input=4x4\n"
           "\\[ Y_{1,1,1} = 5 \\]\n")
    assert verdicts(doc).get(1, ("accepted", ""))[0] == "UNPARSED"


def test_torch_evaluate_validates_parameters():
    """torch_evaluate broadcasts a wrong-shaped weight silently (and, without one, uses
    PyTorch's random initialisation): it must refuse like evaluate does."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("torch")
    from symproof.crosscheck import torch_evaluate
    from symproof.errors import SymproofError
    from symproof.layers import Conv1d

    layer = Conv1d(2, 4, 3, groups=2, bias=False)
    x = np.arange(10.0).reshape(2, 5)
    with pytest.raises(SymproofError):
        torch_evaluate(layer, x, np.ones(3))
    with pytest.raises(SymproofError):
        torch_evaluate(layer, x)
