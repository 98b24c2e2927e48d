"""Speed target of issue 16 for the convolution's backward pass, measured against a baseline in
the same run: the numeric gradients from the proved formulas against PyTorch's own backward
(deriving P7–P10: test_backprop_problems_speed.py)."""

from __future__ import annotations

import numpy as np
import pytest

from symproof import Conv2d
from symproof.backprop.conv import autograd, conv2d_backward

from .conftest import best_time


def test_conv_gradients_within_3x_of_torch_backward(compare):
    """A 16 → 16 channel 3×3 convolution (padding 1) on a batch of 8 images of 64×64, float64
    on both sides (symproof computes in float64): grad_input, grad_weight and grad_bias from
    the formulas, against torch.autograd.grad of the same three (its backward alone: the
    forward pass is run once, outside the timing)."""
    torch = pytest.importorskip("torch")
    layer = Conv2d(16, 16, 3, padding=1)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 16, 64, 64))
    weight, bias = rng.standard_normal((16, 16, 3, 3)), rng.standard_normal(16)
    grad = rng.standard_normal((8, 16, 64, 64))
    ours = conv2d_backward(layer, x, weight, grad)
    for a, b in zip(ours, autograd(layer, x, weight, bias, grad)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
    out = torch.nn.functional.conv2d(*tensors, 1, 1)
    upstream = torch.tensor(grad)

    def backward():
        torch.autograd.grad(out, tensors, upstream, retain_graph=True)

    baseline = best_time(backward, repeat=7)
    ratio = compare(lambda: conv2d_backward(layer, x, weight, grad), baseline, rounds=7)
    assert ratio <= 3, f"the gradients take {ratio:.2f}x PyTorch's backward (target <= 3x)"

