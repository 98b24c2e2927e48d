"""P10: softmax with cross-entropy, and the gradient of a scalar loss of an MLP's vector output.

(a) For logits ``z`` (n classes), ``p = softmax(z)`` and ``L = −Σ_k t_k log p_k``: the gradient
``∂L/∂z = (p Σ_k t_k − t)^T`` for any target, ``(p − t)^T`` when ``Σ_k t_k = 1`` and for a one-hot
target; the mean squared error's ``(2/n)(y − t)^T``. (b) For an MLP with n_L ≥ 1 outputs and
``g = ∂L/∂y_L``, the six backward formulas; with the cross-entropy's ``g`` substituted,
``∂L/∂A_L = (p − t) y_{L−1}^T``. Every formula derived by the kernel at index level for
symbolic widths, verified exactly on small widths and checked against autograd.
"""

from __future__ import annotations

import sympy as sp

from symproof.backprop import (
    L,
    check_loss_formula,
    check_loss_gradient,
    ell,
    loss_check,
    loss_definition,
    loss_formulas,
    loss_gradients,
    n,
    verify_loss_exact,
)
from symproof.backprop.losses import (
    LOSS_NAMES,
    c,
    k,
    loss_differentiated,
    loss_network,
    loss_ranges,
    softmax_entry,
    t_base,
    variable,
)
from symproof.calculus import Elementwise
from symproof.kernel import Context, derivative, substitution
from symproof.params import symbols
from symproof.printing import latex, text
from symproof.proof import Proof
from symproof.prose import Math, Prose
from symproof.registry import Parameter, Problem

PART = {"dL/dbL": "b", "dL/dyL-1": "b", "dL/dAL": "b", "dL/dbl": "b", "dL/dyl-1": "b",
        "dL/dAl": "b"}
ACTIVATIONS = ("tanh", "relu", "sigmoid")


def build(classes: int = 3, hidden: int = 4, activation: str = "tanh", *,
          use_torch: bool = False) -> Proof:
    """The proof for symbolic widths; ``classes`` (n_L) and ``hidden`` are the widths of the
    exact and numeric checks, ``activation`` the σ of the numeric checks."""
    classes, hidden = int(classes), int(hidden)
    width = n[L]
    p, t, z, y = (sp.MatrixSymbol(name, width, 1) for name in ("p", "t", "z", "y"))
    total = sp.Eq(sp.Sum(t_base[k], (k, 1, width)), 1)
    proof = Proof("p10", "softmax cross-entropy and a loss of a vector output", _statement(),
                  assumptions=[Prose(sp.Symbol("sigma"), " differentiable"),
                               Prose("numerator layout (the derivative of the scalar ",
                                     sp.Symbol("L"), " by a vector is a row; by a matrix it "
                                     "has the matrix's shape)")],
                  parameters={"classes": classes, "hidden": hidden, "activation": activation})
    j = symbols("j")
    # entry-level formulas are stated as shown (see _shown), not as claims to read back
    proof.given(None, "softmax of the logits", short_reason="softmax",
                statement=Prose(_shown(sp.Eq(sp.Symbol("p_j"), softmax_entry(j),
                                             evaluate=False))))
    proof.given(None, Prose("cross-entropy of ", p, " against the target ", t, " (PyTorch's "
                            "cross_entropy with class probabilities)"),
                short_reason="cross-entropy", statement=Prose(_shown(sp.Eq(
                    sp.Symbol("L"), loss_definition("cross_entropy"), evaluate=False))))
    _cross_entropy(proof, p, t, total)
    proof.given(None, Prose("mean squared error: PyTorch's mse_loss with reduction 'mean' "
                            "divides by the number of entries ", width),
                short_reason="mean squared error", statement=Prose(_mse_shown()))
    proof.add(sp.Eq(sp.Symbol("∂L/∂y"), loss_gradients()["mse"], evaluate=False),
              Prose("(a) differentiate in ", _shown(variable("mse")[j]), ": only the term ",
                    sp.Eq(k, j), " depends on it"),
              check_loss_gradient("mse", loss_gradients()["mse"]),
              short_reason=Prose("differentiate in ", _shown(variable("mse")[j])))
    _backward(proof)
    _substituted(proof, p, t, total)
    proof.result = sp.Eq(sp.Symbol("∂L/∂z"), sp.Transpose(p - t), evaluate=False)
    _checks(proof, classes, hidden, activation, use_torch)
    proof.summary = "spot-checked vs " + ("autograd" if use_torch else "finite differences")
    return proof


