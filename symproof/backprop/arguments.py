"""The arguments of the numeric Jacobians, by layer index: what a Jacobian is taken with respect
to (:class:`Wrt`: ``("A", ℓ)``, ``("b", ℓ)``, ``("y", ℓ)`` or ``"x"``) and of which numbers
(``x``, ``weights=[A_1, …, A_L]``, ``biases=[b_1, …, b_L]``, lists indexed by layer as
:meth:`MLP.evaluate <symproof.layers.MLP.evaluate>` takes them), checked against the network.

It also holds the one adapter from the deprecated form, ``wrt="A_2"`` and one dict
``values={"x": …, "weights": …, "biases": …}`` (:func:`resolve`): nothing else in symproof reads
a parameter's name.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ParameterError, ShapeError
from ..layers import MLP
from ..numeric import as_array, as_float, check_size
from ..params import concrete_int

__all__ = ["Wrt", "arrays", "resolve"]


@dataclass(frozen=True)
class Wrt:
    """What a Jacobian of the MLP's output is taken with respect to, by layer index ℓ (1-based,
    as in the course: ``A_1`` is the first layer's weights):

    * ``Wrt("A", ℓ)`` — the weights ``A_ℓ``, ℓ = 1 … L (``weights[ℓ − 1]``);
    * ``Wrt("b", ℓ)`` — the bias ``b_ℓ``, ℓ = 1 … L (``biases[ℓ − 1]``);
    * ``Wrt("y", ℓ)`` — the output ``y_ℓ`` of layer ℓ, ℓ = 0 … L − 1 (``y_0`` is the input x).

    Wherever a ``wrt`` is taken, the pair ``("A", 2)`` means ``Wrt("A", 2)`` and ``"x"`` means
    ``Wrt("y", 0)``. The range of ℓ is checked against the network by :meth:`of`.

    >>> Wrt("A", 2), str(Wrt("y", 0))
    (Wrt(kind='A', layer=2), 'x')
    """

    kind: str
    layer: int

    KINDS = ("A", "b", "y")

    def __post_init__(self):
        if not (isinstance(self.kind, str) and self.kind in self.KINDS):
            raise ParameterError("wrt kind", self.kind, "must be 'A' (weights), 'b' (bias) or "
                                                        "'y' (a layer's output)")
        if isinstance(self.layer, bool) or not isinstance(self.layer, numbers.Integral):
            raise ParameterError("wrt layer", self.layer, "must be an integer layer index ℓ")
        object.__setattr__(self, "layer", int(self.layer))

    def __str__(self) -> str:
        return "x" if (self.kind, self.layer) == ("y", 0) else f"{self.kind}_{self.layer}"

    @classmethod
    def of(cls, mlp: MLP, wrt: object) -> Wrt:
        """``wrt`` (a :class:`Wrt`, a pair ``(kind, ℓ)`` or ``"x"``) as a :class:`Wrt` whose
        layer exists in ``mlp``, else a :class:`~symproof.errors.ParameterError` naming it."""
        depth, given, rule = mlp.depth, wrt, _rule(mlp)
        if isinstance(wrt, str) and wrt == "x":
            return cls("y", 0)
        if isinstance(wrt, tuple) and len(wrt) == 2:
            kind, layer = wrt
            if not (isinstance(kind, str) and kind in cls.KINDS) or isinstance(layer, bool) \
                    or not isinstance(layer, numbers.Integral):
                raise ParameterError("wrt", wrt, rule)
            wrt = cls(kind, layer)
        if not isinstance(wrt, Wrt):
            raise ParameterError("wrt", wrt, rule)
        lowest, highest = (0, depth - 1) if wrt.kind == "y" else (1, depth)
        if not lowest <= wrt.layer <= highest:
            raise ParameterError("wrt", given, rule)
        return wrt


def arrays(mlp: MLP, x, weights, biases) -> tuple:
    """The input vector ``x`` and the per-layer ``weights`` and ``biases``, validated by the
    network itself (``MLP.evaluate``) and returned as float64 arrays; a missing one, a wrong
    shape or a non-real number is refused with the parameter's name."""
    for name, value, shape in (("x", x, "one input vector (n_0,)"),
                               ("weights", weights, "[A_1, …, A_L], one array per layer"),
                               ("biases", biases, "[b_1, …, b_L], one array per layer")):
        if value is None:
            raise ParameterError(name, value, f"must be given: {shape}")
    widths = [concrete_int(f"widths[{k}]", w) for k, w in enumerate(mlp.widths)]
    x = as_array("x", x, (1,), real=True)
    if x.shape != (widths[0],):
        raise ShapeError(f"x must be one input vector of shape ({widths[0]},), got {x.shape}")
    # The Jacobians held at once are n_L × n_ℓ for every layer ℓ.
    check_size("the Jacobians of the MLP", widths[-1] * sum(widths))
    mlp.evaluate(x, weights, biases)  # validates every shape
    weights = [as_float("weights", as_array("weights", w, (2,), real=True)) for w in weights]
    biases = [as_float("biases", as_array("biases", b, (1,), real=True)) for b in biases]
    return as_float("x", x), weights, biases


