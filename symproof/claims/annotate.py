"""A copy of a checked document with each claim's verdict written beside it as a comment.

The notes must never change what the document says or whether it compiles: each note is one
comment line (``% symproof: …`` in LaTeX, ``<!-- symproof: … -->`` in Markdown) whose text is
folded onto that line and cannot close the comment early; it goes after the last line of the
math block that holds the claim (a comment inside ``$$…$$`` would break Markdown math), with
that line's indentation and line ending. Every other byte of the document is kept as it was,
CRLF and form feeds included. Notes written by an earlier run are replaced, not stacked.

A verdict is anything with a ``line``, a ``label`` (``Verdict.label``: the status's name, or
UNPARSED) and a ``reason``:

>>> from types import SimpleNamespace as Note
>>> doc = "Intro\\r\\n$$a\\r\\n= b$$\\r\\nEnd\\r\\n"
>>> out = annotate(doc, [Note(line=2, label="REFUTED", reason="no:\\nreally")], markdown=True)
>>> out.split("\\r\\n")
['Intro', '$$a', '= b$$', '<!-- symproof: REFUTED no: really -->', 'End', '']
>>> annotate(out, [Note(line=2, label="PROVED", reason="yes")], markdown=True) == out.replace(
...     "REFUTED no: really", "PROVED yes")
True
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

import sympy as sp

from ..kernel.outcome import assignment_formula
from ..notation import STATUS_MARKS
from ..printing import text as plain_text
from ..prose import Part, Prose, listed
from .extract import code_spans, math_blocks

__all__ = ["annotate", "anchored", "note_text", "reason_prose"]

# Characters that end a line for some reader (TeX, Python, Unicode, HTML renderers): none may
# appear inside a note, or text after it would become live LaTeX or Markdown.
_BREAKS = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
# A note of an earlier run: a verdict word right after "symproof: ", in the document's own
# comment syntax, on the lines just after a math block (where annotate puts them). A line a
# user wrote, even "% symproof: remember…", is never taken for one.
_STATUSES = "|".join(STATUS_MARKS)
_OLD_NOTE = {True: re.compile(rf"^[ \t]*<!-- symproof: (?:{_STATUSES}) (?:(?!-->).)* -->\r?$"),
             False: re.compile(rf"^[ \t]*% symproof: (?:{_STATUSES}) .*\r?$")}


# How a verdict's reason ends when it shows its counterexample (as ``check`` writes it).
_COUNTEREXAMPLE = "; counterexample "


def reason_prose(verdict) -> Prose:
    """A verdict's reason with its counterexample as math (``H_in = 2``, ``X[1, 1, 2] = 1``
    typeset as :math:`H_{in} = 2`, :math:`X_{1,1,2} = 1`), built from the outcome's record,
    not read from the text; a reason that does not end with that record stays text."""
    reason = " ".join(str(verdict.reason).split())
    outcome = getattr(verdict, "outcome", None)
    found = getattr(outcome, "counterexample", None) or {}
    head, marker, tail = reason.partition(_COUNTEREXAMPLE)
    items = [(k, v) for k, v in found.items() if k != "other entries"]
    written = ", ".join(f"{k} = {plain_text(v) if isinstance(v, sp.Basic) else v}"
                        for k, v in items)
    if not (marker and items and len(items) <= 12 and tail.startswith(written)):
        return Prose(reason)
    return Prose(head, marker, *listed(_assignment(k, v) for k, v in items),
                 tail[len(written):])


def _assignment(name: str, value) -> Part:
    """``name = value`` as math when the name is a symbol or an entry and the value a number
    (:func:`~symproof.kernel.outcome.assignment_formula`), else as text."""
    formula = assignment_formula(name, value)
    if formula is not None:
        return formula
    return f"{name} = {plain_text(value) if isinstance(value, sp.Basic) else value}"


def note_text(status: str, reason: str, *, markdown: bool) -> str:
    """The body of one note, on one line; in Markdown it cannot end the comment early."""
    text = _CONTROL.sub("", _BREAKS.sub(" ", f"symproof: {status} {reason}")).strip()
    if markdown:
        # An HTML comment ends at "-->" (or "--!>"), and "--" is not allowed inside one.
        while "--" in text:
            text = text.replace("--", "- -")
        text = text.replace("<!-", "< !-")
        return f"<!-- {text.rstrip('-')} -->"
    return f"% {text}"


def anchored(text: str, verdicts: Sequence, *, markdown: bool,
             inline: bool = False) -> dict[int, list]:
    """The verdicts by the line after which a note about them may go: the last line of the
    math block the claim lies in, or the line after the code a verdict's line ends inside
    (a note inside a block would break it, inside code it would be printed)."""
    blocks = math_blocks(text, inline, markdown)
    firsts = [first for first, _ in blocks]
    ends_of_lines = [n for n, c in enumerate(text) if c == "\n"] + [len(text)]
    code = sorted(code_spans(text, markdown).items())
    code_starts = [start for start, _ in code]

    def anchor(line: int) -> int:
        at = bisect.bisect_right(firsts, line) - 1
        if at >= 0 and blocks[at][0] <= line <= blocks[at][1]:
            line = blocks[at][1]
        # a line whose end lies inside code (a verbatim opened after the math): after the code
        position = ends_of_lines[min(line, len(ends_of_lines)) - 1]
        inside = bisect.bisect_right(code_starts, position) - 1
        if inside >= 0 and code[inside][0] < position < code[inside][1]:
            line = bisect.bisect_left(ends_of_lines, code[inside][1] - 1) + 1
        return line

    groups: dict[int, list] = {}
    for verdict in verdicts:
        groups.setdefault(anchor(verdict.line), []).append(verdict)
    return groups


def annotate(text: str, verdicts: Sequence, *, markdown: bool, inline: bool = False) -> str:
    """``text`` with a note for each verdict (anything with ``line``, ``label``, ``reason``)
    after the math block its line lies in."""
    blocks = math_blocks(text, inline, markdown)
    notes = {line: [note_text(v.label, v.reason, markdown=markdown) for v in group]
             for line, group in anchored(text, verdicts, markdown=markdown,
                                         inline=inline).items()}
    lines = text.split("\n")  # "\n" only: the line numbers of the checker, CR kept in place
    ends = {last for _, last in blocks}
    out, after_block = [], False
    for number, line in enumerate(lines, 1):
        old = after_block and _OLD_NOTE[markdown].match(line) is not None
        after_block = number in ends or old
        if not old:
            out.append(line)
        if number in notes:
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            ending = "\r" if line.endswith("\r") else ""
            out.extend(indent + note + ending for note in notes[number])
    return "\n".join(out)
