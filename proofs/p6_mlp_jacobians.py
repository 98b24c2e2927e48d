"""P6: the Jacobians of an MLP with scalar output, for any depth L, in numerator layout.

(a) ∂y_L/∂b_L, ∂y_L/∂y_{L−1}, ∂y_ℓ/∂b_ℓ, ∂y_ℓ/∂y_{ℓ−1}; (b) ∂y_L/∂A_L, ∂y_L/∂A_ℓ — each
derived at index level from the network's definition (symbolic widths, generic differentiable
σ) and proved equal to its matrix formula entry by entry; then the backward recursion.
"""

from __future__ import annotations

import sympy as sp

from symproof.backprop import (
    L,
    check_formula,
    derive,
    differentiated,
    ell,
    index_derivative,
    n,
    network_symbols,
    numeric_check,
    ranges,
    verify_exact,
)
from symproof.calculus import Elementwise, diag, entry
from symproof.figures import attach, mlp_figure
from symproof.kernel import Context, derivative, induction, normalize
from symproof.params import symbols
from symproof.printing import latex, text
from symproof.proof import Proof
from symproof.prose import Math, Prose, listed, size
from symproof.registry import Parameter, Problem

PARTS = {"dyL/dbL": "a", "dyL/dyL-1": "a", "dyl/dbl": "a", "dyl/dyl-1": "a", "dyL/dAL": "b",
         "dyL/dAl": "b"}


def build(layout: str = "numerator", *, use_torch: bool = False) -> Proof:
    """The proof, with the matrix formulas shown in ``layout``."""
    formulas = derive(layout=layout)
    proof = Proof("p6", "MLP Jacobians", _statement(formulas), assumptions=[
        Prose(sp.Symbol("sigma"), " differentiable"), sp.Eq(n[L], 1),
        Prose(f"{layout} layout (the Jacobian of ", sp.Symbol("y"), " by ", sp.Symbol("x"),
              " has shape ", Math(r"\dim y \times \dim x", "dim y × dim x"),
              ")" if layout == "numerator" else ", transposed)",
              "; a scalar's derivative by a matrix has the matrix's shape")],
        parameters={"layout": layout})
    for name, formula in formulas.items():
        rows, cols = derive()[name].shape
        i = sp.Integer(1) if rows == 1 else symbols("i")
        j = sp.Integer(1) if cols == 1 else symbols("j")
        ctx = Context(ranges(name, i, j))
        expr, variable, why = differentiated(name, i, j)
        entry_name = sp.Symbol(f"[{formula.label}]_{{{i},{j}}}")
        result = normalize(index_derivative(name, i, j)[0], ctx, simplify=False)
        proof.add(sp.Eq(entry_name, result, evaluate=False),
                  Prose(f"({PARTS[name]}) differentiate ", _summed_over_k(expr), " in ", variable,
                        "; the Kronecker deltas sum out"),
                  derivative(expr, variable, result, ctx),
                  assumptions=tuple(ranges(name, i, j)),
                  short_reason=Prose("differentiate in ", variable))
        layouts = {kind: sp.Eq(sp.Symbol(formula.label), derive(layout=kind)[name].formula,
                               evaluate=False) for kind in ("numerator", "denominator")}
        proof.add(layouts[layout],
                  Prose(f"({PARTS[name]}) entry ", _pair(i, j), " of the matrix formula is "
                        "the derivative above; shape ", size(*formula.shape),
                        " in numerator layout"),
                  check_formula(name, derive()[name].formula), layouts=layouts,
                  short_reason="the same, entry by entry")
    _recursion(proof)
    attach(proof, mlp_figure)
    proof.result = sp.Eq(sp.Symbol(formulas["dyL/dAl"].label), formulas["dyL/dAl"].formula,
                         evaluate=False)
    proof.check(None, "every entry of all six formulas, exactly",
                verify_exact((2, 3, 2, 1)), statement="widths (2, 3, 2, 1), generic σ")
    for activation in ("relu", "tanh", "sigmoid"):
        proof.check(None, f"numbers from the formulas, {activation}",
                    numeric_check((3, 4, 4, 1), activation, samples=5, seed=0,
                                  tolerance=1e-10 if use_torch else 1e-6,
                                  use_torch=use_torch),
                    statement=f"{activation}, widths (3, 4, 4, 1), "
                              f"{'torch.autograd' if use_torch else 'finite differences'}")
    proof.summary = f"{layout} layout; spot-checked vs " + (
        "autograd" if use_torch else "finite differences")
    return proof


