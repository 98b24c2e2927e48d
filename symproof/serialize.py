"""A safe, JSON-friendly form of SymPy expressions: a tree of class names and arguments,
rebuilt only from a fixed whitelist of classes (never by ``eval`` or ``sympify`` of text).

>>> from symproof import symbols
>>> from symproof.notation import X, i
>>> k = symbols("k")
>>> tree = to_tree(sp.floor(X[1, i + 1] / k))
>>> from_tree(tree) == sp.floor(X[1, i + 1] / k)
True

Trees come from snapshot files, which are untrusted input (a repository, a pull request), so
:func:`from_tree` checks every node against a strict schema and refuses anything else with
one :class:`~symproof.errors.SnapshotError` that says where and which rule was broken:

>>> from_tree(["floor", [["str", "__import__('os')"]]])
Traceback (most recent call last):
...
symproof.errors.SnapshotError: tree[1][0] (argument 1 of floor): a 'str' node is plain text, \
which may appear only inside a 'tuple' or 'dict' node, never as an argument of a SymPy class

The schema (every node is a JSON array whose first element names its kind):

* ``["Integer", "<ASCII digits, optional leading ->"]``; ``["Rational", p, q]`` (two such
  digit strings, ``q ≠ 0``); ``["Float", "<decimal literal such as -1.5e-20>"]``; digit counts
  are checked against the ``integer_digits`` limit before any conversion.
* ``["Symbol", name, {assumption: true|false}]`` (assumption names from SymPy's fixed list)
  and ``["Str", name]``: a name is 1-100 letters, digits, marks and ``_ , - + / [ ] { } ^ ∂``,
  then optional primes ``'``: no spaces, quotes, parentheses or dots, so that no printer
  can ever turn a name into code.
* ``["Function", name, [args]]``, an undefined function such as ``sigma'``: the name is a
  Python identifier followed by optional primes, neither a keyword, nor a built-in such as
  ``eval``, nor starting with ``_``.
* ``["const", name]`` for ``true false oo -oo nan zoo pi E I``.
* ``[ClassName, [args]]`` for the classes of :data:`CLASSES`: every argument is itself a
  SymPy node (never text, a tuple or a dict) of the kind that class takes (a scalar, a
  condition, a matrix, a summation limit ``(i, a, b)``...).
* ``["tuple", [values]]``, ``["dict", [[key, value], ...]]`` and ``["str", text]``: plain Python
  containers and text, as in results such as ``solve_for(...).as_data()``.

The tree's depth (``nesting_depth``), node count (``expression_nodes``) and the size of every
number it denotes (``integer_digits``, ``expanded_terms``, via
:func:`symproof.limits.check_expression`) are checked
*before* any SymPy constructor that could evaluate runs: a stored ``2^(10^(10^6))`` or
``exp(exp(100))`` is refused at once, never computed. A tree is rebuilt as stored, unevaluated
(``evaluate=False``): what :func:`to_tree` wrote from an evaluated value comes back identical,
and a hand-written ``2^(10^2)`` stays as written, for the comparison to evaluate.
"""

from __future__ import annotations

import builtins
import keyword
import re
import reprlib
import unicodedata
from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import Boolean
from sympy.matrices.expressions.matexpr import MatrixExpr

from . import limits
from .errors import ParameterError, SnapshotError, SymproofError
from .reductions import MaxOver

__all__ = ["to_tree", "from_tree", "CLASSES"]

