# ruff: noqa: E501  (the documents are quoted as symproof writes them, one row a line)
"""symproof reads its own exported documents (issue 15, "Checks": every equation in every
exported document round-trips through symproof's own reader): each document ``prove`` writes
(the homework and P7–P10, both styles, LaTeX and Markdown), checked as a user would check it,
with the step numbers, reasons and marks beside the equations as written."""

from __future__ import annotations

import re
import subprocess

import pytest

from symproof.claims.check import check_text
from symproof.claims.extract import extract
from symproof.cli import main
from symproof.latex.document import markdown_document, tex_document
from symproof.proof import Status
from symproof.registry import groups

from .latex_tools import need

GROUPS = ("homework", "backprop")
STYLES = ("solution", "audit")
MEDIA = ("latex", "markdown")


@pytest.fixture(scope="module")
def proofs():
    return {name: [problem.run() for problem in groups()[name]] for name in GROUPS}


@pytest.fixture(scope="module")
def verdicts(proofs):
    """(group, style, medium) → the verdicts of ``check`` on that exported document."""
    out = {}
    for name in GROUPS:
        for style in STYLES:
            for medium in MEDIA:
                write = tex_document if medium == "latex" else markdown_document
                text = write(proofs[name], style=style)
                out[name, style, medium] = check_text(text, markdown=medium == "markdown")[0]
    return out


def _shown(found) -> str:
    return "\n".join(f"{v.line}: {v.label} {v.latex[:70]} — {v.justification[:120]}"
                     for v in found)


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("group", GROUPS)
def test_no_exported_document_is_refuted(verdicts, group, style, medium):
    """symproof's model answers are proved: a REFUTED there would be a wrong verdict."""
    refuted = [v for v in verdicts[group, style, medium] if v.status is Status.REFUTED]
    assert not refuted, _shown(refuted)


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("style", STYLES)
def test_every_homework_equation_is_read(verdicts, style, medium):
    """Nothing symproof writes as an equation is UNPARSED: tags, marks, reasons beside an
    equation, broken lines, boxed results and kernel matrices are all read."""
    found = verdicts["homework", style, medium]
    unparsed = [v for v in found if v.label == "UNPARSED"]
    assert not unparsed, _shown(unparsed)


# What the reader does not read yet in P7–P10 (each UNPARSED, never judged): P8's arg-max
# definition, and P10's (p − t)ᵀ where nothing says p and t are vectors.
KNOWN_UNREAD = ("(u_{l,i,j}, v_{l,i,j}) = \\operatorname*{arg\\,max}", "\\left(p - t\\right)^{\\top}")


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("style", STYLES)
def test_backprop_equations_are_read_but_two_known_forms(verdicts, style, medium):
    found = verdicts["backprop", style, medium]
    unparsed = [v for v in found if v.label == "UNPARSED"
                and not v.latex.startswith(KNOWN_UNREAD)]
    assert not unparsed, _shown(unparsed)


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("style", STYLES)
def test_the_homework_steps_are_proved_again(proofs, verdicts, style, medium):
    """The proved steps of the problems whose context the document states (P1, P2, P3, P6)
    are proved again by ``check``; P4 (max pooling, no layer in its prose) stays UNKNOWN."""
    found = verdicts["homework", style, medium]
    proved = [v for v in found if v.status is Status.PROVED]
    steps = sum(step.status is Status.PROVED for proof in proofs["homework"]
                for step in proof.steps if proof.name != "p4")
    # every proved step but P2's output size H_out = ⌊m/k⌋ (m is the prose's, not the
    # layer's size) and the last step of P6 (a product written with ⋯) and P2's last row,
    # plus the boxed results and the conclusions that restate a step
    assert len(proved) >= steps - 3, _shown(v for v in found if v.status is not Status.PROVED)


