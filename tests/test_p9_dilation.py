"""P9 with a dilation ``D`` (issue 16, item 3): max pooling's backward PROVED for a symbolic
``D``, the CLI's ``--set D=…``, the LaTeX export, average pooling refusing a dilation (PyTorch's
has none), the window test :func:`in_window` with dilation, and the dilated max-pool backward
(numbers and the symbolic formula) against ``torch.autograd``."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symproof import MaxPool2d, symbols
from symproof import notation as nt
from symproof.backprop.pool import (
    ARGMAX_COL,
    ARGMAX_ROW,
    EMPTY_WINDOW,
    empty_windows,
    in_window,
    max_backward_formula,
    max_pool2d_backward,
    max_pool2d_routes,
    p,
    q,
)
from symproof.errors import ParameterError
from symproof.kernel import Status
from symproof.registry import get

from .latex_tools import need, overfull, pdflatex

K1, K2, S, P, D = symbols("k_1 k_2 S P D")


def _p9_module():
    """The worked problem's module (loaded by the registry, never imported by name)."""
    return sys.modules[get("p9").build.__module__]


def _prove(*settings_: str, use_torch: bool = False) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "symproof", "prove", "p9"]
    args += [part for setting in settings_ for part in ("--set", setting)]
    return subprocess.run(args + (["--torch"] if use_torch else []), capture_output=True,
                          text=True, timeout=300)


# --- the worked problem ---------------------------------------------------------------------

def test_p9_max_pooling_is_proved_for_a_symbolic_dilation():
    proof = get("p9").build(kind="max")
    assert proof.status is Status.PROVED
    assert proof.parameters["D"] == D
    assert D in proof.result.rhs.free_symbols  # the routed entry is read with the dilation
    assert "D" in proof.summary
    assert all(c.outcome.status is Status.SPOT_CHECKED for c in proof.checks)


@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_p9_with_a_concrete_dilation_is_proved_and_checked_with_it(dilation):
    proof = get("p9").build(kind="max", k_1=3, k_2=2, S=2, P=1, D=dilation)
    assert proof.status is Status.PROVED
    (check,) = proof.checks
    assert check.outcome.status is Status.SPOT_CHECKED
    assert (f"dilation {dilation}" in str(check.statement)) == (dilation != 1)
    # the tie step says where an empty window's gradient goes only where one can exist
    assert any(EMPTY_WINDOW in str(step.justification) for step in proof.steps) == (dilation != 1)


def test_cli_prove_p9_with_dilation_two():
    done = _prove("D=2")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[PROVED]" in out and "dilation 2" in out
    assert "PyTorch's average pooling has none" in out
    assert "2*u[l,i,j]" in out  # the routed row S(i−1) + 2(u − 1) + 1 − P
    assert "SPOT_CHECKED max pooling, window 3×2, stride 2, padding 1, dilation 2" in out
    assert "REFUTED" not in out and "UNKNOWN" not in out


def test_cli_prove_p9_with_dilation_against_torch(torch):
    done = _prove("kind=max", "D=3", "k_1=2", "P=1", use_torch=True)
    assert done.returncode == 0, done.stderr
    assert "dilation 3" in done.stdout and "torch.autograd" in done.stdout
    assert "ties, −∞ entries and NaN" in done.stdout
    assert done.stdout.count("SPOT_CHECKED") == 2


def test_average_pooling_refuses_a_dilation_in_one_line():
    """PyTorch's avg_pool2d takes no dilation: none is invented."""
    with pytest.raises(ParameterError, match="D.*no dilation"):
        get("p9").build(kind="average", D=2)
    done = _prove("kind=average", "D=2")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "no dilation" in done.stderr


def test_average_pooling_says_it_has_no_dilation():
    proof = get("p9").build(kind="average", D=1)
    assert proof.status is Status.PROVED
    assert "no dilation" in str(proof.statement)


@pytest.mark.parametrize("settings_", [["D=2"], ["kind=max", "D=2", "k_1=3", "S=2", "P=1"]])
def test_p9_with_dilation_compiles_without_overfull_boxes(tmp_path, settings_):
    need("pdflatex")
    tex = tmp_path / "p9.tex"
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", "p9", "--latex",
                           str(tex), *(part for s in settings_ for part in ("--set", s))],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    log = pdflatex(tmp_path, "p9.tex")
    assert all(width <= 10 for width in overfull(log)), overfull(log)
    assert "dilation" in tex.read_text()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 4), st.integers(1, 4),
       st.integers(1, 5), st.booleans(), st.data())
