"""Independent pieces of work spread over processes: the same results, in the same order,
sooner on a machine with several cores.

Only where the system forks (Linux) and only from a process with one thread (forking a process
that runs other threads can copy a lock that a thread holds, and hang): a forked worker starts
with everything the parent has built (imports, SymPy's caches, the document's contexts), so
only indices go to it and only results come back (pickled). Everywhere else, and for one job,
the work runs here, in order. A piece of work must not depend on another's side effects: each
worker sees the parent's state as it was at the fork.

A result crosses as its exact state, never rebuilt through a constructor: SymPy's own pickling
calls ``type(e)(*e.args)``, which evaluates again (an unevaluated ``Eq(∂y_L/∂b_L, 1)`` came
back as ``False``, and ``Mul(w, X)`` as ``1*(w·X)`` under ``evaluate(False)``), so what a
worker computed is copied slot by slot instead (:func:`dumps`). Each worker's new dummy symbols
are numbered apart from every other process's, so that two dummies never meet with one number.

>>> mapped(lambda n: n * n, 5, jobs=1)
[0, 1, 4, 9, 16]
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import signal
import threading
import types
from collections.abc import Callable
from typing import TypeVar

import sympy as sp
from sympy.core.singleton import Singleton

__all__ = ["mapped", "available_jobs", "dumps"]

T = TypeVar("T")

# The work of the pool being run. A forked worker inherits it; nothing else reads it, and it is
# cleared when the pool ends (a module-level name is what a forked worker can see without
# pickling the work and the data it closes over).
_WORK: Callable[[int], object] | None = None


def available_jobs() -> int:
    """How many processes this machine can run at once for us (the CPUs we may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1 and _WORK is None)


def dumps(value) -> bytes:
    """``value`` pickled with every SymPy object in it as its exact state (its slots and
    attributes), so that ``pickle.loads`` gives back the very same tree: nothing evaluated or
    rebuilt, singletons (0, 1, ∞, true…) still the singletons.

    >>> e = sp.Eq(sp.Symbol("y"), sp.Symbol("y"), evaluate=False)
    >>> pickle.loads(dumps(e)) == e, pickle.loads(pickle.dumps(e))
    (True, True)
    """
    buffer = io.BytesIO()
    _Exact(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class _Exact(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, sp.Basic) and not isinstance(type(obj), Singleton):
            return _restored, (type(obj), _state(obj))
        return NotImplemented


def _slots(kind: type) -> set[str]:
    """The slots that hold an instance's state (a class attribute of the same name, such as
    Integer's ``q = 1``, shadows its slot)."""
    return {name for k in kind.__mro__ for name in getattr(k, "__slots__", ())
            if isinstance(getattr(kind, name, None), types.MemberDescriptorType)}


def _state(obj) -> dict:
    state = {name: getattr(obj, name) for name in _slots(type(obj)) if hasattr(obj, name)}
    state["_mhash"] = None  # a hash is recomputed where it is needed
    state.update(getattr(obj, "__dict__", {}))
    return state


def _restored(kind: type, state: dict):
    obj = object.__new__(kind)
    for name, value in state.items():
        object.__setattr__(obj, name, value)
    return obj


def _started() -> None:
    """A worker's start: the parent's signal handlers undone (the parent is the one that
    answers Ctrl-C, and ends its workers with SIGTERM, which must end them quietly), and its
    dummies numbered apart from every other process's (a pid is unique among the living
    processes; a worker makes far fewer than 10**7 dummies)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sp.Dummy._count += os.getpid() * 10**7


def _indexed(index: int) -> tuple[int, bytes]:
    return index, dumps(_WORK(index))


def mapped(work: Callable[[int], T], count: int, jobs: int,
           done: Callable[[int], None] | None = None) -> list[T]:
    """``[work(0), …, work(count − 1)]``, computed by up to ``jobs`` forked processes (here,
    in order, for one job or where forking is not safe); ``done(n)`` is called here each time
    ``n`` pieces are finished. An exception raised by ``work`` is raised here.

    >>> mapped(str, 3, jobs=2)
    ['0', '1', '2']
    """
    global _WORK
    jobs = min(jobs, count)
    if jobs <= 1 or not _can_fork():
        results = []
        for index in range(count):
            results.append(work(index))
            if done is not None:
                done(len(results))
        return results
    results: list = [None] * count
    _WORK = work
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_started) as pool:
            # one piece at a time: pieces differ a lot in cost, and a free worker takes the next
            for finished, (index, result) in enumerate(
                    pool.imap_unordered(_indexed, range(count)), start=1):
                results[index] = pickle.loads(result)
                if done is not None:
                    done(finished)
    finally:
        _WORK = None
    return results
