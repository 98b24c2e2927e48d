"""How proofs, steps and derivations show in a Jupyter notebook.

A notebook's MathJax reads math only: ``$…$``, ``$$…$$`` and environments such as ``aligned``,
never a document's ``\\section`` or ``description``. So a proof's rich form is Markdown (the
section :func:`symproof.report.markdown_section` writes for Markdown documents, text escaped and
math in ``$$\\begin{aligned}…$$``) with the proof's status and the marks it uses, and its
``text/latex`` form is one display formula: the result and the proof's status. JupyterLab and
the classic notebook both show Markdown before LaTeX; converters to PDF take the LaTeX formula.

>>> import sympy as sp
>>> from symproof.proof import Proof
>>> from symproof.kernel import identity
>>> x = sp.Symbol("x")
>>> proof = Proof("demo", "A demo", "x_1 doubled.")
>>> step = proof.add(sp.Eq(2 * x, x + x, evaluate=False), "collect terms",
...                   identity(2 * x, x + x))
>>> proof.result = step.claim
>>> print(proof_latex(proof))
$\\displaystyle 2 x = 2 x \\quad [\\text{PROVED}]$
>>> print(proof_markdown(proof).splitlines()[2])
x\\_1 doubled.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sympy as sp

from .kernel.outcome import Status
from .notation import status_mark
from .printing import latex, written_as_decimals
from .prose import math_text, prose, render
from .report import MD_MARKS, markdown_section

if TYPE_CHECKING:  # pragma: no cover - proofs and steps are only read here
    from .proof import Proof, Step

__all__ = ["proof_markdown", "proof_latex", "step_markdown", "step_latex", "display_math",
           "legend", "code_span", "with_status"]

# The order marks are explained in, strongest first; the words are the status names'.
_ORDER = (Status.PROVED, Status.VERIFIED, Status.SPOT_CHECKED, Status.REFUTED, Status.UNKNOWN,
          Status.GIVEN)


def display_math(body: str) -> str:
    """One display-style formula, as notebooks (and IPython's ``text/latex``) expect it."""
    return f"$\\displaystyle {body}$"


def _words(status: Status | str) -> str:
    return getattr(status, "name", status).lower().replace("_", "-")


def legend(statuses) -> str:
    """The marks of ``statuses`` with their meaning in one line (in a fixed order)."""
    present = set(statuses)
    return ", ".join(f"{MD_MARKS[s]} {_words(s)}" for s in _ORDER if s in present)


def proof_markdown(proof: Proof) -> str:
    """The proof as a notebook shows it: its Markdown section, its status and the legend of
    the marks it uses."""
    section = "\n".join(markdown_section(proof)).strip("\n")  # its decimals as written
    status = proof.status
    used = [s.status for s in (*proof.steps, *proof.checks)]
    return (f"{section}\n\n**Status:** {MD_MARKS[status]} {_words(status)} (the weakest "
            f"derived step)  \n**Marks:** {legend(used)}\n")


def _shown(expr: sp.Basic) -> str:
    """An expression, or each part of a tuple of results, in the course's notation."""
    if isinstance(expr, sp.Tuple):
        return r",\qquad ".join(latex(part) for part in expr)
    return latex(expr)


def proof_latex(proof: Proof) -> str:
    """The proof's result (its last claim when no result is set) and its status, as one
    formula: a refuted or undecided result is never shown bare; decimals as written."""
    with written_as_decimals(proof.decimals):
        return _proof_latex(proof)


def _proof_latex(proof: Proof) -> str:
    if proof.result is not None:
        shown = _shown(proof.result)
    else:
        claimed = [s for s in proof.steps if s.claim is not None]
        shown = _claim(claimed[-1]) if claimed else \
            rf"\text{{{math_text(str(proof.title))}: no result}}"
    return with_status(shown, proof.status.name)


def with_status(body: str, label: str) -> str:
    """A formula followed by a status (a name), as one display formula."""
    return display_math(rf"{body} \quad [\text{{{math_text(label)}}}]")


def _claim(step: Step) -> str:
    """A step's claim as math: ``≠`` when the step asserts it fails, its statement as text
    when it has no formula."""
    if step.claim is None:
        return prose(step.statement).in_math("markdown")
    if isinstance(step.claim, sp.Equality) and not step.holds:
        return f"{latex(step.claim.lhs)} \\neq {latex(step.claim.rhs)}"
    return latex(step.claim)


def step_latex(step: Step, label: str = "") -> str:
    """One step as one formula: its claim and its status (``label`` in its place, e.g. a
    claim checker's UNPARSED)."""
    with written_as_decimals(step.decimals):
        return _step_latex(step, label or step.status.name)


def _step_latex(step: Step, label: str) -> str:
    if step.claim is None and not step.statement:
        return display_math(rf"\text{{{math_text(label)}}}")
    return with_status(_claim(step), label)


def code_span(text: str) -> str:
    """Text shown as written, on one line, in a Markdown code span (nothing in it is read as
    Markdown or math): the fence is longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {' '.join(text.split())} {fence}"


def step_markdown(step: Step, shown: str | None = None, label: str = "") -> str:
    """One step as a line: its mark, its claim (``shown``, Markdown, in its place), its reason
    and how the kernel decided it (``label`` in place of the status name); decimals as
    written."""
    with written_as_decimals(step.decimals):
        return _step_markdown(step, shown, label or step.status.name)


def _step_markdown(step: Step, shown: str | None, label: str) -> str:
    if shown is None:
        shown = render(step.statement, "markdown") if step.claim is None else \
            f"${_claim(step)}$"
    if not step.holds:
        shown += " (asserted to fail in general)"
    head = f"{status_mark(label, 'text')} {shown}".rstrip()
    return (f"{head}: {render(step.justification, 'markdown')} "
            f"({render(step.outcome.written(), 'markdown')}; {_words(label)})\n")
