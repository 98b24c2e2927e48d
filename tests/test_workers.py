"""Work spread over processes (symproof.workers): the same results in the same order, results
copied exactly (never rebuilt by SymPy's constructors), no traceback when workers end, and no
fork where forking is unsafe."""

from __future__ import annotations

import os
import pickle
import threading

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symproof import errors, workers
from symproof.errors import ParameterError
from symproof.notation import X, alpha, i, j, w
from symproof.registry import select


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_in_order_and_progress_counted(jobs):
    seen = []
    assert workers.mapped(lambda n: n * n, 7, jobs, seen.append) == [n * n for n in range(7)]
    assert seen == list(range(1, 8))


def test_no_work_and_more_jobs_than_work():
    assert workers.mapped(lambda n: n, 0, 4) == []
    assert workers.mapped(lambda n: -n, 1, 4) == [0]


def test_pieces_run_in_other_processes():
    pids = workers.mapped(lambda n: os.getpid(), 6, 2)
    assert os.getpid() not in pids


class Refused(Exception):
    pass


def _fails_at_three(n: int) -> int:
    if n == 3:
        raise Refused(f"piece {n}")
    return n


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_exception_in_a_piece_is_raised_here(jobs):
    with pytest.raises(Refused, match="piece 3"):
        workers.mapped(_fails_at_three, 6, jobs)


def test_a_worker_maps_its_own_work_in_itself():
    """No process forks workers of its own: work mapped inside a piece runs in that piece."""
    def inner(n):
        return os.getpid(), workers.mapped(lambda m: os.getpid(), 3, 2)

    for pid, inner_pids in workers.mapped(inner, 2, 2):
        assert set(inner_pids) == {pid}


def test_no_fork_while_another_thread_runs():
    """Forking a process with other threads can copy a held lock: the work runs here."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert set(workers.mapped(lambda n: os.getpid(), 4, 2)) == {os.getpid()}
    finally:
        stop.set()
        thread.join()


def test_dummies_of_two_processes_never_share_a_number():
    here = sp.Dummy("d")
    there = workers.mapped(lambda n: sp.Dummy("d"), 2, 2)
    assert len({here, *there}) == 3
    assert len({d.dummy_index for d in (here, *there)}) == 3


# --- exact copies ---------------------------------------------------------------------------

x, y = sp.symbols("x y")
k = sp.Symbol("k", integer=True, positive=True)

UNEVALUATED = [
    sp.Eq(sp.Symbol("∂y_L/∂b_L"), sp.Symbol("∂y_L/∂b_L"), evaluate=False),  # would be True
    sp.Mul(2, sp.Add(x, 1, evaluate=False), evaluate=False),
    sp.Add(x, x, evaluate=False),
    sp.Pow(x, 1, evaluate=False),
    sp.Sum(w[1, 1, alpha, 1] * X[1, i + alpha - 1, j], (alpha, 1, 3)),
    sp.Piecewise((x, sp.Lt(k, 3)), (0, True)),
    sp.KroneckerDelta(i, j),
    sp.floor(x / k) - x / k,
    sp.Float("0.299") * x,
    sp.Function("sigma")(x + y),
    sp.Derivative(sp.Function("f")(x), x),
]


@pytest.mark.parametrize("expr", UNEVALUATED, ids=str)
def test_an_expression_comes_back_exactly(expr):
    back = pickle.loads(workers.dumps(expr))
    assert sp.srepr(back) == sp.srepr(expr) and back == expr and hash(back) == hash(expr)


def test_singletons_stay_singletons():
    for value in (sp.S.Zero, sp.S.One, sp.S.NegativeOne, sp.oo, sp.S.true, sp.S.false, sp.nan,
                  sp.S.Half, sp.pi, sp.E, sp.I):
        assert pickle.loads(workers.dumps(value)) is value
    assert pickle.loads(workers.dumps(x + 0 * y)) == x


def test_sympys_own_pickling_is_what_is_avoided():
    """The reason for :func:`workers.dumps`: a SymPy pickle rebuilds by evaluating again."""
    claim = UNEVALUATED[0]
    assert pickle.loads(pickle.dumps(claim)) is sp.S.true
    assert pickle.loads(workers.dumps(claim)) == claim


_ATOMS = st.sampled_from([x, y, k, sp.Integer(3), sp.Rational(-2, 7), sp.Float("0.587"),
                          X[1, i, j], sp.Dummy("t"), sp.S.Zero, sp.S.One])


def _combine(children):
    return st.one_of(
        st.tuples(children, children).map(lambda ab: sp.Add(*ab, evaluate=False)),
        st.tuples(children, children).map(lambda ab: sp.Mul(*ab, evaluate=False)),
        st.tuples(children, children).map(lambda ab: ab[0] + ab[1] * ab[0]),
        children.map(lambda a: sp.Sum(a * alpha, (alpha, 1, k))),
        children.map(lambda a: sp.Piecewise((a, sp.Ge(k, 2)), (1, True))),
        children.map(sp.floor),
    )


_EXPRESSIONS = st.recursive(_ATOMS, _combine, max_leaves=8)


@given(_EXPRESSIONS, _EXPRESSIONS)
@settings(max_examples=150, deadline=None)
def test_any_expression_comes_back_exactly(lhs, rhs):
    for expr in (lhs, sp.Eq(lhs, rhs, evaluate=False)):
        back = pickle.loads(workers.dumps(expr))
        assert sp.srepr(back) == sp.srepr(expr)
        assert back == expr and hash(back) == hash(expr)
    assert pickle.loads(workers.dumps([lhs, {"value": rhs}])) == [lhs, {"value": rhs}]


@pytest.mark.parametrize("name", ["p3", "p6"])
def test_a_proof_comes_back_as_it_was(name):
    proof = select([name])[0].run({}, use_torch=False)
    back = pickle.loads(workers.dumps(proof))
    assert str(back) == str(proof) and back.to_dict() == proof.to_dict()


def _refuses(n: int) -> int:
    if n == 1:
        raise ParameterError("--set", f"k={n}", "must be a positive integer")
    return n


def test_symproofs_errors_cross_from_a_worker_whole():
    """Raised in a worker, an error is pickled to the parent: each of symproof's errors must
    come back with its message (ParameterError once came back as a TypeError)."""
    with pytest.raises(ParameterError) as raised:
        workers.mapped(_refuses, 3, 2)
    assert raised.value.name == "--set" and str(raised.value) == (
        "--set must be a positive integer, got 'k=1'")
    for kind in [c for c in vars(errors).values()
                 if isinstance(c, type) and issubclass(c, errors.SymproofError)]:
        error = kind("--jobs", 0, "must be positive") if kind is ParameterError else kind("m")
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is kind and str(back) == str(error)
