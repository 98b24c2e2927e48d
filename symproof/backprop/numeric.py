"""Numbers from the Jacobian formulas of :mod:`symproof.backprop.formulas`: the MLP's Jacobians
evaluated on concrete arrays by the backward recursion (vectorised NumPy, one pass for every
layer), and the Jacobian of any SymPy expression (compiled once with lambdify).

σ' comes from the activation itself (:meth:`~symproof.layers.Activation.derivative`), with
PyTorch's value at a kink (:func:`activation_derivative`). NumPy is imported on first use, like
everywhere in symproof: discovering the worked problems imports this package and must not pay for
NumPy.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import sympy as sp

from ..errors import EvaluationError, ParameterError, ShapeError
from ..layers import MLP, Activation
from ..limits import check, check_expression
from ..numeric import as_array, as_float, check_size
from ..params import concrete_int
from .formulas import layout_name

__all__ = ["jacobian", "expression_jacobian", "forward", "activation_derivative",
           "parse_wrt", "arrays"]

# σ's variable: the same symbol (name and assumptions) as the activations' own, so the
# compiled σ' is shared through the cache below.
_z = sp.Symbol("z", real=True)


def forward(mlp: MLP, x, weights, biases) -> tuple[list, list]:
    """The forward pass on validated float arrays (see :func:`arrays`): every ``y_ℓ``
    (ℓ = 0 … L, ``y_0 = x``) and every ``z_ℓ = A_ℓ y_{ℓ−1} + b_ℓ`` (ℓ = 1 … L, at index ℓ − 1)."""
    import numpy as np

    ys, zs = [np.asarray(x, dtype=float)], []
    for number, (a, b) in enumerate(zip(weights, biases), 1):
        z = np.asarray(a, float) @ ys[-1] + np.asarray(b, float)
        zs.append(z)
        ys.append(z if number == mlp.depth else mlp.activation.evaluate(z))
    return ys, zs


def activation_derivative(activation: Activation):
    """σ' as a NumPy function of an array, from the activation's SymPy derivative, with
    PyTorch's value at a kink (ReLU'(0) = 0, LeakyReLU'(0) = the slope); an undefined σ has no
    numbers (:class:`~symproof.errors.EvaluationError`).

    >>> from symproof import ReLU
    >>> activation_derivative(ReLU())([-1.0, 0.0, 2.0])
    array([0., 0., 1.])
    """
    if not isinstance(activation, Activation):
        raise ParameterError("activation", activation, "must be an Activation (ReLU(), Tanh(), …)")
    return _compiled_derivative(activation.derivative(_z), activation.name)


@lru_cache(maxsize=32)
def _compiled_derivative(derivative: sp.Expr, name: str):
    """σ' as a NumPy function (cached: lambdify costs milliseconds); σ' comes from the
    activation, with PyTorch's value at a kink."""
    import numpy as np

    if derivative.atoms(sp.core.function.AppliedUndef, sp.Derivative):
        raise EvaluationError(f"activation {name} is undefined: numeric "
                              "Jacobians need a concrete activation (relu, sigmoid, tanh, …)")
    compiled = sp.lambdify(_z, derivative, modules="numpy")
    return lambda v: np.broadcast_to(compiled(v), np.shape(v)).astype(float)


