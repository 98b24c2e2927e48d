"""Pooling evaluation against PyTorch (issue #14), ratios against torch in the same run.

Each tap of the window is a strided view of the input, combined view by view; the divisor of
average pooling is computed once per layer and input size. The 3×64×64, k3 S2 P1 case is
still about 4x: its per-call overhead (validation, padding) dominates, and is left to #14.
"""

from __future__ import annotations

import numpy as np
import pytest

from symproof import AvgPool2d, MaxPool2d

from .conftest import best_time

CASES = {  # (shape, kernel, stride, padding): the sizes of issue #14's table
    "16x128x128 k2": ((16, 128, 128), 2, None, 0),
    "batch 32 k2": ((32, 3, 32, 32), 2, None, 0),
    "16x64x64 k3 S1": ((16, 64, 64), 3, 1, 0),
}


@pytest.mark.parametrize("layer", [AvgPool2d, MaxPool2d])
@pytest.mark.parametrize("case", list(CASES))
def test_pooling_within_2x_of_torch(compare, layer, case):
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread each: the same work, compared fairly
    try:
        _compare_one(compare, torch, layer, case)
    finally:
        torch.set_num_threads(threads)


def _compare_one(compare, torch, layer, case):
    shape, kernel, stride, padding = CASES[case]
    x = np.random.default_rng(0).standard_normal(shape)
    pool = layer(kernel, stride=stride, padding=padding)
    reference = (torch.nn.functional.avg_pool2d if layer is AvgPool2d
                 else torch.nn.functional.max_pool2d)
    xt = torch.tensor(x)
    np.testing.assert_allclose(pool.evaluate(x), reference(xt, kernel, stride, padding).numpy(),
                               rtol=1e-12, atol=1e-12)
    baseline = best_time(lambda: reference(xt, kernel, stride, padding), number=20)
    ratio = compare(lambda: pool.evaluate(x), baseline, rounds=20, iterations=3)
    assert ratio <= 2, f"{layer.__name__} {case}: {ratio:.2f}x torch (target <= 2x)"
