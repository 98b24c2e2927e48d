"""How a proof reads: its steps as format-neutral blocks (figures, prose, derivation rows, the
result), then as a LaTeX section or Markdown lines. Documents (:mod:`symproof.latex.document`)
put the sections together; :class:`~symproof.proof.Proof` renders itself through here. A
figure renders itself (a TikZ float; in Markdown, an image of its SVG file), so nothing here
loads the figures' code.

A derivation chain is consecutive steps with the same left-hand side, written
``lhs &= a \\\\ &= b`` with one ``&=`` per step, a step number and a status mark; the reasons
follow as numbered prose (they wrap, math does not). Long right-hand sides are broken at
top-level ``+`` so that equations fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sympy as sp

from .kernel.outcome import Status
from .latex.escape import escape
from .notation import status_mark
from .printing import latex

if TYPE_CHECKING:  # pragma: no cover - a proof is only read here, never built
    from .proof import Proof

__all__ = ["tex_section", "markdown_section", "markdown_text", "math_text", "blocks",
           "visible_width", "figure_files", "MARKS", "MD_MARKS"]

MARKS = {status: status_mark(status, "latex") for status in Status}
MD_MARKS = {status: status_mark(status, "text") for status in Status}
# About what fits a line of the page in \textwidth = 15.5cm at 11pt, in printed characters;
# a left side longer than LHS_WIDTH gets a line of its own.
WIDTH = 62
LHS_WIDTH = 18


@dataclass
class Row:
    """One line of a derivation: ``lhs`` (None to continue a chain) ``relation`` ``rhs``."""

    lhs: str | None
    relation: str
    rhs: list[str]  # the right-hand side, already broken into lines
    number: int
    status: Status
    why: str = ""  # the tactic, a short annotation beside the step


@dataclass
class Block:
    kind: str  # "text", "rows", "result", "figure"
    text: str = ""
    rows: list[Row] = field(default_factory=list)
    figure: object = None  # a symproof.figures.Figure, which renders itself


def figure_files(proofs: list[Proof], prefix: str = "") -> dict[str, object]:
    """The file name of every figure of ``proofs`` in a Markdown document (``prefix``, then
    the proof's name and the figure's, made safe as a file name and unique), by figure."""
    names: dict[str, object] = {}
    for proof in proofs:
        for figure in proof.figures:
            stem = _SAFE.sub("_", f"{prefix}{proof.name}-{figure.name}")
            name, n = f"{stem}.svg", 1
            while name in names:
                n += 1
                name = f"{stem}-{n}.svg"
            names[name] = figure
    return names


_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def visible_width(tex: str) -> int:
    """Roughly how many characters ``tex`` prints: commands count as one, structure as none."""
    width, i = 0, 0
    skip = {"left", "right", "operatorname", "frac", "text", "mathrm", "quad", "qquad"}
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            j = i + 1
            while j < len(tex) and tex[j].isalpha():
                j += 1
            name = tex[i + 1:j]
            width += 0 if name in skip else 1
            i = max(j, i + 2) if j == i + 1 else j
            continue
        if c not in "{}_^ ":
            width += 1
        i += 1
    return width


def _broken(expr: sp.Basic, width: int = WIDTH) -> list[str]:
    """``expr`` as LaTeX lines of about ``width`` printed characters: a long sum is broken
    before a top-level + or −."""
    whole = latex(expr)
    if visible_width(whole) <= width or not isinstance(expr, sp.Add):
        return [whole]
    lines, current = [], ""
    for term in sp.Add.make_args(expr):
        negative = term.could_extract_minus_sign()
        piece = latex(-term if negative else term)
        sign = "-" if negative else ("+" if current or lines else "")
        candidate = f"{current} {sign} {piece}".strip()
        if current and visible_width(candidate) > width:
            lines.append(current)
            current = f"{sign} {piece}"
        else:
            current = candidate
    lines.append(current)
    return lines


def blocks(proof: Proof) -> list[Block]:
    """The proof as figures, prose and derivation rows (format-neutral)."""
    out: list[Block] = [Block("figure", figure=figure) for figure in proof.figures]
    previous_lhs = None
    for number, step in enumerate(proof.steps, 1):
        claim = step.claim
        if isinstance(claim, sp.Equality):
            lhs = latex(claim.lhs)
            chained = lhs == previous_lhs and step.outcome.tactic != "definition"
            relation = "=" if step.holds else r"\neq"
            room = WIDTH - len(step.outcome.tactic) - 6  # the tag beside the step takes room
            row = Row(None if chained else lhs, relation, _broken(claim.rhs, room), number,
                      step.status, step.outcome.tactic)
            if chained and out and out[-1].kind == "rows":
                out[-1].rows.append(row)
            else:
                out.append(Block("rows", rows=[row]))
            previous_lhs = lhs
            continue
        previous_lhs = None
        if isinstance(claim, sp.Tuple) and all(isinstance(c, sp.Equality) for c in claim):
            out.append(Block("rows", rows=[Row(latex(c.lhs), "=", [latex(c.rhs)], number,
                                               step.status) for c in claim]))
        elif claim is not None:
            out.append(Block("rows", rows=[Row("", "", [latex(claim)], number, step.status)]))
        else:
            out.append(Block("text", text=f"({number}) {step.statement}"))
    return out


def _reasons(proof: Proof) -> list[tuple[int, Status, str]]:
    reasons = []
    for number, step in enumerate(proof.steps, 1):
        text = step.justification
        if not step.holds:
            text = f"asserted to fail in general: {text}"
        reasons.append((number, step.status, f"{text} ({step.outcome.summary()})"))
    return reasons


def _results(proof: Proof) -> list[str]:
    result = proof.result
    if result is None:
        return []
    parts = list(result) if isinstance(result, sp.Tuple) else [result]
    return [latex(part) for part in parts]


# --- LaTeX ----------------------------------------------------------------------------------

def _tag(row: Row) -> str:
    """``(n) tactic ✓`` beside a step, as an amsmath ``\\tag*`` (which amsmath moves below the
    equation when the line is full); the full reason is item (n) after the derivation."""
    why = f" {escape(row.why)}" if row.why else ""
    return rf"\tag*{{\footnotesize ({row.number}){why} ${MARKS[row.status]}$}}"


def _md_tag(row: Row) -> str:
    return rf"&&\text{{({row.number}) {math_text(row.why)}}}\;{MARKS[row.status]}"


def _tex_rows(rows: list[Row]) -> str:
    lines = []
    for row in rows:
        tag = _tag(row)
        first, *more = row.rhs
        if more:  # the tag goes with the last line of a broken equation
            more, tag, first = more[:-1] + [f"{more[-1]} {tag}"], "", first
        if row.lhs is None:
            lines.append(rf"&{row.relation} {first} {tag}")
        elif row.relation and visible_width(row.lhs) > LHS_WIDTH:
            # A long left side goes in the second column, on its own line, so that it does not
            # widen the first column of every row.
            lines.append(rf"&{row.lhs} \\ &{row.relation} {first} {tag}")
        else:
            lines.append(rf"{row.lhs} &{row.relation} {first} {tag}")
        lines += [rf"&\quad {line}" for line in more]
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def tex_section(proof: Proof) -> str:
    parts = [rf"\section{{{escape(proof.name.upper())}: {escape(proof.title)}}}",
             escape(proof.statement)]
    assumed = [escape(a) if isinstance(a, str) else f"${latex(a)}$" for a in proof.assumptions]
    if assumed:
        parts.append(r"\paragraph{Assumptions} " + "; ".join(assumed) + ".")
    every = blocks(proof)
    parts += [block.figure.latex() for block in every if block.kind == "figure"]
    parts.append(r"\paragraph{Derivation}")
    pending: list[Row] = []  # consecutive rows share one align* environment
    for block in every:
        if block.kind == "rows":
            pending += block.rows
            continue
        if pending:
            parts.append(_tex_rows(pending))
            pending = []
        if block.kind != "figure":  # drawn above, with the setting
            parts.append(escape(block.text))
    if pending:
        parts.append(_tex_rows(pending))
    items = "\n".join(rf"\item[({n})] ${MARKS[s]}$ {escape(text)}"
                      for n, s, text in _reasons(proof))
    parts.append(r"\paragraph{Reasons}" + "\n\\begin{description}\n" + items
                 + "\n\\end{description}")
    if proof.checks:
        checks = "\n".join(rf"\item ${MARKS[c.status]}$ {escape(c.statement)}: "
                           rf"{escape(c.justification)} ({escape(c.outcome.summary())})"
                           for c in proof.checks)
        parts.append(r"\paragraph{Checks}" + "\n\\begin{itemize}\n" + checks
                     + "\n\\end{itemize}")
    for result in _results(proof):
        parts.append(rf"\[ \boxed{{{result}}} \]")
    if proof.notes:
        notes = "\n".join(rf"\item {escape(note)}" for note in proof.notes)
        parts.append(r"\paragraph{Notes}" + "\n\\begin{itemize}\n" + notes + "\n\\end{itemize}")
    return "\n\n".join(parts)


# --- Markdown -------------------------------------------------------------------------------

# Markdown's own syntax (emphasis, code, HTML, tables) and the math delimiter: in plain text each
# is written escaped, so that "C_in" reads as written, not as italics, and a "$" never opens
# math (Jupyter and CommonMark both read "\$" as a dollar). A backslash and the "(" of "](" are
# entities: "\\(" would be a MathJax delimiter in Jupyter, and "](" would open a link.
_MD_SPECIAL = frozenset("`*_<>$|#~")
_MD_ENTITIES = {"\\": "&#92;"}
# What MathJax's \text{} cannot hold: it reads no macros there, and braces would unbalance the
# formula (escaped underscores would print with their backslash); a blank line would end it.
_MATH_TEXT = str.maketrans({c: " " for c in "\\{}$^_%&#~\n\r"})


def markdown_text(text: str) -> str:
    """Plain text as Markdown text: every character of Markdown's syntax escaped."""
    escaped = "".join(_MD_ENTITIES.get(c) or (f"\\{c}" if c in _MD_SPECIAL else c)
                      for c in text)
    return escaped.replace("](", "]&#40;")


