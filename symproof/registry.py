"""The worked problems, each a ``Problem`` whose parameters can be changed (``symproof prove p2
--set k=3``), and the problems of a user's own file (``symproof prove mine.py``).

The worked problems are the modules of the repository's folder ``proofs/``. That folder is
installed inside symproof's namespace, as the package ``symproof.worked`` (``package-dir`` in
``pyproject.toml``; an editable install maps the name onto the folder itself), never as a
top-level package ``proofs``, and the library does not import it by name: :func:`worked_folder`
locates it and :func:`problems` loads every module in it by path, through the one loader that
also runs a user's file (:func:`from_file`). A worked module is loaded once, as
``symproof.worked.<module>`` in ``sys.modules``; a user's file gets a name of its own, so it
can never replace one of them.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import sys
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import sympy as sp

from .errors import ParameterError, ProblemFileError, SymproofError
from .files import read_bytes
from .layers.window import RESERVED
from .limits import check
from .notation import ARRAYS, AXIS_LETTERS, GREEK, LETTERS
from .params import size_from_text
from .printing import written_as_decimals
from .proof import Proof

__all__ = ["Parameter", "Problem", "problems", "get", "groups", "select", "from_file",
           "is_problem_file", "worked_folder"]

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+|/[0-9]+)?", re.ASCII)


# The arrays of the notation (X, Y, w, b, A, x, y): a size named like one would read as it.
_ARRAYS = frozenset(ARRAYS)
# The letters a layer's formulas write its parameters with (S the stride, P the padding, f_1
# a window height, …): a parameter given one of them for another would have a document say
# "S = P, P = 0" of a window P. A parameter may still take its own letter (padding=P).
_LETTERS = frozenset(LETTERS.values()) | frozenset(n for pair in AXIS_LETTERS.values()
                                                   for n in pair)
# Names the LaTeX reader does not read back as a size: a Greek letter before a parenthesis
# (\kappa\left(i-1\right)) is read as a function applied, I as the imaginary unit.
_MISREAD = frozenset(GREEK) | {"I"}


@dataclass(frozen=True)
class Parameter:
    """One knob of a worked problem.

    ``kind`` is ``"size"`` (a positive integer or a symbol name), ``"count"`` (the same, zero
    allowed, as for a padding), ``"number"`` (an exact decimal or fraction such as ``0.299`` or
    ``1/3``) or ``"choice"`` (one of ``choices``). A number's default may be given as text
    (``"0.299"``): it is read as ``--set`` reads it, and a decimal stays a decimal in print.
    A size or count that the derivation needs as a number (``symbolic=False``) refuses symbol
    names. Sizes are bounded by the limit
    ``layer_size``: the checks of a worked problem work entry by entry.
    """

    name: str
    default: Any
    kind: str
    help: str
    choices: tuple[str, ...] = ()
    symbolic: bool = True
    written: str | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self):
        kinds = ("size", "count", "number", "choice")
        if not isinstance(self.kind, str) or self.kind not in kinds:
            raise ParameterError("kind", self.kind, f"must be one of {', '.join(kinds)}")
        if not (isinstance(self.name, str) and self.name.isidentifier()):
            raise ParameterError("name", self.name, "must be an identifier such as k")
        if not isinstance(self.choices, tuple) or not all(isinstance(c, str)
                                                          for c in self.choices):
            raise ParameterError("choices", self.choices, "must be a tuple of words")
        if self.kind == "choice" and not self.choices:
            raise ParameterError("choices", self.choices, "must list the values of a choice")
        if self.kind == "number" and isinstance(self.default, str):
            object.__setattr__(self, "written", self.default)
            object.__setattr__(self, "default", self.parse(self.default))

    @staticmethod
    def number(text: str) -> sp.Rational:
        """The exact rational a decimal or fraction ``text`` names (``"0.299"`` → 299/1000),
        read by the same strict pattern as ``--set`` (never evaluated)."""
        return Parameter("number", 0, "number", "").parse(text)

    def decimal(self, text: str | None) -> bool:
        """Whether this number was written as a decimal: ``text`` as given to ``--set``, or
        the default's text when ``text`` is None."""
        written = self.written if text is None else text
        return self.kind == "number" and written is not None and "." in written

    def parse(self, text: str) -> Any:
        """The value ``text`` names, read by a strict pattern (never evaluated)."""
        text = text.strip()
        if self.kind in ("size", "count"):
            value = size_from_text(self.name, text, nonnegative=self.kind == "count",
                                   bounded=True)
            if self.kind == "size" and value == 0:
                raise ParameterError(self.name, value, "must be a positive integer")
            if not self.symbolic and not isinstance(value, int):
                raise ParameterError(self.name, text, "must be a number here (this problem "
                                     "works with a concrete value)")
            return value
        if self.kind == "number":
            if not _DECIMAL.fullmatch(text):
                raise ParameterError(self.name, text, "must be a number such as 0.299 or 1/3")
            check("integer_digits", self.name, sum(c.isdigit() for c in text))
            if "/" in text and int(text.split("/")[1]) == 0:
                raise ParameterError(self.name, text, "must not divide by zero")
            value = Fraction(text)
            return sp.Rational(value.numerator, value.denominator)
        if text not in self.choices:
            raise ParameterError(self.name, text, f"must be one of {', '.join(self.choices)}")
        return text


