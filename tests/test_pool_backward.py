"""Backpropagation through pooling (issue 16, item 3): the kernel's proofs of the formulas,
their adversaries, the numeric gradients and the symbolic formula against torch.autograd, the
tie rule, and the worked problem p9."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symproof import AvgPool2d, Conv2d, MaxPool2d, symbols
from symproof import notation as nt
from symproof.backprop import (
    avg_backward_formula,
    avg_pool2d_backward,
    max_backward_formula,
    max_pool2d_backward,
    prove_avg_backward,
    prove_max_backward,
    through,
)
from symproof.backprop.pool import (
    ARGMAX_COL,
    ARGMAX_ROW,
    TIE_RULE,
    empty_windows,
    max_pool2d_routes,
    p,
    q,
)
from symproof.errors import ParameterError, ShapeError, SymproofError
from symproof.kernel import Context, Status, expand_sums, normalize, routed_derivative
from symproof.registry import get

from .latex_tools import need, overfull, pdflatex

K1, K2, S1, S2, P1, P2 = symbols("k_1 k_2 S_1 S_2 P_1 P_2")
STRONG = (Status.PROVED, Status.VERIFIED)
MODES = [(True, False), (False, False), (True, True), (False, True)]


# --- the kernel's proofs ---------------------------------------------------------------------

@pytest.mark.parametrize("include, ceil", MODES)
def test_average_backward_is_proved_for_symbolic_sizes_in_every_divisor_mode(include, ceil):
    layer = AvgPool2d((K1, K2), (S1, S2), (P1, P2), ceil_mode=ceil, count_include_pad=include)
    outcome = prove_avg_backward(layer)
    assert outcome.status is Status.PROVED, outcome.detail
    assert outcome.tactic == "differentiation"


@pytest.mark.parametrize("include, ceil", MODES)
def test_average_backward_is_proved_for_concrete_sizes(include, ceil):
    layer = AvgPool2d((3, 2), (2, 1), (1, 0), ceil_mode=ceil, count_include_pad=include)
    assert prove_avg_backward(layer).status is Status.PROVED


@pytest.mark.parametrize("include, ceil", MODES)
def test_a_wrong_divisor_is_never_proved(include, ceil):
    layer = AvgPool2d((K1, K2), (S1, S2), (P1, P2), ceil_mode=ceil, count_include_pad=include)
    claimed = avg_backward_formula(layer, divisor=layer.divisor(nt.i, nt.j) + 1)
    outcome = prove_avg_backward(layer, claimed)
    assert outcome.status is Status.UNKNOWN  # never REFUTED: H_out is free here
    assert "differ" in str(outcome.detail)


def test_the_whole_window_divisor_is_not_the_divisor_without_padding():
    """count_include_pad=False divides by the taps inside the input: k₁k₂ is wrong there."""
    layer = AvgPool2d((K1, K2), (S1, S2), (P1, P2), count_include_pad=False)
    claimed = avg_backward_formula(layer, divisor=K1 * K2)
    assert prove_avg_backward(layer, claimed).status not in STRONG


def _next_window(layer):
    """The formula with row p read by window i + 1 instead of window i."""
    def shifted(delta):
        return sp.KroneckerDelta(p, layer.window.index(0, nt.i + 1, nt.alpha))
    return lambda e: isinstance(e, sp.KroneckerDelta) and e.has(p), shifted


@pytest.mark.parametrize("shift", ["p", "q", "i"])
def test_a_gradient_spread_to_the_wrong_window_is_never_proved(shift):
    layer = AvgPool2d((K1, K2), (S1, S2), (P1, P2))
    claimed = avg_backward_formula(layer)
    wrong = (claimed.replace(*_next_window(layer)) if shift == "i"
             else claimed.xreplace({p: p + 1} if shift == "p" else {q: q - 1}))
    assert wrong != claimed
    assert prove_avg_backward(layer, wrong).status not in STRONG


def test_the_spread_without_the_window_condition_is_never_proved():
    layer = AvgPool2d(2)
    i, j = nt.i, nt.j
    everywhere = sp.Sum(nt.G[nt.l, i, j] / 4, (j, 1, nt.index_symbol("W_out")),
                        (i, 1, nt.index_symbol("H_out")))
    assert prove_avg_backward(layer, everywhere).status not in STRONG


@pytest.mark.parametrize("dilation", [1, 2, (1, 3)])
def test_max_backward_is_proved_where_the_maximum_is_unique(dilation):
    layer = MaxPool2d((K1, K2), (S1, S2), (P1, P2), dilation)
    outcome = prove_max_backward(layer)
    assert outcome.status is Status.PROVED, outcome.detail
    assert "attained only at" in str(outcome.detail)


def test_max_backward_routed_to_another_tap_is_never_proved():
    layer = MaxPool2d((K1, K2), (S1, S2), (P1, P2))
    claimed = max_backward_formula(layer)
    a = ARGMAX_ROW[nt.l, nt.i, nt.j]
    for wrong in (claimed.xreplace({a: a + 1}), claimed.xreplace({p: p + 1}),
                  claimed.replace(lambda e: isinstance(e, sp.KroneckerDelta) and e.has(q),
                                  lambda e: sp.S.One)):
        assert prove_max_backward(layer, wrong).status not in STRONG


def test_the_routing_rule_refuses_a_tap_that_is_not_the_windows():
    """A tap that names the window's own dummies or the entry differentiated in is no
    hypothesis about the window: UNKNOWN."""
    layer = MaxPool2d(2)
    expr, variable = through(layer), nt.X[nt.l, p, q]
    claimed = max_backward_formula(layer)
    for argmax in ({nt.alpha: nt.alpha, nt.beta: ARGMAX_COL[nt.l, nt.i, nt.j]},
                   {nt.alpha: ARGMAX_ROW[nt.l, nt.i, nt.j], nt.beta: nt.X[nt.l, p, q]},
                   {nt.alpha: ARGMAX_ROW[nt.l, nt.i, nt.j]}):
        assert routed_derivative(expr, variable, claimed, argmax).status is Status.UNKNOWN
    assert routed_derivative(through(AvgPool2d(2)), variable, claimed,
                             {nt.alpha: 1, nt.beta: 1}).status is Status.UNKNOWN


def test_the_kernel_pins_an_affine_delta_and_one_inside_an_inner_sum():
    """Regression (kernel.sums): Σ_α δ_{p, a+α} and Σ_r g_r Σ_s δ_{l,r} h_s collapse."""
    a, r, s, n, m = symbols("a r s n m")
    l_ = nt.l
    ctx = Context([sp.Le(l_, n)])
    window = expand_sums(sp.Sum(sp.KroneckerDelta(p, a + nt.alpha), (nt.alpha, 1, K1)))
    assert window == sp.Piecewise((1, sp.And(sp.Le(1, p - a), sp.Le(p - a, K1))), (0, True))
    g, h = sp.IndexedBase("g"), sp.IndexedBase("h")
    nested = sp.Sum(g[r] * sp.Sum(sp.KroneckerDelta(l_, r) * h[s], (s, 1, m)), (r, 1, n))
    assert normalize(nested - g[l_] * sp.Sum(h[s], (s, 1, m)), ctx) == 0
    # a delta whose slope is not ±1 pins nothing (2v = n has no integer solution for odd n)
    v = symbols("v")
    assert expand_sums(sp.Sum(sp.KroneckerDelta(2 * v, n), (v, 1, m)), partial=True).has(
        sp.KroneckerDelta)


def test_conv_forward_derivative_still_holds_after_the_kernel_change():
    layer = Conv2d(2, 3, 2, stride=2, padding=1)
    ok = normalize(sp.diff(through(layer), nt.b[2]) - sp.Sum(
        nt.G[2, nt.i, nt.j], (nt.i, 1, nt.index_symbol("H_out")),
        (nt.j, 1, nt.index_symbol("W_out"))), Context())
    assert ok == 0


# --- numbers against torch.autograd ------------------------------------------------------------

def _config(draw, *, dilation: bool):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pad = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    span = [dd * (kk - 1) + 1 for dd, kk in zip(d, k)]
    rows = draw(st.integers(max(1, span[0] - 2 * pad[0]), 9))
    cols = draw(st.integers(max(1, span[1] - 2 * pad[1]), 9))
    batch = draw(st.sampled_from([(), (2,)]))
    shape = (*batch, draw(st.integers(1, 2)), rows, cols)
    return k, stride, pad, d, draw(st.booleans()), shape


@st.composite
def avg_configs(draw):
    k, stride, pad, _, ceil, shape = _config(draw, dilation=False)
    return k, stride, pad, ceil, draw(st.booleans()), shape, draw(st.integers(0, 2**32 - 1))


@st.composite
def max_configs(draw):
    return (*_config(draw, dilation=True), draw(st.booleans()), draw(st.integers(0, 2**32 - 1)))


def _torch_grad(torch, pool, x, g, **kwargs):
    xt = torch.tensor(x, requires_grad=True)
    y = pool(xt, **kwargs)
    assert tuple(y.shape) == g.shape
    y.backward(torch.tensor(g))
    return xt.grad.numpy()


@settings(max_examples=320, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(avg_configs())
def test_average_backward_matches_autograd(torch, config):
    k, stride, pad, ceil, include, shape, seed = config
    rng = np.random.default_rng(seed)
    layer = AvgPool2d(k, stride, pad, ceil_mode=ceil, count_include_pad=include)
    g = rng.standard_normal(tuple(int(v) for v in layer.output_shape(*shape)))
    expected = _torch_grad(torch, torch.nn.functional.avg_pool2d, rng.standard_normal(shape), g,
                           kernel_size=k, stride=stride, padding=pad, ceil_mode=ceil,
                           count_include_pad=include)
    np.testing.assert_allclose(avg_pool2d_backward(layer, shape, g), expected, atol=1e-12)


@settings(max_examples=320, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(max_configs())
def test_max_backward_matches_autograd_ties_included(torch, config):
    k, stride, pad, dilation, ceil, shape, ties, seed = config
    rng = np.random.default_rng(seed)
    # few distinct values: most windows have tied maxima, where only the tie rule decides
    x = rng.integers(-1, 2, shape).astype(float) if ties else rng.standard_normal(shape)
    layer = MaxPool2d(k, stride, pad, dilation, ceil_mode=ceil)
    # a window reading only padding crashes PyTorch's backward (test_an_empty_window_...)
    assume(not empty_windows(layer, shape))
    g = rng.standard_normal(tuple(int(v) for v in layer.output_shape(*shape)))
    expected = _torch_grad(torch, torch.nn.functional.max_pool2d, x, g, kernel_size=k,
                           stride=stride, padding=pad, dilation=dilation, ceil_mode=ceil)
    np.testing.assert_allclose(max_pool2d_backward(layer, x, g), expected, atol=1e-12)


def _formula_gradient(layer: AvgPool2d, shape: tuple, g: np.ndarray) -> np.ndarray:
    """The symbolic formula at these sizes, lambdified once, at every (l, p, q)."""
    channels, rows, cols = shape
    out = tuple(int(v) for v in layer.output_shape(*shape))[1:]
    formula = avg_backward_formula(layer, output_size=out).xreplace({nt.H: rows, nt.W: cols})
    grid = sp.IndexedBase("g")  # G with a zero row and column first: 1-based as the formula
    numbers = sp.lambdify((nt.l, p, q, grid), formula.xreplace({nt.G: grid}), "numpy")
    padded = np.zeros((channels + 1, out[0] + 1, out[1] + 1))
    padded[1:, 1:, 1:] = g
    l_, p_, q_ = np.meshgrid(np.arange(1, channels + 1), np.arange(1, rows + 1),
                             np.arange(1, cols + 1), indexing="ij")
    # one call per entry (the deltas compare integers): the compiled formula, never subs
    return np.vectorize(lambda *at: numbers(*(int(v) for v in at), padded))(l_, p_, q_)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(avg_configs())
def test_the_symbolic_average_formula_matches_autograd(torch, config):
    k, stride, pad, ceil, include, shape, seed = config
    shape = shape[-3:]
    rng = np.random.default_rng(seed)
    layer = AvgPool2d(k, stride, pad, ceil_mode=ceil, count_include_pad=include)
    g = rng.standard_normal(tuple(int(v) for v in layer.output_shape(*shape)))
    expected = _torch_grad(torch, torch.nn.functional.avg_pool2d, rng.standard_normal(shape), g,
                           kernel_size=k, stride=stride, padding=pad, ceil_mode=ceil,
                           count_include_pad=include)
    np.testing.assert_allclose(_formula_gradient(layer, shape, g), expected, atol=1e-12)


def test_exact_numbers_stay_exact():
    from fractions import Fraction

    g = np.array([[[Fraction(1, 3), 1]]], dtype=object)
    out = avg_pool2d_backward(AvgPool2d((1, 2), padding=(0, 1), count_include_pad=False),
                              (1, 1, 2), g)
    assert out.dtype == object and list(out.flat) == [Fraction(1, 3), Fraction(1, 1)]


# --- the tie rule ------------------------------------------------------------------------------

def test_tie_rule_first_maximum_in_row_major_order(torch):
    x = np.array([[[1.0, 2.0, 2.0], [2.0, 0.0, 2.0]]])
    layer = MaxPool2d((2, 3))
    route, _ = max_pool2d_routes(layer, x)
    assert route.item() == 1  # α = 0, β = 1: the first 2 scanning rows first
    g = np.ones((1, 1, 1))
    expected = _torch_grad(torch, torch.nn.functional.max_pool2d, x, g, kernel_size=(2, 3))
    np.testing.assert_array_equal(max_pool2d_backward(layer, x, g), expected)


@pytest.mark.parametrize("x", [
    [[[np.nan, 1.0], [np.nan, 3.0]]],  # the last NaN
    [[[-np.inf, -np.inf], [-np.inf, -np.inf]]],  # all −∞: the first entry
    [[[1.0, np.nan], [5.0, np.nan]]],
])
def test_tie_rule_with_nan_and_minus_infinity(torch, x):
    x = np.array(x)
    g = np.array([[[7.0]]])
    expected = _torch_grad(torch, torch.nn.functional.max_pool2d, x, g, kernel_size=2)
    np.testing.assert_array_equal(max_pool2d_backward(MaxPool2d(2), x, g), expected)


def test_padding_never_gets_the_gradient_even_when_all_entries_are_minus_infinity(torch):
    x = np.full((1, 3, 3), -np.inf)
    g = np.arange(1.0, 5.0).reshape(1, 2, 2)
    layer = MaxPool2d(3, stride=2, padding=1)
    expected = _torch_grad(torch, torch.nn.functional.max_pool2d, x, g, kernel_size=3,
                           stride=2, padding=1)
    np.testing.assert_array_equal(max_pool2d_backward(layer, x, g), expected)
    assert "last NaN" in TIE_RULE and "first maximum" in TIE_RULE


def test_a_wrong_tie_rule_disagrees_with_torch(torch):
    """Adversary: the last maximum (or the first NaN) is not PyTorch's choice."""
    x = np.array([[[2.0, 2.0]]])
    g = np.array([[[1.0]]])
    expected = _torch_grad(torch, torch.nn.functional.max_pool2d, x, g, kernel_size=(1, 2))
    last_maximum = np.array([[[0.0, 1.0]]])
    assert not np.array_equal(last_maximum, expected)
    np.testing.assert_array_equal(max_pool2d_backward(MaxPool2d((1, 2)), x, g), expected)


