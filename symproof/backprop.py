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

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .calculus import Elementwise, d_entry, diag, entry, prime, to_layout
from .errors import EvaluationError, ParameterError, ShapeError
from .params import symbols

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


@lru_cache(maxsize=16)
def derive(activation: str = "sigma", layout: str = "numerator") -> dict[str, Formula]:
    """The six matrix-level formulas, for symbolic ℓ, L and widths (see the module docstring)."""
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


def defining_entries(activation: str = "sigma") -> dict[str, sp.Expr]:
    """``[y_ℓ]_p`` and ``[y_L]_1`` written out at index level (p symbolic)."""
    net = network_symbols()
    p = sp.Symbol("p", integer=True, positive=True)
    return {"p": p,
            "y_ell": entry(Elementwise(activation, net.z), p),
            "y_L": entry(net.z_L, 1)}


def index_derivative(name: str, i, j, activation: str = "sigma") -> tuple[sp.Expr, str]:
    """``[∂of/∂wrt]_{i,j}`` differentiated at index level from the network's definition, and
    the justification. For ∂y_L/∂A_ℓ the chain rule through y_ℓ is used (y_L depends on A_ℓ
    only through y_ℓ): ``Σ_p [∂y_L/∂y_ℓ]_{1,p} ∂[y_ℓ]_p/∂[A_ℓ]_{i,j}``."""
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
    }
    if name in at:
        expr, variable, why = at[name]
        return d_entry(expr, variable), why
    if name == "dyL/dAl":
        inner = d_entry(y_ell, base("A_ell")[i, j])
        upstream = base(net.upstream.name)[1, p]
        return sp.Sum(upstream * inner, (p, 1, n[ell])), (
            "chain rule through y_ℓ: Σ_p [∂y_L/∂y_ℓ]_{1,p} ∂[y_ℓ]_p/∂[A_ℓ]_{i,j}")
    raise ParameterError("name", name, "must be one of the six formula names")


def ranges(name: str, i, j) -> list[sp.Basic]:
    """The index ranges of entry (i, j) of the named Jacobian (numerator layout)."""
    rows, cols = derive()[name].shape
    return [sp.Le(i, rows), sp.Le(j, cols)]


def check_formula(name: str, claimed: sp.Basic, activation: str = "sigma"):
    """Decide a claimed matrix formula for the named Jacobian at index level: PROVED,
    REFUTED (wrong shape, or an entry that differs, with a counterexample) or UNKNOWN."""
    from .proof import Outcome, Status
    from .tactics import Context, identity

    expected = derive(activation)[name]
    shape = claimed.shape if hasattr(claimed, "shape") else (1, 1)
    if tuple(shape) != tuple(expected.shape):
        widths = {str(w): v for w, v in zip((n[ell], n[ell - 1], n[L - 1]), (2, 3, 3))}
        return Outcome(Status.REFUTED, "shapes",
                       f"the claim has shape {shape}, {expected.label} has {expected.shape}",
                       counterexample=widths)
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

    return _compiled_derivative(mlp.activation.expression(_z), mlp.activation.name)


@lru_cache(maxsize=32)
def _compiled_derivative(expr: sp.Expr, name: str):
    """σ' as a NumPy function (cached: lambdify costs milliseconds)."""
    from .layers.activation import _z

    if expr.atoms(sp.core.function.AppliedUndef):
        raise EvaluationError(f"activation {name} is undefined: numeric "
                              "Jacobians need a concrete activation (relu, sigmoid, tanh, …)")
    compiled = sp.lambdify(_z, sp.diff(expr, _z).rewrite(sp.Piecewise),
                           modules=[{"Heaviside": lambda v, h0=0.0: (v > 0) * 1.0}, "numpy"])
    import numpy as np

    return lambda v: np.broadcast_to(compiled(v), np.shape(v)).astype(float)


