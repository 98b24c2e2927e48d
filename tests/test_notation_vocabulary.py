"""The notation of the field (symproof/claims/vocabulary.py) and its use by ``check``: the
written forms read as the model's names, the ``names`` directive and ``output=`` field that
bind a text's letters, primes, ``\\odot``, layer superscripts, bare multi-index sums; and the
soundness rule behind them (a letter nothing binds is UNKNOWN, never refuted)."""

from __future__ import annotations

import re

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symproof.claims.check import check_text
from symproof.claims.normalize import tidy
from symproof.claims.parse import ParseError, parse_latex
from symproof.claims.vocabulary import (
    BARE_BOUND,
    bare_sum_bounds,
    canonical_name,
    names_from_words,
    rename,
)
from symproof.errors import SymproofError
from symproof.kernel import divides, prove
from symproof.notation import w
from symproof.proof import Status


def directive(*words: str) -> str:
    """A Markdown symproof directive of these words."""
    return f"<!-- symproof {' '.join(words)} -->"


ONE = ("in_channels=1", "out_channels=1")
PYTORCH_W = (r"\left\lfloor\frac{W_{in} + 2 \times \text{padding}[1] - \text{dilation}[1] "
             r"\times (\text{kernel\_size}[%d] - 1) - 1}{\text{stride}[1]} + 1\right\rfloor")


def statuses(text: str) -> dict[int, str]:
    verdicts, _ = check_text(text, markdown=True)
    return {v.line: v.label for v in verdicts}


def reasons(text: str) -> dict[int, str]:
    verdicts, _ = check_text(text, markdown=True)
    return {v.line: v.reason for v in verdicts}


@pytest.mark.parametrize("written, read", [
    (r"H_{out}", r"H_{\text{out}}"),
    (r"H_\mathrm{out}", r"H_{\text{out}}"),
    (r"H_{\mathrm{out}}", r"H_{\text{out}}"),
    (r"H_\text{out}", r"H_{\text{out}}"),
    (r"H_{\textrm{in}}", r"H_{\text{in}}"),
    (r"n_\textrm{h}", r"n_{h}"),
    (r"\mathbf{x}", "x"),
    (r"\boldsymbol{W} + \bm{b}", "W + b"),
    (r"\text{padding}[0]", "P"),
    (r"\text{kernel\_size}[1]", "f_{2}"),
    (r"\text{stride[0]}", "S"),
    (r"\text{output\_padding}[0]", "a"),
    (r"\text{dilation}", "D"),
    (r"x^\mathsf{T}", r"x^{\top}"),
    (r"x^\intercal", r"x^{\top}"),
])
def test_written_forms_are_read_one_way(written, read):
    assert tidy(written) == read


def test_operatorname_stays_a_function():
    assert tidy(r"\operatorname{diag}(x)") == r"\operatorname{diag}\left(x\right)"


def test_names_directive_words():
    assert names_from_words(("o=H_out", "i'=H_in")) == {"o": "H_out", "i'": "H_in"}
    for bad in (("o",), ("o=H out",), ("o=1+2",), ("o=H_out", "o=W_out"), ()):
        with pytest.raises(SymproofError):
            names_from_words(bad)


def test_canonical_names_keep_primes():
    assert canonical_name(r"H_{\text{out}}") == "H_out"
    assert canonical_name("o'") == "o'" != canonical_name("o")


def test_rename_binds_letters_and_arrays():
    o, i = sp.Symbol("o"), sp.Symbol("i")
    H_in = sp.Symbol("H_in", integer=True, positive=True)
    expr = rename(o - i, {"o": "H_out", "i": "H_in"}, {"H_in": H_in})
    assert expr.free_symbols == {sp.Symbol("H_out", integer=True, positive=True), H_in}
    entry = sp.IndexedBase("K")[1, 2, 3, 4]
    assert rename(entry, {"K": "w"}, {}) == w[1, 2, 3, 4]


def test_primes_are_kept_distinct():
    parsed = parse_latex(r"o' - o")
    assert parsed.free_symbols == {sp.Symbol("o'"), sp.Symbol("o")}
    assert parsed != 0


def test_hadamard_product_of_matrices_and_of_scalars():
    u, v = sp.MatrixSymbol("u", 3, 1), sp.MatrixSymbol("v", 3, 1)
    assert parse_latex(r"u \odot v", known=[u, v]) == sp.HadamardProduct(u, v)
    assert parse_latex(r"a \odot b") == sp.Symbol("a") * sp.Symbol("b")
    with pytest.raises(ParseError):
        parse_latex(r"u \odot b", known=[u])


