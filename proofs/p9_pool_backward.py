"""P9: backpropagation through pooling, with the upstream gradient ``G = ∂L/∂Y``.

Average pooling spreads ``G_{l,i,j}/d_{i,j}`` over window ``(i, j)`` (``d`` the layer's divisor in
every ``count_include_pad`` / ``ceil_mode`` mode); max pooling routes ``G_{l,i,j}`` to the entry
where the window's maximum is attained. Both PROVED by the kernel for a symbolic window, stride
and padding (the max where each maximum is attained once), max pooling also for a symbolic
dilation ``D`` (PyTorch's average pooling has none); PyTorch's tie rule stated with its source
and checked; exact on a small instance, and against PyTorch's autograd with ``--torch``.
"""

from __future__ import annotations

import math

import sympy as sp

from symproof import AvgPool2d, MaxPool2d, symbols
from symproof import notation as nt
from symproof.backprop import gradient
from symproof.backprop.pool import (
    ARGMAX_COL,
    ARGMAX_ROW,
    EMPTY_WINDOW,
    TIE_RULE,
    TIE_SOURCE,
    avg_backward_formula,
    avg_pool2d_backward,
    max_backward_formula,
    max_pool2d_backward,
    p,
    prove_avg_backward,
    prove_max_backward,
    q,
)
from symproof.errors import ParameterError
from symproof.figures import attach, pool_figure
from symproof.kernel import exhaustive, expand_sums, spot_check
from symproof.latex import latex
from symproof.proof import Proof
from symproof.prose import Math, Prose, size
from symproof.reductions import MaxOver
from symproof.registry import Parameter, Problem

K1, K2, S, P, D = symbols("k_1 k_2 S P D")
GRADIENT = sp.Symbol("∂L/∂X_{l,p,q}")
DIVISOR = sp.Symbol("d_{i,j}")
FLAGS = ("true", "false")


def build(kind: str = "both", k_1=K1, k_2=K2, S=S, P=P, count_include_pad: str = "true",
          ceil_mode: str = "false", D=D, *, use_torch: bool = False) -> Proof:
    """The proof for a ``k_1 × k_2`` window, stride ``S``, padding ``P`` and, for max pooling,
    dilation ``D`` (symbols or ints); ``kind``: average pooling, max pooling or both."""
    include, ceil = count_include_pad == "true", ceil_mode == "true"
    k_1, k_2, S, P, D = (sp.Integer(v) if isinstance(v, int) else v
                         for v in (k_1, k_2, S, P, D))
    _undilated_average(kind, D)
    proof = Proof("p9", "backpropagation through pooling", Prose(
        "For a loss ", sp.Symbol("L"), " of the output ", sp.Symbol("Y"),
        " of pooling with a ", size(k_1, k_2), " window, stride ",
        S, *_padding_words(kind, P, D), ", and the upstream gradient ",
        sp.Eq(nt.G[nt.l, nt.i, nt.j], sp.Symbol("∂L/∂Y_{l,i,j}"), evaluate=False),
        ", derive ", GRADIENT, " for every entry of the input."),
        assumptions=[*(rule for rule in (sp.Le(2 * P, k_1), sp.Le(2 * P, k_2))
                       if rule is not sp.true), Prose(
            "the entry lies in the input: ", sp.Le(nt.l, nt.index_symbol("C")), ", ",
            sp.Le(p, nt.H), ", ", sp.Le(q, nt.W))],
        parameters={"kind": kind, "k_1": k_1, "k_2": k_2, "S": S, "P": P,
                    "count_include_pad": count_include_pad, "ceil_mode": ceil_mode, "D": D})
    proof.given(sp.Eq(GRADIENT, sp.Sum(nt.G[nt.l, nt.i, nt.j] * sp.Symbol("∂Y_{l,i,j}/∂X_{l,p,q}"),
                                       (nt.i, 1, nt.index_symbol("H_out")),
                                       (nt.j, 1, nt.index_symbol("W_out"))), evaluate=False),
                Prose("the chain rule with ", nt.G[nt.l, nt.i, nt.j], " held fixed: ", GRADIENT,
                      " is the derivative of ",
                      Math(r"\sum_{l,i,j} G_{l,i,j} Y_{l,i,j}", "Σ_{l,i,j} G_{l,i,j}·Y_{l,i,j}"),
                      " in ", nt.X[nt.l, p, q], "; pooling keeps the channels apart, so only "
                      "the outputs of channel ", nt.l, " read it"),
                kind="chain rule", short_reason="the chain rule")
    results = []
    if kind in ("both", "average"):
        results.append(_average(proof, AvgPool2d((k_1, k_2), S, P, ceil_mode=ceil,
                                                 count_include_pad=include)))
    if kind in ("both", "max"):
        results.append(_max(proof, MaxPool2d((k_1, k_2), S, P, D, ceil_mode=ceil)))
    proof.result = results[0]
    layer = AvgPool2d((k_1, k_2), S, P) if kind != "max" else MaxPool2d((k_1, k_2), S, P, D)
    attach(proof, lambda: pool_figure(layer))
    _checks(proof, kind, (k_1, k_2, S, P, D), include, ceil, use_torch)
    symbolic = [str(v) for v in (k_1, k_2, S, P, *((D,) if kind != "average" else ()))
                if isinstance(v, sp.Symbol)]
    proof.summary = (f"symbolic {', '.join(symbolic)}" if symbolic else "concrete sizes") + (
        "; vs autograd" if use_torch else "")
    return proof


