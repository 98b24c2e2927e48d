"""Solution documents: every proof as a section of a standalone LaTeX article (geometry,
amsmath, amssymb and, for pictures, plain TikZ) or of a Markdown file with ``$$…$$`` math,
with the legend of the marks and a summary table. Each proof's section comes from
:mod:`symproof.report`, so both formats say the same thing.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..kernel.outcome import Status
from ..proof import Proof
from ..report import (
    MARKS,
    MD_MARKS,
    STYLES,
    check_style,
    figure_files,
    markdown_section,
    tex_section,
    visible_width,
)
from .escape import escape

__all__ = ["tex_document", "markdown_document", "markdown_files", "MARKS", "LEGEND", "STYLES",
           "visible_width"]

LEGEND = [
    (Status.PROVED, "proved: a symbolic argument for all values of the symbols, under the "
                    "stated assumptions"),
    (Status.VERIFIED, "verified: checked exactly, case by case, on a finite concrete instance"),
    (Status.SPOT_CHECKED, "spot-checked: random numeric samples agree (their number, seed and "
                          "tolerance are given)"),
    (Status.REFUTED, "refuted: a counterexample is shown"),
    (Status.GIVEN, "given: not derived (a definition, the problem's data, a target or a "
                   "documented rule); never counted as proved"),
    (Status.UNKNOWN, "not decided"),
]

# Contents only when a reader needs them to find their way: more than this many problems.
CONTENTS_AFTER = 3


def _preamble(title: str, pictures: bool) -> list[str]:
    """A compact article: A4 with 2 cm margins (``geometry``, in texlive-latex-base), long
    derivations free to break across pages, the title as a heading, not a title page; plain
    TikZ when there are pictures."""
    return [
        r"\documentclass[11pt]{article}",
        r"\usepackage[a4paper,margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        *([r"\usepackage{tikz}"] if pictures else []),
        r"\setcounter{MaxMatrixCols}{100}",  # kernels wider than amsmath's default 10
        r"\allowdisplaybreaks",
        # a line of long inline formulas may stretch its spaces rather than overflow
        r"\setlength{\emergencystretch}{3em}",
        r"\setlength{\parindent}{0pt}\setlength{\parskip}{0.4em}",
        r"\begin{document}",
        rf"{{\centering\Large\bfseries {escape(title)}\par}}\medskip",
    ]


def _legend(style: str) -> list[str]:
    """What the marks mean, once: a sentence (solution) or a list (audit)."""
    if style == "solution":
        said = "; ".join(rf"${MARKS[s]}$ {escape(text.split(':')[0])}" for s, text in LEGEND)
        return [r"{\small\noindent\textit{Marks.} Every step carries one mark: " + said
                + ". A problem is as strong as its weakest step; checks on concrete "
                  r"instances corroborate it and never count as a proof.\par}"]
    legend = "\n".join(rf"\item[${MARKS[s]}$] {escape(text)}" for s, text in LEGEND)
    return [r"\section*{How sure each step is}",
            r"Every step carries a mark; a problem is as strong as its weakest step. Checks on "
            r"concrete instances corroborate the derivation and never count as a proof.",
            r"\begin{description}", legend, r"\end{description}"]


def tex_document(proofs: list[Proof], title: str = "Solutions", *,
                 style: str = "solution") -> str:
    """A complete article in ``style`` (``solution``, a model answer, or ``audit``, the full
    trail): title, contents when there are more than three problems, the legend once, one
    section per proof, summary table."""
    check_style(style)
    summary = "\n".join(
        rf"{escape(p.name.upper())} & {escape(p.title)} & {escape(p.status.name)} \\"
        for p in proofs)
    contents = [r"{\small\tableofcontents}"] if len(proofs) > CONTENTS_AFTER else []
    return "\n".join([
        *_preamble(title, pictures=any(p.figures for p in proofs)),
        *contents,
        *_legend(style),
        *(tex_section(p, style) for p in proofs),
        r"\section*{Summary}",
        r"\begin{tabular}{lll}", r"problem & title & status \\ \hline", summary,
        r"\end{tabular}",
        r"\end{document}", ""])


def markdown_document(proofs: list[Proof], title: str = "Solutions", *,
                      style: str = "solution", figure_prefix: str | None = None) -> str:
    """The same content as :func:`tex_document`, as Markdown with ``$$…$$`` math; with
    ``figure_prefix``, each figure is an image of the SVG file :func:`markdown_files` writes
    beside the document (without it, figures are left out: there is no file to show)."""
    check_style(style)
    files = None if figure_prefix is None else {
        id(figure): name for name, figure in figure_files(proofs, figure_prefix).items()}
    out = [f"# {title}", "", "| mark | meaning |", "| --- | --- |"]
    out += [f"| {MD_MARKS[s]} | {text} |" for s, text in LEGEND]
    for proof in proofs:
        out += markdown_section(proof, style, files)
    out += ["", "## Summary", "", "| problem | title | status |", "| --- | --- | --- |"]
    out += [f"| {p.name.upper()} | {p.title} | {p.status.name} |" for p in proofs]
    return "\n".join(out) + "\n"


def markdown_files(proofs: list[Proof], path: str | Path, title: str = "Solutions", *,
                   style: str = "solution") -> dict[Path, str]:
    """What ``prove --markdown path`` writes: the document at ``path`` and, beside it, one SVG
    file per figure, named after the document (``hw-p1-taps.svg`` for ``hw.md``)."""
    path = Path(path)
    prefix = re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem) + "-"
    files = {path: markdown_document(proofs, title, style=style, figure_prefix=prefix)}
    for name, figure in figure_files(proofs, prefix).items():
        files[path.parent / name] = figure.svg()
    return files
