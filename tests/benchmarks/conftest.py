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


def _compiled() -> None:
    """Write symproof's bytecode, as ``pip install`` does for SymPy: an editable checkout run
    under ``PYTHONDONTWRITEBYTECODE`` would otherwise recompile every module in every
    process, a cost that the baseline (``import sympy``) never pays."""
    import compileall
    from pathlib import Path

    import symproof

    compileall.compile_dir(Path(symproof.__file__).parent, quiet=1)


def interleaved(baseline: list[str], target: list[str], runs: int = 5, *,
                exit_codes: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Best wall times of two commands run alternately: whatever slows the machine at some
    moment slows both, so their ratio stays honest. Each must exit with one of
    ``exit_codes`` (``symproof check`` exits 1 when it refutes a claim)."""
    import subprocess
    import time

    _compiled()

    best = {0: float("inf"), 1: float("inf")}
    for _ in range(runs):
        for which, argv in enumerate((baseline, target)):
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True)
            assert done.returncode in exit_codes, (argv, done.returncode, done.stderr[-500:])
            best[which] = min(best[which], time.perf_counter() - start)
    return best[0], best[1]


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


SYMPY_SECONDS = 0.4  # `import sympy` on the machines the issues' absolute targets were set on


@pytest.fixture(scope="module")
def sympy_scale() -> float:
    """How much slower than the reference machine this one is (never below 1), from
    ``import sympy`` timed in this run: absolute targets are multiplied by it."""
    import subprocess
    import sys

    seconds = best_time(lambda: subprocess.run([sys.executable, "-c", "import sympy"],
                                               check=True, capture_output=True), repeat=3)
    return max(1.0, seconds / SYMPY_SECONDS)


@pytest.fixture
def torch(torch):
    """The session's PyTorch on one thread (the same work as symproof's single-threaded NumPy,
    compared fairly), restored afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)
