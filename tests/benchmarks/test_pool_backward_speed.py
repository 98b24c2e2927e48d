"""Pooling backward (issue 16, item 3) against PyTorch's backward, in the same run.

The NumPy gradients add each tap's share into the padded input (one pass per tap of the window,
never a loop over output positions); PyTorch's ``autograd.grad`` of the pooling with the same
upstream gradient is the baseline. Target: at most 3x its time.
"""

from __future__ import annotations

import numpy as np
import pytest

from symproof import AvgPool2d, MaxPool2d
from symproof.backprop import avg_pool2d_backward, max_pool2d_backward

from .conftest import best_time

CASES = {  # (shape, kernel, stride, padding)
    "16x64x64 k2": ((16, 64, 64), 2, None, 0),
    "3x64x64 k3 S2 P1": ((3, 64, 64), 3, 2, 1),
    "batch 8 16x32x32 k3 S1 P1": ((8, 16, 32, 32), 3, 1, 1),
}
TARGET = 3


def _pair(torch, layer, case):
    """Our gradient and PyTorch's backward of the same pooling and upstream gradient, checked
    equal once."""
    shape, kernel, stride, padding = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    pool = layer(kernel, stride=stride, padding=padding)
    g = rng.standard_normal(pool.evaluate(x).shape)
    average = layer is AvgPool2d
    function = torch.nn.functional.avg_pool2d if average else torch.nn.functional.max_pool2d
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(g)

    def theirs():
        return torch.autograd.grad(function(xt, kernel, stride, padding), xt, gt)[0]

    def ours():
        return (avg_pool2d_backward(pool, shape, g) if average
                else max_pool2d_backward(pool, x, g))

    np.testing.assert_allclose(ours(), theirs().numpy(), rtol=1e-12, atol=1e-12)
    return ours, theirs


@pytest.mark.parametrize("layer", [AvgPool2d, MaxPool2d])
@pytest.mark.parametrize("case", list(CASES))
def test_pooling_backward_within_3x_of_torch(compare, torch, layer, case):
    ours, theirs = _pair(torch, layer, CASES[case])
    baseline = best_time(theirs, number=10)
    ratio = compare(ours, baseline, rounds=10, iterations=2)
    assert ratio <= TARGET, f"{layer.__name__} {case}: {ratio:.2f}x torch (target <= {TARGET}x)"
