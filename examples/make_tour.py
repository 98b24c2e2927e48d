"""Writes ``tour.ipynb`` beside this file: a short tour of symproof in a notebook (a layer, a
worked problem, a derivation and one of its steps). Outputs are not stored: run the notebook
(or ``jupyter nbconvert --execute``) to see them. ``python examples/make_tour.py`` rewrites it;
a test checks that the stored notebook is what this script writes.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

TOUR = Path(__file__).with_name("tour.ipynb")

CELLS = [
    ("markdown", "# A tour of symproof\n\n"
                 "Every object shows as Markdown with MathJax math: a proof lists its steps, "
                 "each with an honest status mark (✓ proved, ⊡ verified, ≈ spot-checked, "
                 "✗ refuted, ? unknown, ≔ given)."),
    ("code", "import sympy as sp\n\n"
             "import symproof.registry\n"
             "from symproof import Conv2d, Derivation\n"
             "from symproof.notation import i, j, w"),
    ("markdown", "A layer shows its element formula (1-based indices, zero padding)."),
    ("code", "conv = Conv2d(1, 2, 3, padding=1)\nconv"),
    ("markdown", "A worked problem: average pooling is a convolution."),
    ("code", 'p2 = symproof.registry.get("p2").run()\np2'),
    ("markdown", "A derivation: every link is decided by the kernel."),
    ("code", "gray = Derivation(Conv2d(3, 1, 1, bias=False), at=(1, i, j))\n"
             "gray = gray.substitute(sp.Eq(w[1, 1, 1, 1], 0.299), sp.Eq(w[1, 2, 1, 1], 0.587),\n"
             "                       sp.Eq(w[1, 3, 1, 1], 0.114)).simplify()\n"
             "gray"),
    ("markdown", "One step of a proof, with the reason the kernel accepted it."),
    ("code", "p2.steps[4]"),
]


def build() -> nbformat.NotebookNode:
    """The tour as a notebook (no outputs), for the python3 kernel."""
    make = {"markdown": new_markdown_cell, "code": new_code_cell}
    notebook = new_notebook(cells=[make[kind](source) for kind, source in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    for n, cell in enumerate(notebook.cells):  # stable ids: the file does not change on rerun
        cell.id = f"tour-{n}"
    return notebook


if __name__ == "__main__":
    nbformat.write(build(), TOUR)
