"""The receptive field of a stack along one axis: a row of cells per level (the input at the
bottom, each layer's output above it, with the padding the next layer adds), the footprint of
one output position traced back through each layer's element formula, and the closed form of
:func:`~symproof.stack.receptive_field` (first row, size r) bracketed at the input."""

from __future__ import annotations

import sympy as sp

from ..errors import ParameterError
from ..layers.activation import Activation
from ..printing import latex, text
from ..prose import layer_kind
from ..stack import Sequential, receptive_field
from .figure import Figure
from .layout import Geometry, Instance
from .scene import Arrow, Cell, Label, Note, Rect, Scene, check_cells

__all__ = ["receptive_figure", "footprints"]

# The widest input drawn (cells of one row).
WIDEST = 60


def _geometries(stack, axis: int, inst: Instance) -> list[tuple[object, Geometry]]:
    """Each windowed layer with its concrete window along ``axis`` (sizes set later)."""
    layers = stack.layers if isinstance(stack, Sequential) else (stack,)
    out = []
    for layer in layers:
        if isinstance(layer, Activation):
            continue
        w = layer.window.lifted() if layer.window.axes == 1 else layer.window
        a = axis + (2 - layer.window.axes) if layer.window.axes == 1 else axis
        out.append((layer, Geometry(inst.of("kernel_size", w.kernel_size[a], 3),
                                    inst.of("stride", w.stride[a], 2),
                                    inst.of("padding", w.padding[a], 1, minimum=0),
                                    inst.of("dilation", w.dilation[a], 1), 0)))
    return out


def _sized(layers: list[tuple[object, Geometry]], n: int) -> list[int]:
    """The size of every level for an input of ``n`` (each layer's window reads the level
    below); an empty list when some level would have no entry."""
    sizes = [n]
    for _, g in layers:
        g.n = sizes[-1]
        if g.outputs < 1:
            return []
        sizes.append(g.outputs)
    return sizes


def footprints(layers: list[tuple[object, Geometry]], position: int) -> list[set[int]]:
    """Per level (input first), the indices that output ``position`` depends on: each layer's
    taps followed back from the level above; an index in a level's padding is drawn but not
    followed (padding holds no data)."""
    levels = [{position}]
    for _, g in reversed(layers):
        levels.insert(0, {g.index(r, t) for r in levels[0] if 1 <= r <= g.outputs
                          for t in range(1, g.f + 1)})
    return levels


def receptive_figure(stack, axis: int = 0, *, name: str = "receptive-field") -> Figure:
    """The receptive field of the middle output position of ``stack`` (a ``Sequential`` of
    windowed layers and activations, or one windowed layer) along ``axis`` (0: rows)."""
    field = receptive_field(stack, axis)  # validates the stack and the axis
    inst = Instance()
    layers = _geometries(stack, axis, inst)
    size = int(field.size.xreplace({s: sp.Integer(v) for s, v in inst.values.items()}))
    chosen = None
    for n in range(max(size, 1), WIDEST + 1):
        sizes = _sized(layers, n)
        if not sizes:
            continue
        middle = (sizes[-1] + 1) // 2
        levels = footprints(layers, middle)
        chosen = (sizes, middle, levels)
        if sizes[-1] >= 3 and all(lv and min(lv) >= 1 and max(lv) <= s
                                  for lv, s in zip(levels, sizes)):
            break
    if chosen is None:
        raise ParameterError("stack", stack, f"has no output position for an input of at most "
                             f"{WIDEST} entries: no receptive field to draw")
    sizes, middle, levels = chosen
    pads = [g.p for _, g in layers] + [0]
    check_cells(f"the receptive-field figure of {len(layers)} layers",
                sum(s + 2 * p for s, p in zip(sizes, pads)))
    scene = _draw(layers, sizes, pads, levels, field, inst)
    axis_name = "rows" if axis == 0 else "columns"
    caption = (f"The receptive field along the {axis_name}: output position {middle} of the "
               "top row depends on the highlighted entries of each level below (padding "
               "shaded); at the input they span ", Label(f"r = {size}", f"r = {size}"),
               " entries, the closed form ", Label(_field_tex(field), _field_text(field)), ".",
               *inst.caption())
    return Figure(name, scene, caption)


def _field_tex(field) -> str:
    return rf"r = {latex(field.size)},\ J = {latex(field.jump)}"


def _field_text(field) -> str:
    return f"r = {text(field.size)}, J = {text(field.jump)}"


def _draw(layers, sizes, pads, levels, field, inst) -> Scene:
    scene = Scene()
    widest = max(s + 2 * p for s, p in zip(sizes, pads))
    depth = len(sizes)
    spans = []
    for d, (n, p, footprint) in enumerate(zip(sizes, pads, levels)):
        y = 1.5 + 2.2 * (depth - 1 - d)  # the input at the bottom
        x0 = 1 + (widest - (n + 2 * p)) / 2
        for c in range(n + 2 * p):
            r = c + 1 - p
            inside = 1 <= r <= n
            kind = ("read" if r in footprint else "input") if inside else (
                "padding-tap" if r in footprint else "padding")
            scene.add_cell(Cell(x0 + c, y, kind, (d, r)))
        xs = [x0 + r - 1 + p for r in footprint]
        # a level reached only through padding reads nothing: no span to join
        spans.append((min(xs), max(xs) + 1, y) if xs else None)
        words = "input" if d == 0 else _describe(layers[d - 1][0], layers[d - 1][1])
        scene.add_note(Note(1 + widest + 0.8, y + 0.5, words, "left"))
    for below, above in zip(spans, spans[1:]):
        if below is None or above is None:
            continue
        (lo, hi, y), (top_lo, top_hi, top_y) = below, above
        scene.add_arrow(Arrow((lo, y), (top_lo, top_y + 1), "line"))
        scene.add_arrow(Arrow((hi, y), (top_hi, top_y + 1), "line"))
    concrete = {s: sp.Integer(v) for s, v in inst.values.items()}
    first, last = (int(v.xreplace(concrete)) for v in field.rows(
        sp.Integer((sizes[-1] + 1) // 2)))
    x0 = 1 + (widest - (sizes[0] + 2 * pads[0])) / 2 + pads[0]
    y = 1.5 + 2.2 * (depth - 1)
    scene.add_rect(Rect(x0 + first - 1, y + 1.25, x0 + last, y + 1.45, "field",
                        ("field", first, last),
                        Label(f"r = {last - first + 1}", f"r = {last - first + 1}")))
    scene.fit(scene.width, y + 2.4)
    return scene


def _describe(layer, g: Geometry) -> Label:
    """``conv: f = 3, S = 1, P = 1``: the layer's kind in words, its sizes as math."""
    kind = layer_kind(layer).replace("2-D ", "").replace("1-D ", "")
    sizes = [("f", g.f), ("S", g.s), ("P", g.p)] + ([("D", g.d)] if g.d > 1 else [])
    return Label(rf"\text{{{kind}: }}" + r",\ ".join(f"{n} = {v}" for n, v in sizes),
                 f"{kind}: " + ", ".join(f"{n} = {v}" for n, v in sizes))
