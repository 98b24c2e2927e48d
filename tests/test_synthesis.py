"""Kernel synthesis beyond the homework, each kernel checked against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symproof import Conv2d, NoSolutionError, ParameterError, ShapeError, symbols
from symproof.notation import X, i, j
from symproof.proof import Status
from symproof.synthesis import synthesize
from symproof.synthesis_proof import synthesis_proof

LAPLACIAN = X[1, i + 1, j] + X[1, i - 1, j] + X[1, i, j + 1] + X[1, i, j - 1] - 4 * X[1, i, j]


def torch_agrees(torch, found, shape=(7, 8), seed=0):
    layer = found.layer
    x = np.random.default_rng(seed).standard_normal((int(layer.in_channels), *shape))
    weight = torch.tensor(found.weight_array().astype(float))
    bias = torch.tensor([float(b) for b in found.biases]) if layer.bias else None
    out = torch.nn.functional.conv2d(
        torch.tensor(x[None]), weight, bias, tuple(int(s) for s in layer.stride),
        tuple(int(p) for p in layer.padding), tuple(int(d) for d in layer.dilation))[0].numpy()
    np.testing.assert_allclose(out, found.evaluate_target(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layer, targets, kernel", [
    (Conv2d(1, 1, 3, padding=1), [LAPLACIAN], [[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    (Conv2d(1, 1, 3, padding=1), [(X[1, i + 1, j] - X[1, i - 1, j]) / 2],
     [[0, -sp.Rational(1, 2), 0], [0, 0, 0], [0, sp.Rational(1, 2), 0]]),
    (Conv2d(1, 1, 3, padding=1), [X[1, i - 1, j + 1]], [[0, 0, 1], [0, 0, 0], [0, 0, 0]]),
    (Conv2d(1, 1, 2), [X[1, i, j] + X[1, i + 1, j + 1] + 5], [[1, 0], [0, 1]]),
    (Conv2d(1, 1, 3, stride=2, padding=1), [X[1, 2 * i, 2 * j] - X[1, 2 * i - 1, 2 * j - 1]],
     [[0, 0, 0], [0, -1, 0], [0, 0, 1]]),
    (Conv2d(1, 1, 3, padding=2, dilation=2), [X[1, i + 2, j] - X[1, i - 2, j]],
     [[0, -1, 0], [0, 0, 0], [0, 1, 0]]),
])
def test_stencils_beyond_the_homework(torch, layer, targets, kernel):
    found = synthesize(layer, targets)
    assert found.ok and found.status is Status.GIVEN, found.outcome.detail
    assert found.kernel(1, 1) == sp.Matrix(kernel)
    torch_agrees(torch, found)
    proof = synthesis_proof(found, "t", "t", "t")
    assert proof.status is Status.PROVED, str(proof)
    assert {c.status for c in proof.checks} == {Status.VERIFIED, Status.SPOT_CHECKED}


def test_two_input_channels_and_constant_bias(torch):
    layer = Conv2d(2, 2, 3, padding=1)
    found = synthesize(layer, [X[1, i, j] - X[2, i, j], 3 * X[2, i + 1, j + 1] + 1])
    assert found.kernel(1, 2)[1, 1] == -1 and found.kernel(2, 2)[2, 2] == 3
    assert found.biases == (0, 1)
    torch_agrees(torch, found)


@pytest.mark.parametrize("layer, targets, reason", [
    (Conv2d(1, 1, 3, padding=1), [X[1, i + 2, j]], "needs α = 4, outside 1…3"),
    (Conv2d(1, 1, 3, padding=1), [X[1, i + 2, j + 2] - X[1, i - 2, j]], "outside 1…3"),
    (Conv2d(1, 1, 3, stride=2, padding=1), [X[1, i, j]], "would have to change with i"),
    (Conv2d(1, 1, 3, padding=2, dilation=2), [X[1, i + 1, j]], "not an integer"),
    (Conv2d(1, 1, 3, padding=1, bias=False), [X[1, i, j] + 1], "has no bias"),
    (Conv2d(1, 1, 3, padding=1), [X[1, j, i]], "depends on j"),
])
def test_no_solution_comes_with_the_reason(layer, targets, reason):
    found = synthesize(layer, targets)
    assert found.status is Status.UNKNOWN and reason in found.outcome.detail
    assert not found.exists and found.reason == found.outcome.detail  # derived, compatible
    with pytest.raises(NoSolutionError):
        found.kernel(1, 1)
    proof = synthesis_proof(found, "t", "t", "t")
    assert proof.status is Status.PROVED and proof.summary == "no solution"


@pytest.mark.parametrize("targets, error, message", [
    ([X[1, i, j] ** 2], ParameterError, "must be linear in X"),
    ([i * X[1, i, j]], ParameterError, "do not depend on the position"),
    ([X[1, i, j], X[1, i, j]], ShapeError, "need one target per output channel"),
    (["X[1,i,j]"], ParameterError, "must be a SymPy expression"),
])
def test_bad_targets(targets, error, message):
    with pytest.raises(error, match=message):
        synthesize(Conv2d(1, 1, 3, padding=1), targets)


def test_channel_beyond_c_in():
    assert "exceeds C_in" in synthesize(Conv2d(3, 1, 1), [X[4, i, j]]).reason


def test_boundary_is_stated_and_proved():
    found = synthesize(Conv2d(1, 2, 3, padding=1),
                       [X[1, i + 1, j] - X[1, i, j], X[1, i, j + 1] - X[1, i, j]])
    assert [str(b) for b in found.boundary] == [
        "where i = H, X[1,i+1,j] lies in the zero padding, so Y[1,i,j] = -X[1,i,j]",
        "where j = W, X[1,i,j+1] lies in the zero padding, so Y[2,i,j] = -X[1,i,j]"]
    central = synthesize(Conv2d(1, 1, 3, padding=1), [X[1, i + 1, j] - X[1, i - 1, j]])
    assert {str(b.where) for b in central.boundary} == {"Eq(i, 1)", "Eq(i, H)"}


def test_padded_coordinates():
    found = synthesize(Conv2d(1, 1, 3, padding=1), [X[1, i + 1, j]])
    from symproof.notation import Xbar

    assert found.target(1, padded=True) == Xbar[1, i + 2, j + 1]
    assert found.realised(1, padded=True).doit() == Xbar[1, i + 2, j + 1]


def test_symbolic_kernel_size():
    f, p = symbols("F P")
    found = synthesize(Conv2d(1, 1, f, padding=p), [X[1, i, j]])
    assert found.conditions == (sp.Le(p + 1, f),)
    assert synthesis_proof(found, "t", "t", "t").steps[3].status is Status.PROVED


@given(st.integers(1, 3), st.integers(0, 1), st.integers(1, 2),
       st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3), st.integers(-4, 4)),
                min_size=1, max_size=4), st.integers(0, 9))
def test_random_stencils_realised_or_refused_correctly(torch, half, pad_extra, dilation, terms,
                                                       seed):
    f = 2 * half + 1
    padding = half * dilation + pad_extra
    layer = Conv2d(1, 1, f, padding=padding, dilation=dilation)
    target = sum((c * X[1, i + r, j + s] for r, s, c in terms), sp.S.Zero)
    if target == 0:
        return
    found = synthesize(layer, [target])
    reachable = all(((r + padding) % dilation == 0 and 0 <= (r + padding) // dilation < f and
                     (s + padding) % dilation == 0 and 0 <= (s + padding) // dilation < f)
                    for r, s, c in terms if sp.expand(target).coeff(X[1, i + r, j + s]) != 0)
    assert found.ok == reachable, found.outcome.detail
    if found.ok:
        torch_agrees(torch, found, shape=(6, 7), seed=seed)