def test_the_checks_input_has_no_empty_window(k_1, k_2, s_1, s_2, dilation, ceil, data):
    """The torch check of P9 never meets a window reading only padding (EMPTY_WINDOW)."""
    pad = (data.draw(st.integers(0, k_1 // 2)), data.draw(st.integers(0, k_2 // 2)))
    layer = MaxPool2d((k_1, k_2), (s_1, s_2), pad, dilation, ceil_mode=ceil)
    assert not empty_windows(layer, _p9_module().check_shape(k_1, k_2, dilation))


# --- the window test with dilation -----------------------------------------------------------

@pytest.mark.parametrize("kernel, stride, pad, dilation", [
    (3, 2, 1, 2), ((2, 3), (1, 2), (1, 0), (3, 2)), (3, 1, 1, 1), (2, 3, 0, 4)])
def test_in_window_is_exactly_some_tap_reading_the_entry(kernel, stride, pad, dilation):
    layer = MaxPool2d(kernel, stride, pad, dilation)
    window = layer.window
    test = in_window(layer)
    for i, j, row, col in itertools.product(range(1, 5), range(1, 4), range(-2, 11),
                                            range(-2, 9)):
        reads = any(window.index(0, i, a) == row and window.index(1, j, b) == col
                    for a in range(1, int(window.kernel_size[0]) + 1)
                    for b in range(1, int(window.kernel_size[1]) + 1))
        at = {nt.i: i, nt.j: j, p: row, q: col}
        assert bool(test.xreplace({k: sp.Integer(v) for k, v in at.items()})) is reads, at


def test_in_window_with_a_symbolic_dilation_keeps_the_multiple_of_d():
    test = in_window(MaxPool2d(K1, S, P, D))
    assert test.has(sp.Mod) and D in test.free_symbols and nt.alpha not in test.free_symbols
    at = {K1: 3, S: 2, P: 1, D: 2, nt.i: 2, nt.j: 1}
    assert bool(test.xreplace({**{k: sp.Integer(v) for k, v in at.items()},
                               p: sp.Integer(4), q: sp.Integer(2)}))
    assert not bool(test.xreplace({**{k: sp.Integer(v) for k, v in at.items()},
                                   p: sp.Integer(3), q: sp.Integer(2)}))  # between two taps


# --- dilated max pooling against torch.autograd ----------------------------------------------

@st.composite
def dilated_configs(draw):
    """A max pooling with a dilation of at least 2 on one axis, and an input it fits."""
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pad = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    d = (draw(st.integers(1, 4)), draw(st.integers(2, 4)))
    d = d if draw(st.booleans()) else d[::-1]
    span = [dd * (kk - 1) + 1 for dd, kk in zip(d, k)]
    shape = (*draw(st.sampled_from([(), (2,)])), draw(st.integers(1, 2)),
             draw(st.integers(max(1, span[0] - 2 * pad[0]), span[0] + 4)),
             draw(st.integers(max(1, span[1] - 2 * pad[1]), span[1] + 4)))
    return (k, stride, pad, d, draw(st.booleans()), shape, draw(st.booleans()),
            draw(st.integers(0, 2**32 - 1)))


def _autograd(torch, layer_args: tuple, x: np.ndarray, g: np.ndarray) -> np.ndarray:
    k, stride, pad, d, ceil = layer_args
    xt = torch.tensor(x, requires_grad=True)
    y = torch.nn.functional.max_pool2d(xt, k, stride, pad, d, ceil)
    assert tuple(y.shape) == g.shape
    y.backward(torch.tensor(g))
    return xt.grad.numpy()


def _formula_gradient(layer: MaxPool2d, x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The symbolic formula Σ G δ_{p, S(i−1)+D(u−1)+1−P} δ_{q, …} at the routed taps (u, v):
    its two delta positions compiled once, G added where both fall in the input."""
    formula = max_backward_formula(layer)
    u, v = sp.symbols("u v", integer=True)
    taps = {ARGMAX_ROW[nt.l, nt.i, nt.j]: u, ARGMAX_COL[nt.l, nt.i, nt.j]: v}
    deltas = {d.args[0]: d.args[1] for d in formula.atoms(sp.KroneckerDelta)}
    row, col = (sp.lambdify([nt.i, nt.j, u, v], deltas[axis].xreplace(taps), "math")
                for axis in (p, q))
    route, _ = max_pool2d_routes(layer, x)
    kernel = layer.window.concrete()[0]
    grad = np.zeros_like(x)
    for index in np.ndindex(*g.shape):
        *lead, i, j = index
        tap = int(route[index])
        if tap < 0:  # an empty window: the formula's deltas never meet an input entry
            continue
        r, c = (int(f(i + 1, j + 1, tap // kernel[1] + 1, tap % kernel[1] + 1))
                for f in (row, col))
        if 1 <= r <= x.shape[-2] and 1 <= c <= x.shape[-1]:
            grad[(*lead, r - 1, c - 1)] += g[index]
    return grad


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dilated_configs())
def test_dilated_max_backward_matches_autograd(torch, config):
    """Numbers and the symbolic formula (at PyTorch's routed taps) against autograd, ties
    included."""
    k, stride, pad, d, ceil, shape, ties, seed = config
    layer = MaxPool2d(k, stride, pad, d, ceil_mode=ceil)
    # skipped, not compared: a window reading only padding makes PyTorch 2.13's CPU backward
    # write its gradient out of place or corrupt memory (EMPTY_WINDOW); symproof sends it
    # nowhere (tests/test_pool_backward.py::test_an_empty_window_routes_its_gradient_nowhere)
    assume(not empty_windows(layer, shape))
    rng = np.random.default_rng(seed)
    x = rng.integers(-1, 2, shape).astype(float) if ties else rng.standard_normal(shape)
    g = rng.standard_normal(tuple(int(v) for v in layer.output_shape(*shape)))
    expected = _autograd(torch, (k, stride, pad, d, ceil), x, g)
    np.testing.assert_allclose(max_pool2d_backward(layer, x, g), expected, atol=1e-12)
    np.testing.assert_allclose(_formula_gradient(layer, x, g), expected, atol=1e-12)
