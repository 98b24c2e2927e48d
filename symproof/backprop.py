"""MLP Jacobians and backpropagation for a general depth L and symbolic widths n_0 … n_L.

The network (DESIGN.md): ``y_0 = x``, ``y_ℓ = σ(A_ℓ y_{ℓ−1} + b_ℓ)`` for ℓ < L and
``y_L = A_L y_{L−1} + b_L`` with a scalar output (``n_L = 1``). With ``z_ℓ = A_ℓ y_{ℓ−1} + b_ℓ``
the six formulas, in numerator layout, are

    ∂y_L/∂b_L = 1                 ∂y_L/∂y_{L−1} = A_L
    ∂y_ℓ/∂b_ℓ = diag(σ'(z_ℓ))      ∂y_ℓ/∂y_{ℓ−1} = diag(σ'(z_ℓ)) A_ℓ
    ∂y_L/∂A_L = y_{L−1}^T          ∂y_L/∂A_ℓ = diag(σ'(z_ℓ)) (∂y_L/∂y_ℓ)^T y_{ℓ−1}^T

and ``∂y_L/∂y_ℓ = (∂y_L/∂y_{ℓ+1}) diag(σ'(z_{ℓ+1})) A_{ℓ+1}`` is the backward recursion. Every
object here is a ``MatrixSymbol`` with symbolic shape, so deriving them costs the same for any
width.

>>> from symproof.text import text
>>> print(text(derive()["dyL/dAl"].formula))
diag(σ'(A_ℓ·y_{ℓ-1} + b_ℓ))·(∂y_L/∂y_ℓ)^T·y_{ℓ-1}^T
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .calculus import LAYOUTS, Elementwise, d_entry, diag, entry, index_value, prime, to_layout
from .errors import EvaluationError, ParameterError, ShapeError
from .limits import check, check_expression
from .params import as_size, symbols

__all__ = ["Formula", "derive", "network_symbols", "jacobian", "expression_jacobian",
           "verify_exact", "check_formula", "numeric_check", "finite_differences"]

ell, L = symbols("ell L")
n = sp.IndexedBase("n", integer=True, positive=True)


@dataclass(frozen=True)
class Network:
    """The symbols of a hidden layer ℓ and of the output layer L."""

    A: sp.MatrixSymbol
    b: sp.MatrixSymbol
    y_prev: sp.MatrixSymbol
    A_L: sp.MatrixSymbol
    b_L: sp.MatrixSymbol
    y_Lm1: sp.MatrixSymbol
    upstream: sp.MatrixSymbol  # ∂y_L/∂y_ℓ, a 1 × n_ℓ row (numerator layout)

    @property
    def z(self):
        return self.A * self.y_prev + self.b

    @property
    def z_L(self):
        return self.A_L * self.y_Lm1 + self.b_L


@lru_cache(maxsize=1)
def network_symbols() -> Network:
    """``A_ℓ`` (n_ℓ × n_{ℓ−1}), ``b_ℓ``, ``y_{ℓ−1}``, ``A_L`` (1 × n_{L−1}), ``b_L``,
    ``y_{L−1}`` and the upstream gradient ``∂y_L/∂y_ℓ``."""
    return Network(
        sp.MatrixSymbol("A_ell", n[ell], n[ell - 1]), sp.MatrixSymbol("b_ell", n[ell], 1),
        sp.MatrixSymbol("y_ell-1", n[ell - 1], 1), sp.MatrixSymbol("A_L", 1, n[L - 1]),
        sp.MatrixSymbol("b_L", 1, 1), sp.MatrixSymbol("y_L-1", n[L - 1], 1),
        sp.MatrixSymbol("∂y_L/∂y_ell", 1, n[ell]))


@dataclass(frozen=True)
class Formula:
    """One Jacobian: ``∂of/∂wrt = formula`` and what its entries are defined by."""

    name: str
    of: str
    wrt: str
    formula: sp.Basic
    by_matrix: bool
    shape: tuple

    @property
    def label(self) -> str:
        return f"∂{self.of}/∂{self.wrt}"


def _activation_name(activation: object) -> str:
    """The name of σ: an identifier such as ``sigma`` (it names functions in the formulas)."""
    if not (isinstance(activation, str) and activation.isidentifier() and len(activation) <= 64
            ) or keyword.iskeyword(activation):
        raise ParameterError("activation", activation, "must be the name of σ, an identifier "
                             "such as 'sigma' (at most 64 characters, not a Python keyword)")
    return activation


def _layout(layout: object) -> str:
    if not (isinstance(layout, str) and layout in LAYOUTS):
        raise ParameterError("layout", layout, f"must be one of {', '.join(LAYOUTS)}")
    return layout


def derive(activation: str = "sigma", layout: str = "numerator") -> dict[str, Formula]:
    """The six matrix-level formulas, for symbolic ℓ, L and widths (see the module docstring);
    ``activation`` names σ, ``layout`` is ``"numerator"`` or ``"denominator"``."""
    return _derive(_activation_name(activation), _layout(layout))


@lru_cache(maxsize=16)
def _derive(activation: str, layout: str) -> dict[str, Formula]:
    net = network_symbols()
    d = diag(Elementwise(f"{activation}'", net.z))
    formulas = [
        ("dyL/dbL", "y_L", "b_L", sp.Identity(1), False, (1, 1)),
        ("dyL/dyL-1", "y_L", "y_L-1", net.A_L, False, (1, n[L - 1])),
        ("dyl/dbl", "y_ell", "b_ell", d, False, (n[ell], n[ell])),
        ("dyl/dyl-1", "y_ell", "y_ell-1", d * net.A, False, (n[ell], n[ell - 1])),
        ("dyL/dAL", "y_L", "A_L", net.y_Lm1.T, True, (1, n[L - 1])),
        ("dyL/dAl", "y_L", "A_ell", d * net.upstream.T * net.y_prev.T, True,
         (n[ell], n[ell - 1])),
    ]
    out = {}  # read-only by convention: the result is cached
    for name, of, wrt, formula, by_matrix, shape in formulas:
        converted = to_layout(formula, layout, by_matrix=by_matrix)
        if layout == "denominator" and not by_matrix:
            shape = shape[::-1]
        out[name] = Formula(name, of, wrt, converted, by_matrix, shape)
    return out


# The validated front keeps the cache's controls (benchmarks clear it to time a fresh derive).
derive.cache_clear, derive.cache_info = _derive.cache_clear, _derive.cache_info


def defining_entries(activation: str = "sigma") -> dict[str, sp.Expr]:
    """``[y_ℓ]_p`` and ``[y_L]_1`` written out at index level (p symbolic)."""
    activation = _activation_name(activation)
    net = network_symbols()
    p = sp.Symbol("p", integer=True, positive=True)
    return {"p": p,
            "y_ell": entry(Elementwise(activation, net.z), p),
            "y_L": entry(net.z_L, 1)}


def differentiated(name: str, i, j, activation: str = "sigma") -> tuple[sp.Expr, sp.Basic, str]:
    """What entry ``(i, j)`` of the named Jacobian differentiates: ``(expression, entry it is
    differentiated by, why)``. For ∂y_L/∂A_ℓ the chain rule through y_ℓ (y_L depends on A_ℓ only
    through y_ℓ) gives ``Σ_p [∂y_L/∂y_ℓ]_{1,p} [y_ℓ]_p``, the upstream entries constant in A_ℓ."""
    i, j = index_value("i", i), index_value("j", j)
    activation = _activation_name(activation)
    net = network_symbols()
    defs = defining_entries(activation)
    p, y_ell, y_L = defs["p"], defs["y_ell"], defs["y_L"]
    base = sp.IndexedBase
    at = {
        "dyL/dbL": (y_L, base("b_L")[1], "differentiate [y_L]_1 = Σ_k [A_L]_{1,k}[y_{L−1}]_k + "
                                         "[b_L]_1"),
        "dyL/dyL-1": (y_L, base("y_L-1")[j], "differentiate [y_L]_1 in [y_{L−1}]_j"),
        "dyl/dbl": (y_ell.xreplace({p: i}), base("b_ell")[j],
                    "differentiate [y_ℓ]_i = σ([z_ℓ]_i) in [b_ℓ]_j (chain rule)"),
        "dyl/dyl-1": (y_ell.xreplace({p: i}), base("y_ell-1")[j],
                      "differentiate [y_ℓ]_i in [y_{ℓ−1}]_j (chain rule)"),
        "dyL/dAL": (y_L, base("A_L")[1, j], "differentiate [y_L]_1 in [A_L]_{1,j}"),
        "dyL/dAl": (sp.Sum(base(net.upstream.name)[1, p] * y_ell, (p, 1, n[ell])),
                    base("A_ell")[i, j],
                    "chain rule through y_ℓ: Σ_p [∂y_L/∂y_ℓ]_{1,p} ∂[y_ℓ]_p/∂[A_ℓ]_{i,j}"),
    }
    if name not in at:
        raise ParameterError("name", name, "must be one of the six formula names")
    return at[name]


def index_derivative(name: str, i, j, activation: str = "sigma") -> tuple[sp.Expr, str]:
    """``[∂of/∂wrt]_{i,j}`` differentiated at index level from the network's definition, and
    the justification (see :func:`differentiated`)."""
    expr, variable, why = differentiated(name, i, j, activation)
    return d_entry(expr, variable), why


def ranges(name: str, i, j) -> list[sp.Basic]:
    """The index ranges of entry (i, j) of the named Jacobian (numerator layout)."""
    i, j = index_value("i", i), index_value("j", j)
    formulas = derive()
    if not isinstance(name, str) or name not in formulas:
        raise ParameterError("name", name, f"must be one of {', '.join(formulas)}")
    rows, cols = formulas[name].shape
    return [sp.Le(i, rows), sp.Le(j, cols)]


def check_formula(name: str, claimed: sp.Basic, activation: str = "sigma"):
    """Decide a claimed matrix formula for the named Jacobian at index level: PROVED,
    REFUTED (wrong shape, or an entry that differs, with a counterexample) or UNKNOWN."""
    from .kernel import Context, identity, same_shape

    formulas = derive(activation)
    if not isinstance(name, str) or name not in formulas:
        raise ParameterError("name", name, f"must be one of {', '.join(formulas)}")
    if not isinstance(claimed, (sp.Basic, sp.MatrixBase)):
        raise ParameterError("claimed", claimed, "must be a SymPy expression or matrix")
    check_expression(claimed, "claimed")
    expected = formulas[name]
    shape = claimed.shape if hasattr(claimed, "shape") else (1, 1)
    # widths at which the two shapes differ, if they do: the sizes count 2, 3, 3 there
    instance = {w: sp.Integer(v) for w, v in zip((n[ell], n[ell - 1], n[L - 1]), (2, 3, 3))}
    mismatch = same_shape(shape, expected.shape, instance, expected.label)
    if mismatch is not None:
        return mismatch
    rows, cols = expected.shape
    i = sp.Integer(1) if rows == 1 else symbols("i")  # a row or column has one index value
    j = sp.Integer(1) if cols == 1 else symbols("j")
    lhs, _ = index_derivative(name, i, j, activation)
    rhs = entry(claimed, i, j) if hasattr(claimed, "shape") else claimed
    return identity(lhs, rhs, Context(ranges(name, i, j)))


# --- numbers -------------------------------------------------------------------------------

def _forward(mlp, x, weights, biases):
    import numpy as np

    ys, zs = [np.asarray(x, dtype=float)], []
    for number, (a, b) in enumerate(zip(weights, biases), 1):
        z = np.asarray(a, float) @ ys[-1] + np.asarray(b, float)
        zs.append(z)
        ys.append(z if number == mlp.depth else mlp.activation.evaluate(z))
    return ys, zs


def _derivative(mlp):
    from .layers.activation import _z

    return _compiled_derivative(mlp.activation.derivative(_z), mlp.activation.name)


@lru_cache(maxsize=32)
def _compiled_derivative(derivative: sp.Expr, name: str):
    """σ' as a NumPy function (cached: lambdify costs milliseconds); σ' comes from the
    activation, with PyTorch's value at a kink."""
    from .layers.activation import _z

    if derivative.atoms(sp.core.function.AppliedUndef, sp.Derivative):
        raise EvaluationError(f"activation {name} is undefined: numeric "
                              "Jacobians need a concrete activation (relu, sigmoid, tanh, …)")
    compiled = sp.lambdify(_z, derivative, modules="numpy")
    import numpy as np

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

    from .layers.mlp import MLP

    if isinstance(mlp, (sp.Basic, sp.MatrixBase)):
        return expression_jacobian(mlp, wrt, values, layout)
    if not isinstance(mlp, MLP):
        raise ParameterError("mlp", mlp, "must be an MLP or a SymPy expression")
    layout = _layout(layout)
    kind, number = _parse_wrt(mlp, wrt)
    x, weights, biases = _numbers(mlp, values)
    ys, zs = _forward(mlp, x, weights, biases)
    sigma_prime = _derivative(mlp) if mlp.depth > 1 else None
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


