"""Issue 16, item 4: a scalar loss of an MLP's vector output. The backward formulas and the
losses' gradients proved by the kernel (and perturbed ones never proved), the kernel's assumed
totals (Σ t = 1) sound, numbers from ``jacobian(…, loss=…)`` equal to ``torch.autograd`` on
hundreds of random configurations, exact checks on small widths, and P10 on the CLI."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof import MLP
from symproof import backprop as bp
from symproof.backprop import crosscheck
from symproof.backprop.arguments import Wrt
from symproof.backprop.losses import (
    k,
    loss_network,
    softmax_entry,
    t_base,
    width,
    z_base,
)
from symproof.backprop.numeric import jacobians
from symproof.calculus import Elementwise, diag
from symproof.errors import ParameterError, ShapeError
from symproof.kernel import Context, Status, derivative, identity
from symproof.params import symbols
from symproof.registry import get

NET = loss_network()
D = diag(Elementwise("sigma'", NET.z))
P, T, Y = (sp.MatrixSymbol(name, width, 1) for name in ("p", "t", "y"))
j, n_ = symbols("j"), sp.Symbol("n", integer=True, positive=True)
TOTAL = sp.Eq(sp.Sum(t_base[k], (k, 1, width)), 1)


def _torch():
    return pytest.importorskip("torch")


# --- the kernel: assumed totals ---------------------------------------------------------------

def test_softmax_cross_entropy_gradient_is_proved_with_the_total_assumed():
    ce = bp.loss_definition("cross_entropy")
    ctx = Context([sp.Le(j, width), TOTAL])
    outcome = derivative(ce, z_base[j], softmax_entry(j) - t_base[j], ctx)
    assert outcome.status is Status.PROVED


def test_without_the_total_p_minus_t_is_refuted_with_an_admissible_counterexample():
    ce = bp.loss_definition("cross_entropy")
    outcome = derivative(ce, z_base[j], softmax_entry(j) - t_base[j],
                         Context([sp.Le(j, width)]))
    assert outcome.status is Status.REFUTED
    found = outcome.counterexample
    assert 1 <= found["j"] <= found["n[L]"]


@pytest.mark.parametrize("wrong", [softmax_entry(j) + t_base[j], t_base[j] - softmax_entry(j),
                                   softmax_entry(j) - 2 * t_base[j], softmax_entry(j)])
def test_wrong_softmax_gradients_are_never_proved(wrong):
    ce = bp.loss_definition("cross_entropy")
    for ctx in (Context([sp.Le(j, width), TOTAL]), Context([sp.Le(j, width)])):
        assert derivative(ce, z_base[j], wrong, ctx).status is not Status.PROVED


def test_an_assumed_total_is_used_only_for_the_same_sum():
    ctx = Context([sp.Eq(sp.Sum(t_base[k], (k, 1, n_)), 1)])
    m = symbols("m")
    assert identity(sp.Sum(t_base[m], (m, 1, n_)), 1, ctx).status is Status.PROVED
    assert identity(sp.Sum(3 * t_base[m], (m, 1, n_)), 3, ctx).status is Status.PROVED
    for other in (sp.Sum(t_base[m], (m, 1, n_ - 1)), sp.Sum(t_base[m] ** 2, (m, 1, n_)),
                  sp.Sum(t_base[m], (m, 2, n_)), sp.Sum(m * t_base[m], (m, 1, n_))):
        assert identity(other, 1, ctx).status is not Status.PROVED, other


def test_an_assumed_total_is_not_used_where_its_size_is_bound():
    """Σ_{n=1}^{3} Σ_{k=1}^{n} t_k has another n than the assumption's: it is not 3."""
    ctx = Context([sp.Eq(sp.Sum(t_base[k], (k, 1, n_)), 1)])
    nested = sp.Sum(sp.Sum(t_base[k], (k, 1, n_)), (n_, 1, 3))
    assert identity(nested, 3, ctx).status is not Status.PROVED


def test_simplify_failure_on_a_wrong_softmax_claim_does_not_crash():
    """Regression: SymPy's sum_simplify raised StopIteration inside the kernel on p + t."""
    ce = bp.loss_definition("cross_entropy")
    outcome = derivative(ce, z_base[j], softmax_entry(j) + t_base[j],
                         Context([sp.Le(j, width), TOTAL]))
    assert outcome.status in (Status.UNKNOWN, Status.REFUTED)


