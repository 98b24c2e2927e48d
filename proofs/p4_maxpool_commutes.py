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
from symproof.registry import Parameter, Problem

F1, F2 = symbols("k_1 k_2")


def build(k_1=F1, k_2=F2, *, use_torch: bool = False) -> Proof:
    """The proof for a ``k_1 × k_2`` window with stride = window (symbols or ints)."""
    pool = MaxPool2d((k_1, k_2))
    sigma = Activation("sigma", nondecreasing=True)
    s = sp.Function(sigma.name)
    proof = Proof("p4", "max pooling commutes with σ", (
        f"For every nondecreasing σ and max pooling ρ with a {k_1}×{k_2} window (stride = "
        "window), σ(ρ(X)) = ρ(σ(X)) entry by entry; the hypothesis cannot be dropped."),
        assumptions=["σ is nondecreasing"], parameters={"k_1": k_1, "k_2": k_2})
    ctx = Context(nondecreasing=[sigma.name])
    window = pool.element()
    entry_of = nt.Y[nt.l, nt.i, nt.j]
    proof.given(sp.Eq(entry_of, window, evaluate=False), f"the element formula of {pool!r}")
    # a 1×1 window is the entry itself (no max to take)
    entry, limits = ((window.function, window.limits) if isinstance(window, MaxOver)
                     else (window, ()))

    def pooled(term):
        return MaxOver(term, *limits) if limits else term

    outside, inside = s(window), pooled(s(entry))
    proof.add(sp.Eq(s(entry_of), outside, evaluate=False),
              "σ(ρ(X)): σ acts entry by entry on Y = ρ(X)",
              substitution(s(entry_of), outside, [sp.Eq(entry_of, window)]))
    proof.given(None, "ρ(σ(X)): ρ reads the same window of σ(X), whose entries are "
                "σ(X_{l,p,q})", statement="[ρ(σ(X))]_{l,i,j} is the max over the window of "
                "σ(X_{l,p,q}), the right side below")
    a, b = sp.symbols("a b", real=True)
    proof.add(sp.Eq(s(sp.Max(a, b)), sp.Max(s(a), s(b))),
              "lemma: if a ≥ b then max(a, b) = a and σ(a) ≥ σ(b), so both sides are σ(a); "
              "symmetrically for a < b",
              case_split(s(sp.Max(a, b)), sp.Max(s(a), s(b)), sp.Ge(a, b), ctx),
              assumptions=("σ nondecreasing",))
    lifted = sp.Eq(outside, inside, evaluate=False)
    proof.add(lifted,
              "a max over a finite window is an iterated binary max; induct on the number of "
              "entries, one lemma application per entry",
              max_commutes(lifted, ctx) if limits else identity(outside, inside))
    proof.result = lifted
    attach(proof, lambda: pool_figure(pool))

    a_, b_ = sp.symbols("a b", real=True)
    proof.add(sp.Eq(sp.Max(a_, b_) ** 2, sp.Max(a_**2, b_**2)),
              "for the non-monotone σ(z) = z² the identity fails: the hypothesis is needed",
              fails(sp.Max(a_, b_) ** 2, sp.Max(a_**2, b_**2)), holds=False,
              statement="σ(z) = z²")
    _pooling_counterexample(proof)
    _spot_checks(proof, k_1, k_2, use_torch)
    proof.summary = "+ counterexample for non-monotone σ"
    return proof


def _pooling_counterexample(proof: Proof) -> None:
    """The failure on an actual pooling: a 1×1×2 input, one 1×2 window, exact numbers."""
    import numpy as np

    x = np.array([[[-2, 1]]], dtype=object)
    pool = MaxPool2d((1, 2))
    before, after = pool.evaluate(x) ** 2, pool.evaluate(x**2)
    proof.check(None, "max pooling of X = [−2, 1] with σ(z) = z², exact",
                differ(sp.Integer(before[0, 0, 0]), sp.Integer(after[0, 0, 0]),
                       {"X": "[-2, 1]"}, "σ(ρ(X)) against ρ(σ(X))"),
                statement="σ(z) = z² really fails on a pooling")


def _spot_checks(proof: Proof, k_1, k_2, use_torch: bool) -> None:
    kernel = tuple(int(v) if (isinstance(v, int) or v.is_Integer) else d
                   for v, d in ((k_1, 2), (k_2, 3)))
    shape = (3, 4 * kernel[0] + 1, 4 * kernel[1] + 2)  # four windows and a ragged edge
    for activation in (ReLU(), Sigmoid(), Tanh(), LeakyReLU()):
        def compare(x, act=activation):
            return (act.evaluate(max_pool2d(x, kernel, use_torch=use_torch)),
                    max_pool2d(act.evaluate(x), kernel, use_torch=use_torch))

        proof.check(None, f"{activation!r} with max pooling {kernel} in "
                          f"{reference_name(use_torch)}",
                    spot_check(lambda rng: (rng.standard_normal(shape) * 3,),
                               compare, samples=20, seed=0, tolerance=1e-12,
                               description=f"{activation!r}, window {kernel}",
                               cost=2 * math.prod(shape)),  # two poolings read every entry
                    statement=f"σ = {activation!r}")


PROBLEM = Problem("p4", "max pooling commutes with σ", build, (
    Parameter("k_1", F1, "size", "window rows (= stride)"),
    Parameter("k_2", F2, "size", "window columns (= stride)"),
), reserved=("a", "b", "z"))