def jacobian(mlp, wrt, values: dict, layout: str = "numerator"):
    """Numeric Jacobian of the MLP's output from the matrix-level formulas (vectorised NumPy),
    or of a SymPy expression (see :func:`expression_jacobian`).

    ``wrt`` is ``"x"``, ``"y_ℓ"``/``"y_l"`` (written ``y_2``), ``"b_ℓ"`` or ``"A_ℓ"``;
    ``values`` holds ``x``, ``weights`` and ``biases``. Vector-by-vector results have shape
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

    from .calculus import LAYOUTS
    from .layers.mlp import MLP

    if isinstance(mlp, (sp.Basic, sp.MatrixBase)):
        return expression_jacobian(mlp, wrt, values, layout)
    if not isinstance(mlp, MLP):
        raise ParameterError("mlp", mlp, "must be an MLP or a SymPy expression")
    if layout not in LAYOUTS:
        raise ParameterError("layout", layout, f"must be one of {', '.join(LAYOUTS)}")
    missing = {"x", "weights", "biases"} - set(values)
    if missing:
        raise ParameterError("values", sorted(values), f"must give {', '.join(sorted(missing))}")
    kind, _, number = str(wrt).replace("ℓ", "l").partition("_")
    if wrt == "x":
        kind, number = "y", "0"
    if kind not in ("y", "A", "b") or not number.isdigit() or not (
            (kind == "y" and 0 <= int(number) < mlp.depth) or 1 <= int(number) <= mlp.depth):
        raise ParameterError("wrt", wrt, f"must be a parameter or layer of this network: x, "
                             f"y_0 … y_{mlp.depth - 1}, A_1 … A_{mlp.depth}, "
                             f"b_1 … b_{mlp.depth}")
    number = int(number)
    weights, biases = values["weights"], values["biases"]
    if len(weights) != mlp.depth or len(biases) != mlp.depth:
        raise ShapeError(f"need {mlp.depth} weights and {mlp.depth} biases")
    mlp.evaluate(values["x"], weights, biases)  # validates every shape
    ys, zs = _forward(mlp, values["x"], weights, biases)
    sigma_prime = _derivative(mlp) if mlp.depth > 1 else None
    # Backward: g = ∂y_L/∂y_ℓ (n_L × n_ℓ), from ℓ = L − 1 down.
    g = np.asarray(weights[-1], float)
    upstream = {mlp.depth: np.eye(len(zs[-1])), mlp.depth - 1: g}
    for ell_ in range(mlp.depth - 1, 0, -1):
        g = (g * sigma_prime(zs[ell_ - 1])) @ np.asarray(weights[ell_ - 1], float)
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

    from .calculus import LAYOUTS

    if layout not in LAYOUTS:
        raise ParameterError("layout", layout, f"must be one of {', '.join(LAYOUTS)}")
    outputs = sp.Matrix(expr).reshape(len(sp.Matrix(expr)), 1) if isinstance(
        expr, (sp.MatrixBase, sp.MatrixExpr)) else sp.Matrix([expr])
    if isinstance(expr, sp.MatrixExpr):
        outputs = sp.Matrix(expr.as_explicit()).reshape(expr.shape[0] * expr.shape[1], 1)
    # Entries of matrix symbols become plain symbols, so lambdify and free_symbols see them.
    entries = {e: sp.Symbol(f"{e.parent.name}[{e.i},{e.j}]")
               for e in outputs.atoms(sp.matrices.expressions.matexpr.MatrixElement)}
    outputs = outputs.xreplace(entries)

    def flat(item):
        return [entries.get(e, sp.Symbol(f"{e.parent.name}[{e.i},{e.j}]"))
                for e in sp.Matrix(item.as_explicit())]

    variables = []
    for item in (wrt if isinstance(wrt, (list, tuple)) else [wrt]):
        if isinstance(item, sp.MatrixSymbol):
            variables += flat(item)
        elif isinstance(item, sp.Symbol):
            variables.append(item)
        else:
            raise ParameterError("wrt", item, "must be a symbol, a MatrixSymbol or a list of them")
    arguments, numbers = [], []
    for key, value in values.items():
        if isinstance(key, sp.MatrixSymbol):
            arguments += flat(key)
            numbers += list(np.asarray(value, dtype=float).reshape(key.shape).ravel())
        else:
            arguments.append(key)
            numbers.append(float(value))
    needed = sorted(map(str, outputs.free_symbols - set(arguments)))
    if needed:
        raise ParameterError("values", sorted(map(str, values)),
                             f"must give every symbol: missing {', '.join(needed)}")
    compiled = sp.lambdify(arguments, outputs.jacobian(variables), modules="numpy")
    result = np.asarray(compiled(*numbers), dtype=float)
    return result if layout == "numerator" else result.T


def verify_exact(widths: Sequence[int], activation: str = "sigma"):
    """VERIFIED / REFUTED: every entry of the six formulas on concrete widths, exactly, with a
    generic σ. Each layer's explicit map is differentiated by ``sympy.diff`` entry by entry (in
    fresh symbols for its input), and the chain rule composes the layers; the formulas are
    evaluated on the same explicit matrices and compared entry by entry."""
    from .calculus import differentiable
    from .proof import Outcome, Status

    widths = [int(w) for w in widths]
    if widths[-1] != 1 or len(widths) < 3:
        raise ParameterError("widths", tuple(widths), "must be n_0, …, n_L with L ≥ 2, n_L = 1")
    depth = len(widths) - 1
    sigma, sigma_p = differentiable(activation), prime(activation)
    ys = [sp.Matrix(sp.symbols(f"u0_1:{widths[0] + 1}"))]
    As, bs, zs, local = [], [], [], []
    for number in range(1, depth + 1):
        a = sp.Matrix(widths[number], widths[number - 1],
                      lambda r, c, m=number: sp.Symbol(f"A{m}_{r + 1}{c + 1}"))
        b = sp.Matrix(sp.symbols(f"b{number}_1:{widths[number] + 1}"))
        inputs = sp.Matrix(sp.symbols(f"u{number - 1}_1:{widths[number - 1] + 1}"))
        z = a * inputs + b
        y = z if number == depth else z.applyfunc(sigma)
        As.append(a), bs.append(b), zs.append(z), ys.append(y)
        local.append(y)
    mismatches, checked = [], 0

    def compare(label, derived, formula):
        nonlocal checked
        checked += len(derived)
        # Identical entries need no expansion; any other pair must expand to equal.
        if any(d != f and sp.expand(d - f) != 0 for d, f in zip(derived, formula)):
            mismatches.append(label)

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
    if mismatches:
        return Outcome(Status.REFUTED, "exhaustive check", f"widths ({widths_text})",
                       counterexample={"formulas": ", ".join(mismatches)})
    return Outcome(Status.VERIFIED, "exhaustive check",
                   f"widths ({widths_text}), generic σ: all {checked} entries equal")


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

    ys, zs = _forward(mlp, values["x"], values["weights"], values["biases"])
    kind, _, number = wrt.partition("_")
    if wrt == "x":
        a, b = np.asarray(values["weights"][0], float), np.asarray(values["biases"][0], float)
        steps = np.eye(len(ys[0])) * h

        def shift(sign):
            return (ys[0] + sign * steps) @ a.T + b

        number, shape = 1, (len(ys[0]),)
    else:
        number = int(number)
        rows = len(zs[number - 1])
        if kind == "b":
            steps = np.eye(rows) * h
            shape = (rows,)
        else:
            cols = len(ys[number - 1])
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

    from .layers.mlp import MLP
    from .tactics import spot_check

    mlp = MLP(widths, activation)
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
    from .crosscheck import _torch

    torch = _torch()
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