def _undilated_average(kind: str, dilation) -> None:
    """Average pooling alone with a dilation other than 1 is refused: PyTorch's ``avg_pool2d``
    has no dilation, and none is invented here."""
    if kind == "average" and dilation.is_Integer and dilation != 1:
        raise ParameterError("D", dilation, "must be 1 with kind=average: PyTorch's average "
                             "pooling has no dilation (only max pooling takes one)")


def _padding_words(kind: str, padding, dilation) -> tuple:
    """The problem statement's words on the padding and the dilation: max pooling's, and why
    average pooling has none."""
    if kind == "average":
        return (" and padding ", padding, " (no dilation: PyTorch's average pooling has none)")
    if kind == "max":
        return (", padding ", padding, " and dilation ", dilation)
    return (", padding ", padding, " and, for max pooling, dilation ", dilation,
            " (PyTorch's average pooling has none)")


def _average(proof: Proof, layer: AvgPool2d) -> sp.Eq:
    """The element formula, the divisor and the proved spread of the gradient."""
    divisor = layer.divisor(nt.i, nt.j)
    proof.given(sp.Eq(nt.Y[nt.l, nt.i, nt.j], layer.element(), evaluate=False),
                "the element formula of average pooling, zero padding",
                short_reason="average pooling")
    proof.given(sp.Eq(DIVISOR, divisor, evaluate=False),
                Prose("the divisor of window ", nt.i, ", ", nt.j,
                      ", by PyTorch's rule for these settings (never counting the area a "
                      "last, partial window adds past the padding)"),
                short_reason="PyTorch's divisor")
    formula = avg_backward_formula(layer, divisor=DIVISOR)
    claim = sp.Eq(GRADIENT, formula, evaluate=False)
    proof.add(claim, Prose("differentiate in ", nt.X[nt.l, p, q], ": only the taps reading it "
                           "survive, one in each window that contains it, each with weight ",
                           1 / DIVISOR, "; the sums of deltas are 1 exactly when window ",
                           nt.i, ", ", nt.j, " reads row ", p, " and column ", q),
              prove_avg_backward(layer), short_reason="differentiate")
    return claim


