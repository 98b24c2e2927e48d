"""Pooling windows tiling the input: every window of a pooling layer outlined on the (padded)
input and numbered by its output position, and the entries no window reads hatched and
labelled (the last rows and columns when the kernel does not divide the size).

For symbolic sizes two small instances are drawn: one where the windows tile the input and
one where they do not.
"""

from __future__ import annotations

import sympy as sp

from ..errors import ParameterError
from ..layers.pool import AvgPool2d, MaxPool2d
from ..notation import index_symbol
from ..shapes import pool_output_size
from .figure import Figure
from .layout import Geometry, Instance, arrange, grid
from .scene import Cell, Label, Note, Rect, Scene, check_cells, fitting_scale, label

__all__ = ["pool_figure", "unread"]


def unread(axis: Geometry, outputs: int) -> list[int]:
    """The input indices (1-based) of one axis that no window reads."""
    read = {axis.index(o, t) for o in range(1, outputs + 1) for t in range(1, axis.f + 1)}
    return [p for p in range(1, axis.n + 1) if p not in read]


def _outputs(axis: Geometry, ceil_mode: bool) -> int:
    return int(pool_output_size(axis.n, axis.f, axis.s, axis.p, axis.d, ceil_mode=ceil_mode))


def _panel(rows: Geometry, cols: Geometry, ceil_mode: bool, sizes: tuple) -> Scene:
    """One input with its windows; the cells no window reads are ``unread``."""
    panel = Scene()
    out_r, out_c = _outputs(rows, ceil_mode), _outputs(cols, ceil_mode)
    skip_r, skip_c = unread(rows, out_r), unread(cols, out_c)
    base = Scene()
    grid(base, rows.n, cols.n, (rows.p, cols.p), index_symbol("l"), sizes, 1, 2)
    for cell in base.cells:
        _, p, q = cell.key
        gone = cell.kind == "input" and (p in skip_r or q in skip_c)
        panel.add_cell(Cell(cell.x, cell.y, "unread" if gone else cell.kind, cell.key))
    panel.notes += base.notes
    right = 1 + cols.n + 2 * cols.p
    overlap = (rows.span > rows.s, cols.span > cols.s)
    for i in range(1, out_r + 1):
        for j in range(1, out_c + 1):
            top, left = rows.index(i, 1) + rows.p, cols.index(j, 1) + cols.p
            bottom = min(top + rows.span - 1, rows.n + 2 * rows.p)  # ceil_mode: clipped
            end = min(left + cols.span - 1, cols.n + 2 * cols.p)
            window = _window(left, top + 1, end + 1, bottom + 2, i, j, overlap)
            panel.add_rect(window)
            if window.text is not None:  # "10,12" needs larger cells than "1,2"
                panel.scale = max(panel.scale, fitting_scale(window.text))
    below = 2 + rows.n + 2 * rows.p + 0.6
    if skip_r:
        panel.add_note(Note(right + 0.3, 2 + rows.p + skip_r[0] - 1 + len(skip_r) / 2,
                            _span("rows", skip_r), "left"))
    if skip_c:
        panel.add_note(Note(1, below, _span("columns", skip_c), "left"))
    return panel


def _window(x0: int, y0: int, x1: int, y1: int, i: int, j: int,
            overlap: tuple[bool, bool]) -> Rect:
    """The window of output ``(i, j)``, numbered in its top-left cell (no line crosses the
    number there). Along each axis where windows overlap (``overlap``: rows, columns) they
    alternate through the looks (:data:`~.scene.VARIANTS`), so that overlapping neighbours,
    side by side or diagonal, differ; each look is drawn a little further inside its cells,
    so that two edges on one grid line stay apart."""
    variant = 2 * ((i - 1) % 2) * overlap[0] + ((j - 1) % 2) * overlap[1]
    inset = _INSET * variant
    shown = Label(f"{i}{{,}}{j}", f"{i},{j}") if y1 - y0 > 1 and x1 - x0 > 1 else None
    return Rect(x0 + inset, y0 + inset, x1 - inset, y1 - inset, "tile", ("tile", i, j), shown,
                variant, (x0 + 0.5, y0 + 0.5))


