"""Statuses and outcomes: what a step is known to be, and why.

The strong statuses (PROVED, VERIFIED, SPOT_CHECKED, REFUTED) are granted by the kernel's rules
only: an :class:`Outcome` carrying one can be constructed inside ``symproof.kernel`` and nowhere
else (the LCF discipline of HOL and Lean). Everything else may say GIVEN (a definition, the
problem's data, a target, a documented rule that is not derived) or UNKNOWN (nothing decided
it); neither ever counts as proved.

>>> Outcome(Status.GIVEN, "definition").status.name
'GIVEN'
>>> Outcome(Status.PROVED, "I say so")
Traceback (most recent call last):
...
symproof.errors.KernelError: only the kernel's rules grant PROVED (here: I say so); state a \
definition as GIVEN, or ask symproof.prove to decide the claim
"""

from __future__ import annotations

import enum
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..errors import KernelError
from ..notation import status_mark
from ..prose import Prose, listed, prose

__all__ = ["Status", "Outcome", "Result", "STRONG", "STANDS", "LEGEND", "weakest",
           "assignment_formula"]


class Status(enum.IntEnum):
    """How a result is known; among derived statuses a larger value is stronger. GIVEN is not
    derived at all: it is never compared with the others (see :func:`weakest`)."""

    REFUTED = 0
    UNKNOWN = 1
    SPOT_CHECKED = 2
    VERIFIED = 3
    PROVED = 4
    GIVEN = 5

    @property
    def mark(self) -> str:
        """A short, legible mark for tables and documents."""

        return status_mark(self, "text")


#: What only the kernel may grant.
STRONG = frozenset({Status.PROVED, Status.VERIFIED, Status.SPOT_CHECKED, Status.REFUTED})
#: The statuses of a result that stands (``ok``): decided true by the kernel, or stated (GIVEN).
STANDS = frozenset({Status.PROVED, Status.VERIFIED, Status.SPOT_CHECKED, Status.GIVEN})

LEGEND = {
    Status.PROVED: "symbolic argument for all values of the symbols, under the stated assumptions",
    Status.VERIFIED: "checked exactly, case by case, on a finite concrete instance",
    Status.SPOT_CHECKED: "random numeric samples agree (count, seed, tolerance given)",
    Status.REFUTED: "a concrete counterexample to the asserted statement is shown",
    Status.GIVEN: "not derived: a definition, the problem's data or a documented rule",
    Status.UNKNOWN: "not decided",
}


def weakest(statuses) -> Status:
    """The weakest derived status (GIVEN steps do not count); UNKNOWN when nothing was derived.

    >>> weakest([Status.GIVEN, Status.PROVED, Status.SPOT_CHECKED]).name
    'SPOT_CHECKED'
    >>> weakest([Status.GIVEN]).name
    'UNKNOWN'
    """
    return min((s for s in statuses if s is not Status.GIVEN), default=Status.UNKNOWN)


_KERNEL = os.path.dirname(os.path.abspath(__file__))


def _from_kernel() -> bool:
    """Whether the code constructing an outcome is a file of the kernel package (the frame
    three levels up: ``_from_kernel`` ← ``__post_init__`` ← ``__init__`` ← the caller)."""
    filename = sys._getframe(3).f_code.co_filename
    return os.path.dirname(os.path.abspath(filename)) == _KERNEL