def test_an_empty_window_routes_its_gradient_nowhere():
    """A dilated window whose taps all fall in the padding reads no entry: its output is −∞, a
    constant, so its gradient is 0. (PyTorch 2.13 writes G outside the window there, or
    corrupts memory: it is not run on this case.)"""
    layer = MaxPool2d((1, 2), stride=1, padding=(0, 1), dilation=2)
    x = np.zeros((1, 3, 1))
    assert empty_windows(layer, x.shape)
    assert not empty_windows(MaxPool2d(2), (1, 4, 4))
    assert np.all(layer.evaluate(x) == -np.inf)
    np.testing.assert_array_equal(max_pool2d_backward(layer, x, np.ones((1, 3, 1))),
                                  np.zeros((1, 3, 1)))


# --- input validation --------------------------------------------------------------------------

def test_errors_name_the_parameter():
    with pytest.raises(ParameterError, match="layer"):
        avg_pool2d_backward(MaxPool2d(2), (1, 4, 4), np.ones((1, 2, 2)))
    with pytest.raises(ParameterError, match="layer"):
        max_pool2d_backward(AvgPool2d(2), np.ones((1, 4, 4)), np.ones((1, 2, 2)))
    with pytest.raises(ShapeError, match="grad_output"):
        avg_pool2d_backward(AvgPool2d(2), (1, 4, 4), np.ones((1, 3, 2)))
    with pytest.raises(ShapeError, match="grad_output"):
        max_pool2d_backward(MaxPool2d(2), np.ones((2, 1, 4, 4)), np.ones((1, 2, 2)))
    with pytest.raises(ParameterError, match="x_shape"):
        avg_pool2d_backward(AvgPool2d(2), "1,4,4", np.ones((1, 2, 2)))
    with pytest.raises(SymproofError):
        avg_pool2d_backward(AvgPool2d(2), (1, 0, 4), np.ones((1, 0, 2)))
    with pytest.raises(SymproofError, match="kernel_size"):
        avg_pool2d_backward(AvgPool2d(K1), (1, 4, 4), np.ones((1, 2, 2)))
    with pytest.raises(SymproofError, match="x"):
        max_pool2d_backward(MaxPool2d(2), np.ones((1, 4, 4)) * 1j, np.ones((1, 2, 2)))


