"""Plain text (statements, reasons, notes) as LaTeX text that always compiles."""

from __future__ import annotations

import re
import unicodedata

from ..notation import GREEK, PARTIAL, STATUS_MARKS

__all__ = ["escape"]

# Text-mode characters that OT1 fonts print wrongly (| as a dash, < as ¡) go to math mode.
_SPECIAL = {"\\": r"$\backslash$", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"$\{$", "}": r"$\}$", "~": r"$\sim$", "^": r"$\hat{}$",
            "|": r"$\mid$", "<": r"$<$", ">": r"$>$"}
_UNICODE = {"≥": r"$\ge$", "≤": r"$\le$", "≠": r"$\ne$",
            "−": "-", "×": r"$\times$", "·": r"$\cdot$", "²": r"$^2$", "⌊": r"$\lfloor$",
            "⌋": r"$\rfloor$", "…": r"\ldots{}", "√": r"$\surd$", "∞": r"$\infty$",
            "≈": r"$\approx$", "→": r"$\to$", "∣": r"$\mid$"}


_UNICODE.update({"Σ": r"$\Sigma$", "⋯": r"$\cdots$", "⌈": r"$\lceil$",
                 "⌉": r"$\rceil$", "∈": r"$\in$", "±": r"$\pm$", "∧": r"$\wedge$", "∨": r"$\vee$",
                 "≡": r"$\equiv$", "ᵀ": r"$^\top$", "₁": r"$_1$", "₂": r"$_2$", "′": "'",
                 "“": "``", "”": "''", "’": "'", "–": "--", "—": "---", "¬": r"$\neg$"})
# Letters, the partial sign and the status marks as the notation table writes them in LaTeX.
_UNICODE.update({u: f"${tex}$" for u, tex in (*GREEK.values(), PARTIAL)})
_UNICODE.update({mark: f"${tex}$" for mark, tex in STATUS_MARKS.values() if not mark.isascii()})


def escape(text: str) -> str:
    """Plain text (with the Unicode symbols symproof writes) as LaTeX text. Any other
    non-ASCII character becomes its Unicode name, so the document always compiles."""

    def one(c: str) -> str:
        if c in _UNICODE:
            return _UNICODE[c]
        if c in _SPECIAL:
            return _SPECIAL[c]
        if c.isascii():
            return c
        name = unicodedata.name(c, "")
        if name.startswith("GREEK SMALL LETTER "):
            return f"$\\{name.rsplit(' ', 1)[1].lower()}$"
        if name.startswith("GREEK CAPITAL LETTER "):
            return f"$\\{name.rsplit(' ', 1)[1].capitalize()}$"
        return f"[{name.lower() or f'U+{ord(c):04X}'}]"

    # two symbols in a row ("||") are one math span, $\mid\mid$: written $\mid$$\mid$,
    # a reader (and symproof's own) sees "$$", a display, where TeX sees two inline spans
    return _ADJACENT.sub("", "".join(one(c) for c in text))


_ADJACENT = re.compile(r"(?<!\\)\$\$")
