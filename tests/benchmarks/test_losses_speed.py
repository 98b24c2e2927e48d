"""Speed targets of issue 16, item 4 (losses of a vector output), against baselines measured in
the same run."""

from __future__ import annotations

import numpy as np
import pytest

from symproof import MLP
from symproof.backprop.arguments import Wrt
from symproof.backprop.numeric import jacobians

from .conftest import best_time

WIDTHS = (256, 256, 256, 10)


def test_loss_gradients_within_3x_of_torch_backward(compare):
    """Every ∂L/∂A_ℓ and ∂L/∂b_ℓ of a softmax cross-entropy from the proved formulas
    (validation, forward and backward) against PyTorch's forward and backward."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal(WIDTHS[0])
    weights = [rng.standard_normal((b, a)) / np.sqrt(a) for a, b in zip(WIDTHS, WIDTHS[1:])]
    biases = [rng.standard_normal(b) for b in WIDTHS[1:]]
    target = np.eye(WIDTHS[-1])[3]
    mlp, depth = MLP(WIDTHS, "tanh"), len(WIDTHS) - 1
    wrts = [Wrt(kind, n) for n in range(1, depth + 1) for kind in "Ab"]

    def reference():
        params = [torch.tensor(a, requires_grad=True) for a in [*weights, *biases]]
        y = torch.tensor(x)
        for layer in range(depth):
            y = params[layer] @ y + params[depth + layer]
            y = torch.tanh(y) if layer < depth - 1 else y
        torch.nn.functional.cross_entropy(y[None], torch.tensor(target)[None]).backward()
        return [p.grad for p in params]

    def ours():
        return jacobians(mlp, wrts, x=x, weights=weights, biases=biases, loss="cross_entropy",
                         target=target)

    reference(), ours()
    baseline = best_time(reference, repeat=20)
    ratio = compare(ours, baseline, rounds=20)
    assert ratio <= 3, f"the formulas' gradients take {ratio:.2f}x torch's backward (target 3x)"
