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
#: The looks of overlapping windows of one style (Rect.variant): colour and dash pattern.
VARIANT_LOOKS = ("", "draw=blue!70!black, dashed", "draw=red!70!black, dotted",
                 "draw=green!45!black, dash dot")
_COLOURS = ("black", "blue!70!black", "red!70!black", "green!45!black")
#: The margin around a figure on a page of its own (pt), and the narrowest its caption is set.
MARGIN_PT, CAPTION_MIN_CM = 6, 9
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


def _rect(r: Rect, shrink: float = 1.0) -> list[str]:
    look = VARIANT_LOOKS[r.variant % len(VARIANT_LOOKS)]
    lines = [rf"\path[{RECTS[r.style]}{', ' + look if look else ''}] ({_n(r.x0)},{_n(r.y0)}) "
             rf"rectangle ({_n(r.x1)},{_n(r.y1)});"]
    if r.text is not None:
        cx = _n((r.x0 + r.x1) / 2)
        if r.style == "field":  # a bar: its label under it
            lines.append(rf"\node[font=\scriptsize, anchor=north] at ({cx},{_n(r.y1)}) "
                         rf"{{{_math(r.text)}}};")
        else:  # in the colour of its window; as small as the grid is (scene.label_box)
            x, y = r.label_at
            room = r.x1 - r.x0 if r.at is None else 1.0
            colour = _COLOURS[r.variant % len(_COLOURS)]
            scaled = f", scale={_n(shrink)}" if shrink < 1 else ""
            lines.append(rf"\node[font={_font(r.text, room)}, text={colour}, inner sep=0.5pt, "
                         rf"fill=white{scaled}] at ({_n(x)},{_n(y)}) {{{_math(r.text)}}};")
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
    # a grid drawn smaller than its scale asks shrinks the labels inside its cells with it
    shrink = unit / (UNIT_CM * scene.scale)
    lines = [rf"\begin{{tikzpicture}}[x={_n(unit)}cm, y=-{_n(unit)}cm]"]
    lines += scene.painted(_cell, lambda r: _rect(r, shrink), _arrow, _note)
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
    """A document of its own holding just the picture and its caption, on a page cut to
    their size (what ``symproof layer … --figure out.tex`` writes, and ``out.pdf``
    compiles): the two are set in a box first, and the page takes the box's size plus a
    small margin. Plain pdflatex (``\\pdfpagewidth``), no package beyond TikZ."""
    return "\n".join([
        r"\documentclass[11pt]{article}", r"\usepackage{amsmath,amssymb,tikz}",
        r"\pagestyle{empty}",
        # the text area starts at the page's corner, less the margin, and is large enough
        # for any box: the page, not the text area, is cut to the picture
        rf"\setlength{{\hoffset}}{{\dimexpr {MARGIN_PT}pt-1in\relax}}",
        rf"\setlength{{\voffset}}{{\dimexpr {MARGIN_PT}pt-1in\relax}}",
        r"\setlength{\oddsidemargin}{0pt}\setlength{\topmargin}{0pt}",
        r"\setlength{\headheight}{0pt}\setlength{\headsep}{0pt}\setlength{\topskip}{0pt}",
        r"\setlength{\textwidth}{50cm}\setlength{\textheight}{50cm}",
        r"\setlength{\parindent}{0pt}",
        r"\newsavebox{\picturebox}\newsavebox{\figurebox}\newlength{\across}",
        r"\begin{document}",
        r"\sbox{\picturebox}{" + tikz(scene) + "}",
        # the caption is set as wide as the picture, but never narrower than a short line
        r"\setlength{\across}{\wd\picturebox}",
        rf"\ifdim\across<{CAPTION_MIN_CM}cm \setlength{{\across}}{{{CAPTION_MIN_CM}cm}}\fi",
        r"\sbox{\figurebox}{\begin{minipage}[t]{\across}\centering\usebox{\picturebox}"
        r"\par\medskip\raggedright " + caption_tex(caption) + r"\end{minipage}}",
        rf"\pdfpagewidth=\dimexpr\wd\figurebox+{2 * MARGIN_PT}pt\relax",
        rf"\pdfpageheight=\dimexpr\ht\figurebox+\dp\figurebox+{2 * MARGIN_PT}pt\relax",
        r"\usebox{\figurebox}", r"\end{document}", ""])