def _parse_wrt(mlp, wrt: object) -> tuple[str, int]:
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


def _numbers(mlp, values: object) -> tuple:
    """``values``' input vector, weights and biases, validated by the network itself
    (``MLP.evaluate``), as float64 arrays."""
    from .numeric import as_array, as_float, check_size
    from .params import concrete_int

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

    from .numeric import as_array

    layout = _layout(layout)
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


def verify_exact(widths: Sequence[int], activation: str = "sigma"):
    """VERIFIED / REFUTED: every entry of the six formulas on concrete widths, exactly, with a
    generic σ. Each layer's explicit map is differentiated by ``sympy.diff`` entry by entry (in
    fresh symbols for its input), and the chain rule composes the layers; the formulas are
    evaluated on the same explicit matrices and compared entry by entry."""
    from .calculus import differentiable
    from .kernel import exhaustive

    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
        raise ParameterError("widths", widths, "must be n_0, …, n_L with L ≥ 2, n_L = 1")
    sizes = [as_size(f"widths[{k}]", w) for k, w in enumerate(widths)]
    if any(not w.is_Integer for w in sizes) or len(sizes) < 3 or sizes[-1] != 1:
        raise ParameterError("widths", tuple(widths), "must be n_0, …, n_L with L ≥ 2, n_L = 1")
    widths = [int(w) for w in sizes]
    activation = _activation_name(activation)
    # Every entry of every weight matrix is a symbol differentiated on its own.
    check("expanded_terms", "the exact check (entries of the weight matrices)",
          sum(a * b for a, b in zip(widths, widths[1:])))
    depth = len(widths) - 1
    sigma, sigma_p = differentiable(activation), prime(activation)
    ys = [sp.Matrix(sp.symbols(f"u0_1:{widths[0] + 1}"))]
    As, bs, zs, local = [], [], [], []
    for number in range(1, depth + 1):
        a = sp.Matrix(widths[number], widths[number - 1],
                      lambda r, c, m=number: sp.Symbol(f"A{m}_{r + 1},{c + 1}"))
        b = sp.Matrix(sp.symbols(f"b{number}_1:{widths[number] + 1}"))
        inputs = sp.Matrix(sp.symbols(f"u{number - 1}_1:{widths[number - 1] + 1}"))
        z = a * inputs + b
        y = z if number == depth else z.applyfunc(sigma)
        As.append(a), bs.append(b), zs.append(z), ys.append(y)
        local.append(y)
    pairs: dict[tuple[str, int], tuple[sp.Expr, sp.Expr]] = {}

    def compare(label, derived, formula):
        for number, (d, f) in enumerate(zip(derived, formula), 1):
            pairs[label, number] = (d, f)

    # Local Jacobians by sympy.diff, entry by entry.
    jac_in, jac_b = [], []
    for number in range(1, depth + 1):
        inputs = sp.Matrix(sp.symbols(f"u{number - 1}_1:{widths[number - 1] + 1}"))
        jac_in.append(local[number - 1].jacobian(inputs))
        jac_b.append(local[number - 1].jacobian(bs[number - 1]))
        if number < depth:
            d = sp.diag(*zs[number - 1].applyfunc(sigma_p))
            compare(f"∂y_{number}/∂b_{number}", jac_b[-1], d)
            compare(f"∂y_{number}/∂y_{number - 1}", jac_in[-1], d * As[number - 1])
        else:
            compare("∂y_L/∂b_L", jac_b[-1], sp.eye(1))
            compare("∂y_L/∂y_L-1", jac_in[-1], As[-1])
    # ∂y_L/∂y_ℓ by the chain rule of the local Jacobians, then ∂y_L/∂A_ℓ entry by entry.
    upstream = {depth: sp.eye(1)}
    for number in range(depth, 0, -1):
        upstream[number - 1] = upstream[number] * jac_in[number - 1]
    for number in range(1, depth + 1):
        a = As[number - 1]
        inputs = sp.Matrix(sp.symbols(f"u{number - 1}_1:{widths[number - 1] + 1}"))
        grad, y_local = upstream[number], local[number - 1]
        # Σ_p [∂y_L/∂y_ℓ]_p ∂[y_ℓ]_p/∂[A_ℓ]_{r,c}, every p; an entry without [A_ℓ]_{r,c}
        # among its symbols has derivative 0, which needs no call to diff.
        free = [y.free_symbols for y in y_local]
        derived = sp.Matrix(a.rows, a.cols, lambda r, c, a=a, g=grad, y=y_local, f=free: sp.Add(
            *(g[0, q] * y[q].diff(a[r, c]) for q in range(len(y)) if a[r, c] in f[q])))
        if number == depth:
            formula = inputs.T
        else:
            d = sp.diag(*zs[number - 1].applyfunc(sigma_p))
            formula = d * upstream[number].T * inputs.T
        compare(f"∂y_L/∂A_{number}", derived, formula)
    widths_text = ", ".join(map(str, widths))
    # The kernel compares every entry (identical ones cost nothing to expand).
    return exhaustive(lambda case: pairs[case["formula"], case["entry"]],
                      ({"formula": label, "entry": number} for label, number in pairs),
                      f"widths ({widths_text}), generic σ, every entry")


