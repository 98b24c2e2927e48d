"""One result record (issue 12, item 6): every kind of result symproof hands back (a kernel
outcome, a proof step, a claim verdict, a synthesis, a solution set) exposes the same
``outcome`` / ``status`` / ``ok``; a weight definition's verdict never makes up a strong status;
and the claim checker prints what it printed before the change."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from symproof import Conv2d, solve_for, symbols, synthesize
from symproof.claims.check import UNPARSED, Verdict, check_text
from symproof.errors import KernelError
from symproof.kernel import Outcome, Result, Status, counterexample, identity, prove
from symproof.notation import X, i, j
from symproof.proof import Proof, Step

DATA = Path(__file__).parent / "data"
a, b = sp.symbols("a b", real=True)
m = symbols("m")


def _results() -> dict[str, object]:
    proof = Proof("t", "t", "t")
    step = proof.add(sp.Eq(a + a, 2 * a), "collect terms", identity(a + a, 2 * a))
    given = proof.given(sp.Eq(b, 1), "the data")
    verdicts, _ = check_text("$$a + a = 2a$$\n\n$$(a + b)^2 = a^2 + b^2$$\n\n$$\\frac{a}{ = 1$$\n")
    return {
        "prove": prove(sp.Eq(sp.Max(a, b) ** 2, sp.Max(a**2, b**2))),
        "step": step,
        "given step": given,
        **{f"verdict {v.label}": v for v in verdicts},
        "synthesis": synthesize(Conv2d(1, 1, 3, padding=1), [X[1, i + 1, j] - X[1, i, j]]),
        "no synthesis": synthesize(Conv2d(1, 1, 3, padding=1), [X[1, i + 2, j]]),
        "solutions": solve_for("padding", input=m, output=m, kernel_size=5),
        "no solutions": solve_for("padding", input=m, output=m, kernel_size=4),
    }


RESULTS = _results()
EXPECTED = {"prove": Status.REFUTED, "step": Status.PROVED, "given step": Status.GIVEN,
            "verdict PROVED": Status.PROVED, "verdict REFUTED": Status.REFUTED,
            f"verdict {UNPARSED}": Status.UNKNOWN, "synthesis": Status.GIVEN,
            "no synthesis": Status.UNKNOWN, "solutions": Status.GIVEN,
            "no solutions": Status.UNKNOWN}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_every_result_kind_exposes_one_interface(kind):
    result = RESULTS[kind]
    assert isinstance(result, (Result, Outcome))
    assert isinstance(result.outcome, Outcome)
    assert isinstance(result.status, Status) and result.status is result.outcome.status
    assert result.status is EXPECTED[kind]
    assert result.ok is (result.status in (Status.PROVED, Status.VERIFIED,
                                           Status.SPOT_CHECKED, Status.GIVEN))


def test_steps_and_verdicts_are_one_record():
    verdict = RESULTS["verdict PROVED"]
    assert isinstance(verdict, Step) and verdict.reason == verdict.justification
    assert verdict.parsed and verdict.label == "PROVED"
    unparsed = RESULTS[f"verdict {UNPARSED}"]
    assert not unparsed.parsed and unparsed.label == UNPARSED and not unparsed.ok
    assert unparsed.to_dict()["status"] == UNPARSED
    with pytest.raises(AttributeError):  # the status is the outcome's, never written apart
        verdict.status = Status.REFUTED


def test_compatibility_reads_are_derived_from_the_outcome():
    found, none = RESULTS["synthesis"], RESULTS["no synthesis"]
    assert found.exists is found.ok is True and found.reason == ""
    assert none.exists is none.ok is False and none.reason == none.outcome.detail
    solved, unsolved = RESULTS["solutions"], RESULTS["no solutions"]
    assert bool(solved) is solved.ok is True
    assert bool(unsolved) is unsolved.ok is False
    assert unsolved.outcome.detail == unsolved.reason != ""


def test_a_search_that_finds_nothing_returns_an_outcome():
    nothing = counterexample(a + a, 2 * a)
    assert isinstance(nothing, Outcome) and nothing.status is Status.UNKNOWN


def test_a_weight_definition_carries_the_kernels_outcome_for_the_claim_that_decided_it():
    """The definition's verdict is not a status made up outside the kernel: its outcome is the
    very one the kernel produced for the claim about the layer that uses the weights."""
    proved, _ = check_text((DATA / "results_sample.md").read_text())
    by_line = {v.line: v for v in proved}
    assert by_line[3].status is Status.PROVED
    assert by_line[3].outcome is by_line[4].outcome
    refuted, _ = check_text((DATA / "directed_solution.md").read_text())
    by_line = {v.line: v for v in refuted}
    assert by_line[7].status is Status.REFUTED
    assert by_line[7].outcome is by_line[5].outcome and by_line[7].outcome.counterexample
    # line 3 is the general formula (w on both sides): it does not use line 7's weights
    assert by_line[7].evidence == {"refuted at": [5]}
    # and nothing outside the kernel can write a strong status into a verdict's outcome
    with pytest.raises(KernelError):
        Verdict.of(1, "x", Outcome(Status.PROVED, "mine"), "trust me")
    with pytest.raises((TypeError, dataclasses.FrozenInstanceError)):
        by_line[7].outcome.status = Status.PROVED


def _check(*options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symproof", "check", "results_sample.md",
                           *options], capture_output=True, text=True, timeout=300, cwd=DATA)


def test_cli_text_json_and_notes_are_unchanged(tmp_path):
    """The expected files were written by symproof before verdicts became steps."""
    text = _check()
    assert text.returncode == 1 and text.stdout == (DATA / "results_sample.check.txt").read_text()
    data = _check("--json")
    assert data.returncode == 1
    assert json.loads(data.stdout) == json.loads((DATA / "results_sample.check.json").read_text())
    assert data.stdout == (DATA / "results_sample.check.json").read_text()
    notes = tmp_path / "annotated.md"
    assert _check("--annotate", str(notes)).returncode == 1
    assert notes.read_text() == (DATA / "results_sample.annotated.md").read_text()
