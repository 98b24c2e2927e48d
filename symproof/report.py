"""How a proof reads: its figures, then its steps as format-neutral blocks (prose, derivation
rows, the result), then as a LaTeX section or Markdown lines. Documents
(:mod:`symproof.latex.document`) put the sections together; :class:`~symproof.proof.Proof`
renders itself through here. A figure renders itself (a TikZ float; in Markdown, an image of
its SVG file), so nothing here loads the figures' code.

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

from .errors import ParameterError
from .kernel.outcome import Status
from .latex.escape import escape
from .notation import status_mark
from .printing import latex, written_as_decimals
from .prose import Prose, markdown_text, prose, render

if TYPE_CHECKING:  # pragma: no cover - a proof is only read here, never built
    from .proof import Proof

__all__ = ["tex_section", "markdown_section", "blocks", "visible_width", "MARKS", "MD_MARKS",
           "STYLES", "check_style", "reason_of",
           "figure_files"]

#: The two ways a proof reads: ``solution``, a model answer (short reasons in the course's
#: words, checks in one sentence); ``audit``, the full trail for a reviewer (rules, details,
#: samples, seeds, tolerances, every cross-check).
STYLES = ("solution", "audit")

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
    why: str | Prose = ""  # the rule (audit) or a short reason (solution), beside the step
    tagged: bool = True  # False for all but the last equation of a step: one mark per step


@dataclass
class Block:
    kind: str  # "text", "rows", "result"
    text: str | Prose = ""
    rows: list[Row] = field(default_factory=list)


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


def blocks(proof: Proof, style: str = "audit") -> list[Block]:
    """The proof as prose, derivation rows and the result (format-neutral); beside each row
    the rule that decided it (``audit``) or its reason when that is short (``solution``)."""
    check_style(style)
    out: list[Block] = []
    said = {render(prose(a), "latex") for a in proof.assumptions}  # stated once, above
    previous_lhs = None  # the left side a next row may continue (None: it may not)
    for number, step in enumerate(proof.steps, 1):
        claim = step.claim
        if isinstance(claim, sp.Equality):
            lhs = latex(claim.lhs)
            # A chain continues only an equality that holds, with an equality that holds: a
            # step asserting a failure (≠) is a statement of its own, with its own left side.
            chained = (lhs == previous_lhs and step.holds
                       and step.outcome.tactic != "definition")
            relation = "=" if step.holds else r"\neq"
            why = _beside(step, style, said)
            room = WIDTH - visible_width(render(why, "latex")) - 6  # the tag takes room
            row = Row(None if chained else lhs, relation, _broken(claim.rhs, room), number,
                      step.status, why)
            if chained and out and out[-1].kind == "rows":
                out[-1].rows.append(row)
            else:
                out.append(Block("rows", rows=[row]))
            previous_lhs = lhs if step.holds else None
            continue
        previous_lhs = None
        if isinstance(claim, sp.core.relational.Relational) and claim.rel_op in _RELATIONS:
            # ``o_1 ≤ S − 1``: its relation at the alignment point, like an equation's
            out.append(Block("rows", rows=[Row(latex(claim.lhs), _RELATIONS[claim.rel_op],
                                               [latex(claim.rhs)], number, step.status,
                                               _beside(step, style))]))
            continue
        if isinstance(claim, sp.Tuple) and all(isinstance(c, sp.Equality) for c in claim):
            rows = [Row(latex(c.lhs), "=", [latex(c.rhs)], number, step.status) for c in claim]
            for row in rows[:-1]:  # one number, reason and mark per step: on its last line
                row.tagged = False
            rows[-1].why = _beside(step, style, said)
            out.append(Block("rows", rows=rows))
        elif claim is not None:
            out.append(Block("rows", rows=[Row("", "", [latex(claim)], number, step.status,
                                               _beside(step, style, said))]))
        elif prose(step.statement).formula() is not None:  # a formula SymPy cannot hold
            out.append(Block("rows", rows=[Row("", "", [prose(step.statement).formula()],
                                               number, step.status, _beside(step, style, said))]))
        else:
            out.append(Block("text", text=Prose(f"({number}) ") + prose(step.statement),
                             rows=[Row(None, "", [], number, step.status)]))
    return out


# The relations a step may state besides =, as LaTeX.
_RELATIONS = {"<=": r"\leq", "<": "<", ">=": r"\geq", ">": ">", "!=": r"\neq"}


# --- reasons --------------------------------------------------------------------------------

# A reason up to this many printed characters fits beside its step, in the equation's tag.
SHORT_REASON = 34


def check_style(style: str) -> str:
    """``style`` if it is one of :data:`STYLES`, else a :class:`ParameterError`."""
    if not (isinstance(style, str) and style in STYLES):
        raise ParameterError("style", style, f"must be one of {', '.join(STYLES)}")
    return style


def reason_of(step) -> str | Prose:
    """The step's reason in the course's words: its ``short_reason`` when it has one, else its
    justification (asserted failures say so)."""
    said = getattr(step, "short_reason", "") or step.justification
    if step.holds or not _symbolic(step):
        return said  # concrete numbers: the reason says what fails here
    return Prose("this fails in general: ") + prose(said)


def _symbolic(step) -> bool:
    """Whether the step's claim has symbols (a failure then holds "in general", not
    here)."""
    return bool(getattr(step.claim, "free_symbols", None))


def _full_reason(step) -> str | Prose:
    """The step's whole justification (the short reason is for beside an equation)."""
    return step.justification if step.holds else reason_of(step)


