"""P2: average pooling with kernel = stride = k on C channels is a convolution.

The conv has C_in = C_out = C, f1 = f2 = S = k, P = 0, ``w_{l,γ,α,β} = δ_{lγ}/k²`` and
``b = 0``. Proved for symbolic C, k, m and every l, i, j; the output size is ``m/k`` when
``k | m``, and ``⌊m/k⌋`` (the last ``m − k⌊m/k⌋`` rows and columns unread) otherwise.
"""

from __future__ import annotations

import functools
import itertools

import sympy as sp

from symproof import AvgPool2d, Conv2d, symbols
from symproof import notation as nt
from symproof.crosscheck import avg_pool2d, conv2d, reference_name
from symproof.derivation import Derivation
from symproof.figures import attach, pool_figure
from symproof.kernel import (
    Context,
    divisible_floor,
    exhaustive,
    exhaustive_linear,
    fails,
    identity,
    instantiate,
    spot_check,
)
from symproof.printing import latex, text
from symproof.proof import Proof
from symproof.prose import Math, Prose, article, assignments, divides, size
from symproof.registry import Parameter, Problem

C, K, M = symbols("C k m")


def _definitions(k) -> list[sp.Eq]:
    """The weights of the problem: ``w_{l,γ,α,β} = δ_{lγ}/k²`` and ``b_l = 0``."""
    return [sp.Eq(nt.w[nt.l, nt.gamma, nt.alpha, nt.beta],
                  sp.KroneckerDelta(nt.l, nt.gamma) / k**2),
            sp.Eq(nt.b[nt.l], 0)]


def build(C=C, k=K, m=M, *, use_torch: bool = False) -> Proof:
    """The proof for ``C`` channels, window ``k`` and an ``m × m`` input (symbols or ints)."""
    C, k, m = (sp.Integer(v) if isinstance(v, int) else v for v in (C, k, m))  # m/k exact
    pool, conv = AvgPool2d(k), Conv2d(C, C, k, stride=k)
    channels = sp.Le(nt.l, C)
    weights = _definitions(k)
    # concrete sizes where k does not divide m: the output is ⌊m/k⌋, and nothing assumes k | m
    # (a model answer never assumes what the numbers contradict)
    ragged = k.is_Integer and m.is_Integer and int(m) % int(k) != 0
    output = Prose("; its output is ", size(sp.floor(m / k), sp.floor(m / k)), ", since ", k,
                   " does not divide ", m, ".") if ragged else Prose(
        "; its output is ", size(m / k, m / k), " when ", divides(k, m), ".")
    proof = Proof("p2", "average pooling is a convolution", Prose(
        "Average pooling with window and stride ", k, " on ", C, " channels of ", article(m), " ",
        size(m, m), " input is the convolution with ",
        *assignments(("C_in", C), ("C_out", C), ("f_1", k), ("f_2", k), ("S", k), ("P", 0)),
        ", weights ", weights[0], " and bias ", weights[1]) + output,
        assumptions=[channels] + ([] if ragged else [
            Prose(divides(k, m), " for the output size ", m / k)]),
        parameters={"C": C, "k": k, "m": m})
    pooled = pool.element()
    proof.given(sp.Eq(nt.Y[nt.l, nt.i, nt.j], pooled, evaluate=False),
                Prose("the element formula of average pooling with window ", k, ": no padding, "
                      "so every window is whole and the divisor is ", k**2),
                short_reason="average pooling")
    # the chain from the convolution's element formula to the pooling formula, each link
    # decided by the kernel
    chain = Derivation(conv, input_size=(m, m), assuming=[channels],
                       why="the convolution's element formula")
    chain.substitute(*weights, why=Prose("substitute ", weights[0], " and ", weights[1]),
                     stated="the weights the problem proposes", kind="problem data")
    chain.collapse(Prose("sum over ", nt.gamma, ": only ", sp.Eq(nt.gamma, nt.l), " survives"))
    chain.equals(pooled, "this is the average-pooling formula", rule="identity")
    proof.steps.extend(chain.steps)
    proof.result = sp.Eq(nt.w[nt.l, nt.gamma, nt.alpha, nt.beta],
                         sp.KroneckerDelta(nt.l, nt.gamma) / k**2)

    # Output sizes: the same formula for both layers, m/k exactly when k | m.
    (_, conv_h, _), (_, pool_h, _) = conv.output_shape(C, m, m), pool.output_shape(C, m, m)
    pad, f, stride = sp.symbols("P f S")
    proof.add(sp.Eq(sp.Symbol("H_out"), conv_h, evaluate=False),
              Prose("the convolution's output size ", sp.floor((m + 2 * pad - f) / stride) + 1,
                    " with ", *assignments(("P", 0), ("f", k), ("S", k)),
                    "; pooling gives the same"),
              identity(conv_h, pool_h), short_reason="output size")
    _output_size(proof, conv_h, k, m)
    attach(proof, lambda: pool_figure(pool, (m, m)))
    _checks(proof, C, k, m, use_torch)
    symbolic = [str(s) for s in (C, k, m) if isinstance(s, sp.Symbol)]
    proof.summary = (f"symbolic {', '.join(symbolic)}" if symbolic else "concrete sizes") + \
        (f"; {k} | {m}" if isinstance(m, sp.Symbol) else "")
    return proof


