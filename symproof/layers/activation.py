"""Element-wise activations: ``Y_idx = σ(X_idx)``. Each is a SymPy expression in one variable;
``evaluate`` is that same expression compiled with lambdify."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from .. import notation as nt
from ..errors import EvaluationError, ParameterError
from ..numeric import as_array
from .base import Layer

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
        if not (isinstance(name, str) and name.isidentifier()):
            raise ParameterError("name", name, "must be an identifier such as 'sigma'")
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
        """Element-wise: the output has the input's shape."""
        return tuple(input_shape)

    def element(self, *index: object) -> sp.Expr:
        """``σ(X_index)``; the index defaults to ``(i,)``."""
        return self.expression(nt.X[index or (nt.i,)])

    def equation(self) -> sp.Eq:
        return sp.Eq(nt.Y[nt.i], self.element(nt.i), evaluate=False)

    def evaluate(self, x: object):
        """Numbers, element-wise, from the SymPy expression (or ``function`` for a generic σ).

        >>> import numpy as np
        >>> ReLU().evaluate(np.array([-1.0, 2.0]))
        array([0., 2.])
        """
        array = as_array("x", x, tuple(range(0, 33)))
        if self.function is not None:
            return self.function(array)
        expr = self.expression(_z)
        if expr.atoms(sp.core.function.AppliedUndef):
            raise EvaluationError(
                f"activation {self.name} is undefined: pass function=... to evaluate it"
            )
        return _compiled(expr)(array.astype(float) if array.dtype.kind in "biu" else array)


@lru_cache(maxsize=64)
def _compiled(expr: sp.Expr) -> Callable:
    """``expr`` in ``z`` as a NumPy function (cached: lambdify costs milliseconds)."""
    import numpy as np

    compiled = sp.lambdify(_z, expr, modules="numpy")
    return lambda a: np.broadcast_to(compiled(a), np.shape(a)).copy()


class ReLU(Activation):
    """``max(0, z)``."""

    def __init__(self):
        super().__init__("ReLU", nondecreasing=True)

    def _arguments(self):
        return []

    def expression(self, z):
        return sp.Max(0, z)


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
        real = isinstance(negative_slope, (int, float, Fraction))
        if isinstance(negative_slope, bool) or not real:
            raise ParameterError("negative_slope", negative_slope, "must be a real number")
        # The decimal the user wrote, exactly: 0.01 is 1/100, not its binary approximation.
        slope = Fraction(repr(negative_slope)) if isinstance(negative_slope, float) else Fraction(
            negative_slope)
        self.negative_slope = sp.Rational(slope.numerator, slope.denominator)
        super().__init__("LeakyReLU", nondecreasing=bool(self.negative_slope >= 0))

    def _arguments(self):
        return [("negative_slope", self.negative_slope, sp.Rational(1, 100))]

    def expression(self, z):
        return sp.Piecewise((z, z >= 0), (self.negative_slope * z, True))


_NAMED = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "leaky_relu": LeakyReLU}


def activation_named(name: object) -> Activation:
    """An activation from its name: relu, sigmoid, tanh, leaky_relu, or sigma (generic)."""
    if isinstance(name, Activation):
        return name
    if name == "sigma":
        return Activation("sigma")
    if isinstance(name, str) and name.lower() in _NAMED:
        return _NAMED[name.lower()]()
    choices = ", ".join(sorted(_NAMED) + ["sigma"])
    raise ParameterError("activation", name, f"must be an Activation or one of {choices}")