def test_layer_superscripts_are_names_not_powers():
    assert parse_latex(r"w^{l+1}") == sp.Symbol("w^{l+1}")
    assert parse_latex(r"\delta^L_j") == sp.Symbol("delta^{L}_{j}")
    assert parse_latex(r"x^2") == sp.Symbol("x") ** 2


def test_bare_sum_bounds_come_from_the_weights():
    l, m = sp.Symbol("l", integer=True), sp.Symbol("m", integer=True)
    low, high = (sp.Symbol(BARE_BOUND.format(n, end)) for n, end in (("m", "from"),
                                                                        ("m", "to")))
    summed = sp.Sum(w[l, 1, m, 1], (m, low, high))
    assert bare_sum_bounds(summed, {w: (2, 1, 3, 3)}) == sp.Sum(w[l, 1, m, 1], (m, 1, 3))
    # an index found in no weight keeps its bounds: a name nothing binds
    alone = sp.Sum(m, (m, low, high))
    assert bare_sum_bounds(alone, {w: (2, 1, 3, 3)}) == alone


DUMOULIN = directive("conv2d", *ONE, "kernel_size=k stride=s padding=p input=H_inxH_in") + r"""
<!-- symproof names i=H_in o=H_out -->

$$o = \left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1.$$

$$o = \frac{i + 2p - k}{s} + 1.$$

$$X_{1,i,1} = 0$$
"""


def test_names_directive_binds_the_output_letter():
    found = statuses(DUMOULIN)
    assert found[4] == "PROVED"
    assert found[6] == "REFUTED"
    # i names the input size here, so an entry indexed by i is not read as one
    assert found[8] == "UNKNOWN"
    assert "cannot be indices" in reasons(DUMOULIN)[8]


def test_without_a_binding_an_output_letter_is_unknown_never_refuted():
    """The soundness bug of issue 13: o free was refuted with o = −7/3."""
    text = ("<!-- symproof conv1d in_channels=1 out_channels=1 kernel_size=k stride=s "
            "padding=p input=n -->\n\n$$o = \\left\\lfloor \\frac{n + 2p - k}{s} \\right\\rfloor"
            " + 1$$\n")
    assert statuses(text)[3] == "UNKNOWN"
    assert "o is not bound" in reasons(text)[3]


def test_a_size_the_context_does_not_bind_is_unknown():
    """With stride=1 the claim's s is no stride: s = 1/4 must not refute it."""
    text = ("<!-- symproof conv1d in_channels=1 out_channels=1 kernel_size=k stride=1 "
            "padding=p input=n output=o -->\n\n$$o = \\left\\lfloor \\frac{n + 2p - k}{s} "
            "\\right\\rfloor + 1$$\n")
    assert statuses(text)[3] == "UNKNOWN"
    assert "uses s" in reasons(text)[3]


def test_primed_letters_bind_to_the_transposed_layer():
    text = directive("convtranspose2d", *ONE, "kernel_size=k stride=s padding=p",
                     "output_padding=a input=H_inxH_in") + (r"""
<!-- symproof names i'=H_in o'=H_out -->

$$o' = s (i' - 1) + a + k - 2p$$

$$o' = s (i' - 1) + a + k - p$$

$$o = s (i' - 1) + a + k - 2p$$
""")
    found = statuses(text)
    assert (found[4], found[6], found[8]) == ("PROVED", "REFUTED", "UNKNOWN")


def test_pytorch_docs_formula_with_pair_kernel():
    text = "\n".join((
        directive("conv2d", *ONE, "kernel_size=k_1xk_2 stride=s padding=p dilation=d",
                  "input=H_inxW_in"), "",
        "$$W_{out} = " + PYTORCH_W % 1 + "$$", "",
        "$$W_{out} = " + PYTORCH_W % 0 + "$$", ""))
    found = statuses(text)
    assert (found[3], found[5]) == ("PROVED", "REFUTED")


