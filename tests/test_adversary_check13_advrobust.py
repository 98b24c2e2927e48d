"""Adversarial review (check13, robustness): each test is a wrong outcome found by hand, with
the outcome it should have."""

from __future__ import annotations

from symproof.claims.check import check_text

MONOTONE = r"$$\sigma(\max(a, c)) = \max(\sigma(a), \sigma(c))$$"


def _labels(doc: str, markdown: bool = True):
    verdicts, _ = check_text(doc, markdown=markdown)
    return [(v.line, v.label) for v in verdicts]


def test_a_reused_verdict_does_not_borrow_the_words_of_the_first_line():
    # the first statement says sigma is nondecreasing, the second does not: judged alone,
    # the second is UNKNOWN, so it must be UNKNOWN after the first too
    said = f"# Pooling\n\n{MONOTONE} since \\sigma is nondecreasing.\n\n{MONOTONE}\n"
    alone = f"# Pooling\n\n{MONOTONE}\n"
    assert _labels(alone) == [(3, "UNKNOWN")]
    assert _labels(said) == [(3, "PROVED"), (5, "UNKNOWN")]
    later = f"# Pooling\n\n{MONOTONE}\n\n{MONOTONE} since \\sigma is nondecreasing.\n"
    assert _labels(later) == [(3, "UNKNOWN"), (5, "PROVED")]
