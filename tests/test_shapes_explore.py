"""Shape algebra, solving, receptive fields, ConvTranspose2d and the Dumoulin & Visin
relationships — agreeing with PyTorch to the last integer."""

from __future__ import annotations

import os

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symproof import (
    AvgPool2d,
    Conv2d,
    ConvTranspose2d,
    MaxPool2d,
    ParameterError,
    ReLU,
    Sequential,
    enumerate_configs,
    receptive_field,
    solve_for,
    symbols,
    tiles_exactly,
)
from symproof.proof import Status
from symproof.registry import groups
from symproof.shapes import conv_output_size, pool_output_size, transposed_output_size
from symproof.stack import field_by_formulas

MANY = settings(max_examples=500 if os.environ.get("CI") else 100, deadline=None)


@MANY
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 5), st.integers(0, 4),
       st.integers(1, 4))
def test_conv_size_matches_torch(torch, n, f, s, p, d):
    x = torch.zeros(1, 1, n, n)
    w = torch.zeros(1, 1, f, f)
    try:
        expected = torch.nn.functional.conv2d(x, w, stride=s, padding=p, dilation=d).shape[-1]
    except RuntimeError:
        with pytest.raises(ParameterError):
            conv_output_size(n, f, s, p, d)
        return
    assert conv_output_size(n, f, s, p, d) == expected


@MANY
@given(st.integers(1, 40), st.integers(1, 6), st.integers(1, 5), st.integers(0, 3),
       st.integers(1, 3), st.booleans(), st.booleans())
def test_pool_size_matches_torch(torch, n, f, s, p, d, ceil, average):
    x = torch.zeros(1, 1, n, n)
    try:
        if average:
            out = torch.nn.functional.avg_pool2d(x, f, s, p, ceil_mode=ceil)
        else:
            out = torch.nn.functional.max_pool2d(x, f, s, p, d, ceil_mode=ceil)
        expected = out.shape[-1]
    except RuntimeError:
        with pytest.raises(ParameterError):
            layer = AvgPool2d(f, s, p, ceil_mode=ceil) if average else MaxPool2d(
                f, s, p, d, ceil_mode=ceil)
            layer.output_shape(1, n, n)
        return
    got = pool_output_size(n, f, s, p, 1 if average else d, ceil_mode=ceil)
    assert got == expected


@MANY
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(1, 3),
       st.integers(0, 3), st.integers(1, 2), st.integers(1, 6), st.integers(1, 6),
       st.integers(0, 2), st.booleans(), st.integers(0, 2**31))
