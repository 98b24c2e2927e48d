"""Prose with math: a statement, an assumption, a reason or a note as text parts and math
parts, so that every formula in a sentence is typeset in LaTeX (``$…$``), written as ``$…$``
math in Markdown and printed in the course's Unicode notation on a terminal, all from the same
source. Plain ``str`` stays accepted wherever prose is: it is prose of one text part.

>>> import sympy as sp
>>> from symproof.notation import X, i, j
>>> said = Prose("the entry ", X[1, i + 1, j], " lies in the zero padding")
>>> said.text()
'the entry X[1,i+1,j] lies in the zero padding'
>>> said.latex()
'the entry $X_{1,i+1,j}$ lies in the zero padding'
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .errors import ParameterError
from .latex.escape import escape
from .printing import latex as latex_of
from .printing import text as text_of

__all__ = ["Math", "Prose", "prose", "render", "listed", "assignments", "in_order", "divides",
           "size", "layer_prose", "layer_kind", "article", "MEDIA", "markdown_text", "math_text"]

#: The media prose is written in.
MEDIA = ("latex", "markdown", "text")


@dataclass(frozen=True)
class Math:
    """A formula SymPy cannot express as the course writes it (``∂y_L/∂y_ℓ = A_L ⋯``): its
    LaTeX and its Unicode form, fixed by the author (never read from a document); ``expr`` is
    the SymPy value it writes, when there is one (a reader of the document must get it back)."""

    tex: str
    unicode: str
    expr: sp.Basic | None = None

    def __post_init__(self):
        for label, value in (("tex", self.tex), ("unicode", self.unicode)):
            if not isinstance(value, str) or not value:
                raise ParameterError(label, value, "must be non-empty text")


@dataclass(frozen=True)
class InOrder:
    """``lhs = t_1 + t_2 + …`` written in the order given (``Y = 0.299 R + 0.587 G + 0.114
    B``, as the problem writes it), where SymPy would sort the terms; printed when the prose is
    rendered, so that numbers show as they were written."""

    lhs: sp.Basic
    terms: tuple

    @property
    def tex(self) -> str:
        return self._joined(latex_of)

    @property
    def unicode(self) -> str:
        return self._joined(text_of)

    @property
    def expr(self) -> sp.Basic:
        return sp.Eq(self.lhs, sp.Add(*self.terms), evaluate=False)

    def _joined(self, show) -> str:
        out = [show(self.lhs), "="]
        for n, term in enumerate(self.terms):
            negative = term.could_extract_minus_sign()
            out += ["-" if negative else "+"] if negative or n else []
            out.append(show(-term if negative else term))
        return " ".join(out)


def in_order(lhs: sp.Basic, *terms: sp.Expr) -> InOrder:
    """``lhs`` equal to the sum of ``terms``, written in their order (see :class:`InOrder`)."""
    return InOrder(lhs, tuple(terms))


Part = str | sp.Basic | Math | InOrder
_FIXED = (Math, InOrder)  # math parts that print themselves


@dataclass(frozen=True, init=False)
class Prose:
    """Text parts and math parts (SymPy expressions and relations, or :class:`Math`), in
    reading order."""

    parts: tuple

    def __init__(self, *parts: Part):
        for part in parts:
            if not isinstance(part, (str, sp.Basic, *_FIXED)):
                raise ParameterError("part", part, "must be text, a SymPy expression or a Math")
        object.__setattr__(self, "parts", tuple(p for p in parts if p != ""))

    def latex(self) -> str:
        """LaTeX text: text escaped, math in ``$…$`` in the course's notation."""
        return "".join(escape(p) if isinstance(p, str) else f"${_tex(p)}$" for p in self.parts)

    def in_math(self, medium: str = "latex") -> str:
        """The whole prose inside math mode: text parts in ``\\text{…}``, math as it is
        (``markdown``: text that MathJax's ``\\text{}``, which reads no macros, can hold)."""
        written = math_text if medium == "markdown" else escape
        return "".join(rf"\text{{{written(p)}}}" if isinstance(p, str) else _tex(p)
                       for p in self.parts)

    def formula(self) -> str | None:
        """The LaTeX of the prose when it is one formula and nothing else, else None."""
        if len(self.parts) == 1 and not isinstance(self.parts[0], str):
            return _tex(self.parts[0])
        return None

    def markdown(self) -> str:
        """Markdown: the text as it is (escaped where Markdown would read it), math in
        ``$…$``."""
        return "".join(markdown_text(p) if isinstance(p, str) else f"${_tex(p)}$"
                       for p in self.parts)

    def text(self) -> str:
        """One line of Unicode text in the course's notation (for terminals)."""
        return "".join(p if isinstance(p, str) else
                       p.unicode if isinstance(p, _FIXED) else text_of(p) for p in self.parts)

    def math(self) -> list[tuple[str, sp.Basic]]:
        """The math parts as (LaTeX written, SymPy value): what a reader of the document must
        read back (a :class:`Math` without a value is left out)."""
        return [(_tex(p), p if isinstance(p, sp.Basic) else p.expr) for p in self.parts
                if isinstance(p, sp.Basic) or (isinstance(p, _FIXED) and p.expr is not None)]

    def __add__(self, other) -> Prose:
        return Prose(*self.parts, *prose(other).parts)

    def __radd__(self, other) -> Prose:
        return Prose(*prose(other).parts, *self.parts)

    def __contains__(self, word: str) -> bool:
        return word in self.text()

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __str__(self) -> str:
        return self.text()