def jacobian(mlp, wrt, values: dict, layout: str = "numerator"):
    """Numeric Jacobian of the MLP's output from the matrix-level formulas (vectorised NumPy),
    or of a SymPy expression (see :func:`expression_jacobian`).

    ``wrt`` is ``"x"``, ``"y_ℓ"``/``"y_l"`` (written ``y_2``), ``"b_ℓ"`` or ``"A_ℓ"``;
    ``values`` holds ``x`` (one input vector), ``weights`` and ``biases`` (one array per
    layer, real numbers: see :mod:`symproof.numeric`). Vector-by-vector results have shape
    (n_L, dim) in numerator layout; ``A_ℓ`` needs a scalar output and gives A_ℓ's shape.

    >>> import numpy as np
    >>> from symproof import MLP
    >>> net = MLP((2, 2, 1), "relu")
    >>> values = {"x": [1.0, 2.0], "weights": [np.eye(2), [[1.0, -1.0]]], "biases": [[0, 0], [0]]}
    >>> jacobian(net, "x", values)
    array([[ 1., -1.]])
    >>> jacobian(net, "A_1", values)
    array([[ 1.,  2.],
           [-1., -2.]])
    """
    import numpy as np

    if isinstance(mlp, (sp.Basic, sp.MatrixBase)):
        return expression_jacobian(mlp, wrt, values, layout)
    if not isinstance(mlp, MLP):
        raise ParameterError("mlp", mlp, "must be an MLP or a SymPy expression")
    layout = layout_name(layout)
    kind, number = parse_wrt(mlp, wrt)
    x, weights, biases = arrays(mlp, values)
    ys, zs = forward(mlp, x, weights, biases)
    sigma_prime = activation_derivative(mlp.activation) if mlp.depth > 1 else None
    # Backward: g = ∂y_L/∂y_ℓ (n_L × n_ℓ), from ℓ = L − 1 down.
    g = weights[-1]
    upstream = {mlp.depth: np.eye(len(zs[-1])), mlp.depth - 1: g}
    for ell_ in range(mlp.depth - 1, 0, -1):
        g = (g * sigma_prime(zs[ell_ - 1])) @ weights[ell_ - 1]
        upstream[ell_ - 1] = g
    if kind == "y":
        result = upstream[number]
    elif kind == "b":
        local = np.ones_like(zs[number - 1]) if number == mlp.depth else sigma_prime(
            zs[number - 1])
        result = upstream[number] * local
    else:
        if len(zs[-1]) != 1:
            raise ShapeError(f"∂y_L/∂A_{number} needs a scalar output (n_L = 1), "
                             f"got n_L = {len(zs[-1])}")
        local = np.ones_like(zs[number - 1]) if number == mlp.depth else sigma_prime(
            zs[number - 1])
        return np.outer(local * upstream[number][0], ys[number - 1])
    return result if layout == "numerator" else result.T


def parse_wrt(mlp: MLP, wrt: object) -> tuple[str, int]:
    """``"x"``, ``"y_ℓ"``, ``"A_ℓ"`` or ``"b_ℓ"`` as (kind, ℓ), checked against the depth."""
    rule = (f"must be a parameter or layer of this network: x, y_0 … y_{mlp.depth - 1}, "
            f"A_1 … A_{mlp.depth}, b_1 … b_{mlp.depth}")
    if not isinstance(wrt, str):
        raise ParameterError("wrt", wrt, rule)
    kind, _, number = wrt.replace("ℓ", "l").partition("_")
    if wrt == "x":
        kind, number = "y", "0"
    if kind not in ("y", "A", "b") or not (number.isascii() and number.isdigit()
                                           and len(number) <= 6):
        raise ParameterError("wrt", wrt, rule)
    layer = int(number)
    if not ((kind == "y" and 0 <= layer < mlp.depth) or (kind != "y" and 1 <= layer <= mlp.depth)):
        raise ParameterError("wrt", wrt, rule)
    return kind, layer


def arrays(mlp: MLP, values: object) -> tuple:
    """``values``' input vector, weights and biases, validated by the network itself
    (``MLP.evaluate``), as float64 arrays."""
    if not isinstance(values, Mapping):
        raise ParameterError("values", values, "must be a dict with x, weights and biases")
    missing = {"x", "weights", "biases"} - set(values)
    if missing:
        shown = sorted(map(str, values))
        raise ParameterError("values", shown, f"must give {', '.join(sorted(missing))}")
    widths = [concrete_int(f"widths[{k}]", w) for k, w in enumerate(mlp.widths)]
    x = as_array("x", values["x"], (1,), real=True)
    if x.shape != (widths[0],):
        raise ShapeError(f"x must be one input vector of shape ({widths[0]},), got {x.shape}")
    # The Jacobians held at once are n_L × n_ℓ for every layer ℓ.
    check_size("the Jacobians of the MLP", widths[-1] * sum(widths))
    mlp.evaluate(x, values["weights"], values["biases"])  # validates every shape
    weights = [as_float("weights", as_array("weights", w, (2,), real=True))
               for w in values["weights"]]
    biases = [as_float("biases", as_array("biases", b, (1,), real=True))
              for b in values["biases"]]
    return as_float("x", x), weights, biases


