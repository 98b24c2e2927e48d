"""solve_for, enumerate_configs and the pooling padding rule on hostile input (issue #10):
exact answers without search for any size, symbolic answers that are never inadmissible, and
every refusal a symproof error."""

from __future__ import annotations

import time

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from symproof import (
    AvgPool2d,
    MaxPool2d,
    ParameterError,
    SymproofError,
    enumerate_configs,
    pool_output_size,
    solve_for,
    symbols,
)
from symproof.errors import TooLargeError
from symproof.limits import raised
from symproof.proof import Status
from symproof.solve import PARAMETERS, Solutions
from symproof.testing import Snapshot

UNKNOWNS = PARAMETERS
MINIMUM = {"input": 1, "output": 1, "kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1}
CAP = 300  # the brute-force range (a single answer beyond it is searched up to it)


def output(n, f, s, p, d):
    """PyTorch's output size, or None when the kernel does not fit."""
    span = d * (f - 1) + 1
    return None if n + 2 * p < span else (n + 2 * p - span) // s + 1


def works(config: dict) -> bool:
    return output(*(config[k] for k in ("input", "kernel_size", "stride", "padding",
                                        "dilation"))) == config["output"]


def brute(unknown: str, given_: dict, cap: int = CAP) -> set:
    """Every value of ``unknown`` up to ``cap`` that gives the output (for "output": the one)."""
    if unknown == "output":
        got = output(*(given_[k] for k in ("input", "kernel_size", "stride", "padding",
                                           "dilation")))
        return set() if got is None else {got}
    return {x for x in range(MINIMUM[unknown], cap + 1) if works(dict(given_, **{unknown: x}))}


def members(found: Solutions, cap: int = CAP) -> set:
    """The values a concrete answer states, up to ``cap``."""
    if found.start is not None:
        own = [c for c in found.conditions if found.letter in c.free_symbols]
        assert len(found.conditions) == len(own) <= 1  # nothing but "letter ≥ start"
        return set(range(found.start, cap + 1))
    assert found.value is None, f"a concrete question got a symbolic answer: {found!r}"
    assert found.values.step == 1 and found.values.stop - found.values.start <= cap
    return set(found.values)


def with_defaults(given_: dict) -> dict:
    return {"stride": 1, "padding": 0, "dilation": 1, **given_}


# --- concrete: exactly the values a brute force finds, both directions ----------------------

configs = st.fixed_dictionaries({
    "input": st.integers(1, 30), "output": st.integers(1, 35), "kernel_size": st.integers(1, 6),
    "stride": st.integers(1, 4), "padding": st.integers(0, 3), "dilation": st.integers(1, 3)})


@given(configs, st.sampled_from(UNKNOWNS), st.booleans())
def test_concrete_answers_are_exactly_the_brute_force(config, unknown, reachable):
    if reachable:  # an output some configuration really gives (else: any output, often none)
        got = output(*(config[k] for k in ("input", "kernel_size", "stride", "padding",
                                           "dilation")))
        if got is not None:
            config = dict(config, output=got)
    given_ = {k: v for k, v in config.items() if k != unknown}
    found = solve_for(unknown, **given_)
    truth = brute(unknown, with_defaults(given_))
    assert members(found) == truth, (unknown, given_, found)
    assert found.ok == bool(truth) == bool(found)
    if not found:
        assert found.reason and repr(found).startswith("no integer")


@given(configs)
def test_the_infinite_families(config):
    """Any stride from a + 1 on when the output is 1; any dilation of a 1-wide kernel."""
    config = dict(config, output=1)
    stride = solve_for("stride", **{k: v for k, v in config.items() if k != "stride"})
    a = config["input"] + 2 * config["padding"] - config["dilation"] * (
        config["kernel_size"] - 1) - 1
    if a < 0:
        assert stride.status is Status.UNKNOWN and "does not fit" in stride.outcome.detail
    else:
        assert stride.start == a + 1 and stride.value == stride.letter
        assert repr(stride).startswith(f"{{S = {a + 1}, {a + 2}, {a + 3}, …}}")
    config = dict(config, kernel_size=1)
    dilation = solve_for("dilation", **{k: v for k, v in config.items() if k != "dilation"})
    if output(config["input"], 1, config["stride"], config["padding"], 1) == 1:
        assert dilation.start == 1 and not dilation.conditions
        assert repr(dilation) == "{D = 1, 2, 3, …}"
    else:
        assert not dilation and "1-wide kernel ignores the dilation" in dilation.reason


def test_the_cases_of_the_issue():
    # The cap of the old search was reported as "no kernel size".
    assert list(solve_for("kernel_size", input=10001, output=1).values) == [10001]
    # Half a billion candidates were tried: now one interval, at once.
    started = time.perf_counter()
    none = solve_for("padding", input=1, output=10**9, kernel_size=1)
    assert not none.ok and "needs 2P = 999999999, which is odd" in none.reason
    assert list(solve_for("padding", input=1, output=10**9, kernel_size=2).values) == [
        5 * 10**8]
    assert time.perf_counter() - started < 5  # generous for a loaded machine; it hung before


# --- huge sizes: instant, exact at both ends ------------------------------------------------

huge = st.sampled_from([10**12, 10**12 + 7, 10**300, 3 * 10**300 + 1])


@given(huge, st.integers(1, 6), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3),
       st.sampled_from(["input", "kernel_size", "stride", "padding", "dilation"]),
       st.sampled_from(["input", "kernel_size", "stride", "padding", "dilation"]))
