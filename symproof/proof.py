"""Proofs: ordered steps, each with an honest status and the evidence that decided it.

A step's status says *how* it is known (DESIGN.md):

* PROVED: a symbolic argument valid for all values of the symbols, under the listed assumptions;
* VERIFIED: checked exactly, case by case, on a finite concrete instance;
* SPOT_CHECKED: random numeric samples agree (count, seed and tolerance recorded);
* REFUTED: a concrete counterexample to an asserted statement (always shown);
* GIVEN: not derived (a definition, the problem's data, a target, a documented rule);
* UNKNOWN: nothing decided it.

Only the kernel (:mod:`symproof.kernel`) grants the first four. A proof is as strong as its
weakest derived step; GIVEN steps state what the derivation starts from and never count.
Cross-checks (an exact check on a concrete instance, a numeric comparison with PyTorch) are
kept apart in ``checks``: they corroborate the
derivation without weakening it, but a refuted check refutes the proof. A step may assert a
negative ("for a non-monotone σ the identity fails"); exhibiting a verified counterexample PROVES
such a step.

>>> import sympy as sp
>>> from symproof.proof import Proof, Outcome, Status
>>> from symproof.kernel import identity
>>> x = sp.Symbol("x")
>>> proof = Proof("demo", "A demo", "x + x = 2x.")
>>> step = proof.add(sp.Eq(x, x), "x is the unknown", Outcome(Status.GIVEN, "definition"))
>>> step = proof.add(sp.Eq(x + x, 2 * x), "collect terms", identity(x + x, 2 * x))
>>> proof.status
<Status.PROVED: 4>
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from .errors import ParameterError
from .kernel.outcome import LEGEND, Outcome, Result, Status, weakest
from .latex import latex
from .notebook import proof_latex, proof_markdown, step_latex, step_markdown
from .printing import written_as_decimals
from .prose import Prose, prose
from .report import check_style, tex_section
from .text import text

__all__ = ["Status", "Outcome", "Result", "Step", "Proof", "LEGEND"]


@dataclass
class Step(Result):
    """One claim of a derivation: the one result record (claim, justification, outcome).

    ``claim`` is a SymPy relation or expression (or None for a claim stated only in prose);
    ``statement``, ``justification`` and ``short_reason`` are text or :class:`~symproof.prose.Prose`
    (text with math parts); ``short_reason`` is the short one a model answer gives ("substitute the
    weights"), the justification the full one an audit gives.
    ``holds=False`` marks a step that asserts the claim *fails* (then a counterexample proves
    the step). ``assumptions`` are those the step uses. ``status`` and ``ok`` are the
    outcome's (:class:`~symproof.kernel.outcome.Result`); a claim checker's verdict is a step
    with its source line (``symproof.claims.check.Verdict``).
    """

    claim: sp.Basic | None
    justification: str | Prose
    outcome: Outcome
    statement: str | Prose = ""
    assumptions: tuple = ()
    holds: bool = True
    layouts: dict = field(default_factory=dict)  # the claim written in each layout, if it varies
    short_reason: str | Prose = ""
    # the rationals the user wrote as decimals (0.299): how this step prints them, alone too
    decimals: frozenset = field(default=frozenset(), compare=False, repr=False)

    def to_dict(self) -> dict:
        return {
            "claim": None if self.claim is None else str(self.claim),
            "latex": None if self.claim is None else _latex(self.claim),
            "statement": str(self.statement),
            "justification": str(self.justification),
            "short_reason": str(self.short_reason),
            "asserts": "holds" if self.holds else "fails",
            "assumptions": [str(a) for a in self.assumptions],
            **self.outcome.to_dict(),
        }

    def in_layout(self, layout: str | None) -> Step:
        """This step with its claim written in ``layout`` (itself if the claim has no layout)."""
        if layout is None or layout not in self.layouts:
            if layout is not None and self.layouts:

                raise ParameterError("layout", layout, f"must be one of {', '.join(self.layouts)}")
            return self

        return replace(self, claim=self.layouts[layout])

    def to_latex(self, *, inline: bool = False, layout: str | None = None) -> str:
        """The claim in the course's notation (``$…$`` with ``inline``; in ``layout`` for a
        Jacobian)."""
        step = self.in_layout(layout)

        # a step stated in prose: its text parts in \text{…}, its math as math
        written = _latex(step.claim) if step.claim is not None else \
            prose(step.statement).in_math()
        return f"${written}$" if inline else written

    # -- in a notebook (symproof.notebook): Markdown first, LaTeX as one formula -------------

    def _repr_markdown_(self) -> str:
        return step_markdown(self)

    def _repr_latex_(self) -> str:
        return step_latex(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        with written_as_decimals(self.decimals):
            claim = text(self.claim) if self.claim is not None else self.statement
        claim = claim if self.holds else f"NOT ALWAYS: {claim}"  # as a proof prints it
        printer.text(f"{self.status.name}: {claim}  because {self.justification}")


@dataclass
class Proof:
    """A titled derivation: statement, assumptions, steps, result, notes.

    ``parameters`` are the values the proof was built with (what ``--set`` changes);
    ``decimals`` the rationals among them that were written as decimals (0.299), which every
    rendering of the proof prints as decimals. ``statement``, assumptions and notes are text or
    :class:`~symproof.prose.Prose`.
    ``figures`` are pictures of its setting (:class:`symproof.figures.Figure`), which
    documents draw with it.
    """

    name: str
    title: str
    statement: str | Prose
    assumptions: list = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    checks: list[Step] = field(default_factory=list)
    result: sp.Basic | None = None
    notes: list = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    decimals: frozenset = frozenset()
    figures: list = field(default_factory=list)

    def add(self, claim, justification: str | Prose, outcome: Outcome, *,
            statement: str | Prose = "", assumptions: tuple = (), holds: bool = True,
            layouts: dict | None = None, short_reason: str | Prose = "") -> Step:
        """Append a step and return it (``short_reason``: the short reason of a model answer)."""
        step = Step(claim, justification, outcome, statement, tuple(assumptions), holds,
                    dict(layouts or {}), short_reason, self.decimals)
        self.steps.append(step)
        return step

    def given(self, claim, justification: str | Prose, kind: str = "definition", *,
              statement: str | Prose = "", short_reason: str | Prose = "",
              source: str | Prose = "") -> Step:
        """Append a GIVEN step: what the derivation starts from (a definition, the problem's
        data, a target, a documented rule), stated, not derived, and never counted as proved;
        ``source`` says where a documented rule is written (the audit's record shows it, a
        model answer does not)."""
        return self.add(claim, justification, Outcome(Status.GIVEN, kind, detail=source),
                        statement=statement, short_reason=short_reason)

    def check(self, claim, justification: str | Prose, outcome: Outcome, *,
              statement: str | Prose = "") -> Step:
        """Append a cross-check (VERIFIED / SPOT_CHECKED corroboration) and return it."""
        step = Step(claim, justification, outcome, statement, decimals=self.decimals)
        self.checks.append(step)
        return step

    def mark_decimals(self, values) -> None:
        """Print the rationals ``values`` as decimals (how they were written) in every
        rendering of the proof, and of each of its steps shown on its own (a notebook's
        ``proof.steps[1]``)."""
        self.decimals = frozenset(self.decimals) | frozenset(values)
        for step in (*self.steps, *self.checks):
            step.decimals = frozenset(step.decimals) | self.decimals

    @property
    def status(self) -> Status:
        """The weakest status among the derived steps (GIVEN ones do not count; UNKNOWN when
        nothing is derived); REFUTED if any cross-check is."""
        if any(c.status is Status.REFUTED for c in self.checks):
            return Status.REFUTED
        return weakest(s.status for s in self.steps)

    def __str__(self) -> str:
        with written_as_decimals(self.decimals):
            return self._lines()

    def _lines(self) -> str:
        lines = [f"{self.name}  {self.title}  [{self.status.name}]", f"  {self.statement}"]
        if self.assumptions:
            lines.append("  assuming " + "; ".join(_show(a, text) for a in self.assumptions))
        for number, step in enumerate(self.steps, 1):
            claim = text(step.claim) if step.claim is not None else step.statement
            if not step.holds:
                claim = f"NOT ALWAYS: {claim}"
            lines.append(f"  {number:>2}. {step.status.name:<12} {claim}")
            lines.append(f"      because {step.justification} ({step.outcome.summary()})")
        for check in self.checks:
            lines.append(f"  check {check.status.name:<12} {check.statement or text(check.claim)}")
            lines.append(f"      by {check.justification} ({check.outcome.summary()})")
        if self.result is not None:
            lines.append(f"  result: {text(self.result)}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """A JSON-serialisable view for tools."""
        return {
            "name": self.name,
            "title": self.title,
            "statement": str(self.statement),
            "status": self.status.name,
            "assumptions": [str(a) for a in self.assumptions],
            "parameters": {k: str(v) for k, v in self.parameters.items()},
            "steps": [s.to_dict() for s in self.steps],
            "checks": [c.to_dict() for c in self.checks],
            "result": None if self.result is None else str(self.result),
            "result_latex": None if self.result is None else _latex(self.result),
            "notes": [str(note) for note in self.notes],
        }

    def in_layout(self, layout: str | None) -> Proof:
        """This proof with every layout-dependent claim written in ``layout``."""
        if layout is None:
            return self

        return replace(self, steps=[s.in_layout(layout) for s in self.steps])

    def to_latex(self, *, layout: str | None = None, style: str = "audit") -> str:
        """The derivation as a LaTeX section: statement, ``align*`` steps with marks and
        reasons, checks, boxed result (Jacobians in ``layout`` when given), in ``style``
        (``audit``: the full trail; ``solution``: a model answer)."""
        return tex_section(self.in_layout(layout), check_style(style))

    # -- in a notebook (symproof.notebook): a document fragment is no notebook math ---------

    def _repr_markdown_(self) -> str:
        """The proof in Markdown with MathJax math (what JupyterLab and the notebook show)."""
        return proof_markdown(self)

    def _repr_latex_(self) -> str:
        """The result as one display formula (math only, e.g. for a PDF of the notebook)."""
        return proof_latex(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(str(self))


def _latex(expr) -> str:

    return latex(expr)


def _show(assumption, text) -> str:
    return str(assumption) if isinstance(assumption, (str, Prose)) else text(assumption)