def _shown(expr: sp.Basic) -> Math:
    """A formula over vector entries (``z_j``, ``Σ_k t_k``), typeset as printed: the LaTeX
    reader reads ``t_{k}`` as one symbol, so these are shown, not offered to be read back."""
    return Math(latex(expr), text(expr))


def _mse_shown() -> Math:
    """The mean squared error as the course writes it, ``(y_k − t_k)²`` (SymPy would write
    ``(−t_k + y_k)²``); the same sum as ``loss_definition("mse")``."""
    width, y_k, t_k = n[L], variable("mse")[k], t_base[k]
    return Math(rf"L = \frac{{1}}{{{latex(width)}}} \sum_{{{latex(k)}=1}}^{{{latex(width)}}} "
                rf"\left({latex(y_k)} - {latex(t_k)}\right)^{{2}}",
                f"L = (1/{text(width)}) Σ_{{{text(k)}=1}}^{{{text(width)}}} "
                f"({text(y_k)} − {text(t_k)})^2")


def _statement() -> Prose:
    """The problem, as math."""
    net = loss_network()
    return Prose(
        "For logits ", sp.MatrixSymbol("z", n[L], 1), " of ", n[L], " classes, ",
        Math(r"p = \operatorname{softmax}(z)", "p = softmax(z)"), " and a target ",
        sp.MatrixSymbol("t", n[L], 1), ", derive the gradient of the cross-entropy ",
        Math(r"L = -\sum_{k} t_k \log p_k", "L = −Σ_k t_k log p_k"),
        " and of the mean squared error. For an MLP ",
        sp.Eq(sp.MatrixSymbol("y_ell", n[ell], 1), Elementwise("sigma", net.z), evaluate=False),
        ", ", sp.Eq(sp.MatrixSymbol("y_L", n[L], 1), net.z_L, evaluate=False),
        " with any number of outputs and a scalar loss of ", sp.MatrixSymbol("y_L", n[L], 1),
        ", derive the gradients in every layer's weights and biases.")


def _cross_entropy(proof: Proof, p, t, total: sp.Eq) -> None:
    """(a) ∂L/∂z for any target, then with Σ t = 1, then one-hot."""
    j, width = symbols("j"), n[L]
    general = sp.IndexedBase("p")[j] * sp.Sum(t_base[k], (k, 1, width)) - t_base[j]
    unfolded = softmax_entry(j) * sp.Sum(t_base[k], (k, 1, width)) - t_base[j]
    proof.add(None,
              Prose("(a) differentiate ", sp.Symbol("L"), " in ",
                    _shown(variable("cross_entropy")[j]),
                    ": ", Math(r"\log p_k = z_k - \log \sum_m e^{z_m}",
                               "log p_k = z_k − log Σ_m exp(z_m)"), ", any target"),
              derivative(loss_definition("cross_entropy"), variable("cross_entropy")[j],
                         unfolded, Context([sp.Le(j, width)])),
              assumptions=(sp.Le(j, width),),
              statement=Prose(_shown(sp.Eq(sp.Symbol("[∂L/∂z]_{1,j}"), general,
                                           evaluate=False))),
              short_reason=Prose("differentiate in ", _shown(variable("cross_entropy")[j])))
    claim = loss_gradients()["cross_entropy"]
    proof.add(sp.Eq(sp.Symbol("∂L/∂z"), claim, evaluate=False),
              Prose("(a) with ", _shown(total), " (class probabilities) the factor ",
                    _shown(sp.Sum(t_base[k], (k, 1, width))), " is 1"),
              check_loss_gradient("cross_entropy", claim, "probability"),
              assumptions=(total,), short_reason=Prose("with ", _shown(total)))
    onehot = sp.Eq(t_base[k], sp.KroneckerDelta(k, c))
    # the same claim for t = e_c, written with e_c: the line above, repeated, would say
    # nothing new
    proof.add(None,
              Prose("(a) a one-hot target ", _shown(onehot), " of class ", c,
                    " is such a vector"),
              check_loss_gradient("cross_entropy", claim, "onehot"),
              assumptions=(onehot, sp.Le(c, width)), short_reason="one-hot target",
              statement=Prose(Math(r"\frac{\partial L}{\partial z} = (p - e_c)^{\top}",
                                   "∂L/∂z = (p − e_c)^T")))


