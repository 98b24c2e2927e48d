"""Speed targets of the foundation issue, each a ratio against a baseline in the same run."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import sympy as sp

from symproof import Conv2d
from symproof import notation as nt

from .conftest import best_time, interleaved


def test_import_symproof_within_1_3x_of_sympy(benchmark):
    """Whole processes are noisy on a busy machine: the two imports are timed alternately."""
    sympy_s, symproof_s = interleaved([sys.executable, "-c", "import sympy"],
                                      [sys.executable, "-c", "import symproof"], runs=9)
    ratio = symproof_s / sympy_s
    benchmark.extra_info.update(sympy_seconds=sympy_s, ratio=ratio)
    benchmark.pedantic(lambda: subprocess.run([sys.executable, "-c", "import symproof"],
                                              check=True), rounds=3)
    assert ratio <= 1.3, f"import symproof takes {ratio:.2f}x import sympy (target <= 1.3x)"


def test_conv_evaluate_within_3x_of_torch(compare):
    import pytest

    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, weight, bias = rng.standard_normal((3, 64, 64)), rng.standard_normal((8, 3, 5, 5)), \
        rng.standard_normal(8)
    layer = Conv2d(3, 8, 5, padding=2)
    xt, wt, bt = torch.tensor(x[None]), torch.tensor(weight), torch.tensor(bias)
    np.testing.assert_allclose(layer.evaluate(x, weight, bias),
                               torch.nn.functional.conv2d(xt, wt, bt, padding=2)[0].numpy(),
                               rtol=1e-12, atol=1e-12)
    baseline = best_time(lambda: torch.nn.functional.conv2d(xt, wt, bt, padding=2), number=50)
    ratio = compare(lambda: layer.evaluate(x, weight, bias), baseline, rounds=50, iterations=5)
    assert ratio <= 3, f"Conv2d.evaluate is {ratio:.2f}x torch's conv2d (target <= 3x)"


def test_conv_evaluate_1000x_faster_than_subs(compare):
    """Baseline: the element formula with ``subs`` at each output index, on a 3×8×8 input.

    Substituting at all 8·8·8 indices takes minutes, so the baseline times a fixed sample of
    indices and scales by the number of indices (every index costs the same: same formula,
    same number of terms)."""
    rng = np.random.default_rng(0)
    layer = Conv2d(3, 8, 5, padding=2)
    x, weight, bias = rng.standard_normal((3, 8, 8)), rng.standard_normal((8, 3, 5, 5)), \
        rng.standard_normal(8)
    values = {nt.X[g + 1, p + 1, q + 1]: x[g, p, q] for g, p, q in np.ndindex(*x.shape)}
    values.update({nt.w[idx[0] + 1, idx[1] + 1, idx[2] + 1, idx[3] + 1]: weight[idx]
                   for idx in np.ndindex(*weight.shape)})
    values.update({nt.b[l_ + 1]: bias[l_] for l_ in range(8)})
    formula = layer.element()
    sample = [(1, 1, 1), (5, 4, 7)]  # a corner (padding) and an interior index

    def by_subs():
        for l_, i_, j_ in sample:
            entry = formula.subs({nt.l: l_, nt.i: i_, nt.j: j_}).doit()
            # Entries outside the input (the padding) read 0, as the rule says.
            padding = {e: 0 for e in entry.atoms(sp.Indexed) if e.base == nt.X and e not in values}
            float(entry.subs(padding).subs(values))

    fast = layer.evaluate(x, weight, bias)
    check = formula.subs({nt.l: 3, nt.i: 4, nt.j: 5}).doit()
    pad = {e: 0 for e in check.atoms(sp.Indexed) if e.base == nt.X and e not in values}
    assert abs(float(check.subs(pad).subs(values)) - fast[2, 3, 4]) < 1e-9
    baseline = best_time(by_subs, repeat=1) / len(sample) * fast.size
    ratio = compare(lambda: layer.evaluate(x, weight, bias), baseline, rounds=50, iterations=5)
    assert ratio <= 1 / 1000, f"evaluate is only {1 / ratio:.0f}x faster than subs (target 1000x)"
