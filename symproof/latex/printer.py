"""One LaTeX printer for symproof, a SymPy ``LatexPrinter`` that writes the course's notation:
``X_{γ,p,q}``, ``w_{l,γ,α,β}``, ``b_l``, ``\\bar{X}`` for the padded image, ``[A_ℓ]_{i,k}`` for
entries of named matrices, ``C_{\\text{in}}``, nested ``\\sum`` with bounds, ``\\max`` over windows.

>>> from symproof import Conv2d
>>> print(latex(Conv2d(1, 2, 3, padding=1, bias=False).element()))
\\sum_{\\alpha=1}^{3} \\sum_{\\beta=1}^{3} w_{l,1,\\alpha,\\beta} X_{1,i+\\alpha-2,j+\\beta-2}
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..notation import display_name
from ..ordering import course_factors, index_terms

__all__ = ["SymproofLatexPrinter", "latex"]

_WORD_SUBSCRIPTS = {"in", "out"}
_GREEK = {"σ": r"\sigma ", "ρ": r"\rho ", "γ": r"\gamma ", "α": r"\alpha ", "β": r"\beta ",
          "δ": r"\delta ", "ℓ": r"\ell "}


class SymproofLatexPrinter(LatexPrinter):
    """LaTeX in the notation of the course (see the module docstring)."""

    printmethod = "_symproof_latex"
    _default_settings = {**LatexPrinter._default_settings, "mat_str": "bmatrix", "mat_delim": ""}

    def _print_Symbol(self, expr, style="plain"):
        if expr.name.startswith(("∂", "[")) or _course_name(expr.name):
            return display_name(expr.name, "latex")
        if " " in expr.name:  # a name in words, e.g. "last row read"
            return rf"\text{{{expr.name}}}"
        if any(c in expr.name for c in "(") or not expr.name.isascii():
            # A descriptive name such as "σ(ρ(X))": already notation, not a letter.
            return "".join(_GREEK.get(c, c) for c in expr.name)
        name, _, sub = expr.name.partition("_")
        if sub in _WORD_SUBSCRIPTS:
            return f"{self._deal_with_super_sub(name)}_{{\\text{{{sub}}}}}"
        return super()._print_Symbol(expr, style)

    def _print_MatrixSymbol(self, expr):
        return self._print_Symbol(sp.Symbol(expr.name))

    def _print_Function(self, expr, exp=None):
        if isinstance(expr, sp.core.function.AppliedUndef):
            args = ", ".join(self._print(a) for a in expr.args)
            head = display_name(expr.func.__name__, "latex")
            return f"{head}\\left({args}\\right)" + (f"^{{{exp}}}" if exp else "")
        return super()._print_Function(expr, exp)

    def _print_Elementwise(self, expr):
        head = display_name(expr.function, "latex")
        return f"{head}\\left({self._print(expr.argument)}\\right)"

    def _print_DiagMatrix(self, expr):
        return f"\\operatorname{{diag}}\\left({self._print(expr.args[0])}\\right)"

    def _print_Identity(self, expr):
        rows = expr.shape[0]
        return "1" if rows == 1 else f"I_{{{self._print(rows)}}}"

    def _print_Transpose(self, expr):
        base = self._print(expr.arg)
        simple = isinstance(expr.arg, sp.MatrixSymbol) and not expr.arg.name.startswith("∂")
        return f"{base}^{{\\top}}" if simple else f"\\left({base}\\right)^{{\\top}}"

    def _print_IndexedBase(self, expr):
        name = str(expr.label)
        if name == "Xbar":
            return r"\bar{X}"
        return self._print(sp.Symbol(name))

    def _print_Indexed(self, expr):
        base = self._print(expr.base)
        body = ",".join(self._print_index(index) for index in expr.indices)
        if "_" in str(expr.base.label):
            return f"[{base}]_{{{body}}}"  # [A_1]_{i,k}: entry of a named matrix or vector
        return f"{base}_{{{body}}}"

    def _print_index(self, expr) -> str:
        """An index expression without spaces, in hand-written term order (i+\\alpha-2)."""
        out = ""
        for negative, term in index_terms(expr):
            text = self._print(term).replace(" ", "")
            out += ("-" if negative else ("+" if out else "")) + text
        return out

    def _print_Mul(self, expr):
        if all(isinstance(f, sp.Indexed) for f in expr.args):
            return " ".join(self._print(f) for f in course_factors(expr.args))
        return super()._print_Mul(expr)

    def _print_Sum(self, expr):
        bounds = " ".join(  # SymPy lists the innermost sum first; print outermost first
            f"\\sum_{{{self._print(v)}={self._print(a)}}}^{{{self._print(b)}}}"
            for v, a, b in reversed(expr.limits)
        )
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = f"\\left({body}\\right)"
        return f"{bounds} {body}"

    def _print_MaxOver(self, expr):
        ranges = r" \\ ".join(
            f"{self._print(a)} \\le {self._print(v)} \\le {self._print(b)}"
            for v, a, b in reversed(expr.limits)
        )
        return f"\\max_{{\\substack{{{ranges}}}}} {self._print(expr.function)}"


def _course_name(name: str) -> bool:
    """Names the course writes with structure: ``A_ell``, ``y_ell-1``, ``y_L-1``, ``sigma'``."""
    return name.endswith("'") or "ell" in name.split("_", 1)[-1] or (
        "_" in name and "-" in name.split("_", 1)[1])


def latex(expr: sp.Basic, **settings) -> str:
    """``expr`` as LaTeX in the course's notation (no math delimiters)."""
    return SymproofLatexPrinter(settings).doprint(expr)
