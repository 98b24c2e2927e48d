"""Checking a written solution stays quick: a 100-claim document in under 15 s, and the seed
solution at a bounded multiple of ``import sympy``."""

from __future__ import annotations

import sys
from pathlib import Path

from symproof.claims.check import check_text
from symproof.workers import available_jobs

from .conftest import interleaved

CORPUS = Path(__file__).resolve().parents[1] / "data" / "claims_corpus.md"


def _hundred_claims() -> str:
    text = CORPUS.read_text()
    # 42 claims per copy; later copies re-state the same sections (new contexts each time).
    return "\n".join([text, text, text.split("## MLP Jacobians")[0]])


def test_a_100_claim_document_under_15_seconds(benchmark):
    document = _hundred_claims()
    verdicts, _ = check_text(document)
    assert len(verdicts) >= 100
    benchmark.pedantic(check_text, args=(document,), rounds=1, iterations=1)
    if benchmark.stats is not None:
        assert benchmark.stats.stats.max < 15.0


SEED = CORPUS.parent / "seed_solution.md"


def test_check_on_the_seed_against_import_sympy(benchmark):
    """``symproof check`` on the seed solution (52 claims), as a user runs it, against
    ``import sympy`` in the same run: issue #14's 5x when it has two CPUs (its default: one
    process per CPU; 6.2x in one process on this machine, 4.6x with two). With one CPU the
    bound is 8x (the kernel's cheaper sums and the reader took it there from 24x)."""
    argv = [sys.executable, "-m", "symproof", "check", str(SEED)]
    sympy_s, check_s = interleaved([sys.executable, "-c", "import sympy"], argv, runs=5,
                                   exit_codes=(0, 1))
    ratio, allowed = check_s / sympy_s, 5 if available_jobs() >= 2 else 8
    benchmark.extra_info.update(sympy_seconds=sympy_s, check_seconds=check_s, ratio=ratio,
                                allowed=allowed)
    benchmark.pedantic(lambda: None, rounds=1)
    assert ratio <= allowed, f"symproof check on the seed takes {ratio:.1f}x import sympy " \
                             f"(<= {allowed}x)"
