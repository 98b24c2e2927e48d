"""P7: backpropagation through a convolution, for any channels, kernel, stride, padding and
dilation.

With the upstream gradient ``G = ∂L/∂Y``: ∂L/∂b_l, ∂L/∂w_{l,γ,α,β} and ∂L/∂X_{γ,p,q}, each
derived by differentiating ``Σ_{l,i,j} G_{l,i,j} Y_{l,i,j}`` (the chain rule) and proved equal to
its index formula; then the theorem that ∂L/∂X is the transposed convolution of ``G`` with the
same weights (and, for stride 1, the full correlation with the flipped kernel), with the output
padding that restores the input size.
"""

from __future__ import annotations

import sympy as sp

from symproof import Conv2d
from symproof import notation as nt
from symproof.backprop import conv as backward
from symproof.kernel.flatten import reflect
from symproof.proof import Proof
from symproof.prose import Math, Prose, size
from symproof.registry import Parameter, Problem

C_IN, C_OUT, F1, F2, S, P, D = (row[1] for row in backward.PARAMETERS)

#: The gradients' names as printed: ∂L/∂b_l, ∂L/∂w_{l,γ,α,β}, ∂L/∂X_{γ,p,q}.
LABELS = {"b": "∂L/∂b_l", "w": "∂L/∂w_{l,gamma,alpha,beta}", "X": "∂L/∂X_{gamma,p,q}"}
WHAT = {"b": "the bias", "w": "the weights", "X": "the input"}


def layer_of(C_in, C_out, f_1, f_2, S, P, D) -> Conv2d:
    """The problem's convolution (one group, with a bias)."""
    return Conv2d(C_in, C_out, (f_1, f_2), stride=S, padding=P, dilation=D)


def build(C_in=C_IN, C_out=C_OUT, f_1=F1, f_2=F2, S=S, P=P, D=D, *,
          use_torch: bool = False) -> Proof:
    """The proof for the given sizes (symbols or ints)."""
    layer = layer_of(C_in, C_out, f_1, f_2, S, P, D)
    values = {"C_in": C_in, "C_out": C_out, "f_1": f_1, "f_2": f_2, "S": S, "P": P, "D": D}
    rows, cols = backward.output_size(layer)
    h_out, w_out = nt.index_symbol("H_out"), nt.index_symbol("W_out")
    proof = Proof("p7", "backpropagation through a convolution", Prose(
        "A convolution with ", *backward.layer_prose(layer).parts, " maps an ",
        size(nt.H, nt.W), " input ", sp.Symbol("X"), " to ", sp.Symbol("Y"),
        ". With the upstream gradient ", _upstream(), " of a scalar loss ", sp.Symbol("L"),
        ", derive the gradients of ", sp.Symbol("L"), " in the bias, the weights and the "
        "input, and show that the input's is the transposed convolution of ",
        sp.Symbol("G"), "."),
        assumptions=[
            Prose("the window fits the padded input: ",
                  sp.Le(D * (f_1 - 1) + 1, nt.H + 2 * P), " and ",
                  sp.Le(D * (f_2 - 1) + 1, nt.W + 2 * P)),
            Prose(sp.Symbol("X"), " is 0 outside its index range (zero padding)"),
            Prose(sp.Symbol("G"), " is 0 outside its index range ",
                  Math(r"1 \le i \le H_{out}, 1 \le j \le W_{out}",
                       "1 ≤ i ≤ H_out, 1 ≤ j ≤ W_out"))],
        parameters=dict(values))
    proof.given(layer.equation(), Prose("the element formula of the convolution, with ",
                                        sp.Eq(h_out, rows, evaluate=False)),
                short_reason="the convolution")
    proof.given(sp.Eq(sp.Symbol("∂L/∂θ"),
                      sp.Sum(nt.G[nt.l, nt.i, nt.j] * sp.Symbol("∂Y_{l,i,j}/∂θ"),
                             (nt.l, 1, C_out), (nt.i, 1, h_out), (nt.j, 1, w_out)),
                      evaluate=False),
                Prose("the chain rule, with ", sp.Symbol("G"), " not depending on the "
                      "parameter ", sp.Symbol("theta"), ": the derivative of ",
                      _through_sum(C_out), " in ", sp.Symbol("theta")),
                kind="chain rule", short_reason="the chain rule")
    for name in backward.NAMES:
        variable = backward.entry(name)
        proof.add(sp.Eq(sp.Symbol(LABELS[name]), _shown(backward.formula(layer, name), rows,
                                                       cols, h_out, w_out), evaluate=False),
                  Prose(f"differentiate {_sum_words()} in ", variable,
                        "; the Kronecker deltas sum out"),
                  backward.prove(layer, name), short_reason=Prose("differentiate in ", variable))
    _transposed(proof, layer, rows, cols, h_out, w_out)
    if all(s == 1 for s in layer.stride):
        _full_correlation(proof, layer)
    proof.result = sp.Eq(sp.Symbol(LABELS["X"]),
                         _shown(backward.transposed_gradient(layer), rows, cols, h_out, w_out),
                         evaluate=False)
    _checks(proof, values, use_torch)
    symbolic = [n for n, v in values.items() if isinstance(v, sp.Symbol)]
    proof.summary = (f"symbolic {', '.join(symbolic)}" if symbolic else "concrete sizes") + \
        ("; checked against torch.autograd" if use_torch else "")
    return proof


