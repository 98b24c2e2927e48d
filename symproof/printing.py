"""The course's notation, printed: one set of rules, two styles (terminal text and LaTeX).

Every construct the course writes its own way (an entry ``X_{γ,p,q}``, a product of entries in
the course's order, nested sums with bounds, a max over a window, transpose, diag, identity,
elementwise functions, derivatives, piecewise values, Kronecker deltas, course names through
:func:`~symproof.notation.display_name`) has one rule in :class:`CourseRules`; a :class:`Style`
says how each rule is spelled. The two printers differ only in their base (SymPy's
``StrPrinter`` or ``LatexPrinter``, for everything the course writes as SymPy does) and in a few
structural details of each medium; a style leaves a rule to its base with ``None``.

>>> from symproof.notation import X, alpha, beta, i, j
>>> formula = sp.Sum(X[1, i + alpha - 1, j + beta - 1], (alpha, 1, 3), (beta, 1, 3))
>>> print(text(formula))
Σ_{β=1}^{3} Σ_{α=1}^{3} X[1,i+α-1,j+β-1]
>>> print(latex(formula))
\\sum_{\\beta=1}^{3} \\sum_{\\alpha=1}^{3} X_{1,i+\\alpha-1,j+\\beta-1}
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from .errors import ParameterError
from .notation import GREEK, LAYER_INDEX, PARTIAL, display_name, greek
from .ordering import course_factors, index_terms

__all__ = ["Style", "STYLES", "TEXT", "LATEX", "CourseRules", "TextPrinter",
           "SymproofLatexPrinter", "text", "latex", "printed", "decimal_text",
           "written_as_decimals", "as_written_decimal"]

# The rationals that the user (or a problem's author) wrote as decimals (0.299), printed so
# while a document of theirs is written; the values stay exact rationals everywhere else.
_DECIMALS: ContextVar[frozenset] = ContextVar("symproof_decimals", default=frozenset())
# More digits than this is not how anyone writes a weight: such a value stays a fraction.
_MAX_DECIMAL_DIGITS = 30


def decimal_text(value: sp.Rational) -> str | None:
    """``value`` as a terminating decimal (``0.114`` for 57/500), exactly, by integer
    arithmetic; None when its denominator has a prime factor other than 2 and 5 (or needs more
    than 30 digits).

    >>> decimal_text(sp.Rational(57, 500)), decimal_text(sp.Rational(1, 3))
    ('0.114', None)
    """
    if not isinstance(value, sp.Rational) or value.is_Integer:
        return None
    p, q = int(value.p), int(value.q)
    digits = next((n for n in range(1, _MAX_DECIMAL_DIGITS + 1) if 10**n % q == 0), None)
    if digits is None:
        return None
    scaled = abs(p) * (10**digits // q)
    whole, part = divmod(scaled, 10**digits)
    return f"{'-' if p < 0 else ''}{whole}.{str(part).rjust(digits, '0').rstrip('0')}"


@contextlib.contextmanager
def written_as_decimals(values: Iterable[sp.Rational]) -> Iterator[None]:
    """Print the rationals ``values`` (and their negatives) as decimals inside the block, in
    every style: how the user wrote them. Other rationals print as fractions."""
    token = _DECIMALS.set(_DECIMALS.get() | frozenset(
        v for v in values if isinstance(v, sp.Rational) and decimal_text(v) is not None))
    try:
        yield
    finally:
        _DECIMALS.reset(token)


def as_written_decimal(value) -> str | None:
    """The decimal a rational marked by :func:`written_as_decimals` (or its negative) is
    printed as, else None."""
    if isinstance(value, sp.Rational) and (value in _DECIMALS.get() or -value in _DECIMALS.get()):
        return decimal_text(value)
    return None


@dataclass(frozen=True)
class Style:
    """How one medium spells the course's constructs, one field a rule (``str.format``
    templates where the rule fills something in).

    ``None`` leaves a construct to the base printer (LaTeX writes derivatives, cases and
    deltas as SymPy does, which the LaTeX reader understands).
    """

    name: str  # "text" or "latex": the style display_name writes names in
    every_name: bool  # every symbol and function name as a course name, or only course names
    entry: str  # X[1,i,j], X_{1,i,j}
    named_entry: str  # an entry of a named matrix or vector A_1: [A_1]_{i,k} in LaTeX
    padded: str  # the zero-padded image Xbar
    times: str  # between the entries of a product
    group: str  # parentheses around a sum or a compound transpose
    call: str  # a function applied to its arguments
    power: str  # a power of an applied function, after the call
    sum: str  # one summation with its bounds
    max: str  # a max over a window, ranges below
    max_range: str  # one index range of that window
    max_join: str  # between the ranges
    transpose: str  # after the transposed matrix
    diag: str  # the name of the diagonal matrix of a vector
    identity: str  # an identity matrix of a size
    matmul: str | None  # between matrix factors
    delta: str | None  # a Kronecker delta of its indices
    derivative: str | None  # a derivative: order mark, expression, variables
    partial: str | None  # one ∂ of the derivative
    cases: tuple[str, str, str, str] | None  # a case, the last case, the whole, between cases


TEXT = Style(
    name="text", every_name=True, entry="{base}[{indices}]", named_entry="{base}[{indices}]",
    padded="X̄", times="·", group="({})", call="{f}({args})", power="^{}",
    sum="Σ_{{{v}={a}}}^{{{b}}}", max="max_{{{ranges}}} {body}", max_range="{a}≤{v}≤{b}",
    max_join=", ", transpose="^T", diag="diag", identity="I_{}", matmul="·",
    delta=greek("delta", "text") + "[{}]", derivative="{top}{body}/{below}",
    partial=PARTIAL[0], cases=("{value} if {condition}", "{value} otherwise", "{{{}}}", "; "),
)
LATEX = Style(
    name="latex", every_name=False, entry="{base}_{{{indices}}}",
    named_entry="[{base}]_{{{indices}}}", padded=r"\bar{X}", times=" ", group=r"\left({}\right)",
    call=r"{f}\left({args}\right)", power="^{{{}}}", sum=r"\sum_{{{v}={a}}}^{{{b}}}",
    max=r"\max_{{\substack{{{ranges}}}}} {body}", max_range=r"{a} \le {v} \le {b}",
    max_join=r" \\ ", transpose=r"^{\top}", diag=r"\operatorname{diag}",
    identity="I_{{{}}}", matmul=None, delta=None, derivative=None, partial=None, cases=None,
)
STYLES = {style.name: style for style in (TEXT, LATEX)}


class CourseRules:
    """The course's printing rules, for a SymPy printer with a :class:`Style` ``style``."""

    style: Style

    def _print_Symbol(self, expr, style="plain"):
        if self.style.every_name or _course_name(expr.name):
            return display_name(expr.name, self.style.name)
        return self._print_other_name(expr, style)

    def _print_other_name(self, expr, style="plain"):
        return super()._print_Symbol(expr)

    def _print_MatrixSymbol(self, expr):
        return self._print_Symbol(sp.Symbol(expr.name))

    def _call(self, head: str, arguments) -> str:
        return self.style.call.format(f=head, args=", ".join(self._print(a) for a in arguments))

    def _print_Function(self, expr, exp=None):
        if not (self.style.every_name or isinstance(expr, AppliedUndef)):
            return super()._print_Function(expr, exp)
        called = self._call(display_name(expr.func.__name__, self.style.name), expr.args)
        return called + self.style.power.format(exp) if exp else called

    def _print_Elementwise(self, expr):
        return self._call(display_name(expr.function, self.style.name), [expr.argument])

    def _print_DiagMatrix(self, expr):
        return self._call(self.style.diag, [expr.args[0]])

    def _print_Identity(self, expr):
        rows = expr.shape[0]
        return "1" if rows == 1 else self.style.identity.format(self._print(rows))

    def _print_Transpose(self, expr):
        base = self._print(expr.arg)
        simple = isinstance(expr.arg, sp.MatrixSymbol) and not expr.arg.name.startswith("∂")
        return (base if simple else self.style.group.format(base)) + self.style.transpose

    def _print_MatMul(self, expr):
        if self.style.matmul is None:
            return super()._print_MatMul(expr)
        return self.style.matmul.join(self.parenthesize(a, 50) for a in expr.args)

    def _print_IndexedBase(self, expr):
        name = str(expr.label)
        return self.style.padded if name == "Xbar" else self._print(sp.Symbol(name))

    def _print_Indexed(self, expr):
        base = self._print_IndexedBase(expr.base)
        body = ",".join(self._print_index(index) for index in expr.indices)
        # [A_1]_{i,k}: an entry of a named matrix or vector, not a doubly subscripted A
        named = "_" in str(expr.base.label)
        return (self.style.named_entry if named else self.style.entry).format(
            base=base, indices=body)

    def _print_index(self, expr) -> str:
        """An index expression without spaces, in hand-written term order (i+α-2)."""
        out = ""
        for negative, term in index_terms(expr):
            body = self._print(term).replace(" ", "")
            out += ("-" if negative else ("+" if out else "")) + body
        return out

    def _print_Rational(self, expr):
        written = as_written_decimal(expr)
        return written if written is not None else super()._print_Rational(expr)

    def _print_Mul(self, expr):
        coefficient, rest = expr.as_coeff_Mul()
        written = as_written_decimal(coefficient)
        if written is not None and rest is not sp.S.One:
            # 0.299 X_{1,i,j}, not \frac{299 X_{1,i,j}}{1000}: the number as it was written
            sign = "-" if coefficient < 0 else ""
            body = self.parenthesize(rest, 50) if isinstance(rest, sp.Add) else self._print(rest)
            return f"{sign}{as_written_decimal(abs(coefficient))}{self.style.times}{body}"
        if all(isinstance(f, sp.Indexed) for f in expr.args):
            return self.style.times.join(self._print(f) for f in course_factors(expr.args))
        return super()._print_Mul(expr)

    def _print_Sum(self, expr):
        bounds = " ".join(  # SymPy lists the innermost sum first; print outermost first
            self.style.sum.format(v=self._print(v), a=self._print(a), b=self._print(b))
            for v, a, b in reversed(expr.limits))
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = self.style.group.format(body)
        return f"{bounds} {body}"

    def _print_MaxOver(self, expr):
        ranges = self.style.max_join.join(
            self.style.max_range.format(a=self._print(a), v=self._print(v), b=self._print(b))
            for v, a, b in reversed(expr.limits))
        return self.style.max.format(ranges=ranges, body=self._print(expr.function))

    def _print_KroneckerDelta(self, expr, exp=None):
        if self.style.delta is None:
            return super()._print_KroneckerDelta(expr, exp)
        return self.style.delta.format(",".join(self._print(a) for a in expr.args))

    def _print_Derivative(self, expr):
        if self.style.derivative is None:
            return super()._print_Derivative(expr)
        d = self.style.partial
        below = "".join(f"{d}{self._print(v)}" if n == 1 else f"{d}{self._print(v)}^{n}"
                        for v, n in expr.variable_count)
        order = expr.derivative_count
        return self.style.derivative.format(top=d if order == 1 else f"{d}^{order}",
                                            body=self.parenthesize(expr.expr, 60), below=below)

    def _print_Piecewise(self, expr):
        if self.style.cases is None:
            return super()._print_Piecewise(expr)
        case, last, whole, between = self.style.cases
        return whole.format(between.join(
            (last if condition in (True, sp.true) else case).format(
                value=self._print(value), condition=self._print(condition))
            for value, condition in expr.args))


