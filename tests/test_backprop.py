"""MLP Jacobians: formulas proved at index level, numbers against autograd, honest refutations."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symproof import MLP, EvaluationError, ParameterError, ShapeError
from symproof import backprop as bp
from symproof.calculus import Elementwise, diag, jacobian_of_layer, to_layout
from symproof.proof import Status

NET = bp.network_symbols()


@pytest.mark.parametrize("name", list(bp.derive()))
def test_every_formula_is_proved_at_index_level(name):
    outcome = bp.check_formula(name, bp.derive()[name].formula)
    assert outcome.status is Status.PROVED, outcome.summary()


@pytest.mark.parametrize("name, wrong, reason", [
    ("dyL/dAL", NET.y_Lm1, "shapes"),                                  # missing transpose
    ("dyL/dAl", diag(Elementwise("sigma'", NET.z)) * NET.upstream.T * NET.y_prev,
     "shapes"),                                                         # missing transpose
    ("dyl/dyl-1", NET.A.T * diag(Elementwise("sigma'", NET.z)), "shapes"),  # denominator form
    ("dyl/dbl", diag(Elementwise("sigma", NET.z)), "counterexample"),   # σ for σ'
])
def test_wrong_formulas_are_refuted_with_a_counterexample(name, wrong, reason):
    outcome = bp.check_formula(name, wrong)
    assert outcome.status is Status.REFUTED and outcome.counterexample
    assert reason in outcome.tactic


def test_wrong_index_is_refuted_with_values_that_show_it():
    """An index slip ([A_ℓ]_{j,i} for [A_ℓ]_{i,j}), at index level."""
    i, j = sp.symbols("i j", integer=True, positive=True)
    from symproof.kernel import Context, identity, normalize

    ctx = Context(bp.ranges("dyl/dyl-1", i, j))
    derived, _ = bp.index_derivative("dyl/dyl-1", i, j)
    right = normalize(derived, ctx, simplify=False)
    a = sp.IndexedBase("A_ell")
    wrong = right.xreplace({a[i, j]: a[j, i]})
    assert wrong != right
    outcome = identity(derived, wrong, ctx)
    assert outcome.status is Status.REFUTED
    assert outcome.counterexample["i"] != outcome.counterexample["j"]


def test_exact_verification_and_that_it_can_fail(monkeypatch):
    assert bp.verify_exact((2, 3, 2, 1)).status is Status.VERIFIED
    assert bp.verify_exact((3, 2, 2, 2, 1)).status is Status.VERIFIED
    # A wrong σ' in the formulas must be caught.
    monkeypatch.setattr(bp.crosscheck, "prime", lambda name: sp.Function(f"{name}''"))
    failed = bp.verify_exact((2, 3, 2, 1))
    assert failed.status is Status.REFUTED and failed.counterexample["formula"].startswith("∂")


def _torch_grads(torch, activation, values, wrt_names):
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[activation]
    x = torch.tensor(values["x"], requires_grad=True)
    weights = [torch.tensor(a, requires_grad=True) for a in values["weights"]]
    biases = [torch.tensor(b, requires_grad=True) for b in values["biases"]]

    def network(x_, *params):
        y = x_
        depth = len(params) // 2
        for k in range(depth):
            y = params[k] @ y + params[depth + k]
            if k < depth - 1:
                y = act(y)
        return y

    jac = torch.autograd.functional.jacobian(network, (x, *weights, *biases))
    named = {"x": jac[0]}
    depth = len(weights)
    for k in range(depth):
        named[f"A_{k + 1}"] = jac[1 + k]
        named[f"b_{k + 1}"] = jac[1 + depth + k]
    return {w: named[w].numpy() for w in wrt_names}


@given(st.lists(st.integers(1, 5), min_size=2, max_size=4),
       st.sampled_from(["relu", "tanh", "sigmoid"]), st.integers(0, 2**31))
def test_jacobians_match_torch_autograd(torch, hidden, activation, seed):
    widths = (*hidden, 1)
    rng = np.random.default_rng(seed)
    values = {"x": rng.standard_normal(widths[0]),
              "weights": [rng.standard_normal((b, a)) for a, b in zip(widths, widths[1:])],
              "biases": [rng.standard_normal(b) for b in widths[1:]]}
    mlp = MLP(widths, activation)
    names = ["x"] + [f"{v}_{k}" for k in range(1, mlp.depth + 1) for v in "Ab"]
    reference = _torch_grads(torch, activation, values, names)
    for name in names:
        ours = bp.jacobian(mlp, name, values)
        expected = reference[name].reshape(ours.shape)  # autograd: (1, *shape)
        np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12, err_msg=name)


def test_vector_output_jacobians_match_torch(torch):
    rng = np.random.default_rng(1)
    widths = (3, 4, 2)
    values = {"x": rng.standard_normal(3),
              "weights": [rng.standard_normal((4, 3)), rng.standard_normal((2, 4))],
              "biases": [rng.standard_normal(4), rng.standard_normal(2)]}
    mlp = MLP(widths, "tanh")
    reference = _torch_grads(torch, "tanh", values, ["x", "b_1"])
    np.testing.assert_allclose(bp.jacobian(mlp, "x", values), reference["x"], rtol=1e-12)
    np.testing.assert_allclose(bp.jacobian(mlp, "b_1", values), reference["b_1"], rtol=1e-12)
    with pytest.raises(ShapeError, match="needs a scalar output"):
        bp.jacobian(mlp, "A_1", values)


def test_layouts_round_trip():
    for formula in bp.derive().values():
        assert to_layout(to_layout(formula.formula, "denominator", by_matrix=formula.by_matrix),
                         "denominator", by_matrix=formula.by_matrix) == formula.formula
    denominator = bp.derive(layout="denominator")
    assert denominator["dyl/dyl-1"].formula == bp.derive()["dyl/dyl-1"].formula.T
    assert denominator["dyL/dAl"].formula == bp.derive()["dyL/dAl"].formula  # matrix's shape
    rng = np.random.default_rng(0)
    values = {"x": rng.standard_normal(2), "weights": [rng.standard_normal((3, 2)),
                                                       rng.standard_normal((1, 3))],
              "biases": [rng.standard_normal(3), rng.standard_normal(1)]}
    mlp = MLP((2, 3, 1), "sigmoid")
    np.testing.assert_array_equal(bp.jacobian(mlp, "x", values, layout="denominator"),
                                  bp.jacobian(mlp, "x", values).T)


def test_sympy_layout_is_converted_in_one_place():
    n, m = sp.symbols("n m", integer=True, positive=True)
    A, x, b = sp.MatrixSymbol("A", n, m), sp.MatrixSymbol("x", m, 1), sp.MatrixSymbol("b", n, 1)
    numerator = jacobian_of_layer("x", A, x, b, None)
    assert numerator == A  # ∂(Ax + b)/∂x, numerator layout
    assert sp.diff(A * x + b, x) == A.T  # SymPy's own: denominator layout
    assert jacobian_of_layer("x", A, x, b, None, layout="denominator") == sp.diff(A * x + b, x)


@pytest.mark.parametrize("call, error, message", [
    (lambda v: bp.jacobian(MLP((2, 3, 1), "relu"), "A_7", v), ParameterError,
     "wrt must be a parameter or layer of this network"),
    (lambda v: bp.jacobian(MLP((2, 3, 1), "relu"), "w_1", v), ParameterError, "wrt must be"),
    (lambda v: bp.jacobian(MLP((2, 4, 1), "relu"), "x", v), ShapeError, "weight must have shape"),
    (lambda v: bp.jacobian(MLP((2, 3, 1), "relu"), "x", {"x": v["x"]}), ParameterError,
     "must give biases, weights"),
    (lambda v: bp.jacobian(MLP((2, 3, 1), "sigma"), "x", v), EvaluationError, "undefined"),
    (lambda v: bp.jacobian(MLP((2, 3, 1), "relu"), "x", v, layout="row"), ParameterError,
     "layout must be one of"),
    (lambda v: bp.verify_exact((2, 3, 2)), ParameterError, "n_L = 1"),
])
def test_bad_input(call, error, message):
    values = {"x": [1.0, 2.0], "weights": [np.ones((3, 2)), np.ones((1, 3))],
              "biases": [np.zeros(3), np.zeros(1)]}
    with pytest.raises(error, match=message):
        call(values)


def test_p6_is_proved_and_states_its_layout(capsys):
    from symproof.registry import get

    proof = get("p6").run()
    assert proof.status is Status.PROVED
    assert all(s.status is Status.PROVED for s in proof.steps)
    assert any(c.status is Status.VERIFIED for c in proof.checks)
    assert "numerator layout" in " ".join(map(str, proof.assumptions))
    assert "diag(σ'(A_ℓ·y_{ℓ-1} + b_ℓ))·(∂y_L/∂y_ℓ)^T·y_{ℓ-1}^T" in str(proof)


def test_p6_against_autograd_when_asked(torch):
    from symproof.registry import get

    proof = get("p6").run(use_torch=True)
    assert proof.status is Status.PROVED
    assert sum("torch.autograd" in c.statement for c in proof.checks) == 3


def test_jacobian_of_an_expression_and_matrix_symbols():
    n = 3
    A, x = sp.MatrixSymbol("A", 2, n), sp.MatrixSymbol("x", n, 1)
    rng = np.random.default_rng(0)
    a, v = rng.standard_normal((2, n)), rng.standard_normal(n)
    explicit = sp.Matrix((A * x).as_explicit()).applyfunc(sp.tanh)
    got = bp.jacobian(explicit, x, {A: a, x: v})
    expected = (1 - np.tanh(a @ v) ** 2)[:, None] * a  # diag(σ'(Ax)) A, numerator layout
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(bp.jacobian(explicit, x, {A: a, x: v}, layout="denominator"),
                               expected.T, rtol=1e-12)
    with pytest.raises(ParameterError, match="missing"):
        bp.jacobian(explicit, x, {x: v})


def test_activation_derivatives_match_autograd_at_the_kinks():
    """ReLU'(0) = 0 and LeakyReLU'(0) = the slope, as PyTorch's autograd computes (it was 0.5
    and 1: a Heaviside rewritten with H(0) = 1/2, and the branch z ≥ 0)."""
    import numpy as np

    torch = pytest.importorskip("torch")
    from symproof import LeakyReLU, ReLU, Sigmoid, Tanh

    points = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    functions = {ReLU(): torch.relu, LeakyReLU(0.2): lambda t: torch.nn.functional.leaky_relu(
        t, 0.2), Sigmoid(): torch.sigmoid, Tanh(): torch.tanh}
    for activation, reference in functions.items():
        ours = bp.activation_derivative(activation)(points)
        t = torch.tensor(points, requires_grad=True)
        reference(t).sum().backward()
        assert np.allclose(ours, t.grad.numpy(), atol=1e-12), activation
