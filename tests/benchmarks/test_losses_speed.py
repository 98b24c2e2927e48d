"""Speed targets of issue 16, item 4 (losses of a vector output), against baselines measured in
the same run."""

from __future__ import annotations

import numpy as np
import pytest
from sympy.core.cache import clear_cache

from symproof import MLP
from symproof.backprop.arguments import Wrt
from symproof.backprop.numeric import jacobians
from symproof.registry import get

from .conftest import best_time

#: Deriving P10 (all its proofs and checks, SymPy's cache cleared), on the reference machine.
P10_SECONDS = 1.2
WIDTHS = (256, 256, 256, 10)


def test_p10_derives_within_its_budget(benchmark, sympy_scale):
    problem = get("p10")
    problem.run()  # imports done; SymPy's cache is cleared before every measured run
    benchmark.pedantic(problem.run, setup=clear_cache, rounds=3, warmup_rounds=0)
    if benchmark.stats is None:
        pytest.skip("benchmarks disabled")
    budget = P10_SECONDS * sympy_scale
    assert benchmark.stats.stats.min < budget, (
        f"p10 took {benchmark.stats.stats.min:.2f} s (budget {budget:.2f} s)")


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
