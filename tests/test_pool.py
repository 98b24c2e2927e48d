"""Pooling: shapes and values against PyTorch (padding, dilation, ceil_mode, count_include_pad)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symproof import AvgPool2d, MaxPool2d, SymproofError, limits, pool_output_size, symbols
from symproof import notation as nt
from symproof.errors import EvaluationError, ParameterError, ShapeError, TooLargeError
from symproof.numeric import exact_value


@st.composite
def pool_configs(draw, dilated: bool):
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilated else (1, 1)
    spans = [d * (f - 1) + 1 for d, f in zip(dilation, kernel)]
    padding = tuple(draw(st.integers(0, f // 2)) for f in kernel)
    size = tuple(draw(st.integers(max(1, s - 2 * p), 11)) for s, p in zip(spans, padding))
    shape = (draw(st.integers(1, 3)), *size)
    if draw(st.booleans()):
        shape = (draw(st.integers(1, 2)), *shape)
    return dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
                ceil_mode=draw(st.booleans())), shape, draw(st.integers(0, 2**32 - 1))


def _run_torch(torch, fn, x, **kwargs):
    batched = x.ndim == 4
    out = fn(torch.tensor(x if batched else x[None]), **kwargs).numpy()
    return out if batched else out[0]


@given(pool_configs(dilated=True))
def test_maxpool2d_matches_torch(torch, case):
    params, shape, seed = case
    x = np.random.default_rng(seed).standard_normal(shape)
    layer = MaxPool2d(**params)
    ref = _run_torch(torch, torch.nn.functional.max_pool2d, x, **params)
    assert layer.output_shape(*shape) == ref.shape
    np.testing.assert_array_equal(layer.evaluate(x), ref)  # max picks an entry: exact


@given(pool_configs(dilated=False), st.booleans())
def test_avgpool2d_matches_torch(torch, case, count_include_pad):
    params, shape, seed = case
    params.pop("dilation")
    x = np.random.default_rng(seed).standard_normal(shape)
    layer = AvgPool2d(**params, count_include_pad=count_include_pad)
    ref = _run_torch(torch, torch.nn.functional.avg_pool2d, x, **params,
                     count_include_pad=count_include_pad)
    assert layer.output_shape(*shape) == ref.shape
    np.testing.assert_allclose(layer.evaluate(x), ref, rtol=1e-12, atol=1e-12)


@given(st.integers(1, 12), st.integers(1, 5), st.integers(1, 5), st.integers(0, 3),
       st.integers(1, 3), st.booleans())
def test_pool_size_errors_agree_with_torch(torch, n, kernel, stride, padding, dilation, ceil):
    """symproof refuses exactly the configurations PyTorch refuses."""
    x = torch.zeros(1, 1, n, n)
    try:
        torch.nn.functional.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode=ceil)
        torch_ok = True
    except RuntimeError:
        torch_ok = False
    try:
        MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil).output_shape(1, n, n)
        ours_ok = True
    except SymproofError:
        ours_ok = False
    assert ours_ok == torch_ok


CASES = [
    AvgPool2d(3, stride=2, padding=1, ceil_mode=True),
    AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    AvgPool2d((2, 3), stride=(2, 2), padding=(1, 0), count_include_pad=False),
    MaxPool2d(3, stride=2, padding=1, dilation=2, ceil_mode=True),
    MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1)),
]


@pytest.mark.parametrize("layer", CASES, ids=repr)
def test_element_formula_is_evaluate_exactly(layer):
    rng = np.random.default_rng(1)
    x = np.vectorize(lambda v: Fraction(int(v), 7))(rng.integers(-9, 10, (2, 6, 7)))
    x = x.astype(object)
    fast = layer.evaluate(x)
    for index in np.ndindex(*fast.shape):
        one_based = tuple(v + 1 for v in index)
        formula = layer.element(*one_based, input_size=x.shape[1:])
        value = exact_value(formula, {nt.X: x})
        assert value == sp.Rational(fast[index].numerator, fast[index].denominator), one_based


def test_symbolic_avgpool_output_is_m_over_k_when_k_divides_m():
    m, k, q, c = symbols("m k q C")
    assert AvgPool2d(k).output_shape(c, k * q, k * q) == (c, q, q)
    assert AvgPool2d(k).output_shape(c, m, m) == (c, sp.floor(m / k), sp.floor(m / k))
    # Only the floor remains when nothing says k divides m; and it is right on numbers.
    assert pool_output_size(7, 2, 2) == 3


def test_ceil_mode_drops_a_window_that_starts_in_the_padding():
    assert pool_output_size(5, 2, 2, padding=1, ceil_mode=True) == 3
    assert pool_output_size(5, 2, 2, ceil_mode=True) == 3
    m, k = symbols("m k")
    assert pool_output_size(m, k, k, ceil_mode=True) == sp.ceiling(m / k)


def test_avgpool_divisor_rules():
    # count_include_pad: corner window counts its padding, floor mode never overhangs.
    assert AvgPool2d(3, 2, 1).divisor(1, 1, (5, 5)) == 9
    assert AvgPool2d(3, 2, 1, count_include_pad=False).divisor(1, 1, (5, 5)) == 4
    # ceil_mode adds area past the padding that is never counted, even with count_include_pad.
    assert AvgPool2d(2, 2, ceil_mode=True).divisor(3, 3, (5, 5)) == 1


def test_maxpool_element_uses_maxover_and_reprs():
    k = symbols("k")
    formula = MaxPool2d(k).element()
    assert formula.limits == ((nt.beta, 1, k), (nt.alpha, 1, k))  # innermost first
    assert repr(MaxPool2d(2)) == "MaxPool2d(2)"
    assert repr(MaxPool2d(3, 2, 1, ceil_mode=True)) == \
        "MaxPool2d(3, stride=2, padding=1, ceil_mode=True)"
    assert repr(AvgPool2d(2, count_include_pad=False)) == "AvgPool2d(2, count_include_pad=False)"
    assert r"\max_{\substack{1 \le \alpha \le k \\ 1 \le \beta \le k}}" in MaxPool2d(k).to_latex()


# --- evaluation through a cached plan (issue #14) ---------------------------------------------

def _window_inside(layer, i, j, size):
    """How many taps of window (i, j) (1-based) fall inside an input of ``size``, by brute
    force on the element formula's indices (no padding, no ceil_mode overhang)."""
    f1, f2 = (int(v) for v in layer.kernel_size)
    return sum(1 for a in range(1, f1 + 1) for b in range(1, f2 + 1)
               if 1 <= layer.window.index(0, i, a) <= size[0]
               and 1 <= layer.window.index(1, j, b) <= size[1])