#: The SymPy classes a tree may name, by class name (``Eq`` is ``Equality``, ``Lt`` is
#: ``StrictLessThan``...). Nothing outside this table is ever constructed.
CLASSES: dict[str, type] = {cls.__name__: cls for cls in (
    sp.Add, sp.Mul, sp.Pow, sp.Sum, sp.Indexed, sp.IndexedBase, sp.Tuple, sp.floor, sp.ceiling,
    sp.Max, sp.Min, sp.Abs, sp.Piecewise, sp.KroneckerDelta, sp.Eq, sp.Ne, sp.Lt, sp.Le, sp.Gt,
    sp.Ge, sp.And, sp.Or, sp.Not, sp.exp, sp.log, sp.tanh, sp.Heaviside, sp.Mod,
    sp.ImmutableDenseMatrix, sp.MatrixSymbol, sp.Transpose, sp.MatMul, sp.MatAdd,
    sp.Derivative, sp.Lambda, sp.Dummy, MaxOver, ExprCondPair,
    sp.core.containers.Dict,
)}
_CONSTANTS = {"true": sp.true, "false": sp.false, "oo": sp.oo, "-oo": -sp.oo, "nan": sp.nan,
              "pi": sp.pi, "E": sp.E, "I": sp.I, "zoo": sp.zoo}
# SymPy's assumption names (sympy.core.assumptions): the only keys a Symbol node may carry.
_ASSUMPTIONS = frozenset((
    "algebraic", "antihermitian", "commutative", "complex", "composite", "even",
    "extended_negative", "extended_nonnegative", "extended_nonpositive", "extended_nonzero",
    "extended_positive", "extended_real", "finite", "hermitian", "imaginary", "infinite",
    "integer", "irrational", "negative", "noninteger", "nonnegative", "nonpositive", "nonzero",
    "odd", "polar", "positive", "prime", "rational", "real", "transcendental", "zero"))
# What to_tree writes for a Symbol when these suffice to rebuild it exactly (the usual case).
_SHORT_ASSUMPTIONS = ("integer", "positive", "nonnegative", "real")


# --- writing ---------------------------------------------------------------------------------

def to_tree(expr: Any) -> Any:
    """``expr`` as nested lists of strings (JSON-serialisable), in the schema :func:`from_tree`
    reads. Python tuples, lists and dicts become ``tuple``/``dict`` nodes, text a ``str`` node.
    """
    if isinstance(expr, dict):
        return ["dict", [[to_tree(k), to_tree(v)] for k, v in expr.items()]]
    if isinstance(expr, (list, tuple)) and not isinstance(expr, sp.Basic):
        return ["tuple", [to_tree(v) for v in expr]]
    if isinstance(expr, str):
        return ["str", expr]
    if isinstance(expr, bool):
        return ["const", "true" if expr else "false"]
    if isinstance(expr, int):
        return ["Integer", str(expr)]
    if isinstance(expr, sp.MatrixBase) and not isinstance(expr, sp.Basic):
        expr = sp.ImmutableDenseMatrix(expr)  # a mutable Matrix is stored as its value
    if not isinstance(expr, sp.Basic):
        raise ParameterError("value", expr, "must be a SymPy expression, a tuple or a dict")
    for name, constant in _CONSTANTS.items():
        if expr == constant and (expr.is_number or expr in (sp.true, sp.false)):
            return ["const", name]
    if isinstance(expr, sp.Integer):
        return ["Integer", str(int(expr))]
    if isinstance(expr, sp.Rational):
        return ["Rational", str(expr.p), str(expr.q)]
    if isinstance(expr, sp.Float):
        return ["Float", str(expr)]
    if isinstance(expr, sp.Symbol) and not isinstance(expr, sp.Dummy):
        return ["Symbol", expr.name, _assumptions_of(expr)]
    if isinstance(expr, sp.core.symbol.Str):
        return ["Str", expr.name]
    if isinstance(expr, AppliedUndef):
        return ["Function", expr.func.__name__, [to_tree(a) for a in expr.args]]
    name = type(expr).__name__
    if name not in CLASSES:
        raise ParameterError("value", expr, f"uses {name}, which snapshots do not store")
    args = [to_tree(a) for a in expr.args]
    if isinstance(expr, (sp.Max, sp.Min)):
        # a set of arguments, which SymPy orders by a key on which y and a positive y tie (then
        # by hash): one order of their own, so that storing is a fixed point in any process
        args.sort(key=repr)
    return [name, args]


