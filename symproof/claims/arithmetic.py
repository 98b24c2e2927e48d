"""A fast reader for the arithmetic core of normalised LaTeX, read as latex2sympy reads it.

After :class:`~symproof.claims.parse._Reader` has replaced every entry, function, derivative
and decimal by a placeholder ``\\Xi_{NNN}``, most claims are plain arithmetic: integers, one-
letter names with subscripts, ``+ − · ×``, implicit products, powers, ``\\frac``, sums with
bounds, floors and one relation. latex2sympy's ANTLR parser reads such a text in tens of
milliseconds (seconds for the first ones of a process); this recursive-descent reader takes
tens of microseconds. It reads only that core, and returns ``None`` for anything else (or for
anything latex2sympy reads in a way of its own: ``a(x)`` as a function, ``2 3`` as 5, ``e`` as
Euler's number, ``dk`` as one name), which then goes to latex2sympy as before.

Products and sums are built unevaluated in the written order: the caller rebuilds (and so
evaluates) the tree with its objects, and matrices multiply in the order written. A test reads
every text the test suite sends to latex2sympy both ways and asserts the same result.

Nothing here evaluates text: names become ``Symbol`` objects, digits ``Integer`` objects.

>>> read_arithmetic(r"\\sum_{k=1}^{n} k^{2} + 1")
Sum(k**2, (k, 1, n)) + 1
>>> read_arithmetic(r"a(x)") is None  # a function or a product? latex2sympy decides
True
"""

from __future__ import annotations

import re

import sympy as sp

__all__ = ["read_arithmetic"]

# One token each; a text with any other character or command is not the core.
_TOKEN = re.compile(r"""
    (?P<space>(?:\s|\\[,;!]|\\[ ])+)
  | (?P<placeholder>\\Xi_\{\d{3}\})
  | (?P<number>\d+)
  | (?P<letter>[A-Za-z])
  | (?P<delimiter>\\(?:left\\lfloor|right\\rfloor|left\\lceil|right\\rceil|left\(|right\)
                     |left\||right\|))
  | (?P<command>\\(?:cdot|times|frac|sum|max|min|leq|le|geq|ge|neq|ne)(?![A-Za-z]))
  | (?P<symbol>[-+=<>^_{}(),])
""", re.VERBOSE)

_RELATIONS = {"=": sp.Eq, "<": sp.Lt, ">": sp.Gt, r"\le": sp.Le, r"\leq": sp.Le,
              r"\ge": sp.Ge, r"\geq": sp.Ge, r"\neq": sp.Ne, r"\ne": sp.Ne}
_TIMES = (r"\cdot", r"\times")
_CLOSERS = {"(": ")", r"\left(": r"\right)", r"\left\lfloor": r"\right\rfloor",
            r"\left\lceil": r"\right\rceil", r"\left|": r"\right|"}
_WRAPPERS = {r"\left\lfloor": sp.floor, r"\left\lceil": sp.ceiling, r"\left|": sp.Abs}
_EXTREMA = {r"\max": sp.Max, r"\min": sp.Min}
# Letters latex2sympy reads as constants (e, I) or as the start of a differential (dk).
_SPECIAL_LETTERS = frozenset("eId")
# Digits beyond this are left to latex2sympy (and Python's int() limit on long strings).
_MAX_DIGITS = 1000


class _NotCore(Exception):
    """The text leaves the core: latex2sympy reads it."""


def read_arithmetic(text: str) -> sp.Basic | None:
    """``text`` as latex2sympy would read it, or None when it is not plain arithmetic."""
    tokens = _tokens(text)
    if tokens is None:
        return None
    reader = _Arithmetic(tokens)
    try:
        result = reader.relation()
        if reader.pos != len(tokens):
            return None
    except (_NotCore, IndexError, RecursionError):
        return None
    return result


def _tokens(text: str) -> list[tuple[str, str]] | None:
    """The tokens (kind, text) of ``text``, spaces dropped (but remembered as a ``space`` mark
    where they separate two tokens, for the cases where latex2sympy minds them)."""
    out, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            return None
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "delimiter":
            kind, value = "command", "".join(value.split())
        out.append((kind, value))
        pos = match.end()
    return [t for t in out if t[0] != "space"] if out else None