def _short(step) -> bool:
    return visible_width(render(reason_of(step), "latex")) <= SHORT_REASON


def _beside(step, style: str, said: set[str] = frozenset()) -> str | Prose:
    """What stands beside a step: its rule (``audit``; with the assumptions it holds under,
    which a reader of the equation needs, e.g. "assuming k ∣ m", unless ``said`` holds them
    already) or its short reason."""
    if style == "audit":
        # the short conditions the proof states in words (k ∣ m, σ nondecreasing), not the
        # index ranges every step of a layer has, nor what the problem's assumptions said
        stated = [a for a in step.assumptions if isinstance(a, Prose | str)
                  and render(prose(a), "latex") not in said
                  and visible_width(render(prose(a), "latex")) <= SHORT_REASON // 2]
        if not stated:
            return step.outcome.tactic
        said = Prose(step.outcome.tactic, ", assuming ")
        for n, assumption in enumerate(stated):
            said = said + (", " if n else "") + prose(assumption)
        return said
    if _short(step):
        return reason_of(step)
    # an asserted failure says beside its ≠ that it is not an identity (the reason follows)
    return "in general" if not step.holds and _symbolic(step) else ""


def _reasons(proof: Proof, style: str) -> list[tuple[int, Status, str | Prose]]:
    """The numbered reasons listed after the derivation: every step's, with the kernel's full
    record (``audit``), or the long ones of ``solution`` (the short ones sit beside their
    step)."""
    reasons = []
    for number, step in enumerate(proof.steps, 1):
        if style == "audit":
            said = reason_of(step) if step.holds else Prose(
                "asserted to fail in general: ") + prose(step.justification)
            if getattr(step, "short_reason", "") and step.holds:
                said = prose(step.short_reason) + "; " + prose(step.justification)
            reasons.append((number, step.status,
                            prose(said) + " (" + step.outcome.written() + ")"))
        elif step.claim is None and prose(step.statement).formula() is None:
            # a step in words already says its short reason: the list gives the full one
            reasons.append((number, step.status, _full_reason(step)))
        elif not _short(step):
            reasons.append((number, step.status, reason_of(step)))  # not beside its step
    return reasons


def _results(proof: Proof) -> list[str]:
    result = proof.result
    if result is None:
        return []
    parts = list(result) if isinstance(result, sp.Tuple) else [result]
    return [latex(part) for part in parts]


def _checks_sentence(proof: Proof) -> Prose:
    """The cross-checks in one sentence, by kind (the ``audit`` style lists each)."""
    counts: dict[Status, int] = {}
    for check in proof.checks:
        counts[check.status] = counts.get(check.status, 0) + 1
    kinds = {Status.VERIFIED: ("exact check on a concrete instance",
                               "exact checks on concrete instances"),
             Status.SPOT_CHECKED: ("numeric comparison on random inputs",
                                   "numeric comparisons on random inputs"),
             Status.REFUTED: ("check that FAILED", "checks that FAILED"),
             Status.UNKNOWN: ("undecided check", "undecided checks")}
    said = [f"{n} {kinds.get(s, ('check', 'checks'))[n != 1]} ({status_mark(s, 'text')})"
            for s, n in sorted(counts.items(), reverse=True)]
    failed = Status.REFUTED in counts
    return Prose("Cross-checks: " + _with_and(said) + (
        "; the derivation is refuted." if failed else
        " agree with the derivation (they corroborate it; they are not part of the proof)."))


def _with_and(items: list[str]) -> str:
    """``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- LaTeX ----------------------------------------------------------------------------------

def _tag(row: Row) -> str:
    """``(n) why ✓`` beside a step, as an amsmath ``\\tag*`` (which amsmath moves below the
    equation when the line is full); a longer reason is item (n) after the derivation."""
    why = f" {render(row.why, 'latex')}" if row.why else ""
    return rf"\tag*{{\footnotesize ({row.number}){why} ${MARKS[row.status]}$}}"


def _md_tag(row: Row) -> str:
    why = (r"\;" + prose(row.why).in_math("markdown")) if row.why else ""
    return rf"&&\text{{({row.number})}}{why}\;{MARKS[row.status]}"


def _text_line(block: Block, medium: str) -> str:
    """A step stated in words: its text, then its mark at the right (the words say what
    the step is; its reason is in the list after the derivation)."""
    row = block.rows[0] if block.rows else None
    said = render(block.text, medium)
    if row is None:
        return said
    if medium == "latex":
        return rf"{said} \hfill{{\footnotesize ${MARKS[row.status]}$}}"
    return f"{said} {MD_MARKS[row.status]}"


def _long_lhs(row: Row) -> bool:
    return bool(row.lhs and row.relation) and visible_width(row.lhs) > LHS_WIDTH


def _tex_rows(rows: list[Row]) -> str:
    """The rows as ``align*`` environments: a row with a long left side, and the rows that
    continue its chain, in one of their own (so that the left side does not widen the first
    column of every row, and no line reads as the continuation of another chain)."""
    groups: list[list[Row]] = []
    for row in rows:
        kind, last = _layout(row), groups and _layout(groups[-1][0])
        # a new statement starts a new environment unless it is a chain after a chain or a
        # formula after a formula; a continued chain stays with its start
        if not groups or row.lhs is not None and (kind == "long" or kind != last):
            groups.append([row])
        else:
            groups[-1].append(row)
    return "\n".join(_tex_align(group) for group in groups)


def _layout(row: Row) -> str:
    """How a row sits: ``long`` (its left side on a line of its own), ``formula`` (a
    statement with no relation at the alignment point), else ``chain``."""
    return "long" if _long_lhs(row) else "formula" if not row.relation else "chain"


def _tex_align(rows: list[Row]) -> str:
    if _layout(rows[0]) == "formula":  # statements with no relation to align: centred
        lines = [rf"{row.rhs[0]} {_tag(row) if row.tagged else ''}" for row in rows]
        return "\\begin{gather*}\n" + " \\\\\n".join(lines) + "\n\\end{gather*}"
    lines = []
    indent = r"\qquad " if _long_lhs(rows[0]) else ""
    for row in rows:
        tag = _tag(row) if row.tagged else r"\notag"
        first, *more = row.rhs
        if more:  # the tag goes with the last line of a broken equation
            more, tag, first = more[:-1] + [f"{more[-1]} {tag}"], "", first
        if row.lhs is None:
            lines.append(rf"&{indent}{row.relation} {first} {tag}")
        elif _long_lhs(row):
            # a long left side on a line of its own, the relation below it (in an
            # environment of its own: see _tex_rows)
            lines.append(rf"&{row.lhs} \\ &{indent}{row.relation} {first} {tag}")
        else:
            lines.append(rf"{row.lhs} &{row.relation} {first} {tag}")
        lines += [rf"&\quad {line}" for line in more]
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def _tex_derivation(proof: Proof, style: str) -> list[str]:
    parts: list[str] = []
    pending: list[Row] = []  # consecutive rows share one align* environment
    for block in blocks(proof, style):
        if block.kind == "rows":
            pending += block.rows
            continue
        if pending:
            parts.append(_tex_rows(pending))
            pending = []
        parts.append(r"\noindent " + _text_line(block, "latex"))
    if pending:
        parts.append(_tex_rows(pending))
    return parts


def _tex_boxed(proof: Proof) -> str:
    results = _results(proof)
    if not results:
        return ""
    together = r" \qquad ".join(rf"\boxed{{{r}}}" for r in results)
    if visible_width(together) <= WIDTH:
        return rf"\[ {together} \]"
    return "\n".join(rf"\[ \boxed{{{r}}} \]" for r in results)


def tex_section(proof: Proof, style: str = "solution") -> str:
    """One proof as a LaTeX section in ``style`` (see :data:`STYLES`), its numbers as they
    were written (decimals stay decimals)."""
    check_style(style)
    with written_as_decimals(proof.decimals):
        return _tex_section(proof, style)


def _tex_section(proof: Proof, style: str) -> str:
    parts = [rf"\section{{{escape(proof.name.upper())}: {escape(proof.title)}}}",
             render(proof.statement, "latex")]
    assumed = [render(prose(a), "latex") for a in proof.assumptions]
    if assumed and style == "solution":
        parts.append(r"\noindent We assume " + "; ".join(assumed) + ".")
    elif assumed:
        parts.append(r"\paragraph{Assumptions} " + "; ".join(assumed) + ".")
    parts += [figure.latex() for figure in proof.figures]  # the setting, drawn
    parts.append(r"\paragraph{Derivation}" if style == "audit" else
                 r"\paragraph{Solution.}")
    parts += _tex_derivation(proof, style)
    reasons = _reasons(proof, style)
    if reasons and style == "audit":
        items = "\n".join(rf"\item[({n})] ${MARKS[s]}$ {render(text, 'latex')}"
                          for n, s, text in reasons)
        parts.append(r"\paragraph{Reasons}" + "\n\\begin{description}\n" + items
                     + "\n\\end{description}")
    elif reasons:
        parts.append(r"{\small\noindent " + " \\quad ".join(
            rf"({n})~{render(text, 'latex')}." for n, _, text in reasons) + r"\par}")
    if proof.checks and style == "audit":
        checks = "\n".join(rf"\item ${MARKS[c.status]}$ {render(c.statement, 'latex')}: "
                           rf"{render(c.justification, 'latex')} "
                           rf"({render(c.outcome.written(), 'latex')})"
                           for c in proof.checks)
        parts.append(r"\paragraph{Checks}" + "\n\\begin{itemize}\n" + checks
                     + "\n\\end{itemize}")
    elif proof.checks:
        parts.append(r"{\small\noindent " + _checks_sentence(proof).latex() + r"\par}")
    boxed = _tex_boxed(proof)
    if boxed:
        parts.append(_kept_together((r"\noindent Therefore" + "\n" if style == "solution"
                                     else "") + boxed))
    if proof.notes and style == "audit":
        notes = "\n".join(rf"\item {render(note, 'latex')}" for note in proof.notes)
        parts.append(r"\paragraph{Notes}" + "\n\\begin{itemize}\n" + notes + "\n\\end{itemize}")
    elif proof.notes:
        parts.append(r"\noindent\textit{Note.} " + " ".join(
            _sentence(render(note, "latex")) for note in proof.notes))
    return "\n\n".join(parts)


def _kept_together(tex: str) -> str:
    """``tex`` (the "Therefore" line and its box) on one page, and on the page of what
    precedes it: in a minipage, which a page break cannot split, with no break before it."""
    return (r"\nopagebreak\noindent\begin{minipage}{\linewidth}" + "\n" + tex + "\n"
            r"\end{minipage}")


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# --- Markdown -------------------------------------------------------------------------------

def _md_rows(rows: list[Row]) -> str:
    lines = []
    for row in rows:
        tag = _md_tag(row) if row.tagged else ""
        first, *more = row.rhs
        if more:  # the tag goes with the last line of a broken equation, as in LaTeX
            more, tag = more[:-1] + [f"{more[-1]} {tag}"], ""
        left = "" if row.lhs is None else row.lhs
        lines.append(rf"{left} &{row.relation} {first} {tag}")
        lines += [rf"&\quad {line}" for line in more]
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"


def _md_image(figure, file: str) -> str:
    """``![caption](file)``: the caption as alt text, Markdown's syntax and brackets
    escaped."""
    alt = re.sub(r"([\[\]])", r"\\\1", markdown_text(" ".join(figure.caption_text().split())))
    return f"![{alt}]({file})"


def markdown_section(proof: Proof, style: str = "solution",
                     files: dict[int, str] | None = None) -> list[str]:
    """One proof as Markdown lines: heading, statement, figures (each an image of the SVG
    file ``files`` names for it, by ``id``; none without ``files``), derivation, reasons,
    checks, result (the same content as :func:`tex_section` in the same ``style``)."""
    check_style(style)
    with written_as_decimals(proof.decimals):
        return _markdown_section(proof, style, files or {})


def _markdown_section(proof: Proof, style: str, files: dict[int, str]) -> list[str]:
    out = ["", f"## {markdown_text(proof.name.upper())}: {render(proof.title, 'markdown')}", "",
           render(proof.statement, "markdown"), ""]
    assumed = [render(prose(a), "markdown") for a in proof.assumptions]
    if assumed:
        out += [("We assume " if style == "solution" else "**Assumptions:** ")
                + "; ".join(assumed) + ".", ""]
    out += [_md_image(f, files[id(f)]) + "\n" for f in proof.figures if id(f) in files]
    for block in blocks(proof, style):
        out += [_md_rows(block.rows) if block.kind == "rows" else
                _text_line(block, "markdown"), ""]
    # "(n)", not "n.": Markdown renumbers an ordered list from its first item
    out += [f"- ({n}) {MD_MARKS[s]} {render(text, 'markdown')}"
            for n, s, text in _reasons(proof, style)]
    if proof.checks and style == "audit":
        out += ["", "**Checks:**", ""]
        out += [f"- {MD_MARKS[c.status]} {render(c.statement, 'markdown')}: "
                f"{render(c.justification, 'markdown')} "
                f"({render(c.outcome.written(), 'markdown')})"
                for c in proof.checks]
    elif proof.checks:
        out += ["", _checks_sentence(proof).markdown()]
    results = _results(proof)
    if results:
        out += ["", "Therefore" if style == "solution" else ""]
        out += [f"$$\\boxed{{{r}}}$$" for r in results]
    if proof.notes:
        out += ["", "**Notes:**", ""] + [f"- {render(note, 'markdown')}" for note in proof.notes]
    return out