def _pair(i, j) -> Math:
    """The index pair ``(i, j)`` of an entry (SymPy would read it back as an interval)."""
    return Math(f"({latex(i)}, {latex(j)})", f"({text(i)}, {text(j)})")


def _summed_over_k(expr: sp.Basic) -> sp.Basic:
    """``expr`` with its summation indices named k, as the course writes them (the derivation
    numbers its dummies k_2, k_8, …), when k is free in it nowhere else."""
    # nested sums get k, then m, …: one name for both would read Σ_k … [A]_{k,k}
    names = [name for name in (symbols(c) for c in "kmrs") if name not in expr.free_symbols]

    def named(e: sp.Basic, depth: int) -> sp.Basic:
        if isinstance(e, sp.Sum) and len(e.limits) == 1 and depth < len(names):
            (var, low, high), new = e.limits[0], names[depth]
            return sp.Sum(named(e.function, depth + 1).xreplace({var: new}), (new, low, high))
        if not e.args or isinstance(e, sp.Sum):
            return e
        return e.func(*(named(a, depth) for a in e.args))

    return named(expr, 0)


def _statement(formulas: dict) -> Prose:
    """The problem: the network's definition and the six Jacobians asked for, as math."""
    net, y, x = network_symbols(), sp.MatrixSymbol, sp.Symbol("x")
    sigma = Elementwise("sigma", net.A * net.y_prev + net.b)
    asked = listed(sp.Symbol(formula.label) for formula in formulas.values())
    return Prose(
        "For ", sp.Eq(y("y_0", n[0], 1), x, evaluate=False), ", ",
        sp.Eq(y("y_ell", n[ell], 1), sigma, evaluate=False), " (", sp.Lt(ell, L), ") and ",
        sp.Eq(y("y_L", 1, 1), net.A_L * net.y_Lm1 + net.b_L, evaluate=False),
        " with scalar output, derive ", *asked, " for any depth ", L, " and widths ",
        Math(r"n_0, \ldots, n_L", "n_0, …, n_L"), ".")


def _recursion_claim() -> Math:
    """∂y_L/∂y_ℓ as the product of the chain, which SymPy has no closed form for."""
    return Math(r"\frac{\partial y_L}{\partial y_\ell} = A_L \operatorname{diag}\left("
                r"\sigma'\left(z_{L-1}\right)\right) A_{L-1} \cdots \operatorname{diag}"
                r"\left(\sigma'\left(z_{\ell+1}\right)\right) A_{\ell+1}",
                "∂y_L/∂y_ℓ = A_L diag(σ'(z_{L−1})) A_{L−1} ⋯ diag(σ'(z_{ℓ+1})) A_{ℓ+1}")


def _recursion(proof: Proof) -> None:
    """∂y_L/∂y_{ℓ−1} = (∂y_L/∂y_ℓ) diag(σ'(z_ℓ)) A_ℓ, by the chain rule through y_ℓ, and the
    closed form by induction on L − ℓ from ∂y_L/∂y_{L−1} = A_L."""
    net = network_symbols()
    j, p = symbols("j p")
    from symproof.backprop import defining_entries
    ell_ = ell

    y_ell = defining_entries()["y_ell"].xreplace({defining_entries()["p"]: p})
    upstream = sp.IndexedBase(net.upstream.name)
    through = sp.Sum(upstream[1, p] * y_ell, (p, 1, n[ell_]))  # upstream constant in y_{ℓ−1}
    claimed = net.upstream * diag(Elementwise("sigma'", net.z)) * net.A
    step = derivative(through, sp.IndexedBase("y_ell-1")[j], entry(claimed, 1, j),
                      Context([sp.Le(j, n[ell_ - 1])]))
    through_y = sp.MatrixSymbol("y_ell", n[ell_], 1)
    proof.add(sp.Eq(sp.Symbol("∂y_L/∂y_ell-1"), claimed, evaluate=False),
              Prose("backward recursion: chain rule through ", through_y, ", entry ",
                    _pair(1, j), ", with (a)"), step,
              short_reason=Prose("chain rule through ", through_y))
    base = check_formula("dyL/dyL-1", derive()["dyL/dyL-1"].formula)
    proof.add(None, Prose("induction on ", L - ell_, " from ",
                          sp.Eq(sp.Symbol("∂y_L/∂y_L-1"), net.A_L, evaluate=False),
                          ", one recursion step each"),
              induction(base, step, "L − ℓ"), statement=Prose(_recursion_claim()),
              short_reason=Prose("induction on ", L - ell_))


PROBLEM = Problem("p6", "MLP Jacobians", build, (
    Parameter("layout", "numerator", "choice", "layout of the printed matrix formulas",
              ("numerator", "denominator")),
))