def test_cs231n_formula_under_divisibility():
    text = directive("conv2d in_channels=D_1 out_channels=K kernel_size=F stride=S",
                     "padding=P input=H_1xW_1 output=H_2xW_2") + (r"""
<!-- symproof assume S \mid W_1 - F + 2P -->

$$W_2 = (W_1 - F + 2P)/S + 1$$

$$W_2 = (W_1 - F + 2P)/S$$

$$(227 - 11)/4 + 1 = 54$$
""")
    verdicts, _ = check_text(text, markdown=True)
    found = {v.line: v for v in verdicts}
    assert found[4].label == "PROVED"
    assert found[6].label == "REFUTED"
    # the counterexample respects the divisibility and the sizes' positivity
    values = {k: int(v) for k, v in found[6].evidence["counterexample"].items()}
    assert (values["W_1"] - values["F"] + 2 * values["P"]) % values["S"] == 0
    assert min(values["W_1"], values["F"], values["S"]) >= 1 and values["P"] >= 0
    assert "divisibility" not in found[8].reason  # a number is refuted by itself


def test_goodfellow_bare_sum_with_renamed_arrays():
    text = directive("conv2d in_channels=2 out_channels=2 kernel_size=3 stride=1 padding=0",
                     "bias=false") + (r"""
<!-- symproof names Z=Y V=X K=w -->

$$Z_{i,j,k} = \sum_{l,m,n} V_{l,j+m-1,k+n-1} K_{i,l,m,n}$$

$$Z_{i,j,k} = \sum_{l,m,n} V_{l,j+m-1,k+n-1} K_{l,i,m,n}$$

$$Z_{i,j,k} = \sum_{l,m} V_{l,j+m-1,k} K_{i,l,m,1} + \sum_{q} q$$
""")
    found = statuses(text)
    assert (found[4], found[6]) == ("PROVED", "REFUTED")
    assert found[8] == "UNKNOWN"  # q runs through no weight: its range is nobody's guess


def test_kernel_divisibility_with_an_expression():
    W, F, S = (sp.Symbol(n, integer=True, positive=True) for n in ("W", "F", "S"))
    P = sp.Symbol("P", integer=True, nonnegative=True)
    claim = sp.Eq(sp.floor((W - F + 2 * P) / S) + 1, (W - F + 2 * P) / S + 1)
    assert prove(claim, assuming=[divides(S, W - F + 2 * P)]).status is Status.PROVED
    wrong = sp.Eq(sp.floor((W - F + 2 * P) / S) + 1, (W - F + 2 * P) / S)
    outcome = prove(wrong, assuming=[divides(S, W - F + 2 * P)])
    assert outcome.status is Status.REFUTED
    assert prove(claim).status is not Status.PROVED


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["o", "x", "q", "H_2"]), st.integers(1, 9))
def test_a_free_letter_equal_to_anything_is_never_refuted(letter, number):
    text = f"$${letter} = {number} + t$$\n"
    assert statuses(text)[1] == "UNKNOWN"


def test_names_before_any_layer_hold_in_every_context():
    layer = "conv2d in_channels=1 out_channels=1 kernel_size=k stride=1 padding={} input=H_inxH_in"
    text = "\n".join((directive("names o=H_out i=H_in"), directive(layer.format(0)), "",
                      "$$o = i - k + 1$$", "", directive(layer.format(1)), "",
                      "$$o = i - k + 1$$", ""))
    found = statuses(text)
    assert (found[4], found[8]) == ("PROVED", "REFUTED")


def test_names_without_a_layer_directive_are_kept():
    text = "<!-- symproof names x=H_out -->\n\n$$x = 3$$\n"
    assert "H_out" in reasons(text)[3] or statuses(text)[3] == "UNKNOWN"


@pytest.mark.parametrize("kind, size", [("conv2d", "nxn"), ("conv1d", "n")])
def test_the_hint_for_an_unbound_output_letter_works_as_written(kind, size):
    """The UNKNOWN's hint names the directive's own grammar (output=oxo for two axes), and
    following it proves the claim."""
    directive = (f"<!-- symproof {kind} in_channels=1 out_channels=1 kernel_size=k "
                 f"input={size} -->")
    claim = "$$o = n - k + 1$$"
    (verdict,) = check_text(f"{directive}\n{claim}", markdown=True)[0]
    assert verdict.label == "UNKNOWN"
    hint = re.search(r"output=(\S+) in the layer directive", verdict.reason).group(1)
    fixed = directive.replace(" -->", f" output={hint} -->")
    (verdict,) = check_text(f"{fixed}\n{claim}", markdown=True)[0]
    assert verdict.label == "PROVED"
