"""One LaTeX printer for symproof, a SymPy ``LatexPrinter`` that writes the course's notation:
``X_{γ,p,q}``, ``w_{l,γ,α,β}``, ``b_l``, ``\\bar{X}`` for the padded image, ``[A_ℓ]_{i,k}`` for
entries of named matrices, ``C_{\\text{in}}``, nested ``\\sum`` with bounds, ``\\max`` over windows.
It is the LaTeX style of the one course-notation printer, :mod:`symproof.printing`.

>>> from symproof import Conv2d
>>> print(latex(Conv2d(1, 2, 3, padding=1, bias=False).element()))
\\sum_{\\alpha=1}^{3} \\sum_{\\beta=1}^{3} w_{l,1,\\alpha,\\beta} X_{1,i+\\alpha-2,j+\\beta-2}
"""

from __future__ import annotations

from ..printing import SymproofLatexPrinter, latex

__all__ = ["SymproofLatexPrinter", "latex"]
