"""Symbolic regression tests: mathematical (not string) equality, and snapshots of derived results.

``assert_equivalent(a, b)`` passes when symproof PROVES ``a = b`` (for tuples, dicts, matrices
and relations: part by part) and otherwise fails with both sides, their difference and, where
one is found, a counterexample. The pytest plugin (registered as ``pytest11`` entry point)
provides a ``snapshot`` fixture that stores results as srepr, LaTeX and a safe tree, and on
the next run compares them mathematically: a SymPy upgrade that only changes the printed form
passes. Record or refresh with ``pytest --snapshot-update`` (or ``SYMPROOF_SNAPSHOT_UPDATE=1``).

>>> from symproof import symbols, pool_output_size
>>> m, k, q = symbols("m k q")
>>> assert_equivalent(pool_output_size(k * q, k, k), q)
>>> assert_equivalent(sp.floor(m / k) + 1, sp.floor((m + k) / k))
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import sympy as sp

from . import limits
from .calculus import entry
from .errors import FileError, ParameterError, SnapshotError, SymproofError
from .files import read_bytes, write_atomically
from .kernel import Context, identity
from .latex import latex
from .proof import Status
from .serialize import from_tree, to_tree
from .text import text

__all__ = ["assert_equivalent", "Snapshot"]


def _parts(a: Any, b: Any, where: str):
    """Pairs of comparable leaves of two results, with where they sit; mismatched structure
    raises AssertionError."""
    a, b = (dict(v) if isinstance(v, sp.Dict) else v for v in (a, b))  # SymPy's Dict too
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(map(str, a)) != set(
                map(str, b)):
            raise AssertionError(f"{where}: keys differ: {sorted(map(str, a))} vs "
                                 f"{sorted(map(str, b)) if isinstance(b, dict) else b!r}")
        by_name = {str(k): v for k, v in b.items()}
        for key, value in a.items():
            yield from _parts(value, by_name[str(key)], f"{where}[{key}]")
        return
    sequence = (tuple, list, sp.Tuple)
    if isinstance(a, sequence) or isinstance(b, sequence):
        if not (isinstance(a, sequence) and isinstance(b, sequence)) or len(a) != len(b):
            raise AssertionError(f"{where}: {a!r} and {b!r} do not have the same length")
        for n, (x, y) in enumerate(zip(a, b)):
            yield from _parts(x, y, f"{where}[{n}]")
        return
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if getattr(a, "shape", None) != getattr(b, "shape", None):
            raise AssertionError(f"{where}: shapes {getattr(a, 'shape', None)} and "
                                 f"{getattr(b, 'shape', None)} differ")
        for n, (x, y) in enumerate(zip(a, b)):
            yield from _parts(x, y, f"{where}[{n}]")
        return
    if isinstance(a, sp.MatrixExpr) or isinstance(b, sp.MatrixExpr):
        scalar = next((v for v in (a, b) if not isinstance(v, sp.MatrixExpr)), None)
        if scalar is not None and (a if scalar is b else b).shape == (1, 1):
            matrix = a if scalar is b else b  # a 1 × 1 matrix is its entry
            yield where, entry(matrix, 1, 1), scalar
            return
        if getattr(a, "shape", None) != getattr(b, "shape", None):
            raise AssertionError(f"{where}: shapes {getattr(a, 'shape', None)} and "
                                 f"{getattr(b, 'shape', None)} differ")

        i, j = sp.symbols("i_entry j_entry", integer=True, positive=True)
        rows, cols = a.shape
        at = (1 if rows == 1 else i, 1 if cols == 1 else j)
        yield f"{where}[i,j]", entry(a, *at), entry(b, *at)
        return
    if isinstance(a, sp.core.relational.Relational) or isinstance(b, sp.core.relational.Relational):
        if type(a) is not type(b):
            raise AssertionError(f"{where}: {a} and {b} are different relations")
        yield from _parts(a.lhs, b.lhs, f"{where}.lhs")
        yield from _parts(a.rhs, b.rhs, f"{where}.rhs")
        return
    if isinstance(a, str) or isinstance(b, str):
        if a != b:
            raise AssertionError(f"{where}: {a!r} != {b!r}")
        return
    yield where, a, b


def assert_equivalent(a: Any, b: Any, assumptions: tuple = ()) -> None:
    """Fail unless ``a`` and ``b`` are mathematically equal (PROVED) under ``assumptions``."""

    ctx = Context(assumptions)
    for where, x, y in _parts(a, b, "value"):
        x, y = (sp.Integer(v) if isinstance(v, int) else v for v in (x, y))
        if x == y:
            continue
        try:
            outcome = identity(x, y, ctx)
        except SymproofError:
            raise
        except Exception as why:  # e.g. a condition against a number (a tampered snapshot)
            raise AssertionError(f"{where} cannot be compared ({type(why).__name__}: "
                                 f"{str(why)[:200]}):\n"
                                 f"  left:  {text(x)}\n  right: {text(y)}") from None
        if outcome.status is not Status.PROVED:
            lines = [f"{where} is not proved equal ({outcome.status.name}):",
                     f"  left:  {text(x)}", f"  right: {text(y)}",
                     f"  {outcome.summary()}"]
            raise AssertionError("\n".join(lines))


class Snapshot:
    """Stored derived results of one test, compared mathematically.

    The file is untrusted input (it comes with a repository or a pull request): it is read
    only if it is a regular file within the ``snapshot_bytes`` limit, and every record is
    checked against the schema of :mod:`symproof.serialize` before anything is rebuilt. A file
    that does not conform fails the test with one :class:`~symproof.errors.SnapshotError` (or
    :class:`~symproof.errors.TooLargeError`) naming the file, the snapshot, the place in its
    tree and the rule broken; nothing in it is ever evaluated.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "evil.json"
    >>> _ = path.write_text('{"x": {"srepr": "", "latex": "", "tree": ["eval", []]}}')
    >>> Snapshot(path).assert_match(sp.Integer(1), "x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symproof.errors.SnapshotError: .../evil.json: snapshot 'x': tree: 'eval' is not a kind ...
    """

    def __init__(self, path: Path, update: bool = False):
        self.path, self.update = Path(path), update
        self._records: dict[str, dict] | None = None  # read on first use, then kept
        self._values: dict[str, Any] = {}

    def _stored(self) -> dict[str, dict]:
        """The file's records, all checked and rebuilt once (so that an update never writes
        back a record that was not checked)."""
        __tracebackhide__ = True  # pytest: show the test's line and the message, not ours
        if self._records is None:
            try:
                records = _read_snapshot_file(self.path)
                values = {name: from_tree(record["tree"],
                                          where=f"{self.path}: snapshot {name!r}: tree")
                          for name, record in records.items()}
            except SymproofError as error:  # the message says it all: no frames of the loader
                raise error.with_traceback(None) from None
            self._records, self._values = records, values
        return self._records

    def assert_match(self, value: Any, name: str = "result", assumptions: tuple = ()) -> None:
        """Compare ``value`` with the stored snapshot ``name`` (record it with ``update``)."""
        __tracebackhide__ = True

        if not isinstance(name, str) or not name:
            raise ParameterError("name", name, "must be a non-empty string")
        if hasattr(value, "as_data"):  # results such as solve_for's Solutions
            value = value.as_data()
        stored = self._stored()
        if self.update or name not in stored:
            if not self.update:
                raise AssertionError(f"no snapshot {name!r} in {self.path}: run pytest with "
                                     "--snapshot-update (or SYMPROOF_SNAPSHOT_UPDATE=1) to record")
            tree = to_tree(value)
            # Never record what a later run would refuse (a name with spaces, a huge tree...).
            try:
                from_tree(json.loads(json.dumps(tree)), where=f"snapshot {name!r} to record: tree")
            except SymproofError as error:
                raise error.with_traceback(None) from None
            stored[name] = {"srepr": sp.srepr(value) if isinstance(value, sp.Basic) else
                            repr(value),
                            "latex": latex(value) if isinstance(value, sp.Basic) else None,
                            "tree": tree}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps(stored, indent=1, ensure_ascii=False) + "\n")
            return
        assert_equivalent(self._values[name], value, assumptions)


_RECORD_KEYS = ("srepr", "latex", "tree")


class _JSONNumber:
    """A JSON number, kept as its text: snapshots store numbers as digit strings, so a bare
    number (or NaN, Infinity) is refused by the schema, at its place, never converted."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"a JSON number {self.text[:20]}"


