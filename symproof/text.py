"""A one-line Unicode text form of formulas for terminals, in the course's notation: the text
style of the one course-notation printer, :mod:`symproof.printing`.

>>> from symproof import Conv2d
>>> print(text(Conv2d(1, 2, 3, padding=1).equation()))
Y[l,i,j] = b[l] + Σ_{α=1}^{3} Σ_{β=1}^{3} w[l,1,α,β]·X[1,i+α-2,j+β-2]
"""

from __future__ import annotations

from .printing import TextPrinter, text

__all__ = ["text", "TextPrinter"]
