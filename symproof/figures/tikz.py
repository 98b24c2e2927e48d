"""A scene as a TikZ picture: plain TikZ (no library), so a document needs only
``\\usepackage{tikz}`` and pdflatex. Grid units become centimetres at a scale that keeps the
picture within the text width; ``y`` points down, as in the scene."""

from __future__ import annotations

from ..latex.escape import escape
from .scene import Arrow, Cell, Label, Note, Rect, Scene, visible_width

__all__ = ["tikz", "tikz_figure", "tikz_standalone", "caption_tex", "FILLS", "WIDTH_CM"]

#: Fill of each cell kind (xcolor names, which TikZ loads).
FILLS = {"input": "white", "padding": "black!15", "tap": "blue!18", "padding-tap": "red!20",
         "unread": "white", "read": "orange!35", "node": "white"}
RECTS = {"window": "draw=blue!70!black, line width=1.2pt",
         "boundary": "draw=red!75!black, line width=1.2pt, dashed",
         "tile": "draw=black, line width=0.9pt",
         "field": "fill=black!70, draw=none",
         "node": "draw=black, rounded corners=2pt, fill=white"}
#: The widest picture (cm), and the largest grid unit: the text width is 15.5 cm.
WIDTH_CM, UNIT_CM = 14.5, 0.5


def _n(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _math(content: Label | str) -> str:
    return f"${content.tex}$" if isinstance(content, Label) else escape(content)


def _font(shown: Label | str, room: float = 1.0) -> str:
    """Small enough for a label to fit ``room`` cells."""
    length = visible_width(shown)
    return r"\tiny" if length > 3 * room else r"\scriptsize"


def _cell(c: Cell) -> list[str]:
    x, y = _n(c.x), _n(c.y)
    lines = [rf"\filldraw[fill={FILLS[c.kind]}, draw=black!45] ({x},{y}) rectangle "
             rf"+(1,1);"]
    if c.kind == "unread":  # hatched: three diagonal strokes
        lines.append(rf"\draw[black!55] ({x},{_n(c.y + 0.5)}) -- +(0.5,0.5) ({x},{y}) -- "
                     rf"+(1,1) ({_n(c.x + 0.5)},{y}) -- +(0.5,0.5);")
    if c.text is not None:
        lines.append(rf"\node[font={_font(c.text)}, inner sep=0pt] at "
                     rf"({_n(c.x + 0.5)},{_n(c.y + 0.5)}) {{{_math(c.text)}}};")
    return lines


def _rect(r: Rect) -> list[str]:
    lines = [rf"\path[{RECTS[r.style]}] ({_n(r.x0)},{_n(r.y0)}) rectangle "
             rf"({_n(r.x1)},{_n(r.y1)});"]
    if r.text is not None:
        cx = _n((r.x0 + r.x1) / 2)
        if r.style == "field":  # a bar: its label under it
            lines.append(rf"\node[font=\scriptsize, anchor=north] at ({cx},{_n(r.y1)}) "
                         rf"{{{_math(r.text)}}};")
        else:
            room = r.x1 - r.x0
            lines.append(rf"\node[font={_font(r.text, room)}, inner sep=1pt, fill=white] at "
                         rf"({cx},{_n((r.y0 + r.y1) / 2)}) {{{_math(r.text)}}};")
    return lines


def _arrow(a: Arrow) -> list[str]:
    style = "->, >=stealth, semithick" if a.style == "arrow" else "black!45"
    shown = "" if a.text is None else \
        rf" node[midway, above, font=\scriptsize] {{{_math(a.text)}}}"
    return [rf"\draw[{style}] ({_n(a.start[0])},{_n(a.start[1])}) -- "
            rf"({_n(a.end[0])},{_n(a.end[1])}){shown};"]


_ANCHORS = {"center": "center", "left": "west", "right": "east"}


def _note(n: Note) -> list[str]:
    font = r"\scriptsize" if n.size == "small" else r"\small"
    return [rf"\node[font={font}, anchor={_ANCHORS[n.anchor]}, inner sep=1pt] at "
            rf"({_n(n.x)},{_n(n.y)}) {{{_math(n.content)}}};"]


def tikz(scene: Scene) -> str:
    """The ``tikzpicture`` of ``scene``, scaled to fit the text width."""
    unit = min(UNIT_CM * scene.scale, WIDTH_CM / max(scene.width, 1.0))
    lines = [rf"\begin{{tikzpicture}}[x={_n(unit)}cm, y=-{_n(unit)}cm]"]
    lines += scene.painted(_cell, _rect, _arrow, _note)
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def caption_tex(caption: tuple) -> str:
    """A caption (prose and :class:`~.scene.Label` parts) as LaTeX text: prose escaped, math
    parts in ``$…$``."""
    return "".join(_math(part) for part in caption)


def tikz_figure(scene: Scene, caption: tuple) -> str:
    """A LaTeX ``figure`` float: the picture of ``scene``, centred, and its caption."""
    return "\n".join([r"\begin{figure}[htbp]", r"\centering", tikz(scene),
                      rf"\caption{{{caption_tex(caption)}}}", r"\end{figure}"])


def tikz_standalone(scene: Scene, caption: tuple) -> str:
    """A document of its own holding just the picture and its caption (what ``symproof
    layer … --figure out.tex`` writes)."""
    return "\n".join([r"\documentclass[11pt]{article}", r"\usepackage{amsmath,amssymb,tikz}",
                      r"\setlength{\textwidth}{15.5cm}\setlength{\oddsidemargin}{0.2cm}",
                      r"\pagestyle{empty}", r"\begin{document}", r"\begin{center}",
                      tikz(scene), r"\end{center}", r"\medskip", "",
                      r"\noindent " + caption_tex(caption), r"\end{document}", ""])
