"""Model answers (issue 15): statements, data and reasons as typeset math, numbers as the user
wrote them, the ``solution`` and ``audit`` styles, and a compact layout, checked on the
compiled PDFs as a TA would read them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symproof.errors import ParameterError
from symproof.latex.document import markdown_document, markdown_files, tex_document
from symproof.latex.roundtrip import equations_of, reads_back, written_math
from symproof.notation import X, i, j
from symproof.printing import decimal_text, latex, text, written_as_decimals
from symproof.prose import Math, Prose, article, in_order, layer_prose, render
from symproof.registry import get, groups, problems
from symproof.report import blocks

from .latex_tools import need, overfull, pages, pdflatex

HOMEWORK = groups()["homework"]
STYLES = ("solution", "audit")
# What a model answer never says: the project's files, modules, rules and internal names.
INTERNAL = ("DESIGN", "sympy", "symproof", ".py", "symbolic identity", "the difference "
            "simplifies", "tactic", "coefficient matching", "exhaustive check", "numeric check",
            "Conv2d", "AvgPool2d", "MaxPool2d", "ReLU()", "kernel_size", "kernel size=",
            "vectorised", "substitution;", "case split", "floor with divisibility",
            "differentiation;", "seed", "tol ")


def _compile(folder: Path, tex: str) -> tuple[int, list[float], str]:
    """Compile ``tex`` twice in ``folder``; (pages, overfull widths in pt, pdftotext)."""
    (folder / "doc.tex").write_text(tex, encoding="utf-8")
    log = pdflatex(folder, "doc.tex", runs=2)
    pdf_text = ""
    if shutil.which("pdftotext"):
        pdf_text = subprocess.run(["pdftotext", str(folder / "doc.pdf"), "-"],
                                  capture_output=True, text=True, check=True).stdout
    return pages(log, "doc.pdf"), overfull(log), pdf_text


@pytest.fixture(scope="module")
def homework():
    return [problem.run() for problem in HOMEWORK]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory, homework):
    """The homework in each style, compiled: style → (tex, pages, overfull, pdf text)."""
    need("pdflatex")
    out = {}
    for style in STYLES:
        tex = tex_document(homework, style=style)
        out[style] = (tex, *_compile(tmp_path_factory.mktemp(style), tex))
    return out


# --- the compiled documents ------------------------------------------------------------------

@pytest.mark.parametrize("style", STYLES)
def test_homework_compiles_without_overfull_boxes(compiled, style):
    _, _, overfull, _ = compiled[style]
    assert all(width <= 10 for width in overfull), overfull


def test_the_five_homework_problems_fit_in_six_pages(compiled):
    tex, pages, _, _ = compiled["solution"]
    assert pages <= 6
    assert r"\newpage" not in tex and r"\maketitle" not in tex
    assert r"\tableofcontents" in tex  # five problems: more than three


def test_solution_pdf_reads_like_a_model_answer(compiled):
    need("pdftotext")
    _, _, _, pdf = compiled["solution"]
    for weight in ("0.299", "0.587", "0.114"):
        assert weight in pdf
    assert "299/1000" not in pdf and "57/500" not in pdf
    assert "_" not in pdf  # every subscript is typeset, none written out
    assert not re.search(r"\[[^\]\n]*\]_", pdf)
    assert pdf.count("Therefore") == len(HOMEWORK)
    assert "Marks." in pdf and pdf.count("Marks.") == 1  # the legend once


def test_solution_names_nothing_internal(compiled):
    tex, *_ = compiled["solution"]
    body = tex.split(r"\begin{document}", 1)[1]
    found = [word for word in INTERNAL if word.lower() in body.lower()]
    assert not found, found


# The audit keeps the rules' names, samples, seeds and tolerances, but no more than the
# solution names the project's files, modules or code.
PROJECT = ("DESIGN", "sympy", "symproof", ".py", "ReLU()", "Sigmoid()", "kernel_size",
           "avg_pool2d", "vectorised layer")


def test_audit_keeps_the_full_trail(compiled):
    tex, *_ = compiled["audit"]
    body = tex.split(r"\begin{document}", 1)[1]
    assert not [word for word in PROJECT if word.lower() in body.lower()]
    for word in ("samples, seed 0, tol", "coefficient matching", r"\paragraph{Checks}",
                 r"\paragraph{Reasons}"):
        assert word in tex


def test_audit_typesets_the_formulas_of_the_kernels_record(compiled):
    """Regression: the kernel's record named entries in ASCII ("w[l, gamma, alpha, beta], b[l]
    replaced by their definitions", "∂/∂y L-1[j] of the definition")."""
    need("pdftotext")
    tex, _, _, pdf = compiled["audit"]
    assert r"$w_{l,\gamma,\alpha,\beta}$, $b_{l}$ replaced by their definitions" in tex
    assert "the derivative in $" in tex
    assert not re.search(r"[A-Za-z]\[[a-z]+(, ?[a-z]+)*\]", pdf), "an index written out"
    assert "∂/∂" not in pdf
    assert tex.count(r"\section{") == len(HOMEWORK)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", [p.name for p in HOMEWORK])
