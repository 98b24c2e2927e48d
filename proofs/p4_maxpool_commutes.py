"""P4: max pooling commutes with every nondecreasing σ: ``σ(maxpool(X)) = maxpool(σ(X))``.

Proved for a generic nondecreasing σ and a symbolic window through a monotone-max lemma
(``σ(max(a, b)) = max(σ(a), σ(b))``, by a case split), spot-checked for ReLU, sigmoid, tanh and
leaky ReLU, and shown to need the hypothesis: for the non-monotone ``σ(z) = z²`` it fails.
"""

from __future__ import annotations

import math

import sympy as sp

from symproof import Activation, LeakyReLU, MaxOver, MaxPool2d, ReLU, Sigmoid, Tanh, symbols
from symproof.crosscheck import max_pool2d, reference_name
from symproof.proof import Outcome, Proof, Status
from symproof.registry import Parameter, Problem
from symproof.tactics import Context, case_split, counterexample, spot_check

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
    a, b = sp.symbols("a b", real=True)
    lemma = proof.add(sp.Eq(s(sp.Max(a, b)), sp.Max(s(a), s(b))),
                      "lemma: if a ≥ b then max(a, b) = a and σ(a) ≥ σ(b), so both sides are "
                      "σ(a); symmetrically for a < b",
                      case_split(s(sp.Max(a, b)), sp.Max(s(a), s(b)), sp.Ge(a, b),
                                 Context(nondecreasing=[sigma.name])),
                      assumptions=("σ nondecreasing",))
    window = pool.element()
    # a 1×1 window is the entry itself (no max to take)
    entry, limits = ((window.function, window.limits) if isinstance(window, MaxOver)
                     else (window, ()))

    def pooled(term):
        return MaxOver(term, *limits) if limits else term

    lifted = sp.Eq(s(window), pooled(s(entry)), evaluate=False)
    inducted = lemma.status is Status.PROVED
    proof.add(lifted,
              "a max over a finite window is an iterated binary max; induct on the number of "
              "entries, one lemma application per entry",
              Outcome(Status.PROVED if inducted else Status.UNKNOWN, "induction",
                      "base: one entry, σ(x) = σ(x); step: σ(max(M, x)) = max(σ(M), σ(x)) by the "
                      "lemma, then the induction hypothesis"))
    proof.add(sp.Eq(sp.Symbol("[σ(ρ(X))]_{l,i,j}"), s(window), evaluate=False),
              "σ acts entry by entry on Y = ρ(X)", Outcome(Status.PROVED, "definition"))
    proof.add(sp.Eq(sp.Symbol("[ρ(σ(X))]_{l,i,j}"), pooled(s(entry)), evaluate=False),
              "ρ reads the same window of σ(X), whose entries are σ(X_{l,p,q})",
              Outcome(Status.PROVED, "definition"))
    proof.result = sp.Eq(sp.Symbol("σ(ρ(X))"), sp.Symbol("ρ(σ(X))"), evaluate=False)

    found = counterexample(sp.Max(a, b) ** 2, sp.Max(a**2, b**2), seed=0)
    proof.add(sp.Eq(sp.Max(a, b) ** 2, sp.Max(a**2, b**2)),
              "for the non-monotone σ(z) = z² the identity fails: the hypothesis is needed",
              Outcome(Status.PROVED, "counterexample", found.detail,
                      counterexample=found.counterexample) if found else
              Outcome(Status.UNKNOWN, "counterexample", "none found"),
              holds=False, statement="σ(z) = z²")
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
    fails = before[0, 0, 0] != after[0, 0, 0]
    proof.check(None, "max pooling of X = [−2, 1] with σ(z) = z², exact",
                Outcome(Status.VERIFIED if fails else Status.REFUTED, "exact evaluation",
                        f"σ(ρ(X)) = {before[0, 0, 0]}, ρ(σ(X)) = {after[0, 0, 0]}",
                        counterexample=None if fails else {"X": "[-2, 1]"}),
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
