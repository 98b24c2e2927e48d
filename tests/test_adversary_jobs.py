"""Adversarial review of ``--jobs`` (symproof.workers): what a worker may do that one process
never shows (die, return what cannot be pickled, raise what cannot be rebuilt, be interrupted)
must neither hang the parent nor change the answer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import sympy as sp

from symproof import workers


@contextmanager
def _within(seconds: int):
    """Fail instead of hanging the suite (the old pool waited forever for a dead worker)."""
    def expire(signum, frame):
        raise AssertionError(f"mapped hung for over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


PARENT = os.getpid()


def _dies_at_one(n: int) -> int:
    if n == 1 and os.getpid() != PARENT:
        os._exit(0)  # a user's build calling os._exit, or a worker killed by the OOM killer
    return n


def test_a_worker_that_dies_neither_hangs_nor_loses_its_piece():
    with _within(60):
        assert workers.mapped(_dies_at_one, 5, 2) == [0, 1, 2, 3, 4]


def test_a_result_that_cannot_be_pickled_is_computed_here():
    with _within(60):
        made = workers.mapped(lambda n: (lambda: n), 4, 2)
    assert [f() for f in made] == [0, 1, 2, 3]


def test_a_poly_comes_back():
    """``dumps`` of a Poly over ZZ[y] fails inside SymPy (PolyRing.__getstate__ deletes from
    the dict it iterates); the piece is then computed here, as with one job."""
    x, y = sp.symbols("x y")
    with _within(60):
        two = workers.mapped(lambda n: sp.Poly(x**2 + (n + 1) * y, x), 2, 2)
    assert two == [sp.Poly(x**2 + y, x), sp.Poly(x**2 + 2 * y, x)]


class Odd(Exception):
    def __init__(self, piece, why):  # args are (message,): pickle cannot rebuild it
        super().__init__(f"piece {piece}: {why}")


def _raises_odd(n: int) -> int:
    if n == 2:
        raise Odd(n, "refused")
    return n


def test_an_exception_that_cannot_be_rebuilt_is_raised_here_by_name():
    with _within(60), pytest.raises(Exception, match="piece 2: refused") as raised:
        workers.mapped(_raises_odd, 5, 2)
    assert type(raised.value).__name__ == "Odd"


def _interrupted_at_one(n: int) -> int:
    if n == 1:
        raise KeyboardInterrupt
    return n


def test_a_keyboard_interrupt_in_a_piece_is_raised_here():
    with _within(60), pytest.raises(KeyboardInterrupt):
        workers.mapped(_interrupted_at_one, 4, 2)


def _slow_fail_at_zero_fast_fail_at_one(n: int) -> int:
    if n == 0:
        time.sleep(1)
        raise ValueError("piece 0")
    raise ValueError(f"piece {n}")


def test_the_exception_raised_is_the_one_one_job_raises():
    for jobs in (1, 2):
        with _within(60), pytest.raises(ValueError, match="piece 0"):
            workers.mapped(_slow_fail_at_zero_fast_fail_at_one, 3, jobs)


PROBLEMS = '''
import sympy as sp
from symproof import Conv2d, Derivation, Parameter, Problem
from symproof.notation import X, i, j


def make(tag):
    def build(f=2):
        blur = Derivation(Conv2d(1, 1, f, bias=False), at=(1, i, j), name="blur" + tag,
                          title="box blur", statement="Weights average the window.")
        blur.substitute(w=sp.Rational(1, f * f)).expand_sums()
        window = sum(X[1, i + a, j + b] for a in range(f) for b in range(f))
        proof = blur.equals(window / (f * f), "the mean of the window").proof()
        proof.note = lambda: tag  # a user's own attribute: fine in one process
        return proof
    return build


PROBLEMS = [Problem("blur" + t, "box blur " + t, make(t),
                    (Parameter("f", 2, "size", "kernel size F", symbolic=False),))
            for t in "ab"]
'''


def test_prove_of_a_problem_whose_proof_cannot_be_pickled(tmp_path):
    """It was ``error: internal error: AttributeError: Can't pickle local object`` with -j2,
    and a proof with -j1."""
    path = tmp_path / "problems.py"
    path.write_text(PROBLEMS)
    root = Path(__file__).resolve().parent.parent
    runs = [subprocess.run([sys.executable, "-m", "symproof", "prove", str(path), "-j", jobs,
                            "--no-figures"], capture_output=True, text=True, timeout=300,
                           cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
            for jobs in ("1", "2")]
    assert runs[0].returncode == runs[1].returncode == 0, runs[1].stderr
    assert runs[1].stdout == runs[0].stdout and runs[1].stderr == ""


ORPHANED = '''
import os, sys, time
from symproof import workers

def piece(n):
    print(os.getpid(), flush=True)
    time.sleep(0.5)
    return n

workers.mapped(piece, 40, 2)
'''


def test_workers_do_not_outlive_a_killed_parent():
    """SIGKILL (or the OOM killer) on the parent: its workers end by themselves, quietly.
    The old pool's workers waited on a queue whose writing end they held themselves, and
    printed a traceback each."""
    root = Path(__file__).resolve().parent.parent
    parent = subprocess.Popen([sys.executable, "-c", ORPHANED], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=root,
                              env={**os.environ, "PYTHONPATH": str(root)})
    pids = {int(parent.stdout.readline()) for _ in range(4)}
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.2)
    left = [pid for pid in pids if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []
    assert parent.stderr.read() == ""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
