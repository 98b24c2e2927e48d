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
from .params import size_from_text
from .proof import Proof

__all__ = ["Parameter", "Problem", "problems", "get", "groups", "select"]

_DECIMAL = re.compile(r"-?\d+(\.\d+)?(/\d+)?")


@dataclass(frozen=True)
class Parameter:
    """One knob of a worked problem.

    ``kind`` is ``"size"`` (a positive integer or a symbol name), ``"count"`` (the same, zero
    allowed, as for a padding), ``"number"`` (an exact decimal or fraction such as ``0.299`` or
    ``1/3``) or ``"choice"`` (one of ``choices``).
    """

    name: str
    default: Any
    kind: str
    help: str
    choices: tuple[str, ...] = ()

    def parse(self, text: str) -> Any:
        """The value ``text`` names, read by a strict pattern (never evaluated)."""
        text = text.strip()
        if self.kind in ("size", "count"):
            value = size_from_text(self.name, text, nonnegative=self.kind == "count")
            if self.kind == "size" and value == 0:
                raise ParameterError(self.name, value, "must be a positive integer")
            return value
        if self.kind == "number":
            if not _DECIMAL.fullmatch(text):
                raise ParameterError(self.name, text, "must be a number such as 0.299 or 1/3")
            value = Fraction(text)
            return sp.Rational(value.numerator, value.denominator)
        if text not in self.choices:
            raise ParameterError(self.name, text, f"must be one of {', '.join(self.choices)}")
        return text


@dataclass(frozen=True)
class Problem:
    """A worked problem: ``build(**parameters)`` returns its ``Proof``."""

    name: str
    title: str
    build: Callable[..., Proof]
    parameters: tuple[Parameter, ...] = ()
    group: str = "homework"  # `symproof prove` runs the homework; other groups by name

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
        return self.build(**values, **options)


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