def _assumptions_of(symbol: sp.Symbol) -> dict[str, bool]:
    """The assumptions to store: the four symproof uses when they rebuild ``symbol`` exactly,
    else all of them (e.g. ``commutative=False`` or ``even=True`` must not be lost)."""
    known = {k: v for k, v in symbol.assumptions0.items() if k in _ASSUMPTIONS}
    short = {k: v for k, v in known.items() if k in _SHORT_ASSUMPTIONS}
    return short if sp.Symbol(symbol.name, **short) == symbol else known


# --- reading: the schema ---------------------------------------------------------------------

_LEAVES = {"str": 2, "const": 2, "Integer": 2, "Rational": 3, "Float": 2, "Symbol": 3, "Str": 2}
_CONTAINERS = ("tuple", "dict")
_INTEGER = re.compile(r"-?[0-9]+")
# A decimal literal as str(Float) writes it: no inf/nan, ASCII digits only, a short exponent.
_FLOAT = re.compile(r"-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?")
_EXPONENT_DIGITS = 6  # 1e999999 already has far more digits than any limit allows
_NAME_PUNCTUATION = frozenset("_,-+/[]{}^∂")
_NAME_CHARS = 100
_BUILTINS = frozenset(dir(builtins))
_SHOW = reprlib.Repr()
_SHOW.maxstring, _SHOW.maxother, _SHOW.maxlist, _SHOW.maxdict, _SHOW.maxlevel = 60, 60, 4, 4, 3


def _shown(value: Any) -> str:
    """``value`` for a one-line message, however long or deep it is."""
    return _SHOW.repr(value)


def _symbol_name_problem(name: Any) -> str | None:
    """Why ``name`` may not name a Symbol or Str, or None when it may."""
    if not isinstance(name, str):
        return f"must be a JSON string, got {_shown(name)}"
    body = name.rstrip("'")
    if not body or len(name) > _NAME_CHARS:
        return f"must have 1 to {_NAME_CHARS} characters (then optional primes), got {_shown(name)}"
    for c in body:
        if c not in _NAME_PUNCTUATION and unicodedata.category(c)[0] not in "LMN":
            return (f"may hold only letters, digits, primes at the end and _ , - + / [ ] {{ }} ^ ∂"
                    f", got {c!r} in {_shown(name)}")
    return None


def _function_name_problem(name: Any) -> str | None:
    """Why ``name`` may not name an undefined function, or None when it may. Built-ins and
    ``_`` names are refused too: were such a function ever printed as code (``lambdify``),
    ``eval(...)`` or ``__import__(...)`` must not be what runs."""
    if not isinstance(name, str):
        return f"must be a JSON string, got {_shown(name)}"
    base = name.rstrip("'")
    if not (base.isidentifier() and len(name) <= _NAME_CHARS):
        return (f"must be an identifier (letters, digits, _) followed by optional primes ', "
                f"got {_shown(name)}")
    plain = unicodedata.normalize("NFKC", base)  # how Python itself would read the identifier
    if keyword.iskeyword(plain) or plain in _BUILTINS or plain.startswith("_"):
        return f"must not be a Python keyword, a built-in or start with _, got {_shown(name)}"
    return None


def _digits(text: Any, what: str, place: Callable[[], str]) -> int:
    """The integer that ASCII digit string ``text`` writes; its length is checked first."""
    if not (isinstance(text, str) and _INTEGER.fullmatch(text)):
        raise SnapshotError(f"{place()}: {what} must be a JSON string of ASCII digits with an "
                            f"optional leading -, got {_shown(text)}")
    digits = len(text.lstrip("-"))
    if digits > limits.current().integer_digits:  # the place is spelled out only for an error
        limits.check("integer_digits", f"{place()}: {what}", digits)
    try:
        return int(text)
    except ValueError as why:  # Python's own cap on converting very long digit strings
        raise SnapshotError(f"{place()}: {what} cannot be converted: {why}") from None


# Argument kinds: a letter per kind, with the test and how a message names it.
def _is_matrix(a: Any) -> bool:
    return isinstance(a, (sp.MatrixBase, MatrixExpr))