@given(pool_configs(dilated=False), st.booleans())
def test_numeric_divisors_are_the_formula(case, count_include_pad):
    """The divisors ``evaluate`` uses are those of ``divisor()``: on an input of exact ones each
    output is (entries inside the window) / divisor, exactly."""
    params, shape, _ = case
    params.pop("dilation")
    layer = AvgPool2d(**params, count_include_pad=count_include_pad)
    ones = np.full(shape, Fraction(1), dtype=object)
    out = layer.evaluate(ones)
    size = shape[-2:]
    for index in np.ndindex(*out.shape[-2:]):
        i, j = (v + 1 for v in index)
        expected = Fraction(_window_inside(layer, i, j, size), int(layer.divisor(i, j, size)))
        assert out[(..., *index)].flat[0] == expected, (i, j)
        assert out[(..., *index)].dtype == object


@pytest.mark.parametrize("layer", [
    MaxPool2d(16), AvgPool2d(16), MaxPool2d(6, stride=5, padding=3, dilation=2),
    AvgPool2d(8, stride=4, padding=4, ceil_mode=True, count_include_pad=False),
    MaxPool2d(4, stride=1, padding=2, ceil_mode=True), AvgPool2d(1), MaxPool2d((1, 3)),
], ids=repr)
def test_large_and_small_windows_match_torch(torch, layer):
    """Both ways of reducing the windows (tap by tap, or one reduction of the window view for
    many taps and few outputs), NaN and ±inf included."""
    x = np.random.default_rng(3).standard_normal((2, 3, 17, 16))
    x[0, 0, 0, :3] = (np.nan, np.inf, -np.inf)
    x[1, 2, 5:9, 5:9] = np.inf
    params = {name: tuple(int(v) for v in getattr(layer, name))
              for name in ("kernel_size", "stride", "padding")}
    if isinstance(layer, MaxPool2d):
        reference = torch.nn.functional.max_pool2d(
            torch.tensor(x), **params, ceil_mode=layer.ceil_mode,
            dilation=tuple(int(v) for v in layer.dilation))
    else:
        reference = torch.nn.functional.avg_pool2d(
            torch.tensor(x), **params, ceil_mode=layer.ceil_mode,
            count_include_pad=layer.count_include_pad)
    np.testing.assert_allclose(layer.evaluate(x), reference.numpy(), rtol=1e-12, atol=1e-12,
                               equal_nan=True)


