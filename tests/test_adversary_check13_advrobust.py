"""Adversarial review (check13, robustness): each test is a wrong outcome found by hand, with
the outcome it should have."""

from __future__ import annotations

from symproof.claims.annotate import annotate
from symproof.claims.check import check_text

MONOTONE = r"$$\sigma(\max(a, c)) = \max(\sigma(a), \sigma(c))$$"


def _labels(doc: str, markdown: bool = True):
    verdicts, _ = check_text(doc, markdown=markdown)
    return [(v.line, v.label) for v in verdicts]


def test_a_reused_verdict_does_not_borrow_the_words_of_the_first_line():
    # the first statement says sigma is nondecreasing, the second does not: judged alone,
    # the second is UNKNOWN, so it must be UNKNOWN after the first too
    said = f"# Pooling\n\n{MONOTONE} since \\sigma is nondecreasing.\n\n{MONOTONE}\n"
    alone = f"# Pooling\n\n{MONOTONE}\n"
    assert _labels(alone) == [(3, "UNKNOWN")]
    assert _labels(said) == [(3, "PROVED"), (5, "UNKNOWN")]
    later = f"# Pooling\n\n{MONOTONE}\n\n{MONOTONE} since \\sigma is nondecreasing.\n"
    assert _labels(later) == [(3, "UNKNOWN"), (5, "PROVED")]


def test_a_display_opening_with_equals_after_prose_is_reported_not_dropped():
    doc = ("# P1\n\n$$ (a+b)^2 = a^2 + 2ab + b^2 $$\n\n$$ = a^2 + b^2 + 2ab $$\n\n"
           "Now a new problem: let a = 1.\n\n$$ = (b+1)^2 $$\n")
    assert _labels(doc) == [(3, "PROVED"), (5, "PROVED"), (9, "UNPARSED")]


def test_a_continuation_after_a_directive_is_reported_not_dropped():
    doc = ("%! symproof conv2d in_channels=1 out_channels=1 kernel_size=3 input=5x5\n"
           "\\[ H_{\\text{out}} = 3 \\]\n"
           "%! symproof conv2d in_channels=1 out_channels=1 kernel_size=1 input=5x5\n"
           "\\[ = 5 \\]\n")
    assert _labels(doc, markdown=False) == [(2, "PROVED"), (4, "UNPARSED")]


def test_a_continuation_after_an_unclosed_display_is_reported_not_dropped():
    doc = "\\[ (a+b)^2 = a^2 + 2ab + b^2\n\\[ = a^2 + b^2 \\]\n"
    assert _labels(doc, markdown=False) == [(1, "UNPARSED"), (2, "UNPARSED")]


def test_an_unclosed_inline_dollar_ends_at_the_next_display_environment():
    doc = "Cost $x = 1\n\\begin{equation}\n(a-b)^2 = a^2 - 2ab + b^2\n\\end{equation}\n"
    verdicts, _ = check_text(doc, inline=True)
    assert [(v.line, v.label) for v in verdicts] == [(1, "UNPARSED"), (3, "PROVED")]
    doc = "Cost $x = 1\n\\[ (a+b)^2 = a^2 \\]\n"
    verdicts, _ = check_text(doc, inline=True)
    assert [(v.line, v.label) for v in verdicts] == [(1, "UNPARSED"), (2, "REFUTED")]


def test_comments_do_not_set_the_sizes_of_an_inferred_convolution():
    # a comment saying "no bias" made the biasless formula PROVED for a biased convolution
    tex = ("\\section{Conv}\nA convolution with $C_{\\rm in} = 1$, $F = 3$, $S = 1$, $P = 0$.\n"
           "% TODO: redo this for the case with no bias\n"
           "\\[ Y_{1,i,j} = \\sum_{\\gamma=1}^{1}\\sum_{\\alpha=1}^{3}\\sum_{\\beta=1}^{3} "
           "w_{1,\\gamma,\\alpha,\\beta} X_{\\gamma,i+\\alpha-1,j+\\beta-1} \\]\n")
    assert _labels(tex, markdown=False) == [(4, "REFUTED")]
    # an HTML comment's old value F = 5 refuted a true claim about the F = 3 of the prose
    md = ("# Conv\nA convolution with $C_{\\rm in} = 1$, $F = 3$, $S = 1$, $P = 0$.\n"
          "<!-- old draft: F = 5 -->\n$$ H_{out} = H_{in} - 2 $$\n")
    assert _labels(md) == [(4, "PROVED")]


