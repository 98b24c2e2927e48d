"""Benchmarks as ratios against a baseline measured in the same run, on the same machine.

``compare(target, baseline)`` times the baseline with ``timeit`` (best of several), then runs
the target under pytest-benchmark (so it lands in the benchmark report) and records the
baseline and the ratio in ``extra_info``.
"""

from __future__ import annotations

import timeit

import pytest


def best_time(fn, *, repeat: int = 5, number: int = 1) -> float:
    """Best wall time of one call, over ``repeat`` batches of ``number`` calls."""
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number


@pytest.fixture
def compare(benchmark):
    def run(target, baseline_seconds: float, *, rounds: int = 20, iterations: int = 1) -> float:
        benchmark.pedantic(target, rounds=rounds, iterations=iterations, warmup_rounds=1)
        if benchmark.stats is None:  # --benchmark-disable: nothing was measured
            pytest.skip("benchmarks disabled")
        ratio = benchmark.stats.stats.min / baseline_seconds
        benchmark.extra_info.update(baseline_seconds=baseline_seconds, ratio=ratio)
        return ratio

    return run
