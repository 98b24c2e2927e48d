"""The 15 relationships of Dumoulin & Visin, "A guide to convolution arithmetic for deep
learning" (2016), each derived from symproof's general output-size formulas.

Direct convolutions use ``o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1``; transposed ones use PyTorch's
``o' = (i' − 1)s − 2p + d(k−1) + a + 1`` and are shown equal to the direct convolution the guide
pairs them with (on the input ``i'``, or on ``ĩ' = s(i' − 1) + 1``, the input with ``s − 1``
zeros inserted between entries, plus ``a`` extra rows).
"""

from __future__ import annotations

import sympy as sp

from symproof import Derivation, symbols
from symproof.kernel import Context, identity
from symproof.printing import latex, text
from symproof.proof import Proof
from symproof.prose import Math, Prose, assignments, divides
from symproof.registry import Problem
from symproof.shapes import conv_output_size, pool_output_size, transposed_output_size

i, k, s, p, d, q = symbols("i k s p d q")
p0, a0, t0 = symbols("p a t", nonnegative=True)  # paddings and remainders may be 0
# k ≥ p + 1, written so that SymPy knows it: k = p + 1 + t with t ≥ 0.
kp = p0 + 1 + t0
o = sp.Symbol("o")


def _direct(number: int, title: str, statement: str, size, claim, *,
            assumptions=()) -> Proof:
    """``size`` (from the general formula, with the case's values) equals ``claim``: a chain
    of one link, decided by the kernel's search."""
    chain = Derivation(sp.Eq(o, size, evaluate=False), assuming=assumptions,
                       name=f"dv{number:02d}", title=f"D&V relationship {number}: {title}",
                       statement=statement, why="the general formula with this case's values",
                       kind="documented rule")
    proof = chain.equals(claim, "simplify").proof()
    proof.summary = "from the general formula"
    return proof


def _transposed(number: int, title: str, statement: str, stride, padding, claim, direct,
                *, output_padding=0, assumptions=(), kernel=k) -> Proof:
    """PyTorch's transposed size and the guide's equivalent direct convolution both give
    ``claim``."""
    proof = Proof(f"dv{number:02d}", f"D&V relationship {number}: {title}", statement,
                  assumptions=list(assumptions))
    transposed = transposed_output_size(i, kernel, stride, padding, 1, output_padding)
    ctx = Context([a for a in assumptions if isinstance(a, sp.Basic)])
    proof.given(sp.Eq(sp.Symbol("o'"), transposed, evaluate=False),
                "PyTorch's transposed-convolution size, (i' − 1)s − 2p + k + a − 1 + 1",
                "documented rule")
    proof.add(sp.Eq(sp.Symbol("o'"), claim, evaluate=False), "simplify",
              identity(transposed, claim, ctx))
    proof.add(sp.Eq(sp.Symbol("o' (direct)"), direct, evaluate=False),
              "the equivalent direct convolution of the guide gives the same size",
              identity(direct, claim, ctx))
    proof.result = sp.Eq(sp.Symbol("o'"), claim, evaluate=False)
    proof.summary = "transposed = equivalent direct convolution"
    return proof


I_, O_ = sp.Symbol("i'"), sp.Symbol("o'")  # the transposed convolution's input and output


def _eq(lhs, rhs) -> sp.Eq:
    return sp.Eq(lhs, rhs, evaluate=False)


def _primed(kernel, stride, padding) -> list:
    """``k' = …, s' = …, p' = …``: the equivalent direct convolution's sizes."""
    return assignments(("k'", kernel), ("s'", stride), ("p'", padding))


def _tilde() -> Math:
    """The stretched input ``ĩ' = s(i' − 1) + 1`` (s − 1 zeros between entries)."""
    size = s * (I_ - 1) + 1
    return Math(rf"\tilde{{\imath}}' = {latex(size)}", f"ĩ' = {text(size)}")


