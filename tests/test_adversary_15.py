"""Adversarial review of issues 15 and 14: each test is an attack that found a bug (fixed, or
``xfail(strict=True)`` with the reason) or a promise that held and is worth keeping."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy as sp

from symproof.errors import ParameterError
from symproof.kernel.context import Context
from symproof.kernel.outcome import Status
from symproof.kernel.symbolic import identity
from symproof.latex.printer import latex
from symproof.latex.roundtrip import equations_of, reads_back, written_math
from symproof.printing import written_as_decimals
from symproof.registry import get


def _all_read_back(proof) -> None:
    """Every equation and every formula of the proof's document reads back as its value."""
    with written_as_decimals(proof.decimals):
        for equation in equations_of(proof):
            assert reads_back(latex(equation), equation)
    for written, value in written_math(proof):
        assert reads_back(written, value)


# --- --set names that a document would misstate ---------------------------------------------

@pytest.mark.parametrize("letter", ["P", "S", "F", "f_1", "C_in", "H_out"])
def test_set_refuses_another_parameters_letter(letter):
    """`prove p2 --set k=P` wrote "…, S = P, P = 0" (a window P read as stride 0); k=S wrote
    "S = S" of two different symbols."""
    with pytest.raises(ParameterError, match="letter"):
        get("p2").run({"k": letter})


@pytest.mark.parametrize("name", ["kappa", "lambda", "sigma", "delta", "I"])
def test_set_refuses_a_name_the_reader_misreads(name):
    """`--set k=kappa` wrote \\kappa\\left(i-1\\right), read back as a function applied;
    `--set k=I` wrote I, read back as the imaginary unit (27 formulas did not read back)."""
    with pytest.raises(ParameterError, match="LaTeX reader"):
        get("p2").run({"k": name})


def test_set_still_takes_fresh_names_and_a_parameters_own_letter():
    _all_read_back(get("p2").run({"k": "kk", "m": "mm", "C": "C"}))
    assert get("p2").run({"C": "C"}).status is Status.PROVED


def test_the_refusal_is_one_cli_line():
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", "p2", "--set", "k=P"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: k ")


# --- what held: decimals as written, parameters that are not the defaults ------------------

@pytest.mark.parametrize("settings", [
    {"r": "-0.3", "g": "0.5", "b": "-1/3"}, {"r": "0.000001", "g": "-0.5", "b": "12.75"},
    {"r": "0", "g": "-0.0", "b": "2.0"}])
def test_p3_with_signed_and_tiny_decimals_reads_back(settings):
    _all_read_back(get("p3").run(settings))


@pytest.mark.parametrize("settings", [
    {"stencil": "second", "kernel_size": "5"},
    {"stencil": "central", "kernel_size": "4", "padding": "2"}])
def test_p1_with_other_stencils_reads_back(settings):
    _all_read_back(get("p1").run(settings))


# --- what held: issue 14's normalize and sign rules --------------------------------------------

n = sp.Symbol("n", positive=True, integer=True)
i, j = sp.symbols("i j", integer=True)
X, Y = sp.IndexedBase("X"), sp.IndexedBase("Y")


@pytest.mark.parametrize("lhs, rhs", [
    # a constant that depends on the index is not moved inside the sum
    (i * sp.Sum(X[i], (i, 1, n)) + sp.Sum(X[i], (i, 1, n)), sp.Sum((i + 1) * X[i], (i, 1, n))),
    # a free j outside, a bound j inside
    (j * sp.Sum(X[j], (j, 1, n)), sp.Sum(j * X[j], (j, 1, n))),
    # a square of a sum is no sum of squares
    (sp.Sum(X[i], (i, 1, n)) ** 2 + sp.Sum(Y[i], (i, 1, n)), sp.Sum(X[i] ** 2 + Y[i], (i, 1, n))),
    # backward ranges (Karr's convention) are not empty
    (sp.Sum(X[i], (i, n + 2, n)) + sp.Sum(Y[i], (i, n + 2, n)), sp.S.Zero),
    # overlapping branch conditions
    (sp.Piecewise((1, i > 0), (2, i > -5), (3, True)), sp.Piecewise((1, i > 0), (3, True))),
])
def test_merged_sums_and_branches_prove_nothing_false(lhs, rhs):
    assert identity(lhs, rhs, Context()).status is not Status.PROVED


def test_linear_infimum_respects_real_and_extended_atoms():
    p = sp.Symbol("p", positive=True)  # real, not an integer: p ≥ 1 does not follow
    e = sp.Symbol("e", extended_positive=True)  # may be ∞
    h = sp.Symbol("h", positive=True, integer=True)
    ctx = Context()
    assert not ctx.implies(sp.Ge(p, 1, evaluate=False))
    assert not ctx.implies(sp.Ge(e, 1, evaluate=False))
    assert not ctx.implies(sp.Ge(n + h, 3, evaluate=False))
    assert ctx.implies(sp.Ge(n + h, 2, evaluate=False))
    assert not Context([sp.Ge(h, n)]).implies(sp.Ge(n - h, 0, evaluate=False))