class _DuplicateKey(Exception):
    """A key seen twice in one JSON object (raised out of json.loads, caught just outside)."""


def _object(pairs: list[tuple[str, Any]]) -> dict:
    """A JSON object, refused when a key appears twice (which value would count?)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _read_snapshot_file(path: Path) -> dict[str, dict]:
    """The records of snapshot file ``path`` ({} when there is none), checked for the file's
    shape; each record's tree is checked by :func:`~symproof.serialize.from_tree`."""
    data = _read_bytes(path)
    if data is None:
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as why:
        raise SnapshotError(f"{path}: not UTF-8 text (byte {why.start})") from None
    try:
        top = json.loads(text, parse_int=_JSONNumber, parse_float=_JSONNumber,
                         parse_constant=_JSONNumber, object_pairs_hook=_object)
    except json.JSONDecodeError as why:
        raise SnapshotError(f"{path}: not valid JSON ({why.msg} at line {why.lineno}, column "
                            f"{why.colno})") from None
    except _DuplicateKey as why:
        raise SnapshotError(f"{path}: the JSON key {str(why)[:60]!r} appears twice in one "
                            "object") from None
    except RecursionError:  # json's parser refuses deep nesting this way
        raise SnapshotError(f"{path}: JSON nested too deeply (snapshots nest at most "
                            f"{limits.current().nesting_depth} expression levels)") from None
    if not isinstance(top, dict):
        raise SnapshotError(f"{path}: the top level must be a JSON object mapping snapshot "
                            f"names to records, got {type(top).__name__}")
    for name, record in top.items():
        if not isinstance(record, dict):
            raise SnapshotError(f"{path}: snapshot {name!r}: a record must be a JSON object "
                                f"with the keys {', '.join(_RECORD_KEYS)}")
        missing = [key for key in _RECORD_KEYS if key not in record]
        extra = [key for key in record if key not in _RECORD_KEYS]
        if missing or extra:
            raise SnapshotError(f"{path}: snapshot {name!r}: a record has exactly the keys "
                                f"{', '.join(_RECORD_KEYS)}"
                                + (f"; missing {', '.join(missing)}" if missing else "")
                                + (f"; unknown {', '.join(k[:40] for k in extra)}" if extra
                                   else ""))
        if not isinstance(record["srepr"], str) or \
                not (record["latex"] is None or isinstance(record["latex"], str)):
            raise SnapshotError(f"{path}: snapshot {name!r}: srepr must be a string and latex "
                                "a string or null")
    return top


