"""Pooling evaluation against PyTorch (issue #14), measured against torch in the same run.

A layer plans its evaluation once per input shape (:class:`symproof.numeric.WindowPlan`: the
padding, the slice each tap reads, the sizes checked; for an average the divisors too); a call
then pads, combines the taps view by view and divides. Two targets: at most 2x torch's time on
the sizes of the issue's table, and at most 20 µs of fixed cost per call above torch's own,
measured on a tiny input where nothing but that fixed cost remains.
"""

from __future__ import annotations

import numpy as np
import pytest

from symproof import AvgPool2d, MaxPool2d

from .conftest import best_time

CASES = {  # (shape, kernel, stride, padding): the sizes of issue #14's table
    "16x128x128 k2": ((16, 128, 128), 2, None, 0),
    "3x64x64 k3 S2 P1": ((3, 64, 64), 3, 2, 1),
    "batch 32 k2": ((32, 3, 32, 32), 2, None, 0),
    "16x64x64 k3 S1": ((16, 64, 64), 3, 1, 0),
}
#: Tiny inputs, where a call costs only its fixed overhead (validation, plan look-up, padding).
TINY = {"1x4x4 k2": ((1, 4, 4), 2, None, 0), "1x4x4 k3 S2 P1": ((1, 4, 4), 3, 2, 1)}
OVERHEAD_TARGET = 20e-6  # seconds per call above torch's, issue #14


def _pair(torch, layer, case):
    """The layer, the input, and the call of PyTorch's functional that computes the same."""
    shape, kernel, stride, padding = case
    x = np.random.default_rng(0).standard_normal(shape)
    pool = layer(kernel, stride=stride, padding=padding)
    reference = (torch.nn.functional.avg_pool2d if layer is AvgPool2d
                 else torch.nn.functional.max_pool2d)
    xt = torch.tensor(x)
    np.testing.assert_allclose(pool.evaluate(x), reference(xt, kernel, stride, padding).numpy(),
                               rtol=1e-12, atol=1e-12)
    return (lambda: pool.evaluate(x)), (lambda: reference(xt, kernel, stride, padding))


@pytest.mark.parametrize("layer", [AvgPool2d, MaxPool2d])
@pytest.mark.parametrize("case", list(CASES))
def test_pooling_within_2x_of_torch(compare, torch, layer, case):
    ours, theirs = _pair(torch, layer, CASES[case])
    baseline = best_time(theirs, number=20)
    ratio = compare(ours, baseline, rounds=20, iterations=3)
    assert ratio <= 2, f"{layer.__name__} {case}: {ratio:.2f}x torch (target <= 2x)"


@pytest.mark.parametrize("layer", [AvgPool2d, MaxPool2d])
@pytest.mark.parametrize("case", list(TINY))
def test_fixed_cost_per_call_within_20us_of_torch(benchmark, torch, layer, case):
    ours, theirs = _pair(torch, layer, TINY[case])
    baseline = best_time(theirs, repeat=9, number=200)
    benchmark.pedantic(ours, rounds=50, iterations=200, warmup_rounds=1)
    if benchmark.stats is None:  # --benchmark-disable: nothing was measured
        pytest.skip("benchmarks disabled")
    extra = benchmark.stats.stats.min - baseline
    benchmark.extra_info.update(baseline_seconds=baseline, extra_seconds=extra)
    assert extra <= OVERHEAD_TARGET, (
        f"{layer.__name__} {case}: {extra * 1e6:.1f} µs per call above torch's "
        f"{baseline * 1e6:.1f} µs (target <= {OVERHEAD_TARGET * 1e6:.0f} µs)")
