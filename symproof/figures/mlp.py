"""An MLP's layers and its Jacobian chain: ``y_0 → z_1 → y_1 → … → y_L``, each arrow labelled
by what it applies (``A_ℓ`` and its bias, then σ; the last layer is linear), and under it the
chain ``∂y_L/∂y_ℓ = A_L diag(σ′(z_{L−1})) A_{L−1} ⋯ diag(σ′(z_{ℓ+1})) A_{ℓ+1}`` that
backpropagation multiplies out, from ``y_L`` back to ``y_ℓ``."""

from __future__ import annotations

from ..errors import ParameterError
from ..layers.mlp import MLP
from .figure import Figure
from .scene import Arrow, Label, Note, Rect, Scene, check_cells

__all__ = ["mlp_figure", "chain"]

STEP = 2.6  # grid units from one node to the next
BOX = 1.3  # a node's width


def _name(letter: str, index: str) -> Label:
    tex = {"l": r"\ell", "l-1": r"\ell-1", "l+1": r"\ell+1", "L-1": "L-1"}.get(index, index)
    plain = {"l": "ℓ", "l-1": "ℓ−1", "l+1": "ℓ+1", "L-1": "L−1"}.get(index, index)
    return Label(f"{letter}_{{{tex}}}", f"{letter}_{plain}" if len(plain) == 1
                 else f"{letter}_{{{plain}}}")


def _nodes(depth: int | None) -> list[tuple[str, str] | None]:
    """The nodes left to right as ``(letter, index)``; None for an ellipsis."""
    if depth is not None:
        nodes: list = [("y", "0")]
        for ell in range(1, depth):
            nodes += [("z", str(ell)), ("y", str(ell))]
        return [*nodes, ("y", str(depth))]
    return [("y", "0"), ("z", "1"), ("y", "1"), None, ("y", "l-1"), ("z", "l"), ("y", "l"),
            None, ("y", "L-1"), ("y", "L")]


def chain(depth: int | None) -> Label:
    """``∂y_L/∂y_ℓ`` as the product backpropagation forms (ℓ generic, or ℓ = 0 for a given
    depth), in numerator layout."""
    if depth is None:
        return Label(r"\frac{\partial y_L}{\partial y_\ell} = A_L \operatorname{diag}"
                     r"\left(\sigma'(z_{L-1})\right) A_{L-1} \cdots \operatorname{diag}"
                     r"\left(\sigma'(z_{\ell+1})\right) A_{\ell+1}",
                     "∂y_L/∂y_ℓ = A_L diag(σ′(z_{L−1})) A_{L−1} ⋯ diag(σ′(z_{ℓ+1})) A_{ℓ+1}")
    tex, plain = [f"A_{{{depth}}}"], [f"A_{depth}"]
    for ell in range(depth - 1, 0, -1):
        tex += [rf"\operatorname{{diag}}\left(\sigma'(z_{{{ell}}})\right) A_{{{ell}}}"]
        plain += [f"diag(σ′(z_{ell})) A_{ell}"]
    return Label(rf"\frac{{\partial y_{{{depth}}}}}{{\partial y_0}} = " + " ".join(tex),
                 f"∂y_{depth}/∂y_0 = " + " ".join(plain))


def mlp_figure(net: MLP | None = None, *, name: str = "mlp-chain") -> Figure:
    """The layers of ``net`` (any depth L when None) and the Jacobian chain under them."""
    if net is not None and not isinstance(net, MLP):
        raise ParameterError("net", net, "must be an MLP (or None for any depth L)")
    depth = None if net is None else net.depth
    nodes = _nodes(depth)
    check_cells(f"the figure of an MLP of depth {depth}", 4 * len(nodes))
    scene = Scene()
    y = 1.0
    for k, node in enumerate(nodes):
        x = 1 + k * STEP
        if node is None:
            scene.add_note(Note(x + BOX / 2, y + 0.5, Label(r"\cdots", "⋯"), "center", "normal"))
        else:
            scene.add_rect(Rect(x, y, x + BOX, y + 1, "node", ("node", *node), _name(*node)))
        if k + 1 < len(nodes):
            what = _arrow(node, nodes[k + 1], depth)
            scene.add_arrow(Arrow((x + BOX + 0.1, y + 0.5), (x + STEP - 0.1, y + 0.5), "arrow",
                                  what))
    # the chain runs back from y_L to y_ℓ: a line under those nodes
    start = 1 + (nodes.index(("y", "l")) if depth is None else 0) * STEP + BOX / 2
    end = 1 + (len(nodes) - 1) * STEP + BOX / 2
    scene.add_arrow(Arrow((end, y + 1.6), (start, y + 1.6), "arrow"))
    scene.add_note(Note((start + end) / 2, y + 2.7, chain(depth), "center", "normal"))
    scene.fit(end + BOX, y + 3.4)
    caption = ("The layers of the MLP: each ", Label(r"z_\ell = A_\ell y_{\ell-1} + b_\ell",
                                                       "z_ℓ = A_ℓ y_{ℓ−1} + b_ℓ"),
               " then ", Label(r"y_\ell = \sigma(z_\ell)", "y_ℓ = σ(z_ℓ)"),
               ", the last layer linear; under them the chain of Jacobians (numerator layout) "
               "that backpropagation multiplies from the output back.")
    return Figure(name, scene, caption)


def _arrow(node, following, depth) -> Label | None:
    """What the arrow from ``node`` to ``following`` applies: A_ℓ (into z_ℓ or y_L), σ, or
    nothing around an ellipsis."""
    if node is None or following is None:
        return None
    if node[0] == "z":
        return Label(r"\sigma", "σ")
    index = following[1]
    return _name("A", index)