# How far inside its cells each further look of a window is drawn (grid units): the largest
# inset stays clear of a label in the corner cell.
_INSET = 0.05


def _span(what: str, indices: list[int]) -> str:
    """``rows 1, 3–4: never read``: each run of consecutive indices as one range (a dilated
    window skips rows between its taps: 1 … 5 said "all of them" when 2 and 4 are read)."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    shown = ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)
    return f"{what[:-1] if len(indices) == 1 else what} {shown}: never read"


def pool_figure(layer: AvgPool2d | MaxPool2d, input_size: tuple | None = None, *,
                name: str = "tiling") -> Figure:
    """The windows of ``layer`` over an input of ``input_size`` (H, W); symbolic (or
    omitted) sizes are drawn as two small instances, tiled and not tiled."""
    if not isinstance(layer, (AvgPool2d, MaxPool2d)):
        raise ParameterError("layer", layer, "must be an AvgPool2d or MaxPool2d")
    window, inst = layer.window, Instance()
    f = [inst.of("kernel_size", v, d) for v, d in zip(window.kernel_size, (2, 3))]
    s = [inst.of("stride", v, 2) for v in window.stride]
    p = [inst.of("padding", v, 0, minimum=0) for v in window.padding]
    d = [inst.of("dilation", v, 1) for v in window.dilation]
    sizes = tuple(input_size) if input_size is not None else (index_symbol("H"),
                                                              index_symbol("W"))
    if len(sizes) != 2:
        raise ParameterError("input_size", input_size, "must be a pair (H, W)")
    given = [isinstance(n, (int, sp.Integer)) for n in sizes]
    concrete = all(given)
    if concrete:
        cases = [tuple(int(n) for n in sizes)]
    else:  # two windows per axis reaching the last entry, then up to two entries more,
        # which no window reads (none with stride 1: every size is then tiled); an axis
        # given as a number keeps it (its last row is labelled with that number)
        tiled = tuple(int(n) if given[a] else s[a] + d[a] * (f[a] - 1) + 1
                      for a, n in enumerate(sizes))
        ragged = tuple(n if given[a] else n + min(s[a] - 1, 2) for a, n in enumerate(tiled))
        cases = [tiled] if ragged == tiled else [tiled, ragged]
    check_cells(f"the figure of {layer!r}", sum((r + 2 * p[0]) * (c + 2 * p[1])
                                                for r, c in cases))
    panels = []
    for rows_n, cols_n in cases:
        rows, cols = Geometry(f[0], s[0], p[0], d[0], rows_n), Geometry(f[1], s[1], p[1], d[1],
                                                                          cols_n)
        shown = sizes if not concrete else (rows_n, cols_n)
        panel = _panel(rows, cols, layer.ceil_mode, shown)
        tiles = not any(c.kind == "unread" for c in panel.cells)
        panel.add_note(Note(1, 0.5, f"{rows_n}×{cols_n}: " + ("tiled" if tiles else "not tiled"),
                            "left", "normal"))
        panels.append(panel)
    rows_k, cols_k = (label(v) for v in window.kernel_size)
    kernel = Label(rf"{rows_k.tex} \times {cols_k.tex}", f"{rows_k.plain}×{cols_k.plain}")
    caption = ["The ", kernel, " pooling windows over the input, each numbered by its output "
               "position ", Label("(i, j)", "(i, j)"), "; entries that no window reads are "
               "hatched."]
    if not concrete:
        caption.append(" The windows reach the last row and column when the stride divides "
                       "the size minus the window (so, with the stride equal to the window, "
                       "when the window divides the size); otherwise the last rows and columns "
                       "are never read.")
    if any(n != 1 for n in d):
        caption += [" A dilated window reads every ", Label("D", "D"), "-th entry: rows and "
                    "columns between its taps that no other window reads are never read "
                    "either."]
    scene = arrange(panels)
    if any(r.variant for r in scene.rects):
        scene.add_note(Note(1, scene.height + 0.6, "overlapping windows: each in its own colour "
                            "and line, numbered in its top-left cell", "left"))
    return Figure(name, scene, (*caption, *inst.caption()))