def test_each_worked_problem_compiles_alone(tmp_path, name, style):
    need("pdflatex")
    tex = tex_document([get(name).run()], style=style)
    assert r"\tableofcontents" not in tex  # one problem: no contents
    pages, overfull, _ = _compile(tmp_path, tex)
    assert pages >= 1 and all(width <= 10 for width in overfull), overfull


def test_every_worked_problem_together_compiles(tmp_path):
    """The homework and the 15 relationships of Dumoulin & Visin, in both styles."""
    need("pdflatex")
    proofs = [problem.run() for problem in problems().values()]
    for style in STYLES:
        folder = tmp_path / style
        folder.mkdir()
        _, overfull, _ = _compile(folder, tex_document(proofs, style=style))
        assert all(width <= 10 for width in overfull), (style, overfull)


# --- every formula reads back -----------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(problems()))
def test_every_formula_in_the_prose_reads_back(name):
    """Statements, assumptions, reasons and notes: each formula written reads back (through
    symproof's own LaTeX reader) as the value it was written from, decimals included."""
    for written, value in written_math(problems()[name].run()):
        assert reads_back(written, value)


@pytest.mark.parametrize("name", sorted(problems()))
def test_every_equation_reads_back(name):
    """Every equation a document writes (each step's claim, the result) reads back through
    symproof's own LaTeX reader as the equation it was written from, told only what kind each
    symbol is (a matrix, an array); `check`, which must infer that from the document's words,
    is tested on the exported documents in test_roundtrip_documents.py."""
    equations = equations_of(problems()[name].run())
    assert equations
    for equation in equations:
        assert reads_back(latex(equation), equation)


def test_the_equations_read_back_with_their_decimals():
    proof = get("p3").run()
    with written_as_decimals(proof.decimals):
        for step in proof.steps:
            assert reads_back(latex(step.claim), step.claim)
        assert "0.299" in latex(proof.steps[1].claim)


# --- numbers as written -----------------------------------------------------------------------

def _prove(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symproof", "prove", *args],
                          capture_output=True, text=True, timeout=600)


def test_set_keeps_a_decimal_a_decimal_and_a_fraction_a_fraction(tmp_path):
    done = _prove("p3", "--set", "r=0.3", "--set", "g=3/5", "--latex", str(tmp_path / "a.tex"),
                  "--markdown", str(tmp_path / "a.md"))
    assert done.returncode == 0, done.stderr
    tex, md = (tmp_path / "a.tex").read_text(), (tmp_path / "a.md").read_text()
    for document in (tex, md):
        assert "0.3 X_{1,i,j}" in document and r"\frac{3 X_{2,i,j}}{5}" in document
        assert "0.114 X_{3,i,j}" in document  # the default, written 0.114
        # 3/5 is never 0.6 (in the text or the picture's labels; 0.674cm is a TikZ length)
        assert not re.search(r"(?<![\d.])0\.6(?!\d)", document)
        assert r"\frac{3}{10}" not in document
    assert "Y = 0.3·R + 3*G/5 + 0.114·B" in done.stdout


def test_a_fraction_stays_a_fraction():
    proof = get("p3").run({"r": "299/1000"})
    assert proof.parameters["r"] == sp.Rational(299, 1000)
    assert "Y = 299*R/1000 + 0.587·G + 0.114·B" in str(proof)