def test_huge_sizes_answer_at_once_and_exactly(big, f, s, p, d, large, unknown):
    config = {"input": 5, "kernel_size": f, "stride": s, "padding": p, "dilation": d}
    config[large] = big  # one huge size (a huge padding, kernel or dilation too)
    if large in ("kernel_size", "dilation"):
        config["input"] = big * big  # the kernel must fit
    config["input"] = max(config["input"], config["dilation"] * (config["kernel_size"] - 1) + 1)
    config["output"] = output(*(config[k] for k in ("input", "kernel_size", "stride",
                                                    "padding", "dilation")))
    truth = config.pop(unknown)
    started = time.perf_counter()
    found = solve_for(unknown, **config)
    assert time.perf_counter() - started < 5  # milliseconds, but CI machines stall
    assert found.ok, f"a solution exists ({unknown} = {truth}) but none was reported"
    if found.start is not None:
        assert truth >= found.start
        if found.start > MINIMUM[unknown]:
            assert not works(dict(config, **{unknown: found.start - 1}))
        for x in (found.start, found.start + 1, found.start + 10**20):
            assert works(dict(config, **{unknown: x}))
        return
    values = found.values
    assert truth in values  # O(1) on a range, however long
    for x in (values[0], values[-1], values[(values.stop - values.start) // 2]):
        assert works(dict(config, **{unknown: x}))
    for x in (values[0] - 1, values[-1] + 1):  # exact: the neighbours fail
        if x >= MINIMUM[unknown]:
            assert not works(dict(config, **{unknown: x}))


def test_a_range_of_a_googol_values_prints_and_snapshots_without_enumerating(tmp_path):
    found = solve_for("stride", input=10**100, output=2, kernel_size=1)
    first, last = 10**100 // 2, 10**100 - 1
    assert found.values == range(first, last + 1)
    assert repr(found) == f"{{S = {first}, {first + 1}, …, {last}}}"
    assert r"\ldots" in found._repr_latex_()
    assert found.as_data()["values"] == {"from": first, "to": last}
    path = tmp_path / "googol.json"
    Snapshot(path, update=True).assert_match(found)
    Snapshot(path).assert_match(solve_for("stride", input=10**100, output=2, kernel_size=1))
    with pytest.raises(AssertionError):
        Snapshot(path).assert_match(solve_for("stride", input=10**100 + 2, output=2,
                                              kernel_size=1))


def test_short_answers_keep_their_plain_form():
    found = solve_for("input", output=16, kernel_size=3, stride=2, padding=1)
    assert repr(found) == "{n = 31, 32}" and list(found) == [31, 32]
    assert found.as_data()["values"] == (31, 32) and found.as_data()["value"] == "none"
    assert found._repr_latex_() == r"$\{n = 31,\ 32\}$"
    family = solve_for("stride", input=9, output=1, kernel_size=1)
    assert family._repr_latex_() == r"$\{S = 9,\ 10,\ 11,\ \ldots\}$"
    assert family.as_data()["conditions"] == (sp.Ge(family.letter, 9),)
    assert list(family) == [family.letter]


# --- symbolic: never inadmissible ------------------------------------------------------------

a, b = symbols("a b")
c = symbols("c", nonnegative=True)


@st.composite
def symbolic_questions(draw):
    """A question mixing numbers and expressions in the symbols a, b (positive) and c (≥ 0)."""
    unknown = draw(st.sampled_from(UNKNOWNS))
    positive = st.one_of(st.integers(1, 5), st.sampled_from([a, b, a + 1, a + 3, 2 * a, a + b,
                                                             b + 2]))
    given_ = {}
    for name in PARAMETERS:
        if name == unknown:
            continue
        if name == "padding":
            given_[name] = draw(st.one_of(st.integers(0, 3), st.sampled_from([c, c + 1, a])))
        elif name == "stride":
            given_[name] = draw(st.one_of(st.integers(1, 3), st.just(b)))
        else:
            given_[name] = draw(positive)
    substitution = {a: sp.Integer(draw(st.integers(1, 9))), b: sp.Integer(draw(st.integers(1, 4))),
                    c: sp.Integer(draw(st.integers(0, 3)))}
    return unknown, given_, substitution


def holds_at(relation, substitution) -> bool:
    value = relation.xreplace(substitution)
    if value not in (sp.true, sp.false):
        value = value.doit()
    assert value in (sp.true, sp.false), f"{relation} is undecided at {substitution}"
    return bool(value)


@given(symbolic_questions())
# the one answer lies beyond the brute-force range: 2a(2a − 1) + 1 = 307 rows at a = 9
@example(("input", {"output": 1, "kernel_size": 2 * a, "stride": 1, "padding": 0,
                    "dilation": 2 * a}, {a: sp.Integer(9), b: sp.Integer(1), c: sp.Integer(0)}))
def test_symbolic_answers_are_never_inadmissible(question):
    """Under any substitution of the symbols, the symbolic answer states exactly the concrete
    one: a falsy answer means no value works, a value works exactly when its conditions hold,
    an interval holds exactly the values that work."""
    unknown, given_, sub = question
    found = solve_for(unknown, **given_)
    concrete = {k: int(sp.sympify(v).xreplace(sub)) for k, v in given_.items()}
    truth = brute(unknown, with_defaults(concrete))
    letter = found.letter
    if not found:
        assert found.reason
        assert truth == set(), f"{found!r}, but {truth} work at {sub}"
    elif found.value is None:  # numbers whatever the symbols
        assert set(found.values) == truth
    elif found.start is not None:  # a family, if the conditions on the others hold
        others = [r for r in found.conditions if letter not in r.free_symbols]
        expected = set(range(found.start, CAP + 1)) if all(
            holds_at(r, sub) for r in others) else set()
        assert truth == expected
    elif found.value == letter:  # an interval: every integer meeting the conditions
        # Each condition, once the other symbols are numbers, as a Python test of the letter.
        tests = [sp.lambdify(letter, r.xreplace(sub)) for r in found.conditions]
        stated = {x for x in range(MINIMUM[unknown], CAP + 1) if all(t(x) for t in tests)}
        assert stated == truth
    else:  # one value, admissible exactly when its conditions hold
        assert letter not in found.value.free_symbols
        if all(holds_at(r, sub) for r in found.conditions):
            value = found.value.xreplace(sub)
            assert value.is_Integer and value >= MINIMUM[unknown]
            if value > CAP:  # kernel 2a with dilation 2a spans 307 rows at a = 9: search there
                truth = brute(unknown, with_defaults(concrete), cap=int(value))
            assert truth == {int(value)}
        else:
            assert truth == set()


def test_symbolic_cases_of_the_issue():
    m, F = symbols("m F")
    negative = solve_for("kernel_size", input=m, output=m + 2)
    assert not negative and negative.value is None
    assert negative.reason.startswith("would need F = −1 < 1")
    fraction = solve_for("kernel_size", input=m + 4, output=m + 3, dilation=2)
    assert not fraction and fraction.reason == "would need F = 3/2, not an integer"
    # Dilation of a 1-wide kernel: no division by F − 1 = 0.
    assert repr(solve_for("dilation", input=m, output=m, kernel_size=1)) == "{D = 1, 2, 3, …}"
    none = solve_for("dilation", input=m, output=m + 1, kernel_size=1)
    assert not none and "ignores the dilation" in none.reason
    general = solve_for("dilation", input=m + 4, output=m, kernel_size=F)
    D = general.letter
    assert general.value == D and general.conditions == (sp.Eq(D * (F - 1), 4),)
    # A value that may or may not be admissible says when it is.
    same = solve_for("padding", input=m, output=m, kernel_size=F)
    assert same.value == (F - 1) / 2 and same.conditions
    size = solve_for("input", output=m, kernel_size=F, padding=symbols("q", nonnegative=True))
    assert size.conditions and all(isinstance(r, sp.Basic) for r in size.conditions)


def test_symbolic_strides_are_answered_as_intervals():
    o, S = symbols("o_1 S_1")
    found = solve_for("input", output=16, kernel_size=3, stride=S, padding=1)
    n = found.letter
    assert found.value == n and set(found.conditions) == {n >= 15 * S + 1, n <= 16 * S}
    assert repr(solve_for("padding", input=2 * o, output=o, kernel_size=3, stride=2)) == "{P = 1}"


# --- refusals -----------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: solve_for("padding", input=8, output=8, kernel_size=3, teapot=1),
     "teapot is not one of"),
    (lambda: solve_for("padding", input=8, output=8, kernel_size=0), "kernel_size must be a "
     "positive integer, got 0"),
    (lambda: solve_for("padding", input=8, output=8, kernel_size=3, dilation=-1),
     "dilation must be a positive integer, got -1"),
    (lambda: solve_for("stride", input=8, output=8, kernel_size=3, padding=-1),
     "padding must be a non-negative integer, got -1"),
    (lambda: solve_for("stride", input=8, output="8", kernel_size=3), "output must be"),
    (lambda: solve_for("stride", input=8, output=2.5, kernel_size=3), "output must be"),
    (lambda: solve_for("stride", input=symbols("S"), output=2, kernel_size=3),
     "input must not use the symbol S, which names the unknown stride"),
    (lambda: solve_for("kernel_size", input=10**1200, output=2), "integer_digits"),
])
def test_bad_questions_are_symproof_errors(call, message):
    with pytest.raises(SymproofError, match=message):
        call()