def _is_scalar(a: Any) -> bool:
    return isinstance(a, sp.Expr) and not _is_matrix(a)


def _is_limit(a: Any) -> bool:
    if not isinstance(a, sp.Tuple) or len(a) not in (1, 3) or not isinstance(a[0], sp.Symbol):
        return False
    return all(_is_scalar(bound) for bound in a.args[1:])


def _is_variable_count(a: Any) -> bool:
    return (isinstance(a, sp.Tuple) and len(a) == 2
            and isinstance(a[0], (sp.Symbol, sp.Indexed, AppliedUndef, sp.MatrixSymbol))
            and isinstance(a[1], sp.Integer) and int(a[1]) >= 1)


_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "A": (lambda a: isinstance(a, sp.Basic), "a SymPy object"),
    "S": (_is_scalar, "a scalar expression"),
    "B": (lambda a: isinstance(a, Boolean), "a condition (a relation, And/Or/Not, true/false)"),
    "M": (_is_matrix, "a matrix"),
    "X": (lambda a: isinstance(a, sp.Expr), "a scalar or a matrix"),
    "L": (_is_limit, "a limit Tuple (i, low, high) of a symbol and two scalars"),
    "I": (lambda a: isinstance(a, sp.IndexedBase), "an IndexedBase"),
    "Y": (lambda a: isinstance(a, sp.Symbol), "a Symbol"),
    "T": (lambda a: isinstance(a, sp.Tuple) and all(map(_is_scalar, a.args)),
          "a Tuple of scalars"),
    "R": (lambda a: isinstance(a, sp.Tuple) and len(a) == 2 and all(map(_is_scalar, a.args)),
          "a Tuple of two scalars"),
    "C": (lambda a: isinstance(a, ExprCondPair), "an ExprCondPair"),
    "N": (lambda a: isinstance(a, sp.core.symbol.Str), "a Str"),
    "D": (_is_variable_count, "a Tuple (variable, count) with an Integer count ≥ 1"),
    "G": (lambda a: isinstance(a, sp.Tuple) and all(isinstance(s, sp.Symbol) for s in a.args),
          "a Tuple of Symbols"),
    "P": (lambda a: isinstance(a, sp.Tuple) and len(a) == 2, "a Tuple (key, value)"),
}

# For each class: the kinds of its leading arguments, of optional ones after them, and of any
# number of further ones (None: no more). "SS", "", "S" reads "two or more scalars".
_SIGNATURES: dict[str, tuple[str, str, str | None]] = {
    "Add": ("SS", "", "S"), "Mul": ("SS", "", "S"), "Pow": ("SS", "", None),
    "Sum": ("SL", "", "L"), "MaxOver": ("SL", "", "L"),
    "Indexed": ("IS", "", "S"), "IndexedBase": ("Y", "T", None), "Tuple": ("", "", "A"),
    "floor": ("S", "", None), "ceiling": ("S", "", None), "Abs": ("S", "", None),
    "exp": ("S", "", None), "log": ("S", "", None), "tanh": ("S", "", None),
    "Max": ("SS", "", "S"), "Min": ("SS", "", "S"),
    "Piecewise": ("C", "", "C"), "ExprCondPair": ("AB", "", None),
    "KroneckerDelta": ("SS", "R", None),
    "Equality": ("AA", "", None), "Unequality": ("AA", "", None),
    "StrictLessThan": ("SS", "", None), "LessThan": ("SS", "", None),
    "StrictGreaterThan": ("SS", "", None), "GreaterThan": ("SS", "", None),
    "And": ("BB", "", "B"), "Or": ("BB", "", "B"), "Not": ("B", "", None),
    "Heaviside": ("S", "S", None), "Mod": ("SS", "", None),
    "ImmutableDenseMatrix": ("SST", "", None), "MatrixSymbol": ("NSS", "", None),
    "Transpose": ("M", "", None), "MatMul": ("XX", "", "X"), "MatAdd": ("MM", "", "M"),
    "Derivative": ("XD", "", "D"), "Lambda": ("GA", "", None), "Dummy": ("", "", None),
    "Dict": ("", "", "P"),
}

