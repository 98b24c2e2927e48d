"""A scene as an SVG file (what Markdown documents show): the same cells, windows, arrows and
labels as the TikZ picture, the labels in Unicode, every piece of text XML-escaped."""

from __future__ import annotations

import re
from html import escape  # & < > " ' as entities; xml.sax.saxutils costs 20 ms to import

from .scene import Arrow, Cell, Label, Note, Rect, Scene

__all__ = ["svg", "FILLS", "PIXELS"]

PIXELS = 26  # per grid unit
FILLS = {"input": "#ffffff", "padding": "#d9d9d9", "tap": "#d1dcf5", "padding-tap": "#f5cccc",
         "unread": "#ffffff", "read": "#fbd3a6", "node": "#ffffff"}
RECTS = {"window": 'fill="none" stroke="#1f3f8f" stroke-width="2.5"',
         "boundary": 'fill="none" stroke="#a31f1f" stroke-width="2.5" stroke-dasharray="6 3"',
         "tile": 'fill="none" stroke="#000000" stroke-width="2"',
         "field": 'fill="#4d4d4d" stroke="none"',
         "node": 'fill="#ffffff" stroke="#000000" stroke-width="1" rx="4"'}
_ANCHORS = {"center": "middle", "left": "start", "right": "end"}


def _p(value: float) -> str:
    return f"{value * PIXELS:.1f}".rstrip("0").rstrip(".")


# A sub- or superscript of a label's Unicode form: ``_{ℓ−1}``, ``_1,1`` or ``^T`` (a run up to
# a space, an operator or a bracket).
_RUN = r"[^\s/()=+−\-×⋯,{}]+"
_SCRIPT = re.compile(rf"([_^])(?:\{{([^{{}}]*)\}}|({_RUN}(?:,{_RUN})*))")
# How far a script moves from the baseline, in font sizes (SVG's y grows downwards).
_SHIFT = {"_": 0.3, "^": -0.4}


def _shown(content: Label | str, size: int) -> str:
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
          size: int = 11) -> str:
    return (f'<text x="{_p(x)}" y="{_p(y)}" font-size="{size}" text-anchor="'
            f'{_ANCHORS[anchor]}" dominant-baseline="central">{_shown(content, size)}</text>')


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


def _rect(r: Rect) -> list[str]:
    out = [f'<rect x="{_p(r.x0)}" y="{_p(r.y0)}" width="{_p(r.x1 - r.x0)}" '
           f'height="{_p(r.y1 - r.y0)}" {RECTS[r.style]}/>']
    if r.text is not None:
        middle = (r.x0 + r.x1) / 2
        y = r.y1 + 0.45 if r.style == "field" else (r.y0 + r.y1) / 2
        out.append(_text(middle, y, r.text, size=10))
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
    out += scene.painted(_cell, _rect, _arrow, _note)
    out += ["</g>", "</svg>"]
    return "\n".join(out) + "\n"
