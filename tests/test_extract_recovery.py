"""Nothing a reader sees is silently skipped: a block never closed is reported at its line and
the claims after it are still judged; ``%`` hides text only where it is a comment (LaTeX, and
TeX inside math), never in Markdown prose."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof.claims.check import check_text
from symproof.claims.extract import extract, math_blocks
from symproof.cli import main

UNTERMINATED = [("\\begin{align}\na &= b \\\\", "\\begin{align}", "\\end{align}"),
                ("\\begin{equation*} a = b", "\\begin{equation*}", "\\end{equation*}"),
                ("\\[ a = b", "\\[", "\\]"),
                ("$$ a = b", "$$", "$$")]


def _labels(text: str, **options) -> list[tuple[int, str]]:
    verdicts, _ = check_text(text, **options)
    return [(v.line, v.label) for v in verdicts]


@pytest.mark.parametrize("opener, shown, closer", UNTERMINATED)
@pytest.mark.parametrize("markdown", [True, False])
def test_an_unterminated_block_is_reported_and_later_claims_judged(opener, shown, closer,
                                                                   markdown):
    doc = f"Intro\n{opener}\n\nSome prose.\n\n$$1 = 2$$\n"
    verdicts, _ = check_text(doc, markdown=markdown)
    first, last = verdicts
    assert (first.line, first.label) == (2, "UNPARSED")
    assert first.reason.startswith(f"{shown} at line 2 is never closed: add {closer}")
    assert "\n" not in first.reason
    assert (last.line, last.label) == (6 + opener.count("\n"), "REFUTED")


@pytest.mark.parametrize("opener", ["\\begin{align} a &= b", "\\[ a = b"])
def test_the_next_display_opener_ends_an_unterminated_block(opener):
    """Without a blank line, the next display is where a reader sees the broken one end."""
    assert _labels(f"{opener}\n$$1 = 2$$\n") == [(1, "UNPARSED"), (2, "REFUTED")]
    assert _labels("$$ a = b\n\\[ 1 = 2 \\]\n") == [(1, "UNPARSED"), (2, "REFUTED")]


def test_a_heading_ends_an_unterminated_block():
    doc = "$$ a = b\n## Next\n$$1 = 2$$\n"
    assert _labels(doc, markdown=True) == [(1, "UNPARSED"), (3, "REFUTED")]
    assert _labels("\\[ a\n\\section{B}\n\\[1 = 2\\]") == [(1, "UNPARSED"), (3, "REFUTED")]


def test_the_cli_exits_1_on_a_false_claim_after_an_unterminated_block(tmp_path, capsys):
    path = tmp_path / "broken.md"
    path.write_text("Intro\n\\begin{align}\na &= b \\\\\n\nthen\n\n$$1 = 2$$\n")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:2: UNPARSED     \\begin{{align}} at line 2 is never closed" in out
    assert f"{path}:7: REFUTED" in out


def test_percent_in_markdown_prose_hides_nothing():
    assert _labels("It is 50% done: $$1 = 2$$\n", markdown=True) == [(1, "REFUTED")]


def test_percent_is_a_comment_in_latex_unless_escaped():
    assert extract("% old: $$1 = 2$$\n") == []
    assert [(c.lhs, c.rhs) for c in extract("50\\% done $$1 = 2$$")] == [("1", "2")]
    # "\\%" is a line break, then a comment
    assert [(c.lhs, c.rhs) for c in extract("$$a = b$$ \\\\% $$1 = 2$$")] == [("a", "b")]


def test_a_comment_inside_math_is_no_claim_and_hides_no_closer():
    doc = "\\begin{align}\na &= b \\\\ % was: a = c \\end{align}\nc &= d\n\\end{align}\n"
    assert [(c.line, c.lhs, c.rhs) for c in extract(doc)] == [(2, "a", "b"), (3, "c", "d")]
    md = "$$a = b % note\n$$\n"
    assert [(c.lhs, c.rhs) for c in extract(md, markdown=True)] == [("a", "b")]


def test_escaped_and_spacing_delimiters_are_not_delimiters():
    assert [(c.lhs, c.rhs) for c in extract("costs \\$5 and $x = 1$", inline=True)] == [
        ("x", "1")]
    doc = "\\begin{align} a &= b \\\\[3pt] c &= d \\end{align}"
    assert [(c.lhs, c.rhs) for c in extract(doc)] == [("a", "b"), ("c", "d")]
    # "\\\\$$": a row break, then the closer
    assert [(c.lhs, c.rhs) for c in extract("$$a = b \\\\$$ $$c = d$$")] == [("a", "b"),
                                                                          ("c", "d")]


def test_an_environment_inside_dollars_is_read():
    doc = "$$\\begin{align} a &= b \\\\ &= c \\end{align}$$"
    assert [(c.lhs, c.rhs) for c in extract(doc, markdown=True)] == [("a", "b"), ("b", "c")]


def test_an_unterminated_inline_dollar_is_reported():
    claims = extract("a $x = 1$ and $y = \n\nthen $z = 2$", inline=True, markdown=True)
    assert [(c.line, c.lhs, bool(c.problem)) for c in claims] == [
        (1, "x", False), (1, "", True), (3, "z", False)]


def test_notes_go_after_the_reported_part_of_an_unterminated_block():
    doc = "\\begin{align}\na &= b\n\n$$1 = 2$$\n"
    assert math_blocks(doc) == [(1, 2), (4, 4)]


# --- fuzz -----------------------------------------------------------------------------------

NOISE = ["\\begin{align} v &= w \\\\", "\\[ u", "$$ x = y", "\\begin{gather} t", "$ s",
         "Some prose, 50% of it.", "`code $$5 = 6$$`", "<!-- hidden $$5 = 6$$ -->",
         "```\n$$5 = 6$$\n```", "~~~\n\\[5 = 6\\]\n~~~", "\\end{align}", "$$", "\\]", "%"]


@st.composite
def documents(draw):
    """A Markdown document of paragraphs: claims ``$$N = N+1$$`` (each false, each with its
    own N), possibly after noise on the line before or prose with % on the same line, and
    noise paragraphs; the claims a reader sees are listed with their lines."""
    paragraphs, visible, line, number = [], {}, 1, 100
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()):
            paragraphs.append(draw(st.sampled_from(NOISE)))
        else:
            number += 1
            before = draw(st.sampled_from(["", "\\begin{align} v &= w\n", "\\[ u\n",
                                           "$$ x = y\n", "$ s\n"]))
            prose = draw(st.sampled_from(["", "Then 50% of it: ", "% here ", "So "]))
            paragraphs.append(f"{before}{prose}$${number} = {number + 1}$$")
            visible[str(number)] = line + before.count("\n")
        line += paragraphs[-1].count("\n") + 2
    return "\n\n".join(paragraphs) + "\n", visible


@settings(max_examples=300, deadline=None)
@given(documents())
def test_every_visible_claim_is_extracted_or_reported(case):
    text, visible = case
    claims = extract(text, markdown=True)
    for number, line in visible.items():
        judged = any(c.lhs == number and c.line == line for c in claims)
        reported = any(c.problem and c.line == line for c in claims)
        assert judged or reported, (number, line, text)
    # what code and comments hide is never read
    assert not any(c.lhs == "5" for c in claims)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(documents())
def test_check_never_tracebacks_and_judges_every_visible_claim(tmp_path, capsys, case):
    text, visible = case
    path = tmp_path / "fuzz.md"
    path.write_text(text)
    code = main(["check", "--json", str(path)])
    out = capsys.readouterr().out
    assert code in (0, 1)
    verdicts = json.loads(out)
    for line in visible.values():
        assert any(v["line"] == line and v["status"] in ("REFUTED", "UNPARSED")
                   for v in verdicts), (line, text)
    assert code == (1 if any(v["status"] == "REFUTED" for v in verdicts) else 0)
    for verdict in verdicts:
        assert "\n" not in verdict["reason"] and "\\Xi" not in verdict["reason"]