# Classes whose constructor takes evaluate=False: nothing is computed while rebuilding.
_UNEVALUATED = frozenset((
    "Add", "Mul", "Pow", "floor", "ceiling", "Abs", "exp", "log", "tanh", "Max", "Min",
    "Piecewise", "KroneckerDelta", "Equality", "Unequality", "StrictLessThan", "LessThan",
    "StrictGreaterThan", "GreaterThan", "Not", "Heaviside", "Mod", "MatMul", "MatAdd",
    "Derivative", "Function"))


def _signature_problem(kind: str, args: list) -> str | None:
    """Why ``args`` do not fit class ``kind``, or None when they do."""
    fixed, optional, rest = _SIGNATURES[kind]
    most = None if rest is not None else len(fixed) + len(optional)
    if len(args) < len(fixed) or (most is not None and len(args) > most):
        wanted = (f"{len(fixed)} or more" if most is None else
                  f"{len(fixed)}" if most == len(fixed) else f"{len(fixed)} to {most}")
        return f"{kind} takes {wanted} arguments, got {len(args)}"
    for n, arg in enumerate(args):
        letter = (fixed + optional)[n] if n < len(fixed) + len(optional) else rest
        test, description = _KINDS[letter]
        if not test(arg):
            return (f"argument {n + 1} of {kind} must be {description}, got "
                    f"{type(arg).__name__}")
    return _special_problem(kind, args)


def _special_problem(kind: str, args: list) -> str | None:
    """Rules beyond argument kinds, for the classes whose constructor would otherwise build
    something huge or inconsistent."""
    if kind == "ImmutableDenseMatrix":
        rows, cols, entries = args
        if not (isinstance(rows, sp.Integer) and isinstance(cols, sp.Integer)
                and int(rows) >= 0 and int(cols) >= 0 and int(rows) * int(cols) == len(entries)):
            return ("ImmutableDenseMatrix takes Integer rows ≥ 0, Integer columns ≥ 0 and a "
                    "Tuple of rows × columns entries")
    if kind == "MatMul":
        scalars = sum(not _is_matrix(a) for a in args)
        if scalars > 1 or scalars == len(args):
            return "MatMul takes matrices and at most one scalar factor"
    return None


def _check_sizes(kind: str, args: list, place: Callable[[], str]) -> None:
    """Sizes that a class implies beyond the numbers in it: a concrete matrix symbol's entries
    and a derivative's order, each bounded by the ``expanded_terms`` limit."""
    if kind == "MatrixSymbol":
        rows, cols = args[1], args[2]
        if isinstance(rows, sp.Integer) and isinstance(cols, sp.Integer):
            if int(rows) < 0 or int(cols) < 0:
                raise SnapshotError(f"{place()}: a MatrixSymbol's dimensions must be ≥ 0")
            entries = int(rows) * int(cols)
            if entries > limits.current().expanded_terms:
                raise limits.refusal("expanded_terms", f"{place()}: a MatrixSymbol", entries,
                                     "entries")
    if kind == "Derivative":
        order = sum(int(pair[1]) for pair in args[1:])
        if order > limits.current().expanded_terms:
            raise limits.refusal("expanded_terms", f"{place()}: a derivative of order {order:,}",
                                 order, "steps")


# --- reading: the walk -----------------------------------------------------------------------

# A place in the tree, kept as a linked list so that a path is only spelled out for an error:
# (parent place, JSON indices from the parent, what the node is to its parent).
_Place = tuple


def _spell(where: str, place: _Place | None) -> str:
    indices: list[int] = []
    role = ""
    node = place
    while node is not None:
        parent, steps, what = node
        role = role or what
        indices[:0] = steps
        node = parent
    if len(indices) > 24:  # a deep place: its start and its end say enough
        path = "".join(f"[{n}]" for n in indices[:8]) + f"…({len(indices) - 16} more)…" + \
            "".join(f"[{n}]" for n in indices[-8:])
    else:
        path = "".join(f"[{n}]" for n in indices)
    return where + path + (f" ({role})" if role else "")


