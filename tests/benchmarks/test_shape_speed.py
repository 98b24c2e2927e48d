"""Exploring a deep symbolic stack must stay interactive: under half a second."""

from __future__ import annotations

import sympy as sp

from symproof import Conv2d, MaxPool2d, Sequential, receptive_field, solve_for, symbols


def _stack(depth: int = 20) -> Sequential:
    layers = []
    for n in range(depth):
        k, s = symbols(f"k_{n} s_{n}")
        p = symbols(f"p_{n}", nonnegative=True)
        layers.append(Conv2d(1, 1, k, stride=s, padding=p) if n % 2 == 0 else MaxPool2d(k, s))
    return Sequential(*layers)


def test_receptive_field_of_a_20_layer_symbolic_stack(benchmark):
    stack = _stack()
    field = benchmark.pedantic(receptive_field, args=(stack,), rounds=5)
    assert field.jump == sp.Mul(*symbols(" ".join(f"s_{n}" for n in range(20))))
    if benchmark.stats is not None:
        assert benchmark.stats.stats.max < 0.5


def test_solve_for_on_a_20_layer_symbolic_stack(benchmark):
    stack = _stack()
    field = receptive_field(stack)
    m = symbols("m")
    # "same" padding for a layer whose kernel is the whole stack's receptive field.
    solution = benchmark.pedantic(solve_for, args=("padding",),
                                  kwargs=dict(input=m, output=m, kernel_size=field.size),
                                  rounds=5)
    assert sp.simplify(2 * solution.value - (field.size - 1)) == 0
    if benchmark.stats is not None:
        assert benchmark.stats.stats.max < 0.5