def _outputs_after(mlp, values, number: int, z):
    """y_L for a batch of pre-activations ``z`` of layer ``number`` (rows: batch)."""
    import numpy as np

    y = z if number == mlp.depth else mlp.activation.evaluate(z)
    for layer in range(number + 1, mlp.depth + 1):
        a = np.asarray(values["weights"][layer - 1], float)
        z = y @ a.T + np.asarray(values["biases"][layer - 1], float)
        y = z if layer == mlp.depth else mlp.activation.evaluate(z)
    return y[:, 0]


def finite_differences(mlp, wrt: str, values: dict, h: float = 1e-6):
    """Central differences of the scalar output with respect to ``x``, ``A_ℓ`` or ``b_ℓ``,
    shaped like :func:`jacobian` (numerator layout). All perturbations of one parameter run as
    one batch: a change of ``[A_ℓ]_{r,c}`` by h moves ``[z_ℓ]_r`` by ``h·[y_{ℓ−1}]_c``."""
    import numpy as np

    from .layers.mlp import MLP

    if not isinstance(mlp, MLP):
        raise ParameterError("mlp", mlp, "must be an MLP")
    kind, number = _parse_wrt(mlp, wrt)
    if kind == "y" and number != 0:
        raise ParameterError("wrt", wrt, "must be x, A_ℓ or b_ℓ for finite differences")
    if isinstance(h, bool) or not isinstance(h, (int, float)) or not (math.isfinite(h) and h > 0):
        raise ParameterError("h", h, "must be a positive finite step")
    x, weights, biases = _numbers(mlp, values)
    values = {"x": x, "weights": weights, "biases": biases}
    ys, zs = _forward(mlp, x, weights, biases)
    if kind == "y":
        a, b = np.asarray(values["weights"][0], float), np.asarray(values["biases"][0], float)
        steps = np.eye(len(ys[0])) * h

        def shift(sign):
            return (ys[0] + sign * steps) @ a.T + b

        number, shape = 1, (len(ys[0]),)
    else:
        rows = len(zs[number - 1])
        if kind == "b":
            steps = np.eye(rows) * h
            shape = (rows,)
        else:
            from .numeric import check_size

            cols = len(ys[number - 1])
            check_size("the finite-difference steps", rows * cols * rows)
            steps = np.zeros((rows * cols, rows))
            steps[np.arange(rows * cols), np.repeat(np.arange(rows), cols)] = \
                h * np.tile(ys[number - 1], rows)
            shape = (rows, cols)

        def shift(sign):
            return zs[number - 1] + sign * steps

    plus = _outputs_after(mlp, values, number, shift(1))
    minus = _outputs_after(mlp, values, number, shift(-1))
    grad = ((plus - minus) / (2 * h)).reshape(shape)
    return grad if kind == "A" else grad[None, :]