def _build_skeleton(kind: str, cls: type, args: list) -> sp.Basic:
    """An inert stand-in for measuring: the class and arguments, no constructor logic at all.
    A matrix and a Dummy need their real constructors, which merely store what they get.
    Never a cached constructor (a Function application is one): SymPy's cache would hand
    the skeleton back to the real pass, and to everyone else, as an equal object."""
    if kind in ("ImmutableDenseMatrix", "Dummy"):
        return _build_real(kind, cls, args)
    return sp.Basic.__new__(cls, *args)


def _build_real(kind: str, cls: type, args: list) -> sp.Basic:
    if kind == "ImmutableDenseMatrix":
        return cls(int(args[0]), int(args[1]), list(args[2].args))
    if kind in _UNEVALUATED:
        return cls(*args, evaluate=False)
    return cls(*args)


def from_tree(tree: Any, where: str = "tree") -> Any:
    """Rebuild what :func:`to_tree` wrote, from whitelisted classes only, after checking the
    whole tree against the schema and the resource limits (see the module docstring).

    A tree that does not conform raises :class:`~symproof.errors.SnapshotError`, one over a
    limit :class:`~symproof.errors.TooLargeError`; both messages start with ``where`` and the
    path of the offending node (``tree[1][0]``). Nothing else escapes, whatever ``tree`` is.

    >>> from_tree(["Pow", [["Integer", "2"], ["Pow", [["Integer", "10"], ["Integer", "9999"]]]]])
    Traceback (most recent call last):
    ...
    symproof.errors.TooLargeError: tree (a number in it) has ... digits, over the limit ...
    """
    # Pass 1 checks the schema and builds an inert skeleton (no SymPy constructor logic runs,
    # so nothing can evaluate); check_expression measures it. Only then does pass 2 build the
    # real objects, whose constructors may evaluate a little (And, Sum, MatMul...) but now only
    # on numbers known to be small.
    skeleton = _walk(tree, where, _build_skeleton)
    for value in _sympy_values(skeleton):
        try:
            limits.check_expression(value, where)
        except SymproofError:
            raise
        except Exception as why:  # pragma: no cover - a skeleton check_expression cannot read
            raise SnapshotError(f"{where}: cannot be measured ({type(why).__name__}: "
                                f"{_shown(str(why))})") from None
    return _walk(tree, where, _build_real)


