"""The fast arithmetic reader reads what it reads exactly as latex2sympy does.

Every text the claim reader sent to latex2sympy while the test suite ran
(tests/data/latex_core_texts.txt) and random texts of the core grammar are read both ways; the
trees are rebuilt as the claim reader rebuilds them, with the placeholders as numbers and as
non-commuting objects (whose products must keep their order), and must be identical or differ
only in how SymPy groups them (their difference expands to 0).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof.claims.arithmetic import read_arithmetic
from symproof.claims.parse import _latex2sympy, _rebuild, parse_latex
from symproof.errors import SymproofError
from symproof.limits import check_expression

TEXTS = [ast.literal_eval(line) for line in
         (Path(__file__).parent / "data" / "latex_core_texts.txt").read_text().splitlines()
         if line and not line.startswith("#")]


def _same_reading(text: str) -> bool | None:
    """True when both readers agree; None when the core does not read it or latex2sympy
    cannot (nothing to compare)."""
    mine = read_arithmetic(text)
    if mine is None:
        return None
    try:
        theirs = _latex2sympy(text)
    except SymproofError:
        return None
    try:
        check_expression(mine)
        check_expression(theirs)
    except SymproofError:
        return None  # too large to rebuild; the caller refuses it before rebuilding
    names = {s.name for s in mine.free_symbols | theirs.free_symbols}
    for commutative in (True, False):
        objects = {n: sp.Symbol(f"{n}'", commutative=commutative) for n in names
                   if n.startswith("Xi_")}
        try:
            rebuilt = _rebuild(mine, objects, {}), _rebuild(theirs, objects, {})
        except (TypeError, ValueError):
            continue  # a matrix where only a number can stand (a sum's bound)
        if not _equal(*rebuilt):
            return False
    return True


def _equal(a: sp.Basic, b: sp.Basic) -> bool:
    """The same tree, or the same relation between sides whose difference expands to 0
    (with non-commuting placeholders the expansion keeps every product's order)."""
    if sp.srepr(a) == sp.srepr(b):
        return True
    if all(side.has(sp.zoo, sp.nan) for side in (a, b)):
        # a division by zero (\frac{x}{a y - a y}): both undefined, whichever sign SymPy's
        # evaluation order leaves on zoo's factor
        return True
    if isinstance(a, sp.core.relational.Relational):
        return type(a) is type(b) and _equal(a.lhs, b.lhs) and _equal(a.rhs, b.rhs)
    return isinstance(a, sp.Expr) and isinstance(b, sp.Expr) and sp.expand(a - b) == 0


def test_the_corpus_is_read_by_the_core_mostly():
    read = [t for t in TEXTS if read_arithmetic(t) is not None]
    assert len(read) >= 0.8 * len(TEXTS)


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_every_corpus_text_is_read_as_latex2sympy_reads_it(text):
    assert _same_reading(text) is not False


_ATOMS = ["a", "b", "k", "x", "y_{1}", "n_{\\Xi_{000}-1}", "A_{L}", "2", "3", "10",
          "\\Xi_{000}", "\\Xi_{001}", "\\Xi_{002}", "f"]
_GLUE = [" ", "+", "-", " \\cdot ", " \\times ", "", " \\, "]


@st.composite
def _texts(draw, depth=0):
    parts = [draw(st.sampled_from(["", "-"]))]
    for n in range(draw(st.integers(1, 4))):
        if n:
            parts.append(draw(st.sampled_from(_GLUE)))
        kind = draw(st.integers(0, 9 if depth < 2 else 4))
        if kind <= 4:
            parts.append(draw(st.sampled_from(_ATOMS)))
        elif kind == 5:
            parts.append("\\left(" + draw(_texts(depth + 1)) + "\\right)")
        elif kind == 6:
            parts.append("(" + draw(_texts(depth + 1)) + ")")
        elif kind == 7:
            parts.append("\\frac{" + draw(_texts(depth + 1)) + "}{" + draw(_texts(depth + 1))
                         + "}")
        elif kind == 8:
            parts.append(draw(st.sampled_from(_ATOMS)) + "^{" + draw(_texts(depth + 1)) + "}")
        else:
            parts.append("\\sum_{" + draw(st.sampled_from(["k", "\\Xi_{003}"])) + "=1}^{"
                         + draw(st.sampled_from(["n", "3", "\\Xi_{004}"])) + "} "
                         + draw(_texts(depth + 1)))
    text = "".join(parts)
    if draw(st.booleans()):
        text += draw(st.sampled_from([" = ", " \\le ", " < ", " \\neq "])) + draw(
            st.sampled_from(_ATOMS))
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts())
def test_random_core_texts_are_read_as_latex2sympy_reads_them(text):
    assert _same_reading(text) is not False, text


def test_a_division_by_zero_is_read_alike():
    # hypothesis found it: both readers build the same tree, whose rebuilding gives zoo times
    # opposite factors
    assert _same_reading(r"\frac{-(aa+a)}{ay_1-ay_1}") is True


@pytest.mark.parametrize("text", ["a(x)", "f\\left(2\\right)", "2 3", "2(3)", "(2)(3)",
                                  "e^{x}", "dk", "d k", "3!", "a = b = c", "- -a",
                                  "a \\cdot -b", "x^2_i", "1.5", "\\alpha"])
def test_what_latex2sympy_reads_its_own_way_is_left_to_it(text):
    assert read_arithmetic(text) is None


def test_a_claim_reads_the_same_through_the_core():
    x = parse_latex(r"\frac{m - k}{S} + 1 = \left\lfloor \frac{m}{S} \right\rfloor")
    m, k, s = sp.symbols("m k S")
    assert x == sp.Eq((m - k) / s + 1, sp.floor(m / s), evaluate=False)
