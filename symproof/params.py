"""Validation of layer parameters, and the positive-integer symbols users build layers with.

Parameters accept a Python int or a SymPy expression whose assumptions make it an integer of the
right sign (a symbol from :func:`symbols`, or a product such as ``k*q`` of such symbols).

>>> from symproof import symbols
>>> k, q = symbols("k q")
>>> as_size("kernel_size", k * q)
k*q
>>> as_pair("stride", (1, 2))
(1, 2)
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Sequence

import sympy as sp

from .errors import EvaluationError, ParameterError
from .limits import check, check_expression, integer_from_text
from .notation import RESERVED

__all__ = [
    "symbols", "as_size", "as_pair", "as_sizes", "as_flag", "size_from_text", "sizes_from_text",
    "holds", "fails", "concrete_int", "to_python", "unreserved", "input_from_text",
]

Size = int | sp.Expr


def symbols(names: str, *, nonnegative: bool = False) -> sp.Symbol | tuple[sp.Symbol, ...]:
    """Integer symbols for sizes: positive by default, ``nonnegative=True`` for paddings.

    >>> m, F = symbols("m F")
    >>> m.is_integer and m.is_positive
    True
    >>> symbols("P", nonnegative=True).is_nonnegative
    True
    """
    if not isinstance(names, str) or not _NAMES.fullmatch(names):
        raise ParameterError("names", names, "must be symbol names separated by spaces or "
                                             "commas, such as 'm F S'")
    if as_flag("nonnegative", nonnegative):
        return sp.symbols(names, integer=True, nonnegative=True)
    return sp.symbols(names, integer=True, positive=True)


# Names only (letters, digits, _), never SymPy's range syntax ("x:3") or anything it parses.
_NAMES = re.compile(r"\s*[A-Za-z][A-Za-z0-9_]*(\s*[ ,]\s*[A-Za-z][A-Za-z0-9_]*)*\s*,?\s*",
                    flags=re.ASCII)


def _rule(minimum: int) -> str:
    return "must be a positive integer" if minimum >= 1 else "must be a non-negative integer"


def as_size(name: str, value: object, minimum: int = 1) -> sp.Expr:
    """Check that ``value`` is an integer ``>= minimum`` (or a symbol known to be) and return it
    as a SymPy expression. Text is never parsed here: strings are rejected."""
    if isinstance(value, (bool, str)):
        raise ParameterError(name, value, _rule(minimum))
    if isinstance(value, numbers.Integral):
        if value < minimum:
            raise ParameterError(name, value, _rule(minimum))
        _check_digits(name, int(value))
        return sp.Integer(int(value))
    if isinstance(value, sp.Expr):
        if value.is_number:
            if not isinstance(value, sp.Integer):
                check_expression(value, name)  # before SymPy evaluates 2**(10**9) to decide
            if not value.is_integer or value < minimum:
                raise ParameterError(name, value, _rule(minimum))
            _check_digits(name, int(value))
            return sp.Integer(value)
        sign_ok = value.is_positive if minimum >= 1 else value.is_nonnegative
        if value.is_integer is not True or sign_ok is not True:
            kind = "positive" if minimum >= 1 else "nonnegative"
            raise ParameterError(
                name,
                value,
                f"{_rule(minimum)}: declare the symbol as one "
                f"(symproof.symbols(...) or sympy.Symbol(..., integer=True, {kind}=True))",
            )
        return value
    if isinstance(value, numbers.Real):
        raise ParameterError(name, value, _rule(minimum))
    raise ParameterError(name, value, f"{_rule(minimum)} or a SymPy integer symbol")


def _check_digits(name: str, value: int) -> None:
    if value.bit_length() > 64:  # cheap test first; the digit count only for big values
        # str() itself refuses ints over 4,300 digits: estimate those from the bit length
        check("integer_digits", name, len(str(abs(value))) if value.bit_length() < 14_000
              else int(value.bit_length() * 0.30103) + 1)


def as_pair(name: str, value: object, minimum: int = 1) -> tuple[sp.Expr, sp.Expr]:
    """An int/symbol or a (rows, cols) pair, as a validated pair."""
    return as_sizes(name, value, 2, minimum)


def as_sizes(name: str, value: object, count: int, minimum: int = 1) -> tuple[sp.Expr, ...]:
    """One value per spatial axis (``count`` of them): a single int/symbol is repeated, a
    sequence must have exactly ``count`` entries (PyTorch's rule for ``kernel_size=3`` vs
    ``kernel_size=(3, 5)``).

    >>> as_sizes("stride", 2, 1), as_sizes("padding", (0, 1), 2, minimum=0)
    ((2,), (0, 1))
    """
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != count:
            shape = {1: "one value", 2: "one value or a (rows, cols) pair"}.get(
                count, f"one value or {count} values")
            raise ParameterError(name, tuple(value), f"must be {shape}")
        if count == 1:
            return (as_size(name, value[0], minimum),)
        return tuple(as_size(f"{name}[{n}]", v, minimum) for n, v in enumerate(value))
    size = as_size(name, value, minimum)
    return (size,) * count


def size_from_text(name: str, text: str, *, nonnegative: bool = False, bounded: bool = False):
    """``"3"`` → 3, ``"F"`` → a positive-integer symbol (non-negative for paddings); anything
    else is refused. Text is matched by pattern, never evaluated. ``bounded`` sizes (from
    documents and worked-problem settings, which drive work entry by entry) must also stay
    within the limit ``layer_size``."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        value = integer_from_text(name, text)
        if bounded:
            check("layer_size", name, value)
        return value
    if _NAME.fullmatch(text):
        return symbols(text, nonnegative=nonnegative)
    raise ParameterError(name, text, "must be an integer (digits 0-9) or a symbol name such "
                                     "as F")


