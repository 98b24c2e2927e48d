"""MLP Jacobians: formulas proved at index level, numbers against autograd, honest refutations."""

from __future__ import annotations

import subprocess
import sys
import warnings

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


@pytest.mark.parametrize("widths", [(11, 11, 1), (12, 12, 1), (12, 1, 1), (1, 12, 11, 1)],
                         ids=str)
def test_exact_verification_with_two_digit_widths(widths):
    """Entries are indexed by structure, not by names that collide ((1, 11) and (11, 1) once
    spelled A1_111): correct formulas are VERIFIED at any width (issue #14)."""
    assert bp.verify_exact(widths).status is Status.VERIFIED


def test_exact_verification_with_two_digit_widths_still_refutes(monkeypatch):
    """The same widths catch a wrong formula (a wrong σ'), with the formula named."""
    monkeypatch.setattr(bp.crosscheck, "prime", lambda name: sp.Function(f"{name}''"))
    failed = bp.verify_exact((11, 11, 1))
    assert failed.status is Status.REFUTED and failed.counterexample["formula"].startswith("∂")


def _torch_grads(torch, activation, values, wrts):
    """torch.autograd's Jacobians of the network, by ``"x"``, ``("A", ℓ)`` or ``("b", ℓ)``."""
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
        named["A", k + 1] = jac[1 + k]
        named["b", k + 1] = jac[1 + depth + k]
    return {w: named[w].numpy() for w in wrts}


@given(st.lists(st.integers(1, 5), min_size=2, max_size=4),
       st.sampled_from(["relu", "tanh", "sigmoid"]), st.integers(0, 2**31))
def test_jacobians_match_torch_autograd(torch, hidden, activation, seed):
    widths = (*hidden, 1)
    rng = np.random.default_rng(seed)
    values = {"x": rng.standard_normal(widths[0]),
              "weights": [rng.standard_normal((b, a)) for a, b in zip(widths, widths[1:])],
              "biases": [rng.standard_normal(b) for b in widths[1:]]}
    mlp = MLP(widths, activation)
    wrts = ["x"] + [(kind, k) for k in range(1, mlp.depth + 1) for kind in "Ab"]
    reference = _torch_grads(torch, activation, values, wrts)
    for wrt in wrts:
        ours = bp.jacobian(mlp, wrt, **values)
        expected = reference[wrt].reshape(ours.shape)  # autograd: (1, *shape)
        np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12, err_msg=str(wrt))


def test_vector_output_jacobians_match_torch(torch):
    rng = np.random.default_rng(1)
    widths = (3, 4, 2)
    values = {"x": rng.standard_normal(3),
              "weights": [rng.standard_normal((4, 3)), rng.standard_normal((2, 4))],
              "biases": [rng.standard_normal(4), rng.standard_normal(2)]}
    mlp = MLP(widths, "tanh")
    reference = _torch_grads(torch, "tanh", values, ["x", ("b", 1)])
    np.testing.assert_allclose(bp.jacobian(mlp, "x", **values), reference["x"], rtol=1e-12)
    np.testing.assert_allclose(bp.jacobian(mlp, ("b", 1), **values), reference["b", 1],
                               rtol=1e-12)
    with pytest.raises(ShapeError, match="needs a scalar output"):
        bp.jacobian(mlp, ("A", 1), **values)


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
    np.testing.assert_array_equal(bp.jacobian(mlp, "x", layout="denominator", **values),
                                  bp.jacobian(mlp, "x", **values).T)


def test_sympy_layout_is_converted_in_one_place():
    n, m = sp.symbols("n m", integer=True, positive=True)
    A, x, b = sp.MatrixSymbol("A", n, m), sp.MatrixSymbol("x", m, 1), sp.MatrixSymbol("b", n, 1)
    numerator = jacobian_of_layer("x", A, x, b, None)
    assert numerator == A  # ∂(Ax + b)/∂x, numerator layout
    assert sp.diff(A * x + b, x) == A.T  # SymPy's own: denominator layout
    assert jacobian_of_layer("x", A, x, b, None, layout="denominator") == sp.diff(A * x + b, x)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the deprecated form's own errors
