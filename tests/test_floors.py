"""The kernel's floor facts (symproof/kernel/floors.py): what they prove holds on every integer
tried, and a range off by one is never proved."""

from __future__ import annotations

import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from symproof.kernel import Status
from symproof.kernel.floors import floor_interval

H = sp.Symbol("H", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)


def _heights(stride: int, shift: int, offset: int, target: int) -> set[int]:
    """The heights whose size ⌊(h + shift)/stride⌋ + offset is ``target``, in integer arithmetic
    (a lambdified floor of (h + 1)/3 computes 5/3 + 1/3 in floating point and gets 1)."""
    return {h for h in range(1, 200) if (h + shift) // stride + offset == target}


@given(st.integers(1, 5), st.integers(-6, 6), st.integers(0, 3), st.integers(1, 6))
@example(3, 1, 0, 1)  # found by CI: the float floor of 5/3 + 1/3
def test_the_proved_range_is_exactly_the_heights_with_that_output(stride, shift, offset, rows):
    size = sp.floor((H + shift) / stride) + offset
    low = stride * (m - offset) - shift
    outcome = floor_interval(size, H, m, low, low + stride - 1)
    assert outcome.status is Status.PROVED
    at = {m: rows}
    expected = {h for h in range(int(low.xreplace(at)), int(low.xreplace(at)) + stride)
                if 1 <= h < 200}
    assert _heights(stride, shift, offset, rows) == expected


@given(st.integers(1, 5), st.integers(-6, 6), st.sampled_from([(1, 0), (0, 1), (-1, 0),
                                                               (0, -1), (1, 1)]))
def test_a_range_off_by_one_is_never_proved(stride, shift, moved):
    size = sp.floor((H + shift) / stride) + 1
    low = stride * (m - 1) - shift
    outcome = floor_interval(size, H, m, low + moved[0], low + stride - 1 + moved[1])
    assert outcome.status is not Status.PROVED


def test_what_the_rule_does_not_cover_is_unknown():
    S = sp.Symbol("S", integer=True, positive=True)
    real = sp.Symbol("x", positive=True)
    cases = [
        (sp.floor((H + 1) / S) + 1, H, real, S * (real - 1) - 1, S * real - 2),  # x not integer
        (sp.floor((2 * H) / S), H, m, 0, 0),                                     # slope 2/S
        (sp.floor(H / S) + sp.floor(H / 2), H, m, 0, 0),                         # two floors
        (sp.floor(H ** 2 / S), H, m, 0, 0),                                      # not linear
        (sp.floor((H + sp.Rational(1, 2)) / S), H, m, 0, 0),                     # c = 1/2
    ]
    for size, variable, target, low, high in cases:
        assert floor_interval(size, variable, target, low, high).status is Status.UNKNOWN