def numeric_check(widths: Sequence[int], activation: str, *, samples: int, seed: int,
                  tolerance: float, use_torch: bool = False):
    """SPOT_CHECKED: the formulas' numbers (``jacobian``) against central differences, or
    against ``torch.autograd`` with ``use_torch``, for every ``x``, ``A_ℓ``, ``b_ℓ``."""
    import numpy as np

    from .kernel import spot_check
    from .layers.mlp import MLP
    from .numeric import check_size

    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= 10_000:
        raise ParameterError("samples", samples, "must be an integer from 1 to 10,000")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ParameterError("seed", seed, "must be an integer from 0 to 2^32 - 1")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not (
            math.isfinite(tolerance) and tolerance > 0):
        raise ParameterError("tolerance", tolerance, "must be a positive finite number")
    mlp = MLP(widths, activation)
    # vectorised NumPy work: bounded like any numeric evaluation, not like a SymPy expansion
    check_size("the numeric check (entries of the weight matrices)",
               elements=sum(int(a) * int(b) for a, b in zip(mlp.widths, mlp.widths[1:]))
               if all(w.is_Integer for w in mlp.widths) else 0)
    names = ["x"] + [f"{v}_{k}" for k in range(1, mlp.depth + 1) for v in "Ab"]

    def sample(rng):
        return ({"x": rng.standard_normal(widths[0]),
                 "weights": [rng.standard_normal((b, a)) / np.sqrt(a)
                             for a, b in zip(widths, widths[1:])],
                 "biases": [rng.standard_normal(b) for b in widths[1:]]},)

    def compare(values):
        ours = np.concatenate([jacobian(mlp, w, values).ravel() for w in names])
        if use_torch:
            reference = _autograd(mlp, values, names)
        else:
            reference = np.concatenate([finite_differences(mlp, w, values).ravel()
                                        for w in names])
        return ours, reference

    reference = "torch.autograd" if use_torch else "central differences"
    return spot_check(sample, compare, samples=samples, seed=seed, tolerance=tolerance,
                      description=f"widths {tuple(widths)}, {activation}, vs {reference}")


def _autograd(mlp, values, names):
    from .crosscheck import torch_module

    torch = torch_module()
    x = torch.tensor(values["x"], dtype=torch.float64, requires_grad=True)
    weights = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in values["weights"]]
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in values["biases"]]
    act = {"ReLU": torch.relu, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh,
           "LeakyReLU": lambda v: torch.nn.functional.leaky_relu(
               v, float(mlp.activation.negative_slope))}[type(mlp.activation).__name__]
    y = x
    for layer, (a, b) in enumerate(zip(weights, biases), 1):
        y = a @ y + b
        if layer < mlp.depth:
            y = act(y)
    y.sum().backward()
    grads = {"x": x.grad}
    for k, (a, b) in enumerate(zip(weights, biases), 1):
        grads[f"A_{k}"], grads[f"b_{k}"] = a.grad, b.grad
    import numpy as np

    return np.concatenate([grads[w].numpy().ravel() for w in names])
