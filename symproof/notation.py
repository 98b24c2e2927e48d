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
    "H", "W", "index_symbol", "display_name", "greek", "status_mark",
    "GREEK", "COURSE_GREEK", "PARTIAL", "ARRAYS", "WINDOW_ARRAYS", "FACTOR_ORDER", "RESERVED",
    "INDICES", "LAYER_INDEX", "LETTERS", "AXIS_LETTERS", "STATUS_MARKS",
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
# The upstream gradient ∂L/∂Y of a scalar loss L, shaped like a layer's output.
G = sp.IndexedBase("G")

# Dense layers: y = A x + b, entries [A]_{i,j}, [x]_j.
A = sp.IndexedBase("A")
x = sp.IndexedBase("x")
y = sp.IndexedBase("y")


# --- the vocabulary: every module that names a letter, an index or a mark reads it here -----

#: Greek letters, by the name a symbol spells them with: name → (Unicode, LaTeX). ``ell`` is
#: the course's layer index ℓ (``\ell``, not a Greek letter in Unicode, but written as one).
GREEK = {
    "alpha": ("α", r"\alpha"), "beta": ("β", r"\beta"), "gamma": ("γ", r"\gamma"),
    "delta": ("δ", r"\delta"), "sigma": ("σ", r"\sigma"), "rho": ("ρ", r"\rho"),
    "ell": ("ℓ", r"\ell"), "kappa": ("κ", r"\kappa"), "lambda": ("λ", r"\lambda"),
    "mu": ("μ", r"\mu"), "nu": ("ν", r"\nu"), "tau": ("τ", r"\tau"), "theta": ("θ", r"\theta"),
    "phi": ("φ", r"\phi"), "psi": ("ψ", r"\psi"), "omega": ("ω", r"\omega"),
    "epsilon": ("ε", r"\epsilon"), "eta": ("η", r"\eta"), "zeta": ("ζ", r"\zeta"),
    "xi": ("ξ", r"\xi"), "chi": ("χ", r"\chi"),
}
#: The letters the course's own names spell out (``A_ell``, ``sigma'``), printed as letters in
#: every style; a name spelling another letter (``eta``) is printed as the user wrote it.
COURSE_GREEK = ("alpha", "beta", "gamma", "delta", "sigma", "rho", "ell")
#: The partial-derivative sign, which names such as ``∂y_L/∂y_ell`` carry.
PARTIAL = ("∂", r"\partial")

#: The arrays of the formulas and the indices each entry is read in, in the course's order:
#: X_{γ,p,q}, X̄_{γ,p,q} (padded), w_{l,γ,α,β}, b_l, Y_{l,i,j}; dense layers [A]_{i,j}, x_j, y_i.
ARRAYS = {"X": ("gamma", "p", "q"), "Xbar": ("gamma", "p", "q"),
          "w": ("l", "gamma", "alpha", "beta"), "b": ("l",), "Y": ("l", "i", "j"),
          "A": ("i", "j"), "x": ("j",), "y": ("i",)}
#: The arrays of the window layers (convolution, pooling), whose entries a claim writes
#: with their single letter (X_{γ,p,q}); the padded image is written \bar{X}.
WINDOW_ARRAYS = ("X", "w", "b", "Y")
#: In a product, weights come before the inputs they multiply: w_{l,γ,α,β} X_{γ,p,q}.
FACTOR_ORDER = ("w", "A", "X", "Xbar", "x", "y")
#: An element formula's output indices and the dummies of its window sums (channel, row,
#: column): a size named like one of them would silently become that index.
RESERVED = ("l", "i", "j", "gamma", "alpha", "beta")
#: Every index name of the formulas, in the order the course writes the terms of an index:
#: output indices, input coordinates, window dummies, then a free summation index (i+α−2).
INDICES = ("l", "i", "j", "p", "q", "gamma", "alpha", "beta", "k")
#: The layer index of an MLP (y_ℓ = σ(A_ℓ y_{ℓ−1} + b_ℓ)).
LAYER_INDEX = "ell"

#: A layer parameter (as a keyword of the layers and the CLI) → the course's letter for it.
LETTERS = {"input": "n", "output": "o", "kernel_size": "F", "stride": "S", "padding": "P",
           "dilation": "D", "output_padding": "a", "in_channels": "C_in",
           "out_channels": "C_out", "channels": "C", "groups": "G", "in_features": "n_in",
           "out_features": "n_out"}
#: Parameters the course writes per axis (rows, columns); plain H and W name the input's
#: height and width too (H_out = ⌊(H + 2P − D(f_1 − 1) − 1)/S⌋ + 1).
AXIS_LETTERS = {"kernel_size": ("f_1", "f_2"), "input": ("H_in", "W_in"),
                "output": ("H_out", "W_out"), "size": ("H", "W")}
#: The spatial axes of a layer by their number: an image's height and width, a sequence's
#: length (a layer's input sizes are then H_in, W_in or L_in, its output sizes H_out…).
AXES = {1: ("L",), 2: AXIS_LETTERS["size"]}

#: A status (by its name) → (text mark, LaTeX math-mode mark). UNPARSED is the claim
#: checker's verdict for a claim it could not read; it is no status of the kernel.
STATUS_MARKS = {
    "PROVED": ("✓", r"\checkmark"), "VERIFIED": ("⊡", r"\boxdot"),
    "SPOT_CHECKED": ("≈", r"\approx"), "REFUTED": ("✗", r"\times"),
    "UNKNOWN": ("?", r"\text{?}"), "GIVEN": ("≔", r"\mathrel{:=}"),
    "UNPARSED": ("∅", r"\varnothing"),
}


def status_mark(status, style: str) -> str:
    """The mark of a status (a ``Status`` or its name) in ``"text"`` or ``"latex"``.

    >>> status_mark("PROVED", "text"), status_mark("VERIFIED", "latex")
    ('✓', '\\\\boxdot')
    """
    name = getattr(status, "name", status)
    if not (isinstance(name, str) and name in STATUS_MARKS):
        raise ParameterError("status", status, f"must be one of {', '.join(STATUS_MARKS)}")
    return STATUS_MARKS[name][_style(style)]


def greek(name: str, style: str) -> str:
    """A Greek letter spelled by name, as ``"text"`` (Unicode) or ``"latex"``.

    >>> greek("gamma", "text"), greek("ell", "latex")
    ('γ', '\\\\ell')
    """
    if not (isinstance(name, str) and name in GREEK):
        raise ParameterError("name", name, f"must be one of {', '.join(GREEK)}")
    return GREEK[name][_style(style)]


def _style(style: str) -> int:
    if not (isinstance(style, str) and style in ("text", "latex")):
        raise ParameterError("style", style, "must be 'text' or 'latex'")
    return 0 if style == "text" else 1


_GREEK_TEXT = {name: GREEK[name][0] for name in COURSE_GREEK}
_GREEK_LATEX = {**dict(GREEK.values()), PARTIAL[0]: PARTIAL[1]}


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
    _style(style)
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