def test_one_layer_many_shapes_and_kinds(torch):
    """A layer keeps one plan per input shape and kind: alternating shapes, batched or not,
    float or exact, and more shapes than it keeps, each get their own numbers."""
    layer = AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
    rng = np.random.default_rng(4)
    for round_ in range(2):
        for n in range(3, 80):  # more shapes than a layer keeps plans for
            shape = (2, 1, n, n + 1) if n % 2 else (1, n, n + 1)
            x = rng.standard_normal(shape)
            reference = torch.nn.functional.avg_pool2d(
                torch.tensor(x if x.ndim == 4 else x[None]), 3, 2, 1, ceil_mode=True,
                count_include_pad=False).numpy()
            np.testing.assert_allclose(layer.evaluate(x), reference.reshape(
                layer.output_shape(*shape)), rtol=1e-12, atol=1e-12)
            if n < 8 and round_ == 0:
                exact = np.vectorize(lambda v: Fraction(round(v * 8), 8), otypes=[object])(x)
                assert all(isinstance(v, Fraction) for v in layer.evaluate(exact).flat)


def test_plan_sizes_are_checked_under_the_limits_in_force():
    """A plan checked under higher limits is not reused under lower ones: the size check runs
    again, before anything is allocated, and the old plan serves again afterwards."""
    layer = MaxPool2d(2, padding=1)
    x = np.ones((1, 30, 30))
    assert layer.evaluate(x).shape == (1, 16, 16)
    with limits.raised(array_elements=500), pytest.raises(TooLargeError, match="array_elements"):
        layer.evaluate(x)
    assert layer.evaluate(x).shape == (1, 16, 16)


def test_bad_shapes_are_refused_on_every_call():
    """Errors are never cached away: each call with a bad input names the parameter."""
    layer = AvgPool2d(4)
    for _ in range(2):
        with pytest.raises(ParameterError, match="kernel_size must fit"):
            layer.evaluate(np.ones((1, 3, 3)))
        with pytest.raises(ShapeError, match="x must have 3 or 4 dimensions"):
            layer.evaluate(np.ones((3, 3)))
    k = symbols("k")
    with pytest.raises(EvaluationError, match="concrete kernel_size"):
        MaxPool2d(k).evaluate(np.ones((1, 3, 3)))


def test_exact_integers_beyond_float64_average_exactly():
    """Integers too large to be a float64 stay exact Python ints, and their average is an exact
    Fraction (it used to come back as a rounded float)."""
    x = np.array([[[2**60 + 1, 2], [3, 4]]])
    assert AvgPool2d(2).evaluate(x)[0, 0, 0] == Fraction(2**60 + 10, 4)
    x = np.array([[[2**600 + 1, 2], [3, 4]]], dtype=object)
    assert AvgPool2d(2).evaluate(x)[0, 0, 0] == Fraction(2**600 + 10, 4)
    assert MaxPool2d(2).evaluate(x)[0, 0, 0] == 2**600 + 1
    x = np.array([[[Fraction(1, 3**80), Fraction(2, 7**50)], [Fraction(1, 5**70), 1]]],
                 dtype=object)
    out = AvgPool2d(2, padding=1, count_include_pad=False).evaluate(x)
    assert out[0, 0, 0] == Fraction(1, 3**80) and out[0, 1, 1] == 1
    assert all(type(v.numerator) is int and type(v.denominator) is int for v in out.flat)


@given(pool_configs(dilated=True))
def test_window_plan_taps_are_the_view(case):
    """Each tap's basic slice of the padded input is that tap of the window view, and combining
    the taps one by one gives the reduction of the view."""
    params, shape, seed = case
    layer = MaxPool2d(**params)
    out = tuple(int(v) for v in layer.output_shape(*shape)[-2:])
    plan = layer.window.numeric_plan(shape, out, exact=False)
    x = np.random.default_rng(seed).standard_normal(shape)
    padded = plan.padded(x, -np.inf)
    view = plan.view(padded)
    f2 = plan.kernel[1]
    for k, tap in enumerate(plan.taps):
        np.testing.assert_array_equal(padded[tap], view[..., k // f2, k % f2])
    np.testing.assert_array_equal(plan.combine(padded, np.maximum), view.max(axis=(-2, -1)))
    np.testing.assert_allclose(plan.combine(padded, np.add), view.sum(axis=(-2, -1)),
                               rtol=1e-12, atol=1e-12)