@dataclass(frozen=True)
class Outcome:
    """What decided a step: the status, the rule and a one-line summary, plus samples, seed
    and tolerance for numeric checks and the counterexample of a refutation."""

    status: Status
    tactic: str
    detail: str | Prose = ""  # prose when it names formulas, typeset in documents
    samples: int | None = None
    seed: int | None = None
    tolerance: float | None = None
    counterexample: dict[str, Any] | None = None

    def __post_init__(self):
        if not isinstance(self.status, Status):
            raise KernelError(f"an outcome's status must be a Status, got {self.status!r}")
        if self.status in STRONG and not _from_kernel():
            raise KernelError(f"only the kernel's rules grant {self.status.name} (here: "
                              f"{self.tactic}); state a definition as GIVEN, or ask "
                              "symproof.prove to decide the claim")
        if self.status is Status.REFUTED and not self.counterexample:
            raise KernelError("a REFUTED outcome must carry its counterexample")
        if self.status is Status.SPOT_CHECKED and (self.samples is None or self.seed is None):
            raise KernelError("a SPOT_CHECKED outcome must record its sample count and seed")

    @property
    def proved(self) -> bool:
        """Whether the kernel proved the claim."""
        return self.status is Status.PROVED

    @property
    def ok(self) -> bool:
        """Whether the result stands: the kernel decided it holds (PROVED, VERIFIED,
        SPOT_CHECKED, each at its own strength) or it is stated, not derived (GIVEN). False
        for REFUTED and UNKNOWN."""
        return self.status in STANDS

    @property
    def outcome(self) -> Outcome:
        """The outcome itself: an outcome is a :class:`Result` too (``result.outcome``)."""
        return self

    def summary(self) -> str:
        """The record in one line of text (formulas in the course's Unicode notation)."""
        return self.written().text()

    def written(self) -> Prose:
        """The record as prose: the rule, the detail (its formulas as math), samples, seed and
        tolerance, the counterexample; documents typeset it."""
        parts: list = [self.tactic]
        if self.detail:
            parts.append(self.detail)
        if self.samples is not None:
            parts.append(f"{self.samples} samples, seed {self.seed}, tol {self.tolerance:g}"
                         if self.tolerance is not None else
                         f"{self.samples} samples, seed {self.seed}")
        if self.counterexample:
            parts.append(self.counterexample_written())
        said = prose(parts[0])
        for part in parts[1:]:
            said = said + "; " + prose(part)
        return said

    def counterexample_written(self) -> Prose:
        """``counterexample H = 2, i = 1, …`` as prose (empty when there is none)."""
        if not self.counterexample:
            return Prose()
        return Prose("counterexample ", *listed(
            _assignment(name, value) for name, value in self.counterexample.items()))

    # -- shown interactively (``symproof.prove(...)`` in a notebook or a terminal) ----------

    def _repr_markdown_(self) -> str:
        """The status mark and name, then the record (rule, detail with its math, samples,
        counterexample) in Markdown; no ``text/latex``: this is a sentence, not a formula."""
        return f"{self.status.mark} **{self.status.name}**: {self.written().markdown()}"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(f"{self.status.mark} {self.status.name}: {self.summary()}")

    def evidence(self) -> dict:
        """What a verdict of ``check`` records of the outcome, as text: the rule, the detail
        and (when there is one) the counterexample."""
        found = {"tactic": self.tactic, "detail": str(self.detail)}
        if self.counterexample:
            found["counterexample"] = {str(k): str(v) for k, v in self.counterexample.items()}
        return found

    def to_dict(self) -> dict:
        return {"status": self.status.name, "tactic": self.tactic, "detail": str(self.detail),
                "samples": self.samples, "seed": self.seed, "tolerance": self.tolerance,
                "counterexample": None if self.counterexample is None else {
                    k: str(v) for k, v in self.counterexample.items()}}


# An entry of a counterexample as the kernel names it, ``X[1, 2, 3]``: a name and short integer
# indices, read by pattern (never evaluated) so that it is typeset as an entry.
_ENTRY = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\[(-?\d{1,6}(?:, ?-?\d{1,6})*)\]")


def _assignment(name: str, value) -> str | sp.Basic:
    """``name = value`` of a counterexample: a formula where :func:`assignment_formula`
    gives one (typeset in documents), else text."""
    formula = assignment_formula(name, value)
    return f"{name} = {value}" if formula is None else formula


def assignment_formula(name: str, value) -> sp.Basic | None:
    """``name = value`` of a counterexample as a formula, when the name is a plain symbol name
    or an entry with integer indices (``X[1, 2, 3]``, read by pattern, never evaluated) and
    the value a number; None for anything else (written as text by the caller)."""
    if not isinstance(value, (int, sp.Number)) or isinstance(value, bool):
        return None
    number = sp.Integer(value) if isinstance(value, int) else value
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return sp.Eq(sp.Symbol(name), number, evaluate=False)
    entry = _ENTRY.fullmatch(name)
    if entry:
        indices = (int(n) for n in entry.group(2).split(","))
        return sp.Eq(sp.IndexedBase(entry.group(1))[tuple(indices)], number, evaluate=False)
    return None


class Result:
    """The one interface of every result symproof hands back: a kernel outcome
    (:class:`Outcome`, via ``outcome`` on itself), a step of a proof (``symproof.proof.Step``),
    a claim checker's verdict (a step with its source line), a synthesis and a solution set.

    A subclass supplies ``outcome`` (an :class:`Outcome`, the sealed record of *how* the result
    is known); ``status`` and ``ok`` are read off it, so callers test one thing:
    ``result.status is Status.PROVED``, or ``result.ok``. Results computed outside the kernel
    (a synthesis, a solution set) carry GIVEN or UNKNOWN, never a strong status.

    >>> class Stated(Result):
    ...     outcome = Outcome(Status.GIVEN, "definition")
    >>> Stated().status.name, Stated().ok
    ('GIVEN', True)
    """

    __slots__ = ()

    outcome: Outcome

    @property
    def status(self) -> Status:
        """The status of the outcome."""
        return self.outcome.status

    @property
    def ok(self) -> bool:
        """Whether the result stands (see :attr:`Outcome.ok`)."""
        return self.outcome.ok