# --- enumerate_configs --------------------------------------------------------------------

ranges = st.fixed_dictionaries({}, optional={
    name: st.tuples(st.integers(low, low + 4), st.integers(0, 4)).map(
        lambda t: (t[0], t[0] + t[1]))
    for name, low in (("kernel_size", 1), ("stride", 1), ("padding", 0), ("dilation", 1))})


@given(st.integers(1, 25), st.integers(1, 25), ranges)
def test_enumerate_configs_is_the_grid_filtered(n, o, bounds):
    limits = {"kernel_size": (1, 7), "stride": (1, 4), "padding": (0, 3), "dilation": (1, 3),
              **bounds}
    grid = [dict(kernel_size=f, stride=s, padding=p, dilation=d)
            for f in range(limits["kernel_size"][0], limits["kernel_size"][1] + 1)
            for s in range(limits["stride"][0], limits["stride"][1] + 1)
            for p in range(limits["padding"][0], limits["padding"][1] + 1)
            for d in range(limits["dilation"][0], limits["dilation"][1] + 1)]
    expected = [g for g in grid if output(n, g["kernel_size"], g["stride"], g["padding"],
                                          g["dilation"]) == o]
    assert enumerate_configs(n, o, bounds) == expected


@pytest.mark.parametrize("args, message", [
    ((0, 3), "input must be a positive integer"),
    ((8, -1), "output must be a positive integer"),
    (("8", 3), "input must be a positive integer"),
    ((8.0, 3), "input must be a positive integer"),
    ((True, 3), "input must be a positive integer"),
    ((symbols("m"), 3), "enumerate_configs needs numbers"),
    ((8, 8, {"kernel": (1, 3)}), "ranges must map"),
    ((8, 8, [("kernel_size", (1, 3))]), "ranges must be a dict"),
    ((8, 8, {"kernel_size": (1, 3, 5)}), r"ranges\['kernel_size'\] must be a pair"),
    ((8, 8, {"kernel_size": 3}), r"ranges\['kernel_size'\] must be a pair"),
    ((8, 8, {"kernel_size": "13"}), r"ranges\['kernel_size'\] must be a pair"),
    ((8, 8, {"kernel_size": (5, 3)}), r"must have low ≤ high, got \(5, 3\)"),
    ((8, 8, {"kernel_size": (-5, 3)}), r"ranges\['kernel_size'\] low must be a positive "
                                       "integer.*got -5"),
    ((8, 8, {"padding": (-1, 3)}), r"low must be a non-negative integer.*got -1"),
    ((8, 8, {"stride": (0, 3)}), r"ranges\['stride'\] low must be a positive integer"),
    ((8, 8, {"dilation": (1, 2.5)}), r"ranges\['dilation'\] high must be a positive integer"),
    ((8, 8, {"stride": (1, None)}), "high must be a positive integer"),
])
def test_enumerate_configs_refuses_bad_input(args, message):
    with pytest.raises(ParameterError, match=message):
        enumerate_configs(*args)