def _backward(proof: Proof) -> None:
    """(b) The six backward formulas with g = ∂L/∂y_L, each entry derived by the kernel."""
    for name, formula in loss_formulas().items():
        expr, wrt, why = loss_differentiated(name, *_indices(formula.shape))
        proof.add(sp.Eq(sp.Symbol(formula.label), formula.formula, evaluate=False),
                  Prose(f"({PART[name]}) differentiate ", _chain(name), " in ", wrt,
                        ", the upstream row held fixed; entry by entry"),
                  check_loss_formula(name, formula.formula),
                  assumptions=tuple(loss_ranges(name)),
                  short_reason=Prose("chain rule, differentiate in ", wrt))


def _indices(shape: tuple) -> tuple:
    rows, cols = shape
    return (1 if rows == 1 else symbols("i"), 1 if cols == 1 else symbols("j"))


def _chain(name: str) -> Math:
    """``Σ_p [∂L/∂y_L]_p [y_L]_p`` (or through y_ℓ), what the chain rule differentiates."""
    if name.endswith("L") or name.endswith("L-1"):
        return Math(r"\sum_{p} \left[\frac{\partial L}{\partial y_L}\right]_p [y_L]_p",
                    "Σ_p [∂L/∂y_L]_p [y_L]_p")
    return Math(r"\sum_{p} \left[\frac{\partial L}{\partial y_\ell}\right]_p [y_\ell]_p",
                "Σ_p [∂L/∂y_ℓ]_p [y_ℓ]_p")


def _substituted(proof: Proof, p, t, total: sp.Eq) -> None:
    """(b) ∂L/∂A_L for the cross-entropy: (p − t) y_{L−1}^T, by substituting the proved
    ∂L/∂y_L = (p − t)^T (z = y_L) into ∂L/∂A_L = g^T y_{L−1}^T, entry by entry."""
    net = loss_network()
    i, j, q = symbols("i j q")
    g, y_prev = sp.IndexedBase(net.g.name), sp.IndexedBase(net.y_Lm1.name)
    before = g[1, i] * y_prev[j]
    after = (sp.IndexedBase("p")[i] - t_base[i]) * y_prev[j]
    definition = sp.Eq(g[1, q], sp.IndexedBase("p")[q] - t_base[q])
    claim = sp.MatMul(p - t, net.y_Lm1.T)
    proof.add(sp.Eq(sp.Symbol("∂L/∂A_L"), claim, evaluate=False),
              Prose("(b) substitute the cross-entropy's ",
                    sp.Eq(net.g, sp.Transpose(p - t), evaluate=False), " (", _shown(total),
                    ") into ", sp.Eq(sp.Symbol("∂L/∂A_L"), net.g.T * net.y_Lm1.T,
                                     evaluate=False)),
              substitution(before, after, [definition], Context(loss_ranges("dL/dAL"))),
              short_reason="substitute the gradient of the loss")


def _checks(proof: Proof, classes: int, hidden: int, activation: str, use_torch: bool) -> None:
    """Exact checks on small widths and numeric ones against autograd (or differences)."""
    widths = (2, hidden, classes)
    for loss in ("cross_entropy", "mse"):
        name = LOSS_NAMES[loss]
        proof.check(None, f"every entry of every ∂L/∂A_ℓ and ∂L/∂b_ℓ, {name}, exactly",
                    verify_loss_exact(widths, loss),
                    statement=f"widths {widths}, generic σ, {name}")
        reference = "torch.autograd" if use_torch else "finite differences"
        proof.check(None, f"numbers from the formulas, {activation}, {name}",
                    loss_check((3, hidden, classes), activation, loss, samples=5, seed=0,
                               tolerance=1e-10 if use_torch else 1e-6, use_torch=use_torch),
                    statement=f"{activation}, widths (3, {hidden}, {classes}), {name}, "
                              f"{reference}")


PROBLEM = Problem("p10", "softmax cross-entropy and a loss of a vector output", build, (
    Parameter("classes", 3, "size", "number of classes n_L of the exact and numeric checks",
              symbolic=False),
    Parameter("hidden", 4, "size", "hidden width of the exact and numeric checks",
              symbolic=False),
    Parameter("activation", "tanh", "choice", "σ of the numeric checks", ACTIVATIONS),
), group="backprop")