def sizes_from_text(name: str, text: str, *, nonnegative: bool = False,
                    bounded: bool = False) -> tuple:
    """Sizes written ``5x6``, ``5×6`` or ``m,m``, one grammar for the command line and for
    directives: split at ``x``, ``×`` or ``,`` when every part is then a size (so ``mxm`` is
    (m, m)); otherwise the text is one size (``max``, ``n_x``).

    >>> sizes_from_text("input", "5x6"), sizes_from_text("input", "mxm")
    ((5, 6), (m, m))
    >>> sizes_from_text("input", "n_x")
    (n_x,)
    """
    if not isinstance(text, str):
        raise ParameterError(name, text, "must be text such as 5x6 or m,m")
    parts = [part.strip() for part in re.split("[x×,]", text)]
    if len(parts) > 1 and all(_SIZE_TEXT.fullmatch(part) for part in parts):
        return tuple(size_from_text(name, part, nonnegative=nonnegative, bounded=bounded)
                     for part in parts)
    return (size_from_text(name, text, nonnegative=nonnegative, bounded=bounded),)


# A size's name: letters and digits, at most one subscript. LaTeX printing reads more
# underscores as structure (k__a is written k^{a}, k_1_2 as k_{1 2}): a document would misstate it.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?", flags=re.ASCII)
_SIZE_TEXT = re.compile(rf"[0-9]+|{_NAME.pattern}", flags=re.ASCII)


def unreserved(name: str, value, reserved: tuple[str, ...] = RESERVED):
    """``value`` unchanged, unless it uses a symbol the formulas reserve for an index: a size
    named like one would silently become that index (SymPy identifies symbols by name and
    assumptions)."""
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        clash = sorted(s.name for s in v.free_symbols if s.name in reserved)
        if clash:
            raise ParameterError(
                name, v, f"must not use the symbol {clash[0]}, which names an index in the "
                f"element formula (reserved: {', '.join(reserved)}): choose another name")
    return value


def input_from_text(text: str, axes: Sequence[str], channels=None, *,
                    bounded: bool = False) -> tuple:
    """An input size written ``HxW`` or ``CxHxW`` (``L`` or ``CxL`` in 1-D) for a layer with
    spatial ``axes``, as ``(C, *sizes)``: the one reader of ``symproof layer --input`` and of
    the ``input=`` of directives. ``channels`` is the layer's own input channel count (None
    when any count passes through, as for pooling); an input that states another count is
    refused, and one that states none gets ``channels`` (possibly None).

    >>> input_from_text("5x7", ("H", "W"), 3), input_from_text("2x5", ("L",))
    ((3, 5, 7), (2, 5))
    """
    dims = tuple(unreserved("input", as_size("input", d))
                 for d in sizes_from_text("input", text, bounded=bounded))
    written = "x".join(axes)
    if len(dims) not in (len(axes), len(axes) + 1):
        raise ParameterError("input", text, f"must be {written} or Cx{written}")
    if len(dims) == len(axes):
        return (channels, *dims)
    if channels is not None and dims[0] != channels:  # C vs 3 too: two different counts
        raise ParameterError("input", text, f"must have the layer's {channels} channels "
                                            f"({written} or {channels}x{written})")
    return dims


def as_flag(name: str, value: object) -> bool:
    """A True/False option, checked (``1`` or ``"yes"`` are refused, not guessed)."""
    if not isinstance(value, bool):
        raise ParameterError(name, value, "must be True or False")
    return value


def holds(relation: sp.Basic | bool) -> bool:
    """True only when SymPy can decide that ``relation`` holds for every admissible value."""
    return bool(relation is True or relation == sp.true)


def fails(relation: sp.Basic | bool) -> bool:
    """True only when ``relation`` is false for every admissible value (undecided is not false)."""
    return bool(relation is False or relation == sp.false)


def concrete_int(name: str, value: sp.Expr) -> int:
    """``value`` as a Python int, or an error saying numbers are needed (for ``evaluate``)."""
    if not getattr(value, "is_Integer", False):
        raise EvaluationError(f"evaluate needs a concrete {name}, got {value}: "
                              "build the layer with numbers")
    return int(value)


def to_python(value: sp.Expr) -> int | sp.Expr:
    """A concrete integer as a Python ``int``; anything symbolic unchanged."""
    return int(value) if getattr(value, "is_Integer", False) else value


def shape_tuple(values: Sequence[sp.Expr]) -> tuple:
    """A shape as users want to see it: Python ints where concrete."""
    return tuple(to_python(v) for v in values)
