"""Resource limits: every size that input can drive is checked against a stated limit *before*
any work, and refused with a :class:`~symproof.errors.TooLargeError` that names the limit and
says how to raise it.

Documents and snapshots are untrusted: a claim such as ``\\prod_{i=1}^{10^9} i`` or
``2^{2^{2^{2^{10}}}}`` must be refused in microseconds, not after minutes and gigabytes. The
limits live in one table (:class:`Limits`); the current values are scoped with a context
variable, so raising one for a block of work never leaks into another thread or test:

>>> current().integer_digits
1000
>>> with raised(integer_digits=5000):
...     current().integer_digits
5000
>>> check("integer_digits", "an integer", 1001)  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
symproof.errors.TooLargeError: an integer has 1,001 digits, over the limit integer_digits = 1,000 \
(raise it with --limit integer_digits=N, or symproof.limits.raised(integer_digits=N))

On the command line, ``symproof --limit NAME=N …`` raises one for that run.
"""

from __future__ import annotations

import math
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace

import sympy as sp

from .errors import ParameterError, TooLargeError

__all__ = ["Limits", "current", "raised", "check", "check_share", "check_text", "check_expression",
           "check_scripts", "deadline", "integer_from_text", "NAMES"]


@dataclass(frozen=True)
class Limits:
    """The limits, with what each bounds. Values are inclusive maxima."""

    #: bytes of a document read by ``symproof check`` (a 7 KB homework is typical)
    document_bytes: int = 2_000_000
    #: claims judged in one document (each costs symbolic work)
    claims: int = 5_000
    #: characters of one claim (one displayed formula)
    claim_chars: int = 5_000
    #: nesting of braces, ``\\left…\\right`` and environments in a claim; depth of an
    #: expression tree
    nesting_depth: int = 50
    #: nesting of sub- and superscripts (``x_{a^{b_{c}}}``): the LaTeX grammar's parser takes
    #: time exponential in it
    script_depth: int = 4
    #: seconds to read and judge one claim (enforced in the main thread, where a timer can
    #: interrupt the work; elsewhere only the size limits apply)
    claim_seconds: int = 5
    #: seconds for a whole document: claims not reached by then are reported, not judged
    document_seconds: int = 60
    #: decimal digits of any integer read from text, and of any number an expression denotes
    integer_digits: int = 1_000
    #: nodes of one expression tree
    expression_nodes: int = 50_000
    #: terms that a sum, product or power would expand to (a sum over 1…N has N terms): SymPy
    #: works at roughly a millisecond per term, more when it simplifies
    expanded_terms: int = 2_000
    #: a channel count, kernel size, stride, padding, dilation or input size read from text
    #: (directives, prose, ``--set``) that a derivation or check works with entry by entry
    layer_size: int = 1_024
    #: array entries an exact (VERIFIED) check compares, over all its cases
    check_entries: int = 5_000_000
    #: entries of one array that a numeric evaluation builds (10^8 float64 are 800 MB)
    array_elements: int = 100_000_000
    #: multiply-adds of one numeric evaluation (some seconds of vectorised float64 work)
    multiply_adds: int = 10_000_000_000
    #: configurations examined by ``enumerate_configs``
    search_space: int = 1_000_000
    #: bytes of a snapshot file
    snapshot_bytes: int = 20_000_000
    #: cells of one figure (each a few TikZ or SVG elements; a homework figure has ~200)
    figure_cells: int = 5_000


NAMES = tuple(f.name for f in fields(Limits))
# How far a limit can be raised at all: beyond, the machine (a timer, an index, memory) fails
# in a way no limit can report.
_CEILINGS = {"claim_seconds": 10**6, "document_seconds": 10**6}
_CAP = 10**30  # where the estimates below saturate

# Limits is frozen, so sharing the default instance is safe.
_CURRENT: ContextVar[Limits] = ContextVar("symproof_limits", default=Limits())  # noqa: B039


def current() -> Limits:
    """The limits in force here."""
    return _CURRENT.get()


