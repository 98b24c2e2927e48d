"""Finding claims in written solutions (the first stage of `symproof check`)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from symproof.claims.check import check_text
from symproof.claims.extract import directives, extract
from symproof.claims.normalize import tidy

# A copy of shared/seeds/000_5241ae0558aa9f17.txt, the student solution that started the project.
SEED = Path(__file__).parent / "data" / "seed_solution.md"


def test_chains_align_rows_and_lines():
    doc = "\n".join([
        "intro $x = 1$ inline",              # 1: skipped unless inline
        r"\begin{align*}",                   # 2
        r"Y_{1,i,j} &= a + b \\",            # 3
        r"&= c \quad (\because \text{def})",  # 4
        r"\end{align*}",                     # 5
        r"\[ f = g = h. \]",                 # 6
        "% a comment $$ z = 0 $$",           # 7: comments are not claims
    ])
    claims = [(c.line, c.lhs, c.rhs) for c in extract(doc)]
    assert claims == [(3, "Y_{1,i,j}", "a + b"), (4, "a + b", "c"), (6, "f", "g"),
                      (6, "g", "h")]
    assert [(c.lhs, c.rhs) for c in extract(doc, inline=True)][0] == ("x", "1")


def test_relations_other_than_equality_are_not_split():
    (claim,) = extract(r"$$a \le b$$")
    assert claim.rhs is None and claim.lhs == r"a \le b"


def test_side_by_side_claims_and_prose_are_separated():
    claims = extract(r"$$\frac{\partial y_L}{\partial b_L} = 1, \quad A = B.$$")
    assert [(c.lhs, c.rhs) for c in claims] == [(r"\frac{\partial y_L}{\partial b_L}", "1"),
                                                ("A", "B")]
    (therefore,) = extract(r"$$\text{Therefore } p = q.$$")
    assert (therefore.lhs, therefore.rhs) == ("p", "q")


def test_directives_in_tex_and_markdown():
    doc = "%! symproof conv2d in_channels=1 kernel_size=3\n<!-- symproof assume k \\mid m -->\n"
    found = directives(doc)
    assert [(d.line, d.words[0]) for d in found] == [(1, "conv2d"), (2, "assume")]


def test_the_seed_solution_yields_its_claims():
    claims = extract(SEED.read_text())
    lines = sorted({c.line for c in claims})
    assert lines[:6] == [9, 13, 15, 17, 19, 25]
    assert any(c.lhs == r"W_{\text{out}}" for c in claims)
    assert len(claims) > 40


def test_tidy_normalises_writing_habits():
    assert tidy(r"\text{diag}\Big(x\Big)^\intercal") == r"\operatorname{diag}\left(x\right)^{\top}"
    assert tidy(r"A_\ell y_L") == r"A_{\ell} y_{L}"
    assert tidy(r"(a+(b))") == r"\left(a+\left(b\right)\right)"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="$\\{}[]()=&_^ab%\n\\begin{align}end", max_size=80))
def test_extraction_never_crashes(text):
    extract(text, inline=True)
    directives(text)


def test_a_factorial_before_an_equals_sign_is_no_inequality():
    """``3! = 6`` is a factorial and an equation (it used to be read as ``3 != 6``, one
    expression and no claim); ``a != b`` written together stays one relation."""
    verdicts, _ = check_text("$$3! = 6$$\n\n$$3! = 7$$\n\n$$m! = m \\cdot (m-1)!$$")
    assert [v.label for v in verdicts] == ["PROVED", "REFUTED", "PROVED"]
    assert [(c.lhs, c.rhs) for c in extract("$$a != b$$")] == [("a != b", None)]


def test_an_empty_directive_is_reported_at_its_line():
    for text in ("%! symproof\n$$1 = 1$$", "<!-- symproof -->\n\n$$1 = 1$$"):
        verdicts, _ = check_text(text, markdown=text.startswith("<"))
        assert [(v.line, v.label) for v in verdicts] == [(1, "UNPARSED"), (verdicts[1].line,
                                                                            "PROVED")]
        assert "names nothing" in verdicts[0].reason
