"""A ``Proof`` as a LaTeX fragment: statement, assumptions, the derivation with a status mark and
a reason per step, cross-checks, and the boxed result (amsmath only)."""

from __future__ import annotations

from .printer import latex

__all__ = ["proof_to_latex", "escape"]

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}
_UNICODE = {"σ": r"$\sigma$", "ρ": r"$\rho$", "γ": r"$\gamma$", "α": r"$\alpha$",
            "β": r"$\beta$", "δ": r"$\delta$", "≥": r"$\ge$", "≤": r"$\le$", "≠": r"$\ne$",
            "−": "-", "×": r"$\times$", "·": r"$\cdot$", "²": r"$^2$", "⌊": r"$\lfloor$",
            "⌋": r"$\rfloor$", "…": r"\ldots{}", "√": r"$\surd$", "∞": r"$\infty$",
            "≈": r"$\approx$", "→": r"$\to$", "ℓ": r"$\ell$", "∣": r"$\mid$"}


def escape(text: str) -> str:
    """Plain text (with the few Unicode symbols symproof writes) as LaTeX text."""
    return "".join(_UNICODE.get(c, _SPECIAL.get(c, c)) for c in text)


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