def _upstream() -> sp.Eq:
    return sp.Eq(nt.G[nt.l, nt.i, nt.j], sp.Symbol("∂L/∂Y_{l,i,j}"), evaluate=False)


def _through_sum(channels) -> Math:
    """``Σ_{l,i,j} G_{l,i,j} Y_{l,i,j}``, written compactly."""
    return Math(r"\sum_{l,i,j} G_{l,i,j} Y_{l,i,j}", "Σ_{l,i,j} G_{l,i,j} Y_{l,i,j}")


def _sum_words() -> str:
    return "the sum of G times Y over the output"


def _shown(expr: sp.Expr, rows, cols, h_out, w_out) -> sp.Expr:
    """``expr`` with the output size written H_out × W_out (defined in the first step)."""
    return expr.xreplace({rows: h_out, cols: w_out})


def _transposed(proof: Proof, layer: Conv2d, rows, cols, h_out, w_out) -> None:
    """∂L/∂X is the transposed convolution of G, and the output padding restoring H × W."""
    statement = Prose("the transposed convolution with ", layer.out_channels, " input and ",
                      layer.in_channels, " output channels, the same weights, stride, padding "
                      "and dilation, applied to G, is the input's gradient")
    proof.add(sp.Eq(sp.Symbol(LABELS["X"]), _shown(backward.transposed_gradient(layer), rows,
                                                  cols, h_out, w_out), evaluate=False),
              Prose("the element formula of the transposed convolution on G (its input "
                    "channel l, output channel ", nt.gamma, ", weights ",
                    nt.w[nt.l, nt.gamma, nt.alpha, nt.beta], ") is the gradient above"),
              backward.prove_transposed(layer), statement=statement,
              short_reason="the transposed convolution")
    backward.restore_steps(proof, layer, (h_out, w_out))


def _full_correlation(proof: Proof, layer: Conv2d) -> None:
    """For S = 1: the full correlation of G with the flipped kernel."""
    summed, by_alpha, by_beta = backward.prove_full_correlation(layer)
    flipped = backward.full_correlation(layer)
    unflipped = reflect(reflect(flipped, nt.alpha)[0], nt.beta)[0]
    proof.add(sp.Eq(sp.Symbol(LABELS["X"]), unflipped, evaluate=False),
              Prose("with ", sp.Eq(sp.Symbol("S"), 1), " the delta in ", nt.i,
                    " sums out; ", sp.Symbol("G"), " is 0 outside its range"),
              summed, short_reason="the deltas sum out")
    proof.add(sp.Eq(sp.Symbol(LABELS["X"]), flipped, evaluate=False),
              Prose("reflect the taps: ", nt.alpha, " runs backwards, then ", nt.beta,
                    ": the full correlation of G with the flipped kernel"),
              min((by_alpha, by_beta), key=lambda outcome: outcome.status),
              short_reason="reflect the taps")


def _instances(values: dict) -> list[tuple[Conv2d, int, int]]:
    """Small concrete layers and input sizes for the exact and numeric checks: the problem's
    own numbers, symbols replaced by small values (an asymmetric kernel, stride, dilation)."""
    small = {"C_in": 2, "C_out": 3, "f_1": 2, "f_2": 3, "S": 2, "P": 1, "D": 1}
    chosen = {n: (int(v) if not isinstance(v, sp.Symbol) else small[n])
              for n, v in values.items()}
    layer = layer_of(*chosen.values())
    rows = chosen["D"] * (chosen["f_1"] - 1) + 1 + chosen["S"] + 1
    cols = chosen["D"] * (chosen["f_2"] - 1) + 1 + chosen["S"] + 2
    return [(layer, rows, cols)]


def _checks(proof: Proof, values: dict, use_torch: bool) -> None:
    for layer, rows, cols in _instances(values):
        description = Prose("every entry, ", *backward.layer_prose(layer).parts, ", on ",
                            size(rows, cols))
        outcome = backward.verify_exact(layer, rows, cols)
        proof.check(None, "the three formulas written out against the derivative of the sum "
                          "written out, symbolic G, X and w", outcome, statement=description)
        proof.check(None, "the gradients computed from the formulas (the transposed "
                          "convolution for the input) against " + (
                              "torch.autograd" if use_torch else "the formulas compiled "
                              "entry by entry"),
                    backward.autograd_check(layer, rows, cols, use_torch=use_torch),
                    statement="numeric agreement on random inputs, a batch of 2")


PROBLEM = Problem("p7", "conv backward", build,
                  tuple(Parameter(*row) for row in backward.PARAMETERS),
                  group="backprop", reserved=("o_1", "o_2", "theta", "L"))
