"""``Linear``: ``y = A x + b``, ``[y]_i = Σ_k [A]_{i,k} [x]_k + [b]_i`` (PyTorch's weight is A)."""

from __future__ import annotations

import sympy as sp

from .. import notation as nt
from ..errors import ParameterError, ShapeError, shown
from ..numeric import as_array, check_size, operands
from ..params import as_flag, as_size, concrete_int, fails, shape_tuple
from .base import Layer, checked_bias
from .spec import REQUIRED, Field, LayerSpec
from .window import indices, reduce_over, unreserved

__all__ = ["Linear"]

_NAMES = ("i", "k")


class Linear(Layer):
    """A dense layer.

    >>> Linear(3, 2).element(1)
    b[1] + Sum(A[1, k]*x[k], (k, 1, 3))
    >>> Linear(3, 2).output_shape(5, 3)
    (5, 2)
    """

    spec = LayerSpec(
        name="Linear", word="linear", summary="dense layer y = A x + b",
        fields=(Field("in_features", "size", REQUIRED, "input features",
                      positional=True),
                Field("out_features", "size", REQUIRED, "output features",
                      positional=True),
                Field("bias", "flag", True, "add a bias b")),
        channels="in_features",
        receptive="must hold windowed layers (conv, pooling) and element-wise activations "
                  "only",
        torch="Linear")

    def __init__(self, in_features: object, out_features: object, bias: bool = True):
        # i is the output index and k the summation dummy of the element formula.
        self.in_features = unreserved("in_features", as_size("in_features", in_features), _NAMES)
        self.out_features = unreserved("out_features", as_size("out_features", out_features),
                                       _NAMES)
        self.bias = as_flag("bias", bias)

    @property
    def parameter_shapes(self) -> dict[str, tuple]:
        """The shapes of ``A`` (out_features, in_features), as PyTorch's weight, and of ``b``
        (out_features,) when the layer has a bias."""
        shapes = {"A": (self.out_features, self.in_features)}
        if self.bias:
            shapes["b"] = (self.out_features,)
        return shapes

    def output_shape(self, *input_shape: object) -> tuple:
        """``(…, out_features)`` for an input ``(…, in_features)``."""
        if not input_shape:
            raise ShapeError("Linear input shape must have at least one dimension")
        if len(input_shape) > 32:
            raise ShapeError(f"Linear input shape must have at most 32 dimensions, got "
                             f"{len(input_shape)}")
        sizes = tuple(as_size("input size", v) for v in input_shape)
        if fails(sp.Eq(sizes[-1], self.in_features)):
            raise ShapeError(f"Linear expects {self.in_features} input features, got "
                             f"{shown(sizes[-1])}")
        return shape_tuple(sizes[:-1] + (self.out_features,))

    def element(self, i: object = nt.i, *, weight=nt.A, bias=nt.b, inputs=nt.x) -> sp.Expr:
        """``[y]_i = Σ_{k=1}^{n_in} [A]_{i,k} [x]_k + [b]_i`` (other names for MLP layers)."""
        (i,) = indices(("i", i))
        for name, base in (("weight", weight), ("bias", bias), ("inputs", inputs)):
            if not isinstance(base, sp.IndexedBase):
                raise ParameterError(name, base, "must be a sympy.IndexedBase such as A")
        total = reduce_over(sp.Sum, weight[i, nt.k] * inputs[nt.k], (nt.k, self.in_features))
        return total + bias[i] if self.bias else total

    def equation(self) -> sp.Eq:
        return sp.Eq(nt.y[nt.i], self.element(), evaluate=False)

    def evaluate(self, x: object, weight: object, bias: object | None = None):
        """``x @ weight.T + bias`` for ``x`` of shape (…, in_features). Inputs follow the rules
        of :mod:`symproof.numeric` (integers stay exact).

        >>> Linear(2, 1).evaluate([1.0, 2.0], [[3.0, 4.0]], [0.5])
        array([11.5])
        """
        import numpy as np

        n_in = concrete_int("in_features", self.in_features)
        n_out = concrete_int("out_features", self.out_features)
        x = as_array("x", x, tuple(range(1, 33)))
        if x.shape[-1] != n_in:
            raise ShapeError(f"x must end in {n_in} features, got shape {x.shape}")
        weight = as_array("weight", weight, (2,))
        if weight.shape != (n_out, n_in):
            raise ShapeError(f"weight must have shape (out, in) = {(n_out, n_in)}, "
                             f"got {weight.shape}")
        bias = checked_bias(bias, self.bias, n_out)
        x, weight, bias = operands(x, weight, bias, terms=n_in)
        outputs = x.size // n_in * n_out
        check_size("the output of Linear.evaluate", outputs, outputs * n_in,
                   exact=x.dtype == object)
        with np.errstate(invalid="ignore", over="ignore"):  # inf and NaN as IEEE, as in PyTorch
            out = x @ weight.T
            return out if bias is None else out + bias
