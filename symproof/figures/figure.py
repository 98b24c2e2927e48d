"""A finished figure: a scene, its caption and a short name, rendered on demand as a TikZ
float (LaTeX documents) or an SVG file (Markdown documents)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import TooLargeError
from ..proof import Proof
from .scene import Label, Scene
from .svg import svg
from .tikz import caption_tex, tikz_figure

__all__ = ["Figure", "attach"]


@dataclass(frozen=True)
class Figure:
    """A ``scene`` with a ``caption`` (prose and :class:`~.scene.Label` parts, so that its math
    is typeset in LaTeX and printed in Unicode) and a short ``name`` (part of a file name:
    letters, digits and ``-``)."""

    name: str
    scene: Scene
    caption: tuple[str | Label, ...]

    def caption_text(self) -> str:
        """The caption in Unicode (the SVG's title, Markdown's alt text)."""
        return "".join(p if isinstance(p, str) else p.plain for p in self.caption)

    def caption_latex(self) -> str:
        """The caption as LaTeX text (prose escaped, math in ``$…$``)."""
        return caption_tex(self.caption)

    def latex(self) -> str:
        """The figure as a LaTeX ``figure`` float: the TikZ picture and its caption."""
        return tikz_figure(self.scene, self.caption)

    def svg(self) -> str:
        """The figure as an SVG document (its caption as the title)."""
        return svg(self.scene, self.caption_text())


def attach(proof: Proof, build: Callable[[], Figure]) -> None:
    """Add the figure ``build()`` draws to ``proof``; one too large to draw (over the limit
    ``figure_cells``) is left out with a note saying so, and the proof stands without it."""
    try:
        proof.figures.append(build())
    except TooLargeError as error:
        proof.notes.append(f"figure left out: {error}")
