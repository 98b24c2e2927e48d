"""Element-wise activations: ``Y_idx = σ(X_idx)``. Each is a SymPy expression in one variable;
``evaluate`` is that same expression compiled with lambdify."""

from __future__ import annotations

import keyword
import math
import numbers
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from .. import notation as nt
from ..errors import EvaluationError, ParameterError, ShapeError
from ..limits import check_expression
from ..numeric import as_array, as_float, numpy_function
from .base import Layer
from .window import indices

__all__ = ["Activation", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "activation_named"]

_z = sp.Symbol("z", real=True)


class Activation(Layer):
    """A generic element-wise activation ``σ``, an undefined SymPy function.

    ``nondecreasing`` is an assumption proofs may use (e.g. max pooling commutes with σ);
    ``function`` is an optional NumPy callable so that ``evaluate`` can give numbers.

    >>> sigma = Activation("sigma", nondecreasing=True)
    >>> sigma.element(3)
    sigma(X[3])
    >>> sigma.output_shape(2, 5)
    (2, 5)
    """

    def __init__(self, name: str = "sigma", nondecreasing: bool = False,
                 function: Callable | None = None):
        if not (isinstance(name, str) and name.isidentifier() and len(name) <= 64) \
                or keyword.iskeyword(name):
            raise ParameterError("name", name, "must be an identifier such as 'sigma' (at most "
                                               "64 characters, not a Python keyword)")
        if not isinstance(nondecreasing, bool):
            raise ParameterError("nondecreasing", nondecreasing, "must be True or False")
        if function is not None and not callable(function):
            raise ParameterError("function", function, "must be callable (a NumPy function)")
        self.name, self._nondecreasing, self.function = name, nondecreasing, function

    @property
    def nondecreasing(self) -> bool:
        """Whether σ is known to be nondecreasing."""
        return self._nondecreasing

    def _arguments(self):
        return [("name", self.name, Layer.POSITIONAL),
                ("nondecreasing", self._nondecreasing, False)]

    def expression(self, z: sp.Expr) -> sp.Expr:
        """``σ(z)`` as a SymPy expression."""
        return sp.Function(self.name)(z)

    def output_shape(self, *input_shape: object) -> tuple:
        """Element-wise: the output has the input's shape (sizes checked as sizes)."""
        if len(input_shape) > 32:
            raise ShapeError(f"{type(self).__name__} input shape must have at most 32 "
                             f"dimensions, got {len(input_shape)}")
        # Sizes: positive integers, or SymPy expressions not known to be anything else (a size
        # computed by an earlier layer, such as ⌊(m − F)/S⌋ + 1).
        indices(*((f"input size [{k}]", v) for k, v in enumerate(input_shape)))
        return tuple(input_shape)

    def element(self, *index: object) -> sp.Expr:
        """``σ(X_index)``; the index defaults to ``(i,)``. Each index is a positive integer or
        an integer SymPy expression (never text)."""
        if len(index) > 32:
            raise ShapeError(f"{type(self).__name__}.element takes at most 32 indices, got "
                             f"{len(index)}")
        checked = indices(*((f"index[{k}]", v) for k, v in enumerate(index)))
        return self.expression(nt.X[checked or (nt.i,)])

    def equation(self) -> sp.Eq:
        return sp.Eq(nt.Y[nt.i], self.element(nt.i), evaluate=False)

    def derivative(self, z):
        """``σ'(z)``, with PyTorch's choice at a kink: the derivative of the branch for
        ``z ≤ 0`` (ReLU'(0) = 0, LeakyReLU'(0) = the slope), as its autograd computes."""
        return sp.diff(self.expression(z), z)

    def evaluate(self, x: object):
        """Numbers, element-wise, from the SymPy expression (or ``function`` for a generic σ).

        An activation is a real function computed in float64: integer, boolean and exact
        (object) inputs are converted, complex ones refused. NaN and ±inf map as in PyTorch
        (``relu(nan) = nan``, ``sigmoid(−inf) = 0``, ``tanh(inf) = 1``).

        >>> import numpy as np
        >>> ReLU().evaluate(np.array([-1.0, 2.0]))
        array([0., 2.])
        """
        import numpy as np

        array = as_float("x", as_array("x", x, tuple(range(0, 33)), real=True))
        if self.function is not None:
            try:
                return self.function(array)
            except Exception as why:  # the user's own function: report it as ours to handle
                raise EvaluationError(f"the function of activation {self.name} failed on x: "
                                      f"{type(why).__name__}: {why}") from why
        compiled = self.__dict__.get("_numeric")
        if compiled is None:  # built once per activation: evaluate runs in inner loops
            expr = self.expression(_z)
            if expr.atoms(sp.core.function.AppliedUndef):
                raise EvaluationError(
                    f"activation {self.name} is undefined: pass function=... to evaluate it"
                )
            compiled = self.__dict__["_numeric"] = _compiled(expr)
        with np.errstate(over="ignore", invalid="ignore"):  # exp(±inf) is IEEE, as in PyTorch
            return compiled(array)


