"""LaTeX → SymPy for the course's notation: symproof's own normalisation in front of
latex2sympy2_extended (imported lazily, called through one cached wrapper).

latex2sympy handles arithmetic, fractions, sums, floors and matrices. What it does not know is
replaced first by placeholders ``\\Xi_{nnn}`` that it passes through as symbols, each standing
for an object built here: indexed entries (``X_{γ,p,q}``, ``[A_ℓ]_{i,k}``, ``\\bar{X}``),
``\\delta_{ij}``, ``\\max`` over a window, ``\\operatorname{diag}``, ``σ'(…)``, transposes, and
names the caller knows (``known``: symbols and matrix symbols, recognised by how symproof prints
them). Placeholders are numbered left to right, so a product of matrices keeps its order.
Nothing is ever passed to ``eval`` or ``sympify``.

>>> from symproof.notation import X, alpha, i
>>> parse_latex(r"\\sum_{\\alpha=1}^{3} X_{1,i+\\alpha-2}", known=[alpha, i])
Sum(X[1, alpha + i - 2], (alpha, 1, 3))
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix
from sympy.matrices.expressions.matexpr import MatrixExpr

from .. import notation as nt
from ..calculus import Elementwise
from ..errors import SymproofError
from ..latex import latex
from ..limits import check_expression, check_scripts, check_text, current, deadline
from ..reductions import MaxOver
from .arithmetic import read_arithmetic
from .entries import Entries, OneHot, entry_of, partial
from .extract import split_top as pieces
from .vocabulary import BARE_BOUND, LAYER_SUPERSCRIPT

__all__ = ["parse_latex", "ParseError"]

# Entries written X_{γ,p,q}: bases known by their single letter.
_INDEXED = {name: getattr(nt, name) for name in nt.WINDOW_ARRAYS}
_GREEK = frozenset(nt.GREEK)


class ParseError(SymproofError):
    """The LaTeX could not be read; the message names the fragment."""


class _Unreadable(ParseError):
    """latex2sympy's refusal of a normalised text: its complaint and where it points (the
    caller says it again in the document's own words)."""

    def __init__(self, why: str, rest: str):
        super().__init__(f"cannot read this LaTeX: {why}" + (f" at {rest!r}" if rest else ""))
        self.why, self.rest = why, rest


@lru_cache(maxsize=4096)
def _latex2sympy(text: str):
    """The one entry point to latex2sympy2_extended (symbols keep their case)."""
    try:
        from latex2sympy2_extended import latex2sympy
        from latex2sympy2_extended.latex2sympy2 import ConversionConfig
    except ImportError as missing:  # pragma: no cover - a runtime dependency
        raise ParseError("reading LaTeX needs latex2sympy2_extended: pip install "
                         "latex2sympy2_extended") from missing
    try:
        return latex2sympy(text, conversion_config=ConversionConfig(lowercase_symbols=False))
    except Exception as error:  # its parser raises many kinds; all mean "cannot read"
        raise _Unreadable(*_complaint(str(error))) from None


def _complaint(message: str) -> tuple[str, str]:
    """latex2sympy's message (a complaint, the text it read, a line of ``~`` ending in ``^``
    under the offending place) as the complaint and the text from that place on."""
    lines = message.split("\n")
    why = " ".join(lines[0].split()).removesuffix(" here")
    if len(lines) >= 3 and lines[-1].rstrip().endswith("^"):
        return why, " ".join(lines[-2][len(lines[-1].rstrip()) - 1:].split())
    return " ".join(" ".join(lines).split())[:160], ""


