"""Reading the course's notation back from LaTeX (the normalisation in front of
latex2sympy2_extended)."""

from __future__ import annotations

import pytest
import sympy as sp

from symproof import notation as nt
from symproof import symbols
from symproof.claims import ParseError, parse_latex
from symproof.testing import assert_equivalent

k, m = symbols("k m")


@pytest.mark.parametrize("text, expected", [
    (r"X_{1,i+1,j} - X_{1,i,j}", nt.X[1, nt.i + 1, nt.j] - nt.X[1, nt.i, nt.j]),
    (r"\left\lfloor{\frac{m - k}{k}}\right\rfloor + 1", sp.floor(m / k)),
    (r"\delta_{l \gamma} w_{l,\gamma,1,1}",
     sp.KroneckerDelta(nt.l, nt.gamma) * nt.w[nt.l, nt.gamma, 1, 1]),
    (r"\sum_{\alpha=1}^{k} \frac{X_{l,k\left(i-1\right)+\alpha,j}}{k^{2}}",
     sp.Sum(nt.X[nt.l, k * (nt.i - 1) + nt.alpha, nt.j], (nt.alpha, 1, k)) / k**2),
    (r"\bar{X}_{1,i+2,j+1}", nt.Xbar[1, nt.i + 2, nt.j + 1]),
    (r"\sigma'\left(x\right) \sigma\left(x\right)",
     sp.Function("sigma'")(sp.Symbol("x")) * sp.Function("sigma")(sp.Symbol("x"))),
])
def test_reads_course_notation(text, expected):
    known = [nt.i, nt.j, nt.l, nt.alpha, nt.gamma, k, m]
    assert_equivalent(parse_latex(text, known=known), expected)


def test_matrix_products_keep_their_order():
    a, y = sp.MatrixSymbol("A_ell", 3, 2), sp.MatrixSymbol("y_ell-1", 2, 1)
    parsed = parse_latex(r"y_{\ell-1}^{\top} A_{\ell}^{\top}", known=[a, y])
    assert parsed == y.T * a.T


@pytest.mark.parametrize("text", [r"\frac{1}{", r"X_{1,", r"\max_{\substack{1 \le a}} X_{1,a}"])
def test_unreadable_latex_is_a_parse_error(text):
    with pytest.raises(ParseError):
        parse_latex(text)


def test_text_that_looks_like_code_stays_a_name():
    parsed = parse_latex(r"\text{__import__('os').system('true')}")
    assert isinstance(parsed, sp.Symbol) and "__import__" in parsed.name
