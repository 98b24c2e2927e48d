"""Linear, activations and MLP: formulas and numbers against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symproof import MLP, Activation, EvaluationError, LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from symproof import notation as nt
from symproof.numeric import exact_value

ACTIVATIONS = {"relu": ReLU(), "sigmoid": Sigmoid(), "tanh": Tanh(), "leaky_relu": LeakyReLU()}


@given(st.lists(st.integers(1, 6), min_size=2, max_size=5), st.sampled_from(sorted(ACTIVATIONS)),
       st.integers(0, 2**32 - 1), st.sampled_from([(), (3,)]))
def test_mlp_matches_torch(torch, widths, name, seed, batch):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((b, a)) for a, b in zip(widths, widths[1:])]
    biases = [rng.standard_normal(b) for b in widths[1:]]
    x = rng.standard_normal((*batch, widths[0]))
    ours = MLP(widths, name).evaluate(x, weights, biases)

    act = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
           "leaky_relu": torch.nn.functional.leaky_relu}[name]
    ref = torch.tensor(x)
    for ell, (a, b) in enumerate(zip(weights, biases), 1):
        ref = torch.nn.functional.linear(ref, torch.tensor(a), torch.tensor(b))
        if ell < len(weights):
            ref = act(ref)
    assert ours.shape == tuple(ref.shape)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12, atol=1e-12)


def test_linear_element_is_evaluate_exactly():
    rng = np.random.default_rng(2)
    layer = Linear(4, 3)
    x, a, b = rng.integers(-5, 6, 4), rng.integers(-5, 6, (3, 4)), rng.integers(-5, 6, 3)
    fast = layer.evaluate(x, a, b)
    for i in range(3):
        assert exact_value(layer.element(i + 1), {nt.x: x, nt.A: a, nt.b: b}) == fast[i]


def test_mlp_element_follows_the_recursion():
    n0, n1 = sp.symbols("n_0 n_1", integer=True, positive=True)
    net = MLP((n0, n1, 1), Activation("sigma", nondecreasing=True))
    a1, b1, y0 = net.names(1)
    k = nt.k
    assert net.element(layer=1) == sp.Function("sigma")(b1[nt.i] + sp.Sum(a1[nt.i, k] * y0[k],
                                                                          (k, 1, n0)))
    a2, b2, y1 = net.names(2)
    assert net.element() == b2[nt.i] + sp.Sum(a2[nt.i, k] * y1[k], (k, 1, n1))  # no σ at L
    assert net.output_shape(n0) == (1,)
    assert net.depth == 2


def test_activation_expressions_and_monotonicity():
    z = sp.Symbol("z", real=True)
    assert ReLU().expression(z) == sp.Max(0, z)
    assert LeakyReLU(0.2).negative_slope == sp.Rational(1, 5)
    assert LeakyReLU(-0.5).nondecreasing is False
    assert Activation("sigma").nondecreasing is False
    assert all(a.nondecreasing for a in (ReLU(), Sigmoid(), Tanh(), LeakyReLU()))
    np.testing.assert_allclose(Sigmoid().evaluate(np.array([0.0])), [0.5])
    np.testing.assert_allclose(LeakyReLU(0.1).evaluate(np.array([-2.0, 3.0])), [-0.2, 3.0])
    assert Activation("sigma", function=np.abs).evaluate([-2.0]).tolist() == [2.0]
    with pytest.raises(EvaluationError, match="sigma is undefined: pass function"):
        Activation("sigma").evaluate([1.0])
    assert repr(LeakyReLU(0.2)) == "LeakyReLU(negative_slope=1/5)"
    assert repr(ReLU()) == "ReLU()"
