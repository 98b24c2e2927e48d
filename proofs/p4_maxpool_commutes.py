"""P4: max pooling commutes with every nondecreasing σ: ``σ(maxpool(X)) = maxpool(σ(X))``.

Proved for a generic nondecreasing σ and a symbolic window through a monotone-max lemma
(``σ(max(a, b)) = max(σ(a), σ(b))``, by a case split), spot-checked for ReLU, sigmoid, tanh and
leaky ReLU, and shown to need the hypothesis: for the non-monotone ``σ(z) = z²`` it fails.
"""

from __future__ import annotations

import math

import sympy as sp

from symproof import Activation, LeakyReLU, MaxOver, MaxPool2d, ReLU, Sigmoid, Tanh, symbols
from symproof import notation as nt
from symproof.crosscheck import max_pool2d, reference_name
from symproof.figures import attach, pool_figure
from symproof.kernel import (
    Context,
    case_split,
    differ,
    fails,
    identity,
    max_commutes,
    spot_check,
    substitution,
)
from symproof.proof import Proof
from symproof.prose import Prose, listed, size
from symproof.registry import Parameter, Problem

F1, F2 = symbols("k_1 k_2")


def build(k_1=F1, k_2=F2, *, use_torch: bool = False) -> Proof:
    """The proof for a ``k_1 × k_2`` window with stride = window (symbols or ints)."""
    pool = MaxPool2d((k_1, k_2))
    sigma = Activation("sigma", nondecreasing=True)
    s = sp.Function(sigma.name)
    rho, image, z = sp.Function("rho"), sp.Symbol("X"), sp.Symbol("z")
    named_s, named_rho = sp.Symbol(sigma.name), sp.Symbol("rho")  # the functions, by name
    proof = Proof("p4", "max pooling commutes with σ", Prose(
        "For every nondecreasing ", named_s, " and max pooling ", named_rho, " with a ",
        size(k_1, k_2), " window (stride = window), ",
        sp.Eq(s(rho(image)), rho(s(image)), evaluate=False),
        " entry by entry; the hypothesis cannot be dropped."),
        assumptions=[Prose(named_s, " is nondecreasing")], parameters={"k_1": k_1, "k_2": k_2})
    ctx = Context(nondecreasing=[sigma.name])
    window = pool.element()
    entry_of = nt.Y[nt.l, nt.i, nt.j]
    proof.given(sp.Eq(entry_of, window, evaluate=False),
                Prose("the element formula of max pooling with a ", size(k_1, k_2), " window"),
                short_reason="max pooling")
    # a 1×1 window is the entry itself (no max to take)
    entry, limits = ((window.function, window.limits) if isinstance(window, MaxOver)
                     else (window, ()))

    def pooled(term):
        return MaxOver(term, *limits) if limits else term

    outside, inside = s(window), pooled(s(entry))
    proof.add(sp.Eq(s(entry_of), outside, evaluate=False),
              Prose(named_s, " acts entry by entry on ", sp.Eq(sp.Symbol("Y"), rho(image),
                                                         evaluate=False)),
              substitution(s(entry_of), outside, [sp.Eq(entry_of, window)]),
              short_reason=Prose(named_s, " entry by entry"))
    p, q = sp.symbols("p q")
    entry_sigma = s(nt.X[nt.l, p, q])
    proof.given(None, Prose(rho(s(image)), ": ", named_rho, " reads the same window of ", s(image),
                            ", whose entries are ", entry_sigma),
                statement=Prose("the entry ", sp.Symbol("[ρ(σ(X))]_{l,i,j}"), " is the max over "
                                "the window of ", entry_sigma, ", the right side below"))
    a, b = sp.symbols("a b", real=True)
    proof.add(sp.Eq(s(sp.Max(a, b)), sp.Max(s(a), s(b))),
              Prose("lemma: if ", sp.Ge(a, b), " then ", sp.Eq(sp.Max(a, b), a), " and ",
                    sp.Ge(s(a), s(b)), ", so both sides are ", s(a), "; symmetrically for ",
                    sp.Lt(a, b)),
              case_split(s(sp.Max(a, b)), sp.Max(s(a), s(b)), sp.Ge(a, b), ctx),
              assumptions=(Prose(named_s, " nondecreasing"),),
              short_reason=Prose("cases ", sp.Ge(a, b), " and ", sp.Lt(a, b)))
    lifted = sp.Eq(outside, inside, evaluate=False)
    proof.add(lifted,
              "a max over a finite window is an iterated binary max; induct on the number of "
              "entries, one lemma application per entry",
              max_commutes(lifted, ctx) if limits else identity(outside, inside),
              short_reason="induction over the window")
    proof.result = lifted
    attach(proof, lambda: pool_figure(pool))

    a_, b_ = sp.symbols("a b", real=True)
    squared, failure = sp.Max(a_, b_) ** 2, sp.Max(a_**2, b_**2)
    decided = fails(squared, failure)
    proof.add(sp.Eq(squared, failure),
              Prose("for the non-monotone ", sp.Eq(s(z), z**2),
                    " the identity fails, so the hypothesis is needed")
              + _numbers(squared, failure, decided.counterexample),
              decided, holds=False, statement=Prose(sp.Eq(s(z), z**2)))
    _pooling_counterexample(proof)
    _spot_checks(proof, k_1, k_2, use_torch)
    proof.summary = "+ counterexample for non-monotone σ"
    return proof