@dataclass(frozen=True)
class Problem:
    """A worked problem: ``build(**parameters)`` returns its ``Proof``.

    ``reserved`` names symbols the derivation introduces itself (``q`` in ``m = k·q``): a
    parameter set to one of them, to an index name or to another parameter's symbol would
    silently become that symbol, so it is refused."""

    name: str
    title: str
    build: Callable[..., Proof]
    parameters: tuple[Parameter, ...] = ()
    group: str = "homework"  # `symproof prove` runs the homework; other groups by name
    reserved: tuple[str, ...] = ()
    source: str | None = None  # the user's file it was loaded from (None: a worked problem)

    def __post_init__(self):
        # a problem file builds this: bad fields are its author's error, told in one line
        for field_name in ("name", "title", "group"):
            value = getattr(self, field_name)
            if not isinstance(value, str) or not value.strip():
                raise ParameterError(field_name, value, "must be non-empty text")
        if not callable(self.build):
            raise ParameterError("build", self.build, "must be a function returning a Proof")
        if not isinstance(self.parameters, (tuple, list)) or not all(
                isinstance(p, Parameter) for p in self.parameters):
            raise ParameterError("parameters", self.parameters,
                                 "must be a tuple of symproof.Parameter")
        if not isinstance(self.reserved, (tuple, list)) or not all(
                isinstance(r, str) for r in self.reserved):
            raise ParameterError("reserved", self.reserved, "must be a tuple of names")
        object.__setattr__(self, "parameters", tuple(self.parameters))
        object.__setattr__(self, "reserved", tuple(self.reserved))

    def run(self, settings: dict[str, str] | None = None, **options) -> Proof:
        """Build the proof with ``settings`` (text values, as from ``--set``) applied;
        ``options`` (``use_torch``) go to a ``build`` that takes them, and asking for one it
        does not take is an error, not a silent no-op."""
        known = {p.name: p for p in self.parameters}
        values = {}
        for name, text in (settings or {}).items():
            if name not in known:
                allowed = ", ".join(known) or "none"
                raise ParameterError("--set", f"{name}={text}",
                                     f"must name a parameter of {self.name} ({allowed})")
            values[name] = known[name].parse(text)
        effective = {p.name: values.get(p.name, p.default) for p in self.parameters}
        self._check_names(effective, set(values))
        options = self._options(options)
        decimals = self._decimals(effective, settings or {})
        with written_as_decimals(decimals):  # what the build writes (figures) writes them so
            proof = (self.build(**values, **options) if self.source is None else
                     self._run_users(values, effective, options))
        proof.mark_decimals(decimals)  # its own decimals too, now on each step
        return proof

    def _decimals(self, effective: dict[str, Any], settings: dict[str, str]) -> frozenset:
        """The numbers among the parameters that were written as decimals (``--set r=0.3``, or
        a default written ``"0.299"``): every rendering of the proof prints them so."""
        return frozenset(effective[p.name] for p in self.parameters
                         if p.decimal(settings.get(p.name)))

    def _run_users(self, values: dict, effective: dict, options: dict) -> Proof:
        try:  # a user's own code: its failure is reported as theirs, in one line
            proof = self.build(**values, **options)
        except SymproofError:
            raise
        except (Exception, SystemExit) as error:
            raise ProblemFileError(f"{self.name} (from {self.source}) failed: "
                                   f"{_located(error, self.source)}") from None
        if not isinstance(proof, Proof):
            raise ProblemFileError(f"{self.name} (from {self.source}): build returned "
                                   f"{type(proof).__name__}, not a Proof (return "
                                   "Derivation(...).proof() or a Proof)")
        if not proof.parameters:  # what --set changed, shown and exported as for ours
            proof.parameters = effective
        return proof

    def _options(self, options: dict) -> dict:
        try:
            accepted = inspect.signature(self.build).parameters
        except (TypeError, ValueError):
            return options
        if any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
            return options
        for name, value in options.items():
            if value and name not in accepted:
                flag = "--torch" if name == "use_torch" else name
                raise ParameterError(flag, self.name, f"needs a problem whose build takes "
                                     f"{name} (its build takes "
                                     f"{', '.join(accepted) or 'nothing'})")
        return {n: v for n, v in options.items() if n in accepted}

    def _check_names(self, values: dict[str, Any], given: set[str]) -> None:
        for name in given:
            for symbol in getattr(values[name], "free_symbols", ()):
                others = [other for other, value in values.items() if other != name
                          and symbol.name in {s.name for s in getattr(value, "free_symbols", ())}]
                taken = ("an index of the formulas" if symbol.name in RESERVED else
                         "an array of the formulas" if symbol.name in _ARRAYS else
                         f"a symbol {self.name} introduces" if symbol.name in self.reserved
                         else f"parameter {others[0]}" if others else
                         "another parameter's letter in the layer's formulas"
                         if symbol.name in _LETTERS - {name, LETTERS.get(name)} else
                         "a function or constant to the LaTeX reader (a document would not "
                         "read back)" if symbol.name in _MISREAD else None)
                if taken:
                    raise ParameterError(name, symbol.name, f"must be a number or a fresh "
                                         f"symbol name: {symbol.name} is already {taken}")


