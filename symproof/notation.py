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

from .errors import ParameterError

__all__ = [
    "X", "Xbar", "w", "b", "Y", "A", "x", "y",
    "l", "i", "j", "gamma", "alpha", "beta", "k",
    "H", "W", "index_symbol",
]


def index_symbol(name: str) -> sp.Symbol:
    """An index: an integer symbol, positive because indices are 1-based."""
    if not (isinstance(name, str) and name.isidentifier()):
        raise ParameterError("name", name, "must be an identifier such as i")
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


_GREEK_TEXT = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "sigma": "σ", "rho": "ρ",
               "ell": "ℓ"}
_GREEK_LATEX = {"σ": r"\sigma", "ρ": r"\rho", "γ": r"\gamma", "α": r"\alpha", "β": r"\beta",
                "δ": r"\delta", "ℓ": r"\ell", "∂": r"\partial"}


def _words(text: str, table: dict[str, str]) -> str:
    """Replace whole alphabetic words found in ``table`` (``ell-1`` → ``ℓ-1``)."""
    out, word = [], ""
    for c in text + " ":
        if c.isalpha():
            word += c
            continue
        out.append(table.get(word, word))
        word = ""
        out.append(c)
    return "".join(out)[:-1]


def display_name(name: str, style: str) -> str:
    """A symbol, matrix or function name as printed: ``"text"`` (Unicode) or ``"latex"``.

    Names follow the course: ``A_ell`` is A_ℓ, ``y_ell-1`` is y_{ℓ−1}, ``sigma'`` is σ', and
    ``∂y_L/∂y_ell`` is the fraction ∂y_L/∂y_ℓ.

    >>> display_name("y_ell-1", "latex"), display_name("sigma'", "text")
    ('y_{\\\\ell-1}', "σ'")
    >>> display_name("∂y_L/∂y_ell", "latex")
    '\\\\frac{\\\\partial y_{L}}{\\\\partial y_{\\\\ell}}'
    """
    if not isinstance(name, str):
        raise ParameterError("name", name, "must be text")
    if not (isinstance(style, str) and style in ("text", "latex")):
        raise ParameterError("style", style, "must be 'text' or 'latex'")
    if name.startswith("[") and "]" in name:
        inner, _, rest = name[1:].partition("]")
        rest = _words(rest, _GREEK_TEXT)
        if style == "latex":
            rest = "".join(_GREEK_LATEX.get(c, c) for c in rest)
            return rf"\left[{display_name(inner, style)}\right]{rest}"
        return f"[{display_name(inner, style)}]{rest}"
    if "/" in name and name.startswith("∂"):
        top, _, bottom = name.partition("/")
        if style == "latex":
            return (rf"\frac{{\partial {display_name(top[1:], style)}}}"
                    rf"{{\partial {display_name(bottom.lstrip('∂'), style)}}}")
        return f"∂{display_name(top[1:], style)}/∂{display_name(bottom.lstrip('∂'), style)}"
    text = _words(name, _GREEK_TEXT)
    if style == "text":
        base, _, sub = text.partition("_")
        braced = sub.startswith("{") or sub.isalnum() or not sub
        return text if braced else f"{base}_{{{sub}}}"
    primes = len(text) - len(text.rstrip("'"))
    base, _, sub = text.rstrip("'").partition("_")
    latex = "".join(_GREEK_LATEX.get(c, c) + (" " if c in _GREEK_LATEX and len(base) > 1
                                                else "") for c in base).strip()
    if sub:
        sub = "".join(_GREEK_LATEX.get(c, c) for c in sub)
        latex = f"{latex}_{sub}" if sub.startswith("{") else f"{latex}_{{{sub}}}"
    return latex + "'" * primes