@pytest.mark.parametrize("call, error, message", [
    (lambda v: bp.jacobian(MLP((2, 3, 1), "relu"), "A_7", v), ParameterError,
     "wrt must be a parameter or layer of this network"),
    (lambda v: bp.jacobian(MLP((2, 3, 1), "relu"), "w_1", v), ParameterError, "wrt must be"),
    (lambda v: bp.jacobian(MLP((2, 3, 1), "relu"), "A_ℓ", v), ParameterError, "wrt must be"),
    (lambda v: bp.jacobian(MLP((2, 4, 1), "relu"), "x", **v), ShapeError,
     "weight must have shape"),
    (lambda v: bp.jacobian(MLP((2, 3, 1), "relu"), "x", {"x": v["x"]}), ParameterError,
     "must give biases, weights"),
    (lambda v: bp.jacobian(MLP((2, 3, 1), "sigma"), "x", **v), EvaluationError, "undefined"),
    (lambda v: bp.jacobian(MLP((2, 3, 1), "relu"), "x", layout="row", **v), ParameterError,
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


# --- the structured numeric API: arrays by layer, wrt by (kind, ℓ) --------------------------

def _random_network(rng, widths, activation="tanh"):
    """An MLP and its numbers, drawn from ``rng``, as the keywords ``jacobian`` takes."""
    arrays = {"x": rng.standard_normal(widths[0]),
              "weights": [rng.standard_normal((b, a)) for a, b in zip(widths, widths[1:])],
              "biases": [rng.standard_normal(b) for b in widths[1:]]}
    return MLP(widths, activation), arrays


def _every_wrt(depth):
    return ["x"] + [(kind, k) for k in range(1, depth + 1) for kind in "Ab"] + [
        ("y", k) for k in range(depth)]


def test_structured_and_deprecated_forms_give_the_same_numbers():
    mlp, arrays = _random_network(np.random.default_rng(3), (3, 4, 2, 1), "sigmoid")
    for wrt in _every_wrt(mlp.depth):
        new = bp.jacobian(mlp, wrt, **arrays)
        name = wrt if wrt == "x" else f"{wrt[0]}_{wrt[1]}"
        with pytest.warns(DeprecationWarning):
            old = bp.jacobian(mlp, name, dict(arrays))
        np.testing.assert_array_equal(new, old, err_msg=name)
        assert np.array_equal(bp.jacobian(mlp, bp.Wrt(*wrt) if wrt != "x" else bp.Wrt("y", 0),
                                          **arrays), new)
        if wrt[0] != "y":
            fd_new = bp.finite_differences(mlp, wrt, **arrays)
            with pytest.warns(DeprecationWarning):
                fd_old = bp.finite_differences(mlp, name, dict(arrays))
            np.testing.assert_array_equal(fd_new, fd_old, err_msg=name)
            np.testing.assert_allclose(new, fd_new, rtol=1e-5, atol=1e-6, err_msg=name)


def test_the_deprecation_warning_names_the_new_form_and_the_new_form_does_not_warn():
    mlp, arrays = _random_network(np.random.default_rng(0), (2, 3, 1))
    with pytest.warns(DeprecationWarning, match=r"wrt='A_2' \(now wrt=\('A', 2\)\)") as caught:
        bp.jacobian(mlp, "A_2", **arrays)
    assert caught[0].filename == __file__  # it points at the caller's line
    with pytest.warns(DeprecationWarning, match=r"weights=\[A_1, …, A_L\]"):
        bp.jacobian(mlp, "x", dict(arrays))
    with pytest.warns(DeprecationWarning, match="finite_differences"):
        bp.finite_differences(mlp, "b_1", dict(arrays))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bp.jacobian(mlp, ("A", 2), **arrays)
        bp.jacobian(mlp, "x", **arrays, layout="denominator")
        bp.finite_differences(mlp, ("b", 1), **arrays)
        x = sp.Symbol("x")
        bp.jacobian(x**2, [x], {x: 1.0})  # an expression's values are keyed by symbols


@pytest.mark.parametrize("wrt", [("A", 0), ("A", 3), ("b", 3), ("b", -1), ("y", 2), ("y", -1),
                                 ("w", 1), ("A", 1.0), ("A", True), ("A", "1"), ("A",),
                                 ("A", 1, 2), 5, None, "y", ["A", 1]])
def test_a_layer_the_network_lacks_is_refused_naming_wrt(wrt):
    mlp, arrays = _random_network(np.random.default_rng(0), (2, 3, 1))
    with pytest.raises(ParameterError, match=r"wrt must be a parameter or layer of this network "
                                             r"\(L = 2\)") as error:
        bp.jacobian(mlp, wrt, **arrays)
    assert error.value.name == "wrt" and error.value.value == wrt


def test_wrt_is_checked_when_built():
    assert bp.Wrt("A", np.int64(2)) == bp.Wrt("A", 2) and str(bp.Wrt("b", 1)) == "b_1"
    assert bp.jacobian(MLP((2, 1), "relu"), ("A", np.int64(1)), x=[1.0, 2.0],
                       weights=[[[1.0, 1.0]]], biases=[[0.0]]).tolist() == [[1.0, 2.0]]
    with pytest.raises(ParameterError, match="wrt kind must be 'A'"):
        bp.Wrt("W", 1)
    with pytest.raises(ParameterError, match="wrt layer must be an integer"):
        bp.Wrt("A", 1.5)


@pytest.mark.parametrize("change, error, message", [
    (dict(x=[1.0, 2.0, 3.0]), ShapeError, r"x must be one input vector of shape \(2,\)"),
    (dict(weights=[np.ones((3, 2)), np.ones((1, 4))]), ShapeError,
     r"layer 2 of the MLP: weights\[1\]"),
    (dict(weights=[np.ones((3, 2))]), ShapeError, "need 2 weights and 2 biases, got 1 weights"),
    (dict(biases=[np.zeros(3), np.zeros(2)]), ShapeError, r"layer 2 of the MLP"),
    (dict(biases=None), ParameterError, r"biases must be given: \[b_1, …, b_L\]"),
    (dict(x=None), ParameterError, "x must be given"),
    (dict(weights=np.ones(3)), ShapeError, "need 2 weights"),
    (dict(weights="A_1"), ParameterError, "weights must be a list of 2 arrays"),
    (dict(x=[1.0, 1j]), ShapeError, "x must hold real numbers"),
])
def test_bad_arrays_are_refused_with_the_parameter_and_the_rule(change, error, message):
    arrays = {"x": [1.0, 2.0], "weights": [np.ones((3, 2)), np.ones((1, 3))],
              "biases": [np.zeros(3), np.zeros(1)], **change}
    with pytest.raises(error, match=message):
        bp.jacobian(MLP((2, 3, 1), "relu"), ("A", 1), **arrays)


def test_the_two_forms_do_not_mix():
    mlp, arrays = _random_network(np.random.default_rng(0), (2, 3, 1))
    with pytest.raises(ParameterError, match="values must not be given with x=, weights="):
        bp.jacobian(mlp, "x", dict(arrays), x=arrays["x"])
    x = sp.Symbol("x")
    with pytest.raises(ParameterError, match="weights must not be given for an expression"):
        bp.jacobian(x**2, [x], {x: 1.0}, weights=arrays["weights"])
    with pytest.raises(ParameterError, match=r"must be 'x', \('A', ℓ\) or \('b', ℓ\)"):
        bp.finite_differences(mlp, ("y", 1), **arrays)


def _independent_differences(mlp, arrays, wrt, h=1e-6):
    """Central differences of ``MLP.evaluate`` (no code of symproof.backprop), shaped like
    ``jacobian``'s numerator layout for a scalar output."""
    which = ("x", None) if wrt == "x" else ({"A": "weights", "b": "biases"}[wrt[0]], wrt[1] - 1)
    base = {key: [np.array(v, float) for v in value] if key != "x" else np.array(value, float)
            for key, value in arrays.items()}
    target = base[which[0]] if which[1] is None else base[which[0]][which[1]]
    grad = np.zeros(target.shape)
    for index in np.ndindex(target.shape):
        outputs = []
        for sign in (1, -1):
            original = target[index]
            target[index] = original + sign * h
            outputs.append(mlp.evaluate(base["x"], base["weights"], base["biases"])[0])
            target[index] = original
        grad[index] = (outputs[0] - outputs[1]) / (2 * h)
    return grad if wrt != "x" and wrt[0] == "A" else grad[None, :]


@given(st.lists(st.integers(1, 5), min_size=1, max_size=3),
       st.sampled_from(["tanh", "sigmoid"]), st.integers(0, 2**31))
def test_structured_jacobians_match_independent_differences(hidden, activation, seed):
    widths = (*hidden, 1)
    mlp, arrays = _random_network(np.random.default_rng(seed), widths, activation)
    for wrt in _every_wrt(mlp.depth):
        if wrt != "x" and wrt[0] == "y":
            continue
        ours = bp.jacobian(mlp, wrt, **arrays)
        reference = _independent_differences(mlp, arrays, wrt)
        assert ours.shape == reference.shape, wrt
        np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6, err_msg=str(wrt))


def test_every_name_imported_from_backprop_is_still_there():
    import symproof.backprop as package

    for name in ("Formula", "Network", "derive", "network_symbols", "defining_entries",
                 "differentiated", "index_derivative", "ranges", "check_formula", "n", "ell",
                 "L", "jacobian", "expression_jacobian", "verify_exact", "check_formula",
                 "numeric_check", "finite_differences", "Wrt", "activation_derivative"):
        assert hasattr(package, name), name
    assert set(package.__all__) <= set(dir(package))


def test_importing_symproof_and_backprop_leaves_torch_and_numpy_unloaded():
    code = ("import sys, symproof; assert 'symproof.backprop' not in sys.modules; "
            "import symproof.backprop; "
            "print(sorted(m for m in ('torch', 'numpy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
