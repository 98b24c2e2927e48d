"""Annotated copies: each note is one inert comment line, every other byte is kept, and an
annotated LaTeX document compiles whenever the original does."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symproof.claims.annotate import annotate, note_text

_BREAKS = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_NOTE = re.compile(r"^[ \t]*(% symproof: .*|<!-- symproof: .* -->)\r?$")

HOSTILE = ["two\nlines", "cr\rhere", "\\end{document}\n\\bye", "100% sure", "--> closed",
           "<!-- nested -->", "-- -- ---", "form\ffeed", "ls\u2028ps\u2029", "^^M^^J",
           "\x00\x1b[2J", "trailing -", "$$ \\[ \\begin{align} $"]


def note(line: int, label: str, reason: str) -> SimpleNamespace:
    """What annotate reads of a verdict: its line, label (the status's name, or UNPARSED) and
    reason."""
    return SimpleNamespace(line=line, label=label, reason=reason)


@given(st.text(), st.booleans())
def test_a_note_is_one_inert_line(reason, markdown):
    note = note_text("REFUTED", reason, markdown=markdown)
    assert not _BREAKS.search(note)
    if markdown:
        inner = note[len("<!-- "):-len(" -->")]
        assert note.startswith("<!-- ") and note.endswith(" -->")
        assert "--" not in inner and not inner.endswith("-") and "<!-" not in inner
    else:
        assert note.startswith("% symproof: REFUTED")


_LINE = st.sampled_from(["text", "", "$$a = b$$", "$$", "x = y", "z$$", "% comment", "\f",
                         "\\[ u = v \\]", "  indented $$c = d$$", "<!-- symproof: OLD -->"])


@given(st.lists(_LINE, max_size=12), st.sampled_from(["\n", "\r\n"]), st.booleans(),
       st.lists(st.integers(0, 14), max_size=6), st.sampled_from(HOSTILE))
def test_every_other_byte_is_kept(lines, newline, markdown, at, reason):
    text = newline.join(lines) + (newline if lines else "")
    verdicts = [note(n, "PROVED", reason) for n in at]
    out = annotate(text, verdicts, markdown=markdown)
    kept = [line for line in out.split("\n") if not _NOTE.match(line)]
    assert "\n".join(kept) == "\n".join(line for line in text.split("\n")
                                        if not _NOTE.match(line))


def test_in_place_twice_is_the_same_as_once(tmp_path):
    doc = tmp_path / "hw.md"
    doc.write_bytes(b"# P2\r\n$$\\frac{m-k}{k}+1 = \\frac{m}{k}$$\r\n\x0c$$a = a + 1$$\r\n")
    symproof = [sys.executable, "-m", "symproof", "check", "hw.md", "--in-place"]
    subprocess.run(symproof, cwd=tmp_path, capture_output=True)
    once = doc.read_bytes()
    assert once.count(b"<!-- symproof:") == 2 and b"\r\n\x0c$$" in once
    subprocess.run(symproof, cwd=tmp_path, capture_output=True)
    assert doc.read_bytes() == once


def test_notes_go_after_the_math_block():
    doc = "Intro\n$$\nY = a\n= b\n$$\nEnd\n"
    out = annotate(doc, [note(3, "PROVED", "fine"),
                         note(4, "REFUTED", "no")], markdown=True)
    assert out.split("\n") == ["Intro", "$$", "Y = a", "= b", "$$",
                               "<!-- symproof: PROVED fine -->", "<!-- symproof: REFUTED no -->",
                               "End", ""]


DOCUMENT = r"""\documentclass{article}
\usepackage{amsmath}
\begin{document}
Some prose, 50\% of it. % a comment
\begin{align*}
  Y_{1,i,j} &= X_{1,i+1,j} - X_{1,i,j} \\
            &= a + b
\end{align*}
and $$\frac{m-k}{k} + 1 = \frac{m}{k}$$ inline text continues
\[ w = 1 \]
\end{document}
"""


def _compile(tmp_path, name, text):
    source = tmp_path / f"{name}.tex"
    source.write_text(text)
    done = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode",
                           source.name], cwd=tmp_path, capture_output=True, text=True,
                          errors="replace", timeout=120)
    return done.returncode, (tmp_path / f"{name}.pdf")


def _pdftext(pdf):
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
def test_annotated_latex_compiles_to_the_same_text(tmp_path):
    verdicts = [note(line, status, reason)
                for line in (6, 7, 9, 10) for status, reason in
                zip(("REFUTED", "UNPARSED", "PROVED"), HOSTILE)] + [
        note(7, "UNKNOWN", reason) for reason in HOSTILE]
    annotated = annotate(DOCUMENT, verdicts, markdown=False)
    assert annotated.count("% symproof:") == len(verdicts)
    code, original = _compile(tmp_path, "original", DOCUMENT)
    assert code == 0
    code, copy = _compile(tmp_path, "annotated", annotated)
    assert code == 0
    if shutil.which("pdftotext"):
        assert _pdftext(copy) == _pdftext(original)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
def test_check_annotate_on_an_exported_solution_compiles(tmp_path):
    """End to end: a real solution sheet, checked and annotated by the CLI, still compiles."""
    symproof = [sys.executable, "-m", "symproof"]
    subprocess.run([*symproof, "prove", "p2", "p3", "--latex", "sheet.tex"], cwd=tmp_path,
                   check=True, capture_output=True)
    source = (tmp_path / "sheet.tex").read_bytes()
    done = subprocess.run([*symproof, "check", "sheet.tex", "--annotate", "noted.tex"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert (tmp_path / "sheet.tex").read_bytes() == source  # the input is untouched
    noted = (tmp_path / "noted.tex").read_text()
    assert noted.count("% symproof:") >= 5
    assert _compile(tmp_path, "noted", noted)[0] == 0
