"""Speed targets of the Jacobian issue, each against a baseline measured in the same run."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from sympy.core.cache import clear_cache

from symproof import MLP
from symproof import backprop as bp
from symproof.proof import Status

from .conftest import best_time


def _naive_dyL_dA1(widths):
    """The baseline: expand the whole network with a generic σ, then sympy.diff every entry
    of ∂y_L/∂A_1."""
    sigma = sp.Function("sigma")
    y = sp.Matrix(sp.symbols(f"x1:{widths[0] + 1}"))
    first = None
    for k, (a, b) in enumerate(zip(widths, widths[1:]), 1):
        A = sp.Matrix(b, a, lambda r, c, k=k: sp.Symbol(f"A{k}_{r}{c}"))
        first = A if first is None else first
        z = A * y + sp.Matrix(sp.symbols(f"b{k}_1:{b + 1}"))
        y = z if k == len(widths) - 1 else z.applyfunc(sigma)
    return [sp.diff(y[0], first[r, c]) for r in range(first.rows) for c in range(first.cols)]


def test_exact_verification_20x_faster_than_naive_diff(compare):
    widths = (4, 6, 6, 6, 1)
    baseline = best_time(lambda: _naive_dyL_dA1(widths), repeat=1)
    bp.verify_exact((2, 3, 2, 1))  # warm the imports
    outcome = bp.verify_exact(widths)
    assert outcome.status is Status.VERIFIED
    ratio = compare(lambda: bp.verify_exact(widths), baseline, rounds=3)
    assert ratio <= 1 / 20, f"only {1 / ratio:.1f}x faster than naive diff (target 20x)"


def test_numeric_verification_64_wide_under_one_second(benchmark):
    benchmark.pedantic(lambda: bp.numeric_check((64, 64, 64, 1), "tanh", samples=1, seed=0,
                                                 tolerance=1e-6), rounds=3)
    outcome = bp.numeric_check((64, 64, 64, 1), "tanh", samples=1, seed=0, tolerance=1e-6)
    assert outcome.status is Status.SPOT_CHECKED
    if benchmark.stats is not None:
        assert benchmark.stats.stats.max < 1.0


def test_deriving_costs_the_same_for_any_width(compare):
    """Matrix-level derivation never touches a width: 4 or 4000, the same work."""
    def derive_for(width):
        bp.derive.cache_clear()
        formulas = bp.derive()
        mlp = MLP((width, width, 1), "sigma")
        return formulas, mlp

    baseline = best_time(lambda: derive_for(4), repeat=5)
    ratio = compare(lambda: derive_for(4000), baseline, rounds=5)
    assert ratio <= 2, f"deriving for width 4000 costs {ratio:.2f}x width 4 (target ~1x)"
    assert np.isfinite(ratio)


#: Issue #14: ``verify_exact`` under 3 s at these widths, on a machine where ``import sympy``
#: (a fresh process) takes about 0.43 s: 7x that import, measured in the same run.
EXACT_WIDTHS = [(4, 32, 1), (8, 32, 1), (2, 128, 1)]
EXACT_BUDGET = 7


@pytest.mark.parametrize("widths", EXACT_WIDTHS, ids=str)
def test_exact_verification_of_wide_layers_within_7x_import_sympy(benchmark, widths):
    """Each run starts from an empty SymPy cache, as the first check in a process does; runs
    alternate with the baseline, so that a busy moment of the machine slows both."""
    if not benchmark.enabled:
        pytest.skip("benchmarks disabled")

    def cold():
        clear_cache()
        return bp.verify_exact(widths)

    def import_sympy():
        subprocess.run([sys.executable, "-c", "import sympy"], check=True)

    assert cold().status is Status.VERIFIED
    baseline = target = float("inf")
    for _ in range(3):
        baseline = min(baseline, best_time(import_sympy, repeat=2))
        target = min(target, best_time(cold, repeat=1))
    benchmark.pedantic(cold, rounds=1)
    ratio = target / baseline
    benchmark.extra_info.update(seconds=target, baseline_seconds=baseline, ratio=ratio)
    assert ratio <= EXACT_BUDGET, (f"verify_exact{widths} takes {ratio:.1f}x import sympy "
                                   f"({target:.2f} s; target <= {EXACT_BUDGET}x, about 3 s)")