def test_conv_transpose_matches_torch(torch, c_in, c_out, f, s, p, d, h, w, op, bias, seed):
    op = min(op, max(s, d) - 1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((c_in, h, w))
    weight = rng.standard_normal((c_in, c_out, f, f))
    b = rng.standard_normal(c_out) if bias else None
    try:
        ref = torch.nn.functional.conv_transpose2d(
            torch.tensor(x[None]), torch.tensor(weight), None if b is None else torch.tensor(b),
            s, p, op, 1, d)[0].numpy()
    except RuntimeError:
        with pytest.raises(ParameterError):
            ConvTranspose2d(c_in, c_out, f, s, p, op, bias, d).output_shape(c_in, h, w)
        return
    layer = ConvTranspose2d(c_in, c_out, f, stride=s, padding=p, output_padding=op, bias=bias,
                            dilation=d)
    assert layer.output_shape(c_in, h, w) == ref.shape
    np.testing.assert_allclose(layer.evaluate(x, weight, b), ref, rtol=1e-12, atol=1e-12)


def test_conv_transpose_element_formula_is_evaluate_exactly():
    from symproof import notation as nt
    from symproof.numeric import exact_value

    rng = np.random.default_rng(3)
    layer = ConvTranspose2d(2, 2, (3, 2), stride=(2, 1), padding=(1, 0), output_padding=(1, 0))
    x, weight = rng.integers(-4, 5, (2, 3, 3)), rng.integers(-4, 5, (2, 2, 3, 2))
    bias = rng.integers(-4, 5, 2)
    fast = layer.evaluate(x, weight, bias)
    for l_, i_, j_ in np.ndindex(*fast.shape):
        formula = layer.element(l_ + 1, i_ + 1, j_ + 1, input_size=(3, 3))
        assert float(exact_value(formula, {nt.X: x, nt.w: weight, nt.b: bias})) == fast[l_, i_, j_]


def test_symbolic_transposed_size():
    n, f, s = symbols("n F S")
    assert sp.simplify(transposed_output_size(n, f, s) - ((n - 1) * s + f)) == 0
    with pytest.raises(ParameterError, match="output_padding must be smaller than"):
        transposed_output_size(4, 3, stride=2, output_padding=2)


def test_solve_for_the_user_stories():
    m = symbols("m")
    assert repr(solve_for("padding", input=m, output=m, kernel_size=5)) == "{P = 2}"
    none = solve_for("padding", input=m, output=m, kernel_size=4)
    assert not none and "needs D(F − 1) = 3 even" in repr(none)
    f = symbols("F")
    same = solve_for("padding", input=m, output=m, kernel_size=f)
    assert sp.simplify(same.value - (f - 1) / 2) == 0 and same.conditions
    assert list(solve_for("padding", input=32, output=32, kernel_size=5).values) == [2]
    assert list(solve_for("stride", input=32, output=16, kernel_size=3, padding=1).values) == [2]
    assert list(solve_for("input", output=16, kernel_size=3, stride=2, padding=1).values) == [
        31, 32]
    assert list(solve_for("kernel_size", input=32, output=30).values) == [3]
    assert list(solve_for("dilation", input=32, output=28, kernel_size=3).values) == [2]


@MANY
@given(st.integers(1, 30), st.integers(1, 6), st.integers(1, 4), st.integers(0, 3),
       st.integers(1, 3), st.sampled_from(["input", "kernel_size", "stride", "padding",
                                           "dilation"]))
def test_solve_for_finds_exactly_the_values_that_work(n, f, s, p, d, unknown):
    span = d * (f - 1) + 1
    if n + 2 * p < span:
        return
    o = (n + 2 * p - span) // s + 1
    given_ = dict(input=n, output=o, kernel_size=f, stride=s, padding=p, dilation=d)
    truth = given_.pop(unknown)
    found = solve_for(unknown, **given_)
    if found.value is not None:  # an infinite family: every value from `start` on
        assert found.start is not None and found.value == found.letter and truth >= found.start
        assert all(c.xreplace({found.letter: truth}) for c in found.conditions)
        return
    assert truth in found.values
    for value in found.values:  # every reported value really works
        trial = dict(given_, **{unknown: value})
        span_ = trial["dilation"] * (trial["kernel_size"] - 1) + 1
        assert (trial["input"] + 2 * trial["padding"] - span_) // trial["stride"] + 1 == o


def test_tiles_and_enumerate():
    assert tiles_exactly(32, 3, 2, 1) is False and tiles_exactly(33, 3, 2, 1) is True
    configs = enumerate_configs(32, 16, {"kernel_size": (1, 5), "dilation": (1, 1)})
    assert {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1} in configs
    for c in configs:
        assert conv_output_size(32, c["kernel_size"], c["stride"], c["padding"],
                                c["dilation"]) == 16
    with pytest.raises(ParameterError, match="ranges must map"):
        enumerate_configs(8, 8, {"kernel": (1, 3)})


@pytest.mark.parametrize("call, message", [
    (lambda: solve_for("padding", input=32, output=32, kernel_size=5, padding=1),
     "padding is the unknown"),
    (lambda: solve_for("teapot", input=3), "parameter must be one of"),
    (lambda: solve_for("padding", input=32, kernel_size=5), "output must be given"),
    (lambda: solve_for("padding", input=32, output=16, kernel_size=3, stride=0), "positive"),
])
def test_solve_for_bad_input(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_impossible_requests_say_why():
    assert "larger than any configuration" in repr(
        solve_for("stride", input=32, output=100, kernel_size=3))
    assert "odd" in repr(solve_for("padding", input=32, output=33, kernel_size=3))


def test_receptive_field_user_story_and_symbols():
    net = Sequential(Conv2d(3, 8, 3, padding=1), MaxPool2d(2), Conv2d(8, 8, 3, padding=1))
    field = receptive_field(net)
    assert (field.size, field.jump) == (8, 2)
    k, s = symbols("k s")
    general = receptive_field(Sequential(Conv2d(1, 1, k, stride=s), ReLU(), MaxPool2d(k, s)))
    assert sp.simplify(general.size - (k + (k - 1) * s)) == 0
    assert sp.simplify(general.jump - s**2) == 0


@st.composite
def stacks(draw):
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        f, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        if draw(st.booleans()):
            layers.append(Conv2d(1, 1, f, stride=s, padding=draw(st.integers(0, 2)), dilation=d))
        else:
            layers.append(AvgPool2d(f, s, padding=draw(st.integers(0, f // 2))))
    return Sequential(*layers)


@MANY
@given(stacks(), st.integers(1, 5))
def test_receptive_field_against_the_element_formulas(stack, i):
    field = receptive_field(stack)
    rows = field_by_formulas(stack, i)
    first, last = field.rows(i)
    assert (min(rows), max(rows)) == (first, last)


@settings(max_examples=60, deadline=None)
@given(stacks())
def test_receptive_field_against_autograd(torch, stack):
    """Which input entries change output (i, j) = (2, 2): autograd, all weights positive."""
    n = 40
    x = torch.ones(1, 1, n, n, requires_grad=True)
    y, shape = x, (1, n, n)
    for layer in stack.layers:
        try:
            shape = layer.output_shape(*shape)
        except ParameterError:
            return
        if isinstance(layer, Conv2d):
            f, s, p, d = (int(v[0]) for v in (layer.kernel_size, layer.stride, layer.padding,
                                              layer.dilation))
            y = torch.nn.functional.conv2d(y, torch.ones(1, 1, f, f), stride=s, padding=p,
                                           dilation=d)
        else:
            f, s, p = (int(v[0]) for v in (layer.kernel_size, layer.stride, layer.padding))
            y = torch.nn.functional.avg_pool2d(y, f, s, p)
    if y.shape[-1] < 2:
        return
    y[0, 0, 1, 1].backward()
    touched = set(torch.nonzero(x.grad[0, 0].sum(dim=1)).flatten().numpy() + 1)  # 1-based
    # Exactly the rows the element formulas reach through the data (not the padding) ...
    assert touched == field_by_formulas(stack, 2, size=n)
    # ... all inside the closed-form field.
    first, last = receptive_field(stack).rows(2)
    assert all(first <= r <= last for r in touched)


def test_every_dumoulin_visin_relationship_is_proved():
    proofs = [problem.run() for problem in groups()["dv"]]
    assert len(proofs) == 15
    assert all(proof.status is Status.PROVED for proof in proofs), [
        (p.name, p.status) for p in proofs if p.status is not Status.PROVED]