def _output_size(proof: Proof, out: sp.Expr, k, m) -> None:
    q = symbols("q")
    exact = sp.Eq(out, m / k, evaluate=False)
    if isinstance(k, sp.Symbol) or isinstance(m, sp.Symbol):
        if isinstance(m, sp.Symbol):
            proof.add(exact, Prose(divides(k, m), ": write ", sp.Eq(m, k * q)),
                      divisible_floor(out, m / k, m, k, q),
                      assumptions=(Prose(divides(k, m)),))
        failure = fails(out, m / k, Context([sp.Le(k, m)]), seed=1)
        if failure.proved:
            proof.add(exact, Prose("without ", divides(k, m), " the output size is ",
                                   sp.floor(m / k), ", not ", m / k),
                      failure, holds=False)
        last_row = (k * (out - 1) + k)  # row read by i = H_out, α = k
        proof.add(sp.Eq(sp.Symbol("last row read"), k * sp.floor(m / k), evaluate=False),
                  Prose("the last window ends at row ",
                        sp.Eq(k * (sp.Symbol("H_out") - 1) + k, k * sp.floor(m / k),
                              evaluate=False),
                        ": the last ", _minus(m, k * sp.floor(m / k)),
                        " rows and columns are never read"),
                  identity(last_row, k * sp.floor(m / k)))
        return
    exact_size = int(m) % int(k) == 0
    proof.add(exact, Prose(k, " divides ", m) if exact_size else Prose(
                  "here ", k, " does not divide ", m, ", so the output size ", sp.floor(m / k),
                  " is not ", m / k),
              identity(out, m / k) if exact_size else fails(out, m / k), holds=exact_size)


def _minus(a: sp.Expr, b: sp.Expr) -> Math:
    """``a − b`` in that order (SymPy would write ``−b + a``)."""
    return Math(f"{latex(a)} - {latex(b)}", f"{text(a)} − {text(b)}", a - b)


def _checks(proof: Proof, C, k, m, use_torch: bool) -> None:
    import numpy as np

    c_, k_ = (v if isinstance(v, int) else int(v) if v.is_Integer else d
              for v, d in ((C, 2), (k, 2)))
    sizes = [m if isinstance(m, int) or m.is_Integer else None]
    sizes = [int(sizes[0])] if sizes[0] is not None else [2 * k_, 2 * k_ + 1]
    for side in sizes:
        pool, conv = AvgPool2d(k_), Conv2d(c_, c_, k_, stride=k_)
        _, out, _ = pool.output_shape(c_, side, side)
        lhs, rhs = instantiate(conv.element(), _definitions(k_)), pool.element()
        grid = {nt.l: range(1, c_ + 1), nt.i: range(1, out + 1), nt.j: range(1, out + 1)}
        description = Prose(*assignments(("C", c_), ("k", k_), ("m", side)))
        outcome = exhaustive_linear(lhs, rhs, grid, description)
        if outcome is None:  # not linear with integer indices: one case at a time
            def case(c, lhs=lhs, rhs=rhs):
                at = {symbol: sp.Integer(value) for symbol, value in c.items()}
                return lhs.xreplace(at).doit(), rhs.xreplace(at).doit()

            cases = (dict(zip(grid, point)) for point in itertools.product(*grid.values()))
            outcome = exhaustive(case, cases, description)
        proof.check(None, "conv with the weights vs pooling, every (l, i, j), symbolic X",
                    outcome, statement=Prose("every (l, i, j) for ") + description)
    @functools.cache  # built only if the check runs: C²k² entries can be gigabytes
    def weight():
        return np.einsum("lg,ab->lgab", np.eye(c_), np.full((k_, k_), 1.0 / k_**2))

    side = sizes[-1]
    outcome = spot_check(lambda rng: (rng.standard_normal((c_, side, side)),),
                         lambda x: (avg_pool2d(x, k_, use_torch=use_torch),
                                    conv2d(x, weight(), np.zeros(c_), stride=k_,
                                           use_torch=use_torch)),
                         samples=20, seed=0, tolerance=1e-12,
                         description=Prose(*assignments(("C", c_), ("k", k_), ("m", side))),
                         cost=c_ * c_ * (side // k_) ** 2 * k_ * k_)  # a dense conv's work
    proof.check(None, "average pooling against the convolution in "
                      f"{reference_name(use_torch)}", outcome,
                statement="numeric agreement on random inputs")


PROBLEM = Problem("p2", "average pooling is a conv", build, (
    Parameter("C", C, "size", "number of channels"),
    Parameter("k", K, "size", "window size = stride"),
    Parameter("m", M, "size", "input height = width"),
), reserved=("q",))