def test_enumerate_configs_checks_the_grid_before_any_work():
    started = time.perf_counter()
    with pytest.raises(TooLargeError, match=r"enumerate_configs .* over the limit search_space "
                                            r"= 1,000,000 \(raise it with --limit"):
        enumerate_configs(10**9, 1, {"kernel_size": (1, 10**9)})
    with pytest.raises(TooLargeError, match="more than 10"):
        enumerate_configs(5, 1, {"kernel_size": (1, 10**300), "stride": (1, 10**300)})
    assert time.perf_counter() - started < 5  # refused before allocating 10^9 rows
    wide = {"kernel_size": (1, 50), "stride": (1, 50), "padding": (0, 49), "dilation": (1, 10)}
    with pytest.raises(TooLargeError):
        enumerate_configs(64, 32, wide)  # 1,250,000 configurations
    with raised(search_space=2_000_000):
        found = enumerate_configs(64, 32, wide)
    assert found and all(output(64, c["kernel_size"], c["stride"], c["padding"],
                                c["dilation"]) == 32 for c in found)


def test_enumerate_configs_with_huge_values_stays_exact():
    found = enumerate_configs(10**300, 1, {"kernel_size": (10**300, 10**300 + 2),
                                           "stride": (1, 1), "dilation": (1, 1)})
    assert found == [dict(kernel_size=10**300, stride=1, padding=0, dilation=1),
                     dict(kernel_size=10**300 + 2, stride=1, padding=1, dilation=1)]


