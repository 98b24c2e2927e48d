"""A scene as an SVG file (what Markdown documents show): the same cells, windows, arrows and
labels as the TikZ picture, the labels in Unicode, every piece of text XML-escaped."""

from __future__ import annotations

import re
from html import escape  # & < > " ' as entities; xml.sax.saxutils costs 20 ms to import

from .scene import Arrow, Cell, Label, Note, Rect, Scene, label_box

__all__ = ["svg", "FILLS", "PIXELS"]

PIXELS = 26  # per grid unit
FILLS = {"input": "#ffffff", "padding": "#d9d9d9", "tap": "#d1dcf5", "padding-tap": "#f5cccc",
         "unread": "#ffffff", "read": "#fbd3a6", "node": "#ffffff"}
RECTS = {"window": 'fill="none" stroke="#1f3f8f" stroke-width="2.5"',
         "boundary": 'fill="none" stroke="#a31f1f" stroke-width="2.5" stroke-dasharray="6 3"',
         "tile": 'fill="none" stroke="#000000" stroke-width="2"',
         "field": 'fill="#4d4d4d" stroke="none"',
         "node": 'fill="#ffffff" stroke="#000000" stroke-width="1" rx="4"'}
#: The looks of overlapping windows of one style (Rect.variant): stroke colour and dashes.
VARIANT_LOOKS = (("", ""), ("#1f3f8f", "6 3"), ("#a31f1f", "2 2"), ("#2a6e2a", "6 2 2 2"))
_ANCHORS = {"center": "middle", "left": "start", "right": "end"}


def _p(value: float) -> str:
    return f"{value * PIXELS:.1f}".rstrip("0").rstrip(".")


# A sub- or superscript of a label's Unicode form: ``_{ℓ−1}``, ``_1,1`` or ``^T`` (a run up to
# a space, an operator or a bracket).
_RUN = r"[^\s/()=+−\-×⋯,{}]+"
_SCRIPT = re.compile(rf"([_^])(?:\{{([^{{}}]*)\}}|({_RUN}(?:,{_RUN})*))")
# How far a script moves from the baseline, in font sizes (SVG's y grows downwards).
_SHIFT = {"_": 0.3, "^": -0.4}


def _shown(content: Label | str, size: float) -> str:
    """The text of an SVG ``<text>``: prose escaped; a math label with its sub- and
    superscripts set small and moved by ``dy`` (SVG has no TeX; ``dy`` is read by every
    viewer, where ``baseline-shift`` is not), so that ``w_1,1`` reads as w₁,₁."""
    if not isinstance(content, Label):
        return escape(content)
    out, pending, at = [], 0.0, 0
    for match in _SCRIPT.finditer(content.plain):
        before = content.plain[at:match.start()]
        out.append(_moved(before, pending))
        pending = 0.0 if before else pending
        shift = round(_SHIFT[match.group(1)] * size, 1)
        script = match.group(2) if match.group(2) is not None else match.group(3)
        out.append(f'<tspan dy="{pending + shift:g}" font-size="{round(size * 0.75, 1):g}">'
                   f"{escape(script)}</tspan>")
        pending, at = -shift, match.end()
    out.append(_moved(content.plain[at:], pending))
    return "".join(out)


def _moved(text: str, dy: float) -> str:
    """``text`` back on the baseline (``dy`` after a script), or as it is."""
    if not text:
        return ""
    return f'<tspan dy="{dy:g}">{escape(text)}</tspan>' if dy else escape(text)


def _text(x: float, y: float, content: Label | str, *, anchor: str = "center",
          size: float = 11, fill: str = "#000000") -> str:
    colour = "" if fill == "#000000" else f' fill="{fill}"'
    return (f'<text x="{_p(x)}" y="{_p(y)}" font-size="{size:.3g}" text-anchor="'
            f'{_ANCHORS[anchor]}" dominant-baseline="central"{colour}>'
            f'{_shown(content, size)}</text>')


def _cell(c: Cell) -> list[str]:
    out = [f'<rect x="{_p(c.x)}" y="{_p(c.y)}" width="{_p(1)}" height="{_p(1)}" '
           f'fill="{FILLS[c.kind]}" stroke="#8c8c8c" stroke-width="1"/>']
    if c.kind == "unread":
        for (x0, y0), (x1, y1) in (((0, 0.5), (0.5, 1)), ((0, 0), (1, 1)), ((0.5, 0), (1, 0.5))):
            out.append(f'<line x1="{_p(c.x + x0)}" y1="{_p(c.y + y0)}" x2="{_p(c.x + x1)}" '
                       f'y2="{_p(c.y + y1)}" stroke="#737373" stroke-width="1"/>')
    if c.text is not None:
        size = 8 if len(c.text.plain) > 3 else 10
        out.append(_text(c.x + 0.5, c.y + 0.5, c.text, size=size))
    return out


def _rect(r: Rect, scale: float = 1.0) -> list[str]:
    colour, dashes = VARIANT_LOOKS[r.variant % len(VARIANT_LOOKS)]
    look = RECTS[r.style]
    if colour:  # later attributes would be duplicates: replace the stroke, add the dashes
        look = re.sub(r'stroke="[^"]*"', f'stroke="{colour}"', look)
        look += f' stroke-dasharray="{dashes}"'
    out = [f'<rect x="{_p(r.x0)}" y="{_p(r.y0)}" width="{_p(r.x1 - r.x0)}" '
           f'height="{_p(r.y1 - r.y0)}" {look}/>']
    if r.text is None:
        return out
    if r.style == "field":
        out.append(_text((r.x0 + r.x1) / 2, r.y1 + 0.45, r.text, size=10))
        return out
    x, y = r.label_at  # on a white box, in its window's colour: no line shows through it
    x0, y0, x1, y1 = label_box(r, scale)
    out.append(f'<rect x="{_p(x0)}" y="{_p(y0)}" width="{_p(x1 - x0)}" height="{_p(y1 - y0)}" '
               'fill="#ffffff" stroke="none"/>')
    # the group is scaled by the scene's scale: the label keeps its size, the cells grow
    out.append(_text(x, y, r.text, size=10 / scale, fill=colour or "#000000"))
    return out


def _arrow(a: Arrow) -> list[str]:
    style = ('stroke="#000000" stroke-width="1.5" marker-end="url(#head)"'
             if a.style == "arrow" else 'stroke="#8c8c8c" stroke-width="1"')
    out = [f'<line x1="{_p(a.start[0])}" y1="{_p(a.start[1])}" x2="{_p(a.end[0])}" '
           f'y2="{_p(a.end[1])}" {style}/>']
    if a.text is not None:
        out.append(_text((a.start[0] + a.end[0]) / 2, (a.start[1] + a.end[1]) / 2 - 0.4,
                         a.text, size=10))
    return out


def _note(n: Note) -> list[str]:
    return [_text(n.x, n.y, n.content, anchor=n.anchor, size=10 if n.size == "small" else 12)]


def svg(scene: Scene, title: str = "") -> str:
    """The SVG document of ``scene`` (``title``: the caption, for readers and tools)."""
    width, height = _p((scene.width + 1) * scene.scale), _p((scene.height + 1) * scene.scale)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="serif">']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    out += ['<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" '
            'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#000000"/></marker></defs>',
            '<rect width="100%" height="100%" fill="#ffffff"/>',
            f'<g transform="scale({scene.scale:g})">']
    out += scene.painted(_cell, lambda r: _rect(r, scene.scale), _arrow, _note)
    out += ["</g>", "</svg>"]
    return "\n".join(out) + "\n"