def test_a_broken_line_is_one_claim_not_y_equals_b():
    """The wrongly REFUTED claim of the audit: P2's step (2), broken after ``b_l`` and with its
    tag on the first line (as the Markdown export wrote it), was read as ``Y = b_l``."""
    text = r"""## P2: average pooling is a convolution

Average pooling with window and stride $k$ on $C$ channels of an $m \times m$ input is the convolution with $C_{\text{in}} = C$, $C_{\text{out}} = C$, $f_{1} = k$, $f_{2} = k$, $S = k$, $P = 0$, weights $w_{l,\gamma,\alpha,\beta} = \frac{\delta_{\gamma l}}{k^{2}}$ and bias $b_{l} = 0$.

$$
\begin{aligned}
Y_{l,i,j} &= b_{l} &&\text{(2)}\;\text{2-D convolution}\;\mathrel{:=} \\
&\quad + \sum_{\gamma=1}^{C} \sum_{\alpha=1}^{k} \sum_{\beta=1}^{k} w_{l,\gamma,\alpha,\beta} X_{\gamma,k\left(i-1\right)+\alpha,k\left(j-1\right)+\beta}
\end{aligned}
$$
"""
    found = check_text(text, markdown=True)[0]
    claims = [v for v in found if v.line == 7]
    assert [v.status for v in claims] == [Status.PROVED], _shown(found)
    assert "b_{l} + \\sum" in " ".join(claims[0].latex.split())
    # the same row in LaTeX, with the tag on its last line
    tex = text.replace("$$\n\\begin{aligned}", "\\begin{align*}").replace(
        "\\end{aligned}\n$$", "\\end{align*}").replace(
        r"&&\text{(2)}\;\text{2-D convolution}\;\mathrel{:=} \\", r"\\").replace(
        r"+\beta}" + "\n", r"+\beta} \tag*{\footnotesize (2) 2-D convolution $\mathrel{:=}$}" + "\n")
    found = check_text(tex.replace("## P2", "\\section{P2"))[0]
    assert [v.status for v in found if v.status is not Status.GIVEN] == [Status.PROVED], \
        _shown(found)


def test_a_wrong_sum_on_a_continued_line_is_still_refuted():
    text = r"""Average pooling with window and stride $k$ on $C$ channels is the convolution with $C_{\text{in}} = C$, $C_{\text{out}} = C$, $f_{1} = k$, $f_{2} = k$, $S = k$, $P = 0$.

\begin{align*}
Y_{l,i,j} &= b_{l} \\
&\quad + \sum_{\gamma=1}^{C} \sum_{\alpha=1}^{k} \sum_{\beta=1}^{k} w_{l,\gamma,\alpha,\beta} X_{\gamma,k i+\alpha,k\left(j-1\right)+\beta} \tag*{\footnotesize (2) $\checkmark$}
\end{align*}
"""
    found = check_text(text)[0]
    assert [v.status for v in found] == [Status.REFUTED], _shown(found)


@pytest.mark.parametrize("written, expected", [
    (r"\tag*{\footnotesize (9) $k \mid m$: write $m = k q$ $\checkmark$}", Status.PROVED),
    (r"\tag*{\footnotesize (9) floor with divisibility, assuming $k \mid m$ $\checkmark$}",
     Status.PROVED),
    (r"\tag*{\footnotesize (9) $\checkmark$}", Status.REFUTED),
    (r"\tag*{\footnotesize (9) without $k \mid m$}", Status.REFUTED),
])
def test_a_divisibility_written_beside_a_step_is_its_condition(written, expected):
    text = ("Average pooling with window and stride $k$ on $C$ channels is the convolution with "
            "$C_{\\text{in}} = C$, $C_{\\text{out}} = C$, $f_{1} = k$, $f_{2} = k$, $S = k$, "
            "$P = 0$.\n\n\\begin{align*}\n"
            r"\left\lfloor{\frac{m}{k}}\right\rfloor &= \frac{m}{k} " + written
            + "\n\\end{align*}\n")
    found = check_text(text)[0]
    assert [v.status for v in found] == [expected], _shown(found)


def test_a_failing_step_never_continues_a_chain(proofs):
    """P2's step (10), ⌊m/k⌋ ≠ m/k, written with its own left side: ``&\\neq`` after
    ``⌊m/k⌋ &= m/k`` would read m/k ≠ m/k."""
    for write in (tex_document, markdown_document):
        text = write(proofs["homework"][1:2])
        rows = [line for line in text.splitlines() if "\\neq" in line]
        assert rows and all(not row.lstrip().startswith("&") for row in rows), rows


_P1_KERNELS = r"""\section{P1: forward-difference kernels}

Find a convolution with $C_{\text{in}} = 1$, $C_{\text{out}} = 2$, $F = 3$, $S = 1$, $P = 1$.

\begin{align*}
w_{1,1} &= \begin{bmatrix}0 & 0 & 0\\0 & -1 & 0\\0 & 1 & 0\end{bmatrix} \notag \\
w_{2,1} &= \begin{bmatrix}0 & 0 & 0\\0 & -1 & 1\\0 & 0 & 0\end{bmatrix} \tag*{\footnotesize (4) match coefficients $\checkmark$} \\
b_{1} &= 0 \tag*{\footnotesize (5) $\checkmark$} \\
b_{2} &= 0 \tag*{\footnotesize (6) $\checkmark$} \\
Y_{1,i,j} &= X_{1,i+1,j} - X_{1,i,j} \tag*{\footnotesize (7) substitute the weights $\checkmark$} \\
Y_{2,i,j} &= X_{1,i,j+1} - X_{1,i,j} \tag*{\footnotesize (8) substitute the weights $\checkmark$}
\end{align*}
"""