def math_text(text: str) -> str:
    """Plain text for a ``\\text{…}`` inside MathJax math (characters it cannot hold become
    spaces)."""
    return text.translate(_MATH_TEXT)


def _md_rows(rows: list[Row]) -> str:
    lines = []
    for row in rows:
        tag = _md_tag(row)
        first, *more = row.rhs
        left = "" if row.lhs is None else row.lhs
        lines.append(rf"{left} &{row.relation} {first} {tag}")
        lines += [rf"&\quad {line}" for line in more]
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"


def _md_image(figure, file: str) -> str:
    """``![caption](file)``: the caption as alt text, Markdown's syntax and brackets
    escaped."""
    alt = re.sub(r"([\[\]])", r"\\\1", markdown_text(" ".join(figure.caption_text().split())))
    return f"![{alt}]({file})"


def markdown_section(proof: Proof, files: dict[object, str] | None = None) -> list[str]:
    """One proof as Markdown lines: heading, statement, figures (each an image of the SVG file
    ``files`` names for it; none without ``files``), derivation, reasons, checks, result."""
    md = markdown_text
    out = ["", f"## {md(proof.name.upper())}: {md(proof.title)}", "", md(proof.statement), ""]
    assumed = [md(a) if isinstance(a, str) else f"${latex(a)}$" for a in proof.assumptions]
    if assumed:
        out += ["**Assumptions:** " + "; ".join(assumed) + ".", ""]
    for block in blocks(proof):
        if block.kind == "figure":
            if files is not None and id(block.figure) in files:
                out += [_md_image(block.figure, files[id(block.figure)]), ""]
            continue
        out += [_md_rows(block.rows) if block.kind == "rows" else md(block.text), ""]
    out += [f"{n}. {MD_MARKS[s]} {md(text)}" for n, s, text in _reasons(proof)]
    if proof.checks:
        out += ["", "**Checks:**", ""]
        out += [f"- {MD_MARKS[c.status]} {md(c.statement)}: {md(c.justification)} "
                f"({md(c.outcome.summary())})" for c in proof.checks]
    out += [""] + [f"$$\\boxed{{{r}}}$$" for r in _results(proof)]
    if proof.notes:
        out += ["", "**Notes:**", ""] + [f"- {md(note)}" for note in proof.notes]
    return out
