"""Conv2d: shapes and values against PyTorch, and the element formula against the fast path."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symproof import Conv1d, Conv2d, limits, symbols
from symproof import notation as nt
from symproof.errors import ShapeError, TooLargeError
from symproof.numeric import exact_value


@st.composite
def conv_configs(draw):
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    size = []
    for axis in (0, 1):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        size.append(draw(st.integers(max(1, span - 2 * padding[axis]), 12)))
    batch = draw(st.sampled_from([None, 1, 2]))
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return c_in, c_out, kernel, stride, padding, dilation, tuple(size), batch, bias, seed


@given(conv_configs())
def test_conv2d_matches_torch(torch, config):
    c_in, c_out, kernel, stride, padding, dilation, (h, w), batch, bias, seed = config
    rng = np.random.default_rng(seed)
    shape = (c_in, h, w) if batch is None else (batch, c_in, h, w)
    x = rng.standard_normal(shape)
    weight = rng.standard_normal((c_out, c_in, *kernel))
    b = rng.standard_normal(c_out) if bias else None
    layer = Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, dilation=dilation,
                   bias=bias)

    ours = layer.evaluate(x, weight, b)
    xt = torch.tensor(x if batch else x[None])
    ref = torch.nn.functional.conv2d(xt, torch.tensor(weight), None if b is None else
                                     torch.tensor(b), stride, padding, dilation).numpy()
    ref = ref if batch else ref[0]
    assert layer.output_shape(*shape) == ref.shape
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def _every_entry_exact(layer, x, weight, bias, *, padded):
    """Evaluate the element formula exactly at every output index; compare with evaluate()."""
    fast = layer.evaluate(x, weight, bias)
    h, w = x.shape[-2:]
    p_rows, p_cols = (int(p) for p in layer.padding)
    for l_, i_, j_ in np.ndindex(*fast.shape):
        index = (l_ + 1, i_ + 1, j_ + 1)
        if padded:
            formula = layer.element(*index, padded=True)
            xbar = np.pad(x, ((0, 0), (p_rows, p_rows), (p_cols, p_cols)))
            value = exact_value(formula, {nt.Xbar: xbar, nt.w: weight, nt.b: bias})
        else:
            formula = layer.element(*index, input_size=(h, w))
            value = exact_value(formula, {nt.X: x, nt.w: weight, nt.b: bias})
        assert value.is_Integer, (index, value)
        assert int(value) == fast[l_, i_, j_], index


@pytest.mark.parametrize("padded", [False, True])
def test_element_formula_is_evaluate_exactly(padded):
    rng = np.random.default_rng(0)
    layer = Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    x = rng.integers(-5, 6, (2, 5, 6))
    weight = rng.integers(-5, 6, (3, 2, 3, 2))
    bias = rng.integers(-5, 6, 3)
    _every_entry_exact(layer, x, weight, bias, padded=padded)


def test_exact_inputs_stay_exact():
    from fractions import Fraction

    x = np.array([[[Fraction(1, 3), Fraction(1, 7)], [Fraction(2, 5), 1]]], dtype=object)
    out = Conv2d(1, 1, 2, bias=False).evaluate(x, np.ones((1, 1, 2, 2), dtype=object))
    assert out[0, 0, 0] == Fraction(1, 3) + Fraction(1, 7) + Fraction(2, 5) + 1


def test_element_in_course_notation():
    layer = Conv2d(1, 2, 3, padding=1)
    alpha, beta = nt.alpha, nt.beta
    expected = nt.b[nt.l] + sp.Sum(
        nt.w[nt.l, 1, alpha, beta] * nt.X[1, nt.i + alpha - 2, nt.j + beta - 2],
        (beta, 1, 3), (alpha, 1, 3))
    assert layer.element() == expected
    # S = D = 1, P = 0 gives the familiar X_{γ, i+α−1, j+β−1}.
    plain = Conv2d(1, 1, 3, bias=False).element()
    assert plain == sp.Sum(nt.w[nt.l, 1, alpha, beta] * nt.X[1, nt.i + alpha - 1, nt.j + beta - 1],
                           (beta, 1, 3), (alpha, 1, 3))


def test_general_element_formula_is_the_design_formula():
    c, f1, f2, s, p, d = symbols("C f_1 f_2 S P D")
    layer = Conv2d(c, 4, (f1, f2), stride=s, padding=p, dilation=d)
    g, a, b_ = nt.gamma, nt.alpha, nt.beta
    expected = nt.b[nt.l] + sp.Sum(
        nt.w[nt.l, g, a, b_]
        * nt.X[g, s * (nt.i - 1) + d * (a - 1) + 1 - p, s * (nt.j - 1) + d * (b_ - 1) + 1 - p],
        (b_, 1, f2), (a, 1, f1), (g, 1, c))
    assert sp.simplify(layer.element() - expected) == 0


def test_explicit_padding_piecewise_reads_zero_outside():
    formula = Conv2d(1, 1, 3, padding=1, bias=False).element(1, 1, 1, input_size=(4, 4))
    # At the top-left corner the first row and column of the window are padding.
    expanded = formula.doit()
    assert nt.X[1, 0, 0] not in expanded.atoms(sp.Indexed)
    assert nt.X[1, 1, 1] in expanded.atoms(sp.Indexed)


def test_symbolic_output_shape():
    m, f, s, p = symbols("m F S P")
    shape = Conv2d(3, 16, f, stride=s, padding=p).output_shape(3, m, m)
    assert shape[0] == 16
    assert sp.simplify(shape[1] - (sp.floor((m + 2 * p - f) / s) + 1)) == 0
    assert Conv2d(3, 16, 3, padding=1).output_shape(3, m, m) == (16, m, m)
    assert Conv2d(1, 1, 3, padding=1).output_shape(2, 1, 5, 6) == (2, 1, 5, 6)
    assert all(type(v) is int for v in Conv2d(1, 1, 3).output_shape(1, 5, 6))


def test_repr_reads_like_the_constructor():
    assert repr(Conv2d(1, 2, 3, padding=1)) == "Conv2d(1, 2, kernel_size=3, padding=1)"
    assert repr(Conv2d(3, 8, (3, 5), stride=2, bias=False)) == \
        "Conv2d(3, 8, kernel_size=(3, 5), stride=2, bias=False)"
    k = symbols("k")
    assert repr(Conv2d(k, k, k, stride=k)) == "Conv2d(k, k, kernel_size=k, stride=k)"


def test_repr_latex_uses_course_notation():
    shown = Conv2d(1, 2, 3, padding=1)._repr_latex_()
    assert shown.startswith("$") and shown.endswith("$")
    assert r"w_{l,1,\alpha,\beta} X_{1,i+\alpha-2,j+\beta-2}" in shown
    c = symbols("C_in")
    assert r"\sum_{\gamma=1}^{C_{\text{in}}}" in Conv2d(c, 2, 3).to_latex()


# --- evaluation through plans kept per input shape (issue #14) --------------------------------

@pytest.mark.parametrize("layer, shapes", [
    (Conv2d(4, 6, 3, stride=2, padding=1, groups=2), [(4, 9, 8), (2, 4, 9, 8), (4, 5, 5)]),
    (Conv2d(2, 3, 7, padding=3, dilation=(1, 2)), [(2, 7, 13), (3, 2, 7, 13), (2, 4, 12)]),
    (Conv2d(1, 2, (1, 3), bias=False), [(1, 1, 3), (1, 6, 5), (2, 1, 6, 5)]),
], ids=repr)
def test_one_conv_many_shapes_matches_torch(torch, layer, shapes):
    """One layer, inputs of several shapes in turn (each with its kept plan, and again), the
    taps copied one by one or (a 7×7 kernel over few outputs) from the window view."""
    rng = np.random.default_rng(5)
    c_out, c_per_group, *kernel = (int(n) for n in layer.parameter_shapes["w"])
    weight = rng.standard_normal((c_out, c_per_group, *kernel))
    bias = rng.standard_normal(c_out) if layer.bias else None
    for shape in shapes + shapes:
        x = rng.standard_normal(shape)
        ref = torch.nn.functional.conv2d(
            torch.tensor(x if x.ndim == 4 else x[None]), torch.tensor(weight),
            None if bias is None else torch.tensor(bias),
            tuple(int(s) for s in layer.stride), tuple(int(p) for p in layer.padding),
            tuple(int(d) for d in layer.dilation), int(layer.groups)).numpy()
        np.testing.assert_allclose(layer.evaluate(x, weight, bias),
                                   ref if x.ndim == 4 else ref[0], rtol=1e-12, atol=1e-12)


def test_conv1d_many_shapes_matches_torch(torch):
    layer = Conv1d(2, 4, 3, stride=2, padding=2, dilation=2, groups=2)
    rng = np.random.default_rng(6)
    weight, bias = rng.standard_normal((4, 1, 3)), rng.standard_normal(4)
    for shape in [(2, 9), (3, 2, 9), (2, 4), (2, 9)]:
        x = rng.standard_normal(shape)
        ref = torch.nn.functional.conv1d(torch.tensor(x if x.ndim == 3 else x[None]),
                                         torch.tensor(weight), torch.tensor(bias), 2, 2, 2,
                                         2).numpy()
        np.testing.assert_allclose(layer.evaluate(x, weight, bias),
                                   ref if x.ndim == 3 else ref[0], rtol=1e-12, atol=1e-12)


def test_conv_plan_sizes_are_checked_under_the_limits_in_force():
    """A kept plan is not trusted under lower limits: the sizes are checked again."""
    layer = Conv2d(1, 2, 3, padding=1)
    x, weight, bias = np.ones((1, 20, 20)), np.ones((2, 1, 3, 3)), np.zeros(2)
    assert layer.evaluate(x, weight, bias).shape == (2, 20, 20)
    with limits.raised(array_elements=300), pytest.raises(TooLargeError, match="padding"):
        layer.evaluate(x, weight, bias)
    with limits.raised(multiply_adds=1000), pytest.raises(TooLargeError, match="multiply-adds"):
        layer.evaluate(x, weight, bias)
    assert layer.evaluate(x, weight, bias)[0, 5, 5] == 9
    for _ in range(2):  # errors are never kept
        with pytest.raises(ShapeError, match="weight must have shape"):
            layer.evaluate(x, np.ones((2, 1, 2, 2)), bias)
        with pytest.raises(ShapeError, match="expects 1 input channels"):
            layer.evaluate(np.ones((3, 20, 20)), weight, bias)