# --- the six backward formulas with a loss ----------------------------------------------------

@pytest.mark.parametrize("name", list(bp.loss_formulas()))
def test_each_backward_formula_is_proved(name):
    assert bp.check_loss_formula(name, bp.loss_formulas()[name].formula).status is Status.PROVED


PERTURBED = [
    ("dL/dAL", NET.y_Lm1 * NET.g),                       # missing transposes: shape
    ("dL/dAL", NET.A_L),                                 # the right shape, wrong
    ("dL/dAl", NET.u.T * NET.y_prev.T),                  # σ' missing
    ("dL/dAl", D * NET.u.T * NET.y_prev.T * 2),          # a factor 2
    ("dL/dbl", NET.u),                                   # σ' missing
    ("dL/dyl-1", NET.u * NET.A),                         # σ' missing
    ("dL/dyl-1", D * NET.u.T),                           # σ' on the wrong side: shape
    ("dL/dAl", NET.y_prev * NET.u * D),                  # transposed: shape
    ("dL/dbL", NET.g * 2),
    ("dL/dyL-1", NET.g * NET.A_L * 0),
]


@pytest.mark.parametrize("name, wrong", PERTURBED, ids=[f"{n}-{i}" for i, (n, _) in
                                                         enumerate(PERTURBED)])
def test_perturbed_backward_formulas_are_never_proved(name, wrong):
    try:
        outcome = bp.check_loss_formula(name, wrong)
    except (ShapeError, ParameterError, ValueError):
        return  # refused as malformed: not proved either
    assert outcome.status is Status.REFUTED, outcome


def test_a_formula_is_refused_by_name_and_type():
    with pytest.raises(ParameterError, match="name"):
        bp.check_loss_formula("dL/dW", NET.g)
    with pytest.raises(ParameterError, match="claimed"):
        bp.check_loss_formula("dL/dbL", "g")


# --- the losses' gradients --------------------------------------------------------------------

@pytest.mark.parametrize("loss, target", [("mse", "any"), ("mse", "probability"),
                                          ("mse", "onehot"), ("cross_entropy", "probability"),
                                          ("cross_entropy", "onehot")])
def test_loss_gradients_are_proved(loss, target):
    claim = bp.loss_gradients()[loss]
    assert bp.check_loss_gradient(loss, claim, target).status is Status.PROVED


WRONG_GRADIENTS = [
    ("cross_entropy", sp.Transpose(P + T)),                  # p + onehot
    ("cross_entropy", sp.Transpose(T - P)),                  # sign
    ("cross_entropy", sp.Transpose(P)),                      # target forgotten
    ("mse", sp.Transpose(Y - T)),                            # missing 2/n
    ("mse", sp.MatMul(1 / width, sp.Transpose(Y - T))),      # 1/n instead of 2/n
    ("mse", sp.MatMul(2, sp.Transpose(Y - T))),              # sum, not mean
]


@pytest.mark.parametrize("loss, wrong", WRONG_GRADIENTS)
@pytest.mark.parametrize("target", ["any", "probability", "onehot"])
def test_wrong_loss_gradients_are_never_proved(loss, wrong, target):
    outcome = bp.check_loss_gradient(loss, wrong, target)
    assert outcome.status is not Status.PROVED
    if target != "probability":  # no assumption the search cannot meet: refuted outright
        assert outcome.status is Status.REFUTED


def test_p_minus_t_needs_the_total():
    """For any target the gradient is p Σt − t: p − t alone is refuted, t = 0 shows it."""
    outcome = bp.check_loss_gradient("cross_entropy", sp.Transpose(P - T), "any")
    assert outcome.status is Status.REFUTED


def test_loss_gradient_validation():
    with pytest.raises(ParameterError, match="loss"):
        bp.check_loss_gradient("hinge", sp.Transpose(P - T))
    with pytest.raises(ParameterError, match="target"):
        bp.check_loss_gradient("mse", sp.Transpose(Y - T), "soft")
    assert bp.check_loss_gradient("mse", Y - T).status is Status.REFUTED  # a column: shape


# --- exact checks on small widths -------------------------------------------------------------

@pytest.mark.parametrize("widths", [(2, 3), (2, 3, 2), (3, 2, 2, 3), (2, 1, 1)], ids=str)
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_exact_check_on_small_widths(widths, loss):
    assert bp.verify_loss_exact(widths, loss).status is Status.VERIFIED