def _numbers(lhs: sp.Expr, rhs: sp.Expr, counterexample: dict | None) -> Prose:
    """``: at a = 1, b = −7/3 the left side is 1 and the right side 49/9``, the kernel's
    counterexample in numbers (nothing when it has none)."""
    if not counterexample:
        return Prose()
    names = {str(symbol): symbol for symbol in lhs.free_symbols | rhs.free_symbols}
    at = {names[name]: value
          for name, value in counterexample.items() if name in names}
    return Prose(": at ", *listed(sp.Eq(symbol, value, evaluate=False)
                                  for symbol, value in at.items()),
                 " the left side is ", lhs.xreplace(at), " and the right side ",
                 rhs.xreplace(at))


def _pooling_counterexample(proof: Proof) -> None:
    """The failure on an actual pooling: a 1×1×2 input, one 1×2 window, exact numbers."""
    import numpy as np

    x = np.array([[[-2, 1]]], dtype=object)
    pool = MaxPool2d((1, 2))
    before, after = pool.evaluate(x) ** 2, pool.evaluate(x**2)
    z = sp.Symbol("z")
    square = sp.Eq(sp.Function("sigma")(z), z**2)
    proof.check(None, Prose("max pooling of ", sp.Eq(sp.Symbol("X"), sp.Matrix([[-2, 1]]),
                                                     evaluate=False), " with ", square,
                            ", exact"),
                differ(sp.Integer(before[0, 0, 0]), sp.Integer(after[0, 0, 0]),
                       {"X": "[-2, 1]"}, "pooling then squaring against squaring then pooling"),
                statement=Prose(square, " really fails on a pooling"))


def _spot_checks(proof: Proof, k_1, k_2, use_torch: bool) -> None:
    kernel = tuple(int(v) if (isinstance(v, int) or v.is_Integer) else d
                   for v, d in ((k_1, 2), (k_2, 3)))
    shape = (3, 4 * kernel[0] + 1, 4 * kernel[1] + 2)  # four windows and a ragged edge
    for activation in (ReLU(), Sigmoid(), Tanh(), LeakyReLU()):
        def compare(x, act=activation):
            return (act.evaluate(max_pool2d(x, kernel, use_torch=use_torch)),
                    max_pool2d(act.evaluate(x), kernel, use_torch=use_torch))

        name = type(activation).__name__  # PyTorch's name of the activation
        proof.check(None, f"{name} with max pooling {kernel} in {reference_name(use_torch)}",
                    spot_check(lambda rng: (rng.standard_normal(shape) * 3,),
                               compare, samples=20, seed=0, tolerance=1e-12,
                               description=f"{name}, window {kernel}",
                               cost=2 * math.prod(shape)),  # two poolings read every entry
                    statement=f"σ = {name}")


PROBLEM = Problem("p4", "max pooling commutes with σ", build, (
    Parameter("k_1", F1, "size", "window rows (= stride)"),
    Parameter("k_2", F2, "size", "window columns (= stride)"),
), reserved=("a", "b", "z"))
