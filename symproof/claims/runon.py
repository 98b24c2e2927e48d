"""A ``cases`` closed once for several definitions, as in the seed's P1:

    w_{1,α,β} = \\begin{cases} 1 & (α = 2, β = 1) \\\\ −1 & (α = 1, β = 1),
                \\ w_{2,α,β} = \\begin{cases} 1 & (α = 1, β = 2) \\\\ −1 & (α = 1, β = 1),
                \\ b = 0. \\end{cases}

The writer's intent is evident: three definitions side by side, each ``cases`` left open (its
``0 (otherwise)`` row written below the display). :func:`split_run_on` recovers them as
separate definitions, each with its own ``cases``; anything it cannot split that way is left
to be reported as not understood.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .extract import Claim

__all__ = ["split_run_on"]

_OPEN, _CLOSE = "\\begin{cases}", "\\end{cases}"
# ", \ w_{2,α,β} =" or ", b =": where the next definition starts (a weight or a bias)
_NEXT = re.compile(r",\s*(?:\\\s)?\s*(?=(?:w|b)(?:_\{[^{}]*\}|_[A-Za-z0-9])?\s*=)")


def _as_cases(body: str) -> str:
    """A definition's right side with its own ``cases`` (a plain value is one row)."""
    rows = body.replace(_OPEN, " ").replace(_CLOSE, " ").strip().rstrip(".,").strip()
    if "(" not in rows and "\\\\" not in rows:  # a plain value: the one row, always
        rows = f"{rows} & (\\text{{otherwise}})"
    return f"{_OPEN} {rows} {_CLOSE}"


def split_run_on(claim: Claim) -> list[Claim] | None:
    """The definitions of a run-on ``cases`` (see the module docstring), or None when the
    claim is not one: its right side opens ``cases`` more often than it closes them and
    holds further ``w… =`` / ``b… =`` definitions after commas."""
    rhs = claim.rhs or ""
    if not (rhs.lstrip().startswith(_OPEN) and rhs.count(_OPEN) > rhs.count(_CLOSE)):
        return None
    pieces = _NEXT.split(rhs)
    if len(pieces) < 2:
        return None
    found = [replace(claim, rhs=_as_cases(pieces[0]))]
    for piece in pieces[1:]:
        lhs, equals, body = piece.partition("=")
        lhs = lhs.strip()
        if not equals or not body.strip():
            return None
        if lhs == "b":  # b = 0: every output channel's bias
            lhs = "b_{l}"
        found.append(replace(claim, lhs=lhs, rhs=_as_cases(body), latex=f"{lhs} = {body}"))
    return found