def expression_jacobian(expr, wrt, values: dict, layout: str = "numerator"):
    """Jacobian of a SymPy expression (scalar, vector or matrix: flattened row by row) with
    respect to symbols or a ``MatrixSymbol`` (flattened likewise), at ``values`` (a dict from
    symbols or matrix symbols to numbers or arrays); compiled once with lambdify.

    >>> x, y = sp.symbols("x y")
    >>> expression_jacobian(sp.Matrix([x * y, x + y]), [x, y], {x: 2.0, y: 3.0})
    array([[3., 2.],
           [1., 1.]])
    """
    import numpy as np

    layout = layout_name(layout)
    outputs = _explicit("expr", expr)
    check_expression(sp.ImmutableMatrix(outputs), "expr")
    # Entries of matrix symbols become plain symbols, so lambdify and free_symbols see them.
    entries = {e: sp.Symbol(f"{e.parent.name}[{e.i},{e.j}]")
               for e in outputs.atoms(sp.matrices.expressions.matexpr.MatrixElement)}
    outputs = outputs.xreplace(entries)
    undefined = sorted(str(f.func) for f in outputs.atoms(sp.core.function.AppliedUndef))
    if undefined:
        raise EvaluationError(f"expr uses the undefined function {undefined[0]}, which has no "
                              "numbers: substitute a concrete function first")

    def flat(item):
        return [entries.get(e, sp.Symbol(f"{e.parent.name}[{e.i},{e.j}]"))
                for e in _explicit("wrt", item)]

    variables = []
    items = wrt if isinstance(wrt, (list, tuple)) else [wrt]
    for item in items:
        if isinstance(item, sp.MatrixSymbol):
            variables += flat(item)
        elif isinstance(item, sp.Symbol):
            variables.append(item)
        else:
            raise ParameterError("wrt", item, "must be a symbol, a MatrixSymbol or a list of them")
    check("expanded_terms", "the Jacobian (outputs × variables entries)",
          len(outputs) * len(variables))
    if not isinstance(values, Mapping):
        raise ParameterError("values", values, "must be a dict from symbols (or matrix "
                                               "symbols) to numbers (or arrays)")
    arguments, numbers = [], []
    for key, value in values.items():
        if isinstance(key, sp.MatrixSymbol):
            cells = flat(key)
            array = as_array(str(key), value, (1, 2), real=True)
            if array.size != len(cells):
                raise ShapeError(f"{key} must have {len(cells)} entries (shape "
                                 f"{tuple(key.shape)}), got shape {array.shape}")
            arguments += cells
            numbers += [float(v) for v in array.reshape(-1)]
        elif isinstance(key, sp.Symbol):
            arguments.append(key)
            numbers.append(float(as_array(str(key), value, (0,), real=True)))
        else:
            raise ParameterError("values", key, "must have symbols or matrix symbols as keys")
    needed = sorted(map(str, outputs.free_symbols - set(arguments)))
    if needed:
        raise ParameterError("values", sorted(map(str, values)),
                             f"must give every symbol: missing {', '.join(needed)}")
    try:  # lambdify compiles the expression itself (SymPy objects, never user text)
        compiled = sp.lambdify(arguments, outputs.jacobian(variables), modules="numpy")
        with np.errstate(all="ignore"):  # IEEE results (inf, nan) are the answer
            result = np.asarray(compiled(*numbers), dtype=float)
    except Exception as why:  # noqa: BLE001 - any expression SymPy builds may land here
        raise EvaluationError(f"expr cannot be evaluated numerically: {type(why).__name__}: "
                              f"{why}") from None
    return result if layout == "numerator" else result.T


def _explicit(name: str, expr: object) -> sp.Matrix:
    """A scalar, matrix or matrix expression as an explicit column of its entries (row by row),
    with a concrete, bounded shape."""
    if isinstance(expr, (sp.MatrixBase, sp.MatrixExpr)):
        shape = expr.shape
        if not all(getattr(n, "is_Integer", isinstance(n, int)) for n in shape):
            raise ParameterError(name, expr, f"must have a concrete shape, got {shape}")
        rows, cols = (int(n) for n in shape)
        check("expanded_terms", f"{name} (entries of the explicit matrix)", rows * cols)
        explicit = sp.Matrix(expr.as_explicit()) if isinstance(expr, sp.MatrixExpr) else \
            sp.Matrix(expr)
        return explicit.reshape(rows * cols, 1)
    if not isinstance(expr, sp.Expr):
        raise ParameterError(name, expr, "must be a SymPy expression, matrix or matrix "
                                         "expression")
    return sp.Matrix([expr])