def test_decimals_stay_exact_inside():
    proof = get("p3").run()
    assert proof.parameters["r"] == sp.Rational(299, 1000)
    assert sp.Rational(57, 500) in proof.decimals
    weights = proof.result
    assert all(isinstance(w.rhs[0, 0], sp.Rational) for w in weights)


@given(st.integers(-10**12, 10**12), st.integers(0, 12))
def test_decimal_text_is_exact(numerator, digits):
    value = sp.Rational(numerator, 10**digits)
    written = decimal_text(value)
    if value.is_Integer:
        assert written is None
    else:
        assert Fraction(written) == Fraction(int(value.p), int(value.q))


def test_decimal_text_refuses_what_is_not_a_terminating_decimal():
    assert decimal_text(sp.Rational(1, 3)) is None
    assert decimal_text(sp.Rational(1, 2**40)) is None  # more digits than anyone writes


def test_the_printers_write_marked_decimals_only_inside_the_block():
    r = sp.Rational(3, 10)
    expr = r * X[1, i, j] - sp.Rational(1, 2) * X[2, i, j]
    with written_as_decimals([r]):
        assert latex(expr) == r"0.3 X_{1,i,j} - \frac{X_{2,i,j}}{2}"
        assert text(-r * X[1, i, j]) == "-0.3·X[1,i,j]"
    assert latex(expr) == r"\frac{3 X_{1,i,j}}{10} - \frac{X_{2,i,j}}{2}"


# --- prose --------------------------------------------------------------------------------------

def test_prose_renders_one_source_three_ways():
    said = Prose("the entry ", X[1, i + 1, j], " lies in the zero_padding")
    assert said.latex() == r"the entry $X_{1,i+1,j}$ lies in the zero\_padding"
    assert said.markdown() == r"the entry $X_{1,i+1,j}$ lies in the zero\_padding"
    assert said.text() == "the entry X[1,i+1,j] lies in the zero_padding"
    assert "zero_padding" in said and str(said) == said.text()
    assert render("a_b", "latex") == r"a\_b"
    with pytest.raises(ParameterError, match="medium"):
        render("x", "html")
    with pytest.raises(ParameterError, match="part"):
        Prose("x", 3)


def test_in_order_keeps_the_problems_order():
    red, green = sp.symbols("R G")
    part = in_order(sp.Symbol("Y"), 3 * red, -green)
    assert part.tex == "Y = 3 R - G" and part.unicode == "Y = 3*R - G"
    assert reads_back(part.tex, part.expr)
    with pytest.raises(ParameterError):
        Math("", "x")


# --- the CLI and Markdown ----------------------------------------------------------------------

def test_style_on_the_cli(tmp_path):
    for style in STYLES:
        done = _prove("p3", "--style", style, "--markdown", str(tmp_path / f"{style}.md"))
        assert done.returncode == 0, done.stderr
    solution, audit = ((tmp_path / f"{s}.md").read_text() for s in STYLES)
    assert "Therefore" in solution and "samples, seed 0" not in solution
    assert "samples, seed 0" in audit
    bad = _prove("p3", "--style", "fancy", "--markdown", str(tmp_path / "x.md"))
    assert bad.returncode == 2 and "fancy" in bad.stderr


def _outside_math(markdown: str) -> str:
    """The Markdown with its math ($$…$$ and $…$) removed."""
    return re.sub(r"\$[^$]*\$", "", re.sub(r"\$\$.*?\$\$", "", markdown, flags=re.S))


def test_markdown_writes_the_same_statements_as_math(homework):
    md = markdown_document(homework)
    prose_only = _outside_math(md)
    assert "_" not in prose_only.replace(r"\_", "")
    assert not re.search(r"[A-Za-z]\[[^\]]*\]", prose_only)  # no X[1,i,j] in the text
    assert "$Y = 0.299 R + 0.587 G + 0.114 B$" in md
    assert md.count("Therefore") == len(HOMEWORK)


