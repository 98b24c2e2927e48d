"""P8: the transposed convolution is the adjoint of the convolution, and the output-padding rule
that follows from it.

For every X and G, ``⟨Conv2d(X), G⟩ = ⟨X, ConvTranspose2d(G)⟩`` (no bias, the same weights),
proved for general sizes; the transposed layer's output padding ``o = (H + 2P − D(f − 1) − 1)
mod S`` restores the input size, and lies in ``0 … S − 1``: exactly S consecutive input sizes
share one output size (proved from the floor's definition, and checked on a grid of sizes), so
the transposed layer needs ``o`` to pick one. PyTorch accepts ``o < max(S, D)``; with ``D > S``
an ``o ≥ S`` gives a size no convolution with that output has.
"""

from __future__ import annotations

import itertools

import sympy as sp

from symproof import Conv2d
from symproof import notation as nt
from symproof.backprop import conv as backward
from symproof.kernel import exhaustive, spot_check
from symproof.kernel.floors import floor_interval
from symproof.proof import Proof
from symproof.prose import Math, Prose, assignments, listed, size
from symproof.registry import Parameter, Problem
from symproof.shapes import conv_output_size, transposed_output_size

C_IN, C_OUT, F1, F2, S, P, D = (row[1] for row in backward.PARAMETERS)

#: The grid the "S consecutive sizes" statement is checked on: stride, kernel, padding,
#: dilation and output size.
GRID = {"S": range(1, 5), "f": range(1, 4), "P": range(0, 3), "D": range(1, 4),
        "H_out": range(1, 5)}

ADJOINT = Math(r"\sum_{l,i,j} \left[\mathrm{conv}(X)\right]_{l,i,j} G_{l,i,j} = "
               r"\sum_{\gamma,p,q} X_{\gamma,p,q} \left[\mathrm{conv}^{T}(G)\right]_{\gamma,p,q}",
               "Σ_{l,i,j} [conv(X)]_{l,i,j} G_{l,i,j} = Σ_{γ,p,q} X_{γ,p,q} [convᵀ(G)]_{γ,p,q}")


# PyTorch's rule in this problem's names: the transposed layer reads G (H_out rows) and must
# return the convolution's input height H.
SIZE_RULE = Math(r"H = (H_{\mathrm{out}} - 1)S - 2P + D(f_1 - 1) + o_1 + 1, "
                 r"\quad 0 \le o_1 < \max(S, D)",
                 "H = (H_out − 1)S − 2P + D(f_1 − 1) + o_1 + 1, 0 ≤ o_1 < max(S, D)")


def build(C_in=C_IN, C_out=C_OUT, f_1=F1, f_2=F2, S=S, P=P, D=D, *,
          use_torch: bool = False) -> Proof:
    """The proof for the given sizes (symbols or ints)."""
    layer = Conv2d(C_in, C_out, (f_1, f_2), stride=S, padding=P, dilation=D, bias=False)
    values = {"C_in": C_in, "C_out": C_out, "f_1": f_1, "f_2": f_2, "S": S, "P": P, "D": D}
    h_out, w_out = nt.index_symbol("H_out"), nt.index_symbol("W_out")
    rows, cols = backward.output_size(layer)
    proof = Proof("p8", "the transposed convolution is the adjoint", Prose(
        "Let conv be the convolution without bias with ", *backward.layer_prose(layer).parts,
        " on an ", size(nt.H, nt.W), " input, and ", Math(r"\mathrm{conv}^{T}", "convᵀ"),
        " the transposed convolution with the same weights, stride, padding and dilation. "
        "Show that ", ADJOINT, " for every ", sp.Symbol("X"), " and ", sp.Symbol("G"),
        ", and derive the output padding that "
        "makes ", Math(r"\mathrm{conv}^{T}", "convᵀ"), " return an ", size(nt.H, nt.W),
        " array, and why it is needed."),
        assumptions=_fits(D * (f_1 - 1) + 1 <= nt.H + 2 * P, D * (f_2 - 1) + 1 <= nt.W + 2 * P)
        + [Prose(sp.Symbol("X"), " is 0 outside its index range (zero padding)")],
        parameters=dict(values))
    proof.given(layer.equation(), Prose("the element formula of the convolution, with ",
                                        sp.Eq(h_out, rows, evaluate=False)),
                short_reason="the convolution")
    transposed = backward.transposed_gradient(layer).xreplace({rows: h_out, cols: w_out})
    proof.given(sp.Eq(sp.Symbol("[conv^T(G)]_{gamma,p,q}"), transposed, evaluate=False),
                Prose("the element formula of the transposed convolution on G (PyTorch's): "
                      "entry ", nt.G[nt.l, nt.i, nt.j], " spreads to row ",
                      layer.window.index(0, nt.i, nt.alpha), " and column ",
                      layer.window.index(1, nt.j, nt.beta)),
                short_reason="the transposed convolution")
    proof.add(None, Prose("substitute both element formulas; in the right side the Kronecker "
                          "deltas pin ", Math("p", "p"), " and ", Math("q", "q"),
                          ", and an input entry outside its range is 0"),
              backward.prove_adjoint(layer), statement=Prose(ADJOINT),
              short_reason="the deltas sum out")
    proof.given(None, Prose("PyTorch's size rule of the transposed convolution, which accepts "
                            "an output padding below the larger of stride and dilation "
                            "(documentation of torch.nn.ConvTranspose2d)"),
                kind="documented rule of PyTorch", statement=Prose(SIZE_RULE),
                short_reason="PyTorch's size rule")
    _sharing_step(proof, rows, S, P, D, f_1)
    backward.restore_steps(proof, layer, (h_out, w_out))
    span = nt.H + 2 * P - D * (f_1 - 1) - 1
    proof.result = sp.Eq(sp.Symbol("o_1", integer=True), span - S * sp.floor(span / S),
                         evaluate=False)
    _checks(proof, values, use_torch)
    symbolic = [n for n, v in values.items() if isinstance(v, sp.Symbol)]
    proof.summary = (f"symbolic {', '.join(symbolic)}" if symbolic else "concrete sizes") + \
        ("; checked against PyTorch" if use_torch else "")
    return proof


