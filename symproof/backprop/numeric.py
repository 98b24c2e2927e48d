"""Numbers from the Jacobian formulas of :mod:`symproof.backprop.formulas`: the MLP's Jacobians
evaluated on concrete arrays by the backward recursion (vectorised NumPy, one pass for every
layer), and the Jacobian of any SymPy expression (compiled once with lambdify).

The arrays are given by layer index, as :meth:`MLP.evaluate <symproof.layers.MLP.evaluate>`
takes them, and ``wrt`` names a layer's parameter structurally (``("A", 2)``): see
:mod:`symproof.backprop.arguments`.

σ' comes from the activation itself (:meth:`~symproof.layers.Activation.derivative`), with
PyTorch's value at a kink (:func:`activation_derivative`). NumPy is imported on first use, like
everywhere in symproof: discovering the worked problems imports this package and must not pay for
NumPy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import sympy as sp

from ..errors import EvaluationError, ParameterError, ShapeError
from ..layers import MLP, Activation
from ..limits import check, check_expression
from ..numeric import as_array, numpy_function
from .arguments import Wrt, arrays, resolve
from .formulas import layout_name
from .losses import loss_gradient, target_array

__all__ = ["jacobian", "jacobians", "expression_jacobian", "forward",
           "activation_derivative"]

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
    compiled = numpy_function(_z, derivative)
    return lambda v: np.broadcast_to(compiled(v), np.shape(v)).astype(float)


def jacobian(mlp, wrt, values: Mapping | None = None, layout: str = "numerator", *,
             x=None, weights=None, biases=None, loss: str | None = None, target=None):
    """Numeric Jacobian of the MLP's output from the matrix-level formulas (vectorised NumPy),
    or of a SymPy expression (see :func:`expression_jacobian`, which takes ``values``).

    ``wrt`` is a :class:`~symproof.backprop.arguments.Wrt`: ``("A", ℓ)``, ``("b", ℓ)``,
    ``("y", ℓ)`` or ``"x"``. The numbers are given as for :meth:`MLP.evaluate
    <symproof.layers.MLP.evaluate>`: ``x`` one input vector (n_0,), ``weights=[A_1, …, A_L]``
    and ``biases=[b_1, …, b_L]``, lists indexed by layer (real numbers: see
    :mod:`symproof.numeric`). Vector-by-vector results have shape (n_L, dim) in numerator
    layout; ``A_ℓ`` needs a scalar output and gives A_ℓ's shape.

    With a scalar loss of the output, ``loss="mse"`` or ``"cross_entropy"`` and its
    ``target`` (a vector of n_L numbers; for cross-entropy class probabilities, e.g. one-hot),
    the result is the gradient of the loss ``L(y_L)`` instead, for any n_L (see
    :mod:`symproof.backprop.losses`): a (1, dim) row for ``x``, ``y_ℓ`` and ``b_ℓ`` in
    numerator layout, A_ℓ's shape for ``A_ℓ``. Without a loss, ``∂y_L/∂A_ℓ`` of an output with
    n_L > 1 would be a 3-D array: it is refused with a :class:`ShapeError` that says to give a
    loss.

    >>> import numpy as np
    >>> from symproof import MLP
    >>> net = MLP((2, 2, 1), "relu")
    >>> arrays = dict(x=[1.0, 2.0], weights=[np.eye(2), [[1.0, -1.0]]], biases=[[0, 0], [0]])
    >>> jacobian(net, "x", **arrays)
    array([[ 1., -1.]])
    >>> jacobian(net, ("A", 1), **arrays)
    array([[ 1.,  2.],
           [-1., -2.]])

    The older form, ``wrt`` as a name such as ``"A_1"`` and one dict
    ``values={"x": …, "weights": …, "biases": …}``, still works and warns
    (:class:`DeprecationWarning`).
    """

    if isinstance(mlp, (sp.Basic, sp.MatrixBase)):
        for name, value in (("x", x), ("weights", weights), ("biases", biases)):
            if value is not None:
                raise ParameterError(name, value, "must not be given for an expression (it is "
                                     "for an MLP): pass values={symbol: number}")
        return expression_jacobian(mlp, wrt, values, layout)
    if not isinstance(mlp, MLP):
        raise ParameterError("mlp", mlp, "must be an MLP or a SymPy expression")
    layout = layout_name(layout)
    wrt, x, weights, biases = resolve("jacobian", mlp, wrt, values, x, weights, biases)
    (result,) = jacobians(mlp, [wrt], x=x, weights=weights, biases=biases, layout=layout,
                          loss=loss, target=target)
    return result


def jacobians(mlp: MLP, wrts: Sequence[Wrt], *, x, weights, biases,
              layout: str = "numerator", loss: str | None = None, target=None) -> list:
    """:func:`jacobian` with respect to each of ``wrts`` (``Wrt`` objects) at the same
    numbers, validated and run forward and backward once for all of them.

    >>> import numpy as np
    >>> from symproof import MLP
    >>> from symproof.backprop.arguments import Wrt
    >>> net = MLP((2, 2, 1), "relu")
    >>> [j.shape for j in jacobians(net, [Wrt("y", 0), Wrt("b", 2)], x=[1.0, 2.0],
    ...                               weights=[np.eye(2), [[1.0, -1.0]]], biases=[[0, 0], [0]])]
    [(1, 2), (1, 1)]
    """
    import numpy as np

    layout = layout_name(layout)
    x, weights, biases = arrays(mlp, x, weights, biases)
    if loss is None and target is not None:
        raise ParameterError("target", "…", "must come with a loss (loss='mse' or "
                                            "'cross_entropy')")
    ys, zs = forward(mlp, x, weights, biases)
    sigma_prime = activation_derivative(mlp.activation) if mlp.depth > 1 else None
    # Backward: g = ∂y_L/∂y_ℓ (n_L × n_ℓ), or ∂L/∂y_ℓ (1 × n_ℓ) with a loss, from ℓ = L − 1
    # down; the loss's gradient ∂L/∂y_L is the row the recursion starts from.
    top = np.eye(len(zs[-1])) if loss is None else loss_gradient(
        loss, ys[-1], target_array(loss, target, len(zs[-1])))
    g = top @ weights[-1]
    upstream = {mlp.depth: top, mlp.depth - 1: g}
    for ell_ in range(mlp.depth - 1, 0, -1):
        g = (g * sigma_prime(zs[ell_ - 1])) @ weights[ell_ - 1]
        upstream[ell_ - 1] = g
    results = []
    for wrt in wrts:
        kind, number = wrt.kind, wrt.layer
        if kind == "y":
            results.append(upstream[number] if layout == "numerator" else upstream[number].T)
            continue
        local = np.ones_like(zs[number - 1]) if number == mlp.depth else sigma_prime(
            zs[number - 1])
        if kind == "b":
            result = upstream[number] * local
            results.append(result if layout == "numerator" else result.T)
            continue
        if len(upstream[number]) != 1:
            raise ShapeError(f"∂y_L/∂A_{number} needs a scalar output (n_L = 1), got n_L = "
                             f"{len(zs[-1])}: give a scalar loss of the output (loss='mse' "
                             "or 'cross_entropy', with target=…) for ∂L/∂A_" f"{number}")
        results.append(np.outer(local * upstream[number][0], ys[number - 1]))
    return results


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
        compiled = numpy_function(arguments, outputs.jacobian(variables))
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