@lru_cache(maxsize=64)
def _compiled(expr: sp.Expr) -> Callable:
    """``expr`` in ``z`` as a NumPy function (cached: lambdify costs milliseconds)."""
    import numpy as np

    compiled = numpy_function(_z, expr)
    return lambda a: np.broadcast_to(compiled(a), np.shape(a)).copy()


class ReLU(Activation):
    """``max(0, z)``."""

    def __init__(self):
        super().__init__("ReLU", nondecreasing=True)

    def _arguments(self):
        return []

    def expression(self, z):
        return sp.Max(0, z)

    def derivative(self, z):
        return sp.Piecewise((1, z > 0), (0, True))


class Sigmoid(Activation):
    """``1 / (1 + e^{−z})``."""

    def __init__(self):
        super().__init__("Sigmoid", nondecreasing=True)

    def _arguments(self):
        return []

    def expression(self, z):
        return 1 / (1 + sp.exp(-z))


class Tanh(Activation):
    """``tanh z``."""

    def __init__(self):
        super().__init__("Tanh", nondecreasing=True)

    def _arguments(self):
        return []

    def expression(self, z):
        return sp.tanh(z)


class LeakyReLU(Activation):
    """``z`` for ``z ≥ 0``, ``negative_slope·z`` otherwise (nondecreasing iff the slope is ≥ 0).

    >>> LeakyReLU(0.1).expression(sp.Symbol("z"))
    Piecewise((z, z >= 0), (z/10, True))
    """

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = _slope(negative_slope)
        super().__init__("LeakyReLU", nondecreasing=bool(self.negative_slope >= 0))

    def _arguments(self):
        return [("negative_slope", self.negative_slope, sp.Rational(1, 100))]

    def expression(self, z):
        return sp.Piecewise((z, z >= 0), (self.negative_slope * z, True))

    def derivative(self, z):
        return sp.Piecewise((1, z > 0), (self.negative_slope, True))


def _slope(value: object) -> sp.Rational:
    """A finite real slope as an exact rational: a float as the decimal the user wrote (0.01 is
    1/100, not its binary approximation), ints, Fractions and SymPy rationals as they are."""
    rule = "must be a finite real number (int, float, Fraction or SymPy Rational)"
    if isinstance(value, bool):
        raise ParameterError("negative_slope", value, rule)
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Rational):
            raise ParameterError("negative_slope", value, rule)
        check_expression(value, "negative_slope")
        return value
    if isinstance(value, numbers.Rational):
        slope = Fraction(int(value.numerator), int(value.denominator))
    elif isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ParameterError("negative_slope", value, rule)
        slope = Fraction(repr(number))
    else:
        raise ParameterError("negative_slope", value, rule)
    rational = sp.Rational(slope.numerator, slope.denominator)
    check_expression(rational, "negative_slope")
    return rational


_NAMED = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "leaky_relu": LeakyReLU}


def activation_named(name: object) -> Activation:
    """An activation from its name: relu, sigmoid, tanh, leaky_relu, or sigma (generic)."""
    if isinstance(name, Activation):
        return name
    if isinstance(name, str) and name == "sigma":
        return Activation("sigma")
    if isinstance(name, str) and name.lower() in _NAMED:
        return _NAMED[name.lower()]()
    choices = ", ".join(sorted(_NAMED) + ["sigma"])
    raise ParameterError("activation", name, f"must be an Activation or one of {choices}")