def _read_bytes(path: Path) -> bytes | None:
    """The bytes of ``path``, or None when it does not exist: only a regular file, never
    through a symbolic link, within the ``snapshot_bytes`` limit (the one reader of files)."""
    if not os.path.lexists(path):
        return None
    try:
        return read_bytes(path, what="the snapshot file", limit="snapshot_bytes",
                          regular_only=True)
    except FileError as why:
        raise SnapshotError(f"{path}: a snapshot must be a regular file that can be read "
                            f"({why})") from None


try:
    import pytest
except ImportError:  # pragma: no cover - the plugin needs pytest; the functions do not
    pytest = None

if pytest is not None:
    def pytest_addoption(parser):
        parser.addoption("--snapshot-update", action="store_true", default=False,
                         help="symproof: record or refresh stored snapshots")

    @pytest.fixture
    def snapshot(request) -> Snapshot:
        """Snapshots of this test in ``__snapshots__/<module>/<test>.json`` beside it."""
        update = bool(request.config.getoption("--snapshot-update")) or \
            os.environ.get("SYMPROOF_SNAPSHOT_UPDATE") == "1"
        test_file = Path(str(request.node.fspath))
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        return Snapshot(test_file.parent / "__snapshots__" / test_file.stem / f"{safe}.json",
                        update)
