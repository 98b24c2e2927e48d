"""Solution documents: every proof as a section of a standalone LaTeX article (amsmath and
amssymb only) or of a Markdown file with ``$$…$$`` math, with the legend of the marks and a
summary table. Each proof's section comes from :mod:`symproof.report`, so both formats say the
same thing.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..kernel.outcome import Status
from ..proof import Proof
from ..report import MARKS, MD_MARKS, figure_files, markdown_section, tex_section, visible_width
from .escape import escape

__all__ = ["tex_document", "markdown_document", "markdown_files", "MARKS", "LEGEND",
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

def tex_document(proofs: list[Proof], title: str = "Solutions, derived by symproof") -> str:
    """A complete article: title, contents, legend, one section per proof, summary table."""
    legend = "\n".join(rf"\item[${MARKS[s]}$] {escape(text)}" for s, text in LEGEND)
    summary = "\n".join(
        rf"{escape(p.name.upper())} & {escape(p.title)} & {escape(p.status.name)} \\"
        for p in proofs)
    return "\n".join([
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath,amssymb}",
        *([r"\usepackage{tikz}"] if any(p.figures for p in proofs) else []),  # plain TikZ
        r"\setcounter{MaxMatrixCols}{100}",  # kernels wider than amsmath's default 10
        r"\setlength{\textwidth}{15.5cm}\setlength{\oddsidemargin}{0.2cm}",
        r"\setlength{\textheight}{22cm}\setlength{\topmargin}{-1cm}",
        r"\allowdisplaybreaks",
        rf"\title{{{escape(title)}}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        r"\tableofcontents",
        r"\section*{How sure each step is}",
        r"Every step carries a mark; a problem is as strong as its weakest step. Checks on "
        r"concrete instances corroborate the derivation and never count as a proof.",
        r"\begin{description}", legend, r"\end{description}",
        *(tex_section(p) for p in proofs),
        r"\section*{Summary}",
        r"\begin{tabular}{lll}", r"problem & title & status \\ \hline", summary,
        r"\end{tabular}",
        r"\end{document}", ""])


def markdown_document(proofs: list[Proof], title: str = "Solutions, derived by symproof", *,
                      figure_prefix: str | None = None) -> str:
    """The same content as :func:`tex_document`, as Markdown with ``$$…$$`` math; with
    ``figure_prefix``, each figure is an image of the SVG file :func:`markdown_files` writes
    beside the document (without it, figures are left out: there is no file to show)."""
    files = None if figure_prefix is None else {
        id(figure): name for name, figure in figure_files(proofs, figure_prefix).items()}
    out = [f"# {title}", "", "| mark | meaning |", "| --- | --- |"]
    out += [f"| {MD_MARKS[s]} | {text} |" for s, text in LEGEND]
    for proof in proofs:
        out += markdown_section(proof, files)
    out += ["", "## Summary", "", "| problem | title | status |", "| --- | --- | --- |"]
    out += [f"| {p.name.upper()} | {p.title} | {p.status.name} |" for p in proofs]
    return "\n".join(out) + "\n"


def markdown_files(proofs: list[Proof], path: str | Path,
                   title: str = "Solutions, derived by symproof") -> dict[Path, str]:
    """What ``prove --markdown path`` writes: the document at ``path`` and, beside it, one SVG
    file per figure, named after the document (``hw-p1-taps.svg`` for ``hw.md``)."""
    path = Path(path)
    prefix = re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem) + "-"
    files = {path: markdown_document(proofs, title, figure_prefix=prefix)}
    for name, figure in figure_files(proofs, prefix).items():
        files[path.parent / name] = figure.svg()
    return files