def test_a_proof_without_figures_or_with_them(homework):
    """Pictures come from the figures package: a proof that has them gets each rendered
    where the section shows its setting."""

    class Figure:
        name = "picture"

        def latex(self):
            return "% a picture"

        def caption_text(self):
            return "a picture"

        def svg(self):
            return "<svg/>"

    proof = homework[2]
    drawn, proof.figures = proof.figures, [Figure()]
    try:
        assert "% a picture" in tex_document([proof])
        files = markdown_files([proof], Path("hw.md"))
        assert "![a picture](hw-p3-picture.svg)" in files[Path("hw.md")]
        assert files[Path("hw-p3-picture.svg")] == "<svg/>"
        assert "a picture" not in markdown_document([proof])  # no file to show: left out
    finally:
        proof.figures = drawn


def test_a_users_derivation_reads_as_a_model_answer_too(tmp_path):
    """The README's example problem (a Derivation of the user's own): its layer is named in
    words, its substitutions as math."""
    example = Path(__file__).resolve().parent.parent / "examples" / "box_blur.py"
    done = _prove(str(example), "--latex", str(tmp_path / "blur.tex"))
    assert done.returncode == 0, done.stderr
    body = (tmp_path / "blur.tex").read_text().split(r"\begin{document}", 1)[1]
    assert not [word for word in INTERNAL if word.lower() in body.lower()]
    assert "2-D convolution" in body


def test_a_max_pooling_derivation_says_its_padding_in_math():
    from symproof import Derivation, MaxPool2d

    chain = Derivation(MaxPool2d(2, padding=1), input_size=(4, 4))
    said = [a for a in chain.assumptions if isinstance(a, Prose)]
    assert said and r"$-\infty$" in said[0].latex()  # not \text{NegativeInfinity}


# --- the audit of issue 15 (prose15): what a reader sees, checked on the documents ------------

BACKPROP = ("p7", "p8", "p9", "p10")


@pytest.fixture(scope="module")
def backprop_compiled(tmp_path_factory):
    """P7–P10 in each style, compiled: style → (tex, pages, overfull, pdf text)."""
    need("pdflatex")
    proofs = [get(name).run() for name in BACKPROP]
    out = {}
    for style in STYLES:
        tex = tex_document(proofs, style=style)
        out[style] = (tex, *_compile(tmp_path_factory.mktemp(f"backprop-{style}"), tex))
    return out


def _documents(compiled, backprop_compiled):
    """Every (name, tex, overfull, pdf text) of the homework and P7–P10, both styles."""
    return [(f"{group} {style}", *(done[style][i] for i in (0, 2, 3)))
            for group, done in (("homework", compiled), ("p7-p10", backprop_compiled))
            for style in STYLES]