def _max(proof: Proof, layer: MaxPool2d) -> sp.Eq:
    """The element formula, the routing proved at a unique maximum, and PyTorch's tie rule."""
    a, b = ARGMAX_ROW[nt.l, nt.i, nt.j], ARGMAX_COL[nt.l, nt.i, nt.j]
    element = layer.element()
    proof.given(sp.Eq(nt.Y[nt.l, nt.i, nt.j], element, evaluate=False),
                "the element formula of max pooling, padding read as −∞",
                short_reason="max pooling")
    # the window's entry at tap (α, β); a 1×1 window's maximum is its one entry
    tap = element.function if isinstance(element, MaxOver) else element
    proof.given(None, Prose("the tap of window ", nt.i, ", ", nt.j, " where its maximum is "
                            "attained (for the moment, at one tap only)"),
                statement=Prose(Math(
                    r"(u_{l,i,j}, v_{l,i,j}) = \operatorname*{arg\,max}_{\alpha, \beta}\, "
                    + latex(tap), f"(u_(l,i,j), v_(l,i,j)) = argmax over (α, β) of {tap}")),
                short_reason="the arg-max")
    claim = sp.Eq(GRADIENT, max_backward_formula(layer), evaluate=False)
    proof.add(claim, Prose("where the maximum of window ", nt.i, ", ", nt.j,
                           " is attained only at the tap ", a, ", ", b,
                           ", it equals that tap's entry near the point, so ", GRADIENT,
                           " gathers the ", nt.G[nt.l, nt.i, nt.j], " of the windows whose "
                           "maximum sits at row ", p, " and column ", q),
              prove_max_backward(layer), short_reason="unique maximum",
              assumptions=(Prose("each window's maximum is attained at one tap ", a, ", ", b),))
    # the rule in words; where PyTorch writes it is a reference for the audit's record only
    proof.given(None, Prose("at a tie the maximum is not differentiable; PyTorch still routes "
                            "the gradient to one entry: ", TIE_RULE, *_empty_words(layer)),
                "documented rule of PyTorch", source=Prose("source: ", TIE_SOURCE),
                statement="PyTorch's rule for ties", short_reason="PyTorch's tie rule")
    return claim


def _empty_words(layer: MaxPool2d) -> tuple:
    """With a dilation (possibly) above 1, what a window reading only padding does."""
    if all(d == 1 for d in layer.window.dilation):
        return ()
    return ("; with dilation: ", EMPTY_WINDOW)