def _course_name(name: str) -> bool:
    """Names the course writes with structure: ``A_ell``, ``y_ell-1``, ``y_L-1``, ``sigma'``,
    fractions ``∂y_L/∂y_ell`` and entries ``[A_ell]_i``."""
    return name.startswith((PARTIAL[0], "[")) or name.endswith("'") or (
        LAYER_INDEX in name.split("_", 1)[-1]) or ("_" in name and "-" in name.split("_", 1)[1])


class TextPrinter(CourseRules, StrPrinter):
    """Sums as ``Σ_{α=1}^{3}``, entries as ``X[1,i+α-2,j+β-2]``, Greek letters as Unicode."""

    style = TEXT
    printmethod = "_symproof_text"  # not _sympystr: Indexed and MaxOver print here, not there

    # What a line of text writes differently from SymPy's str: ^ for powers, matrices by rows.
    def _print_Pow(self, expr, rational=False):
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Exp1(self, expr):
        return "e"  # SymPy's E reads as a loss or a matrix named E

    def _print_MatrixBase(self, expr):
        return "[" + "; ".join(" ".join(self._print(v) for v in expr.row(r))
                               for r in range(expr.rows)) + "]"

    def _print_Equality(self, expr):
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_MatAdd(self, expr):
        # p − t, not p + (-1)·t (SymPy's str); the subtracted terms after the added ones
        terms = sorted(expr.args, key=_subtracted)
        out = ""
        for term in terms:
            if _subtracted(term):
                rest = term.args[1:]
                out += " - " + self.parenthesize(rest[0] if len(rest) == 1 else
                                                 sp.MatMul(*rest), 50)
            else:
                out += (" + " if out else "") + self._print(term)
        return out if not out.startswith(" - ") else "-" + out[3:]