def test_exact_check_refutes_a_perturbed_loss_gradient(monkeypatch):
    honest = crosscheck._explicit_loss

    def plus_t(loss, y):
        value, t, row = honest(loss, y)
        return value, t, row + 2 * t.T  # p + t instead of p − t

    monkeypatch.setattr(crosscheck, "_explicit_loss", plus_t)
    assert bp.verify_loss_exact((2, 3, 2), "cross_entropy").status is Status.REFUTED


@pytest.mark.parametrize("widths, loss", [("2,3", "mse"), ((2, "n"), "mse"), ((2,), "mse"),
                                          ((2, 3), "hinge")])
def test_exact_check_validation(widths, loss):
    with pytest.raises(ParameterError):
        bp.verify_loss_exact(widths, loss)


# --- numbers: jacobian(…, loss=…) against torch.autograd -------------------------------------

def _autograd(widths, activation, loss, x, weights, biases, target):
    torch = _torch()
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
               for a in [x, *weights, *biases]]
    y = tensors[0]
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[activation]
    depth = len(widths) - 1
    for layer in range(depth):
        y = tensors[1 + layer] @ y + tensors[1 + depth + layer]
        if layer < depth - 1:
            y = act(y)
    t = torch.tensor(target, dtype=torch.float64)
    value = (torch.nn.functional.mse_loss(y, t) if loss == "mse" else
             torch.nn.functional.cross_entropy(y[None], t[None]))
    value.backward()
    return [a.grad.numpy() for a in tensors]


