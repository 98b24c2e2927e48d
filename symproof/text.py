"""A one-line Unicode text form of formulas for terminals, in the course's notation.

>>> from symproof import Conv2d
>>> print(text(Conv2d(1, 2, 3, padding=1).equation()))
Y[l,i,j] = b[l] + Σ_{α=1}^{3} Σ_{β=1}^{3} w[l,1,α,β]·X[1,i+α-2,j+β-2]
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.str import StrPrinter

from .notation import display_name
from .ordering import course_factors, index_terms

__all__ = ["text"]



class TextPrinter(StrPrinter):
    """Sums as ``Σ_{α=1}^{3}``, entries as ``X[1,i+α-2,j+β-2]``, Greek letters as Unicode."""

    printmethod = "_symproof_text"  # not _sympystr: Indexed and MaxOver print here, not there

    def _print_Symbol(self, expr):
        return display_name(expr.name, "text")

    def _print_MatrixSymbol(self, expr):
        return display_name(expr.name, "text")

    def _print_Function(self, expr):
        name = display_name(expr.func.__name__, "text")
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Elementwise(self, expr):
        return f"{display_name(expr.function, 'text')}({self._print(expr.argument)})"

    def _print_DiagMatrix(self, expr):
        return f"diag({self._print(expr.args[0])})"

    def _print_Identity(self, expr):
        return "1" if expr.shape[0] == 1 else f"I_{self._print(expr.shape[0])}"

    def _print_Transpose(self, expr):
        base = self._print(expr.arg)
        simple = isinstance(expr.arg, sp.MatrixSymbol) and not expr.arg.name.startswith("∂")
        return f"{base}^T" if simple else f"({base})^T"

    def _print_MatMul(self, expr):
        return "·".join(self.parenthesize(a, 50) for a in expr.args)

    def _print_Indexed(self, expr):
        indices = ",".join(self._print_index(i) for i in expr.indices)
        name = str(expr.base.label)
        label = "X̄" if name == "Xbar" else display_name(name, "text")
        return f"{label}[{indices}]"

    def _print_index(self, expr) -> str:
        out = ""
        for negative, term in index_terms(expr):
            body = self._print(term).replace(" ", "")
            out += ("-" if negative else ("+" if out else "")) + body
        return out

    def _print_Mul(self, expr):
        if all(isinstance(f, sp.Indexed) for f in expr.args):
            return "·".join(self._print(f) for f in course_factors(expr.args))
        return super()._print_Mul(expr)

    def _print_Sum(self, expr):
        bounds = " ".join(f"Σ_{{{self._print(v)}={self._print(a)}}}^{{{self._print(b)}}}"
                          for v, a, b in reversed(expr.limits))
        body = self._print(expr.function)
        return f"{bounds} ({body})" if isinstance(expr.function, sp.Add) else f"{bounds} {body}"

    def _print_Derivative(self, expr):
        below = "".join(f"∂{self._print(v)}" if n == 1 else f"∂{self._print(v)}^{n}"
                        for v, n in expr.variable_count)
        order = expr.derivative_count
        top = "∂" if order == 1 else f"∂^{order}"
        return f"{top}{self.parenthesize(expr.expr, 60)}/{below}"

    def _print_Piecewise(self, expr):
        cases = [f"{self._print(value)} if {self._print(condition)}"
                 if condition not in (True, sp.true) else f"{self._print(value)} otherwise"
                 for value, condition in expr.args]
        return "{" + "; ".join(cases) + "}"

    def _print_MaxOver(self, expr):
        ranges = ", ".join(f"{self._print(a)}≤{self._print(v)}≤{self._print(b)}"
                           for v, a, b in reversed(expr.limits))
        return f"max_{{{ranges}}} {self._print(expr.function)}"

    def _print_KroneckerDelta(self, expr):
        return f"δ[{','.join(self._print(a) for a in expr.args)}]"

    def _print_Pow(self, expr, rational=False):
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_MatrixBase(self, expr):
        return "[" + "; ".join(" ".join(self._print(v) for v in expr.row(r))
                               for r in range(expr.rows)) + "]"

    def _print_Equality(self, expr):
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"


def text(expr: sp.Basic) -> str:
    """``expr`` on one line, with Unicode Σ and Greek letters."""
    return TextPrinter().doprint(expr)
