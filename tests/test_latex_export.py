"""LaTeX and Markdown solution documents, as a TA produces and reads them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from symproof import Conv2d
from symproof.latex import latex
from symproof.latex.document import markdown_document, tex_document, visible_width
from symproof.registry import groups, problems

from .latex_tools import need, overfull, pdflatex

HOMEWORK = groups()["homework"]


@pytest.fixture(scope="module")
def proofs():
    return [problem.run() for problem in HOMEWORK]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory, proofs):
    need("pdflatex")
    folder = tmp_path_factory.mktemp("tex")
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", "--latex",
                           str(folder / "solutions.tex"), "--pdf", "--brief"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return folder, done.stdout


def test_full_document_compiles_without_errors_or_overfull_lines(compiled):
    folder, stdout = compiled
    assert "wrote" in stdout and "solutions.pdf" in stdout
    tex = (folder / "solutions.tex").read_text()
    too_wide = overfull(pdflatex(folder, "solutions.tex", runs=2))
    assert all(w <= 10 for w in too_wide), too_wide
    # geometry for the page, amsmath/amssymb, plain TikZ for the pictures, and nothing else
    assert r"\usepackage{amsmath,amssymb}" in tex and r"{geometry}" in tex
    assert r"\usepackage{tikz}" in tex and r"\usetikzlibrary" not in tex
    assert tex.count(r"\usepackage") == 3
    assert tex.count(r"\begin{tikzpicture}") == len(HOMEWORK)
    assert tex.count(r"\section{") == len(HOMEWORK)
    assert r"\begin{align*}" in tex and r"\boxed{" in tex and r"\tableofcontents" in tex


EXPECTED_RESULTS = {
    "P1": ["w1,1 = 0 −1 0", "w2,1 = 0 −1 1"],
    "P2": ["wl,γ,α,β =", "δγl"],
    "P3": ["w1,1 =", "299", "587"],
    "P4": ["σ(ρ(X)) = ρ(σ(X))"],
    "P6": ["diag σ ′ (Aℓ yℓ−1 + bℓ )"],
}


def test_pdf_text_has_every_final_result(compiled):
    need("pdftotext")
    folder, _ = compiled
    text = subprocess.run(["pdftotext", str(folder / "solutions.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = re.sub("[\uf000-\uf8ff]", "", text)  # private-use glyphs: pieces of big brackets
    for name, snippets in EXPECTED_RESULTS.items():
        section = text.split(f"{name}: ", 2)[-1]  # the section body, after the contents line
        for snippet in snippets:  # typeset math: spacing is the font's, not the text's
            assert re.sub(r"\s", "", snippet) in re.sub(r"\s", "", section), (name, snippet)
    assert "Summary" in text and text.count("PROVED") >= len(HOMEWORK)


def test_markdown_has_the_same_content(proofs, tmp_path):
    md = markdown_document(proofs)
    assert md.count("\n## ") == len(proofs) + 1  # one per problem, and the summary
    assert md.count("$$\n\\begin{aligned}") >= len(proofs)
    assert r"\boxed{w_{l,\gamma,\alpha,\beta} = \frac{\delta_{\gamma l}}{k^{2}}}" in md
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", "p3", "--markdown",
                           str(tmp_path / "p3.md"), "--brief"], capture_output=True, text=True)
    assert done.returncode == 0 and (tmp_path / "p3.md").read_text().startswith("# Solutions")


def test_long_equations_are_broken():
    a = sp.symbols("a0:30")
    tex = tex_document([_one_step_proof(sp.Eq(sp.Symbol("s"), sp.Add(*a)))])
    rows = tex.split(r"\begin{align*}")[1].split(r"\end{align*}")[0].split(r"\\")
    assert len(rows) > 1 and all(visible_width(r) <= 75 for r in rows)


def _one_step_proof(claim):
    from symproof.kernel import identity
    from symproof.proof import Proof

    proof = Proof("t", "t", "t")
    proof.add(claim, "x", identity(sp.Integer(1), sp.Integer(1)))  # any kernel verdict
    return proof


def test_printer_writes_course_notation():
    from symproof import symbols

    c_in, m, k = symbols("C_in m k")
    assert latex(c_in) == r"C_{\text{in}}"
    assert r"\left\lfloor{\frac{m}{k}}\right\rfloor" in latex(sp.floor(m / k))
    shown = latex(Conv2d(c_in, 2, 3).equation())
    assert r"\sum_{\gamma=1}^{C_{\text{in}}} \sum_{\alpha=1}^{3} \sum_{\beta=1}^{3}" in shown
    assert r"w_{l,\gamma,\alpha,\beta} X_{\gamma,i+\alpha-1,j+\beta-1}" in shown
    from symproof.backprop import derive

    shown = latex(derive()["dyL/dAl"].formula)
    assert shown.startswith(r"\operatorname{diag}\left(\sigma'\left(A_{\ell} y_{\ell-1}")
    assert r"y_{\ell-1}^{\top}" in shown
    assert r"\begin{bmatrix}" in latex(sp.Matrix([[1, 2]]))


def test_repr_latex_of_layers_steps_and_proofs(proofs):
    assert Conv2d(1, 2, 3)._repr_latex_().startswith("$")
    assert proofs[0].steps[0]._repr_latex_().startswith("$")
    # a notebook's MathJax reads no document: LaTeX is the result, Markdown the derivation
    assert r"\begin{align*}" not in proofs[0]._repr_latex_()
    assert r"\begin{aligned}" in proofs[0]._repr_markdown_()


@pytest.mark.parametrize("argv, message", [
    (["prove", "--latex", "/nonexistent/dir/s.tex"], "error: cannot write /nonexistent/dir/s.tex"),
    (["prove", "p99", "--latex", "s.tex"], "error: proof must be one of"),
    (["prove", "--pdf"], "error: --pdf needs --latex FILE"),
])
def test_export_errors(tmp_path, argv, message):
    done = subprocess.run([sys.executable, "-m", "symproof", *argv], capture_output=True,
                          text=True, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith(message), done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing half written


def test_missing_pdflatex_is_one_line_and_writes_nothing(tmp_path):
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", "p3", "--latex",
                           str(tmp_path / "s.tex"), "--pdf"], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: pdflatex is not installed: install it with "
                                   "'apt-get install texlive-latex-base "
                                   "texlive-latex-recommended'")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_directory(tmp_path):
    if os.geteuid() == 0:
        locked = tmp_path / "file-not-dir"
        locked.write_text("x")
        target = locked / "s.tex"  # a path under a file is unwritable even for root
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "s.tex"
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", "p3", "--latex",
                           str(target)], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error: cannot write")


@pytest.mark.parametrize("name", sorted(problems()))
def test_every_equation_of_every_worked_proof_round_trips(name):
    """What the exporter writes reads back (latex2sympy2_extended behind symproof's
    normalisation) as the same mathematics."""
    from symproof.latex.roundtrip import equations_of, round_trip

    equations = equations_of(problems()[name].run())
    assert equations
    for equation in equations:
        assert round_trip(equation)


def test_round_trip_catches_a_printer_that_lies(monkeypatch):
    from symproof.latex import printer
    from symproof.latex.roundtrip import round_trip

    monkeypatch.setattr(printer.SymproofLatexPrinter, "_print_Transpose",
                        lambda self, expr: self._print(expr.arg))  # drops the transpose
    from symproof.backprop import derive

    with pytest.raises(AssertionError):
        round_trip(derive()["dyL/dAL"].formula)


def test_to_latex_options():
    from symproof import Linear

    conv = Conv2d(1, 1, 3, padding=1)
    assert conv.to_latex(inline=True).startswith("$Y_{l,i,j} = ")
    assert r"\bar{X}_{1,i+\alpha-1,j+\beta-1}" in conv.to_latex(padded_coordinates=True)
    assert r"X_{1,i+\alpha-2,j+\beta-2}" in conv.to_latex()
    from symproof import ParameterError

    with pytest.raises(ParameterError, match="applies to windowed layers"):
        Linear(2, 1).to_latex(padded_coordinates=True)
    p6 = problems()["p6"].run()
    numerator, denominator = p6.to_latex(), p6.to_latex(layout="denominator")
    diag = r"\operatorname{diag}\left(\sigma'\left(A_{\ell} y_{\ell-1} + b_{\ell}\right)\right)"
    assert diag + r" A_{\ell}" in numerator
    assert r"A_{\ell}^{\top} \operatorname{diag}" in denominator
    step = next(s for s in p6.steps if s.layouts)
    assert step.to_latex(inline=True, layout="denominator").startswith("$")
    with pytest.raises(ParameterError, match="layout must be one of"):
        step.to_latex(layout="sideways")
