"""A convolution's taps on the padded window: the input grid of one channel with its zero
padding shaded, the window at an interior output position with each nonzero weight written in
its tap, and the boundary case, the window at the corner where it reads the most padding
(outlined, its taps in the padding marked). One panel per kernel ``w_{l,γ}``.

The drawn taps are exactly the nonzero weights (each tap cell keeps its index and its exact
weight), and every padding cell lies outside the input's index range.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..errors import ParameterError
from ..latex.escape import escape
from ..layers.conv import Conv1d, Conv2d
from ..notation import index_symbol
from ..synthesis import Synthesis
from .figure import Figure
from .layout import Geometry, Instance, arrange, grid
from .scene import Cell, Label, Note, Rect, Scene, check_cells, label, number

__all__ = ["conv_figure", "synthesis_figure"]

# The largest input side drawn as given; a larger (or symbolic) one is drawn smaller.
DRAWN_SIDE = 10
# Where a panel's grid starts (grid units): room for the row numbers on the left and the
# title above.
X0, Y0 = 1, 2


def _side(given: object, f: int, s: int, p: int, d: int) -> tuple[int, bool]:
    """The drawn input side: ``given`` when it is a small number, else the smallest side (at
    least 3) with an output whose window lies inside the input, a whole window away from one
    end (so that the interior and the corner window do not overlap); ``True`` if it is not
    the size given."""
    if isinstance(given, (int, sp.Integer)) and 1 <= int(given) <= DRAWN_SIDE:
        return int(given), False
    span = d * (f - 1) + 1
    for n in range(max(3, span), 4 * span + 2 * (s + p) + 4):
        axis = Geometry(f, s, p, d, n)
        first, last = axis.index(1, 1), axis.index(axis.outputs, 1)
        inner = [o for o in range(1, axis.outputs + 1) if axis.inside(o)]
        if any(axis.index(o, 1) - first >= span or last - axis.index(o, 1) >= span
               for o in inner) or (p == 0 and inner):
            return n, True
    return max(3, span), True


def _positions(rows: Geometry, cols: Geometry, taps: dict[tuple[int, int], sp.Expr]):
    """The interior position drawn and the boundary corner (None when no corner reads the
    padding): the corner reads the most nonzero taps in the padding, then the most padding."""

    def in_padding(i, j, cells):
        return sum(1 for a, b in cells if not (1 <= rows.index(i, a) <= rows.n
                                                and 1 <= cols.index(j, b) <= cols.n))

    every = [(a, b) for a in range(1, rows.f + 1) for b in range(1, cols.f + 1)]
    corners = {(i, j) for i in (1, rows.outputs) for j in (1, cols.outputs)}
    scored = sorted(corners, key=lambda c: (-in_padding(*c, taps), -in_padding(*c, every), c))
    boundary = scored[0] if in_padding(*scored[0], every) else None
    inner = [(i, j) for i in range(1, rows.outputs + 1) for j in range(1, cols.outputs + 1)
             if rows.inside(i) and cols.inside(j)]

    def apart(pos):  # windows that share no cell with the boundary window
        if boundary is None:
            return True
        return (abs(rows.index(pos[0], 1) - rows.index(boundary[0], 1)) >= rows.span
                or abs(cols.index(pos[1], 1) - cols.index(boundary[1], 1)) >= cols.span)

    # two windows never overlap (their taps would share cells): when no interior window
    # keeps apart from the boundary one, the boundary window alone shows the kernel
    chosen = [p for p in inner if apart(p)] if boundary else inner
    far = ((rows.outputs + 1 - boundary[0], cols.outputs + 1 - boundary[1]) if boundary
           else ((rows.outputs + 1) // 2, (cols.outputs + 1) // 2))  # else the middle
    chosen.sort(key=lambda p: abs(p[0] - far[0]) + abs(p[1] - far[1]))
    return (chosen[0] if chosen else None), boundary


def _window(panel: Scene, rows: Geometry, cols: Geometry, position: tuple[int, int],
            taps: dict[tuple[int, int], sp.Expr | None], keys: tuple, style: str,
            shown: dict[tuple[int, int], Label]) -> None:
    """The window of output ``position``: its outline and a cell per tap in ``taps``."""
    i, j = position
    # 0-based rows and columns of the padded grid, shifted to where the grid is drawn
    top, left = Y0 + rows.index(i, 1) + rows.p - 1, X0 + cols.index(j, 1) + cols.p - 1
    panel.add_rect(Rect(left, top, left + cols.span, top + rows.span, style, (style, i, j)))
    for (a, b), value in taps.items():
        p, q = rows.index(i, a), cols.index(j, b)
        inside = 1 <= p <= rows.n and 1 <= q <= cols.n
        panel.add_cell(Cell(X0 + q + cols.p - 1, Y0 + p + rows.p - 1,
                            "tap" if inside else "padding-tap", (*keys, a, b), value,
                            shown[a, b]))


def _panel(rows: Geometry, cols: Geometry, kernel: sp.Matrix | None, keys: tuple,
           title: Label, sizes: tuple) -> Scene:
    """One kernel's panel: title, padded grid, the interior and the boundary window."""
    panel = Scene()
    if kernel is None:  # a layer without weights: every tap, labelled by its (α, β)
        taps = {(a, b): None for a in range(1, rows.f + 1) for b in range(1, cols.f + 1)}
        shown = {t: Label(f"{t[0]}{t[1]}", f"{t[0]}{t[1]}") for t in taps}
    else:
        taps = {(a + 1, b + 1): kernel[a, b] for a in range(kernel.rows)
                for b in range(kernel.cols) if kernel[a, b] != 0}
        # each weight as it was written (0.299 a decimal, 3/5 a fraction), and +1 beside −1
        # when signs differ
        signed = any(v.is_negative for v in taps.values())
        shown = {t: _signed(number(v), signed and v.is_positive) for t, v in taps.items()}
        if any(len(label.plain) > 3 for label in shown.values()):
            panel.scale = 1.8  # room for 0.299 in a cell
    panel.add_note(Note(X0, 0.5, title, "left", "normal"))
    grid(panel, rows.n, cols.n, (rows.p, cols.p), keys[-1], sizes, X0, Y0)
    interior, boundary = _positions(rows, cols, taps)
    bottom = Y0 + rows.n + 2 * rows.p + 0.8  # the legend of the windows, under the grid
    for n, (position, style) in enumerate(((interior, "window"), (boundary, "boundary"))):
        if position is None:
            continue
        _window(panel, rows, cols, position, taps, keys, style, shown)
        where = Label(rf"(i,j) = ({position[0]},{position[1]})",
                      f"(i, j) = ({position[0]}, {position[1]})")
        panel.add_note(Note(X0, bottom + 0.9 * n, where, "left"))
        panel.add_rect(Rect(0.1, bottom + 0.9 * n - 0.35, 0.8, bottom + 0.9 * n + 0.35, style,
                            ("swatch",)))
    return panel