# --- the worked problem -------------------------------------------------------------------------

def test_p9_is_proved():  # its time: tests/benchmarks/test_backprop_problems_speed.py
    assert get("p9").build().status is Status.PROVED


@pytest.mark.parametrize("settings_", [
    ["kind=max", "k_1=3", "k_2=2", "S=2", "P=1"],
    ["kind=average", "count_include_pad=false", "ceil_mode=true", "S=2", "P=1", "k_1=3",
     "k_2=3"],
    ["k_1=2", "k_2=2", "P=0"],
])
def test_p9_with_settings_is_proved(settings_):
    values = dict(s.split("=") for s in settings_)
    problem = get("p9")
    kwargs = {name: (int(v) if v.isdigit() else v) for name, v in values.items()}
    proof = problem.build(**kwargs)
    assert proof.status is Status.PROVED
    assert all(c.outcome.status in (Status.VERIFIED, Status.SPOT_CHECKED) for c in proof.checks)


def test_cli_prove_p9_with_torch():
    pytest.importorskip("torch")
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", "p9", "--torch",
                           "--set", "k_1=3", "--set", "S=2"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "torch.autograd" in done.stdout and "PROVED" in done.stdout
    assert "ties, −∞ entries and NaN" in done.stdout


def test_cli_refuses_a_bad_setting_in_one_line():
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", "p9", "--set", "P=3",
                           "--set", "k_1=2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("style", ["solution", "audit"])
def test_p9_compiles_without_overfull_boxes(tmp_path, style):
    need("pdflatex")
    tex = tmp_path / "p9.tex"
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", "p9", "--latex", str(tex),
                           "--style", style], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    log = pdflatex(tmp_path, "p9.tex")
    assert all(width <= 10 for width in overfull(log)), overfull(log)
    source = tex.read_text()
    assert "alpha_star" not in source and "**" not in source and "avg_backward" not in source


def test_the_formulas_read_back_through_the_claim_reader():
    """Regression (claims.parse): a delta whose indices are expressions is written
    \\delta_{p, S(i-1)+\\alpha-P} (comma-separated) and reads back."""
    from symproof.latex.roundtrip import round_trip

    layer = AvgPool2d((K1, K2), (S1, S2), (P1, P2))
    gradient_ = sp.Symbol("∂L/∂X_{l,p,q}")
    assert round_trip(sp.Eq(gradient_, avg_backward_formula(layer)))
    assert round_trip(sp.Eq(gradient_, max_backward_formula(MaxPool2d(K1, S1, P1, 2))))