# The package the folder proofs/ is installed as (and mapped to by an editable install).
_WORKED = "symproof.worked"


def worked_folder() -> Path:
    """The folder of the worked problems: where the package ``symproof.worked`` lives once
    installed (for an editable install, the repository's ``proofs/``); in a source tree that
    is not installed, the ``proofs/`` beside ``symproof/``. Found, not imported."""
    spec = importlib.util.find_spec(_WORKED)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parent.parent / "proofs"


@cache
def problems() -> dict[str, Problem]:
    """Every ``PROBLEM`` (and ``PROBLEMS``) of the worked problems' modules, by name: each
    ``*.py`` of :func:`worked_folder` whose name does not start with ``_``, loaded once."""
    folder = worked_folder()
    if not folder.is_dir():
        raise ProblemFileError(f"the worked problems are missing: no folder {folder} "
                               "(reinstall symproof)")
    found: dict[str, Problem] = {}
    for path in sorted(folder.glob("[!_]*.py")):
        for problem in _problems_in(_load(path, f"{_WORKED}.{path.stem}"), path):
            if problem.name in found:
                raise ProblemFileError(f"{path}: the name {problem.name} is taken by another "
                                       "worked problem")
            found[problem.name] = problem
    return dict(sorted(found.items()))


def groups() -> dict[str, list[Problem]]:
    """Problems by group (``homework``, ``dv``, …)."""
    out: dict[str, list[Problem]] = {}
    for problem in problems().values():
        out.setdefault(problem.group, []).append(problem)
    return out


def select(names: list[str]) -> list[Problem]:
    """Problems named, whole groups named, or the problems of a user's file (a name ending in
    ``.py`` or holding a ``/``); the homework when ``names`` is empty."""
    if not names:
        return groups()["homework"]
    chosen = []
    for name in names:
        if is_problem_file(name):
            chosen += from_file(name)
        else:
            chosen += groups().get(name.lower(), None) or [get(name)]
    return chosen


