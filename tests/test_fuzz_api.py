"""Hostile input to every public Python entry point: only ``symproof`` errors may escape.

Each property draws arguments that a careless or malicious caller could pass (wrong types,
None, bools, NaN, enormous integers, code in strings, SymPy objects of the wrong kind, ragged
lists, object arrays, odd dtypes, 0-d/5-d/empty arrays, non-contiguous views) and checks that
the call either works or raises a :class:`~symproof.errors.SymproofError`: never a TypeError
from deep inside NumPy or SymPy, never a hang, never a file written. The other tests pin the
promises that go with it: integer inputs are computed exactly (an ``int8`` input never wraps
around), the numbers agree with PyTorch in float64, NaN and inf behave as in PyTorch, and the
errors name the parameter.
"""

from __future__ import annotations

import inspect
import os
import signal
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import symproof
from symproof import (
    MLP,
    Activation,
    AvgPool2d,
    Conv1d,
    Conv2d,
    ConvTranspose2d,
    LeakyReLU,
    Linear,
    MaxOver,
    MaxPool2d,
    NoSolutionError,
    ParameterError,
    ReLU,
    Sequential,
    ShapeError,
    Sigmoid,
    SymproofError,
    Tanh,
    TooLargeError,
    backprop,
    calculus,
    receptive_field,
    symbols,
    synthesize,
)
from symproof import notation as nt
from symproof.backprop import derive, jacobian
from symproof.notation import X, i, j

SLOW_CALL = 20.0  # seconds: one call taking longer counts as a hang

# --- the harness ---------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def empty_working_directory(tmp_path_factory):
    """Every call runs in an empty directory, so that any file it writes is seen."""
    previous = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("fuzz"))
    yield
    os.chdir(previous)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """PyTorch's thread pool costs milliseconds per call on these tiny tensors (measured 15 ms
    for a 4×5 conv with two threads, 4 µs with one): one thread for this module."""
    try:
        import torch
    except ImportError:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"a call took more than {SLOW_CALL} s")