def _subtracted(term) -> bool:
    """Whether a term of a matrix sum is ``(-1)·M``."""
    return isinstance(term, sp.MatMul) and term.args[0] == -1


_WORD_SUBSCRIPTS = {"in", "out"}
# Greek letters inside a descriptive name, spaced so that a following letter stays apart.
_LETTERS_LATEX = {letter: f"{tex} " for letter, tex in GREEK.values()}


class SymproofLatexPrinter(CourseRules, LatexPrinter):
    """LaTeX in the notation of the course (see the module docstring)."""

    style = LATEX
    printmethod = "_symproof_latex"
    _default_settings = {**LatexPrinter._default_settings, "mat_str": "bmatrix", "mat_delim": ""}

    def _print_Basic(self, expr):
        # SymPy's own objects that spell themselves (−∞ as -\infty) do so through a
        # ``_latex`` method, which a printer with its own printmethod never calls
        spelled = getattr(expr, "_latex", None)
        return spelled(self) if callable(spelled) else super()._print_Basic(expr)

    def _print_MatAdd(self, expr):
        # y − t, as the text printer writes it: the subtracted terms after the added ones
        tex = ""
        for term in sorted(expr.args, key=_subtracted):
            negative = bool(tex) and term.could_extract_minus_sign()
            item = -term if negative else term
            shown = self._print(item)
            tex += (" - " if negative else " + " if tex else "") + (
                rf"\left({shown}\right)" if self._needs_add_brackets(item) else shown)
        return tex

    def _print_other_name(self, expr, style="plain"):
        if " " in expr.name:  # a name in words, e.g. "last row read"
            return rf"\text{{{expr.name}}}"
        if any(c in expr.name for c in "(") or not expr.name.isascii():
            # A descriptive name such as "σ(ρ(X))": already notation, not a letter.
            return "".join(_LETTERS_LATEX.get(c, c) for c in expr.name)
        name, _, sub = expr.name.partition("_")
        if sub in _WORD_SUBSCRIPTS:
            return f"{self._deal_with_super_sub(name)}_{{\\text{{{sub}}}}}"
        return LatexPrinter._print_Symbol(self, expr, style)


def text(expr: sp.Basic) -> str:
    """``expr`` on one line, with Unicode Σ and Greek letters.

    >>> from symproof.notation import gamma, w
    >>> text(sp.Sum(w[gamma], (gamma, 1, 3)))
    'Σ_{γ=1}^{3} w[γ]'
    """
    return TextPrinter().doprint(expr)


def latex(expr: sp.Basic, **settings) -> str:
    """``expr`` as LaTeX in the course's notation (no math delimiters).

    >>> from symproof.notation import gamma, w
    >>> latex(sp.Sum(w[gamma], (gamma, 1, 3)))
    '\\\\sum_{\\\\gamma=1}^{3} w_{\\\\gamma}'
    """
    return SymproofLatexPrinter(settings).doprint(expr)


def printed(expr: sp.Basic, style: str) -> str:
    """``expr`` in the style named ``"text"`` or ``"latex"``.

    >>> printed(sp.Transpose(sp.MatrixSymbol("A_ell", 2, 2)), "latex")
    'A_{\\\\ell}^{\\\\top}'
    """
    if not (isinstance(style, str) and style in STYLES):
        raise ParameterError("style", style, f"must be one of {', '.join(STYLES)}")
    return text(expr) if style == "text" else latex(expr)