# --- the deprecated form: names such as "A_2", one dict of values ---------------------------

def resolve(function: str, mlp: MLP, wrt, values, x, weights, biases) -> tuple:
    """``(Wrt, x, weights, biases)`` of a call to ``function`` in either form; the arrays are
    not validated yet (see :func:`arrays`). The one place that reads the deprecated form,
    ``wrt="A_2"`` and ``values={"x": …, "weights": …, "biases": …}``: it warns
    (:class:`DeprecationWarning`, at the caller of ``function``) with the new spelling."""
    old = []
    if isinstance(wrt, str) and wrt != "x":
        wrt = _legacy_wrt(mlp, wrt)
        old.append(f"wrt={str(wrt)!r} (now wrt=({wrt.kind!r}, {wrt.layer}))")
    if values is not None:
        if not (x is None and weights is None and biases is None):
            shown = sorted(map(str, values)) if isinstance(values, Mapping) else values
            raise ParameterError("values", shown, "must not be given with x=, weights=, biases= "
                                 "(values is the deprecated form of those three)")
        x, weights, biases = _legacy_values(values)
        old.append("values={'x': …, 'weights': …, 'biases': …} (now x=…, "
                   "weights=[A_1, …, A_L], biases=[b_1, …, b_L])")
    if old:
        warnings.warn(f"{function}: {' and '.join(old)} is the deprecated form; pass the "
                      "parameters by layer index as shown", DeprecationWarning,
                      stacklevel=3)  # 1 here, 2 in `function`, 3 its caller
    return Wrt.of(mlp, wrt), x, weights, biases


def _rule(mlp: MLP) -> str:
    depth = mlp.depth
    return (f"must be a parameter or layer of this network (L = {depth}): 'x', ('y', ℓ) for "
            f"ℓ = 0 … {depth - 1}, or ('A', ℓ) or ('b', ℓ) for ℓ = 1 … {depth}")


def _legacy_wrt(mlp: MLP, wrt: str) -> Wrt:
    """``"y_ℓ"``, ``"A_ℓ"`` or ``"b_ℓ"`` (ℓ written in digits) as a :class:`Wrt`."""
    rule = _rule(mlp)
    kind, _, number = wrt.partition("_")
    if kind not in Wrt.KINDS or not (number.isascii() and number.isdigit() and len(number) <= 6):
        raise ParameterError("wrt", wrt, rule)
    layer = int(number)
    if not ((kind == "y" and 0 <= layer < mlp.depth) or (kind != "y" and 1 <= layer <= mlp.depth)):
        raise ParameterError("wrt", wrt, rule)
    return Wrt(kind, layer)


def _legacy_values(values: object) -> tuple:
    """``values["x"]``, ``values["weights"]`` and ``values["biases"]``."""
    if not isinstance(values, Mapping):
        raise ParameterError("values", values, "must be a dict with x, weights and biases")
    missing = {"x", "weights", "biases"} - set(values)
    if missing:
        shown = sorted(map(str, values))
        raise ParameterError("values", shown, f"must give {', '.join(sorted(missing))}")
    return values["x"], values["weights"], values["biases"]
