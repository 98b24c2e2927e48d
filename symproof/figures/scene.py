"""One small scene model that every figure is built as, and both renderers read.

Coordinates are grid units, ``x`` to the right and ``y`` downwards (row ``r`` of a drawn grid
spans ``y = r … r + 1``), so a builder places the cells of an image as one reads a matrix.
Everything drawn that carries meaning also carries it as data: a cell knows its kind
(``input``, ``padding``, ``tap``, ``unread``, …), the index it stands for (``key``) and, for a
tap, its exact weight (``value``). Content tests read those, not pixels.

Math labels are :class:`Label` pairs, LaTeX for TikZ and Unicode for SVG, made from a SymPy
expression by the course's printers (:func:`label`) or written as a pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp

from ..limits import check
from ..printing import as_written_decimal, decimal_text, latex, text

__all__ = ["Label", "Cell", "Rect", "Arrow", "Note", "Scene", "label", "number", "check_cells",
           "visible_width", "label_box", "fitting_scale", "CELL_KINDS", "VARIANTS", "CHAR_WIDTH"]

#: How many looks (colour and dash pattern) overlapping windows of one style cycle through.
VARIANTS = 4
#: About how wide one printed character of a small label is, in grid units, and how tall.
CHAR_WIDTH, LABEL_HEIGHT = 0.22, 0.4

#: What a cell can be, and so how it is filled (both renderers read this one table).
CELL_KINDS = ("input", "padding", "tap", "padding-tap", "unread", "read", "node")


@dataclass(frozen=True)
class Label:
    """A math label: ``tex`` (LaTeX math, without ``$``) and ``plain`` (Unicode)."""

    tex: str
    plain: str


def label(expr: object) -> Label:
    """A SymPy expression (or an int) as a :class:`Label`, in the course's notation."""
    expr = sp.Integer(expr) if isinstance(expr, int) else expr
    return Label(latex(expr), text(expr).replace("-", "−"))


def number(value: sp.Expr, *, decimals: bool | None = None) -> Label:
    """An exact weight as the user wrote it: integers as integers, a rational as a decimal when
    it was written as one (a float, or a value :func:`~symproof.printing.written_as_decimals`
    marks, as a worked problem does for 0.299; ``decimals`` decides instead when given), else
    as a fraction (3/5 stays 3/5, 1/k² a fraction); anything else as printed."""
    written = isinstance(value, sp.Float)
    value = sp.nsimplify(value) if written else value
    if isinstance(value, sp.Rational) and not value.is_Integer:
        shown = decimal_text(value) if (decimals if decimals is not None else
                                        written or as_written_decimal(value)) else None
        if shown is not None:
            return Label(shown, shown.replace("-", "−"))
    return label(value)


def label_box(rect: Rect, scale: float = 1.0) -> tuple[float, float, float, float]:
    """About the box ``(x0, y0, x1, y1)`` a rectangle's label covers, in grid units of a scene
    drawn at ``scale`` (what must stay clear of every line drawn): the renderers draw the
    grid ``scale`` times larger and the labels at one size."""
    x, y = rect.label_at
    half = visible_width(rect.text) * CHAR_WIDTH / 2 / scale if rect.text is not None else 0.0
    height = LABEL_HEIGHT / scale
    return (x - half, y - height / 2, x + half, y + height / 2)


def fitting_scale(content: Label | str, room: float = 0.9) -> float:
    """The scale at which a label fits ``room`` grid units across (1 if it already does)."""
    return max(1.0, visible_width(content) * CHAR_WIDTH / room)


def visible_width(content: Label | str) -> int:
    """About how many characters a label prints (script braces and marks do not count)."""
    shown = content.plain if isinstance(content, Label) else content
    return sum(1 for c in shown if c not in "_{}^")


@dataclass(frozen=True)
class Cell:
    """One unit square at ``(x, y)`` (its top-left corner) of ``kind`` (:data:`CELL_KINDS`).

    ``key`` is what the cell stands for (an input entry ``(γ, p, q)``, a tap ``(l, γ, α, β)``),
    ``value`` a tap's exact weight, ``text`` what is written in it."""

    x: float
    y: float
    kind: str
    key: tuple = ()
    value: sp.Expr | None = None
    text: Label | None = None