def _said(claim, *conditions, after: Prose | str = "") -> Prose:
    """``o = claim`` for the case's values (``conditions``: (name, value) pairs)."""
    parts = [sp.Eq(o, claim, evaluate=False)]
    if conditions:
        parts += [" for ", *assignments(*conditions)]
    return Prose(*parts) + after + "."


def _stretched(extra=0):
    return s * (i - 1) + 1 + extra  # ĩ': s − 1 zeros between entries, ``extra`` rows added


def _builders() -> list:
    """One builder per relationship, in the guide's order (each runs only when asked for)."""
    n = symbols("n")
    return [
        lambda: _direct(1, "no padding, unit strides", _said(i - k + 1, ("s", 1), ("p", 0)),
                        conv_output_size(i, k), i - k + 1, assumptions=[sp.Le(k, i)]),
        lambda: _direct(2, "zero padding, unit strides", _said(i - k + 2 * p0 + 1, ("s", 1)),
                        conv_output_size(i, k, 1, p0), i - k + 2 * p0 + 1),
        lambda: _direct(3, "half (same) padding",
                        _said(i, ("s", 1), ("k", 2 * n + 1), ("p", n)),
                        conv_output_size(i, 2 * n + 1, 1, n), i),
        lambda: _direct(4, "full padding", _said(i + k - 1, ("s", 1), ("p", k - 1)),
                        conv_output_size(i, k, 1, k - 1), i + k - 1),
        lambda: _direct(5, "no padding, non-unit strides",
                        _said(sp.floor((i - k) / s) + 1, ("p", 0)),
                        conv_output_size(i, k, s), sp.floor((i - k) / s) + 1),
        lambda: _direct(6, "zero padding, non-unit strides",
                        _said(sp.floor((i + 2 * p0 - k) / s) + 1),
                        conv_output_size(i, k, s, p0), sp.floor((i + 2 * p0 - k) / s) + 1),
        lambda: _direct(7, "pooling",
                        _said(sp.floor((i - k) / s) + 1, after=Prose(
                            " for a pooling window ", k, " with stride ", s)),
                        pool_output_size(i, k, s), sp.floor((i - k) / s) + 1),
        lambda: _transposed(
            8, "transposed, no padding, unit strides",
            Prose("The transpose of a convolution with ", *assignments(("s", 1), ("p", 0)),
                  " is a direct convolution on ", I_, " with ", *_primed(k, 1, k - 1), ": ",
                  _eq(O_, I_ + k - 1), "."), 1, 0, i + k - 1,
            conv_output_size(i, k, 1, k - 1)),
        lambda: _transposed(
            9, "transposed, zero padding, unit strides",
            Prose("With ", _eq(s, 1), " and padding ", sp.Le(p0, k - 1), " (", _eq(k, kp),
                  "): ", *_primed(k, 1, k - p0 - 1), ", ", _eq(O_, I_ + k - 1 - 2 * p0), "."),
            1, p0, i + kp - 1 - 2 * p0,
            conv_output_size(i, kp, 1, kp - p0 - 1), kernel=kp),
        lambda: _transposed_half(n),
        _transposed_full,
        lambda: _transposed(
            12, "transposed, no padding, non-unit strides",
            Prose("When ", divides(s, i - k), ": a direct convolution on the stretched input ",
                  _tilde(), " with ", *_primed(k, 1, k - 1), ": ", _eq(O_, s * (I_ - 1) + k),
                  "."),
            s, 0, s * (i - 1) + k, conv_output_size(_stretched(), k, 1, k - 1)),
        lambda: _transposed(
            13, "transposed, zero padding, non-unit strides",
            Prose("When ", divides(s, i + 2 * p0 - k), ": the stretched input, ",
                  *_primed(k, 1, k - p0 - 1), " (", _eq(k, kp), "): ",
                  _eq(O_, s * (I_ - 1) + k - 2 * p0), "."), s, p0, s * (i - 1) + kp - 2 * p0,
            conv_output_size(_stretched(), kp, 1, kp - p0 - 1), kernel=kp),
        lambda: _transposed(
            14, "transposed, padding, non-unit strides, any remainder",
            Prose("With ", Math(rf"a = \left({latex(i + 2 * p0 - k)}\right) \bmod s",
                                f"a = ({text(i + 2 * p0 - k)}) mod s"),
                  ": the stretched input plus ", a0, " rows, ", *_primed(k, 1, k - p0 - 1),
                  " (", _eq(k, kp), "): ", _eq(O_, s * (I_ - 1) + a0 + k - 2 * p0), "."), s, p0,
            s * (i - 1) + a0 + kp - 2 * p0,
            conv_output_size(_stretched(a0), kp, 1, kp - p0 - 1), output_padding=a0,
            kernel=kp, assumptions=[sp.Lt(a0, s)]),
        lambda: _direct(15, "dilated convolution",
                        _said(sp.floor((i + 2 * p0 - k - (k - 1) * (d - 1)) / s) + 1,
                              after=Prose(" for dilation ", d)),
                        conv_output_size(i, k, s, p0, d),
                        sp.floor((i + 2 * p0 - k - (k - 1) * (d - 1)) / s) + 1),
    ]