def only_symproof_errors(call, *args, **kwargs):
    """Run ``call``: it may return or raise a SymproofError, nothing else; it must not hang
    nor leave a file behind. Returns the result, or the SymproofError raised."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SLOW_CALL)
    start = time.perf_counter()
    try:
        result = call(*args, **kwargs)
    except SymproofError as error:
        assert str(error), "a symproof error must say what went wrong"
        result = error
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.perf_counter() - start < SLOW_CALL
    written = [name for name in os.listdir(".") if name != ".hypothesis"]  # its example database
    assert written == [], f"the call wrote {written}"
    return result


# --- hostile values ------------------------------------------------------------------------

CODE = "__import__('os').system('touch pwned')"
k_sym = sp.Symbol("k", integer=True, positive=True)
SYMPY_VALUES = [
    sp.Symbol("x"), k_sym, sp.Symbol("P", integer=True, nonnegative=True),
    symbols("l"), sp.oo, -sp.oo, sp.nan, sp.zoo, sp.I, sp.Rational(1, 2), sp.Float(2.5),
    sp.Integer(3), sp.Integer(0), sp.Integer(-2), sp.Integer(10**5000),
    sp.Pow(2, 10**9, evaluate=False), X[1, i, j], sp.Max(0, X[1, i, j]), sp.sin(X[1, i, j]),
    sp.Sum(X[1, i + k_sym, j], (k_sym, 1, 10**9)), sp.Eq(sp.Symbol("x"), 1), sp.true,
    sp.Matrix([1, 2]), sp.MatrixSymbol("M", 2, 2), sp.Function("f")(sp.Symbol("x")),
    sp.Function(CODE)(sp.Symbol("x")), nt.w, X, sp.Tuple(1, 2), sp.Interval(0, 1),
]

def sampled(values: list):
    """``sampled_from`` without ever printing the values into the strategy's repr (Python
    refuses to print an integer of 5,000 digits)."""
    def pick(n):
        return values[n]

    return st.integers(0, len(values) - 1).map(pick)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.integers(-(2**70), 2**70),
    sampled([10**5000, -(10**5000), 2**63, 2**64 - 1, 0, -1, 1, 3]),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(max_magnitude=1e3),
    st.fractions(max_denominator=7), st.text(max_size=8),
    st.sampled_from([CODE, "3", "x", "", "1e400", "nan", "relu", "sigma", "numerator",
                     "A_1", "x" * 200, "٣"]),
    st.binary(max_size=4), sampled(SYMPY_VALUES),
    st.sampled_from([np.int8(100), np.uint8(200), np.float16(1.5), np.bool_(True),
                     np.int64(-(2**63)), np.float64("nan"), np.complex64(1j)]),
    st.just(object()), st.just({}), st.just(set()),
)

DTYPES = [np.int8, np.uint8, np.int16, np.int32, np.uint64, np.int64, np.bool_, np.float16,
          np.float32, np.float64, np.complex64, np.complex128]


@st.composite
def numeric_arrays(draw, min_dims=0, max_dims=5):
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=4))
    array = draw(hnp.arrays(dtype, shape))
    if array.ndim and draw(st.booleans()):  # a non-contiguous view
        array = array[..., ::2] if draw(st.booleans()) else np.swapaxes(array, 0, -1)
    return array


def _object_array(values: list) -> np.ndarray:
    array = np.empty((1, 1, len(values)), dtype=object)
    array[0, 0, :] = values
    return array


object_arrays = st.lists(st.one_of(scalars, st.fractions()), min_size=1, max_size=12).map(
    _object_array)

nested = st.recursive(
    st.one_of(st.integers(-5, 5), st.floats(-5, 5), scalars),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children),
    max_leaves=24)

hostile = st.one_of(scalars, numeric_arrays(), object_arrays, nested,
                    st.dictionaries(st.text(max_size=3), scalars, max_size=2))


@st.composite
def good_arrays(draw, shape, dtype=None):
    """Finite numbers of a random dtype (mostly the awkward ones) and the given shape."""
    dtype = dtype or draw(st.sampled_from(DTYPES))
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        elements = st.integers(max(info.min, -100), min(info.max, 100))
    elif np.dtype(dtype).kind == "b":
        elements = st.booleans()
    elif np.dtype(dtype).kind == "c":
        elements = st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False)
    else:
        elements = st.floats(-10, 10, width=np.finfo(dtype).bits)
    return draw(hnp.arrays(dtype, shape, elements=elements))


def maybe(strategy, good):
    """Mostly hostile, sometimes a good value, so that later arguments are reached too."""
    return st.one_of(strategy, st.just(good), st.just(good))


# --- layers: construction and the symbolic methods -----------------------------------------

CONSTRUCTORS = {
    Conv1d: ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
             "groups", "bias"),
    Conv2d: ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
             "groups", "bias"),
    ConvTranspose2d: ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                      "output_padding", "groups", "bias", "dilation"),
    AvgPool2d: ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
    MaxPool2d: ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    Linear: ("in_features", "out_features", "bias"),
    MLP: ("widths", "activation"),
    Activation: ("name", "nondecreasing", "function"),
    LeakyReLU: ("negative_slope",),
}
GOOD = {"in_channels": 1, "out_channels": 2, "kernel_size": 2, "stride": 1, "padding": 0,
        "dilation": 1, "bias": True, "output_padding": 0, "ceil_mode": False,
        "count_include_pad": True, "in_features": 2, "out_features": 1, "widths": (2, 3, 1),
        "activation": "relu", "name": "sigma", "nondecreasing": False, "function": None,
        "negative_slope": 0.01, "groups": 1}


@given(st.sampled_from(sorted(CONSTRUCTORS, key=lambda c: c.__name__)), st.data())
def test_layer_constructors(layer, data):
    kwargs = {name: data.draw(maybe(hostile, GOOD[name]), label=name)
              for name in CONSTRUCTORS[layer]}
    built = only_symproof_errors(layer, **kwargs)
    if not isinstance(built, SymproofError):
        only_symproof_errors(repr, built)
        only_symproof_errors(built.to_latex)


LAYERS = [
    Conv2d(1, 2, 3, padding=1), Conv2d(2, 1, (2, 3), stride=2, dilation=(1, 2), bias=False),
    Conv2d(1, 1, symbols("F"), stride=symbols("S"), padding=symbols("P", nonnegative=True)),
    ConvTranspose2d(1, 2, 3, stride=2, padding=1, output_padding=1),
    AvgPool2d(2), AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    MaxPool2d(2, padding=1, dilation=2, ceil_mode=True), MaxPool2d(symbols("k")),
    Linear(2, 3), Linear(symbols("n"), 1, bias=False), MLP((2, 3, 1), "relu"),
    MLP((symbols("n"), 2), "sigma"), ReLU(), Sigmoid(), Tanh(), LeakyReLU(0.1), Activation(),
    Activation("f", function=np.abs), Sequential(Conv2d(1, 1, 3, padding=1), ReLU(),
                                                 MaxPool2d(2)),
    Conv1d(2, 4, 3, padding=1, groups=2), Conv2d(4, 4, 3, groups=4, bias=False),
    ConvTranspose2d(4, 2, 2, stride=2, groups=2),
]


@given(st.sampled_from(LAYERS), st.lists(hostile, max_size=5))
def test_output_shape(layer, shape):
    only_symproof_errors(layer.output_shape, *shape)


@given(st.sampled_from(LAYERS), st.lists(maybe(hostile, 1), max_size=4), hostile, hostile)
def test_element_equation_and_latex(layer, index, flag, size):
    element = getattr(layer, "element", None)
    if element is not None:
        positional = [p for p in inspect.signature(element).parameters.values()
                      if p.kind in (p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
        many = len(index) if positional[-1].kind is positional[-1].VAR_POSITIONAL else len(
            positional)
        only_symproof_errors(element, *index[:many])
        if "padded" in element.__code__.co_varnames:
            only_symproof_errors(element, padded=flag)
        if "input_size" in element.__code__.co_varnames:
            only_symproof_errors(element, input_size=size)
    if "padded" in layer.equation.__code__.co_varnames:
        only_symproof_errors(layer.equation, flag)
    only_symproof_errors(layer.to_latex, inline=flag)
    only_symproof_errors(layer.to_latex, padded_coordinates=flag)
    if isinstance(layer, AvgPool2d):
        only_symproof_errors(layer.divisor, *index[:2])
        only_symproof_errors(layer.divisor, 1, 1, size)


# --- evaluate ------------------------------------------------------------------------------

CONCRETE = [layer for n, layer in enumerate(LAYERS) if n not in (2, 7, 9, 11, 18)]


def good_parameters(layer, x_shape):
    """Arguments that ``layer.evaluate`` accepts, for the good-value branch."""
    if isinstance(layer, (Conv1d, Conv2d, ConvTranspose2d)):  # their spec states the shapes
        shapes = layer.parameter_shapes
        weight = np.ones(tuple(int(n) for n in shapes["w"]))
        return [weight, np.zeros(int(layer.out_channels)) if layer.bias else None]
    if isinstance(layer, Linear):
        return [np.ones((int(layer.out_features), int(layer.in_features))),
                np.zeros(int(layer.out_features)) if layer.bias else None]
    if isinstance(layer, MLP):
        return [[np.ones((int(b), int(a))) for a, b in zip(layer.widths, layer.widths[1:])],
                [np.zeros(int(b)) for b in layer.widths[1:]]]
    return []


@given(st.sampled_from(CONCRETE), st.data())
def test_evaluate(layer, data):
    x_shape = {Linear: (2,), MLP: (2,), Conv1d: (2, 6)}.get(
        type(layer), (int(getattr(layer, "in_channels", 1)), 5, 6))
    good_x = data.draw(good_arrays(x_shape), label="good x")
    x = data.draw(maybe(hostile, good_x), label="x")
    extra = [data.draw(maybe(hostile, good), label="parameter")
             for good in good_parameters(layer, x_shape)]
    only_symproof_errors(layer.evaluate, x, *extra)


@given(st.sampled_from([Conv2d(1, 1, 2, padding=1), AvgPool2d(2), MaxPool2d(2), ReLU(),
                        Linear(3, 2), ConvTranspose2d(1, 1, 2, stride=2)]),
       numeric_arrays(min_dims=0, max_dims=5))
def test_evaluate_odd_arrays(layer, x):
    extra = good_parameters(layer, x.shape)
    only_symproof_errors(layer.evaluate, x, *extra)


@given(hostile, st.lists(hostile, max_size=3))
def test_sequential_and_receptive_field(layer, parameters):
    only_symproof_errors(Sequential, layer)
    only_symproof_errors(Sequential, Conv2d(1, 1, 3), layer)
    only_symproof_errors(receptive_field, layer)
    only_symproof_errors(receptive_field, Sequential(Conv2d(1, 1, 3), MaxPool2d(2)), layer)
    net = Sequential(Conv2d(1, 1, 3), ReLU())
    only_symproof_errors(net.evaluate, np.ones((1, 4, 4)), *parameters)
    only_symproof_errors(net.evaluate, layer, (np.ones((1, 1, 3, 3)), [0.0]), ())


# --- MaxOver, synthesis, backprop ----------------------------------------------------------

@given(hostile, st.lists(st.one_of(hostile, st.tuples(maybe(hostile, k_sym), hostile, hostile)),
                         max_size=2))
def test_max_over(function, limits):
    made = only_symproof_errors(MaxOver, function, *limits)
    if not isinstance(made, SymproofError):
        only_symproof_errors(made.doit)
    made = only_symproof_errors(MaxOver, X[1, k_sym, 1], (k_sym, 1, function))
    if not isinstance(made, SymproofError):
        only_symproof_errors(made.doit)


WRAPPERS = [sp.Max, sp.Min, sp.Abs, sp.exp, sp.sin, sp.floor, sp.sqrt, sp.log,
            lambda e: e**2, lambda e: 1 / e, lambda e: e * X[1, i, j], lambda e: e * nt.w[1],
            lambda e: sp.Piecewise((e, i > 2), (0, True)), lambda e: e * i,
            lambda e: sp.Function("f")(e), lambda e: e + sp.nan, lambda e: sp.I * e]


@st.composite
def targets(draw):
    """Linear stencils, sometimes wrapped in something non-linear or otherwise wrong."""
    terms = draw(st.lists(st.tuples(st.integers(1, 2), st.integers(-3, 3), st.integers(-3, 3),
                                    st.integers(-4, 4)), min_size=0, max_size=3))
    target = sum((c * X[g, i + r, j + s] for g, r, s, c in terms), sp.S.Zero)
    target += draw(st.sampled_from([0, 1, sp.Rational(1, 2), sp.Symbol("c")]))
    if draw(st.booleans()):
        wrap = draw(st.sampled_from(WRAPPERS))
        target = wrap(target) if wrap not in (sp.Max, sp.Min) else wrap(0, target)
    if draw(st.booleans()):
        target = target + draw(sampled(SYMPY_VALUES[:20]))
    return target


SYNTH_LAYERS = [Conv2d(1, 1, 3, padding=1), Conv2d(2, 2, 3, padding=1),
                Conv2d(1, 1, 3, stride=2, padding=1, bias=False),
                Conv2d(1, 1, symbols("F"), padding=symbols("P", nonnegative=True))]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SYNTH_LAYERS), st.data())
def test_synthesize(layer, data):
    count = int(layer.out_channels)
    chosen = data.draw(st.one_of(st.lists(targets(), min_size=count, max_size=count),
                                 st.lists(maybe(hostile, X[1, i, j]), min_size=count,
                                          max_size=count), hostile), label="targets")
    size = data.draw(maybe(hostile, None), label="input_size")
    found = only_symproof_errors(synthesize, layer, chosen, size)
    if not isinstance(found, SymproofError) and found.ok:
        if layer.kernel_size[0].is_Integer:
            only_symproof_errors(found.kernel, data.draw(maybe(hostile, 1)), 1)
            only_symproof_errors(found.evaluate_target,
                                 data.draw(maybe(hostile, np.ones((1, 5, 5)))))
        index = data.draw(st.lists(maybe(hostile, 1), min_size=4, max_size=4), label="index")
        only_symproof_errors(found.weight, *index)
        only_symproof_errors(found.bias, index[0])
        only_symproof_errors(found.target, *index[:3])
        only_symproof_errors(found.realised, *index[:3])
    only_symproof_errors(synthesize, data.draw(hostile, label="layer"), [X[1, i, j]])


MLP_VALUES = {"x": [1.0, 2.0], "weights": [np.eye(2), [[1.0, -1.0]]], "biases": [[0, 0], [0]]}


@given(st.data())
def test_jacobian_and_derive(data):
    mlp = data.draw(maybe(hostile, MLP((2, 2, 1), "relu")), label="mlp")
    wrt = data.draw(maybe(hostile, "A_1"), label="wrt")
    values = {key: data.draw(maybe(hostile, good), label=key) for key, good in MLP_VALUES.items()}
    if data.draw(st.booleans()):
        values = data.draw(hostile, label="values")
    layout = data.draw(maybe(hostile, "numerator"), label="layout")
    with warnings.catch_warnings():  # the deprecated form (wrt="A_1", values={…}) warns
        warnings.simplefilter("ignore", DeprecationWarning)
        only_symproof_errors(jacobian, mlp, wrt, values, layout)
    structured = data.draw(maybe(hostile, ("A", 1)), label="structured wrt")
    arrays = {key: data.draw(maybe(hostile, good), label=f"{key}=")
              for key, good in MLP_VALUES.items()}
    only_symproof_errors(jacobian, mlp, structured, layout=layout, **arrays)
    x = sp.Symbol("x")
    only_symproof_errors(jacobian, data.draw(maybe(hostile, x**2)), [x], {x: data.draw(hostile)})
    only_symproof_errors(derive, data.draw(maybe(hostile, "sigma")),
                         data.draw(maybe(hostile, "numerator")))


@given(hostile, hostile, hostile)
def test_calculus_and_backprop_helpers(value, i_, j_):
    n_ = symbols("n")
    matrix = sp.MatrixSymbol("A", n_, n_) * sp.MatrixSymbol("x", n_, 1)
    only_symproof_errors(calculus.entry, value, i_, j_)
    only_symproof_errors(calculus.entry, matrix, i_, j_)
    only_symproof_errors(calculus.d_entry, value, i_)
    only_symproof_errors(calculus.Elementwise, value, matrix)
    only_symproof_errors(calculus.jacobian_of_layer, value, matrix, i_, j_, "sigma")
    only_symproof_errors(backprop.index_derivative, "dyl/dyl-1", i_, j_, value)
    only_symproof_errors(backprop.check_formula, value, i_)
    only_symproof_errors(backprop.verify_exact, value)
    only_symproof_errors(receptive_field(Conv2d(1, 1, 3)).rows, value)


# --- the rest of symproof.__all__ ------------------------------------------------------------

OTHERS = {  # name: (required positional arguments, optional ones, keywords)
    "conv_output_size": (2, 3, ()), "pool_output_size": (2, 4, ()),
    "transposed_output_size": (2, 4, ()), "tiles_exactly": (2, 3, ()),
    "enumerate_configs": (2, 1, ()), "solve_for": (1, 0, ("input", "output", "kernel_size",
                                                          "stride", "padding", "dilation")),
    "symbols": (1, 0, ("nonnegative",)), "Proof": (3, 0, ("assumptions", "parameters")),
}


@pytest.mark.parametrize("name", sorted(OTHERS))
@given(data=st.data())
def test_the_rest_of_the_public_api(name, data):
    required, optional, keywords = OTHERS[name]
    arguments = data.draw(st.lists(maybe(hostile, 3), min_size=required,
                                   max_size=required + optional), label="arguments")
    chosen = data.draw(st.lists(st.sampled_from(keywords), unique=True) if keywords
                       else st.just([]), label="keywords")
    given_ = {key: data.draw(maybe(hostile, 3), label=key) for key in chosen}
    only_symproof_errors(getattr(symproof, name), *arguments, **given_)


def test_every_public_name_is_fuzzed():
    covered = {c.__name__ for c in CONSTRUCTORS} | set(OTHERS) | {
        "ReLU", "Sigmoid", "Tanh", "MaxOver", "synthesize", "Sequential", "receptive_field",
        "prove", "divides", "Context", "Derivation", "Problem", "Parameter"}
    not_entry_points = {"Status", "__version__"} | {
        name for name in symproof.__all__ if name.endswith("Error")}
    assert set(symproof.__all__) - not_entry_points <= covered


# --- exact numbers -------------------------------------------------------------------------

def test_int8_conv_does_not_wrap_around():
    x = np.full((1, 3, 3), 100, dtype=np.int8)
    out = Conv2d(1, 1, 2, bias=False).evaluate(x, np.full((1, 1, 2, 2), 2, dtype=np.int8))
    assert out.dtype == np.int64 and (out == 800).all()


def _exact_conv(layer, x, weight, bias):
    """The layer on Python ints (object arrays): the reference for exactness."""
    to_object = np.vectorize(int, otypes=[object])
    return layer.evaluate(to_object(x), to_object(weight),
                          None if bias is None else to_object(bias))


@st.composite
def small_int_case(draw, transposed=False):
    dtype = draw(st.sampled_from([np.int8, np.int16, np.uint8, np.bool_]))
    c_in, c_out, f = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 3))
    stride, padding = draw(st.integers(1, 2)), draw(st.integers(0, 1))
    h, w = draw(st.integers(f, 5)), draw(st.integers(f, 5))
    x = draw(good_arrays((c_in, h, w), dtype))
    shape = (c_in, c_out, f, f) if transposed else (c_out, c_in, f, f)
    weight = draw(good_arrays(shape, dtype))
    bias = draw(st.one_of(st.none(), good_arrays((c_out,), dtype)))
    return (c_in, c_out, f, stride, padding), x, weight, bias


@given(small_int_case())
def test_small_integer_dtypes_conv_exactly(torch, case):
    (c_in, c_out, f, stride, padding), x, weight, bias = case
    layer = Conv2d(c_in, c_out, f, stride=stride, padding=padding, bias=bias is not None)
    ours = layer.evaluate(x, weight, bias)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours, layer.evaluate(
        x.astype(np.int64), weight.astype(np.int64),
        None if bias is None else bias.astype(np.int64)))
    np.testing.assert_array_equal(ours, _exact_conv(layer, x, weight, bias).astype(np.int64))
    reference = torch.nn.functional.conv2d(
        torch.tensor(x.astype(float)[None]), torch.tensor(weight.astype(float)),
        None if bias is None else torch.tensor(bias.astype(float)), stride, padding)[0].numpy()
    np.testing.assert_array_equal(ours, reference)


@given(small_int_case(transposed=True))
def test_small_integer_dtypes_conv_transpose_exactly(torch, case):
    (c_in, c_out, f, stride, padding), x, weight, bias = case
    padding = min(padding, (f - 1) // 2)
    layer = ConvTranspose2d(c_in, c_out, f, stride=stride, padding=padding,
                            bias=bias is not None)
    ours = layer.evaluate(x, weight, bias)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours, _exact_conv(layer, x, weight, bias).astype(np.int64))
    reference = torch.nn.functional.conv_transpose2d(
        torch.tensor(x.astype(float)[None]), torch.tensor(weight.astype(float)),
        None if bias is None else torch.tensor(bias.astype(float)), stride, padding)[0].numpy()
    np.testing.assert_array_equal(ours, reference)


@given(st.sampled_from([np.int8, np.int16, np.uint8, np.bool_]), st.data())
def test_small_integer_dtypes_linear_pool_and_activations(torch, dtype, data):
    x = data.draw(good_arrays((2, 4, 4), dtype))
    weight = data.draw(good_arrays((3, 4), dtype))
    wide = x.astype(np.int64)
    linear = Linear(4, 3, bias=False).evaluate(x, weight)
    assert linear.dtype == np.int64
    np.testing.assert_array_equal(linear, wide @ weight.astype(np.int64).T)
    for pool, reference in ((MaxPool2d(2), torch.nn.functional.max_pool2d),
                            (AvgPool2d(2), torch.nn.functional.avg_pool2d)):
        ours = pool.evaluate(x)
        np.testing.assert_array_equal(ours, pool.evaluate(wide))
        np.testing.assert_array_equal(ours, reference(torch.tensor(x.astype(float)), 2).numpy())
    for activation in (ReLU(), LeakyReLU(0.5), Sigmoid(), Tanh()):
        np.testing.assert_array_equal(activation.evaluate(x), activation.evaluate(wide))


def test_int64_overflow_falls_back_to_exact_python_ints():
    big = 2**62
    x = np.full((1, 2, 2), big, dtype=np.int64)
    out = Conv2d(1, 1, 2).evaluate(x, np.full((1, 1, 2, 2), 3, dtype=np.int64), [1])
    assert out.dtype == object and out[0, 0, 0] == 12 * big + 1  # int64 would have wrapped
    huge = np.array([[[2**64 - 1]]], dtype=np.uint64)
    assert Conv2d(1, 1, 1, bias=False).evaluate(huge, [[[[2]]]])[0, 0, 0] == 2**65 - 2
    assert MaxPool2d(1).evaluate(huge)[0, 0, 0] == 2**64 - 1  # not rounded through float64
    assert Linear(2, 1, bias=False).evaluate([2**40, 1], [[2**40, 0]])[0] == 2**80


def test_exact_fractions_stay_exact():
    x = np.array([[[Fraction(1, 3), 2], [sp.Rational(1, 7), 1]]], dtype=object)
    out = Conv2d(1, 1, 2, bias=False).evaluate(x, [[[[1, 1], [1, 1]]]])
    assert out[0, 0, 0] == Fraction(1, 3) + 2 + Fraction(1, 7) + 1
    assert AvgPool2d(2).evaluate(x)[0, 0, 0] == (Fraction(1, 3) + 2 + Fraction(1, 7) + 1) / 4


@given(st.data())
def test_nan_and_inf_follow_pytorch(torch, data):
    x = data.draw(hnp.arrays(np.float64, (1, 4, 5), elements=st.sampled_from(
        [np.nan, np.inf, -np.inf, 0.0, 1.5, -2.0])))
    weight = data.draw(hnp.arrays(np.float64, (2, 1, 2, 2), elements=st.floats(-2, 2)))
    tx = torch.tensor(x[None])
    pairs = [
        (Conv2d(1, 2, 2, padding=1, bias=False).evaluate(x, weight),
         torch.nn.functional.conv2d(tx, torch.tensor(weight), None, 1, 1)[0]),
        (MaxPool2d(2, padding=1).evaluate(x), torch.nn.functional.max_pool2d(tx, 2, 2, 1)[0]),
        (AvgPool2d(2, padding=1).evaluate(x), torch.nn.functional.avg_pool2d(tx, 2, 2, 1)[0]),
        (ReLU().evaluate(x), torch.relu(tx)[0]), (Sigmoid().evaluate(x), torch.sigmoid(tx)[0]),
        (Tanh().evaluate(x), torch.tanh(tx)[0]),
        (LeakyReLU(0.5).evaluate(x), torch.nn.functional.leaky_relu(tx, 0.5)[0]),
    ]
    for ours, reference in pairs:
        np.testing.assert_allclose(ours, reference.numpy(), rtol=1e-12, atol=1e-12,
                                   equal_nan=True)


def test_complex_is_linear_only(torch):
    x = np.array([[[1 + 2j, 3], [0, 1j]]])
    out = Conv2d(1, 1, 1, bias=False).evaluate(x, [[[[2]]]])
    np.testing.assert_array_equal(out, 2 * x)
    np.testing.assert_array_equal(AvgPool2d(2).evaluate(x), [[[(4 + 3j) / 4]]])
    for layer in (MaxPool2d(2), ReLU()):
        with pytest.raises(ShapeError, match="x must hold real numbers"):
            layer.evaluate(x)


# --- the cases of the issue, with their messages ---------------------------------------------

@pytest.mark.parametrize("x, message", [
    (np.array([[["a", "b"]]], dtype=object), "x must hold numbers (int, float, Fraction), got "
                                             "the text 'a' at x[0, 0, 0]"),
    (np.array([[[None]]], dtype=object), "x must hold numbers (int, float, Fraction), got None"),
    (np.array([[[sp.Symbol("z")]]], dtype=object), "x must hold numbers, got the SymPy object z"),
    ([[[1, 2], [3]]], "x must be a rectangular array (nested lists of equal lengths), got a "
                      "ragged nested list"),
    ([[1, 2], [3, 4]], "x must have 3 or 4 dimensions, got shape (2, 2)"),
    (np.zeros((1, 3, 3), dtype="datetime64[s]"), "x must hold numbers, got dtype datetime64[s]"),
    (CODE, "x must be an array of numbers (a NumPy array or nested lists), got the text"),
    (np.ma.masked_array(np.ones((1, 3, 3))), "x must be a plain array"),
])
def test_bad_arrays_name_the_parameter(x, message):
    with pytest.raises(ShapeError) as caught:
        Conv2d(1, 1, 2).evaluate(x, np.ones((1, 1, 2, 2)), [0.0])
    assert message in str(caught.value)


def test_bad_weights_and_biases_name_the_parameter():
    x = np.ones((1, 3, 3))
    with pytest.raises(ShapeError, match="weight must be a rectangular array"):
        Conv2d(1, 1, 2).evaluate(x, [[[[1, 2], [3]]]], [0.0])
    with pytest.raises(ShapeError, match=r"bias must hold numbers .* at bias\[0\]"):
        Conv2d(1, 1, 2).evaluate(x, np.ones((1, 1, 2, 2)), np.array(["0"], dtype=object))
    with pytest.raises(ShapeError, match=r"weight must have shape .*layer 2 of the MLP"):
        MLP((2, 2, 1), "relu").evaluate([1, 2], [np.eye(2), np.ones((2, 2))], [[0, 0], [0]])


@pytest.mark.parametrize("layer, what", [
    (Conv2d(1, 1, 2, padding=10**6), "the input x with its padding (rows (1000000, 1000000), "
                                     "columns (1000000, 1000000) added: shape (1, 2000003, "
                                     "2000003)) has 4,000,012,000,009 elements"),
    (Conv2d(1, 1, 2, padding=10**900), "columns (~10^900, ~10^900) added: shape (1, ~10^900, "
                                       "~10^900)) has more than 10^30 elements"),
    (MaxPool2d(10**5, stride=1, padding=5 * 10**4), "the input x with its padding"),
])
def test_huge_padding_is_refused_before_any_allocation(layer, what):
    kernel = int(layer.kernel_size[0])
    extra = ([np.ones((1, 1, kernel, kernel)), [0.0]] if isinstance(layer, Conv2d) else [])
    start = time.perf_counter()
    with pytest.raises(TooLargeError) as caught:
        layer.evaluate(np.ones((1, 3, 3)), *extra)
    assert time.perf_counter() - start < 1
    assert what in str(caught.value) and "array_elements" in str(caught.value)


def test_huge_work_is_refused():
    with pytest.raises(TooLargeError, match="multiply-adds"):
        Conv2d(1, 1000, 20).evaluate(np.zeros((1, 200, 200)), np.zeros((1000, 1, 20, 20)),
                                     np.zeros(1000))
    with pytest.raises(TooLargeError, match="multiply-adds"):
        ConvTranspose2d(1, 1, 2000).evaluate(np.zeros((1, 1, 1)), np.zeros((1, 1, 2000, 2000)),
                                             [0.0])
    exact = np.full((1, 300, 300), Fraction(1, 3), dtype=object)  # ~3 µs per Fraction product
    with pytest.raises(TooLargeError, match="for exact arithmetic on Python numbers"):
        Conv2d(1, 1, 5).evaluate(exact, np.ones((1, 1, 5, 5), dtype=object), [0])


@pytest.mark.parametrize("part", [
    sp.Max(0, X[1, i, j]), sp.Abs(X[1, i + 1, j]), sp.exp(X[1, i, j]), sp.sin(X[1, i, j]),
    X[1, i, j] ** 2, sp.sqrt(X[1, i, j]), sp.Function("f")(X[1, i, j]),
])
def test_synthesize_refuses_non_linear_targets_naming_the_part(part):
    with pytest.raises(ParameterError) as caught:
        synthesize(Conv2d(1, 1, 3, padding=1), [X[1, i, j] + part])
    message = str(caught.value)
    assert message.startswith("targets[0] must be linear in X: a linear combination")
    assert f"its part {part} is not" in message


@pytest.mark.parametrize("target, message", [
    (X[1, i, j] * X[1, i + 1, j], "multiplies entries"),
    (nt.w[1] * X[1, i, j], "reads w[1], which is not an entry of X"),
    (X[1, i, j] + sp.nan, "must have finite real coefficients"),
    (sp.I * X[1, i, j], "must have finite real coefficients"),
    (X[1, sp.nan, j], "must index X with finite integer expressions"),
    (X[1, X[1, i, j], j], "must index X with finite integer expressions"),
])
def test_synthesize_refuses_other_bad_targets(target, message):
    with pytest.raises(ParameterError, match="targets\\[0\\]") as caught:
        synthesize(Conv2d(1, 1, 3, padding=1), [target])
    assert message in str(caught.value)


def test_synthesize_refuses_huge_sums_before_expanding():
    huge = sp.Sum(X[1, i, j], (k_sym, 1, 10**9))
    with pytest.raises(TooLargeError, match="targets\\[0\\]"):
        synthesize(Conv2d(1, 1, 3, padding=1), [huge])
    found = synthesize(Conv2d(1, 1, 3, padding=1), [sp.Sum(X[1, i + k_sym - 2, j],
                                                            (k_sym, 1, 3))])
    assert found.ok and found.kernel(1, 1) == sp.Matrix([[0, 1, 0]] * 3)


def test_text_is_never_evaluated():
    found = synthesize(Conv2d(1, 1, 3, padding=1), [X[1, i + 1, j]])
    for call in (lambda: ReLU().element(CODE), lambda: MaxOver(CODE, (k_sym, 1, 2)),
                 lambda: found.weight(CODE), lambda: found.target(1, CODE),
                 lambda: calculus.entry(sp.MatrixSymbol("x", 3, 1), CODE),
                 lambda: backprop.ranges("dyL/dAl", CODE, 1),
                 lambda: receptive_field(Conv2d(1, 1, 3)).rows(CODE),
                 lambda: MaxOver(X[1, k_sym, 1], (k_sym, 1, CODE)),
                 lambda: synthesize(Conv2d(1, 1, 3), [CODE]), lambda: derive(CODE),
                 lambda: Conv2d(1, 1, 2).evaluate([[[CODE]]], [[[[1]]]], [0])):
        with pytest.raises(SymproofError):
            call()
    assert not os.path.exists("pwned")


def test_no_solution_is_still_a_symproof_error():
    found = synthesize(Conv2d(1, 1, 3, padding=1), [X[1, i + 2, j]])
    with pytest.raises(NoSolutionError):
        found.kernel(1, 1)


# --- the kernel's front door: prove, divides, Context, Derivation, Problem, Parameter ------

_a, _b = sp.symbols("a b", real=True)
_GOOD_CLAIM = sp.Eq(sp.Max(_a, _b) ** 3, sp.Max(_a**3, _b**3))


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_prove_divides_and_context(data):
    claim = data.draw(maybe(hostile, _GOOD_CLAIM), label="claim")
    only_symproof_errors(symproof.prove, claim,
                         assuming=data.draw(maybe(hostile, [sp.Ge(_a, _b)]), label="assuming"),
                         nondecreasing=data.draw(maybe(hostile, ["sigma"]), label="names"))
    only_symproof_errors(symproof.prove, _GOOD_CLAIM,
                         context=data.draw(maybe(hostile, symproof.Context()), label="ctx"))
    only_symproof_errors(symproof.divides, data.draw(maybe(hostile, 2)),
                         data.draw(maybe(hostile, symbols("m"))))
    only_symproof_errors(symproof.Context, data.draw(maybe(hostile, [sp.Ge(_a, 0)])))


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_derivation_and_its_links(data):
    from symproof import Derivation

    start = data.draw(maybe(hostile, Conv2d(1, 1, 3, padding=1)), label="start")
    chain = only_symproof_errors(
        Derivation, start, assuming=data.draw(maybe(hostile, []), label="assuming"),
        at=data.draw(st.one_of(st.none(), hostile, st.just((1, 2, 2))), label="at"))
    if not isinstance(chain, Derivation):
        chain = Derivation(Conv2d(1, 1, 3, padding=1))
    value = data.draw(maybe(hostile, 1), label="value")
    only_symproof_errors(chain.substitute, w=value)
    only_symproof_errors(chain.equals, data.draw(maybe(hostile, chain.current)),
                         rule=data.draw(maybe(hostile, "search"), label="rule"))
    only_symproof_errors(chain.differentiate, data.draw(maybe(hostile, sp.Symbol("t"))))
    only_symproof_errors(chain.assume, data.draw(maybe(hostile, sp.Ge(_a, 0))))
    for link in (chain.collapse, chain.simplify, chain.expand_sums):
        only_symproof_errors(link)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_problem_and_parameter(data):
    from symproof import Parameter, Problem

    parameter = only_symproof_errors(
        Parameter, data.draw(maybe(hostile, "k"), label="name"), 3,
        data.draw(maybe(hostile, "size"), label="kind"), "help")
    problem = Problem("mine", "t", lambda k=3: symproof.Proof("mine", "t", "s"),
                      (parameter,) if isinstance(parameter, Parameter) else ())
    only_symproof_errors(problem.run, data.draw(maybe(
        st.dictionaries(st.text(max_size=4), st.text(max_size=6), max_size=2), {"k": "4"})))
