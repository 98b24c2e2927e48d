"""Checking a written solution stays quick: a 100-claim document in under 15 s."""

from __future__ import annotations

from pathlib import Path

from symproof.claims.check import check_text

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
