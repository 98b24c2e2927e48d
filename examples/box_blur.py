"""A box blur: with every weight 1/F², a convolution averages its F×F window."""
import sympy as sp

from symproof import Conv2d, Derivation, Parameter, Problem
from symproof.notation import X, i, j


def build(f=3):
    blur = Derivation(Conv2d(1, 1, f, bias=False), at=(1, i, j), name="blur",
                      title="box blur", statement=f"Weights 1/{f * f} average the window.")
    blur.substitute(w=sp.Rational(1, f * f)).expand_sums()
    window = sum(X[1, i + a, j + b] for a in range(f) for b in range(f))
    return blur.equals(window / (f * f), "the mean of the window").proof()


PROBLEM = Problem("blur", "box blur", build,
                  (Parameter("f", 3, "size", "kernel size F", symbolic=False),))
