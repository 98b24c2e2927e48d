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

import contextlib
import io
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import types
from collections.abc import Callable
from typing import TypeVar

import sympy as sp
from sympy.core.singleton import Singleton

from .errors import SymproofError

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


# Signals that the parent answers (Ctrl-C, SIGTERM, SIGHUP): held back while a worker is
# forked, so that none reaches a worker before it has its own handlers
_ANSWERED = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                  if hasattr(signal, name))


def _started(others) -> None:
    """A worker's start: the parent's signal handlers undone (the parent is the one that
    answers Ctrl-C, and ends its workers with SIGTERM, which must end them quietly), the
    parent's ends of its pipe and of the other workers' closed (so that a worker sees its
    pipe end when the parent ends, killed or not, and does not outlive it), and its dummies
    numbered apart from every other process's (a pid is unique among the living processes; a
    worker makes far fewer than 10**7 dummies)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _ANSWERED)
    for connection in others:
        connection.close()
    sp.Dummy._count += os.getpid() * 10**7


# What a worker sends back for one piece: its result (exactly, :func:`dumps`), the exception
# the piece raised, or word that the result cannot cross (the parent then computes it itself)
_RESULT, _RAISED, _HERE = range(3)


def _serve(connection, others) -> None:
    """A worker: pieces' indices in, one at a time, their outcomes out, until told to stop
    (``None``) or until the parent is gone."""
    _started(others)
    try:
        while (index := connection.recv()) is not None:
            connection.send_bytes(_outcome(index))
    except (EOFError, OSError):  # the parent ended: nothing is waiting for the rest
        pass


def _outcome(index: int) -> bytes:
    try:
        result = _WORK(index)
    except BaseException as error:  # noqa: BLE001 - every exception is the parent's to raise
        return _crossing(error)
    try:
        return dumps((_RESULT, result))
    except Exception:  # noqa: BLE001 - a result that cannot be pickled is computed here
        return pickle.dumps((_HERE, None))


def _crossing(error: BaseException) -> bytes:
    """``error`` pickled for the parent to raise; one that does not come back whole (an
    exception whose constructor takes other arguments than its ``args``) crosses as its type's
    name and message, a :class:`SymproofError` still as one."""
    try:
        sent = pickle.dumps((_RAISED, error), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(sent)
        return sent
    except Exception:  # noqa: BLE001
        return pickle.dumps((_RAISED, (type(error).__name__, str(error),
                                       isinstance(error, SymproofError))))


def _raised(error) -> BaseException:
    if isinstance(error, BaseException):
        return error
    name, message, ours = error
    return type(name, (SymproofError if ours else Exception,), {})(message)


def _forked(context, running: dict):
    """A new worker and the parent's end of its pipe."""
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(theirs, [ours, *running]), daemon=True)
    held = (signal.pthread_sigmask(signal.SIG_BLOCK, _ANSWERED)
            if hasattr(signal, "pthread_sigmask") else None)
    try:
        process.start()
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        theirs.close()
    return ours, process


def mapped(work: Callable[[int], T], count: int, jobs: int,
           done: Callable[[int], None] | None = None) -> list[T]:
    """``[work(0), …, work(count − 1)]``, computed by up to ``jobs`` forked processes (here,
    in order, for one job or where forking is not safe); ``done(n)`` is called here each time
    ``n`` pieces are finished. An exception raised by ``work`` is raised here: the first
    piece's that raises, as with one job (no later piece is started then). A piece whose
    result cannot be pickled, or whose worker died (killed, or ``os._exit`` in a user's code),
    is computed here, as with one job. No worker outlives the call.

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
    here: list[int] = []  # the pieces computed here, after the workers
    failed: dict[int, object] = {}  # the exceptions raised by pieces
    finished, ended = 0, False
    running: dict = {}  # the parent's end of a busy worker's pipe → its piece
    processes = []
    for stream in (sys.stdout, sys.stderr):  # else a worker would write it again at its end
        with contextlib.suppress(Exception):
            stream.flush()
    _WORK = work
    pieces = iter(range(count))

    def give(connection) -> None:
        """The next piece to a free worker, or word to stop."""
        index = None if failed else next(pieces, None)
        try:
            connection.send(index)
        except OSError:  # the worker is gone
            if index is not None:
                here.append(index)
            index = None
        if index is None:
            del running[connection]
            connection.close()
        else:
            running[connection] = index

    try:
        context = multiprocessing.get_context("fork")
        for _ in range(jobs):
            connection, process = _forked(context, running)
            processes.append(process)
            running[connection] = None
        for connection in list(running):  # one piece at a time: a free worker takes the next
            give(connection)
        while running:
            for connection in multiprocessing.connection.wait(list(running)):
                index = running[connection]
                try:
                    sent = connection.recv_bytes()
                except (EOFError, OSError):  # the worker died with its piece
                    del running[connection]
                    connection.close()
                    here.append(index)
                    continue
                try:
                    kind, value = pickle.loads(sent)
                except Exception:  # noqa: BLE001 - a result or exception the parent cannot read
                    kind, value = _HERE, None
                if kind == _RAISED:
                    failed[index] = value
                    give(connection)
                    continue
                if kind == _HERE:
                    here.append(index)
                else:
                    results[index] = value
                    finished += 1
                    if done is not None:
                        done(finished)
                give(connection)
        ended = True
    finally:
        _WORK = None
        for connection in running:
            connection.close()
        for process in processes:
            if not ended:
                process.terminate()
            process.join()
    here.extend(pieces)  # what no worker was left to take
    first = min(failed, default=count)
    for index in sorted(here):
        if index > first:
            break
        results[index] = work(index)
        finished += 1
        if done is not None:
            done(finished)
    if failed:
        raise _raised(failed[first])
    return results