@st.composite
def configurations(draw):
    depth = draw(st.integers(1, 4))
    widths = tuple(draw(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1)))
    loss = draw(st.sampled_from(["mse", "cross_entropy"]))
    activation = draw(st.sampled_from(["relu", "tanh", "sigmoid"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    classes = widths[-1]
    if loss == "mse":
        target = rng.standard_normal(classes)
    elif draw(st.booleans()):  # one-hot
        target = np.eye(classes)[draw(st.integers(0, classes - 1))]
    else:
        target = rng.dirichlet(np.ones(classes))
    return widths, activation, loss, rng, target


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_numeric_gradients_equal_autograd(config):
    widths, activation, loss, rng, target = config
    x = rng.standard_normal(widths[0])
    weights = [rng.standard_normal((b, a)) for a, b in zip(widths, widths[1:])]
    biases = [rng.standard_normal(b) for b in widths[1:]]
    mlp = MLP(widths, activation)
    depth = len(widths) - 1
    wrts = [Wrt("y", 0)] + [Wrt("A", n) for n in range(1, depth + 1)] + \
        [Wrt("b", n) for n in range(1, depth + 1)]
    ours = jacobians(mlp, wrts, x=x, weights=weights, biases=biases, loss=loss,
                     target=target)
    reference = _autograd(widths, activation, loss, x, weights, biases, target)
    for wrt, mine, theirs in zip(wrts, ours, reference):
        expected = theirs if wrt.kind == "A" else theirs[None, :]
        assert mine.shape == expected.shape, wrt
        np.testing.assert_allclose(mine, expected, rtol=1e-10, atol=1e-12, err_msg=str(wrt))


def test_jacobian_with_a_loss_has_the_parameters_shape():
    mlp = MLP((3, 4, 2), "tanh")
    rng = np.random.default_rng(1)
    given_ = dict(x=rng.standard_normal(3), weights=[rng.standard_normal((4, 3)),
                                                     rng.standard_normal((2, 4))],
                  biases=[rng.standard_normal(4), rng.standard_normal(2)])
    for loss, target in (("mse", [0.5, -1.0]), ("cross_entropy", [0.0, 1.0])):
        assert bp.jacobian(mlp, ("A", 1), loss=loss, target=target, **given_).shape == (4, 3)
        assert bp.jacobian(mlp, ("A", 2), loss=loss, target=target, **given_).shape == (2, 4)
        assert bp.jacobian(mlp, ("b", 1), loss=loss, target=target, **given_).shape == (1, 4)
        assert bp.jacobian(mlp, "x", loss=loss, target=target, **given_,
                           layout="denominator").shape == (3, 1)


def test_jacobian_of_a_vector_output_by_a_matrix_asks_for_a_loss():
    mlp = MLP((2, 3), "relu")
    given_ = dict(x=[1.0, 2.0], weights=[np.ones((3, 2))], biases=[np.zeros(3)])
    with pytest.raises(ShapeError, match="give a scalar loss"):
        bp.jacobian(mlp, ("A", 1), **given_)
    # without a loss the other Jacobians of a vector output still work (numerator layout)
    assert bp.jacobian(mlp, "x", **given_).shape == (3, 2)


@pytest.mark.parametrize("options, error, match", [
    (dict(loss="hinge", target=[0.0, 1.0]), ParameterError, "loss"),
    (dict(loss="mse"), ParameterError, "target"),
    (dict(target=[0.0, 1.0]), ParameterError, "target"),
    (dict(loss="mse", target=[0.0, 1.0, 2.0]), ShapeError, "target"),
    (dict(loss="cross_entropy", target=[0.5, 0.6]), ParameterError, "sum"),
    (dict(loss="cross_entropy", target=[1.5, -0.5]), ParameterError, "≥ 0"),
    (dict(loss="mse", target=[float("nan"), 0.0]), ParameterError, "target"),
])
def test_jacobian_validates_the_loss_and_target(options, error, match):
    mlp = MLP((2, 2), "relu")
    with pytest.raises(error, match=match):
        bp.jacobian(mlp, ("A", 1), x=[1.0, 2.0], weights=[np.eye(2)], biases=[np.zeros(2)],
                    **options)


def test_scalar_output_without_a_loss_is_unchanged():
    mlp = MLP((2, 1), "relu")
    assert bp.jacobian(mlp, ("A", 1), x=[1.0, 2.0], weights=[[[3.0, 4.0]]],
                       biases=[[0.5]]).tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_loss_check_against_differences_and_autograd(loss):
    assert bp.loss_check((3, 4, 3), "sigmoid", loss, samples=3, seed=1,
                         tolerance=1e-6).status is Status.SPOT_CHECKED
    _torch()
    assert bp.loss_check((3, 4, 3), "relu", loss, samples=3, seed=1, tolerance=1e-10,
                         use_torch=True).status is Status.SPOT_CHECKED


def test_loss_values_match_pytorch():
    torch = _torch()
    y, t = np.array([0.3, -1.2, 2.0]), np.array([0.2, 0.3, 0.5])
    assert np.isclose(bp.loss_value("mse", y, t), torch.nn.functional.mse_loss(
        torch.tensor(y), torch.tensor(t)).item(), rtol=1e-14)
    assert np.isclose(bp.loss_value("cross_entropy", y, t), torch.nn.functional.cross_entropy(
        torch.tensor(y)[None], torch.tensor(t)[None]).item(), rtol=1e-14)


# --- P10 ----------------------------------------------------------------------------------------

def test_p10_is_proved_with_every_check():
    proof = get("p10").run()
    assert proof.status is Status.PROVED
    assert all(step.status in (Status.PROVED, Status.GIVEN) for step in proof.steps)
    assert [c.status for c in proof.checks] == [Status.VERIFIED, Status.SPOT_CHECKED] * 2
    assert sp.simplify(proof.result.rhs.doit() - sp.Transpose(P - T).doit()) == sp.ZeroMatrix(
        width, 1).T


def test_p10_settings_change_the_checks():
    proof = get("p10").run({"classes": "2", "hidden": "3", "activation": "relu"})
    assert proof.status is Status.PROVED
    assert "widths (2, 3, 2)" in str(proof) and "relu, widths (3, 3, 2)" in str(proof)


def _cli(*argv):
    return subprocess.run([sys.executable, "-m", "symproof", *argv], capture_output=True,
                          text=True, timeout=300)


def test_cli_prove_p10_with_torch():
    _torch()
    done = _cli("prove", "p10", "--torch")
    assert done.returncode == 0, done.stderr
    assert "P10" in done.stdout and "PROVED" in done.stdout
    assert "torch.autograd" in done.stdout and "REFUTED" not in done.stdout


@pytest.mark.parametrize("setting", ["classes=0", "hidden=x", "activation=softplus",
                                     "width=3"])
def test_cli_p10_refuses_bad_settings(setting):
    done = _cli("prove", "p10", "--set", setting)
    assert done.returncode == 2 and done.stderr.startswith("error:"), done.stderr
    assert "Traceback" not in done.stderr