def _sympy_values(value: Any) -> list[sp.Basic]:
    """The SymPy objects in ``value`` and in the tuples and dicts around them."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, sp.Basic):
            found.append(item)
        elif isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
    return found


def _walk(tree: Any, where: str, build: Callable[[str, type, list], sp.Basic]) -> Any:
    """Check ``tree`` node by node and rebuild it bottom-up with ``build`` for class nodes.
    Iterative (an explicit stack), so a deep tree cannot exhaust Python's recursion; depth and
    node count are checked as nodes are reached, before their children are looked at."""
    bounds = limits.current()
    result: list[Any] = [None]
    # Tasks: ("visit", node, place, depth, in_sympy, out list, out index)
    #        ("build", node, place, kind, children list, out list, out index)
    tasks: list[tuple] = [("visit", tree, None, 1, False, result, 0)]
    nodes = 0
    while tasks:
        task = tasks.pop()
        if task[0] == "build":
            _, node, place, kind, children, out, slot = task
            out[slot] = _finish(node, place, kind, children, where, build)
            continue
        _, node, place, depth, in_sympy, out, slot = task
        nodes += 1
        if nodes > bounds.expression_nodes:
            limits.check("expression_nodes", f"{where} (nodes)", nodes)
        if depth > bounds.nesting_depth:
            limits.check("nesting_depth", f"{_spell(where, place)} (depth)", depth)
        kind = _kind(node, place, where, in_sympy)
        children = _children(node, kind, place, where)
        if children is None:  # a leaf
            out[slot] = _leaf(node, kind, place, where)
            continue
        values: list[Any] = [None] * len(children)
        tasks.append(("build", node, place, kind, values, out, slot))
        for n in reversed(range(len(children))):
            child, child_place = children[n]
            tasks.append(("visit", child, child_place, depth + 1, kind not in _CONTAINERS,
                          values, n))
    return result[0]


def _kind(node: Any, place: _Place | None, where: str, in_sympy: bool) -> str:
    """The kind of ``node``, checked to be one snapshots may hold at this place."""
    def fail(rule: str) -> SnapshotError:
        return SnapshotError(f"{_spell(where, place)}: {rule}")

    if not (isinstance(node, list) and node and isinstance(node[0], str)):
        raise fail(f"a node must be a JSON array [kind, ...] whose first element is a string, "
                   f"got {_shown(node)}")
    kind = node[0]
    if kind not in _LEAVES and kind not in _CONTAINERS and kind not in CLASSES \
            and kind != "Function":
        raise fail(f"{_shown(kind)} is not a kind of node snapshots may rebuild (the kinds are "
                   "str, tuple, dict, const, Integer, Rational, Float, Symbol, Str, Function "
                   "and the whitelisted SymPy classes)")
    if in_sympy and (kind == "str" or kind in _CONTAINERS):
        raise fail(f"a {kind!r} node is plain "
                   f"{'text' if kind == 'str' else 'Python data'}, which may appear only "
                   "inside a 'tuple' or 'dict' node, never as an argument of a SymPy class")
    return kind


def _children(node: list, kind: str, place: _Place | None,
              where: str) -> list[tuple[Any, _Place]] | None:
    """The child nodes of ``node`` with their places; None for a leaf. Checks the node's
    own shape (how many elements, which are arrays)."""
    def fail(rule: str) -> SnapshotError:
        return SnapshotError(f"{_spell(where, place)}: {rule}")

    if kind in _LEAVES:
        if len(node) != _LEAVES[kind]:
            raise fail(f"a {kind!r} node has {_LEAVES[kind]} elements, got {len(node)}")
        return None
    size = 3 if kind == "Function" else 2
    if kind == "Function":  # the name first: nothing under a bad name is looked at
        problem = _function_name_problem(node[1] if len(node) > 1 else None)
        if problem:
            raise fail(f"a Function's name {problem}")
    if len(node) != size or not isinstance(node[-1], list):
        shape = ('["Function", name, [arguments]]' if kind == "Function" else
                 f'["{kind}", [[key, value], ...]]' if kind == "dict" else
                 f'["{kind}", [items]]' if kind == "tuple" else f'["{kind}", [arguments]]')
        raise fail(f"a {kind!r} node must be {shape}")
    items = node[-1]
    if kind == "dict":
        children = []
        for n, pair in enumerate(items):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise fail(f"entry {n + 1} of a dict must be a [key, value] array, got "
                           f"{_shown(pair)}")
            children.append((pair[0], (place, (1, n, 0), f"key {n + 1} of a dict")))
            children.append((pair[1], (place, (1, n, 1), f"value {n + 1} of a dict")))
        return children
    if kind == "tuple":
        return [(item, (place, (1, n), f"item {n + 1} of a tuple"))
                for n, item in enumerate(items)]
    owner = f"function {node[1]}" if kind == "Function" else kind
    return [(item, (place, (size - 1, n), f"argument {n + 1} of {owner}"))
            for n, item in enumerate(items)]


def _leaf(node: list, kind: str, place: _Place | None, where: str) -> Any:
    def spelled() -> str:
        return _spell(where, place)

    def fail(rule: str) -> SnapshotError:
        return SnapshotError(f"{spelled()}: {rule}")

    if kind == "str":
        if not isinstance(node[1], str):
            raise fail(f"a 'str' node holds a JSON string, got {_shown(node[1])}")
        return node[1]
    if kind == "const":
        if not (isinstance(node[1], str) and node[1] in _CONSTANTS):
            raise fail(f"a 'const' node names one of {', '.join(_CONSTANTS)}, got "
                       f"{_shown(node[1])}")
        return _CONSTANTS[node[1]]
    if kind == "Integer":
        return sp.Integer(_digits(node[1], "an Integer", spelled))
    if kind == "Rational":
        p = _digits(node[1], "a Rational's numerator", spelled)
        q = _digits(node[2], "a Rational's denominator", spelled)
        if q == 0:
            raise fail("a Rational's denominator must not be 0")
        return sp.Rational(p, q)
    if kind == "Float":
        text = node[1]
        if not (isinstance(text, str) and _FLOAT.fullmatch(text)):
            raise fail(f"a Float is a JSON string such as \"-1.5e-20\" (ASCII digits, no inf or "
                       f"nan), got {_shown(text)}")
        mantissa, _, exponent = text.lower().partition("e")
        digits = sum(c.isdigit() for c in mantissa)
        if digits > limits.current().integer_digits:
            limits.check("integer_digits", f"{spelled()}: a Float", digits)
        sign, power = exponent[:1] if exponent[:1] in "+-" else "", exponent.lstrip("+-")
        power = power.lstrip("0") or ("0" if power else "")
        if len(power) > _EXPONENT_DIGITS:  # its size, without converting the exponent
            raise limits.refusal("integer_digits", f"{spelled()}: a Float", 10 ** min(
                len(power) - 1, 31), "digits (at least)")
        try:
            return sp.Float(f"{mantissa}e{sign}{power}" if power else mantissa)
        except Exception as why:  # pragma: no cover - the text was checked to be a literal
            raise fail(f"SymPy refuses the Float {_shown(text)} ({type(why).__name__})") from None
    name = node[1]
    problem = _symbol_name_problem(name)
    if problem:
        raise fail(f"a {kind}'s name {problem}")
    if kind == "Str":
        return sp.core.symbol.Str(name)
    assumptions = node[2]
    if not isinstance(assumptions, dict):
        raise fail(f"a Symbol's assumptions must be a JSON object, got {_shown(assumptions)}")
    for key, value in assumptions.items():
        if key not in _ASSUMPTIONS:
            raise fail(f"{_shown(key)} is not a SymPy assumption (such as integer, positive)")
        if not isinstance(value, bool):
            raise fail(f"the assumption {key} must be true or false, got {_shown(value)}")
    try:
        return sp.Symbol(name, **assumptions)
    except Exception as why:  # InconsistentAssumptions, e.g. positive and not real
        raise fail(f"the assumptions of the Symbol {name!r} contradict each other "
                   f"({type(why).__name__})") from None


def _finish(node: list, place: _Place | None, kind: str, children: list, where: str,
            build: Callable[[str, type, list], sp.Basic]) -> Any:
    """The value of a non-leaf node from its children's values."""
    def spelled() -> str:
        return _spell(where, place)

    if kind == "tuple":
        return tuple(children)
    if kind == "dict":
        keys, values = children[0::2], children[1::2]
        try:
            built = dict(zip(keys, values))
        except Exception:  # an unhashable key, such as a tuple holding a dict
            raise SnapshotError(f"{spelled()}: a dict key must be text, a SymPy object or a "
                                "tuple of those") from None
        if len(built) != len(keys):
            raise SnapshotError(f"{spelled()}: a dict has the same key twice")
        return built
    if kind == "Function":  # an undefined function: its name was checked in _children
        cls = sp.Function(node[1])
    else:
        problem = _signature_problem(kind, children)
        if problem:
            raise SnapshotError(f"{spelled()}: {problem}")
        _check_sizes(kind, children, spelled)
        cls = CLASSES[kind]
    try:
        return build(kind, cls, children)
    except Exception as why:  # e.g. a ShapeError of MatMul, a non-differentiable variable
        raise SnapshotError(f"{spelled()}: SymPy refuses to build {kind} from these arguments "
                            f"({type(why).__name__}: {_shown(str(why))})") from None