def conv_figure(layer: Conv2d | Conv1d, kernels: dict[tuple[int, int], sp.Matrix] | None = None,
                *, input_size: tuple | None = None, channel_names: Sequence[str] = (),
                name: str = "taps") -> Figure:
    """The taps of ``layer`` on its padded window: one panel per kernel ``(l, γ) → f1×f2``
    matrix of ``kernels`` with a nonzero weight (every tap, labelled ``αβ``, when ``kernels``
    is None). ``input_size`` (H, W) is drawn when small, else a small instance; symbolic
    window sizes are drawn for a small instance too, and the caption says so."""
    if not isinstance(layer, (Conv2d, Conv1d)):
        raise ParameterError("layer", layer, "must be a Conv2d or Conv1d")
    window = layer.window.lifted()
    inst = Instance()
    f1, f2 = (inst.of("kernel_size", v, 3) for v in window.kernel_size)
    s1, s2 = (inst.of("stride", v, 1) for v in window.stride)
    p1, p2 = (inst.of("padding", v, 1, minimum=0) for v in window.padding)
    d1, d2 = (inst.of("dilation", v, 1) for v in window.dilation)
    sizes = tuple(input_size) if input_size is not None else (
        (1, index_symbol("L")) if window is not layer.window else
        (index_symbol("H"), index_symbol("W")))
    n1, small1 = _side(sizes[0], f1, s1, p1, d1)
    n2, small2 = _side(sizes[1], f2, s2, p2, d2)
    rows, cols = Geometry(f1, s1, p1, d1, n1), Geometry(f2, s2, p2, d2, n2)
    if rows.outputs < 1 or cols.outputs < 1:  # the layer's own message: the window must fit
        layer.output_shape(layer.in_channels, *((n1, n2) if window is layer.window else (n2,)))
    check_cells(f"the figure of {layer!r}", (1 if kernels is None else _count(kernels)) * (
        (n1 + 2 * p1) * (n2 + 2 * p2) + 2 * f1 * f2))
    chosen = _kernels(layer, kernels, (f1, f2) if window is layer.window else (f2,))
    names = dict(enumerate(channel_names, 1))
    # the last row and column keep a symbolic size's name; a large number shows as drawn
    shown_sizes = tuple(drawn if replaced and _number(size) else size for size, drawn, replaced
                        in ((sizes[0], n1, small1), (sizes[1], n2, small2)))
    panels = []
    for (l, g), kernel in chosen.items():
        title = _title(l, g, names.get(g), kernel is None)
        panels.append(_panel(rows, cols, kernel, (l, g), title, shown_sizes))
    padded = p1 > 0 or p2 > 0
    tapped = ("each tap labelled by its position αβ" if kernels is None
              else "each nonzero weight in its tap")
    caption: list = ["The taps of each kernel ", Label(r"w_{l,\gamma}", "w_{l,γ}"),
                     " (output channel ", Label("l", "l"), ", input channel ",
                     Label(r"\gamma", "γ"), ") on the "
                     + ("zero-padded input (padding shaded)" if padded else "input")]
    styles = {r.style for p in panels for r in p.rects}
    if "window" not in styles:  # no interior window apart from the corner's: only the corner
        caption.append(f": outlined in red, the window at the corner where it reads the "
                       f"padding (taps there read 0), with {tapped}")
    else:
        caption.append(f": the window at an interior position with {tapped}")
        if "boundary" in styles:
            caption.append(", and, outlined in red, the window at the corner where it reads "
                           "the padding (taps there read 0)")
        elif padded:
            caption.append("; the window never reaches the padding")
    caption.append(".")
    if small1 or small2:
        caption += ([" The ", _times(*(label(v) for v in sizes[:2])), " input is drawn as ",
                     _times(label(n1), label(n2)), "."] if window is layer.window else
                    [" The sequence is drawn as one row of ", label(n2), "."])
    return Figure(name, arrange(panels), (*caption, *inst.caption()))


