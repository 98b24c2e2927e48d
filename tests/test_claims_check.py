"""The claim checker's core (not yet the `symproof check` command): verdicts on a solution
written with context directives. Each expected verdict is reviewed by hand below."""

from __future__ import annotations

from pathlib import Path

from symproof.claims.check import check_text

DIRECTED = Path(__file__).parent / "data" / "directed_solution.md"


def test_verdicts_on_a_directed_solution():
    verdicts, _ = check_text(DIRECTED.read_text())
    got = [(v.line, v.status) for v in verdicts]
    assert got == [
        # line 3: the formula ignores the padding P = 1 (it reads X_{i+α−1}, the window of
        # Y_{l,i,j} starts at row i − 1 on the unpadded input): wrong.
        (3, "REFUTED"),
        # line 5: with the weights of line 7 the layer computes X_{i+1,j} − X_{i,j} + b_1, and
        # the document never sets b = 0: wrong as written (counterexample b_1 = 1).
        (5, "REFUTED"),
        (7, "UNKNOWN"),  # a weight definition, recorded for the other claims
        # line 12: ⌊m/k⌋ = |(W_in − f_1 + 2P)/S + 1| = |(m − k)/k + 1| = m/k with k | m.
        (12, "PROVED"), (12, "PROVED"), (12, "PROVED"),
        (16, "PROVED"), (16, "PROVED"),  # ∂y_L/∂b_L = 1, ∂y_L/∂y_{L−1} = A_L
        (17, "PROVED"),                  # diag(σ'(z_ℓ)) A_ℓ
        (18, "REFUTED"),                 # A_ℓ diag(σ'(z_ℓ)): the factors in the wrong order
        (19, "PROVED"),                  # ∂y_L/∂A_ℓ = diag(σ') (∂y_L/∂y_ℓ)^T y_{ℓ−1}^T
    ]
    refuted = {v.line: v for v in verdicts if v.status == "REFUTED"}
    assert "b[1] = 1" in refuted[5].reason
    assert "shapes" in refuted[18].reason


def test_unknown_notation_is_never_refuted():
    """Without a layer in context, W_out, Y and derivatives are names, not variables."""
    text = "$$W_{\\text{out}} = \\frac{m}{k}$$\n$$Y_{1,i,j} = X_{i,j}$$\n"
    verdicts, _ = check_text(text)
    assert [v.status for v in verdicts] == ["UNKNOWN", "UNKNOWN"]


def test_unreadable_claims_are_unparsed_and_the_rest_still_checked():
    text = "$$\\frac{1}{ = 2$$\n$$a + a = 2 a$$\n$$\\operatorname{__import__('os')} = 1$$\n"
    verdicts, _ = check_text(text)
    assert [v.status for v in verdicts][1] == "PROVED"
    assert verdicts[0].status in ("UNPARSED", "UNKNOWN")
    assert verdicts[2].status in ("UNPARSED", "UNKNOWN")