def is_problem_file(name: str) -> bool:
    """Whether a name given to ``symproof prove`` names a user's file rather than a problem."""
    return name.endswith(".py") or "/" in name or os.sep in name


def from_file(path: str | os.PathLike) -> list[Problem]:
    """The problems a user's module defines (``PROBLEM``, and/or a list ``PROBLEMS``), the way
    the worked problems do, loaded by the same loader.

    The file is run as Python, exactly as ``python path`` would run it: it is the user's own
    code, like a script, not a document (documents are never run). Its folder is importable
    while it loads, so it may import its neighbours. It is run afresh at every call, as a
    module of its own name, so it never replaces a worked problem's module.
    """
    path = Path(path)
    if path.suffix != ".py":
        raise ParameterError("the problem file", str(path), "must be a .py module")
    name = f"symproof_problem_{abs(hash(str(path.resolve())))}"
    found = _problems_in(_load(path, name, users=True), path)
    taken = set(problems())
    for problem in found:
        if problem.name.lower() in taken:
            raise ProblemFileError(f"{path}: the name {problem.name} is taken (a worked "
                                   "problem's, or another in the file); choose another")
        taken.add(problem.name.lower())
    return [replace(p, source=str(path)) for p in found]


def _load(path: Path, name: str, *, users: bool = False) -> types.ModuleType:
    """The module ``name`` run from the file ``path``, as ``python path`` would run it, and
    kept in ``sys.modules``; any failure is one line naming the file (and the line). A worked
    module is loaded once (one already loaded under ``name`` is returned as it is), from the
    bytecode import caches; a user's file (``users``) is read through the bounded reader and
    run afresh at every call."""
    if not users and name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    try:
        if users:
            source = read_bytes(path, what="problem file", regular_only=True)
            code = compile(source, str(path), "exec", dont_inherit=True)
        else:
            code = spec.loader.get_code(name)
    except SyntaxError as error:
        raise ProblemFileError(f"{path}: line {error.lineno}: {error.msg}") from None
    except ValueError as error:  # null bytes
        raise ProblemFileError(f"{path}: not Python source ({error})") from None
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    sys.modules[name] = module  # as import does: the module can be found while it runs
    try:
        exec(code, module.__dict__)  # noqa: S102 - a problem's module, run as python would
    except SymproofError as error:
        sys.modules.pop(name, None)
        raise ProblemFileError(f"{path}: {error}") from None
    except (Exception, SystemExit) as error:  # sys.exit() in a problem file is a failure too
        sys.modules.pop(name, None)
        raise ProblemFileError(f"{path} failed while loading: {_located(error, path)}") from None
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return module


def _problems_in(module: types.ModuleType, path: Path) -> list[Problem]:
    """The problems ``module`` (loaded from ``path``) defines: ``PROBLEM`` and ``PROBLEMS``."""
    listed = getattr(module, "PROBLEMS", [])
    if not isinstance(listed, (list, tuple)):
        raise ProblemFileError(f"{path}: PROBLEMS must be a list of symproof.Problem, "
                               f"not {type(listed).__name__}")
    found = [p for p in (getattr(module, "PROBLEM", None), *listed) if p is not None]
    for problem in found:
        if not isinstance(problem, Problem):
            raise ProblemFileError(f"{path}: {type(problem).__name__} is not a "
                                   "symproof.Problem")
    if not found:
        raise ProblemFileError(f"{path} defines no PROBLEM (a symproof.Problem, e.g. "
                               "PROBLEM = Problem('name', 'title', build))")
    return found


def _located(error: BaseException, source) -> str:
    """``Type: message (line n)`` with the deepest line of ``source`` in the traceback."""

    line = next((frame.lineno for frame in reversed(traceback.extract_tb(error.__traceback__))
                 if frame.filename == str(source)), None)
    where = f" (line {line})" if line else ""
    return f"{type(error).__name__}: {error}{where}"


def get(name: str) -> Problem:
    """The problem called ``name``, or an error listing the known ones."""
    known = problems()
    if name.lower() not in known:
        raise ParameterError("proof", name, f"must be one of {', '.join(known)} "
                             f"(or a group: {', '.join(groups())})")
    return known[name.lower()]
