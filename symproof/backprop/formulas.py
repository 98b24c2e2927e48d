"""The symbolic side of MLP backpropagation: the six Jacobian formulas for a general depth L
and symbolic widths n_0 … n_L, and their proof at index level.

The network (DESIGN.md): ``y_0 = x``, ``y_ℓ = σ(A_ℓ y_{ℓ−1} + b_ℓ)`` for ℓ < L and
``y_L = A_L y_{L−1} + b_L`` with a scalar output (``n_L = 1``). With ``z_ℓ = A_ℓ y_{ℓ−1} + b_ℓ``
the six formulas, in numerator layout, are

    ∂y_L/∂b_L = 1                 ∂y_L/∂y_{L−1} = A_L
    ∂y_ℓ/∂b_ℓ = diag(σ'(z_ℓ))      ∂y_ℓ/∂y_{ℓ−1} = diag(σ'(z_ℓ)) A_ℓ
    ∂y_L/∂A_L = y_{L−1}^T          ∂y_L/∂A_ℓ = diag(σ'(z_ℓ)) (∂y_L/∂y_ℓ)^T y_{ℓ−1}^T

and ``∂y_L/∂y_ℓ = (∂y_L/∂y_{ℓ+1}) diag(σ'(z_{ℓ+1})) A_{ℓ+1}`` is the backward recursion. Every
object here is a ``MatrixSymbol`` with symbolic shape, so deriving them costs the same for any
width. This module derives them (:func:`derive`), writes the network's defining entries and what
each Jacobian entry differentiates (:func:`defining_entries`, :func:`differentiated`,
:func:`index_derivative`, :func:`ranges`), and has the kernel decide a claimed formula entry by
entry (:func:`check_formula`). Numbers from these formulas are in
:mod:`symproof.backprop.numeric`; their cross-checks in :mod:`symproof.backprop.crosscheck`.

>>> from symproof.text import text
>>> print(text(derive()["dyL/dAl"].formula))
diag(σ'(A_ℓ·y_{ℓ-1} + b_ℓ))·(∂y_L/∂y_ℓ)^T·y_{ℓ-1}^T
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..calculus import LAYOUTS, Elementwise, d_entry, diag, entry, index_value, to_layout
from ..errors import ParameterError
from ..kernel import Context, identity, same_shape
from ..limits import check_expression
from ..params import symbols

__all__ = ["Layers", "Network", "Formula", "derive", "network_symbols", "defining_entries",
           "differentiated", "index_derivative", "ranges", "check_formula", "activation_name",
           "layout_name", "n", "ell", "L"]

ell, L = symbols("ell L")
n = sp.IndexedBase("n", integer=True, positive=True)


@dataclass(frozen=True)
class Layers:
    """The symbols of a hidden layer ℓ and of the output layer L, and their pre-activations
    ``z_ℓ = A_ℓ y_{ℓ−1} + b_ℓ`` and ``z_L``."""

    A: sp.MatrixSymbol
    b: sp.MatrixSymbol
    y_prev: sp.MatrixSymbol
    A_L: sp.MatrixSymbol
    b_L: sp.MatrixSymbol
    y_Lm1: sp.MatrixSymbol

    @property
    def z(self):
        return self.A * self.y_prev + self.b

    @property
    def z_L(self):
        return self.A_L * self.y_Lm1 + self.b_L


@dataclass(frozen=True)
class Network(Layers):
    """The layers of an MLP with a scalar output, and the upstream gradient."""

    upstream: sp.MatrixSymbol  # ∂y_L/∂y_ℓ, a 1 × n_ℓ row (numerator layout)


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


def activation_name(activation: object) -> str:
    """The name of σ, checked: an identifier such as ``sigma`` (it names functions in the
    formulas), else a :class:`~symproof.errors.ParameterError`."""
    if not (isinstance(activation, str) and activation.isidentifier() and len(activation) <= 64
            ) or keyword.iskeyword(activation):
        raise ParameterError("activation", activation, "must be the name of σ, an identifier "
                             "such as 'sigma' (at most 64 characters, not a Python keyword)")
    return activation


def layout_name(layout: object) -> str:
    """``layout`` checked: ``"numerator"`` or ``"denominator"`` (see :mod:`symproof.calculus`),
    else a :class:`~symproof.errors.ParameterError`."""
    if not (isinstance(layout, str) and layout in LAYOUTS):
        raise ParameterError("layout", layout, f"must be one of {', '.join(LAYOUTS)}")
    return layout


def derive(activation: str = "sigma", layout: str = "numerator") -> dict[str, Formula]:
    """The six matrix-level formulas, for symbolic ℓ, L and widths (see the module docstring);
    ``activation`` names σ, ``layout`` is ``"numerator"`` or ``"denominator"``."""
    return _derive(activation_name(activation), layout_name(layout))


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
    activation = activation_name(activation)
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
    activation = activation_name(activation)
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
    REFUTED (wrong shape, or an entry that differs, with a counterexample) or UNKNOWN.

    >>> check_formula("dyl/dbl", derive()["dyl/dbl"].formula).status.name
    'PROVED'
    """
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