class _Arithmetic:
    """Recursive descent over the tokens: relation → sum of terms → product of powers."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.pos = tokens, 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else ("end", "")

    def take(self, value: str) -> None:
        if self.peek()[1] != value:
            raise _NotCore
        self.pos += 1

    def relation(self) -> sp.Basic:
        left = self.additive()
        relation = _RELATIONS.get(self.peek()[1])
        if relation is None:
            return left
        self.pos += 1
        right = self.additive()
        if self.peek()[1] in _RELATIONS:
            raise _NotCore  # a chain a = b = c: latex2sympy's And of relations
        return relation(left, right, evaluate=False)

    def additive(self) -> sp.Expr:
        terms = []
        sign = self._sign()
        while True:
            term = self.term()
            terms.append(term if sign > 0 else _negated(term))
            if self.peek()[1] not in ("+", "-"):
                break
            sign = self._sign()
        return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)

    def _sign(self) -> int:
        """A leading ``+`` or ``−`` (one: ``- -a`` is left to latex2sympy)."""
        kind, value = self.peek()
        if value in ("+", "-"):
            self.pos += 1
            if self.peek()[1] in ("+", "-"):
                raise _NotCore
            return -1 if value == "-" else 1
        return 1

    def term(self) -> sp.Expr:
        """Factors multiplied, implicitly or by ``\\cdot``/``\\times``; a sum takes the rest
        of the term as its body, as latex2sympy reads it."""
        factors: list[sp.Expr] = []
        explicit = False  # a \cdot or \times before this factor
        numeric = False  # the factor before has no names (or starts with a number)
        while True:
            kind, value = self.peek()
            if value in _TIMES:
                if not factors:
                    raise _NotCore
                self.pos += 1
                if self.peek()[1] in ("+", "-"):
                    raise _NotCore  # a \cdot -b
                explicit = True
                continue
            if not self._starts_factor(kind, value):
                break
            if value == r"\sum":
                factors.append(self.summation())
                break
            factors.append(self.power())
            # latex2sympy reads an integer and a positive rational after it as a mixed
            # number (2 \frac{1}{2} is 5/2, 2(3) is 5): any factor without names may be one
            now = not factors[-1].free_symbols
            if numeric and now and not explicit:
                raise _NotCore  # "2 3" and "2(3)" are 5 to latex2sympy
            numeric, explicit = now or kind == "number", False
        if not factors:
            raise _NotCore
        return factors[0] if len(factors) == 1 else _product(factors)

    @staticmethod
    def _starts_factor(kind: str, value: str) -> bool:
        return kind in ("placeholder", "number", "letter") or value in _CLOSERS or value in (
            r"\frac", r"\sum", r"\max", r"\min")

    def power(self) -> sp.Expr:
        named = self.peek()[0] in ("letter", "placeholder")
        base = self.atom()
        if self.peek()[1] != "^":
            return base
        self.pos += 1
        exponent = self.script()
        if self.peek()[1] in ("^", "_"):
            raise _NotCore
        if named:  # a^{2}(x) is the function a applied to x, squared, to latex2sympy
            self._not_applied()
        return sp.Pow(base, exponent, evaluate=False)

    def script(self) -> sp.Expr:
        """A superscript: ``{…}`` or one digit or letter."""
        kind, value = self.peek()
        if value == "{":
            self.pos += 1
            inner = self.additive()
            self.take("}")
            return inner
        if kind == "number" and len(value) == 1:
            self.pos += 1
            return sp.Integer(int(value))
        if kind == "letter" and value not in _SPECIAL_LETTERS:
            self.pos += 1
            return sp.Symbol(value)
        raise _NotCore

    def atom(self) -> sp.Expr:
        kind, value = self.peek()
        if kind == "number":
            if len(value) > _MAX_DIGITS:
                raise _NotCore
            self.pos += 1
            return sp.Integer(int(value))
        if kind == "placeholder":
            self.pos += 1
            self._not_applied()
            return sp.Symbol(value[1:])  # \Xi_{000} is the symbol Xi_{000}
        if kind == "letter":
            return self.name()
        if value in _CLOSERS:
            self.pos += 1
            inner = self.additive()
            self.take(_CLOSERS[value])
            return _WRAPPERS[value](inner, evaluate=False) if value in _WRAPPERS else inner
        if value in _EXTREMA:
            self.pos += 1
            self.take(r"\left(")
            arguments = [self.additive()]
            while self.peek()[1] == ",":
                self.pos += 1
                arguments.append(self.additive())
            self.take(r"\right)")
            return _EXTREMA[value](*arguments)
        if value == r"\frac":
            self.pos += 1
            top, bottom = self.group(), self.group()
            return _product([top, sp.Pow(bottom, -1, evaluate=False)])
        raise _NotCore

    def group(self) -> sp.Expr:
        self.take("{")
        inner = self.additive()
        self.take("}")
        return inner

    def name(self) -> sp.Symbol:
        """A letter and its subscript, named as latex2sympy names it: ``x_1`` for one
        character, ``x_{i+1}`` (spaces dropped) for more."""
        letter = self.peek()[1]
        if letter in _SPECIAL_LETTERS:
            raise _NotCore
        self.pos += 1
        if self.peek()[1] != "_":
            self._not_applied()
            return sp.Symbol(letter)
        self.pos += 1
        if self.peek()[1] == "{":
            self.pos += 1
            parts = []
            while self.peek()[1] != "}":
                kind, value = self.peek()
                if kind not in ("placeholder", "number", "letter") and value not in ("+", "-"):
                    raise _NotCore  # commas, commands, groups: left to latex2sympy
                parts.append(value)
                self.pos += 1
            self.pos += 1
            subscript = "".join(parts)
        else:
            kind, subscript = self.peek()
            if kind not in ("number", "letter") or len(subscript) != 1:
                raise _NotCore
            self.pos += 1
        if not subscript:
            raise _NotCore
        self._not_applied()
        return sp.Symbol(f"{letter}_{subscript}" if len(subscript) == 1
                         else f"{letter}_{{{subscript}}}")

    def _not_applied(self) -> None:
        """A name followed by a parenthesis is a product to latex2sympy when the parenthesis
        holds a sum (``k(i − 1)``) and a function application when it holds one name or
        number (``f(2)``, ``a(x)``): only the first is read here."""
        opener = self.peek()[1]
        if opener not in ("(", r"\left("):
            return
        start = self.pos
        self.pos += 1
        try:
            inner = self.additive()
        finally:
            self.pos = start
        if not isinstance(inner, sp.Add):
            raise _NotCore

    def summation(self) -> sp.Expr:
        """``\\sum_{v=a}^{b}`` and the rest of the term as its body."""
        self.take(r"\sum")
        self.take("_")
        self.take("{")
        kind, value = self.peek()
        if kind == "placeholder":
            variable = sp.Symbol(value[1:])
        elif kind == "letter" and value not in _SPECIAL_LETTERS and self.peek(1)[1] == "=":
            variable = sp.Symbol(value)
        else:
            raise _NotCore
        self.pos += 1
        self.take("=")
        low = self.additive()
        self.take("}")
        self.take("^")
        high = self.script()
        body = self.term()
        if isinstance(body, sp.Sum):  # nested sums are one Sum, innermost limit first
            return sp.Sum(body.function, *body.limits, (variable, low, high))
        return sp.Sum(body, (variable, low, high))


def _product(factors: list[sp.Expr]) -> sp.Expr:
    """The factors multiplied, unevaluated and flat (a fraction's or a negation's factors
    joining the product), as latex2sympy builds it."""
    flat = [part for factor in factors
            for part in (factor.args if isinstance(factor, sp.Mul) else (factor,))]
    return sp.Mul(*flat, evaluate=False)


def _negated(term: sp.Expr) -> sp.Expr:
    if term.is_Integer:
        return -term
    return _product([sp.S.NegativeOne, term])
