"""The course's notation as SymPy objects, shared by every layer, printer and proof.

Indices are 1-based: input ``X[γ, p, q]``, weights ``w[l, γ, α, β]``, bias ``b[l]``, output
``Y[l, i, j]``. ``Xbar`` is the zero-padded image, ``Xbar[γ, p, q] = X[γ, p - P, q - P]``; it
is a separate object so that formulas in padded coordinates can never be mistaken for formulas
on the original input.

>>> X[gamma, i, j]
X[gamma, i, j]
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "X", "Xbar", "w", "b", "Y", "A", "x", "y",
    "l", "i", "j", "gamma", "alpha", "beta", "k",
    "H", "W", "index_symbol",
]


def index_symbol(name: str) -> sp.Symbol:
    """An index: an integer symbol, positive because indices are 1-based."""
    return sp.Symbol(name, integer=True, positive=True)


# Output indices, and the dummies of the window sums (channel γ, row α, column β).
l, i, j = index_symbol("l"), index_symbol("i"), index_symbol("j")
gamma, alpha, beta = index_symbol("gamma"), index_symbol("alpha"), index_symbol("beta")
k = index_symbol("k")

# Default input height and width when a formula needs them and the user gave none.
H, W = index_symbol("H"), index_symbol("W")

X = sp.IndexedBase("X")
Xbar = sp.IndexedBase("Xbar")
w = sp.IndexedBase("w")
b = sp.IndexedBase("b")
Y = sp.IndexedBase("Y")

# Dense layers: y = A x + b, entries [A]_{i,j}, [x]_j.
A = sp.IndexedBase("A")
x = sp.IndexedBase("x")
y = sp.IndexedBase("y")