def test_a_kernel_written_as_a_matrix_defines_its_taps():
    found = check_text(_P1_KERNELS)[0]
    assert {v.line: v.status for v in found if v.line >= 10} == {
        10: Status.PROVED, 11: Status.PROVED}, _shown(found)
    # a tap moved: the claims about the layer's output are refuted, not proved
    wrong = _P1_KERNELS.replace(r"0 & -1 & 0\\0 & 1 & 0", r"0 & -1 & 0\\1 & 0 & 0")
    found = check_text(wrong)[0]
    assert [v.status for v in found if v.line == 10] == [Status.REFUTED], _shown(found)
    # a matrix of the wrong size is said, not guessed
    small = _P1_KERNELS.replace(r"\begin{bmatrix}0 & 0 & 0\\0 & -1 & 0\\0 & 1 & 0\end{bmatrix}",
                                r"\begin{bmatrix}-1 & 0\\1 & 0\end{bmatrix}")
    found = check_text(small)[0]
    assert any(v.label == "UNPARSED" and "2×2" in v.justification for v in found), _shown(found)


@pytest.mark.parametrize("row, lhs, rhs", [
    (r"Y_{1,i,j} &= X_{1,i+1,j} \tag{3}", "Y_{1,i,j}", "X_{1,i+1,j}"),
    (r"Y_{1,i,j} &= X_{1,i+1,j} \nonumber", "Y_{1,i,j}", "X_{1,i+1,j}"),
    (r"\boxed{Y_{1,i,j} = X_{1,i+1,j}}", "Y_{1,i,j}", "X_{1,i+1,j}"),
    (r"Y_{1,i,j} &= X_{1,i+1,j} && \text{(by the definition)}", "Y_{1,i,j}", "X_{1,i+1,j}"),
    (r"a &= b \\ &\phantom{=} + c \quad \checkmark", "a", "b + c"),
])
def test_labels_beside_an_equation_are_not_mathematics(row, lhs, rhs):
    claims = extract(f"\\begin{{align*}}\n{row}\n\\end{{align*}}\n")
    assert [(c.lhs, c.rhs) for c in claims][-1:] == [(lhs, rhs)]


def test_intertext_between_rows_is_words():
    text = ("\\begin{align*}\na &= b \\\\\n\\intertext{and then, since $b = c$,}\n"
            "&= c\n\\end{align*}\n")
    assert [(c.lhs, c.rhs) for c in extract(text)] == [("a", "b"), ("b", "c")]


def test_check_of_the_exported_homework_on_the_cli(tmp_path, capsys):
    tex = tmp_path / "hw.tex"
    assert main(["prove", "--latex", str(tex)]) == 0
    capsys.readouterr()
    assert main(["check", str(tex)]) == 0  # nothing refuted
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ claims: .*", summary), summary
    assert "refuted" not in summary and "unparsed" not in summary, summary
    assert int(re.search(r"(\d+) proved", summary).group(1)) >= 30, summary


def test_annotated_export_compiles_with_no_unparsed_footnote(tmp_path):
    need("pdflatex")
    need("pdftotext")
    tex = tmp_path / "hw.tex"
    assert main(["prove", "--latex", str(tex)]) == 0
    out = tmp_path / "marked.tex"
    assert main(["check", str(tex), "--annotate", str(out), "--pdf"]) == 0
    text = subprocess.run(["pdftotext", str(tmp_path / "marked.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    assert ": unparsed" not in flat and ": refuted" not in flat
    assert flat.count(": unknown; ") <= 12  # P4's max pooling and P2's prose sizes


def test_a_row_with_its_own_relation_is_its_own_claim():
    """Only a row that states no relation goes on with the row before it: ``-a &= -1`` after
    ``a &= 1`` is a claim, not ``a = 1 - a``."""
    text = "\\begin{align*}\na &= 1 \\\\\n-a &= -1 \\\\\nb &= c \\\\\n&\\quad - d\n\\end{align*}\n"
    assert [(c.lhs, c.rhs) for c in extract(text)] == [("a", "1"), ("-a", "-1"), ("b", "c - d")]


def test_a_step_marked_as_failing_is_no_false_equation(verdicts):
    """P2's ⌊m/k⌋ ≠ m/k (without k ∣ m) and P4's max(a, b)² ≠ max(a², b²) say that the sides
    differ: never judged as equations, and said to be ≠ claims."""
    for key, found in verdicts.items():
        if key[0] != "homework":
            continue
        differ = [v for v in found if "\\neq" in v.latex]
        assert len(differ) == 2, (key, _shown(differ))
        assert all(v.status is Status.UNKNOWN and "differ" in v.justification
                   for v in differ), (key, _shown(differ))
