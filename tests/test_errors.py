"""Bad input: every error names the parameter, the value and the rule."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symproof import (
    MLP,
    AvgPool2d,
    Conv2d,
    EvaluationError,
    Linear,
    MaxPool2d,
    ParameterError,
    ShapeError,
    SymproofError,
    TooLargeError,
    symbols,
)
from symproof.notation import X, alpha, beta
from symproof.reductions import MaxOver


@pytest.mark.parametrize("make, message", [
    (lambda: Conv2d(1, 2, 3, stride=0), "stride must be a positive integer, got 0"),
    (lambda: Conv2d(1, 2, 3, padding=-1), "padding must be a non-negative integer, got -1"),
    (lambda: Conv2d(1, 2, 2.5), "kernel_size must be a positive integer, got 2.5"),
    (lambda: Conv2d(1, 2, "3"), "kernel_size must be a positive integer, got '3'"),
    (lambda: Conv2d(1, 2, True), "kernel_size must be a positive integer, got True"),
    (lambda: Conv2d(0, 2, 3), "in_channels must be a positive integer, got 0"),
    (lambda: Conv2d(1, 2, (3, 0)), "kernel_size[1] must be a positive integer, got 0"),
    (lambda: Conv2d(1, 2, (3, 3, 3)), "kernel_size must be one value or a (rows, cols) pair"),
    (lambda: Conv2d(1, 2, sp.Symbol("F")), "kernel_size must be a positive integer: declare"),
    (lambda: Conv2d(1, 2, sp.Symbol("F", integer=True)), "got F"),
    (lambda: Conv2d(1, 2, 3, padding=symbols("P", nonnegative=True) - 1), "padding must be a"),
    (lambda: Conv2d(1, 2, symbols("l")), "must not use the symbol l"),
    (lambda: MaxPool2d(2, padding=2), "padding must be at most half the kernel size"),
    (lambda: AvgPool2d(3, padding=2), "padding must be at most half the kernel size"),
    (lambda: AvgPool2d(2, ceil_mode="yes"), "ceil_mode must be True or False, got 'yes'"),
    (lambda: Linear(3, 0), "out_features must be a positive integer, got 0"),
    (lambda: MLP((3,)), "widths must be a sequence"),
    (lambda: MLP((3, 1), "swish"), "activation must be an Activation or one of"),
])
def test_bad_parameters(make, message):
    with pytest.raises(ParameterError) as caught:
        make()
    assert message in str(caught.value)


@pytest.mark.parametrize("make, error, message", [
    (lambda: Conv2d(1, 2, 5).output_shape(1, 3, 3), ParameterError,
     "kernel_size must fit the padded input of the convolution: D(f-1)+1 = 5 exceeds n + 2P = 3"),
    (lambda: Conv2d(1, 2, 3, dilation=2).output_shape(1, 4, 9), ParameterError,
     "D(f-1)+1 = 5 exceeds n + 2P = 4"),
    (lambda: MaxPool2d(4).output_shape(1, 3, 3), ParameterError, "kernel_size must fit"),
    (lambda: Conv2d(3, 2, 3).output_shape(2, 5, 5), ShapeError,
     "Conv2d expects 3 input channels, got 2"),
    (lambda: Conv2d(3, 2, 3).output_shape(5, 5), ShapeError, "must be (C, H, W) or (N, C, H, W)"),
    (lambda: Conv2d(1, 1, 3).output_shape(1, 0, 5), ParameterError, "height must be a positive"),
    (lambda: Linear(3, 2).output_shape(4), ShapeError, "Linear expects 3 input features, got 4"),
    (lambda: Conv2d(1, 1, 2).evaluate(np.zeros((1, 3, 3)), np.zeros((1, 1, 3, 3)), [0.0]),
     ShapeError, "weight must have shape (C_out, C_in, f1, f2) = (1, 1, 2, 2), got (1, 1, 3, 3)"),
    (lambda: Conv2d(1, 1, 2).evaluate(np.zeros((3, 3)), np.zeros((1, 1, 2, 2)), [0.0]),
     ShapeError, "x must have 3 or 4 dimensions, got shape (3, 3)"),
    (lambda: Conv2d(1, 1, 2).evaluate(np.zeros((1, 3, 3)), np.zeros((1, 1, 2, 2))),
     ShapeError, "bias is required"),
    (lambda: Conv2d(1, 1, 2, bias=False).evaluate(np.zeros((1, 3, 3)), np.zeros((1, 1, 2, 2)),
                                                  [1.0]), ShapeError, "bias given"),
    (lambda: Conv2d(1, 1, 2).evaluate(np.zeros((1, 3, 3)), np.zeros((1, 1, 2, 2)), [0.0, 1.0]),
     ShapeError, "bias must have shape (1,), got (2,)"),
    (lambda: Conv2d(1, 1, symbols("F")).evaluate(np.zeros((1, 3, 3)), np.zeros((1, 1, 2, 2)),
                                                 [0.0]), EvaluationError, "concrete kernel_size"),
    (lambda: Conv2d(1, 1, 2).evaluate(np.array([[["a"]]]), np.zeros((1, 1, 2, 2)), [0.0]),
     ShapeError, "x must hold numbers"),
    (lambda: MLP((2, 1)).evaluate([1.0, 2.0], [], []), ShapeError, "need 1 weights and 1 biases"),
    (lambda: Conv2d(1, 1, 2).element(0, 1, 1), ParameterError, "l must be a positive integer"),
    (lambda: MaxOver(X[1, alpha, beta], (alpha, 1, 1000), (beta, 1, 1000)).doit(), TooLargeError,
     "the window of MaxOver has 1,000,000 terms, over the limit expanded_terms"),
])
def test_bad_input(make, error, message):
    with pytest.raises(error) as caught:
        make()
    assert message in str(caught.value)
    assert isinstance(caught.value, SymproofError)


def test_errors_carry_parameter_value_and_rule():
    with pytest.raises(ParameterError) as caught:
        Conv2d(1, 2, 3, stride=0)
    assert (caught.value.name, caught.value.value) == ("stride", 0)
    assert "positive integer" in caught.value.rule
