"""The student's LaTeX document with a mark beside every claim, ready for pdflatex.

The marks must never change what the document says or whether it compiles, so:

* each claim's mark is one line ``\\SymproofMark{…}%`` inserted after the last line of the math
  block that holds it (where :func:`~symproof.claims.annotate.annotate` puts its comments: a
  margin note cannot go inside math), and each counterexample or reason a line
  ``\\SymproofNote{…}%`` after it; every other byte of the document is kept;
* the commands are defined just before ``\\begin{document}`` with ``\\providecommand``, and load
  nothing a document may already have (amssymb only when ``\\checkmark`` is undefined);
* a mark goes into the margin only where ``\\marginpar`` works: in outer paragraph mode, with
  one column and a real margin. Inside a box, float or minipage, in two columns or with no
  margin, the mark is written in the text instead (a superscript), and a note in parentheses
  (a footnote in a float would be lost); ``margins=False`` writes every mark and note in the
  text, the fallback for a document whose margins or footnotes do not survive;
* a fragment (no ``\\documentclass``) is wrapped in a minimal article;
* a claim outside the document body (in the preamble, or after ``\\end{document}``) is listed
  at the start of the body, where a mark can be typeset.

Notes are plain text escaped for LaTeX (:func:`~symproof.latex.escape.escape`): document text
they quote can never become live LaTeX; a counterexample's values are typeset as math, built
from the verdict's record (:func:`~.annotate.reason_prose`), never from the text.

>>> from types import SimpleNamespace as V
>>> doc = "\\\\[a = b\\\\]\\nText.\\n"
>>> print(marked_latex(doc, [V(line=1, label="REFUTED", reason="a = 1, b = 2")]).split(
...     "\\\\begin{document}")[1])
<BLANKLINE>
\\[a = b\\]
\\SymproofMark{1\\,\\SymproofREFUTED}%
\\SymproofNote{line 1: refuted; a = 1, b = 2}%
Text.
\\end{document}
<BLANKLINE>
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..latex.export import ExportError, compile_pdf
from ..notation import STATUS_MARKS
from ..proof import Status
from ..prose import Prose
from .annotate import anchored, reason_prose
from .check import UNPARSED
from .extract import code_spans

__all__ = ["marked_latex", "original_latex", "document_parts", "compile_marked", "MarkedPdf",
           "NOTED"]

#: Verdicts whose reason is printed as a note (a footnote) under the mark: a counterexample,
#: or why nothing decided the claim. Proved and given claims carry the mark only.
NOTED = (Status.REFUTED.name, Status.UNKNOWN.name, UNPARSED)

# A comment runs from an unescaped % to the end of the line (\% is a percent sign).
_COMMENT = re.compile(r"(?<!\\)(?:\\\\)*%.*")
_CLASS = re.compile(r"\\documentclass\b")
_BEGIN = re.compile(r"\\begin\s*\{document\}")
_END = re.compile(r"\\end\s*\{document\}")

# Where a \marginpar or a \footnote is safe: not inside a box (\ifinner), a float (which defines
# \@captype: a margin note there is a float lost, a footnote vanishes), a minipage, a parbox or
# a column narrower than the text (\hsize: a margin note of the left column would cover the
# right one). Each command picks the form to use (\SymproofNext), then uses it.
_MOST_BOXES = 100  # a margin note takes two
_OUTER = (r"\ifinner\else\ifcsname @captype\endcsname\else\ifdim\hsize<\textwidth\else",
          r"\fi\fi\fi")
_MARGIN = (r"\let\SymproofNext\SymproofInText" + _OUTER[0] + r"\ifdim\marginparwidth<2em"
           r"\else\let\SymproofNext\SymproofInMargin\fi" + _OUTER[1] + r"\SymproofNext{#1}")
_NOTE = (r"\let\SymproofNext\SymproofNoteInText" + _OUTER[0]
         + r"\let\SymproofNext\SymproofFootnote" + _OUTER[1] + r"\SymproofNext{#1}")


def _definitions(margins: bool, marks: int) -> str:
    """The commands the marks use, each defined only if the document has no command of that
    name (the marks of :data:`STATUS_MARKS`, in math, amssymb for the few it needs), and room
    for ``marks`` margin notes on a page (each is a float until its page is out, and LaTeX has
    18; boxes are freed page by page, and more than :data:`_MOST_BOXES` would not fit beside a
    page anyway)."""
    boxes = min(2 * marks + 2, _MOST_BOXES) if margins else 0
    lines = [r"% symproof: the commands of the verdict marks below",
             r"\csname @ifundefined\endcsname{checkmark}{\usepackage{amssymb}}{}",
             rf"\csname @ifundefined\endcsname{{extrafloats}}{{}}{{\extrafloats{{{boxes}}}}}",
             r"\providecommand\SymproofInText[1]{\textsuperscript{[#1]}}",
             r"\providecommand\SymproofInMargin[1]{\marginpar{\raggedright\footnotesize #1}}",
             r"\providecommand\SymproofNoteInText[1]{\ {\footnotesize(#1)}}",
             r"\providecommand\SymproofFootnote[1]{\ifvmode\leavevmode\fi\footnote{#1}}",
             r"\providecommand\SymproofMark[1]{" + (_MARGIN if margins
                                                     else r"\SymproofInText{#1}") + "}",
             r"\providecommand\SymproofNote[1]{" + (_NOTE if margins
                                                     else r"\SymproofNoteInText{#1}") + "}"]
    for status, (_, tex) in STATUS_MARKS.items():
        tex = tex.replace(r"\text{?}", r"\mbox{?}")  # \text needs amsmath; \mbox does not
        lines.append(rf"\providecommand\Symproof{status.replace('_', '')}{{\ensuremath{{{tex}}}}}")
    return "\n".join(lines) + "\n"


def _visible(line: str) -> str:
    """A line without its comment."""
    return _COMMENT.sub("", line)


def document_parts(text: str) -> tuple[int | None, int | None, int | None]:
    """(offset of ``\\begin{document}``, its line, line of ``\\end{document}``), None for each
    one missing; all None for a fragment (no ``\\documentclass`` before the body). Code
    (``verbatim``, ``\\verb``) that shows them is not them."""
    offset, seen_class, begin_line, end_line = 0, False, None, None
    begin_offset = None
    for number, line in enumerate(_without_code(text).split("\n"), 1):
        visible = _visible(line)
        if begin_line is None:
            seen_class = seen_class or _CLASS.search(visible) is not None
            found = _BEGIN.search(visible)
            if found:
                if not seen_class:
                    return None, None, None
                begin_offset, begin_line = offset + found.start(), number
        elif end_line is None and _END.search(visible):
            end_line = number
        offset += len(line) + 1
    if not seen_class:
        return None, None, None
    return begin_offset, begin_line, end_line


def _without_code(text: str) -> str:
    """``text`` with its code blanked out, every line and offset kept."""
    pieces, position = [], 0
    for start, end in sorted(code_spans(text).items()):
        pieces.append(text[position:start])
        pieces.append(re.sub(r"[^\n]", " ", text[start:end]))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _mark(group: Sequence) -> str:
    """One margin mark for the verdicts noted after one line: each claim's source line and
    status mark, claims of one line together (``9 ✗✗ 13 ✓``)."""
    by_line: dict[int, list[str]] = {}
    for verdict in group:
        by_line.setdefault(verdict.line, []).append(
            rf"\Symproof{verdict.label.replace('_', '')}")
    return r"\quad ".join(rf"{line}\,{''.join(marks)}" for line, marks in by_line.items())


def _notes(group: Sequence) -> list[str]:
    """The footnotes of one group: the reason of every claim that is not plainly settled."""
    texts = [Prose(f"line {v.line}: {v.label.lower()}; ") + reason_prose(v)
             for v in group if v.label in NOTED]
    return [rf"\SymproofNote{{{text.latex()}}}%" for text in texts]


def _lines_for(group: Sequence, ending: str) -> list[str]:
    return [line + ending for line in [rf"\SymproofMark{{{_mark(group)}}}%", *_notes(group)]]


def marked_latex(text: str, verdicts: Sequence, *, inline: bool = False,
                 margins: bool = True) -> str:
    """``text`` (a LaTeX document or fragment) with a mark for each verdict (anything with
    ``line``, ``label`` and ``reason``) after the math block its claim lies in."""
    begin_offset, begin_line, end_line = document_parts(text)
    groups = anchored(text, verdicts, markdown=False, inline=inline)
    lines = text.split("\n")
    outside = []
    if begin_line is not None:
        outside = [v for line, group in sorted(groups.items()) for v in group
                   if line <= begin_line or (end_line is not None and line >= end_line)]
        groups = {line: group for line, group in groups.items()
                  if begin_line < line and (end_line is None or line < end_line)}
        if outside:
            groups.setdefault(begin_line, [])
    out = []
    for number, line in enumerate(lines, 1):
        out.append(line)
        if number in groups:
            ending = "\r" if line.endswith("\r") else ""
            if number == begin_line and outside:
                out.append(r"\par\noindent{\footnotesize Claims outside the document body:}"
                           + ending)
                out.extend(_lines_for(outside, ending))
            if groups[number]:
                out.extend(_lines_for(groups[number], ending))
    marked = "\n".join(out)
    definitions = _definitions(margins, len(groups))
    if begin_offset is None:
        return _wrapped(marked, definitions)
    # marks go only after \begin{document}'s line, so its offset is the same in `marked`
    before = marked[:begin_offset]
    return before + ("" if before.endswith("\n") else "\n") + definitions + marked[begin_offset:]


def original_latex(text: str) -> str:
    """The document as the student wrote it, as pdflatex gets it (a fragment wrapped the same
    way as its marked copy): to tell a document that fails on its own from a failing mark."""
    return _wrapped(text, "") if document_parts(text)[0] is None else text


def _wrapped(body: str, definitions: str) -> str:
    """A fragment in a minimal article: the packages of ordinary course notes, nothing else."""
    return (r"\documentclass{article}" "\n" r"\usepackage{amsmath}" "\n" + definitions
            + r"\begin{document}" "\n" + body + ("" if body.endswith("\n") else "\n")
            + r"\end{document}" "\n")


@dataclass(frozen=True)
class MarkedPdf:
    """What compiling a marked document gave: the LaTeX to keep beside the PDF, the PDF's page
    count (None when no PDF was written) and, then, why."""

    tex: str
    pages: int | None
    problem: str = ""
    #: How the marks were set when they could not all go into the margin, or "".
    note: str = ""


def compile_marked(text: str, verdicts: Sequence, pdf_path: Path, *,
                   inline: bool = False) -> MarkedPdf:
    """Compile the marked copy of ``text`` to ``pdf_path`` (written only on success). When it
    fails, find out whose fault it is: the document's own (it fails unmarked too: say so, with
    pdflatex's first error) or the margins' (then every mark goes into the text instead)."""
    tex = marked_latex(text, verdicts, inline=inline)
    try:
        return MarkedPdf(tex, compile_pdf(tex, pdf_path))
    except ExportError as error:
        first = str(error)
    if "took over" in first:  # a document that loops: no second try of as long
        return MarkedPdf(tex, None, first)
    own = _compile_error(original_latex(text))
    if own:
        if "not found" in own:  # an \input of the student's own, or of a file kept out
            own += (" (the document is compiled alone in a scratch folder, and may read no "
                    "file outside it)")
        return MarkedPdf(tex, None, f"the document does not compile on its own: {own}")
    plain = marked_latex(text, verdicts, inline=inline, margins=False)
    try:
        return MarkedPdf(plain, compile_pdf(plain, pdf_path),
                         note=f"marks in the text: with margin notes, {first}")
    except ExportError:
        return MarkedPdf(tex, None, f"the marked copy does not compile, although the "
                                    f"document does: {first}")


def _compile_error(tex: str) -> str:
    """pdflatex's complaint about ``tex``, or "" if it compiles (its PDF is thrown away)."""
    with tempfile.TemporaryDirectory(prefix="symproof-check-") as scratch:
        try:
            compile_pdf(tex, Path(scratch) / "original.pdf")
        except ExportError as error:
            return str(error)
    return ""