@contextmanager
def raised(**changes: int) -> Iterator[Limits]:
    """Use other limits inside a ``with`` block (any of :data:`NAMES`, positive integers)."""
    for name, value in changes.items():
        if name not in NAMES:
            raise ParameterError("limit", name, f"must be one of {', '.join(NAMES)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ParameterError(name, value, "must be a positive integer")
        ceiling = _CEILINGS.get(name, 10**15)
        if value > ceiling:
            raise ParameterError(name, value, f"must be at most {ceiling:,}")
    token = _CURRENT.set(replace(current(), **changes))
    try:
        yield current()
    finally:
        _CURRENT.reset(token)


def _how(name: str) -> str:
    return f"raise it with --limit {name}=N, or symproof.limits.raised({name}=N)"


def refusal(name: str, what: str, amount: int, unit: str = "") -> TooLargeError:
    """The error for ``what`` being ``amount`` (of ``unit``) over the limit ``name``."""
    limit = getattr(current(), name)
    shown = "more than 10^30" if amount >= _CAP else f"{amount:,}"
    measured = f"has {shown} {unit}" if unit else f"is {shown}"
    return TooLargeError(f"{what} {measured}, over the limit {name} = {limit:,} ({_how(name)})")


_UNITS = {"document_bytes": "bytes", "claims": "claims", "claim_chars": "characters",
          "nesting_depth": "levels", "script_depth": "levels", "integer_digits": "digits",
          "expression_nodes": "nodes", "expanded_terms": "terms", "check_entries": "entries",
          "array_elements": "elements", "multiply_adds": "multiply-adds",
          "search_space": "configurations", "snapshot_bytes": "bytes",
          "figure_cells": "cells"}


def check_share(name: str, what: str, amount: int, share: int, how: str) -> None:
    """Refuse ``amount`` if it exceeds ``share`` times the limit ``name``: for work that costs
    ``share`` times less per unit than the work the limit is stated for (``how`` says why).

    >>> check_share("expanded_terms", "a system", 10**6, 100, "read off indices")
    Traceback (most recent call last):
    ...
    symproof.errors.TooLargeError: a system has 1,000,000 terms, over the limit \
expanded_terms = 2,000 × 100 when read off indices (raise it with --limit expanded_terms=N, or \
symproof.limits.raised(expanded_terms=N))
    """
    limit = getattr(current(), name)
    if amount > limit * share:
        shown = "more than 10^30" if amount >= _CAP else f"{amount:,}"
        raise TooLargeError(f"{what} has {shown} {_UNITS.get(name, 'units')}, over the limit "
                            f"{name} = {limit:,} × {share:,} when {how} ({_how(name)})")


def check(name: str, what: str, amount: int) -> None:
    """Refuse ``amount`` if it exceeds the limit ``name``."""
    if amount > getattr(current(), name):
        raise refusal(name, what, amount, _UNITS.get(name, ""))


def integer_from_text(name: str, text: str) -> int:
    """ASCII decimal digits (an optional leading ``-``) as an int; anything else, including
    other scripts' digits such as ``٣``, is refused. The digit count is checked first, so
    Python never has to convert an enormous string."""
    body = text[1:] if text.startswith("-") else text
    if not body or not body.isascii() or not body.isdigit():
        raise ParameterError(name, text, "must be an integer written with the digits 0-9")
    check("integer_digits", f"{name} = {text[:20]}…" if len(text) > 24 else f"{name} = {text}",
          len(body.lstrip("0") or "0"))
    return int(text)


_DIGITS = re.compile("[0-9]+")


def check_text(text: str, what: str = "the claim") -> None:
    """A claim's length, its longest number and its nesting of ``{}``, ``\\left…\\right``
    and environments, measured on the text before any parser sees it."""
    check("claim_chars", what, len(text))
    longest = max((len(run) for run in _DIGITS.findall(text)), default=0)
    check("integer_digits", f"{what} (a number in it)", longest)
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if text.startswith(("\\left", "\\begin{"), i):
                depth += 1
            elif text.startswith(("\\right", "\\end{"), i):
                depth -= 1
            i += 2  # an escaped brace \{ is not a group
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        deepest = max(deepest, depth)
        i += 1
    check("nesting_depth", f"{what} (nesting)", deepest)


def check_scripts(text: str, what: str = "the claim") -> None:
    """The nesting of ``_{…}`` and ``^{…}`` groups in ``text`` (LaTeX)."""
    depth = deepest = 0
    scripts: list[bool] = []  # for each open brace: does it open a script?
    previous = ""
    for c in text:
        if c == "{":
            opens = previous in "_^"
            scripts.append(opens)
            depth += opens
            deepest = max(deepest, depth)
        elif c == "}" and scripts:
            depth -= scripts.pop()
        previous = c
    check("script_depth", f"{what} (sub- and superscripts)", deepest)


class _Expired(BaseException):
    """Raised by the timer; a BaseException so that no ``except Exception`` in a parser or in
    SymPy swallows it on its way out."""


@contextmanager
def deadline(what: str = "the claim") -> Iterator[None]:
    """Refuse work that runs over ``claim_seconds``: a TooLargeError out of the block. Only in
    the main thread and when no other timer is set (a timer cannot interrupt other threads);
    nested deadlines leave the outer one in charge."""
    seconds = current().claim_seconds
    usable = (threading.current_thread() is threading.main_thread()
              and hasattr(signal, "setitimer") and signal.getitimer(signal.ITIMER_REAL)[0] == 0
              and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None))
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise TooLargeError(f"{what} took over {seconds:,} s, the limit claim_seconds = "
                            f"{seconds:,} ({_how('claim_seconds')})") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- expressions -----------------------------------------------------------------------------

