"""``--jobs``: claims judged and problems derived in several processes give the very verdicts
and proofs one process gives, on documents other people wrote; the option is checked like any
other parameter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from symproof.claims.check import check_text
from symproof.cli import MAX_JOBS, main

DATA = Path(__file__).resolve().parent / "data"
DOCUMENTS = {  # (file, read as Markdown)
    "seed solution": ("seed_solution.md", True),
    "seed solution, LaTeX": ("seed_solution.tex", False),
    "claims corpus": ("claims_corpus.md", True),
    "textbook corpus": ("textbook_corpus.md", True),
    "backward prose": ("backward_prose.md", True),
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_two_processes_give_the_verdicts_of_one(name):
    path, markdown = DOCUMENTS[name]
    text = (DATA / path).read_text()
    one, _ = check_text(text, markdown=markdown, jobs=1)
    two, _ = check_text(text, markdown=markdown, jobs=2)
    assert [v.to_dict() for v in two] == [v.to_dict() for v in one]
    assert [(v.status, v.reason, v.outcome) for v in two] == [
        (v.status, v.reason, v.outcome) for v in one]


def test_a_repeated_claim_is_judged_once_and_given_at_each_line():
    text = "$$ (x+1)^2 = x^2 + 2x + 1 $$\n\n$$ (x+1)^2 = x^2 + 2x + 1 $$\n\n$$ (x+1)^2 = x^2 $$\n"
    verdicts, _ = check_text(text, markdown=True, jobs=2)
    assert [(v.line, v.status.name) for v in verdicts] == [
        (1, "PROVED"), (3, "PROVED"), (5, "REFUTED")]


def test_progress_reaches_the_total_once_judged():
    text = (DATA / "claims_corpus.md").read_text()
    seen = []
    check_text(text, markdown=True, jobs=2, progress=lambda done, total: seen.append(
        (done, total)))
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symproof", *argv], capture_output=True,
                          text=True, timeout=300)


def test_check_with_jobs_as_a_user_runs_it():
    """Same JSON with one and two processes, and nothing on stderr: the workers end quietly
    (they once printed a traceback each when the pool ended them)."""
    seed = str(DATA / "seed_solution.md")
    one, two = _cli("check", "--json", "-j", "1", seed), _cli("check", "--json", "-j", "2", seed)
    assert one.returncode == two.returncode == 1  # the seed has refuted claims
    assert json.loads(two.stdout) == json.loads(one.stdout)
    assert two.stderr == ""


def test_prove_with_jobs_gives_the_same_proofs():
    one, two = _cli("prove", "-j", "1"), _cli("prove", "-j", "2")
    assert one.returncode == two.returncode == 0
    assert two.stdout == one.stdout and two.stderr == ""


@pytest.mark.parametrize("command", [["prove", "p3"], ["check", str(DATA / "seed_solution.md")]])
@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", str(MAX_JOBS + 1), "٢"])
def test_a_bad_number_of_jobs_is_one_line_and_exit_2(command, value, capsys):
    assert main([*command, "--jobs", value]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--jobs" in err and value in err


@pytest.mark.parametrize("jobs", [1, 2])
def test_claims_without_a_fingerprint_are_each_judged(monkeypatch, jobs):
    """A claim whose context has no fingerprint is never reused: each gets its own verdict."""
    import symproof.claims.check as check

    monkeypatch.setattr(check, "_claim_key", lambda claim, ctx: None)
    text = "$$ (x+1)^2 = x^2 + 2x + 1 $$\n\n$$ (x+1)^2 = x^2 $$\n\n$$ (x+1)^2 = x^2 $$\n"
    verdicts, _ = check_text(text, markdown=True, jobs=jobs)
    assert [(v.line, v.status.name) for v in verdicts] == [
        (1, "PROVED"), (3, "REFUTED"), (5, "REFUTED")]
