"""Pooling: shapes and values against PyTorch (padding, dilation, ceil_mode, count_include_pad)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symproof import AvgPool2d, MaxPool2d, SymproofError, pool_output_size, symbols
from symproof import notation as nt
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