# Bounds are computed bottom-up on the tree without evaluating anything: ``size`` bounds
# log10 of the magnitude of the number a subexpression denotes (a symbol counts as 10, as the
# values substituted for it in checks are small), ``terms`` bounds how many terms full expansion
# can produce (and how many steps evaluating a sum or product takes). Both saturate, so a tower
# of powers is measured without ever building a big integer.
def _mul(a: int, b: int) -> int:
    return _CAP if a and b and a > _CAP // b else min(a * b, _CAP)


def _power(base: int, exponent: int) -> int:
    """``base ** exponent``, saturating at _CAP."""
    if base <= 1 or exponent <= 0:
        return 1
    if exponent * math.log2(base) > 100:
        return _CAP
    return min(base**exponent, _CAP)


def _log10(value: int) -> float:
    """log10 of ``|value|`` (0 for 0), from the bit length for big values: never converts to
    decimal. ``int(_log10(v)) + 1`` is the number of digits of ``v``, up to rounding."""
    value = abs(value)
    if value < 2**53:
        return math.log10(max(value, 1))
    return value.bit_length() * math.log10(2)


def _magnitude(log10: float) -> float:
    """The number 10**log10, as a float that may be inf."""
    return math.inf if log10 > 300 else 10.0**log10


def _count(limit: tuple, size: dict) -> int | None:
    """How many values a sum's limit ``(i, low, high)`` runs over, when its bounds are numbers
    (an unevaluated ``10^{12}`` bound counts by its magnitude); None when symbolic."""
    if len(limit) != 3:
        return None
    low, high = limit[1], limit[2]
    if isinstance(low, sp.Integer) and isinstance(high, sp.Integer):
        return max(0, int(high) - int(low) + 1)
    if low.is_number and high.is_number:
        largest = max(size.get(id(low), 1.0), size.get(id(high), 1.0))
        return _CAP if largest > 29 else int(10**largest) + 1
    return None


def _binomial_cap(n: int, k: int) -> int:
    """``C(n + k − 1, k)``: the monomials of a power ``(t_1 + … + t_n)^k``, saturating."""
    if n <= 1 or k <= 0:
        return 1
    result = 1
    for step in range(1, min(k, n - 1) + 1):
        result = _mul(result, n + k - step) // step
        if result >= _CAP:
            return _CAP
    return result