# --- the pooling padding rule, in one place ----------------------------------------------

@given(st.integers(1, 8), st.integers(0, 6), st.integers(1, 3), st.booleans())
def test_pool_padding_rule_is_the_same_everywhere(f, p, d, ceil):
    n = 40  # large enough for every window here
    if 2 * p <= f:
        assert pool_output_size(n, f, 1, p, d, ceil_mode=ceil) == MaxPool2d(
            f, 1, p, d, ceil_mode=ceil).output_shape(1, n, n)[1]
        return
    messages = set()
    for build in (lambda: pool_output_size(n, f, 1, p, d, ceil_mode=ceil),
                  lambda: MaxPool2d(f, 1, p, d, ceil_mode=ceil),
                  lambda: AvgPool2d(f, 1, p, ceil_mode=ceil)):
        with pytest.raises(ParameterError) as refused:
            build()
        messages.add(str(refused.value))
    assert messages == {f"padding must be at most half the kernel size (2P <= f, f = {f}) for "
                        f"pooling, as PyTorch requires, got {p}"}


def test_pool_padding_rule_on_symbols_and_the_dilated_span():
    k = symbols("k")
    q = symbols("q", nonnegative=True)
    assert pool_output_size(symbols("m"), k, k, q) is not None  # undecided: allowed
    with pytest.raises(ParameterError, match="at most half the kernel size"):
        pool_output_size(20, 2, 1, 2, dilation=3)  # the kernel itself, not the span 4
    with pytest.raises(ParameterError, match="at most half the kernel size"):
        pool_output_size(20, k, 1, k + 1)
