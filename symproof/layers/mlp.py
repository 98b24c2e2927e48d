"""``MLP``: ``y_0 = x``, ``y_ℓ = σ(A_ℓ y_{ℓ−1} + b_ℓ)`` for ℓ < L, ``y_L = A_L y_{L−1} + b_L``."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .. import notation as nt
from ..errors import ParameterError, ShapeError, TooLargeError
from ..params import as_size
from .activation import Activation, activation_named
from .base import Layer
from .linear import Linear

__all__ = ["MLP"]


class MLP(Layer):
    """A multilayer perceptron with widths ``n_0, …, n_L`` and one activation σ.

    >>> from symproof import symbols
    >>> n = symbols("n")
    >>> net = MLP((n, 4, 1), "sigma")
    >>> net
    MLP((n, 4, 1), activation=Activation(sigma))
    >>> net.depth, net.output_shape(n)
    (2, (1,))
    >>> net.element(2, layer=1)
    sigma(b_1[2] + Sum(A_1[2, k]*y_0[k], (k, 1, n)))
    """

    def __init__(self, widths: Sequence[object], activation: object = "sigma"):
        if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence) or len(widths) < 2:
            raise ParameterError("widths", widths, "must be a sequence n_0, ..., n_L of >= 2 sizes")
        self.widths = tuple(as_size(f"widths[{k}]", v) for k, v in enumerate(widths))
        self.activation: Activation = activation_named(activation)
        self.linears = tuple(Linear(a, b) for a, b in zip(self.widths, self.widths[1:]))

    @property
    def depth(self) -> int:
        """L, the number of linear layers."""
        return len(self.linears)

    def _arguments(self):
        return [("widths", self.widths, Layer.POSITIONAL),
                ("activation", self.activation, None)]

    def output_shape(self, *input_shape: object) -> tuple:
        """``(…, n_L)`` for an input ``(…, n_0)``."""
        shape = input_shape
        for linear in self.linears:
            shape = linear.output_shape(*shape)
        return shape

    def names(self, ell: int) -> tuple[sp.IndexedBase, sp.IndexedBase, sp.IndexedBase]:
        """``A_ℓ``, ``b_ℓ`` and ``y_{ℓ−1}`` as indexed objects."""
        return (sp.IndexedBase(f"A_{ell}"), sp.IndexedBase(f"b_{ell}"),
                sp.IndexedBase(f"y_{ell - 1}"))

    def element(self, i: object = None, *, layer: int | None = None) -> sp.Expr:
        """``[y_ℓ]_i`` in terms of ``y_{ℓ−1}`` (ℓ = L by default)."""
        ell = self.depth if layer is None else layer
        if isinstance(ell, bool) or not isinstance(ell, int) or not 1 <= ell <= self.depth:
            raise ParameterError("layer", layer, f"must be an integer from 1 to L = {self.depth}")
        weight, bias, inputs = self.names(ell)

        pre = self.linears[ell - 1].element(nt.i if i is None else i, weight=weight, bias=bias,
                                            inputs=inputs)
        return pre if ell == self.depth else self.activation.expression(pre)

    def equation(self) -> sp.Eq:
        return sp.Eq(sp.IndexedBase(f"y_{self.depth}")[nt.i], self.element(), evaluate=False)

    def evaluate(self, x: object, weights: Sequence[object], biases: Sequence[object]):
        """The network's output for ``x`` of shape (…, n_0), weights ``A_ℓ`` of shape
        (n_ℓ, n_{ℓ−1}) and biases ``b_ℓ`` of shape (n_ℓ,).

        >>> net = MLP((2, 2, 1), "relu")
        >>> net.evaluate([1.0, -1.0], [[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
        array([1.])
        """
        weights = _per_layer("weights", weights, self.depth)
        biases = _per_layer("biases", biases, self.depth)
        out = x
        for ell, (linear, weight, bias) in enumerate(zip(self.linears, weights, biases), 1):
            try:
                out = linear.evaluate(out, weight, bias)
            except (ShapeError, TooLargeError) as error:  # say which layer's arrays
                raise type(error)(f"{error} (layer {ell} of the MLP: weights[{ell - 1}], "
                                  f"biases[{ell - 1}])") from None
            if ell < self.depth:
                out = self.activation.evaluate(out)
        return out


def _per_layer(name: str, values: object, depth: int) -> list:
    """One array per layer: a list or tuple (or an array whose first axis runs over layers)."""
    import numpy as np

    if not isinstance(values, (list, tuple, np.ndarray)) or (isinstance(values, np.ndarray)
                                                             and values.ndim == 0):
        raise ParameterError(name, values, f"must be a list of {depth} arrays, one per layer")
    if len(values) != depth:
        raise ShapeError(f"need {depth} weights and {depth} biases, got {len(values)} {name}")
    return list(values)