class _Reader:
    """One left-to-right normalisation pass over a LaTeX string."""

    def __init__(self, text: str, table: dict[str, sp.Basic], symbols: dict[str, sp.Basic]):
        self.text, self.pos = text, 0
        self.table = table  # printed form → object, longest first
        self.symbols = symbols
        self.out: list[str] = []
        self.objects: dict[str, sp.Basic] = {}
        self.sources: dict[str, str] = {}  # placeholder → the document's text it stands for

    # --- scanning helpers ------------------------------------------------------------------
    def at(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def group(self, start: int, open_: str = "{", close: str = "}") -> tuple[str, int]:
        """The balanced group starting at ``start`` (which holds ``open_``) and the end."""
        if not self.text.startswith(open_, start):
            raise ParseError(f"expected {open_!r} in {self.text[start:start + 30]!r}")
        depth, i = 0, start
        while i < len(self.text):
            if self.text.startswith("\\" + open_, i) or self.text.startswith("\\" + close, i):
                i += 2
                continue
            if self.text.startswith(open_, i):
                depth += 1
            elif self.text.startswith(close, i):
                depth -= 1
                if depth == 0:
                    return self.text[start + len(open_):i], i + len(close)
            i += 1
        raise ParseError(f"unbalanced {open_!r} in {self.text!r}")

    def left_right(self, start: int, kind: str = "(") -> tuple[str, int]:
        """``\\left( … \\right)`` (nested pairs allowed) from ``start``."""
        opener, closer = "\\left" + kind, "\\right" + {"(": ")", "[": "]", "\\{": "\\}"}[kind]
        depth, i = 0, start
        while i < len(self.text):
            if self.text.startswith("\\left", i):
                depth += 1
                i += 5
                continue
            if self.text.startswith("\\right", i):
                depth -= 1
                if depth == 0:
                    if not self.text.startswith(closer, i):
                        raise ParseError(f"mismatched \\left/\\right in {self.text!r}")
                    return self.text[start + len(opener):i], i + len(closer)
                i += 6
                continue
            i += 1
        raise ParseError(f"unbalanced \\left in {self.text!r}")

    def subscript(self, start: int) -> tuple[str | None, int]:
        if not self.text.startswith("_", start):
            return None, start
        if self.text.startswith("_{", start):
            return self.group(start + 1)
        return self.text[start + 1], start + 2

    def place(self, obj: sp.Basic, end: int) -> None:
        """Emit a placeholder for ``obj`` (transposed if ``^{\\top}`` follows)."""
        for suffix in ("^{\\top}", "^\\top", "^{T}", "^{\\intercal}", "^{\\mathsf{T}}"):
            if self.text.startswith(suffix, end):
                obj, end = sp.Transpose(obj), end + len(suffix)
                break
        name = f"\\Xi_{{{len(self.objects):03d}}}"
        self.sources[name] = " ".join(self.text[self.pos:end].split())
        self.objects[f"Xi_{{{len(self.objects):03d}}}"] = obj
        # an object is never a function: "σ'(u) (v)" is a product, which latex2sympy would
        # read as the placeholder applied to (v)
        times = " \\cdot" if self.text[end:].lstrip().startswith("\\left(") else ""
        self.out.append(f" {name}{times} ")
        self.pos = end

    def restore(self, text: str) -> str:
        """``text`` with each placeholder back as the document's text it stands for."""
        return _PLACEHOLDER.sub(lambda m: self.sources.get(m.group(), m.group()), text)

    def inner(self, text: str) -> sp.Basic:
        return parse_latex(text, _table=self.table, _symbols=self.symbols)

    def indices(self, text: str) -> list[sp.Basic]:
        return [self.inner(part) for part in split_top(text, ",")]

    # --- the pass ---------------------------------------------------------------------------
    def run(self) -> str:
        while self.pos < len(self.text):
            if not self.step():
                self.out.append(self.text[self.pos])
                self.pos += 1
        return "".join(self.out)

    def step(self) -> bool:
        t, p = self.text, self.pos
        boundary = p == 0 or not (t[p - 1].isalnum() or t[p - 1] == "\\")
        for printed, obj in self.table.items():
            if boundary and t.startswith(printed, p) and not _continues(t, p + len(printed)):
                self.place(obj, p + len(printed))
                return True
        for command in ("\\text{", "\\mathrm{"):
            if t.startswith(command, p):  # words inside stay as they are
                _, end = self.group(p + len(command) - 1)
                self.out.append(t[p:end])
                self.pos = end
                return True
        if t[p] == " " and _letter_before(t, p) and _letter_after(t, p):
            # "d k" is the product d·k; latex2sympy would read one symbol "dk" (and, after a
            # d, even \cdot as part of a name): a thin space separates them for it.
            self.out.append(" \\, ")
            self.pos = p + 1
            return True
        if self.at("\\boxed{"):
            body, end = self.group(p + 6)
            self.out.append(f" {body} ")
            self.pos = end
            return True
        if (boundary or self.at("\\left[")) and self.indicator():
            return True
        if self.at("\\left[") or (self.at("[") and boundary):
            body, end = self.left_right(p, "[") if self.at("\\left[") else self.group(p, "[", "]")
            sub, after = self.subscript(end)
            if sub is None:
                return self.column(body, end)
            indices = tuple(self.indices(sub))
            if self.applied_entry(body, sub, indices, after):
                return True
            matrix = self.matrix(body)
            if matrix is not None:  # [σ(A y + b)]_i: the entry of what the body denotes
                self.place(entry_of(matrix, indices), after)
                return True
            base = sp.IndexedBase(_name_of(body, self.table))
            self.place(base[indices], after)
            return True
        if self.at("\\left\\{"):
            return self.builder()
        if self.at("\\bar{X}"):
            sub, after = self.subscript(p + 7)
            self.place(nt.Xbar[tuple(self.indices(sub))], after)
            return True
        if self.at("\\delta_"):
            sub, after = self.subscript(p + 6)
            # \delta_{p, S(i-1)+\alpha-P}: indices that are expressions are comma-separated
            parts = split_top(sub, ",") if "," in sub else sub.split()
            if len(parts) == 1 and len(sub) == 2:  # \delta_{ij}: two one-letter indices
                parts = list(sub)
            if len(parts) != 2:
                raise ParseError(f"\\delta_{{{sub}}} must have two indices")
            self.place(sp.KroneckerDelta(*(self.inner(x) for x in parts)), after)
            return True
        if self.at("\\sum_") and self.bare_sum():
            return True
        if self.at("\\max_{\\substack{"):
            return self.window_max()
        if self.at("\\max_{") and "\\le" in t[p:p + 80]:
            return self.window_max(substack=False)
        if self.at("\\operatorname{diag}\\left("):
            body, end = self.left_right(p + len("\\operatorname{diag}"))
            vector = self.inner(body)
            if not isinstance(vector, MatrixExpr):
                raise ParseError(f"diag needs a vector, and {body.strip()!r} is not one here "
                                 "(name the network, e.g. with an mlp directive)")
            self.place(DiagMatrix(vector), end)
            return True
        if self.at("\\frac{\\partial"):
            top, end = self.group(p + 5)
            bottom, end = self.group(end)
            cut = len("\\partial")
            if self.derivative(top[cut:].strip(), bottom[cut:].strip(), end):
                return True
            name = f"∂{_plain(top[cut:])}/∂{_plain(bottom[cut:])}"
            self.place(self.symbols.get(name, sp.Symbol(name)), end)
            return True
        if boundary and (t[p].isdigit() or t.startswith(".", p)) and not (
                p and t[p - 1] in ".0123456789") and not t[:p].rstrip().endswith(("_{", "_")):
            # a subscript is a name: x_{0.5} stays as written
            decimal = _DECIMAL.match(t, p)
            if decimal:  # 0.299 is 299/1000 exactly, as written, never a binary float
                whole, digits = decimal.group(1), decimal.group(2)
                self.place(sp.Rational(int(whole + digits), 10 ** len(digits)), decimal.end())
                return True
        for command in _INTEGER_FUNCTIONS:
            if self.at(command + "\\left("):
                return self.integer_function(command)
        if self.at("\\left("):
            body, end = self.left_right(p)
            if t.startswith("^{\\top}", end):
                self.place(sp.Transpose(self.inner(body)), end + len("^{\\top}"))
                return True
            return False
        if boundary and self.at("\\Xi") and not t[p + 3:p + 4].isalpha():
            # the document's own \Xi (a name like the placeholders): never one of them
            sub, after = self.subscript(p + 3)
            self.place(sp.Symbol("Ξ" + (f"_{{{sub}}}" if sub is not None else "")), after)
            return True
        if boundary and (t[p].isascii() and t[p].isalpha() or t[p] == "\\") and (
                self.layer_name()):
            return True
        if t[p] == "\\" and boundary:
            return self.function_or_greek()
        if boundary and t[p].isascii() and t[p].isalpha() and t.startswith("'", p + 1):
            return self.primed_letter()
        if boundary and t[p] in _INDEXED and t.startswith("_{", p + 1):
            sub, after = self.subscript(p + 1)
            if "," in sub or nt.b == _INDEXED[t[p]]:
                self.place(_INDEXED[t[p]][tuple(self.indices(sub))], after)
                return True
        if boundary and t[p].isascii() and t[p].isalpha() and t.startswith("_{", p + 1):
            sub, after = self.subscript(p + 1)
            if len(split_top(sub, ",")) > 1:
                # V_{l,j+m-1,k+n-1}: an entry of an array the document names (bound only by
                # its context, e.g. names V=X)
                self.place(sp.IndexedBase(t[p])[tuple(self.indices(sub))], after)
                return True
        return False

    def bare_sum(self) -> bool:
        """``\\sum_{l,m,n}`` or ``\\sum_m`` without bounds (Goodfellow et al.'s sums over
        every valid index): nested sums whose bounds are placeholders, :data:`BARE_BOUND`
        names, that only the context can fill (:func:`~symproof.claims.vocabulary
        .bare_sum_bounds`); unfilled, they leave the claim with a name nothing binds."""
        t, p = self.text, self.pos
        sub, after = self.subscript(p + len("\\sum"))
        if sub is None or "=" in sub or t.startswith("^", after):
            return False
        names = [part.strip() for part in split_top(sub, ",")]
        if not names or not all(_DUMMY.fullmatch(n) for n in names):
            return False
        for name in names:
            low = sp.Symbol(BARE_BOUND.format(name.lstrip("\\"), "from"))
            high = sp.Symbol(BARE_BOUND.format(name.lstrip("\\"), "to"))
            if name.startswith("\\"):  # \gamma: the name the body's X_{\gamma,…} reads
                self.out.append(" \\sum_{")
                word = name.lstrip("\\")
                self.place(self.symbols.get(word, sp.Symbol(word)), self.pos)
                self.out.append("=")
            else:
                self.out.append(f" \\sum_{{{name}=")
            self.place(low, self.pos)
            self.out.append("}^{")
            self.place(high, self.pos)
            self.out.append("} ")
        self.pos = after
        return True

    def function_or_greek(self) -> bool:
        t, p = self.text, self.pos
        end = p + 1
        while end < len(t) and t[end].isalpha():
            end += 1
        word = t[p + 1:end]
        if word not in _GREEK:
            return False
        primes = 0
        while t.startswith("'", end + primes):
            primes += 1
        after = end + primes
        if t.startswith("\\left(", after):
            body, close = self.left_right(after)
            name = word + "'" * primes
            arguments = [self.inner(a) for a in split_top(body, ",")]
            if len(arguments) == 1 and isinstance(arguments[0], MatrixExpr):
                self.place(Elementwise(name, arguments[0]), close)  # σ'(v), entry by entry
            else:
                self.place(sp.Function(name)(*arguments), close)
            return True
        if primes:
            raise ParseError(f"{t[p:after]} must be applied to an argument")
        self.place(self.symbols.get(word, sp.Symbol(word)), end)
        return True

    def layer_name(self) -> bool:
        """``w^l``, ``a^{l-1}``, ``\\delta^{l+1}_j``, ``W^{(2)}``: a letter with a layer
        index written as a superscript (:data:`~symproof.claims.vocabulary.LAYER_SUPERSCRIPT`)
        is a name, never a power; ``\\nabla_a C`` (the gradient of C in a) is one name too.
        Such names are bound only by the context (a ``names`` directive), never guessed."""
        t, p = self.text, self.pos
        head = _HEAD.match(t, p)
        if head is None:
            return False
        base, end = head.group(0), head.end()
        if base == "\\nabla":
            sub, after = self.subscript(end)
            operand = _HEAD.match(t, after + len(t[after:]) - len(t[after:].lstrip()))
            if sub is None or operand is None:
                return False
            name = f"∇_{sub.strip()} {operand.group(0).lstrip(chr(92))}"
            self.place(self.symbols.get(name, sp.Symbol(name)), operand.end())
            return True
        if base.startswith("\\") and base[1:] not in _GREEK or not t.startswith("^", end):
            return False
        sup, after = (self.group(end + 1) if t.startswith("^{", end)
                      else (t[end + 1:end + 2], end + 2))
        if not LAYER_SUPERSCRIPT.fullmatch(sup.strip()):
            return False
        sub, after = self.subscript(after)
        name = f"{base.lstrip(chr(92))}^{{{sup.strip()}}}" + (f"_{{{sub.strip()}}}" if sub
                                                              else "")
        self.place(self.symbols.get(name, sp.Symbol(name)), after)
        return True

    def primed_letter(self) -> bool:
        """``o'``, ``i''``: a letter with primes is its own name (o' is not o; latex2sympy
        would drop the prime). Followed by an argument it is a derivative, left to the rest."""
        t, p = self.text, self.pos
        end = p + 1
        while t.startswith("'", end):
            end += 1
        rest = t[end:].lstrip()
        if rest.startswith(("(", "\\left(")):
            return False
        name = t[p:end]
        self.place(self.symbols.get(name, sp.Symbol(name)), end)
        return True

    def integer_function(self, command: str) -> bool:
        """``\\gcd(…)`` / ``\\lcm(…)``: the number for integers; for symbols an undefined
        function (SymPy's gcd of symbols is the polynomial one, 1 for gcd(m, n), which is not
        the integer gcd the writer means)."""
        body, end = self.left_right(self.pos + len(command))
        arguments = [self.inner(a) for a in split_top(body, ",")]
        name = _INTEGER_FUNCTIONS[command]
        if arguments and all(isinstance(a, sp.Integer) for a in arguments):
            combine = math.gcd if name == "gcd" else math.lcm
            self.place(sp.Integer(combine(*(int(a) for a in arguments))), end)
        else:
            self.place(sp.Function(name)(*arguments), end)
        return True

    def matrix(self, body: str) -> MatrixExpr | None:
        """What ``body`` denotes when it is a matrix or vector of the caller's (``A_ℓ``,
        ``σ(A_ℓ y_{ℓ−1} + b_ℓ)``); None for anything else, read as a name as before."""
        try:
            value = self.inner(body)
        except (SymproofError, ValueError, TypeError):
            return None
        return value if isinstance(value, MatrixExpr) else None

    def applied_entry(self, body: str, sub: str, indices: tuple, after: int) -> bool:
        """``[σ(Z)]_{i,j}`` is σ([Z]_{i,j}) (the activation acts entry by entry);
        ``[ρ(Z)]_{i,j}`` of another function is ``ρ(Z, i, j)``, Z given as the map from an
        index pair to its entry, for a definition of ρ to apply to."""
        match = _APPLIED.fullmatch(body.strip())
        if match is None or match.group(1) not in _GREEK:
            return False
        name, argument = match.group(1), match.group(2)
        if _balanced_in(argument) is False:
            return False  # "\sigma(a) + \rho(b)": not one application
        if name in _ELEMENTWISE:
            inner = self.inner(f"\\left[{argument}\\right]_{{{sub}}}")
            self.place(sp.Function(name)(inner), after)
            return True
        places = [sp.Symbol(f"a_{n}") for n in range(len(indices))]  # as the text reads back
        entries = self.inner(f"\\left[{argument}\\right]_{{{', '.join(map(str, places))}}}")
        self.place(sp.Function(name)(sp.Lambda(tuple(places), entries), *indices), after)
        return True

    def builder(self) -> bool:
        """``\\left\\{ f(i,j) \\right\\}_{i,j}``: the matrix whose entry (i, j) is f(i, j)
        (``_{k}``: the column whose entry k is f(k))."""
        body, end = self.left_right(self.pos, "\\{")
        sub, after = self.subscript(end)
        if sub is None:
            return False
        indices = self.indices(sub)
        if not 1 <= len(indices) <= 2 or not all(isinstance(i, sp.Symbol) for i in indices):
            raise ParseError(f"\\{{…\\}}_{{{sub}}} must be indexed by one or two names")
        self.place(Entries(self.inner(body), *indices), after)
        return True

    def derivative(self, top: str, bottom: str, end: int) -> bool:
        """``\\frac{\\partial}{\\partial v} f`` (the operator applied to what follows) and
        ``\\frac{\\partial f}{\\partial [A]_{i,j}}`` (an entry involved), as written: not
        taken. False for names such as ``∂y_L/∂A_L``, read as before."""
        if top and "[" not in top and "[" not in bottom:
            return False
        wrt = self.inner(bottom)
        if not isinstance(wrt, (sp.Indexed, MatrixExpr)):
            return False
        if top:
            self.place(partial(self.inner(top), wrt), end)
            return True
        t = self.text
        while t.startswith(" ", end):
            end += 1
        if t.startswith("\\left(", end):
            self.pos = end
            body, close = self.left_right(end)
            operand = self.inner(body)
        else:
            sub = _Reader(t[end:], self.table, self.symbols)
            if not sub.step() or len(sub.objects) != 1:
                raise ParseError(f"∂/∂{bottom} needs what it differentiates: {t[end:end + 30]!r}")
            (operand,) = sub.objects.values()
            close = end + sub.pos
        self.place(partial(operand, wrt), close)
        return True

    def column(self, body: str, end: int) -> bool:
        """A column ``\\left[\\begin{array}{c} 0 \\\\ \\vdots \\\\ e \\\\ \\vdots \\\\ 0
        \\end{array}\\right]``: 0 but for one entry (where, the text around it says)."""
        body = body.strip()
        if not (body.startswith("\\begin{array}") and body.endswith("\\end{array}")):
            return False
        spec = body[len("\\begin{array}"):]
        inside = spec[spec.index("}") + 1:-len("\\end{array}")]  # after the column spec {c}
        rows = [r.strip() for r in split_top(inside, "\\\\")]
        values = [r for r in rows if r not in ("0", "\\vdots")]
        if len(values) != 1 or "\\vdots" not in rows:
            return False
        self.place(OneHot(self.inner(values[0])), end)
        return True

    def indicator(self) -> bool:
        """An indicator of a condition: ``\\mathbb{1}[c]`` (also ``\\mathbb{1}\\{c\\}``,
        ``\\mathbb{1}_{c}``, ``\\mathds{1}``, ``\\mathbb{I}``) or Iverson's bracket ``[c]``, the
        condition ``c`` one relation or a chain (``S(i-1) < p \\le S(i-1)+k``), several joined
        by ``\\land``: the number 1 where ``c`` holds, else 0 (a Piecewise). A bracket with no
        relation inside is not one (a column, an entry ``[A]_{i}``): False, nothing read."""
        t, p = self.text, self.pos
        prefix = _INDICATOR.match(t, p)
        start = prefix.end() if prefix else p
        if t.startswith("\\left", start):
            # Iverson's bracket is square; \mathbb{1} takes any bracket (a tuple in
            # \left( … \right) is no indicator)
            kinds = ("[", "(", "\\{") if prefix else ("[",)
            kind = next((k for k in kinds if t.startswith("\\left" + k, start)), None)
            if kind is None:
                return False
            body, end = self.left_right(start, kind)
        elif t.startswith("[", start):
            body, end = self.group(start, "[", "]")
        elif prefix and t.startswith("\\{", start):
            body, end = self.group(start, "\\{", "\\}")
        elif prefix and t.startswith("_{", start):
            body, end = self.group(start + 1)
        else:
            return False
        # a bracket with no relation at its top level is no indicator ([\sum_{α=1}^{k} …])
        if not prefix and (t.startswith("_", end) or len(_relation_chain(body)) < 3):
            return False
        body = body.strip()
        if body.startswith("\\{") and body.endswith("\\}"):
            body = body[2:-2]
        self.place(sp.Piecewise((sp.Integer(1), self.condition(body)), (sp.Integer(0), True)),
                   end)
        return True

    def condition(self, text: str) -> sp.Boolean:
        """``a < b \\le c \\land d = e`` (or ``, d = e``) as a SymPy condition (each chain
        pairwise)."""
        relations = []
        # a comma between conditions joins them too ([S(i−1) < p ≤ Si, S(j−1) < q ≤ Sj])
        parts = [piece for part in _CONJUNCTION.split(text) for piece in split_top(part, ",")]
        for part in parts:
            pieces = _relation_chain(part)
            if len(pieces) < 3:
                raise ParseError(f"the condition {part.strip()!r} of an indicator must be a "
                                 "relation (=, <, \\le, …)")
            values = [self.inner(x) for x in pieces[::2]]
            for left, sign, right in zip(values, pieces[1::2], values[1:]):
                relations.append(_CONDITIONS[sign](left, right))
        return sp.And(*relations)

    def window_max(self, substack: bool = True) -> bool:
        """``\\max_{\\substack{a ≤ p ≤ b \\\\ …}} body`` or ``\\max_{a ≤ p ≤ b, …} body``."""

        t = self.text
        if substack:
            ranges, end = self.group(self.pos + len("\\max_{\\substack"))
            end += 1  # the closing brace of the subscript
            parts = split_top(ranges, "\\\\")
        else:
            ranges, end = self.group(self.pos + len("\\max_"))
            parts = split_top(ranges.replace("\\ ", " "), ",")
        limits = []
        for part in parts:
            pieces = [s.strip() for s in part.split("\\le")]
            if len(pieces) != 3:
                raise ParseError(f"window range {part.strip()!r} must read low \\le i \\le high")
            low, var, high = (self.inner(x) for x in pieces)
            limits.append((var, low, high))
        while t.startswith(" ", end):
            end += 1
        sub = _Reader(t[end:], self.table, self.symbols)
        if not sub.step():
            raise ParseError(f"\\max needs an entry or a function after it: {t[end:end + 30]!r}")
        (body,) = sub.objects.values()
        # Written outermost first; SymPy lists the innermost first.
        self.place(MaxOver(body, *reversed(limits)), end + sub.pos)
        return True


# An indicator's name before its condition, and the relations and conjunctions it reads.
_INDICATOR = re.compile(r"\\(?:mathbb|mathds)\s*\{?\s*[1I]\s*\}?\s*")
_CONDITIONS = {"=": sp.Eq, "\\ne": sp.Ne, "\\neq": sp.Ne, "<": sp.Lt, "\\lt": sp.Lt,
              "\\le": sp.Le, "\\leq": sp.Le, ">": sp.Gt, "\\gt": sp.Gt, "\\ge": sp.Ge,
              "\\geq": sp.Ge}
_CONDITION = re.compile(r"\\(?:neq|ne|lt|leq|le|gt|geq|ge)(?![A-Za-z])|[=<>]")
_CONJUNCTION = re.compile(r"\\land(?![A-Za-z])|\\wedge(?![A-Za-z])|\\text\{\s*and\s*\}")


def _relation_chain(text: str) -> list[str]:
    """``a < b \\le c`` → ``['a', '<', 'b', '\\le', 'c']``: split at the relations outside
    braces and ``\\left … \\right``."""
    pieces, depth, start, position = [], 0, 0, 0
    while position < len(text):
        if text.startswith(("\\left", "{"), position):
            depth += 1
        elif text.startswith(("\\right", "}"), position):
            depth -= 1
        found = _CONDITION.match(text, position) if depth == 0 else None
        if found:
            pieces += [text[start:position].strip(), found.group()]
            start = position = found.end()
            continue
        position += 1
    return [*pieces, text[start:].strip()]


# A whole function application \name\left( … \right), and the functions that act entry by
# entry on an array (the activation, as the course writes it).
_APPLIED = re.compile(r"\\([A-Za-z]+)\\left\((.*)\\right\)", re.DOTALL)
_ELEMENTWISE = ("sigma",)


def _balanced_in(text: str) -> bool:
    """Whether every \\left( in ``text`` closes inside it (one application, not two)."""
    depth = 0
    for match in re.finditer(r"\\left|\\right", text):
        depth += 1 if match.group() == "\\left" else -1
        if depth < 0:
            return False
    return depth == 0


# A summation index written alone: one letter or a Greek command.
_DUMMY = re.compile(r"[A-Za-z]|\\[A-Za-z]+", re.ASCII)
# The head of a name: one ASCII letter, or a command (\\delta, \\nabla).
_HEAD = re.compile(r"\\[A-Za-z]+|[A-Za-z](?![A-Za-z])", re.ASCII)
# A placeholder, as the reader writes it for latex2sympy (and as it may come back inside a
# name latex2sympy made up, n_{\\Xi_{000}-1}).
_PLACEHOLDER = re.compile(r"\\Xi_\{[0-9]{3}\}")
# A decimal number: digits, a point, digits, not followed by more of a number or a name.
_DECIMAL = re.compile(r"([0-9]*)\.([0-9]+)(?![0-9.])", re.ASCII)
# Integer functions written as commands, and the name they are read as.
_INTEGER_FUNCTIONS = {"\\gcd": "gcd", "\\operatorname{gcd}": "gcd", "\\lcm": "lcm",
                      "\\operatorname{lcm}": "lcm"}


def _letter_before(text: str, position: int) -> bool:
    """A plain identifier (not a command) ends just before ``position``."""
    i = position - 1
    while i >= 0 and text[i].isalpha():
        i -= 1
    return i < position - 1 and (i < 0 or text[i] != "\\")


def _letter_after(text: str, position: int) -> bool:
    """A plain identifier (not a command, not a word like \\cdot) starts after the spaces."""
    i = position
    while i < len(text) and text[i] == " ":
        i += 1
    return i < len(text) and text[i].isalpha()


def _continues(text: str, end: int) -> bool:
    """Whether a name matched up to ``end`` goes on (so it was only a prefix)."""
    return end < len(text) and (text[end].isalnum() or text[end] in "_'")


def split_top(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside braces, \\left…\\right and environments."""

    return [piece for _, piece in pieces(text, separator)]


def _plain(latex: str) -> str:
    """A printed name back to symproof's plain form: ``y_{\\ell-1}`` → ``y_ell-1``."""
    text = latex.strip().replace("\\ell", "ell").replace(" ", "")
    base, _, sub = text.partition("_")
    sub = sub[1:-1] if sub.startswith("{") and sub.endswith("}") else sub
    return f"{base}_{sub}" if sub else base


def _name_of(body: str, table: dict[str, sp.Basic]) -> str:
    body = body.strip()
    if body in table and hasattr(table[body], "name"):
        return table[body].name
    if body.startswith("\\frac{\\partial"):
        reader = _Reader(body, table, {})
        reader.step()
        (obj,) = reader.objects.values()
        return obj.name
    return _plain(body)


def _printed_table(known: Iterable[sp.Basic]) -> dict[str, sp.Basic]:
    table = {}
    for obj in known:
        named = isinstance(obj, (sp.MatrixSymbol, sp.Symbol)) and not _single_letter(obj.name)
        if named or isinstance(obj, sp.Indexed):
            table[latex(obj)] = obj
    return dict(sorted(table.items(), key=lambda kv: -len(kv[0])))


def _single_letter(name: str) -> bool:
    return len(name) == 1 or name in _GREEK


def _rebuild(expr, objects: dict[str, sp.Basic], symbols: dict[str, sp.Basic]):
    """Placeholders back to objects, symbols to the caller's; products of matrices in order."""
    if isinstance(expr, sp.Symbol):
        if expr.name in objects:
            return objects[expr.name]
        return symbols.get(expr.name, expr)
    if isinstance(expr, (sp.MatrixBase,)):
        return expr.applyfunc(lambda e: _rebuild(e, objects, symbols))
    if not getattr(expr, "args", ()):
        return expr
    args = [_rebuild(a, objects, symbols) for a in expr.args]
    if isinstance(expr, sp.Mul) and any(isinstance(a, MatrixExpr) for a in args):
        return sp.MatMul(*args).doit(deep=False)
    if isinstance(expr, sp.Add) and any(isinstance(a, MatrixExpr) for a in args):
        return sp.MatAdd(*args).doit(deep=False)
    if isinstance(expr, (sp.Sum, sp.Product)):
        return _bound_here(expr, objects, symbols)
    if isinstance(expr, sp.core.relational.Relational):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _bound_here(expr, objects: dict, symbols: dict) -> sp.Expr:
    """A sum or product whose indices are its own: integers named as written, with no other
    assumption. A document's ``i`` is a positive index elsewhere, but ``\\sum_{i=-2}^{2} |i|``
    runs over negative values, and ``|i|`` must not become ``i``. SymPy lists the innermost
    limit first; a limit's bounds may name the indices of the limits after it (outside it)."""
    raw = list(expr.limits)
    variables = [_rebuild(limit[0], objects, symbols) for limit in raw]
    fresh = [sp.Symbol(v.name, integer=True) for v in variables]

    def scope(indices: range):
        """The symbols and placeholder objects with the indices at ``indices`` bound."""
        names = {variables[n].name: fresh[n] for n in indices}
        renamed = {variables[n]: fresh[n] for n in indices}  # as the placeholders hold them
        return ({key: value.xreplace(renamed) for key, value in objects.items()},
                {**symbols, **names})

    limits = []
    for n, limit in enumerate(raw):
        outer_objects, outer_symbols = scope(range(n + 1, len(raw)))
        low, high = (_rebuild(part, outer_objects, outer_symbols) for part in limit[1:])
        limits.append((fresh[n], low, high))
    body = _rebuild(expr.function, *scope(range(len(raw))))
    return _as_written(type(expr), body, limits)


def _as_written(kind: type, body: sp.Expr, limits) -> sp.Expr:
    """A sum or product as people write it: over ``a … b`` with ``b < a`` there is nothing to
    add (0) or multiply (1). SymPy follows Karr's convention instead (Σ_{i=5}^{3} i = −4), so a
    range that may be empty becomes a ``Piecewise`` on its length (innermost limit first)."""
    empty = sp.S.Zero if kind is sp.Sum else sp.S.One
    for limit in limits:
        variable, low, high = limit
        total = kind(body, (variable, low, high))
        nonempty = sp.Ge(high, low - 1)
        if nonempty == sp.true:
            body = total
        elif nonempty == sp.false:
            body = empty
        else:
            body = sp.Piecewise((total, nonempty), (empty, True))
    return body


def _shown(text: str, limit: int = 80) -> str:
    """The document's text on one line, cut with an ellipsis past ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _unreadable(text: str, why: str, rest: str) -> str:
    """Why ``text`` could not be read: latex2sympy's complaint and the place it points to."""
    where = f" at '{_shown(rest, 30)}'" if rest else " at its end"
    return f"cannot read '{_shown(text)}': {why}{where}"


def _renamed(expr, reader: _Reader):
    """Names latex2sympy made from a subscript holding a placeholder (``n_{\\ell-1}`` read
    as ``n_{\\Xi_{000}-1}``) spelled back as the document wrote them: the name is what a
    message shows, and the same text must give the same name wherever it stands."""
    if not isinstance(expr, sp.Basic):
        return expr
    odd = {s: sp.Symbol(reader.restore(s.name), **s.assumptions0) for s in expr.atoms(sp.Symbol)
           if _PLACEHOLDER.search(s.name)}
    return expr.xreplace(odd) if odd else expr


def parse_latex(text: str, known: Iterable[sp.Basic] = (), *, _table=None, _symbols=None):
    """``text`` (one expression or relation) as a SymPy object.

    ``known`` objects (symbols with their assumptions, matrix symbols) are used wherever their
    name or printed form appears; other names become plain symbols.
    """
    if not isinstance(text, str):
        raise ParseError(f"expected LaTeX text, got {type(text).__name__}")
    if _table is not None:  # a part of a claim, read by the claim's reader
        return _parse(text, _table=_table, _symbols=_symbols)
    known = tuple(known)
    try:
        hash(known)
    except TypeError:  # objects that cannot key a cache: read without one
        return _parse_claim.__wrapped__(text, known, None)
    return _parse_claim(text, known, current())


@lru_cache(maxsize=2048)
def _parse_claim(text: str, known: tuple, in_force) -> sp.Basic:
    """:func:`parse_latex` of a whole claim, cached: a document's claims are read by the
    definitions, the context and the judge alike, and reading is a function of the text, the
    known objects and the limits in force (``in_force``); a refusal is never cached."""
    check_text(text)
    with deadline("reading the claim"):
        try:
            return _parse(text, list(known))
        except SymproofError:
            raise
        except (IndexError, KeyError, TypeError, ValueError, AttributeError,
                RecursionError, NotImplementedError) as error:
            # malformed input the reader did not foresee (a subscript with nothing after
            # it…): it cannot be read, which is what the user needs to hear
            shown = text if len(text) <= 80 else f"{text[:60]}…"
            raise ParseError(f"cannot read {shown!r}: malformed ({type(error).__name__}: "
                             f"{' '.join(str(error).split())[:120]})") from None


def _hadamard(factors: list[str], table: dict, symbols: dict) -> sp.Basic:
    """``u \\odot v``: the entrywise (Hadamard) product of vectors or matrices, the product
    of scalars. Only between the parts of one expression: ``a = b \\odot c`` is read side by
    side by the caller."""
    if any(_RELATION.search(f) for f in factors):
        raise ParseError("\\odot joins the factors of one side; read each side of a relation "
                         "on its own")
    parts = [_parse(f, _table=table, _symbols=symbols) for f in factors]
    matrices = [isinstance(p, MatrixExpr) for p in parts]
    if all(matrices):
        return sp.HadamardProduct(*parts)
    if any(matrices):
        raise ParseError("\\odot multiplies entry by entry: both factors must be vectors or "
                         "matrices of one shape, or both scalars")
    return sp.Mul(*parts)


# A relation at the top of a text (=, \le, <…): \odot never spans one.
_RELATION = re.compile(r"=|\\(?:le|ge|neq|leq|geq)(?![A-Za-z])|<|>")


def _parse(text: str, known: list | None = None, *, _table=None, _symbols=None):
    if _table is None:
        _table = _printed_table(known)
        _symbols = {getattr(k, "name", str(k)): k for k in known
                    if isinstance(k, (sp.Symbol, sp.MatrixSymbol))}
        _symbols.update({"ell": _symbols.get("ell", sp.Symbol("ell", integer=True,
                                                              positive=True))})
    factors = split_top(text, "\\odot")
    if len(factors) > 1:
        return _hadamard(factors, _table, _symbols)
    reader = _Reader(text.strip(), _table, _symbols)
    normalised = reader.run()
    check_scripts(normalised)  # the grammar's parser is exponential in this nesting
    try:
        parsed = read_arithmetic(normalised)
        if parsed is None:  # beyond plain arithmetic: latex2sympy's full grammar
            parsed = _latex2sympy(normalised)
    except _Unreadable as error:  # said again in the document's words, not the placeholders'
        raise ParseError(_unreadable(text, error.why, reader.restore(error.rest))) from None
    # latex2sympy leaves powers and factorials unevaluated; rebuilding evaluates them, so the
    # sizes they denote are checked first (2^{2^{2^{10}}} must not be computed).
    check_expression(parsed)
    rebuilt = _renamed(_rebuild(parsed, reader.objects, _symbols), reader)
    if isinstance(rebuilt, sp.Basic) and rebuilt.has(sp.Float):
        # a binary float is not the number written: never judge with one
        raise ParseError(f"cannot read {text.strip()[:60]!r} exactly: a number in it is not "
                         "written as digits with one decimal point")
    return rebuilt