@dataclass(frozen=True)
class Rect:
    """A rectangle from ``(x0, y0)`` to ``(x1, y1)``: a window (``style`` ``window``,
    ``boundary``, ``tile``, ``field``) or a box around a node; ``key`` says which.

    ``variant`` tells windows of one style apart where they overlap (each renderer draws
    variant ``n`` in its own colour and dash pattern, :data:`VARIANTS` of them); ``at`` is the
    centre of the label when it is not the rectangle's (a corner cell, off every line)."""

    x0: float
    y0: float
    x1: float
    y1: float
    style: str
    key: tuple = ()
    text: Label | None = None
    variant: int = 0
    at: tuple[float, float] | None = None

    @property
    def label_at(self) -> tuple[float, float]:
        """Where the label's centre is drawn."""
        return self.at if self.at is not None else ((self.x0 + self.x1) / 2,
                                                    (self.y0 + self.y1) / 2)


@dataclass(frozen=True)
class Arrow:
    """An arrow (``style`` ``arrow``) or a plain line (``line``) from ``start`` to ``end``,
    optionally labelled above its middle."""

    start: tuple[float, float]
    end: tuple[float, float]
    style: str = "arrow"
    text: Label | None = None


@dataclass(frozen=True)
class Note:
    """Text at ``(x, y)``: math (a :class:`Label`) or prose (a str), ``anchor`` ``center``,
    ``left`` (starts at x) or ``right`` (ends at x); ``size`` ``small`` or ``normal``."""

    x: float
    y: float
    content: Label | str
    anchor: str = "center"
    size: str = "small"


@dataclass
class Scene:
    """Everything a figure draws, in grid units; ``width`` × ``height`` bounds it. ``scale``
    enlarges the grid unit (cells that hold long numbers)."""

    width: float = 0.0
    height: float = 0.0
    cells: list[Cell] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    scale: float = 1.0

    def fit(self, x: float, y: float) -> None:
        """Grow the bounds to hold the point ``(x, y)``."""
        self.width, self.height = max(self.width, x), max(self.height, y)

    def add_cell(self, cell: Cell) -> None:
        self.cells.append(cell)
        self.fit(cell.x + 1, cell.y + 1)

    def add_rect(self, rect: Rect) -> None:
        self.rects.append(rect)
        self.fit(rect.x1, rect.y1)

    def add_note(self, note: Note) -> None:
        self.notes.append(note)
        width = visible_width(note.content) * (0.3 if note.size == "small" else 0.4)
        reach = {"left": width, "center": width / 2}.get(note.anchor, 0.0)
        self.fit(note.x + reach, note.y + 0.5)

    def add_arrow(self, arrow: Arrow) -> None:
        self.arrows.append(arrow)
        self.fit(max(arrow.start[0], arrow.end[0]), max(arrow.start[1], arrow.end[1]))

    def painted(self, cell, rect, arrow, note) -> list[str]:
        """Every element drawn by the renderer's function for its kind, in the one painting
        order of every renderer: cells, then windows over them, arrows, and labels on top."""
        out: list[str] = []
        for elements, draw in ((self.cells, cell), (self.rects, rect), (self.arrows, arrow),
                               (self.notes, note)):
            for element in elements:
                out += draw(element)
        return out

    def place(self, other: Scene, dx: float, dy: float) -> None:
        """Copy ``other`` into this scene, shifted by ``(dx, dy)`` (panels side by side)."""
        for c in other.cells:
            self.add_cell(Cell(c.x + dx, c.y + dy, c.kind, c.key, c.value, c.text))
        for r in other.rects:
            at = None if r.at is None else (r.at[0] + dx, r.at[1] + dy)
            self.add_rect(replace(r, x0=r.x0 + dx, y0=r.y0 + dy, x1=r.x1 + dx, y1=r.y1 + dy,
                                  at=at))
        for a in other.arrows:
            self.add_arrow(Arrow((a.start[0] + dx, a.start[1] + dy),
                                 (a.end[0] + dx, a.end[1] + dy), a.style, a.text))
        for n in other.notes:
            self.add_note(Note(n.x + dx, n.y + dy, n.content, n.anchor, n.size))
        self.fit(other.width + dx, other.height + dy)
        self.scale = max(self.scale, other.scale)

    def cells_of(self, *kinds: str) -> list[Cell]:
        """The cells of the given kinds."""
        return [c for c in self.cells if c.kind in kinds]


def check_cells(what: str, count: int) -> None:
    """Refuse, before anything is drawn, a figure of more than ``figure_cells`` cells."""
    check("figure_cells", what, count)
