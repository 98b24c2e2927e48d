"""Plain text (statements, reasons, notes) as LaTeX text that always compiles."""

from __future__ import annotations

__all__ = ["escape"]

# Text-mode characters that OT1 fonts print wrongly (| as a dash, < as ¡) go to math mode.
_SPECIAL = {"\\": r"$\backslash$", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"$\{$", "}": r"$\}$", "~": r"$\sim$", "^": r"$\hat{}$",
            "|": r"$\mid$", "<": r"$<$", ">": r"$>$"}
_UNICODE = {"σ": r"$\sigma$", "ρ": r"$\rho$", "γ": r"$\gamma$", "α": r"$\alpha$",
            "β": r"$\beta$", "δ": r"$\delta$", "≥": r"$\ge$", "≤": r"$\le$", "≠": r"$\ne$",
            "−": "-", "×": r"$\times$", "·": r"$\cdot$", "²": r"$^2$", "⌊": r"$\lfloor$",
            "⌋": r"$\rfloor$", "…": r"\ldots{}", "√": r"$\surd$", "∞": r"$\infty$",
            "≈": r"$\approx$", "→": r"$\to$", "ℓ": r"$\ell$", "∣": r"$\mid$"}


_UNICODE.update({"Σ": r"$\Sigma$", "∂": r"$\partial$", "⋯": r"$\cdots$", "⌈": r"$\lceil$",
                 "⌉": r"$\rceil$", "∈": r"$\in$", "±": r"$\pm$", "✓": r"$\checkmark$",
                 "✗": r"$\times$", "⊡": r"$\boxdot$", "∧": r"$\wedge$", "∨": r"$\vee$",
                 "≡": r"$\equiv$", "ᵀ": r"$^\top$", "₁": r"$_1$", "₂": r"$_2$", "′": "'",
                 "“": "``", "”": "''", "’": "'", "–": "--", "—": "---", "¬": r"$\neg$"})


def escape(text: str) -> str:
    """Plain text (with the Unicode symbols symproof writes) as LaTeX text. Any other
    non-ASCII character becomes its Unicode name, so the document always compiles."""
    import unicodedata

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

    return "".join(one(c) for c in text)
