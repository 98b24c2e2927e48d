"""The worked problems: found by discovery in the ``proofs`` package, each a ``Problem`` whose
parameters can be changed (``symproof prove p2 --set k=3``)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import sympy as sp

from .errors import ParameterError
from .layers.window import RESERVED
from .limits import check
from .params import size_from_text
from .proof import Proof

__all__ = ["Parameter", "Problem", "problems", "get", "groups", "select"]

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+|/[0-9]+)?", re.ASCII)


# The arrays of the notation (X, Y, w, b, A, x, y): a size named like one would read as it.
_ARRAYS = frozenset(("X", "Y", "w", "b", "A", "x", "y", "Xbar"))


@dataclass(frozen=True)
class Parameter:
    """One knob of a worked problem.

    ``kind`` is ``"size"`` (a positive integer or a symbol name), ``"count"`` (the same, zero
    allowed, as for a padding), ``"number"`` (an exact decimal or fraction such as ``0.299`` or
    ``1/3``) or ``"choice"`` (one of ``choices``). A size or count that the derivation needs as
    a number (``symbolic=False``) refuses symbol names. Sizes are bounded by the limit
    ``layer_size``: the checks of a worked problem work entry by entry.
    """

    name: str
    default: Any
    kind: str
    help: str
    choices: tuple[str, ...] = ()
    symbolic: bool = True

    def parse(self, text: str) -> Any:
        """The value ``text`` names, read by a strict pattern (never evaluated)."""
        text = text.strip()
        if self.kind in ("size", "count"):
            value = size_from_text(self.name, text, nonnegative=self.kind == "count",
                                   bounded=True)
            if self.kind == "size" and value == 0:
                raise ParameterError(self.name, value, "must be a positive integer")
            if not self.symbolic and not isinstance(value, int):
                raise ParameterError(self.name, text, "must be a number here (this problem "
                                     "works with a concrete value)")
            return value
        if self.kind == "number":
            if not _DECIMAL.fullmatch(text):
                raise ParameterError(self.name, text, "must be a number such as 0.299 or 1/3")
            check("integer_digits", self.name, sum(c.isdigit() for c in text))
            if "/" in text and int(text.split("/")[1]) == 0:
                raise ParameterError(self.name, text, "must not divide by zero")
            value = Fraction(text)
            return sp.Rational(value.numerator, value.denominator)
        if text not in self.choices:
            raise ParameterError(self.name, text, f"must be one of {', '.join(self.choices)}")
        return text


@dataclass(frozen=True)
class Problem:
    """A worked problem: ``build(**parameters)`` returns its ``Proof``.

    ``reserved`` names symbols the derivation introduces itself (``q`` in ``m = k·q``): a
    parameter set to one of them, to an index name or to another parameter's symbol would
    silently become that symbol, so it is refused."""

    name: str
    title: str
    build: Callable[..., Proof]
    parameters: tuple[Parameter, ...] = ()
    group: str = "homework"  # `symproof prove` runs the homework; other groups by name
    reserved: tuple[str, ...] = ()

    def run(self, settings: dict[str, str] | None = None, **options) -> Proof:
        """Build the proof with ``settings`` (text values, as from ``--set``) applied."""
        known = {p.name: p for p in self.parameters}
        values = {}
        for name, text in (settings or {}).items():
            if name not in known:
                allowed = ", ".join(known) or "none"
                raise ParameterError("--set", f"{name}={text}",
                                     f"must name a parameter of {self.name} ({allowed})")
            values[name] = known[name].parse(text)
        self._check_names({p.name: values.get(p.name, p.default) for p in self.parameters},
                          set(values))
        return self.build(**values, **options)

    def _check_names(self, values: dict[str, Any], given: set[str]) -> None:
        for name in given:
            for symbol in getattr(values[name], "free_symbols", ()):
                others = [other for other, value in values.items() if other != name
                          and symbol.name in {s.name for s in getattr(value, "free_symbols", ())}]
                taken = ("an index of the formulas" if symbol.name in RESERVED else
                         "an array of the formulas" if symbol.name in _ARRAYS else
                         f"a symbol {self.name} introduces" if symbol.name in self.reserved
                         else f"parameter {others[0]}" if others else None)
                if taken:
                    raise ParameterError(name, symbol.name, f"must be a number or a fresh "
                                         f"symbol name: {symbol.name} is already {taken}")


@cache
def problems() -> dict[str, Problem]:
    """Every ``PROBLEM`` defined by a module of the ``proofs`` package, by name."""
    import proofs

    found = {}
    for module in pkgutil.iter_modules(proofs.__path__):
        loaded = importlib.import_module(f"proofs.{module.name}")
        for problem in [getattr(loaded, "PROBLEM", None), *getattr(loaded, "PROBLEMS", [])]:
            if isinstance(problem, Problem):
                found[problem.name] = problem
    return dict(sorted(found.items()))


def groups() -> dict[str, list[Problem]]:
    """Problems by group (``homework``, ``dv``, …)."""
    out: dict[str, list[Problem]] = {}
    for problem in problems().values():
        out.setdefault(problem.group, []).append(problem)
    return out


def select(names: list[str]) -> list[Problem]:
    """Problems named, or whole groups named; the homework when ``names`` is empty."""
    if not names:
        return groups()["homework"]
    chosen = []
    for name in names:
        chosen += groups().get(name.lower(), None) or [get(name)]
    return chosen


def get(name: str) -> Problem:
    """The problem called ``name``, or an error listing the known ones."""
    known = problems()
    if name.lower() not in known:
        raise ParameterError("proof", name, f"must be one of {', '.join(known)} "
                             f"(or a group: {', '.join(groups())})")
    return known[name.lower()]