def _fits(*relations) -> list[Prose]:
    """"The window fits the padded input", with the relations the sizes do not settle."""
    open_ = [r for r in relations if r is not sp.true]
    return [Prose("the window fits the padded input: ", *listed(open_))] if open_ else []


def _sharing_step(proof: Proof, rows: sp.Expr, S, P, D, f_1) -> None:
    """The input heights whose convolution has ``m`` rows: exactly S consecutive ones, which is
    why a transposed convolution needs an output padding to choose among them."""
    m = sp.Symbol("m", integer=True, positive=True)
    low = (m - 1) * S - 2 * P + D * (f_1 - 1) + 1
    high = low + S - 1
    proof.add(None, Prose("the definition of the floor, ", Math(
        r"\lfloor x \rfloor = k \iff k \le x < k + 1", "⌊x⌋ = k ⟺ k ≤ x < k + 1"),
        ", for the row count ", rows, ": the ", sp.Integer(S) if isinstance(S, int) else S,
        " consecutive heights of this range (those "
        "at least 1) give one output, so the transposed layer needs ", Math("o", "o"),
        " to pick one"), floor_interval(rows, nt.H, m, low, high), statement=Prose(
        "a height ", nt.H, " gives ", m, " output rows exactly when ",
        sp.Le(low, nt.H), " and ", sp.Le(nt.H, high)), short_reason="the floor's definition")


def sharing_sizes(case: dict) -> tuple[sp.Integer, sp.Integer]:
    """(1 if the input sizes with output ``H_out`` are exactly ``b, b + 1, …, b + S − 1`` with
    ``b = (H_out − 1)S − 2P + D(f − 1) + 1``, else 0; 1): one case of the grid."""
    s, f, p, d, out = (case[n] for n in ("S", "f", "P", "D", "H_out"))
    base = (out - 1) * s - 2 * p + d * (f - 1) + 1
    limit = base + 2 * s + 1
    found = backward.sizes_with_output(out, f, s, p, d, max(limit, 1))
    expected = [h for h in range(base, base + s) if h >= 1]
    return sp.Integer(int(found == expected)), sp.Integer(1)