def test_an_annotated_copy_is_judged_as_the_original():
    # the notes stood between two displays of one chain (the continuation was then dropped),
    # and a note's counterexample "b = -7/3" was read as a size the prose states
    for doc, markdown in (("# T\n\n$$ (a+b)^2 = a^2 + 2ab + b^2 $$\n$$ = a^2 + b^2 $$\n", True),
                          ("\\[ (a+b)^2 = a^2 + 2ab + b^2 \\]\n\\[ = a^2 + b^2 \\]\n", False),
                          ("$$ (a+b)^2 = a^2 + b^2 $$\n", False),
                          ("# T\n\n$$ (a+b)^2 = a^2 + b^2 $$\n", True)):
        first, _ = check_text(doc, markdown=markdown)
        noted = annotate(doc, first, markdown=markdown)
        again, _ = check_text(noted, markdown=markdown)
        assert [v.label for v in again] == [v.label for v in first], noted
        assert annotate(noted, again, markdown=markdown) == noted


def test_two_values_of_one_size_in_the_prose_are_reported_not_the_last_taken():
    doc = ("# Conv\nWe use $F = 2$ and\nthen $F = 3$, $S = 1$.\n\n"
           "$$ H_{out} = H_{in} - 2 $$\n")
    verdicts, _ = check_text(doc, markdown=True)
    assert [(v.line, v.label) for v in verdicts] == [(3, "UNKNOWN"), (5, "UNKNOWN")]
    assert "F is 2 at line 2 and 3 here" in verdicts[0].reason


def test_claims_side_by_side_with_qquad_or_opening_with_a_parenthesis_are_apart():
    # "\qquad" was not a separator: the true left claim was read as
    # (a-b)^2 = (a^2 - 2ab + b^2)(a+b)^2 and REFUTED; "(a+b)^2 = …" after "\quad" was taken
    # for a parenthesised note on the claim before it
    doc = ("\\[ (a-b)^2 = a^2 - 2ab + b^2 \\qquad (a+b)^2 = a^2+b^2 \\]\n"
           "\\[ (a-b)^2 = a^2 - 2ab + b^2, \\quad (a+b)^2 = a^2+b^2 \\]\n")
    assert _labels(doc, markdown=False) == [(1, "PROVED"), (1, "REFUTED"),
                                            (2, "PROVED"), (2, "REFUTED")]


def test_a_condition_beside_a_claim_is_neither_dropped_nor_judged_as_a_claim():
    # "(a+b)^2 = a^2 + b^2 \quad \text{if } ab = 0" is true: neither part may be REFUTED
    doc = "\\[ (a+b)^2 = a^2 + b^2 \\quad \\text{if } ab = 0 \\]\n"
    labels = _labels(doc, markdown=False)
    assert labels and all(label != "REFUTED" for _, label in labels)
    doc = "\\[ (a+b)^2 = a^2 + b^2 \\quad (b = 0) \\]\n"
    labels = _labels(doc, markdown=False)
    assert labels and all(label != "REFUTED" for _, label in labels)


def test_a_left_side_written_in_text_is_kept_not_taken_from_the_display_before():
    # "\text{Area} = …" lost its left side, then continued the previous display's chain and
    # was PROVED as a^2+2ab+b^2 = a^2+2ab+b^2; Area is bound by nothing: UNKNOWN
    doc = "$$ (a+b)^2 = a^2+2ab+b^2 $$\n$$ \\text{Area} = a^2 + 2ab + b^2 $$\n"
    verdicts, _ = check_text(doc)
    assert [(v.line, v.label) for v in verdicts] == [(1, "PROVED"), (2, "UNKNOWN")]
    assert "Area" in verdicts[1].reason
    alone, _ = check_text("$$ \\text{Area} = \\pi r^2 $$\n")
    assert [(v.line, v.label) for v in alone] == [(1, "UNKNOWN")]


def test_code_is_neither_prose_values_nor_headings():
    # a code comment's "F = 5" overrode the prose's F = 3 and refuted a true claim
    doc = ("# Conv\nWe use $F = 3$, $S = 1$, $P = 0$.\n\n```python\n"
           "y = conv(x)  # F = 5 in the old model\n```\n\n$$ H_{out} = H_{in} - 2 $$\n")
    assert _labels(doc) == [(8, "PROVED")]
    # a "# comment" line in code started a section without the prose's sizes
    doc = ("# Conv\nWe use $F = 3$, $S = 1$, $P = 0$.\n\n```python\n# the old model\n"
           "y = conv(x)\n```\n\n$$ H_{out} = H_{in} - 2 $$\n")
    assert _labels(doc) == [(9, "PROVED")]