# --- open bugs -----------------------------------------------------------------------------

def test_p2_with_k_not_dividing_m_assumes_nothing_false():
    """Regression: P2 with concrete k ∤ m assumed '3 | 7' and stated the output as 7/3×7/3."""
    proof = get("p2").run({"C": "2", "k": "3", "m": "7"})
    said = " ".join(str(a) for a in proof.assumptions) + str(proof.statement)
    assert "3 | 7" not in said and "7/3" not in said
    assert "2×2" in said and "3 does not divide 7" in said
    assert proof.status is Status.PROVED


@pytest.mark.xfail(strict=True, reason="completeness, not soundness: with C = 1 the kernel "
                   "does not settle δ[1,l] from 1 ≤ l ≤ 1, so a true step stays UNKNOWN")
def test_p2_with_one_channel_is_proved():
    assert get("p2").run({"C": "1", "k": "1", "m": "1"}).status is Status.PROVED


# --- figures ---------------------------------------------------------------------------------

def _caption(figure) -> str:
    return "".join(part if isinstance(part, str) else part.plain for part in figure.caption)


@pytest.mark.parametrize("kernel_size, padding", [(3, 1), (5, 1)])
def test_a_figure_without_an_interior_window_does_not_claim_one(kernel_size, padding):
    """On a 3×3 input a 3×3 kernel with padding 1 (or 5×5, padding 1) has no interior window
    apart from the corner's: only the corner window was drawn, yet the caption said "the
    window at an interior position"."""
    from symproof import Conv2d
    from symproof.figures import conv_figure

    figure = conv_figure(Conv2d(1, 1, kernel_size, padding=padding), input_size=(3, 3))
    styles = {r.style for r in figure.scene.rects}
    assert "window" not in styles and "boundary" in styles
    caption = _caption(figure)
    assert "interior" not in caption and "the window at the corner" in caption


def test_figure_taps_are_the_nonzero_weights_in_their_cells():
    from symproof import Conv2d
    from symproof.figures import conv_figure

    a = sp.Symbol("a")
    kernel = sp.Matrix([[0, sp.Rational(-1, 3), 0], [a, 0, sp.Rational(3, 10)], [0, 0, -2]])
    figure = conv_figure(Conv2d(1, 1, 3, padding=1), {(1, 1): kernel}, input_size=(6, 6))
    grid = {(c.x, c.y): c for c in figure.scene.cells if c.kind in ("input", "padding")}
    taps = [c for c in figure.scene.cells if c.kind in ("tap", "padding-tap")]
    nonzero = {(a + 1, b + 1): kernel[a, b] for a in range(3) for b in range(3)
               if kernel[a, b] != 0}
    assert {c.key[2:] for c in taps} == set(nonzero)
    for cell in taps:
        assert cell.value == nonzero[cell.key[2:]]
        under = grid[cell.x, cell.y]  # a padding tap lies on a padding cell, and only there
        assert (cell.kind == "padding-tap") == (under.kind == "padding")


def test_a_pooling_figure_keeps_an_input_side_given_as_a_number():
    """`--input 7xm` drew 4×4 and 5×5 grids whose last row was labelled 7, captioned "4×4:
    tiled" and "row 5: never read": a 7-row input under 2×2 windows leaves row 7 unread."""
    from symproof import AvgPool2d
    from symproof.figures import pool_figure

    m = sp.Symbol("m", positive=True, integer=True)
    figure = pool_figure(AvgPool2d(2), (7, m))
    notes = [n.content if isinstance(n.content, str) else n.content.plain
             for n in figure.scene.notes]
    assert "row 7: never read" in notes and "row 5: never read" not in notes
    assert not any(note.startswith(("4×", "5×")) for note in notes)
    rows = {c.key[1] for c in figure.scene.cells if c.kind in ("input", "unread")}
    assert max(rows) == 7


@pytest.mark.parametrize("written", ["k__a", "k_1_2", "k_", "K_in_out"])
def test_a_size_name_with_more_than_one_subscript_is_refused(written):
    """`--kernel-size k__a` printed the window size as k^{a} (SymPy's LaTeX reads a double
    underscore as a superscript), k_1_2 as k_{1 2} and k_ as k_{}: each misstated in the
    document, in the figure and in `prove --set`."""
    from symproof.params import size_from_text

    with pytest.raises(ParameterError, match="symbol name such as F"):
        size_from_text("kernel_size", written)
    with pytest.raises(ParameterError, match="symbol name such as F"):
        get("p2").run({"k": written})


def test_one_subscript_names_still_pass():
    from symproof.params import size_from_text, sizes_from_text

    assert str(size_from_text("kernel_size", "f_1")) == "f_1"
    assert [str(s) for s in sizes_from_text("kernel_size", "k_1xk_2")] == ["k_1", "k_2"]
