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

__all__ = ["assert_equivalent", "Snapshot"]


def _parts(a: Any, b: Any, where: str):
    """Pairs of comparable leaves of two results, with where they sit; mismatched structure
    raises AssertionError."""
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
            from .calculus import entry

            matrix = a if scalar is b else b  # a 1 × 1 matrix is its entry
            yield where, entry(matrix, 1, 1), scalar
            return
        if getattr(a, "shape", None) != getattr(b, "shape", None):
            raise AssertionError(f"{where}: shapes {getattr(a, 'shape', None)} and "
                                 f"{getattr(b, 'shape', None)} differ")
        from .calculus import entry

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
    from .proof import Status
    from .tactics import Context, identity
    from .text import text

    ctx = Context(assumptions)
    for where, x, y in _parts(a, b, "value"):
        x, y = (sp.Integer(v) if isinstance(v, int) else v for v in (x, y))
        if x == y:
            continue
        outcome = identity(x, y, ctx)
        if outcome.status is not Status.PROVED:
            lines = [f"{where} is not proved equal ({outcome.status.name}):",
                     f"  left:  {text(x)}", f"  right: {text(y)}",
                     f"  {outcome.summary()}"]
            raise AssertionError("\n".join(lines))


class Snapshot:
    """Stored derived results of one test, compared mathematically."""

    def __init__(self, path: Path, update: bool = False):
        self.path, self.update = Path(path), update
        self._stored = json.loads(self.path.read_text()) if self.path.exists() else {}
        self._written = False

    def assert_match(self, value: Any, name: str = "result", assumptions: tuple = ()) -> None:
        from .latex import latex
        from .serialize import from_tree, to_tree

        if hasattr(value, "as_data"):  # results such as solve_for's Solutions
            value = value.as_data()
        record = {"srepr": sp.srepr(value) if isinstance(value, sp.Basic) else repr(value),
                  "latex": latex(value) if isinstance(value, sp.Basic) else None,
                  "tree": to_tree(value)}
        if self.update or name not in self._stored:
            if not self.update:
                raise AssertionError(f"no snapshot {name!r} in {self.path}: run pytest with "
                                     "--snapshot-update (or SYMPROOF_SNAPSHOT_UPDATE=1) to record")
            self._stored[name] = record
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self._stored, indent=1, ensure_ascii=False) + "\n")
            return
        assert_equivalent(from_tree(self._stored[name]["tree"]), value, assumptions)


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
