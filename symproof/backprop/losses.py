"""A scalar loss of the MLP's vector output: the backward formulas and two losses, proved.

For an MLP with any output width ``n_L ≥ 1`` and a scalar loss ``L(y_L)``, write
``g = ∂L/∂y_L`` (a 1 × n_L row, numerator layout) and ``u = ∂L/∂y_ℓ`` (1 × n_ℓ). The chain rule
(``L`` depends on a parameter of layer ℓ only through ``y_ℓ``, and ``u`` does not depend on
it) gives, with ``z_ℓ = A_ℓ y_{ℓ−1} + b_ℓ``:

    ∂L/∂b_L = g                    ∂L/∂y_{L−1} = g A_L           ∂L/∂A_L = g^T y_{L−1}^T
    ∂L/∂b_ℓ = u diag(σ'(z_ℓ))      ∂L/∂y_{ℓ−1} = u diag(σ'(z_ℓ)) A_ℓ
    ∂L/∂A_ℓ = diag(σ'(z_ℓ)) u^T y_{ℓ−1}^T

Vectors' derivatives are rows (numerator layout, DESIGN.md); a derivative by a matrix has the
matrix's shape. :func:`check_loss_formula` has the kernel decide a claimed formula entry by
entry from the defining entries (``Σ_p g_p [y_L]_p`` differentiated, ``g`` held fixed), as
:func:`~symproof.backprop.formulas.check_formula` does for P6.

The losses, on an output ``y`` (or logits ``z``) of width ``n = n_L`` and a target ``t``:

* ``"mse"``: ``L = (1/n) Σ_k (y_k − t_k)²`` — PyTorch's ``mse_loss`` with ``reduction='mean'``
  divides by the number of entries — so ``∂L/∂y = (2/n)(y − t)^T``;
* ``"cross_entropy"``: ``p_k = exp(z_k)/Σ_m exp(z_m)`` (softmax), ``L = −Σ_k t_k log p_k``
  (PyTorch's ``cross_entropy`` of one sample with class probabilities ``t``), so
  ``∂L/∂z = (p Σ_k t_k − t)^T``, which is ``(p − t)^T`` when ``Σ_k t_k = 1`` (a probability
  vector, e.g. a one-hot target ``t_k = δ_{k,c}``).

:func:`check_loss_gradient` decides a claimed ``∂L/∂y`` under a target model (``"any"``,
``"probability"``: ``Σ t = 1`` assumed, or ``"onehot"``: ``t_k = δ_{k,c}``). Numbers from the
losses (:func:`loss_value`, :func:`loss_gradient`) are what
:func:`~symproof.backprop.numeric.jacobian` takes with ``loss=…, target=…``.

>>> from symproof.text import text
>>> print(text(loss_formulas()["dL/dAl"].formula))
diag(σ'(A_ℓ·y_{ℓ-1} + b_ℓ))·(∂L/∂y_ℓ)^T·y_{ℓ-1}^T
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..calculus import Elementwise, diag, entry
from ..errors import ParameterError, ShapeError
from ..kernel import Context, derivative, same_shape
from ..limits import check_expression
from ..numeric import as_array
from ..params import symbols
from .formulas import L, Layers, activation_name, ell, n

__all__ = ["LOSSES", "LOSS_NAMES", "TARGETS", "LossNetwork", "loss_network", "loss_formulas",
           "loss_differentiated", "check_loss_formula", "loss_definition", "loss_gradients",
           "check_loss_gradient", "softmax_entry", "variable", "loss_ranges", "loss_value",
           "loss_gradient", "target_array"]

#: The losses by name, with how they are written.
LOSSES = {"mse": "mean squared error (1/n) Σ_k (y_k − t_k)²",
          "cross_entropy": "softmax cross-entropy −Σ_k t_k log p_k, p = softmax(z)"}
#: The losses as a document names them.
LOSS_NAMES = {"mse": "mean squared error", "cross_entropy": "cross-entropy"}
#: What a target is assumed to be when a loss gradient is checked.
TARGETS = ("any", "probability", "onehot")

#: The summation index and the entry index of the loss formulas, and the one-hot class c.
k, m = symbols("k m")
c = symbols("c")
#: The target t, the output y (= y_L), the logits z (= y_L too) and the softmax p, as vectors.
t_base, y_base, p_base = sp.IndexedBase("t"), sp.IndexedBase("y"), sp.IndexedBase("p")
z_base = sp.IndexedBase("z")
width = n[L]


@dataclass(frozen=True)
class LossNetwork(Layers):
    """The layers of the backward pass with a loss (``n_L`` outputs) and the two upstream rows
    ``g = ∂L/∂y_L`` and ``u = ∂L/∂y_ℓ``."""

    g: sp.MatrixSymbol
    u: sp.MatrixSymbol


@lru_cache(maxsize=1)
def loss_network() -> LossNetwork:
    """``A_ℓ`` (n_ℓ × n_{ℓ−1}), ``b_ℓ``, ``y_{ℓ−1}``, ``A_L`` (n_L × n_{L−1}), ``b_L``,
    ``y_{L−1}``, ``g = ∂L/∂y_L`` (1 × n_L) and ``u = ∂L/∂y_ℓ`` (1 × n_ℓ)."""
    M = sp.MatrixSymbol
    return LossNetwork(M("A_ell", n[ell], n[ell - 1]), M("b_ell", n[ell], 1),
                       M("y_ell-1", n[ell - 1], 1), M("A_L", n[L], n[L - 1]),
                       M("b_L", n[L], 1), M("y_L-1", n[L - 1], 1),
                       M("∂L/∂y_L", 1, n[L]), M("∂L/∂y_ell", 1, n[ell]))


@dataclass(frozen=True)
class LossFormula:
    """One gradient of the loss: ``∂L/∂wrt = formula``, of shape ``shape``."""

    name: str
    wrt: str
    formula: sp.Basic
    shape: tuple

    @property
    def label(self) -> str:
        return f"∂L/∂{self.wrt}"


def loss_formulas(activation: str = "sigma") -> dict[str, LossFormula]:
    """The six backward formulas with a scalar loss (module docstring), numerator layout."""
    return _loss_formulas(activation_name(activation))


@lru_cache(maxsize=8)
def _loss_formulas(activation: str) -> dict[str, LossFormula]:
    net = loss_network()
    d = diag(Elementwise(f"{activation}'", net.z))
    rows = [("dL/dbL", "b_L", net.g, (1, n[L])),
            ("dL/dyL-1", "y_L-1", net.g * net.A_L, (1, n[L - 1])),
            ("dL/dAL", "A_L", net.g.T * net.y_Lm1.T, (n[L], n[L - 1])),
            ("dL/dbl", "b_ell", net.u * d, (1, n[ell])),
            ("dL/dyl-1", "y_ell-1", net.u * d * net.A, (1, n[ell - 1])),
            ("dL/dAl", "A_ell", d * net.u.T * net.y_prev.T, (n[ell], n[ell - 1]))]
    return {name: LossFormula(name, wrt, formula, shape) for name, wrt, formula, shape in rows}


def loss_differentiated(name: str, i, j, activation: str = "sigma"
                        ) -> tuple[sp.Expr, sp.Indexed, str]:
    """What entry ``(i, j)`` of the named gradient differentiates: ``(expression, entry, why)``.
    By the chain rule through ``y_L`` (or ``y_ℓ``) with ``g`` (or ``u``) held fixed, ``∂L/∂θ``
    is the derivative of ``Σ_p g_p [y_L]_p`` (or ``Σ_p u_p [y_ℓ]_p``) in ``θ``."""
    activation = activation_name(activation)
    if name not in _loss_formulas(activation):
        raise ParameterError("name", name, f"must be one of {', '.join(_loss_formulas('s'))}")
    net, base, p = loss_network(), sp.IndexedBase, symbols("p")
    y_L = entry(net.z_L, p)
    y_ell = sp.Function(activation)(entry(net.z, p))
    top = sp.Sum(base(net.g.name)[1, p] * y_L, (p, 1, n[L]))
    hidden = sp.Sum(base(net.u.name)[1, p] * y_ell, (p, 1, n[ell]))
    chain_L = "chain rule through y_L: Σ_p [∂L/∂y_L]_p ∂[y_L]_p/∂"
    chain_l = "chain rule through y_ℓ: Σ_p [∂L/∂y_ℓ]_p ∂[y_ℓ]_p/∂"
    at = {"dL/dbL": (top, base("b_L")[j], chain_L + "[b_L]_j"),
          "dL/dyL-1": (top, base("y_L-1")[j], chain_L + "[y_{L−1}]_j"),
          "dL/dAL": (top, base("A_L")[i, j], chain_L + "[A_L]_{i,j}"),
          "dL/dbl": (hidden, base("b_ell")[j], chain_l + "[b_ℓ]_j"),
          "dL/dyl-1": (hidden, base("y_ell-1")[j], chain_l + "[y_{ℓ−1}]_j"),
          "dL/dAl": (hidden, base("A_ell")[i, j], chain_l + "[A_ℓ]_{i,j}")}
    return at[name]


def _entry_indices(shape: tuple) -> tuple:
    """The entry ``(i, j)`` checked: 1 along a side of size 1, a symbol otherwise."""
    rows, cols = shape
    return (sp.Integer(1) if rows == 1 else symbols("i"),
            sp.Integer(1) if cols == 1 else symbols("j"))


def loss_ranges(name: str) -> list[sp.Basic]:
    """The index ranges of the checked entry of the named gradient."""
    formula = loss_formulas()[name]
    i, j = _entry_indices(formula.shape)
    return [sp.Le(i, formula.shape[0]), sp.Le(j, formula.shape[1])]


def check_loss_formula(name: str, claimed: sp.Basic, activation: str = "sigma"):
    """Decide a claimed matrix formula for the named gradient at index level: PROVED, REFUTED
    (wrong shape, or an entry that differs, with a counterexample) or UNKNOWN.

    >>> check_loss_formula("dL/dAL", loss_formulas()["dL/dAL"].formula).status.name
    'PROVED'
    """
    formulas = loss_formulas(activation)
    if not isinstance(name, str) or name not in formulas:
        raise ParameterError("name", name, f"must be one of {', '.join(formulas)}")
    if not isinstance(claimed, (sp.MatrixExpr, sp.MatrixBase)):
        raise ParameterError("claimed", claimed, "must be a SymPy matrix expression")
    check_expression(claimed, "claimed")
    expected = formulas[name]
    # distinct widths, so that a missing transpose shows in the shape
    instance = {w: sp.Integer(v) for w, v in zip((n[ell], n[ell - 1], n[L], n[L - 1]),
                                                 (2, 3, 4, 5))}
    mismatch = same_shape(claimed.shape, expected.shape, instance, expected.label)
    if mismatch is not None:
        return mismatch
    i, j = _entry_indices(expected.shape)
    expr, variable, _ = loss_differentiated(name, i, j, activation)
    return derivative(expr, variable, entry(claimed, i, j), Context(loss_ranges(name)))


def softmax_entry(index: sp.Expr, logits: sp.IndexedBase = z_base) -> sp.Expr:
    """``p_index = exp(z_index) / Σ_{m=1}^{n_L} exp(z_m)``."""
    return sp.exp(logits[index]) / sp.Sum(sp.exp(logits[m]), (m, 1, width))


def loss_definition(loss: str, target: str = "any") -> sp.Expr:
    """The loss at index level on ``y`` (on the logits ``z`` for cross-entropy), ``t`` the
    target (``t_k = δ_{k,c}`` for ``"onehot"``)."""
    loss, target = _loss_name(loss), _target_name(target)
    t = sp.KroneckerDelta(k, c) if target == "onehot" else t_base[k]
    if loss == "mse":
        return sp.Sum((y_base[k] - t) ** 2, (k, 1, width)) / width
    return -sp.Sum(t * sp.log(softmax_entry(k)), (k, 1, width))


def loss_gradients() -> dict[str, sp.MatrixExpr]:
    """The proved ``∂L/∂y`` as rows (numerator layout): ``"mse"``: ``(2/n)(y − t)^T``;
    ``"cross_entropy"``: ``(p − t)^T`` (for a target with ``Σ t = 1``)."""
    y, t, p = (sp.MatrixSymbol(name, width, 1) for name in ("y", "t", "p"))
    return {"mse": sp.MatMul(2 / width, sp.Transpose(y - t)),
            "cross_entropy": sp.Transpose(p - t)}


def variable(loss: str) -> sp.IndexedBase:
    """What the loss is differentiated in: the output ``y``, or the logits ``z``."""
    return z_base if _loss_name(loss) == "cross_entropy" else y_base


def _target_context(target: str, j: sp.Symbol) -> Context:
    relations = [sp.Le(j, width)]
    if target == "probability":
        relations.append(sp.Eq(sp.Sum(t_base[k], (k, 1, width)), 1))
    if target == "onehot":
        relations.append(sp.Le(c, width))
    return Context(relations)


def check_loss_gradient(loss: str, claimed: sp.Basic, target: str = "any"):
    """Decide a claimed ``∂L/∂y`` (``∂L/∂z`` for cross-entropy: a 1 × n_L row in ``y``, ``t``
    and ``p`` as matrix symbols of width ``n_L``) for the named loss under the target model:
    entry ``(1, j)`` of the claim, with ``p_j`` unfolded to the softmax and, for ``"onehot"``,
    ``t_j`` to ``δ_{j,c}``, against the kernel's derivative of :func:`loss_definition` in
    ``y_j`` (``z_j``).

    >>> check_loss_gradient("cross_entropy", loss_gradients()["cross_entropy"],
    ...                     "probability").status.name
    'PROVED'
    """
    loss, target = _loss_name(loss), _target_name(target)
    if not isinstance(claimed, (sp.MatrixExpr, sp.MatrixBase)):
        raise ParameterError("claimed", claimed, "must be a SymPy matrix expression (a row)")
    check_expression(claimed, "claimed")
    mismatch = same_shape(claimed.shape, (1, width), {width: sp.Integer(3)}, "∂L/∂y")
    if mismatch is not None:
        return mismatch
    j = symbols("j")
    claimed_entry = entry(claimed, 1, j)

    def unfolded(e: sp.Indexed) -> sp.Expr:
        if e.base == p_base:
            return softmax_entry(e.indices[0])
        if e.base == t_base and target == "onehot":
            return sp.KroneckerDelta(e.indices[0], c)
        return e

    claimed_entry = claimed_entry.replace(lambda e: isinstance(e, sp.Indexed), unfolded)
    return derivative(loss_definition(loss, target), variable(loss)[j], claimed_entry,
                      _target_context(target, j))


def _loss_name(loss: object) -> str:
    if not (isinstance(loss, str) and loss in LOSSES):
        raise ParameterError("loss", loss, f"must be one of {', '.join(LOSSES)}")
    return loss


def _target_name(target: object) -> str:
    if not (isinstance(target, str) and target in TARGETS):
        raise ParameterError("target", target, f"must be one of {', '.join(TARGETS)}")
    return target


# --- numbers ----------------------------------------------------------------------------

#: How far from 1 the entries of a cross-entropy target may sum (float rounding).
SUM_TOLERANCE = 1e-9


def target_array(loss: str, target, outputs: int):
    """``target`` checked for the loss and an output of width ``outputs``: a real vector of
    that width; for cross-entropy its entries are ≥ 0 and sum to 1 (the formula ``p − t``
    needs ``Σ t = 1``; a one-hot vector is one)."""
    import numpy as np

    loss = _loss_name(loss)
    if target is None:
        raise ParameterError("target", None, f"must be given with loss={loss!r}: a vector "
                                             f"of {outputs} numbers")
    array = as_array("target", target, (1,), real=True)
    if array.shape != (outputs,):
        raise ShapeError(f"target must have n_L = {outputs} entries (the output's width), got "
                         f"shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ParameterError("target", array.tolist(), "must be finite numbers")
    if loss == "cross_entropy":
        total = float(np.sum(array))
        if np.any(array < 0) or not math.isclose(total, 1.0, abs_tol=SUM_TOLERANCE * outputs):
            raise ParameterError("target", array.tolist(), "must be class probabilities for "
                                 "cross_entropy: entries ≥ 0 summing to 1 (a one-hot vector "
                                 f"is one); they sum to {total}")
    return array


def _softmax(z):
    import numpy as np

    shifted = np.exp(z - np.max(z))  # the same ratios, without overflow
    return shifted / np.sum(shifted)


def loss_value(loss: str, y, target) -> float:
    """The loss of the output (logits) ``y`` against a checked ``target``."""
    import numpy as np

    y = np.asarray(y, dtype=float)
    if _loss_name(loss) == "mse":
        return float(np.mean((y - target) ** 2))
    shifted = y - np.max(y)
    return float(-np.sum(target * (shifted - np.log(np.sum(np.exp(shifted))))))


def loss_gradient(loss: str, y, target):
    """``∂L/∂y`` as a 1 × n row (numerator layout), from the proved formulas."""
    import numpy as np

    y = np.asarray(y, dtype=float)
    if _loss_name(loss) == "mse":
        return (2.0 / len(y) * (y - target))[None, :]
    return (_softmax(y) - target)[None, :]