def _transposed_half(half) -> Proof:
    k_odd = 2 * half + 1
    proof = Proof("dv10", "D&V relationship 10: transposed, half padding",
                  Prose("With ", *assignments(("s", 1), ("k", k_odd), ("p", half)), ": ",
                        *_primed(k, 1, half), ", ", _eq(O_, I_), "."))
    size = transposed_output_size(i, k_odd, 1, half)
    proof.given(sp.Eq(sp.Symbol("o'"), size, evaluate=False), "PyTorch's transposed size",
                "documented rule")
    proof.add(sp.Eq(sp.Symbol("o'"), i, evaluate=False), "simplify", identity(size, i))
    direct = conv_output_size(i, k_odd, 1, half)
    proof.add(sp.Eq(sp.Symbol("o' (direct)"), direct, evaluate=False),
              "the equivalent direct convolution gives the same size", identity(direct, i))
    proof.result = sp.Eq(sp.Symbol("o'"), i, evaluate=False)
    proof.summary = "transposed = equivalent direct convolution"
    return proof


def _transposed_full() -> Proof:
    proof = Proof("dv11", "D&V relationship 11: transposed, full padding",
                  Prose("With ", *assignments(("s", 1), ("p", k - 1)), ": ", *_primed(k, 1, 0),
                        ", ", _eq(O_, I_ - (k - 1)), "."),
                  assumptions=[sp.Le(k, i)])
    size = transposed_output_size(i, k, 1, k - 1)
    proof.given(sp.Eq(sp.Symbol("o'"), size, evaluate=False),
                "PyTorch's transposed size with s = 1, p = k − 1", "documented rule")
    proof.add(sp.Eq(sp.Symbol("o'"), i - k + 1, evaluate=False), "simplify",
              identity(size, i - k + 1))
    direct = conv_output_size(i, k)
    proof.add(sp.Eq(sp.Symbol("o' (direct)"), direct, evaluate=False),
              "the equivalent direct convolution (p' = 0) gives the same size",
              identity(direct, i - k + 1, Context([sp.Le(k, i)])))
    proof.result = sp.Eq(sp.Symbol("o'"), i - k + 1, evaluate=False)
    proof.summary = "transposed = equivalent direct convolution"
    return proof


def _problem(number: int) -> Problem:
    def build(**options) -> Proof:  # use_torch and friends do not apply to sizes
        return _builders()[number - 1]()

    return Problem(f"dv{number:02d}", f"D&V relationship {number}", build, group="dv")


PROBLEMS = [_problem(number) for number in range(1, 16)]