def _concrete(values: tuple) -> tuple[int, int, int, int, int]:
    """The sizes of the numeric checks: the problem's numbers, small ones for symbols (a
    symbolic dilation checked at 2)."""
    k_1, k_2, s, pad, dilation = (int(v) if isinstance(v, int) or v.is_Integer else d
                                  for v, d in zip(values, (3, 2, 2, 1, 2)))
    return k_1, k_2, s, min(pad, k_1 // 2, k_2 // 2), dilation


def check_shape(k_1: int, k_2: int, dilation: int = 1) -> tuple[int, int, int, int]:
    """The input of the numeric checks: a batch, two channels, and on each axis the dilated
    window ``D(k − 1) + 1`` plus ``k + 2`` rows (``k + 1`` columns) more, a ragged edge. Each
    axis is longer than the gap ``D`` between two taps, so no window, whatever its stride,
    padding (``2P ≤ k``) and ``ceil_mode``, reads only padding (:data:`EMPTY_WINDOW`, where
    PyTorch's backward writes out of place): the torch check never meets one."""
    return (2, 2, dilation * (k_1 - 1) + k_1 + 4, dilation * (k_2 - 1) + k_2 + 3)


def _checks(proof: Proof, kind: str, values: tuple, include: bool, ceil: bool,
            use_torch: bool) -> None:
    k_1, k_2, s, pad, dilation = _concrete(values)
    if kind in ("both", "average"):
        layer = AvgPool2d((k_1, k_2), s, pad, ceil_mode=ceil, count_include_pad=include)
        shape = check_shape(k_1, k_2)
        _exact(proof, layer, (1, 2 * k_1 + 1, 2 * k_2 + 1))
        proof.check(None, f"average pooling backward against {_reference(use_torch)}",
                    _numeric(layer, shape, use_torch, ties=False),
                    statement=_described("average", k_1, k_2, s, pad, shape))
    if kind in ("both", "max"):
        layer = MaxPool2d((k_1, k_2), s, pad, dilation, ceil_mode=ceil)
        shape = check_shape(k_1, k_2, dilation)
        proof.check(None, f"max pooling backward against {_reference(use_torch)}",
                    _numeric(layer, shape, use_torch, ties=False),
                    statement=_described("max", k_1, k_2, s, pad, shape, dilation))
        if use_torch:
            proof.check(None, "PyTorch's tie rule, inputs of few distinct values",
                        _numeric(layer, shape, use_torch, ties=True),
                        statement="ties, −∞ entries and NaN")


def _reference(use_torch: bool) -> str:
    return "torch.autograd" if use_torch else "central differences of the layer"


def _described(name: str, k_1, k_2, s, pad, shape, dilation: int = 1) -> str:
    dilated = f", dilation {dilation}" if dilation != 1 else ""
    return (f"{name} pooling, window {k_1}×{k_2}, stride {s}, padding {pad}{dilated}, "
            f"input {'×'.join(map(str, shape))}")


def _exact(proof: Proof, layer: AvgPool2d, shape: tuple) -> None:
    """The formula against the kernel's derivative, every entry of one channel, exactly: both
    sums written out once (the kernel's exact rewrite), then each entry substituted."""
    _, rows, cols = (int(v) for v in layer.output_shape(*shape))
    concrete = {nt.H: shape[1], nt.W: shape[2], nt.index_symbol("C"): 1}
    expected = expand_sums(gradient(layer, nt.X[nt.l, p, q], output_size=(rows, cols))
                           .xreplace(concrete))
    claimed = expand_sums(avg_backward_formula(layer, output_size=(rows, cols))
                          .xreplace(concrete))

    def case(at: dict):
        point = {symbol: sp.Integer(v) for symbol, v in at.items()}
        return expected.xreplace(point), claimed.xreplace(point)

    cases = ({nt.l: 1, p: row, q: col} for row in range(1, shape[1] + 1)
             for col in range(1, shape[2] + 1))
    proof.check(None, "the formula against the derivative, every entry, exactly",
                exhaustive(case, cases, f"every (p, q) of a {shape[1]}×{shape[2]} input"),
                statement=f"window {layer.window.concrete()[0]}, symbolic G")


def _numeric(layer, shape: tuple, use_torch: bool, *, ties: bool):
    """Our gradients against PyTorch's autograd, or against central differences of
    ``Σ G·Y`` along a random direction (the layer's own numbers)."""
    import numpy as np

    average = isinstance(layer, AvgPool2d)

    def sample(rng):
        x = rng.integers(-2, 3, shape).astype(float) if ties else rng.standard_normal(shape)
        if ties and not average:
            x[0, 0, 0, 0], x[-1, -1, -1, -1] = -np.inf, np.nan
        out = tuple(int(v) for v in layer.output_shape(*shape))
        return x, rng.standard_normal(out), rng.standard_normal(shape)

    def ours(x, g):
        return (avg_pool2d_backward(layer, shape, g) if average
                else max_pool2d_backward(layer, x, g))

    def compare(x, g, direction):
        mine = ours(x, g)
        if use_torch:
            return mine, _autograd(layer, x, g)
        h = 1e-6
        loss = [float(np.sum(g * layer.evaluate(x + t * h * direction))) for t in (1, -1)]
        return np.sum(mine * direction), (loss[0] - loss[1]) / (2 * h)

    return spot_check(sample, lambda *a: _finite(*compare(*a)), samples=8, seed=0,
                      tolerance=1e-10 if use_torch else 1e-5,
                      description=_reference(use_torch), cost=math.prod(shape) * 4)


def _finite(left, right):
    """NaN compared as equal to NaN (a NaN routed by the tie rule)."""
    import numpy as np

    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    both = np.isnan(left) & np.isnan(right)
    return np.where(both, 0.0, left), np.where(both, 0.0, right)


def _autograd(layer, x, g):
    import numpy as np
    import torch

    kernel, stride, padding, dilation = layer.window.concrete()
    xt = torch.tensor(x, requires_grad=True)
    if isinstance(layer, AvgPool2d):
        y = torch.nn.functional.avg_pool2d(xt, kernel, stride, padding, layer.ceil_mode,
                                           layer.count_include_pad)
    else:
        y = torch.nn.functional.max_pool2d(xt, kernel, stride, padding, dilation,
                                           layer.ceil_mode)
    y.backward(torch.tensor(g))
    return np.asarray(xt.grad)


PROBLEM = Problem("p9", "backpropagation through pooling", build, (
    Parameter("kind", "both", "choice", "which pooling", ("both", "average", "max")),
    Parameter("k_1", K1, "size", "window rows"),
    Parameter("k_2", K2, "size", "window columns"),
    Parameter("S", S, "size", "stride"),
    Parameter("P", P, "count", "padding"),
    Parameter("count_include_pad", "true", "choice", "average: divide by the whole window",
              FLAGS),
    Parameter("ceil_mode", "false", "choice", "keep a last, partial window", FLAGS),
    Parameter("D", D, "size", "max pooling: dilation (average pooling has none)"),
), group="backprop", reserved=("p", "q", "u", "v", "L"))  # beyond the homework (issue 16)
