"""A ``Proof`` as a LaTeX fragment: statement, assumptions, the derivation with a status mark and
a reason per step, cross-checks, and the boxed result (amsmath only)."""

from __future__ import annotations

from .printer import latex

__all__ = ["proof_to_latex", "escape"]

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


def _status(step) -> str:
    return rf"\textsf{{{step.status.name.replace('_', '-')}}}"


def proof_to_latex(proof) -> str:
    lines = [rf"\subsection*{{{escape(proof.name.upper())}: {escape(proof.title)}}}",
             escape(proof.statement), ""]
    assumed = [escape(a) if isinstance(a, str) else f"${latex(a)}$" for a in proof.assumptions]
    if assumed:
        lines += [r"\noindent Assumptions: " + "; ".join(assumed) + ".", ""]
    lines.append(r"\begin{align*}")
    for number, step in enumerate(proof.steps, 1):
        claim = latex(step.claim) if step.claim is not None else \
            rf"\text{{{escape(step.statement)}}}"
        if not step.holds:
            claim = rf"\text{{not always: }} {claim}"
        lines.append(rf"&({number})\quad {claim} \\")
        lines.append(rf"&\qquad\text{{\small {escape(step.justification)}}} \quad {_status(step)}"
                     r" \\")
    lines.append(r"\end{align*}")
    for check in proof.checks:
        lines.append(rf"\noindent Check {_status(check)}: {escape(check.statement)} "
                     rf"({escape(check.outcome.summary())}).\par")
    if proof.result is not None:
        lines += ["", r"\[", rf"\boxed{{{latex(proof.result)}}}", r"\]"]
    return "\n".join(lines)
