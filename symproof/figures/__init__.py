"""Pictures of layers and proofs, drawn from one scene model (:mod:`.scene`) as TikZ for LaTeX
documents (:mod:`.tikz`, plain TikZ: pdflatex is enough) and as SVG for Markdown
(:mod:`.svg`): a kernel's taps on the padded window (:mod:`.conv`), pooling windows tiling the
input (:mod:`.pool`), a stack's receptive field (:mod:`.receptive`) and an MLP with its
Jacobian chain (:mod:`.mlp`).

Nothing here is loaded by ``import symproof``: a proof that carries figures is built by code
that imports its builder, and documents render the figures they are given
(:class:`~.figure.Figure` renders itself).
"""

from .conv import conv_figure, synthesis_figure
from .figure import Figure, attach
from .layer import layer_figure
from .mlp import mlp_figure
from .pool import pool_figure
from .receptive import receptive_figure
from .scene import Label, Scene

__all__ = ["Figure", "attach", "Label", "Scene", "conv_figure", "synthesis_figure", "pool_figure",
           "receptive_figure", "mlp_figure", "layer_figure"]
