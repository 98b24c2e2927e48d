"""Speed targets of the proof-engine issue, measured against baselines in the same run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from symproof.registry import get
from symproof.workers import available_jobs

from .conftest import interleaved


def test_prove_all_within_4x_import_sympy(benchmark):
    """``symproof prove`` (the whole homework, P6 included), as the README's first command
    runs it, within issue #14's 4x ``import sympy`` when it has two CPUs (its default: one
    process per CPU; 4.1x in one process on this machine, 3.2x with two). With one CPU the
    bound is the one kept before the target was met (6x)."""
    argv = [sys.executable, "-m", "symproof", "prove", "--brief"]
    # best of five each, alternated: the ratio of bests is what noise disturbs least
    sympy_s, prove_s = interleaved([sys.executable, "-c", "import sympy"], argv, runs=5)
    ratio, allowed = prove_s / sympy_s, 4 if available_jobs() >= 2 else 6
    benchmark.extra_info.update(sympy_seconds=sympy_s, ratio=ratio, allowed=allowed)
    benchmark.pedantic(lambda: subprocess.run(argv, check=True, capture_output=True), rounds=1)
    assert ratio <= allowed, f"symproof prove takes {ratio:.2f}x import sympy (<= {allowed}x)"


@pytest.mark.parametrize("name", ["p1", "p2", "p3", "p4"])
def test_each_proof_under_one_second(benchmark, name):
    problem = get(name)
    from sympy.core.cache import clear_cache

    problem.run()  # imports done; SymPy's cache is cleared before every measured run
    benchmark.pedantic(problem.run, setup=clear_cache, rounds=3, warmup_rounds=0)
    if benchmark.stats is None:
        pytest.skip("benchmarks disabled")
    assert benchmark.stats.stats.max < 1.0, f"{name} took {benchmark.stats.stats.max:.2f} s"