def prose(value: str | Prose | Part) -> Prose:
    """``value`` as prose: a str is one text part, a formula one math part."""
    return value if isinstance(value, Prose) else Prose(value)


def render(value: str | Prose, medium: str) -> str:
    """Text or prose written in ``medium`` (``latex``, ``markdown`` or ``text``)."""
    if medium not in MEDIA:
        raise ParameterError("medium", medium, f"must be one of {', '.join(MEDIA)}")
    said = prose(value)
    return said.latex() if medium == "latex" else said.markdown() if medium == "markdown" \
        else said.text()


def listed(parts) -> list[Part]:
    """``a, b, c``: the parts (text or math) with commas between, as prose parts."""
    out: list[Part] = []
    for part in parts:
        out += [", ", part] if out else [part]
    return out


def assignments(*pairs: tuple[str, object]) -> list[Part]:
    """``C_in = 1, C_out = 2, …``: each (name, value) as a math part, commas between."""
    return listed(sp.Eq(sp.Symbol(name), value, evaluate=False) for name, value in pairs)


def divides(a: sp.Basic, b: sp.Basic) -> Math:
    """``a ∣ b`` (a divides b), which SymPy has no relation for."""
    return Math(rf"{latex_of(a)} \mid {latex_of(b)}", f"{text_of(a)} | {text_of(b)}")


def size(*sides: sp.Basic) -> Math:
    """``m × m``: the size of an array, its sides in order."""
    return Math(r" \times ".join(latex_of(s) for s in sides),
                "×".join(text_of(s) for s in sides))


def layer_prose(layer) -> Prose:
    """A layer as a model answer names it: "the 2-D convolution with ``C_in = 1``, ``C_out =
    2``, ``F = 3``, ``P = 1``" (its spec's :meth:`~symproof.layers.spec.LayerSpec.described`),
    never its Python repr; "the layer" when it has no spec."""
    spec = getattr(layer, "spec", None)
    return Prose("the layer") if spec is None else spec.described(layer, article="the")


def layer_kind(layer) -> str:
    """What a layer is, in words ("2-D convolution"); "layer" when it has no spec."""
    spec = getattr(layer, "spec", None)
    return "layer" if spec is None else spec.words


def article(number: sp.Basic) -> str:
    """"a" or "an" before ``number`` as it is read aloud: an 8, an 11, an 18, an 80…, a 5,
    a symbol ``m`` reads "an m"."""
    if isinstance(number, sp.Symbol):
        return "an" if number.name[:1].lower() in "aefhilmnorsx" else "a"
    if not (isinstance(number, (int, sp.Integer)) and int(number) > 0):
        return "a"
    digits = str(int(number))
    spoken_8 = digits.startswith("8")
    spoken_11_18 = len(digits) % 3 == 2 and digits[:2] in ("11", "18")
    return "an" if spoken_8 or spoken_11_18 else "a"


def _tex(part: sp.Basic | Math | InOrder) -> str:
    return part.tex if isinstance(part, _FIXED) else latex_of(part)


# Markdown's own syntax (emphasis, code, HTML, tables) and the math delimiter: in plain text each
# is written escaped, so that "C_in" reads as written, not as italics, and a "$" never opens
# math (Jupyter and CommonMark both read "\$" as a dollar). A backslash and the "(" of "](" are
# entities: "\\(" would be a MathJax delimiter in Jupyter, and "](" would open a link.
_MD_SPECIAL = frozenset("`*_<>$|#~")
_MD_ENTITIES = {"\\": "&#92;"}
# What MathJax's \text{} cannot hold: it reads no macros there, and braces would unbalance the
# formula (escaped underscores would print with their backslash); a blank line would end it.
_MATH_TEXT = str.maketrans({c: " " for c in "\\{}$^_%&#~\n\r"})


def markdown_text(text: str) -> str:
    """Plain text as Markdown text: every character of Markdown's syntax escaped."""
    escaped = "".join(_MD_ENTITIES.get(c) or (f"\\{c}" if c in _MD_SPECIAL else c)
                      for c in text)
    return escaped.replace("](", "]&#40;")


def math_text(text: str) -> str:
    """Plain text for a ``\\text{…}`` inside MathJax math (characters it cannot hold become
    spaces)."""
    return text.translate(_MATH_TEXT)
