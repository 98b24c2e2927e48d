"""A checked document as an HTML report: its text with line numbers, a mark beside every claim
and the reason (the counterexample) under it, and a summary at the top.

The document is untrusted: every byte of it reaches the page through :func:`html.escape`, so no
tag, attribute or entity of it is live. Its math is left as the student wrote it, for MathJax
(loaded from a CDN with its ``safe`` extension, the ``html`` and ``require`` extensions off:
math cannot add links, classes, styles or load code). Without MathJax the page still reads:
the source is shown as written, the marks and reasons are plain text.

>>> from types import SimpleNamespace as V
>>> page = html_report("$$a = b$$\\n<script>x</script>\\n",
...                    [V(line=1, label="REFUTED", reason="a = 1, b = 2")], title="hw.md")
>>> "<script>x" in page, "&lt;script&gt;x&lt;/script&gt;" in page
(False, True)
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..notation import STATUS_MARKS
from ..printing import latex
from .annotate import anchored, reason_prose
from .extract import code_spans, math_blocks

__all__ = ["html_report", "MATHJAX"]

#: Where the page loads MathJax from (version 3, its TeX input with CommonHTML output).
MATHJAX = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"

# MathJax reads $…$ too (students write it); the extensions that let math reach the page
# (\href, \class, \style, \require) are off or filtered.
_CONFIG = """window.MathJax = {
  loader: {load: ['ui/safe']},
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], processEscapes: true,
        processEnvironments: true, packages: {'[-]': ['html', 'require']}},
  options: {safeOptions: {allow: {URLs: 'none', classes: 'none', cssIDs: 'none',
                                  styles: 'none'}}}
};"""

_STYLE = """body { font-family: Georgia, serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }
.summary { padding: .5em 1em; background: #f4f4f4; border-radius: 4px; }
.contexts { font-size: .9em; color: #444; }
.unit { display: flex; gap: 1em; }
.unit:has(span:target), .unit:hover, .verdicts li:target { background: #fffbe0; }
.n { color: #888; min-width: 4em; text-align: right; font-family: monospace; user-select: none; }
.src { white-space: pre-wrap; flex: 1; overflow-wrap: anywhere; }
.marks { min-width: 4em; font-size: 1.2em; }
.marks a { text-decoration: none; }
.verdicts { margin: .2em 0 .8em 5em; padding-left: 1.5em; font-size: .9em; }
.PROVED, .VERIFIED { color: #17692c; } .SPOT_CHECKED { color: #5a6b17; }
.REFUTED { color: #b3151b; } .UNKNOWN, .UNPARSED { color: #8a5a00; } .GIVEN { color: #345; }
"""


def _mark(label: str) -> str:
    """The text mark of a verdict's label (a status's name, or UNPARSED)."""
    return STATUS_MARKS.get(label, ("?",))[0]


def _summary(verdicts: Sequence) -> str:
    """Counts per status, in the table's order, each linking to its first claim."""
    counts: dict[str, list[int]] = {}
    for number, verdict in enumerate(verdicts):
        counts.setdefault(verdict.label, []).append(number)
    parts = [f'<a class="{label}" href="#v{counts[label][0]}">{_mark(label)} {len(counts[label])}'
             f" {label.lower().replace('_', ' ')}</a>" for label in STATUS_MARKS if label in counts]
    total = f"{len(verdicts)} claim{'s' * (len(verdicts) != 1)}"
    return f'<p class="summary">{total}' + (": " + ", ".join(parts) if parts else "") + "</p>"


def _units(lines: list[str], marked: set[int], blocks: list[tuple[int, int]]) -> list[range]:
    """The document's lines (numbered from 1) in runs shown together: a paragraph, ended early
    after a line that carries marks, never inside a math block (MathJax needs the whole block,
    or an inline formula broken over lines, in one element)."""
    inside = {n for first, last in blocks for n in range(first, last)}
    blank = {n for n, line in enumerate(lines, 1) if not line.strip()}
    units, start = [], 1
    for number in range(1, len(lines) + 1):
        ends_paragraph = number in blank or number + 1 in blank
        if (number in marked or number == len(lines)
                or (number not in inside and ends_paragraph)):
            units.append(range(start, number + 1))
            start = number + 1
    return units


def _contexts(contexts: Sequence[tuple[int, str]]) -> str:
    """The settings the claims were judged in, one item each, linked to their first line."""
    if not contexts:
        return ""
    items = "".join(f'<li><a href="#L{start}">from line {start}</a>: '
                    f"{html.escape(' '.join(described.split()))}</li>" if start else
                    f"<li>for the document: {html.escape(' '.join(described.split()))}</li>"
                    for start, described in contexts)
    return f'<ul class="contexts">{items}</ul>\n'


def _verdict_items(group: Sequence, numbers: dict[int, int]) -> str:
    items = []
    for verdict in group:
        number = numbers[id(verdict)]
        items.append(
            f'<li id="v{number}" class="{verdict.label}"><a href="#L{verdict.line}">line '
            f'{verdict.line}</a> <a href="#m{number}">{_mark(verdict.label)}</a> '
            f"{verdict.label.lower()}: "
            f"<code>{html.escape(getattr(verdict, 'latex', ''))}</code>"
            f" &mdash; {_reason(verdict)}</li>")
    return '<ol class="verdicts">' + "".join(items) + "</ol>"


def _reason(verdict) -> str:
    """The verdict's reason, escaped; its counterexample as MathJax math (``\\(…\\)``, which
    the page's MathJax reads), built from the record (:func:`~.annotate.reason_prose`)."""
    said = reason_prose(verdict)
    return "".join(html.escape(part if isinstance(part, str) else
                               rf"\({latex(part)}\)") for part in said.parts)


def _escaped(text: str, start: int, end: int, code: list[tuple[int, int]]) -> str:
    """``text[start:end]`` as HTML text, its code (``code``: sorted start, end spans) in
    ``<code>``, which MathJax leaves alone: a ``$`` in a code block is no math."""
    out, position = [], start
    for first, last in code:
        first, last = max(first, start), min(last, end)
        if first >= last:
            continue
        out.append(html.escape(text[position:first]))
        out.append(f"<code>{html.escape(text[first:last])}</code>")
        position = last
    out.append(html.escape(text[position:end]))
    return "".join(out)


def html_report(text: str, verdicts: Sequence, *, markdown: bool = True, inline: bool = False,
                title: str = "document", contexts: Sequence[tuple[int, str]] = ()) -> str:
    """The report on ``text`` for ``verdicts`` (anything with ``line``, ``label``, ``reason``
    and, shown when present, ``latex``): a complete HTML page. ``contexts`` are the settings
    the claims were judged in, (first line, description), shown under the summary."""
    groups = anchored(text, verdicts, markdown=markdown, inline=inline)
    numbers = {id(v): n for n, v in enumerate(verdicts)}
    shown = text.replace("\r\n", "\n")  # the same lines, as a browser shows them
    lines = shown.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    code = sorted(code_spans(shown, markdown).items())
    blocks = math_blocks(text, inline, markdown)
    body = []
    for unit in _units(lines, set(groups), blocks):
        source = _escaped(shown, starts[unit.start - 1], starts[unit.stop - 1] - 1, code)
        anchors = "".join(f'<span id="L{n}"></span>' for n in unit)
        span = (f"{unit.start}" if len(unit) == 1 else f"{unit.start}&ndash;{unit.stop - 1}")
        group = groups.get(unit.stop - 1, [])
        marks = "".join(f'<a class="{v.label}" id="m{numbers[id(v)]}" href="#v{numbers[id(v)]}" '
                        f'title="line {v.line}: {v.label.lower()}">{_mark(v.label)}</a>'
                        for v in group)
        body.append(f'<div class="unit"><span class="n">{anchors}{span}</span>'
                    f'<div class="src">{source}</div>'
                    f'<span class="marks">{marks}</span></div>')
        if group:
            body.append(_verdict_items(group, numbers))
    name = html.escape(title)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>symproof check: {name}</title>\n<style>\n{_STYLE}</style>\n"
            f"<script>\n{_CONFIG}\n</script>\n"
            f'<script id="MathJax-script" async src="{MATHJAX}"></script>\n'
            f"</head>\n<body>\n<h1>symproof check: {name}</h1>\n{_summary(verdicts)}\n"
            + _contexts(contexts)
            + "\n".join(body) + "\n</body>\n</html>\n")