def _aligned_lines(tex: str) -> list[list[str]]:
    """The lines of every align* environment of ``tex``."""
    return [block.split(" \\\\\n") for block in
            re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", tex, flags=re.S)]


# a line that continues a chain: the relation at the alignment point, or a broken right side
_CONTINUES = re.compile(r"^&(\\qquad )?(=|\\leq|\\geq|<|>) |^&\\quad [+-] ")


def test_no_line_continues_a_chain_it_does_not_belong_to(compiled, backprop_compiled):
    """Regression: P2's chain read ⌊m/k⌋ = m/k ≠ m/k (an asserted failure continued the
    equality chain), and P7's output padding had a line with neither a left side nor a
    relation (``& o_1 ≤ S − 1``) under a chain."""
    for name, tex, _, _ in _documents(compiled, backprop_compiled):
        for lines in _aligned_lines(tex):
            for n, line in enumerate(lines):
                assert not re.match(r"^&\s*(\\qquad )?\\neq", line), (name, line)
                if line.startswith("&") and n:  # not the first line: it continues a chain
                    assert _CONTINUES.match(line), (name, line)
    tex = compiled["solution"][0]
    floor = r"\left\lfloor{\frac{m}{k}}\right\rfloor"
    assert rf"{floor} &\neq \frac{{m}}{{k}} \tag*{{\footnotesize (10) in general" in tex


def test_a_failure_is_marked_by_what_the_kernel_decided_about_it():
    """P2's step 10 says ⌊m/k⌋ ≠ m/k: its mark is the status of that statement (proved by a
    counterexample), beside its own left side."""
    proof = get("p2").run()
    (step,) = [s for s in proof.steps if not s.holds]
    number = proof.steps.index(step) + 1
    rows = [row for block in blocks(proof) for row in block.rows if row.number == number]
    assert rows[0].lhs is not None and rows[0].relation == r"\neq"
    assert rows[0].status is step.status


def test_no_source_files_code_or_reprs_in_what_a_reader_sees(compiled, backprop_compiled):
    need("pdftotext")
    for name, tex, _, pdf in _documents(compiled, backprop_compiled):
        body = tex.split(r"\begin{document}", 1)[1]
        for word in ("Conv2d(", "kernel_size", "kernel\\_size", "is_nan", "is\\_nan", "||",
                     "maxval"):
            assert word not in body, (name, word)
        assert all(line.count("NumPy") <= 1 for line in pdf.splitlines()), name
        if "solution" in name:
            assert "MaxPoolKernel" not in pdf and "aten/" not in pdf, name
    assert "MaxPoolKernel.cpp" in backprop_compiled["audit"][3]  # the audit cites its source
    assert "rule for ties" in backprop_compiled["solution"][3]


@pytest.mark.parametrize("which", ["homework", "p7-p10"])
@pytest.mark.parametrize("style", STYLES)
def test_no_overfull_box_at_all(compiled, backprop_compiled, which, style):
    _, _, overfull, _ = (compiled if which == "homework" else backprop_compiled)[style]
    assert overfull == []


def _captions(tex: str) -> list[str]:
    return re.findall(r"\\caption\{(.*)\}", tex)


def test_captions_write_their_letters_as_math(compiled, backprop_compiled):
    """Regression: "output channel l" (a roman l reads as 1), "(i, j)", "H$\\times$W"."""
    captions = [c for _, tex, _, _ in _documents(compiled, backprop_compiled)
                for c in _captions(tex)]
    assert captions
    for caption in captions:
        words = re.sub(r"\$[^$]*\$", "", caption)  # the text outside math
        assert not re.search(r"(?<![\w\\$-])[b-zB-Z](?![\w$'-])", words), caption
        assert r"$\times$" not in caption and "(i, j)" not in words, caption
    joined = "\n".join(captions)
    assert "output channel $l$" in joined and "$(i, j)$" in joined
    assert r"$H \times W$" in joined
    assert "less the window" not in joined


def test_statements_write_their_letters_as_math(backprop_compiled):
    tex = backprop_compiled["solution"][0]
    assert "input $X$ to $Y$" in tex and "scalar loss $L$" in tex
    assert "for every $X$ and $G$" in tex and "loss $L$ of the output $Y$" in tex
    p6 = tex_document([get("p6").run()])
    assert r"$\dim y \times \dim x$" in p6 and "dim y $" not in p6


def test_the_receptive_field_figure_writes_its_sizes_as_math():
    from symproof import Conv2d, MaxPool2d, Sequential
    from symproof.figures import receptive_figure

    figure = receptive_figure(Sequential(Conv2d(1, 1, 3, padding=1), MaxPool2d(2)))
    tikz = figure.latex()
    assert r"$\text{convolution: }f = 3,\ S = 1,\ P = 1$" in tikz
    assert "Conv:" not in tikz and "MaxPool" not in tikz


def test_p10_writes_each_line_once_and_y_minus_t():
    tex = tex_document([get("p10").run()])
    rows = [line.split(r"\tag*")[0].strip() for lines in _aligned_lines(tex) for line in lines]
    assert all(a != b for a, b in zip(rows, rows[1:])), "a line repeated"
    assert r"\left(y - t\right)^{\top}" in tex and "- t + y" not in tex
    assert r"\left(y_{k} - t_{k}\right)^{2}" in tex and "- t_{k} + y_{k}" not in tex
    assert "(p - e_c)" in tex


def test_matrix_sums_print_their_subtracted_terms_last():
    y, t = (sp.MatrixSymbol(name, 3, 1) for name in "yt")
    assert latex(y - t) == "y - t" and text(y - t) == "y - t"
    assert latex(sp.Transpose(y - t)) == r"\left(y - t\right)^{\top}"
    assert latex(-t - y) in ("- t - y", "- y - t")


def test_the_nested_sums_of_p6_have_distinct_indices():
    """Regression: P6's reason read Σ_k σ([b]_k + Σ_k [A]_{k,k} [y]_k)."""
    tex = tex_document([get("p6").run()], style="audit")
    assert "_{k,k}" not in tex
    assert r"\sum_{m=1}^{n_{\ell-1}} [A_{\ell}]_{k,m}" in tex


def test_concrete_sizes_read_as_numbers(tmp_path):
    """``--set k=2 --set m=5``: "a 5 × 5 input" (not "an"), and "here 2 does not divide 5"
    rather than "this fails in general"."""
    tex = tex_document([get("p2").run({"k": "2", "m": "5"})])
    assert r"of a $5 \times 5$ input" in tex
    assert "fails in general" not in tex and "in general" not in tex
    assert "here $2$ does not divide $5$" in tex
    assert r"of an $8 \times 8$ input" in tex_document([get("p2").run({"k": "2", "m": "8"})])
    assert r"of an $m \times m$ input" in tex_document([get("p2").run()])


@pytest.mark.parametrize(("number", "word"), [(1, "a"), (5, "a"), (8, "an"), (11, "an"),
                                              (12, "a"), (18, "an"), (80, "an"), (100, "a"),
                                              (11000, "an"), (1100, "a")])
def test_article_by_how_a_number_is_read(number, word):
    assert article(sp.Integer(number)) == word


def test_therefore_stays_with_its_box(compiled):
    tex = compiled["solution"][0]
    kept = re.findall(r"\\begin\{minipage\}\{\\linewidth\}\n\\noindent Therefore\n\\\[ \\boxed",
                      tex)
    assert len(kept) == len(HOMEWORK)


def test_p4_gives_the_numbers_of_its_counterexample():
    tex = tex_document([get("p4").run()])
    said = re.search(r"the hypothesis is needed: at (.*?)\.", tex).group(1)
    assert re.search(r"\$a = -?[\d\\{}frac ]+\$", said) and "the right side" in said
    audit = tex_document([get("p4").run()], style="audit")
    assert r"$\sigma\left(z\right) = z^{2}$ really fails" in audit
    assert "X = [" not in audit and r"$\sigma$(z)" not in audit


def test_layers_are_named_in_words_and_math():
    from symproof import Conv2d

    said = layer_prose(Conv2d(1, 2, 3, padding=1))
    assert said.latex() == (r"the 2-D convolution with $C_{\text{in}} = 1$, "
                            r"$C_{\text{out}} = 2$, $F = 3$, $P = 1$")
    assert "without bias" in layer_prose(Conv2d(3, 1, 1, bias=False)).text()
    assert "F = (2, 3)" in layer_prose(Conv2d(1, 1, (2, 3))).text()


def test_svg_labels_set_their_subscripts_small_and_lowered(tmp_path):
    import xml.etree.ElementTree as ET

    files = markdown_files([get("p1").run(), get("p6").run()], tmp_path / "hw.md")
    for path, source in files.items():
        if path.suffix != ".svg":
            continue
        root = ET.fromstring(source.split("?>", 1)[1])
        shown = ["".join(element.itertext()) for element in root.iter()
                 if element.tag.endswith("}text")]
        assert not [s for s in shown if "_" in s], path  # no raw w_1,1 or y_{ℓ−1}
    p6 = files[tmp_path / "hw-p6-mlp-chain.svg"]
    assert '<tspan dy="' in p6 and ">ℓ−1</tspan>" in p6


def test_check_reports_typeset_their_counterexamples():
    from types import SimpleNamespace

    from symproof.claims.annotate import reason_prose
    from symproof.claims.annotate_html import _reason

    outcome = SimpleNamespace(counterexample={"H_in": sp.Integer(2),
                                              "X[1, 1, 2]": sp.Integer(1)})
    verdict = SimpleNamespace(reason="the sides differ; counterexample H_in = 2, "
                                     "X[1, 1, 2] = 1", outcome=outcome)
    said = reason_prose(verdict)
    assert said.latex() == (r"the sides differ; counterexample $H_{\text{in}} = 2$, "
                            r"$X_{1,1,2} = 1$")
    assert r"\(X_{1,1,2} = 1\)" in _reason(verdict) and "<code>" not in _reason(verdict)
    # a reason that does not end with the record stays as it was written
    other = SimpleNamespace(reason="no counterexample here", outcome=outcome)
    assert reason_prose(other).latex() == "no counterexample here"
