"""Rewriting how people write solutions into the notation symproof reads: sizing commands,
``\\text{diag}``, ``{\\rm in}``, bare parentheses, ``A_\\ell`` without braces, ``\\intercal``.

>>> tidy(r"\\sigma\\Big(A_\\ell y_{\\ell-1}\\Big) + C_{\\rm in}")
'\\\\sigma\\\\left(A_{\\\\ell} y_{\\\\ell-1}\\\\right) + C_{\\\\text{in}}'
"""

from __future__ import annotations

from .vocabulary import rewrite

__all__ = ["tidy"]

_SIZES = ("\\Biggl", "\\Biggr", "\\biggl", "\\biggr", "\\Bigl", "\\Bigr", "\\bigl", "\\bigr",
          "\\Bigg", "\\bigg", "\\Big", "\\big")
_SAME = {"{\\rm in}": "{\\text{in}}", "{\\rm out}": "{\\text{out}}", "\\rm ": "",
         "\\text{diag}": "\\operatorname{diag}", "\\mathrm{diag}": "\\operatorname{diag}",
         "^{\\intercal}": "^{\\top}", "^\\intercal": "^{\\top}", "^{\\mathsf{T}}": "^{\\top}",
         "^{\\mathsf T}": "^{\\top}", "^\\mathsf{T}": "^{\\top}", "^\\top": "^{\\top}",
         "^{T}": "^{\\top}", "^T": "^{\\top}", "\\leq": "\\le",
         "\\geq": "\\ge", "\\dfrac": "\\frac", "\\tfrac": "\\frac", "\\cdot": " \\cdot "}


def tidy(latex: str) -> str:
    """``latex`` in the form the reader expects (see the module docstring)."""
    text = _without_note(latex)
    for size in _SIZES:
        text = text.replace(size, "")
    for old, new in _SAME.items():
        text = text.replace(old, new)
    text = rewrite(text)  # the field's ways of writing names (vocabulary's tables)
    text = _brace_subscripts(text)
    text = _paired_parentheses(text)
    text = text.replace("\\operatorname{diag} \\left(", "\\operatorname{diag}\\left(")
    return " ".join(text.split())


def _without_note(latex: str) -> str:
    """The mathematics without a trailing ``\\quad (δ_{ij}: \\text{Kronecker delta})``:
    a note in parentheses after a space, which says what a symbol is (read as mathematics it
    would be a product, ``:`` a division).

    >>> print(_without_note(r"\\delta_{ij} \\quad (\\delta_{ij}: \\text{Kronecker delta})"))
    \\delta_{ij}
    >>> print(_without_note(r"0 \\text{ (otherwise)}"))
    0
    """
    for space in ("\\qquad", "\\quad"):
        head, found, note = latex.rpartition(space)
        note = note.strip()
        if found and note.startswith("(") and note.endswith(")") and "\\text" in note:
            return head
    # ``0 \\text{ (otherwise)}``: words in parentheses set as text after the mathematics
    head, found, note = latex.rpartition("\\text{")
    note = note.strip()
    if found and head.strip() and note.endswith("}") and note[:-1].strip().startswith("(") \
            and note[:-1].strip().endswith(")") and "{" not in note[:-1] and "$" not in note:
        return head
    return latex


def _brace_subscripts(text: str) -> str:
    """``A_\\ell`` → ``A_{\\ell}``, ``y_L`` → ``y_{L}`` (a bare subscript is one token)."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "_" and i + 1 < len(text) and text[i + 1] != "{":
            j = i + 1
            if text[j] == "\\":
                j += 1
                while j < len(text) and text[j].isalpha():
                    j += 1
            else:
                j += 1
            out.append("_{" + text[i + 1:j] + "}")
            i = j
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _paired_parentheses(text: str) -> str:
    """Bare ``(`` … ``)`` pairs as ``\\left(`` … ``\\right)`` (unpaired ones are left alone)."""
    opens, pairs = [], {}
    i = 0
    while i < len(text):
        if text.startswith("\\left(", i) or text.startswith("\\right)", i):
            i += 6 if text.startswith("\\left(", i) else 7
            continue
        if text[i] == "(":
            opens.append(i)
        elif text[i] == ")" and opens:
            pairs[opens.pop()] = i
        i += 1
    closes = set(pairs.values())
    out = []
    for i, c in enumerate(text):
        if i in pairs:
            out.append("\\left(")
        elif i in closes:
            out.append("\\right)")
        else:
            out.append(c)
    return "".join(out)