def _times(rows: Label, cols: Label) -> Label:
    """``H × W`` as one math label."""
    return Label(rf"{rows.tex} \times {cols.tex}", f"{rows.plain}×{cols.plain}")


def _number(size: object) -> bool:
    return isinstance(size, int) or (isinstance(size, sp.Basic) and size.is_Integer)


def _count(kernels: object) -> int:
    if not isinstance(kernels, dict) or not kernels:
        raise ParameterError("kernels", kernels, "must map (l, γ) to a kernel matrix")
    return len(kernels)


def _kernels(layer, kernels, shape: tuple[int, ...]) -> dict:
    """The kernels drawn, by ``(l, γ)``: those with a nonzero weight (the first if none),
    each checked to be a kernel of ``layer`` (its shape, and channels in range)."""
    if kernels is None:
        return {(index_symbol("l"), index_symbol("gamma")): None}
    if layer.groups != 1:  # γ would be a channel of l's group, not of the input
        raise ParameterError("kernels", "(given)", "are drawn for a convolution with groups=1")
    drawn = {}
    for key, kernel in kernels.items():
        matrix = sp.Matrix(kernel) if len(shape) == 2 else sp.Matrix([list(kernel)])
        bounds = (layer.out_channels, layer.in_channels)
        if not (isinstance(key, tuple) and len(key) == 2 and all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 1
                and not (top.is_Integer and v > int(top)) for v, top in zip(key, bounds))):
            raise ParameterError("kernels", key, "must be keyed by channel numbers (l, γ), "
                                 f"1 ≤ l ≤ {bounds[0]}, 1 ≤ γ ≤ {bounds[1]}")
        if matrix.shape[-len(shape):] != shape or (len(shape) == 1 and matrix.rows != 1):
            raise ParameterError(f"kernels[{key}]", matrix.shape, f"must have the kernel's "
                                 f"shape {' × '.join(map(str, shape))}")
        if any(v != 0 for v in matrix):
            drawn[key] = matrix
    return drawn or dict([next(iter(kernels.items()))])


def _title(l, g, channel: str | None, generic: bool) -> Label:
    if generic:
        return Label(r"w_{l,\gamma,\alpha\beta}", "w[l,γ,αβ]")
    named = f" ({channel})" if channel else ""
    return Label(rf"w_{{{l},{g}}}\text{{{escape(named)}}}", f"w_{l},{g}{named}")


def _signed(shown: Label, plus: bool) -> Label:
    """``+1`` for a positive weight in a kernel that has negative ones too."""
    return Label(f"+{shown.tex}", f"+{shown.plain}") if plus else shown


def synthesis_figure(found: Synthesis, *, channel_names: Sequence[str] = ()) -> Figure:
    """The taps of synthesised weights (``found`` must have concrete taps)."""
    if not isinstance(found, Synthesis) or not found.ok:
        raise ParameterError("found", found, "must be a synthesis that found weights")
    layer = found.layer
    kernels = {(l, g): found.kernel(l, g) for l in range(1, len(found.targets) + 1)
               for g in range(1, int(layer.in_channels) + 1)}
    return conv_figure(layer, kernels, input_size=found.input_size,
                       channel_names=channel_names)
