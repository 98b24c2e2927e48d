"""The sign rule of the kernel's contexts (``e ≥ 0`` from each atom's own assumptions): a
linear form is decided by its infimum over the box its atoms' assumptions allow. It must
prove everything SymPy's sign rules prove, and nothing that a value allowed by the
assumptions contradicts."""

from __future__ import annotations

import itertools

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symproof.kernel.context import _is_nonnegative

# each kind: the symbol, and values it may take (the extremes its assumptions allow included)
KINDS = {
    "positive integer": (dict(integer=True, positive=True), [1, 2, 7]),
    "nonnegative integer": (dict(integer=True, nonnegative=True), [0, 1, 5]),
    "negative integer": (dict(integer=True, negative=True), [-1, -3]),
    "integer": (dict(integer=True), [-4, 0, 3]),
    "positive real": (dict(positive=True), [sp.Rational(1, 100), 1, sp.Rational(9, 2)]),
    "nonpositive real": (dict(nonpositive=True), [0, sp.Rational(-1, 3), -5]),
    "real": (dict(real=True), [sp.Rational(-7, 2), 0, 2]),
}

forms = st.lists(st.tuples(st.sampled_from(sorted(KINDS)), st.integers(-3, 3)), min_size=1,
                 max_size=4)


@settings(max_examples=300, deadline=None)
@given(forms, st.integers(-6, 6), st.booleans())
def test_a_linear_form_is_nonnegative_exactly_when_no_allowed_value_makes_it_negative(
        terms, constant, indexed):
    atoms, values = [], []
    for n, (kind, _) in enumerate(terms):
        assumptions, allowed = KINDS[kind]
        if indexed:
            atoms.append(sp.IndexedBase(f"a{n}", **assumptions)[n + 1])
        else:
            atoms.append(sp.Symbol(f"a{n}", **assumptions))
        values.append(allowed)
    e = constant + sum(c * a for (_, c), a in zip(terms, atoms))
    decided = _is_nonnegative(e)
    samples = [e.xreplace(dict(zip(atoms, case))) for case in itertools.product(*values)]
    if decided:  # sound: no allowed value makes it negative
        assert all(s >= 0 for s in samples), e
    if bool(sp.expand(e).is_nonnegative):  # and as strong as SymPy
        assert decided, e
    if not decided:  # and exact: some allowed value makes it negative
        assert e.xreplace({a: _lowering(a, c) for (_, c), a in zip(terms, atoms)}) < 0, e


def _lowering(atom, coefficient):
    """A value the atom's assumptions allow, far in the direction that lowers c·atom."""
    far, near = sp.Integer(10 ** 6), sp.Rational(1, 10 ** 6)
    if coefficient == 0:
        return _allowed_zero_or_one(atom)
    if coefficient > 0:
        if atom.is_positive:
            return 1 if atom.is_integer else near
        return 0 if atom.is_nonnegative else -far
    if atom.is_negative:
        return -1 if atom.is_integer else -near
    return 0 if atom.is_nonpositive else far


def _allowed_zero_or_one(atom):
    if atom.is_positive:
        return 1
    return -1 if atom.is_negative else 0


def test_nonlinear_forms_are_left_to_sympy():
    m, k = sp.symbols("m k", integer=True, positive=True)
    assert _is_nonnegative(m * k - 1)
    assert not _is_nonnegative(m / k - 1)
    assert _is_nonnegative(m ** 2)
