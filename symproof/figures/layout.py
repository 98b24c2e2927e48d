"""What several builders share: a small concrete instance of symbolic sizes, the padded input
grid of one channel, and panels laid out in rows."""

from __future__ import annotations

import sympy as sp

from ..errors import ParameterError
from ..text import text
from .scene import Cell, Label, Note, Scene, label

__all__ = ["Geometry", "Instance", "grid", "arrange", "PANEL_GAP", "ROW_WIDTH"]

#: Grid units between panels, and the width a row of panels may reach before the next row.
PANEL_GAP = 2
ROW_WIDTH = 30


class Geometry:
    """One axis of a concrete window: kernel ``f``, stride ``s``, padding ``p``, dilation
    ``d``, on an input of ``n`` entries."""

    def __init__(self, f: int, s: int, p: int, d: int, n: int):
        self.f, self.s, self.p, self.d, self.n = f, s, p, d, n

    @property
    def span(self) -> int:
        return self.d * (self.f - 1) + 1

    @property
    def outputs(self) -> int:
        return (self.n + 2 * self.p - self.span) // self.s + 1

    def index(self, out: int, tap: int) -> int:
        """The 1-based input index (unpadded) of output ``out``, tap ``tap`` (DESIGN.md)."""
        return self.s * (out - 1) + self.d * (tap - 1) + 1 - self.p

    def inside(self, out: int) -> bool:
        """Whether the whole window of ``out`` lies inside the input."""
        return self.index(out, 1) >= 1 and self.index(out, self.f) <= self.n


class Instance:
    """Concrete numbers for symbolic sizes, each symbol given the first default it meets (so
    that ``k`` as kernel and stride is one number), remembered for the caption."""

    def __init__(self):
        self.values: dict[sp.Symbol, int] = {}

    def of(self, name: str, value: object, default: int, minimum: int = 1) -> int:
        """``value`` as an int; a symbolic one evaluated at ``default`` for each new symbol."""
        expr = sp.Integer(value) if isinstance(value, int) else value
        if not isinstance(expr, sp.Expr):
            raise ParameterError(name, value, "must be an integer or a SymPy expression")
        for symbol in sorted(expr.free_symbols, key=str):
            self.values.setdefault(symbol, default)
        concrete = expr.xreplace({s: sp.Integer(v) for s, v in self.values.items()})
        if not concrete.is_Integer or int(concrete) < minimum:
            raise ParameterError(name, value, f"must be an integer ≥ {minimum} once its "
                                 f"symbols are given small values ({concrete})")
        return int(concrete)

    def caption(self) -> tuple:
        """``" Drawn for the small instance k = 3, m = 7 of the symbols."`` (or nothing)."""
        if not self.values:
            return ()
        parts: list = [" Drawn for the small instance "]
        for n, (symbol, value) in enumerate(sorted(self.values.items(), key=lambda p: str(p[0]))):
            parts += [", " if n else "", Label(f"{label(symbol).tex} = {value}",
                                               f"{text(symbol)} = {value}")]
        return (*parts, " of the symbols; the labels keep the symbols.")


def grid(scene: Scene, rows: int, cols: int, pad: tuple[int, int], channel: object,
         sizes: tuple[object, object], x0: float = 0, y0: float = 0) -> None:
    """The padded input of one channel: ``rows`` × ``cols`` entries of X (kind ``input``, key
    ``(γ, p, q)``, 1-based) inside ``pad`` rows and columns of padding on each side (kind
    ``padding``, keyed by the indices they would have). ``sizes`` label the last row and
    column (a symbol where the size is one)."""
    (pr, pc), (size_r, size_c) = pad, sizes
    for r in range(rows + 2 * pr):
        for c in range(cols + 2 * pc):
            p, q = r + 1 - pr, c + 1 - pc
            inside = 1 <= p <= rows and 1 <= q <= cols
            scene.add_cell(Cell(x0 + c, y0 + r, "input" if inside else "padding",
                                (channel, p, q)))
    # the first and last index of each axis, outside the grid
    scene.add_note(Note(x0 - 0.3, y0 + pr + 0.5, label(1), "right"))
    scene.add_note(Note(x0 - 0.3, y0 + pr + rows - 0.5, label(size_r), "right"))
    scene.add_note(Note(x0 + pc + 0.5, y0 - 0.4, label(1)))
    if cols > 1:
        scene.add_note(Note(x0 + pc + cols - 0.5, y0 - 0.4, label(size_c)))


def arrange(panels: list[Scene], width: float = ROW_WIDTH) -> Scene:
    """Panels side by side, in rows no wider than ``width`` grid units (a panel wider than
    that has a row of its own)."""
    whole, x, y, row_height = Scene(), 1.0, 1.0, 0.0
    for panel in panels:
        if x > 1 and x + panel.width > width:
            x, y, row_height = 1.0, y + row_height + PANEL_GAP, 0.0
        whole.place(panel, x, y)
        x += panel.width + PANEL_GAP
        row_height = max(row_height, panel.height)
    return whole