def check_expression(expr: object, what: str = "the claim") -> None:
    """Refuse ``expr`` if evaluating or expanding it could explode: too many nodes, too deep,
    a number with too many digits (``2^{2^{2^{10}}}``, ``(10^9)!``), or a sum, product or
    power that expands to too many terms (``\\sum_{i=1}^{10^{12}}``, ``(a + b)^{10^6}``).

    >>> from sympy import Integer, Pow, factorial
    >>> check_expression(Pow(Integer(2), Integer(64), evaluate=False))
    >>> check_expression(factorial(Integer(10**9), evaluate=False), "n!")
    Traceback (most recent call last):
    ...
    symproof.errors.TooLargeError: n! (a number in it) has ... digits, over the limit ...
    """
    if not isinstance(expr, sp.Basic):
        return
    limits = current()
    # Post-order over an explicit stack: a deep tree must not exhaust Python's recursion.
    size: dict[int, float] = {}
    terms: dict[int, int] = {}
    stack: list[tuple[sp.Basic, int, bool]] = [(expr, 1, False)]
    nodes = 0
    while stack:
        node, depth, done = stack.pop()
        if not done:
            nodes += 1
            if nodes > limits.expression_nodes:
                raise refusal("expression_nodes", what, nodes, "nodes (at least)")
            if depth > limits.nesting_depth:
                raise refusal("nesting_depth", f"{what} (expression depth)", depth, "levels")
            stack.append((node, depth, True))
            stack.extend((arg, depth + 1, False) for arg in _children(node))
            continue
        s, t = _measure(node, size, terms)
        if s >= limits.integer_digits:
            digits = int(s) + 1 if s < _CAP else _CAP
            raise refusal("integer_digits", f"{what} (a number in it)", digits, "digits")
        if t > limits.expanded_terms:
            raise refusal("expanded_terms", f"{what} (once expanded)", t, "terms")
        size[id(node)], terms[id(node)] = s, t


def _children(node: sp.Basic) -> list[sp.Basic]:
    if isinstance(node, sp.MatrixBase):
        return list(node)
    return [a for a in node.args if isinstance(a, sp.Basic)]


_FACTORIALS = (sp.factorial, sp.factorial2, sp.subfactorial, sp.gamma, sp.RisingFactorial,
               sp.FallingFactorial, sp.binomial)


def _measure(node: sp.Basic, size: dict, terms: dict) -> tuple[float, int]:
    """(log10 magnitude, terms) bounds of ``node`` from those of its children."""
    args = _children(node)
    s_args = [size.get(id(a), 1.0) for a in args]
    t_args = [terms.get(id(a), 1) for a in args]
    if isinstance(node, sp.Integer):
        return _log10(int(node)), 1
    if isinstance(node, sp.Rational):
        return max(_log10(node.p), _log10(node.q)), 1
    if isinstance(node, sp.Float):
        mantissa, exponent = node._mpf_[1], node._mpf_[2]
        return (abs(exponent) + mantissa.bit_length()) * math.log10(2) if mantissa else 0.0, 1
    if isinstance(node, (sp.Symbol, sp.Indexed, sp.NumberSymbol, sp.IndexedBase, sp.Idx)):
        return 1.0, 1
    if isinstance(node, sp.Add):
        return max(s_args, default=0.0) + math.log10(len(args) + 1), min(sum(t_args), _CAP)
    if isinstance(node, sp.Mul):
        product = 1
        for value in t_args:
            product = _mul(product, value)
        return sum(s_args), product
    if isinstance(node, sp.Pow):
        base, exponent = node.args
        if isinstance(exponent, sp.Integer):
            n = abs(int(exponent))
            return n * s_args[0], _binomial_cap(t_args[0], n)
        if isinstance(exponent, sp.Rational):  # x^(p/q): |p/q| times as many digits as x
            ratio = abs(exponent.p) / exponent.q if exponent.p.bit_length() < 1000 else math.inf
            return ratio * s_args[0], t_args[0]
        return _magnitude(s_args[1]) * s_args[0], t_args[0]
    if isinstance(node, sp.exp):  # e^a: as large as a power with that exponent
        return _magnitude(s_args[0]) * math.log10(math.e), t_args[0]
    if isinstance(node, _FACTORIALS):
        n = _magnitude(s_args[0])  # (n)! has about n·log10(n) digits
        return n * max(math.log10(n + 1), 1.0), 1
    if isinstance(node, (sp.Sum, sp.Product)):
        s, t = s_args[0], t_args[0]
        for limit in node.limits:
            count = _count(limit, size)
            if count is None:  # symbolic bounds are never expanded
                continue
            if isinstance(node, sp.Sum):
                s, t = s + _log10(count), _mul(t, count)
            else:
                s, t = s * count, _power(t, count)
            t = max(t, min(count, _CAP))  # evaluating visits every value of the index
        return s, t
    # Anything else (floor, Max, functions, relations, matrices): as large as its largest part;
    # its terms are those of its parts together.
    return max(s_args, default=0.0), min(sum(t_args), _CAP) if t_args else 1
