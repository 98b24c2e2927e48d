"""`symproof check` at scale: a 1,000-claim document in under 60 s (issue 13) and, as a user
runs it on two CPUs, under 15 s (issue 14), in time linear in its claims (1,000 claims within
12x the time of 100), and a 1 MB document's claims found in under 1 s. Ratios against
baselines measured in the same run."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from symproof.claims.check import check_text
from symproof.claims.extract import directives, extract
from symproof.workers import available_jobs

from .conftest import best_time, interleaved

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = (DATA / "seed_solution.md").read_text()
CORPUS = (DATA / "claims_corpus.md").read_text()


def _varied(r: int) -> str:
    """About 30 claims whose numbers change with ``r`` (so no cache knows them), true and
    false alike, of the kinds the seed and the corpus state: sizes under a layer, sums,
    floors, polynomial identities, exact decimals."""
    n, k, p = r + 3, 1 + 2 * (r % 3), r % 2
    m = 5 * n + k
    size = (m + 2 * p - k) // 1 + 1
    rows = [f"## Layer and identities, variant {r}",
            f"<!-- symproof conv2d in_channels=1 out_channels=2 kernel_size={k} stride=1 "
            f"padding={p} input={m}x{m} -->",
            f"$$W_{{\\text{{out}}}} = {size}$$", f"$$W_{{\\text{{out}}}} = {size + 1}$$",
            f"$$H_{{\\text{{out}}}} = {m} + 2 \\cdot {p} - {k} + 1$$",
            f"$$\\sum_{{\\alpha=1}}^{{{n}}} 1 = {n}$$",
            f"$$\\sum_{{\\alpha=1}}^{{{n}}} \\alpha = {n * (n + 1) // 2}$$",
            f"$$\\sum_{{\\alpha=1}}^{{{n}}} \\alpha^2 = {n * (n + 1) * (2 * n + 1) // 6 + p}$$",
            f"$$\\sum_{{\\alpha=1}}^{{{n}}}\\sum_{{\\beta=1}}^{{{k}}} 1 = {n * k}$$",
            f"$$(x+{n})^2 = x^2 + {2 * n}x + {n * n}$$",
            f"$$(x+{n})^2 = x^2 + {n * n}$$",
            f"$$(x-{n})(x+{n}) = x^2 - {n * n}$$",
            f"$$\\frac{{a}}{{{n}}} + \\frac{{b}}{{{n}}} = \\frac{{a+b}}{{{n}}}$$",
            f"$$\\frac{{a}}{{{n}}} + \\frac{{b}}{{{n}}} = \\frac{{a+b}}{{{2 * n}}}$$",
            f"$$\\left\\lfloor \\frac{{{7 * n + k}}}{{{n}}} \\right\\rfloor = 7$$",
            f"$$\\left\\lfloor \\frac{{{7 * n - 1}}}{{{n}}} \\right\\rfloor = 7$$",
            f"$$\\left\\lceil \\frac{{{m}}}{{{n}}} \\right\\rceil = {-(-m // n)}$$",
            f"$$\\frac{{{m} - {k}}}{{1}} + 1 = {m - k + 1}$$",
            f"$$\\max({n}, {n + 1}) = {n + 1}$$",
            f"$$\\max({n}, {n + 1}) = {n}$$",
            f"$$0.{n}1 + 0.{n}9 = {2 * n / 10 + 0.1:.1f}$$",
            f"$${n} \\cdot {n + 1} = {n * (n + 1)}$$",
            f"$${n} \\cdot {n + 1} = {n * (n + 1) + 1}$$",
            f"$$2^{{{n}}} = {2 ** n}$$",
            f"$$2^{{{n}}} \\cdot 2 = 2^{{{n + 2}}}$$",
            f"$$\\sum_{{\\alpha=1}}^{{{n}}} (2\\alpha - 1) = {n * n}$$",
            f"$$\\sum_{{\\alpha=0}}^{{{n}}} x^{{\\alpha}} (1 - x) = 1 - x^{{{n + 1}}}$$",
            f"$$\\frac{{{n}}}{{{n + 1}}} + \\frac{{1}}{{{n + 1}}} = 1$$",
            f"$$\\left\\lfloor \\frac{{m - {k}}}{{1}} \\right\\rfloor + 1 = m - {k - 1}$$",
            f"$$\\left\\lfloor \\frac{{m + {2 * p} - {k}}}{{{n}}} \\right\\rfloor + 1 "
            f"= \\left\\lfloor \\frac{{m + {2 * p} - {k} + {n}}}{{{n}}} \\right\\rfloor$$",
            f"$$(a + {n}b)^2 = a^2 + {2 * n}ab + {n * n}b^2$$",
            ""]
    return "\n".join(rows)


# Each copy is self-contained: the seed under its first problem's layer (P1), as a user who
# adds directives writes it, so that no copy is judged in the context the one before left.
P1 = "<!-- symproof conv2d in_channels=1 out_channels=2 kernel_size=3 stride=1 padding=1 -->"


def document(variants: range) -> str:
    """The seed and the corpus (91 claims), then each variant's own claims, per variant:
    about 120 claims a copy. A copy repeats the seed's and the corpus's text, but the seed's
    weight definitions stand at other lines in each copy, so most of it is judged again."""
    return "\n".join(f"{P1}\n{SEED}\n{CORPUS}\n{_varied(r)}" for r in variants)


def test_1000_claims_under_60_seconds_and_linear_in_claims(benchmark):
    """Warmed up first (imports, the grammar's first parses: a fixed cost of any run), then
    a ~120-claim baseline and the ~1,000-claim document, each with variants of its own. The
    60 s are the issue's, on a machine where ``import sympy`` takes 0.4 s: a slower or busier
    machine scales them by its own ``import sympy`` time, measured in this run."""
    if benchmark.disabled:  # a minute of work: only when benchmarks are measured (CI)
        pytest.skip("benchmarks disabled")
    sympy_s, _ = interleaved([sys.executable, "-c", "import sympy"], [sys.executable, "-c",
                                                                      "pass"], runs=3)
    allowed = 60 * max(1.0, sympy_s / 0.4)
    check_text(document(range(-1, 0)), markdown=True)
    small, large = document(range(1000, 1001)), document(range(9))
    small_claims, large_claims = len(extract(small, markdown=True)), len(extract(large,
                                                                              markdown=True))
    assert 100 <= small_claims <= 130 and large_claims >= 1000
    jobs = available_jobs()  # as `symproof check` judges by default: one process per CPU
    baseline = best_time(lambda: check_text(small, markdown=True, jobs=jobs), repeat=1)
    start = time.perf_counter()
    verdicts, _ = check_text(large, markdown=True, jobs=jobs)
    seconds = time.perf_counter() - start
    # every display claim judged, and the seed's inline weight definitions (line 51) read too
    assert len(verdicts) == large_claims + 3 * len(range(9))
    benchmark.pedantic(lambda: None, rounds=1)  # the measurement above, into the report
    per_claim = (seconds / large_claims) / (baseline / small_claims)
    benchmark.extra_info.update(claims=large_claims, seconds=seconds, baseline_seconds=baseline,
                                ratio=seconds / baseline, per_claim_ratio=per_claim,
                                sympy_seconds=sympy_s, jobs=jobs)
    assert seconds < allowed, (f"{large_claims} claims took {seconds:.1f} s (target < 60 s, "
                               f"{allowed:.0f} s on this machine)")
    # linear: ten times the claims cost at most ~12 times the time (per claim, 1.2x)
    assert per_claim <= 1.2, (f"a claim of the large document costs {per_claim:.2f}x one of the "
                              f"small ({seconds:.1f} s vs {baseline:.1f} s)")


# Issue #14's target for the ~1,000-claim document, on a machine where ``import sympy`` takes
# 0.3 s and `symproof check` has two CPUs (one process per CPU, its default); a slower machine
# scales it by its own ``import sympy`` time. With one CPU the issue-13 bound (60 s) applies.
TARGET_SECONDS, TARGET_SYMPY_SECONDS = 15.0, 0.3


def test_1000_claims_as_a_user_checks_them(benchmark, tmp_path):
    """``symproof check big.md`` as a user runs it (a process of its own, the CLI's defaults),
    timed against ``import sympy`` in the same run. In one process the judging takes about
    twice as long (22 s here): it is the two CPUs that bring it under 15 s."""
    if benchmark.disabled:  # half a minute of work: only when benchmarks are measured (CI)
        pytest.skip("benchmarks disabled")
    big = tmp_path / "big.md"
    big.write_text(document(range(9)))
    sympy_s, _ = interleaved([sys.executable, "-c", "import sympy"], [sys.executable, "-c",
                                                                      "pass"], runs=3)
    seconds = float("inf")
    for _ in range(2):  # the better of two runs: what the machine's other work disturbs least
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "symproof", "check", str(big)],
                              capture_output=True, text=True, timeout=600)
        seconds = min(seconds, time.perf_counter() - start)
        assert done.returncode == 1 and "claims:" in done.stdout.splitlines()[-1], \
            done.stderr[-500:]
    jobs = available_jobs()
    allowed = (TARGET_SECONDS if jobs >= 2 else 60.0) * max(1.0, sympy_s / TARGET_SYMPY_SECONDS)
    benchmark.pedantic(lambda: None, rounds=1)  # the measurement above, into the report
    benchmark.extra_info.update(seconds=seconds, sympy_seconds=sympy_s, jobs=jobs,
                                allowed=allowed)
    assert seconds < allowed, (f"symproof check on 1,098 claims took {seconds:.1f} s with "
                               f"{jobs} CPU(s) (target < {allowed:.0f} s on this machine)")


def _megabyte() -> str:
    text = f"{SEED}\n{CORPUS}\n"
    return text * (1_000_000 // len(text) + 1)


def test_a_1_mb_document_is_extracted_under_1_second(compare):
    """Baseline: a Python loop over the document's characters that counts its dollars, the
    simplest reader there is. The 1 s is the issue's; the ratio keeps it honest on a slower
    or busier machine."""
    text = _megabyte()
    baseline = best_time(lambda: sum(1 for c in text if c == "$"), repeat=5)

    def read():
        extract(text, markdown=True)
        directives(text, markdown=True)

    ratio = compare(read, baseline, rounds=3)
    seconds = ratio * baseline
    assert seconds < 1.0 or ratio <= RATIO_1MB, (
        f"a 1 MB document took {seconds:.2f} s to read, {ratio:.0f}x the baseline (target < 1 s)")


# 1 s is about this many times the baseline on these machines (measured on a busy one: 0.65 s
# for reading, 0.03 s for the baseline: 22x).
RATIO_1MB = 30


@pytest.mark.parametrize("markdown", [True, False])
def test_extraction_is_linear_in_document_size(compare, markdown):
    """A tenth of the megabyte, ten times: as long as the whole."""
    text = _megabyte()
    tenth = text[: len(text) // 10]
    baseline = best_time(lambda: extract(tenth, markdown=markdown), repeat=3) * 10
    ratio = compare(lambda: extract(text, markdown=markdown), baseline, rounds=3)
    assert ratio <= 1.5, f"1 MB took {ratio:.2f}x ten tenths (target <= 1.5x)"