def _checks(proof: Proof, values: dict, use_torch: bool) -> None:
    grid = (dict(zip(GRID, point)) for point in itertools.product(*GRID.values()))
    proof.check(None, "the input sizes that give each output size, listed", exhaustive(
        sharing_sizes, grid, "every stride S ≤ 4, kernel f ≤ 3, padding P ≤ 2, dilation "
        "D ≤ 3 and output size ≤ 4"), statement=Prose(
        "exactly S consecutive input sizes, ", Math(
            r"(H_{out}-1)S - 2P + D(f-1) + 1 + r", "(H_out−1)S − 2P + D(f−1) + 1 + r"),
        " for ", Math(r"0 \le r \le S-1", "0 ≤ r ≤ S−1"), " (those at least 1), have output "
        "size ", nt.index_symbol("H_out"), ", listed on this grid"))
    proof.check(None, "PyTorch accepts an output padding at or above the stride when the "
                      "dilation is larger", _dilated_padding(use_torch),
                statement=Prose("with ", *assignments(("S", 1), ("D", 2), ("f", 3), ("P", 0)),
                                " and a ", size(5, 5), " input, the output padding 1 gives ",
                                "6 rows, whose convolution has 4 rows, not 3"))
    proof.check(None, "the two sides of the adjoint identity on random X and G",
                _adjoint_numbers(values, use_torch),
                statement="numeric agreement, a batch of 2")


def _dilated_padding(use_torch: bool):
    """``o = 1 ≥ S = 1`` with ``D = 2``: the transposed output has ``H + 1`` rows, and a
    convolution of ``H + 1`` rows has one more output row than ``G``."""
    height, kernel, dilation = 5, 3, 2
    out = conv_output_size(height, kernel, 1, 0, dilation)
    if use_torch:
        from symproof.crosscheck import torch_module

        torch = torch_module()
        up = torch.nn.ConvTranspose2d(1, 1, kernel, dilation=dilation, output_padding=1,
                                      bias=False).double()
        rows = up(torch.zeros(1, 1, out, out, dtype=torch.float64)).shape[-1]
    else:
        rows = transposed_output_size(out, kernel, 1, 0, dilation, 1)
    again = conv_output_size(rows, kernel, 1, 0, dilation)
    cases = [{"what": "rows of the transposed output", "value": rows, "expected": height + 1},
             {"what": "rows of its convolution", "value": again, "expected": out + 1}]
    return exhaustive(lambda c: (sp.Integer(c["value"]), sp.Integer(c["expected"])), cases,
                      "PyTorch's ConvTranspose2d" if use_torch else "PyTorch's size rule")


def _adjoint_numbers(values: dict, use_torch: bool):
    """⟨conv(X), G⟩ against ⟨X, convᵀ(G)⟩ on a small instance (symbols replaced)."""
    import numpy as np

    small = {"C_in": 2, "C_out": 3, "f_1": 2, "f_2": 3, "S": 2, "P": 1, "D": 2}
    n = {k: (int(v) if not isinstance(v, sp.Symbol) else small[k]) for k, v in values.items()}
    layer = Conv2d(n["C_in"], n["C_out"], (n["f_1"], n["f_2"]), stride=n["S"],
                   padding=n["P"], dilation=n["D"], bias=False)
    height = n["D"] * (n["f_1"] - 1) + 1 + n["S"] + 1
    width = n["D"] * (n["f_2"] - 1) + 1 + n["S"] + 2
    up = backward.transposed(layer, height, width)
    shape = tuple(int(v) for v in layer.output_shape(2, n["C_in"], height, width))

    def sample(rng):
        return (rng.standard_normal((2, n["C_in"], height, width)),
                rng.standard_normal((n["C_out"], n["C_in"], n["f_1"], n["f_2"])),
                rng.standard_normal(shape))

    def compare(x, weight, grad):
        if use_torch:
            from symproof.crosscheck import layer_tuple, torch_module

            torch = torch_module()
            t = {k: torch.tensor(v) for k, v in (("x", x), ("w", weight), ("g", grad))}
            forward = torch.nn.functional.conv2d(
                t["x"], t["w"], None, layer_tuple(layer.stride), layer_tuple(layer.padding),
                layer_tuple(layer.dilation)).numpy()
            back = torch.nn.functional.conv_transpose2d(
                t["g"], t["w"], None, layer_tuple(layer.stride), layer_tuple(layer.padding),
                layer_tuple(up.output_padding), 1, layer_tuple(layer.dilation)).numpy()
        else:
            forward, back = layer.evaluate(x, weight), up.evaluate(grad, weight)
        return np.array([np.sum(forward * grad)]), np.array([np.sum(x * back)])

    return spot_check(sample, compare, samples=10, seed=0, tolerance=1e-9,
                      description=Prose("the two inner products, ", *assignments(*n.items()),
                                        " on ", size(height, width),
                                        " (PyTorch)" if use_torch else ""))


PROBLEM = Problem("p8", "transposed conv is the adjoint", build,
                  tuple(Parameter(*row) for row in backward.PARAMETERS),
                  group="backprop", reserved=("o_1", "o_2"))
