"""``symproof check`` on formulas copied from public texts of the field, in their authors' own
notation (tests/data/textbook_corpus.md: Dumoulin & Visin, CS231n, Dive into Deep Learning,
the PyTorch docs, Goodfellow et al., Nielsen, the Matrix Cookbook; each source named in the
file). Every claim carries a mark, ``<!-- expect: true -->`` or ``false``, on the line above
its display (one word per claim of a chain): a claim without a mark, or a mark without its
claim, fails the test, so the marks cannot drift from the claims.

Soundness is absolute (no false claim confirmed, no true claim refuted); coverage has
targets (at least 85% of the true claims confirmed, 80% of the false ones refuted).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from symproof.claims.check import check_text
from symproof.proof import Status

CORPUS = Path(__file__).parent / "data" / "textbook_corpus.md"
_MARK = re.compile(r"<!-- expect: ((?:true|false)(?: (?:true|false))*) -->")
CONFIRMED = (Status.PROVED, Status.VERIFIED, Status.SPOT_CHECKED)


@lru_cache(maxsize=1)
def judged() -> tuple[list[tuple[bool, object]], list[str]]:
    """(expected truth, verdict) for every claim of the corpus, and the problems with the
    marks (a claim without a mark, a mark without its claims)."""
    text = CORPUS.read_text(encoding="utf-8")
    verdicts, _ = check_text(text, markdown=True)
    lines = text.split("\n")
    marks = [(n, m.group(1).split()) for n, line in enumerate(lines, 1)
             if (m := _MARK.fullmatch(line.strip()))]
    ends = [line for line, _ in marks[1:]] + [len(lines) + 1]
    pairs, problems = [], []
    for (start, words), end in zip(marks, ends):
        claims = [v for v in verdicts if start < v.line < end]
        if len(claims) != len(words):
            problems.append(f"line {start}: {len(words)} mark(s), {len(claims)} claim(s)")
        pairs += [(word == "true", v) for word, v in zip(words, claims)]
    first = marks[0][0] if marks else len(lines) + 1
    problems += [f"line {v.line}: a claim before any mark" for v in verdicts if v.line < first]
    return pairs, problems


def _shown(pairs) -> str:
    return "\n".join(f"  line {v.line} ({'true' if truth else 'false'}): {v.label} "
                     f"{v.latex[:70]!r} — {v.reason[:120]}" for truth, v in pairs)


def test_every_claim_is_marked_true_or_false():
    pairs, problems = judged()
    assert not problems, "\n".join(problems)
    assert len(pairs) >= 100


def test_no_false_claim_is_confirmed():
    pairs, _ = judged()
    wrong = [(t, v) for t, v in pairs if not t and v.status in CONFIRMED]
    assert not wrong, "false claims confirmed:\n" + _shown(wrong)


def test_no_true_claim_is_refuted():
    pairs, _ = judged()
    wrong = [(t, v) for t, v in pairs if t and v.status is Status.REFUTED]
    assert not wrong, "true claims refuted:\n" + _shown(wrong)


def test_most_true_claims_are_confirmed():
    pairs, _ = judged()
    true = [(t, v) for t, v in pairs if t]
    missed = [(t, v) for t, v in true if v.status not in CONFIRMED]
    share = 1 - len(missed) / len(true)
    assert share >= 0.85, f"{share:.0%} of true claims confirmed; not:\n" + _shown(missed)


def test_most_false_claims_are_refuted():
    pairs, _ = judged()
    false = [(t, v) for t, v in pairs if not t]
    missed = [(t, v) for t, v in false if v.status is not Status.REFUTED]
    share = 1 - len(missed) / len(false)
    assert share >= 0.80, f"{share:.0%} of false claims refuted; not:\n" + _shown(missed)


def test_every_source_is_named():
    """Each group of claims names its source (a comment with a URL) above it."""
    text = CORPUS.read_text(encoding="utf-8")
    groups = re.split(r"\n## ", text)[1:]
    assert len(groups) >= 7
    for group in groups:
        assert "Source:" in group and "http" in group, group.split("\n", 1)[0]
